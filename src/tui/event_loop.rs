//! The event loop: input, facts, file changes and commit outcomes arrive on one channel; all
//! that is waiting is handled before the next frame, so a burst costs one frame and one
//! refresh.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use ratatui::crossterm::event::Event;

use super::app::{App, Effect};
use super::commit::Outcome;
use super::input::handle_input;
use super::launch;
use super::runtime::{Runtime, apply_facts};
use super::terminal;
use crate::core::content_diff::ArtifactDiff;
use crate::engine::watch::WatchEvent;
use crate::engine::worker::FactsUpdate;

pub(crate) enum AppEvent {
    Input(Event),
    Facts(FactsUpdate),
    Watch(WatchEvent),
    /// A commit started off the UI thread ended.
    Committed(Outcome),
    /// The diff of an artifact, read off the UI thread.
    DiffRead(String, Result<ArtifactDiff, String>),
    /// The trend and the review since the last review point, read off the UI thread.
    Recent(Box<Result<crate::engine::trend::Recent, String>>),
}

pub(crate) fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    rx: &Receiver<AppEvent>,
    tx: &Sender<AppEvent>,
    rt: &mut Runtime,
) -> Result<(), super::TuiError> {
    let mut dirty = true;
    // Quitting while a commit runs waits for its outcome (asked twice, it does not).
    let mut quit_when_committed = false;
    loop {
        if dirty {
            terminal::draw(terminal, app)?;
            dirty = false;
        }
        let first = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(ev) => ev,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Everything already waiting is handled before the next draw: one frame per batch,
        // and one refresh for a burst of file events.
        let mut pending = Pending::default();
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            dirty = true;
            let effect = match ev {
                AppEvent::Input(input) => handle_input(app, input),
                AppEvent::Facts(update) => {
                    apply_facts(app, update, rt.generation);
                    None
                }
                AppEvent::Watch(event) => {
                    pending.add(event);
                    None
                }
                AppEvent::Committed(outcome) => {
                    rt.finish_commit(app, outcome);
                    quit_when_committed.then_some(Effect::Quit)
                }
                AppEvent::DiffRead(artifact, result) => {
                    app.diff_read(&artifact, result);
                    None
                }
                AppEvent::Recent(read) => {
                    app.recent_read(*read);
                    None
                }
            };
            match effect {
                Some(Effect::Quit) if app.committing.is_some() && !quit_when_committed => {
                    quit_when_committed = true;
                    app.status = Some(
                        "quitting once the commit lands (quit again to leave now: the next handoff finishes or undoes it)".into(),
                    );
                    app.relayout();
                }
                Some(Effect::Quit) => {
                    rt.save_draft(app);
                    return Ok(());
                }
                Some(Effect::Reload) => {
                    rt.reload_all(app);
                    app.status = Some("read the repository again".into());
                    app.relayout();
                }
                Some(Effect::Commit(change)) => {
                    let tx = tx.clone();
                    rt.start_commit(app, *change, move |outcome| {
                        let _ = tx.send(AppEvent::Committed(outcome));
                    });
                }
                Some(Effect::Diff(artifact)) => {
                    let tx = tx.clone();
                    launch::start_diff(&rt.ws, app, artifact, move |artifact, result| {
                        let _ = tx.send(AppEvent::DiffRead(artifact, result));
                    });
                }
                Some(Effect::OpenArtifact(target)) => {
                    let mouse = !app.options.present;
                    let said = launch::open(&rt.ws, terminal, mouse, &rt.input_gate, &target);
                    app.status = Some(said);
                    app.relayout();
                }
                Some(Effect::Copy(text)) => launch::copy(&text),
                None => {}
            }
        }
        pending.apply(rt, app);
        rt.save_draft(app);
    }
}

/// The watch events of one batch, each kind once: a burst of saves is one refresh.
#[derive(Default)]
struct Pending {
    git: bool,
    index: bool,
    ledger: bool,
    rescan: bool,
    paths: Vec<PathBuf>,
    errors: Vec<String>,
}

impl Pending {
    fn add(&mut self, event: WatchEvent) {
        match event {
            WatchEvent::GitChanged => self.git = true,
            WatchEvent::IndexFileChanged => self.index = true,
            WatchEvent::LedgerChanged(_) => self.ledger = true,
            WatchEvent::Rescan => self.rescan = true,
            WatchEvent::WorkTreeChanged(paths) => self.paths.extend(paths),
            WatchEvent::Error(e) => self.errors.push(e),
        }
    }

    fn apply(self, rt: &mut Runtime, app: &mut App) {
        if self.rescan {
            rt.on_watch(app, WatchEvent::Rescan);
            return;
        }
        if self.git {
            rt.on_watch(app, WatchEvent::GitChanged);
        }
        if self.index {
            rt.on_watch(app, WatchEvent::IndexFileChanged);
        }
        if self.ledger {
            rt.on_watch(app, WatchEvent::LedgerChanged(Vec::new()));
        }
        if !self.paths.is_empty() {
            rt.on_watch(app, WatchEvent::WorkTreeChanged(self.paths));
        }
        if let Some(e) = self.errors.into_iter().last() {
            rt.on_watch(app, WatchEvent::Error(e));
        }
    }
}
