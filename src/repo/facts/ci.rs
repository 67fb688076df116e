//! What the scorecard's `in-ci` rules read: the CI configuration's text and whether the
//! paths they name exist. CI configuration is where a project says what its pipeline runs:
//! `.github/workflows/*.yml` (or `.yaml`), `.gitlab-ci.yml` and the files of `.ci/`, all at
//! the repository's root. Each is read through the fence.

use std::collections::BTreeMap;
use std::path::Path;

use crate::core::model::{Document, ScorecardFacts};
use crate::repo::fence;
use crate::repo::workspace::Workspace;

/// A CI file larger than this is not read (a pipeline definition is a few kilobytes).
const MAX_CI_BYTES: u64 = 1 << 20;

/// At most this many files per CI directory are read.
const MAX_CI_FILES: usize = 200;

/// The CI configuration of the workspace's repository, and whether each of `paths`
/// (relative to the index's directory) exists.
pub(crate) fn scorecard_facts(workspace: &Workspace, paths: &[String]) -> ScorecardFacts {
    let root = &workspace.repo_root;
    let mut files: Vec<String> = Vec::new();
    for dir in [".github/workflows", ".ci"] {
        files.extend(files_in(root, dir));
    }
    files.retain(|f| !f.starts_with(".github/") || f.ends_with(".yml") || f.ends_with(".yaml"));
    if root.join(".gitlab-ci.yml").is_file() {
        files.push(".gitlab-ci.yml".to_string());
    }
    let ci_files = files
        .into_iter()
        .map(|path| {
            let text = fence::read_inside(root, &root.join(&path), MAX_CI_BYTES)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            Document { path, text }
        })
        .collect();
    let paths = paths
        .iter()
        .map(|p| {
            let exists = fence::resolve_inside(root, &workspace.dir.join(p)).is_ok();
            (p.clone(), exists)
        })
        .collect::<BTreeMap<_, _>>();
    ScorecardFacts {
        ci_files,
        prefix: workspace.prefix.clone(),
        paths,
    }
}

/// The regular files directly in `dir` (repository-relative), sorted, when it lies inside
/// the work tree.
fn files_in(root: &Path, dir: &str) -> Vec<String> {
    let Ok(resolved) = fence::resolve_inside(root, &root.join(dir)) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(resolved) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(|n| format!("{dir}/{n}")))
        .collect();
    out.sort();
    out.truncate(MAX_CI_FILES);
    out
}
