//! Points of a repository's history: resolving a revision or a date to a commit, and the
//! first-parent line between two commits (the line a branch's own history follows, which is
//! what a review compares step by step).

use git2::{Oid, Repository};
use jiff::Timestamp;

use crate::core::model::LastChange;
use crate::repo::facts::history::{head_commit, last_change_of};

/// One commit as a point of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitPoint {
    /// Id, author time, author and summary.
    pub change: LastChange,
    /// When it entered history (committer time): the handoff's "now" at that point.
    pub committed: Timestamp,
}

/// Why a point could not be found.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error("`{rev}` is not a revision of this repository: {message}")]
    UnknownRevision { rev: String, message: String },
    #[error("nothing is committed yet")]
    NoCommits,
    #[error("no commit on the first-parent line of HEAD is as old as {0}")]
    NothingBefore(Timestamp),
    #[error("reading history: {0}")]
    Git(#[from] git2::Error),
}

/// The commit `rev` names (`HEAD`, a branch, a tag, an id, `HEAD~3`...).
pub fn resolve(repo: &Repository, rev: &str) -> Result<CommitPoint, TimelineError> {
    let object = repo
        .revparse_single(rev)
        .map_err(|e| TimelineError::UnknownRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
    let commit = object
        .peel_to_commit()
        .map_err(|e| TimelineError::UnknownRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
    Ok(point_of(&commit))
}

/// HEAD's commit.
pub fn head(repo: &Repository) -> Result<CommitPoint, TimelineError> {
    let id = head_commit(repo)
        .map_err(|_| TimelineError::NoCommits)?
        .ok_or(TimelineError::NoCommits)?;
    Ok(point_of(&repo.find_commit(id)?))
}

/// The newest commit on the first-parent line from `from` committed at or before `time`.
pub fn at_or_before(
    repo: &Repository,
    from: &CommitPoint,
    time: Timestamp,
) -> Result<CommitPoint, TimelineError> {
    let mut commit = repo.find_commit(oid(&from.change.commit)?)?;
    loop {
        if committed(&commit) <= time {
            return Ok(point_of(&commit));
        }
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => return Err(TimelineError::NothingBefore(time)),
        }
    }
}

/// The first-parent line from `to` back to `from` (included when it is on the line), oldest
/// first. When `from` is not on the line, the line goes back to its first commit older than
/// `from`'s commit time, so a point off the branch still bounds the interval.
pub fn first_parent_line(
    repo: &Repository,
    from: &CommitPoint,
    to: &CommitPoint,
) -> Result<Vec<CommitPoint>, TimelineError> {
    let stop = oid(&from.change.commit)?;
    let mut line = Vec::new();
    let mut commit = repo.find_commit(oid(&to.change.commit)?)?;
    loop {
        let point = point_of(&commit);
        if commit.id() == stop {
            line.push(point);
            break;
        }
        if point.committed < from.committed {
            break;
        }
        line.push(point);
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => break,
        }
    }
    line.reverse();
    Ok(line)
}

fn oid(id: &str) -> Result<Oid, TimelineError> {
    Ok(Oid::from_str(id)?)
}

fn committed(commit: &git2::Commit) -> Timestamp {
    Timestamp::from_second(commit.committer().when().seconds()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn point_of(commit: &git2::Commit) -> CommitPoint {
    CommitPoint {
        change: last_change_of(commit),
        committed: committed(commit),
    }
}

/// Lines added and removed between what `from_path` held at commit `from` and what `to_path`
/// holds at commit `to` (repository-relative paths; a file, or a directory compared file by
/// file). A side where the path is absent (or `None`) counts as empty.
pub fn lines_changed(
    repo: &Repository,
    from: (&str, Option<&str>),
    to: (&str, Option<&str>),
) -> Result<(usize, usize), TimelineError> {
    let entry_at =
        |(commit, path): (&str, Option<&str>)| -> Result<Option<git2::Object<'_>>, TimelineError> {
            let Some(path) = path.filter(|p| !p.is_empty() && !p.contains('\0')) else {
                return Ok(None);
            };
            let tree = repo.find_commit(oid(commit)?)?.tree()?;
            let Ok(entry) = tree.get_path(std::path::Path::new(path)) else {
                return Ok(None);
            };
            Ok(entry.to_object(repo).ok())
        };
    let (old, new) = (entry_at(from)?, entry_at(to)?);
    fn as_tree<'r>(o: &Option<git2::Object<'r>>) -> Option<git2::Tree<'r>> {
        o.as_ref().and_then(|o| o.as_tree().cloned())
    }
    fn as_blob<'r>(o: &Option<git2::Object<'r>>) -> Option<git2::Blob<'r>> {
        o.as_ref().and_then(|o| o.as_blob().cloned())
    }
    if as_tree(&old).is_some() || as_tree(&new).is_some() {
        let (old, new) = (as_tree(&old), as_tree(&new));
        let diff = repo.diff_tree_to_tree(old.as_ref(), new.as_ref(), None)?;
        let stats = diff.stats()?;
        return Ok((stats.insertions(), stats.deletions()));
    }
    let (old, new) = (as_blob(&old), as_blob(&new));
    if old.is_none() && new.is_none() {
        return Ok((0, 0));
    }
    let (mut added, mut removed) = (0, 0);
    repo.diff_blobs(
        old.as_ref(),
        None,
        new.as_ref(),
        None,
        None,
        None,
        None,
        None,
        Some(&mut |_, _, line| {
            match line.origin() {
                '+' => added += 1,
                '-' => removed += 1,
                _ => {}
            }
            true
        }),
    )?;
    Ok((added, removed))
}

/// The first commit of `from`'s first-parent line.
pub fn first_commit(repo: &Repository, from: &CommitPoint) -> Result<CommitPoint, TimelineError> {
    let mut commit = repo.find_commit(oid(&from.change.commit)?)?;
    while let Ok(parent) = commit.parent(0) {
        commit = parent;
    }
    Ok(point_of(&commit))
}
