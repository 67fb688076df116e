//! The workbench's diff view: what changed since the sign-off behind an artifact's
//! `changed-since-signoff` or `upstream-changed` finding, read off the UI thread, shown with
//! line numbers and a `+`/`-` gutter (so added and removed lines differ without colour),
//! scrolled a line or a page at a time.

use crate::core::content_diff::{ArtifactDiff, DiffLine, FileDiff, FileStatus};

/// The diff of one artifact, as far as it has been read.
pub struct DiffView {
    pub artifact: String,
    pub state: DiffState,
    /// The first row shown.
    pub scroll: usize,
}

pub enum DiffState {
    /// Being read off the UI thread.
    Reading,
    Ready(ArtifactDiff),
    /// Why there is nothing to show.
    Failed(String),
}

/// One row of the view.
pub enum Row<'d> {
    /// A section's cause: which sign-off it is measured from.
    Heading(String),
    /// A file's `--- a/x` / `+++ b/x` line.
    File(&'d FileDiff),
    Hunk(&'d str),
    Line(&'d DiffLine),
    /// A sentence (reading, an error, a binary file).
    Note(String),
    Blank,
}

impl DiffView {
    pub fn reading(artifact: &str) -> DiffView {
        DiffView {
            artifact: artifact.to_string(),
            state: DiffState::Reading,
            scroll: 0,
        }
    }

    /// Every row, top to bottom.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let diff = match &self.state {
            DiffState::Reading => return vec![Row::Note("… reading the signed version".into())],
            DiffState::Failed(why) => return vec![Row::Note(why.clone())],
            DiffState::Ready(diff) => diff,
        };
        let mut rows = Vec::new();
        for (n, section) in diff.sections.iter().enumerate() {
            if n > 0 {
                rows.push(Row::Blank);
            }
            // Two rows, so that each fits at 80 columns: the code and the versions, then
            // which sign-off it is measured from.
            let versions =
                |fp: Option<&str>| fp.map_or("none".to_string(), |f| f.chars().take(8).collect());
            rows.push(Row::Heading(format!(
                "{} · {} → {}",
                section.cause.code(),
                versions(Some(&section.from)),
                versions(section.to.as_deref())
            )));
            rows.push(Row::Note(section.cause.describe(&diff.artifact)));
            if section.files.is_empty() {
                rows.push(Row::Note("no file differs in content".into()));
            }
            for file in &section.files {
                rows.push(Row::File(file));
                if file.binary {
                    rows.push(Row::Note(format!("{} is binary: it changed", file.path)));
                }
                for hunk in &file.hunks {
                    rows.push(Row::Hunk(&hunk.header));
                    rows.extend(hunk.lines.iter().map(Row::Line));
                }
            }
        }
        rows
    }

    /// Scrolls by `step` rows, keeping a page of rows on screen.
    pub(crate) fn scroll_by(&mut self, step: i64, page: usize) {
        let last = self.rows().len().saturating_sub(page.max(1)) as i64;
        self.scroll = (self.scroll as i64 + step).clamp(0, last.max(0)) as usize;
    }
}

/// How a file's header line reads: `--- a/x → +++ b/x`, `added x`, `removed x`.
pub(crate) fn file_title(file: &FileDiff) -> String {
    let (a, r) = file.counts();
    let what = match file.status {
        FileStatus::Added => "added",
        FileStatus::Removed => "removed",
        FileStatus::Modified => "changed",
    };
    format!("{} ({what}, +{a} -{r})", file.path)
}
