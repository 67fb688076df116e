//! `handoff matrix`: the ownership matrix for a terminal, a wiki page, a spreadsheet or a
//! script.

use std::process::ExitCode;

use super::DirArg;
use crate::render::matrix::{csv, json, markdown, text};
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    #[command(flatten)]
    pub dir: DirArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,

    /// Use ASCII glyphs instead of ✓ Δ ↑ ✗ ·
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MatrixFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

pub(crate) fn run(args: MatrixArgs) -> Result<ExitCode, super::Failure> {
    let (_, snapshot) = super::load(args.dir.dir.as_deref())?;
    let out = match args.format {
        MatrixFormat::Text => text(&snapshot, args.ascii),
        MatrixFormat::Markdown => markdown(&snapshot, args.ascii),
        MatrixFormat::Csv => csv(&snapshot),
        MatrixFormat::Json => json(&snapshot),
    };
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}
