//! `handoff sign`: record a sign-off (accept, approve, acknowledge, verify, revoke) and commit it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::set::{CommitFlags, report_commit};
use crate::core::model::Action;
use crate::core::signoff::{SignRequest, accepts_owed};
use crate::repo::write::{sign, sign_all};

#[derive(Debug, Args)]
#[command(after_help = "\
You sign as the repository's git identity (`git config user.email`), which must be listed in \
the role. accept is the owner role's; approve a reviewer's or a role the kind requires; \
acknowledge (an upstream change needs nothing here) needs --note; verify is for external \
(url) artifacts; revoke withdraws the role's standing sign-off.

The record (who, role, time, the artifact's fingerprint and its upstream artifacts') is appended \
to .handoff/signoffs/<artifact>.yaml and committed alone.

Many at once, in one commit (one record per artifact, each checked as a single sign-off; if \
any is refused, nothing is signed):
  handoff sign --mine --action accept        every artifact your roles own that nobody in the
                                             owner role has accepted yet
  handoff sign --artifacts prd,flows --action accept   (--role defaults to each owner role)
  handoff sign --artifacts prd,flows --action approve --role ai-eng")]
pub(crate) struct SignArgs {
    /// The artifact's id (with --mine or --artifacts: the handoff's directory)
    #[arg(value_name = "ARTIFACT")]
    pub artifact: Option<String>,

    /// What the sign-off says
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(Action::ALL.map(|a| a.as_str()))
            .map(|s| s.parse::<Action>().expect("only the listed values")),
    )]
    pub action: Action,

    /// The role you sign for; you must be listed in it (for accept: default the owner role)
    #[arg(long)]
    pub role: Option<String>,

    /// Every artifact whose owner role you are in and that nobody in it has accepted (with
    /// --action accept), in one commit
    #[arg(long, conflicts_with = "artifacts")]
    pub mine: bool,

    /// These artifacts, comma-separated, in one commit
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub artifacts: Vec<String>,

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
    if args.mine || !args.artifacts.is_empty() {
        // No single artifact is named: the first word is the directory.
        if let Some(dir) = args.artifact.take() {
            args.dir_arg.get_or_insert(PathBuf::from(dir));
        }
        if args.commit.dir.is_none() {
            args.commit.dir = args.dir_arg.take();
        }
        return run_batch(args);
    }
    if args.commit.dir.is_none() {
        args.commit.dir = args.dir_arg.take();
    }
    let Some(artifact) = args.artifact else {
        return Err(
            "error: name the artifact (`handoff sign prd --action accept --role pm`), or sign many at once with --mine or --artifacts"
                .into(),
        );
    };
    let ws = super::set::locate(&args.commit)?;
    let now = crate::engine::clock::now()?;
    let role = match args.role {
        Some(role) => role,
        None if args.action == Action::Accept => owner_of(&ws, &artifact)?,
        None => return Err("error: give the role you sign for: --role <role>".into()),
    };
    let request = SignRequest {
        artifact,
        action: args.action,
        role,
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
        note_uncommitted(&request.artifact, outcome.record.fingerprint.as_deref());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--mine` or `--artifacts`: the requests, then one commit.
fn run_batch(args: SignArgs) -> Result<ExitCode, super::Failure> {
    let (ws, snapshot) = super::load(args.commit.dir.as_deref())?;
    let requests = if args.mine {
        if args.action != Action::Accept {
            return Err(format!(
                "error: --mine signs what your roles owe: it works with --action accept, not {}; name the artifacts with --artifacts instead",
                args.action
            )
            .into());
        }
        let me = crate::engine::git_email(&ws).ok_or_else(|| {
            super::Failure::error(
                "git has no user.email here, so handoff cannot tell which roles are yours: run `git config user.email you@example.com`",
            )
        })?;
        let owed = accepts_owed(&snapshot.index, &snapshot.report, &me);
        if owed.is_empty() {
            println!("nothing to accept: {me} owes no acceptance in this handoff");
            return Ok(ExitCode::SUCCESS);
        }
        owed
    } else {
        let mut requests = Vec::new();
        for artifact in args
            .artifacts
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
        {
            let role = match &args.role {
                Some(role) => role.clone(),
                None if args.action == Action::Accept => owner_of(&ws, artifact)?,
                None => return Err("error: give the role you sign for: --role <role>".into()),
            };
            requests.push(SignRequest {
                artifact: artifact.to_string(),
                action: args.action,
                role,
                note: args.note.clone(),
            });
        }
        requests
    };
    let now = crate::engine::clock::now()?;
    let outcome =
        sign_all(&ws, &requests, now, &args.commit.options()).map_err(super::Failure::error)?;
    report_commit(
        outcome.commit,
        &outcome.summary,
        outcome.index_not_updated.as_deref(),
        &outcome.recovered,
    );
    for signed in &outcome.signed {
        println!(
            "  {} {} as {}",
            signed.record.action.verb(),
            signed.artifact,
            signed.record.role
        );
        if signed.uncommitted {
            note_uncommitted(&signed.artifact, signed.record.fingerprint.as_deref());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The owner role of an artifact, for an accept without --role.
fn owner_of(ws: &crate::engine::Workspace, artifact: &str) -> Result<String, super::Failure> {
    let index =
        crate::engine::load_index_file(ws).map_err(|e| super::Failure::from(e.to_string()))?;
    match index.artifact(artifact) {
        Some(a) => a.owner.clone().ok_or_else(|| {
            super::Failure::error(format!(
                "`{artifact}` has no owner yet; set one first (`handoff set {artifact} owner <role>`)"
            ))
        }),
        // Unknown ids are refused by the sign-off's own check, with a suggestion.
        None => Ok(String::new()),
    }
}

fn note_uncommitted(artifact: &str, fingerprint: Option<&str>) {
    let fingerprint = fingerprint.unwrap_or("none");
    eprintln!(
        "note: `{artifact}` has uncommitted changes: you signed the working copy on disk (fingerprint {}). Commit it so others see what you signed.",
        &fingerprint[..fingerprint.len().min(8)]
    );
}
