//! The handoff workspace: the directory holding `handoff.yaml`, inside the work tree of a git
//! repository. It is found once, with the repository opened once, and holds every path later
//! calls need, so that nothing reopens the repository just to find a directory.

use std::path::{Path, PathBuf};

use git2::Repository;

pub(crate) use crate::core::model::INDEX_FILE;
use crate::core::model::LoadErrors;
use crate::repo::facts::FactsError;
use crate::repo::open::{self, OpenError};

/// Ledger files larger than this are not read (a record is a few hundred bytes).
pub(crate) const MAX_LEDGER_BYTES: u64 = 16 * 1024 * 1024;

/// Where the handoff workspace sits in its repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The root of the repository's work tree.
    pub repo_root: PathBuf,
    /// The directory holding `handoff.yaml`.
    pub dir: PathBuf,
    /// `dir` relative to `repo_root`, `/`-separated: `""` at the root, else `"sub/dir/"` with a
    /// trailing slash, so that `prefix + path` is a repository-relative path.
    pub prefix: String,
    /// The work tree's git directory (a linked worktree's own): handoff keeps its caches and
    /// drafts there, never in the work tree.
    pub git_dir: PathBuf,
    /// The directory every worktree of the repository shares (refs, objects, configuration).
    pub common_dir: PathBuf,
}

/// Why there is no workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot read the current directory: {0}")]
    CurrentDir(std::io::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error(transparent)]
    Repository(#[from] OpenError),
    #[error("{} is a bare repository: handoff needs a work tree", path.display())]
    Bare { path: PathBuf },
    #[error("{} is not inside the work tree of {}", dir.display(), repo_root.display())]
    OutsideWorkTree { dir: PathBuf, repo_root: PathBuf },
    #[error("{} is not valid UTF-8; handoff needs UTF-8 paths", path.display())]
    NonUtf8Path { path: PathBuf },
    #[error(
        "no {INDEX_FILE} in {} or above it up to the repository root {}: run `handoff init` to \
         write one",
        start.display(),
        repo_root.display()
    )]
    NoIndex { start: PathBuf, repo_root: PathBuf },
    #[error("{0}")]
    Index(LoadErrors),
    #[error(transparent)]
    Git(#[from] FactsError),
}

/// Finds the workspace: the nearest directory at or above `start` (the current directory
/// when `None`) that holds `handoff.yaml`, without leaving the work tree of the repository
/// that contains `start`.
pub fn locate(start: Option<&Path>) -> Result<Workspace, WorkspaceError> {
    let start = match start {
        Some(p) => p.to_path_buf(),
        None => std::env::current_dir().map_err(WorkspaceError::CurrentDir)?,
    };
    let start = canonical(&start)?;
    if !start.is_dir() {
        return Err(WorkspaceError::NotADirectory { path: start });
    }
    let repo = open::discover(&start)?;
    let repo_root = work_tree_root(&repo)?;
    if !start.starts_with(&repo_root) {
        return Err(WorkspaceError::OutsideWorkTree {
            dir: start,
            repo_root,
        });
    }
    let Some(dir) = start
        .ancestors()
        .take_while(|dir| dir.starts_with(&repo_root))
        .find(|dir| dir.join(INDEX_FILE).exists())
    else {
        return Err(WorkspaceError::NoIndex { start, repo_root });
    };
    Workspace::in_repo(&repo, repo_root, dir.to_path_buf())
}

impl Workspace {
    /// The workspace in `dir` itself, whether or not it holds `handoff.yaml`: for a workspace
    /// being made (the demo writes its `handoff.yaml` after finding where it goes) and for
    /// reading the facts of any directory (the tests, the examples). Everything else finds
    /// the workspace with [`locate`], which looks for `handoff.yaml` upwards.
    pub fn discover(dir: &Path) -> Result<Workspace, WorkspaceError> {
        let repo = open::discover(dir)?;
        let repo_root = work_tree_root(&repo)?;
        Workspace::in_repo(&repo, repo_root, canonical(dir)?)
    }

    /// The workspace in `dir` (canonical) of `repo`, whose work tree's root is `repo_root`.
    fn in_repo(
        repo: &Repository,
        repo_root: PathBuf,
        dir: PathBuf,
    ) -> Result<Workspace, WorkspaceError> {
        let outside = || WorkspaceError::OutsideWorkTree {
            dir: dir.clone(),
            repo_root: repo_root.clone(),
        };
        let relative = dir.strip_prefix(&repo_root).map_err(|_| outside())?;
        let mut prefix = String::new();
        for component in relative.components() {
            let name = component
                .as_os_str()
                .to_str()
                .ok_or_else(|| WorkspaceError::NonUtf8Path { path: dir.clone() })?;
            if name == ".git" {
                return Err(outside());
            }
            prefix.push_str(name);
            prefix.push('/');
        }
        Ok(Workspace {
            git_dir: canonical_or_same(repo.path()),
            common_dir: canonical_or_same(repo.commondir()),
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

/// The root of a repository's work tree, canonical; a bare repository has none.
fn work_tree_root(repo: &Repository) -> Result<PathBuf, WorkspaceError> {
    match repo.workdir() {
        Some(workdir) => canonical(workdir),
        None => Err(WorkspaceError::Bare {
            // Without the trailing slash libgit2 gives a repository's path.
            path: repo.path().components().collect(),
        }),
    }
}

fn canonical(path: &Path) -> Result<PathBuf, WorkspaceError> {
    path.canonicalize().map_err(|source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A path of the repository's own (its git directory) as the file system names it; as given
/// when it cannot be resolved (then it is used as libgit2 gave it).
fn canonical_or_same(path: &Path) -> PathBuf {
    path.canonicalize()
        .unwrap_or_else(|_| path.components().collect())
}
