//! `handoff diff`: what changed since the sign-off a `changed-since-signoff` or
//! `upstream-changed` finding is measured from.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::engine::diff::{DiffError, artifact_diff};
use crate::render::content_diff;

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The artifact's id, as in handoff.yaml
    pub artifact: String,

    /// Measure from this role's sign-off (default: every approval the content differs from,
    /// and the sign-off its upstream changes are measured from)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    Text,
    Json,
}

pub(crate) fn run(args: DiffArgs) -> Result<ExitCode, super::Failure> {
    let (ws, snapshot) = super::load(args.dir.as_deref())?;
    let diff = artifact_diff(&ws, &snapshot, &args.artifact, args.role.as_deref()).map_err(
        |e| match e {
            DiffError::Basis(e) => super::Failure::error(e),
            DiffError::Content(e) => super::Failure::error(e),
        },
    )?;
    let page = match args.format {
        DiffFormat::Text => content_diff::text(&diff, super::style::paint_stdout()),
        DiffFormat::Json => content_diff::json(&diff),
    };
    super::emit(page)?;
    Ok(ExitCode::SUCCESS)
}
