//! `handoff report`: write a one-page handoff status as Markdown or HTML.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ReportArgs {}

pub fn run(_args: ReportArgs) -> Result<ExitCode, String> {
    Err("`handoff report` is not built yet".into())
}
