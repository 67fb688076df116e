//! What git and the work tree say about each artifact, as plain values. The `facts` module
//! computes these; `analysis` reads them. Nothing here knows how they were obtained.

use std::collections::HashMap;

use jiff::Timestamp;

use super::Pos;

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

/// The last commit that changed an artifact's content, which the age rules read. Unlike
/// [`History`] (exactly `git log -1 -- <path>`), it follows the file back through pure renames
/// (the same blob at another path) and passes over mechanical commits (listed in git's
/// `blame.ignoreRevsFile`, or touching more files than the index's `mechanical_commit_files`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentChange {
    pub change: LastChange,
    /// Where the content lived at that commit (relative to the index's directory), when it has
    /// been renamed since.
    pub path: Option<String>,
}

/// Where a missing artifact's content went: the same blob at another path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The path it is at now, relative to the index's directory.
    pub path: String,
    /// The commit that renamed it there; `None` when the rename is in the work tree, not yet
    /// committed.
    pub commit: Option<String>,
}

/// What the index says about content changes, which the history walk needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContentRules {
    /// A commit touching more than this many files is mechanical (off when `None`).
    pub mechanical_files: Option<u32>,
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
    /// The last change of content (`None` until known, or where there is none).
    pub content: Option<ContentChange>,
    /// Where a missing file's content went, if it was renamed.
    pub moved: Option<Moved>,
    /// The working copy differs from HEAD (modified, added, deleted or untracked).
    pub uncommitted: bool,
    /// For globs: the matching paths, sorted.
    pub matches: Vec<String>,
    /// Documents to scan for required sections and to preview.
    pub documents: Vec<Document>,
    /// Relative links from its Markdown documents to files of the repository.
    pub links: Vec<DocumentLink>,
    /// A problem reading the path (too large, a FIFO, outside the repository...).
    pub problem: Option<String>,
    /// What git and the work tree say about the paths it governs (`None` until read, or when
    /// it governs nothing).
    pub governed: Option<GovernedFacts>,
    /// How its documents meet its kind's schema (`None` when the kind names none).
    pub contract: Option<ContractFacts>,
}

/// What checking an artifact's documents against its kind's JSON Schema found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContractFacts {
    /// Each place a document fails the schema, and each reason it could not be checked.
    pub issues: Vec<ContractIssue>,
    /// The text the artifact had at each approved fingerprint asked for (`None` when git has
    /// no such blob, or it is not UTF-8 text of a readable size).
    pub approved: std::collections::BTreeMap<String, Option<String>>,
}

/// One failure of a contract, located where a reader fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractIssue {
    /// The file (relative to the index's directory) and position of the failing value;
    /// `None` for a problem with the schema itself that no file position shows (the schema
    /// file is missing): then the kind's `schema:` in the index is the place.
    pub at: Option<(String, Pos)>,
    pub message: String,
}

/// The paths an artifact governs: what each glob matches now, and the commits that changed
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GovernedFacts {
    /// Each `governs` entry as written, with how many files in the work tree it matches.
    pub globs: Vec<(String, usize)>,
    /// The commits that changed a governed path (added, modified, deleted or renamed a
    /// matching file), newest first; merges are left out, their changes are counted on the
    /// branches. `None` until history is read.
    pub changes: Option<Vec<LastChange>>,
    /// The walk stopped at its bound: older changes exist but are not listed.
    pub truncated: bool,
}

/// A relative link in one of an artifact's documents, and whether it leads to something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// The document, relative to the index's directory.
    pub document: String,
    /// 1-based line of the link.
    pub line: u32,
    /// The destination as written.
    pub written: String,
    /// The destination, relative to the index's directory.
    pub target: String,
    /// Whether a file or directory is there in the work tree.
    pub exists: bool,
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
    /// What the scorecard's rules read besides the artifacts (`None` until read).
    pub scorecard: Option<ScorecardFacts>,
    /// History-side facts (last change, content, governed paths) of artifacts whose
    /// work-tree facts have not arrived yet: streamed pieces come from threads in any order,
    /// and an artifact without work-tree facts is still pending. Moved into `artifacts` when
    /// they arrive; empty once every piece is in.
    pub arrived_early: HashMap<String, ArtifactFacts>,
    /// When each line of `handoff.yaml` was last written (`None` until read, and unread when
    /// no kind sets `signoff_within`): when the line naming a role that must sign was written
    /// is when that role began to owe the sign-off.
    pub index_lines: Option<IndexLines>,
}

/// The author time of the commit that last changed each line of `handoff.yaml`, as
/// `git blame` of the working copy names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexLines {
    /// By line, from line 1; `None` for a line not committed yet.
    pub written: Vec<Option<Timestamp>>,
}

impl IndexLines {
    /// Since when every one of `lines` (1-based) has been written as it is: the newest of
    /// their times, or `None` when one is not committed or not known.
    pub fn written_since(&self, lines: impl IntoIterator<Item = usize>) -> Option<Timestamp> {
        let mut newest: Option<Timestamp> = None;
        for line in lines {
            let time = (*self.written.get(line.checked_sub(1)?)?)?;
            newest = Some(newest.map_or(time, |n| n.max(time)));
        }
        newest
    }
}

/// What the scorecard's `in-ci` rules read: the CI configuration and the paths they name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScorecardFacts {
    /// The CI configuration files (`.github/workflows/*.yml`, `.gitlab-ci.yml`, `.ci/*`),
    /// repository-relative, with their text (`None` when not UTF-8 or unreadable).
    pub ci_files: Vec<Document>,
    /// The index's directory relative to the repository root (`""` at the root, else ending
    /// in `/`): CI configuration names paths from the root.
    pub prefix: String,
    /// Whether each path an `in-ci` rule names exists in the work tree.
    pub paths: std::collections::BTreeMap<String, bool>,
}

impl ArtifactFacts {
    /// The change the age rules count from: the last change of content when known, else the
    /// last change.
    pub fn content_change(&self) -> Option<&LastChange> {
        self.content
            .as_ref()
            .map(|c| &c.change)
            .or_else(|| self.history.last_change())
    }
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
