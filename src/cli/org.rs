//! `handoff org`: many repositories' handoffs in one view — local repositories checked here,
//! result files (`handoff check --format json` from each repository's CI) read as they are.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::core::model::Duration;
use crate::render::{org, org_html};

#[derive(Debug, Args)]
pub(crate) struct OrgArgs {
    /// Local repositories, directories of clones, check result files (`handoff check
    /// --format json`), directories of result files, or an org.yaml manifest
    #[arg(required = true, value_name = "SOURCES")]
    pub sources: Vec<PathBuf>,

    /// Output format (default: the org workbench on a terminal, else text)
    #[arg(long, value_enum)]
    pub format: Option<OrgFormat>,

    #[command(flatten)]
    pub workbench: super::WorkbenchArgs,

    /// A result older than this is marked stale (d, w, m or y)
    #[arg(long, value_name = "AGE", default_value = "7d", value_parser = parse_age)]
    pub stale_after: Duration,
}

fn parse_age(text: &str) -> Result<Duration, String> {
    text.parse()
        .map_err(|e: crate::core::model::duration::BadDuration| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OrgFormat {
    /// The org workbench: Enter opens a repository, / filters, m keeps yours
    Tui,
    Text,
    Json,
    Markdown,
    /// One static page, no scripts
    Html,
}

pub(crate) fn run(args: OrgArgs) -> Result<ExitCode, super::Failure> {
    let now = crate::engine::clock::now()?;
    let org = crate::engine::org::gather(&args.sources, now, args.stale_after);
    // Skipped input is said where CI logs show it, whatever the format on standard output.
    for problem in &org.problems {
        eprintln!(
            "{}",
            super::style::error_text(&format!(
                "warning: skipped {}: {}",
                crate::core::text::sanitize(&problem.path),
                crate::core::text::sanitize(&problem.reason)
            ))
        );
    }
    if org.repos.is_empty() {
        return Err(super::Failure::error(
            "no repository to show: every source was skipped",
        ));
    }
    let format = args.format.unwrap_or_else(|| {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            OrgFormat::Tui
        } else {
            OrgFormat::Text
        }
    });
    let out = match format {
        OrgFormat::Tui => {
            let me = crate::engine::org::user_email(&org);
            crate::tui::org::run(org, me, args.workbench.options())?;
            return Ok(ExitCode::SUCCESS);
        }
        OrgFormat::Text => org::text(&org),
        OrgFormat::Json => org::json(&org),
        OrgFormat::Markdown => org::markdown(&org),
        OrgFormat::Html => org_html::page(&org),
    };
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}
