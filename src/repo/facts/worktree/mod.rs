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

mod disk;
mod index;

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};

use git2::{Index, Oid, Repository, Tree};

use super::treehash::{MODE_GITLINK, MODE_SYMLINK, MODE_TREE, glob_fingerprint};
use crate::core::analysis::links;
use crate::core::glob::{self, PathGlob};
use crate::core::model::{ArtifactFacts, Document, DocumentLink, Target};
use crate::repo::workspace::Workspace;
use disk::{modified_time, path_from_bytes, special_file_problem, symlink_blob};
use index::{IndexMatches, Tracked};

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
    Glob(#[from] crate::core::glob::BadGlob),
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
        let mut facts = match target {
            Target::Url(_) => ArtifactFacts::default(),
            Target::Path(path) => self.path_facts(path),
            Target::Glob(pattern) => self.glob_facts(pattern),
        };
        facts.links = self.links(&facts.documents);
        facts
    }

    /// The relative links of the Markdown documents, each looked up in the work tree (a stat,
    /// never a read: a link may point anywhere).
    fn links(&self, documents: &[Document]) -> Vec<DocumentLink> {
        let mut out = Vec::new();
        for document in documents.iter().filter(|d| links::is_markdown(&d.path)) {
            let Some(text) = &document.text else { continue };
            for link in links::relative_links(&document.path, text) {
                let exists = self
                    .workspace
                    .dir
                    .join(&link.target)
                    .symlink_metadata()
                    .is_ok();
                out.push(DocumentLink {
                    document: document.path.clone(),
                    line: link.line,
                    written: link.written,
                    target: link.target,
                    exists,
                });
            }
        }
        out
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

    /// A repository-relative path as a path relative to the workspace directory.
    fn workspace_path(&self, repo_path: &[u8]) -> Option<String> {
        let relative = repo_path.strip_prefix(self.workspace.prefix.as_bytes())?;
        Some(String::from_utf8_lossy(relative).into_owned())
    }

    fn abs_of(&self, repo_path: &[u8]) -> PathBuf {
        self.workspace.repo_root.join(path_from_bytes(repo_path))
    }
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
