//! The ledger files' history ([`crate::repo::facts::ledger_history`]) kept per HEAD, next to the
//! last-change cache: a start at a HEAD already read walks no history for the ledger either.
//!
//! Like last changes, the history behind a commit never changes, so an answer stored for a
//! HEAD (with the same ledger directory, index path and shallow boundary, and computed by the
//! same version of the walk) is the answer. A HEAD not stored is read from the newest stored
//! HEAD it descends from ([`ledger_history::ledger_history_since`]), or walked whole. The file
//! holds the answers of the last few HEADs and is sealed like every cache file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use git2::Repository;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::history::{HistoryCache, ObjectId, oid, shallow_key};
use super::sealed::{self, CacheError, Invalid, Seal};
use crate::core::model::INDEX_FILE;
use crate::core::model::ledger::LEDGER_DIR;
use crate::core::model::ledger_history::{
    Appended, CommitRef, LedgerFileHistory, LedgerHistory, Membership, Rewrite, RewriteKind,
};
use crate::repo::facts::history::head_commit;
use crate::repo::facts::{FactsError, ledger_history};
use crate::repo::workspace::Workspace;

/// Version 1 was a hand-written layout with a word-wise checksum.
const SEAL: Seal = Seal {
    magic: b"handoff-ledgerh\n",
    version: 2,
};
const FILE_NAME: &str = "ledger-history";
/// HEADs whose answers are kept, the newest first.
const MAX_ENTRIES: usize = 8;

/// What an answer was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    head: ObjectId,
    ledger_dir: String,
    index_path: String,
    /// [`ledger_history::VERSION`] of the walk that computed it.
    walk_version: u32,
    /// The shallow boundary ([`shallow_key`]).
    shallow: Vec<ObjectId>,
}

/// How [`HistoryCache::ledger_history`] answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerAnswer {
    /// Stored for this HEAD: no history read.
    Stored,
    /// Stored for an ancestor: only the commits since were walked.
    Extended,
    /// Walked whole.
    Walked,
}

impl HistoryCache {
    /// The ledger files' history, and how it was read. Nothing committed: nothing stored.
    pub fn ledger_history(
        &self,
        repo: &Repository,
        ws: &Workspace,
    ) -> Result<(LedgerHistory, LedgerAnswer), FactsError> {
        let (Some(file), Some(head)) = (self.ledger_file(), head_commit(repo)?) else {
            return Ok((
                ledger_history::ledger_history(repo, ws)?,
                LedgerAnswer::Walked,
            ));
        };
        let key = Key {
            head: head.as_bytes().try_into().expect("a SHA-1 id"),
            ledger_dir: ws.repo_path(LEDGER_DIR),
            index_path: ws.repo_path(INDEX_FILE),
            walk_version: ledger_history::VERSION,
            shallow: shallow_key(repo),
        };
        // An untrustworthy file is as good as none: it is replaced below.
        let mut entries = read(&file);
        if let Some((_, history)) = entries.iter().find(|(k, _)| *k == key) {
            return Ok((history.clone(), LedgerAnswer::Stored));
        }
        let (history, answer) = match self.extended(repo, ws, &key, &entries)? {
            Some(history) => (history, LedgerAnswer::Extended),
            None => (
                ledger_history::ledger_history(repo, ws)?,
                LedgerAnswer::Walked,
            ),
        };
        entries.retain(|(k, _)| *k != key);
        entries.insert(0, (key, history.clone()));
        entries.truncate(MAX_ENTRIES);
        // Failing to write costs only the next run's speed.
        let _ = write(&file, &entries);
        Ok((history, answer))
    }

    /// The history at `key`'s HEAD from the newest stored ancestor read the same way, if any.
    fn extended(
        &self,
        repo: &Repository,
        ws: &Workspace,
        key: &Key,
        entries: &[(Key, LedgerHistory)],
    ) -> Result<Option<LedgerHistory>, FactsError> {
        let same_reading = |k: &Key| {
            k.ledger_dir == key.ledger_dir
                && k.index_path == key.index_path
                && k.walk_version == key.walk_version
                && k.shallow == key.shallow
        };
        // Entries are newest first; a rewritten branch has no stored ancestor.
        let base = entries.iter().find(|(k, _)| {
            same_reading(k)
                && repo
                    .graph_descendant_of(oid(key.head), oid(k.head))
                    .unwrap_or(false)
        });
        match base {
            Some((base, known)) => {
                ledger_history::ledger_history_since(repo, ws, oid(base.head), known)
            }
            None => Ok(None),
        }
    }

    fn ledger_file(&self) -> Option<PathBuf> {
        self.file().map(|f| f.with_file_name(FILE_NAME))
    }
}

// ---------------------------------------------------------------------------------------------
// The file: the entries as the private types below, postcard-encoded and sealed.

#[derive(Serialize, Deserialize)]
struct StoredHistory {
    read: bool,
    files: Vec<(String, StoredFile)>,
}

#[derive(Serialize, Deserialize)]
struct StoredFile {
    head: Vec<(String, String)>,
    /// Sorted by record, so that the same history always makes the same file.
    appended: Vec<(String, StoredAppended)>,
    rewrites: Vec<StoredRewrite>,
}

#[derive(Serialize, Deserialize)]
struct StoredAppended {
    commit: StoredCommit,
    membership: StoredMembership,
    at_boundary: bool,
}

#[derive(Serialize, Deserialize)]
enum StoredMembership {
    Member,
    NotMember(Vec<String>),
    RoleUndefined,
    Unknown(String),
}

#[derive(Serialize, Deserialize)]
struct StoredRewrite {
    kind: StoredRewriteKind,
    commit: StoredCommit,
    record: String,
    record_summary: String,
    replaced: Option<(String, String)>,
    after: Option<String>,
    before: Option<String>,
}

#[derive(Serialize, Deserialize)]
enum StoredRewriteKind {
    Changed,
    Inserted,
    Removed,
    Moved,
}

#[derive(Serialize, Deserialize)]
struct StoredCommit {
    id: String,
    /// Author time, seconds since the epoch.
    time: i64,
    /// Committer time, seconds since the epoch.
    committed: i64,
    author: String,
    summary: String,
}

fn to_stored(history: &LedgerHistory) -> StoredHistory {
    let files = history
        .files
        .iter()
        .map(|(name, file)| {
            let mut appended: Vec<(String, StoredAppended)> = file
                .appended
                .iter()
                .map(|(record, a)| (record.clone(), to_stored_appended(a)))
                .collect();
            appended.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let rewrites = file.rewrites.iter().map(to_stored_rewrite).collect();
            let head = file.head.clone();
            (
                name.clone(),
                StoredFile {
                    head,
                    appended,
                    rewrites,
                },
            )
        })
        .collect();
    StoredHistory {
        read: history.read,
        files,
    }
}

fn to_stored_appended(appended: &Appended) -> StoredAppended {
    StoredAppended {
        commit: to_stored_commit(&appended.commit),
        membership: match &appended.membership {
            Membership::Member => StoredMembership::Member,
            Membership::NotMember { people } => StoredMembership::NotMember(people.clone()),
            Membership::RoleUndefined => StoredMembership::RoleUndefined,
            Membership::Unknown(why) => StoredMembership::Unknown(why.clone()),
        },
        at_boundary: appended.at_boundary,
    }
}

fn to_stored_rewrite(rewrite: &Rewrite) -> StoredRewrite {
    StoredRewrite {
        kind: match rewrite.kind {
            RewriteKind::Changed => StoredRewriteKind::Changed,
            RewriteKind::Inserted => StoredRewriteKind::Inserted,
            RewriteKind::Removed => StoredRewriteKind::Removed,
            RewriteKind::Moved => StoredRewriteKind::Moved,
        },
        commit: to_stored_commit(&rewrite.commit),
        record: rewrite.record.clone(),
        record_summary: rewrite.record_summary.clone(),
        replaced: rewrite.replaced.clone(),
        after: rewrite.after.clone(),
        before: rewrite.before.clone(),
    }
}

fn to_stored_commit(commit: &CommitRef) -> StoredCommit {
    StoredCommit {
        id: commit.id.clone(),
        time: commit.time.as_second(),
        committed: commit.committed.as_second(),
        author: commit.author.clone(),
        summary: commit.summary.clone(),
    }
}

/// The history stored, checked: every time is a time.
fn from_stored(stored: StoredHistory) -> Result<LedgerHistory, Invalid> {
    let mut files = BTreeMap::new();
    for (name, file) in stored.files {
        let appended = file
            .appended
            .into_iter()
            .map(|(record, a)| {
                let membership = match a.membership {
                    StoredMembership::Member => Membership::Member,
                    StoredMembership::NotMember(people) => Membership::NotMember { people },
                    StoredMembership::RoleUndefined => Membership::RoleUndefined,
                    StoredMembership::Unknown(why) => Membership::Unknown(why),
                };
                let appended = Appended {
                    commit: from_stored_commit(a.commit)?,
                    membership,
                    at_boundary: a.at_boundary,
                };
                Ok((record, appended))
            })
            .collect::<Result<HashMap<_, _>, Invalid>>()?;
        let rewrites = file
            .rewrites
            .into_iter()
            .map(|r| {
                Ok(Rewrite {
                    kind: match r.kind {
                        StoredRewriteKind::Changed => RewriteKind::Changed,
                        StoredRewriteKind::Inserted => RewriteKind::Inserted,
                        StoredRewriteKind::Removed => RewriteKind::Removed,
                        StoredRewriteKind::Moved => RewriteKind::Moved,
                    },
                    commit: from_stored_commit(r.commit)?,
                    record: r.record,
                    record_summary: r.record_summary,
                    replaced: r.replaced,
                    after: r.after,
                    before: r.before,
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        let history = LedgerFileHistory {
            head: file.head,
            appended,
            rewrites,
        };
        files.insert(name, history);
    }
    Ok(LedgerHistory {
        read: stored.read,
        files,
        // Not stored: read from the index's history after the cache answers.
        removed_roles: Default::default(),
    })
}

fn from_stored_commit(commit: StoredCommit) -> Result<CommitRef, Invalid> {
    let time = Timestamp::from_second(commit.time).map_err(|_| Invalid::Time(commit.id.clone()))?;
    let committed =
        Timestamp::from_second(commit.committed).map_err(|_| Invalid::Time(commit.id.clone()))?;
    Ok(CommitRef {
        id: commit.id,
        time,
        committed,
        author: commit.author,
        summary: commit.summary,
    })
}

/// The stored entries of a cache file; an untrustworthy file is as good as none.
fn read(file: &Path) -> Vec<(Key, LedgerHistory)> {
    let entries = match sealed::read::<Vec<(Key, StoredHistory)>>(SEAL, file) {
        Ok(Some(entries)) => entries,
        Ok(None) | Err(_) => return Vec::new(),
    };
    entries
        .into_iter()
        .map(|(key, stored)| Ok((key, from_stored(stored)?)))
        .collect::<Result<Vec<_>, Invalid>>()
        .unwrap_or_default()
}

fn write(file: &Path, entries: &[(Key, LedgerHistory)]) -> Result<(), CacheError> {
    let stored: Vec<(&Key, StoredHistory)> = entries
        .iter()
        .map(|(key, history)| (key, to_stored(history)))
        .collect();
    sealed::write(SEAL, file, &stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::cache::sealed::Damage;

    fn encode(entries: &[(Key, LedgerHistory)]) -> Vec<u8> {
        let stored: Vec<(&Key, StoredHistory)> = entries
            .iter()
            .map(|(key, history)| (key, to_stored(history)))
            .collect();
        sealed::encode(SEAL, &stored).unwrap()
    }

    fn decode(bytes: &[u8]) -> Result<Vec<(Key, LedgerHistory)>, Damage> {
        let entries: Vec<(Key, StoredHistory)> = sealed::decode(SEAL, bytes)?;
        entries
            .into_iter()
            .map(|(key, stored)| Ok((key, from_stored(stored)?)))
            .collect()
    }

    fn sample() -> Vec<(Key, LedgerHistory)> {
        let commit = CommitRef {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            time: Timestamp::from_second(1_704_067_200).unwrap(),
            committed: Timestamp::from_second(1_704_067_260).unwrap(),
            author: "Sam".into(),
            summary: "Approve the PRD".into(),
        };
        let mut appended = HashMap::new();
        for (n, membership) in [
            Membership::Member,
            Membership::NotMember {
                people: vec!["a@x.example".into(), "b@x.example".into()],
            },
            Membership::RoleUndefined,
            Membership::Unknown("no handoff.yaml".into()),
        ]
        .into_iter()
        .enumerate()
        {
            appended.insert(
                format!("record {n}"),
                Appended {
                    commit: commit.clone(),
                    membership,
                    at_boundary: n % 2 == 0,
                },
            );
        }
        let rewrites = vec![
            Rewrite {
                kind: RewriteKind::Changed,
                commit: commit.clone(),
                record: "new".into(),
                record_summary: "`approve` by sam".into(),
                replaced: Some(("old".into(), "`approve` by dana".into())),
                after: None,
                before: None,
            },
            Rewrite {
                kind: RewriteKind::Moved,
                commit,
                record: "moved".into(),
                record_summary: "`accept` by dana".into(),
                replaced: None,
                after: Some("a".into()),
                before: Some("b".into()),
            },
        ];
        let mut files = BTreeMap::new();
        files.insert(
            "prd".to_string(),
            LedgerFileHistory {
                head: vec![("record 0".into(), "`approve` by sam".into())],
                appended,
                rewrites,
            },
        );
        vec![(
            Key {
                head: [0x89; 20],
                ledger_dir: "sub/.handoff/signoffs".into(),
                index_path: "sub/handoff.yaml".into(),
                walk_version: 1,
                shallow: Vec::new(),
            },
            LedgerHistory {
                read: true,
                files,
                removed_roles: Default::default(),
            },
        )]
    }

    #[test]
    fn a_history_reads_back_as_written() {
        let entries = sample();
        let bytes = encode(&entries);
        assert_eq!(decode(&bytes).unwrap(), entries);
        assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        write(&file, &entries).unwrap();
        assert_eq!(read(&file), entries);
        std::fs::write(&file, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(read(&file), [], "a damaged file reads as none");
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_rejected() {
        sealed::assert_every_damage_rejected(&encode(&sample()), decode);
    }
}
