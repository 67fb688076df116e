//! `handoff scorecard`: each rule of the index's scorecard, pass or fail, with what is behind
//! it and what would make it pass. Exits as `check` does: 1 when a failing rule's severity
//! reaches `--fail-on`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{DirArg, FailOn};
use crate::render::scorecard::{fails, json, markdown, text};

#[derive(Debug, Args)]
pub(crate) struct ScorecardArgs {
    #[command(flatten)]
    pub dir: DirArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = ScorecardFormat::Text)]
    pub format: ScorecardFormat,

    /// Exit 1 when a failing rule has at least this severity
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScorecardFormat {
    Text,
    Json,
    Markdown,
}

pub(crate) fn run(args: ScorecardArgs) -> Result<ExitCode, super::Failure> {
    let (_, snapshot) = super::load(args.dir.dir.as_deref())?;
    let threshold = args.fail_on.severity();
    let out = match args.format {
        ScorecardFormat::Text => text(&snapshot, threshold, super::style::paint_stdout()),
        ScorecardFormat::Json => json(&snapshot, threshold),
        ScorecardFormat::Markdown => markdown(&snapshot),
    };
    super::emit(out)?;
    Ok(if fails(&snapshot.report.scorecard, threshold) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
