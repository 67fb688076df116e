//! The handoff workspace on disk: finding `handoff.yaml`, reading it and the ledger, and
//! putting index, ledger, facts and analysis together into one snapshot.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::analysis::{Report, analyze};
pub use crate::facts::Workspace;
use crate::facts::{self, FactsError};
use crate::fence;
use crate::model::ledger::LEDGER_DIR;
use crate::model::load::{load_index, load_ledger_file};
use crate::model::{Facts, Index, Ledger, LedgerProblem, LoadError, LoadErrors, Pos};

pub const INDEX_FILE: &str = "handoff.yaml";
/// Ledger files larger than this are not read (a record is a few hundred bytes).
pub const MAX_LEDGER_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Index(LoadErrors),
    #[error(transparent)]
    Git(#[from] FactsError),
}

/// Finds the workspace: the nearest directory at or above `start` (the current directory
/// when `None`) that holds `handoff.yaml`, without leaving the git repository.
pub fn locate(start: Option<&Path>) -> Result<Workspace, WorkspaceError> {
    let start = match start {
        Some(p) => p.to_path_buf(),
        None => std::env::current_dir().map_err(|e| {
            WorkspaceError::NotFound(format!("cannot read the current directory: {e}"))
        })?,
    };
    let start = start
        .canonicalize()
        .map_err(|e| WorkspaceError::NotFound(format!("{}: {e}", start.display())))?;
    if !start.is_dir() {
        return Err(WorkspaceError::NotFound(format!(
            "{} is not a directory",
            start.display()
        )));
    }
    let repo = git2::Repository::discover(&start).map_err(|_| {
        WorkspaceError::NotFound(format!(
            "{} is not inside a git repository: handoff reads its facts from git (run `git init` first)",
            start.display()
        ))
    })?;
    let Some(repo_root) = repo.workdir().map(Path::to_path_buf) else {
        // Without the trailing slash libgit2 gives a repository's path.
        let path: PathBuf = repo.path().components().collect();
        return Err(WorkspaceError::NotFound(format!(
            "{} is a bare repository: handoff needs a work tree",
            path.display()
        )));
    };
    let repo_root = repo_root.canonicalize().unwrap_or(repo_root);
    let mut dir = start.clone();
    loop {
        if dir.join(INDEX_FILE).exists() {
            let prefix = dir
                .strip_prefix(&repo_root)
                .map(|p| {
                    let s = p.to_string_lossy().replace('\\', "/");
                    if s.is_empty() { s } else { format!("{s}/") }
                })
                .unwrap_or_default();
            return Ok(Workspace {
                repo_root,
                dir,
                prefix,
            });
        }
        if dir == repo_root || !dir.pop() || !dir.starts_with(&repo_root) {
            break;
        }
    }
    Err(WorkspaceError::NotFound(format!(
        "no {INDEX_FILE} in {} or above it up to the repository root {}: run `handoff init` to write one",
        start.display(),
        repo_root.display()
    )))
}

/// Reads a regular file of at most `limit` bytes; FIFOs and devices are refused without
/// blocking (see [`crate::fence::read_regular`]).
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    fence::read_regular(path, limit).map_err(|e| e.to_string())
}

/// Loads and validates `handoff.yaml`. A `handoff.yaml` that is a symbolic link is followed
/// only while it stays inside the work tree.
pub fn load_index_file(ws: &Workspace) -> Result<Index, LoadErrors> {
    let path = ws.dir.join(INDEX_FILE);
    let bytes = fence::read_inside(&ws.repo_root, &path, crate::yaml::MAX_INPUT_BYTES as u64)
        .map_err(|e| {
            LoadError::new(
                INDEX_FILE,
                Pos::new(1, 1, 0),
                format!("cannot read {INDEX_FILE}: {e}"),
            )
        })?;
    load_index(INDEX_FILE, &bytes)
}

/// Reads every ledger file. Unreadable or malformed files become problems, never errors;
/// so does a ledger directory that leads outside the work tree (a problem of every artifact:
/// its `artifact` is empty).
pub fn load_ledger(ws: &Workspace) -> Ledger {
    let mut ledger = Ledger::default();
    let dir = ws.dir.join(LEDGER_DIR);
    match fence::resolve_inside(&ws.repo_root, &dir) {
        Ok(_) => {}
        Err(fence::Refused::Missing) => return ledger,
        Err(e) => {
            ledger.problems.push(LedgerProblem {
                artifact: String::new(),
                file: LEDGER_DIR.to_string(),
                pos: Pos::new(1, 1, 0),
                message: format!("{LEDGER_DIR} is not read: {e}"),
            });
            return ledger;
        }
    }
    let Ok(entries) = fs::read_dir(&dir) else {
        return ledger;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let Some(id) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let file = format!("{LEDGER_DIR}/{id}.yaml");
        match fence::read_inside(&ws.repo_root, &path, MAX_LEDGER_BYTES) {
            Ok(bytes) => {
                let (records, problems) = load_ledger_file(&id, &file, &bytes);
                ledger.records.insert(id, records);
                ledger.problems.extend(problems);
            }
            Err(e) => ledger.problems.push(LedgerProblem {
                artifact: id,
                file,
                pos: Pos::new(1, 1, 0),
                message: format!("the ledger file cannot be read: {e}"),
            }),
        }
    }
    ledger
}

/// Everything handoff knows about a workspace at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub index: Index,
    pub ledger: Ledger,
    pub facts: Facts,
    pub report: Report,
    pub now: Timestamp,
}

impl Snapshot {
    /// Analyses what has been read; cheap enough to call after every change of facts.
    pub fn new(index: Index, ledger: Ledger, facts: Facts, now: Timestamp) -> Self {
        let report = analyze(&index, &ledger, &facts, now);
        Snapshot {
            index,
            ledger,
            facts,
            report,
            now,
        }
    }
}

/// [`load_index_file`] and [`load_ledger`] together: the ledger files do not depend on the
/// index, so they are read on a second thread while the index parses.
pub fn load_index_and_ledger(ws: &Workspace) -> (Result<Index, LoadErrors>, Ledger) {
    std::thread::scope(|scope| {
        let ledger = scope.spawn(|| load_ledger(ws));
        let index = load_index_file(ws);
        let ledger = ledger
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (index, ledger)
    })
}

/// Reads the index, the ledger and every fact, then analyses them.
pub fn snapshot(ws: &Workspace, now: Timestamp) -> Result<Snapshot, WorkspaceError> {
    snapshot_with(ws, now, true)
}

/// [`snapshot`], reading history through the repository's last-change cache, or walking all
/// of it when `use_cache` is false (`handoff check --no-cache`).
pub fn snapshot_with(
    ws: &Workspace,
    now: Timestamp,
    use_cache: bool,
) -> Result<Snapshot, WorkspaceError> {
    let (index, ledger) = load_index_and_ledger(ws);
    let index = index.map_err(WorkspaceError::Index)?;
    let repo = facts::open_repo(ws)?;
    let cache = if use_cache {
        facts::HistoryCache::of(&repo)
    } else {
        facts::HistoryCache::disabled()
    };
    let targets: Vec<(String, crate::model::Target)> = index
        .artifacts
        .iter()
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect();
    let facts = facts::collect_with(&repo, ws, &targets, &cache)?;
    Ok(Snapshot::new(index, ledger, facts, now))
}
