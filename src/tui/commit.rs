//! Committing a change off the UI thread: the repository's hooks may take seconds, and the
//! workbench keeps drawing and moving meanwhile. A [`Job`] holds everything the commit needs
//! (nothing of the app), and its [`Outcome`] comes back as plain text for the event loop to
//! apply (see `Runtime::finish_commit`).

use super::forms::Change;
use crate::engine::Workspace;
use crate::repo::write::own_writes::OwnWrites;
use crate::repo::write::{
    self, BaseHead, CommitError, CommitOptions, IndexEditError, SignError, WriteError,
};

/// One change to commit against the HEAD on screen.
pub(crate) struct Job {
    pub ws: Workspace,
    pub change: Change,
    /// The HEAD commit the screen was computed from, in hex.
    pub seen_head: Option<String>,
    pub now: jiff::Timestamp,
    pub own_writes: OwnWrites,
}

/// How a commit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It landed: the short commit id, its summary and anything worth knowing.
    Landed(String),
    /// HEAD is not where the screen says: refresh and ask again.
    HeadMoved,
    /// Refused or failed, with the reason.
    Refused(String),
}

impl Job {
    /// Commits the change (hooks included) and says how it went. Blocking.
    pub fn run(self) -> Outcome {
        let options = CommitOptions {
            base: BaseHead::seen_hex(self.seen_head.as_deref()),
            run_hooks: true,
            own_writes: Some(self.own_writes),
        };
        let moved = |w: &WriteError| {
            w.commit_error()
                .is_some_and(|c| matches!(c, CommitError::HeadMoved { .. }))
        };
        let landed = |commit: String, summary: String, note: String| {
            let short: String = commit.chars().take(8).collect();
            Outcome::Landed(format!("{short} {summary}{note}"))
        };
        match &self.change {
            Change::Edit(edit) => match write::apply_edit(&self.ws, edit, &options) {
                Ok(o) => landed(
                    o.commit.to_string(),
                    o.summary,
                    landed_note("", o.index_not_updated, &o.recovered),
                ),
                Err(IndexEditError::Write(w)) if moved(&w) => Outcome::HeadMoved,
                Err(e) => Outcome::Refused(e.to_string()),
            },
            Change::Sign(request) => match write::sign(&self.ws, request, self.now, &options) {
                Ok(o) => {
                    let signed = if o.signed_uncommitted {
                        " (signed the working copy: it has uncommitted changes)"
                    } else {
                        ""
                    };
                    landed(
                        o.commit.to_string(),
                        o.summary,
                        landed_note(signed, o.index_not_updated, &o.recovered),
                    )
                }
                Err(SignError::Write(w)) if moved(&w) => Outcome::HeadMoved,
                Err(e) => Outcome::Refused(e.to_string()),
            },
            Change::SignAll(requests) => {
                match write::sign_all(&self.ws, requests, self.now, &options) {
                    Ok(o) => landed(
                        o.commit.to_string(),
                        o.summary,
                        landed_note("", o.index_not_updated, &o.recovered),
                    ),
                    Err(SignError::Write(w)) if moved(&w) => Outcome::HeadMoved,
                    Err(e) => Outcome::Refused(e.to_string()),
                }
            }
        }
    }

    /// Runs the commit on a thread of its own and hands the outcome to `done`.
    pub fn spawn(self, done: impl FnOnce(Outcome) + Send + 'static) {
        std::thread::Builder::new()
            .name("handoff-commit".into())
            .spawn(move || done(self.run()))
            .expect("a thread for the commit");
    }
}

/// What the status line adds to "committed …": what was signed, a git index that could not
/// be updated, a killed handoff's change finished or undone first.
fn landed_note(
    signed: &str,
    index_not_updated: Option<String>,
    recovered: &[write::journal::Recovered],
) -> String {
    let mut note = signed.to_string();
    for extra in index_not_updated
        .into_iter()
        .chain(recovered.iter().map(ToString::to_string))
    {
        note.push_str(" · ");
        note.push_str(&extra);
    }
    note
}
