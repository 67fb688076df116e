//! The workbench's state and its update function. `handle` is synchronous and does no I/O:
//! what must happen outside (quit, re-read the repository, commit) comes back as an `Effect`
//! for the event loop to carry out, so every interaction can be tested without a terminal.
//!
//! The update is spread over a few files, each an `impl App` of one concern: `derive` (the
//! visible rows and lists), `navigate` (cursors, scrolling, geometry) and `editing` (pickers,
//! forms, questions and the commit they end in).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Context};
use super::editing::Committing;
use super::filter::Filter;
use super::forms::Change;
use super::geometry::Geometry;
use super::keymap::{ConfigProblem, KeyChord, Keymap};
use super::overlay::{Modal, Overlay};
use super::theme::Theme;
use super::view_state::{AgendaState, FindingList, MatrixState};
use crate::core::analysis::Finding;
use crate::core::model::Severity;
use crate::engine::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Matrix,
    Gaps,
    Stale,
    /// Present mode's review agenda: one open finding at a time.
    Agenda,
    /// The index's scorecard, rule by rule.
    Scorecard,
}

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Matrix => "Matrix",
            View::Gaps => "Gaps",
            View::Stale => "Stale",
            View::Agenda => "Agenda",
            View::Scorecard => "Scorecard",
        }
    }
}

/// What the event loop must do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Read the index, the ledger and every fact again.
    Reload,
    /// Commit a change (an index edit or a sign-off) against the HEAD on screen.
    Commit(Box<Change>),
    /// Read what changed since the sign-offs behind this artifact's findings.
    Diff(String),
    /// Open the artifact: its file in the editor, or its address in the browser.
    OpenArtifact(super::external::OpenTarget),
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(String),
}

/// Options fixed at start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub present: bool,
    /// The git user's e-mail, for the mine filter.
    pub me: Option<String>,
    /// The repository's name for the header.
    pub title: String,
}

/// How far the background reading of facts has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loading {
    pub worktree_done: usize,
    pub history_done: usize,
    pub total: usize,
    pub finished: bool,
}

pub struct App {
    pub snap: Snapshot,
    pub options: Options,
    pub(crate) keymap: Keymap,
    pub theme: Theme,
    /// Keymap and theme problems, reported at start and kept on the help screen.
    pub(crate) problems: Vec<ConfigProblem>,
    pub loading: Loading,
    pub view: View,
    pub matrix: MatrixState,
    pub gaps: FindingList,
    pub stale: FindingList,
    pub agenda: AgendaState,
    /// The trend and what changed since the last review, read off the UI thread.
    pub recent: super::recent::RecentView,
    /// How far the Scorecard view is scrolled, in lines.
    pub scorecard_scroll: u16,
    /// The detail and the modal layer over the view.
    pub overlay: Overlay,
    pub(crate) filter: Filter,
    pub mine: bool,
    /// A transient message for the status line.
    pub status: Option<String>,
    /// A lasting warning (the index stopped parsing...), shown until it is resolved.
    pub(crate) banner: Option<String>,
    /// A change is being committed off the UI thread (hooks may take seconds).
    pub committing: Option<Committing>,
    /// The artifact a commit just changed: every view's selection stays on it through the
    /// refresh, until the user moves.
    pub(crate) follow: Option<String>,
    /// A fingerprint of `handoff.yaml` as last read, which forms remember as their base.
    pub index_fingerprint: String,
    /// The form changed (or closed) since its draft was last saved.
    pub draft_dirty: bool,
    /// The terminal's size.
    pub(super) size: (u16, u16),
    /// The screen, computed again only when what it depends on changes (see `relayout`).
    pub(crate) geometry: Geometry,
    /// Findings per severity over everything: errors, warnings, infos.
    pub(crate) counts: (usize, usize, usize),
    /// The widest fix line of the Gaps and Stale lists, in columns (see `Inputs::fix_width`).
    pub(crate) fix_width: usize,
    /// Bumped whenever the snapshot or the report changes (every derive): what is kept
    /// between frames is keyed by it.
    pub(crate) data_epoch: u64,
    /// The artifacts related by links to one artifact (its position), for the detail view,
    /// as of an epoch: finding them scans every artifact's links, too slow to do per frame.
    pub(crate) related: Option<(usize, u64, Vec<String>)>,
}

impl App {
    pub fn new(
        snap: Snapshot,
        options: Options,
        keymap: Keymap,
        theme: Theme,
        problems: Vec<ConfigProblem>,
    ) -> App {
        let status = match problems.len() {
            0 => None,
            1 => Some(format!("config: {}", problems[0])),
            n => Some(format!(
                "config: {} (and {} more: see help)",
                problems[0],
                n - 1
            )),
        };
        let present = options.present;
        let mut app = App {
            snap,
            options,
            keymap,
            theme,
            problems,
            loading: Loading::default(),
            view: if present { View::Agenda } else { View::Matrix },
            matrix: MatrixState::default(),
            gaps: FindingList::default(),
            stale: FindingList::default(),
            agenda: AgendaState::default(),
            recent: Default::default(),
            scorecard_scroll: 0,
            overlay: Overlay::default(),
            filter: Filter::default(),
            mine: false,
            status,
            banner: None,
            committing: None,
            follow: None,
            index_fingerprint: String::new(),
            draft_dirty: false,
            size: (80, 24),
            geometry: Geometry::default(),
            counts: (0, 0, 0),
            fix_width: 0,
            data_epoch: 0,
            related: None,
        };
        app.resize(80, 24);
        app.derive();
        app
    }

    /// The screen as last laid out.
    pub(crate) fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// The terminal's size.
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// The roles of the git user.
    pub fn my_roles(&self) -> Vec<String> {
        match &self.options.me {
            Some(me) => self
                .snap
                .index
                .roles_of(me)
                .into_iter()
                .map(|r| r.id.clone())
                .collect(),
            None => Vec::new(),
        }
    }

    /// The finding list of the current view.
    pub fn list(&self) -> Option<&FindingList> {
        match self.view {
            View::Gaps => Some(&self.gaps),
            View::Stale => Some(&self.stale),
            _ => None,
        }
    }

    pub(crate) fn list_mut(&mut self) -> Option<&mut FindingList> {
        match self.view {
            View::Gaps => Some(&mut self.gaps),
            View::Stale => Some(&mut self.stale),
            _ => None,
        }
    }

    /// The artifact under the cursor in the current view.
    pub fn selected_artifact(&self) -> Option<usize> {
        let finding_artifact = |i: usize| {
            let id = &self.snap.report.finding(i).artifact;
            self.snap.index.artifacts.iter().position(|a| &a.id == id)
        };
        let finding = |list: &FindingList| list.items.get(list.cursor.selected).copied();
        match self.view {
            View::Matrix => self.matrix.rows.get(self.matrix.cursor.selected).copied(),
            View::Gaps => finding(&self.gaps).and_then(finding_artifact),
            View::Stale => finding(&self.stale).and_then(finding_artifact),
            View::Agenda if self.recent.on_card => None,
            View::Agenda => self
                .agenda
                .items
                .get(self.agenda.at)
                .and_then(|&i| finding_artifact(i)),
            View::Scorecard => None,
        }
    }

    pub(crate) fn selected_artifact_id(&self) -> Option<&str> {
        self.selected_artifact()
            .map(|i| self.snap.index.artifacts[i].id.as_str())
    }

    /// Where keys are looked up now: the overlay's context, else the view's.
    pub fn context(&self) -> Context {
        self.overlay.context().unwrap_or(match self.view {
            View::Matrix => Context::Matrix,
            View::Gaps | View::Stale => Context::Findings,
            View::Agenda => Context::Agenda,
            View::Scorecard => Context::Scorecard,
        })
    }

    pub(crate) fn views(&self) -> &'static [View] {
        if self.options.present {
            &[
                View::Agenda,
                View::Matrix,
                View::Gaps,
                View::Stale,
                View::Scorecard,
            ]
        } else {
            &[View::Matrix, View::Gaps, View::Stale, View::Scorecard]
        }
    }

    /// A key press: looked up in the keymap; otherwise typed into the form or the filter
    /// being edited.
    pub fn key(&mut self, event: KeyEvent) -> Option<Effect> {
        let chord = KeyChord::from_event(&event);
        let action = self.keymap.action_for(self.context(), chord);
        if action.is_some() {
            return action.and_then(|a| self.handle(a));
        }
        // Ctrl-U clears the line, as in a shell (the text area would undo).
        let clear_line = chord.code == KeyCode::Char('u') && chord.mods == KeyModifiers::CONTROL;
        if let Some(Modal::Form(form)) = &mut self.overlay.modal {
            let text = &mut form.focused().text;
            // An arrow over a selected (prefilled) value keeps the value to edit it.
            let arrow = matches!(
                chord.code,
                KeyCode::Left | KeyCode::Right | KeyCode::Home | KeyCode::End
            ) && !chord.mods.contains(KeyModifiers::SHIFT);
            if arrow && text.is_selecting() {
                text.cancel_selection();
            }
            let changed = if clear_line {
                text.move_cursor(ratatui_textarea::CursorMove::End);
                text.delete_line_by_head()
            } else {
                text.input(event)
            };
            if changed {
                form.validate(&self.snap.index);
                self.draft_dirty = true;
            }
            return None;
        }
        // Typed into the filter line, which the list follows as it is typed.
        let Some(Modal::Filter { text, .. }) = &mut self.overlay.modal else {
            return None;
        };
        let mods = chord.mods;
        match chord.code {
            KeyCode::Char(c) if !mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                text.push(c)
            }
            KeyCode::Backspace => {
                text.pop();
            }
            _ if clear_line => text.clear(),
            _ => return None,
        }
        self.filter = Filter::parse(text);
        self.derive();
        None
    }

    /// Carries out an action.
    pub fn handle(&mut self, action: Action) -> Option<Effect> {
        self.status = None;
        self.stop_following();
        self.relayout();
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Refresh => return Some(Effect::Reload),
            Action::Choose => return self.choose(),
            Action::Submit => return self.submit(),
            Action::Yes => return self.confirmed(),
            Action::Diff => return self.open_diff(),
            Action::OpenArtifact => return self.open_artifact(),
            Action::CopyFix => return self.copy_fix(),
            Action::Help
            | Action::Filter
            | Action::Apply
            | Action::Cancel
            | Action::Close
            | Action::Open => self.layer(action),
            Action::NextView | Action::PrevView => {
                let views = self.views();
                let at = views.iter().position(|v| *v == self.view).unwrap_or(0);
                let n = views.len();
                let next = if action == Action::NextView {
                    (at + 1) % n
                } else {
                    (at + n - 1) % n
                };
                self.view = views[next];
                self.overlay.detail = None;
            }
            Action::ToggleMine => self.toggle_mine(),
            Action::ClearFilter => {
                self.filter = Filter::default();
                self.mine = false;
                self.derive();
                self.status = Some(self.filter_summary());
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => self.move_by(action),
            Action::Left => self.matrix.col = self.matrix.col.saturating_sub(1),
            Action::Right => {
                let last = self.snap.index.roles.len().saturating_sub(1);
                self.matrix.col = (self.matrix.col + 1).min(last)
            }
            Action::NextFinding | Action::PrevFinding => {
                self.jump_to_finding(action == Action::NextFinding)
            }
            Action::NextArtifact | Action::PrevArtifact => {
                self.step_selection(action == Action::NextArtifact);
                self.overlay.detail = Some(0);
            }
            Action::Edit
            | Action::Sign
            | Action::AcceptMine
            | Action::AddArtifact
            | Action::RemoveArtifact
            | Action::Roles => self.start_editing(action),
            Action::NextField
            | Action::PrevField
            | Action::No
            | Action::ReloadFile
            | Action::KeepForm => self.answer(action),
            Action::Next | Action::Previous => self.agenda_step(action == Action::Next),
        }
        self.scroll_into_view();
        None
    }

    /// Opens or closes a layer of the overlay: help, the filter line, the detail.
    fn layer(&mut self, action: Action) {
        let modal = self.overlay.modal.take();
        self.overlay.modal = match (action, modal) {
            (Action::Help, None) => Some(Modal::Help { scroll: 0 }),
            (Action::Help, Some(Modal::Filter { text, previous, .. })) => Some(Modal::Filter {
                text,
                previous,
                help: Some(0),
            }),
            (Action::Filter, None) => Some(self.typing_filter(None)),
            (Action::Filter, Some(Modal::Help { scroll })) => {
                Some(self.typing_filter(Some(scroll)))
            }
            (Action::Apply, Some(Modal::Filter { text, help, .. })) => {
                self.filter = Filter::parse(&text);
                self.derive();
                self.status = Some(self.filter_summary());
                help.map(|scroll| Modal::Help { scroll })
            }
            // Closing the filter line drops what was typed, as cancelling does.
            (Action::Cancel | Action::Close, Some(Modal::Filter { previous, help, .. })) => {
                self.filter = previous;
                self.derive();
                help.map(|scroll| Modal::Help { scroll })
            }
            // A form goes with the conflict question over it: the question is about the form.
            (Action::Close, Some(Modal::Form(_) | Modal::Conflict(_))) => {
                self.draft_dirty = true;
                None
            }
            (Action::Close, Some(Modal::Confirm(_))) => {
                self.status = Some("nothing changed".into());
                None
            }
            (Action::Close, Some(Modal::Picker(_) | Modal::Help { .. } | Modal::Diff(_))) => None,
            (Action::Close, None) => {
                self.overlay.detail = None;
                None
            }
            (Action::Open, None) => {
                if self.selected_artifact().is_some() {
                    self.overlay.detail = Some(0);
                }
                None
            }
            // Anything else leaves the layer as it is.
            (_, modal) => modal,
        };
    }

    fn typing_filter(&self, help: Option<u16>) -> Modal {
        Modal::Filter {
            text: self.filter.text.clone(),
            previous: self.filter.clone(),
            help,
        }
    }

    fn toggle_mine(&mut self) {
        if self.options.me.is_none() {
            self.status = Some(
                "mine: git has no user.email here, so handoff cannot tell which roles are yours"
                    .into(),
            );
        } else if self.my_roles().is_empty() {
            self.status = Some(format!(
                "mine: {} is in no role of this handoff",
                self.options.me.as_deref().unwrap_or_default()
            ));
        } else {
            self.mine = !self.mine;
            self.derive();
            self.status = Some(self.filter_summary());
        }
    }

    fn agenda_step(&mut self, forward: bool) {
        if self.since_card_step(forward) {
            return;
        }
        let n = self.agenda.items.len();
        if n == 0 {
            return;
        }
        self.agenda.at = if forward {
            (self.agenda.at + 1).min(n - 1)
        } else {
            self.agenda.at.saturating_sub(1)
        };
        if self.agenda.at + 1 == n && forward {
            self.status = Some("end of the agenda".into());
        }
    }

    /// "12 of 21 artifacts · filter: role:pm · mine".
    pub(crate) fn filter_summary(&self) -> String {
        let mut parts = vec![format!(
            "{} of {} artifacts",
            self.matrix.rows.len(),
            self.snap.index.artifacts.len()
        )];
        if !self.filter.is_empty() {
            parts.push(format!("filter: {}", self.filter.text));
        }
        if self.mine {
            parts.push(format!("mine ({})", self.my_roles().join(", ")));
        }
        parts.join(" · ")
    }

    pub fn worst(&self, artifact: usize) -> Option<&Finding> {
        self.snap
            .report
            .findings_of(&self.snap.index.artifacts[artifact].id)
            .iter()
            .max_by_key(|f| (f.severity, std::cmp::Reverse(f.code)))
    }

    pub(crate) fn severity_count(&self, s: Severity) -> usize {
        match s {
            Severity::Error => self.counts.0,
            Severity::Warning => self.counts.1,
            Severity::Info => self.counts.2,
        }
    }
}
