//! `handoff schema`: print the JSON Schema of handoff.yaml (or of a ledger file), for editors
//! that read JSON Schema, such as yaml-language-server.

use std::process::ExitCode;

use clap::Args;

use crate::core::model::schema::{index_schema, ledger_schema};

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Print the schema of a ledger file (.handoff/signoffs/<id>.yaml) instead
    #[arg(long)]
    pub ledger: bool,
}

pub(crate) fn run(args: SchemaArgs) -> Result<ExitCode, super::Failure> {
    super::emit(schema_text(args.ledger))?;
    Ok(ExitCode::SUCCESS)
}

/// The schema as pretty-printed JSON with a final newline, as `init` writes it too.
pub(crate) fn schema_text(ledger: bool) -> String {
    let schema = if ledger {
        ledger_schema()
    } else {
        index_schema()
    };
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}
