//! Changing entries of the user's git index the way git does: take `index.lock`, read the
//! index *under the lock*, change only the entries handoff committed, write the result into
//! the lock and rename it over the index. Reading first and locking later (as libgit2's
//! `Index::read` + `Index::write` do) leaves a window in which another process's `git add`
//! lands and is then overwritten with the older copy.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{Index, IndexEntry, IndexTime, Oid, Repository};

use super::commit::CommitError;
use super::git_lock::{GitLock, LockFileError};
use super::patience::Patience;
use super::scratch;

/// How long `index.lock` may be held by another git process before handoff gives up.
const PATIENCE: Duration = Duration::from_secs(3);

/// One entry to change.
pub(crate) struct EntryChange<'a> {
    pub path: &'a str,
    /// What the index may hold for the path now: anything else was staged by the user, whose
    /// version handoff must not replace.
    pub expected: &'a [Option<Oid>],
    /// The new entry (`None`: the path leaves the index).
    pub new: Option<IndexEntry>,
}

/// The new index, written into `index.lock` and not yet in effect.
#[derive(Debug)]
pub(crate) struct Prepared {
    lock: GitLock,
    target: PathBuf,
}

impl Prepared {
    /// Puts the new index in place, marking it in `own_writes`.
    pub fn commit(self, own_writes: Option<&super::own_writes::OwnWrites>) -> std::io::Result<()> {
        let target = self.target.clone();
        self.lock.commit(&target)?;
        if let Some(own) = own_writes {
            own.mark_current(&target);
        }
        Ok(())
    }
}

/// Takes `index.lock` and writes into it the index as it is now with `changes` applied.
/// Dropping the result without [`Prepared::commit`] leaves the index as it was.
pub(crate) fn prepare(repo: &Repository, changes: &[EntryChange]) -> Result<Prepared, CommitError> {
    let target = repo.path().join("index");
    let lock_path = repo.path().join("index.lock");
    let token = scratch::path(repo, "index-lock");
    let mut patience = Patience::new(PATIENCE);
    let mut lock = loop {
        match GitLock::acquire(&lock_path, &token, b"") {
            Ok(lock) => break lock,
            Err(LockFileError::Held(_)) if patience.wait() => {}
            Err(LockFileError::Held(path)) => {
                return Err(CommitError::IndexLocked(path.display().to_string()));
            }
            Err(LockFileError::Io { lock, source }) => {
                return Err(CommitError::BadPath(
                    lock.display().to_string(),
                    source.to_string(),
                ));
            }
        }
    };
    let bytes = changed_index(repo, &target, changes)?;
    lock.write(&bytes)
        .map_err(|e| CommitError::BadPath(lock_path.display().to_string(), e.to_string()))?;
    Ok(Prepared { lock, target })
}

/// The bytes of the index at `target` (read now, under the lock) with `changes` applied.
fn changed_index(
    repo: &Repository,
    target: &Path,
    changes: &[EntryChange],
) -> Result<Vec<u8>, CommitError> {
    let copy = scratch::path(repo, "index-copy");
    let io = |e: std::io::Error| CommitError::BadPath(copy.display().to_string(), e.to_string());
    let _ = fs::remove_file(&copy);
    match fs::copy(target, &copy) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let result = (|| {
        let mut index = Index::open(&copy)?;
        for change in changes {
            let path = Path::new(change.path);
            let conflicted = (1..=3).any(|stage| index.get_path(path, stage).is_some());
            let staged = index.get_path(path, 0).map(|e| e.id);
            if conflicted || !change.expected.contains(&staged) {
                return Err(CommitError::PartlyStaged(change.path.to_string()));
            }
            match &change.new {
                Some(entry) => index.add(entry)?,
                None => {
                    if staged.is_some() {
                        index.remove(path, 0)?;
                    }
                }
            }
        }
        index.write()?;
        fs::read(&copy).map_err(io)
    })();
    let _ = fs::remove_file(&copy);
    result
}

/// An index entry for `repo_path` holding blob `id` with `mode`; stat data from the file at
/// `full` when it holds exactly that blob, so `git status` need not read it again.
pub fn entry(repo_path: &str, id: Oid, mode: u32, size: u64, full: Option<&Path>) -> IndexEntry {
    let mut entry = IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: size as u32,
        id,
        flags: (repo_path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: repo_path.as_bytes().to_vec(),
    };
    #[cfg(unix)]
    if let Some(meta) = full.and_then(|f| f.symlink_metadata().ok()) {
        use std::os::unix::fs::MetadataExt;
        entry.ctime = IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
        entry.mtime = IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
        entry.dev = meta.dev() as u32;
        entry.ino = meta.ino() as u32;
        entry.uid = meta.uid();
        entry.gid = meta.gid();
        entry.file_size = meta.size() as u32;
    }
    #[cfg(not(unix))]
    let _ = full;
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut index = repo.index().unwrap();
        for (path, text) in files {
            fs::write(dir.path().join(path), text).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        (dir, repo)
    }

    #[test]
    fn an_entry_staged_after_the_lock_is_released_survives_and_others_are_kept() {
        let (dir, repo) = repo_with(&[("a.txt", "a\n"), ("b.txt", "b\n")]);
        let a = repo.blob(b"a2\n").unwrap();
        fs::write(dir.path().join("a.txt"), "a2\n").unwrap();
        let old_a = Oid::hash_object(git2::ObjectType::Blob, b"a\n").unwrap();
        let prepared = prepare(
            &repo,
            &[EntryChange {
                path: "a.txt",
                expected: &[Some(old_a), Some(a)],
                new: Some(entry(
                    "a.txt",
                    a,
                    0o100644,
                    3,
                    Some(&dir.path().join("a.txt")),
                )),
            }],
        )
        .unwrap();
        // Held: another writer cannot take the lock meanwhile.
        assert!(dir.path().join(".git/index.lock").exists());
        prepared.commit(None).unwrap();
        let mut index = repo.index().unwrap();
        index.read(true).unwrap();
        assert_eq!(index.get_path(Path::new("a.txt"), 0).unwrap().id, a);
        assert!(index.get_path(Path::new("b.txt"), 0).is_some());
        assert!(!dir.path().join(".git/index.lock").exists());
    }

    #[test]
    fn a_version_the_user_staged_is_not_replaced() {
        let (dir, repo) = repo_with(&[("a.txt", "a\n")]);
        let a = repo.blob(b"a2\n").unwrap();
        let result = prepare(
            &repo,
            &[EntryChange {
                path: "a.txt",
                expected: &[None],
                new: Some(entry("a.txt", a, 0o100644, 3, None)),
            }],
        );
        assert!(matches!(result, Err(CommitError::PartlyStaged(p)) if p == "a.txt"));
        assert!(
            !dir.path().join(".git/index.lock").exists(),
            "lock released"
        );
    }
}
