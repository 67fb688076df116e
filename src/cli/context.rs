//! `handoff context`: print, as Markdown, everything to read before touching an artifact.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ContextArgs {}

pub fn run(_args: ContextArgs) -> Result<ExitCode, String> {
    Err("`handoff context` is not built yet".into())
}
