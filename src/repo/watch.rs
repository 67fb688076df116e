//! Watching the repository, so that the workbench follows it as people work.
//!
//! Directories are watched, never single files: editors save by writing a temporary file and
//! renaming it over the original, which a watch on the file itself would not survive. Each
//! directory of the work tree gets its own watch, except those git ignores (`target/`,
//! `node_modules/` never cost a watch or an event) and `.git`; directories created later are
//! watched as they appear. In `.git`, only what moves HEAD or the index is watched: `HEAD`,
//! `index`, `packed-refs`, `refs/`, and `MERGE_HEAD`-like files.
//!
//! Raw events are debounced (50 ms by default) and sorted into [`WatchEvent`]s:
//! access and open events are dropped (reading a file changes nothing, and handoff reads a
//! lot); paths git ignores are dropped (the answer is cached per directory and forgotten when a
//! `.gitignore` changes); changes under `.git` become one [`WatchEvent::GitChanged`] (object
//! database churn and lock files are dropped); `handoff.yaml` and the ledger get their own
//! events; and handoff's own writes, marked by `repo_write` in the [`OwnWrites`] handle given
//! to both before it writes, are dropped while the files still hold what handoff wrote, so its
//! own writes never trigger a reload.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use git2::Repository;
use notify::event::{AccessKind, EventKind, MetadataKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache, new_debouncer_opt};

use crate::core::model::ledger::LEDGER_DIR;
use crate::repo::workspace::INDEX_FILE;
use crate::repo::workspace::Workspace;
use crate::repo::write::own_writes::OwnWrites;

/// What changed, after debouncing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// Files of the work tree were created, written, removed or renamed: paths relative to the
    /// repository root. `handoff.yaml` and ledger files are reported by their own events.
    WorkTreeChanged(Vec<PathBuf>),
    /// HEAD, a ref or the git index changed (a commit, checkout, pull, merge, stage or reset
    /// in another terminal): re-check HEAD and the index.
    GitChanged,
    /// `handoff.yaml` changed.
    IndexFileChanged,
    /// Ledger files changed: the ids of their artifacts.
    LedgerChanged(Vec<String>),
    /// The system dropped events (its queue overflowed): everything may have changed.
    Rescan,
    /// Watching went wrong somewhere; what still works keeps working.
    Error(String),
}

/// How the watcher behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchOptions {
    /// How long a path must be quiet before its change is reported.
    pub debounce: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(50),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot open the repository at {path} to watch it: {source}")]
    Repository { path: PathBuf, source: git2::Error },
    #[error("cannot watch {path}: {message}")]
    Watch { path: PathBuf, message: String },
}

type Inner = Debouncer<RecommendedWatcher, NoCache>;

/// A running watcher; it stops when dropped.
pub struct Watcher {
    debouncer: Arc<Mutex<Option<Inner>>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(debouncer) = self
            .debouncer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            debouncer.stop_nonblocking();
        }
    }
}

/// Watches the workspace's repository and sends events over a channel; writes marked in
/// `own_writes` are not reported.
pub fn watch_channel(
    ws: &Workspace,
    options: WatchOptions,
    own_writes: OwnWrites,
) -> Result<(Watcher, Receiver<WatchEvent>), WatchError> {
    let (sender, receiver) = mpsc::channel();
    let watcher = watch(ws, options, own_writes, move |event| {
        // A receiver that went away wants no more events.
        let _ = sender.send(event);
    })?;
    Ok((watcher, receiver))
}

/// Watches the workspace's repository and calls `sink` with each event, on the watcher's
/// thread; writes marked in `own_writes` are not reported.
pub fn watch(
    ws: &Workspace,
    options: WatchOptions,
    own_writes: OwnWrites,
    sink: impl FnMut(WatchEvent) + Send + 'static,
) -> Result<Watcher, WatchError> {
    let repo = Repository::open(&ws.repo_root).map_err(|source| WatchError::Repository {
        path: ws.repo_root.clone(),
        source,
    })?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let git_dir = ws.git_dir.clone();
    let common_dir = ws.common_dir.clone();
    let work_tree = canonical(&ws.repo_root);
    let workspace_dir = canonical(&ws.dir);

    let shared: Arc<Mutex<Option<Inner>>> = Arc::new(Mutex::new(None));
    let mut router = Router {
        ignores: Ignores::new(repo),
        work_tree: work_tree.clone(),
        git_dir: git_dir.clone(),
        common_dir: common_dir.clone(),
        index_file: workspace_dir.join(INDEX_FILE),
        mailmap_file: work_tree.join(crate::repo::inputs::MAILMAP_FILE),
        ledger_dir: workspace_dir.join(LEDGER_DIR),
        own_writes,
        sink: Box::new(sink),
        debouncer: Arc::downgrade(&shared),
    };
    // The walk for the initial watches fills the router's ignore cache before the router
    // moves into the watcher's thread.
    let mut dirs = Vec::new();
    router.directories_under(&work_tree, &mut dirs);

    let handler = move |result: DebounceEventResult| router.handle(result);
    let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
        options.debounce,
        None,
        handler,
        NoCache,
        notify::Config::default(),
    )
    .map_err(|e| WatchError::Watch {
        path: work_tree.clone(),
        message: describe(&e),
    })?;

    let mut watch = |path: &Path, mode: RecursiveMode| {
        debouncer.watch(path, mode).map_err(|e| WatchError::Watch {
            path: path.to_path_buf(),
            message: describe(&e),
        })
    };
    for dir in &dirs {
        watch(dir, RecursiveMode::NonRecursive)?;
    }
    watch(&git_dir, RecursiveMode::NonRecursive)?;
    if common_dir != git_dir {
        watch(&common_dir, RecursiveMode::NonRecursive)?;
    }
    let refs = common_dir.join("refs");
    if refs.is_dir() {
        watch(&refs, RecursiveMode::Recursive)?;
    }
    *shared.lock().unwrap_or_else(|e| e.into_inner()) = Some(debouncer);
    Ok(Watcher { debouncer: shared })
}

fn describe(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => "the system's limit of watched directories is reached; raise it (on Linux: `sysctl fs.inotify.max_user_watches=524288`)".into(),
        _ => e.to_string(),
    }
}

/// Git's ignore rules, asked once per directory and file and remembered until a `.gitignore`
/// changes.
struct Ignores {
    repo: Repository,
    dirs: HashMap<PathBuf, bool>,
    files: HashMap<PathBuf, bool>,
}

/// Answers remembered before the caches are cleared, to bound memory in huge trees.
const MAX_CACHED: usize = 100_000;

impl Ignores {
    fn new(repo: Repository) -> Ignores {
        Ignores {
            repo,
            dirs: HashMap::new(),
            files: HashMap::new(),
        }
    }

    fn forget(&mut self) {
        self.dirs.clear();
        self.files.clear();
    }

    fn ask(repo: &Repository, relative: &Path, is_dir: bool) -> bool {
        let mut text = relative.to_string_lossy().replace('\\', "/");
        if is_dir {
            text.push('/');
        }
        repo.is_path_ignored(&text).unwrap_or(false)
    }

    fn dir_ignored(&mut self, relative: &Path) -> bool {
        cached(&mut self.dirs, &self.repo, relative, true)
    }

    /// Whether git ignores a path relative to the work tree (or a directory above it).
    fn ignored(&mut self, relative: &Path, is_dir: bool) -> bool {
        let ancestors: Vec<&Path> = relative
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .collect();
        if ancestors.iter().rev().any(|a| self.dir_ignored(a)) {
            return true;
        }
        if is_dir {
            return self.dir_ignored(relative);
        }
        cached(&mut self.files, &self.repo, relative, false)
    }
}

/// The remembered answer for `relative`, asking git the first time.
fn cached(
    cache: &mut HashMap<PathBuf, bool>,
    repo: &Repository,
    relative: &Path,
    is_dir: bool,
) -> bool {
    if cache.len() > MAX_CACHED {
        cache.clear();
    }
    *cache
        .entry(relative.to_path_buf())
        .or_insert_with(|| Ignores::ask(repo, relative, is_dir))
}

/// Sorts raw events into [`WatchEvent`]s and keeps the watches in step with new directories.
struct Router {
    ignores: Ignores,
    work_tree: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
    index_file: PathBuf,
    /// git's `.mailmap`: who counts as whom, read with the index.
    mailmap_file: PathBuf,
    ledger_dir: PathBuf,
    own_writes: OwnWrites,
    sink: Box<dyn FnMut(WatchEvent) + Send>,
    debouncer: Weak<Mutex<Option<Inner>>>,
}

/// What one batch of raw events amounts to.
#[derive(Default)]
struct Batch {
    git: bool,
    index_file: bool,
    ledger: BTreeSet<String>,
    work_tree: BTreeSet<PathBuf>,
    rescan: bool,
    new_dirs: Vec<PathBuf>,
}

/// Prefix of the temporary files `write_atomic` renames into place.
const OWN_TEMPORARY: &str = ".handoff-tmp-";

impl Router {
    fn handle(&mut self, result: DebounceEventResult) {
        let events = match result {
            Ok(events) => events,
            Err(errors) => {
                for e in errors {
                    (self.sink)(WatchEvent::Error(describe(&e)));
                }
                return;
            }
        };
        let mut batch = Batch::default();
        for event in &events {
            if event.need_rescan() {
                batch.rescan = true;
            }
            if is_noise(&event.kind) {
                continue;
            }
            if event.paths.iter().any(|p| p.ends_with(".gitignore"))
                || event.paths.iter().any(|p| p.ends_with("info/exclude"))
            {
                self.ignores.forget();
            }
            for path in &event.paths {
                self.route(path, &event.kind, &mut batch);
            }
        }
        for dir in std::mem::take(&mut batch.new_dirs) {
            self.watch_new_directory(&dir, &mut batch);
        }
        self.emit(batch);
    }

    fn route(&mut self, path: &Path, kind: &EventKind, batch: &mut Batch) {
        if path.starts_with(&self.git_dir) || path.starts_with(&self.common_dir) {
            if self.moves_head_or_index(path) && !self.own_writes.is_own(path) {
                batch.git = true;
            }
            return;
        }
        let Ok(relative) = path.strip_prefix(&self.work_tree) else {
            return;
        };
        let name = path.file_name().map(|n| n.to_string_lossy());
        if name
            .as_deref()
            .is_some_and(|n| n.starts_with(OWN_TEMPORARY))
        {
            return;
        }
        let is_dir = path.is_dir();
        if relative.as_os_str().is_empty()
            || relative.components().any(|c| c.as_os_str() == ".git")
            || self.ignores.ignored(relative, is_dir)
        {
            return;
        }
        if is_dir {
            if matches!(
                kind,
                EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
            ) {
                batch.new_dirs.push(path.to_path_buf());
            }
            return;
        }
        if self.own_writes.is_own(path) {
            return;
        }
        if path == self.index_file || path == self.mailmap_file {
            batch.index_file = true;
        } else if let Some(id) = self.ledger_id(path) {
            batch.ledger.insert(id);
        } else {
            batch.work_tree.insert(relative.to_path_buf());
        }
    }

    /// Whether a path under `.git` is one whose change moves HEAD or the index.
    fn moves_head_or_index(&self, path: &Path) -> bool {
        let relative = path
            .strip_prefix(&self.git_dir)
            .or_else(|_| path.strip_prefix(&self.common_dir))
            .unwrap_or(path);
        let text = relative.to_string_lossy().replace('\\', "/");
        if text.ends_with(".lock") {
            return false;
        }
        matches!(
            text.as_str(),
            "HEAD" | "index" | "packed-refs" | "MERGE_HEAD" | "CHERRY_PICK_HEAD" | "REVERT_HEAD"
        ) || text.starts_with("refs/")
    }

    fn ledger_id(&self, path: &Path) -> Option<String> {
        if path.parent()? != self.ledger_dir || path.extension()? != "yaml" {
            return None;
        }
        Some(path.file_stem()?.to_string_lossy().into_owned())
    }

    /// Walks `dir`, collecting it and every directory below it that git does not ignore.
    fn directories_under(&mut self, dir: &Path, out: &mut Vec<PathBuf>) {
        out.push(dir.to_path_buf());
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if !file_type.is_dir() || entry.file_name() == ".git" {
                continue;
            }
            let Ok(relative) = path.strip_prefix(&self.work_tree) else {
                continue;
            };
            if !self.ignores.ignored(relative, true) {
                self.directories_under(&path, out);
            }
        }
    }

    /// Watches a directory that appeared, and reports the files already in it: they may have
    /// been written before its watch existed.
    fn watch_new_directory(&mut self, dir: &Path, batch: &mut Batch) {
        let mut dirs = Vec::new();
        self.directories_under(dir, &mut dirs);
        let Some(shared) = self.debouncer.upgrade() else {
            return;
        };
        let mut guard = shared.lock().unwrap_or_else(|e| e.into_inner());
        let Some(debouncer) = guard.as_mut() else {
            return;
        };
        for d in &dirs {
            if let Err(e) = debouncer.watch(d, RecursiveMode::NonRecursive) {
                (self.sink)(WatchEvent::Error(format!(
                    "cannot watch {}: {}",
                    d.display(),
                    describe(&e)
                )));
            }
        }
        drop(guard);
        for d in &dirs {
            let Ok(entries) = std::fs::read_dir(d) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| !t.is_dir()) {
                    self.route(&entry.path(), &EventKind::Any, batch);
                }
            }
        }
    }

    fn emit(&mut self, batch: Batch) {
        if batch.rescan {
            (self.sink)(WatchEvent::Rescan);
        }
        if batch.git {
            (self.sink)(WatchEvent::GitChanged);
        }
        if batch.index_file {
            (self.sink)(WatchEvent::IndexFileChanged);
        }
        if !batch.ledger.is_empty() {
            (self.sink)(WatchEvent::LedgerChanged(
                batch.ledger.into_iter().collect(),
            ));
        }
        if !batch.work_tree.is_empty() {
            (self.sink)(WatchEvent::WorkTreeChanged(
                batch.work_tree.into_iter().collect(),
            ));
        }
    }
}

/// Events that change nothing: reads, opens, closes, and access times.
fn is_noise(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(
            AccessKind::Read
                | AccessKind::Open(_)
                | AccessKind::Close(_)
                | AccessKind::Any
                | AccessKind::Other
        ) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}
