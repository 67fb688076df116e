//! What `handoff import` reads: the tracked files of the repository, the text of the files
//! [`crate::core::import::wants_text`] asks for (through the fence, size-capped), and the
//! most recent authors of each file from git history. The proposal itself is pure
//! ([`crate::core::import`]).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{DiffOptions, Repository, Sort};

use crate::core::import::{RepoView, wants_text};
use crate::repo::facts::{self, FactsError};
use crate::repo::workspace::Workspace;

/// Files larger than this are not read: front matter and CODEOWNERS are small.
const MAX_TEXT_BYTES: u64 = 512 * 1024;
/// How far back history is read for authors.
const MAX_COMMITS: usize = 2000;
/// Authors kept per file.
const AUTHORS_PER_FILE: usize = 3;

/// Why the repository could not be read for an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportReadError {
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error("cannot read the repository: {0}")]
    Git(#[from] git2::Error),
}

/// Everything import needs to know about the repository of `ws`.
pub fn read_repo(ws: &Workspace) -> Result<RepoView, ImportReadError> {
    let repo = facts::open_repo(ws)?;
    let index = repo.index()?;
    let mut files: Vec<String> = index
        .iter()
        .filter_map(|entry| String::from_utf8(entry.path).ok())
        .collect();
    files.sort();
    files.dedup();
    let mut texts = BTreeMap::new();
    for path in files.iter().filter(|p| wants_text(p)) {
        let full = ws.repo_root.join(path);
        if let Ok(bytes) = crate::repo::fence::read_inside(&ws.repo_root, &full, MAX_TEXT_BYTES)
            && let Ok(text) = String::from_utf8(bytes)
        {
            texts.insert(path.clone(), text);
        }
    }
    let authors = recent_authors(&repo)?;
    Ok(RepoView {
        prefix: ws.prefix.clone(),
        files,
        texts,
        authors,
    })
}

/// For each path changed in the last [`MAX_COMMITS`] commits of HEAD, its most recent
/// distinct authors (as the repository's mailmap resolves them), newest first.
fn recent_authors(repo: &Repository) -> Result<BTreeMap<String, Vec<String>>, ImportReadError> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(out); // An unborn branch has no history yet.
    };
    let mailmap = repo.mailmap().ok();
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push(head.id())?;
    for oid in walk.take(MAX_COMMITS) {
        let commit = repo.find_commit(oid?)?;
        let author = match &mailmap {
            Some(m) => commit.author_with_mailmap(m)?,
            None => commit.author(),
        };
        let Ok(email) = author.email().map(str::to_string) else {
            continue;
        };
        let tree = commit.tree()?;
        let parent = commit.parents().next().map(|p| p.tree()).transpose()?;
        let mut options = DiffOptions::new();
        let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut options))?;
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().and_then(Path::to_str) else {
                continue;
            };
            let list = out.entry(path.to_string()).or_default();
            if list.len() < AUTHORS_PER_FILE && !list.iter().any(|e| e.eq_ignore_ascii_case(&email))
            {
                list.push(email.clone());
            }
        }
    }
    Ok(out)
}
