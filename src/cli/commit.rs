//! `handoff commit`: commit, in one commit, the edits made with `--no-commit`; or, with
//! `--abandon`, forget them.

use std::process::ExitCode;

use clap::Args;

use super::set::{CommitFlags, report_commit};
use crate::core::text::{count, sanitize};
use crate::repo::write::{AbandonedFile, abandon_pending, commit_pending};

#[derive(Debug, Args)]
#[command(after_help = "\
Commits exactly the files `handoff set`, `add` and `remove` changed with --no-commit, as they \
are, in one commit; other changes in the work tree (staged or not) stay out of it. Refused when \
one of those files was changed since by something other than handoff.

--abandon forgets the waiting edits instead (after a crash put handoff.yaml back, or when you \
no longer want them) and says which it forgot. It leaves every file as it is; with --restore, a \
file that still holds exactly what handoff wrote is put back as committed.

Example:
  handoff set prd owner pm --no-commit
  handoff add role analytics --people kofi@acme.example --no-commit
  handoff commit -m \"Staff the handoff\"
  handoff commit --abandon --restore")]
pub(crate) struct CommitArgs {
    /// The commit's summary line (default: the one edit's, or how many edits)
    #[arg(
        short = 'm',
        long = "message",
        value_name = "MSG",
        conflicts_with = "abandon"
    )]
    pub message: Option<String>,

    /// Forget the edits waiting for `handoff commit` instead of committing them
    #[arg(long)]
    pub abandon: bool,

    /// With --abandon: put each file that still holds what handoff wrote back as committed
    #[arg(long, requires = "abandon")]
    pub restore: bool,

    #[command(flatten)]
    pub commit: CommitFlags,
}

pub(crate) fn run(args: CommitArgs) -> Result<ExitCode, super::Failure> {
    let ws = super::set::locate(&args.commit)?;
    if args.abandon {
        return abandon(&ws, &args);
    }
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

fn abandon(ws: &crate::engine::Workspace, args: &CommitArgs) -> Result<ExitCode, super::Failure> {
    let abandoned =
        abandon_pending(ws, args.restore, &args.commit.options()).map_err(super::Failure::error)?;
    for r in &abandoned.recovered {
        eprintln!("note: {r}");
    }
    if abandoned.changes.is_empty() && abandoned.files.is_empty() {
        println!("Nothing to abandon: no edit made with --no-commit is waiting.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "Forgot {} made with --no-commit; nothing was committed:\n",
        count(abandoned.changes.len(), "edit")
    );
    for change in &abandoned.changes {
        out.push_str(&format!("  {}\n", sanitize(change)));
    }
    for (path, fate) in &abandoned.files {
        let path = sanitize(path);
        out.push_str(&match fate {
            AbandonedFile::Kept => format!(
                "{path} still holds them, uncommitted: commit it with git, or drop them with `git restore {path}` (or `handoff commit --abandon --restore` next time)\n"
            ),
            AbandonedFile::Restored => format!("{path} is back as committed.\n"),
            AbandonedFile::Changed => format!(
                "{path} no longer holds them (put back after a crash, or changed since): left as it is.\n"
            ),
        });
    }
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}
