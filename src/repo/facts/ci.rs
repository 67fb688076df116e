//! What the scorecard's `in-ci` rules read: the CI configuration's text and whether the
//! paths they name exist. CI configuration is where a project says what its pipeline runs:
//! `.github/workflows/*.yml` (or `.yaml`), `.gitlab-ci.yml` and the files of `.ci/`, all at
//! the repository's root. Read from the work tree (through the fence) or, for the handoff as
//! of a past commit, from that commit's tree.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Repository, Tree};

use crate::core::model::{Document, ScorecardFacts};
use crate::repo::fence;
use crate::repo::workspace::Workspace;

/// A CI file larger than this is not read (a pipeline definition is a few kilobytes).
const MAX_CI_BYTES: u64 = 1 << 20;

/// At most this many files per CI directory are read.
const MAX_CI_FILES: usize = 200;

/// Where CI configuration is read from; every path is repository-relative.
trait CiSource {
    /// The names of the regular files directly in `dir`.
    fn files_in(&self, dir: &str) -> Vec<String>;
    fn is_file(&self, path: &str) -> bool;
    fn text(&self, path: &str) -> Option<String>;
    fn exists(&self, path: &str) -> bool;
}

/// The CI configuration of the workspace's repository, and whether each of `paths`
/// (relative to the index's directory) exists, in the work tree.
pub(crate) fn scorecard_facts(workspace: &Workspace, paths: &[String]) -> ScorecardFacts {
    gather(&WorkTreeFiles(&workspace.repo_root), workspace, paths)
}

/// [`scorecard_facts`] as a commit's tree has them.
pub(crate) fn scorecard_facts_in(
    repo: &Repository,
    tree: &Tree<'_>,
    workspace: &Workspace,
    paths: &[String],
) -> ScorecardFacts {
    gather(&TreeFiles { repo, tree }, workspace, paths)
}

fn gather(source: &dyn CiSource, workspace: &Workspace, paths: &[String]) -> ScorecardFacts {
    let mut files: Vec<String> = Vec::new();
    for dir in [".github/workflows", ".ci"] {
        let mut names = source.files_in(dir);
        names.sort();
        names.truncate(MAX_CI_FILES);
        files.extend(names.into_iter().map(|name| format!("{dir}/{name}")));
    }
    files.retain(|f| !f.starts_with(".github/") || f.ends_with(".yml") || f.ends_with(".yaml"));
    if source.is_file(".gitlab-ci.yml") {
        files.push(".gitlab-ci.yml".to_string());
    }
    let ci_files = files
        .into_iter()
        .map(|path| Document {
            text: source.text(&path),
            path,
        })
        .collect();
    let paths = paths
        .iter()
        .map(|p| (p.clone(), source.exists(&workspace.repo_path(p))))
        .collect::<BTreeMap<_, _>>();
    ScorecardFacts {
        ci_files,
        prefix: workspace.prefix.clone(),
        paths,
    }
}

/// The work tree under its root, through the fence.
struct WorkTreeFiles<'a>(&'a Path);

impl CiSource for WorkTreeFiles<'_> {
    fn files_in(&self, dir: &str) -> Vec<String> {
        let Ok(resolved) = fence::resolve_inside(self.0, &self.0.join(dir)) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(resolved) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect()
    }

    fn is_file(&self, path: &str) -> bool {
        self.0.join(path).is_file()
    }

    fn text(&self, path: &str) -> Option<String> {
        let bytes = fence::read_inside(self.0, &self.0.join(path), MAX_CI_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    }

    fn exists(&self, path: &str) -> bool {
        fence::resolve_inside(self.0, &self.0.join(path)).is_ok()
    }
}

/// A commit's tree: what a clone reset to it would have in its work tree.
struct TreeFiles<'a, 'r> {
    repo: &'r Repository,
    tree: &'a Tree<'r>,
}

impl TreeFiles<'_, '_> {
    fn blob(&self, path: &str) -> Option<git2::Blob<'_>> {
        let entry = self.tree.get_path(Path::new(path)).ok()?;
        if entry.filemode() as u32 == super::treehash::MODE_SYMLINK {
            return None;
        }
        self.repo.find_blob(entry.id()).ok()
    }
}

impl CiSource for TreeFiles<'_, '_> {
    fn files_in(&self, dir: &str) -> Vec<String> {
        let Ok(entry) = self.tree.get_path(Path::new(dir)) else {
            return Vec::new();
        };
        let Ok(dir) = self.repo.find_tree(entry.id()) else {
            return Vec::new();
        };
        dir.iter()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .filter(|e| e.filemode() as u32 != super::treehash::MODE_SYMLINK)
            .filter_map(|e| e.name().ok().map(str::to_string))
            .collect()
    }

    fn is_file(&self, path: &str) -> bool {
        self.blob(path).is_some()
    }

    fn text(&self, path: &str) -> Option<String> {
        let blob = self.blob(path)?;
        if blob.size() as u64 > MAX_CI_BYTES {
            return None;
        }
        String::from_utf8(blob.content().to_vec()).ok()
    }

    fn exists(&self, path: &str) -> bool {
        path.is_empty() || self.tree.get_path(Path::new(path)).is_ok()
    }
}
