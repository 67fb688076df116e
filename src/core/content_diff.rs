//! The change behind a `changed-since-signoff` or `upstream-changed` finding, as plain values:
//! why it is shown (which sign-off it is measured from), and each changed file's hunks with
//! line numbers. `analysis::diff_basis` decides what to compare; `repo::content_diff` reads
//! both sides from git and the work tree.

use jiff::Timestamp;

/// Which sign-off a diff is measured from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "cause", rename_all = "kebab-case")]
pub enum DiffCause {
    /// The artifact changed since these roles approved this version of it.
    ChangedSinceSignoff {
        roles: Vec<String>,
        by: String,
        at: Timestamp,
    },
    /// An upstream artifact changed since `role` signed this artifact off.
    UpstreamChanged {
        upstream: String,
        role: String,
        by: String,
        at: Timestamp,
    },
}

impl DiffCause {
    /// The finding code it explains.
    pub fn code(&self) -> &'static str {
        match self {
            DiffCause::ChangedSinceSignoff { .. } => "changed-since-signoff",
            DiffCause::UpstreamChanged { .. } => "upstream-changed",
        }
    }

    /// One line saying what the diff is measured from.
    pub fn describe(&self, artifact: &str) -> String {
        match self {
            DiffCause::ChangedSinceSignoff { roles, by, at } => format!(
                "`{artifact}` since its approval by {by} ({}) on {}",
                roles.join(", "),
                at.strftime("%Y-%m-%d")
            ),
            DiffCause::UpstreamChanged {
                upstream,
                role,
                by,
                at,
            } => format!(
                "upstream `{upstream}` since {by} ({role}) signed `{artifact}` off on {}",
                at.strftime("%Y-%m-%d")
            ),
        }
    }
}

/// What to compare: the content of `artifact` (the finding's artifact, or its upstream) as
/// signed, against the work tree now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffBasis {
    pub cause: DiffCause,
    /// The artifact whose content changed.
    pub artifact: String,
    /// Its path, relative to the index's directory.
    pub path: String,
    /// The fingerprint signed (a git object id: a blob for a file, a tree for a directory).
    pub from: String,
    /// The fingerprint now.
    pub to: Option<String>,
    /// The commit that recorded the sign-off, when the ledger's history is known.
    pub recorded_in: Option<String>,
}

/// One line of a hunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Context,
    Added,
    Removed,
}

impl LineKind {
    /// The gutter mark, so that added and removed lines differ without colour.
    pub fn mark(self) -> char {
        match self {
            LineKind::Context => ' ',
            LineKind::Added => '+',
            LineKind::Removed => '-',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffLine {
    pub kind: LineKind,
    /// 1-based line in the signed version (`None` for an added line).
    pub old: Option<u32>,
    /// 1-based line in the current version (`None` for a removed line).
    pub new: Option<u32>,
    /// The line without its end.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hunk {
    /// `@@ -1,3 +1,4 @@`.
    pub header: String,
    pub lines: Vec<DiffLine>,
}

/// How a file differs between the two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Removed,
    Modified,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileDiff {
    /// Relative to the index's directory.
    pub path: String,
    pub status: FileStatus,
    /// Not text: no hunks, only that it changed.
    pub binary: bool,
    pub hunks: Vec<Hunk>,
}

impl FileDiff {
    /// Lines added and removed.
    pub fn counts(&self) -> (usize, usize) {
        let lines = self.hunks.iter().flat_map(|h| &h.lines);
        lines.fold((0, 0), |(a, r), l| match l.kind {
            LineKind::Added => (a + 1, r),
            LineKind::Removed => (a, r + 1),
            LineKind::Context => (a, r),
        })
    }
}

/// One cause's change: what it is measured from, and the files that differ.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffSection {
    #[serde(flatten)]
    pub cause: DiffCause,
    /// The artifact whose content changed.
    pub artifact: String,
    pub path: String,
    pub from: String,
    pub to: Option<String>,
    pub files: Vec<FileDiff>,
}

/// Everything `handoff diff ARTIFACT` shows: one section per cause.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArtifactDiff {
    pub artifact: String,
    pub sections: Vec<DiffSection>,
}
