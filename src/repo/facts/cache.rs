//! A persistent cache of last changes, so that a start at the same HEAD walks no history and a
//! start after new commits walks only those.
//!
//! The answer `git log -1 -- <path>` gives depends only on the commit it starts from and the
//! path: commits never change, and neither does what lies behind them. So answers computed at
//! a HEAD stay true at that commit forever, and a walk from a later HEAD can stop each path's
//! chain at that commit and take the stored answer (see [`super::history`]). Chains that never
//! reach it (changed in the new commits, or coming in through a merge of an older branch) are
//! walked as usual. The results are what a walk without a cache gives, always.
//!
//! The file lives in git's own directory (`<git dir>/handoff/cache/last-change`; a linked
//! worktree has its own), never in the work tree. It keeps the answers of the last few HEADs
//! (switching branches back and forth stays warm), each for the paths asked at that HEAD.
//! It is written whole to a temporary file and renamed over the old one, so a reader sees the
//! old file or the new one. A file that is not exactly what this version writes (another
//! magic, another version, a wrong checksum, truncated, or recorded against another shallow
//! boundary) is ignored and replaced. Removing it is always safe.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};
use jiff::Timestamp;

use super::FactsError;
use super::cache_file::{self, Reader, Writer};
use super::history::{self, KnownAt, PathSpec};
use crate::core::model::{History, LastChange};

/// The cache's directory, relative to the repository's git directory.
pub const CACHE_DIR: &str = "handoff/cache";
const FILE_NAME: &str = "last-change";

/// The first bytes of the last-change cache file.
const MAGIC: &[u8; 16] = b"handoff-lastchg\n";
/// Raised whenever the layout or the meaning of a field changes; other versions are ignored.
const VERSION: u32 = 1;
/// HEADs whose answers are kept, the newest first.
const MAX_HEADS: usize = 8;

/// Where last-change answers are kept between runs (or nowhere, when disabled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryCache {
    file: Option<PathBuf>,
}

/// How the cache served one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// The cache is off: everything was walked.
    Disabled,
    /// No cache file yet, or nothing committed: everything was walked.
    Empty,
    /// The file could not be trusted (the reason says why) and was ignored.
    Rejected(String),
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub written: Result<bool, String>,
}

/// [`super::last_changes`] through the repository's cache: same answers, same streaming of
/// each answer to `on_resolved` as soon as it is known.
pub fn last_changes_cached(
    repo: &Repository,
    specs: &[PathSpec],
    on_resolved: &mut dyn FnMut(usize, &History),
) -> Result<Vec<History>, FactsError> {
    HistoryCache::of(repo)
        .last_changes(repo, specs, on_resolved)
        .map(|changes| changes.histories)
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
    pub fn disabled() -> HistoryCache {
        HistoryCache { file: None }
    }

    /// The cache file, unless disabled.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The last change of each spec, as [`super::last_changes`] gives it, walking only what
    /// the cache does not answer, then storing the answers for HEAD.
    pub fn last_changes(
        &self,
        repo: &Repository,
        specs: &[PathSpec],
        on_resolved: &mut dyn FnMut(usize, &History),
    ) -> Result<CachedChanges, FactsError> {
        let head = history::head_commit(repo)?;
        let (Some(file), Some(head)) = (&self.file, head) else {
            let walk = history::walk_from(repo, head, specs, &[], on_resolved)?;
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

        let shallow = shallow_fingerprint(repo);
        let (stored, outcome) = match read(file, shallow) {
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

        let walk = history::walk_from(repo, Some(head), specs, &known, on_resolved)?;
        let everything_cached =
            matches!(outcome, CacheOutcome::SameHead) && walk.specs_from_known == specs.len();
        let written = if everything_cached {
            Ok(false)
        } else {
            let updated = stored.updated(head, specs, &walk.histories, shallow);
            cache_file::write(file, &encode(&updated)).map(|()| true)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The fingerprint of the shallow boundary the answers were computed under.
    shallow: u64,
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
        shallow: u64,
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

/// A fingerprint of `.git/shallow` (0 for a full clone): answers at the shallow boundary
/// change when the clone is deepened, so a cache from another boundary is not used.
pub(super) fn shallow_fingerprint(repo: &Repository) -> u64 {
    if !repo.is_shallow() {
        return 0;
    }
    let mut commits: Vec<String> = history::shallow_boundary(repo)
        .iter()
        .map(Oid::to_string)
        .collect();
    commits.sort_unstable();
    // Never 0, so that a shallow clone never matches a full one.
    cache_file::checksum(commits.join("\n").as_bytes()) | 1
}

// ---------------------------------------------------------------------------------------------
// The file format (all integers little-endian):
//
//   header   magic (16 bytes) · version u32 · payload length u64 · FNV-1a of the payload u64
//   payload  shallow fingerprint u64
//            commit count u32, then per commit:
//              id (20 bytes) · author time i64 (seconds) · author name · author email · summary
//            head count u32, then per HEAD:
//              id (20 bytes) · answer count u32, then per answer:
//                spec kind u8 (0 path, 1 glob) · spec text · answer u8 (0 changed, 1 never
//                committed, 2 beyond the shallow boundary) · commit number u32 (changed only)
//
// Strings are a u32 length and that many bytes of UTF-8.

const SPEC_EXACT: u8 = 0;
const SPEC_GLOB: u8 = 1;
const ANSWER_CHANGED: u8 = 0;
const ANSWER_NEVER_COMMITTED: u8 = 1;
const ANSWER_BEYOND_SHALLOW: u8 = 2;

/// Reads the cache: `Ok(None)` when there is no file, `Err` with the reason when it cannot be
/// trusted.
fn read(file: &Path, shallow: u64) -> Result<Option<Stored>, String> {
    let Some(bytes) = cache_file::read(file)? else {
        return Ok(None);
    };
    let stored = decode(&bytes)?;
    if stored.shallow != shallow {
        return Err("written for another shallow boundary".to_string());
    }
    Ok(Some(stored))
}

fn decode(bytes: &[u8]) -> Result<Stored, String> {
    let payload = cache_file::unseal(MAGIC, VERSION, bytes)?;
    let mut r = Reader::new(payload);
    let shallow = r.u64()?;
    let commit_count = r.count(20 + 8 + 12)?;
    let mut commits = Vec::with_capacity(commit_count);
    for _ in 0..commit_count {
        let id = r.oid()?;
        let seconds = r.i64()?;
        let author_name = r.string()?;
        let author_email = r.string()?;
        let summary = r.string()?;
        commits.push(LastChange {
            commit: id.to_string(),
            time: Timestamp::from_second(seconds)
                .map_err(|_| format!("commit {id} has an impossible time"))?,
            author_name,
            author_email,
            summary,
        });
    }
    let head_count = r.count(20 + 4)?;
    let mut heads = Vec::with_capacity(head_count);
    for _ in 0..head_count {
        let commit = r.oid()?;
        let answer_count = r.count(1 + 4 + 1)?;
        let mut answers = HashMap::with_capacity(answer_count);
        for _ in 0..answer_count {
            let kind = r.u8()?;
            let text = r.string()?;
            let spec = match kind {
                SPEC_EXACT => PathSpec::Exact(text),
                SPEC_GLOB => PathSpec::Glob(text),
                other => return Err(format!("unknown spec kind {other}")),
            };
            let answer = match r.u8()? {
                ANSWER_CHANGED => {
                    let number = r.u32()?;
                    if number as usize >= commits.len() {
                        return Err(format!("commit number {number} out of range"));
                    }
                    Answer::Changed(number)
                }
                ANSWER_NEVER_COMMITTED => Answer::NeverCommitted,
                ANSWER_BEYOND_SHALLOW => Answer::BeyondShallowBoundary,
                other => return Err(format!("unknown answer kind {other}")),
            };
            answers.insert(spec, answer);
        }
        heads.push(HeadAnswers { commit, answers });
    }
    if !r.is_empty() {
        return Err("trailing bytes".to_string());
    }
    Ok(Stored {
        shallow,
        commits,
        heads,
    })
}

fn encode(stored: &Stored) -> Vec<u8> {
    // Answers sorted and the commits they name renumbered in that order, leaving out those no
    // answer names any more: the same answers always make the same file.
    let heads: Vec<(Oid, Vec<(&PathSpec, Answer)>)> = stored
        .heads
        .iter()
        .map(|head| {
            let mut answers: Vec<(&PathSpec, Answer)> =
                head.answers.iter().map(|(s, a)| (s, *a)).collect();
            answers.sort_unstable_by(|a, b| a.0.cmp(b.0));
            (head.commit, answers)
        })
        .collect();
    let mut renumbered: HashMap<u32, u32> = HashMap::new();
    let mut commits: Vec<&LastChange> = Vec::new();
    for (_, answers) in &heads {
        for (_, answer) in answers {
            if let Answer::Changed(number) = answer
                && let Some(change) = stored.commits.get(*number as usize)
            {
                renumbered.entry(*number).or_insert_with(|| {
                    commits.push(change);
                    commits.len() as u32 - 1
                });
            }
        }
    }

    let mut w = Writer::default();
    w.u64(stored.shallow);
    w.u32(commits.len() as u32);
    for change in &commits {
        w.oid(&change.commit);
        w.i64(change.time.as_second());
        w.string(&change.author_name);
        w.string(&change.author_email);
        w.string(&change.summary);
    }
    w.u32(heads.len() as u32);
    for (commit, answers) in heads {
        w.bytes(commit.as_bytes());
        w.u32(answers.len() as u32);
        for (spec, answer) in answers {
            match spec {
                PathSpec::Exact(text) => {
                    w.u8(SPEC_EXACT);
                    w.string(text);
                }
                PathSpec::Glob(text) => {
                    w.u8(SPEC_GLOB);
                    w.string(text);
                }
            }
            match answer {
                Answer::Changed(number) => match renumbered.get(&number) {
                    Some(n) => {
                        w.u8(ANSWER_CHANGED);
                        w.u32(*n);
                    }
                    // A number naming no commit never comes from a walk; never stored as one.
                    None => w.u8(ANSWER_NEVER_COMMITTED),
                },
                Answer::NeverCommitted => w.u8(ANSWER_NEVER_COMMITTED),
                Answer::BeyondShallowBoundary => w.u8(ANSWER_BEYOND_SHALLOW),
            }
        }
    }
    cache_file::seal(MAGIC, VERSION, &w.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            7,
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
            7,
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
        let decoded = decode(&encode(&stored)).unwrap();
        assert_eq!(decoded.shallow, 7);
        assert_eq!(answers_of(&decoded), answers_of(&stored));
        assert_eq!(answers_of(&decoded)[0].1[0].1, change("c", "PRD v2"));
        assert_eq!(encode(&decoded), encode(&stored));
    }

    #[test]
    fn commits_no_answer_names_are_left_out() {
        // The newer HEAD replaces the older one's answers only for itself; drop the older HEAD
        // and its commits go with it.
        let mut stored = sample();
        stored.heads.truncate(1);
        let decoded = decode(&encode(&stored)).unwrap();
        assert_eq!(decoded.commits.len(), 1);
        assert_eq!(answers_of(&decoded), answers_of(&stored));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_rejected() {
        cache_file::assert_every_damage_rejected(&encode(&sample()), decode);
    }

    #[test]
    fn another_version_is_rejected_with_its_number() {
        let mut bytes = encode(&sample());
        bytes[16..20].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err(),
            "version 2, this handoff reads 1"
        );
    }

    #[test]
    fn huge_counts_in_a_well_checksummed_file_allocate_nothing() {
        // A payload claiming 4 billion commits, with a valid checksum.
        let mut payload = Vec::new();
        payload.extend_from_slice(&0u64.to_le_bytes());
        payload.extend_from_slice(&u32::MAX.to_le_bytes());
        let bytes = cache_file::seal(MAGIC, VERSION, &payload);
        assert_eq!(decode(&bytes).unwrap_err(), "truncated");
    }
}
