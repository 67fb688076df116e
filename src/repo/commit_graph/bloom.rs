//! git's changed-path Bloom filters, read from the commit-graph (BIDX and BDAT chunks, as
//! `Documentation/gitformat-commit-graph.txt` and git's `bloom.c` define them), so a history
//! walk can skip a commit whose filter rules out every path it looks for.
//!
//! A filter is exact in one direction only: "not changed" is certain, "maybe" must be checked
//! by comparing trees. Each commit's filter holds the paths that changed against its *first*
//! parent (the empty tree for a root commit) and every leading directory of each, so a
//! question about a path asks about the path and each of its directories.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::{chain_files, read_chunks};

/// The seeds and word size git's `bloom.c` uses.
const SEED_FIRST: u32 = 0x293a_e76f;
const SEED_SECOND: u32 = 0x7e64_6e2c;

/// The commit-graph files of a repository as last read: path, length, modification time.
type Versions = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// The filters last read, by common git directory, least recently asked first.
type Read = Vec<(PathBuf, Versions, Option<Arc<ChangedPathFilters>>)>;
static READ: Mutex<Read> = Mutex::new(Vec::new());

/// Repositories whose filters [`ChangedPathFilters::shared`] keeps: a process works in one,
/// tests in a few at once.
const KEPT_REPOSITORIES: usize = 8;

/// The changed-path filters of a repository's commit-graph (every layer of a split chain).
#[derive(Debug)]
pub struct ChangedPathFilters {
    layers: Vec<Layer>,
}

/// One commit-graph file.
#[derive(Debug)]
struct Layer {
    hash_len: usize,
    /// OIDF: for each first byte, how many ids sort at or below it.
    fanout: Vec<u32>,
    /// OIDL: the ids, sorted.
    ids: Vec<u8>,
    filters: Option<Filters>,
}

/// BIDX + BDAT of one layer.
#[derive(Debug)]
struct Filters {
    hash_version: u32,
    num_hashes: u32,
    /// BIDX: for each commit, where its filter ends in `data`.
    ends: Vec<u32>,
    data: Vec<u8>,
}

impl ChangedPathFilters {
    /// The filters of the repository whose common git directory is `common_dir`; `None` when it
    /// has no commit-graph, no layer carries filters, or a file is not one this reader knows.
    pub fn open(common_dir: &Path) -> Option<Self> {
        let files = chain_files(common_dir)?;
        let layers = files.iter().map(Layer::read).collect::<Option<Vec<_>>>()?;
        layers
            .iter()
            .any(|layer| layer.filters.is_some())
            .then_some(Self { layers })
    }

    /// [`ChangedPathFilters::open`], read once for each version of the commit-graph files:
    /// every history walk of a run (one per past point, one per rename followed) asks, and
    /// the files can be tens of megabytes. The files are known by path, length and
    /// modification time; git replaces a commit-graph by renaming a new file over it, which
    /// changes the time, and names each layer of a split chain by its hash.
    pub fn shared(common_dir: &Path) -> Option<Arc<Self>> {
        let versions: Versions = chain_files(common_dir)?
            .into_iter()
            .map(|file| {
                let meta = std::fs::metadata(&file).ok()?;
                Some((file, meta.len(), meta.modified().ok()))
            })
            .collect::<Option<_>>()?;
        let mut read = READ.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = read.iter().position(|(dir, _, _)| dir == common_dir) {
            let (_, known, filters) = read.remove(at);
            if known == versions {
                read.push((common_dir.to_path_buf(), known, filters.clone()));
                return filters;
            }
        }
        let filters = Self::open(common_dir).map(Arc::new);
        if read.len() == KEPT_REPOSITORIES {
            read.remove(0);
        }
        read.push((common_dir.to_path_buf(), versions, filters.clone()));
        filters
    }

    /// Whether `path` (slash-separated, relative to the root, no trailing slash) may have
    /// changed in `commit` against its first parent: `Some(false)` is certain, `Some(true)`
    /// means maybe, and `None` that this commit has no usable filter.
    pub fn may_have_changed(&self, commit: &[u8], path: &str) -> Option<bool> {
        let (layer, position) = self
            .layers
            .iter()
            .find_map(|layer| layer.position(commit).map(|at| (layer, at)))?;
        let filters = layer.filters.as_ref()?;
        // Version 1 filters hashed bytes above 0x7f as signed chars; git itself stopped
        // trusting them for such paths, and so does this.
        if filters.hash_version == 1 && !path.is_ascii() {
            return None;
        }
        if filters.hash_version != 1 && filters.hash_version != 2 {
            return None;
        }
        let filter = filters.filter(position)?;
        if filter.is_empty() {
            return None;
        }
        let mut key = path;
        loop {
            if !filters.contains(filter, key.as_bytes()) {
                return Some(false);
            }
            match key.rfind('/') {
                Some(slash) => key = &key[..slash],
                None => return Some(true),
            }
        }
    }
}

impl Layer {
    fn read(file: &PathBuf) -> Option<Self> {
        let bytes = std::fs::read(file).ok()?;
        let hash_len = match bytes.get(5)? {
            1 => 20,
            2 => 32,
            _ => return None,
        };
        let chunks = read_chunks(&bytes)?;
        let chunk = |id: &[u8; 4]| chunks.iter().find(|(cid, _)| cid == id).map(|(_, r)| r);
        let fanout_bytes = bytes.get(chunk(b"OIDF")?.clone())?;
        if fanout_bytes.len() != 256 * 4 {
            return None;
        }
        let fanout: Vec<u32> = fanout_bytes.chunks_exact(4).map(be32).collect();
        let count = *fanout.last()? as usize;
        let ids = bytes.get(chunk(b"OIDL")?.clone())?.to_vec();
        if ids.len() != count * hash_len {
            return None;
        }
        let filters = match (chunk(b"BIDX"), chunk(b"BDAT")) {
            (Some(index), Some(data)) => Some(Filters::read(
                bytes.get(index.clone())?,
                bytes.get(data.clone())?,
                count,
            )?),
            _ => None,
        };
        Some(Self {
            hash_len,
            fanout,
            ids,
            filters,
        })
    }

    /// Where `commit` sorts in this layer, if it is here.
    fn position(&self, commit: &[u8]) -> Option<usize> {
        if commit.len() != self.hash_len {
            return None;
        }
        let first = usize::from(commit[0]);
        let low = if first == 0 {
            0
        } else {
            self.fanout[first - 1] as usize
        };
        let high = self.fanout[first] as usize;
        let id_at = |i: usize| &self.ids[i * self.hash_len..(i + 1) * self.hash_len];
        let (mut low, mut high) = (low, high);
        while low < high {
            let mid = (low + high) / 2;
            match id_at(mid).cmp(commit) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl Filters {
    fn read(index: &[u8], data: &[u8], count: usize) -> Option<Self> {
        if index.len() != count * 4 || data.len() < 12 {
            return None;
        }
        let ends: Vec<u32> = index.chunks_exact(4).map(be32).collect();
        if ends.windows(2).any(|w| w[0] > w[1])
            || ends.last().copied().unwrap_or(0) as usize > data.len() - 12
        {
            return None;
        }
        Some(Self {
            hash_version: be32(&data[0..4]),
            num_hashes: be32(&data[4..8]),
            ends,
            data: data[12..].to_vec(),
        })
    }

    fn filter(&self, position: usize) -> Option<&[u8]> {
        let start = if position == 0 {
            0
        } else {
            self.ends[position - 1] as usize
        };
        self.data.get(start..*self.ends.get(position)? as usize)
    }

    /// Whether every bit of `key`'s hashes is set (git's `bloom_filter_contains`).
    fn contains(&self, filter: &[u8], key: &[u8]) -> bool {
        // Versions 1 and 2 hash ASCII alike; `may_have_changed` keeps other paths from
        // version 1 filters.
        let (first, second) = (murmur3(SEED_FIRST, key), murmur3(SEED_SECOND, key));
        let bits = filter.len() as u64 * 8;
        (0..self.num_hashes).all(|i| {
            let hash = first.wrapping_add(i.wrapping_mul(second));
            let bit = u64::from(hash) % bits;
            filter[(bit / 8) as usize] & (1 << (bit % 8)) != 0
        })
    }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// 32-bit MurmurHash3 (x86), as git's `bloom.c` computes it for version 2 filters.
fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut hash = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        hash ^= k;
        hash = hash
            .rotate_left(13)
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, byte) in tail.iter().enumerate() {
            k ^= u32::from(*byte) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        hash ^= k;
    }
    hash ^= data.len() as u32;
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^ (hash >> 16)
}

#[cfg(test)]
mod tests {
    use super::murmur3;

    #[test]
    fn murmur3_matches_the_reference_vectors() {
        assert_eq!(murmur3(0, b""), 0);
        assert_eq!(murmur3(1, b""), 0x514e_28b7);
        assert_eq!(
            murmur3(0, b"The quick brown fox jumps over the lazy dog"),
            0x2e4f_f723
        );
    }
}
