//! `handoff mcp`: serve handoff's context over the Model Context Protocol (stdio).

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct McpArgs {}

pub fn run(_args: McpArgs) -> Result<ExitCode, String> {
    Err("`handoff mcp` is not built yet".into())
}
