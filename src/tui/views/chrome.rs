//! The frame around every view: header, tabs, status line, filter input and key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::model::Severity;
use crate::core::text::{sanitize, truncate, width};
use crate::tui::app::{App, View};
use crate::tui::theme::Role;

/// Repository, branch and HEAD on the left; counts per severity on the right, each with its
/// glyph and word.
pub fn header(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let head = &app.snap.facts.head;
    let at = match (&head.branch, &head.commit) {
        (Some(b), Some(c)) => format!("{} @ {}", sanitize(b), &c[..7.min(c.len())]),
        (None, Some(c)) => format!("detached @ {}", &c[..7.min(c.len())]),
        (Some(b), None) => format!("{} (no commits)", sanitize(b)),
        (None, None) => "no commits".into(),
    };
    let mut right: Vec<Span> = Vec::new();
    if !app.loading.finished && app.loading.total > 0 {
        let done = app.loading.worktree_done.min(app.loading.total);
        let what = if done < app.loading.total {
            format!("reading files {done}/{}", app.loading.total)
        } else {
            format!(
                "reading history {}/{}",
                app.loading.history_done.min(app.loading.total),
                app.loading.total
            )
        };
        right.push(Span::styled(format!("{what}  "), t.style(Role::Pending)));
    }
    // The open findings at each week's end, once the history is read and where there is room.
    let trend = app.trend();
    if trend.len() >= 2 && area.width >= 100 {
        let open: Vec<usize> = trend.iter().map(|w| w.open()).collect();
        right.push(Span::styled(
            format!("trend {}  ", sparkline(&open, t.ascii)),
            t.style(Role::Muted),
        ));
    }
    // "scorecard 4/7": rules passing of rules declared, when the index has a scorecard and
    // the header has room for it beside the handoff's name.
    let card = &app.snap.report.scorecard;
    if !card.results.is_empty() && area.width >= 80 {
        let all_pass = card.passed() == card.results.len();
        let style = if all_pass {
            t.style(Role::Ok)
        } else {
            t.style(Role::Muted)
        };
        right.push(Span::styled(format!("scorecard {}  ", card.score()), style));
    }
    for s in Severity::ALL {
        let n = app.severity_count(s);
        let word = match (s, n == 1, area.width >= 100) {
            (Severity::Error, true, true) => " error",
            (Severity::Error, false, true) => " errors",
            (Severity::Warning, true, true) => " warning",
            (Severity::Warning, false, true) => " warnings",
            (Severity::Info, _, true) => " info",
            _ => "",
        };
        right.push(Span::styled(
            format!("{} {n}{word}", t.severity_glyph(s)),
            t.severity(s),
        ));
        right.push(Span::raw("  "));
    }
    let right_w: usize = right.iter().map(|s| width(&s.content)).sum();
    let name = app
        .snap
        .index
        .name
        .as_deref()
        .map(sanitize)
        .unwrap_or_else(|| sanitize(&app.options.title));
    let left_budget = (area.width as usize).saturating_sub(right_w + 2);
    let mut left = vec![
        Span::styled(" handoff ", t.style(Role::TabActive)),
        Span::raw(" "),
    ];
    // The branch and HEAD always show; the handoff's name gives way first.
    let name_budget = left_budget.saturating_sub(10 + width(&at) + 2);
    left.push(Span::styled(
        truncate(&name, name_budget),
        t.style(Role::Header),
    ));
    left.push(Span::styled(format!("  {at}"), t.style(Role::Muted)));
    let used: usize = left.iter().map(|s| width(&s.content)).sum();
    let gap = (area.width as usize).saturating_sub(used + right_w);
    left.push(Span::raw(" ".repeat(gap)));
    left.extend(right);
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

/// One character per value, its height in proportion to the largest (ASCII: `_.-=^`).
fn sparkline(values: &[usize], ascii: bool) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    const PLAIN: [char; 5] = ['_', '.', '-', '=', '^'];
    let ramp: &[char] = if ascii { &PLAIN } else { &BLOCKS };
    let top = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| ramp[(v * (ramp.len() - 1)).div_ceil(top)])
        .collect()
}

/// The views, the current one highlighted, with their counts; the active filter on the right.
pub fn tabs(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans: Vec<Span> = Vec::new();
    for v in app.views() {
        let count = match v {
            View::Matrix => format!(" {}", app.matrix.rows.len()),
            View::Gaps => format!(" {}", app.gaps.items.len()),
            View::Stale => format!(" {}", app.stale.items.len()),
            View::Agenda => format!(" {}", app.agenda.items.len()),
            View::Scorecard => format!(" {}", app.snap.report.scorecard.score()),
        };
        let style = if *v == app.view {
            t.style(Role::TabActive)
        } else {
            t.style(Role::Tab)
        };
        spans.push(Span::styled(format!(" {}{count} ", v.title()), style));
        spans.push(Span::raw(" "));
    }
    let mut right = Vec::new();
    if !app.filter.is_empty() {
        right.push(format!("/{}", sanitize(&app.filter.text)));
    }
    if app.mine {
        right.push(format!("mine: {}", app.my_roles().join(",")));
    }
    if app.options.present {
        right.push("present · read-only".into());
    }
    let right = right.join("  ");
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let budget = (area.width as usize).saturating_sub(used + 1);
    if !right.is_empty() && budget > 4 {
        let r = truncate(&right, budget);
        spans.push(Span::raw(" ".repeat(budget - width(&r))));
        spans.push(Span::styled(r, t.style(Role::Key)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The banner, or the status with "committing…" before it while a commit runs.
pub fn status(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let committing = app.committing.is_some().then_some(COMMITTING);
    let (text, style) = match (&app.banner, &app.status, committing) {
        (Some(b), _, _) => (b.clone(), t.style(Role::BannerError)),
        (None, Some(s), Some(c)) => (format!("{c} · {s}"), t.style(Role::Banner)),
        (None, Some(s), None) => (s.clone(), t.style(Role::Banner)),
        (None, None, Some(c)) => (c.to_string(), t.style(Role::Banner)),
        (None, None, None) => return,
    };
    let text = truncate(&format!(" {}", sanitize(&text)), area.width as usize);
    let pad = " ".repeat((area.width as usize).saturating_sub(width(&text)));
    frame.render_widget(
        Paragraph::new(Line::styled(format!("{text}{pad}"), style)),
        area,
    );
}

/// What the status line says while a commit runs.
pub(crate) const COMMITTING: &str = "committing… (the repository's hooks may take a moment)";

pub fn input(frame: &mut Frame, app: &App, area: Rect) {
    let Some(text) = app.overlay.filter_text() else {
        return;
    };
    let t = &app.theme;
    let shown = format!("/{}", sanitize(text));
    let counts = format!(
        "   {} of {} · ",
        app.matrix.rows.len(),
        app.snap.index.artifacts.len()
    );
    // A qualified word that names nothing is the likeliest reason for an empty list: say it
    // where the eye already is, instead of the reminder of what can be typed.
    let problems = app.filter.problems(&app.snap.index);
    let tail = if problems.is_empty() {
        Span::styled("role: person: code: kind: sev:", t.style(Role::Muted))
    } else {
        Span::styled(sanitize(&problems.join("; ")), t.style(Role::Warning))
    };
    let line = Line::from(vec![
        Span::styled(shown.clone(), t.style(Role::Title)),
        Span::styled("▏", t.style(Role::Key)),
        Span::styled(counts, t.style(Role::Muted)),
        tail,
    ]);
    frame.render_widget(Paragraph::new(line), area);
    frame.set_cursor_position((
        area.x + width(&shown).min(area.width as usize - 1) as u16,
        area.y,
    ));
}

/// The keys that act here, generated from the keymap, as many as fit. Switching views,
/// filtering, help and quit always show, at the end: from them a newcomer finds everything
/// else. Present mode, being read-only, advertises no editing key.
pub fn footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let hints = app
        .keymap
        .hints(app.context(), t.ascii, app.options.present);
    let (mut last, first): (Vec<_>, Vec<_>) = hints
        .into_iter()
        .partition(|(_, hint)| matches!(*hint, "view" | "filter" | "help" | "quit"));
    last.sort_by_key(|(_, hint)| {
        ["view", "filter", "quit", "help"]
            .iter()
            .position(|h| h == hint)
    });
    let w = |(keys, hint): &(String, &str)| width(keys) + 1 + width(hint) + 2;
    let reserved: usize = last.iter().map(w).sum();
    let mut used = 1 + reserved;
    let mut shown = Vec::new();
    for h in first {
        if used + w(&h) > area.width as usize {
            break;
        }
        used += w(&h);
        shown.push(h);
    }
    shown.extend(last);
    let mut spans = vec![Span::raw(" ")];
    for (keys, hint) in shown {
        spans.push(Span::styled(keys, t.style(Role::Key)));
        spans.push(Span::styled(format!(" {hint}  "), t.style(Role::Muted)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparklines_rise_with_the_values_and_zero_is_the_lowest_mark() {
        assert_eq!(sparkline(&[0, 4, 8, 2], false), "▁▅█▃");
        assert_eq!(sparkline(&[0, 4, 8, 2], true), "_-^.");
        assert_eq!(sparkline(&[0, 0], false), "▁▁");
    }
}
