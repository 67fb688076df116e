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

use std::cmp::{Ordering, Reverse};
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use git2::{ErrorCode, ObjectType, Oid, Repository, Tree, TreeEntry};
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
    let head = head_commit(repo)?;
    Ok(walk_from(repo, head, specs, &[], on_resolved)?.histories)
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
    let targets = Targets::new(specs);
    let known = targets.known_by_key(known);
    let mut walk = Walk::new(repo, &targets, &known, on_resolved);
    if let Some(head) = head {
        walk.pass(head, (0..targets.key_count() as Key).collect())?;
    }
    walk.run()?;
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
    repo: &'r Repository,
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
    /// git's changed-path Bloom filters, asked for at the first visit (`None` inside: none
    /// here); read once per run, not once per walk.
    filters: Option<Option<Arc<ChangedPathFilters>>>,
}

impl<'a, 'r> Walk<'a, 'r> {
    fn new(
        repo: &'r Repository,
        targets: &'a Targets,
        known: &'a KnownByKey,
        on_resolved: &'a mut dyn FnMut(usize, &History),
    ) -> Self {
        Walk {
            repo,
            targets,
            known,
            on_resolved,
            commits: HashMap::new(),
            queue: BinaryHeap::new(),
            waiting: HashMap::new(),
            inserted: 0,
            shallow: repo.is_shallow(),
            shallow_boundary: shallow_boundary(repo),
            results: vec![History::Pending; targets.key_count()],
            unresolved: targets.key_count(),
            commits_visited: 0,
            keys_from_known: Vec::new(),
            filters: None,
        }
    }

    fn run(&mut self) -> Result<(), FactsError> {
        while self.unresolved > 0 {
            let Some(next) = self.queue.pop() else { break };
            let Some(keys) = self.waiting.remove(&next.commit) else {
                continue;
            };
            self.visit(next.commit, keys)?;
        }
        Ok(())
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

    fn visit(&mut self, commit: Oid, keys: Vec<Key>) -> Result<(), FactsError> {
        self.commits_visited += 1;
        if self.shallow_boundary.contains(&commit) {
            self.resolve_all(&keys, History::BeyondShallowBoundary);
            return Ok(());
        }
        let (tree, parents) = {
            let node = self.commit(commit)?;
            (node.tree, node.parents.clone())
        };
        // In a shallow clone a parent may be missing: the comparison below handles that.
        let keys = match parents.first() {
            Some(&first_parent) if !self.shallow => {
                let (unchanged, maybe) = self.ruled_out_by_filter(commit, keys);
                // TREESAME to the first parent: the chain goes on there, as after a tree
                // comparison that found no difference.
                self.pass(first_parent, unchanged)?;
                if maybe.is_empty() {
                    return Ok(());
                }
                maybe
            }
            _ => keys,
        };
        let tree = self.tree(tree)?;
        if parents.is_empty() {
            // A root commit changed every path it has; the others were never committed on
            // this chain.
            let mut present = Vec::new();
            self.differing(&tree, None, &keys, &mut present)?;
            let absent = difference(&keys, &present);
            self.resolve_at(commit, &present)?;
            self.resolve_all(&absent, History::NeverCommitted);
            return Ok(());
        }

        let mut undecided = keys;
        for parent in parents {
            let parent_tree = match self.commit(parent).map(|node| node.tree) {
                Ok(tree) => tree,
                Err(_) if self.shallow => {
                    // A parent missing from a shallow clone: the boundary, whatever the
                    // shallow file says.
                    self.resolve_all(&undecided, History::BeyondShallowBoundary);
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let parent_tree = self.tree(parent_tree)?;
            let mut differ = Vec::new();
            self.differing(&tree, Some(&parent_tree), &undecided, &mut differ)?;
            let same = difference(&undecided, &differ);
            self.pass(parent, same)?;
            undecided = differ;
            if undecided.is_empty() {
                return Ok(());
            }
        }
        self.resolve_at(commit, &undecided)
    }

    /// Splits `keys` into those the commit's changed-path filter says did not change against
    /// its first parent (certain), and the rest, which need the trees compared. Only exact
    /// paths are asked; globs and the whole tree always need the trees.
    fn ruled_out_by_filter(&mut self, commit: Oid, keys: Vec<Key>) -> (Vec<Key>, Vec<Key>) {
        let repo = self.repo;
        let filters = self
            .filters
            .get_or_insert_with(|| ChangedPathFilters::shared(repo.commondir()));
        let Some(filters) = filters.as_ref() else {
            return (Vec::new(), keys);
        };
        let targets = self.targets;
        keys.into_iter().partition(|&key| {
            targets
                .exact_paths
                .get(key as usize)
                .filter(|path| !path.is_empty())
                .is_some_and(|path| {
                    filters.may_have_changed(commit.as_bytes(), path) == Some(false)
                })
        })
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

    fn tree(&self, id: Oid) -> Result<Tree<'r>, FactsError> {
        self.repo
            .find_tree(id)
            .map_err(FactsError::git(format!("reading tree {id}")))
    }

    fn commit(&mut self, id: Oid) -> Result<&CommitNode, FactsError> {
        match self.commits.entry(id) {
            Entry::Occupied(node) => Ok(node.into_mut()),
            Entry::Vacant(vacant) => {
                let commit = self
                    .repo
                    .find_commit(id)
                    .map_err(FactsError::git(format!("reading commit {id}")))?;
                Ok(vacant.insert(CommitNode {
                    tree: commit.tree_id(),
                    parents: commit.parent_ids().collect(),
                    committer_time: commit.time().seconds(),
                }))
            }
        }
    }

    fn resolve_at(&mut self, commit: Oid, keys: &[Key]) -> Result<(), FactsError> {
        if keys.is_empty() {
            return Ok(());
        }
        let commit = self
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
