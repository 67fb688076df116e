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
    let format = args.format.unwrap_or_else(|| {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            OrgFormat::Tui
        } else {
            OrgFormat::Text
        }
    });
    if format == OrgFormat::Tui {
        // The workbench paints before every source is read; what was skipped is said once
        // the terminal is given back.
        let options = args.workbench.options();
        let org = crate::tui::org::run(&args.sources, now, args.stale_after, options)?;
        return shown(&org).map(|()| ExitCode::SUCCESS);
    }
    let org = crate::engine::org::gather(&args.sources, now, args.stale_after);
    shown(&org)?;
    let out = match format {
        OrgFormat::Text | OrgFormat::Tui => org::text(&org),
        OrgFormat::Json => org::json(&org),
        OrgFormat::Markdown => org::markdown(&org),
        OrgFormat::Html => org_html::page(&org),
    };
    let out = if format == OrgFormat::Json {
        out
    } else {
        super::AsciiArg {
            ascii: args.workbench.ascii,
        }
        .apply(out)
    };
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}

/// Says what was skipped, where CI logs show it whatever the format on standard output;
/// fails when no source gave a repository.
fn shown(org: &crate::core::org::Org) -> Result<(), super::Failure> {
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
    Ok(())
}
