//! `handoff set`: change a field of an artifact or a role in handoff.yaml and commit it.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct SetArgs {}

pub fn run(_args: SetArgs) -> Result<ExitCode, String> {
    Err("`handoff set` is not built yet".into())
}
