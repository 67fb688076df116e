//! `handoff commit`: commit, in one commit, the edits made with `--no-commit`.

use std::process::ExitCode;

use clap::Args;

use super::set::{CommitFlags, report_commit};
use crate::repo::write::commit_pending;

#[derive(Debug, Args)]
#[command(after_help = "\
Commits exactly the files `handoff set`, `add` and `remove` changed with --no-commit, as they \
are, in one commit; other changes in the work tree (staged or not) stay out of it. Refused when \
one of those files was changed since by something other than handoff.

Example:
  handoff set prd owner pm --no-commit
  handoff add role analytics --people kofi@acme.example --no-commit
  handoff commit -m \"Staff the handoff\"")]
pub(crate) struct CommitArgs {
    /// The commit's summary line (default: the one edit's, or how many edits)
    #[arg(short = 'm', long = "message", value_name = "MSG")]
    pub message: Option<String>,

    #[command(flatten)]
    pub commit: CommitFlags,
}

pub(crate) fn run(args: CommitArgs) -> Result<ExitCode, super::Failure> {
    let ws = super::set::locate(&args.commit)?;
    let outcome = commit_pending(&ws, args.message.as_deref(), &args.commit.options())
        .map_err(super::Failure::error)?;
    report_commit(
        outcome.commit,
        &outcome.summary,
        outcome.index_not_updated.as_deref(),
        &outcome.recovered,
    );
    for change in &outcome.changes {
        println!("  {change}");
    }
    Ok(ExitCode::SUCCESS)
}
