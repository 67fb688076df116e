//! The Gaps and Stale lists: findings grouped by severity, oldest problem first within a
//! group, each saying what is wrong, since when, and what would fix it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::analysis::{Finding, ago};
use crate::core::model::Severity;
use crate::core::text::{sanitize, truncate, width, wrap};
use crate::tui::app::{App, View};
use crate::tui::theme::Role;

fn heading(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Info",
    }
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(list) = app.list() else {
        return;
    };
    let (items, cursor) = (&list.items, list.cursor);
    if items.is_empty() {
        let what = if app.view == View::Gaps {
            "gaps"
        } else {
            "stale items"
        };
        let msg = if app.filter.is_empty() && !app.mine {
            format!("{} No {what}.", t.ok_glyph())
        } else {
            format!("No {what} among what the filter shows.")
        };
        frame.render_widget(Paragraph::new(Line::styled(msg, t.style(Role::Ok))), area);
        return;
    }
    let report = &app.snap.report;
    let h = app.geometry().finding_height as usize;
    let w = area.width as usize;
    let top = cursor.offset;
    let bottom = top + area.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut line_no = 0usize;
    let mut previous: Option<Severity> = None;
    // Walks line numbers without building lines outside the window.
    for (pos, &i) in items.iter().enumerate() {
        if line_no >= bottom {
            break;
        }
        let f = report.finding(i);
        if previous != Some(f.severity) {
            previous = Some(f.severity);
            if line_no >= top {
                let count = items[pos..]
                    .iter()
                    .take_while(|&&j| report.finding(j).severity == f.severity)
                    .count();
                let total_in_group = count
                    + items[..pos]
                        .iter()
                        .rev()
                        .take_while(|&&j| report.finding(j).severity == f.severity)
                        .count();
                lines.push(Line::styled(
                    format!(
                        "{} {} ({total_in_group})",
                        t.severity_glyph(f.severity),
                        heading(f.severity)
                    ),
                    t.severity(f.severity),
                ));
            }
            line_no += 1;
        }
        let start = line_no;
        if start + h > top && start < bottom {
            let item = item_lines(app, f, pos == cursor.selected, w);
            for (k, l) in item.into_iter().enumerate() {
                let n = start + k;
                if n >= top && n < bottom {
                    lines.push(l);
                }
            }
        }
        line_no += h;
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `fix` word-wrapped under a 4-column indent to `w` columns, in exactly `n` lines: blank
/// ones after a short fix, the last cut with `…` after a long one.
fn fix_lines_of(fix: &str, w: usize, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = wrap(fix, w.saturating_sub(4), 2)
        .into_iter()
        .map(|l| format!("    {l}"))
        .collect();
    if lines.len() > n {
        let rest = lines.split_off(n);
        let last = lines.pop().unwrap_or_default();
        let joined = std::iter::once(last)
            .chain(rest.iter().map(|l| l.trim().to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(truncate(&joined, w));
    }
    lines.resize(n, String::new());
    lines
}

/// One finding as lines: what and where; what is wrong; what would fix it.
fn item_lines(app: &App, f: &Finding, selected: bool, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let base = if selected {
        t.style(Role::Selection)
    } else {
        Style::default()
    };
    let since = f
        .since
        .map(|s| format!("since {}", ago(app.snap.now, s)))
        .unwrap_or_default();
    let role = f
        .role
        .as_deref()
        .map(|r| format!("  {}", sanitize(r)))
        .unwrap_or_default();
    let head = format!(
        "  {} {}  {}{role}",
        t.severity_glyph(f.severity),
        sanitize(f.subject()),
        f.code
    );
    let gap = w.saturating_sub(width(&head) + width(&since) + 1);
    let mut first = vec![
        Span::styled("  ".to_string(), base),
        Span::styled(
            format!("{} ", t.severity_glyph(f.severity)),
            base.patch(t.severity(f.severity)),
        ),
        Span::styled(sanitize(f.subject()), base.patch(t.style(Role::Title))),
        Span::styled(format!("  {}", f.code), base.patch(t.severity(f.severity))),
        Span::styled(role, base),
    ];
    if gap > 0 {
        first.push(Span::styled(" ".repeat(gap), base));
        first.push(Span::styled(since, base.patch(t.style(Role::Muted))));
    }
    let message = truncate(&format!("    {}", sanitize(&f.message)), w);
    let pad = |s: String| {
        let n = w.saturating_sub(width(&s));
        format!("{s}{}", " ".repeat(n))
    };
    let mut out = vec![Line::from(first), Line::styled(pad(message), base)];
    // The fix wraps as the detail pane's does, onto as many lines as the list gives every
    // finding, the last cut with `…`.
    let fix_lines = app.geometry().finding_height as usize - 2 - usize::from(app.options.present);
    for l in fix_lines_of(&format!("{} {}", t.arrow(), sanitize(&f.fix)), w, fix_lines) {
        out.push(Line::styled(pad(l), base.patch(t.style(Role::Key))));
    }
    if app.options.present {
        out.push(Line::raw(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fix_lines_of;

    #[test]
    fn a_fix_wraps_under_its_arrow_and_is_cut_with_an_ellipsis_past_its_lines() {
        let fix = "→ review it and bring it up to date, or allow longer: `handoff set --kind runbook max_age <duration>`";
        assert_eq!(
            fix_lines_of(fix, 40, 2),
            vec![
                "    → review it and bring it up to date,",
                "      or allow longer: `handoff set --k…",
            ]
        );
        assert_eq!(
            fix_lines_of("→ commit it", 40, 2),
            vec!["    → commit it", ""]
        );
    }
}
