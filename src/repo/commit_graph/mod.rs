//! Whether the repository has a commit-graph, and whether it carries git's changed-path Bloom
//! filters (`git commit-graph write --reachable --changed-paths`), read from the files' chunk
//! tables as `Documentation/gitformat-commit-graph.txt` lays them out. `handoff doctor`
//! reports it: the filters are what lets a history walk skip commits that touch no artifact.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// What the object directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitGraph {
    Absent,
    /// `layers` files (1 for a single file, more for a split chain), of which `with_filters`
    /// carry Bloom filters (both the BIDX and BDAT chunks).
    Present {
        layers: usize,
        with_filters: usize,
    },
    /// A file that is not a commit-graph this reader understands.
    Unreadable,
}

mod bloom;

pub use bloom::ChangedPathFilters;

/// The commit-graph of the repository whose common git directory is `common_dir`.
pub fn commit_graph(common_dir: &Path) -> CommitGraph {
    let Some(files) = chain_files(common_dir) else {
        return CommitGraph::Absent;
    };
    let mut with_filters = 0;
    for file in &files {
        let Some(chunks) = std::fs::read(file).ok().as_deref().and_then(read_chunks) else {
            return CommitGraph::Unreadable;
        };
        let has = |id: &[u8; 4]| chunks.iter().any(|(cid, _)| cid == id);
        if has(b"BIDX") && has(b"BDAT") {
            with_filters += 1;
        }
    }
    CommitGraph::Present {
        layers: files.len(),
        with_filters,
    }
}

/// The commit-graph files, base layer first: the single file, or the split chain's layers.
fn chain_files(common_dir: &Path) -> Option<Vec<PathBuf>> {
    let info = common_dir.join("objects/info");
    let single = info.join("commit-graph");
    let chain_dir = info.join("commit-graphs");
    let files: Vec<PathBuf> = if single.is_file() {
        vec![single]
    } else {
        std::fs::read_to_string(chain_dir.join("commit-graph-chain"))
            .ok()?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|hash| chain_dir.join(format!("graph-{hash}.graph")))
            .collect()
    };
    (!files.is_empty()).then_some(files)
}

/// The chunks of one commit-graph file, by id with their byte ranges: an 8-byte header
/// (`CGPH`, version 1, hash version, chunk count, base-graph count), then a table of
/// (4-byte id, 8-byte offset) entries ending with a zero id whose offset ends the last chunk.
fn read_chunks(bytes: &[u8]) -> Option<Vec<([u8; 4], Range<usize>)>> {
    if bytes.get(..4)? != b"CGPH" || bytes[4] != 1 {
        return None;
    }
    let count = usize::from(*bytes.get(6)?);
    let table = bytes.get(8..8 + (count + 1) * 12)?;
    let entries: Vec<([u8; 4], usize)> = table
        .chunks_exact(12)
        .map(|entry| {
            let offset = u64::from_be_bytes(entry[4..12].try_into().unwrap_or([0; 8]));
            ([entry[0], entry[1], entry[2], entry[3]], offset as usize)
        })
        .collect();
    entries
        .windows(2)
        .map(|pair| {
            let (id, start) = pair[0];
            let end = pair[1].1;
            (start <= end && end <= bytes.len()).then_some((id, start..end))
        })
        .collect()
}
