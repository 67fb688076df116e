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

    /// Output format
    #[arg(long, value_enum, default_value_t = OrgFormat::Text)]
    pub format: OrgFormat,

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
    let out = match args.format {
        OrgFormat::Text => org::text(&org),
        OrgFormat::Json => org::json(&org),
        OrgFormat::Markdown => org::markdown(&org),
        OrgFormat::Html => org_html::page(&org),
    };
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}
