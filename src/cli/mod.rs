//! The command line: argument definitions and dispatch. Each command is a thin face over the
//! same engine the workbench uses: parse, call, print.

pub(crate) mod add;
pub(crate) mod check;
pub(crate) mod commit;
pub(crate) mod completions;
pub mod context;
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod doctor;
pub(crate) mod impact;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod man;
pub(crate) mod matrix;
pub(crate) mod org;
pub(crate) mod remove;
pub(crate) mod report;
pub(crate) mod review;
pub(crate) mod schema;
pub(crate) mod scorecard;
pub(crate) mod set;
pub(crate) mod sign;
pub(crate) mod style;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::{self, Snapshot, WorkspaceError};

/// Exit status when the index or the repository cannot be read, or a request is refused.
pub(crate) const EXIT_UNUSABLE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version = env!("HANDOFF_VERSION"),
    about = "Keep a team's product-to-engineering handoff honest",
    long_about = "handoff reads the artifact index (handoff.yaml) and the sign-off ledger of a git \
repository, derives facts from git and the work tree, and shows the role × artifact ownership \
matrix, the gaps and the stale items.\n\nWithout a command it opens the workbench on DIR (default: \
found from the current directory).",
    args_conflicts_with_subcommands = true,
    after_help = EXIT_AND_ENVIRONMENT
)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) workbench: WorkbenchArgs,
}

/// How the workbench looks and behaves.
/// `--ascii` for the text outputs.
#[derive(Debug, Clone, Copy, Default, Args)]
pub(crate) struct AsciiArg {
    /// Pure ASCII output: `...`, `->`, `x`, `"` and `-` for …, →, ✗, “” and —, no box
    /// drawing, in repository text too
    #[arg(long)]
    pub ascii: bool,
}

impl AsciiArg {
    /// `text` as the output is written: pure ASCII with `--ascii`.
    pub(crate) fn apply(self, text: String) -> String {
        if self.ascii {
            crate::render::glyphs::ascii_text(&text)
        } else {
            text
        }
    }
}

#[derive(Debug, Clone, Default, Args)]
pub(crate) struct WorkbenchArgs {
    /// Screen-sharing mode: high-contrast, roomy, read-only, no mouse capture, and a review
    /// agenda that steps through the open findings one at a time
    #[arg(long)]
    pub present: bool,

    /// Colour theme (NO_COLOR implies mono)
    #[arg(long, value_name = "NAME", value_parser = PresetName::THEME)]
    pub theme: Option<String>,

    /// Key preset
    #[arg(long, value_name = "NAME", value_parser = PresetName::KEYMAP)]
    pub keymap: Option<String>,

    /// ASCII glyphs instead of ✓ Δ ↑ ✗ · and box drawing
    #[arg(long)]
    pub ascii: bool,
}

/// The exit statuses, environment variables and configuration files, for `--help` and the man
/// page (docs/reference/configuration.md and outputs.md say the same).
const EXIT_AND_ENVIRONMENT: &str = "\
Exit status:
  0  done; check: no finding reaches --fail-on; impact: the range
     opens none that does; scorecard: no failing rule reaches
     --fail-on; doctor: nothing wrong
  1  check: a finding reaches --fail-on; impact: the range opens one
     that does; scorecard: a failing rule does; doctor: something is
     wrong
  2  handoff.yaml does not load (file:line:col), no repository, wrong
     arguments, or a sign/set/add/remove refused (nothing written)

Environment:
  HANDOFF_NOW      pins the clock (RFC 3339): reproducible reports
  HANDOFF_THREADS  threads a history walk uses (default: one per core)
  NO_COLOR         no colour in any output; the workbench uses mono
  XDG_CONFIG_HOME  configuration in $XDG_CONFIG_HOME/handoff
                   (else ~/.config/handoff)

Files:
  handoff.yaml                   the index
  .handoff/signoffs/ID.yaml      the sign-off ledger, one per artifact
  ~/.config/handoff/keymap.yaml  keys over a preset (--keymap)
  ~/.config/handoff/theme.yaml   colours over a theme (--theme)
  .git/handoff/                  caches, drafts and scratch files";

/// A preset name (`--theme`, `--keymap`): completions and `--help` offer the embedded
/// presets, and any other name is refused as "no theme `x` (themes: …)".
#[derive(Clone, Copy)]
struct PresetName {
    what: &'static str,
    plural: &'static str,
    presets: crate::tui::keymap::Presets,
}

impl PresetName {
    const THEME: PresetName = PresetName {
        what: "theme",
        plural: "themes",
        presets: crate::tui::theme::PRESETS,
    };
    const KEYMAP: PresetName = PresetName {
        what: "keymap preset",
        plural: "presets",
        presets: crate::tui::keymap::PRESETS,
    };

    fn names(self) -> impl Iterator<Item = &'static str> {
        self.presets.iter().map(|(name, _)| *name)
    }
}

impl clap::builder::TypedValueParser for PresetName {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let value = value.to_string_lossy();
        if self.names().any(|name| name == value) {
            return Ok(value.into_owned());
        }
        let names: Vec<&str> = self.names().collect();
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "no {} `{}` ({}: {})\n",
                self.what,
                crate::core::text::sanitize(&value),
                self.plural,
                names.join(", ")
            ),
        ))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.names().map(clap::builder::PossibleValue::new),
        ))
    }
}

impl WorkbenchArgs {
    pub(crate) fn options(&self) -> crate::tui::TuiOptions {
        crate::tui::TuiOptions {
            present: self.present,
            theme: self.theme.clone(),
            keymap: self.keymap.clone(),
            ascii: self.ascii,
            config_dir: None,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            now: None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check the handoff and exit non-zero when a finding reaches --fail-on (for CI)
    Check(check::CheckArgs),
    /// Export the role × artifact ownership matrix
    Matrix(matrix::MatrixArgs),
    /// Many repositories' handoffs in one view: local clones or their CI's check results
    Org(org::OrgArgs),
    /// Build the bundled sample repository and open the workbench on it
    Demo(demo::DemoArgs),
    /// Record a sign-off (accept, approve, acknowledge, verify, revoke) and commit it
    Sign(sign::SignArgs),
    /// Change a field of an artifact or a role in handoff.yaml and commit it
    Set(set::SetArgs),
    /// Add an artifact, a role or a kind to handoff.yaml and commit it
    Add(add::AddArgs),
    /// Remove an artifact or a role from handoff.yaml and commit it
    Remove(remove::RemoveArgs),
    /// Commit, in one commit, the edits made with --no-commit (and nothing else)
    Commit(commit::CommitArgs),
    /// Propose roles, kinds and artifacts from CODEOWNERS, front matter, document folders and
    /// .mailmap; show the diff of handoff.yaml, and write and commit it once
    Import(import::ImportArgs),
    /// Write a handoff.yaml for a team shape (solo, startup, mid-size, enterprise, generic)
    Init(init::InitArgs),
    /// Print the JSON Schema of handoff.yaml, for editors
    Schema(schema::SchemaArgs),
    /// Write a one-page handoff status as Markdown or HTML
    Report(report::ReportArgs),
    /// Judge the handoff against its scorecard: each rule, pass or fail, and why
    Scorecard(scorecard::ScorecardArgs),
    /// Print, as Markdown, everything to read before touching an artifact
    Context(context::ContextArgs),
    /// What changed in the handoff since a revision, a date or the last review
    Review(review::ReviewArgs),
    /// Show what changed since the sign-off a changed-since-signoff or upstream-changed
    /// finding is measured from, as a unified diff
    Diff(diff::DiffArgs),
    /// What a revision range (a pull request) means for the handoff, and who must act before
    /// it merges; exit 1 when it opens a finding that reaches --fail-on
    Impact(impact::ImpactArgs),
    /// Serve handoff's context over the Model Context Protocol (stdio)
    Mcp(crate::mcp::McpArgs),
    /// Show what handoff sees and what is wrong with it
    Doctor(doctor::DoctorArgs),
    /// Print shell completions
    Completions(completions::CompletionsArgs),
    /// Print the man page
    Man(man::ManArgs),
}

/// The directory argument shared by commands that read a handoff.
#[derive(Debug, Args)]
pub(crate) struct DirArg {
    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub(crate) fn severity(self) -> crate::core::model::Severity {
        match self {
            FailOn::Error => crate::core::model::Severity::Error,
            FailOn::Warning => crate::core::model::Severity::Warning,
            FailOn::Info => crate::core::model::Severity::Info,
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Matrix(args)) => matrix::run(args),
        Some(Command::Org(args)) => org::run(args),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Sign(args)) => sign::run(args),
        Some(Command::Set(args)) => set::run(args),
        Some(Command::Add(args)) => add::run(args),
        Some(Command::Remove(args)) => remove::run(args),
        Some(Command::Commit(args)) => commit::run(args),
        Some(Command::Init(args)) => init::run(args),
        Some(Command::Import(args)) => import::run(args),
        Some(Command::Schema(args)) => schema::run(args),
        Some(Command::Report(args)) => report::run(args),
        Some(Command::Scorecard(args)) => scorecard::run(args),
        Some(Command::Context(args)) => context::run(args),
        Some(Command::Review(args)) => review::run(args),
        Some(Command::Diff(args)) => diff::run(args),
        Some(Command::Impact(args)) => impact::run(args),
        Some(Command::Mcp(args)) => crate::mcp::run(args).map_err(Failure::from),
        Some(Command::Doctor(args)) => doctor::run(args),
        Some(Command::Completions(args)) => completions::run(args),
        Some(Command::Man(args)) => man::run(args),
        None => open_workbench(cli.dir, &cli.workbench),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            // Messages quote the repository (ids, values, hook output): neutralise control
            // characters line by line, so none reaches the terminal.
            let message: Vec<String> = message.lines().map(crate::core::text::sanitize).collect();
            eprintln!("{}", style::error_text(&message.join("\n")));
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

/// Opens the workbench; where standard output is not a terminal, prints the check instead.
fn open_workbench(dir: Option<PathBuf>, args: &WorkbenchArgs) -> Result<ExitCode, Failure> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return check::run(check::CheckArgs {
            dir: DirArg { dir },
            format: check::Format::Text,
            fail_on: FailOn::Error,
            no_cache: false,
            ascii: AsciiArg { ascii: args.ascii },
        });
    }
    let ws = engine::locate(dir.as_deref())?;
    crate::tui::run(&ws, args.options())?;
    Ok(ExitCode::SUCCESS)
}

/// Locates the workspace and reads everything, or says why not.
pub(crate) fn load(
    dir: Option<&std::path::Path>,
) -> Result<(engine::Workspace, Snapshot), Failure> {
    Ok(engine::load(dir)?)
}

/// Why a command failed, as the user reads it: located messages, one or more lines. Typed
/// errors from below become failures here, in one place: a `handoff.yaml` that does not load
/// as its own located errors, everything else as `error: <what>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(String);

impl Failure {
    /// `error: <what>`.
    pub(crate) fn error(what: impl std::fmt::Display) -> Failure {
        Failure(format!("error: {what}"))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message worded where the failure is found.
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure(message.to_string())
    }
}

impl From<WorkspaceError> for Failure {
    fn from(e: WorkspaceError) -> Failure {
        Failure(engine::describe(&e))
    }
}

impl From<engine::LoadError> for Failure {
    fn from(e: engine::LoadError) -> Failure {
        match e {
            engine::LoadError::Workspace(e) => e.into(),
            engine::LoadError::Clock(e) => e.into(),
        }
    }
}

impl From<crate::mcp::McpError> for Failure {
    fn from(e: crate::mcp::McpError) -> Failure {
        match e {
            crate::mcp::McpError::Workspace(e) => e.into(),
            other => Failure::error(other),
        }
    }
}

impl From<crate::tui::TuiError> for Failure {
    fn from(e: crate::tui::TuiError) -> Failure {
        match e {
            crate::tui::TuiError::Index(errors) => Failure(errors.to_string()),
            crate::tui::TuiError::Load(e) => e.into(),
            crate::tui::TuiError::Clock(e) => e.into(),
            other => Failure::error(other),
        }
    }
}

impl From<crate::engine::clock::ClockError> for Failure {
    fn from(e: crate::engine::clock::ClockError) -> Failure {
        Failure(e.to_string())
    }
}

/// Writes a rendering to standard output. A reader that stops early (`| head`) is not an
/// error; any other write failure is reported instead of panicking as `print!` would.
pub(crate) fn emit(text: impl AsRef<[u8]>) -> Result<(), Failure> {
    emit_with(|out| out.write_all(text.as_ref()))
}

/// Standard output as [`emit`] treats it, for output written as it is made rather than built
/// whole first.
pub(crate) fn emit_with(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::error(format_args!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
