//! `handoff man`: print the man page, generated from the command-line definition; or write one
//! page per command into a directory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory};

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write handoff.1 and a page per command (handoff-check.1, …) into DIR instead
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub(crate) fn run(args: ManArgs) -> Result<ExitCode, super::Failure> {
    let command = super::Cli::command();
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .map_err(|e| format!("error: cannot write man pages to {}: {e}", dir.display()))?;
            eprintln!("wrote man pages to {}", dir.display());
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| format!("error: cannot render the man page: {e}"))?;
            super::emit(page)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
