//! git's side: what HEAD's tree and the git index record for a path, a directory or a glob.

use super::*;
use std::collections::BTreeMap;

use git2::{IndexEntry, ObjectType};

use crate::repo::facts::treehash::TreeHasher;

/// Stage-0 index entries beneath one directory, by repository-relative path.
#[derive(Default)]
pub(super) struct Tracked {
    pub(super) entries: BTreeMap<Vec<u8>, IndexEntry>,
    pub(super) conflicted: bool,
}

impl Tracked {
    pub(super) fn get(&self, repo_path: &[u8]) -> Option<&IndexEntry> {
        self.entries.get(repo_path)
    }

    /// Whether any tracked path lies beneath the directory `repo_dir`.
    pub(super) fn has_beneath(&self, repo_dir: &[u8]) -> bool {
        let mut prefix = repo_dir.to_vec();
        prefix.push(b'/');
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(path, _)| path.starts_with(&prefix))
    }
}

impl WorkTree<'_> {
    pub(super) fn head_identity(&self, repo_path: &str) -> Option<Identity> {
        let tree = self.head_tree.as_ref()?;
        if repo_path.is_empty() {
            return Some((MODE_TREE, tree.id()));
        }
        let entry = tree.get_path(Path::new(repo_path)).ok()?;
        Some((entry.filemode() as u32, entry.id()))
    }

    pub(super) fn index_entry(&self, repo_path: &str) -> Option<IndexEntry> {
        // git2 panics on an empty path; the root is never an index entry anyway.
        if repo_path.is_empty() {
            return None;
        }
        self.index.as_ref()?.get_path(Path::new(repo_path), 0)
    }

    /// The index's entry for a path: a file's entry, or for a directory the tree the index
    /// would write for it.
    pub(super) fn index_identity(&self, repo_path: &str) -> IndexState {
        let Some(index) = &self.index else {
            return IndexState::Unknown;
        };
        if !repo_path.is_empty() {
            if let Some(entry) = index.get_path(Path::new(repo_path), 0) {
                return IndexState::Present((entry.mode, entry.id));
            }
            if (1..=3).any(|stage| index.get_path(Path::new(repo_path), stage).is_some()) {
                return IndexState::Conflicted;
            }
        }
        let tracked = self.tracked_beneath(repo_path);
        if tracked.conflicted {
            return IndexState::Conflicted;
        }
        // A directory without entries is not in the index; the root always is, empty or not.
        if tracked.entries.is_empty() && !repo_path.is_empty() {
            return IndexState::Absent;
        }
        let prefix_len = if repo_path.is_empty() {
            0
        } else {
            repo_path.len() + 1
        };
        let mut hasher = TreeHasher::default();
        for (path, entry) in &tracked.entries {
            hasher.insert(&path[prefix_len..], entry.mode, entry.id);
        }
        match hasher.finish() {
            Ok(oid) => IndexState::Present((MODE_TREE, oid)),
            Err(_) => IndexState::Unknown,
        }
    }

    /// The index entries beneath a directory (`""`: all of them).
    pub(super) fn tracked_beneath(&self, repo_dir: &str) -> Tracked {
        let mut tracked = Tracked::default();
        let Some(index) = &self.index else {
            return tracked;
        };
        let prefix = if repo_dir.is_empty() {
            String::new()
        } else {
            format!("{repo_dir}/")
        };
        let start = if prefix.is_empty() {
            0
        } else {
            match index.find_prefix(prefix.as_str()) {
                Ok(start) => start,
                Err(_) => return tracked,
            }
        };
        for position in start..index.len() {
            let Some(entry) = index.get(position) else {
                break;
            };
            if !entry.path.starts_with(prefix.as_bytes()) {
                break;
            }
            if index_stage(&entry) == 0 {
                tracked.entries.insert(entry.path.clone(), entry);
            } else {
                tracked.conflicted = true;
            }
        }
        tracked
    }

    /// HEAD's entries a glob matches beneath its literal directory.
    pub(super) fn head_matches(&self, glob: &PathGlob, repo_dir: &str) -> Vec<(String, u32, Oid)> {
        let mut matches = Vec::new();
        let Some(head) = &self.head_tree else {
            return matches;
        };
        let subtree = if repo_dir.is_empty() {
            Some(head.clone())
        } else {
            head.get_path(Path::new(repo_dir))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .and_then(|e| self.repo.find_tree(e.id()).ok())
        };
        let Some(subtree) = subtree else {
            return matches;
        };
        let base = if repo_dir.is_empty() {
            String::new()
        } else {
            format!("{repo_dir}/")
        };
        // The walk cannot fail on a tree that was read; an error would only cut it short.
        let _ = subtree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() != Some(ObjectType::Tree) {
                let repo_path =
                    format!("{base}{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
                if let Some(path) = self.workspace_path(repo_path.as_bytes())
                    && glob.is_match(&path)
                {
                    matches.push((path, entry.filemode() as u32, entry.id()));
                }
            }
            git2::TreeWalkResult::Ok
        });
        matches
    }

    pub(super) fn index_matches(&self, glob: &PathGlob, repo_dir: &str) -> IndexMatches {
        if self.index.is_none() {
            return IndexMatches::Unknown;
        }
        let tracked = self.tracked_beneath(repo_dir);
        let mut matches = Vec::new();
        for (repo_path, entry) in &tracked.entries {
            if let Some(path) = self.workspace_path(repo_path)
                && glob.is_match(&path)
            {
                matches.push((path, entry.mode, entry.id));
            }
        }
        // A conflict elsewhere beneath the literal directory may not concern the glob, but
        // there is no stage-0 entry to match it against: count it, erring towards reporting.
        if tracked.conflicted {
            return IndexMatches::Conflicted;
        }
        IndexMatches::Found(matches)
    }
}

pub(super) enum IndexMatches {
    Unknown,
    Conflicted,
    Found(Vec<(String, u32, Oid)>),
}

pub(super) fn index_stage(entry: &IndexEntry) -> u16 {
    (entry.flags >> 12) & 0b11
}

pub(super) fn is_skip_worktree(entry: &IndexEntry) -> bool {
    const SKIP_WORKTREE: u16 = 1 << 14;
    entry.flags_extended & SKIP_WORKTREE != 0
}
