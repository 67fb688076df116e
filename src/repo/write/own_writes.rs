//! The files handoff itself just wrote, with a hash of what it wrote, so that the watcher can
//! tell its own writes from everyone else's and never reloads because of them.
//!
//! Writers mark a path with the bytes they are about to write (or, after libgit2 wrote a file,
//! with what is there now). The watcher asks [`OwnWrites::is_own`] about each changed path: it
//! is ours while the file still holds exactly what we marked, for a few seconds. A later write
//! by anyone else changes the content, so it is never mistaken for ours, however soon it comes.
//!
//! The marks are a handle, not a global: the workbench makes one and gives clones to its
//! watcher and to its writes, so two workbenches (or tests) in one process never see each
//! other's marks, and a command-line write that nobody watches marks nothing.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a mark holds. Debounced events arrive within a fraction of a second.
const KEEP_FOR: Duration = Duration::from_secs(10);

/// Files larger than this are not hashed when checked; they are never treated as ours.
const MAX_HASHED_BYTES: u64 = 64 * 1024 * 1024;

struct Mark {
    /// `None`: handoff removed the file.
    content: Option<u64>,
    at: Instant,
}

/// What handoff wrote recently, shared by the writes that mark and the watcher that asks.
#[derive(Clone, Default)]
pub struct OwnWrites {
    marks: Arc<Mutex<HashMap<PathBuf, Mark>>>,
}

impl std::fmt::Debug for OwnWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnWrites")
    }
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The path as the watcher reports it: its directory with symbolic links resolved.
fn key(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

impl OwnWrites {
    fn record(&self, path: &Path, content: Option<u64>) {
        let now = Instant::now();
        let mut marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
        marks.retain(|_, m| now.duration_since(m.at) < KEEP_FOR);
        marks.insert(key(path), Mark { content, at: now });
    }

    /// Handoff is about to write `bytes` to `path`.
    pub fn mark(&self, path: &Path, bytes: &[u8]) {
        self.record(path, Some(content_hash(bytes)));
    }

    /// Handoff removed `path`.
    pub(crate) fn mark_removed(&self, path: &Path) {
        self.record(path, None);
    }

    /// Handoff (through libgit2) has just written `path`: whatever it holds now is ours.
    pub(crate) fn mark_current(&self, path: &Path) {
        match read_small(path) {
            Some(bytes) => self.mark(path, &bytes),
            None => self.mark_removed(path),
        }
    }

    /// Whether `path` holds what handoff itself last wrote there, recently.
    pub(crate) fn is_own(&self, path: &Path) -> bool {
        let key = key(path);
        let expected = {
            let marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
            match marks.get(&key) {
                Some(m) if m.at.elapsed() < KEEP_FOR => m.content,
                _ => return false,
            }
        };
        match (expected, read_small(path)) {
            (Some(hash), Some(bytes)) => content_hash(&bytes) == hash,
            (None, None) => !path.exists(),
            _ => false,
        }
    }
}

fn read_small(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_HASHED_BYTES {
        return None;
    }
    std::fs::read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_ours_until_someone_else_changes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("handoff.yaml");
        let own = OwnWrites::default();
        assert!(!own.is_own(&path));
        own.mark(&path, b"one");
        std::fs::write(&path, b"one").unwrap();
        assert!(own.is_own(&path));
        assert!(
            !OwnWrites::default().is_own(&path),
            "another handle knows nothing of it"
        );
        std::fs::write(&path, b"two").unwrap();
        assert!(!own.is_own(&path));
        own.mark_removed(&path);
        std::fs::remove_file(&path).unwrap();
        assert!(own.is_own(&path));
    }
}
