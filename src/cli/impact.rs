//! `handoff impact BASE..HEAD`: the pull-request gate. What a change set means for the
//! handoff, as text, JSON, a pull-request comment or GitHub annotations (rendered in
//! `crate::render::impact`); exits 1 when it opens a finding that reaches `--fail-on`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::FailOn;
use crate::engine::impact::{ImpactError, impact};
use crate::render::impact as render;

#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    /// The revision range, BASE..HEAD (BASE an ancestor of HEAD; an empty side is HEAD), such
    /// as `origin/main..HEAD` or a pull request's base and head commits
    #[arg(value_name = "BASE..HEAD")]
    pub range: String,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,

    /// Exit 1 when the range opens a finding of this severity or worse
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImpactFormat {
    Text,
    Json,
    /// A pull-request comment: who must act, grouped by person
    Markdown,
    /// GitHub Actions workflow annotations on the changed files (::warning file=…,line=…::…)
    Github,
}

pub(crate) fn run(args: ImpactArgs) -> Result<ExitCode, super::Failure> {
    let ws = crate::engine::locate(args.dir.as_deref())?;
    let impact = impact(&ws, &args.range).map_err(|e| match e {
        ImpactError::Index(errors) => super::Failure::from(format!(
            "handoff.yaml does not load at the head of `{}`:\n{errors}",
            args.range
        )),
        other => super::Failure::error(other),
    })?;
    let threshold = args.fail_on.severity();
    let out = match args.format {
        ImpactFormat::Text => render::text(&impact, threshold),
        ImpactFormat::Json => render::json(&impact, threshold),
        ImpactFormat::Markdown => render::markdown(&impact, threshold),
        ImpactFormat::Github => render::github(&impact, &ws.prefix, threshold),
    };
    super::emit(out)?;
    Ok(if impact.fails(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
