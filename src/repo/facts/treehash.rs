//! Git object ids computed in memory, without writing to the object database: the tree that
//! `git add` + `git write-tree` would produce for a set of entries, and the stable hash of a
//! glob's matches.

use std::collections::BTreeMap;

use git2::{ObjectType, Oid};

pub(crate) const MODE_TREE: u32 = 0o040000;
pub(crate) const MODE_FILE: u32 = 0o100644;
pub(crate) const MODE_EXECUTABLE: u32 = 0o100755;
pub(crate) const MODE_SYMLINK: u32 = 0o120000;
pub(crate) const MODE_GITLINK: u32 = 0o160000;

/// Entries of one directory level, keyed by name; subdirectories are built bottom-up.
#[derive(Debug, Default)]
pub(crate) struct TreeHasher {
    files: BTreeMap<Vec<u8>, (u32, Oid)>,
    dirs: BTreeMap<Vec<u8>, TreeHasher>,
}

impl TreeHasher {
    /// Adds a non-tree entry at a `/`-separated path relative to this tree.
    pub(crate) fn insert(&mut self, path: &[u8], mode: u32, oid: Oid) {
        match path.iter().position(|&b| b == b'/') {
            Some(slash) => self.dirs.entry(path[..slash].to_vec()).or_default().insert(
                &path[slash + 1..],
                mode,
                oid,
            ),
            None => {
                self.files.insert(path.to_vec(), (mode, oid));
            }
        }
    }

    /// The tree id. A directory without files has no entry in its parent, as in git; the
    /// top level hashes as the empty tree when nothing was inserted.
    pub(crate) fn finish(self) -> Result<Oid, git2::Error> {
        match self.finish_level()? {
            Some(oid) => Ok(oid),
            None => empty_tree(),
        }
    }

    fn finish_level(self) -> Result<Option<Oid>, git2::Error> {
        // Git sorts tree entries by name, comparing a subtree as if its name ended in `/`.
        let mut entries: Vec<(Vec<u8>, Vec<u8>, u32, Oid)> = Vec::new();
        for (name, (mode, oid)) in self.files {
            entries.push((name.clone(), name, mode, oid));
        }
        for (name, dir) in self.dirs {
            if let Some(oid) = dir.finish_level()? {
                let mut sort_key = name.clone();
                sort_key.push(b'/');
                entries.push((sort_key, name, MODE_TREE, oid));
            }
        }
        if entries.is_empty() {
            return Ok(None);
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut bytes = Vec::with_capacity(entries.len() * 48);
        for (_, name, mode, oid) in &entries {
            bytes.extend_from_slice(format!("{mode:o} ").as_bytes());
            bytes.extend_from_slice(name);
            bytes.push(0);
            bytes.extend_from_slice(oid.as_bytes());
        }
        Oid::hash_object(ObjectType::Tree, &bytes).map(Some)
    }
}

pub(crate) fn empty_tree() -> Result<Oid, git2::Error> {
    Oid::hash_object(ObjectType::Tree, &[])
}

/// The fingerprint of a glob's matches: the blob id of one line per match,
/// `<mode> <oid>\t<path>\n`, sorted by path. Stable, and it changes when any match is added,
/// removed, renamed, edited or changes mode.
pub(crate) fn glob_fingerprint(matches: &mut [(String, u32, Oid)]) -> Result<Oid, git2::Error> {
    matches.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::new();
    for (path, mode, oid) in matches.iter() {
        text.push_str(&format!("{mode:06o} {oid}\t{path}\n"));
    }
    Oid::hash_object(ObjectType::Blob, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tree_has_gits_well_known_id() {
        assert_eq!(
            TreeHasher::default().finish().unwrap().to_string(),
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        );
    }

    #[test]
    fn a_directory_sorts_as_if_its_name_ended_in_a_slash() {
        let blob = Oid::hash_object(ObjectType::Blob, b"x").unwrap();
        let mut hasher = TreeHasher::default();
        hasher.insert(b"a/b", MODE_FILE, blob);
        hasher.insert(b"a.txt", MODE_FILE, blob);
        hasher.insert(b"a0", MODE_FILE, blob);
        // Expected order: "a.txt" < "a/" < "a0".
        let inner = {
            let mut bytes = b"100644 b\0".to_vec();
            bytes.extend_from_slice(blob.as_bytes());
            Oid::hash_object(ObjectType::Tree, &bytes).unwrap()
        };
        let mut bytes = Vec::new();
        for (mode, name, oid) in [
            ("100644", "a.txt", blob),
            ("40000", "a", inner),
            ("100644", "a0", blob),
        ] {
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            bytes.extend_from_slice(oid.as_bytes());
        }
        assert_eq!(
            hasher.finish().unwrap(),
            Oid::hash_object(ObjectType::Tree, &bytes).unwrap()
        );
    }

    #[test]
    fn a_directory_without_files_has_no_entry() {
        let blob = Oid::hash_object(ObjectType::Blob, b"x").unwrap();
        let mut with_empty = TreeHasher::default();
        with_empty.insert(b"f", MODE_FILE, blob);
        with_empty
            .dirs
            .insert(b"empty".to_vec(), TreeHasher::default());
        let mut without = TreeHasher::default();
        without.insert(b"f", MODE_FILE, blob);
        assert_eq!(with_empty.finish().unwrap(), without.finish().unwrap());
    }
}
