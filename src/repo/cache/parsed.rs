//! Parsed inputs kept between runs: what `handoff.yaml` and each ledger file parsed to, stored
//! under `.git/handoff/` beside the exact bytes it was parsed from. An input is taken from the
//! cache only when its bytes are identical to the stored ones, so a hit gives the parser's own
//! answer; any other input is parsed and the cache rewritten. Parsing a 70,000-line index
//! took about 220 ms; a hit costs a few.
//!
//! The file is sealed like the history caches (a torn, corrupted or foreign file is ignored)
//! and names the handoff build that wrote it: another build, whose model may differ, ignores
//! it. Only successful parses are kept; an index with errors is parsed each time, which also
//! reports its errors each time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::CACHE_DIR;
use super::sealed::{self, CacheError, Damage, Seal};

/// Version 1 had a word-wise checksum.
const VERSION: u32 = 2;

/// Which input a cache file holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input {
    /// `handoff.yaml`: one entry.
    Index,
    /// The ledger: one entry per file.
    Ledger,
}

impl Input {
    fn seal(self) -> Seal {
        let magic = match self {
            Input::Index => b"handoff-p-index\0",
            Input::Ledger => b"handoff-p-ledger",
        };
        Seal {
            magic,
            version: VERSION,
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Input::Index => "parsed-index",
            Input::Ledger => "parsed-ledger",
        }
    }
}

/// What a cache file holds: the build that wrote it, then per input file its name, its bytes
/// and what it parsed to. Written from borrowed values, read into owned ones (the encoding is
/// the same). The bytes are encoded as one run, not as a list of numbers: decoding them is a
/// copy.
#[derive(serde::Deserialize)]
struct Stored<T> {
    build: String,
    entries: Vec<(String, serde_bytes::ByteBuf, T)>,
}

#[derive(Serialize)]
struct StoredRef<'a, T> {
    build: &'a str,
    entries: Vec<(&'a str, &'a serde_bytes::Bytes, &'a T)>,
}

/// The parsed inputs of one kind, as the cache file held them when opened.
pub(crate) struct ParsedCache<T> {
    /// Where it is written, and the build identity it is written with (`None`: disabled).
    file: Option<(PathBuf, &'static str)>,
    input: Input,
    entries: BTreeMap<String, (Vec<u8>, T)>,
}

impl<T: Serialize + DeserializeOwned> ParsedCache<T> {
    /// The cache of the repository whose git directory is `git_dir`. A missing, damaged or
    /// foreign file reads as empty; without a build identity nothing is cached.
    pub(crate) fn open(git_dir: &Path, input: Input) -> ParsedCache<T> {
        let Some(build) = build_identity() else {
            return ParsedCache::disabled(input);
        };
        let file = git_dir.join(CACHE_DIR).join(input.file_name());
        // Damaged, foreign or written by another build: parsed again and rewritten.
        let entries = read(&file, input, build).unwrap_or_default();
        ParsedCache {
            file: Some((file, build)),
            input,
            entries,
        }
    }

    /// No cache: everything is parsed and nothing written.
    pub(crate) fn disabled(input: Input) -> ParsedCache<T> {
        ParsedCache {
            file: None,
            input,
            entries: BTreeMap::new(),
        }
    }

    /// What `name` parsed to, if it was stored with exactly these bytes. The entry leaves the
    /// cache: [`ParsedCache::save`] writes what it is given.
    pub(crate) fn take(&mut self, name: &str, bytes: &[u8]) -> Option<T> {
        match self.entries.remove(name) {
            Some((stored, parsed)) if stored == bytes => Some(parsed),
            _ => None,
        }
    }

    /// Whether no entry is left (every stored input was taken).
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the cache file anew with these entries (name, bytes, parsed). A failure to
    /// write only costs the next run a parse, so it is not reported.
    pub(crate) fn save(self, entries: &[(&str, &[u8], &T)]) {
        let Some((file, build)) = self.file else {
            return;
        };
        let stored = StoredRef {
            build,
            entries: entries
                .iter()
                .map(|&(name, bytes, parsed)| (name, serde_bytes::Bytes::new(bytes), parsed))
                .collect(),
        };
        let _ = sealed::write(self.input.seal(), &file, &stored);
    }
}

/// The entries of a cache file: none when there is no file.
fn read<T: DeserializeOwned>(
    file: &Path,
    input: Input,
    build: &str,
) -> Result<BTreeMap<String, (Vec<u8>, T)>, CacheError> {
    let Some(stored) = sealed::read::<Stored<T>>(input.seal(), file)? else {
        return Ok(BTreeMap::new());
    };
    if stored.build != build {
        return Err(Damage::OtherBuild.into());
    }
    Ok(stored
        .entries
        .into_iter()
        .map(|(name, bytes, parsed)| (name, (bytes.into_vec(), parsed)))
        .collect())
}

/// Names this build of handoff: its version and its executable's size and modification time,
/// so that any rebuild (whose model types may have changed) ignores what another wrote.
/// `None` when the executable cannot be looked at: then nothing is cached.
fn build_identity() -> Option<&'static str> {
    static IDENTITY: OnceLock<Option<String>> = OnceLock::new();
    IDENTITY
        .get_or_init(|| {
            let exe = std::env::current_exe().ok()?;
            let meta = std::fs::metadata(exe).ok()?;
            let modified = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(format!(
                "{} {} {}",
                env!("CARGO_PKG_VERSION"),
                meta.len(),
                modified.as_nanos()
            ))
        })
        .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(dir: &Path, entries: &[(&str, &[u8], &String)]) {
        ParsedCache::<String>::open(dir, Input::Index).save(entries);
    }

    #[test]
    fn an_input_is_taken_only_with_its_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = "parsed".to_string();
        stored(dir.path(), &[("a.yaml", b"a: 1\n", &parsed)]);
        let mut cache = ParsedCache::<String>::open(dir.path(), Input::Index);
        assert_eq!(cache.take("a.yaml", b"a: 2\n"), None, "other bytes");
        let mut cache_again = ParsedCache::<String>::open(dir.path(), Input::Index);
        assert_eq!(cache_again.take("b.yaml", b"a: 1\n"), None, "another file");
        assert_eq!(cache_again.take("a.yaml", b"a: 1\n"), Some(parsed));
        assert!(cache_again.is_empty() && cache.is_empty());
        // The two inputs keep separate files.
        assert!(ParsedCache::<String>::open(dir.path(), Input::Ledger).is_empty());
    }

    #[test]
    fn another_build_damage_or_disabling_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = "parsed".to_string();
        stored(dir.path(), &[("a.yaml", b"a: 1\n", &parsed)]);
        let file = dir.path().join(CACHE_DIR).join(Input::Index.file_name());
        let good = std::fs::read(&file).unwrap();
        let open = || ParsedCache::<String>::open(dir.path(), Input::Index);
        assert!(!open().is_empty());

        let foreign = StoredRef {
            build: "0.0.0 1 1",
            entries: vec![("a.yaml", serde_bytes::Bytes::new(b"a: 1\n"), &parsed)],
        };
        sealed::write(Input::Index.seal(), &file, &foreign).unwrap();
        assert!(open().is_empty(), "written by another build");
        assert_eq!(
            read::<String>(&file, Input::Index, build_identity().unwrap()).unwrap_err(),
            CacheError::Damaged(Damage::OtherBuild)
        );

        std::fs::write(&file, &good[..good.len() - 1]).unwrap();
        assert!(open().is_empty(), "truncated");
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        std::fs::write(&file, flipped).unwrap();
        assert!(open().is_empty(), "corrupted");

        std::fs::write(&file, &good).unwrap();
        let mut disabled = ParsedCache::<String>::disabled(Input::Index);
        assert_eq!(disabled.take("a.yaml", b"a: 1\n"), None);
        disabled.save(&[("b.yaml", b"b", &parsed)]);
        assert_eq!(
            std::fs::read(&file).unwrap(),
            good,
            "disabled writes nothing"
        );
    }
}
