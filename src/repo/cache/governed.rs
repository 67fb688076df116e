//! The commits that changed each artifact's governed paths ([`crate::repo::facts::governed`]),
//! kept per HEAD next to the other history caches: a start at a HEAD already read walks no
//! history for drift.
//!
//! What changed governed paths behind a commit never changes, so an answer stored for a HEAD
//! (with the same governed entries, repository-relative, the same shallow boundary and the
//! same version of the walk) is the answer. Any other HEAD is walked whole and stored; the
//! walk costs a few tree lookups per commit, so only a repeated read needs the cache. The file
//! holds the answers of the last few HEADs and is sealed like every cache file.

use std::path::{Path, PathBuf};

use git2::Repository;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::history::{HistoryCache, ObjectId, shallow_key};
use super::sealed::{self, CacheError, Seal};
use crate::core::model::LastChange;
use crate::repo::facts::history::head_commit;
use crate::repo::facts::{FactsError, governed};
use crate::repo::workspace::Workspace;

const SEAL: Seal = Seal {
    magic: b"handoff-governd\n",
    version: 1,
};
const FILE_NAME: &str = "governed-changes";
/// HEADs whose answers are kept, the newest first.
const MAX_ENTRIES: usize = 8;

/// What an answer was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    head: ObjectId,
    /// The workspace's place in the repository: the entries are read from there.
    prefix: String,
    /// Each artifact's entries as written, in the order asked.
    governs: Vec<Vec<String>>,
    /// [`governed::VERSION`] of the walk that computed it.
    walk_version: u32,
    /// The shallow boundary ([`shallow_key`]).
    shallow: Vec<ObjectId>,
}

/// The changes of one artifact's governed paths, newest first, and whether the walk stopped
/// at its bound.
pub type GovernedChanges = (Vec<LastChange>, bool);

impl HistoryCache {
    /// [`governed::governed_changes`], from the cache when it holds this HEAD's answer.
    pub(crate) fn governed_changes(
        &self,
        repo: &Repository,
        workspace: &Workspace,
        governs: &[(String, Vec<String>)],
    ) -> Result<Vec<GovernedChanges>, FactsError> {
        let (Some(file), Some(head)) = (self.governed_file(), head_commit(repo)?) else {
            return governed::governed_changes(repo, workspace, governs);
        };
        let key = Key {
            head: head.as_bytes().try_into().expect("a SHA-1 id"),
            prefix: workspace.prefix.clone(),
            governs: governs.iter().map(|(_, entries)| entries.clone()).collect(),
            walk_version: governed::VERSION,
            shallow: shallow_key(repo),
        };
        // An untrustworthy file is as good as none: it is replaced below.
        let mut entries = read(&file);
        if let Some((_, found)) = entries.iter().find(|(k, _)| *k == key) {
            return Ok(found.clone());
        }
        let found = governed::governed_changes(repo, workspace, governs)?;
        entries.retain(|(k, _)| *k != key);
        entries.insert(0, (key, found.clone()));
        entries.truncate(MAX_ENTRIES);
        // Failing to write costs only the next run's speed.
        let _ = write(&file, &entries);
        Ok(found)
    }

    fn governed_file(&self) -> Option<PathBuf> {
        self.file().map(|f| f.with_file_name(FILE_NAME))
    }
}

// ---------------------------------------------------------------------------------------------
// The file: the entries as the private types below, postcard-encoded and sealed.

/// A [`LastChange`] as the cache files hold it.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct StoredChange {
    commit: String,
    /// Author time, seconds since the epoch.
    time: i64,
    author_name: String,
    author_email: String,
    summary: String,
}

impl StoredChange {
    pub(super) fn new(change: &LastChange) -> Self {
        StoredChange {
            commit: change.commit.clone(),
            time: change.time.as_second(),
            author_name: change.author_name.clone(),
            author_email: change.author_email.clone(),
            summary: change.summary.clone(),
        }
    }

    /// `None` for a time out of range: the file is not to be trusted.
    pub(super) fn into_change(self) -> Option<LastChange> {
        Some(LastChange {
            commit: self.commit,
            time: Timestamp::from_second(self.time).ok()?,
            author_name: self.author_name,
            author_email: self.author_email,
            summary: self.summary,
        })
    }
}

type StoredEntry = (Key, Vec<(Vec<StoredChange>, bool)>);

fn read(file: &Path) -> Vec<(Key, Vec<GovernedChanges>)> {
    let Ok(Some(entries)) = sealed::read::<Vec<StoredEntry>>(SEAL, file) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .map(|(key, found)| {
            let found = found
                .into_iter()
                .map(|(changes, truncated)| {
                    let changes = changes
                        .into_iter()
                        .map(StoredChange::into_change)
                        .collect::<Option<_>>()?;
                    Some((changes, truncated))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((key, found))
        })
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

fn write(file: &Path, entries: &[(Key, Vec<GovernedChanges>)]) -> Result<(), CacheError> {
    let stored: Vec<StoredEntry> = entries
        .iter()
        .map(|(key, found)| {
            let found = found
                .iter()
                .map(|(changes, truncated)| {
                    let changes = changes.iter().map(StoredChange::new).collect();
                    (changes, *truncated)
                })
                .collect();
            (key.clone(), found)
        })
        .collect();
    sealed::write(SEAL, file, &stored)
}
