//! The work tree's side: where a path leads, walking directories, reading and hashing files
//! inside the fence.

use super::*;
use std::fs::File;
use std::io::Read;

use git2::{IndexEntry, ObjectType};

use super::index::is_skip_worktree;
use crate::repo::facts::treehash::{MODE_EXECUTABLE, MODE_FILE, TreeHasher};

impl WorkTree<'_> {
    /// Checks that `abs` stays inside the work tree, then stats it without following a final
    /// symbolic link.
    pub(super) fn locate(&self, abs: &Path, shown: &str) -> Located {
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
    pub(super) fn canonical_dir(&self, dir: &Path) -> std::io::Result<PathBuf> {
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
    pub(super) fn file_identity(
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
    pub(super) fn stat_unchanged(&self, entry: &IndexEntry, meta: &Metadata) -> bool {
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
    pub(super) fn directory_tree(&self, abs: &Path, repo_dir: &str) -> Result<Oid, Unreadable> {
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
    pub(super) fn worktree_matches(
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
    pub(super) fn walk_problem(&self, error: Unreadable, repo_dir: &str) -> Unreadable {
        let Unreadable::WalkLimit { limit } = error else {
            return error;
        };
        let path = self
            .workspace_path(repo_dir.as_bytes())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".to_string());
        Unreadable::TooManyEntries { path, limit }
    }

    pub(super) fn found_identity(
        &self,
        found: &Found,
        tracked: &Tracked,
    ) -> Result<Identity, Unreadable> {
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
    pub(super) fn walk(
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

    pub(super) fn ignored(&self, repo_path: &[u8]) -> bool {
        let path = path_from_bytes(repo_path);
        self.repo.status_should_ignore(&path).unwrap_or(false)
    }

    /// The README.md of a directory (any letter case; `README.md` itself preferred).
    pub(super) fn readme(
        &self,
        abs_dir: &Path,
        relative_dir: &str,
    ) -> Result<Option<Document>, Unreadable> {
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
    pub(super) fn document(
        &self,
        abs: &Path,
        relative: &str,
    ) -> Result<Option<Document>, Unreadable> {
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
    pub(super) fn read_text(&self, abs: &Path) -> Option<String> {
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
}

pub(super) fn symlink_blob(abs: &Path, shown: &str) -> Result<Oid, Unreadable> {
    let target = std::fs::read_link(abs).map_err(|e| Unreadable::io(shown, e))?;
    Oid::hash_object(ObjectType::Blob, target.as_os_str().as_encoded_bytes())
        .map_err(|e| Unreadable::io(shown, e.message()))
}

/// The commit an embedded repository has checked out, which `git add` records.
pub(super) fn embedded_head(path: &Path) -> Option<Oid> {
    let repo = Repository::open(path).ok()?;
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    Some(head.id())
}

pub(super) fn path_from_bytes(bytes: &[u8]) -> PathBuf {
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

pub(super) fn special_file_problem(shown: &str, meta: &Metadata) -> Unreadable {
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
pub(super) fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
pub(super) fn is_executable(_meta: &Metadata) -> bool {
    false
}

/// Modification time as (seconds, nanoseconds), the resolution the index keeps.
#[cfg(unix)]
pub(super) fn modified_time(meta: &Metadata) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    // The index stores seconds in 32 bits; compare as it would have stored them.
    Some((i64::from(meta.mtime() as i32), meta.mtime_nsec()))
}

#[cfg(not(unix))]
pub(super) fn modified_time(_meta: &Metadata) -> Option<(i64, i64)> {
    None
}

#[cfg(unix)]
pub(super) fn same_inode(entry: &IndexEntry, meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    entry.ino == meta.ino() as u32
}

#[cfg(not(unix))]
pub(super) fn same_inode(_entry: &IndexEntry, _meta: &Metadata) -> bool {
    true
}
