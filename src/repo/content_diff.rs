//! The content a sign-off fingerprinted, read back from git, and its diff against the work
//! tree. A path's fingerprint is a git object id (a blob for a file, a tree for a
//! directory), so the signed version is read by that id: exact, whichever commit it came in.
//! Where the object is gone (a rewritten or shallow history, a sign-off of content never
//! committed), the diff is refused with the reason rather than guessed.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Blob, DiffOptions, ObjectType, Oid, Patch, Repository, TreeWalkMode, TreeWalkResult};

use crate::core::content_diff::{DiffBasis, DiffLine, FileDiff, FileStatus, Hunk, LineKind};
use crate::repo::facts::{FactsError, open_repo};
use crate::repo::workspace::Workspace;

/// Files compared at most in a directory artifact.
const MAX_FILES: usize = 5_000;
/// Larger files are reported as changed, without their lines.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Lines of context around each change, as `git diff` shows.
const CONTEXT_LINES: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum ContentDiffError {
    #[error(transparent)]
    Repo(#[from] FactsError),
    #[error("the signed fingerprint `{from}` is not a git object id")]
    NotAnObjectId { from: String },
    #[error("{}", gone_message(.artifact, .from, .recorded_in, *.commit_exists, *.shallow))]
    SignedContentGone {
        artifact: String,
        from: String,
        recorded_in: Option<String>,
        commit_exists: bool,
        /// The clone is shallow: the signed version may lie beyond its boundary.
        shallow: bool,
    },
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("`{path}` has more than {limit} files: too many to compare")]
    TooManyFiles { path: String, limit: usize },
    #[error("cannot diff {path}: {source}")]
    Git { path: String, source: git2::Error },
}

fn gone_message(
    artifact: &str,
    from: &str,
    recorded_in: &Option<String>,
    commit_exists: bool,
    shallow: bool,
) -> String {
    let short = &from[..from.len().min(8)];
    let why = match recorded_in {
        _ if shallow => {
            "this clone is shallow and the signed version lies beyond its boundary (`git fetch --unshallow` fetches it)".to_string()
        }
        Some(c) if commit_exists => format!(
            "the sign-off was committed in {}, but the content it approved was never committed",
            &c[..c.len().min(8)]
        ),
        Some(c) => format!(
            "the sign-off was committed in {}, which this clone does not have (a shallow clone or a rewritten history)",
            &c[..c.len().min(8)]
        ),
        None => "its commit is not known (the sign-off is not committed, or history is not read)"
            .to_string(),
    };
    format!(
        "the version of `{artifact}` that was signed ({short}) is not in this repository: {why}; nothing to compare it with"
    )
}

/// The files that differ between the version `basis` names and the work tree now.
pub fn content_diff(ws: &Workspace, basis: &DiffBasis) -> Result<Vec<FileDiff>, ContentDiffError> {
    let repo = open_repo(ws)?;
    let oid = Oid::from_str(&basis.from).map_err(|_| ContentDiffError::NotAnObjectId {
        from: basis.from.clone(),
    })?;
    let Ok(object) = repo.find_object(oid, None) else {
        let commit_exists = basis
            .recorded_in
            .as_deref()
            .and_then(|c| Oid::from_str(c).ok())
            .is_some_and(|c| repo.find_commit(c).is_ok());
        return Err(ContentDiffError::SignedContentGone {
            artifact: basis.artifact.clone(),
            from: basis.from.clone(),
            recorded_in: basis.recorded_in.clone(),
            commit_exists,
            shallow: repo.is_shallow(),
        });
    };
    let abs = ws.dir.join(&basis.path);
    // What was signed, and what is there now, file by file (relative to the artifact).
    let mut old: BTreeMap<String, Oid> = BTreeMap::new();
    match object.kind() {
        Some(ObjectType::Tree) => {
            let tree = object.peel_to_tree().map_err(git_error(&basis.path))?;
            tree.walk(TreeWalkMode::PreOrder, |root, entry| {
                if entry.kind() == Some(ObjectType::Blob) {
                    let name = String::from_utf8_lossy(entry.name_bytes());
                    old.insert(format!("{root}{name}"), entry.id());
                }
                TreeWalkResult::Ok
            })
            .map_err(git_error(&basis.path))?;
        }
        _ => {
            old.insert(String::new(), oid);
        }
    }
    let mut new: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    if abs.is_dir() {
        walk(&repo, ws, &abs, "", &mut new, &basis.path)?;
    } else if abs.exists() {
        new.insert(String::new(), abs.clone());
    }
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for rel in paths {
        let path = match rel.as_str() {
            "" => basis.path.clone(),
            rel => format!("{}/{rel}", basis.path),
        };
        let before = match old.get(rel) {
            Some(id) => Some(repo.find_blob(*id).map_err(git_error(&path))?),
            None => None,
        };
        let after = match new.get(rel) {
            Some(file) => Some(read(file, &path)?),
            None => None,
        };
        if let Some(diff) = file_diff(path, before.as_ref(), after.as_deref())? {
            out.push(diff);
        }
    }
    Ok(out)
}

/// The work tree's files under `dir` that git would add: not ignored, not `.git`.
fn walk(
    repo: &Repository,
    ws: &Workspace,
    dir: &Path,
    rel: &str,
    out: &mut BTreeMap<String, std::path::PathBuf>,
    artifact_path: &str,
) -> Result<(), ContentDiffError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ContentDiffError::Read {
        path: artifact_path.to_string(),
        message: e.to_string(),
    })?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let child_rel = format!("{rel}{name}");
        let repo_path = format!("{}{artifact_path}/{child_rel}", ws.prefix);
        if repo.is_path_ignored(&repo_path).unwrap_or(false) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(
                repo,
                ws,
                &entry.path(),
                &format!("{child_rel}/"),
                out,
                artifact_path,
            )?;
        } else {
            if out.len() == MAX_FILES {
                return Err(ContentDiffError::TooManyFiles {
                    path: artifact_path.to_string(),
                    limit: MAX_FILES,
                });
            }
            out.insert(child_rel, entry.path());
        }
    }
    Ok(())
}

/// A file's bytes (a symbolic link's target, as git stores it); `None` when it is too large to
/// show.
fn read(file: &Path, path: &str) -> Result<Vec<u8>, ContentDiffError> {
    let meta = std::fs::symlink_metadata(file).map_err(|e| ContentDiffError::Read {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(file).map_err(|e| ContentDiffError::Read {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        return Ok(target.to_string_lossy().into_owned().into_bytes());
    }
    if meta.len() > MAX_FILE_BYTES {
        // Too large to show: a NUL makes it read as binary.
        return Ok(vec![0]);
    }
    std::fs::read(file).map_err(|e| ContentDiffError::Read {
        path: path.to_string(),
        message: e.to_string(),
    })
}

/// One file's hunks, or `None` when both sides hold the same content.
fn file_diff(
    path: String,
    before: Option<&Blob<'_>>,
    after: Option<&[u8]>,
) -> Result<Option<FileDiff>, ContentDiffError> {
    let status = match (before, after) {
        (None, None) => return Ok(None),
        (None, Some(_)) => FileStatus::Added,
        (Some(_), None) => FileStatus::Removed,
        (Some(b), Some(a)) => {
            if Oid::hash_object(ObjectType::Blob, a).ok() == Some(b.id()) {
                return Ok(None);
            }
            FileStatus::Modified
        }
    };
    let binary = before.is_some_and(|b| is_binary(b.content())) || after.is_some_and(is_binary);
    if binary {
        return Ok(Some(FileDiff {
            path,
            status,
            binary,
            hunks: Vec::new(),
        }));
    }
    let mut options = DiffOptions::new();
    options.context_lines(CONTEXT_LINES);
    let as_path = Path::new(&path);
    // An absent side is empty: the hunks then count from line 0, as git shows an added or
    // removed file.
    let patch = Patch::from_buffers(
        before.map_or(&[][..], |b| b.content()),
        Some(as_path),
        after.unwrap_or_default(),
        Some(as_path),
        Some(&mut options),
    )
    .map_err(git_error(&path))?;
    let mut hunks = Vec::new();
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h).map_err(git_error(&path))?;
        let header = String::from_utf8_lossy(hunk.header())
            .trim_end()
            .to_string();
        let mut lines = Vec::with_capacity(count);
        for l in 0..count {
            let line = patch.line_in_hunk(h, l).map_err(git_error(&path))?;
            let kind = match line.origin() {
                '+' => LineKind::Added,
                '-' => LineKind::Removed,
                ' ' => LineKind::Context,
                // "\ No newline at end of file" markers say nothing a reader needs here.
                _ => continue,
            };
            let text = String::from_utf8_lossy(line.content());
            lines.push(DiffLine {
                kind,
                old: line.old_lineno(),
                new: line.new_lineno(),
                text: text.trim_end_matches(['\n', '\r']).to_string(),
            });
        }
        hunks.push(Hunk { header, lines });
    }
    Ok(Some(FileDiff {
        path,
        status,
        binary: false,
        hunks,
    }))
}

/// Git's test: a NUL in the first 8000 bytes.
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8000).any(|&b| b == 0)
}

fn git_error(path: &str) -> impl FnOnce(git2::Error) -> ContentDiffError + '_ {
    move |source| ContentDiffError::Git {
        path: path.to_string(),
        source,
    }
}
