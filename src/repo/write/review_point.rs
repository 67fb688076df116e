//! Recording a review point: one record appended to `.handoff/reviews.yaml` and committed
//! alone, through the same path as a sign-off (see [`super::change`]).

use git2::Oid;
use jiff::Timestamp;

use super::change::{self, CommitOptions, FileChange, WriteError};
use super::commit::Who;
use crate::core::model::review_points::{REVIEWS_FILE, ReviewPoint, appended};
use crate::repo::facts;
use crate::repo::workspace::{MAX_LEDGER_BYTES, Workspace};

/// A review point that was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub commit: Oid,
    /// The commit's summary line.
    pub summary: String,
    pub point: ReviewPoint,
    /// The reviews file, relative to the workspace.
    pub file: String,
    /// The commit was made but the git index could not be updated: what to run.
    pub index_not_updated: Option<String>,
    /// What was finished or undone of a killed handoff's change before this one.
    pub recovered: Vec<super::journal::Recovered>,
}

/// Records and commits that a review happened at `now`, as the repository's git identity.
pub fn record_review(
    ws: &Workspace,
    attendees: &[String],
    note: Option<&str>,
    now: Timestamp,
    options: &CommitOptions,
) -> Result<Recorded, WriteError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    let (lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let who = Who::of(&repo)?;
    let path = ws.dir.join(REVIEWS_FILE);
    let repo_path = ws.repo_path(REVIEWS_FILE);
    let fenced = |reason| WriteError::Fenced {
        path: repo_path.clone(),
        reason,
    };
    crate::repo::fence::check_writable(&ws.repo_root, &path).map_err(fenced)?;
    let current = match crate::repo::fence::read_inside(&ws.repo_root, &path, MAX_LEDGER_BYTES) {
        Ok(bytes) => Some(bytes),
        Err(crate::repo::fence::Refused::Missing) => None,
        Err(reason) => return Err(fenced(reason)),
    };
    change::require_clean(&repo, &repo_path)?;
    let point = ReviewPoint {
        at: now,
        by: who.email(),
        attendees: attendees.to_vec(),
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from),
        pos: Default::default(),
    };
    let new = appended(current.as_deref(), &point);
    let message = review_message(&who.name(), &point);
    let file_change = FileChange {
        path: &path,
        repo_path: &repo_path,
        old: current.as_deref(),
        new: &new,
    };
    let committed = change::write_and_commit(&repo, &lock, &file_change, &message, &who, options)?;
    Ok(Recorded {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        point,
        file: REVIEWS_FILE.to_string(),
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// The message of a review point's commit: a summary line, the note, who was there, a
/// trailer a script greps.
pub(crate) fn review_message(person: &str, point: &ReviewPoint) -> String {
    let person = crate::core::text::sanitize(person);
    let mut message = format!("handoff: {person} records a review\n");
    if let Some(note) = &point.note {
        let lines: Vec<String> = note.lines().map(crate::core::text::sanitize).collect();
        message.push_str(&format!("\n{}\n", lines.join("\n")));
    }
    if !point.attendees.is_empty() {
        let attendees: Vec<String> = point
            .attendees
            .iter()
            .map(|a| crate::core::text::sanitize(a))
            .collect();
        message.push_str(&format!("\nAttendees: {}\n", attendees.join(", ")));
    }
    message.push_str(&format!("\nHandoff-Review: {}\n", point.at));
    message
}
