//! `handoff context`: print, as Markdown, everything to read before touching an artifact.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct ContextArgs {
    /// The artifact's id, as in handoff.yaml
    #[arg(required_unless_present = "path", conflicts_with = "path")]
    pub artifact: Option<String>,

    /// Instead of an artifact: a file (relative to handoff.yaml's directory), to get the
    /// context of every artifact that governs it
    #[arg(long, value_name = "FILE")]
    pub path: Option<String>,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    #[command(flatten)]
    pub ascii: super::AsciiArg,
}

pub(crate) fn run(args: ContextArgs) -> Result<ExitCode, super::Failure> {
    let (_, snapshot) = super::load(args.dir.as_deref())?;
    let page = match (&args.path, &args.artifact) {
        (Some(path), _) => crate::render::context::render_for_path(&snapshot, path)
            .map_err(super::Failure::error)?,
        (None, Some(id)) => {
            crate::render::context::render(&snapshot, id).map_err(super::Failure::error)?
        }
        (None, None) => unreachable!("clap requires an artifact or --path"),
    };
    super::emit(args.ascii.apply(page))?;
    Ok(ExitCode::SUCCESS)
}
