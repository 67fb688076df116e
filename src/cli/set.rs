//! `handoff set`: change a field of an artifact, a role, a kind, a handle or the handoff
//! itself in handoff.yaml and commit it.
//!
//! Also home of what `add`, `remove` and `sign` share: the flags of a committing command and
//! the one line that reports the commit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::core::edit::{
    ArtifactField, FieldChange, HandoffField, IndexEdit, KindField, ListChange, split_list,
};
use crate::engine::{self, Workspace};
use crate::repo::write::{CommitOptions, apply_edit};

/// Flags every committing command takes.
#[derive(Debug, Args)]
pub(crate) struct CommitFlags {
    /// Skip the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`)
    #[arg(long)]
    pub no_verify: bool,

    /// The handoff's directory, or any directory inside it (default: the current directory)
    #[arg(short = 'C', long = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Flags of a command that edits the index: those of a committing command, and --no-commit.
#[derive(Debug, Args)]
pub(crate) struct EditFlags {
    /// Write the edit (checked as always) but do not commit it: edits accumulate until
    /// `handoff commit` commits them, and only them, at once
    #[arg(long)]
    pub no_commit: bool,

    #[command(flatten)]
    pub commit: CommitFlags,
}

impl CommitFlags {
    pub(crate) fn options(&self) -> CommitOptions {
        CommitOptions {
            run_hooks: !self.no_verify,
            ..CommitOptions::default()
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = "\
Artifact fields: title, description, kind, path, url, owner, verify_every, status, superseded_by (one value each) and \
reviewers, consumers, depends_on, governs, required_sections (lists; `[]` is none). For a list, `a,b` replaces it, `+x` adds x and `-x` \
removes x. Role fields (with --role): title, and people (a list of git e-mail addresses, `@handle`s and \
`@org/team`s). Handles (with --handle): people, the e-mail addresses behind the handle. Kind \
fields (with --kind): title, max_age, review_every, verify_every, signoff_within (durations such as 180d) and \
required_sections, signoff (lists). The handoff's own fields (with --handoff): name, description.

Examples:
  handoff set prd owner pm
  handoff set prd reviewers +ops
  handoff set prd depends_on framing,flows
  handoff set prd kind --unset
  handoff set --role ops people +rosa@acme.example
  handoff set --role ops title \"Support Operations\"
  handoff set --handle @acme/sre people +rosa@acme.example
  handoff set --kind runbook required_sections +Escalation
  handoff set --kind adr max_age 1y
  handoff set --handoff description \"Drafts replies for support agents.\"

Each change is committed on its own, with only handoff.yaml in the commit; with --no-commit, \
changes accumulate until `handoff commit` commits them in one commit.")]
pub(crate) struct SetArgs {
    /// Change a role instead of an artifact: then give FIELD and VALUE only
    #[arg(long, value_name = "ROLE", conflicts_with = "kind")]
    pub role: Option<String>,

    /// Change a kind instead of an artifact: then give FIELD and VALUE only
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Change the e-mail addresses behind a handle (`@dana`, `@org/team`) under `handles:`:
    /// then give `people` and VALUE
    #[arg(long, value_name = "HANDLE", conflicts_with_all = ["role", "kind"])]
    pub handle: Option<String>,

    /// Change a field of the handoff itself (`name`, `description`, at the top of
    /// handoff.yaml): then give FIELD and VALUE only
    #[arg(long, conflicts_with_all = ["role", "kind", "handle"])]
    pub handoff: bool,

    /// Remove the field instead of setting it
    #[arg(long)]
    pub unset: bool,

    /// The artifact (with --role: the field)
    #[arg(value_name = "ARTIFACT")]
    pub first: String,

    /// The field (with --role: the value)
    #[arg(value_name = "FIELD", allow_hyphen_values = true)]
    pub second: Option<String>,

    /// The value: for a list `a,b` replaces it, `+x` adds x, `-x` removes x
    #[arg(value_name = "VALUE", allow_hyphen_values = true)]
    pub third: Option<String>,

    #[command(flatten)]
    pub commit: EditFlags,
}

pub(crate) fn run(args: SetArgs) -> Result<ExitCode, super::Failure> {
    let edit = edit_from(&args)?;
    commit_edit(&args.commit, &edit)
}

fn edit_from(args: &SetArgs) -> Result<IndexEdit, super::Failure> {
    let words: Vec<&str> = [Some(&args.first), args.second.as_ref(), args.third.as_ref()]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if let Some(role) = &args.role {
        return role_edit(role, &words, args.unset);
    }
    if let Some(kind) = &args.kind {
        return kind_edit(kind, &words, args.unset);
    }
    if let Some(handle) = &args.handle {
        return handle_edit(handle, &words, args.unset);
    }
    if args.handoff {
        return handoff_edit(&words, args.unset);
    }
    let (artifact, field, value) = match (words.as_slice(), args.unset) {
        ([artifact, field], true) => (*artifact, *field, None),
        ([artifact, field, value], false) => (*artifact, *field, Some(*value)),
        (_, true) => {
            return Err(
                "error: with --unset, give the artifact and the field only: `handoff set prd kind --unset`"
                    .into(),
            );
        }
        _ => {
            return Err(
                "error: give the artifact, the field and the value: `handoff set prd owner pm` (or --unset to remove a field)"
                    .into(),
            );
        }
    };
    let field: ArtifactField = field.parse().map_err(super::Failure::error)?;
    let change = match value {
        None => FieldChange::Unset,
        Some(v) if field.is_list() => FieldChange::List(list_change(v)),
        Some(v) => FieldChange::Set(v.to_string()),
    };
    Ok(IndexEdit::Artifact {
        artifact: artifact.to_string(),
        field,
        change,
    })
}

fn role_edit(role: &str, words: &[&str], unset: bool) -> Result<IndexEdit, super::Failure> {
    let role = role.to_string();
    match (words, unset) {
        (["title"], true) => Ok(IndexEdit::RoleTitle { role, title: None }),
        (["title", value], false) => Ok(IndexEdit::RoleTitle {
            role,
            title: Some(value.to_string()),
        }),
        (["people"], true) => Ok(IndexEdit::People {
            role,
            change: ListChange::Replace(Vec::new()),
        }),
        (["people", value], false) => Ok(IndexEdit::People {
            role,
            change: list_change(value),
        }),
        ([field, ..], _) if !matches!(*field, "title" | "people") => Err(format!(
            "error: a role has the fields `title` and `people`, not `{field}`"
        )
        .into()),
        _ => Err(format!(
            "error: give the field and the value: `handoff set --role {role} title \"Support Operations\"` or `handoff set --role {role} people +you@example.com`"
        )
        .into()),
    }
}

fn handle_edit(handle: &str, words: &[&str], unset: bool) -> Result<IndexEdit, super::Failure> {
    let change = match (words, unset) {
        (["people"], true) => ListChange::Replace(Vec::new()),
        (["people", value], false) => list_change(value),
        _ => {
            return Err(format!(
                "error: a handle has one field, `people`: `handoff set --handle {handle} people +you@example.com`"
            )
            .into());
        }
    };
    Ok(IndexEdit::Handle {
        handle: handle.to_string(),
        change,
    })
}

fn handoff_edit(words: &[&str], unset: bool) -> Result<IndexEdit, super::Failure> {
    let (field, value) = match (words, unset) {
        ([field], true) => (*field, None),
        ([field, value], false) => (*field, Some(value.to_string())),
        _ => {
            return Err(
                "error: give the field and the value: `handoff set --handoff description \"What this handoff is for.\"` (or the field and --unset)"
                    .into(),
            );
        }
    };
    let field: HandoffField = field.parse().map_err(super::Failure::error)?;
    Ok(IndexEdit::Handoff { field, value })
}

fn kind_edit(kind: &str, words: &[&str], unset: bool) -> Result<IndexEdit, super::Failure> {
    let (field, value) = match (words, unset) {
        ([field], true) => (*field, None),
        ([field, value], false) => (*field, Some(*value)),
        _ => {
            return Err(format!(
                "error: give the field and the value: `handoff set --kind {kind} max_age 180d` or `handoff set --kind {kind} required_sections +Rollback`"
            )
            .into());
        }
    };
    let field: KindField = field.parse().map_err(super::Failure::error)?;
    let change = match value {
        None => FieldChange::Unset,
        Some(v) if field.is_list() => FieldChange::List(list_change(v)),
        Some(v) => FieldChange::Set(v.to_string()),
    };
    Ok(IndexEdit::Kind {
        kind: kind.to_string(),
        field,
        change,
    })
}

/// `a,b` replaces the list, `+x` adds x, `-x` removes x.
pub(crate) fn list_change(value: &str) -> ListChange {
    if let Some(item) = value.strip_prefix('+') {
        ListChange::Add(item.trim().to_string())
    } else if let Some(item) = value.strip_prefix('-') {
        ListChange::Remove(item.trim().to_string())
    } else {
        ListChange::Replace(split_list(value))
    }
}

/// Locates the workspace, or says why not.
pub fn locate(flags: &CommitFlags) -> Result<Workspace, super::Failure> {
    Ok(engine::locate(flags.dir.as_deref())?)
}

/// The one line saying what was committed, any warning about the git index, and what was
/// finished or undone of a killed handoff's change first.
pub(crate) fn report_commit(
    commit: impl std::fmt::Display,
    summary: &str,
    index_not_updated: Option<&str>,
    recovered: &[crate::repo::write::journal::Recovered],
) {
    for r in recovered {
        eprintln!("note: {r}");
    }
    let id = commit.to_string();
    println!("committed {} {summary}", &id[..id.len().min(8)]);
    if let Some(warning) = index_not_updated {
        eprintln!("warning: {warning}");
    }
}

/// How an edit's error reads: a located load error as it is, anything else as `error: ...`.
fn edit_failure(e: crate::repo::write::IndexEditError) -> super::Failure {
    let message = e.to_string();
    if message.starts_with(crate::engine::INDEX_FILE) && message.contains(": error:") {
        message.into()
    } else {
        super::Failure::error(message)
    }
}

/// Applies an index edit and reports the commit (with --no-commit: what waits for
/// `handoff commit`).
pub(crate) fn commit_edit(flags: &EditFlags, edit: &IndexEdit) -> Result<ExitCode, super::Failure> {
    let ws = locate(&flags.commit)?;
    if flags.no_commit {
        let outcome =
            crate::repo::write::apply_edit_uncommitted(&ws, edit, &flags.commit.options())
                .map_err(edit_failure)?;
        println!(
            "written, not committed: {} ({} edit{} waiting; `handoff commit` commits them)",
            outcome.change,
            outcome.waiting,
            if outcome.waiting == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = apply_edit(&ws, edit, &flags.commit.options()).map_err(edit_failure)?;
    report_commit(
        outcome.commit,
        &outcome.summary,
        outcome.index_not_updated.as_deref(),
        &outcome.recovered,
    );
    Ok(ExitCode::SUCCESS)
}
