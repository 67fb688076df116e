//! The detail of one artifact: what it is, who owns, reviews and reads it, where it sits in
//! the dependency graph, what git says, its sign-off history, its findings with their fixes,
//! and the first lines of its document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::matrix::state_words;
use crate::analysis::{ago, date, short};
use crate::glyphs::state_glyph;
use crate::model::{Action, History, Target};
use crate::text::sanitize;
use crate::tui::app::App;
use crate::tui::theme::{Role, Theme};

/// Lines of the document shown at the end of the detail.
const PREVIEW_LINES: usize = 12;
/// Sign-off records shown, newest first.
const HISTORY_RECORDS: usize = 12;

pub fn draw(frame: &mut Frame, app: &App, area: Rect, popup: bool) {
    let Some(artifact) = app.selected_artifact() else {
        return;
    };
    if popup {
        super::overlay(frame, area);
    }
    let id = &app.snap.index.artifacts[artifact].id;
    let title = format!(" {} ", sanitize(id));
    let block = super::block(app, Span::styled(title, app.theme.style(Role::Title)));
    let lines = lines(app, artifact);
    let scroll = app.detail.unwrap_or(0);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn field<'a>(t: &Theme, name: &str, value: Vec<Span<'a>>) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{name:<12}"), t.style(Role::Muted))];
    spans.extend(value);
    Line::from(spans)
}

fn text<'a>(s: impl Into<String>) -> Span<'a> {
    Span::raw(sanitize(&s.into()))
}

fn styled<'a>(s: impl Into<String>, style: Style) -> Span<'a> {
    Span::styled(sanitize(&s.into()), style)
}

/// Everything the detail says about one artifact, as lines.
pub fn lines(app: &App, artifact_index: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let s = &app.snap;
    let a = &s.index.artifacts[artifact_index];
    let facts = s.facts.of(&a.id);
    let row = &s.report.matrix.rows[artifact_index];
    let cell_of = |role: &str| {
        s.index
            .roles
            .iter()
            .position(|r| r.id == role)
            .map(|i| row.cells[i])
    };
    let role_span = |role: &str| -> Vec<Span<'static>> {
        let people = s
            .index
            .role(role)
            .map(|r| {
                if r.people.is_empty() {
                    "nobody".to_string()
                } else {
                    r.people.join(", ")
                }
            })
            .unwrap_or_default();
        let mut out = vec![styled(role.to_string(), t.style(Role::Title))];
        if let Some(cell) = cell_of(role) {
            out.push(Span::raw(" "));
            out.push(Span::styled(
                format!(
                    "{} {}",
                    state_glyph(cell.state, t.ascii),
                    state_words(cell.state)
                ),
                t.cell(cell.state),
            ));
        }
        out.push(styled(format!(" · {people}"), t.style(Role::Muted)));
        out
    };

    let mut out: Vec<Line<'static>> = Vec::new();
    out.push(Line::from(vec![styled(
        a.display_name().to_string(),
        t.style(Role::Title),
    )]));
    if let Some(d) = &a.description {
        out.push(Line::from(text(d.clone())));
    }
    let kind = a.kind.clone().unwrap_or_else(|| "none".into());
    out.push(field(t, "kind", vec![text(kind)]));
    let (where_name, where_value) = match &a.target {
        Target::Url(u) => ("url", u.clone()),
        Target::Glob(g) => ("glob", g.clone()),
        Target::Path(p) => ("path", p.clone()),
    };
    out.push(field(t, where_name, vec![text(where_value)]));
    if let Some(f) = facts
        && !f.matches.is_empty()
    {
        let shown: Vec<&str> = f.matches.iter().take(6).map(String::as_str).collect();
        let more = if f.matches.len() > 6 {
            format!(" … {} more", f.matches.len() - 6)
        } else {
            String::new()
        };
        out.push(field(
            t,
            "matches",
            vec![text(format!("{}{more}", shown.join(", ")))],
        ));
    }
    out.push(Line::raw(""));

    match &a.owner {
        Some(owner) => out.push(field(t, "owner", role_span(owner))),
        None => out.push(field(
            t,
            "owner",
            vec![Span::styled("none", t.style(Role::Error))],
        )),
    }
    let signers = s.index.required_signers(a);
    for (n, role) in signers.iter().enumerate() {
        out.push(field(
            t,
            if n == 0 { "sign-off" } else { "" },
            role_span(role),
        ));
    }
    if !a.consumers.is_empty() {
        out.push(field(t, "consumers", vec![text(a.consumers.join(", "))]));
    }
    let upstream = if a.depends_on.is_empty() {
        "none".to_string()
    } else {
        a.depends_on.join(", ")
    };
    out.push(field(t, "upstream", vec![text(upstream)]));
    let downstream: Vec<&str> = s
        .index
        .downstream_of(&a.id)
        .map(|d| d.id.as_str())
        .collect();
    out.push(field(
        t,
        "downstream",
        vec![text(if downstream.is_empty() {
            "none".to_string()
        } else {
            downstream.join(", ")
        })],
    ));
    out.push(Line::raw(""));

    if !a.target.is_url() {
        match facts {
            None => out.push(field(
                t,
                "git",
                vec![Span::styled("reading…", t.style(Role::Pending))],
            )),
            Some(f) => {
                let fp = match (&f.fingerprint, f.exists) {
                    (Some(fp), _) => short(Some(fp)),
                    (None, false) => "— (does not exist)".into(),
                    (None, true) => "—".into(),
                };
                out.push(field(t, "fingerprint", vec![text(fp)]));
                let change = match &f.history {
                    History::Pending => {
                        vec![Span::styled("reading history…", t.style(Role::Pending))]
                    }
                    History::Changed(c) => vec![
                        text(format!("{} ", &c.commit[..8.min(c.commit.len())])),
                        styled(c.author_name.clone(), t.style(Role::Title)),
                        text(format!(", {} ({})", ago(s.now, c.time), date(c.time))),
                    ],
                    History::NeverCommitted => vec![text("never committed")],
                    History::BeyondShallowBoundary => {
                        vec![text("beyond the shallow clone's history: unknown")]
                    }
                };
                out.push(field(t, "last change", change));
                if let History::Changed(c) = &f.history {
                    out.push(field(
                        t,
                        "",
                        vec![styled(format!("“{}”", c.summary), t.style(Role::Muted))],
                    ));
                }
                let (word, style) = if f.uncommitted {
                    (
                        "yes: the working copy differs from HEAD",
                        t.style(Role::Warning),
                    )
                } else {
                    ("no", t.style(Role::Muted))
                };
                out.push(field(t, "uncommitted", vec![Span::styled(word, style)]));
            }
        }
        out.push(Line::raw(""));
    }

    let findings = s.report.findings_of(&a.id);
    out.push(Line::styled(
        format!("Findings ({})", findings.len()),
        t.style(Role::Header),
    ));
    if findings.is_empty() {
        out.push(Line::styled(
            format!("  {} nothing to do", t.ok_glyph()),
            t.style(Role::Ok),
        ));
    }
    for f in findings {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} {}", t.severity_glyph(f.severity), f.code),
                t.severity(f.severity),
            ),
            styled(format!("  {}", f.message), Style::default()),
        ]));
        out.push(Line::styled(
            format!("    {} {}", t.arrow(), sanitize(&f.fix)),
            t.style(Role::Key),
        ));
    }
    out.push(Line::raw(""));

    let records = s.ledger.of(&a.id);
    out.push(Line::styled(
        format!("Sign-offs ({})", records.len()),
        t.style(Role::Header),
    ));
    if records.is_empty() {
        out.push(Line::styled("  none yet", t.style(Role::Muted)));
    }
    let current = facts.and_then(|f| f.fingerprint.as_deref());
    for r in records.iter().rev().take(HISTORY_RECORDS) {
        let matches_now = match (r.action, r.fingerprint.as_deref()) {
            (Action::Approve, Some(fp)) if Some(fp) == current => format!(" {}", t.ok_glyph()),
            (Action::Approve, Some(_)) => format!(
                " {}",
                state_glyph(crate::analysis::CellState::ChangedSinceSignoff, t.ascii)
            ),
            _ => String::new(),
        };
        let mut line = vec![
            styled(format!("  {}  ", date(r.at)), t.style(Role::Muted)),
            styled(format!("{:<11} ", r.action.as_str()), t.style(Role::Title)),
            text(format!("{} as {}", r.by, r.role)),
        ];
        if let Some(fp) = &r.fingerprint {
            line.push(styled(
                format!("  {}{matches_now}", short(Some(fp))),
                t.style(Role::Muted),
            ));
        }
        out.push(Line::from(line));
        if let Some(note) = &r.note {
            out.push(Line::styled(
                format!("      “{}”", sanitize(note)),
                t.style(Role::Muted),
            ));
        }
    }
    if records.len() > HISTORY_RECORDS {
        out.push(Line::styled(
            format!("  … {} older", records.len() - HISTORY_RECORDS),
            t.style(Role::Muted),
        ));
    }

    if let Some(doc) = facts.and_then(|f| f.documents.first()) {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("Document · {}", sanitize(&doc.path)),
            t.style(Role::Header),
        ));
        match &doc.text {
            Some(body) => {
                for l in body.lines().take(PREVIEW_LINES) {
                    out.push(Line::styled(
                        format!("  {}", sanitize(l)),
                        t.style(Role::Muted),
                    ));
                }
            }
            None => out.push(Line::styled(
                "  (not shown: not UTF-8 text, or too large)",
                t.style(Role::Muted),
            )),
        }
    }
    out
}
