//! `handoff completions`: print shell completions.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct CompletionsArgs {}

pub fn run(_args: CompletionsArgs) -> Result<ExitCode, String> {
    Err("`handoff completions` is not built yet".into())
}
