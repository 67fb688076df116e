//! A journal of the change being committed, so that a handoff killed at any moment (SIGKILL,
//! a power cut) leaves nothing the next handoff cannot finish or undo.
//!
//! Before a file is written, the journal records the branch, the commit the change is built
//! on, and each file's version before and after (blob ids). Once the commit object exists,
//! its id is added. The order of the steps after that makes every kill recoverable:
//!
//! 1. `index.lock` is taken and holds the user's index with the committed entries;
//! 2. the branch moves to the new commit;
//! 3. `index.lock` is renamed over the index; the journal is removed.
//!
//! A kill before 2 means nothing was committed: the next writer puts the files back as
//! committed (if they still hold what handoff wrote) and removes the lock it left. A kill
//! between 2 and 3 leaves a complete new index in the lock: the next writer renames it into
//! place. Either way the work tree, the index and HEAD agree again, and `git status` shows
//! nothing of handoff's.

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

use super::git_lock;
use super::own_writes::OwnWrites;
use super::scratch;

/// What a journal says: the change in flight.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    /// The branch's reference name (`refs/heads/main`).
    branch: String,
    /// The commit the change is built on (`None`: an unborn branch).
    parent: Option<String>,
    /// The new commit, once it exists.
    commit: Option<String>,
    files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct FileEntry {
    /// Repository-relative, `/`-separated.
    path: String,
    /// The blob committed at the parent (`None`: the file was not there).
    old: Option<String>,
    /// The blob handoff writes (`None`: handoff removes the file).
    new: Option<String>,
    /// Directories created for the file, deepest first, repository-relative.
    created_dirs: Vec<String>,
}

/// One file a change writes, for the journal.
pub(crate) struct JournalFile<'a> {
    pub repo_path: &'a str,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
    pub created_dirs: Vec<String>,
}

/// The journal of this process's change; removed when dropped (the change is then complete
/// or undone by the code that made it).
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    entry: Entry,
}

/// Why the journal could not be written: the change is not made.
#[derive(Debug, thiserror::Error)]
#[error("cannot write handoff's journal {}: {source}", path.display())]
pub struct JournalError {
    path: PathBuf,
    source: std::io::Error,
}

impl Journal {
    /// Records the change about to be made.
    pub(crate) fn begin(
        repo: &Repository,
        branch: &str,
        parent: Option<Oid>,
        files: &[JournalFile],
    ) -> Result<Journal, JournalError> {
        let journal = Journal {
            path: scratch::path(repo, "pending"),
            entry: Entry {
                branch: branch.to_string(),
                parent: parent.map(|p| p.to_string()),
                commit: None,
                files: files
                    .iter()
                    .map(|f| FileEntry {
                        path: f.repo_path.to_string(),
                        old: f.old.map(|o| o.to_string()),
                        new: f.new.map(|o| o.to_string()),
                        created_dirs: f.created_dirs.clone(),
                    })
                    .collect(),
            },
        };
        journal.save()?;
        Ok(journal)
    }

    /// Records the commit made for the change.
    pub(crate) fn set_commit(&mut self, commit: Oid) -> Result<(), JournalError> {
        self.entry.commit = Some(commit.to_string());
        self.save()
    }

    /// Records the commit the change is now built on (after another process's commit got in
    /// first and the change was rebuilt on it).
    pub(crate) fn set_parent(&mut self, parent: Option<Oid>) -> Result<(), JournalError> {
        self.entry.parent = parent.map(|p| p.to_string());
        self.entry.commit = None;
        self.save()
    }

    fn save(&self) -> Result<(), JournalError> {
        let bytes = serde_json::to_vec(&self.entry).expect("a journal entry serialises");
        let error = |source| JournalError {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(error)?;
        let mut tmp = tempfile::Builder::new()
            .prefix("journal-")
            .suffix(&format!("-{}", std::process::id()))
            .tempfile_in(dir)
            .map_err(error)?;
        std::io::Write::write_all(tmp.as_file_mut(), &bytes).map_err(error)?;
        tmp.as_file().sync_all().map_err(error)?;
        tmp.persist(&self.path).map_err(|e| error(e.error))?;
        Ok(())
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// What the next writer did about a change a killed handoff left unfinished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The commit had moved the branch; the index was brought up to date with it.
    Completed { commit: String, paths: Vec<String> },
    /// Nothing had been committed; the files were put back as committed.
    Undone { paths: Vec<String> },
    /// HEAD is elsewhere now (someone went on working): the files were left as they are.
    LeftAsIs { paths: Vec<String> },
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recovered::Completed { commit, paths } => write!(
                f,
                "an earlier handoff was stopped while committing {}: its commit {} had landed, and the git index is now brought up to date with it",
                paths.join(", "),
                &commit[..commit.len().min(8)]
            ),
            Recovered::Undone { paths } => write!(
                f,
                "an earlier handoff was stopped before committing {}: nothing had been committed, so its change was undone",
                paths.join(", ")
            ),
            Recovered::LeftAsIs { paths } => write!(
                f,
                "an earlier handoff was stopped while changing {}, and HEAD has moved since: the files were left as they are (`git status` shows them)",
                paths.join(", ")
            ),
        }
    }
}

/// Finishes or undoes the changes killed writers left, and removes their scratch files. Call
/// only while holding the write lock. Files put back are marked in `own_writes`.
pub(crate) fn recover(repo: &Repository, own_writes: Option<&OwnWrites>) -> Vec<Recovered> {
    let mut done = Vec::new();
    for (name, path) in scratch::others(repo) {
        if !name.starts_with("pending-") {
            continue;
        }
        let Some(pid) = scratch::pid_of(&name) else {
            continue;
        };
        let entry = fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Entry>(&b).ok());
        if let Some(entry) = entry {
            done.push(recover_one(repo, pid, &entry, own_writes));
        }
    }
    release_leftover_locks(repo);
    scratch::remove_leftovers(repo);
    done
}

fn oid(text: &Option<String>) -> Option<Oid> {
    text.as_deref().and_then(|t| Oid::from_str(t).ok())
}

fn recover_one(
    repo: &Repository,
    pid: u32,
    entry: &Entry,
    own_writes: Option<&OwnWrites>,
) -> Recovered {
    let paths: Vec<String> = entry.files.iter().map(|f| f.path.clone()).collect();
    let tip = super::refs::read(repo, &entry.branch).ok().flatten();
    let commit = oid(&entry.commit);
    let landed = commit.is_some() && tip == commit;
    let index_lock = repo.path().join("index.lock");
    let index_token = scratch::dir(repo).join(format!("index-lock-{pid}"));
    if git_lock::is_own_leftover(&index_lock, &index_token) {
        // The lock holds the complete new index once the branch has moved (step 1 precedes 2).
        let finished = landed && fs::rename(&index_lock, repo.path().join("index")).is_ok();
        if !finished {
            let _ = fs::remove_file(&index_lock);
        }
    }
    let ref_token = scratch::dir(repo).join(format!("ref-lock-{pid}"));
    let ref_lock = PathBuf::from(format!(
        "{}.lock",
        repo.commondir().join(&entry.branch).display()
    ));
    if git_lock::is_own_leftover(&ref_lock, &ref_token) {
        let _ = fs::remove_file(&ref_lock);
    }
    if landed {
        let commit = commit.expect("landed implies a commit");
        sync_index_with(repo, commit, entry);
        return Recovered::Completed {
            commit: commit.to_string(),
            paths,
        };
    }
    if tip != oid(&entry.parent) {
        return Recovered::LeftAsIs { paths };
    }
    for file in &entry.files {
        undo_file(repo, file, own_writes);
    }
    Recovered::Undone { paths }
}

/// After a landed commit: index entries of the journal's paths that still hold the parent's
/// version are set to the commit's.
fn sync_index_with(repo: &Repository, commit: Oid, entry: &Entry) {
    let Ok(tree) = repo.find_commit(commit).and_then(|c| c.tree()) else {
        return;
    };
    let Ok(mut index) = repo.index() else {
        return;
    };
    if index.read(true).is_err() {
        return;
    }
    let mut changed = false;
    for file in &entry.files {
        let path = Path::new(&file.path);
        let staged = index.get_path(path, 0).map(|e| e.id);
        if staged != oid(&file.old) {
            continue;
        }
        match tree.get_path(path) {
            Ok(e) if e.kind() == Some(ObjectType::Blob) => {
                changed |= index.add_path(path).is_ok();
            }
            _ => changed |= index.remove_path(path).is_ok(),
        }
    }
    if changed {
        let _ = index.write();
    }
}

/// Puts a file back as committed at the parent, if it still holds what handoff wrote, and
/// its index entry too.
fn undo_file(repo: &Repository, file: &FileEntry, own_writes: Option<&OwnWrites>) {
    let Some(workdir) = repo.workdir() else {
        return;
    };
    let full = workdir.join(&file.path);
    let on_disk = blob_id_of(&full);
    let new = oid(&file.new);
    if on_disk == new {
        let restored = match oid(&file.old).and_then(|o| repo.find_blob(o).ok()) {
            Some(blob) => super::atomic::write_atomic_marked(&full, blob.content(), own_writes),
            None => fs::remove_file(&full).map(|()| {
                for dir in &file.created_dirs {
                    let _ = fs::remove_dir(workdir.join(dir));
                }
            }),
        };
        if restored.is_err() {
            return;
        }
    }
    let Ok(mut index) = repo.index() else {
        return;
    };
    if index.read(true).is_err() {
        return;
    }
    let path = Path::new(&file.path);
    if index.get_path(path, 0).map(|e| e.id) == new && new != oid(&file.old) {
        let reset = match oid(&file.old) {
            Some(_) => index.add_path(path),
            None => index.remove_path(path),
        };
        if reset.is_ok() {
            let _ = index.write();
        }
    }
}

/// The blob id a file's content would have (`None`: absent or not a regular file).
fn blob_id_of(path: &Path) -> Option<Oid> {
    let meta = path.symlink_metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let bytes = fs::read(path).ok()?;
    Oid::hash_object(ObjectType::Blob, &bytes).ok()
}

/// Removes `index.lock` leftovers of killed handoffs whose journals were already gone.
fn release_leftover_locks(repo: &Repository) {
    for (name, token) in scratch::others(repo) {
        if name.starts_with("index-lock-") {
            let lock = repo.path().join("index.lock");
            if git_lock::is_own_leftover(&lock, &token) {
                let _ = fs::remove_file(&lock);
            }
        }
    }
}
