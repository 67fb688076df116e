//! `handoff review`: what changed in the handoff over an interval, as text, JSON, Markdown or
//! HTML. Every piece of repository text is escaped for its format.

use serde_json::{Value, json};

use super::escape::{html, md};
use crate::core::analysis::{Finding, date};
use crate::core::text::sanitize;
use crate::engine::as_of::CommitPoint;
use crate::engine::review::{ChangeKind, FindingEvent, Review, RuleChange};
use crate::engine::trend::WeekCount;
use crate::engine::waiting::Turnaround;

/// Version of the JSON document; raised when a field changes meaning or goes away.
pub(crate) const JSON_VERSION: u32 = 1;

fn commit_json(c: &CommitPoint) -> Value {
    json!({
        "commit": c.change.commit,
        "time": c.committed.to_string(),
        "author": c.change.author_email,
        "author_name": c.change.author_name,
        "summary": c.change.summary,
    })
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "artifact": f.artifact,
        "code": f.code.as_str(),
        "severity": f.severity.as_str(),
        "roles": f.roles,
        "message": f.message,
    })
}

fn event_json(e: &FindingEvent) -> Value {
    let mut v = finding_json(&e.finding);
    v["commit"] = e.commit.as_ref().map_or(Value::Null, commit_json);
    v
}

fn turnaround_json(t: &Turnaround) -> Value {
    json!({
        "name": t.name,
        "signoffs": t.signoffs,
        "median_seconds": t.median_seconds,
        "p90_seconds": t.p90_seconds,
    })
}

/// A wait as people read it: `5h`, `3.2d`.
fn span(seconds: i64) -> String {
    if seconds < 86_400 {
        format!("{}h", seconds / 3600)
    } else {
        format!("{:.1}d", seconds as f64 / 86_400.0)
    }
}

fn turnaround_line(t: &Turnaround) -> String {
    format!(
        "{}: median {}, p90 {} ({} sign-off{})",
        t.name,
        span(t.median_seconds),
        span(t.p90_seconds),
        t.signoffs,
        if t.signoffs == 1 { "" } else { "s" }
    )
}

fn change_name(kind: &ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Renamed { .. } => "renamed",
        ChangeKind::Changed => "changed",
    }
}

pub(crate) fn json(r: &Review) -> String {
    let doc = json!({
        "version": JSON_VERSION,
        "since": commit_json(&r.since),
        "since_review": r.since_review.as_ref().map(|p| json!({
            "at": p.at.to_string(),
            "by": p.by,
            "attendees": p.attendees,
            "note": p.note,
        })),
        "until": commit_json(&r.until),
        "now": r.now.to_string(),
        "commits": r.commits,
        "opened": r.opened.iter().map(event_json).collect::<Vec<_>>(),
        "closed": r.closed.iter().map(event_json).collect::<Vec<_>>(),
        "scorecard_rules": r.rules.iter().map(|c| json!({
            "rule": c.rule,
            "from": c.from.as_str(),
            "to": c.to.as_str(),
            "summary": c.summary,
            "commit": c.commit.as_ref().map_or(Value::Null, commit_json),
        })).collect::<Vec<_>>(),
        "signoffs": r.signoffs.iter().map(|s| json!({
            "artifact": s.artifact,
            "action": s.record.action.as_str(),
            "by": s.record.by,
            "role": s.record.role,
            "at": s.record.at.to_string(),
            "note": s.record.note,
            "commit": commit_json(&s.commit),
        })).collect::<Vec<_>>(),
        "artifacts": r.artifacts.iter().map(|a| json!({
            "artifact": a.artifact,
            "change": change_name(&a.kind),
            "location": a.location,
            "from": match &a.kind { ChangeKind::Renamed { from } => Some(from), _ => None },
            "lines_added": a.lines_added,
            "lines_removed": a.lines_removed,
        })).collect::<Vec<_>>(),
        "owners": r.owners.iter().map(|o| json!({
            "artifact": o.artifact,
            "from": o.from,
            "to": o.to,
            "commit": commit_json(&o.commit),
        })).collect::<Vec<_>>(),
        "waiting_on": r.waiting.open.iter().map(|w| json!({
            "artifact": w.artifact,
            "code": w.code.as_str(),
            "role": w.role,
            "people": w.people,
            "since": w.since.to_string(),
            "waited_seconds": w.waited_seconds,
        })).collect::<Vec<_>>(),
        "turnaround": {
            "window_start": r.waiting.window_start.map(|t| t.to_string()),
            "roles": r.waiting.by_role.iter().map(turnaround_json).collect::<Vec<_>>(),
            "people": r.waiting.by_person.iter().map(turnaround_json).collect::<Vec<_>>(),
        },
        "trend": r.trend.iter().map(|w| json!({
            "week_end": w.week_end.to_string(),
            "error": w.error,
            "warning": w.warning,
            "info": w.info,
        })).collect::<Vec<_>>(),
        "still_open": r.still_open.iter().map(|o| {
            let mut v = finding_json(&o.finding);
            v["since"] = json!(o.open_since.to_string());
            v["opened"] = o.opened.as_ref().map_or(Value::Null, commit_json);
            v
        }).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// `abc1234 by Dana, 2026-11-30`, or `time passed` for an event no commit made.
fn by_commit(c: Option<&CommitPoint>) -> String {
    match c {
        Some(c) => format!(
            "{} by {}, {}",
            &c.change.commit[..c.change.commit.len().min(7)],
            if c.change.author_name.is_empty() {
                &c.change.author_email
            } else {
                &c.change.author_name
            },
            date(c.committed)
        ),
        None => "time passed".to_string(),
    }
}

fn rule_line(c: &RuleChange) -> String {
    format!(
        "{} {} -> {}: {} ({})",
        c.rule,
        c.from.as_str(),
        c.to.as_str(),
        c.summary,
        by_commit(c.commit.as_ref())
    )
}

fn event_line(e: &FindingEvent) -> String {
    format!(
        "{} {} {}: {} ({})",
        e.finding.severity.as_str(),
        e.finding.artifact,
        e.finding.code.as_str(),
        e.finding.message,
        by_commit(e.commit.as_ref())
    )
}

/// The review's sections as (title, lines); shared by text and Markdown.
fn sections(r: &Review) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    out.push((
        format!("Findings opened ({})", r.opened.len()),
        r.opened.iter().map(event_line).collect(),
    ));
    out.push((
        format!("Findings closed ({})", r.closed.len()),
        r.closed.iter().map(event_line).collect(),
    ));
    if !r.rules.is_empty() {
        out.push((
            format!("Scorecard rules changed ({})", r.rules.len()),
            r.rules.iter().map(rule_line).collect(),
        ));
    }
    out.push((
        format!("Sign-offs ({})", r.signoffs.len()),
        r.signoffs
            .iter()
            .map(|s| {
                format!(
                    "{} {} by {} as {} ({})",
                    s.artifact,
                    s.record.action.as_str(),
                    s.record.by,
                    s.record.role,
                    by_commit(Some(&s.commit))
                )
            })
            .collect(),
    ));
    out.push((
        format!("Artifacts ({})", r.artifacts.len()),
        r.artifacts
            .iter()
            .map(|a| {
                let what = match &a.kind {
                    ChangeKind::Renamed { from } => format!("renamed from {from}"),
                    kind => change_name(kind).to_string(),
                };
                format!(
                    "{} {what}: {} (+{} -{})",
                    a.artifact, a.location, a.lines_added, a.lines_removed
                )
            })
            .collect(),
    ));
    out.push((
        format!("Owners changed ({})", r.owners.len()),
        r.owners
            .iter()
            .map(|o| {
                format!(
                    "{}: {} -> {} ({})",
                    o.artifact,
                    o.from.as_deref().unwrap_or("nobody"),
                    o.to.as_deref().unwrap_or("nobody"),
                    by_commit(Some(&o.commit))
                )
            })
            .collect(),
    ));
    out.push((
        format!("Waiting on, longest first ({})", r.waiting.open.len()),
        r.waiting
            .open
            .iter()
            .map(|w| {
                let people = if w.people.is_empty() {
                    "nobody".to_string()
                } else {
                    w.people.join(", ")
                };
                format!(
                    "{} {} ({}) for {}: {} (since {})",
                    w.role,
                    people,
                    w.code.as_str(),
                    w.artifact,
                    span(w.waited_seconds),
                    date(w.since),
                )
            })
            .collect(),
    ));
    let window = r
        .waiting
        .window_start
        .map_or(String::new(), |t| format!(" since {}", date(t)));
    out.push((
        format!("Turnaround by role{window} ({})", r.waiting.by_role.len()),
        r.waiting.by_role.iter().map(turnaround_line).collect(),
    ));
    out.push((
        format!(
            "Turnaround by person{window} ({})",
            r.waiting.by_person.len()
        ),
        r.waiting.by_person.iter().map(turnaround_line).collect(),
    ));
    out.push((
        format!("Still open, oldest first ({})", r.still_open.len()),
        r.still_open
            .iter()
            .map(|o| {
                format!(
                    "{} {} {}: {} (since {})",
                    o.finding.severity.as_str(),
                    o.finding.artifact,
                    o.finding.code.as_str(),
                    o.finding.message,
                    date(o.open_since)
                )
            })
            .collect(),
    ));
    out.push((
        format!("Open findings at each week's end ({})", r.trend.len()),
        r.trend.iter().map(week_line).collect(),
    ));
    out
}

/// `2026-11-22: 38 open (13 errors, 17 warnings, 8 info)`.
fn week_line(w: &WeekCount) -> String {
    format!(
        "{}: {} open ({})",
        date(w.week_end),
        w.open(),
        super::counts_words((w.error, w.warning, w.info), ", ")
    )
}

fn heading(r: &Review) -> String {
    format!(
        "Review of {} commit{} from {} ({}) to {}",
        r.commits,
        if r.commits == 1 { "" } else { "s" },
        &r.since.change.commit[..r.since.change.commit.len().min(7)],
        date(r.since.committed),
        date(r.now),
    )
}

/// The recorded review the interval starts from, as one line.
fn since_review_line(r: &Review) -> Option<String> {
    let p = r.since_review.as_ref()?;
    let mut line = format!("Since the review of {} recorded by {}", date(p.at), p.by);
    if !p.attendees.is_empty() {
        line.push_str(&format!(" (with {})", p.attendees.join(", ")));
    }
    if let Some(note) = &p.note {
        line.push_str(&format!(": {}", note.lines().collect::<Vec<_>>().join(" ")));
    }
    Some(line)
}

pub(crate) fn text(r: &Review) -> String {
    let mut out = format!("{}\n", sanitize(&heading(r)));
    if let Some(line) = since_review_line(r) {
        out.push_str(&format!("{}\n", sanitize(&line)));
    }
    for (title, lines) in sections(r) {
        out.push_str(&format!("\n{title}\n"));
        if lines.is_empty() {
            out.push_str("  none\n");
        }
        for line in lines {
            out.push_str(&format!("  {}\n", sanitize(&line)));
        }
    }
    out
}

pub(crate) fn markdown(r: &Review) -> String {
    let mut out = format!("# {}\n", md(&heading(r)));
    if let Some(line) = since_review_line(r) {
        out.push_str(&format!("\n{}\n", md(&line)));
    }
    for (title, lines) in sections(r) {
        out.push_str(&format!("\n## {}\n\n", md(&title)));
        if lines.is_empty() {
            out.push_str("None.\n");
        }
        for line in lines {
            out.push_str(&format!("- {}\n", md(&line)));
        }
    }
    out
}

pub(crate) fn html_page(r: &Review) -> String {
    let mut body = format!("<header><h1>{}</h1>\n", html(&heading(r)));
    if let Some(line) = since_review_line(r) {
        body.push_str(&format!("<p class=\"lede\">{}</p>\n", html(&line)));
    }
    body.push_str("</header>\n<main>\n");
    let sections = sections(r);
    let trend_at = sections.len() - 1;
    for (at, (title, lines)) in sections.into_iter().enumerate() {
        body.push_str(&format!("<h2>{}</h2>\n", html(&title)));
        if at == trend_at {
            // The trend, the last section, as a chart above its numbers.
            body.push_str(&super::trend_chart::svg(&r.trend));
        }
        if lines.is_empty() {
            body.push_str("<p class=\"lede\">None.</p>\n");
            continue;
        }
        body.push_str("<ul>\n");
        for line in lines {
            body.push_str(&format!("<li>{}</li>\n", html(&line)));
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</main>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html(&heading(r)),
        super::report_html::STYLE
    )
}
