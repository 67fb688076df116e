//! The org workbench: the organisation model (`crate::core::org`) as a terminal view —
//! repositories down, roles across. Enter opens a local repository's own workbench, or a
//! result file's findings; `/` filters and `m` keeps only the repositories where you must
//! sign. The workbench's keymap table, theme and chrome; a view of its own. It paints at once
//! with every source pending and fills rows in as the engine's org workers report them.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::Duration as WaitTime;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind};

use super::TuiOptions;
use super::action::{Action, Context};
use super::config::load_config;
use super::keymap::{KeyChord, Keymap};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use crate::core::model::Duration;
use crate::core::org::{Gathering, Org, PersonColumn};
use crate::engine::org::Arrival;

/// The org workbench's state.
pub struct OrgView {
    /// What has arrived so far; [`OrgView::org`] is rebuilt from it on each arrival.
    pub gathering: Gathering,
    pub org: Org,
    /// Roles or people across.
    pub axis: OrgAxis,
    /// The people axis's columns, rebuilt with [`OrgView::org`].
    pub people: Vec<PersonColumn>,
    /// Position in [`OrgView::visible`].
    pub selected: usize,
    /// The filter in force: words matched against a repository's name, team, source and the
    /// artifacts and codes of its findings.
    pub filter: String,
    /// The filter being typed, while `/` is open.
    pub typing: Option<String>,
    /// Only the repositories where `me` must sign.
    pub mine: bool,
    pub me: Option<String>,
    /// The repository (position in `org.repos`) whose findings are shown.
    pub findings_of: Option<usize>,
    pub scroll: usize,
    pub status: Option<String>,
    pub keymap: Keymap,
    pub theme: Theme,
}

/// What the columns are: the roles of the repositories, or the people in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgAxis {
    Roles,
    /// Each cell: the sign-offs the person owes in the repository and the longest wait.
    People,
}

/// What a key asks of the loop beyond the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgEffect {
    None,
    Quit,
    /// Open this local repository's workbench.
    OpenLocal(PathBuf),
}

impl OrgView {
    pub fn new(gathering: Gathering, me: Option<String>, options: &TuiOptions) -> OrgView {
        let (keymap, theme, _) = load_config(options);
        let org = gathering.org();
        OrgView {
            people: org.people_axis(),
            org,
            axis: OrgAxis::Roles,
            gathering,
            selected: 0,
            filter: String::new(),
            typing: None,
            mine: false,
            me,
            findings_of: None,
            scroll: 0,
            status: None,
            keymap,
            theme,
        }
    }

    /// Where the user is, for the keymap and the footer.
    pub fn context(&self) -> Context {
        if self.typing.is_some() {
            Context::Filter
        } else if self.findings_of.is_some() {
            Context::Detail
        } else {
            Context::Matrix
        }
    }

    /// The repositories shown, as positions in `org.repos`.
    pub fn visible(&self) -> Vec<usize> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mine: Vec<usize> = match (&self.me, self.mine) {
            (Some(me), true) => self
                .org
                .people
                .get(me)
                .map(|duties| duties.iter().map(|d| d.repo).collect())
                .unwrap_or_default(),
            (None, true) => Vec::new(),
            (_, false) => (0..self.org.repos.len()).collect(),
        };
        (0..self.org.repos.len())
            .filter(|i| mine.contains(i))
            .filter(|&i| words.iter().all(|w| self.matches(i, w)))
            .collect()
    }

    fn matches(&self, repo: usize, word: &str) -> bool {
        let r = &self.org.repos[repo];
        let has = |s: &str| s.to_lowercase().contains(word);
        has(&r.name)
            || has(&r.origin.path)
            || r.origin.team.as_deref().is_some_and(has)
            || r.result.as_ref().is_some_and(|res| {
                res.findings
                    .iter()
                    .any(|f| f.artifact.as_deref().is_some_and(has) || has(&f.code))
            })
    }

    /// A source's outcome arrived: its row fills in (or leaves, when it was skipped); the
    /// cursor stays on the repository it was on.
    pub fn arrive(&mut self, arrivals: impl IntoIterator<Item = Arrival>) {
        let on = self
            .current()
            .map(|i| self.org.repos[i].origin.path.clone());
        let open = self
            .findings_of
            .map(|i| self.org.repos[i].origin.path.clone());
        for a in arrivals {
            self.gathering.arrive(a.slot, a.outcome);
        }
        self.org = self.gathering.org();
        self.people = self.org.people_axis();
        let position = |path: &Option<String>| {
            let path = path.as_deref()?;
            self.org.repos.iter().position(|r| r.origin.path == path)
        };
        self.findings_of = position(&open);
        let visible = self.visible();
        self.selected = position(&on)
            .and_then(|i| visible.iter().position(|&v| v == i))
            .unwrap_or(self.selected)
            .min(visible.len().saturating_sub(1));
    }

    /// The repository under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.visible().get(self.selected).copied()
    }

    /// Handles one key.
    pub fn key(&mut self, key: KeyEvent) -> OrgEffect {
        let chord = KeyChord::from_event(&key);
        let action = self.keymap.action_for(self.context(), chord);
        if let Some(typed) = &mut self.typing {
            match (action, key.code) {
                (Some(Action::Apply), _) => {
                    self.filter = self.typing.take().unwrap_or_default();
                    self.selected = 0;
                }
                (Some(Action::Cancel), _) => self.typing = None,
                (_, KeyCode::Backspace) => {
                    typed.pop();
                }
                (_, KeyCode::Char(c)) => typed.push(c),
                _ => {}
            }
            return OrgEffect::None;
        }
        if self.findings_of.is_some() {
            match action {
                Some(Action::Close | Action::Quit) => {
                    self.findings_of = None;
                    self.scroll = 0;
                }
                Some(Action::Down) => self.scroll += 1,
                Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
                _ => {}
            }
            return OrgEffect::None;
        }
        let shown = self.visible().len();
        match action {
            Some(Action::Quit) => return OrgEffect::Quit,
            Some(Action::Down) => self.selected = (self.selected + 1).min(shown.saturating_sub(1)),
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::First) => self.selected = 0,
            Some(Action::Last) => self.selected = shown.saturating_sub(1),
            Some(Action::Filter) => self.typing = Some(self.filter.clone()),
            Some(Action::NextView | Action::PrevView) => {
                self.axis = match self.axis {
                    OrgAxis::Roles => OrgAxis::People,
                    OrgAxis::People => OrgAxis::Roles,
                };
            }
            Some(Action::ClearFilter) => {
                self.filter.clear();
                self.mine = false;
                self.selected = 0;
            }
            Some(Action::ToggleMine) => {
                self.mine = !self.mine;
                self.selected = 0;
                self.status = match (&self.me, self.mine) {
                    (None, true) => Some("no git user.email here: nobody to call mine".into()),
                    _ => None,
                };
            }
            Some(Action::Open) => return self.open(),
            _ => {}
        }
        OrgEffect::None
    }

    fn open(&mut self) -> OrgEffect {
        let Some(i) = self.current() else {
            return OrgEffect::None;
        };
        let repo = &self.org.repos[i];
        if repo.pending {
            self.status = Some(format!(
                "{} is still being read: Enter once its row fills in",
                repo.origin.path
            ));
            return OrgEffect::None;
        }
        if repo.origin.local && repo.load_error.is_none() {
            return OrgEffect::OpenLocal(PathBuf::from(&repo.origin.path));
        }
        self.findings_of = Some(i);
        self.scroll = 0;
        OrgEffect::None
    }
}

/// Runs the org workbench over `sources` until the user quits: the first frame shows every
/// source pending, then rows fill in as the org workers report. Returns the organisation as
/// gathered by then (for what was skipped).
pub fn run(
    sources: &[PathBuf],
    now: jiff::Timestamp,
    stale_after: Duration,
    options: TuiOptions,
) -> Result<Org, super::TuiError> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(super::TuiError::NoTerminal);
    }
    let (tx, rx) = mpsc::channel::<Arrival>();
    let gathering = crate::engine::org::start(
        sources,
        now,
        stale_after,
        Arc::new(move |arrival| {
            let _ = tx.send(arrival);
        }),
    );
    let me = crate::engine::org::user_email(&gathering.org());
    let mut view = OrgView::new(gathering, me, &options);
    if view.org.repos.is_empty() {
        // Every source was skipped before reading began: nothing to show.
        return Ok(view.org);
    }
    let mut guard = Some(TerminalGuard::take(false));
    let mut dirty = true;
    loop {
        // Every arrival already waiting fills in before the next frame: one frame per batch.
        let arrived: Vec<Arrival> = rx.try_iter().collect();
        if !arrived.is_empty() {
            view.arrive(arrived);
            dirty = true;
        }
        if let Some(g) = guard.as_mut().filter(|_| dirty) {
            g.terminal
                .draw(|frame| super::views::org::draw(frame, &view))
                .map_err(super::TuiError::Draw)?;
            dirty = false;
        }
        // Input is polled here rather than on a thread of its own, so that nothing else reads
        // the terminal while a repository's own workbench has it.
        let wait = if view.gathering.remaining() > 0 {
            WaitTime::from_millis(30)
        } else {
            WaitTime::from_millis(500)
        };
        if !event::poll(wait).unwrap_or(false) {
            continue;
        }
        dirty = true;
        let key = match event::read() {
            Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => key,
            _ => continue,
        };
        match view.key(key) {
            OrgEffect::None => {}
            OrgEffect::Quit => return Ok(view.org),
            OrgEffect::OpenLocal(path) => {
                // The repository's own workbench takes the terminal, and gives it back.
                drop(guard.take());
                let opened = crate::engine::locate(Some(&path))
                    .map_err(|e| crate::engine::describe(&e))
                    .and_then(|ws| super::run(&ws, options.clone()).map_err(|e| e.to_string()));
                if let Err(e) = opened {
                    view.status = Some(e);
                }
                guard = Some(TerminalGuard::take(false));
            }
        }
    }
}
