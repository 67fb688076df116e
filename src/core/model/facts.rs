//! What git and the work tree say about each artifact, as plain values. The `facts` module
//! computes these; `analysis` reads them. Nothing here knows how they were obtained.

use std::collections::HashMap;

use jiff::Timestamp;

/// The commit that last changed a path, as `git log -1 -- <path>` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastChange {
    /// Full hex object id.
    pub commit: String,
    /// Author time.
    pub time: Timestamp,
    pub author_name: String,
    pub author_email: String,
    /// The first line of the commit message.
    pub summary: String,
}

/// Where the history walk stands for one path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum History {
    /// Still being computed.
    #[default]
    Pending,
    /// Resolved.
    Changed(LastChange),
    /// No commit reachable from HEAD touches the path (new, untracked, or unborn branch).
    NeverCommitted,
    /// The history is shallow and the change lies beyond its boundary.
    BeyondShallowBoundary,
}

impl History {
    pub fn last_change(&self) -> Option<&LastChange> {
        match self {
            History::Changed(c) => Some(c),
            _ => None,
        }
    }
}

/// A text document belonging to an artifact: the file itself, a directory's README.md, or
/// each file a glob matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Path relative to the index's directory, `/`-separated.
    pub path: String,
    /// The text, or `None` when the file is not UTF-8, too large, or unreadable.
    pub text: Option<String>,
}

/// Facts about one artifact. External (URL) artifacts have only defaults here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArtifactFacts {
    pub exists: bool,
    /// Whether the path is a directory (for globs: false).
    pub is_dir: bool,
    /// Git's object id of the working copy (blob for a file, tree for a directory, a stable
    /// hash over the matches for a glob). For a clean path it equals `git rev-parse HEAD:<path>`.
    pub fingerprint: Option<String>,
    pub history: History,
    /// The working copy differs from HEAD (modified, added, deleted or untracked).
    pub uncommitted: bool,
    /// For globs: the matching paths, sorted.
    pub matches: Vec<String>,
    /// Documents to scan for required sections and to preview.
    pub documents: Vec<Document>,
    /// A problem reading the path (too large, a FIFO, outside the repository...).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeadInfo {
    /// The branch HEAD points to (`None` when detached).
    pub branch: Option<String>,
    /// HEAD's commit (`None` on an unborn branch).
    pub commit: Option<String>,
    pub detached: bool,
    pub shallow: bool,
}

/// Everything read from git and the work tree, keyed by artifact id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    pub head: HeadInfo,
    pub artifacts: HashMap<String, ArtifactFacts>,
    /// What the ledger files' git history says about their records.
    pub ledger_history: super::LedgerHistory,
}

impl Facts {
    pub fn of(&self, artifact_id: &str) -> Option<&ArtifactFacts> {
        self.artifacts.get(artifact_id)
    }

    /// The current fingerprint of an artifact, if known.
    pub fn fingerprint(&self, artifact_id: &str) -> Option<&str> {
        self.of(artifact_id).and_then(|f| f.fingerprint.as_deref())
    }
}
