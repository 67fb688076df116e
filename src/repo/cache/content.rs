//! What following renames and mechanical commits back from each path's last change found
//! ([`crate::repo::facts::content`]), kept so that a warm start does not read the trees and
//! diffs of thousands of commits again.
//!
//! An answer depends on the spec, the commit of its last change, the mechanical-commit limit,
//! the commits blame ignores and the shallow boundary, never on the work tree; the first two
//! key each answer, the rest key the file (answers made under other rules are dropped). The
//! answers asked for by the last run are kept, and older ones up to a bound, so switching
//! branches or filtering artifacts does not empty the file.

use std::path::{Path, PathBuf};

use git2::Repository;
use serde::{Deserialize, Serialize};

use super::governed::StoredChange;
use super::history::{HistoryCache, ObjectId, shallow_key};
use super::sealed::{self, CacheError, Seal};
use crate::core::model::{ContentRules, History};
use crate::repo::facts::FactsError;
use crate::repo::facts::content::{self, ContentFound, FollowMemo};
use crate::repo::facts::history::PathSpec;

const SEAL: Seal = Seal {
    magic: b"handoff-content\n",
    version: 1,
};
const FILE_NAME: &str = "content-changes";
/// Answers kept beyond those the last run asked for.
const MAX_OLDER: usize = 50_000;

/// The rules every answer of the file was made under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    mechanical_files: Option<u32>,
    ignored: Vec<ObjectId>,
    shallow: Vec<ObjectId>,
}

/// One answer: the spec (`true` for a glob), the commit of its last change, and what following
/// it back found.
type StoredAnswer = (bool, String, String, StoredChange, Option<String>);

impl HistoryCache {
    /// [`content::content_changes`], following back only the specs whose answers the cache
    /// does not hold for their last change.
    pub(crate) fn content_changes(
        &self,
        repo: &Repository,
        specs: &[PathSpec],
        histories: &[History],
        rules: &ContentRules,
    ) -> Result<Vec<ContentFound>, FactsError> {
        let mechanical = content::Mechanical::read(repo, rules);
        let Some(file) = self.content_file() else {
            let mut memo = FollowMemo::new();
            return content::content_changes(repo, specs, histories, &mechanical, &mut memo);
        };
        let key = Key {
            mechanical_files: rules.mechanical_files,
            ignored: mechanical
                .ignored_sorted()
                .iter()
                .map(|id| id.as_bytes().try_into().expect("a SHA-1 id"))
                .collect(),
            shallow: shallow_key(repo),
        };
        // An untrustworthy file, or one made under other rules, is as good as none.
        let mut memo = match read(&file) {
            Some((stored_key, memo)) if stored_key == key => memo,
            _ => FollowMemo::new(),
        };
        let before = memo.len();
        let found = content::content_changes(repo, specs, histories, &mechanical, &mut memo)?;
        if memo.len() != before {
            let asked: Vec<(PathSpec, String)> = specs
                .iter()
                .zip(histories)
                .filter_map(|(spec, history)| match history {
                    History::Changed(change) => Some((spec.clone(), change.commit.clone())),
                    _ => None,
                })
                .collect();
            // Failing to write costs only the next run's speed.
            let _ = write(&file, &key, &memo, &asked);
        }
        Ok(found)
    }

    fn content_file(&self) -> Option<PathBuf> {
        self.file().map(|f| f.with_file_name(FILE_NAME))
    }
}

fn read(file: &Path) -> Option<(Key, FollowMemo)> {
    let (key, answers) = sealed::read::<(Key, Vec<StoredAnswer>)>(SEAL, file).ok()??;
    let memo = answers
        .into_iter()
        .map(|(glob, spec, commit, change, renamed_from)| {
            let spec = if glob {
                PathSpec::Glob(spec)
            } else {
                PathSpec::Exact(spec)
            };
            Some(((spec, commit), (change.into_change()?, renamed_from)))
        })
        .collect::<Option<FollowMemo>>()?;
    Some((key, memo))
}

/// Writes the answers `asked` for first, then others of `memo` up to [`MAX_OLDER`].
fn write(
    file: &Path,
    key: &Key,
    memo: &FollowMemo,
    asked: &[(PathSpec, String)],
) -> Result<(), CacheError> {
    let stored = |(spec, commit): &(PathSpec, String)| -> Option<StoredAnswer> {
        let (change, renamed_from) = memo.get(&(spec.clone(), commit.clone()))?;
        let (glob, text) = match spec {
            PathSpec::Exact(path) => (false, path.clone()),
            PathSpec::Glob(glob) => (true, glob.clone()),
        };
        Some((
            glob,
            text,
            commit.clone(),
            StoredChange::new(change),
            renamed_from.clone(),
        ))
    };
    let asked_set: std::collections::HashSet<&(PathSpec, String)> = asked.iter().collect();
    let mut answers: Vec<StoredAnswer> = asked.iter().filter_map(stored).collect();
    let mut older: Vec<&(PathSpec, String)> =
        memo.keys().filter(|k| !asked_set.contains(k)).collect();
    // A stable order, so the same answers write the same file.
    older.sort();
    answers.extend(older.into_iter().take(MAX_OLDER).filter_map(stored));
    sealed::write(SEAL, file, &(key.clone(), answers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    use crate::core::model::LastChange;

    fn change(commit: &str) -> LastChange {
        LastChange {
            commit: commit.into(),
            time: Timestamp::from_second(1_700_000_000).unwrap(),
            author_name: "Ana".into(),
            author_email: "ana@example.com".into(),
            summary: "Write the PRD".into(),
        }
    }

    #[test]
    fn answers_read_back_as_written_and_asked_ones_come_first() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        let key = Key {
            mechanical_files: Some(50),
            ignored: vec![[3; 20]],
            shallow: Vec::new(),
        };
        let mut memo = FollowMemo::new();
        let prd = (PathSpec::Exact("docs/prd.md".into()), "b".repeat(40));
        let evals = (PathSpec::Glob("evals/*.jsonl".into()), "c".repeat(40));
        memo.insert(
            prd.clone(),
            (change(&"a".repeat(40)), Some("prd.md".into())),
        );
        memo.insert(evals.clone(), (change(&"c".repeat(40)), None));
        write(&file, &key, &memo, std::slice::from_ref(&evals)).unwrap();
        let (read_key, read_memo) = read(&file).unwrap();
        assert_eq!(read_key, key);
        assert_eq!(read_memo, memo);
        let (_, answers) = sealed::read::<(Key, Vec<StoredAnswer>)>(SEAL, &file)
            .unwrap()
            .unwrap();
        assert!(answers[0].0, "the asked-for glob first");
    }

    #[test]
    fn a_damaged_file_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, b"handoff-content\nnot a payload").unwrap();
        assert!(read(&file).is_none());
    }
}
