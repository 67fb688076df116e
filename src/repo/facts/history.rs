//! The last change of many paths in one history walk: for every path, the commit
//! `git log -1 --format=%H -- <path>` prints.
//!
//! Git's default history simplification makes each path follow a single chain from HEAD: at a
//! commit whose entry for the path equals the entry in some parent (TREESAME), the walk goes on
//! into the first such parent only; the first commit on the chain whose entry differs from
//! every parent is the answer (a root commit: when the path exists in it). So the answer does
//! not depend on the order commits are visited in, and many paths can share one walk: commits
//! are visited newest first by committer date (a priority queue, ties in insertion order, as in
//! git) so that paths travelling the same chains are compared together, one tree descent per
//! commit and parent for all of them.
//!
//! Entries are compared by object id and mode, and the descent enters only subtrees whose ids
//! differ and that hold a path still being resolved.
//!
//! Because the answer for a path depends only on the commit its chain has reached, answers
//! known at some commit (a cached HEAD, see [`super::cache`]) end a chain as soon as it reaches
//! that commit: a walk from a new HEAD then costs only the commits made since.

use std::cell::{OnceCell, RefCell};
use std::cmp::{Ordering, Reverse};
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use git2::{ErrorCode, ObjectType, Oid, Repository, Sort, Tree, TreeEntry};
use jiff::Timestamp;

use super::FactsError;
use crate::core::glob::PathGlob;
use crate::core::model::{History, LastChange};
use crate::repo::commit_graph::ChangedPathFilters;

/// A path whose last change is wanted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSpec {
    /// A repository-relative path, `/`-separated: a file, or a directory (any change beneath
    /// it counts). `""` is the whole tree.
    Exact(String),
    /// A repository-relative glob (see [`crate::core::model::Target::Glob`]): changed where the set
    /// of matching paths, or the content or mode of one of them, changed.
    Glob(String),
}

/// The last change of each spec, in the order given. `on_resolved(spec_index, history)` is
/// called as soon as a spec's answer is known, and once at the end for any still unresolved,
/// so a caller can show answers while the walk goes on.
///
/// A spec no commit reachable from HEAD touches (or an invalid glob) is
/// [`History::NeverCommitted`]; in a shallow clone, a spec whose answer lies at or beyond the
/// shallow boundary is [`History::BeyondShallowBoundary`].
pub fn last_changes(
    repo: &Repository,
    specs: &[PathSpec],
    on_resolved: &mut dyn FnMut(usize, &History),
) -> Result<Vec<History>, FactsError> {
    last_changes_with(repo, specs, Parallel::default(), on_resolved)
}

/// How a walk uses threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    /// Threads comparing commits, this one included (1: this one alone).
    pub threads: usize,
    /// Commits visited on this thread alone before the others start.
    pub after: usize,
}

impl Default for Parallel {
    /// [`walk_threads`] threads after [`PARALLEL_AFTER`] commits.
    fn default() -> Self {
        Parallel {
            threads: walk_threads(),
            after: PARALLEL_AFTER,
        }
    }
}

/// [`last_changes`] with threads as given (to measure and test the walk on each).
pub fn last_changes_with(
    repo: &Repository,
    specs: &[PathSpec],
    parallel: Parallel,
    on_resolved: &mut dyn FnMut(usize, &History),
) -> Result<Vec<History>, FactsError> {
    let head = head_commit(repo)?;
    Ok(walk_with(repo, head, specs, &[], parallel, on_resolved)?.histories)
}

/// Answers already known at one commit: `answers[spec]` is what `git log -1 -- <spec>` prints
/// when run at `commit`, where known.
pub(crate) struct KnownAt {
    pub commit: Oid,
    pub answers: Vec<Option<History>>,
}

/// What one walk found, and what it cost.
pub(crate) struct WalkOutcome {
    pub histories: Vec<History>,
    /// Commits whose trees were compared.
    pub commits_visited: usize,
    /// Specs answered by a [`KnownAt`] instead of by walking.
    pub specs_from_known: usize,
}

/// The commit HEAD points to; `None` on an unborn branch.
pub(crate) fn head_commit(repo: &Repository) -> Result<Option<Oid>, FactsError> {
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
            return Ok(None);
        }
        Err(e) => return Err(FactsError::git("reading HEAD")(e)),
    };
    let commit = head
        .peel_to_commit()
        .map_err(FactsError::git("reading HEAD's commit"))?;
    Ok(Some(commit.id()))
}

/// [`last_changes`] from a given commit (`None`: nothing was ever committed), ending each
/// path's chain at the first commit of `known` that has an answer for it.
pub(crate) fn walk_from(
    repo: &Repository,
    head: Option<Oid>,
    specs: &[PathSpec],
    known: &[KnownAt],
    on_resolved: &mut dyn FnMut(usize, &History),
) -> Result<WalkOutcome, FactsError> {
    walk_with(repo, head, specs, known, Parallel::default(), on_resolved)
}

fn walk_with(
    repo: &Repository,
    head: Option<Oid>,
    specs: &[PathSpec],
    known: &[KnownAt],
    parallel: Parallel,
    on_resolved: &mut dyn FnMut(usize, &History),
) -> Result<WalkOutcome, FactsError> {
    let targets = Targets::new(specs);
    let known = targets.known_by_key(known);
    let mut walk = Walk::new(repo, &targets, &known, on_resolved);
    if let Some(head) = head {
        walk.pass(head, (0..targets.key_count() as Key).collect())?;
    }
    walk.run(parallel)?;
    let commits_visited = walk.commits_visited;
    let keys_from_known = std::mem::take(&mut walk.keys_from_known);
    let by_key = walk.finish();
    let mut histories = vec![History::Pending; specs.len()];
    for (key, spec_indices) in targets.specs_of_key.iter().enumerate() {
        for &spec in spec_indices {
            histories[spec] = by_key[key].clone();
        }
    }
    let specs_from_known = keys_from_known
        .iter()
        .map(|&key| targets.specs_of_key[key as usize].len())
        .sum();
    Ok(WalkOutcome {
        histories,
        commits_visited,
        specs_from_known,
    })
}

/// Known answers by commit, then by key.
type KnownByKey = HashMap<Oid, Vec<Option<History>>>;

/// A dense number for each distinct path or glob: exact paths first, numbered in the order of
/// a depth-first walk of their components (so every directory's paths form a contiguous
/// range), then globs.
type Key = u32;

struct Targets {
    root: TrieNode,
    exact_count: Key,
    /// Globs by `key - exact_count`; `None` for a spec that can match nothing: an invalid
    /// glob, or a path with a NUL byte (which no tree entry has, and libgit2 cannot look up).
    globs: Vec<Option<PathGlob>>,
    specs_of_key: Vec<Vec<usize>>,
    /// The path of each exact key (`key < exact_count`), as a changed-path filter is asked.
    exact_paths: Vec<String>,
}

/// One path component of the exact paths being resolved.
#[derive(Default)]
struct TrieNode {
    name: Vec<u8>,
    /// Set when a spec names exactly this path.
    key: Option<Key>,
    /// Sorted by name.
    children: Vec<TrieNode>,
    /// The keys of this node and everything beneath it: `first..end`.
    first: Key,
    end: Key,
}

impl Targets {
    fn new(specs: &[PathSpec]) -> Targets {
        let mut exact: Vec<(Vec<Vec<u8>>, usize)> = Vec::new();
        let mut glob_patterns: Vec<(&str, usize)> = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            match spec {
                PathSpec::Exact(path) if !path.contains('\0') => {
                    exact.push((components(path), index));
                }
                // Matches nothing, like an invalid glob.
                PathSpec::Exact(path) => glob_patterns.push((path, index)),
                PathSpec::Glob(pattern) => glob_patterns.push((pattern, index)),
            }
        }
        exact.sort();

        let mut root = TrieNode::default();
        let mut specs_of_key: Vec<Vec<usize>> = Vec::new();
        let mut exact_paths = Vec::new();
        let mut previous: Option<&Vec<Vec<u8>>> = None;
        for (path, spec) in &exact {
            if previous == Some(path) {
                if let Some(last) = specs_of_key.last_mut() {
                    last.push(*spec);
                }
                continue;
            }
            previous = Some(path);
            let key = specs_of_key.len() as Key;
            specs_of_key.push(vec![*spec]);
            exact_paths.push(
                path.iter()
                    .map(|c| String::from_utf8_lossy(c))
                    .collect::<Vec<_>>()
                    .join("/"),
            );
            let mut node = &mut root;
            for name in path {
                // Paths arrive sorted, so a new child always belongs at the end.
                if node.children.last().is_none_or(|c| &c.name != name) {
                    node.children.push(TrieNode {
                        name: name.clone(),
                        ..TrieNode::default()
                    });
                }
                let last = node.children.len() - 1;
                node = &mut node.children[last];
            }
            node.key = Some(key);
        }
        let exact_count = specs_of_key.len() as Key;
        root.number(0);

        glob_patterns.sort();
        let mut globs = Vec::new();
        let mut previous: Option<&str> = None;
        for (pattern, spec) in glob_patterns {
            if previous == Some(pattern) {
                if let Some(last) = specs_of_key.last_mut() {
                    last.push(spec);
                }
                continue;
            }
            previous = Some(pattern);
            globs.push(PathGlob::new(pattern).ok());
            specs_of_key.push(vec![spec]);
        }

        Targets {
            root,
            exact_count,
            globs,
            specs_of_key,
            exact_paths,
        }
    }

    fn key_count(&self) -> usize {
        self.specs_of_key.len()
    }

    /// Known answers rekeyed: a key is known at a commit when one of its specs is (the specs
    /// of a key are the same path, so they share an answer). The first entry for a commit
    /// wins.
    fn known_by_key(&self, known: &[KnownAt]) -> KnownByKey {
        let mut by_key = KnownByKey::new();
        for at in known {
            let Entry::Vacant(vacant) = by_key.entry(at.commit) else {
                continue;
            };
            let answers: Vec<Option<History>> = self
                .specs_of_key
                .iter()
                .map(|specs| {
                    specs
                        .iter()
                        .find_map(|&spec| at.answers.get(spec).cloned().flatten())
                })
                .collect();
            if answers.iter().any(Option::is_some) {
                vacant.insert(answers);
            }
        }
        by_key
    }
}

impl TrieNode {
    /// Records the key range of every node; keys were handed out in depth-first order.
    fn number(&mut self, next: Key) -> Key {
        self.first = self.key.unwrap_or(next);
        let mut end = self.key.map_or(next, |k| k + 1);
        for child in &mut self.children {
            end = child.number(end);
        }
        self.end = end;
        end
    }
}

/// A path's components, ignoring empty and `.` ones (`docs/./a/` is `docs/a`).
fn components(path: &str) -> Vec<Vec<u8>> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(|c| c.as_bytes().to_vec())
        .collect()
}

/// What the walk needs of a commit.
#[derive(Clone)]
struct CommitNode {
    tree: Oid,
    parents: Vec<Oid>,
    committer_time: i64,
}

/// A commit waiting in the queue with the keys that reached it.
#[derive(PartialEq, Eq)]
struct Queued {
    committer_time: i64,
    order: Reverse<u64>,
    commit: Oid,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.committer_time, self.order).cmp(&(other.committer_time, other.order))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct Walk<'a, 'r> {
    comparer: Comparer<'a, 'r>,
    targets: &'a Targets,
    known: &'a KnownByKey,
    on_resolved: &'a mut dyn FnMut(usize, &History),
    commits: HashMap<Oid, CommitNode>,
    queue: BinaryHeap<Queued>,
    /// The keys carried by each queued commit, sorted. A key is in at most one of these sets:
    /// it follows a single chain.
    waiting: HashMap<Oid, Vec<Key>>,
    inserted: u64,
    /// Whether the repository is a shallow clone (libgit2 checks the file system each time).
    shallow: bool,
    shallow_boundary: HashSet<Oid>,
    results: Vec<History>,
    unresolved: usize,
    commits_visited: usize,
    keys_from_known: Vec<Key>,
}

impl<'a, 'r> Walk<'a, 'r> {
    fn new(
        repo: &'r Repository,
        targets: &'a Targets,
        known: &'a KnownByKey,
        on_resolved: &'a mut dyn FnMut(usize, &History),
    ) -> Self {
        let shallow = repo.is_shallow();
        Walk {
            comparer: Comparer::new(repo, targets, shallow),
            targets,
            known,
            on_resolved,
            commits: HashMap::new(),
            queue: BinaryHeap::new(),
            waiting: HashMap::new(),
            inserted: 0,
            shallow,
            shallow_boundary: shallow_boundary(repo),
            results: vec![History::Pending; targets.key_count()],
            unresolved: targets.key_count(),
            commits_visited: 0,
            keys_from_known: Vec::new(),
        }
    }

    /// Visits queued commits until every key is resolved: on this thread alone for the first
    /// `parallel.after` commits (most walks end sooner: a warm start, a rename followed),
    /// then with `parallel.threads - 1` more comparing the commits ahead (see [`Ahead`]).
    fn run(&mut self, parallel: Parallel) -> Result<(), FactsError> {
        while self.unresolved > 0 {
            if parallel.threads > 1 && !self.shallow && self.commits_visited == parallel.after {
                return self.run_parallel(parallel.threads);
            }
            let Some((commit, keys)) = self.next_queued() else {
                break;
            };
            self.visit(commit, keys, None)?;
        }
        Ok(())
    }

    fn next_queued(&mut self) -> Option<(Oid, Vec<Key>)> {
        loop {
            let next = self.queue.pop()?;
            if let Some(keys) = self.waiting.remove(&next.commit) {
                return Some((next.commit, keys));
            }
        }
    }

    /// The rest of [`Walk::run`] with helpers: a lister thread that lists the commits ahead of
    /// the queue (a rev-walk from the queued commits, newest first) and workers, each with a
    /// repository of its own, that compare them for every key still unresolved. This thread
    /// still decides everything, in the same order, from those comparisons: the answers are
    /// the sequential walk's.
    fn run_parallel(&mut self, threads: usize) -> Result<(), FactsError> {
        let path = self.comparer.repo.path().to_path_buf();
        let starts: Vec<Oid> = self.waiting.keys().copied().collect();
        let ahead = Ahead::new(self.unresolved_keys(), threads);
        let targets = self.targets;
        let filters = self.comparer.filters();
        std::thread::scope(|scope| {
            let ahead = &ahead;
            let path = &path;
            scope.spawn(move || {
                if let Ok(repo) = Repository::open(path) {
                    list_ahead(&repo, &starts, ahead);
                }
                ahead.listing_done();
            });
            for _ in 1..threads {
                let filters = filters.clone();
                scope.spawn(move || {
                    if let Ok(repo) = Repository::open(path) {
                        let comparer = Comparer::with_filters(&repo, targets, filters);
                        while let Some((batch, keys)) = ahead.claim() {
                            for commit in batch {
                                // A panic here would leave the walk waiting for this commit:
                                // it is a failed comparison, which the walk makes again itself.
                                let compared = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                    comparer.compare(commit, &keys)
                                }))
                                .ok()
                                .and_then(Result::ok);
                                if !ahead.done(commit, compared) {
                                    break;
                                }
                            }
                        }
                    }
                });
            }
            // Workers stop when the walk does, however it ends.
            let _finish = FinishOnDrop(ahead);
            while self.unresolved > 0 {
                let Some((commit, keys)) = self.next_queued() else {
                    break;
                };
                self.visit(commit, keys, Some(ahead))?;
                if ahead.retire_due(self.unresolved) {
                    ahead.retire(self.unresolved_keys());
                }
            }
            Ok(())
        })
    }

    fn unresolved_keys(&self) -> Vec<Key> {
        (0..self.results.len() as Key)
            .filter(|&key| self.results[key as usize] == History::Pending)
            .collect()
    }

    /// Keys never resolved (nothing reachable touched them) are `NeverCommitted`.
    fn finish(mut self) -> Vec<History> {
        for key in 0..self.results.len() {
            if self.results[key] == History::Pending {
                self.resolve(key as Key, History::NeverCommitted);
            }
        }
        self.results
    }

    /// Decides the keys that reached `commit`: each passes on to the first parent it is the
    /// same in, or is resolved here. The comparison comes from a worker when one made it.
    fn visit(
        &mut self,
        commit: Oid,
        keys: Vec<Key>,
        ahead: Option<&Ahead>,
    ) -> Result<(), FactsError> {
        self.commits_visited += 1;
        if self.shallow_boundary.contains(&commit) {
            self.resolve_all(&keys, History::BeyondShallowBoundary);
            return Ok(());
        }
        let compared = match ahead {
            Some(ahead) => ahead.take(commit, &self.comparer, || {
                self.comparer.compare(commit, &keys)
            })?,
            None => self.comparer.compare(commit, &keys)?,
        };
        for (id, node) in compared.nodes {
            self.commits.entry(id).or_insert(node);
        }
        let parents = self.commit(commit)?.parents.clone();
        match compared.comparison {
            Comparison::Root { present } => {
                // A root commit changed every path it has; the others were never committed on
                // this chain.
                let present = intersection(&keys, &present);
                let absent = difference(&keys, &present);
                self.resolve_at(commit, &present)?;
                self.resolve_all(&absent, History::NeverCommitted);
            }
            Comparison::Parents { differ, missing } => {
                let mut undecided = keys;
                for (at, parent) in parents.into_iter().enumerate() {
                    if missing == Some(at) {
                        // A parent missing from a shallow clone: the boundary, whatever the
                        // shallow file says.
                        self.resolve_all(&undecided, History::BeyondShallowBoundary);
                        return Ok(());
                    }
                    let differs = differ
                        .get(at)
                        .map_or_else(Vec::new, |d| intersection(&undecided, d));
                    let same = difference(&undecided, &differs);
                    self.pass(parent, same)?;
                    undecided = differs;
                    if undecided.is_empty() {
                        return Ok(());
                    }
                }
                self.resolve_at(commit, &undecided)?;
            }
        }
        Ok(())
    }

    /// Hands keys on to a commit (HEAD, or a parent), joining its queue entry if it has one.
    /// A key whose answer is known at that commit is resolved with it instead.
    fn pass(&mut self, commit: Oid, mut keys: Vec<Key>) -> Result<(), FactsError> {
        let known: &'a KnownByKey = self.known;
        if let Some(answers) = known.get(&commit) {
            keys.retain(|&key| match &answers[key as usize] {
                Some(history) => {
                    if self.results[key as usize] == History::Pending {
                        self.keys_from_known.push(key);
                    }
                    self.resolve(key, history.clone());
                    false
                }
                None => true,
            });
        }
        if keys.is_empty() {
            return Ok(());
        }
        match self.waiting.entry(commit) {
            Entry::Occupied(mut waiting) => {
                let merged = union(waiting.get(), &keys);
                waiting.insert(merged);
            }
            Entry::Vacant(vacant) => {
                vacant.insert(keys);
                let committer_time = self.commit(commit)?.committer_time;
                self.inserted += 1;
                self.queue.push(Queued {
                    committer_time,
                    order: Reverse(self.inserted),
                    commit,
                });
            }
        }
        Ok(())
    }

    fn commit(&mut self, id: Oid) -> Result<&CommitNode, FactsError> {
        match self.commits.entry(id) {
            Entry::Occupied(node) => Ok(node.into_mut()),
            Entry::Vacant(vacant) => Ok(vacant.insert(self.comparer.commit(id)?)),
        }
    }

    fn resolve_at(&mut self, commit: Oid, keys: &[Key]) -> Result<(), FactsError> {
        if keys.is_empty() {
            return Ok(());
        }
        let commit = self
            .comparer
            .repo
            .find_commit(commit)
            .map_err(FactsError::git(format!("reading commit {commit}")))?;
        self.resolve_all(keys, History::Changed(last_change_of(&commit)));
        Ok(())
    }

    fn resolve_all(&mut self, keys: &[Key], history: History) {
        for &key in keys {
            self.resolve(key, history.clone());
        }
    }

    fn resolve(&mut self, key: Key, history: History) {
        // Each key travels one chain and is resolved once; the check keeps a malformed history
        // from reporting a key twice.
        if self.results[key as usize] != History::Pending {
            return;
        }
        for &spec in &self.targets.specs_of_key[key as usize] {
            (self.on_resolved)(spec, &history);
        }
        self.results[key as usize] = history;
        self.unresolved -= 1;
    }
}

/// What comparing a commit with its parents found, for some keys.
enum Comparison {
    /// A root commit: the keys its tree has.
    Root { present: Vec<Key> },
    /// For each parent in order, the keys that differ from it among those that differed from
    /// every parent before it (for the first parent, among those its changed-path filter does
    /// not rule out); a parent left out means none. `missing`: the parent a shallow clone
    /// lacks, where the comparison stopped.
    Parents {
        differ: Vec<Vec<Key>>,
        missing: Option<usize>,
    },
}

/// A [`Comparison`] and the commits read for it (the commit, then its parents).
struct Compared {
    comparison: Comparison,
    nodes: Vec<(Oid, CommitNode)>,
}

/// Compares commits with their parents along the paths being resolved, through one
/// repository handle (a thread's own).
struct Comparer<'a, 'r> {
    repo: &'r Repository,
    targets: &'a Targets,
    /// Whether to stop at a missing parent rather than fail, and not to trust filters.
    shallow: bool,
    /// git's changed-path Bloom filters, asked for at the first comparison (`None` inside:
    /// none here); read once per run, not once per walk.
    filters: OnceCell<Option<Arc<ChangedPathFilters>>>,
    recent: RefCell<RecentTrees<'r>>,
}

/// The trees the last few comparisons read: a commit's trees are read again as its child's
/// parent's, so these are the ones that will be asked for next. libgit2's own object cache is
/// kept small ([`super::tune_libgit2`]), so memory follows the paths being resolved rather
/// than the history.
struct RecentTrees<'r> {
    trees: HashMap<Oid, (Tree<'r>, u64)>,
    /// Comparisons started, the age of each tree.
    generation: u64,
}

/// Trees read by comparisons older than this many are let go.
const RECENT_GENERATIONS: u64 = 3;

impl<'a, 'r> Comparer<'a, 'r> {
    fn new(repo: &'r Repository, targets: &'a Targets, shallow: bool) -> Self {
        Comparer {
            repo,
            targets,
            shallow,
            filters: OnceCell::new(),
            recent: RefCell::new(RecentTrees {
                trees: HashMap::new(),
                generation: 0,
            }),
        }
    }

    /// A comparer for a worker (never in a shallow clone), with the filters already read.
    fn with_filters(
        repo: &'r Repository,
        targets: &'a Targets,
        filters: Option<Arc<ChangedPathFilters>>,
    ) -> Self {
        let comparer = Comparer::new(repo, targets, false);
        let _ = comparer.filters.set(filters);
        comparer
    }

    fn filters(&self) -> Option<Arc<ChangedPathFilters>> {
        self.filters
            .get_or_init(|| ChangedPathFilters::shared(self.repo.commondir()))
            .clone()
    }

    fn commit(&self, id: Oid) -> Result<CommitNode, FactsError> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(FactsError::git(format!("reading commit {id}")))?;
        Ok(CommitNode {
            tree: commit.tree_id(),
            parents: commit.parent_ids().collect(),
            committer_time: commit.time().seconds(),
        })
    }

    /// Compares `commit` with its parents for `keys` (sorted), as [`Walk::visit`] decides
    /// them: against each parent in turn only the keys that differed from every parent before.
    fn compare(&self, commit: Oid, keys: &[Key]) -> Result<Compared, FactsError> {
        self.recent.borrow_mut().next_generation();
        let node = self.commit(commit)?;
        let tree_id = node.tree;
        let parents = node.parents.clone();
        let mut nodes = vec![(commit, node)];
        if parents.is_empty() {
            let tree = self.tree(tree_id)?;
            let mut present = Vec::new();
            self.differing(&tree, None, keys, &mut present)?;
            return Ok(Compared {
                comparison: Comparison::Root { present },
                nodes,
            });
        }
        // In a shallow clone a parent may be missing: the comparison stops there.
        let mut undecided = if self.shallow {
            keys.to_vec()
        } else {
            self.maybe_changed(commit, keys)
        };
        let mut differ = Vec::new();
        let mut missing = None;
        let mut tree = None;
        for (at, &parent) in parents.iter().enumerate() {
            if undecided.is_empty() {
                break;
            }
            let parent_node = match self.commit(parent) {
                Ok(node) => node,
                Err(_) if self.shallow => {
                    missing = Some(at);
                    break;
                }
                Err(e) => return Err(e),
            };
            let parent_tree = self.tree(parent_node.tree)?;
            nodes.push((parent, parent_node));
            let tree = match &tree {
                Some(tree) => tree,
                None => tree.insert(self.tree(tree_id)?),
            };
            let mut differs = Vec::new();
            self.differing(tree, Some(&parent_tree), &undecided, &mut differs)?;
            undecided = differs.clone();
            differ.push(differs);
        }
        Ok(Compared {
            comparison: Comparison::Parents { differ, missing },
            nodes,
        })
    }

    /// The keys among `keys` the commit's changed-path filter does not rule out against its
    /// first parent: those need the trees compared. Only exact paths are asked; globs and the
    /// whole tree always need the trees.
    fn maybe_changed(&self, commit: Oid, keys: &[Key]) -> Vec<Key> {
        let Some(filters) = self.filters() else {
            return keys.to_vec();
        };
        let targets = self.targets;
        keys.iter()
            .copied()
            .filter(|&key| {
                !targets
                    .exact_paths
                    .get(key as usize)
                    .filter(|path| !path.is_empty())
                    .is_some_and(|path| {
                        filters.may_have_changed(commit.as_bytes(), path) == Some(false)
                    })
            })
            .collect()
    }

    /// The keys among `keys` (sorted) whose entries differ between `ours` and `theirs` (a
    /// missing tree has no entries), in ascending order.
    fn differing(
        &self,
        ours: &Tree<'r>,
        theirs: Option<&Tree<'r>>,
        keys: &[Key],
        out: &mut Vec<Key>,
    ) -> Result<(), FactsError> {
        if theirs.is_some_and(|t| t.id() == ours.id()) {
            return Ok(());
        }
        let split = keys.partition_point(|&k| k < self.targets.exact_count);
        let (exact, globs) = keys.split_at(split);
        let mut exact = exact;
        // The whole tree changed unless it is the same, or a root commit's empty tree.
        let whole_tree_changed = theirs.is_some() || !ours.is_empty();
        if let Some(root_key) = self.targets.root.key
            && exact.first() == Some(&root_key)
        {
            if whole_tree_changed {
                out.push(root_key);
            }
            exact = &exact[1..];
        }
        self.differing_below(&self.targets.root, Some(ours), theirs, exact, out)?;
        for &key in globs {
            let index = (key - self.targets.exact_count) as usize;
            if let Some(glob) = &self.targets.globs[index]
                && self.glob_differs(glob, ours, theirs)?
            {
                out.push(key);
            }
        }
        Ok(())
    }

    /// `differing` for the exact paths beneath one trie node, given the node's trees.
    fn differing_below(
        &self,
        node: &TrieNode,
        ours: Option<&Tree<'r>>,
        theirs: Option<&Tree<'r>>,
        mut keys: &[Key],
        out: &mut Vec<Key>,
    ) -> Result<(), FactsError> {
        while let Some(&next) = keys.first() {
            let child = &node.children[node.children.partition_point(|c| c.end <= next)];
            let (here, rest) = keys.split_at(keys.partition_point(|&k| k < child.end));
            keys = rest;
            let our_entry = ours.and_then(|t| t.get_name_bytes(&child.name));
            let their_entry = theirs.and_then(|t| t.get_name_bytes(&child.name));
            if entry_identity(our_entry.as_ref()) != entry_identity(their_entry.as_ref()) {
                self.child_differs(child, here, our_entry.as_ref(), their_entry.as_ref(), out)?;
            }
        }
        Ok(())
    }

    /// `differing` for the keys of one trie child whose entries differ.
    fn child_differs(
        &self,
        child: &TrieNode,
        keys: &[Key],
        our_entry: Option<&TreeEntry<'_>>,
        their_entry: Option<&TreeEntry<'_>>,
        out: &mut Vec<Key>,
    ) -> Result<(), FactsError> {
        let mut below = keys;
        if let Some(&first) = keys.first()
            && child.key == Some(first)
        {
            out.push(first);
            below = &keys[1..];
        }
        if below.is_empty() {
            return Ok(());
        }
        let our_subtree = self.subtree(our_entry)?;
        let their_subtree = self.subtree(their_entry)?;
        self.differing_below(
            child,
            our_subtree.as_ref(),
            their_subtree.as_ref(),
            below,
            out,
        )
    }

    /// Whether the set of (path, mode, id) of the entries a glob matches differs.
    fn glob_differs(
        &self,
        glob: &PathGlob,
        ours: &Tree<'r>,
        theirs: Option<&Tree<'r>>,
    ) -> Result<bool, FactsError> {
        let dir = glob.literal_dir();
        let Some((our_dir, their_dir)) = self.literal_dirs(ours, theirs, dir)? else {
            return Ok(false);
        };
        let mut base = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.matches_differ(glob, &mut base, our_dir.as_ref(), their_dir.as_ref())
    }

    /// The trees at a `/`-separated directory path on both sides (`None` where it is not a
    /// directory), or `None` when they are certainly the same: both sides are descended
    /// together and stop at the first entry on the way that is the same object on both, which
    /// for a glob under a directory no commit touched is the first lookup.
    #[allow(clippy::type_complexity)]
    fn literal_dirs(
        &self,
        ours: &Tree<'r>,
        theirs: Option<&Tree<'r>>,
        dir: &str,
    ) -> Result<Option<(Option<Tree<'r>>, Option<Tree<'r>>)>, FactsError> {
        let mut our_dir = Some(ours.clone());
        let mut their_dir = theirs.cloned();
        for name in dir.split('/').filter(|c| !c.is_empty()) {
            let (next_ours, next_theirs) = {
                let our_entry = our_dir.as_ref().and_then(|t| t.get_name(name));
                let their_entry = their_dir.as_ref().and_then(|t| t.get_name(name));
                if theirs.is_some()
                    && entry_identity(our_entry.as_ref()) == entry_identity(their_entry.as_ref())
                {
                    return Ok(None);
                }
                (
                    self.subtree(our_entry.as_ref())?,
                    self.subtree(their_entry.as_ref())?,
                )
            };
            our_dir = next_ours;
            their_dir = next_theirs;
        }
        Ok(Some((our_dir, their_dir)))
    }

    /// Compares two directories (at path `base`, ending in `/` or empty) under a glob.
    fn matches_differ(
        &self,
        glob: &PathGlob,
        base: &mut String,
        ours: Option<&Tree<'r>>,
        theirs: Option<&Tree<'r>>,
    ) -> Result<bool, FactsError> {
        if let (Some(o), Some(t)) = (ours, theirs)
            && o.id() == t.id()
        {
            return Ok(false);
        }
        if let Some(ours) = ours {
            for entry in ours.iter() {
                let counterpart = theirs.and_then(|t| t.get_name_bytes(entry.name_bytes()));
                if entry_identity(Some(&entry)) != entry_identity(counterpart.as_ref())
                    && self.entry_pair_differs(glob, base, &entry, counterpart.as_ref())?
                {
                    return Ok(true);
                }
            }
        }
        if let Some(theirs) = theirs {
            for entry in theirs.iter() {
                let only_theirs =
                    ours.is_none_or(|o| o.get_name_bytes(entry.name_bytes()).is_none());
                if only_theirs && self.entry_pair_differs(glob, base, &entry, None)? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Whether two differing entries named alike in directory `base` make a glob's matches
    /// differ: a file matching on either side, or a difference beneath a directory.
    fn entry_pair_differs(
        &self,
        glob: &PathGlob,
        base: &mut String,
        entry: &TreeEntry<'_>,
        counterpart: Option<&TreeEntry<'_>>,
    ) -> Result<bool, FactsError> {
        let length = base.len();
        base.push_str(&String::from_utf8_lossy(entry.name_bytes()));
        let is_file =
            |e: Option<&TreeEntry<'_>>| e.is_some_and(|e| e.kind() != Some(ObjectType::Tree));
        let mut differs = (is_file(Some(entry)) || is_file(counterpart)) && glob.is_match(base);
        if !differs {
            let our_subtree = self.subtree(Some(entry))?;
            let their_subtree = self.subtree(counterpart)?;
            if our_subtree.is_some() || their_subtree.is_some() {
                base.push('/');
                differs =
                    self.matches_differ(glob, base, our_subtree.as_ref(), their_subtree.as_ref())?;
            }
        }
        base.truncate(length);
        Ok(differs)
    }

    fn subtree(&self, entry: Option<&TreeEntry<'_>>) -> Result<Option<Tree<'r>>, FactsError> {
        match entry {
            Some(entry) if entry.kind() == Some(ObjectType::Tree) => {
                self.tree(entry.id()).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// A tree, from the recent ones when a comparison just read it.
    fn tree(&self, id: Oid) -> Result<Tree<'r>, FactsError> {
        let mut recent = self.recent.borrow_mut();
        let generation = recent.generation;
        if let Some((tree, used)) = recent.trees.get_mut(&id) {
            *used = generation;
            return Ok(tree.clone());
        }
        let tree = self
            .repo
            .find_tree(id)
            .map_err(FactsError::git(format!("reading tree {id}")))?;
        recent.trees.insert(id, (tree.clone(), generation));
        Ok(tree)
    }
}

impl RecentTrees<'_> {
    /// Starts a comparison, letting go of the trees no recent one used.
    fn next_generation(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        self.trees
            .retain(|_, (_, used)| *used + RECENT_GENERATIONS > generation);
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing the commits ahead of the walk on other threads.

/// Commits a walk visits on its own thread before it starts helpers: most walks end sooner
/// (a warm start, a rename followed), and a thread costs a repository opened.
const PARALLEL_AFTER: usize = 256;

/// Consecutive listed commits a worker claims at once: a commit's parent is usually the next
/// one listed, so the worker reads the trees they share once.
const BATCH: usize = 16;

/// How many listed commits the workers may run ahead of the walk, per thread: enough to keep
/// them busy, little to throw away when the walk ends.
const AHEAD_PER_THREAD: usize = 8 * BATCH;

/// The number of threads a history walk uses: `HANDOFF_THREADS` when it is a positive number,
/// else one per core.
pub fn walk_threads() -> usize {
    std::env::var("HANDOFF_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// The commits ahead of a walk and what workers found comparing them. Workers claim listed
/// commits in order (a batch at a time, at most a window ahead of the walk) and compare each
/// for every key still unresolved when they claimed it: a superset of the keys that will
/// reach it, since a resolved key never travels again. Whether a key's entry differs is a
/// fact of the key alone, so the walk takes the comparison of the keys it holds from it.
struct Ahead {
    state: Mutex<AheadState>,
    changed: Condvar,
    window: usize,
    /// How many keys `state.active` holds, read without the lock.
    active_len: AtomicUsize,
}

struct AheadState {
    /// Commits newest first, as the lister found them, and where each is in that list.
    listed: Vec<Oid>,
    position: HashMap<Oid, usize>,
    /// The first listed commit not claimed yet.
    next: usize,
    listing_done: bool,
    slots: HashMap<Oid, Slot>,
    /// One past the furthest listed commit the walk has visited.
    progress: usize,
    finished: bool,
    /// The keys unresolved when last counted.
    active: Arc<Vec<Key>>,
}

enum Slot {
    /// A worker is comparing it.
    Working,
    /// Compared (`None`: it failed; the walk compares it again, to report the error itself).
    Done(Option<Compared>),
    /// The walk compares it itself.
    Taken,
}

/// Claims of commits listed ahead of the walk: `(commits, the keys to compare them for)`.
type Claim = (Vec<Oid>, Arc<Vec<Key>>);

impl Ahead {
    fn new(active: Vec<Key>, threads: usize) -> Ahead {
        Ahead {
            active_len: AtomicUsize::new(active.len()),
            state: Mutex::new(AheadState {
                listed: Vec::new(),
                position: HashMap::new(),
                next: 0,
                listing_done: false,
                slots: HashMap::new(),
                progress: 0,
                finished: false,
                active: Arc::new(active),
            }),
            changed: Condvar::new(),
            window: AHEAD_PER_THREAD * threads,
        }
    }

    fn lock(&self) -> MutexGuard<'_, AheadState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, AheadState>) -> MutexGuard<'g, AheadState> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Adds listed commits; waits while the list is far ahead of the walk. `false` once the
    /// walk has ended.
    fn list(&self, commits: Vec<Oid>) -> bool {
        let mut state = self.lock();
        while !state.finished && state.listed.len() >= state.progress + 4 * self.window {
            state = self.wait(state);
        }
        if state.finished {
            return false;
        }
        for commit in commits {
            let at = state.listed.len();
            state.position.entry(commit).or_insert(at);
            state.listed.push(commit);
        }
        self.changed.notify_all();
        true
    }

    fn listing_done(&self) {
        self.lock().listing_done = true;
        self.changed.notify_all();
    }

    /// The next commits for a worker; `None` when there will be none.
    fn claim(&self) -> Option<Claim> {
        let mut state = self.lock();
        loop {
            if state.finished {
                return None;
            }
            if let Some(claim) = state.claim_batch(self.window) {
                return Some(claim);
            }
            if state.listing_done && state.next >= state.listed.len() {
                return None;
            }
            state = self.wait(state);
        }
    }

    /// Stores a worker's comparison; `false` once the walk has ended.
    fn done(&self, commit: Oid, compared: Option<Compared>) -> bool {
        let mut state = self.lock();
        if state.finished {
            return false;
        }
        state.slots.insert(commit, Slot::Done(compared));
        self.changed.notify_all();
        true
    }

    /// The comparison of `commit`: a worker's, waiting for it (and comparing other claimed
    /// commits meanwhile) while one is at work on it, else `own()`.
    fn take(
        &self,
        commit: Oid,
        comparer: &Comparer<'_, '_>,
        own: impl FnOnce() -> Result<Compared, FactsError>,
    ) -> Result<Compared, FactsError> {
        let mut state = self.lock();
        loop {
            match state.slots.remove(&commit) {
                Some(Slot::Done(Some(compared))) => {
                    state.advance(commit);
                    self.changed.notify_all();
                    return Ok(compared);
                }
                Some(Slot::Working) => {
                    state.slots.insert(commit, Slot::Working);
                    match state.claim_batch(self.window) {
                        Some((batch, keys)) => {
                            drop(state);
                            for claimed in batch {
                                let compared = comparer.compare(claimed, &keys);
                                self.lock().slots.insert(claimed, Slot::Done(compared.ok()));
                            }
                            state = self.lock();
                        }
                        None => state = self.wait(state),
                    }
                }
                _ => {
                    state.slots.insert(commit, Slot::Taken);
                    state.advance(commit);
                    self.changed.notify_all();
                    drop(state);
                    return own();
                }
            }
        }
    }

    /// Whether enough keys were resolved since they were last counted to count again.
    fn retire_due(&self, unresolved: usize) -> bool {
        let active = self.active_len.load(AtomicOrdering::Relaxed);
        active - unresolved.min(active) > active / 8
    }

    /// The keys still unresolved: workers compare only these from now on.
    fn retire(&self, unresolved: Vec<Key>) {
        self.active_len
            .store(unresolved.len(), AtomicOrdering::Relaxed);
        self.lock().active = Arc::new(unresolved);
    }

    fn finish(&self) {
        self.lock().finished = true;
        self.changed.notify_all();
    }
}

impl AheadState {
    fn claim_batch(&mut self, window: usize) -> Option<Claim> {
        let mut batch = Vec::new();
        while batch.len() < BATCH
            && self.next < self.listed.len()
            && self.next < self.progress + window
        {
            let commit = self.listed[self.next];
            self.next += 1;
            if let Entry::Vacant(slot) = self.slots.entry(commit) {
                slot.insert(Slot::Working);
                batch.push(commit);
            }
        }
        (!batch.is_empty()).then(|| (batch, self.active.clone()))
    }

    fn advance(&mut self, commit: Oid) {
        if let Some(&at) = self.position.get(&commit) {
            self.progress = self.progress.max(at + 1);
        }
    }
}

/// Ends the workers and the lister when the walk ends, by an error too.
struct FinishOnDrop<'a>(&'a Ahead);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Lists the ancestors of `starts`, newest first, into `ahead` until the walk ends.
fn list_ahead(repo: &Repository, starts: &[Oid], ahead: &Ahead) {
    let Ok(mut walk) = repo.revwalk() else {
        return;
    };
    if walk.set_sorting(Sort::TIME).is_err() {
        return;
    }
    for &start in starts {
        if walk.push(start).is_err() {
            return;
        }
    }
    let mut batch = Vec::with_capacity(BATCH);
    for commit in walk {
        let Ok(commit) = commit else { break };
        batch.push(commit);
        if batch.len() == BATCH && !ahead.list(std::mem::take(&mut batch)) {
            return;
        }
    }
    ahead.list(batch);
}

/// What makes two tree entries the same for git's history simplification.
fn entry_identity(entry: Option<&TreeEntry<'_>>) -> Option<(Oid, i32)> {
    entry.map(|e| (e.id(), e.filemode()))
}

/// A commit as a last change: id, author time, author, summary line.
pub(crate) fn last_change_of(commit: &git2::Commit) -> LastChange {
    let author = commit.author();
    LastChange {
        commit: commit.id().to_string(),
        time: Timestamp::from_second(author.when().seconds()).unwrap_or(Timestamp::UNIX_EPOCH),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
    }
}

/// The commits of `.git/shallow` (shared by every worktree): their parents are not in this
/// clone. Empty for a complete clone.
pub(crate) fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.commondir().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}

/// `all` without `some`; both sorted, `some` a subset of `all`.
fn difference(all: &[Key], some: &[Key]) -> Vec<Key> {
    let mut some = some.iter().peekable();
    all.iter()
        .copied()
        .filter(|k| {
            if some.peek() == Some(&k) {
                some.next();
                false
            } else {
                true
            }
        })
        .collect()
}

/// The sorted union of two sorted, disjoint key sets.
fn union(a: &[Key], b: &[Key]) -> Vec<Key> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The keys in both of two sorted key sets.
fn intersection(a: &[Key], b: &[Key]) -> Vec<Key> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
