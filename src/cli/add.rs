//! `handoff add`: add an artifact or a role to handoff.yaml and commit it.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct AddArgs {}

pub fn run(_args: AddArgs) -> Result<ExitCode, String> {
    Err("`handoff add` is not built yet".into())
}
