//! Edits written with `--no-commit` and not committed yet: which files handoff changed, what
//! each holds as handoff left it, and what each edit was, kept in `.git/handoff/pending.json`
//! of the work tree's git directory. `handoff commit` commits exactly those files, and only
//! while they still hold what handoff wrote, so someone else's changes are never swept in.

use std::path::PathBuf;

use git2::Repository;
use serde::{Deserialize, Serialize};

/// What is written and waiting for `handoff commit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub files: Vec<PendingFile>,
    /// The summary of each edit, in the order made (without the person: "sets owner of prd
    /// to pm").
    pub changes: Vec<String>,
}

/// One file handoff changed and has not committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFile {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// git's blob id of what handoff last wrote to it.
    pub blob: String,
}

impl Pending {
    fn file(repo: &Repository) -> PathBuf {
        repo.path().join("handoff").join("pending.json")
    }

    /// What is pending in `repo` (nothing when the file is absent or unreadable).
    pub fn read(repo: &Repository) -> Pending {
        std::fs::read(Self::file(repo))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Saves it; an empty list removes the file.
    pub fn save(&self, repo: &Repository) -> std::io::Result<()> {
        let file = Self::file(repo);
        if self.files.is_empty() {
            return match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(self).expect("a pending list serialises");
        super::atomic::write_atomic(&file, &bytes)
    }

    /// The blob handoff last wrote to `path`, if it is pending.
    pub fn blob_of(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.blob.as_str())
    }

    /// Records that handoff wrote `blob` to `path` for the edit `change`.
    pub fn record(&mut self, path: &str, blob: String, change: String) {
        match self.files.iter_mut().find(|f| f.path == path) {
            Some(f) => f.blob = blob,
            None => self.files.push(PendingFile {
                path: path.to_string(),
                blob,
            }),
        }
        self.changes.push(change);
    }
}
