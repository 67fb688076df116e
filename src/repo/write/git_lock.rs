//! git's own lock files (`index.lock`, `refs/heads/<branch>.lock`), taken the way git takes
//! them, but so that one left behind by a killed handoff can be told from anyone else's.
//!
//! git takes a lock by creating `<file>.lock` exclusively, writes the new content into it and
//! renames it over `<file>`. A process killed in between leaves the lock behind, and every git
//! command then refuses until someone removes it by hand. handoff creates its lock as a second
//! name (a hard link) of a file of its own under `.git/handoff/tmp/` (the *token*), so that
//! the next handoff finds the token, sees that the lock is the same file, and knows the lock
//! is its own: it can then finish or undo the change (see [`super::journal`]). A lock some
//! other process holds is never the token's file, so it is never touched.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A lock file held by this process.
#[derive(Debug)]
pub(crate) struct GitLock {
    lock: PathBuf,
    token: PathBuf,
    done: bool,
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LockFileError {
    /// Another process holds it.
    #[error("{} exists", .0.display())]
    Held(PathBuf),
    #[error("cannot take {}: {source}", lock.display())]
    Io { lock: PathBuf, source: io::Error },
}

impl GitLock {
    /// Takes `lock` (the `.lock` path beside the file it guards), holding `content` from the
    /// start, through a token file at `token`.
    pub(crate) fn acquire(
        lock: &Path,
        token: &Path,
        content: &[u8],
    ) -> Result<GitLock, LockFileError> {
        let io = |source| LockFileError::Io {
            lock: lock.to_path_buf(),
            source,
        };
        if let Some(dir) = token.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        let _ = fs::remove_file(token);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(token)
            .map_err(io)?;
        file.write_all(content).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        if let Some(dir) = lock.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        // A hard link is created exclusively, as git's `O_EXCL` open is.
        match fs::hard_link(token, lock) {
            Ok(()) => Ok(GitLock {
                lock: lock.to_path_buf(),
                token: token.to_path_buf(),
                done: false,
            }),
            Err(e) => {
                let _ = fs::remove_file(token);
                if e.kind() == io::ErrorKind::AlreadyExists {
                    Err(LockFileError::Held(lock.to_path_buf()))
                } else {
                    Err(io(e))
                }
            }
        }
    }

    /// Replaces what the lock holds (written in place: the lock and the token stay one file).
    pub fn write(&mut self, content: &[u8]) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.lock)?;
        file.write_all(content)?;
        file.sync_all()
    }

    /// Renames the lock over the file it guards: the change takes effect.
    pub fn commit(mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.lock, target)?;
        self.done = true;
        let _ = fs::remove_file(&self.token);
        if let Some(dir) = target.parent().and_then(|d| File::open(d).ok()) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for GitLock {
    /// A lock not committed is released, leaving the guarded file as it was.
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.lock);
            let _ = fs::remove_file(&self.token);
        }
    }
}

/// Whether `lock` is the file `token` names: a lock handoff took and did not release.
pub(crate) fn is_own_leftover(lock: &Path, token: &Path) -> bool {
    same_file(lock, token)
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.is_file() && a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    // Without inode numbers a leftover cannot be told from another process's lock.
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_exclusive_and_released_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("index");
        let lock = dir.path().join("index.lock");
        fs::write(&target, "old").unwrap();
        let token = dir.path().join("tmp/index-lock-1");
        let held = GitLock::acquire(&lock, &token, b"new").unwrap();
        assert!(is_own_leftover(&lock, &token));
        let other = GitLock::acquire(&lock, &dir.path().join("tmp/other"), b"x");
        assert!(matches!(other, Err(LockFileError::Held(_))));
        drop(held);
        assert!(!lock.exists() && !token.exists());
        assert_eq!(fs::read(&target).unwrap(), b"old");

        let mut held = GitLock::acquire(&lock, &token, b"").unwrap();
        held.write(b"newer").unwrap();
        assert_eq!(fs::read(&token).unwrap(), b"newer", "one file, two names");
        held.commit(&target).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"newer");
        assert!(!lock.exists() && !token.exists());
    }

    #[test]
    fn someone_elses_lock_is_not_a_leftover() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("index.lock");
        let token = dir.path().join("token");
        fs::write(&lock, "").unwrap();
        fs::write(&token, "").unwrap();
        assert!(!is_own_leftover(&lock, &token));
    }
}
