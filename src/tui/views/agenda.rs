//! The review agenda of present mode: one open finding at a time, large and plain, with who
//! must act and what would fix it, for a weekly review on a shared screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::analysis::agenda::overdue_of;
use crate::core::analysis::ago;
use crate::core::text::{sanitize, wrap};
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let items = &app.agenda.items;
    let Some(&i) = items.get(app.agenda.at) else {
        let line = Line::styled(
            format!(
                "  {} Nothing on the agenda: no open findings.",
                t.ok_glyph()
            ),
            t.style(Role::Ok),
        );
        frame.render_widget(Paragraph::new(vec![Line::raw(""), line]), area);
        return;
    };
    let f = app.snap.report.finding(i);
    let artifact = app.snap.index.artifact(&f.artifact);
    let heading = match artifact {
        Some(a) => format!(
            "{} ({}) · {}",
            a.display_name(),
            f.artifact,
            a.target.as_str()
        ),
        // The handoff's own finding (a scorecard rule unmet) names its rule, in handoff.yaml.
        None if f.artifact.is_empty() => format!(
            "The handoff as a whole · scorecard rule `{}` · {}",
            f.rule.as_deref().unwrap_or_default(),
            f.file
        ),
        None => format!("{0} ({0}) · ", f.artifact),
    };
    let who = match &f.role {
        Some(_) => f
            .roles
            .iter()
            .map(|role| {
                let people = app
                    .snap
                    .index
                    .role(role)
                    .map(|r| {
                        if r.people.is_empty() {
                            "nobody is in this role".to_string()
                        } else {
                            r.people.join(", ")
                        }
                    })
                    .unwrap_or_default();
                format!("{role} — {people}")
            })
            .collect::<Vec<_>>()
            .join("; "),
        None if f.artifact.is_empty() => {
            "a lead: the rule is about the handoff as a whole, no one artifact's owner".to_string()
        }
        None => match artifact.and_then(|a| a.owner.clone()) {
            Some(owner) => format!("the owner, {owner}"),
            None => "a lead: the artifact has no owner".to_string(),
        },
    };
    let since = f
        .since
        .map(|s| format!(" · since {}", ago(app.snap.now, s)))
        .unwrap_or_default();
    let cols = area.width as usize;
    let section = |name: &'static str| Line::styled(format!("  {name}"), t.style(Role::Muted));
    // Paragraphs wrapped under their heading, so long messages keep their indent.
    // `hang`: continuation lines indent further (a fix hangs under its arrow, as in the lists).
    let hanging = |s: &str, hang: usize, style| -> Vec<Line<'static>> {
        wrap(&sanitize(s), cols.saturating_sub(4), hang)
            .into_iter()
            .map(|l| Line::styled(format!("    {l}"), style))
            .collect()
    };
    let body = |s: &str, style| hanging(s, 0, style);
    // Whose turn it is: the person, how much waits on them, and where this card stands.
    let (person, place_line) = match app.agenda.person_at() {
        Some((person, k)) => {
            let n = person.cards.len();
            (
                format!(
                    "  {} — {n} item{}{}",
                    sanitize(&person.label()),
                    if n == 1 { "" } else { "s" },
                    match person.shared_earlier {
                        0 => String::new(),
                        k => format!(" · {k} more listed above"),
                    }
                ),
                format!(
                    "  Item {} of {n} · {} of {} on the agenda",
                    k + 1,
                    app.agenda.at + 1,
                    items.len()
                ),
            )
        }
        None => (
            String::new(),
            format!("  Item {} of {}", app.agenda.at + 1, items.len()),
        ),
    };
    let mut lines = vec![
        Line::styled(person, t.style(Role::Title)),
        Line::styled(place_line, t.style(Role::Muted)),
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                format!(
                    "  {} {} ",
                    t.severity_glyph(f.severity),
                    f.severity.as_str().to_uppercase()
                ),
                t.severity(f.severity),
            ),
            Span::styled(format!(" {}", f.code), t.severity(f.severity)),
            Span::styled(since, t.style(Role::Muted)),
        ]),
    ];
    lines.extend(body(&heading, t.style(Role::Title)));
    lines.push(Line::raw(""));
    lines.push(section("What is wrong"));
    lines.extend(body(&f.message, t.style(Role::Text)));
    if let Some(overdue) = overdue_of(app.snap.report.findings_of(&f.artifact), f) {
        lines.extend(body(
            &format!("Overdue: {}", overdue.message),
            t.severity(overdue.severity),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(section("Who acts"));
    lines.extend(body(&who, t.style(Role::Text)));
    lines.push(Line::raw(""));
    lines.push(section("What would fix it"));
    lines.extend(hanging(
        &format!("{} {}", t.arrow(), f.fix),
        2,
        t.style(Role::Key),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}
