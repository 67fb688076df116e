//! `handoff sign`: record a sign-off (accept, approve, acknowledge, verify, revoke) and commit it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::set::{CommitFlags, report_commit};
use crate::core::model::Action;
use crate::core::signoff::SignRequest;
use crate::repo::write::sign;

#[derive(Debug, Args)]
#[command(after_help = "\
You sign as the repository's git identity (`git config user.email`), which must be listed in \
the role. accept is the owner role's; approve a reviewer's or a role the kind requires; \
acknowledge (an upstream change needs nothing here) needs --note; verify is for external \
(url) artifacts; revoke withdraws the role's standing sign-off.

The record (who, role, time, the artifact's fingerprint and its upstream artifacts') is appended \
to .handoff/signoffs/<artifact>.yaml and committed alone.")]
pub(crate) struct SignArgs {
    /// The artifact's id
    pub artifact: String,

    /// What the sign-off says
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(Action::ALL.map(|a| a.as_str()))
            .map(|s| s.parse::<Action>().expect("only the listed values")),
    )]
    pub action: Action,

    /// The role you sign for; you must be listed in it
    #[arg(long)]
    pub role: String,

    /// Why; required for acknowledge
    #[arg(long)]
    pub note: Option<String>,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    #[arg(value_name = "DIR")]
    pub dir_arg: Option<PathBuf>,

    #[command(flatten)]
    pub commit: CommitFlags,
}

pub(crate) fn run(mut args: SignArgs) -> Result<ExitCode, super::Failure> {
    if args.commit.dir.is_none() {
        args.commit.dir = args.dir_arg.take();
    }
    let ws = super::set::locate(&args.commit)?;
    let now = crate::engine::clock::now()?;
    let request = SignRequest {
        artifact: args.artifact,
        action: args.action,
        role: args.role,
        note: args.note,
    };
    let outcome =
        sign(&ws, &request, now, &args.commit.options()).map_err(super::Failure::error)?;
    report_commit(
        outcome.commit,
        &outcome.summary,
        outcome.index_not_updated.as_deref(),
        &outcome.recovered,
    );
    if outcome.signed_uncommitted {
        let fingerprint = outcome.record.fingerprint.as_deref().unwrap_or("none");
        eprintln!(
            "note: `{}` has uncommitted changes: you signed the working copy on disk (fingerprint {}). Commit it so others see what you signed.",
            request.artifact,
            &fingerprint[..fingerprint.len().min(8)]
        );
    }
    Ok(ExitCode::SUCCESS)
}
