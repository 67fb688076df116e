use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    handoff::cli::run(handoff::cli::Cli::parse())
}
