//! What `handoff doctor` and `handoff init` ask of the repository and the machine, as plain
//! values: who git says you are (and from which configuration file), where the repository is
//! and where HEAD stands, what lies in a directory. The faces word them.

use std::path::{Path, PathBuf};

use super::facts;
pub use super::open::OpenError;
use crate::core::model::HeadInfo;

pub use super::commit_graph::CommitGraph;
pub use super::identity::{ConfigValue, Identity};

/// Who git says commits here, as git resolves the author in `start` (environment, `git -c`,
/// repository configuration, then global and system), also where libgit2 cannot open the
/// repository.
pub fn identity(start: &Path) -> Identity {
    let config = super::open::config_at(start).ok();
    super::identity::resolve(config.as_ref(), super::identity::Part::Author)
}

/// The repository around `start`, as the doctor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `None`: a bare repository.
    pub work_tree: Option<PathBuf>,
    pub git_dir: PathBuf,
    pub head: HeadInfo,
    /// Whether history walks can use git's changed-path Bloom filters.
    pub commit_graph: super::commit_graph::CommitGraph,
    /// handoff's own directory in the git directory (caches, locks, scratch).
    pub handoff_dir: PathBuf,
}

/// The repository at or above `start`, or why libgit2 cannot open it.
pub fn repository(start: &Path) -> Result<Repository, OpenError> {
    let repo = super::open::discover(start)?;
    Ok(Repository {
        work_tree: repo.workdir().map(Path::to_path_buf),
        git_dir: repo.path().to_path_buf(),
        head: facts::head_info(&repo),
        commit_graph: super::commit_graph::commit_graph(repo.commondir()),
        handoff_dir: repo.path().join("handoff"),
    })
}

/// Whether there is no repository at all (rather than one libgit2 cannot open).
pub fn is_absent(e: &OpenError) -> bool {
    matches!(e, OpenError::NotARepository { .. })
}

/// Files (recursively) and their bytes in a directory; `None` when it cannot be read.
pub fn directory_summary(dir: &Path) -> Option<(usize, u64)> {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.filter_map(Result::ok) {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    Some((files, bytes))
}

/// The names in a directory, sorted; `None` when it cannot be read.
pub fn names_in(dir: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    Some(names)
}

/// How many `*.yaml` files a directory holds (0 when it cannot be read).
pub fn yaml_files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
                .count()
        })
        .unwrap_or(0)
}
