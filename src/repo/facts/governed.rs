//! The paths artifacts govern: what each `governs` entry matches in the work tree, and the
//! commits that changed a governed path, newest first, for every artifact in one walk.
//!
//! A commit changed a governed path when its diff against its parent adds, modifies or
//! deletes a matching file (a rename is both). Merge commits are passed over: what they bring
//! was counted on the branches they join. Commits whose trees are the same as their parent's
//! under every governed entry's literal directory are passed over without a diff, so a walk
//! costs a few tree lookups per commit.

use git2::{DiffOptions, Oid, Repository, Sort, Tree};

use super::history::{head_commit, last_change_of};
use super::{FactsError, WorkTree};
use crate::core::glob::GovernedPath;
use crate::core::model::load::path_target;
use crate::core::model::{ArtifactFacts, LastChange, Target};
use crate::repo::workspace::Workspace;

/// The walk's version: answers cached by another version are walked again.
pub(crate) const VERSION: u32 = 1;

/// At most this many changes are listed per artifact: far more than any threshold needs,
/// and the bound keeps a walk over a long history cheap once every artifact has its fill.
pub(crate) const MAX_GOVERNED_CHANGES: usize = 500;

/// How many files of the work tree each entry matches, as a `path` target of the same text
/// would (a file or directory counts as one).
pub(crate) fn governed_matches(work_tree: &WorkTree, entries: &[String]) -> Vec<(String, usize)> {
    governed_matches_by(&|target| work_tree.facts(target), entries)
}

/// [`governed_matches`] with the facts of each entry's target from `facts_of` (the work tree,
/// or a past commit's tree).
pub(crate) fn governed_matches_by(
    facts_of: &dyn Fn(&Target) -> ArtifactFacts,
    entries: &[String],
) -> Vec<(String, usize)> {
    entries
        .iter()
        .map(|entry| {
            let facts = facts_of(&path_target(entry));
            let count = if facts.matches.is_empty() {
                usize::from(facts.exists)
            } else {
                facts.matches.len()
            };
            (entry.clone(), count)
        })
        .collect()
}

/// The commits that changed each artifact's governed paths, newest first (by committer
/// time), at most [`MAX_GOVERNED_CHANGES`] each; the flag says the list was cut short.
pub(crate) fn governed_changes(
    repo: &Repository,
    workspace: &Workspace,
    governs: &[(String, Vec<String>)],
) -> Result<Vec<(Vec<LastChange>, bool)>, FactsError> {
    governed_changes_at(repo, workspace, governs, head_commit(repo)?)
}

/// [`governed_changes`] from `head` rather than HEAD.
pub(crate) fn governed_changes_at(
    repo: &Repository,
    workspace: &Workspace,
    governs: &[(String, Vec<String>)],
    head: Option<Oid>,
) -> Result<Vec<(Vec<LastChange>, bool)>, FactsError> {
    let matchers: Vec<Vec<GovernedPath>> = governs
        .iter()
        .map(|(_, entries)| {
            entries
                .iter()
                .filter_map(|e| GovernedPath::new(&workspace.prefix, e))
                .collect()
        })
        .collect();
    let mut found: Vec<(Vec<LastChange>, bool)> = vec![(Vec::new(), false); governs.len()];
    let Some(head) = head else {
        return Ok(found);
    };
    let mut dirs: Vec<&str> = matchers
        .iter()
        .flatten()
        .map(GovernedPath::literal_dir)
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let mut walk = repo.revwalk().map_err(FactsError::git("walking history"))?;
    walk.set_sorting(Sort::TIME)
        .map_err(FactsError::git("walking history"))?;
    walk.push(head)
        .map_err(FactsError::git("walking history"))?;
    let shallow = super::history::shallow_boundary(repo);
    for oid in walk {
        let oid = oid.map_err(FactsError::git("walking history"))?;
        if found
            .iter()
            .zip(&matchers)
            .all(|((changes, _), m)| m.is_empty() || changes.len() >= MAX_GOVERNED_CHANGES)
        {
            break;
        }
        let commit = repo
            .find_commit(oid)
            .map_err(FactsError::git(format!("reading commit {oid}")))?;
        if commit.parent_count() > 1 || shallow.contains(&oid) {
            continue;
        }
        let tree = commit
            .tree()
            .map_err(FactsError::git(format!("reading the tree of {oid}")))?;
        let parent = match commit.parent(0) {
            Ok(parent) => Some(parent.tree().map_err(FactsError::git(format!(
                "reading the tree of {}",
                parent.id()
            )))?),
            Err(_) => None,
        };
        if !dirs
            .iter()
            .any(|dir| subtree_id(&tree, dir) != parent.as_ref().and_then(|p| subtree_id(p, dir)))
        {
            continue;
        }
        let paths = changed_paths(repo, parent.as_ref(), &tree, &dirs)?;
        let mut change: Option<LastChange> = None;
        for ((changes, truncated), m) in found.iter_mut().zip(&matchers) {
            if !paths.iter().any(|p| m.iter().any(|m| m.is_match(p))) {
                continue;
            }
            if changes.len() >= MAX_GOVERNED_CHANGES {
                *truncated = true;
                continue;
            }
            changes.push(
                change
                    .get_or_insert_with(|| last_change_of(&commit))
                    .clone(),
            );
        }
    }
    Ok(found)
}

/// The id of the entry at `dir` in `tree` (`""`: the tree itself), if there is one.
fn subtree_id(tree: &Tree, dir: &str) -> Option<Oid> {
    if dir.is_empty() {
        return Some(tree.id());
    }
    tree.get_path(std::path::Path::new(dir))
        .ok()
        .map(|e| e.id())
}

/// Every path a commit's diff against its parent touches (old and new side), beneath `dirs`.
fn changed_paths(
    repo: &Repository,
    parent: Option<&Tree>,
    tree: &Tree,
    dirs: &[&str],
) -> Result<Vec<String>, FactsError> {
    let mut options = DiffOptions::new();
    if !dirs.contains(&"") {
        for dir in dirs {
            options.pathspec(*dir);
        }
    }
    options.disable_pathspec_match(true);
    let diff = repo
        .diff_tree_to_tree(parent, Some(tree), Some(&mut options))
        .map_err(FactsError::git("comparing trees"))?;
    let mut paths = Vec::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(path) = file.path_bytes() {
                let path = String::from_utf8_lossy(path).into_owned();
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
    }
    Ok(paths)
}
