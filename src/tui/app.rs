//! The workbench's state and its update function. `handle` is synchronous and does no I/O:
//! what must happen outside (quit, re-read the repository) comes back as an `Effect` for the
//! event loop to carry out, so every interaction can be tested without a terminal.

use ratatui::crossterm::event::KeyEvent;

use super::action::{Action, Context};
use super::filter::{Filter, is_mine};
use super::forms::{self, Change, Confirm, Form, FormKind, Picker, Then};
use super::keymap::{ConfigProblem, KeyChord, Keymap};
use super::layout::{self, Body};
use super::theme::Theme;
use crate::core::analysis::Finding;
use crate::core::model::{FindingCode, History, Severity, finding::Category};
use crate::engine::FactsPiece;
use crate::engine::Snapshot;
use crate::repo::write::index_text::{IndexEdit, ListChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Matrix,
    Gaps,
    Stale,
    /// Present mode's review agenda: one open finding at a time.
    Agenda,
}

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Matrix => "Matrix",
            View::Gaps => "Gaps",
            View::Stale => "Stale",
            View::Agenda => "Agenda",
        }
    }
}

/// A selection and the first visible line of a scrolled list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

/// What the event loop must do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Read the index, the ledger and every fact again.
    Reload,
    /// Commit a change (an index edit or a sign-off) against the HEAD on screen.
    Commit(Box<Change>),
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
    pub keymap: Keymap,
    pub theme: Theme,
    /// Keymap and theme problems, reported at start and kept on the help screen.
    pub problems: Vec<ConfigProblem>,
    pub loading: Loading,
    pub view: View,
    /// The matrix: `selected` is the row, `col` the role column under the cursor.
    pub matrix: Cursor,
    pub col: usize,
    pub col_offset: usize,
    pub gaps: Cursor,
    pub stale: Cursor,
    pub agenda: usize,
    /// The detail of the selected artifact is open, scrolled this far.
    pub detail: Option<u16>,
    /// The help screen is open, scrolled this far.
    pub help: Option<u16>,
    pub filter: Filter,
    /// The filter being typed, and the one to restore on cancel.
    pub filter_input: Option<(String, Filter)>,
    pub mine: bool,
    /// A transient message for the status line.
    pub status: Option<String>,
    /// A lasting warning (the index stopped parsing...), shown until it is resolved.
    pub banner: Option<String>,
    /// Editing: a picker (what to change), a form (the new value), a confirmation.
    pub picker: Option<Picker>,
    pub form: Option<Form>,
    pub confirm: Option<Confirm>,
    /// `handoff.yaml` changed on disk under an open form: the user chooses what happens.
    pub conflict: bool,
    /// A fingerprint of `handoff.yaml` as last read, which forms remember as their base.
    pub index_fingerprint: String,
    /// The form changed (or closed) since its draft was last saved.
    pub draft_dirty: bool,
    /// The terminal's size, for page sizes and layout.
    pub size: (u16, u16),
    /// Visible artifacts (indices into the index), after filter and mine.
    pub rows: Vec<usize>,
    /// Visible findings (indices into the report) of the Gaps and Stale lists, sorted.
    pub gap_items: Vec<usize>,
    pub stale_items: Vec<usize>,
    /// The present-mode agenda: every visible finding, most severe first.
    pub agenda_items: Vec<usize>,
    /// The widest visible artifact id, in columns (the matrix's first column).
    pub id_width: usize,
    /// Findings per severity over everything: errors, warnings, infos.
    pub counts: (usize, usize, usize),
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
            matrix: Cursor::default(),
            col: 0,
            col_offset: 0,
            gaps: Cursor::default(),
            stale: Cursor::default(),
            agenda: 0,
            detail: None,
            help: None,
            filter: Filter::default(),
            filter_input: None,
            mine: false,
            status,
            banner: None,
            picker: None,
            form: None,
            confirm: None,
            conflict: false,
            index_fingerprint: String::new(),
            draft_dirty: false,
            size: (80, 24),
            rows: Vec::new(),
            gap_items: Vec::new(),
            stale_items: Vec::new(),
            agenda_items: Vec::new(),
            id_width: 8,
            counts: (0, 0, 0),
        };
        app.derive();
        app
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

    /// Recomputes the visible rows and finding lists, keeping selections on the same
    /// artifact or finding where it is still visible.
    pub fn derive(&mut self) {
        let selection = self.selection();
        self.derive_keeping(selection);
    }

    /// What is selected, by name rather than position, so it can be found again after the
    /// snapshot or the report changes. Must be taken while rows and lists still match them.
    fn selection(&self) -> Selection {
        let key = |items: &[usize], cursor: Cursor| {
            items
                .get(cursor.selected)
                .and_then(|&i| self.snap.report.findings.get(i))
                .map(finding_key)
        };
        Selection {
            artifact: self.selected_artifact_id().map(str::to_string),
            gap: key(&self.gap_items, self.gaps),
            stale: key(&self.stale_items, self.stale),
        }
    }

    fn derive_keeping(&mut self, selection: Selection) {
        let Selection {
            artifact: selected_artifact,
            gap: selected_gap,
            stale: selected_stale,
        } = selection;

        let index = &self.snap.index;
        let report = &self.snap.report;
        let my_roles = self.my_roles();
        // Without a filter or `mine`, every artifact is shown: nothing to compute per artifact
        // or per finding (which at 10,000 artifacts took most of a derive).
        let everything = self.filter.is_empty() && !self.mine;
        self.rows = index
            .artifacts
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                everything
                    || (!self.mine || is_mine(index, a, &my_roles))
                        && self
                            .filter
                            .matches_artifact(index, a, report.findings_of(&a.id))
            })
            .map(|(i, _)| i)
            .collect();
        let shown: std::collections::HashSet<&str> = if everything {
            Default::default()
        } else {
            self.rows
                .iter()
                .map(|&i| index.artifacts[i].id.as_str())
                .collect()
        };
        // One pass over the findings sorts them into the two lists. Each list runs most severe
        // first, then oldest problem first, then in report order (which is index order, so
        // the artifact's position needs no key of its own).
        let (mut gaps, mut stale) = (Vec::new(), Vec::new());
        // The agenda: both lists, most severe first, then in report order (one bucket per
        // severity, in the order of `Severity::ALL`).
        let mut agenda_by_severity: [Vec<usize>; Severity::ALL.len()] = Default::default();
        for (i, f) in report.findings.iter().enumerate() {
            let list = match f.code.category() {
                Category::Gap => &mut gaps,
                Category::Stale => &mut stale,
            };
            if everything
                || shown.contains(f.artifact.as_str())
                    && self.filter.matches_finding(f)
                    && (!self.mine || f.role.as_ref().is_none_or(|r| my_roles.contains(r)))
            {
                let since = f.since.map_or(i64::MAX, |t| t.as_second());
                list.push((std::cmp::Reverse(f.severity), since, i));
                if let Some(bucket) = Severity::ALL.iter().position(|s| *s == f.severity) {
                    agenda_by_severity[bucket].push(i);
                }
            }
        }
        let sorted = |mut keyed: Vec<(std::cmp::Reverse<Severity>, i64, usize)>| {
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, i)| i).collect::<Vec<usize>>()
        };
        self.gap_items = sorted(gaps);
        self.stale_items = sorted(stale);
        self.agenda_items = agenda_by_severity.concat();
        self.id_width = self
            .rows
            .iter()
            .map(|&i| crate::core::text::width(&index.artifacts[i].id))
            .max()
            .unwrap_or(8);
        self.counts = report.counts();

        if let Some(id) = selected_artifact
            && let Some(pos) = self
                .rows
                .iter()
                .position(|&i| self.snap.index.artifacts[i].id == id)
        {
            self.matrix.selected = pos;
        }
        let reselect = |items: &[usize],
                        key: Option<(String, FindingCode, Option<String>)>,
                        cursor: &mut Cursor| {
            if let Some(key) = key
                && let Some(pos) = items
                    .iter()
                    .position(|&i| is_finding(&self.snap.report.findings[i], &key))
            {
                cursor.selected = pos;
            }
        };
        let (mut gaps, mut stale) = (self.gaps, self.stale);
        reselect(&self.gap_items, selected_gap, &mut gaps);
        reselect(&self.stale_items, selected_stale, &mut stale);
        (self.gaps, self.stale) = (gaps, stale);
        self.clamp();
    }

    fn clamp(&mut self) {
        let clamp = |c: &mut Cursor, len: usize| {
            c.selected = c.selected.min(len.saturating_sub(1));
        };
        clamp(&mut self.matrix, self.rows.len());
        clamp(&mut self.gaps, self.gap_items.len());
        clamp(&mut self.stale, self.stale_items.len());
        self.col = self.col.min(self.snap.index.roles.len().saturating_sub(1));
        self.agenda = self.agenda.min(self.agenda_items.len().saturating_sub(1));
    }

    /// The finding list of the current view, with its cursor.
    fn list_mut(&mut self) -> Option<(&Vec<usize>, &mut Cursor)> {
        match self.view {
            View::Gaps => Some((&self.gap_items, &mut self.gaps)),
            View::Stale => Some((&self.stale_items, &mut self.stale)),
            _ => None,
        }
    }

    pub fn list(&self) -> Option<(&[usize], Cursor)> {
        match self.view {
            View::Gaps => Some((&self.gap_items, self.gaps)),
            View::Stale => Some((&self.stale_items, self.stale)),
            _ => None,
        }
    }

    /// The artifact under the cursor in the current view.
    pub fn selected_artifact(&self) -> Option<usize> {
        let finding_artifact = |i: usize| {
            let id = &self.snap.report.findings[i].artifact;
            self.snap.index.artifacts.iter().position(|a| &a.id == id)
        };
        match self.view {
            View::Matrix => self.rows.get(self.matrix.selected).copied(),
            View::Gaps => self
                .gap_items
                .get(self.gaps.selected)
                .and_then(|&i| finding_artifact(i)),
            View::Stale => self
                .stale_items
                .get(self.stale.selected)
                .and_then(|&i| finding_artifact(i)),
            View::Agenda => self
                .agenda_items
                .get(self.agenda)
                .and_then(|&i| finding_artifact(i)),
        }
    }

    fn selected_artifact_id(&self) -> Option<&str> {
        self.selected_artifact()
            .map(|i| self.snap.index.artifacts[i].id.as_str())
    }

    /// Where keys are looked up now.
    pub fn context(&self) -> Context {
        if self.conflict {
            Context::Conflict
        } else if self.confirm.is_some() {
            Context::Confirm
        } else if let Some(form) = &self.form {
            if form.inputs[form.focus].multiline {
                Context::Note
            } else {
                Context::Form
            }
        } else if self.picker.is_some() {
            Context::Picker
        } else if self.filter_input.is_some() {
            Context::Filter
        } else if self.help.is_some() {
            Context::Help
        } else if self.detail.is_some() {
            Context::Detail
        } else {
            match self.view {
                View::Matrix => Context::Matrix,
                View::Gaps | View::Stale => Context::Findings,
                View::Agenda => Context::Agenda,
            }
        }
    }

    fn views(&self) -> &'static [View] {
        if self.options.present {
            &[View::Agenda, View::Matrix, View::Gaps, View::Stale]
        } else {
            &[View::Matrix, View::Gaps, View::Stale]
        }
    }

    /// A key press: looked up in the keymap; otherwise typed into the form or the filter
    /// being edited.
    pub fn key(&mut self, event: KeyEvent) -> Option<Effect> {
        let chord = KeyChord::from_event(&event);
        let action = self.keymap.action_for(self.context(), chord);
        if action.is_none()
            && !self.conflict
            && self.confirm.is_none()
            && let Some(form) = &mut self.form
        {
            if form.focused().text.input(event) {
                form.validate(&self.snap.index);
                self.draft_dirty = true;
            }
            return None;
        }
        if action.is_none()
            && let Some((text, _)) = &mut self.filter_input
        {
            use ratatui::crossterm::event::{KeyCode, KeyModifiers};
            match chord.code {
                KeyCode::Char(c)
                    if !chord
                        .mods
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    text.push(c)
                }
                KeyCode::Backspace => {
                    text.pop();
                }
                _ => return None,
            }
            let live = Filter::parse(text);
            self.filter = live;
            self.derive();
            return None;
        }
        action.and_then(|a| self.handle(a))
    }

    /// Carries out an action.
    pub fn handle(&mut self, action: Action) -> Option<Effect> {
        self.status = None;
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Refresh => return Some(Effect::Reload),
            Action::Help => self.help = Some(0),
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
                self.detail = None;
            }
            Action::Filter => {
                self.filter_input = Some((self.filter.text.clone(), self.filter.clone()));
            }
            Action::Apply => {
                if let Some((text, _)) = self.filter_input.take() {
                    self.filter = Filter::parse(&text);
                    self.derive();
                    self.status = Some(self.filter_summary());
                }
            }
            Action::Cancel => {
                if let Some((_, previous)) = self.filter_input.take() {
                    self.filter = previous;
                    self.derive();
                }
            }
            Action::ToggleMine => {
                if self.options.me.is_none() {
                    self.status = Some("mine: git has no user.email here, so handoff cannot tell which roles are yours".into());
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
            Action::ClearFilter => {
                self.filter = Filter::default();
                self.mine = false;
                self.derive();
                self.status = Some(self.filter_summary());
            }
            Action::Close => {
                if self.form.is_some() {
                    self.form = None;
                    self.draft_dirty = true;
                } else if self.picker.is_some() {
                    self.picker = None;
                } else if self.help.is_some() {
                    self.help = None;
                } else if self.detail.is_some() {
                    self.detail = None;
                }
            }
            Action::Open => {
                if self.selected_artifact().is_some() {
                    self.detail = Some(0);
                }
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => self.move_by(action),
            Action::Left => self.col = self.col.saturating_sub(1),
            Action::Right => {
                self.col = (self.col + 1).min(self.snap.index.roles.len().saturating_sub(1))
            }
            Action::NextFinding | Action::PrevFinding => {
                self.jump_to_finding(action == Action::NextFinding)
            }
            Action::NextArtifact | Action::PrevArtifact => {
                let forward = action == Action::NextArtifact;
                self.step_selection(forward);
                self.detail = Some(0);
            }
            Action::Edit
            | Action::Sign
            | Action::AddArtifact
            | Action::RemoveArtifact
            | Action::Roles => self.start_editing(action),
            Action::Choose => return self.choose(),
            Action::NextField | Action::PrevField => {
                if let Some(form) = &mut self.form {
                    let n = form.inputs.len();
                    form.focus = if action == Action::NextField {
                        (form.focus + 1) % n
                    } else {
                        (form.focus + n - 1) % n
                    };
                }
            }
            Action::Submit => return self.submit(),
            Action::Yes => {
                if let Some(confirm) = self.confirm.take() {
                    return Some(Effect::Commit(Box::new(confirm.change)));
                }
            }
            Action::No => {
                self.confirm = None;
                self.status = Some("nothing changed".into());
            }
            Action::ReloadFile => {
                self.conflict = false;
                self.form = None;
                self.draft_dirty = true;
                self.status = Some("the form is dropped; this is handoff.yaml as it is now".into());
            }
            Action::KeepForm => {
                self.conflict = false;
                if let Some(form) = &mut self.form {
                    form.base = self.index_fingerprint.clone();
                    form.validate(&self.snap.index);
                    self.draft_dirty = true;
                }
                self.status = Some(
                    "the form is kept: submitting applies it to handoff.yaml as it is now".into(),
                );
            }
            Action::Next | Action::Previous => {
                let n = self.agenda_items.len();
                if n > 0 {
                    self.agenda = if action == Action::Next {
                        (self.agenda + 1).min(n - 1)
                    } else {
                        self.agenda.saturating_sub(1)
                    };
                    if self.agenda + 1 == n && action == Action::Next {
                        self.status = Some("end of the agenda".into());
                    }
                }
            }
        }
        self.scroll_into_view();
        None
    }

    fn page(&self) -> usize {
        let body = layout::body_height(self);
        match self.view {
            View::Matrix => (body as usize).saturating_sub(3).max(1),
            _ => (body as usize / 3).max(1),
        }
    }

    fn move_by(&mut self, action: Action) {
        let page = self.page();
        if let Some(picker) = &mut self.picker {
            let n = picker.items.len().max(1);
            picker.selected = match action {
                Action::Up => picker.selected.saturating_sub(1),
                Action::Down => (picker.selected + 1).min(n - 1),
                Action::First | Action::PageUp => 0,
                _ => n - 1,
            };
            return;
        }
        if let Some(scroll) = self.help.as_mut().or(self.detail.as_mut()) {
            let step = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(page as i32),
                Action::PageDown => page as i32,
                Action::First => -100_000,
                _ => 100_000,
            };
            *scroll = (*scroll as i32 + step).clamp(0, u16::MAX as i32) as u16;
            return;
        }
        let (len, cursor) = match self.view {
            View::Matrix => (self.rows.len(), &mut self.matrix),
            View::Agenda => return,
            _ => match self.list_mut() {
                Some((items, cursor)) => (items.len(), cursor),
                None => return,
            },
        };
        if len == 0 {
            return;
        }
        cursor.selected = match action {
            Action::Up => cursor.selected.saturating_sub(1),
            Action::Down => (cursor.selected + 1).min(len - 1),
            Action::PageUp => cursor.selected.saturating_sub(page),
            Action::PageDown => (cursor.selected + page).min(len - 1),
            Action::First => 0,
            _ => len - 1,
        };
    }

    fn step_selection(&mut self, forward: bool) {
        let saved = self.detail.take();
        self.move_by(if forward { Action::Down } else { Action::Up });
        self.detail = saved;
    }

    /// The next (or previous) matrix row with a finding; in the lists, the next finding
    /// of another artifact.
    fn jump_to_finding(&mut self, forward: bool) {
        match self.view {
            View::Matrix => {
                let n = self.rows.len();
                let has = |row: usize| {
                    !self
                        .snap
                        .report
                        .findings_of(&self.snap.index.artifacts[self.rows[row]].id)
                        .is_empty()
                };
                let found = (1..n)
                    .map(|step| {
                        if forward {
                            (self.matrix.selected + step) % n
                        } else {
                            (self.matrix.selected + n - step) % n
                        }
                    })
                    .find(|&row| has(row));
                match found {
                    Some(row) => {
                        let wrapped = (forward && row < self.matrix.selected)
                            || (!forward && row > self.matrix.selected);
                        self.matrix.selected = row;
                        if wrapped {
                            self.status = Some("wrapped around".into());
                        }
                    }
                    None => self.status = Some("no other artifact has a finding".into()),
                }
            }
            View::Gaps | View::Stale => {
                let Some((items, cursor)) = self.list() else {
                    return;
                };
                let findings = &self.snap.report.findings;
                let Some(&current) = items.get(cursor.selected) else {
                    return;
                };
                let artifact = &findings[current].artifact;
                let n = items.len();
                let found = (1..n)
                    .map(|step| {
                        if forward {
                            (cursor.selected + step) % n
                        } else {
                            (cursor.selected + n - step) % n
                        }
                    })
                    .find(|&pos| findings[items[pos]].artifact != *artifact);
                match found {
                    Some(pos) => {
                        if let Some((_, cursor)) = self.list_mut() {
                            cursor.selected = pos;
                        }
                    }
                    None => self.status = Some("no finding on another artifact".into()),
                }
            }
            View::Agenda => self.handle_agenda_step(forward),
        }
    }

    fn handle_agenda_step(&mut self, forward: bool) {
        let _ = self.handle(if forward {
            Action::Next
        } else {
            Action::Previous
        });
    }

    /// Opens the picker, form or confirmation an editing action starts with.
    fn start_editing(&mut self, action: Action) {
        if self.options.present {
            self.status = Some("present mode is read-only: edits and sign-offs are off".into());
            return;
        }
        let index = &self.snap.index;
        let artifact = self
            .selected_artifact()
            .map(|i| index.artifacts[i].id.clone());
        match (action, artifact) {
            (Action::AddArtifact, _) => self.open_form(FormKind::AddArtifact),
            (Action::Roles, _) => match index.roles.get(self.col) {
                Some(role) => self.picker = Some(forms::role_picker(index, &role.id)),
                None => self.open_form(FormKind::AddRole),
            },
            (_, None) => self.status = Some("select an artifact first".into()),
            (Action::Edit, Some(id)) => self.picker = Some(forms::edit_picker(index, &id)),
            (Action::Sign, Some(id)) => {
                if self.options.me.is_none() {
                    self.status = Some(
                        "git has no user.email here: set it (`git config user.email you@example.com`) to sign".into(),
                    );
                } else {
                    self.picker = Some(forms::sign_picker(
                        index,
                        &self.snap.ledger,
                        &id,
                        self.options.me.as_deref(),
                    ));
                }
            }
            (_, Some(id)) => {
                self.confirm = Some(Confirm {
                    question: format!(
                        "Remove `{id}` from handoff.yaml? Its ledger file stays. (y/n)"
                    ),
                    change: Change::Edit(IndexEdit::RemoveArtifact { artifact: id }),
                });
            }
        }
    }

    fn open_form(&mut self, kind: FormKind) {
        self.picker = None;
        self.form = Some(Form::new(
            kind,
            &self.snap.index,
            self.index_fingerprint.clone(),
        ));
        self.draft_dirty = true;
    }

    /// Chooses the highlighted picker item.
    fn choose(&mut self) -> Option<Effect> {
        let picker = self.picker.as_ref()?;
        let item = picker.items.get(picker.selected)?.clone();
        if let Some(reason) = item.refused {
            self.status = Some(reason);
            return None;
        }
        match item.then {
            Then::EditField { artifact, field } => {
                self.open_form(FormKind::Field { artifact, field })
            }
            Then::SignAs {
                artifact,
                action,
                role,
            } => self.open_form(FormKind::Sign {
                artifact,
                action,
                role,
            }),
            Then::RoleTitle { role } => self.open_form(FormKind::RoleTitle { role }),
            Then::AddPerson { role } => self.open_form(FormKind::AddPerson { role }),
            Then::AddRole => self.open_form(FormKind::AddRole),
            Then::RemovePerson { role, person } => {
                self.picker = None;
                self.confirm = Some(Confirm {
                    question: format!("Remove {person} from role `{role}`? (y/n)"),
                    change: Change::Edit(IndexEdit::People {
                        role,
                        change: ListChange::Remove(person),
                    }),
                });
            }
            Then::RemoveRole { role } => {
                self.picker = None;
                self.confirm = Some(Confirm {
                    question: format!("Remove role `{role}` from handoff.yaml? (y/n)"),
                    change: Change::Edit(IndexEdit::RemoveRole { role }),
                });
            }
        }
        None
    }

    fn submit(&mut self) -> Option<Effect> {
        let form = self.form.as_mut()?;
        match form.change(&self.snap.index) {
            Ok(change) => Some(Effect::Commit(Box::new(change))),
            Err(problem) => {
                form.problem = Some(problem);
                None
            }
        }
    }

    /// A change was committed: the form closes and the status says what landed.
    pub fn committed(&mut self, summary: String) {
        self.form = None;
        self.picker = None;
        self.confirm = None;
        self.draft_dirty = true;
        self.status = Some(format!("committed {summary}"));
    }

    /// A change was refused or failed: the form stays, with the reason.
    pub fn commit_failed(&mut self, reason: String) {
        match &mut self.form {
            Some(form) => form.problem = Some(reason),
            None => self.status = Some(reason),
        }
    }

    /// `handoff.yaml` was read again: an open form whose base differs must ask the user.
    pub fn index_reloaded(&mut self, fingerprint: String) {
        if let Some(form) = &mut self.form {
            if form.base != fingerprint {
                self.conflict = true;
            } else {
                form.validate(&self.snap.index);
            }
        }
        self.index_fingerprint = fingerprint;
    }

    /// Keeps the cursor inside the visible window of the current view.
    pub fn scroll_into_view(&mut self) {
        let visible = layout::matrix_visible_rows(self);
        let m = &mut self.matrix;
        if m.selected < m.offset {
            m.offset = m.selected;
        } else if visible > 0 && m.selected >= m.offset + visible {
            m.offset = m.selected + 1 - visible;
        }
        let shown_cols = layout::matrix_visible_cols(self).max(1);
        if self.col < self.col_offset {
            self.col_offset = self.col;
        } else if self.col >= self.col_offset + shown_cols {
            self.col_offset = self.col + 1 - shown_cols;
        }
        let viewport = layout::body(self).list().height as usize;
        let (start, end) = match self.list() {
            Some((items, cursor)) if !items.is_empty() => {
                layout::finding_lines(self, items, cursor.selected)
            }
            _ => return,
        };
        // The heading of the first group stays in view when the first item is selected.
        let start = if start <= 1 { 0 } else { start };
        if let Some((_, cursor)) = self.list_mut() {
            if start < cursor.offset {
                cursor.offset = start;
            } else if end > cursor.offset + viewport {
                cursor.offset = end.saturating_sub(viewport);
            }
        }
    }

    /// "12 of 21 artifacts · filter: role:pm · mine".
    pub fn filter_summary(&self) -> String {
        let mut parts = vec![format!(
            "{} of {} artifacts",
            self.rows.len(),
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

    /// Replaces the snapshot (new facts, a reloaded index) and keeps the user's place.
    pub fn set_snapshot(&mut self, snap: Snapshot) {
        let selection = self.selection();
        self.snap = snap;
        self.derive_keeping(selection);
        self.scroll_into_view();
    }

    /// Puts a piece of streamed facts in place (the engine decides again what it reaches)
    /// and keeps the user's place.
    pub fn apply_facts(&mut self, piece: FactsPiece) {
        match &piece {
            FactsPiece::Worktree(batch) => self.loading.worktree_done += batch.len(),
            FactsPiece::History(batch) => self.loading.history_done += batch.len(),
            _ => {}
        }
        let selection = self.selection();
        self.snap.apply(piece);
        self.derive_keeping(selection);
    }

    pub fn reanalyze(&mut self) {
        let selection = self.selection();
        self.snap.reanalyze();
        self.derive_keeping(selection);
    }

    /// Whether an artifact's facts are still being read.
    pub fn is_pending(&self, artifact: usize) -> bool {
        let a = &self.snap.index.artifacts[artifact];
        !a.target.is_url()
            && self
                .snap
                .facts
                .of(&a.id)
                .is_none_or(|f| matches!(f.history, History::Pending) && !self.loading.finished)
    }

    pub fn worst(&self, artifact: usize) -> Option<&Finding> {
        self.snap
            .report
            .findings_of(&self.snap.index.artifacts[artifact].id)
            .iter()
            .max_by_key(|f| (f.severity, std::cmp::Reverse(f.code)))
    }

    /// The body area's shape, for views and mouse hits.
    pub fn body(&self) -> Body {
        layout::body(self)
    }

    pub fn severity_count(&self, s: Severity) -> usize {
        match s {
            Severity::Error => self.counts.0,
            Severity::Warning => self.counts.1,
            Severity::Info => self.counts.2,
        }
    }
}

/// A selection by name: the artifact under the cursor, and the finding of each list.
struct Selection {
    artifact: Option<String>,
    gap: Option<(String, FindingCode, Option<String>)>,
    stale: Option<(String, FindingCode, Option<String>)>,
}

/// Whether `f` is the finding `key` ([`finding_key`]) names, without building its key.
fn is_finding(f: &Finding, key: &(String, FindingCode, Option<String>)) -> bool {
    f.code == key.1
        && f.artifact == key.0
        && f.role.as_ref().or(f.related.as_ref()) == key.2.as_ref()
}

fn finding_key(f: &Finding) -> (String, FindingCode, Option<String>) {
    (
        f.artifact.clone(),
        f.code,
        f.role.clone().or_else(|| f.related.clone()),
    )
}
