//! Drawing: pure functions from the app's state to a frame. Nothing here changes state.

mod agenda;
mod chrome;
pub mod detail;
mod diff;
mod findings;
mod form;
pub(crate) mod help;
mod matrix;
pub mod org;
mod scorecard;
mod since;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, View};
use super::geometry::{self, Body, MIN_HEIGHT, MIN_WIDTH};
use super::theme::Role;
pub(crate) use scorecard::max_scroll as scorecard_max_scroll;

/// Draws the app in the geometry it was last laid out in (see `App::relayout`).
pub fn draw(frame: &mut Frame, app: &App) {
    draw_views(frame, app);
    if app.theme.ascii {
        to_ascii(frame.buffer_mut());
    }
}

/// With `--ascii`, every cell is made ASCII, repository text (titles, notes) included: the
/// glyphs were chosen ASCII already; this catches punctuation and anything else.
fn to_ascii(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        if !cell.symbol().is_ascii() {
            let plain = crate::render::glyphs::ascii_cell(cell.symbol());
            cell.set_symbol(&plain);
        }
    }
}

fn draw_views(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if geometry::too_small((area.width, area.height)) {
        too_small(frame, app, area);
        return;
    }
    let areas = app.geometry().areas;
    chrome::header(frame, app, areas.header);
    chrome::tabs(frame, app, areas.tabs);
    let body = app.geometry().body;
    match app.view {
        View::Matrix => matrix::draw(frame, app, body.list()),
        View::Gaps | View::Stale => findings::draw(frame, app, body.list()),
        View::Agenda if app.recent.on_card => since::draw(frame, app, body.list()),
        View::Agenda => agenda::draw(frame, app, body.list()),
        View::Scorecard => scorecard::draw(frame, app, body.list()),
    }
    match body {
        Body::List(_) => {}
        Body::Split { detail, .. } => detail::draw(frame, app, detail, false),
        Body::Popup { popup, .. } => detail::draw(frame, app, popup, true),
    }
    if let Some(r) = areas.status {
        chrome::status(frame, app, r);
    }
    if let Some(r) = areas.input {
        chrome::input(frame, app, r);
    }
    chrome::footer(frame, app, areas.footer);
    if let Some(scroll) = app.overlay.help() {
        help::draw(frame, app, areas.body, scroll);
    }
    if let Some(view) = app.overlay.diff() {
        diff::draw(frame, app, areas.body, view);
    }
    form::draw(frame, app, areas.body);
}

fn too_small(frame: &mut Frame, app: &App, area: Rect) {
    let text = vec![
        Line::styled("handoff", app.theme.style(Role::Title)),
        Line::raw(format!("The terminal is {}×{}.", area.width, area.height)),
        Line::raw(format!(
            "It needs at least {MIN_WIDTH}×{MIN_HEIGHT}: make it larger, or press q to quit."
        )),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// A bordered block with a title, in the theme's border style.
fn block<'a>(app: &App, title: Span<'a>) -> Block<'a> {
    let set = if app.theme.ascii {
        ratatui::symbols::border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        }
    } else {
        ratatui::symbols::border::PLAIN
    };
    Block::default()
        .borders(Borders::ALL)
        .border_set(set)
        .border_style(app.theme.style(Role::Border))
        .title(title)
}

/// Clears an overlay's area before it is drawn over the view beneath.
fn overlay(frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
}
