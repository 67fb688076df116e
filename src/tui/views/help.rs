//! The help screen, generated from the keymap table (so it always says what the keys do),
//! plus the glyph legend, the finding codes and any configuration problems.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::core::analysis::CellState;
use crate::core::model::FindingCode;
use crate::core::model::finding::Category;
use crate::render::glyphs::{state_glyph, state_words};
use crate::tui::app::App;
use crate::tui::geometry::centered;
use crate::tui::theme::Role;

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out: Vec<Line<'static>> = Vec::new();
    if !app.problems.is_empty() {
        out.push(Line::styled("Configuration problems", t.style(Role::Error)));
        for p in &app.problems {
            out.push(Line::raw(format!("  {p}")));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::styled(
        format!(
            "Keys (keymap: {}; override in ~/.config/handoff/keymap.yaml)",
            app.keymap.preset
        ),
        t.style(Role::Header),
    ));
    for (context, rows) in app.keymap.help_sections(t.ascii) {
        out.push(Line::styled(
            format!("  {}", context.title()),
            t.style(Role::Title),
        ));
        for (keys, help) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("    {keys:<22}"), t.style(Role::Key)),
                Span::raw(help),
            ]));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Matrix cells", t.style(Role::Header)));
    out.push(Line::raw(
        "    O owner · R reviewer or required sign-off · C consumer, then the state:",
    ));
    for state in CellState::LEGEND {
        out.push(Line::from(vec![
            Span::styled(
                format!("    {}  ", state_glyph(state, t.ascii)),
                t.cell(state),
            ),
            Span::raw(state_words(state)),
        ]));
    }
    for category in [Category::Gap, Category::Stale] {
        out.push(Line::raw(""));
        let title = if category == Category::Gap {
            "Gaps: what the handoff lacks"
        } else {
            "Stale: what was right and is no longer"
        };
        out.push(Line::styled(title, t.style(Role::Header)));
        for code in FindingCode::ALL.iter().filter(|c| c.category() == category) {
            let sev = code.default_severity();
            out.push(Line::from(vec![
                Span::styled(
                    format!("    {} {:<22}", t.severity_glyph(sev), code.as_str()),
                    t.severity(sev),
                ),
                Span::raw(code.summary()),
            ]));
        }
    }
    out
}

pub fn draw(frame: &mut Frame, app: &App, body: Rect, scroll: u16) {
    let area = centered(body, 90, 92);
    super::overlay(frame, area);
    let block = super::block(app, Span::styled(" Help ", app.theme.style(Role::Title)));
    frame.render_widget(
        Paragraph::new(lines(app))
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll(app, body)), 0)),
        area,
    );
}

/// How far the help scrolls in `body`: until its last line is at the bottom, no further.
pub(crate) fn max_scroll(app: &App, body: Rect) -> u16 {
    let area = centered(body, 90, 92);
    let (inner_w, inner_h) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
    let total = Paragraph::new(lines(app))
        .wrap(Wrap { trim: false })
        .line_count(inner_w);
    u16::try_from(total)
        .unwrap_or(u16::MAX)
        .saturating_sub(inner_h)
}
