//! A persistent cache of last changes, so that a start at the same HEAD walks no history and a
//! start after new commits walks only those.
//!
//! The answer `git log -1 -- <path>` gives depends only on the commit it starts from and the
//! path: commits never change, and neither does what lies behind them. So answers computed at
//! a HEAD stay true at that commit forever, and a walk from a later HEAD can stop each path's
//! chain at that commit and take the stored answer (see [`crate::repo::facts::history`]).
//! Chains that never reach it (changed in the new commits, or coming in through a merge of an
//! older branch) are walked as usual. The results are what a walk without a cache gives,
//! always.
//!
//! The file lives in git's own directory (`<git dir>/handoff/cache/last-change`; a linked
//! worktree has its own), never in the work tree. It keeps the answers of the last few HEADs
//! (switching branches back and forth stays warm), each for the paths asked at that HEAD.
//! It is sealed and written like every cache file ([`super::sealed`]); a file that is not
//! exactly what this version writes, or was recorded against another shallow boundary, is
//! ignored and replaced. Removing it is always safe.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::CACHE_DIR;
use super::sealed::{self, CacheError, Damage, Invalid, Seal};
use crate::core::model::{History, LastChange};
use crate::repo::facts::FactsError;
use crate::repo::facts::history::{self as walk, KnownAt, PathSpec};

const FILE_NAME: &str = "last-change";

/// Version 1 was a hand-written layout with a word-wise checksum.
const SEAL: Seal = Seal {
    magic: b"handoff-lastchg\n",
    version: 2,
};
/// HEADs whose answers are kept, the newest first.
const MAX_HEADS: usize = 8;

/// Where last-change answers are kept between runs (or nowhere, when disabled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCache {
    file: Option<PathBuf>,
}

/// How the cache served one request.
#[derive(Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// The cache is off: everything was walked.
    Disabled,
    /// No cache file yet, or nothing committed: everything was walked.
    Empty,
    /// The file could not be trusted (the reason says why) and was ignored.
    Rejected(CacheError),
    /// HEAD is a cached HEAD: only paths not in the cache were walked.
    SameHead,
    /// HEAD descends from a cached HEAD (`base`): only the commits since were walked, except
    /// for paths whose chains leave them elsewhere.
    Descendant { base: Oid },
    /// No cached HEAD is an ancestor of HEAD (a rebase, a reset, another branch): everything
    /// was walked.
    Unrelated,
}

/// The answers of [`HistoryCache::last_changes`], and what they cost.
#[derive(Debug, PartialEq, Eq)]
pub struct CachedChanges {
    /// One per spec, in the order given.
    pub histories: Vec<History>,
    pub outcome: CacheOutcome,
    /// Commits the walk compared trees of (0 when everything came from the cache).
    pub commits_visited: usize,
    /// Specs answered from the cache.
    pub specs_from_cache: usize,
    /// Whether the cache file was rewritten, or why writing it failed (which costs only the
    /// next run's speed).
    pub written: Result<bool, CacheError>,
}

impl HistoryCache {
    /// The cache of a repository, in its git directory (per worktree).
    pub fn of(repo: &Repository) -> HistoryCache {
        HistoryCache::at(repo.path().join(CACHE_DIR).join(FILE_NAME))
    }

    /// A cache kept in the given file.
    pub fn at(file: impl Into<PathBuf>) -> HistoryCache {
        HistoryCache {
            file: Some(file.into()),
        }
    }

    /// No cache: every request walks history and nothing is written.
    pub(crate) fn disabled() -> HistoryCache {
        HistoryCache { file: None }
    }

    /// The cache file, unless disabled.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The last change of each spec, as [`crate::repo::facts::last_changes`] gives it, walking
    /// only what the cache does not answer, then storing the answers for HEAD.
    pub fn last_changes(
        &self,
        repo: &Repository,
        specs: &[PathSpec],
        on_resolved: &mut dyn FnMut(usize, &History),
    ) -> Result<CachedChanges, FactsError> {
        let head = walk::head_commit(repo)?;
        let (Some(file), Some(head)) = (&self.file, head) else {
            let walk = walk::walk_from(repo, head, specs, &[], on_resolved)?;
            return Ok(CachedChanges {
                histories: walk.histories,
                outcome: if self.file.is_none() {
                    CacheOutcome::Disabled
                } else {
                    CacheOutcome::Empty
                },
                commits_visited: walk.commits_visited,
                specs_from_cache: 0,
                written: Ok(false),
            });
        };

        let shallow = shallow_key(repo);
        let (stored, outcome) = match read(file, &shallow) {
            Ok(Some(stored)) => (stored, CacheOutcome::Empty),
            Ok(None) => (Stored::default(), CacheOutcome::Empty),
            Err(reason) => (Stored::default(), CacheOutcome::Rejected(reason)),
        };

        let (known, usable) = usable_heads(repo, head, specs, &stored);
        let outcome = match usable {
            Usable::Head => CacheOutcome::SameHead,
            Usable::Ancestor(base) => CacheOutcome::Descendant { base },
            Usable::None if stored.heads.is_empty() => outcome,
            Usable::None => CacheOutcome::Unrelated,
        };

        let walk = walk::walk_from(repo, Some(head), specs, &known, on_resolved)?;
        let everything_cached =
            matches!(outcome, CacheOutcome::SameHead) && walk.specs_from_known == specs.len();
        let written = if everything_cached {
            Ok(false)
        } else {
            let updated = stored.updated(head, specs, &walk.histories, shallow);
            sealed::write(SEAL, file, &to_file(&updated)).map(|()| true)
        };
        Ok(CachedChanges {
            histories: walk.histories,
            outcome,
            commits_visited: walk.commits_visited,
            specs_from_cache: walk.specs_from_known,
            written,
        })
    }
}

/// Which cached HEAD served a request.
enum Usable {
    Head,
    Ancestor(Oid),
    None,
}

/// The stored answers the walk from `head` can reach: HEAD's own, then those of cached HEADs
/// that are its ancestors (newest first). A cached HEAD is asked about only while some spec
/// it answers has no answer yet, so the usual case costs one ancestry check or none.
fn usable_heads(
    repo: &Repository,
    head: Oid,
    specs: &[PathSpec],
    stored: &Stored,
) -> (Vec<KnownAt>, Usable) {
    let mut known: Vec<KnownAt> = Vec::new();
    let mut usable = if stored.heads.iter().any(|h| h.commit == head) {
        Usable::Head
    } else {
        Usable::None
    };
    let mut covered = vec![false; specs.len()];
    let ordered = stored
        .heads
        .iter()
        .filter(|h| h.commit == head)
        .chain(stored.heads.iter().filter(|h| h.commit != head));
    for base in ordered {
        let answers: Vec<Option<History>> = specs
            .iter()
            .map(|spec| base.answers.get(spec).map(|a| stored.history(*a)))
            .collect();
        let adds = answers
            .iter()
            .zip(&covered)
            .any(|(answer, covered)| answer.is_some() && !covered);
        if !adds {
            continue;
        }
        let reachable = base.commit == head
            // An error (the commit is gone after a rewrite and a gc) means unreachable.
            || repo.graph_descendant_of(head, base.commit).unwrap_or(false);
        if !reachable {
            continue;
        }
        if matches!(usable, Usable::None) {
            usable = if base.commit == head {
                Usable::Head
            } else {
                Usable::Ancestor(base.commit)
            };
        }
        for (covered, answer) in covered.iter_mut().zip(&answers) {
            *covered |= answer.is_some();
        }
        known.push(KnownAt {
            commit: base.commit,
            answers,
        });
    }
    (known, usable)
}

/// A stored answer; a change is a number in [`Stored::commits`], so that reading the file
/// allocates one text per distinct commit rather than one per path and HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Answer {
    Changed(u32),
    NeverCommitted,
    BeyondShallowBoundary,
}

/// The answers known at one HEAD.
#[derive(Debug, Clone)]
struct HeadAnswers {
    commit: Oid,
    answers: HashMap<PathSpec, Answer>,
}

/// A cache file's contents.
#[derive(Debug, Clone, Default)]
struct Stored {
    /// The shallow boundary the answers were computed under ([`shallow_key`]).
    shallow: Vec<ObjectId>,
    /// The commits answers name.
    commits: Vec<LastChange>,
    /// Newest first.
    heads: Vec<HeadAnswers>,
}

impl Stored {
    fn history(&self, answer: Answer) -> History {
        match answer {
            Answer::Changed(number) => self
                .commits
                .get(number as usize)
                .cloned()
                .map_or(History::Pending, History::Changed),
            Answer::NeverCommitted => History::NeverCommitted,
            Answer::BeyondShallowBoundary => History::BeyondShallowBoundary,
        }
    }

    /// The cache after a walk at `head`: its answers join those already stored for `head` and
    /// come first; older HEADs follow, up to [`MAX_HEADS`].
    fn updated(
        &self,
        head: Oid,
        specs: &[PathSpec],
        histories: &[History],
        shallow: Vec<ObjectId>,
    ) -> Stored {
        // New commits are appended: the numbers older answers hold stay valid.
        let mut commits = self.commits.clone();
        let mut numbers: HashMap<String, u32> = commits
            .iter()
            .enumerate()
            .map(|(n, c)| (c.commit.clone(), n as u32))
            .collect();
        let mut current = self
            .heads
            .iter()
            .find(|h| h.commit == head)
            .cloned()
            .unwrap_or(HeadAnswers {
                commit: head,
                answers: HashMap::new(),
            });
        for (spec, history) in specs.iter().zip(histories) {
            let answer = match history {
                History::Changed(change) => {
                    let number = *numbers.entry(change.commit.clone()).or_insert_with(|| {
                        commits.push(change.clone());
                        commits.len() as u32 - 1
                    });
                    Answer::Changed(number)
                }
                History::NeverCommitted => Answer::NeverCommitted,
                History::BeyondShallowBoundary => Answer::BeyondShallowBoundary,
                // Every walk resolves every spec; a pending answer would be a bug, never stored.
                History::Pending => continue,
            };
            current.answers.insert(spec.clone(), answer);
        }
        let mut heads = vec![current];
        heads.extend(
            self.heads
                .iter()
                .filter(|h| h.commit != head)
                .take(MAX_HEADS - 1)
                .cloned(),
        );
        Stored {
            shallow,
            commits,
            heads,
        }
    }
}

/// A commit id as stored.
pub(crate) type ObjectId = [u8; 20];

/// The commits of `.git/shallow`, sorted (none for a full clone): answers at the shallow
/// boundary change when the clone is deepened, so answers from another boundary are not
/// used. Kept whole rather than hashed, so that no two boundaries are ever taken for one.
pub(crate) fn shallow_key(repo: &Repository) -> Vec<ObjectId> {
    let mut commits: Vec<ObjectId> = walk::shallow_boundary(repo)
        .iter()
        .map(|id| id.as_bytes().try_into().expect("a SHA-1 id"))
        .collect();
    commits.sort_unstable();
    commits
}

// ---------------------------------------------------------------------------------------------
// The file: [`Stored`] as the private types below, postcard-encoded and sealed. A commit is
// stored once, and answers name it by its number.

#[derive(Serialize, Deserialize)]
struct File<'a> {
    shallow: Cow<'a, [ObjectId]>,
    commits: Vec<StoredCommit<'a>>,
    heads: Vec<StoredHead<'a>>,
}

#[derive(Serialize, Deserialize)]
struct StoredCommit<'a> {
    id: ObjectId,
    /// Author time, seconds since the epoch.
    time: i64,
    author_name: Cow<'a, str>,
    author_email: Cow<'a, str>,
    summary: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
struct StoredHead<'a> {
    commit: ObjectId,
    /// Sorted by spec.
    answers: Vec<(StoredSpec<'a>, Answer)>,
}

#[derive(Serialize, Deserialize)]
enum StoredSpec<'a> {
    Exact(Cow<'a, str>),
    Glob(Cow<'a, str>),
}

/// Reads the cache: `Ok(None)` when there is no file, `Err` with the reason when it cannot be
/// trusted.
fn read(file: &Path, shallow: &[ObjectId]) -> Result<Option<Stored>, CacheError> {
    let Some(stored) = sealed::read::<File>(SEAL, file)? else {
        return Ok(None);
    };
    if *stored.shallow != *shallow {
        return Err(Damage::OtherShallowBoundary.into());
    }
    Ok(Some(from_file(stored)?))
}

/// The stored answers, checked: every commit number names a commit, every time is a time.
fn from_file(file: File) -> Result<Stored, Damage> {
    let commits = file
        .commits
        .into_iter()
        .map(|c| {
            let commit = oid(c.id).to_string();
            let time = Timestamp::from_second(c.time).map_err(|_| Invalid::Time(commit.clone()))?;
            Ok(LastChange {
                commit,
                time,
                author_name: c.author_name.into_owned(),
                author_email: c.author_email.into_owned(),
                summary: c.summary.into_owned(),
            })
        })
        .collect::<Result<Vec<_>, Invalid>>()?;
    let heads = file
        .heads
        .into_iter()
        .map(|head| {
            let answers = head
                .answers
                .into_iter()
                .map(|(spec, answer)| {
                    if let Answer::Changed(number) = answer
                        && number as usize >= commits.len()
                    {
                        return Err(Invalid::CommitNumber(number));
                    }
                    let spec = match spec {
                        StoredSpec::Exact(text) => PathSpec::Exact(text.into_owned()),
                        StoredSpec::Glob(text) => PathSpec::Glob(text.into_owned()),
                    };
                    Ok((spec, answer))
                })
                .collect::<Result<HashMap<_, _>, Invalid>>()?;
            Ok(HeadAnswers {
                commit: oid(head.commit),
                answers,
            })
        })
        .collect::<Result<Vec<_>, Invalid>>()?;
    Ok(Stored {
        shallow: file.shallow.into_owned(),
        commits,
        heads,
    })
}

/// The file of `stored`: answers sorted and the commits they name renumbered in that order,
/// leaving out those no answer names any more, so that the same answers always make the same
/// file.
fn to_file(stored: &Stored) -> File<'_> {
    let mut renumbered: HashMap<u32, u32> = HashMap::new();
    let mut commits: Vec<StoredCommit> = Vec::new();
    let mut number = |answer: Answer| match answer {
        Answer::Changed(old) => match stored.commits.get(old as usize) {
            Some(change) => Answer::Changed(*renumbered.entry(old).or_insert_with(|| {
                commits.push(StoredCommit {
                    id: object_id(&change.commit),
                    time: change.time.as_second(),
                    author_name: Cow::Borrowed(&change.author_name),
                    author_email: Cow::Borrowed(&change.author_email),
                    summary: Cow::Borrowed(&change.summary),
                });
                commits.len() as u32 - 1
            })),
            // A number naming no commit never comes from a walk; never stored as one.
            None => Answer::NeverCommitted,
        },
        other => other,
    };
    let heads = stored
        .heads
        .iter()
        .map(|head| {
            let mut answers: Vec<(&PathSpec, Answer)> =
                head.answers.iter().map(|(s, a)| (s, *a)).collect();
            answers.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let answers = answers
                .into_iter()
                .map(|(spec, answer)| {
                    let spec = match spec {
                        PathSpec::Exact(text) => StoredSpec::Exact(Cow::Borrowed(text)),
                        PathSpec::Glob(text) => StoredSpec::Glob(Cow::Borrowed(text)),
                    };
                    (spec, number(answer))
                })
                .collect();
            StoredHead {
                commit: head.commit.as_bytes().try_into().expect("a SHA-1 id"),
                answers,
            }
        })
        .collect();
    File {
        shallow: Cow::Borrowed(&stored.shallow),
        commits,
        heads,
    }
}

/// A commit id from its hex form; the walk only ever produces valid ones.
fn object_id(hex: &str) -> ObjectId {
    let id = Oid::from_str(hex).unwrap_or(Oid::ZERO_SHA1);
    id.as_bytes().try_into().expect("a SHA-1 id")
}

pub(crate) fn oid(id: ObjectId) -> Oid {
    Oid::from_bytes(&id).expect("twenty bytes are a SHA-1 id")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<Stored, Damage> {
        from_file(sealed::decode(SEAL, bytes)?)
    }

    fn encode(stored: &Stored) -> Result<Vec<u8>, CacheError> {
        sealed::encode(SEAL, &to_file(stored))
    }

    fn change(commit: &str, summary: &str) -> History {
        History::Changed(LastChange {
            commit: commit.repeat(40),
            time: Timestamp::from_second(1_704_067_200).unwrap(),
            author_name: "Dana".to_string(),
            author_email: "dana@example.com".to_string(),
            summary: summary.to_string(),
        })
    }

    fn head(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    /// Two HEADs: the older one answered two paths, the newer one three.
    fn sample() -> Stored {
        let older = Stored::default().updated(
            head(1),
            &[
                PathSpec::Exact("docs/prd.md".into()),
                PathSpec::Exact("gone.md".into()),
            ],
            &[change("a", "PRD v1"), change("b", "gone")],
            vec![[7; 20]],
        );
        older.updated(
            head(2),
            &[
                PathSpec::Exact("docs/prd.md".into()),
                PathSpec::Glob("evals/*.yaml".into()),
                PathSpec::Exact("old".into()),
            ],
            &[
                change("c", "PRD v2"),
                History::NeverCommitted,
                History::BeyondShallowBoundary,
            ],
            vec![[7; 20]],
        )
    }

    fn answers_of(stored: &Stored) -> Vec<(Oid, Vec<(PathSpec, History)>)> {
        stored
            .heads
            .iter()
            .map(|h| {
                let mut answers: Vec<(PathSpec, History)> = h
                    .answers
                    .iter()
                    .map(|(s, a)| (s.clone(), stored.history(*a)))
                    .collect();
                answers.sort_by(|a, b| a.0.cmp(&b.0));
                (h.commit, answers)
            })
            .collect()
    }

    #[test]
    fn a_file_reads_back_as_written() {
        let stored = sample();
        let decoded = decode(&encode(&stored).unwrap()).unwrap();
        assert_eq!(decoded.shallow, [[7; 20]]);
        assert_eq!(answers_of(&decoded), answers_of(&stored));
        assert_eq!(answers_of(&decoded)[0].1[0].1, change("c", "PRD v2"));
        assert_eq!(encode(&decoded).unwrap(), encode(&stored).unwrap());
    }

    #[test]
    fn commits_no_answer_names_are_left_out() {
        // The newer HEAD replaces the older one's answers only for itself; drop the older HEAD
        // and its commits go with it.
        let mut stored = sample();
        stored.heads.truncate(1);
        let decoded = decode(&encode(&stored).unwrap()).unwrap();
        assert_eq!(decoded.commits.len(), 1);
        assert_eq!(answers_of(&decoded), answers_of(&stored));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_rejected() {
        sealed::assert_every_damage_rejected(&encode(&sample()).unwrap(), decode);
    }

    #[test]
    fn another_version_is_rejected_with_its_number() {
        let mut bytes = encode(&sample()).unwrap();
        bytes[16..20].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err().to_string(),
            "version 1, this handoff reads 2"
        );
    }

    #[test]
    fn huge_counts_in_a_well_checksummed_file_allocate_nothing() {
        // A payload claiming 4 billion commits after an empty shallow boundary, with a valid
        // checksum: the decoder reserves no more than it has read.
        let bytes = sealed::encode(SEAL, &(0u8, u32::MAX)).unwrap();
        assert!(matches!(decode(&bytes), Err(Damage::Undecodable(_))));
    }

    #[test]
    fn impossible_contents_are_rejected_after_decoding() {
        let mut stored = sample();
        stored.heads[0]
            .answers
            .insert(PathSpec::Exact("x".into()), Answer::Changed(0));
        let mut file = to_file(&stored);
        file.heads[0].answers[0].1 = Answer::Changed(file.commits.len() as u32);
        let bytes = sealed::encode(SEAL, &file).unwrap();
        assert_eq!(
            decode(&bytes).unwrap_err(),
            Damage::Invalid(Invalid::CommitNumber(file.commits.len() as u32))
        );
        let mut file = to_file(&stored);
        file.commits[0].time = i64::MAX;
        let bytes = sealed::encode(SEAL, &file).unwrap();
        assert!(matches!(
            decode(&bytes),
            Err(Damage::Invalid(Invalid::Time(_)))
        ));
    }
}
