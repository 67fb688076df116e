//! `handoff context`: print, as Markdown, everything to read before touching an artifact.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct ContextArgs {
    /// The artifact's id, as in handoff.yaml
    pub artifact: String,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,
}

pub(crate) fn run(args: ContextArgs) -> Result<ExitCode, super::Failure> {
    let (_, snapshot) = super::load(args.dir.as_deref())?;
    let page =
        crate::render::context::render(&snapshot, &args.artifact).map_err(super::Failure::error)?;
    super::emit(page)?;
    Ok(ExitCode::SUCCESS)
}
