//! The fence around what handoff reads and writes: the repository's work tree (and, for its
//! own state, `.git/handoff/`). Everything in the work tree is written by whoever has push
//! access, so a symbolic link in it may point anywhere — at `/etc/passwd`, at `/dev/zero`, at
//! another user's files. Readers and writers of the index and the ledger come through here:
//! a path whose resolved location leaves the work tree, or leads into `.git`, is refused, and
//! so is anything that is not a regular file (a FIFO would block a reader forever, a device
//! never ends).
//!
//! The artifacts' own files are fenced the same way in [`crate::repo::facts`] (`WorkTree::locate`).

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Why a path was not read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it does not exist")]
    Missing,
    #[error("it leads outside the repository through a symbolic link; handoff does not follow it")]
    Outside,
    #[error("it leads into `.git` through a symbolic link; handoff does not follow it")]
    IntoGit,
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error("it is a symbolic link; handoff writes only regular files")]
    Symlink,
    #[error("it is {size} bytes; the limit is {}", limit_text(*limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("{0}")]
    Io(String),
}

fn limit_text(limit: u64) -> String {
    const MIB: u64 = 1 << 20;
    if limit >= MIB && limit.is_multiple_of(MIB) {
        format!("{} MiB", limit / MIB)
    } else {
        format!("{limit} bytes")
    }
}

/// Where `path` really is, with every symbolic link resolved, provided that is inside the
/// work tree `root` and not inside its `.git`. `root` should itself be canonical; it is
/// canonicalised here if it is not.
pub(crate) fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let root = root
        .canonicalize()
        .map_err(|e| Refused::Io(e.to_string()))?;
    let resolved = path.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Refused::Missing,
        _ => Refused::Io(e.to_string()),
    })?;
    check_inside(&root, &resolved)?;
    Ok(resolved)
}

/// Whether the canonical path `resolved` lies inside the canonical work tree `root`, outside
/// its `.git`.
fn check_inside(root: &Path, resolved: &Path) -> Result<(), Refused> {
    let Ok(relative) = resolved.strip_prefix(root) else {
        return Err(Refused::Outside);
    };
    let into_git = relative.components().any(|c| match c {
        Component::Normal(name) => name.eq_ignore_ascii_case(".git"),
        _ => false,
    });
    if into_git {
        return Err(Refused::IntoGit);
    }
    Ok(())
}

/// Reads a regular file of at most `limit` bytes that lies inside the work tree `root` once
/// symbolic links are resolved.
pub(crate) fn read_inside(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let resolved = resolve_inside(root, path)?;
    read_regular(&resolved, limit)
}

/// Reads a regular file of at most `limit` bytes. The file is opened without blocking and
/// checked after opening, so a FIFO or a device put in its place is refused, never read.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
    let file = open_nonblocking(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Refused::Missing,
        _ => Refused::Io(e.to_string()),
    })?;
    let meta = file.metadata().map_err(|e| Refused::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(Refused::NotRegular(kind_of(&meta)));
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        // It grew while being read.
        return Err(Refused::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Checks that handoff may write the file `path`: its directory (or the nearest ancestor that
/// exists) resolves inside the work tree `root`, and the file itself is absent or a regular
/// file — not a symbolic link, which the atomic rename would replace by a file.
pub(crate) fn check_writable(root: &Path, path: &Path) -> Result<(), Refused> {
    let root = root
        .canonicalize()
        .map_err(|e| Refused::Io(e.to_string()))?;
    match path.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => return Err(Refused::Symlink),
        Ok(meta) if !meta.is_file() => return Err(Refused::NotRegular(kind_of(&meta))),
        _ => {}
    }
    let existing = path
        .ancestors()
        .skip(1)
        .find(|dir| dir.symlink_metadata().is_ok())
        .ok_or(Refused::Missing)?;
    let resolved = existing
        .canonicalize()
        .map_err(|e| Refused::Io(e.to_string()))?;
    check_inside(&root, &resolved)
}

/// Opens for reading with `O_NONBLOCK`: a FIFO opens at once instead of waiting for a writer
/// (and is then refused as not a regular file). Reads from regular files ignore the flag.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// "a FIFO", "a directory", "a device" — for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    if file_type.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_leaving_the_tree_or_into_git_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "secret").unwrap();
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path().canonicalize().unwrap();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "[core]").unwrap();
        std::fs::write(root.join("inside.md"), "inside").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(outside.path().join("secret"), root.join("out")).unwrap();
            symlink(root.join(".git/config"), root.join("git")).unwrap();
            symlink("inside.md", root.join("in")).unwrap();
            symlink(outside.path(), root.join("dir")).unwrap();
            assert_eq!(
                read_inside(&root, &root.join("out"), 100),
                Err(Refused::Outside)
            );
            assert_eq!(
                read_inside(&root, &root.join("git"), 100),
                Err(Refused::IntoGit)
            );
            assert_eq!(
                read_inside(&root, &root.join("in"), 100).unwrap(),
                b"inside"
            );
            assert_eq!(
                check_writable(&root, &root.join("dir/new.yaml")),
                Err(Refused::Outside)
            );
            assert_eq!(
                check_writable(&root, &root.join("in")),
                Err(Refused::Symlink)
            );
        }
        assert_eq!(
            read_inside(&root, &root.join("inside.md"), 3),
            Err(Refused::TooLarge { size: 6, limit: 3 })
        );
        assert_eq!(check_writable(&root, &root.join("a/b/new.yaml")), Ok(()));
        assert_eq!(
            read_inside(&root, &root.join("nothing"), 3),
            Err(Refused::Missing)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tree = tempfile::tempdir().unwrap();
        let fifo = tree.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(read_regular(&fifo, 100), Err(Refused::NotRegular("a FIFO")));
    }
}
