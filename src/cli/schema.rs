//! `handoff schema`: print the JSON Schema of handoff.yaml, for editors.

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct SchemaArgs {}

pub fn run(_args: SchemaArgs) -> Result<ExitCode, String> {
    Err("`handoff schema` is not built yet".into())
}
