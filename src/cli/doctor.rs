//! `handoff doctor`: show what handoff sees — configuration, git identity and its roles, the
//! repository, index, ledger and cache — and what is wrong with each. Exit 0 when nothing is
//! wrong, 1 otherwise. Findings about the handoff itself are `handoff check`'s business; the
//! doctor is about whether handoff can do its job here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use etcetera::BaseStrategy;

use crate::core::model::ledger::LEDGER_DIR;
use crate::core::model::load::is_valid_email;
use crate::core::text::sanitize;
use crate::engine::{self, INDEX_FILE, Workspace, diagnosis};
use crate::render::style::Paint;

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,
}

/// What the doctor prints: sections of labelled values, then the problems.
#[derive(Default)]
struct Examination {
    sections: Vec<(&'static str, Vec<(&'static str, String)>)>,
    problems: Vec<String>,
}

impl Examination {
    fn section(&mut self, title: &'static str) -> &mut Vec<(&'static str, String)> {
        self.sections.push((title, Vec::new()));
        &mut self.sections.last_mut().expect("just pushed").1
    }

    /// Everything shown comes from the repository, git's configuration or the file system
    /// (titles, names, paths, identities, file names, load errors): it is neutralised here,
    /// in one place, before any of it reaches the terminal; only handoff's own colours are
    /// written as escape sequences.
    fn render(&self, paint: Paint) -> String {
        let width = self
            .sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.len()))
            .max()
            .unwrap_or(8);
        let mut out = format!("handoff {}\n", env!("CARGO_PKG_VERSION"));
        for (title, rows) in &self.sections {
            out.push_str(&format!("\n{}\n", paint.bold(title)));
            for (key, value) in rows {
                out.push_str(&format!("  {key:<width$}  {}\n", sanitize(value)));
            }
        }
        out.push('\n');
        if self.problems.is_empty() {
            out.push_str(&format!("{}\n", paint.good("✓ nothing wrong")));
        } else {
            let n = self.problems.len();
            out.push_str(&format!(
                "{}\n",
                paint.severity(
                    crate::core::model::Severity::Error,
                    &format!("✗ {n} problem{}", if n == 1 { "" } else { "s" })
                )
            ));
            for p in &self.problems {
                let mut lines = p.lines().map(sanitize);
                if let Some(first) = lines.next() {
                    out.push_str(&format!("  ✗ {first}\n"));
                }
                for line in lines {
                    out.push_str(&format!("    {line}\n"));
                }
            }
        }
        out
    }
}

fn config_dir(exam: &mut Examination) {
    let rows = exam.section("Configuration");
    match etcetera::choose_base_strategy() {
        Ok(strategy) => {
            let dir = strategy.config_dir().join("handoff");
            let from = match std::env::var_os("XDG_CONFIG_HOME") {
                Some(v) if !v.is_empty() => "$XDG_CONFIG_HOME/handoff",
                _ => "~/.config/handoff",
            };
            let state = match diagnosis::names_in(&dir) {
                Some(names) if names.is_empty() => "empty".to_string(),
                Some(names) => names.join(", "),
                None => "not present (handoff works without it)".to_string(),
            };
            rows.push(("config dir", format!("{}  ({from})", dir.display())));
            rows.push(("files", state));
            // A broken keymap.yaml or theme.yaml is only half-applied by the workbench; say
            // where, as the workbench's help screen would.
            exam.problems.extend(
                crate::tui::config::problems_in(&dir)
                    .iter()
                    .map(ToString::to_string),
            );
        }
        Err(e) => {
            rows.push(("config dir", format!("unknown: {e}")));
            exam.problems.push(format!(
                "no home directory, so no configuration directory: {e}"
            ));
        }
    }
}

fn examine(start: Option<&Path>) -> Examination {
    let mut exam = Examination::default();
    config_dir(&mut exam);

    let start_dir = start
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    if !start_dir.is_dir() {
        exam.problems.push(format!(
            "{} is not a directory: give the directory of a handoff, or one inside it",
            start_dir.display()
        ));
        return exam;
    }
    let repo = diagnosis::repository(&start_dir);
    let email = identity_section(&mut exam, &start_dir);
    let repo = match repo {
        Ok(repo) => repo,
        Err(e) => {
            let state = if diagnosis::is_absent(&e) {
                "none"
            } else {
                "cannot be opened"
            };
            exam.section("Repository")
                .push(("work tree", state.to_string()));
            exam.problems.push(e.to_string());
            return exam;
        }
    };
    repository_section(&mut exam, &repo);
    if repo.work_tree.is_none() {
        exam.problems
            .push("the repository is bare: handoff needs a work tree".to_string());
        return exam;
    }

    handoff_section(&mut exam, start, &repo, email.as_deref());
    exam
}

/// Who git says you are, and whether handoff can use it; returns the e-mail.
fn identity_section(exam: &mut Examination, start_dir: &Path) -> Option<String> {
    let identity = diagnosis::identity(start_dir);
    let shown = |v: &Option<diagnosis::ConfigValue>| {
        v.as_ref().map_or("not set".to_string(), |v| {
            format!("{}  ({})", v.value, v.from)
        })
    };
    {
        let rows = exam.section("Git identity");
        rows.push(("user.name", shown(&identity.name)));
        rows.push(("user.email", shown(&identity.email)));
    }
    let email = identity.email.map(|v| v.value);
    match &email {
        None => exam.problems.push(
            "git has no user.email: handoff signs and finds your roles by it. Set it with \
             `git config user.email you@example.com` (add --global for every repository)."
                .to_string(),
        ),
        Some(e) if !is_valid_email(e) => exam.problems.push(format!(
            "git's user.email `{e}` is not an e-mail address: handoff cannot match it to a role"
        )),
        Some(_) => {}
    }

    email
}

fn repository_section(exam: &mut Examination, repo: &diagnosis::Repository) {
    let head = &repo.head;
    {
        let rows = exam.section("Repository");
        rows.push((
            "work tree",
            repo.work_tree
                .as_ref()
                .map_or("none (bare repository)".to_string(), |p| {
                    p.display().to_string()
                }),
        ));
        rows.push(("git dir", repo.git_dir.display().to_string()));
        let commit = head
            .commit
            .as_deref()
            .map_or("no commits yet".to_string(), |c| {
                c.chars().take(8).collect()
            });
        let branch = head
            .branch
            .clone()
            .unwrap_or_else(|| "detached".to_string());
        rows.push((
            "HEAD",
            format!(
                "{branch} @ {commit}{}",
                if head.shallow {
                    "  (shallow clone)"
                } else {
                    ""
                }
            ),
        ));
        rows.push(("graph", commit_graph_state(repo.commit_graph)));
    }
}

/// What the commit-graph offers a history walk, and the git command that would offer more.
fn commit_graph_state(graph: diagnosis::CommitGraph) -> String {
    use diagnosis::CommitGraph;
    const WRITE: &str = "`git commit-graph write --reachable --changed-paths` writes it \
                         (`git maintenance start` keeps it current)";
    match graph {
        CommitGraph::Absent => format!("no commit-graph: {WRITE}"),
        CommitGraph::Unreadable => "a commit-graph in a format handoff does not read".to_string(),
        CommitGraph::Present {
            layers,
            with_filters,
        } if with_filters == layers => "commit-graph with changed-path Bloom filters".to_string(),
        CommitGraph::Present {
            layers,
            with_filters: 0,
        } => format!(
            "commit-graph ({layers} {}) without changed-path Bloom filters: {WRITE}",
            if layers == 1 { "file" } else { "layers" }
        ),
        CommitGraph::Present {
            layers,
            with_filters,
        } => format!("present, Bloom filters in {with_filters} of {layers} layers: {WRITE}"),
    }
}

/// The index, the ledger, the cache, your roles and the findings.
fn handoff_section(
    exam: &mut Examination,
    start: Option<&Path>,
    repo: &diagnosis::Repository,
    email: Option<&str>,
) {
    let ws: Workspace = match engine::locate(start) {
        Ok(ws) => ws,
        Err(e) => {
            exam.section("Handoff")
                .push(("index", "not found".to_string()));
            exam.problems.push(e.to_string());
            return;
        }
    };
    let cache = repo.handoff_dir.clone();
    // Before the index and ledger load: loading them fills the parsed-input cache.
    let cache_summary = diagnosis::directory_summary(&cache);
    let ledger_dir = ws.dir.join(LEDGER_DIR);
    let ledger = engine::load_ledger(&ws);
    let ledger_files = diagnosis::yaml_files_in(&ledger_dir);
    let records: usize = ledger.records.values().map(Vec::len).sum();
    let index = engine::load_index_file(&ws);
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    let index_path = ws.dir.join(INDEX_FILE);
    match &index {
        Ok(index) => rows.push((
            "index",
            format!(
                "{}  (loads: {}, {}, {})",
                index_path.display(),
                crate::core::text::count(index.roles.len(), "role"),
                crate::core::text::count(index.kinds.len(), "kind"),
                crate::core::text::count(index.artifacts.len(), "artifact")
            ),
        )),
        Err(errors) => {
            rows.push((
                "index",
                format!(
                    "{}  (does not load: {} error{})",
                    index_path.display(),
                    errors.0.len(),
                    if errors.0.len() == 1 { "" } else { "s" }
                ),
            ));
            for e in &errors.0 {
                let mut located = e.clone();
                located.file = index_path.display().to_string();
                exam.problems.push(located.to_string());
            }
        }
    }
    rows.push((
        "ledger",
        if ledger_files == 0 {
            format!("{}  (no sign-offs yet)", ledger_dir.display())
        } else {
            format!(
                "{}  ({ledger_files} file{}, {records} record{})",
                ledger_dir.display(),
                if ledger_files == 1 { "" } else { "s" },
                if records == 1 { "" } else { "s" }
            )
        },
    ));
    rows.push((
        "cache",
        match cache_summary {
            Some((files, bytes)) => format!(
                "{}  ({files} file{}, {bytes} bytes)",
                cache.display(),
                if files == 1 { "" } else { "s" }
            ),
            None => format!("{}  none yet", cache.display()),
        },
    ));
    for p in &ledger.problems {
        exam.problems.push(format!(
            "{}:{}:{}: {}",
            ws.dir.join(&p.file).display(),
            p.pos.line,
            p.pos.col,
            p.message
        ));
    }

    let mut policy = Vec::new();
    if let Ok(index) = &index {
        policy = roles_and_findings(exam, &mut rows, &ws, index, &ledger, email);
    }
    exam.sections.push(("Handoff", rows));
    // Policies that can never fire: not wrong for handoff to work, but worth a look.
    if !policy.is_empty() {
        exam.sections.push(("Policy", policy));
    }
}

/// Your roles in the index, ledger files of no artifact, and the findings' counts; returns
/// the policies that can never fire (`inert-policy`), one row each.
fn roles_and_findings(
    exam: &mut Examination,
    rows: &mut Vec<(&'static str, String)>,
    ws: &Workspace,
    index: &crate::core::model::Index,
    ledger: &crate::core::model::Ledger,
    email: Option<&str>,
) -> Vec<(&'static str, String)> {
    if let Some(e) = email {
        let roles: Vec<String> = index
            .roles_of(e)
            .iter()
            .map(|r| match &r.title {
                Some(t) => format!("{} ({t})", r.id),
                None => r.id.clone(),
            })
            .collect();
        if roles.is_empty() {
            let defined: Vec<&str> = index.roles.iter().map(|r| r.id.as_str()).collect();
            exam.problems.push(format!(
                "{e} is in no role of {INDEX_FILE}: you can read the handoff but not sign for \
                 any role. Add it under `people:` of your role ({}).",
                defined.join(", ")
            ));
            rows.push(("your roles", "none".to_string()));
        } else {
            rows.push(("your roles", roles.join(", ")));
        }
    }
    let defined: std::collections::HashSet<&str> =
        index.artifacts.iter().map(|a| a.id.as_str()).collect();
    for id in ledger.records.keys() {
        if !defined.contains(id.as_str()) {
            rows.push((
                "note",
                format!("{LEDGER_DIR}/{id}.yaml belongs to no artifact in the index"),
            ));
        }
    }
    match crate::engine::clock::now()
        .map_err(|e| e.to_string())
        .and_then(|now| engine::snapshot(ws, now).map_err(|e| engine::describe(&e)))
    {
        Ok(snapshot) => {
            rows.push((
                "findings",
                format!(
                    "{}  (`handoff check` lists them)",
                    crate::render::counts_text(&snapshot)
                ),
            ));
            return snapshot
                .report
                .findings
                .iter()
                .filter(|f| f.code == crate::core::model::FindingCode::InertPolicy)
                .map(|f| ("inert", format!("{}:{}  {}", f.file, f.pos.line, f.message)))
                .collect();
        }
        Err(e) => exam.problems.push(format!("cannot read the facts: {e}")),
    }
    Vec::new()
}

pub(crate) fn run(args: DoctorArgs) -> Result<ExitCode, super::Failure> {
    let exam = examine(args.dir.as_deref());
    super::emit(exam.render(super::style::paint_stdout()))?;
    Ok(if exam.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
