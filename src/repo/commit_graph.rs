//! Whether the repository has a commit-graph, and whether it carries git's changed-path Bloom
//! filters (`git commit-graph write --reachable --changed-paths`), read from the files' chunk
//! tables as `Documentation/gitformat-commit-graph.txt` lays them out. `handoff doctor`
//! reports it: the filters are what lets a history walk skip commits that touch no artifact.

use std::fs::File;
use std::io::Read;
use std::path::Path;

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

/// The commit-graph of the repository whose common git directory is `common_dir`.
pub fn commit_graph(common_dir: &Path) -> CommitGraph {
    let info = common_dir.join("objects/info");
    let single = info.join("commit-graph");
    let chain_dir = info.join("commit-graphs");
    let files: Vec<std::path::PathBuf> = if single.is_file() {
        vec![single]
    } else if let Ok(chain) = std::fs::read_to_string(chain_dir.join("commit-graph-chain")) {
        chain
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|hash| chain_dir.join(format!("graph-{hash}.graph")))
            .collect()
    } else {
        return CommitGraph::Absent;
    };
    if files.is_empty() {
        return CommitGraph::Absent;
    }
    let mut with_filters = 0;
    for file in &files {
        match chunk_ids(file) {
            Some(ids) if ids.contains(b"BIDX") && ids.contains(b"BDAT") => with_filters += 1,
            Some(_) => {}
            None => return CommitGraph::Unreadable,
        }
    }
    CommitGraph::Present {
        layers: files.len(),
        with_filters,
    }
}

/// The chunk ids of one commit-graph file: an 8-byte header (`CGPH`, version 1, hash version,
/// chunk count, base-graph count), then a table of (4-byte id, 8-byte offset) entries.
fn chunk_ids(path: &Path) -> Option<Vec<[u8; 4]>> {
    let mut file = File::open(path).ok()?;
    let mut header = [0u8; 8];
    file.read_exact(&mut header).ok()?;
    if &header[..4] != b"CGPH" || header[4] != 1 {
        return None;
    }
    let count = usize::from(header[6]);
    let mut table = vec![0u8; count * 12];
    file.read_exact(&mut table).ok()?;
    Some(
        table
            .chunks_exact(12)
            .map(|entry| [entry[0], entry[1], entry[2], entry[3]])
            .collect(),
    )
}
