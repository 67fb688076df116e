//! When each line of `handoff.yaml` was written: `git blame` of its working copy, which dates
//! when the index began to ask a role for a sign-off (see
//! [`crate::core::model::IndexLines`]).

use git2::{BlameOptions, ErrorCode, Oid, Repository};
use jiff::Timestamp;

use super::FactsError;
use crate::core::model::IndexLines;
use crate::repo::workspace::{INDEX_FILE, Workspace};

/// The lines of the working copy of `handoff.yaml` as of HEAD's history (lines not committed
/// have no time); `text` is the working copy.
pub(crate) fn index_lines(
    repo: &Repository,
    workspace: &Workspace,
    text: &[u8],
) -> Result<IndexLines, FactsError> {
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return Ok(uncommitted(text));
    };
    blame(repo, workspace, head, Some(text))
}

/// The lines of `handoff.yaml` as committed in `commit`.
pub(crate) fn index_lines_at(
    repo: &Repository,
    workspace: &Workspace,
    commit: Oid,
) -> Result<IndexLines, FactsError> {
    blame(repo, workspace, commit, None)
}

fn blame(
    repo: &Repository,
    workspace: &Workspace,
    newest: Oid,
    working_copy: Option<&[u8]>,
) -> Result<IndexLines, FactsError> {
    let path = format!("{}{INDEX_FILE}", workspace.prefix);
    let context = || format!("dating the lines of {path} (git blame)");
    let mut options = BlameOptions::new();
    options.newest_commit(newest);
    let committed = match repo.blame_file(std::path::Path::new(&path), Some(&mut options)) {
        Ok(blame) => blame,
        // Never committed: no line has a time yet.
        Err(e) if e.code() == ErrorCode::NotFound => {
            return Ok(working_copy.map(uncommitted).unwrap_or_default());
        }
        Err(e) => return Err(FactsError::git(context())(e)),
    };
    let blame = match working_copy {
        Some(text) => committed
            .blame_buffer(text)
            .map_err(FactsError::git(context()))?,
        None => committed,
    };
    let lines = match working_copy {
        Some(text) => line_count(text),
        None => blame.iter().map(|h| h.lines_in_hunk()).sum(),
    };
    let written = (1..=lines)
        .map(|line| {
            let hunk = blame.get_line(line)?;
            if hunk.final_commit_id().is_zero() {
                return None;
            }
            Timestamp::from_second(hunk.final_signature()?.when().seconds()).ok()
        })
        .collect();
    Ok(IndexLines { written })
}

fn line_count(text: &[u8]) -> usize {
    let newlines = text.iter().filter(|&&b| b == b'\n').count();
    newlines + usize::from(!text.is_empty() && !text.ends_with(b"\n"))
}

fn uncommitted(text: &[u8]) -> IndexLines {
    IndexLines {
        written: vec![None; line_count(text)],
    }
}
