//! handoff's scratch files while it writes: `.git/handoff/tmp/` of the work tree's git
//! directory, never the work tree (where `git add -A` would pick them up). Each name ends with
//! the writer's process id. Only a writer holding [`super::lock::WriteLock`] creates them, so a
//! writer that holds the lock and finds files of another process there knows that process
//! was killed: it recovers what they say ([`super::journal`]) and removes them.

use std::path::{Path, PathBuf};

use git2::Repository;

/// The scratch directory of `repo`'s work tree.
pub fn dir(repo: &Repository) -> PathBuf {
    repo.path().join("handoff").join("tmp")
}

/// `<dir>/<kind>-<pid>` for this process.
pub fn path(repo: &Repository, kind: &str) -> PathBuf {
    dir(repo).join(format!("{kind}-{}", std::process::id()))
}

/// The process id a scratch file name ends with.
pub(crate) fn pid_of(name: &str) -> Option<u32> {
    name.rsplit('-').next()?.parse().ok()
}

/// Files of processes other than this one, with their names.
pub fn others(repo: &Repository) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir(repo)) else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            (pid_of(&name) != Some(me)).then(|| (name, e.path()))
        })
        .collect();
    found.sort();
    found
}

/// Removes what killed writers left (call only while holding the write lock, after
/// [`super::journal::recover`] has read their journals).
pub(crate) fn remove_leftovers(repo: &Repository) {
    for (_, path) in others(repo) {
        remove(&path);
    }
}

fn remove(path: &Path) {
    if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_dir_all(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}
