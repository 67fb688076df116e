//! Input: a thread that reads the terminal's events, and their meaning for the app — key
//! presses through the keymap, resizes, the wheel and clicks hit-tested against the geometry
//! the frame was drawn in.

use std::sync::mpsc::Sender;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, MouseButton, MouseEventKind};
use ratatui::layout::Position;

use super::action::Action;
use super::app::{App, Effect, View};
use super::event_loop::AppEvent;
use super::geometry::{Body, too_small};

/// Reads the terminal's events on a thread of its own, until the event loop is gone.
pub(crate) fn spawn_input(tx: Sender<AppEvent>) {
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(AppEvent::Input(ev)).is_err() {
                break;
            }
        }
    });
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
            let findings = &app.snap.report.findings;
            let Some(list_state) = app.list() else { return };
            let line = list_state.cursor.offset + (y - list.y) as usize;
            let hit = (0..list_state.items.len()).find(|&pos| {
                let (start, end) = list_state.lines_of(findings, pos, g.finding_height);
                (start..end).contains(&line)
            });
            if let Some(pos) = hit
                && let Some(list_state) = app.list_mut()
            {
                list_state.cursor.selected = pos;
                list_state.chosen = true;
            }
        }
        View::Agenda => {}
    }
    app.scroll_into_view();
}
