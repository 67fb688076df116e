//! The keys that reach outside the workbench: the diff behind a stale sign-off (read off the
//! UI thread), opening the artifact in an editor or a browser, and copying a fix command to
//! the terminal's clipboard. The app decides what is asked; the event loop does it.

use super::app::{App, Effect, View};
use super::diff_view::{DiffState, DiffView};
use super::overlay::Modal;
use crate::core::analysis::Finding;
use crate::core::content_diff::ArtifactDiff;
use crate::core::model::{FindingCode, Target};

/// What `o` opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenTarget {
    /// A path relative to the index's directory, for `$VISUAL` / `$EDITOR`.
    File(String),
    /// An external artifact's address, for the browser.
    Url(String),
}

impl App {
    /// `d`: the diff view of the selected artifact, when a finding has a change to show.
    pub(crate) fn open_diff(&mut self) -> Option<Effect> {
        let id = self.selected_artifact_id()?.to_string();
        let explained = self.snap.report.findings_of(&id).iter().any(|f| {
            matches!(
                f.code,
                FindingCode::ChangedSinceSignoff | FindingCode::UpstreamChanged
            )
        });
        if !explained {
            self.status = Some(format!(
                "diff: `{id}` has no changed-since-signoff or upstream-changed finding to explain"
            ));
            return None;
        }
        self.overlay.modal = Some(Modal::Diff(Box::new(DiffView::reading(&id))));
        Some(Effect::Diff(id))
    }

    /// The diff read for `artifact`, if its view is still open.
    pub fn diff_read(&mut self, artifact: &str, result: Result<ArtifactDiff, String>) {
        if let Some(Modal::Diff(view)) = &mut self.overlay.modal
            && view.artifact == artifact
        {
            view.state = match result {
                Ok(diff) => DiffState::Ready(diff),
                Err(why) => DiffState::Failed(why),
            };
            view.scroll = 0;
        }
    }

    /// `o`: the selected artifact's file or address.
    pub(crate) fn open_artifact(&mut self) -> Option<Effect> {
        let artifact = &self.snap.index.artifacts[self.selected_artifact()?];
        match &artifact.target {
            Target::Path(path) => Some(Effect::OpenArtifact(OpenTarget::File(path.clone()))),
            Target::Url(url) => Some(Effect::OpenArtifact(OpenTarget::Url(url.clone()))),
            Target::Glob(glob) => {
                self.status = Some(format!(
                    "open: `{}` is a glob ({glob}): open one of its files from your editor",
                    artifact.id
                ));
                None
            }
        }
    }

    /// `y`: the selected finding's fix command, for the terminal's clipboard.
    pub(crate) fn copy_fix(&mut self) -> Option<Effect> {
        let Some(finding) = self.selected_finding() else {
            self.status = Some("copy: no finding is selected".into());
            return None;
        };
        let Some(action) = &finding.action else {
            self.status = Some(format!(
                "copy: no command fixes this; {}",
                finding.fix.trim_end_matches('.')
            ));
            return None;
        };
        let command = shell_words(&action.argv);
        self.status = Some(format!(
            "sent `{command}` to the clipboard (OSC 52; a terminal may refuse it)"
        ));
        Some(Effect::Copy(command))
    }

    /// The finding under the cursor: the list's or the agenda's; in the matrix, the one the
    /// role column under the cursor must act on, else the artifact's worst with a command.
    pub(crate) fn selected_finding(&self) -> Option<&Finding> {
        let report = &self.snap.report;
        match self.view {
            View::Gaps | View::Stale => {
                let list = self.list()?;
                list.items
                    .get(list.cursor.selected)
                    .map(|&i| report.finding(i))
            }
            // The "since last review" card is about no one finding.
            View::Agenda if self.recent.on_card => None,
            View::Agenda => self
                .agenda
                .items
                .get(self.agenda.at)
                .map(|&i| report.finding(i)),
            View::Matrix => {
                let id = self.selected_artifact_id()?;
                let own = self.snap.report.findings_of(id);
                let role = self.snap.index.roles.get(self.matrix.col).map(|r| &r.id);
                own.iter()
                    .filter(|f| f.action.is_some())
                    .find(|f| role.is_some_and(|r| f.roles.contains(r)))
                    .or_else(|| {
                        own.iter()
                            .filter(|f| f.action.is_some())
                            .max_by_key(|f| f.severity)
                    })
                    .or_else(|| own.iter().max_by_key(|f| f.severity))
            }
            // Scorecard rules are the handoff's, not an artifact's: no finding is under the cursor.
            View::Scorecard => None,
        }
    }
}

/// A command line as a POSIX shell reads it back: words with anything but safe characters
/// single-quoted.
pub(crate) fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            let safe = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c));
            if safe {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub(crate) fn osc52(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64() {
        assert_eq!(osc52("handoff"), "\x1b]52;c;aGFuZG9mZg==\x07");
        assert_eq!(osc52("ab"), "\x1b]52;c;YWI=\x07");
        assert_eq!(osc52("abc"), "\x1b]52;c;YWJj\x07");
    }

    #[test]
    fn words_are_quoted_only_where_a_shell_needs_it() {
        let argv: Vec<String> = ["handoff", "sign", "prd", "--note", "It's fine."]
            .map(String::from)
            .into();
        assert_eq!(
            shell_words(&argv),
            r"handoff sign prd --note 'It'\''s fine.'"
        );
    }
}
