//! A revision range `BASE..HEAD` as a pull request sees it: the commits it adds, and the paths
//! its net change touches.

use git2::{DiffFindOptions, Oid, Repository};

use super::timeline::{self, CommitPoint, TimelineError};

/// What a range adds to its base.
#[derive(Debug, Clone)]
pub struct RangeCommits {
    pub base: CommitPoint,
    pub head: CommitPoint,
    /// The commits reachable from HEAD and not from BASE, newest first, each with whether it
    /// is a merge.
    pub commits: Vec<(CommitPoint, bool)>,
    /// Repository-relative paths the net change (BASE's tree to HEAD's) adds, modifies or
    /// deletes; a rename names both sides. Sorted.
    pub changed: Vec<String>,
}

/// Why a range cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    #[error("`{0}` is not a range: write BASE..HEAD (two revisions joined by `..`)")]
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

/// Reads `BASE..HEAD`: both revisions resolved, BASE an ancestor of HEAD (or HEAD itself).
pub fn read_range(repo: &Repository, range: &str) -> Result<RangeCommits, RangeError> {
    let (base_rev, head_rev) = range
        .split_once("..")
        .filter(|(b, h)| !b.is_empty() && !h.is_empty() && !h.starts_with('.'))
        .ok_or_else(|| RangeError::NotARange(range.to_string()))?;
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
    let base_tree = repo
        .find_commit(base_id)
        .and_then(|c| c.tree())
        .map_err(git)?;
    let head_tree = repo
        .find_commit(head_id)
        .and_then(|c| c.tree())
        .map_err(git)?;
    let mut diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), None)
        .map_err(git)?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .map_err(git)?;
    let mut changed: Vec<String> = diff
        .deltas()
        .flat_map(|d| [d.old_file().path_bytes(), d.new_file().path_bytes()])
        .flatten()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    changed.sort();
    changed.dedup();
    Ok(RangeCommits {
        base,
        head,
        commits,
        changed,
    })
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
