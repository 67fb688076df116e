//! The ledger files' history ([`super::ledger_history`]) kept per HEAD, next to the
//! last-change cache: a start at a HEAD already read walks no history for the ledger either.
//!
//! Like last changes, the history behind a commit never changes, so an answer stored for a
//! HEAD (with the same ledger directory, index path and shallow boundary, and computed by the
//! same version of the walk) is the answer. A HEAD not stored is read from the newest stored
//! HEAD it descends from ([`ledger_history::ledger_history_since`]), or walked whole. The file holds
//! the answers of the last few HEADs and is sealed and written like the last-change cache.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use git2::{Oid, Repository};
use jiff::Timestamp;

use super::cache::{HistoryCache, shallow_fingerprint};
use super::cache_file::{self, Reader, Writer};
use super::history::head_commit;
use super::{FactsError, Workspace, ledger_history};
use crate::core::model::ledger::LEDGER_DIR;
use crate::core::model::ledger_history::{
    Appended, CommitRef, LedgerFileHistory, LedgerHistory, Membership, Rewrite, RewriteKind,
};
use crate::repo::workspace::INDEX_FILE;

const MAGIC: &[u8; 16] = b"handoff-ledgerh\n";
/// Raised whenever the layout changes; other versions are ignored.
const VERSION: u32 = 1;
const FILE_NAME: &str = "ledger-history";
/// HEADs whose answers are kept, the newest first.
const MAX_ENTRIES: usize = 8;

/// What an answer was computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    head: Oid,
    ledger_dir: String,
    index_path: String,
    /// [`ledger_history::VERSION`] of the walk that computed it.
    walk_version: u32,
    shallow: u64,
}

/// [`ledger_history::ledger_history`] through the repository's cache.
pub fn ledger_history_cached(
    repo: &Repository,
    ws: &Workspace,
) -> Result<LedgerHistory, FactsError> {
    HistoryCache::of(repo)
        .ledger_history(repo, ws)
        .map(|(history, _)| history)
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
            head,
            ledger_dir: ws.repo_path(LEDGER_DIR),
            index_path: ws.repo_path(INDEX_FILE),
            walk_version: ledger_history::VERSION,
            shallow: shallow_fingerprint(repo),
        };
        // An untrustworthy file is as good as none: it is replaced below.
        let mut entries = cache_file::read(&file)
            .ok()
            .flatten()
            .and_then(|bytes| decode(&bytes).ok())
            .unwrap_or_default();
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
        let _ = cache_file::write(&file, &encode(&entries));
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
            same_reading(k) && repo.graph_descendant_of(key.head, k.head).unwrap_or(false)
        });
        match base {
            Some((base, known)) => ledger_history::ledger_history_since(repo, ws, base.head, known),
            None => Ok(None),
        }
    }

    fn ledger_file(&self) -> Option<PathBuf> {
        self.file().map(|f| f.with_file_name(FILE_NAME))
    }
}

fn encode(entries: &[(Key, LedgerHistory)]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u32(entries.len() as u32);
    for (key, history) in entries {
        w.bytes(key.head.as_bytes());
        w.string(&key.ledger_dir);
        w.string(&key.index_path);
        w.u32(key.walk_version);
        w.u64(key.shallow);
        w.u8(u8::from(history.read));
        w.u32(history.files.len() as u32);
        for (name, file) in &history.files {
            w.string(name);
            w.u32(file.head.len() as u32);
            for (record, summary) in &file.head {
                w.string(record);
                w.string(summary);
            }
            // Sorted, so that the same history always makes the same file.
            let mut appended: Vec<(&String, &Appended)> = file.appended.iter().collect();
            appended.sort_unstable_by(|a, b| a.0.cmp(b.0));
            w.u32(appended.len() as u32);
            for (record, appended) in appended {
                w.string(record);
                commit_ref(&mut w, &appended.commit);
                match &appended.membership {
                    Membership::Member => w.u8(0),
                    Membership::NotMember { people } => {
                        w.u8(1);
                        w.u32(people.len() as u32);
                        people.iter().for_each(|p| w.string(p));
                    }
                    Membership::RoleUndefined => w.u8(2),
                    Membership::Unknown(why) => {
                        w.u8(3);
                        w.string(why);
                    }
                }
                w.u8(u8::from(appended.at_boundary));
            }
            w.u32(file.rewrites.len() as u32);
            for rewrite in &file.rewrites {
                w.u8(match rewrite.kind {
                    RewriteKind::Changed => 0,
                    RewriteKind::Inserted => 1,
                    RewriteKind::Removed => 2,
                    RewriteKind::Moved => 3,
                });
                commit_ref(&mut w, &rewrite.commit);
                w.string(&rewrite.record);
                w.string(&rewrite.record_summary);
                optional(&mut w, rewrite.replaced.as_ref().map(|r| r.0.as_str()));
                optional(&mut w, rewrite.replaced.as_ref().map(|r| r.1.as_str()));
                optional(&mut w, rewrite.after.as_deref());
                optional(&mut w, rewrite.before.as_deref());
            }
        }
    }
    cache_file::seal(MAGIC, VERSION, &w.0)
}

fn commit_ref(w: &mut Writer, commit: &CommitRef) {
    w.string(&commit.id);
    w.i64(commit.time.as_second());
    w.string(&commit.author);
    w.string(&commit.summary);
}

fn optional(w: &mut Writer, text: Option<&str>) {
    match text {
        Some(text) => {
            w.u8(1);
            w.string(text);
        }
        None => w.u8(0),
    }
}

fn decode(bytes: &[u8]) -> Result<Vec<(Key, LedgerHistory)>, String> {
    let mut r = Reader::new(cache_file::unseal(MAGIC, VERSION, bytes)?);
    let count = r.count(20 + 4 + 4 + 4 + 8 + 1 + 4)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let key = Key {
            head: r.oid()?,
            ledger_dir: r.string()?,
            index_path: r.string()?,
            walk_version: r.u32()?,
            shallow: r.u64()?,
        };
        let read = flag(&mut r)?;
        let file_count = r.count(4 + 4 + 4 + 4)?;
        let mut files = BTreeMap::new();
        for _ in 0..file_count {
            let name = r.string()?;
            let head_count = r.count(8)?;
            let mut head = Vec::with_capacity(head_count);
            for _ in 0..head_count {
                head.push((r.string()?, r.string()?));
            }
            let appended_count = r.count(4 + 24 + 2)?;
            let mut appended = HashMap::with_capacity(appended_count);
            for _ in 0..appended_count {
                let record = r.string()?;
                let commit = read_commit_ref(&mut r)?;
                let membership = match r.u8()? {
                    0 => Membership::Member,
                    1 => {
                        let people_count = r.count(4)?;
                        let mut people = Vec::with_capacity(people_count);
                        for _ in 0..people_count {
                            people.push(r.string()?);
                        }
                        Membership::NotMember { people }
                    }
                    2 => Membership::RoleUndefined,
                    3 => Membership::Unknown(r.string()?),
                    other => return Err(format!("unknown membership {other}")),
                };
                let at_boundary = flag(&mut r)?;
                appended.insert(
                    record,
                    Appended {
                        commit,
                        membership,
                        at_boundary,
                    },
                );
            }
            let rewrite_count = r.count(1 + 24 + 8 + 4)?;
            let mut rewrites = Vec::with_capacity(rewrite_count);
            for _ in 0..rewrite_count {
                let kind = match r.u8()? {
                    0 => RewriteKind::Changed,
                    1 => RewriteKind::Inserted,
                    2 => RewriteKind::Removed,
                    3 => RewriteKind::Moved,
                    other => return Err(format!("unknown rewrite kind {other}")),
                };
                let commit = read_commit_ref(&mut r)?;
                let record = r.string()?;
                let record_summary = r.string()?;
                let replaced_record = read_optional(&mut r)?;
                let replaced_summary = read_optional(&mut r)?;
                let replaced = match (replaced_record, replaced_summary) {
                    (Some(record), Some(summary)) => Some((record, summary)),
                    (None, None) => None,
                    _ => return Err("half a replaced record".to_string()),
                };
                rewrites.push(Rewrite {
                    kind,
                    commit,
                    record,
                    record_summary,
                    replaced,
                    after: read_optional(&mut r)?,
                    before: read_optional(&mut r)?,
                });
            }
            files.insert(
                name,
                LedgerFileHistory {
                    head,
                    appended,
                    rewrites,
                },
            );
        }
        entries.push((key, LedgerHistory { read, files }));
    }
    if !r.is_empty() {
        return Err("trailing bytes".to_string());
    }
    Ok(entries)
}

fn flag(r: &mut Reader) -> Result<bool, String> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(format!("{other} is not a flag")),
    }
}

fn read_commit_ref(r: &mut Reader) -> Result<CommitRef, String> {
    let id = r.string()?;
    let seconds = r.i64()?;
    Ok(CommitRef {
        time: Timestamp::from_second(seconds)
            .map_err(|_| format!("commit {id} has an impossible time"))?,
        id,
        author: r.string()?,
        summary: r.string()?,
    })
}

fn read_optional(r: &mut Reader) -> Result<Option<String>, String> {
    if flag(r)? {
        r.string().map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(Key, LedgerHistory)> {
        let commit = CommitRef {
            id: "0123456789abcdef0123456789abcdef01234567".into(),
            time: Timestamp::from_second(1_704_067_200).unwrap(),
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
                head: Oid::from_str("89abcdef0123456789abcdef0123456789abcdef").unwrap(),
                ledger_dir: "sub/.handoff/signoffs".into(),
                index_path: "sub/handoff.yaml".into(),
                walk_version: 1,
                shallow: 0,
            },
            LedgerHistory { read: true, files },
        )]
    }

    #[test]
    fn a_history_reads_back_as_written() {
        let entries = sample();
        let bytes = encode(&entries);
        assert_eq!(decode(&bytes).unwrap(), entries);
        assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_rejected() {
        cache_file::assert_every_damage_rejected(&encode(&sample()), decode);
    }
}
