//! Facts from git and the work tree: does each artifact exist, what is its fingerprint (git's
//! own object id of the working copy), is it uncommitted, and which commit last changed it.
//!
//! Everything here is blocking and free of UI. The values produced are the plain types of
//! [`crate::model::facts`]; `analysis` reads them without knowing how they were obtained.
//!
//! - [`head_info`]: where HEAD stands.
//! - [`worktree_facts`] (or a reusable [`WorkTree`]): existence, fingerprint, uncommitted state,
//!   glob matches and documents of one artifact.
//! - [`last_changes`]: one history walk that answers `git log -1 -- <path>` for many paths;
//!   [`last_changes_cached`] (or a [`HistoryCache`]) the same through a cache in `.git/handoff/`
//!   that spares walking history already walked.
//! - [`collect`]: all of the above for a whole index.

mod cache;
mod cache_file;
mod glob;
mod head;
mod history;
mod ledger_cache;
pub mod ledger_history;
pub mod open;
mod parsed_cache;
mod treehash;
mod worktree;

use std::path::{Path, PathBuf};
use std::sync::Once;

use git2::Repository;
use thiserror::Error;

use crate::model::{ArtifactFacts, Facts, History, Target};
use crate::threads::join;

pub use cache::{CacheOutcome, CachedChanges, HistoryCache, last_changes_cached};
pub use head::head_info;
pub use history::{PathSpec, last_changes};
pub use ledger_cache::{LedgerAnswer, ledger_history_cached};
pub use open::OpenError;
pub use parsed_cache::{Input, ParsedCache};
pub use worktree::{Limits, WorkTree, worktree_facts};

/// Where the handoff workspace sits in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The root of the repository's work tree.
    pub repo_root: PathBuf,
    /// The directory holding `handoff.yaml`.
    pub dir: PathBuf,
    /// `dir` relative to `repo_root`, `/`-separated: `""` at the root, else `"sub/dir/"` with a
    /// trailing slash, so that `prefix + path` is a repository-relative path.
    pub prefix: String,
}

impl Workspace {
    /// The workspace whose `handoff.yaml` lives in `dir`, inside the work tree of the repository
    /// that contains `dir`.
    pub fn discover(dir: &Path) -> Result<Workspace, FactsError> {
        let repo = open::discover(dir)?;
        let Some(workdir) = repo.workdir() else {
            return Err(FactsError::Bare {
                path: repo.path().to_path_buf(),
            });
        };
        let canonical = |path: &Path| {
            path.canonicalize().map_err(|source| FactsError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let repo_root = canonical(workdir)?;
        let dir = canonical(dir)?;
        let relative = dir
            .strip_prefix(&repo_root)
            .map_err(|_| FactsError::OutsideWorkTree {
                dir: dir.clone(),
                repo_root: repo_root.clone(),
            })?;
        let mut prefix = String::new();
        for component in relative.components() {
            let name = component
                .as_os_str()
                .to_str()
                .ok_or_else(|| FactsError::NonUtf8Path { path: dir.clone() })?;
            if name == ".git" {
                return Err(FactsError::OutsideWorkTree {
                    dir: dir.clone(),
                    repo_root: repo_root.clone(),
                });
            }
            prefix.push_str(name);
            prefix.push('/');
        }
        Ok(Workspace {
            repo_root,
            dir,
            prefix,
        })
    }

    /// The repository-relative form of a path relative to the workspace directory.
    pub fn repo_path(&self, workspace_path: &str) -> String {
        let trimmed = workspace_path.trim_end_matches('/');
        match trimmed {
            "" | "." => self.prefix.trim_end_matches('/').to_string(),
            _ => format!("{}{}", self.prefix, trimmed.trim_start_matches("./")),
        }
    }
}

/// Why facts could not be read at all. Problems with a single artifact are not errors: they
/// are reported in [`crate::model::ArtifactFacts::problem`].
#[derive(Debug, Error)]
pub enum FactsError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("handoff needs a work tree: {} is a bare repository", path.display())]
    Bare { path: PathBuf },
    #[error("{} is not inside the work tree of {}", dir.display(), repo_root.display())]
    OutsideWorkTree { dir: PathBuf, repo_root: PathBuf },
    #[error("{} is not valid UTF-8; handoff needs UTF-8 paths", path.display())]
    NonUtf8Path { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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
            path: repo.path().to_path_buf(),
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
pub fn path_spec(workspace: &Workspace, target: &Target) -> Option<PathSpec> {
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
    collect_with(repo, workspace, artifacts, &HistoryCache::of(repo))
}

/// [`collect`] with a given history cache ([`HistoryCache::disabled`] walks everything).
///
/// Three threads, each with a repository handle of its own: the ledger's history, the last
/// changes, and the work tree. Cold, the two walks run side by side (on two cores the slower
/// of them is the cost, not their sum); warm, reading the caches overlaps reading the work
/// tree.
pub fn collect_with(
    repo: &Repository,
    workspace: &Workspace,
    artifacts: &[(String, Target)],
    cache: &HistoryCache,
) -> Result<Facts, FactsError> {
    let (ledger_history, histories, mut artifact_facts) = std::thread::scope(|scope| {
        let ledger = scope.spawn(|| {
            let repo = open_repo(workspace)?;
            cache
                .ledger_history(&repo, workspace)
                .map(|(history, _)| history)
        });
        let histories = scope.spawn(|| {
            let repo = open_repo(workspace)?;
            last_changes_of(&repo, workspace, artifacts, cache)
        });
        let work_tree = WorkTree::new(repo, workspace);
        let artifact_facts: Vec<ArtifactFacts> = artifacts
            .iter()
            .map(|(_, target)| work_tree.facts(target))
            .collect();
        (join(ledger), join(histories), artifact_facts)
    });
    for (position, history) in histories? {
        artifact_facts[position].history = history;
    }
    Ok(Facts {
        head: head_info(repo),
        artifacts: artifacts
            .iter()
            .map(|(id, _)| id.clone())
            .zip(artifact_facts)
            .collect(),
        ledger_history: ledger_history?,
    })
}

/// The last change of each artifact with a path or glob: (its position, its history).
fn last_changes_of(
    repo: &Repository,
    workspace: &Workspace,
    artifacts: &[(String, Target)],
    cache: &HistoryCache,
) -> Result<Vec<(usize, History)>, FactsError> {
    let mut specs = Vec::new();
    let mut spec_owner = Vec::new();
    for (position, (_, target)) in artifacts.iter().enumerate() {
        if let Some(spec) = path_spec(workspace, target) {
            specs.push(spec);
            spec_owner.push(position);
        }
    }
    let histories = cache.last_changes(repo, &specs, &mut |_, _| {})?.histories;
    Ok(spec_owner.into_iter().zip(histories).collect())
}
