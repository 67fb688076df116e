//! Edits of `handoff.yaml`, written and committed: the file on disk now is edited surgically
//! ([`crate::core::edit`]), written atomically and committed alone, with a message that says
//! who changed what and trailers a script can grep:
//!
//! ```text
//! handoff: Dana Whitfield sets owner of prd to pm
//!
//! Handoff-Action: set
//! Handoff-Artifact: prd
//! Handoff-Field: owner
//! ```

use git2::Oid;

use super::change::{self, CommitOptions, FileChange, WriteError, summary_text};
use super::commit::Who;
use super::pending::Pending;
use crate::core::edit::{
    FieldChange, IndexEdit, IndexTextError, ListChange, edit_text, edit_text_all,
};
use crate::core::model::Index;
use crate::core::model::load::decode_utf8;
use crate::repo::facts;
use crate::repo::facts::blob_id;
use crate::repo::workspace::INDEX_FILE;
use crate::repo::workspace::Workspace;

/// An edit that was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct EditOutcome {
    pub commit: Oid,
    /// The commit's summary line.
    pub summary: String,
    /// The index as it is now.
    pub index: Index,
    /// The commit was made but the git index could not be updated: what to run.
    pub index_not_updated: Option<String>,
    /// What was finished or undone of a killed handoff's change before this one.
    pub recovered: Vec<super::journal::Recovered>,
}

/// Why an edit was not made.
#[derive(Debug, thiserror::Error)]
pub enum IndexEditError {
    #[error(transparent)]
    Text(#[from] IndexTextError),
    #[error("cannot read {INDEX_FILE}: {0}")]
    Read(String),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(
        "{path} has edits made with --no-commit that are not committed yet: commit them first (`handoff commit`), or make this edit with --no-commit too"
    )]
    PendingEdits { path: String },
    #[error(
        "{path} changed since handoff's last --no-commit edit, and not by handoff: handoff commits only what it wrote. Undo that change, or commit it yourself (`git commit -- {path}`) and then run `handoff commit`"
    )]
    ChangedSincePending { path: String },
    #[error("nothing to commit: no edit was made with --no-commit since the last commit")]
    NothingPending,
    #[error("cannot keep the list of uncommitted edits in .git/handoff: {0}")]
    PendingList(std::io::Error),
}

impl From<super::commit::CommitError> for IndexEditError {
    fn from(e: super::commit::CommitError) -> Self {
        IndexEditError::Write(WriteError::Commit(e))
    }
}

/// Applies `edit` to `handoff.yaml` as it is on disk and commits it as the repository's git
/// identity. Refused, with nothing written, when the file has uncommitted changes.
pub fn apply_edit(
    ws: &Workspace,
    edit: &IndexEdit,
    options: &CommitOptions,
) -> Result<EditOutcome, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    // From reading what the change is computed from until its commit: one writer at a time.
    let (lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let who = Who::of(&repo)?;
    let name = who.name();
    let (path, repo_path) = writable_index(ws)?;
    let bytes =
        crate::repo::fence::read_inside(&ws.repo_root, &path, crate::yaml::MAX_INPUT_BYTES as u64)
            .map_err(|e| IndexEditError::Read(e.to_string()))?;
    let text = decode_utf8(INDEX_FILE, &bytes).map_err(|e| IndexTextError::Unloadable(e.into()))?;
    let edited = edit_text(text, edit)?;
    refuse_pending(&repo, &repo_path)?;
    change::require_clean(&repo, &repo_path)?;
    let message = edit_message(&name, edit);
    let committed = change::write_and_commit(
        &repo,
        &lock,
        &FileChange {
            path: &path,
            repo_path: &repo_path,
            old: Some(&bytes),
            new: edited.text.as_bytes(),
        },
        &message,
        &who,
        options,
    )?;
    Ok(EditOutcome {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        index: edited.index,
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// Refuses a committed edit of a file that has `--no-commit` edits waiting: committing it
/// alone would commit them under this edit's message.
fn refuse_pending(repo: &git2::Repository, repo_path: &str) -> Result<(), IndexEditError> {
    match Pending::read(repo).blob_of(repo_path) {
        Some(_) => Err(IndexEditError::PendingEdits {
            path: repo_path.to_string(),
        }),
        None => Ok(()),
    }
}

/// An edit written with `--no-commit`.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingOutcome {
    /// What the edit did ("sets owner of prd to pm").
    pub change: String,
    /// The index as it is now.
    pub index: Index,
    /// How many edits are waiting for `handoff commit`, this one included.
    pub waiting: usize,
}

/// Applies `edit` to `handoff.yaml` as it is on disk and writes it without committing; the
/// file is kept in the list `handoff commit` commits. Refused, with nothing written, when the
/// file has changes that are not handoff's.
pub fn apply_edit_uncommitted(
    ws: &Workspace,
    edit: &IndexEdit,
    options: &CommitOptions,
) -> Result<PendingOutcome, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    let (_lock, _recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let name = Who::of(&repo)?.name();
    let (path, repo_path) = writable_index(ws)?;
    let bytes =
        crate::repo::fence::read_inside(&ws.repo_root, &path, crate::yaml::MAX_INPUT_BYTES as u64)
            .map_err(|e| IndexEditError::Read(e.to_string()))?;
    let text = decode_utf8(INDEX_FILE, &bytes).map_err(|e| IndexTextError::Unloadable(e.into()))?;
    // Verified by loading the edited text: an edit that breaks the index is refused here.
    let edited = edit_text(text, edit)?;
    let mut pending = Pending::read(&repo);
    match pending.blob_of(&repo_path) {
        Some(blob) if Some(blob) == blob_id(&bytes).as_deref() => {}
        Some(_) => return Err(IndexEditError::ChangedSincePending { path: repo_path }),
        None => change::require_clean(&repo, &repo_path)?,
    }
    super::atomic::write_atomic_via(
        &path,
        edited.text.as_bytes(),
        &super::scratch::dir(&repo),
        options.own_writes.as_ref(),
    )
    .map_err(|source| WriteError::Io {
        path: repo_path.clone(),
        source,
    })?;
    let change = edit_words(&name, edit);
    let blob = blob_id(edited.text.as_bytes()).unwrap_or_default();
    pending.record(&repo_path, blob, change.clone());
    pending.save(&repo).map_err(IndexEditError::PendingList)?;
    Ok(PendingOutcome {
        change,
        index: edited.index,
        waiting: pending.changes.len(),
    })
}

/// What `handoff commit` committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCommit {
    pub commit: Oid,
    /// The commit's summary line.
    pub summary: String,
    /// The files committed, repository-relative.
    pub files: Vec<String>,
    /// The edits the commit holds.
    pub changes: Vec<String>,
    /// The commit was made but the git index could not be updated: what to run.
    pub index_not_updated: Option<String>,
    /// What was finished or undone of a killed handoff's change before this one.
    pub recovered: Vec<super::journal::Recovered>,
}

/// Commits exactly the files `--no-commit` edits changed, as they are, in one commit; refused
/// when one of them changed since handoff wrote it. `message` replaces the summary line.
pub fn commit_pending(
    ws: &Workspace,
    message: Option<&str>,
    options: &CommitOptions,
) -> Result<PendingCommit, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    let (lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let who = Who::of(&repo)?;
    let pending = Pending::read(&repo);
    if pending.files.is_empty() {
        return Err(IndexEditError::NothingPending);
    }
    let mut contents: Vec<(std::path::PathBuf, &str, Vec<u8>)> = Vec::new();
    for file in &pending.files {
        let path = ws.repo_root.join(&file.path);
        let bytes = std::fs::read(&path).ok();
        match bytes {
            Some(bytes) if blob_id(&bytes).as_deref() == Some(file.blob.as_str()) => {
                contents.push((path, &file.path, bytes));
            }
            _ => {
                return Err(IndexEditError::ChangedSincePending {
                    path: file.path.clone(),
                });
            }
        }
    }
    let changes: Vec<FileChange> = contents
        .iter()
        .map(|(path, repo_path, bytes)| FileChange {
            path,
            repo_path,
            old: Some(bytes),
            new: bytes,
        })
        .collect();
    let message = pending_message(&who.name(), message, &pending.changes);
    let committed = change::write_and_commit_all(&repo, &lock, &changes, &message, &who, options);
    if let Err(WriteError::Commit(super::commit::CommitError::NothingToCommit)) = &committed {
        // The edits undid each other: nothing is waiting any more.
        Pending::default()
            .save(&repo)
            .map_err(IndexEditError::PendingList)?;
    }
    let committed = committed?;
    Pending::default()
        .save(&repo)
        .map_err(IndexEditError::PendingList)?;
    Ok(PendingCommit {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        files: pending.files.iter().map(|f| f.path.clone()).collect(),
        changes: pending.changes,
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// What became of a file a forgotten `--no-commit` edit changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbandonedFile {
    /// It still holds what handoff wrote, and is left so (an ordinary uncommitted change).
    Kept,
    /// It held what handoff wrote and was put back as committed at HEAD (`--restore`).
    Restored,
    /// It no longer holds what handoff wrote (put back by a crash recovery, or edited since),
    /// so it was not touched.
    Changed,
}

/// What `handoff commit --abandon` forgot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abandoned {
    /// The edits forgotten, in the order made.
    pub changes: Vec<String>,
    /// Each file they changed (repository-relative) and what became of it.
    pub files: Vec<(String, AbandonedFile)>,
    /// What was finished or undone of a killed handoff's change first.
    pub recovered: Vec<super::journal::Recovered>,
}

/// Forgets the `--no-commit` edits waiting for `handoff commit`. Work-tree files are left as
/// they are, except with `restore`: a file that still holds exactly what handoff wrote is put
/// back as committed at HEAD. A file changed since by anything else is never touched.
pub fn abandon_pending(
    ws: &Workspace,
    restore: bool,
    options: &CommitOptions,
) -> Result<Abandoned, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    let (_lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let pending = Pending::read(&repo);
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let mut files = Vec::new();
    for file in &pending.files {
        let path = ws.repo_root.join(&file.path);
        let holds_ours = std::fs::read(&path)
            .ok()
            .is_some_and(|bytes| blob_id(&bytes).as_deref() == Some(file.blob.as_str()));
        let fate = match (holds_ours, restore) {
            (false, _) => AbandonedFile::Changed,
            (true, false) => AbandonedFile::Kept,
            (true, true) => {
                let committed = head
                    .as_ref()
                    .and_then(|c| c.tree().ok())
                    .and_then(|t| t.get_path(std::path::Path::new(&file.path)).ok())
                    .and_then(|entry| repo.find_blob(entry.id()).ok())
                    .map(|blob| blob.content().to_vec());
                let own = options.own_writes.as_ref();
                match committed {
                    Some(bytes) => super::atomic::write_atomic_marked(&path, &bytes, own),
                    None => {
                        if let Some(own) = own {
                            own.mark_removed(&path);
                        }
                        std::fs::remove_file(&path)
                    }
                }
                .map_err(|source| WriteError::Io {
                    path: file.path.clone(),
                    source,
                })?;
                AbandonedFile::Restored
            }
        };
        files.push((file.path.clone(), fate));
    }
    Pending::default()
        .save(&repo)
        .map_err(IndexEditError::PendingList)?;
    Ok(Abandoned {
        changes: pending.changes,
        files,
        recovered,
    })
}

/// The message of a batch of edits: the summary (given, or the one edit's, or a count), one
/// line per edit, a trailer.
fn pending_message(person: &str, summary: Option<&str>, changes: &[String]) -> String {
    let person = summary_text(person, SUMMARY_VALUE_CHARS);
    let summary = match (summary.map(str::trim).filter(|s| !s.is_empty()), changes) {
        (Some(given), _) => summary_text(given, 200),
        (None, [one]) => format!("handoff: {person} {one}"),
        (None, many) => format!(
            "handoff: {person} makes {} to the index",
            crate::core::text::count(many.len(), "edit")
        ),
    };
    let mut message = format!("{summary}\n\n");
    for change in changes {
        message.push_str(&format!("- {change}\n"));
    }
    message.push_str(&format!(
        "\nHandoff-Action: batch\nHandoff-Edits: {}\n",
        changes.len()
    ));
    message
}

/// Several edits of `handoff.yaml`, computed but not written: what a command shows before
/// asking, and then commits with [`commit_planned`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEdits {
    /// The file as read (`None`: there is no `handoff.yaml` yet).
    pub old: Option<String>,
    pub new: String,
    /// The index `new` loads to.
    pub index: Index,
}

/// The text `edits` make of `handoff.yaml` as it is on disk; where there is none yet, of
/// `start` (the text a new index begins with).
pub fn plan_edits(
    ws: &Workspace,
    edits: &[IndexEdit],
    start: &str,
) -> Result<PlannedEdits, IndexEditError> {
    let path = ws.dir.join(INDEX_FILE);
    let old = if path.exists() {
        let bytes = crate::repo::fence::read_inside(
            &ws.repo_root,
            &path,
            crate::yaml::MAX_INPUT_BYTES as u64,
        )
        .map_err(|e| IndexEditError::Read(e.to_string()))?;
        let text =
            decode_utf8(INDEX_FILE, &bytes).map_err(|e| IndexTextError::Unloadable(e.into()))?;
        Some(text.to_string())
    } else {
        None
    };
    let (new, index) = edit_text_all(old.as_deref().unwrap_or(start), edits)?;
    Ok(PlannedEdits { old, new, index })
}

/// Writes what [`plan_edits`] computed and commits it once, with `message`. Refused, with
/// nothing written, when `handoff.yaml` changed since it was planned or has uncommitted
/// changes.
pub fn commit_planned(
    ws: &Workspace,
    planned: &PlannedEdits,
    message: &str,
    options: &CommitOptions,
) -> Result<EditOutcome, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    let (lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let who = Who::of(&repo)?;
    let (path, repo_path) = writable_index(ws)?;
    refuse_pending(&repo, &repo_path)?;
    change::require_clean(&repo, &repo_path)?;
    let committed = change::write_and_commit(
        &repo,
        &lock,
        &FileChange {
            path: &path,
            repo_path: &repo_path,
            old: planned.old.as_deref().map(str::as_bytes),
            new: planned.new.as_bytes(),
        },
        message,
        &who,
        options,
    )?;
    Ok(EditOutcome {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        index: planned.index.clone(),
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// `handoff.yaml`'s path and repository path, once the fence allows writing it.
fn writable_index(ws: &Workspace) -> Result<(std::path::PathBuf, String), WriteError> {
    let path = ws.dir.join(INDEX_FILE);
    let repo_path = ws.repo_path(INDEX_FILE);
    crate::repo::fence::check_writable(&ws.repo_root, &path).map_err(|reason| {
        WriteError::Fenced {
            path: repo_path.clone(),
            reason,
        }
    })?;
    Ok((path, repo_path))
}

/// The display name of the person committing in this workspace, for commit messages.
pub fn committer_name(ws: &Workspace) -> Result<String, IndexEditError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    Ok(Who::of(&repo)?.name())
}

/// Values quoted in a summary line are cut to this many characters.
const SUMMARY_VALUE_CHARS: usize = 60;

fn shown(value: &str) -> String {
    summary_text(value, SUMMARY_VALUE_CHARS)
}

fn shown_list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".to_string()
    } else {
        shown(&items.join(", "))
    }
}

/// What an edit does, without the person: "sets owner of prd to pm".
pub(crate) fn edit_words(person: &str, edit: &IndexEdit) -> String {
    let message = edit_message(person, edit);
    let summary = message.lines().next().unwrap_or_default();
    let prefix = format!("handoff: {} ", summary_text(person, SUMMARY_VALUE_CHARS));
    summary.strip_prefix(&prefix).unwrap_or(summary).to_string()
}

/// The commit message of an edit: a summary a person reads in `git log`, then trailers.
pub(crate) fn edit_message(person: &str, edit: &IndexEdit) -> String {
    let person = summary_text(person, SUMMARY_VALUE_CHARS);
    let (summary, trailers): (String, Vec<(&str, String)>) = match edit {
        IndexEdit::Artifact {
            artifact,
            field,
            change,
        } => (
            format!(
                "{person} {}",
                field_change_words(field.key(), artifact, change)
            ),
            vec![
                ("Action", "set".into()),
                ("Artifact", artifact.clone()),
                ("Field", field.key().into()),
            ],
        ),
        IndexEdit::AddArtifact(new) => (
            format!("{person} adds artifact {}", new.id),
            vec![("Action", "add".into()), ("Artifact", new.id.clone())],
        ),
        IndexEdit::RemoveArtifact { artifact } => (
            format!("{person} removes artifact {artifact}"),
            vec![("Action", "remove".into()), ("Artifact", artifact.clone())],
        ),
        IndexEdit::AddRole(new) => (
            format!("{person} adds role {}", new.id),
            vec![("Action", "add".into()), ("Role", new.id.clone())],
        ),
        IndexEdit::AddKind(new) => (
            format!("{person} adds kind {}", new.id),
            vec![("Action", "add".into()), ("Kind", new.id.clone())],
        ),
        IndexEdit::Kind {
            kind,
            field,
            change,
        } => (
            format!(
                "{person} {}",
                field_change_words(field.key(), &format!("kind {kind}"), change)
            ),
            vec![
                ("Action", "set".into()),
                ("Kind", kind.clone()),
                ("Field", field.key().into()),
            ],
        ),
        IndexEdit::Handoff { field, value } => (
            match value {
                Some(v) => format!(
                    "{person} sets {} of the handoff to {}",
                    field.key(),
                    shown(v)
                ),
                None => format!("{person} unsets {} of the handoff", field.key()),
            },
            vec![("Action", "set".into()), ("Field", field.key().into())],
        ),
        IndexEdit::RemoveRole { role } => (
            format!("{person} removes role {role}"),
            vec![("Action", "remove".into()), ("Role", role.clone())],
        ),
        IndexEdit::RoleTitle { role, title } => (
            match title {
                Some(t) => format!("{person} sets title of role {role} to {}", shown(t)),
                None => format!("{person} unsets title of role {role}"),
            },
            vec![
                ("Action", "set".into()),
                ("Role", role.clone()),
                ("Field", "title".into()),
            ],
        ),
        IndexEdit::Handle { handle, change } => (
            match change {
                ListChange::Replace(people) => {
                    format!(
                        "{person} maps handle {} to {}",
                        shown(handle),
                        shown_list(people)
                    )
                }
                ListChange::Add(p) => {
                    format!("{person} adds {} to handle {}", shown(p), shown(handle))
                }
                ListChange::Remove(p) => {
                    format!(
                        "{person} removes {} from handle {}",
                        shown(p),
                        shown(handle)
                    )
                }
            },
            vec![("Action", "set".into()), ("Handle", handle.clone())],
        ),
        IndexEdit::People { role, change } => (
            match change {
                ListChange::Replace(people) => {
                    format!(
                        "{person} sets people of role {role} to {}",
                        shown_list(people)
                    )
                }
                ListChange::Add(p) => format!("{person} adds {} to role {role}", shown(p)),
                ListChange::Remove(p) => format!("{person} removes {} from role {role}", shown(p)),
            },
            vec![
                ("Action", "set".into()),
                ("Role", role.clone()),
                ("Field", "people".into()),
            ],
        ),
    };
    let mut message = format!("handoff: {summary}\n\n");
    for (key, value) in trailers {
        message.push_str(&format!("Handoff-{key}: {}\n", summary_text(&value, 200)));
    }
    message
}

/// "sets owner of prd to pm", "adds ops to reviewers of prd", "unsets kind of prd".
fn field_change_words(field: &str, artifact: &str, change: &FieldChange) -> String {
    match change {
        FieldChange::Set(value) => format!("sets {field} of {artifact} to {}", shown(value)),
        FieldChange::Unset => format!("unsets {field} of {artifact}"),
        FieldChange::List(ListChange::Replace(items)) => {
            format!("sets {field} of {artifact} to {}", shown_list(items))
        }
        FieldChange::List(ListChange::Add(item)) => {
            format!("adds {} to {field} of {artifact}", shown(item))
        }
        FieldChange::List(ListChange::Remove(item)) => {
            format!("removes {} from {field} of {artifact}", shown(item))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::edit::ArtifactField;

    #[test]
    fn messages_have_a_summary_and_trailers() {
        let edit = IndexEdit::Artifact {
            artifact: "prd".into(),
            field: ArtifactField::Title,
            change: FieldChange::Set("A very\nlong title".into()),
        };
        assert_eq!(
            edit_message("Dana", &edit),
            "handoff: Dana sets title of prd to A very long title\n\nHandoff-Action: set\nHandoff-Artifact: prd\nHandoff-Field: title\n"
        );
    }
}
