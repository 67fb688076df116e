//! The diff view: what changed since a sign-off, one row per line with the signed and the
//! current line number, a `+`/`-` gutter and the theme's colours.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::content_diff::LineKind;
use crate::core::text::sanitize;
use crate::tui::app::App;
use crate::tui::diff_view::{DiffView, Row, file_title};
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, app: &App, body: Rect, view: &DiffView) {
    super::overlay(frame, body);
    let t = &app.theme;
    let title = format!(" What changed · {} ", sanitize(&view.artifact));
    let block = super::block(app, Span::styled(title, t.style(Role::Title)));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let rows = view.rows();
    let lines: Vec<Line> = rows
        .iter()
        .skip(view.scroll)
        .take(inner.height as usize)
        .map(|row| match row {
            Row::Heading(text) => Line::styled(text.clone(), t.style(Role::Header)),
            Row::File(file) => Line::styled(sanitize(&file_title(file)), t.style(Role::Title)),
            Row::Hunk(header) => Line::styled(sanitize(header), t.style(Role::Info)),
            Row::Note(text) => Line::styled(sanitize(text), t.style(Role::Muted)),
            Row::Blank => Line::raw(""),
            Row::Line(line) => {
                let number = |n: Option<u32>| n.map_or(String::new(), |n| n.to_string());
                let gutter = format!("{:>5} {:>5} ", number(line.old), number(line.new));
                let style = match line.kind {
                    LineKind::Added => t.style(Role::Current),
                    LineKind::Removed => t.style(Role::Error),
                    LineKind::Context => t.style(Role::Text),
                };
                Line::from(vec![
                    Span::styled(gutter, t.style(Role::Muted)),
                    Span::styled(
                        format!("{}{}", line.kind.mark(), sanitize(&line.text)),
                        style,
                    ),
                ])
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
