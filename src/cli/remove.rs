//! `handoff remove`: remove an artifact or a role from handoff.yaml and commit it.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::set::{EditFlags, commit_edit};
use crate::core::edit::IndexEdit;

#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    #[command(subcommand)]
    pub what: RemoveWhat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RemoveWhat {
    /// Remove an artifact (refused while another artifact depends on it); its sign-off
    /// ledger stays in the history
    Artifact(RemoveArgsOf),
    /// Remove a role (refused while an artifact or kind still names it)
    Role(RemoveArgsOf),
}

#[derive(Debug, Args)]
pub(crate) struct RemoveArgsOf {
    /// The id to remove
    pub id: String,

    #[command(flatten)]
    pub commit: EditFlags,
}

pub(crate) fn run(args: RemoveArgs) -> Result<ExitCode, super::Failure> {
    match args.what {
        RemoveWhat::Artifact(a) => {
            commit_edit(&a.commit, &IndexEdit::RemoveArtifact { artifact: a.id })
        }
        RemoveWhat::Role(r) => commit_edit(&r.commit, &IndexEdit::RemoveRole { role: r.id }),
    }
}
