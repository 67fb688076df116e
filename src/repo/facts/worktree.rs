//! The working copy of an artifact: whether it exists, its fingerprint (git's object id of the
//! working copy, as `git add` would record it), whether it differs from HEAD, a glob's
//! matches, and the documents to scan.
//!
//! Fingerprints are computed in memory; nothing is written to the object database. The git
//! index's stat data spares rehashing files git already knows to be unchanged.
//!
//! Safety: nothing outside the work tree is read (symbolic links are fingerprinted by their
//! text, as git does, and followed for reading only when they stay inside), FIFOs, sockets and
//! devices are never opened, and large files are neither hashed nor read.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use git2::{Index, IndexEntry, ObjectType, Oid, Repository, Tree};

use super::glob::{self, PathGlob};
use super::treehash::{
    MODE_EXECUTABLE, MODE_FILE, MODE_GITLINK, MODE_SYMLINK, MODE_TREE, TreeHasher, glob_fingerprint,
};
use crate::core::model::{ArtifactFacts, Document, Target};
use crate::repo::workspace::Workspace;

const MIB: u64 = 1 << 20;

/// How much work and memory one artifact may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this are not hashed (their artifact gets a problem instead).
    pub max_fingerprint_bytes: u64,
    /// Documents larger than this are listed without text.
    pub max_document_bytes: u64,
    /// A glob's documents beyond this many are not listed.
    pub max_documents: usize,
    /// A glob matching more paths than this is a problem, not a fingerprint.
    pub max_glob_matches: usize,
    /// A directory (or a glob's directory) holding more entries than this, at any depth, is a
    /// problem: walking and hashing it would take too long.
    pub max_walk_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_fingerprint_bytes: 64 * MIB,
            max_document_bytes: MIB,
            max_documents: 200,
            max_glob_matches: 100_000,
            max_walk_entries: 250_000,
        }
    }
}

/// The facts of one artifact's working copy; `history` is left `Pending` (see
/// [`super::last_changes`]). URL targets get default facts.
///
/// Reading many artifacts? Make one [`WorkTree`] and call [`WorkTree::facts`] for each: it
/// reads the index and HEAD once.
pub fn worktree_facts(repo: &Repository, workspace: &Workspace, target: &Target) -> ArtifactFacts {
    WorkTree::new(repo, workspace).facts(target)
}

/// Why a working copy was not read or fingerprinted: the artifact's problem, as its finding
/// says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("cannot resolve the repository root {root}: {message}")]
    Root { root: String, message: String },
    #[error("{path} is not a relative path; not read")]
    NotRelative { path: String },
    #[error("{path} leaves the workspace; not read")]
    LeavesWorkspace { path: String },
    #[error("{path} is inside .git; not read")]
    InsideGit { path: String },
    #[error("{path} leads outside the repository through a symbolic link; not read")]
    LeadsOutside { path: String },
    #[error("{path} is a symbolic link leading outside the repository; not read")]
    LinksOutside { path: String },
    #[error("{path} is {kind}; not read")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path} is too large to fingerprint ({size}; limit {limit})")]
    TooLarge {
        path: String,
        size: String,
        limit: String,
    },
    #[error("the glob matches more than {limit} paths; not fingerprinted")]
    TooManyMatches { limit: usize },
    /// The walk's budget ran out; [`WorkTree::walk_problem`] names the directory.
    #[error("more than {limit} files and directories; not read")]
    WalkLimit { limit: usize },
    #[error("{path} holds more than {limit} files and directories; not read")]
    TooManyEntries { path: String, limit: usize },
    #[error(transparent)]
    Glob(#[from] super::glob::BadGlob),
    #[error("hashing {path}: {message}")]
    Hashing { path: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl Unreadable {
    fn io(path: &str, error: impl std::fmt::Display) -> Unreadable {
        Unreadable::Io {
            path: display(path).to_string(),
            message: error.to_string(),
        }
    }
}

/// A snapshot of what the work tree is compared with: HEAD's tree and the git index, read once.
pub struct WorkTree<'r> {
    repo: &'r Repository,
    workspace: &'r Workspace,
    /// The work tree root with symbolic links resolved: the fence for every read.
    canonical_root: Result<PathBuf, Unreadable>,
    head_tree: Option<Tree<'r>>,
    index: Option<Index>,
    /// When the index was written: an entry whose file was modified at or after this instant
    /// may have changed without its stat data showing it ("racily clean"), so it is rehashed.
    index_written: Option<(i64, i64)>,
    /// `core.fileMode`: whether the executable bit on disk is to be believed.
    trust_executable_bit: bool,
    limits: Limits,
    /// Files whose content was read and hashed, because the index's stat data did not vouch
    /// for them (see [`WorkTree::files_hashed`]).
    files_hashed: std::cell::Cell<usize>,
    /// Directories resolved by [`WorkTree::canonical_dir`], with the outcome.
    canonical_dirs: std::cell::RefCell<HashMap<PathBuf, CanonicalDir>>,
}

/// A directory with its symbolic links resolved, or why it could not be (an `io::Error` is not
/// `Clone`, so its kind and message are kept).
type CanonicalDir = Result<PathBuf, (std::io::ErrorKind, String)>;

/// A file-like entry `git add` would record, with the identity it would record.
type Identity = (u32, Oid);

/// What the git index says about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IndexState {
    /// No index to compare with.
    Unknown,
    Absent,
    Present(Identity),
    /// An unresolved merge conflict: certainly not what HEAD has.
    Conflicted,
}

/// Where a path leads before anything is read.
enum Located {
    Missing,
    Problem(Unreadable),
    Found(Metadata),
}

/// A non-directory entry found while walking a directory of the work tree.
struct Found {
    /// Repository-relative, `/`-separated.
    repo_path: Vec<u8>,
    kind: FoundKind,
}

enum FoundKind {
    File(Metadata),
    Symlink,
    Gitlink(Oid),
}

/// Stage-0 index entries beneath one directory, by repository-relative path.
#[derive(Default)]
struct Tracked {
    entries: BTreeMap<Vec<u8>, IndexEntry>,
    conflicted: bool,
}

impl Tracked {
    fn get(&self, repo_path: &[u8]) -> Option<&IndexEntry> {
        self.entries.get(repo_path)
    }

    /// Whether any tracked path lies beneath the directory `repo_dir`.
    fn has_beneath(&self, repo_dir: &[u8]) -> bool {
        let mut prefix = repo_dir.to_vec();
        prefix.push(b'/');
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(path, _)| path.starts_with(&prefix))
    }
}

impl<'r> WorkTree<'r> {
    pub fn new(repo: &'r Repository, workspace: &'r Workspace) -> WorkTree<'r> {
        let canonical_root = workspace
            .repo_root
            .canonicalize()
            .map_err(|e| Unreadable::Root {
                root: workspace.repo_root.display().to_string(),
                message: e.to_string(),
            });
        let head_tree = repo.head().and_then(|h| h.peel_to_tree()).ok();
        let index = repo.index().ok().and_then(|mut index| {
            // libgit2 keeps the index of a `Repository` in memory; another process may have
            // changed it since.
            index.read(false).ok().map(|()| index)
        });
        let index_written = index
            .as_ref()
            .and_then(|i| i.path().map(Path::to_path_buf))
            .and_then(|path| std::fs::metadata(path).ok())
            .and_then(|meta| modified_time(&meta));
        let trust_executable_bit = repo
            .config()
            .and_then(|c| c.get_bool("core.filemode"))
            .unwrap_or(true);
        WorkTree {
            repo,
            workspace,
            canonical_root,
            head_tree,
            index,
            index_written,
            trust_executable_bit,
            limits: Limits::default(),
            files_hashed: std::cell::Cell::new(0),
            canonical_dirs: Default::default(),
        }
    }

    /// How many files this work tree has read and hashed so far. A file whose size,
    /// modification time and inode match the git index's entry (and is not racily clean) is
    /// taken at the index's id without being read.
    pub fn files_hashed(&self) -> usize {
        self.files_hashed.get()
    }

    pub fn with_limits(mut self, limits: Limits) -> WorkTree<'r> {
        self.limits = limits;
        self
    }

    /// Everything but the history of one artifact (see [`worktree_facts`]).
    pub fn facts(&self, target: &Target) -> ArtifactFacts {
        match target {
            Target::Url(_) => ArtifactFacts::default(),
            Target::Path(path) => self.path_facts(path),
            Target::Glob(pattern) => self.glob_facts(pattern),
        }
    }

    fn path_facts(&self, path: &str) -> ArtifactFacts {
        let relative = match checked_relative(path) {
            Ok(relative) => relative,
            Err(problem) => return with_problem(problem),
        };
        let repo_path = join(self.workspace.prefix.trim_end_matches('/'), &relative);
        let head = self.head_identity(&repo_path);
        let index = self.index_identity(&repo_path);
        let abs = self.workspace.repo_root.join(&repo_path);
        let mut facts = ArtifactFacts::default();

        let meta = match self.locate(&abs, &relative) {
            Located::Missing => {
                facts.uncommitted = differs_from_head(None, index, head);
                return facts;
            }
            Located::Problem(problem) => return with_problem(problem),
            Located::Found(meta) => meta,
        };
        facts.exists = true;
        let file_type = meta.file_type();
        let tracked = self.index_entry(&repo_path);
        let worktree = if let Some(gitlink) = tracked.as_ref().filter(|e| e.mode == MODE_GITLINK) {
            // A submodule is recorded as the commit the index names.
            facts.is_dir = file_type.is_dir();
            Ok((MODE_GITLINK, gitlink.id))
        } else if file_type.is_dir() {
            facts.is_dir = true;
            match self.readme(&abs, &relative) {
                Ok(document) => facts.documents.extend(document),
                Err(problem) => facts.problem = Some(problem.to_string()),
            }
            self.directory_tree(&abs, &repo_path)
                .map(|oid| (MODE_TREE, oid))
        } else if file_type.is_symlink() {
            match self.document(&abs, &relative) {
                Ok(document) => facts.documents.extend(document),
                Err(problem) => facts.problem = Some(problem.to_string()),
            }
            symlink_blob(&abs, &relative).map(|oid| (MODE_SYMLINK, oid))
        } else if file_type.is_file() {
            facts.documents.push(Document {
                path: relative.clone(),
                text: self.read_text(&abs),
            });
            self.file_identity(&abs, &relative, &meta, tracked.as_ref())
        } else {
            Err(special_file_problem(&relative, &meta))
        };

        match worktree {
            Ok(identity) => {
                facts.fingerprint = Some(identity.1.to_string());
                // An untracked path git ignores is not a pending change, as in `git status`.
                let ignored_untracked = head.is_none()
                    && index == IndexState::Absent
                    && self.ignored(repo_path.as_bytes());
                facts.uncommitted =
                    !ignored_untracked && differs_from_head(Some(identity), index, head);
            }
            Err(problem) => {
                facts.problem = Some(problem.to_string());
                facts.uncommitted = index_differs_from_head(index, head);
            }
        }
        facts
    }

    fn glob_facts(&self, pattern: &str) -> ArtifactFacts {
        let pattern = glob::normalize(pattern);
        if let Err(problem) = checked_relative(pattern) {
            return with_problem(problem);
        }
        let glob = match PathGlob::new(pattern) {
            Ok(glob) => glob,
            Err(problem) => return with_problem(problem.into()),
        };
        let literal_dir = glob.literal_dir();
        let repo_dir = join(self.workspace.prefix.trim_end_matches('/'), literal_dir);
        let mut facts = ArtifactFacts::default();

        let head_fingerprint = fingerprint_of(self.head_matches(&glob, &repo_dir));
        let index_differs = match self.index_matches(&glob, &repo_dir) {
            IndexMatches::Unknown => false,
            IndexMatches::Conflicted => true,
            IndexMatches::Found(found) => fingerprint_of(found) != head_fingerprint,
        };

        let abs_dir = self.workspace.repo_root.join(&repo_dir);
        let worktree_matches = match self.locate(&abs_dir, literal_dir) {
            Located::Missing => Ok(Vec::new()),
            Located::Problem(problem) => Err(problem),
            Located::Found(meta) if meta.is_dir() => {
                self.worktree_matches(&glob, &abs_dir, &repo_dir)
            }
            Located::Found(_) => Ok(Vec::new()),
        };
        let mut matches = match worktree_matches {
            Ok(matches) => matches,
            Err(problem) => {
                facts.problem = Some(problem.to_string());
                facts.uncommitted = index_differs;
                return facts;
            }
        };
        matches.sort_by(|a, b| a.0.cmp(&b.0));
        let fingerprint = fingerprint_of(matches.clone());
        facts.exists = !matches.is_empty();
        facts.fingerprint = facts.exists.then(|| fingerprint.to_string());
        facts.uncommitted = fingerprint != head_fingerprint || index_differs;

        for (path, _, _) in matches.iter().take(self.limits.max_documents) {
            let abs = self.workspace.dir.join(path);
            match self.document(&abs, path) {
                Ok(document) => facts.documents.extend(document),
                Err(problem) => {
                    facts.problem.get_or_insert(problem.to_string());
                }
            }
        }
        facts.matches = matches.into_iter().map(|(path, _, _)| path).collect();
        facts
    }

    /// Checks that `abs` stays inside the work tree, then stats it without following a final
    /// symbolic link.
    fn locate(&self, abs: &Path, shown: &str) -> Located {
        let root = match &self.canonical_root {
            Ok(root) => root,
            Err(problem) => return Located::Problem(problem.clone()),
        };
        let parent = match abs.parent() {
            Some(parent) if abs != self.workspace.repo_root => parent,
            _ => abs,
        };
        match self.canonical_dir(parent) {
            Ok(parent) if parent.starts_with(root) => {}
            Ok(_) => {
                return Located::Problem(Unreadable::LeadsOutside {
                    path: display(shown).to_string(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Located::Missing,
            Err(e) => return Located::Problem(Unreadable::io(shown, e)),
        }
        match abs.symlink_metadata() {
            Ok(meta) => Located::Found(meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Located::Missing,
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Located::Missing,
            Err(e) => Located::Problem(Unreadable::io(shown, e)),
        }
    }

    /// A directory with symbolic links resolved, remembered for this snapshot: thousands of
    /// artifacts share a few directories, and resolving costs a system call per component.
    fn canonical_dir(&self, dir: &Path) -> std::io::Result<PathBuf> {
        let mut known = self.canonical_dirs.borrow_mut();
        if let Some(resolved) = known.get(dir) {
            return resolved
                .clone()
                .map_err(|(kind, message)| std::io::Error::new(kind, message));
        }
        let resolved = dir.canonicalize();
        known.insert(
            dir.to_path_buf(),
            resolved
                .as_ref()
                .map(PathBuf::clone)
                .map_err(|e| (e.kind(), e.to_string())),
        );
        resolved
    }

    /// A regular file's blob id and mode, from the index when its stat data says the file is
    /// unchanged, else by hashing it.
    fn file_identity(
        &self,
        abs: &Path,
        shown: &str,
        meta: &Metadata,
        tracked: Option<&IndexEntry>,
    ) -> Result<Identity, Unreadable> {
        let mode = match tracked {
            // Where the executable bit means nothing, git keeps the mode it has recorded.
            Some(entry)
                if !self.trust_executable_bit
                    && (entry.mode == MODE_FILE || entry.mode == MODE_EXECUTABLE) =>
            {
                entry.mode
            }
            _ if is_executable(meta) => MODE_EXECUTABLE,
            _ => MODE_FILE,
        };
        if let Some(entry) = tracked
            && self.stat_unchanged(entry, meta)
        {
            return Ok((mode, entry.id));
        }
        if meta.len() > self.limits.max_fingerprint_bytes {
            return Err(Unreadable::TooLarge {
                path: display(shown).to_string(),
                size: human_size(meta.len()),
                limit: human_size(self.limits.max_fingerprint_bytes),
            });
        }
        self.files_hashed.set(self.files_hashed.get() + 1);
        Oid::hash_file(ObjectType::Blob, abs)
            .map(|oid| (mode, oid))
            .map_err(|e| Unreadable::io(shown, e.message()))
    }

    /// Whether the index's stat data shows the file unchanged since the entry's id was
    /// recorded (git's own test: size, modification time and inode, and not racily clean).
    fn stat_unchanged(&self, entry: &IndexEntry, meta: &Metadata) -> bool {
        let Some(index_written) = self.index_written else {
            return false;
        };
        let entry_time = (
            i64::from(entry.mtime.seconds()),
            i64::from(entry.mtime.nanoseconds()),
        );
        entry.mode & 0o170000 == 0o100000
            && entry_time < index_written
            && modified_time(meta) == Some(entry_time)
            && u64::from(entry.file_size) == meta.len() & 0xffff_ffff
            && same_inode(entry, meta)
    }

    /// The tree id `git add <dir>` would record: tracked files and untracked files git does not
    /// ignore, as they are on disk; submodules and sparse entries as the index has them.
    fn directory_tree(&self, abs: &Path, repo_dir: &str) -> Result<Oid, Unreadable> {
        let tracked = self.tracked_beneath(repo_dir);
        let prefix_len = if repo_dir.is_empty() {
            0
        } else {
            repo_dir.len() + 1
        };
        let mut hasher = TreeHasher::default();
        let mut seen = std::collections::HashSet::new();
        let mut budget = self.limits.max_walk_entries;
        self.walk(
            abs,
            repo_dir.as_bytes(),
            &tracked,
            &mut budget,
            &mut |found| {
                let identity = self.found_identity(&found, &tracked)?;
                hasher.insert(&found.repo_path[prefix_len..], identity.0, identity.1);
                seen.insert(found.repo_path);
                Ok(())
            },
        )
        .map_err(|e| self.walk_problem(e, repo_dir))?;
        // What `git add` keeps although it is not on disk: submodules not checked out, and
        // files outside a sparse checkout.
        for (path, entry) in &tracked.entries {
            if !seen.contains(path) && (entry.mode == MODE_GITLINK || is_skip_worktree(entry)) {
                hasher.insert(&path[prefix_len..], entry.mode, entry.id);
            }
        }
        hasher.finish().map_err(|e| Unreadable::Hashing {
            path: display(repo_dir).to_string(),
            message: e.message().to_string(),
        })
    }

    /// The work tree files a glob matches beneath its literal directory: (path relative to
    /// the workspace, mode, id).
    fn worktree_matches(
        &self,
        glob: &PathGlob,
        abs_dir: &Path,
        repo_dir: &str,
    ) -> Result<Vec<(String, u32, Oid)>, Unreadable> {
        let tracked = self.tracked_beneath(repo_dir);
        let mut matches = Vec::new();
        let mut budget = self.limits.max_walk_entries;
        self.walk(
            abs_dir,
            repo_dir.as_bytes(),
            &tracked,
            &mut budget,
            &mut |found| {
                let Some(path) = self.workspace_path(&found.repo_path) else {
                    return Ok(());
                };
                if !glob.is_match(&path) {
                    return Ok(());
                }
                if matches.len() == self.limits.max_glob_matches {
                    return Err(Unreadable::TooManyMatches {
                        limit: self.limits.max_glob_matches,
                    });
                }
                let (mode, oid) = self.found_identity(&found, &tracked)?;
                matches.push((path, mode, oid));
                Ok(())
            },
        )
        .map_err(|e| self.walk_problem(e, repo_dir))?;
        Ok(matches)
    }

    /// A walk's error as the user reads it: the entry limit names the directory walked.
    fn walk_problem(&self, error: Unreadable, repo_dir: &str) -> Unreadable {
        let Unreadable::WalkLimit { limit } = error else {
            return error;
        };
        let path = self
            .workspace_path(repo_dir.as_bytes())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".to_string());
        Unreadable::TooManyEntries { path, limit }
    }

    fn found_identity(&self, found: &Found, tracked: &Tracked) -> Result<Identity, Unreadable> {
        let abs = self.abs_of(&found.repo_path);
        let shown = String::from_utf8_lossy(&found.repo_path);
        match &found.kind {
            FoundKind::File(meta) => {
                self.file_identity(&abs, &shown, meta, tracked.get(&found.repo_path))
            }
            FoundKind::Symlink => symlink_blob(&abs, &shown).map(|oid| (MODE_SYMLINK, oid)),
            FoundKind::Gitlink(oid) => Ok((MODE_GITLINK, *oid)),
        }
    }

    /// Visits every entry `git add` would consider beneath a directory, without following
    /// symbolic links: tracked ones, and untracked ones git does not ignore. Special files
    /// (FIFOs, sockets, devices) are skipped, as `git add` skips them.
    fn walk(
        &self,
        abs: &Path,
        repo_dir: &[u8],
        tracked: &Tracked,
        budget: &mut usize,
        visit: &mut dyn FnMut(Found) -> Result<(), Unreadable>,
    ) -> Result<(), Unreadable> {
        let shown = || display(&String::from_utf8_lossy(repo_dir)).to_string();
        let entries = std::fs::read_dir(abs).map_err(|e| Unreadable::io(&shown(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Unreadable::io(&shown(), e))?;
            // Every entry costs a stat and an ignore check, whether it matches or not.
            if *budget == 0 {
                return Err(Unreadable::WalkLimit {
                    limit: self.limits.max_walk_entries,
                });
            }
            *budget -= 1;
            let name = entry.file_name();
            let name = name.as_encoded_bytes();
            if name == b".git" {
                continue;
            }
            let repo_path = if repo_dir.is_empty() {
                name.to_vec()
            } else {
                [repo_dir, b"/", name].concat()
            };
            let file_type = entry.file_type().map_err(|e| Unreadable::io(&shown(), e))?;
            let is_tracked = tracked.get(&repo_path).is_some();
            if file_type.is_dir() {
                if let Some(gitlink) = tracked.get(&repo_path).filter(|e| e.mode == MODE_GITLINK) {
                    let oid = gitlink.id;
                    visit(Found {
                        repo_path,
                        kind: FoundKind::Gitlink(oid),
                    })?;
                } else if entry.path().join(".git").symlink_metadata().is_ok() {
                    // An embedded repository: `git add` records its HEAD commit.
                    if !self.ignored(&repo_path)
                        && let Some(oid) = embedded_head(&entry.path())
                    {
                        visit(Found {
                            repo_path,
                            kind: FoundKind::Gitlink(oid),
                        })?;
                    }
                } else if tracked.has_beneath(&repo_path) || !self.ignored(&repo_path) {
                    self.walk(&entry.path(), &repo_path, tracked, budget, visit)?;
                }
            } else if file_type.is_symlink() {
                if is_tracked || !self.ignored(&repo_path) {
                    visit(Found {
                        repo_path,
                        kind: FoundKind::Symlink,
                    })?;
                }
            } else if file_type.is_file() && (is_tracked || !self.ignored(&repo_path)) {
                let meta = entry.metadata().map_err(|e| Unreadable::io(&shown(), e))?;
                visit(Found {
                    repo_path,
                    kind: FoundKind::File(meta),
                })?;
            }
        }
        Ok(())
    }

    fn ignored(&self, repo_path: &[u8]) -> bool {
        let path = path_from_bytes(repo_path);
        self.repo.status_should_ignore(&path).unwrap_or(false)
    }

    /// The README.md of a directory (any letter case; `README.md` itself preferred).
    fn readme(&self, abs_dir: &Path, relative_dir: &str) -> Result<Option<Document>, Unreadable> {
        let Ok(entries) = std::fs::read_dir(abs_dir) else {
            return Ok(None);
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.eq_ignore_ascii_case("README.md"))
            .collect();
        names.sort_by_key(|name| (name != "README.md", name.clone()));
        let Some(name) = names.into_iter().next() else {
            return Ok(None);
        };
        let relative = join(relative_dir, &name);
        self.document(&abs_dir.join(&name), &relative)
    }

    /// The document at a path, following a symbolic link only if it stays inside the
    /// repository and leads to a regular file.
    fn document(&self, abs: &Path, relative: &str) -> Result<Option<Document>, Unreadable> {
        let Ok(meta) = abs.symlink_metadata() else {
            return Ok(None);
        };
        let readable = if meta.file_type().is_symlink() {
            let Ok(target) = abs.canonicalize() else {
                return Ok(None); // A dangling link has no text.
            };
            if !self
                .canonical_root
                .as_ref()
                .is_ok_and(|root| target.starts_with(root))
            {
                return Err(Unreadable::LinksOutside {
                    path: display(relative).to_string(),
                });
            }
            target
                .metadata()
                .is_ok_and(|m| m.is_file())
                .then_some(target)
        } else {
            meta.is_file().then(|| abs.to_path_buf())
        };
        Ok(readable.map(|path| Document {
            path: relative.to_string(),
            text: self.read_text(&path),
        }))
    }

    /// The text of a regular file, if it is UTF-8 and not larger than the document limit.
    fn read_text(&self, abs: &Path) -> Option<String> {
        let file = File::open(abs).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > self.limits.max_document_bytes {
            return None;
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(self.limits.max_document_bytes + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        if bytes.len() as u64 > self.limits.max_document_bytes {
            return None;
        }
        String::from_utf8(bytes).ok()
    }

    fn head_identity(&self, repo_path: &str) -> Option<Identity> {
        let tree = self.head_tree.as_ref()?;
        if repo_path.is_empty() {
            return Some((MODE_TREE, tree.id()));
        }
        let entry = tree.get_path(Path::new(repo_path)).ok()?;
        Some((entry.filemode() as u32, entry.id()))
    }

    fn index_entry(&self, repo_path: &str) -> Option<IndexEntry> {
        // git2 panics on an empty path; the root is never an index entry anyway.
        if repo_path.is_empty() {
            return None;
        }
        self.index.as_ref()?.get_path(Path::new(repo_path), 0)
    }

    /// The index's entry for a path: a file's entry, or for a directory the tree the index
    /// would write for it.
    fn index_identity(&self, repo_path: &str) -> IndexState {
        let Some(index) = &self.index else {
            return IndexState::Unknown;
        };
        if !repo_path.is_empty() {
            if let Some(entry) = index.get_path(Path::new(repo_path), 0) {
                return IndexState::Present((entry.mode, entry.id));
            }
            if (1..=3).any(|stage| index.get_path(Path::new(repo_path), stage).is_some()) {
                return IndexState::Conflicted;
            }
        }
        let tracked = self.tracked_beneath(repo_path);
        if tracked.conflicted {
            return IndexState::Conflicted;
        }
        // A directory without entries is not in the index; the root always is, empty or not.
        if tracked.entries.is_empty() && !repo_path.is_empty() {
            return IndexState::Absent;
        }
        let prefix_len = if repo_path.is_empty() {
            0
        } else {
            repo_path.len() + 1
        };
        let mut hasher = TreeHasher::default();
        for (path, entry) in &tracked.entries {
            hasher.insert(&path[prefix_len..], entry.mode, entry.id);
        }
        match hasher.finish() {
            Ok(oid) => IndexState::Present((MODE_TREE, oid)),
            Err(_) => IndexState::Unknown,
        }
    }

    /// The index entries beneath a directory (`""`: all of them).
    fn tracked_beneath(&self, repo_dir: &str) -> Tracked {
        let mut tracked = Tracked::default();
        let Some(index) = &self.index else {
            return tracked;
        };
        let prefix = if repo_dir.is_empty() {
            String::new()
        } else {
            format!("{repo_dir}/")
        };
        let start = if prefix.is_empty() {
            0
        } else {
            match index.find_prefix(prefix.as_str()) {
                Ok(start) => start,
                Err(_) => return tracked,
            }
        };
        for position in start..index.len() {
            let Some(entry) = index.get(position) else {
                break;
            };
            if !entry.path.starts_with(prefix.as_bytes()) {
                break;
            }
            if index_stage(&entry) == 0 {
                tracked.entries.insert(entry.path.clone(), entry);
            } else {
                tracked.conflicted = true;
            }
        }
        tracked
    }

    /// HEAD's entries a glob matches beneath its literal directory.
    fn head_matches(&self, glob: &PathGlob, repo_dir: &str) -> Vec<(String, u32, Oid)> {
        let mut matches = Vec::new();
        let Some(head) = &self.head_tree else {
            return matches;
        };
        let subtree = if repo_dir.is_empty() {
            Some(head.clone())
        } else {
            head.get_path(Path::new(repo_dir))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .and_then(|e| self.repo.find_tree(e.id()).ok())
        };
        let Some(subtree) = subtree else {
            return matches;
        };
        let base = if repo_dir.is_empty() {
            String::new()
        } else {
            format!("{repo_dir}/")
        };
        // The walk cannot fail on a tree that was read; an error would only cut it short.
        let _ = subtree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() != Some(ObjectType::Tree) {
                let repo_path =
                    format!("{base}{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
                if let Some(path) = self.workspace_path(repo_path.as_bytes())
                    && glob.is_match(&path)
                {
                    matches.push((path, entry.filemode() as u32, entry.id()));
                }
            }
            git2::TreeWalkResult::Ok
        });
        matches
    }

    fn index_matches(&self, glob: &PathGlob, repo_dir: &str) -> IndexMatches {
        if self.index.is_none() {
            return IndexMatches::Unknown;
        }
        let tracked = self.tracked_beneath(repo_dir);
        let mut matches = Vec::new();
        for (repo_path, entry) in &tracked.entries {
            if let Some(path) = self.workspace_path(repo_path)
                && glob.is_match(&path)
            {
                matches.push((path, entry.mode, entry.id));
            }
        }
        // A conflict elsewhere beneath the literal directory may not concern the glob, but
        // there is no stage-0 entry to match it against: count it, erring towards reporting.
        if tracked.conflicted {
            return IndexMatches::Conflicted;
        }
        IndexMatches::Found(matches)
    }

    /// A repository-relative path as a path relative to the workspace directory.
    fn workspace_path(&self, repo_path: &[u8]) -> Option<String> {
        let relative = repo_path.strip_prefix(self.workspace.prefix.as_bytes())?;
        Some(String::from_utf8_lossy(relative).into_owned())
    }

    fn abs_of(&self, repo_path: &[u8]) -> PathBuf {
        self.workspace.repo_root.join(path_from_bytes(repo_path))
    }
}

enum IndexMatches {
    Unknown,
    Conflicted,
    Found(Vec<(String, u32, Oid)>),
}

/// The glob fingerprint of a set of matches; hashing text in memory cannot fail, but if
/// libgit2 reports it did, the zero id keeps comparisons meaningful.
fn fingerprint_of(mut matches: Vec<(String, u32, Oid)>) -> Oid {
    glob_fingerprint(&mut matches).unwrap_or(Oid::ZERO_SHA1)
}

/// Whether the working copy or the index differs from HEAD for a path.
fn differs_from_head(
    worktree: Option<Identity>,
    index: IndexState,
    head: Option<Identity>,
) -> bool {
    worktree != head || index_differs_from_head(index, head)
}

fn index_differs_from_head(index: IndexState, head: Option<Identity>) -> bool {
    match index {
        IndexState::Unknown => false,
        IndexState::Conflicted => true,
        IndexState::Absent => head.is_some(),
        IndexState::Present(identity) => Some(identity) != head,
    }
}

/// A path relative to the workspace, as the loader promised it: relative, no `..`, not into
/// `.git`. Returns it normalised (`./a//b/` is `a/b`; `.` is `""`).
fn checked_relative(path: &str) -> Result<String, Unreadable> {
    let shown = || display(path).to_string();
    if path.starts_with('/') || path.contains('\0') {
        return Err(Unreadable::NotRelative { path: shown() });
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Unreadable::LeavesWorkspace { path: shown() }),
            _ if part.eq_ignore_ascii_case(".git") => {
                return Err(Unreadable::InsideGit { path: shown() });
            }
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// `64 MiB`, `3 KiB`, `12 bytes`: rounded up, so a file over a limit never shows as equal.
fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    if bytes >= MIB {
        format!("{} MiB", bytes.div_ceil(MIB))
    } else if bytes >= KIB {
        format!("{} KiB", bytes.div_ceil(KIB))
    } else {
        format!("{bytes} bytes")
    }
}

fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{name}"),
    }
}

/// How a path is named in messages: `.` for the workspace itself.
fn display(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}

fn with_problem(problem: Unreadable) -> ArtifactFacts {
    ArtifactFacts {
        problem: Some(problem.to_string()),
        ..ArtifactFacts::default()
    }
}

fn symlink_blob(abs: &Path, shown: &str) -> Result<Oid, Unreadable> {
    let target = std::fs::read_link(abs).map_err(|e| Unreadable::io(shown, e))?;
    Oid::hash_object(ObjectType::Blob, target.as_os_str().as_encoded_bytes())
        .map_err(|e| Unreadable::io(shown, e.message()))
}

/// The commit an embedded repository has checked out, which `git add` records.
fn embedded_head(path: &Path) -> Option<Oid> {
    let repo = Repository::open(path).ok()?;
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    Some(head.id())
}

fn index_stage(entry: &IndexEntry) -> u16 {
    (entry.flags >> 12) & 0b11
}

fn is_skip_worktree(entry: &IndexEntry) -> bool {
    const SKIP_WORKTREE: u16 = 1 << 14;
    entry.flags_extended & SKIP_WORKTREE != 0
}

fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

fn special_file_problem(shown: &str, meta: &Metadata) -> Unreadable {
    #[cfg(unix)]
    let kind = {
        use std::os::unix::fs::FileTypeExt;
        let file_type = meta.file_type();
        if file_type.is_fifo() {
            "a FIFO"
        } else if file_type.is_socket() {
            "a socket"
        } else if file_type.is_block_device() || file_type.is_char_device() {
            "a device"
        } else {
            "not a regular file"
        }
    };
    #[cfg(not(unix))]
    let kind = {
        let _ = meta;
        "not a regular file"
    };
    Unreadable::NotRegular {
        path: display(shown).to_string(),
        kind,
    }
}

#[cfg(unix)]
fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &Metadata) -> bool {
    false
}

/// Modification time as (seconds, nanoseconds), the resolution the index keeps.
#[cfg(unix)]
fn modified_time(meta: &Metadata) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    // The index stores seconds in 32 bits; compare as it would have stored them.
    Some((i64::from(meta.mtime() as i32), meta.mtime_nsec()))
}

#[cfg(not(unix))]
fn modified_time(_meta: &Metadata) -> Option<(i64, i64)> {
    None
}

#[cfg(unix)]
fn same_inode(entry: &IndexEntry, meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    entry.ino == meta.ino() as u32
}

#[cfg(not(unix))]
fn same_inode(_entry: &IndexEntry, _meta: &Metadata) -> bool {
    true
}
