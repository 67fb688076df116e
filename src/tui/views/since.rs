//! Present mode's first card, before the agenda: what changed since the last recorded review
//! (the findings opened and closed, the sign-offs given), so the meeting starts where the last
//! one ended.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::core::analysis::{ago, date};
use crate::core::text::{sanitize, truncate_with};
use crate::engine::as_of::CommitPoint;
use crate::engine::review::{FindingEvent, Review, is_revoke};
use crate::tui::action::{Action, Context};
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let items = app.agenda.items.len();
    let next = if items == 0 {
        "Nothing is on the agenda after this card.".to_string()
    } else {
        format!(
            "Then the agenda: {items} item{} ({} for the first).",
            if items == 1 { "" } else { "s" },
            app.keymap
                .keys_for(Context::Agenda, Action::Next)
                .first()
                .map_or_else(|| "next".to_string(), |k| k.label(t.ascii))
        )
    };
    let mut lines = vec![
        ("  Since the last review".to_string(), Role::Title),
        (format!("  {next}"), Role::Muted),
        (String::new(), Role::Text),
    ];
    match &app.recent.read {
        None => lines.push(("  Reading the history…".into(), Role::Pending)),
        Some(Err(why)) => lines.push((
            format!("  Cannot read the history: {}", sanitize(why)),
            Role::Warning,
        )),
        Some(Ok(recent)) => match &recent.since_last_review {
            None => lines.push((
                "  No review is recorded yet: `handoff review --record` at the end of this meeting starts the next one's card.".into(),
                Role::Muted,
            )),
            Some(review) => lines.extend(changes(app, review, area)),
        },
    }
    let cols = area.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|(text, role)| Line::styled(truncate_with(&text, cols, t.ellipsis()), t.style(role)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// Who made a change and when: `Lee, 2026-11-18`, or `time passed`.
fn by(c: Option<&CommitPoint>) -> String {
    match c {
        Some(c) if !c.change.author_name.is_empty() => {
            format!("{}, {}", c.change.author_name, date(c.committed))
        }
        Some(c) => format!("{}, {}", c.change.author_email, date(c.committed)),
        None => "time passed".into(),
    }
}

/// The three lists, each cut to its share of the height with how many more it holds.
fn changes(app: &App, r: &Review, area: Rect) -> Vec<(String, Role)> {
    let t = &app.theme;
    let mut lines = Vec::new();
    if let Some(p) = &r.since_review {
        let mut said = format!(
            "  {} ({}), recorded by {}",
            date(p.at),
            ago(r.now, p.at),
            p.by
        );
        if let Some(note) = &p.note {
            said.push_str(&format!(": {}", note.lines().collect::<Vec<_>>().join(" ")));
        }
        lines.push((sanitize(&said), Role::Text));
        lines.push((String::new(), Role::Text));
    }
    let event = |glyph: &str, e: &FindingEvent| {
        format!(
            "    {glyph} {} {} ({})",
            e.finding.artifact,
            e.finding.code,
            by(e.commit.as_ref())
        )
    };
    let opened: Vec<(String, Role)> = r
        .opened
        .iter()
        .map(|e| {
            let role = match e.finding.severity {
                crate::core::model::Severity::Error => Role::Error,
                crate::core::model::Severity::Warning => Role::Warning,
                crate::core::model::Severity::Info => Role::Info,
            };
            (event(t.severity_glyph(e.finding.severity), e), role)
        })
        .collect();
    let closed: Vec<(String, Role)> = r
        .closed
        .iter()
        .map(|e| (event(t.ok_glyph(), e), Role::Ok))
        .collect();
    let signed: Vec<(String, Role)> = r
        .signoffs
        .iter()
        .map(|s| {
            let verb = if is_revoke(&s.record) {
                "revoked"
            } else {
                s.record.action.as_str()
            };
            (
                format!(
                    "    {} {verb} by {} as {} ({})",
                    s.artifact,
                    s.record.by,
                    s.record.role,
                    by(Some(&s.commit))
                ),
                Role::Text,
            )
        })
        .collect();
    // What is left of the height after the lines above, the three headings and the blank
    // lines between, shared out evenly.
    let used = 3 + lines.len() + 3 + 2;
    let share = ((area.height as usize).saturating_sub(used) / 3).max(1);
    let sections = [
        (format!("Opened ({})", opened.len()), opened),
        (format!("Closed ({})", closed.len()), closed),
        (format!("Signed ({})", signed.len()), signed),
    ];
    for (k, (title, entries)) in sections.into_iter().enumerate() {
        if k > 0 {
            lines.push((String::new(), Role::Text));
        }
        lines.push((format!("  {title}"), Role::Muted));
        if entries.is_empty() {
            lines.push(("    none".into(), Role::Muted));
        }
        let shown = if entries.len() > share {
            share - 1
        } else {
            entries.len()
        };
        let more = entries.len() - shown;
        for (text, role) in entries.into_iter().take(shown) {
            lines.push((sanitize(&text), role));
        }
        if more > 0 {
            lines.push((
                format!("    and {more} more (handoff review --since last-review)"),
                Role::Muted,
            ));
        }
    }
    lines
}
