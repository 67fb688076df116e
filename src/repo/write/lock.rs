//! One handoff writer at a time per repository: an advisory lock on
//! `.git/handoff/write.lock`, held from reading what a change is computed from until its
//! commit is made. Two `handoff sign` runs started together then commit one after the other,
//! each on top of the other's commit, instead of the second reading a ledger the first is
//! about to change.
//!
//! The lock is the operating system's (`flock`), so a handoff killed while holding it (even by
//! SIGKILL) releases it: there is never a stale lock file to remove by hand. Processes other
//! than handoff (git itself) do not take it; [`super::change`] copes with them by retrying.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::time::Duration;

use git2::Repository;

use super::patience::Patience;

/// How long a writer waits for another handoff to finish before giving up.
pub(crate) const WAIT_FOR_OTHER_WRITER: Duration = Duration::from_secs(30);

/// Held while a change is read, written and committed; released when dropped.
#[derive(Debug)]
pub(crate) struct WriteLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another handoff has been writing to this repository for over {}s ({} is locked): wait for it to finish and try again",
        WAIT_FOR_OTHER_WRITER.as_secs(),
        path.display()
    )]
    Busy { path: PathBuf },
    #[error("cannot lock the repository for writing ({}: {source})", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Takes the repository's write lock, waiting up to `wait` for another handoff to release it.
pub(crate) fn lock_repository(repo: &Repository, wait: Duration) -> Result<WriteLock, LockError> {
    // The common directory: linked worktrees share the branches, objects and this lock.
    let dir = repo.commondir().join("handoff");
    let path = dir.join("write.lock");
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let mut patience = Patience::new(wait);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriteLock { _file: file }),
            Err(TryLockError::WouldBlock) if patience.wait() => {}
            Err(TryLockError::WouldBlock) => return Err(LockError::Busy { path }),
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_and_gives_up_with_the_lock_named() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let first = lock_repository(&repo, Duration::ZERO).unwrap();
        let err = lock_repository(&repo, Duration::from_millis(50)).unwrap_err();
        assert!(err.to_string().contains("write.lock is locked"), "{err}");
        drop(first);
        lock_repository(&repo, Duration::ZERO).unwrap();
    }
}
