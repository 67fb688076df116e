//! Facts from git and the work tree: does each artifact exist, what is its fingerprint (git's
//! own object id of the working copy), is it uncommitted, and which commit last changed it.
//!
//! Everything here is blocking and free of UI. The values produced are the plain types of
//! [`crate::core::model::facts`]; `analysis` reads them without knowing how they were obtained.
//!
//! - [`head_info`]: where HEAD stands.
//! - [`worktree_facts`] (or a reusable [`WorkTree`]): existence, fingerprint, uncommitted state,
//!   glob matches and documents of one artifact.
//! - [`last_changes`]: one history walk that answers `git log -1 -- <path>` for many paths;
//!   a [`HistoryCache`] the same through a cache in `.git/handoff/` that spares walking
//!   history already walked.
//! - [`collect`]: all of the above for a whole index.

mod ci;
pub(crate) mod content;
mod contract;
use crate::core::glob;
pub(crate) mod governed;
mod head;
pub(crate) mod history;
mod index_lines;
pub mod ledger_history;
mod past;
mod repo_info;
mod treehash;
mod worktree;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Once;

use git2::Repository;
use thiserror::Error;

use crate::core::model::{
    ArtifactFacts, ContentChange, ContentRules, ContractRequest, Facts, GovernedFacts, HeadInfo,
    History, IndexLines, LedgerHistory, Moved, ScorecardFacts, Target,
};
use crate::repo::cache::HistoryCache;
use crate::repo::open::{self, OpenError};
use crate::repo::threads::join;
use crate::repo::workspace::{INDEX_FILE, Workspace};

pub use head::head_info;
pub use history::{Parallel, PathSpec, last_changes, last_changes_with, walk_threads};
pub use past::{PastFacts, PastRequest};
pub use repo_info::{blob_id, git_email, handoff_git_dir, read_head, remote_url};
pub use worktree::{Limits, WorkTree, worktree_facts};

/// Why facts could not be read at all. Problems with a single artifact are not errors: they
/// are reported in [`crate::core::model::ArtifactFacts::problem`].
#[derive(Debug, Error)]
pub enum FactsError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("{} is a bare repository: handoff needs a work tree", path.display())]
    Bare { path: PathBuf },
    #[error("{context}: {source}")]
    Git {
        context: String,
        source: git2::Error,
    },
}

impl FactsError {
    pub(crate) fn git(context: impl Into<String>) -> impl FnOnce(git2::Error) -> FactsError {
        let context = context.into();
        move |source| FactsError::Git { context, source }
    }
}

/// Opens the repository of a workspace, refusing a bare one, and tunes libgit2 for the
/// history walk the first time it is called.
///
/// The tuning changes process-wide libgit2 settings; call this before spawning threads that
/// use libgit2 (the tuning happens once per process, on the first call).
pub fn open_repo(workspace: &Workspace) -> Result<Repository, FactsError> {
    tune_libgit2();
    let repo = open::open(&workspace.repo_root)?;
    if repo.is_bare() || repo.workdir().is_none() {
        return Err(FactsError::Bare {
            path: repo.path().components().collect(),
        });
    }
    Ok(repo)
}

/// Largest tree object libgit2 keeps in its object cache. The default (4 KiB) leaves out
/// exactly the big directories the history walk revisits at every commit.
const TREE_CACHE_OBJECT_LIMIT: usize = 4 << 20;

fn tune_libgit2() {
    static TUNE: Once = Once::new();
    TUNE.call_once(|| {
        // Objects come from the repository the user works in; re-hashing every object read
        // to verify it roughly doubles the cost of the walk and protects against nothing here.
        git2::opts::strict_hash_verification(false);
        // SAFETY: libgit2 documents these options as unsynchronised globals. `Once` makes this
        // the only writer, and callers are told to open the repository before spawning
        // threads. A failure leaves the default, which is only slower.
        let _ = unsafe {
            git2::opts::set_cache_object_limit(git2::ObjectType::Tree, TREE_CACHE_OBJECT_LIMIT)
        };
    });
}

/// The history-walk spec of an artifact's target (`None` for a URL): its path or glob made
/// relative to the repository root.
pub(crate) fn path_spec(workspace: &Workspace, target: &Target) -> Option<PathSpec> {
    match target {
        Target::Path(path) => Some(PathSpec::Exact(workspace.repo_path(path))),
        Target::Glob(pattern) => Some(PathSpec::Glob(format!(
            "{}{}",
            glob::escape(&workspace.prefix),
            glob::normalize(pattern)
        ))),
        Target::Url(_) => None,
    }
}

/// The repository-relative directory every match of a glob target lies under (its literal
/// leading components; `""` for the whole repository): only a change there can change what
/// it matches.
pub fn glob_scope(workspace: &Workspace, pattern: &str) -> String {
    workspace.repo_path(glob::literal_dir(glob::normalize(pattern)))
}

/// Reads every fact for a list of artifacts: HEAD, the work tree of each, and the last change
/// of every path and glob in one history walk (through the repository's [`HistoryCache`]).
/// URL artifacts get default facts.
pub fn collect(
    repo: &Repository,
    workspace: &Workspace,
    artifacts: &[(String, Target)],
) -> Result<Facts, FactsError> {
    let request = FactsRequest {
        targets: artifacts,
        history: true,
        cache: &HistoryCache::of(repo),
        rules: ContentRules::default(),
        governs: &[],
        ci_paths: &[],
        contracts: &BTreeMap::new(),
        index_lines: false,
    };
    collect_with(repo, workspace, &request)
}

/// What a read of facts reports as it goes: the same pieces for the command line, which
/// gathers them into [`Facts`], and for the workbench, which shows each as it arrives.
#[derive(Debug, Clone)]
pub enum FactsPiece {
    Head(HeadInfo),
    /// Work-tree facts of some artifacts.
    Worktree(Vec<(String, ArtifactFacts)>),
    /// The last change of some artifacts.
    History(Vec<(String, History)>),
    /// The last change of content of some artifacts, and where missing ones went; after
    /// their history.
    Content(Vec<(String, ContentFacts)>),
    /// What the ledger files' git history says about their records.
    LedgerHistory(Box<LedgerHistory>),
    /// What the paths some artifacts govern match, and (with history) what changed them.
    Governed(Vec<(String, GovernedFacts)>),
    /// What the scorecard reads: the CI configuration and the paths its rules name.
    Scorecard(ScorecardFacts),
    /// When each line of `handoff.yaml` was written.
    IndexLines(IndexLines),
}

/// What [`FactsPiece::Content`] tells of one artifact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentFacts {
    pub content: Option<ContentChange>,
    pub moved: Option<Moved>,
}

/// Which facts to read: the work tree of every target, and with `history` the last change of
/// each and the ledger's history.
pub(crate) struct FactsRequest<'a> {
    pub targets: &'a [(String, Target)],
    pub history: bool,
    pub cache: &'a HistoryCache,
    /// What counts as a change of content.
    pub rules: ContentRules,
    /// The `governs` entries of the artifacts that govern something, by artifact id.
    pub governs: &'a [(String, Vec<String>)],
    /// The paths the scorecard's `in-ci` rules name.
    pub ci_paths: &'a [String],
    /// What each artifact under a contract needs checked, by artifact id.
    pub contracts: &'a BTreeMap<String, ContractRequest>,
    /// Whether to date the lines of `handoff.yaml` (with `history`; see
    /// [`crate::core::model::Index::dates_first_signoffs`]).
    pub index_lines: bool,
}

/// Work-tree facts are reported in batches of this many artifacts, so rows fill in as they
/// come.
const WORKTREE_BATCH: usize = 256;

/// Streamed history is reported at most this often.
const HISTORY_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Reads the facts `request` asks for, reporting each piece to `sink` as soon as it is known.
///
/// Three threads, each with a repository handle of its own: the ledger's history, the last
/// changes, and the work tree (through `repo`, which a caller may keep between reads so that
/// libgit2 re-reads the git index only when it changed). Cold, the two walks run side by
/// side (on two cores the slower of them is the cost, not their sum); warm, reading the
/// caches overlaps reading the work tree.
pub(crate) fn read_facts(
    repo: &Repository,
    workspace: &Workspace,
    request: &FactsRequest,
    sink: &(dyn Fn(FactsPiece) + Sync),
) -> Result<(), FactsError> {
    sink(FactsPiece::Head(head_info(repo)));
    let paths: Vec<&(String, Target)> = request.targets.iter().collect();
    let outcome = std::thread::scope(|scope| {
        let ledger = request.history.then(|| {
            scope.spawn(|| -> Result<(), FactsError> {
                let repo = open_repo(workspace)?;
                let (mut history, _) = request.cache.ledger_history(&repo, workspace)?;
                history.removed_roles = ledger_history::removed_roles(&repo, workspace, &history);
                sink(FactsPiece::LedgerHistory(Box::new(history)));
                if request.index_lines {
                    // A working copy that cannot be read has no lines to date.
                    let text = std::fs::read(workspace.dir.join(INDEX_FILE)).unwrap_or_default();
                    let lines = index_lines::index_lines(&repo, workspace, &text)?;
                    sink(FactsPiece::IndexLines(lines));
                }
                Ok(())
            })
        });
        let histories = request.history.then(|| {
            scope.spawn(|| -> Result<(), FactsError> {
                let repo = open_repo(workspace)?;
                stream_last_changes(&repo, workspace, &paths, request, sink)
            })
        });
        let work_tree = WorkTree::new(repo, workspace);
        let contracts = contract::Contracts::new(repo, workspace);
        for chunk in paths.chunks(WORKTREE_BATCH) {
            let batch = chunk
                .iter()
                .map(|(id, target)| {
                    let mut facts = work_tree.facts(target);
                    if let Some(asked) = request.contracts.get(id) {
                        facts.contract = Some(contracts.check(asked, &facts));
                    }
                    (id.clone(), facts)
                })
                .collect();
            sink(FactsPiece::Worktree(batch));
        }
        let governed = read_governed(repo, workspace, &work_tree, request);
        (ledger.map(join), histories.map(join), governed)
    });
    let (ledger, histories, governed) = outcome;
    histories.transpose()?;
    ledger.transpose()?;
    sink(FactsPiece::Governed(governed?));
    sink(FactsPiece::Scorecard(ci::scorecard_facts(
        workspace,
        request.ci_paths,
    )));
    Ok(())
}

/// What each artifact's governed entries match, and with history the commits that changed
/// them.
fn read_governed(
    repo: &Repository,
    workspace: &Workspace,
    work_tree: &WorkTree,
    request: &FactsRequest,
) -> Result<Vec<(String, GovernedFacts)>, FactsError> {
    let changes = if request.history && !request.governs.is_empty() {
        Some(
            request
                .cache
                .governed_changes(repo, workspace, request.governs)?,
        )
    } else {
        None
    };
    Ok(request
        .governs
        .iter()
        .enumerate()
        .map(|(i, (id, entries))| {
            let found = changes.as_ref().map(|c| c[i].clone());
            let facts = GovernedFacts {
                globs: governed::governed_matches(work_tree, entries),
                truncated: found.as_ref().is_some_and(|(_, t)| *t),
                changes: found.map(|(c, _)| c),
            };
            (id.clone(), facts)
        })
        .collect())
}

/// The last change of each path or glob target, reported in batches as the walk resolves
/// them.
fn stream_last_changes(
    repo: &Repository,
    workspace: &Workspace,
    targets: &[&(String, Target)],
    request: &FactsRequest,
    sink: &(dyn Fn(FactsPiece) + Sync),
) -> Result<(), FactsError> {
    let mut specs = Vec::new();
    let mut owners = Vec::new();
    for (id, target) in targets {
        if let Some(spec) = path_spec(workspace, target) {
            specs.push(spec);
            owners.push(id);
        }
    }
    let mut resolved: Vec<(String, History)> = Vec::new();
    let mut last_sent = std::time::Instant::now();
    let changes = request
        .cache
        .last_changes(repo, &specs, &mut |i, history| {
            resolved.push((owners[i].clone(), history.clone()));
            if last_sent.elapsed() >= HISTORY_EVERY {
                sink(FactsPiece::History(std::mem::take(&mut resolved)));
                last_sent = std::time::Instant::now();
            }
        })?;
    sink(FactsPiece::History(resolved));
    let found = request
        .cache
        .content_changes(repo, &specs, &changes.histories, &request.rules)?;
    let local = |path: String| match path.strip_prefix(workspace.prefix.as_str()) {
        Some(rest) => rest.to_string(),
        None => path,
    };
    let batch = owners
        .iter()
        .zip(found)
        .map(|(id, found)| {
            let facts = ContentFacts {
                content: found.change.map(|(change, path)| ContentChange {
                    change,
                    path: path.map(local),
                }),
                moved: found.moved.map(|(path, commit)| Moved {
                    path: local(path),
                    commit,
                }),
            };
            ((*id).clone(), facts)
        })
        .collect();
    sink(FactsPiece::Content(batch));
    Ok(())
}

/// Puts a piece of facts in place and returns the ids of the artifacts it changed. Pieces
/// arrive from threads in any order: work-tree facts keep the history already known, and
/// history that comes before an artifact's work-tree facts waits in `arrived_early` for them.
pub fn merge(facts: &mut Facts, piece: FactsPiece) -> Vec<String> {
    let mut changed = Vec::new();
    match piece {
        FactsPiece::Head(head) => facts.head = head,
        FactsPiece::Worktree(batch) => {
            for (id, mut new) in batch {
                let old = facts
                    .artifacts
                    .remove(&id)
                    .or_else(|| facts.arrived_early.remove(&id));
                if let Some(old) = old {
                    new.governed = old.governed;
                    if !matches!(old.history, History::Pending) {
                        new.history = old.history;
                        new.content = old.content;
                        new.moved = old.moved;
                    }
                }
                changed.push(id.clone());
                facts.artifacts.insert(id, new);
            }
        }
        FactsPiece::History(batch) => {
            for (id, history) in batch {
                history_side(facts, &id, &mut changed).history = history;
            }
        }
        FactsPiece::Content(batch) => {
            for (id, found) in batch {
                let f = history_side(facts, &id, &mut changed);
                f.content = found.content;
                f.moved = found.moved;
            }
        }
        FactsPiece::LedgerHistory(history) => facts.ledger_history = *history,
        FactsPiece::Scorecard(found) => facts.scorecard = Some(found),
        FactsPiece::IndexLines(lines) => facts.index_lines = Some(lines),
        FactsPiece::Governed(batch) => {
            for (id, mut found) in batch {
                let f = history_side(facts, &id, &mut changed);
                // A read of the work tree alone keeps the changes history gave.
                if found.changes.is_none()
                    && let Some(old) = f.governed.take()
                {
                    found.changes = old.changes;
                    found.truncated = old.truncated;
                }
                f.governed = Some(found);
            }
        }
    }
    changed
}

/// Where a history-side piece for `id` goes: its facts, noted as changed, or (before its
/// work-tree facts arrive) its entry in `arrived_early`.
fn history_side<'a>(
    facts: &'a mut Facts,
    id: &str,
    changed: &mut Vec<String>,
) -> &'a mut ArtifactFacts {
    if facts.artifacts.contains_key(id) {
        changed.push(id.to_string());
        facts.artifacts.entry(id.to_string()).or_default()
    } else {
        facts.arrived_early.entry(id.to_string()).or_default()
    }
}

/// [`read_facts`] with its pieces gathered into [`Facts`] (the command line's way; a request
/// with [`HistoryCache::disabled`] walks everything).
pub(crate) fn collect_with(
    repo: &Repository,
    workspace: &Workspace,
    request: &FactsRequest<'_>,
) -> Result<Facts, FactsError> {
    let gathered = std::sync::Mutex::new(Facts {
        artifacts: request
            .targets
            .iter()
            .map(|(id, _)| (id.clone(), ArtifactFacts::default()))
            .collect(),
        ..Facts::default()
    });
    read_facts(repo, workspace, request, &|piece| {
        merge(
            &mut gathered.lock().unwrap_or_else(|e| e.into_inner()),
            piece,
        );
    })?;
    Ok(gathered.into_inner().unwrap_or_else(|e| e.into_inner()))
}
