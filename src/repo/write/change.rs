//! One change of one file, committed: the shared path of sign-offs and index edits.
//!
//! Before anything is written: the file must have no uncommitted changes of someone else's
//! (they would be swept into handoff's commit), `index.lock` must be free, HEAD must be on a
//! branch and where the caller computed the change. Then the file is written atomically and
//! committed alone. If the commit fails, the file is put back exactly as it was (or removed,
//! with the directories created for it), so a refused change leaves nothing behind.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Oid, Repository, Status};

use super::commit::{self, CommitError, CommitRequest, Committed, Hooks, Who};
use super::journal::{Journal, JournalFile, Recovered};
use super::lock::WriteLock;
use super::own_writes::OwnWrites;
use super::patience::Patience;
use super::scratch;

/// Which HEAD a change was computed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BaseHead {
    /// Whatever HEAD is when the change is made (the command line reads and writes at once).
    #[default]
    Current,
    /// The commit the data on screen was computed from (`None`: an unborn branch). If HEAD is
    /// elsewhere now, the change is refused with [`CommitError::HeadMoved`].
    Seen(Option<Oid>),
}

impl BaseHead {
    /// [`BaseHead::Seen`] from the commit id on screen, in hex (`None`, or an id that does not
    /// parse: an unborn branch), so that a face needs no git2 type to name it.
    pub(crate) fn seen_hex(commit: Option<&str>) -> BaseHead {
        BaseHead::Seen(commit.and_then(|c| Oid::from_str(c).ok()))
    }
}

/// How a change is committed.
#[derive(Debug, Clone)]
pub struct CommitOptions {
    pub base: BaseHead,
    /// Run the repository's `pre-commit` and `commit-msg` hooks (see [`super::hooks`]).
    pub run_hooks: bool,
    /// Where the writes are marked for a watcher to ignore (the workbench's); `None` marks
    /// nothing (the command line has no watcher).
    pub own_writes: Option<OwnWrites>,
}

impl Default for CommitOptions {
    fn default() -> Self {
        CommitOptions {
            base: BaseHead::Current,
            run_hooks: true,
            own_writes: None,
        }
    }
}

/// How a file differs from HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dirt {
    /// Changed in the work tree, not staged.
    Modified,
    /// Changes are staged for the next commit.
    Staged,
    /// Not in HEAD at all.
    NotCommitted,
    /// Deleted in the work tree or the index.
    Deleted,
}

impl fmt::Display for Dirt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dirt::Modified => "modified and not committed",
            Dirt::Staged => "staged and not committed",
            Dirt::NotCommitted => "not committed yet",
            Dirt::Deleted => "deleted and not committed",
        })
    }
}

/// How to commit `path` as it is: git refuses `git commit -- <path>` for a path it has
/// never tracked ("did not match any file(s) known to git").
fn commit_first(path: &str, dirt: Dirt) -> String {
    match dirt {
        Dirt::NotCommitted => format!("`git add {path} && git commit -m \"Add {path}\"`"),
        _ => format!("`git commit -- {path}`"),
    }
}

/// Why a change could not be written or committed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{path} is {dirt}: handoff commits only what it changes, and would sweep that into its commit. Commit it first ({}) or set it aside (`git stash push -- {path}`{}), then try again",
        commit_first(path, *dirt),
        if *dirt == Dirt::Staged { format!("; to unstage it only, `git reset -q -- {path}`") } else { String::new() }
    )]
    Uncommitted { path: String, dirt: Dirt },
    #[error(transparent)]
    Commit(#[from] CommitError),
    #[error("handoff does not write {path}: {reason}")]
    Fenced {
        path: String,
        reason: crate::repo::fence::Refused,
    },
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{failure}\nPutting {path} back as it was failed too ({source}): restore it with `git checkout -- {path}`"
    )]
    NotRestored {
        failure: Box<WriteError>,
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} changed on disk while handoff was preparing this change; nothing was written. Try again"
    )]
    ChangedMeanwhile { path: String },
    #[error(
        "{path} was changed by commit {commit} while handoff was committing its own change to it; handoff left that commit's version in place. Try again"
    )]
    ChangedByCommit { path: String, commit: String },
    #[error(transparent)]
    Lock(#[from] super::lock::LockError),
    #[error("{0}")]
    Repository(String),
}

impl WriteError {
    /// The commit error behind this one, if any (HEAD moved, index locked, no identity...).
    pub(crate) fn commit_error(&self) -> Option<&CommitError> {
        match self {
            WriteError::Commit(e) => Some(e),
            WriteError::NotRestored { failure, .. } => failure.commit_error(),
            _ => None,
        }
    }
}

/// How `repo_path` differs from HEAD, if it does. A path that exists nowhere is clean.
pub fn uncommitted(repo: &Repository, repo_path: &str) -> Result<Option<Dirt>, WriteError> {
    let status = match repo.status_file(Path::new(repo_path)) {
        Ok(s) => s,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(WriteError::Commit(e.into())),
    };
    let dirt = if status.intersects(Status::INDEX_NEW | Status::WT_NEW) {
        Some(Dirt::NotCommitted)
    } else if status.intersects(Status::INDEX_DELETED | Status::WT_DELETED) {
        Some(Dirt::Deleted)
    } else if status
        .intersects(Status::INDEX_MODIFIED | Status::INDEX_RENAMED | Status::INDEX_TYPECHANGE)
    {
        Some(Dirt::Staged)
    } else if status.intersects(
        Status::WT_MODIFIED | Status::WT_RENAMED | Status::WT_TYPECHANGE | Status::CONFLICTED,
    ) {
        Some(Dirt::Modified)
    } else {
        None
    };
    Ok(dirt)
}

/// Refuses when `repo_path` has changes that are not committed.
pub(crate) fn require_clean(repo: &Repository, repo_path: &str) -> Result<(), WriteError> {
    match uncommitted(repo, repo_path)? {
        Some(dirt) => Err(WriteError::Uncommitted {
            path: repo_path.to_string(),
            dirt,
        }),
        None => Ok(()),
    }
}

/// The commit HEAD must be at for the change: the one seen, or the current one.
pub(crate) fn expected_head(repo: &Repository, base: BaseHead) -> Result<Option<Oid>, CommitError> {
    match base {
        BaseHead::Seen(head) => Ok(head),
        BaseHead::Current => commit::branch_tip(repo),
    }
}

/// A new content for one file of the work tree.
pub(crate) struct FileChange<'a> {
    /// The file on disk.
    pub path: &'a Path,
    /// The same file relative to the repository root, `/`-separated.
    pub repo_path: &'a str,
    /// What it holds now (`None`: it does not exist).
    pub old: Option<&'a [u8]>,
    pub new: &'a [u8],
}

/// How long a command-line change keeps retrying its commit while other git processes move
/// the branch or hold its locks for a moment.
pub(crate) const RETRY_FOR: Duration = Duration::from_secs(3);

/// Writes the change and commits exactly that file. On failure the file is put back.
pub(crate) fn write_and_commit(
    repo: &Repository,
    held: &WriteLock,
    change: &FileChange,
    message: &str,
    who: &Who,
    options: &CommitOptions,
) -> Result<Committed, WriteError> {
    write_and_commit_all(
        repo,
        held,
        std::slice::from_ref(change),
        message,
        who,
        options,
    )
}

/// One file of a change while it is written: what putting it back needs.
struct Written<'c, 'a> {
    change: &'c FileChange<'a>,
    base_blob: Option<Oid>,
    created_dirs: Vec<PathBuf>,
    backup: Backup,
}

/// Writes the changes and commits exactly those files, in one commit. On failure every file
/// is put back.
///
/// With [`BaseHead::Current`] (the command line reads and writes at once), a commit that
/// another process got in first, or an `index.lock` or branch lock held for a moment, is
/// retried on the branch as it is now, for up to [`RETRY_FOR`] — unless that other commit
/// changed one of these very files, which is refused rather than overwritten. With
/// [`BaseHead::Seen`] (the workbench) a moved HEAD is refused at once: the user must see the
/// new data first.
pub(crate) fn write_and_commit_all(
    repo: &Repository,
    _held: &WriteLock,
    changes: &[FileChange],
    message: &str,
    who: &Who,
    options: &CommitOptions,
) -> Result<Committed, WriteError> {
    // Temporary files beside the targets can only be left by a handoff that was killed: every
    // live writer holds the lock this caller holds.
    for change in changes {
        if let Some(dir) = change.path.parent() {
            super::atomic::remove_stale_temporaries(dir);
        }
    }
    let retrying = options.base == BaseHead::Current;
    let mut patience = Patience::new(RETRY_FOR);
    let mut wait =
        |error: &CommitError| -> bool { retrying && error.is_transient() && patience.wait() };

    // Nothing is written while the index is locked; wait a moment for it.
    let (branch, base) = loop {
        let expected = expected_head(repo, options.base)?;
        match commit::preflight(repo, expected) {
            Ok((branch, _)) => break (branch, expected),
            Err(e) if wait(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    for change in changes {
        commit::refuse_through_links(repo, change.repo_path)?;
        // The change was computed from what the file held; if someone changed it since,
        // writing would throw their change away.
        if read_current(change.path) != change.old.map(<[u8]>::to_vec) {
            return Err(WriteError::ChangedMeanwhile {
                path: change.repo_path.to_string(),
            });
        }
    }
    let own_writes = options.own_writes.as_ref();
    let planned: Vec<(Option<Oid>, Vec<PathBuf>)> = changes
        .iter()
        .map(|c| (blob_at(repo, base, c.repo_path), missing_ancestors(c.path)))
        .collect();
    let journal_files: Vec<JournalFile> = changes
        .iter()
        .zip(&planned)
        .map(|(c, (base_blob, created))| JournalFile {
            repo_path: c.repo_path,
            old: *base_blob,
            new: Oid::hash_object(git2::ObjectType::Blob, c.new).ok(),
            created_dirs: repo_relative_dirs(c.repo_path, created.len()),
        })
        .collect();
    let mut journal = Journal::begin(repo, &branch, base, &journal_files)
        .map_err(|e| WriteError::Commit(e.into()))?;
    let mut written: Vec<Written> = Vec::with_capacity(changes.len());
    for (n, (change, (base_blob, created_dirs))) in changes.iter().zip(planned).enumerate() {
        let backup = Backup::keep(repo, change.path, n);
        // Directories created for an earlier file of this change are not this file's.
        let created_dirs: Vec<PathBuf> = created_dirs.into_iter().filter(|d| !d.exists()).collect();
        if let Err(source) = super::atomic::write_atomic_via(
            change.path,
            change.new,
            &scratch::dir(repo),
            own_writes,
        ) {
            backup.discard();
            let failure = WriteError::Io {
                path: change.repo_path.to_string(),
                source,
            };
            return Err(restore_all(&written, failure, own_writes));
        }
        written.push(Written {
            change,
            base_blob,
            created_dirs,
            backup,
        });
    }
    let paths: Vec<String> = changes.iter().map(|c| c.repo_path.to_string()).collect();
    let hooks = if options.run_hooks {
        Hooks::Run
    } else {
        Hooks::Skip
    };
    let mut expected = base;
    loop {
        let request = CommitRequest {
            paths: &paths,
            message,
            author: &who.author,
            committer: &who.committer,
            expected_head: expected,
        };
        let committed =
            commit::commit_paths_with(repo, &request, hooks, Some(&mut journal), own_writes);
        let error = match committed {
            Ok(committed) => {
                written.iter().for_each(|w| w.backup.discard());
                return Ok(committed);
            }
            Err(e) => e,
        };
        if !wait(&error) {
            return Err(restore_all(&written, WriteError::Commit(error), own_writes));
        }
        // Rebuild on the branch as it is now, unless the commit that got in first touched
        // one of these files: its version must not be overwritten by one computed without it.
        let tip = match commit::branch_tip(repo) {
            Ok(tip) => tip,
            Err(e) => return Err(restore_all(&written, WriteError::Commit(e), own_writes)),
        };
        if tip != expected
            && let Some(hit) = written
                .iter()
                .find(|w| blob_at(repo, tip, w.change.repo_path) != w.base_blob)
        {
            let mut failure = WriteError::ChangedByCommit {
                path: hit.change.repo_path.to_string(),
                commit: tip.map_or_else(String::new, |t| t.to_string()),
            };
            for w in &written {
                w.backup.discard();
                failure = put_back_as_committed(repo, w.change, tip, failure, own_writes);
            }
            return Err(failure);
        }
        if let Err(e) = journal.set_parent(tip) {
            return Err(restore_all(
                &written,
                WriteError::Commit(e.into()),
                own_writes,
            ));
        }
        expected = tip;
    }
}

/// Puts every written file back, the last written first; the failure is returned either way.
fn restore_all(
    written: &[Written],
    mut failure: WriteError,
    own_writes: Option<&OwnWrites>,
) -> WriteError {
    for w in written.iter().rev() {
        failure = restore(
            w.change,
            &w.created_dirs,
            w.backup.path(),
            failure,
            own_writes,
        );
    }
    failure
}

/// The last `count` directories above `repo_path`, deepest first.
fn repo_relative_dirs(repo_path: &str, count: usize) -> Vec<String> {
    let parts: Vec<&str> = repo_path.split('/').collect();
    (1..parts.len())
        .rev()
        .take(count)
        .map(|depth| parts[..depth].join("/"))
        .collect()
}

/// Takes the repository's write lock, then finishes or undoes what a killed handoff left
/// (see [`super::journal`]): every change starts from a repository with nothing half done.
pub(crate) fn begin(
    repo: &Repository,
    own_writes: Option<&OwnWrites>,
) -> Result<(WriteLock, Vec<Recovered>), WriteError> {
    let lock = super::lock::lock_repository(repo, super::lock::WAIT_FOR_OTHER_WRITER)?;
    let recovered = super::journal::recover(repo, own_writes);
    Ok((lock, recovered))
}

/// The file as it was, kept under a second name (a hard link) while the change is written and
/// committed. Putting it back is then a rename, which needs no free space: on a full disk,
/// writing the old bytes again can fail, renaming cannot. A killed handoff leaves the link
/// behind as a temporary file, removed by the next writer.
struct Backup {
    path: Option<PathBuf>,
}

impl Backup {
    /// Kept in handoff's scratch directory; where that is on another file system, no backup
    /// is kept and putting back writes the old bytes.
    fn keep(repo: &Repository, path: &Path, nth: usize) -> Backup {
        let is_file = path.symlink_metadata().is_ok_and(|m| m.is_file());
        let backup = match nth {
            0 => scratch::path(repo, "backup"),
            n => scratch::path(repo, &format!("backup{n}")),
        };
        let _ = std::fs::remove_file(&backup);
        let kept = is_file
            && backup
                .parent()
                .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
            && std::fs::hard_link(path, &backup).is_ok();
        Backup {
            path: kept.then_some(backup),
        }
    }

    fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn discard(&self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The file's bytes on disk now (`None`: absent or unreadable).
fn read_current(path: &Path) -> Option<Vec<u8>> {
    match path.symlink_metadata() {
        Ok(meta) if meta.is_file() => std::fs::read(path).ok(),
        _ => None,
    }
}

/// The blob a commit holds at a repository path.
fn blob_at(repo: &Repository, commit: Option<Oid>, repo_path: &str) -> Option<Oid> {
    let commit = repo.find_commit(commit?).ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(repo_path)).ok()?;
    Some(entry.id())
}

/// After another commit changed the same file: the file is made what that commit holds (the
/// work tree stays clean, and nothing of the other commit is undone on disk).
fn put_back_as_committed(
    repo: &Repository,
    change: &FileChange,
    tip: Option<Oid>,
    failure: WriteError,
    own_writes: Option<&OwnWrites>,
) -> WriteError {
    let committed = blob_at(repo, tip, change.repo_path)
        .and_then(|blob| repo.find_blob(blob).ok())
        .map(|blob| blob.content().to_vec());
    let result = match committed {
        Some(bytes) => super::atomic::write_atomic_marked(change.path, &bytes, own_writes),
        None => std::fs::remove_file(change.path),
    };
    reported_with(result, change, failure)
}

/// The failure that stopped the change, or, if putting the file back failed too, both.
fn reported_with(
    put_back: std::io::Result<()>,
    change: &FileChange,
    failure: WriteError,
) -> WriteError {
    match put_back {
        Ok(()) => failure,
        Err(source) => WriteError::NotRestored {
            failure: Box::new(failure),
            path: change.repo_path.to_string(),
            source,
        },
    }
}

/// Directories above `path` that do not exist yet, deepest first.
fn missing_ancestors(path: &Path) -> Vec<PathBuf> {
    path.ancestors()
        .skip(1)
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect()
}

/// Puts the file back as it was after a failed commit; the failure is returned either way.
fn restore(
    change: &FileChange,
    created_dirs: &[PathBuf],
    backup: Option<&Path>,
    failure: WriteError,
    own_writes: Option<&OwnWrites>,
) -> WriteError {
    let write = |bytes| super::atomic::write_atomic_marked(change.path, bytes, own_writes);
    let result = match (change.old, backup) {
        (Some(bytes), Some(backup)) => {
            if let Some(own) = own_writes {
                own.mark(change.path, bytes);
            }
            std::fs::rename(backup, change.path).or_else(|_| write(bytes))
        }
        (Some(bytes), None) => write(bytes),
        (None, _) => {
            if let Some(own) = own_writes {
                own.mark_removed(change.path);
            }
            std::fs::remove_file(change.path).map(|()| {
                for dir in created_dirs {
                    // Only empty directories go: `remove_dir` refuses the others.
                    let _ = std::fs::remove_dir(dir);
                }
            })
        }
    };
    if let Some(backup) = backup {
        // Gone after a rename; left after the fallback.
        let _ = std::fs::remove_file(backup);
    }
    reported_with(result, change, failure)
}

/// Text fit for a one-line commit summary: no control characters, at most `max` characters.
pub(crate) fn summary_text(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}
