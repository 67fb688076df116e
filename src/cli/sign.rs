//! `handoff sign`: record a sign-off (accept, approve, acknowledge, verify, revoke) and commit it.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct SignArgs {}

pub fn run(_args: SignArgs) -> Result<ExitCode, String> {
    Err("`handoff sign` is not built yet".into())
}
