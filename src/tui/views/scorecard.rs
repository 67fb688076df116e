//! The Scorecard view: each rule of the index's scorecard, pass or fail, with what is behind
//! it and what would make it pass (what `handoff scorecard` prints).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::analysis::{RuleState, Scorecard};
use crate::core::text::{sanitize, width, wrap};
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};

/// `text` wrapped to `cols`, its first line after `first`, the others under it.
fn wrapped(out: &mut Vec<Line<'static>>, first: &str, text: &str, cols: usize, style: Style) {
    let indent = width(first);
    for (i, line) in wrap(&sanitize(text), cols.saturating_sub(indent), 0)
        .into_iter()
        .enumerate()
    {
        let lead = if i == 0 {
            first.to_string()
        } else {
            " ".repeat(indent)
        };
        out.push(Line::styled(format!("{lead}{line}"), style));
    }
}

/// The lines of the view, wrapped to `cols`.
fn lines(card: &Scorecard, t: &Theme, cols: usize) -> Vec<Line<'static>> {
    if card.results.is_empty() {
        return vec![
            Line::raw(""),
            Line::styled(
                "  No scorecard: declare rules under `scorecard:` in handoff.yaml.".to_string(),
                t.style(Role::Muted),
            ),
        ];
    }
    let mut out = Vec::new();
    for r in &card.results {
        let (mark, style) = match r.state {
            RuleState::Pass => (format!("{} pass", t.ok_glyph()), t.style(Role::Ok)),
            RuleState::Fail => (
                format!("{} fail", t.severity_glyph(r.severity)),
                t.severity(r.severity),
            ),
            RuleState::Pending => ("… pending".to_string(), t.style(Role::Pending)),
        };
        out.push(Line::from(vec![
            Span::styled(format!(" {mark:<7} "), style),
            Span::styled(sanitize(&r.name), t.style(Role::Title)),
            Span::styled(
                format!("  {} · {}", r.rule_type, r.severity),
                t.style(Role::Muted),
            ),
        ]));
        let pad = "         ";
        if let Some(d) = &r.description {
            wrapped(&mut out, pad, d, cols, t.style(Role::Muted));
        }
        wrapped(&mut out, pad, &r.summary, cols, t.style(Role::Text));
        for e in &r.evidence {
            wrapped(&mut out, "           · ", e, cols, t.style(Role::Text));
        }
        if let Some(fix) = &r.fix {
            wrapped(&mut out, "         → ", fix, cols, t.style(Role::Key));
        }
        out.push(Line::raw(""));
    }
    out
}

/// The most the view scrolls: its last line at the bottom of the list's area.
pub(crate) fn max_scroll(app: &App) -> usize {
    let area = app.geometry().body.list();
    let count = lines(&app.snap.report.scorecard, &app.theme, area.width as usize).len();
    count.saturating_sub(area.height as usize)
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let lines = lines(&app.snap.report.scorecard, &app.theme, area.width as usize);
    let most = lines.len().saturating_sub(area.height as usize);
    let scroll = app
        .scorecard_scroll
        .min(u16::try_from(most).unwrap_or(u16::MAX));
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}
