//! The ledger files' git history: which commit appended each record, whether its signer was
//! in the role in that commit's `handoff.yaml`, and every rewrite of past records.
//!
//! Ledger files are append-only: each committed version must hold the records of its parent's
//! version, in the same order, with new records only at the end. Every commit reachable from
//! HEAD whose ledger directory differs from a parent's is compared with each parent, file by
//! file; a version that changes, drops, reorders or inserts records before earlier ones is a
//! [`Rewrite`] naming the commit. Merges are held to the same rule for each parent, so two
//! branches that each appended a record merge cleanly in either order.
//!
//! The cost is bounded: only commits are walked (at most [`MAX_COMMITS`]), a commit whose
//! ledger directory is the same tree as its parents' costs one tree lookup, each version of a
//! file is parsed once, and no more than [`MAX_PARSED_BYTES`] of ledger text is parsed in all.
//! Where the walk stops (a shallow clone's boundary, or a limit), the oldest commit reached
//! counts as where its records were appended, marked `at_boundary`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository, Sort, Tree};

use super::FactsError;
use super::history::{head_commit, last_change_of, shallow_boundary};
use crate::core::model::INDEX_FILE;
use crate::core::model::ledger::LEDGER_DIR;
use crate::core::model::ledger_history::{
    Appended, CommitRef, LedgerFileHistory, LedgerHistory, Membership, Rewrite, RewriteKind,
    longest_increasing, record_key, record_summary, role_of_key,
};
use crate::core::model::load::{load_index, load_ledger_file};
use crate::core::model::{Index, SignOff};
use crate::repo::workspace::MAX_LEDGER_BYTES;
use crate::repo::workspace::Workspace;

/// Raise whenever what the walk computes changes (a fix, a new limit): answers cached by an
/// older version (`facts::ledger_cache`) are then ignored.
pub(crate) const VERSION: u32 = 2;

/// Commits walked at most; older ones are not compared.
pub(crate) const MAX_COMMITS: usize = 200_000;
/// Ledger text parsed at most, over every version of every file.
pub(crate) const MAX_PARSED_BYTES: u64 = 64 * 1024 * 1024;

/// One version of a ledger file: its records as (key, record).
type Version = Rc<Vec<(String, SignOff)>>;

/// Reads the history of every ledger file of the workspace, from HEAD back.
pub fn ledger_history(repo: &Repository, ws: &Workspace) -> Result<LedgerHistory, FactsError> {
    ledger_history_at(repo, ws, head_commit(repo)?)
}

/// [`ledger_history`] as it was at `head` (`None`: nothing committed).
pub(crate) fn ledger_history_at(
    repo: &Repository,
    ws: &Workspace,
    head: Option<Oid>,
) -> Result<LedgerHistory, FactsError> {
    let Some(head) = head else {
        return Ok(LedgerHistory::empty_read());
    };
    let mut walk = Walk::new(repo, ws);
    walk.run(head, None)?;
    Ok(walk.finish(head))
}

/// The history at HEAD from `known`, the history at `base`, an ancestor of HEAD: only the
/// commits reachable from HEAD and not from `base` are walked. `None` when there are more of
/// those than a whole walk would read (then walk it whole).
///
/// Every commit is compared with its own parents only, so the history at HEAD is the history
/// at `base` joined with what the new commits say: their rewrites come first (newest first),
/// and a record appended both before and after `base` keeps its older commit, as a whole walk
/// (children first, older answers overwriting) would.
pub(crate) fn ledger_history_since(
    repo: &Repository,
    ws: &Workspace,
    base: Oid,
    known: &LedgerHistory,
) -> Result<Option<LedgerHistory>, FactsError> {
    ledger_history_between(repo, ws, head_commit(repo)?, base, known)
}

/// [`ledger_history_since`] with the history read at `head` rather than HEAD.
pub(crate) fn ledger_history_between(
    repo: &Repository,
    ws: &Workspace,
    head: Option<Oid>,
    base: Oid,
    known: &LedgerHistory,
) -> Result<Option<LedgerHistory>, FactsError> {
    let Some(head) = head else {
        return Ok(Some(LedgerHistory::empty_read()));
    };
    let mut walk = Walk::new(repo, ws);
    if !walk.run(head, Some(base))? {
        return Ok(None);
    }
    for (artifact, older) in &known.files {
        let file = walk.files.entry(artifact.clone()).or_default();
        file.appended.extend(older.appended.clone());
        file.rewrites.extend(older.rewrites.iter().cloned());
    }
    Ok(Some(walk.finish(head)))
}

/// Why a commit's `handoff.yaml` says nothing about its roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum IndexUnknown {
    #[error("the commit has no {INDEX_FILE}")]
    Absent,
    #[error("{INDEX_FILE} did not load in that commit")]
    DidNotLoad,
    #[error("{INDEX_FILE} could not be read: {0}")]
    Unreadable(String),
}

struct Walk<'r> {
    repo: &'r Repository,
    ledger_dir: String,
    index_path: String,
    /// Commits reached, in topological order (children first).
    order: Vec<Oid>,
    reached: HashSet<Oid>,
    /// The ledger directory's tree per commit (`None`: no ledger directory).
    dirs: HashMap<Oid, Option<Oid>>,
    /// Parsed versions by blob id.
    versions: HashMap<Oid, Version>,
    parsed_bytes: u64,
    /// The index of a commit, by blob id of its `handoff.yaml`.
    indexes: HashMap<Oid, Rc<Result<Index, IndexUnknown>>>,
    files: HashMap<String, LedgerFileHistory>,
    /// The commits of `.git/shallow`: their parents are not in this clone.
    shallow_boundary: HashSet<Oid>,
    /// Walking only the commits since a known HEAD: a parent not reached is that HEAD's
    /// history, already read, rather than a boundary.
    since_known: bool,
}

impl<'r> Walk<'r> {
    fn new(repo: &'r Repository, ws: &Workspace) -> Walk<'r> {
        Walk {
            repo,
            ledger_dir: ws.repo_path(LEDGER_DIR),
            index_path: ws.repo_path(INDEX_FILE),
            order: Vec::new(),
            reached: HashSet::new(),
            dirs: HashMap::new(),
            versions: HashMap::new(),
            parsed_bytes: 0,
            indexes: HashMap::new(),
            files: HashMap::new(),
            shallow_boundary: shallow_boundary(repo),
            since_known: false,
        }
    }

    /// Compares every commit reachable from `head` (and not from `since`) with its parents.
    /// False when walking only the commits since `since` would read more than [`MAX_COMMITS`].
    fn run(&mut self, head: Oid, since: Option<Oid>) -> Result<bool, FactsError> {
        let failed = || FactsError::git("walking the ledger's history");
        let mut revwalk = self.repo.revwalk().map_err(failed())?;
        revwalk.set_sorting(Sort::TOPOLOGICAL).map_err(failed())?;
        revwalk.push(head).map_err(failed())?;
        if let Some(since) = since {
            revwalk.hide(since).map_err(failed())?;
            self.since_known = true;
        }
        for oid in revwalk {
            // A commit missing from a shallow clone ends the walk on that side; libgit2
            // reports it as an error of the walk.
            let Ok(oid) = oid else { break };
            if self.order.len() >= MAX_COMMITS {
                if since.is_some() {
                    return Ok(false);
                }
                break;
            }
            self.order.push(oid);
            self.reached.insert(oid);
        }
        for position in 0..self.order.len() {
            if self.parsed_bytes > MAX_PARSED_BYTES {
                break;
            }
            let commit = self.order[position];
            self.compare_with_parents(commit)?;
        }
        Ok(true)
    }

    /// The ledger directory's tree id in a commit.
    fn dir_of(&mut self, commit: Oid) -> Option<Oid> {
        if let Some(dir) = self.dirs.get(&commit) {
            return *dir;
        }
        let dir = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .ok()
            .and_then(|tree| {
                tree.get_path(Path::new(&self.ledger_dir))
                    .ok()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| e.id())
            });
        self.dirs.insert(commit, dir);
        dir
    }

    fn compare_with_parents(&mut self, commit_id: Oid) -> Result<(), FactsError> {
        let commit = self
            .repo
            .find_commit(commit_id)
            .map_err(FactsError::git("reading a commit of the ledger's history"))?;
        let parent_ids: Vec<Oid> = commit.parent_ids().collect();
        let reachable: Vec<Oid> = parent_ids
            .iter()
            .copied()
            .filter(|p| self.since_known || self.reached.contains(p))
            .collect();
        // libgit2 may hide a shallow commit's parents altogether: the shallow file says.
        let at_boundary =
            reachable.len() < parent_ids.len() || self.shallow_boundary.contains(&commit_id);
        let dir = self.dir_of(commit_id);
        let parent_dirs: Vec<Option<Oid>> = reachable.iter().map(|&p| self.dir_of(p)).collect();
        let unchanged = |d: &Option<Oid>| *d == dir;
        if !at_boundary && !parent_ids.is_empty() && parent_dirs.iter().all(unchanged) {
            return Ok(());
        }
        let files = self.files_of(dir)?;
        let parent_files: Vec<HashMap<String, Oid>> = parent_dirs
            .iter()
            .map(|d| self.files_of(*d))
            .collect::<Result<_, _>>()?;
        let mut names: Vec<&String> = files.keys().collect();
        for p in &parent_files {
            names.extend(p.keys());
        }
        names.sort();
        names.dedup();
        let names: Vec<String> = names.into_iter().cloned().collect();
        let mut reference: Option<CommitRef> = None;
        for name in names {
            let blob = files.get(&name).copied();
            let parent_blobs: Vec<Option<Oid>> =
                parent_files.iter().map(|p| p.get(&name).copied()).collect();
            let same_as_parents =
                !parent_blobs.is_empty() && parent_blobs.iter().all(|b| *b == blob);
            if !at_boundary && same_as_parents {
                continue;
            }
            let version = self.version(blob);
            let parents: Vec<Version> = parent_blobs.iter().map(|b| self.version(*b)).collect();
            let commit_ref = reference.get_or_insert_with(|| commit_ref(&commit)).clone();
            self.compare_file(&name, &commit, commit_ref, at_boundary, &version, &parents);
        }
        Ok(())
    }

    /// The `.yaml` files of a ledger directory tree: artifact id → blob id.
    fn files_of(&self, dir: Option<Oid>) -> Result<HashMap<String, Oid>, FactsError> {
        let mut out = HashMap::new();
        let Some(dir) = dir else {
            return Ok(out);
        };
        let tree: Tree = self
            .repo
            .find_tree(dir)
            .map_err(FactsError::git("reading the ledger directory"))?;
        for entry in tree.iter() {
            if entry.kind() != Some(ObjectType::Blob) {
                continue;
            }
            if let Some(id) = entry.name().ok().and_then(|n| n.strip_suffix(".yaml")) {
                out.insert(id.to_string(), entry.id());
            }
        }
        Ok(out)
    }

    /// The records of a blob (none for an absent file, or one too large to read).
    fn version(&mut self, blob: Option<Oid>) -> Version {
        let Some(blob) = blob else {
            return Rc::new(Vec::new());
        };
        if let Some(v) = self.versions.get(&blob) {
            return v.clone();
        }
        let records = match self.repo.find_blob(blob) {
            Ok(b) if (b.size() as u64) <= MAX_LEDGER_BYTES => {
                self.parsed_bytes += b.size() as u64;
                // Byte-identical records (a retried script signing twice in one second) say
                // the same thing: they count as one, so removing either is no rewrite.
                let mut seen = HashSet::new();
                load_ledger_file("", "", b.content())
                    .0
                    .into_iter()
                    .map(|r| (record_key(&r), r))
                    .filter(|(key, _)| seen.insert(key.clone()))
                    .collect()
            }
            _ => Vec::new(),
        };
        let version = Rc::new(records);
        self.versions.insert(blob, version.clone());
        version
    }

    fn compare_file(
        &mut self,
        artifact: &str,
        commit: &git2::Commit,
        commit_ref: CommitRef,
        at_boundary: bool,
        version: &Version,
        parents: &[Version],
    ) {
        let in_parents: HashSet<&str> = parents
            .iter()
            .flat_map(|p| p.iter().map(|(k, _)| k.as_str()))
            .collect();
        let new: Vec<usize> = (0..version.len())
            .filter(|&i| !in_parents.contains(version[i].0.as_str()))
            .collect();
        // The new records at the end were appended here. Beyond a boundary, a parent's records
        // are unknown: every new record counts as appended here, wherever it sits.
        let mut tail_start = version.len();
        while tail_start > 0 && !in_parents.contains(version[tail_start - 1].0.as_str()) {
            tail_start -= 1;
        }
        if at_boundary {
            tail_start = 0;
        }
        let in_version: HashSet<&str> = version.iter().map(|(k, _)| k.as_str()).collect();
        let mut removed: Vec<(String, String)> = Vec::new();
        for parent in parents {
            for (key, record) in parent.iter() {
                if !in_version.contains(key.as_str()) && !removed.iter().any(|(k, _)| k == key) {
                    removed.push((key.clone(), record_summary(record)));
                }
            }
        }
        // A commit that drops records appends nothing: a new record in it, even at the end,
        // replaces one (an edit of the last record looks exactly like that).
        if !removed.is_empty() && !at_boundary {
            tail_start = version.len();
        }
        let appended_here: Vec<(String, SignOff)> = version[tail_start..]
            .iter()
            .filter(|(key, _)| !in_parents.contains(key.as_str()))
            .cloned()
            .collect();
        let inserted: Vec<usize> = new.into_iter().filter(|&i| i < tail_start).collect();
        let mut rewrites = Vec::new();
        // An inserted record paired with a removed one, in order, is a change of that record.
        let mut removed_left = removed.into_iter();
        for i in inserted {
            let (key, record) = &version[i];
            let replaced = removed_left.next();
            rewrites.push(Rewrite {
                kind: if replaced.is_some() {
                    RewriteKind::Changed
                } else {
                    RewriteKind::Inserted
                },
                commit: commit_ref.clone(),
                record: key.clone(),
                record_summary: record_summary(record),
                replaced,
                after: None,
                before: None,
            });
        }
        for (key, summary) in removed_left {
            rewrites.push(Rewrite {
                kind: RewriteKind::Removed,
                commit: commit_ref.clone(),
                record: key,
                record_summary: summary,
                replaced: None,
                after: None,
                before: None,
            });
        }
        add_moves(&mut rewrites, version, parents, &commit_ref);

        let mut appended = Vec::new();
        for (key, record) in appended_here {
            let membership = self.membership(commit, &record);
            appended.push((
                key,
                Appended {
                    commit: commit_ref.clone(),
                    membership,
                    at_boundary,
                },
            ));
        }
        let file = self.files.entry(artifact.to_string()).or_default();
        file.rewrites.extend(rewrites);
        // Commits come children first: a record appended again further back (a cherry-pick)
        // is kept at its oldest.
        for (key, a) in appended {
            file.appended.insert(key, a);
        }
    }

    /// Whether the record's signer was in its role in the commit's `handoff.yaml`.
    fn membership(&mut self, commit: &git2::Commit, record: &SignOff) -> Membership {
        let index = self.index_at(commit);
        match index.as_ref() {
            Err(why) => Membership::Unknown(why.to_string()),
            Ok(index) => match index.role(&record.role) {
                None => Membership::RoleUndefined,
                Some(role) if role.has_member(&record.by) => Membership::Member,
                Some(role) => Membership::NotMember {
                    people: role.people.clone(),
                },
            },
        }
    }

    fn index_at(&mut self, commit: &git2::Commit) -> Rc<Result<Index, IndexUnknown>> {
        let entry = commit
            .tree()
            .ok()
            .and_then(|t| t.get_path(Path::new(&self.index_path)).ok())
            .filter(|e| e.kind() == Some(ObjectType::Blob));
        let Some(entry) = entry else {
            return Rc::new(Err(IndexUnknown::Absent));
        };
        if let Some(index) = self.indexes.get(&entry.id()) {
            return index.clone();
        }
        let loaded = match self.repo.find_blob(entry.id()) {
            Ok(blob) => {
                load_index(INDEX_FILE, blob.content()).map_err(|_| IndexUnknown::DidNotLoad)
            }
            Err(e) => Err(IndexUnknown::Unreadable(e.message().to_string())),
        };
        let loaded = Rc::new(loaded);
        self.indexes.insert(entry.id(), loaded.clone());
        loaded
    }

    fn finish(mut self, head: Oid) -> LedgerHistory {
        let head_dir = self.dir_of(head);
        let head_files = self.files_of(head_dir).unwrap_or_default();
        for (artifact, blob) in head_files {
            let version = self.version(Some(blob));
            let file = self.files.entry(artifact).or_default();
            file.head = version
                .iter()
                .map(|(k, r)| (k.clone(), record_summary(r)))
                .collect();
        }
        LedgerHistory {
            read: true,
            files: self.files.into_iter().collect(),
            removed_roles: Default::default(),
        }
    }
}

/// The roles that HEAD's ledger records name but HEAD's index does not define, each with the
/// commit that removed it from the index: walking the first-parent line from HEAD, the newest
/// commit whose parent's index still defines the role. Costs nothing unless such a role exists.
pub(crate) fn removed_roles(
    repo: &Repository,
    ws: &Workspace,
    history: &LedgerHistory,
) -> BTreeMap<String, CommitRef> {
    match head_commit(repo) {
        Ok(Some(head)) => removed_roles_at(repo, ws, history, head),
        _ => BTreeMap::new(),
    }
}

/// [`removed_roles`] walking the first-parent line from `head` rather than HEAD.
pub(crate) fn removed_roles_at(
    repo: &Repository,
    ws: &Workspace,
    history: &LedgerHistory,
    head: Oid,
) -> BTreeMap<String, CommitRef> {
    let mut found = BTreeMap::new();
    let mut walk = Walk::new(repo, ws);
    let Ok(commit) = repo.find_commit(head) else {
        return found;
    };
    let defined = |index: &Rc<Result<Index, IndexUnknown>>, role: &str| matches!(index.as_ref(), Ok(i) if i.role(role).is_some());
    let head_index = walk.index_at(&commit);
    let mut wanted: BTreeSet<String> = history
        .files
        .values()
        .flat_map(|f| f.head.iter().filter_map(|(key, _)| role_of_key(key)))
        .filter(|role| head_index.is_ok() && !defined(&head_index, role))
        .collect();
    let mut current = commit;
    let mut index = head_index;
    for _ in 0..MAX_COMMITS {
        if wanted.is_empty() {
            break;
        }
        let Ok(parent) = current.parent(0) else {
            break;
        };
        let parent_index = walk.index_at(&parent);
        wanted.retain(|role| {
            let removed_here = !defined(&index, role) && defined(&parent_index, role);
            if removed_here {
                found.insert(role.clone(), commit_ref(&current));
            }
            !removed_here
        });
        current = parent;
        index = parent_index;
    }
    found
}

/// A commit as messages name it: by its author's name, else e-mail.
fn commit_ref(commit: &git2::Commit) -> CommitRef {
    let change = last_change_of(commit);
    CommitRef {
        id: change.commit,
        time: change.time,
        committed: jiff::Timestamp::from_second(commit.committer().when().seconds())
            .unwrap_or(change.time),
        author: if change.author_name.is_empty() {
            change.author_email
        } else {
            change.author_name
        },
        summary: change.summary,
    }
}

/// Adds a [`RewriteKind::Moved`] for each record kept from a parent whose order relative to
/// the others changed (outside the longest run kept in order), unless already rewritten.
fn add_moves(
    rewrites: &mut Vec<Rewrite>,
    version: &Version,
    parents: &[Version],
    commit_ref: &CommitRef,
) {
    let position: HashMap<&str, usize> = version
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    for parent in parents {
        let kept: Vec<&(String, SignOff)> = parent
            .iter()
            .filter(|(k, _)| position.contains_key(k.as_str()))
            .collect();
        let positions: Vec<usize> = kept.iter().map(|(k, _)| position[k.as_str()]).collect();
        let in_order = longest_increasing(&positions);
        for (i, (key, record)) in kept.iter().enumerate() {
            if in_order.contains(&i) || rewrites.iter().any(|r| r.record == *key) {
                continue;
            }
            rewrites.push(Rewrite {
                kind: RewriteKind::Moved,
                commit: commit_ref.clone(),
                record: key.clone(),
                record_summary: record_summary(record),
                replaced: None,
                after: i.checked_sub(1).map(|p| kept[p].0.clone()),
                before: kept.get(i + 1).map(|(k, _)| k.clone()),
            });
        }
    }
}
