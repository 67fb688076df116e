//! `handoff report`: write a one-page handoff status as Markdown or HTML, for a wiki page or a
//! weekly-review e-mail.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::engine::trend;
use crate::render::{Status, report_html, report_markdown};

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    /// Output format (default: html when --output ends in .html or .htm, else markdown)
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Write the report to FILE instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write it for one person (a git e-mail address): what their roles must do, and the
    /// sign-offs they gave
    #[arg(long, value_name = "EMAIL")]
    pub person: Option<String>,

    /// How many weeks the HTML report's trend chart of open findings covers (0: no chart)
    #[arg(long, value_name = "N", default_value_t = trend::DEFAULT_WEEKS)]
    pub weeks: usize,
    #[command(flatten)]
    pub ascii: super::AsciiArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Markdown,
    Html,
}

fn inferred_format(output: Option<&Path>) -> ReportFormat {
    let is_html = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if is_html {
        ReportFormat::Html
    } else {
        ReportFormat::Markdown
    }
}

pub(crate) fn run(args: ReportArgs) -> Result<ExitCode, super::Failure> {
    let (ws, snapshot) = super::load(args.dir.as_deref())?;
    let format = args
        .format
        .unwrap_or_else(|| inferred_format(args.output.as_deref()));
    let status = match &args.person {
        Some(email) => Status::for_person(&snapshot, email).map_err(super::Failure::error)?,
        None => Status::of(&snapshot),
    };
    let page = match format {
        ReportFormat::Markdown => report_markdown::report(&snapshot, &status),
        ReportFormat::Html => {
            let trend = trend::trend_to_now(&ws, snapshot.now, args.weeks)
                .map_err(super::Failure::error)?;
            report_html::report(&snapshot, &status, &trend)
        }
    };
    let page = args.ascii.apply(page);
    match &args.output {
        Some(path) => {
            std::fs::write(path, page)
                .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => super::emit(page)?,
    }
    Ok(ExitCode::SUCCESS)
}
