//! The one-page handoff status as a single self-contained HTML file: inline CSS, no scripts,
//! nothing fetched (a Content-Security-Policy says so to the browser too), every piece of
//! repository text escaped. Severity is shown by colour *and* by word; cells carry their
//! glyph and relation letter, so the page reads the same in black and white.

use super::escape::{html, html_message};
use super::{Status, counts_text, fails, head_text, role_title};
use crate::core::analysis::{CellState, Finding, date};
use crate::core::model::Severity;
use crate::engine::Snapshot;
use crate::engine::trend::WeekCount;
use crate::render::glyphs::state_glyph;
use crate::render::glyphs::state_words;

pub(crate) const STYLE: &str = r#"
:root {
  color-scheme: light;
  --fg: #1d2433; --muted: #5b6472; --line: #d9dee7; --bg: #ffffff; --head: #f6f7f9; --zebra: #fafbfc;
  --err: #a8200d; --err-bg: #fde3df; --warn: #8a4b06; --warn-bg: #fdf0c8;
  --info: #1849a9; --info-bg: #dbeafe; --ok: #05603a; --ok-bg: #d9f5e4;
  --na: #5b6472; --na-bg: #eef0f3;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding-left: 28px; padding-right: 28px; }
header { padding-top: 28px; padding-bottom: 12px; border-bottom: 1px solid var(--line); }
.eyebrow { margin: 0; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 2px 0 4px; font-size: 28px; line-height: 1.25; }
h2 { margin: 34px 0 4px; font-size: 20px; }
h2 .count { font-weight: 500; color: var(--muted); }
.meta, .lede, .legend, footer { color: var(--muted); }
.meta { margin: 0; }
.lede { margin: 0 0 12px; }
.description { max-width: 75ch; margin: 10px 0 0; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0 8px; padding: 0; list-style: none; }
.summary li { padding: 5px 14px; border-radius: 999px; font-weight: 600; }
.summary .verdict { border: 2px solid currentColor; background: transparent; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--head); border-bottom: 2px solid var(--line); font-weight: 600; }
tbody tr:nth-child(even) { background: var(--zebra); }
tbody th { font-weight: 500; }
code { padding: 0 4px; border-radius: 4px; background: var(--na-bg); font-size: .9em;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.matrix thead th.role { text-align: center; font-size: 13px; line-height: 1.3; min-width: 88px; }
.matrix thead th.role code { display: block; margin-top: 2px; background: none; color: var(--muted); font-size: 11px; font-weight: 400; }
.matrix tbody th { min-width: 15em; }
.matrix tbody th code { margin-left: 6px; font-size: 12px; color: var(--muted); background: none; white-space: nowrap; }
.matrix td.cell { text-align: center; white-space: nowrap; font-weight: 600;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.matrix td.cell .glyph { display: inline-block; min-width: 1.1em; }
td.current, .legend .current { background: var(--ok-bg); color: var(--ok); }
td.changed, .legend .changed { background: var(--err-bg); color: var(--err); }
td.upstream, .legend .upstream { background: var(--warn-bg); color: var(--warn); }
td.never, .legend .never { background: #fbe9e7; color: var(--err); }
td.notrequired, .legend .notrequired { background: var(--na-bg); color: var(--na); }
.legend { margin: 10px 0 0; font-size: 13px; }
.legend span { display: inline-block; margin: 2px 10px 2px 0; padding: 1px 8px; border-radius: 4px; }
.legend .plain { padding: 0; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; white-space: nowrap; }
.sev-error { background: var(--err-bg); color: var(--err); }
.sev-warning { background: var(--warn-bg); color: var(--warn); }
.sev-info { background: var(--info-bg); color: var(--info); }
.sev-ok { background: var(--ok-bg); color: var(--ok); }
.findings td:nth-child(-n+3), .signoffs td:nth-child(-n+5) { width: 1%; white-space: nowrap; }
.findings .fix { margin-top: 3px; color: var(--muted); }
.none { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; padding-top: 12px; padding-bottom: 28px; border-top: 1px solid var(--line); font-size: 13px; }
@media print {
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding-left: 0; padding-right: 0; }
  .scroll { overflow: visible; }
  thead { display: table-header-group; }
  tr, .summary li { break-inside: avoid; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn badge(severity: Option<Severity>) -> String {
    match severity {
        Some(s) => format!("<span class=\"badge sev-{s}\">{s}</span>"),
        None => "<span class=\"badge sev-ok\">ok</span>".to_string(),
    }
}

fn state_class(state: CellState) -> &'static str {
    match state {
        CellState::Unrelated => "",
        CellState::Current => "current",
        CellState::ChangedSinceSignoff => "changed",
        CellState::UpstreamChanged => "upstream",
        CellState::NeverSigned => "never",
        CellState::NotRequired => "notrequired",
    }
}

fn matrix(s: &Snapshot) -> String {
    let m = &s.report.matrix;
    let mut out = String::from(
        "<div class=\"scroll\"><table class=\"matrix\" id=\"matrix-table\">\n<thead><tr><th scope=\"col\">Artifact</th>",
    );
    for role in &m.roles {
        let title = role_title(s, role);
        if title == role {
            out.push_str(&format!(
                "<th scope=\"col\" class=\"role\">{}</th>",
                html(role)
            ));
        } else {
            out.push_str(&format!(
                "<th scope=\"col\" class=\"role\">{}<code>{}</code></th>",
                html(title),
                html(role)
            ));
        }
    }
    out.push_str("<th scope=\"col\">Worst</th></tr></thead>\n<tbody>\n");
    // Looked up once per column, not once per cell.
    let titles: Vec<&str> = m.roles.iter().map(|r| role_title(s, r)).collect();
    for row in &m.rows {
        let title = s
            .artifact(&row.artifact)
            .map_or(row.artifact.as_str(), |a| a.display_name());
        out.push_str(&format!("<tr><th scope=\"row\">{}", html(title)));
        if title != row.artifact {
            out.push_str(&format!("<code>{}</code>", html(&row.artifact)));
        }
        out.push_str("</th>");
        for (cell, title) in row.cells.iter().zip(&titles) {
            if cell.state == CellState::Unrelated {
                out.push_str("<td class=\"cell\"></td>");
                continue;
            }
            let relation = match cell.relation().as_str() {
                "" => String::new(),
                r => r.replace('+', " and "),
            };
            let tooltip = format!("{title}: {relation}, {}", state_words(cell.state));
            out.push_str(&format!(
                "<td class=\"cell {}\" title=\"{}\">{}<span class=\"glyph\">{}</span></td>",
                state_class(cell.state),
                html(&tooltip),
                cell.relation_letter(),
                state_glyph(cell.state, false)
            ));
        }
        out.push_str(&format!("<td>{}</td></tr>\n", badge(row.worst)));
    }
    out.push_str("</tbody></table></div>\n<p class=\"legend\"><span class=\"plain\"><b>O</b> owner · <b>R</b> reviewer or required sign-off · <b>C</b> consumer</span><br>");
    for state in CellState::LEGEND {
        out.push_str(&format!(
            "<span class=\"{}\">{} {}</span>",
            state_class(state),
            state_glyph(state, false),
            state_words(state)
        ));
    }
    out.push_str("</p>\n");
    out
}

fn findings(id: &str, title: &str, lede: &str, list: &[&Finding]) -> String {
    let mut out = format!(
        "<section id=\"{id}\">\n<h2>{title} <span class=\"count\">({})</span></h2>\n<p class=\"lede\">{lede}</p>\n",
        list.len()
    );
    if list.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n</section>\n");
        return out;
    }
    out.push_str("<table class=\"findings\">\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Artifact</th><th scope=\"col\">Finding</th><th scope=\"col\">What is wrong, and the fix</th></tr></thead>\n<tbody>\n");
    for f in list {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}<div class=\"fix\">→ {}</div></td></tr>\n",
            badge(Some(f.severity)),
            html(f.subject()),
            f.code,
            html_message(&f.message),
            html_message(&f.fix)
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    out
}

/// The scorecard's rules, pass or fail, with what would make each pass; nothing without one.
fn scorecard(card: &crate::core::analysis::Scorecard) -> String {
    use crate::core::analysis::RuleState;
    if card.results.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"scorecard\">\n<h2>Scorecard <span class=\"count\">({})</span></h2>\n<p class=\"lede\">The team's checklist, rule by rule.</p>\n",
        card.score()
    );
    out.push_str("<table class=\"findings\">\n<thead><tr><th scope=\"col\">State</th><th scope=\"col\">Rule</th><th scope=\"col\">What was found, and what would make it pass</th></tr></thead>\n<tbody>\n");
    for r in &card.results {
        let state = match r.state {
            RuleState::Pass => "<span class=\"badge sev-ok\">pass</span>".to_string(),
            RuleState::Fail => badge(Some(r.severity)),
            RuleState::Pending => "pending".to_string(),
        };
        let fix = r
            .fix
            .as_deref()
            .map(|f| format!("<div class=\"fix\">→ {}</div>", html_message(f)))
            .unwrap_or_default();
        out.push_str(&format!(
            "<tr><td>{state}</td><td><code>{}</code></td><td>{}{fix}</td></tr>\n",
            html(&r.name),
            html_message(&r.summary)
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    out
}

fn signoffs(status: &Status) -> String {
    let mut out = String::from(
        "<section id=\"signoffs\">\n<h2>Recent sign-offs</h2>\n<p class=\"lede\">The newest records of the ledger, across all artifacts.</p>\n",
    );
    if status.recent_signoffs.is_empty() {
        out.push_str("<p class=\"none\">None recorded yet.</p>\n</section>\n");
        return out;
    }
    out.push_str("<table class=\"signoffs\">\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Artifact</th><th scope=\"col\">Who</th><th scope=\"col\">Role</th><th scope=\"col\">Action</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n");
    for (artifact, r) in &status.recent_signoffs {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            date(r.at),
            html(artifact),
            html(&r.by),
            html(&r.role),
            r.action,
            r.note.as_deref().map(html).unwrap_or_default()
        ));
    }
    out.push_str("</tbody></table>\n</section>\n");
    out
}

/// The trend chart, when there is history to draw.
fn trend_section(trend: &[WeekCount]) -> String {
    let (Some(first), Some(last)) = (trend.first(), trend.last()) else {
        return String::new();
    };
    format!(
        "<section id=\"trend\">\n<h2>Trend</h2>\n<p class=\"lede\">Open findings at the end of each week from {} to {}, as committed.</p>\n{}</section>\n",
        date(first.week_end),
        date(last.week_end),
        super::trend_chart::svg(trend)
    )
}

/// The whole page.
pub(crate) fn report(s: &Snapshot, status: &Status, trend: &[WeekCount]) -> String {
    let name = s.index.name.as_deref().unwrap_or("handoff");
    let (errors, warnings, infos) = s.report.counts();
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Belt and braces: the page fetches nothing, and the browser is told to refuse if it tried.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str(&format!(
        "<meta name=\"generator\" content=\"handoff {}\">\n<title>Handoff status — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        html(name)
    ));
    out.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">Handoff status</p>\n<h1>{}</h1>\n<p class=\"meta\">{} · {} · {}</p>\n",
        html(name),
        html(&head_text(s)),
        date(s.now),
        crate::core::text::count(s.index.artifacts.len(), "artifact")
    ));
    if let Some((email, roles)) = &status.person {
        out.push_str(&format!(
            "<p class=\"person\">For {} ({}): what these roles must do.</p>\n",
            html(email),
            html(&roles.join(", "))
        ));
    }
    if let Some(d) = &s.index.description {
        out.push_str(&format!(
            "<p class=\"description\">{}</p>\n",
            html(d.trim())
        ));
    }
    let plural = |n: usize, word: &str| {
        if n == 1 || word == "info" {
            format!("<strong>{n}</strong> {word}")
        } else {
            format!("<strong>{n}</strong> {word}s")
        }
    };
    let (verdict_class, verdict) = if fails(s, Severity::Error) {
        ("sev-error", "CI gate: fails (errors present)")
    } else {
        ("sev-ok", "CI gate: passes (no errors)")
    };
    out.push_str(&format!(
        "<ul class=\"summary\" aria-label=\"{}\">\n<li class=\"sev-error\">{}</li>\n<li class=\"sev-warning\">{}</li>\n<li class=\"sev-info\">{}</li>\n<li class=\"verdict {verdict_class}\">{verdict}</li>\n</ul>\n</header>\n<main>\n",
        html(&counts_text(s)),
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(infos, "info"),
    ));
    out.push_str("<section id=\"matrix\">\n<h2>Ownership matrix</h2>\n<p class=\"lede\">Who owns, reviews and reads each artifact, and where each role's sign-off stands.</p>\n");
    out.push_str(&matrix(s));
    out.push_str("</section>\n");
    out.push_str(&trend_section(trend));
    out.push_str(&scorecard(&s.report.scorecard));
    out.push_str(&findings(
        "gaps",
        "Gaps",
        "What the handoff lacks.",
        &status.gaps,
    ));
    out.push_str(&findings(
        "stale",
        "Stale",
        "What was right and no longer is.",
        &status.stale,
    ));
    out.push_str(&signoffs(status));
    out.push_str(&format!(
        "</main>\n<footer>Generated by handoff {} on {} from handoff.yaml and the sign-off ledger. Run <code>handoff check</code> for every finding with its location.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        date(s.now)
    ));
    out
}
