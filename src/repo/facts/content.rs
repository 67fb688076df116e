//! The last change of content: [`super::history`]'s last change, followed back through pure
//! renames (the same blob id at another path, as `git log --follow` finds them) and past
//! mechanical commits (listed in git's `blame.ignoreRevsFile`, or touching more files than the
//! index allows). Also where a missing file went, when it was renamed.
//!
//! Cost: for an artifact whose last change is neither a rename nor mechanical, two tree
//! lookups (and, only when its file was added in that commit, one diff of that commit, shared
//! by every artifact added there). A rename or a mechanical commit costs one more walk from
//! its parent, shared by every artifact that continues from the same commit.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use super::FactsError;
use super::history::{self, PathSpec};
use crate::core::model::{ContentRules, History, LastChange};

/// Renames and mechanical commits followed for one artifact at most: a bound for a history
/// that renames in circles.
const MAX_HOPS: usize = 64;

/// Larger files are never hashed to look for a rename (the work tree's own limit): a 2 GiB
/// file must not cost a read.
const MAX_HASHED: u64 = 64 << 20;

/// What was found for one spec, with repository-relative paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ContentFound {
    /// The last change of content and, when renamed since, the path it had then.
    pub change: Option<(LastChange, Option<String>)>,
    /// For a file missing from the work tree: where its blob went, and the commit that
    /// renamed it (`None`: in the work tree).
    pub moved: Option<(String, Option<String>)>,
}

/// One spec on its way back through history.
struct Follow {
    spec: PathSpec,
    change: LastChange,
    renamed_from: Option<String>,
    hops: usize,
}

/// What following a spec back from its last change found: the last change of content and
/// the path it had then, when another. It depends only on history and the rules (the
/// mechanical-commit limit, the ignored revisions), never on the work tree, so an answer can
/// be kept between runs ([`crate::repo::cache`]).
pub(crate) type Followed = (LastChange, Option<String>);

/// Answers of [`Followed`] by spec and the commit of its last change.
pub(crate) type FollowMemo = HashMap<(PathSpec, String), Followed>;

/// The content facts of each spec, in order; `histories[i]` is spec `i`'s last change. A spec
/// whose last change `memo` holds is not followed again; what is followed is added to it.
pub(crate) fn content_changes(
    repo: &Repository,
    specs: &[PathSpec],
    histories: &[History],
    mechanical: &Mechanical,
    memo: &mut FollowMemo,
) -> Result<Vec<ContentFound>, FactsError> {
    content_changes_in(repo, specs, histories, mechanical, None, memo)
}

/// What makes a commit mechanical: the index's file limit, and the commits git blame is told
/// to ignore (read from git's configuration once, by [`Mechanical::read`], however many
/// points a run follows from).
#[derive(Debug, Clone)]
pub(crate) struct Mechanical {
    pub rules: ContentRules,
    pub ignored: HashSet<Oid>,
}

impl Mechanical {
    pub(crate) fn read(repo: &Repository, rules: &ContentRules) -> Self {
        Mechanical {
            rules: *rules,
            ignored: ignored_revs(repo),
        }
    }

    /// The ignored commits, sorted: part of what a kept [`Followed`] depends on.
    pub(crate) fn ignored_sorted(&self) -> Vec<Oid> {
        let mut ids: Vec<Oid> = self.ignored.iter().copied().collect();
        ids.sort();
        ids
    }
}

/// [`content_changes`] as seen from a past commit's tree (`point`) rather than the work tree:
/// a path is present when that tree holds it, and nothing is renamed outside history.
pub(crate) fn content_changes_in(
    repo: &Repository,
    specs: &[PathSpec],
    histories: &[History],
    mechanical: &Mechanical,
    point: Option<&Tree<'_>>,
    memo: &mut FollowMemo,
) -> Result<Vec<ContentFound>, FactsError> {
    let present = |path: &str| match point {
        Some(tree) => !path.is_empty() && tree.get_path(Path::new(path)).is_ok(),
        None => on_disk(repo, path),
    };
    let mut commits = Commits::new(repo, mechanical);
    let mut found = vec![ContentFound::default(); specs.len()];
    let mut follows: Vec<(usize, Follow)> = Vec::new();
    let mut never_committed = Vec::new();
    // Specs followed from their own last change, whose answers go into `memo`.
    let mut memoized: Vec<(usize, (PathSpec, String))> = Vec::new();
    for (i, (spec, history)) in specs.iter().zip(histories).enumerate() {
        match history {
            History::Changed(change) => {
                let key = (spec.clone(), change.commit.clone());
                if let Some(known) = memo.get(&key) {
                    found[i].change = Some(known.clone());
                } else {
                    memoized.push((i, key));
                    follows.push((
                        i,
                        Follow {
                            spec: spec.clone(),
                            change: change.clone(),
                            renamed_from: None,
                            hops: 0,
                        },
                    ));
                }
            }
            History::NeverCommitted => never_committed.push(i),
            _ => {}
        }
        if let (PathSpec::Exact(path), History::Changed(change)) = (spec, history)
            && !present(path)
        {
            found[i].moved = commits.moved_in_history(path, change, point.is_none())?;
        }
    }
    if point.is_none() {
        follows.extend(commits.renamed_in_work_tree(specs, &never_committed, &mut found)?);
    }
    while !follows.is_empty() {
        let mut next: HashMap<Oid, Vec<(usize, Follow)>> = HashMap::new();
        for (i, follow) in follows {
            match commits.step(&follow)? {
                Some((parent, spec)) if follow.hops < MAX_HOPS => {
                    let renamed = match (&spec, &follow.spec) {
                        (PathSpec::Exact(old), PathSpec::Exact(new)) if old != new => {
                            Some(old.clone())
                        }
                        _ => follow.renamed_from.clone(),
                    };
                    next.entry(parent).or_default().push((
                        i,
                        Follow {
                            spec,
                            renamed_from: renamed,
                            ..follow
                        },
                    ));
                }
                _ => found[i].change = Some((follow.change, follow.renamed_from)),
            }
        }
        follows = Vec::new();
        for (parent, group) in next {
            let group_specs: Vec<PathSpec> = group.iter().map(|(_, f)| f.spec.clone()).collect();
            let outcome =
                history::walk_from(repo, Some(parent), &group_specs, &[], &mut |_, _| {})?;
            for ((i, follow), history) in group.into_iter().zip(outcome.histories) {
                match history {
                    History::Changed(change) => follows.push((
                        i,
                        Follow {
                            change,
                            hops: follow.hops + 1,
                            ..follow
                        },
                    )),
                    // Nothing older changed it (a mechanical commit created it): that commit
                    // is where the content began.
                    _ => found[i].change = Some((follow.change, follow.renamed_from)),
                }
            }
        }
    }
    for (i, key) in memoized {
        if let Some(change) = &found[i].change {
            memo.insert(key, change.clone());
        }
    }
    Ok(found)
}

/// Whether a repository-relative path exists in the work tree.
fn on_disk(repo: &Repository, path: &str) -> bool {
    repo.workdir()
        .is_some_and(|w| w.join(path).symlink_metadata().is_ok())
}

/// Commits as this module reads them, each read once.
struct Commits<'r> {
    repo: &'r Repository,
    mechanical: &'r Mechanical,
    /// The files each commit changed against its first parent: (old path, old id) of every
    /// deletion, (new path, new id) of every addition, and the count of changed files.
    diffs: HashMap<Oid, CommitDiff>,
}

#[derive(Default)]
struct CommitDiff {
    deleted: Vec<(String, Oid)>,
    added: Vec<(String, Oid)>,
    files: usize,
}

impl<'r> Commits<'r> {
    fn new(repo: &'r Repository, mechanical: &'r Mechanical) -> Self {
        Commits {
            repo,
            mechanical,
            diffs: HashMap::new(),
        }
    }

    /// Where to look next for a spec's content change, when its last change is not one: the
    /// parent to walk from, and the spec there (another path across a rename).
    fn step(&mut self, follow: &Follow) -> Result<Option<(Oid, PathSpec)>, FactsError> {
        let Ok(id) = Oid::from_str(&follow.change.commit) else {
            return Ok(None);
        };
        let commit = self
            .repo
            .find_commit(id)
            .map_err(FactsError::git(format!("reading commit {id}")))?;
        // A parent missing from a shallow clone ends the search where it is.
        let Ok(parent) = commit.parent(0) else {
            return Ok(None);
        };
        let tree = commit
            .tree()
            .map_err(FactsError::git(format!("reading the tree of {id}")))?;
        let parent_tree = parent.tree().map_err(FactsError::git(format!(
            "reading the tree of {}",
            parent.id()
        )))?;
        if let PathSpec::Exact(path) = &follow.spec {
            let ours = blob_at(&tree, path);
            if blob_at(&parent_tree, path).is_none() && tree.get_path(Path::new(path)).is_ok() {
                // Added here: a rename when the same blob left another path, else created.
                let from = match ours {
                    Some(blob) => self
                        .diff(id, &parent_tree, &tree)?
                        .deleted
                        .iter()
                        .find(|(_, old)| *old == blob)
                        .map(|(old_path, _)| old_path.clone()),
                    None => None,
                };
                return Ok(from.map(|from| (parent.id(), PathSpec::Exact(from))));
            }
        }
        Ok(self
            .is_mechanical(id, &parent_tree, &tree)?
            .then(|| (parent.id(), follow.spec.clone())))
    }

    fn is_mechanical(
        &mut self,
        id: Oid,
        parent_tree: &Tree<'r>,
        tree: &Tree<'r>,
    ) -> Result<bool, FactsError> {
        if self.mechanical.ignored.contains(&id) {
            return Ok(true);
        }
        let Some(limit) = self.mechanical.rules.mechanical_files else {
            return Ok(false);
        };
        Ok(self.diff(id, parent_tree, tree)?.files > limit as usize)
    }

    fn diff(
        &mut self,
        id: Oid,
        parent_tree: &Tree<'r>,
        tree: &Tree<'r>,
    ) -> Result<&CommitDiff, FactsError> {
        if !self.diffs.contains_key(&id) {
            let mut found = CommitDiff::default();
            diff_trees(self.repo, Some(parent_tree), Some(tree), "", &mut found)
                .map_err(FactsError::git(format!("comparing {id} with its parent")))?;
            self.diffs.insert(id, found);
        }
        Ok(&self.diffs[&id])
    }

    /// For a path gone from the work tree whose last change is `change`: where its blob went,
    /// when that commit renamed it, or when the work tree (or git's index) holds it elsewhere.
    fn moved_in_history(
        &mut self,
        path: &str,
        change: &LastChange,
        work_tree: bool,
    ) -> Result<Option<(String, Option<String>)>, FactsError> {
        let Ok(id) = Oid::from_str(&change.commit) else {
            return Ok(None);
        };
        let commit = self
            .repo
            .find_commit(id)
            .map_err(FactsError::git(format!("reading commit {id}")))?;
        let tree = commit
            .tree()
            .map_err(FactsError::git(format!("reading the tree of {id}")))?;
        if let Some(blob) = blob_at(&tree, path) {
            if !work_tree {
                return Ok(None);
            }
            // Still in the last commit that touched it: removed in the work tree only.
            return Ok(self
                .elsewhere_in_work_tree(path, blob)
                .map(|moved| (moved, None)));
        }
        let Ok(parent) = commit.parent(0) else {
            return Ok(None);
        };
        let parent_tree = parent.tree().map_err(FactsError::git(format!(
            "reading the tree of {}",
            parent.id()
        )))?;
        let Some(blob) = blob_at(&parent_tree, path) else {
            return Ok(None);
        };
        Ok(self
            .diff(id, &parent_tree, &tree)?
            .added
            .iter()
            .find(|(_, new)| *new == blob)
            .map(|(new_path, _)| (new_path.clone(), Some(id.to_string()))))
    }

    /// Another path holding `blob` in git's index or, untracked, in the work tree.
    fn elsewhere_in_work_tree(&self, path: &str, blob: Oid) -> Option<String> {
        let index = self.repo.index().ok()?;
        let staged = index.iter().find_map(|entry| {
            let entry_path = String::from_utf8_lossy(&entry.path).into_owned();
            (entry.id == blob && entry_path != path && on_disk(self.repo, &entry_path))
                .then_some(entry_path)
        });
        if staged.is_some() {
            return staged;
        }
        let mut options = git2::StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut options)).ok()?;
        let workdir = self.repo.workdir()?;
        // Only files of the blob's size are read and hashed.
        let size = self.repo.find_blob(blob).ok()?.size() as u64;
        statuses.iter().find_map(|status| {
            let untracked = status.status().contains(git2::Status::WT_NEW);
            let candidate = status.path().ok()?.to_string();
            let file = workdir.join(&candidate);
            let same_size = file.symlink_metadata().ok()?.len() == size;
            let bytes = (untracked && same_size)
                .then(|| std::fs::read(&file).ok())
                .flatten()?;
            (Oid::hash_object(ObjectType::Blob, &bytes).ok() == Some(blob)).then_some(candidate)
        })
    }

    /// Follows for paths never committed whose content (staged, or on disk) is a blob HEAD
    /// holds at a path gone from the work tree: a rename not yet committed. Marks those they
    /// came from as renamed.
    fn renamed_in_work_tree(
        &mut self,
        specs: &[PathSpec],
        never_committed: &[usize],
        found: &mut [ContentFound],
    ) -> Result<Vec<(usize, Follow)>, FactsError> {
        let mut wanted: HashMap<Oid, Vec<usize>> = HashMap::new();
        for &i in never_committed {
            if let PathSpec::Exact(path) = &specs[i]
                && let Some(blob) = self.work_tree_blob(path)
            {
                wanted.entry(blob).or_default().push(i);
            }
        }
        let Some(head) = history::head_commit(self.repo)? else {
            return Ok(Vec::new());
        };
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let tree = self
            .repo
            .find_commit(head)
            .and_then(|c| c.tree())
            .map_err(FactsError::git("reading HEAD's tree"))?;
        let mut sources: Vec<(usize, String)> = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if let Some(specs_here) = wanted.get(&entry.id())
                && entry.kind() == Some(ObjectType::Blob)
            {
                let path = format!("{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
                if !on_disk(self.repo, &path) {
                    sources.extend(specs_here.iter().map(|&i| (i, path.clone())));
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(FactsError::git("reading HEAD's tree"))?;
        let mut follows = Vec::new();
        let mut seen = HashSet::new();
        for (i, from) in sources {
            if !seen.insert(i) {
                continue;
            }
            let outcome = history::walk_from(
                self.repo,
                Some(head),
                &[PathSpec::Exact(from.clone())],
                &[],
                &mut |_, _| {},
            )?;
            if let Some(History::Changed(change)) = outcome.histories.into_iter().next() {
                found[i].change = None;
                follows.push((
                    i,
                    Follow {
                        spec: PathSpec::Exact(from.clone()),
                        change,
                        renamed_from: Some(from),
                        hops: 1,
                    },
                ));
            }
        }
        Ok(follows)
    }

    /// The blob a never-committed path holds: staged in git's index, else its file on disk.
    fn work_tree_blob(&self, path: &str) -> Option<Oid> {
        if let Ok(index) = self.repo.index()
            && let Some(entry) = index.get_path(Path::new(path), 0)
        {
            return Some(entry.id);
        }
        let file = self.repo.workdir()?.join(path);
        let meta = file.symlink_metadata().ok()?;
        if !meta.is_file() || meta.len() > MAX_HASHED {
            return None;
        }
        Oid::hash_file(ObjectType::Blob, &file).ok()
    }
}

/// Adds what changed from `old` to `new` (trees at `prefix`) to `found`: as `git diff-tree -r`,
/// without renames, submodules ignored. Subtrees with the same id are skipped without being
/// read, which libgit2's tree diff does not do: a commit that changes one file of a
/// 10,000-file tree costs the trees on that file's path, not all of them.
fn diff_trees(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    found: &mut CommitDiff,
) -> Result<(), git2::Error> {
    let entries = |tree: Option<&Tree<'_>>| -> HashMap<Vec<u8>, (Oid, i32, Option<ObjectType>)> {
        tree.map(|t| {
            t.iter()
                .map(|e| (e.name_bytes().to_vec(), (e.id(), e.filemode(), e.kind())))
                .collect()
        })
        .unwrap_or_default()
    };
    let (before, after) = (entries(old), entries(new));
    let mut names: Vec<&Vec<u8>> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let path = format!("{prefix}{}", String::from_utf8_lossy(name));
        let was = before.get(name).copied();
        let is = after.get(name).copied();
        if was == is {
            continue;
        }
        let tree_of = |entry: Option<(Oid, i32, Option<ObjectType>)>| match entry {
            Some((id, _, Some(ObjectType::Tree))) => repo.find_tree(id).map(Some),
            _ => Ok(None),
        };
        let file_of = |entry: Option<(Oid, i32, Option<ObjectType>)>| match entry {
            Some((id, _, Some(ObjectType::Blob))) => Some(id),
            _ => None,
        };
        let (old_tree, new_tree) = (tree_of(was)?, tree_of(is)?);
        if old_tree.is_some() || new_tree.is_some() {
            diff_trees(
                repo,
                old_tree.as_ref(),
                new_tree.as_ref(),
                &format!("{path}/"),
                found,
            )?;
        }
        match (file_of(was), file_of(is)) {
            (Some(_), Some(_)) => found.files += 1,
            (Some(id), None) => {
                found.files += 1;
                found.deleted.push((path, id));
            }
            (None, Some(id)) => {
                found.files += 1;
                found.added.push((path, id));
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// The blob at a path of a tree, if it is a file there.
fn blob_at(tree: &Tree<'_>, path: &str) -> Option<Oid> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
}

/// The commits git blame is told to ignore: every file `blame.ignoreRevsFile` names (relative
/// to the work tree's root), one full object id a line, `#` comments and blank lines skipped.
/// A file that cannot be read ignores nothing, as an unreadable file would fail git blame.
fn ignored_revs(repo: &Repository) -> HashSet<Oid> {
    let mut ids = HashSet::new();
    let Ok(config) = repo.config() else {
        return ids;
    };
    let mut files = Vec::new();
    if let Ok(mut entries) = config.multivar("blame.ignorerevsfile", None) {
        while let Some(Ok(entry)) = entries.next() {
            match entry.value() {
                // An empty value resets the list, as in git.
                Ok("") => files.clear(),
                Ok(value) => files.push(value.to_string()),
                Err(_) => {}
            }
        }
    }
    let root = repo.workdir().unwrap_or_else(|| repo.path());
    for file in files {
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let id = Oid::from_str(line)
                .ok()
                .filter(|_| line.len() == 40)
                .or_else(|| repo.revparse_single(line).ok().map(|o| o.id()));
            if let Some(id) = id {
                ids.insert(id);
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use git2::{Delta, DiffOptions};
    use proptest::prelude::*;

    use super::*;

    /// Paths that clash (a file where another needs a directory) and nest, and the same few
    /// contents, so renames and type changes happen.
    const PATHS: &[&str] = &["a", "a/b", "a/c/d", "a/c/e", "a.b", "b", "x/y/z", "x/w"];

    /// A tree holding `files` (path → (content, executable)); a file whose path another
    /// file's directory needs is left out.
    fn tree_of(repo: &Repository, files: &BTreeMap<&str, (u8, bool)>) -> Oid {
        fn build(repo: &Repository, files: &BTreeMap<String, (u8, bool)>) -> Oid {
            let mut dirs: BTreeMap<String, BTreeMap<String, (u8, bool)>> = BTreeMap::new();
            let mut builder = repo.treebuilder(None).unwrap();
            for (path, &(content, exec)) in files {
                match path.split_once('/') {
                    Some((dir, rest)) => {
                        dirs.entry(dir.into())
                            .or_default()
                            .insert(rest.into(), (content, exec));
                    }
                    None => {
                        let blob = repo.blob(&[content]).unwrap();
                        let mode = if exec { 0o100755 } else { 0o100644 };
                        builder.insert(path, blob, mode).unwrap();
                    }
                }
            }
            for (dir, inner) in dirs {
                if builder.get(&dir).unwrap().is_none() {
                    builder.insert(&dir, build(repo, &inner), 0o040000).unwrap();
                }
            }
            builder.write().unwrap()
        }
        let owned = files.iter().map(|(p, v)| (p.to_string(), *v)).collect();
        build(repo, &owned)
    }

    fn sorted(mut v: Vec<(String, Oid)>) -> Vec<(String, Oid)> {
        v.sort();
        v
    }

    fn files() -> impl Strategy<Value = BTreeMap<&'static str, (u8, bool)>> {
        proptest::collection::btree_map(
            proptest::sample::select(PATHS),
            (0u8..3, any::<bool>()),
            0..PATHS.len(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The diff that skips equal subtrees finds what libgit2's tree diff finds.
        #[test]
        fn diff_trees_agrees_with_libgit2(before in files(), after in files()) {
            let dir = tempfile::tempdir().unwrap();
            let repo = Repository::init_bare(dir.path()).unwrap();
            let old = repo.find_tree(tree_of(&repo, &before)).unwrap();
            let new = repo.find_tree(tree_of(&repo, &after)).unwrap();
            let mut ours = CommitDiff::default();
            diff_trees(&repo, Some(&old), Some(&new), "", &mut ours).unwrap();
            let diff = repo
                .diff_tree_to_tree(Some(&old), Some(&new), Some(DiffOptions::new().ignore_submodules(true)))
                .unwrap();
            let mut theirs = CommitDiff::default();
            for delta in diff.deltas() {
                theirs.files += 1;
                let path = |f: git2::DiffFile| f.path().unwrap().to_string_lossy().into_owned();
                match delta.status() {
                    Delta::Deleted => theirs.deleted.push((path(delta.old_file()), delta.old_file().id())),
                    Delta::Added => theirs.added.push((path(delta.new_file()), delta.new_file().id())),
                    _ => {}
                }
            }
            prop_assert_eq!(ours.files, theirs.files);
            prop_assert_eq!(sorted(ours.deleted), sorted(theirs.deleted));
            prop_assert_eq!(sorted(ours.added), sorted(theirs.added));
        }
    }
}
