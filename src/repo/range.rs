//! A revision range `BASE..HEAD` as a pull request sees it: the commits it adds, and the paths
//! its net change touches.

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Patch, Repository};

use super::timeline::{self, CommitPoint, TimelineError};

/// What a range adds to its base.
#[derive(Debug, Clone)]
pub struct RangeCommits {
    pub base: CommitPoint,
    pub head: CommitPoint,
    /// The commits reachable from HEAD and not from BASE, newest first, each with whether it
    /// is a merge.
    pub commits: Vec<(CommitPoint, bool)>,
    /// What the net change (BASE's tree to HEAD's) does to each path, sorted by path.
    pub changes: Vec<PathChange>,
}

/// How the net change of a range touches a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl ChangeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Added => "added",
            ChangeStatus::Modified => "modified",
            ChangeStatus::Deleted => "deleted",
            ChangeStatus::Renamed => "renamed",
        }
    }
}

/// One path the net change touches (repository-relative, `/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    pub status: ChangeStatus,
    /// The path at HEAD; for a deleted file, the path it had at BASE.
    pub path: String,
    /// A renamed file's path at BASE.
    pub from: Option<String>,
    /// The first line of HEAD's file the change touches (`None` for a deleted or binary file,
    /// or a pure rename), where an annotation of the change belongs.
    pub line: Option<usize>,
}

impl PathChange {
    /// The paths it names: the path, and a renamed file's old path.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.from.as_deref())
    }
}

/// Why a range cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    #[error(
        "`{0}` is not a range: write BASE..HEAD (two revisions joined by `..`, such as `main..HEAD`)"
    )]
    NotARange(String),
    #[error(transparent)]
    Timeline(#[from] TimelineError),
    #[error(
        "`{range}` is not an ancestry: {base} is not an ancestor of {head}; compare from their merge base (`git merge-base {base_rev} {head_rev}`)"
    )]
    NotAncestry {
        range: String,
        base: String,
        head: String,
        base_rev: String,
        head_rev: String,
    },
}

/// The two revisions of `BASE..HEAD`; an empty side means `HEAD`, as git reads it.
fn split(range: &str) -> Result<(&str, &str), RangeError> {
    let not_a_range = || RangeError::NotARange(range.to_string());
    let (base, head) = range.split_once("..").ok_or_else(not_a_range)?;
    // `A...B` (a symmetric difference) and `..` alone are not what a pull request compares.
    if head.starts_with('.') || (base.is_empty() && head.is_empty()) {
        return Err(not_a_range());
    }
    Ok((
        if base.is_empty() { "HEAD" } else { base },
        if head.is_empty() { "HEAD" } else { head },
    ))
}

/// Reads `BASE..HEAD`: both revisions resolved, BASE an ancestor of HEAD (or HEAD itself).
pub fn read_range(repo: &Repository, range: &str) -> Result<RangeCommits, RangeError> {
    let (base_rev, head_rev) = split(range)?;
    let base = timeline::resolve(repo, base_rev)?;
    let head = timeline::resolve(repo, head_rev)?;
    let base_id = oid(&base.change.commit)?;
    let head_id = oid(&head.change.commit)?;
    let ancestry = base_id == head_id || repo.graph_descendant_of(head_id, base_id).map_err(git)?;
    if !ancestry {
        return Err(RangeError::NotAncestry {
            range: range.to_string(),
            base: short(&base.change.commit),
            head: short(&head.change.commit),
            base_rev: base_rev.to_string(),
            head_rev: head_rev.to_string(),
        });
    }
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(head_id).map_err(git)?;
    walk.hide(base_id).map_err(git)?;
    let mut commits = Vec::new();
    for id in walk {
        let commit = repo.find_commit(id.map_err(git)?).map_err(git)?;
        let point = timeline::resolve(repo, &commit.id().to_string())?;
        commits.push((point, commit.parent_count() > 1));
    }
    let changes = net_changes(repo, base_id, head_id)?;
    Ok(RangeCommits {
        base,
        head,
        commits,
        changes,
    })
}

/// What BASE's tree to HEAD's does to each path, renames found as `git diff -M` finds them.
fn net_changes(repo: &Repository, base: Oid, head: Oid) -> Result<Vec<PathChange>, RangeError> {
    let tree = |id: Oid| repo.find_commit(id).and_then(|c| c.tree()).map_err(git);
    let (base_tree, head_tree) = (tree(base)?, tree(head)?);
    // No context lines: a hunk then starts at the first changed line.
    let mut options = DiffOptions::new();
    options.context_lines(0);
    let mut diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut options))
        .map_err(git)?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .map_err(git)?;
    let text = |p: Option<&[u8]>| p.map(|p| String::from_utf8_lossy(p).into_owned());
    let mut changes = Vec::new();
    for (i, delta) in diff.deltas().enumerate() {
        let old = text(delta.old_file().path_bytes());
        let new = text(delta.new_file().path_bytes());
        let (status, path, from) = match delta.status() {
            Delta::Added | Delta::Copied => (ChangeStatus::Added, new, None),
            Delta::Deleted => (ChangeStatus::Deleted, old, None),
            Delta::Renamed => (ChangeStatus::Renamed, new, old),
            _ => (ChangeStatus::Modified, new, None),
        };
        let Some(path) = path else { continue };
        let line = match status {
            ChangeStatus::Deleted => None,
            _ => first_changed_line(&diff, i)?,
        };
        changes.push(PathChange {
            status,
            path,
            from,
            line,
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(changes)
}

/// The first line of the new file that delta `i` of `diff` adds or changes; a hunk that only
/// removes lines points at the line before the removal (git's `+N,0`), or the first line.
fn first_changed_line(diff: &git2::Diff, i: usize) -> Result<Option<usize>, RangeError> {
    let Some(patch) = Patch::from_diff(diff, i).map_err(git)? else {
        return Ok(None);
    };
    if patch.num_hunks() == 0 {
        return Ok(None);
    }
    let (hunk, _) = patch.hunk(0).map_err(git)?;
    Ok(Some((hunk.new_start() as usize).max(1)))
}

fn oid(id: &str) -> Result<Oid, RangeError> {
    Oid::from_str(id).map_err(git)
}

fn git(e: git2::Error) -> RangeError {
    RangeError::Timeline(TimelineError::Git(e))
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_two_revisions_and_an_empty_side_is_head() {
        assert_eq!(split("main..HEAD").unwrap(), ("main", "HEAD"));
        assert_eq!(split("abc..").unwrap(), ("abc", "HEAD"));
        assert_eq!(split("..abc").unwrap(), ("HEAD", "abc"));
        for bad in ["main", "..", "a...b", ""] {
            assert!(matches!(split(bad), Err(RangeError::NotARange(_))), "{bad}");
        }
    }
}
