//! `handoff doctor`: show what handoff sees and what is wrong with it.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct DoctorArgs {}

pub fn run(_args: DoctorArgs) -> Result<ExitCode, String> {
    Err("`handoff doctor` is not built yet".into())
}
