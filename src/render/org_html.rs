//! `handoff org --format html`: the organisation on one static page for a scheduled CI job to
//! publish. The style of the one-page report ([`super::report_html`]); no scripts, nothing
//! fetched, every piece of repository text escaped; severity by colour and by word.

use super::escape::html;
use super::org::{cell_text, checked_text, summary_text, waiting_words, worst_text};
use crate::core::analysis::date;
use crate::core::org::{Org, OrgCell, waiting};
use crate::render::report_html::STYLE;

/// What the org page adds to the report's style.
const ORG_STYLE: &str = r#"
.org td.cell { text-align: center; white-space: nowrap; font-weight: 600; }
td.sev-error, td.sev-warning, td.sev-info, td.sev-ok { border-radius: 0; }
td.absent { color: var(--muted); text-align: center; }
tr.stale th, tr.stale td.checked { color: var(--warn); }
.stale-mark { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 999px;
  background: var(--warn-bg); color: var(--warn); font-size: 11px; font-weight: 700; }
.duties li { margin: 2px 0; }
pre.load-error { margin: 4px 0 0; white-space: pre-wrap; color: var(--err); font-size: 13px; }
"#;

const STALE_MARK: &str = "<span class=\"stale-mark\">stale</span>";

fn cell(cell: OrgCell) -> String {
    let class = match cell {
        OrgCell::Absent => "absent",
        OrgCell::Clean => "sev-ok",
        OrgCell::Open(s, _) => match s {
            crate::core::model::Severity::Error => "sev-error",
            crate::core::model::Severity::Warning => "sev-warning",
            crate::core::model::Severity::Info => "sev-info",
        },
    };
    format!("<td class=\"cell {class}\">{}</td>", cell_text(cell))
}

fn table(org: &Org) -> String {
    let mut out = String::from(
        "<div class=\"scroll\"><table class=\"org\">\n<thead><tr><th scope=\"col\">Repository</th><th scope=\"col\">Checked</th>",
    );
    for role in &org.roles {
        let title = role.title.as_deref().unwrap_or(&role.id);
        out.push_str(&format!(
            "<th scope=\"col\" class=\"role\">{}<br><code>{}</code></th>",
            html(title),
            html(&role.id)
        ));
    }
    out.push_str("<th scope=\"col\">Worst</th></tr></thead>\n<tbody>\n");
    for repo in &org.repos {
        let stale = if repo.stale { " class=\"stale\"" } else { "" };
        let mark = if repo.stale { STALE_MARK } else { "" };
        let team = repo
            .origin
            .team
            .as_deref()
            .map(|t| format!(" <code>{}</code>", html(t)))
            .unwrap_or_default();
        out.push_str(&format!(
            "<tr{stale}><th scope=\"row\">{}{team}{mark}",
            html(&repo.name)
        ));
        if let Some(error) = &repo.load_error {
            out.push_str(&format!("<pre class=\"load-error\">{}</pre>", html(error)));
        }
        out.push_str(&format!(
            "</th><td class=\"checked\">{}</td>",
            html(&checked_text(org, repo))
        ));
        for c in &repo.cells {
            out.push_str(&cell(*c));
        }
        out.push_str(&format!("<td>{}</td></tr>\n", worst_text(repo)));
    }
    out.push_str("</tbody></table></div>\n");
    out
}

fn people(org: &Org) -> String {
    let mut out = String::from(
        "<section id=\"people\">\n<h2>Must sign, per person</h2>\n<p class=\"lede\">Every open sign-off, everywhere, longest waiting first.</p>\n",
    );
    if org.people.is_empty() {
        out.push_str("<p class=\"none\">Nobody has a sign-off waiting.</p>\n");
    }
    for (person, duties) in &org.people {
        out.push_str(&format!(
            "<h3>{} <span class=\"count\">({})</span></h3>\n<ul class=\"duties\">\n",
            html(person),
            waiting_words(waiting(duties))
        ));
        for d in duties {
            let waiting = d
                .waiting_days
                .map_or(String::new(), |n| format!(", waiting {n} days"));
            out.push_str(&format!(
                "<li>{}{} <code>{}</code> <span class=\"badge sev-{}\">{}</span>{waiting}: <code>{}</code></li>\n",
                html(&org.repos[d.repo].name),
                if org.repos[d.repo].stale { STALE_MARK } else { "" },
                html(&d.artifact),
                d.severity.as_str(),
                html(&d.code),
                html(&d.argv.join(" "))
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

fn unstaffed_and_skipped(org: &Org) -> String {
    let mut out = String::new();
    if !org.unstaffed.is_empty() {
        out.push_str("<section id=\"unstaffed\">\n<h2>Owned by roles nobody staffs</h2>\n<ul>\n");
        for u in &org.unstaffed {
            out.push_str(&format!(
                "<li>{} <code>{}</code> (<code>{}</code>)</li>\n",
                html(&org.repos[u.repo].name),
                html(&u.artifact),
                html(u.role.as_deref().unwrap_or("no role"))
            ));
        }
        out.push_str("</ul>\n</section>\n");
    }
    if !org.problems.is_empty() {
        out.push_str("<section id=\"skipped\">\n<h2>Skipped</h2>\n<ul>\n");
        for p in &org.problems {
            out.push_str(&format!(
                "<li><code>{}</code>: {}</li>\n",
                html(&p.path),
                html(&p.reason)
            ));
        }
        out.push_str("</ul>\n</section>\n");
    }
    out
}

/// The whole page.
pub(crate) fn page(org: &Org) -> String {
    let name = org.name.as_deref().unwrap_or("Organisation");
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    out.push_str(&format!(
        "<meta name=\"generator\" content=\"handoff {}\">\n<title>Handoffs — {}</title>\n<style>{STYLE}{ORG_STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        html(name)
    ));
    out.push_str(&format!(
        "<header>\n<p class=\"eyebrow\">Handoffs across the organisation</p>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n<main>\n",
        html(name),
        html(&summary_text(org))
    ));
    out.push_str("<section id=\"repositories\">\n<h2>Repositories × roles</h2>\n<p class=\"lede\">Each cell: the worst finding naming the role, and how many; <em>ok</em>: none; ·: no such role.</p>\n");
    out.push_str(&table(org));
    out.push_str("</section>\n");
    out.push_str(&people(org));
    out.push_str(&unstaffed_and_skipped(org));
    out.push_str(&format!(
        "</main>\n<footer>Generated by handoff {} on {} from each repository's <code>handoff check --format json</code>.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        date(org.now)
    ));
    out
}
