//! `handoff remove`: remove an artifact or a role from handoff.yaml and commit it.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct RemoveArgs {}

pub fn run(_args: RemoveArgs) -> Result<ExitCode, String> {
    Err("`handoff remove` is not built yet".into())
}
