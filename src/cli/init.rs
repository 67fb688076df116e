//! `handoff init`: write a handoff.yaml for a team shape (solo, startup, mid-size, enterprise).

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {}

pub fn run(_args: InitArgs) -> Result<ExitCode, String> {
    Err("`handoff init` is not built yet".into())
}
