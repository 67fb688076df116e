//! Atomic file writes: a temporary file beside the target, flushed to disk, then renamed
//! over it. A kill at any moment leaves the old file or the new one, never half of either.
//! A write given an [`OwnWrites`] handle is marked in it first, so the watcher holding the same
//! handle does not mistake it for someone else's.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::own_writes::OwnWrites;

/// The name every temporary file starts with (the watcher ignores them).
pub(crate) const TEMPORARY_PREFIX: &str = ".handoff-tmp-";

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_marked(path, bytes, None)
}

/// [`write_atomic`], marking the write in `own_writes` first.
pub fn write_atomic_marked(
    path: &Path,
    bytes: &[u8],
    own_writes: Option<&OwnWrites>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    write_through_temporary(path, bytes, dir, own_writes).map_err(without_temporary_path)
}

/// [`write_atomic`] with the temporary file in `scratch` (handoff's directory under `.git`),
/// so that a kill leaves nothing in the work tree for `git add -A` to pick up. Where
/// `scratch` is on another file system (a rename cannot cross it), the temporary file sits
/// beside the target as in [`write_atomic`].
pub(crate) fn write_atomic_via(
    path: &Path,
    bytes: &[u8],
    scratch: &Path,
    own_writes: Option<&OwnWrites>,
) -> std::io::Result<()> {
    let _ = fs::create_dir_all(scratch);
    match write_through_temporary(path, bytes, scratch, own_writes) {
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices || !scratch.is_dir() => {
            write_atomic_marked(path, bytes, own_writes)
        }
        result => result.map_err(without_temporary_path),
    }
}

/// The error as the operating system gave it: tempfile appends the temporary file's name,
/// which means nothing to the user (the caller names the file being written).
fn without_temporary_path(error: std::io::Error) -> std::io::Error {
    if error.get_ref().is_none() {
        return error;
    }
    let text = error.to_string();
    match text.split_once(" at path \"") {
        Some((plain, _)) => std::io::Error::new(error.kind(), plain.to_string()),
        None => error,
    }
}

fn write_through_temporary(
    path: &Path,
    bytes: &[u8],
    temporary_dir: &Path,
    own_writes: Option<&OwnWrites>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    // The process id ends the name, so that a killed writer's leftover can be told apart.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(&format!("-{}", std::process::id()))
        .tempfile_in(temporary_dir)?;
    tmp.as_file_mut().write_all(bytes)?;
    if let Some(own) = own_writes {
        own.mark(path, bytes);
    }
    tmp.as_file().sync_all()?;
    // Keep the permissions of the file being replaced (an executable stays executable).
    if let Ok(meta) = fs::metadata(path) {
        fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the temporary files a killed writer left in `dir`. Call it only while no other
/// handoff can be writing there (holding [`super::lock::WriteLock`]).
pub(crate) fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_temporary = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMPORARY_PREFIX));
        if is_temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.yaml");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["b.yaml"]);
    }
}
