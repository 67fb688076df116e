//! The detail of one artifact: what it is, who owns, reviews and reads it, where it sits in
//! the dependency graph, what git says, its sign-off history, its findings with their fixes,
//! and the first lines of its document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::core::analysis::{CellState, MatrixRow, ago, date, short};
use crate::core::model::{Action, Artifact, ArtifactFacts, History, Status, Target};
use crate::core::text::{sanitize, truncate_with, width, wrap};
use crate::engine::Snapshot;
use crate::render::glyphs::{state_glyph, state_words};
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
    let lines = lines(app, artifact, area.width.saturating_sub(2) as usize);
    let scroll = app.overlay.detail.unwrap_or(0);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
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

/// `text` wrapped to `cols` with every line indented by `indent`, in one style.
fn wrapped(text: &str, cols: usize, indent: usize, style: Style) -> Vec<Line<'static>> {
    wrap(&sanitize(text), cols.saturating_sub(indent), 0)
        .into_iter()
        .map(|l| Line::styled(format!("{}{l}", " ".repeat(indent)), style))
        .collect()
}

/// What every section of the detail reads.
struct Ctx<'a> {
    t: &'a Theme,
    s: &'a Snapshot,
    a: &'a Artifact,
    facts: Option<&'a ArtifactFacts>,
    row: &'a MatrixRow,
    /// The artifacts related to this one by links.
    related: &'a [String],
    cols: usize,
}

/// Everything the detail says about one artifact, as lines no wider than `cols`.
pub fn lines(app: &App, artifact_index: usize, cols: usize) -> Vec<Line<'static>> {
    let s = &app.snap;
    let a = &s.index.artifacts[artifact_index];
    let related = app.related_of(artifact_index);
    let c = Ctx {
        t: &app.theme,
        s,
        a,
        facts: s.facts.of(&a.id),
        row: &s.report.matrix.rows[artifact_index],
        related: &related,
        cols,
    };
    let mut out: Vec<Line<'static>> = Vec::new();
    identity(&c, &mut out);
    people(&c, &mut out);
    if !a.target.is_url() {
        git_facts(&c, &mut out);
    }
    governed(&c, &mut out);
    findings(&c, &mut out);
    signoffs(&c, &mut out);
    document(&c, &mut out);
    // Wrapped text already fits; anything else too wide is cut visibly, not by the edge.
    out.into_iter()
        .map(|l| fit(l, cols, app.theme.ellipsis()))
        .collect()
}

/// `line` cut to `cols` columns, ending with `ellipsis` where it was cut.
fn fit(line: Line<'static>, cols: usize, ellipsis: &str) -> Line<'static> {
    if line.width() <= cols {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = width(&span.content);
        if used + w <= cols.saturating_sub(width(ellipsis)) {
            used += w;
            spans.push(span);
            continue;
        }
        let cut = truncate_with(&span.content, cols - used, ellipsis);
        spans.push(Span::styled(cut, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}

/// A role with where its sign-off stands, then its people on the lines below.
fn role_lines(c: &Ctx, name: &str, role: &str) -> Vec<Line<'static>> {
    let (t, s) = (c.t, c.s);
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
    let mut spans = vec![styled(role.to_string(), t.style(Role::Title))];
    if let Some(cell) = s
        .index
        .roles
        .iter()
        .position(|r| r.id == role)
        .map(|i| c.row.cells[i])
    {
        spans.push(Span::styled(
            format!(
                "  {} {}",
                state_glyph(cell.state, t.ascii),
                state_words(cell.state)
            ),
            t.cell(cell.state),
        ));
    }
    let mut lines = vec![field(t, name, spans)];
    lines.extend(wrapped(&people, c.cols, 12, t.style(Role::Muted)));
    lines
}

/// A comma-separated list after a field name, wrapped under the value column.
fn list_field(c: &Ctx, name: &str, items: Vec<&str>) -> Vec<Line<'static>> {
    let value = if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    };
    let mut wrapped_lines = wrap(&sanitize(&value), c.cols.saturating_sub(12), 0).into_iter();
    let mut lines = vec![field(
        c.t,
        name,
        vec![Span::raw(wrapped_lines.next().unwrap_or_default())],
    )];
    lines.extend(wrapped_lines.map(|l| Line::raw(format!("{}{l}", " ".repeat(12)))));
    lines
}

/// Title, description, kind, and where the artifact lives.
fn identity(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let (t, a) = (c.t, c.a);
    out.extend(wrapped(a.display_name(), c.cols, 0, t.style(Role::Title)));
    if let Some(d) = &a.description {
        out.extend(wrapped(d, c.cols, 0, Style::default()));
    }
    out.push(field(
        t,
        "kind",
        vec![text(a.kind.clone().unwrap_or_else(|| "none".into()))],
    ));
    if let Some(status) = status_text(a) {
        out.extend(list_field(c, "status", vec![&status]));
    }
    let (where_name, where_value) = match &a.target {
        Target::Url(u) => ("url", u.as_str()),
        Target::Glob(g) => ("glob", g.as_str()),
        Target::Path(p) => ("path", p.as_str()),
    };
    out.extend(list_field(c, where_name, vec![where_value]));
    if let Some(f) = c.facts
        && !f.matches.is_empty()
    {
        out.extend(list_field(
            c,
            "matches",
            f.matches.iter().map(String::as_str).collect(),
        ));
    }
    out.push(Line::raw(""));
}

/// The lifecycle status when it is not the default: "superseded by adr-0003", "frozen".
fn status_text(a: &Artifact) -> Option<String> {
    match (&a.status, &a.superseded_by) {
        (Status::Active, _) => None,
        (Status::Superseded, Some(successor)) => Some(format!("superseded by {successor}")),
        (status, _) => Some(status.as_str().to_string()),
    }
}

/// Owner, required sign-offs, consumers, and the artifacts up and down the graph.
fn people(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let (t, s, a) = (c.t, c.s, c.a);
    match &a.owner {
        Some(owner) => out.extend(role_lines(c, "owner", owner)),
        None => out.push(field(
            t,
            "owner",
            vec![Span::styled("none", t.style(Role::Error))],
        )),
    }
    for (n, role) in s.index.required_signers(a).iter().enumerate() {
        out.extend(role_lines(c, if n == 0 { "sign-off" } else { "" }, role));
    }
    if !a.consumers.is_empty() {
        out.extend(list_field(
            c,
            "consumers",
            a.consumers.iter().map(String::as_str).collect(),
        ));
    }
    out.extend(list_field(
        c,
        "upstream",
        a.depends_on.iter().map(String::as_str).collect(),
    ));
    out.extend(list_field(
        c,
        "downstream",
        s.index
            .downstream_of(&a.id)
            .map(|d| d.id.as_str())
            .collect(),
    ));
    let related = c.related;
    if !related.is_empty() {
        out.extend(list_field(
            c,
            "related",
            related.iter().map(String::as_str).collect(),
        ));
    }
    out.push(Line::raw(""));
}

/// What git says: fingerprint, last change, uncommitted state.
fn git_facts(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let t = c.t;
    let Some(f) = c.facts else {
        out.push(field(
            t,
            "git",
            vec![Span::styled("reading…", t.style(Role::Pending))],
        ));
        out.push(Line::raw(""));
        return;
    };
    let fp = match (&f.fingerprint, f.exists) {
        (Some(fp), _) => short(Some(fp)),
        (None, false) => "none (it does not exist)".into(),
        (None, true) => "none".into(),
    };
    out.push(field(t, "fingerprint", vec![text(fp)]));
    let change = match &f.history {
        History::Pending => {
            vec![Span::styled("reading history…", t.style(Role::Pending))]
        }
        History::Changed(ch) => vec![
            text(format!("{} ", &ch.commit[..8.min(ch.commit.len())])),
            styled(ch.author_name.clone(), t.style(Role::Title)),
            text(format!(", {}", ago(c.s.now, ch.time))),
        ],
        History::NeverCommitted => vec![text("never committed")],
        History::BeyondShallowBoundary => {
            vec![text("unknown: beyond the shallow clone's history")]
        }
    };
    out.push(field(t, "last change", change));
    if let History::Changed(ch) = &f.history {
        out.extend(wrapped(
            &format!("{} “{}”", date(ch.time), ch.summary),
            c.cols,
            12,
            t.style(Role::Muted),
        ));
    }
    content_change(c, f, out);
    let (word, style) = if f.uncommitted {
        (
            "yes: the working copy differs from HEAD",
            t.style(Role::Warning),
        )
    } else {
        ("no", t.style(Role::Muted))
    };
    out.push(field(t, "uncommitted", vec![Span::styled(word, style)]));
    out.push(Line::raw(""));
}

/// The paths it governs, with what each matches now, and when they drifted since the
/// approval the commits behind it, newest first.
fn governed(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let (t, s, a) = (c.t, c.s, c.a);
    let entries = s.index.governs_of(a);
    if entries.is_empty() {
        return;
    }
    let matched = c.facts.and_then(|f| f.governed.as_ref());
    let described: Vec<String> = entries
        .iter()
        .map(|entry| {
            let count = matched
                .and_then(|g| g.globs.iter().find(|(glob, _)| glob == entry))
                .map(|(_, n)| match n {
                    0 => " (matches nothing)".to_string(),
                    1 => " (1 match)".to_string(),
                    n => format!(" ({n} matches)"),
                })
                .unwrap_or_default();
            format!("{entry}{count}")
        })
        .collect();
    out.extend(list_field(
        c,
        "governs",
        described.iter().map(String::as_str).collect(),
    ));
    let drift = crate::core::analysis::drift_commits(&s.report, &s.facts, &a.id);
    if !drift.is_empty() {
        let count = match drift.len() {
            1 => "1 commit since the approval".to_string(),
            n => format!("{n} commits since the approval"),
        };
        out.push(field(
            t,
            "drift",
            vec![Span::styled(count, t.style(Role::Warning))],
        ));
        for change in drift {
            out.extend(wrapped(
                &format!(
                    "{} {} {}: {}",
                    &change.commit[..8.min(change.commit.len())],
                    date(change.time),
                    change.author_name,
                    change.summary
                ),
                c.cols,
                12,
                t.style(Role::Muted),
            ));
        }
    }
    out.push(Line::raw(""));
}

/// The last change of content, when it is not the last change: the age rules count from it,
/// so the reader sees why a file touched last week is still aged.
fn content_change(c: &Ctx, f: &ArtifactFacts, out: &mut Vec<Line<'static>>) {
    let t = c.t;
    let Some(content) = &f.content else { return };
    let ch = &content.change;
    if f.history.last_change().map(|l| &l.commit) == Some(&ch.commit) && content.path.is_none() {
        return;
    }
    out.push(field(
        t,
        "content",
        vec![
            text(format!("{} ", &ch.commit[..8.min(ch.commit.len())])),
            styled(ch.author_name.clone(), t.style(Role::Title)),
            text(format!(", {}", ago(c.s.now, ch.time))),
        ],
    ));
    let was = content
        .path
        .as_ref()
        .map(|p| format!(" (as {p})"))
        .unwrap_or_default();
    out.extend(wrapped(
        &format!(
            "{} “{}”{was}; newer commits only renamed it or were mechanical",
            date(ch.time),
            ch.summary
        ),
        c.cols,
        12,
        t.style(Role::Muted),
    ));
}

/// The findings with their fixes.
fn findings(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let t = c.t;
    let findings = c.s.report.findings_of(&c.a.id);
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
        let role = f
            .role
            .as_deref()
            .map(|r| format!("  {}", sanitize(r)))
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} {}", t.severity_glyph(f.severity), f.code),
                t.severity(f.severity),
            ),
            Span::styled(role, t.style(Role::Muted)),
        ]));
        out.extend(wrapped(&f.message, c.cols, 4, Style::default()));
        // Hanging under the arrow, as the Gaps and Stale lists wrap it.
        out.extend(
            wrap(
                &sanitize(&format!("{} {}", t.arrow(), f.fix)),
                c.cols.saturating_sub(4),
                2,
            )
            .into_iter()
            .map(|l| Line::styled(format!("    {l}"), t.style(Role::Key))),
        );
    }
    out.push(Line::raw(""));
}

/// The sign-off history, newest first, with notes.
fn signoffs(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let t = c.t;
    let records = c.s.ledger.of(&c.a.id);
    out.push(Line::styled(
        format!("Sign-offs ({}), newest first", records.len()),
        t.style(Role::Header),
    ));
    if records.is_empty() {
        out.push(Line::styled("  none yet", t.style(Role::Muted)));
    }
    let current = c.facts.and_then(|f| f.fingerprint.as_deref());
    for r in records.iter().rev().take(HISTORY_RECORDS) {
        let fp = match (r.action, r.fingerprint.as_deref()) {
            (Action::Approve, Some(fp)) if Some(fp) == current => {
                format!("{} {}", short(Some(fp)), t.ok_glyph())
            }
            (Action::Approve, Some(fp)) => {
                format!(
                    "{} {}",
                    short(Some(fp)),
                    state_glyph(CellState::ChangedSinceSignoff, t.ascii)
                )
            }
            _ => String::new(),
        };
        out.push(Line::from(vec![
            styled(format!("  {}  ", date(r.at)), t.style(Role::Muted)),
            styled(format!("{:<11} ", r.action.as_str()), t.style(Role::Title)),
            text(format!("{} ", r.role)),
            styled(fp, t.style(Role::Muted)),
        ]));
        out.extend(wrapped(&r.by, c.cols, 15, t.style(Role::Muted)));
        if let Some(note) = &r.note {
            out.extend(wrapped(
                &format!("“{note}”"),
                c.cols,
                15,
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
}

/// The first lines of the document.
fn document(c: &Ctx, out: &mut Vec<Line<'static>>) {
    let t = c.t;
    let Some(doc) = c.facts.and_then(|f| f.documents.first()) else {
        return;
    };
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
