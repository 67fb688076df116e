//! `handoff man`: print the man page.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn run(_args: ManArgs) -> Result<ExitCode, String> {
    Err("`handoff man` is not built yet".into())
}
