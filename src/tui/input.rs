//! Input: a thread that reads the terminal's events, and their meaning for the app — key
//! presses through the keymap, resizes, the wheel and clicks hit-tested against the geometry
//! the frame was drawn in.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Position;

use super::action::Action;
use super::app::{App, Effect, View};
use super::event_loop::AppEvent;
use super::geometry::{Body, too_small};

/// Lets the event loop hand the terminal to another program (an editor): while it is held,
/// the input thread reads nothing, so every key goes to that program.
#[derive(Default)]
pub(crate) struct InputGate {
    held: AtomicBool,
    /// Held by the input thread while it waits for an event.
    reading: Mutex<()>,
}

impl InputGate {
    /// Stops the reading, once the wait under way (at most [`POLL`]) has ended.
    pub(crate) fn hold(&self) -> MutexGuard<'_, ()> {
        self.held.store(true, Ordering::SeqCst);
        let guard = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        self.held.store(false, Ordering::SeqCst);
        guard
    }
}

/// How long the input thread waits for an event before it looks at the gate again.
const POLL: Duration = Duration::from_millis(50);

/// Reads the terminal's events on a thread of its own until the returned handle is dropped.
/// The thread stops then rather than at its next event: a workbench opened from the org
/// workbench must give the keyboard back whole, not keep the first key pressed after it.
pub(crate) fn spawn_input(tx: Sender<AppEvent>, gate: Arc<InputGate>) -> InputThread {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let handle = std::thread::spawn(move || {
        while !stopped.load(Ordering::SeqCst) {
            if gate.held.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            let _reading = gate.reading.lock().unwrap_or_else(|e| e.into_inner());
            match event::poll(POLL) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => break,
            }
            let Ok(ev) = event::read() else { break };
            if tx.send(AppEvent::Input(ev)).is_err() {
                break;
            }
        }
    });
    InputThread {
        stop,
        handle: Some(handle),
    }
}

/// The input thread; dropping it stops the thread and waits for it.
pub(crate) struct InputThread {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Keys (presses only), resizes and the mouse.
pub fn handle_input(app: &mut App, input: Event) -> Option<Effect> {
    match input {
        Event::Key(key) if key.kind == KeyEventKind::Press => {
            if too_small(app.size()) {
                return (key.code == KeyCode::Char('q')).then_some(Effect::Quit);
            }
            app.key(key)
        }
        Event::Resize(w, h) => {
            app.resize(w, h);
            None
        }
        Event::Mouse(m) => {
            match m.kind {
                MouseEventKind::ScrollDown => {
                    for _ in 0..3 {
                        app.handle(Action::Down);
                    }
                }
                MouseEventKind::ScrollUp => {
                    for _ in 0..3 {
                        app.handle(Action::Up);
                    }
                }
                MouseEventKind::Down(MouseButton::Left) => click(app, m.column, m.row),
                _ => {}
            }
            None
        }
        _ => None,
    }
}

/// Selects what was clicked: a matrix row and role column, or a finding.
fn click(app: &mut App, x: u16, y: u16) {
    app.stop_following();
    if app.overlay.help().is_some() || app.overlay.filter_text().is_some() {
        return;
    }
    let g = *app.geometry();
    let at = Position::new(x, y);
    let list = g.body.list();
    if g.areas.tabs.contains(at) || !list.contains(at) || matches!(g.body, Body::Popup { .. }) {
        return;
    }
    match app.view {
        View::Matrix => {
            let m = g.matrix;
            let line = (y - list.y) as usize;
            if line == 0 || line > m.rows * m.row_h as usize {
                return;
            }
            let row = app.matrix.cursor.offset + (line - 1) / m.row_h as usize;
            if row < app.matrix.rows.len() {
                app.matrix.cursor.selected = row;
            }
            let role_x = m.role_x(list);
            if x >= role_x {
                let col = app.matrix.col_offset + ((x - role_x) / m.role_w.max(1)) as usize;
                if col < app.snap.index.roles.len() {
                    app.matrix.col = col;
                }
            }
        }
        View::Gaps | View::Stale => {
            let report = &app.snap.report;
            let Some(list_state) = app.list() else { return };
            let line = list_state.cursor.offset + (y - list.y) as usize;
            let hit = (0..list_state.items.len()).find(|&pos| {
                let (start, end) = list_state.lines_of(report, pos, g.finding_height);
                (start..end).contains(&line)
            });
            if let Some(pos) = hit
                && let Some(list_state) = app.list_mut()
            {
                list_state.cursor.selected = pos;
                list_state.chosen = true;
            }
        }
        View::Agenda | View::Scorecard => {}
    }
    app.scroll_into_view();
}
