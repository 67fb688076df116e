//! `handoff demo`: the bundled sample handoff, built into a fresh repository.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Build the repository here (a new or empty directory) instead of a fresh temporary one
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,

    /// Only build the repository and print its path
    #[arg(long)]
    pub no_open: bool,

    #[command(flatten)]
    pub workbench: super::WorkbenchArgs,
}

pub(crate) fn run(args: DemoArgs) -> Result<ExitCode, super::Failure> {
    let into = match args.into {
        Some(dir) => dir,
        None => tempfile::Builder::new()
            .prefix("handoff-demo-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?
            .keep(),
    };
    let now = crate::engine::clock::now()?;
    let dir = crate::engine::sample::build(&into, now).map_err(super::Failure::error)?;
    if args.no_open || !std::io::stdout().is_terminal() {
        println!("{}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let ws = crate::engine::locate(Some(&dir))?;
    crate::tui::run(&ws, args.workbench.options())?;
    eprintln!(
        "The demo repository stays in {}: try `handoff check {}`.",
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
