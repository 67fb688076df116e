//! `handoff completions`: print shell completions, generated from the command-line definition.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(crate) fn run(args: CompletionsArgs) -> Result<ExitCode, super::Failure> {
    let mut command = super::Cli::command();
    // Into a buffer first: the generator panics when it cannot write.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "handoff", &mut script);
    super::emit(script)?;
    Ok(ExitCode::SUCCESS)
}
