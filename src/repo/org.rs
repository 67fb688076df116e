//! Finding what `handoff org` reads: local repositories, directories of clones, result files,
//! directories of result files and `org.yaml` manifests. Every filesystem call of the org view
//! is here; what the files mean is `crate::core::org`'s.

use std::path::{Path, PathBuf};

use crate::core::org::parse_manifest;

/// Result files larger than this are refused unread (a 10,000-artifact result is ~40 MB).
const MAX_RESULT_BYTES: u64 = 256 * 1024 * 1024;

/// One thing to read, with the team a manifest put it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub what: FoundKind,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundKind {
    /// A directory holding a `handoff.yaml`: checked here.
    Local(PathBuf),
    /// A file that should be `handoff check --format json` output.
    ResultFile(PathBuf),
    /// A path that is nothing handoff reads, with why.
    Unusable { path: PathBuf, reason: String },
}

/// What the sources name: the organisation's name (from a manifest) and everything found,
/// in the order given (a directory's children sorted by name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    pub name: Option<String>,
    pub found: Vec<Found>,
}

/// Walks each source one level deep.
pub fn discover(sources: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    for source in sources {
        discover_one(source, None, true, &mut out);
    }
    out
}

fn discover_one(path: &Path, team: Option<&str>, manifests: bool, out: &mut Discovered) {
    let found = |what| Found {
        what,
        team: team.map(str::to_string),
    };
    let unusable = |reason: String| {
        found(FoundKind::Unusable {
            path: path.to_path_buf(),
            reason,
        })
    };
    if path.is_dir() {
        if path.join(crate::core::model::INDEX_FILE).is_file() {
            out.found.push(found(FoundKind::Local(path.to_path_buf())));
            return;
        }
        let mut children: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(e) => return out.found.push(unusable(format!("cannot read: {e}"))),
        };
        children.sort();
        let before = out.found.len();
        for child in children {
            if child.is_dir() && child.join(crate::core::model::INDEX_FILE).is_file() {
                out.found.push(found(FoundKind::Local(child)));
            } else if child.is_file() && child.extension().is_some_and(|e| e == "json") {
                out.found.push(found(FoundKind::ResultFile(child)));
            }
        }
        if out.found.len() == before {
            out.found.push(unusable(
                "holds no handoff.yaml, no child directory with one and no .json result".into(),
            ));
        }
    } else if path.is_file() {
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !yaml {
            out.found
                .push(found(FoundKind::ResultFile(path.to_path_buf())));
        } else if !manifests {
            out.found
                .push(unusable("a manifest may not list another manifest".into()));
        } else {
            read_manifest(path, out);
        }
    } else {
        out.found.push(unusable("no such file or directory".into()));
    }
}

fn read_manifest(path: &Path, out: &mut Discovered) {
    let manifest = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|text| parse_manifest(&text).map_err(|e| e.to_string()));
    let manifest = match manifest {
        Ok(m) => m,
        Err(reason) => {
            return out.found.push(Found {
                what: FoundKind::Unusable {
                    path: path.to_path_buf(),
                    reason,
                },
                team: None,
            });
        }
    };
    if out.name.is_none() {
        out.name = manifest.name.clone();
    }
    let base = path.parent().unwrap_or(Path::new("."));
    for (source, team) in manifest.sources() {
        discover_one(&base.join(source), team.as_deref(), false, out);
    }
}

/// A result file's text, or why it cannot be read.
pub fn read_result(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if size > MAX_RESULT_BYTES {
        return Err(format!(
            "{size} bytes is more than the {MAX_RESULT_BYTES} a result file may have"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text: not a handoff check result".into())
}
