//! `handoff org`'s formats: aligned text, Markdown and JSON (the HTML page is
//! [`super::org_html`]). Repositories down, roles across, each cell the worst finding naming
//! the role; then, per person, what they must sign; then artifacts owned by roles nobody
//! staffs; then what was skipped and why.

use serde::Serialize;

use crate::core::analysis::{ago, date};
use crate::core::org::{Org, OrgCell, OrgRepo, Waiting, waiting};
use crate::core::text::{pad, sanitize, width};
use crate::render::escape::{md, md_code};

/// The version of the org JSON's shape.
pub(crate) const ORG_JSON_VERSION: u32 = 1;

/// A cell as a short word: `error 2`, `ok`, or `·` where the repository has no such role.
pub(crate) fn cell_text(cell: OrgCell) -> String {
    match cell {
        OrgCell::Absent => "·".into(),
        OrgCell::Clean => "ok".into(),
        OrgCell::Open(severity, n) => format!("{severity} {n}"),
    }
}

/// How old a repository's result is, `STALE` when older than the threshold; what is being
/// done while it is pending.
pub(crate) fn checked_text(org: &Org, repo: &OrgRepo) -> String {
    match repo.checked() {
        None if repo.pending && repo.origin.local => "checking…".into(),
        None if repo.pending => "reading…".into(),
        None => "not checked".into(),
        Some(t) if repo.stale => format!("STALE {}", ago(org.now, t)),
        Some(t) => ago(org.now, t),
    }
}

/// The worst finding of a repository as a word: `error`, `ok`, or `load error` (nothing
/// while pending).
pub(crate) fn worst_text(repo: &OrgRepo) -> &'static str {
    if repo.pending {
        ""
    } else if repo.load_error.is_some() {
        "load error"
    } else {
        repo.worst().map_or("ok", |s| s.as_str())
    }
}

/// The line under the title: how many repositories, when, and the staleness threshold.
pub(crate) fn summary_text(org: &Org) -> String {
    let stale = match org.stale_count() {
        0 => String::new(),
        n => format!(" · {n} stale"),
    };
    let stale = match org.pending_count() {
        0 => stale,
        n => format!("{stale} · {n} still checking"),
    };
    let repositories = match org.repos.len() {
        1 => "1 repository".to_string(),
        n => format!("{n} repositories"),
    };
    format!(
        "{repositories} · {} · results older than {} are stale{stale}",
        date(org.now),
        org.stale_after
    )
}

/// ` (STALE)` after a repository's name where its result is stale, so a duty read from an old
/// result is never taken for a current one.
pub(crate) fn stale_mark(org: &Org, repo: usize) -> &'static str {
    if org.repos[repo].stale {
        " (STALE)"
    } else {
        ""
    }
}

/// Whether a manifest put any repository in a team: only then is there a team column.
pub(crate) fn has_teams(org: &Org) -> bool {
    org.repos.iter().any(|r| r.origin.team.is_some())
}

/// A repository's team, empty when it has none.
pub(crate) fn team_text(repo: &OrgRepo) -> String {
    repo.origin.team.as_deref().map_or(String::new(), sanitize)
}

/// A person's figures in words: `3 open, longest waiting 21 days`.
pub(crate) fn waiting_words(w: Waiting) -> String {
    match w.longest_days {
        Some(n) => format!("{} open, longest waiting {n} days", w.open),
        None => format!("{} open", w.open),
    }
}

fn title(org: &Org) -> String {
    org.name.as_deref().map_or("Organisation".into(), sanitize)
}

pub(crate) fn text(org: &Org) -> String {
    let mut out = format!("{} · {}\n\n", title(org), summary_text(org));
    let names: Vec<String> = org.repos.iter().map(|r| sanitize(&r.name)).collect();
    let name_width = names
        .iter()
        .map(|n| width(n))
        .max()
        .unwrap_or(0)
        .clamp(10, 40);
    let checked: Vec<String> = org.repos.iter().map(|r| checked_text(org, r)).collect();
    let checked_width = checked.iter().map(|c| width(c)).max().unwrap_or(0).max(7);
    let role_widths: Vec<usize> = org
        .roles
        .iter()
        .map(|r| width(&sanitize(&r.id)).clamp(9, 16))
        .collect();
    let teams: Vec<String> = org.repos.iter().map(team_text).collect();
    let team_width = has_teams(org).then(|| teams.iter().map(|t| width(t)).fold(4, usize::max));
    out.push_str(&pad("repository", name_width));
    if let Some(w) = team_width {
        out.push_str(&format!("  {}", pad("team", w)));
    }
    out.push_str(&format!("  {}", pad("checked", checked_width)));
    for (role, w) in org.roles.iter().zip(&role_widths) {
        out.push_str(&format!("  {}", pad(&sanitize(&role.id), *w)));
    }
    out.push_str("  worst\n");
    for (((repo, name), checked), team) in org.repos.iter().zip(&names).zip(&checked).zip(&teams) {
        out.push_str(&pad(name, name_width));
        if let Some(w) = team_width {
            out.push_str(&format!("  {}", pad(team, w)));
        }
        out.push_str(&format!("  {}", pad(checked, checked_width)));
        for (cell, w) in repo.cells.iter().zip(&role_widths) {
            out.push_str(&format!("  {}", pad(&cell_text(*cell), *w)));
        }
        out.push_str(&format!("  {}\n", worst_text(repo)));
    }
    out.push_str("\neach cell: the worst finding naming the role, and how many · ok: none · ·: no such role\n");
    let load_errors: Vec<&OrgRepo> = org
        .repos
        .iter()
        .filter(|r| r.load_error.is_some())
        .collect();
    if !load_errors.is_empty() {
        out.push_str("\nIndexes that do not load\n");
        for r in load_errors {
            let error = r.load_error.as_deref().unwrap_or_default();
            out.push_str(&format!("  {}\n", sanitize(&r.origin.path)));
            for line in error.lines() {
                out.push_str(&format!("    {}\n", sanitize(line)));
            }
        }
    }
    out.push_str("\nMust sign, per person\n");
    if org.people.is_empty() {
        out.push_str("  nobody has a sign-off waiting\n");
    }
    for (person, duties) in &org.people {
        let w = waiting(duties);
        let longest = w
            .longest_days
            .map_or(String::new(), |n| format!(" · longest waiting {n}d"));
        out.push_str(&format!(
            "  {} · {} open{longest}\n",
            sanitize(person),
            w.open
        ));
        for d in duties {
            let waiting = d
                .waiting_days
                .map_or(String::new(), |n| format!("  waiting {n}d"));
            out.push_str(&format!(
                "    {}{}  {}  {}{waiting}  → {}\n",
                sanitize(&org.repos[d.repo].name),
                stale_mark(org, d.repo),
                sanitize(&d.artifact),
                d.code,
                sanitize(&d.argv.join(" "))
            ));
        }
    }
    if !org.unstaffed.is_empty() {
        out.push_str("\nOwned by roles nobody staffs\n");
        for u in &org.unstaffed {
            out.push_str(&format!(
                "  {}  {}  ({})\n",
                sanitize(&org.repos[u.repo].name),
                sanitize(&u.artifact),
                sanitize(u.role.as_deref().unwrap_or("no role"))
            ));
        }
    }
    if !org.problems.is_empty() {
        out.push_str("\nSkipped\n");
        for p in &org.problems {
            out.push_str(&format!(
                "  {}: {}\n",
                sanitize(&p.path),
                sanitize(&p.reason)
            ));
        }
    }
    out
}

pub(crate) fn markdown(org: &Org) -> String {
    let mut out = format!(
        "## Handoff — {}\n\n{}\n\n",
        md(&title(org)),
        md(&summary_text(org))
    );
    let teams = has_teams(org);
    out.push_str(if teams {
        "| repository | team | checked |"
    } else {
        "| repository | checked |"
    });
    for role in &org.roles {
        out.push_str(&format!(" {} |", md_code(&role.id)));
    }
    out.push_str(" worst |\n|---|---|");
    out.push_str(&"---|".repeat(org.roles.len() + usize::from(teams)));
    out.push_str("---|\n");
    for repo in &org.repos {
        out.push_str(&format!("| {} |", md(&repo.name)));
        if teams {
            let team = repo.origin.team.as_deref().map_or(String::new(), md);
            out.push_str(&format!(" {team} |"));
        }
        out.push_str(&format!(" {} |", checked_text(org, repo)));
        for cell in &repo.cells {
            out.push_str(&format!(" {} |", cell_text(*cell)));
        }
        out.push_str(&format!(" {} |\n", worst_text(repo)));
    }
    out.push_str("\n### Must sign, per person\n\n");
    if org.people.is_empty() {
        out.push_str("Nobody has a sign-off waiting.\n");
    }
    for (person, duties) in &org.people {
        out.push_str(&format!(
            "- **{}** ({})\n",
            md(person),
            waiting_words(waiting(duties))
        ));
        for d in duties {
            let waiting = d
                .waiting_days
                .map_or(String::new(), |n| format!(", waiting {n} days"));
            out.push_str(&format!(
                "  - {}{} {} {}{waiting}: {}\n",
                md(&org.repos[d.repo].name),
                stale_mark(org, d.repo),
                md_code(&d.artifact),
                md_code(&d.code),
                md_code(&d.argv.join(" "))
            ));
        }
    }
    if !org.unstaffed.is_empty() {
        out.push_str("\n### Owned by roles nobody staffs\n\n");
        for u in &org.unstaffed {
            out.push_str(&format!(
                "- {} {} ({})\n",
                md(&org.repos[u.repo].name),
                md_code(&u.artifact),
                md_code(u.role.as_deref().unwrap_or("no role"))
            ));
        }
    }
    let broken: Vec<(&str, &str)> = org
        .repos
        .iter()
        .filter_map(|r| Some((r.origin.path.as_str(), r.load_error.as_deref()?)))
        .chain(
            org.problems
                .iter()
                .map(|p| (p.path.as_str(), p.reason.as_str())),
        )
        .collect();
    if !broken.is_empty() {
        out.push_str("\n### Not shown\n\n");
        for (path, reason) in broken {
            let reason = reason.lines().next().unwrap_or_default();
            out.push_str(&format!("- {}: {}\n", md_code(path), md(reason)));
        }
    }
    out
}

#[derive(Serialize)]
struct JsonOrg<'a> {
    version: u32,
    name: Option<&'a str>,
    now: String,
    stale_after: String,
    roles: Vec<JsonRole<'a>>,
    repositories: Vec<JsonRepo<'a>>,
    people: Vec<JsonPerson<'a>>,
    unstaffed: Vec<JsonUnstaffed<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct JsonRole<'a> {
    id: &'a str,
    title: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonRepo<'a> {
    name: &'a str,
    source: &'a str,
    local: bool,
    team: Option<&'a str>,
    remote: Option<&'a str>,
    head: Option<&'a str>,
    branch: Option<&'a str>,
    checked: Option<String>,
    stale: bool,
    load_error: Option<&'a str>,
    worst: Option<&'static str>,
    summary: JsonCounts,
    /// The repository's roles only, in the order of `roles`.
    cells: Vec<JsonCell<'a>>,
}

#[derive(Serialize)]
struct JsonCounts {
    error: usize,
    warning: usize,
    info: usize,
}

#[derive(Serialize)]
struct JsonCell<'a> {
    role: &'a str,
    /// `ok`, or the severity of the worst finding naming the role.
    state: &'static str,
    findings: usize,
}

#[derive(Serialize)]
struct JsonPerson<'a> {
    email: &'a str,
    /// Open sign-offs, everywhere.
    open: usize,
    longest_waiting_days: Option<i64>,
    must_sign: Vec<JsonDuty<'a>>,
}

#[derive(Serialize)]
struct JsonDuty<'a> {
    repository: &'a str,
    /// Read from a stale result.
    stale: bool,
    artifact: &'a str,
    code: &'a str,
    severity: &'static str,
    argv: &'a [String],
    waiting_days: Option<i64>,
}

#[derive(Serialize)]
struct JsonUnstaffed<'a> {
    repository: &'a str,
    artifact: &'a str,
    role: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    path: &'a str,
    reason: &'a str,
}

pub(crate) fn json(org: &Org) -> String {
    let repositories = org
        .repos
        .iter()
        .map(|r| {
            let result = r.result.as_deref();
            JsonRepo {
                name: &r.name,
                source: &r.origin.path,
                local: r.origin.local,
                team: r.origin.team.as_deref(),
                remote: result.and_then(|x| x.remote.as_deref()),
                head: result.and_then(|x| x.head.as_deref()),
                branch: result.and_then(|x| x.branch.as_deref()),
                checked: r.checked().map(|t| t.to_string()),
                stale: r.stale,
                load_error: r.load_error.as_deref(),
                worst: r.worst().map(|s| s.as_str()),
                summary: JsonCounts {
                    error: r.counts.0,
                    warning: r.counts.1,
                    info: r.counts.2,
                },
                cells: r
                    .cells
                    .iter()
                    .zip(&org.roles)
                    .filter_map(|(cell, role)| {
                        let (state, findings) = match cell {
                            OrgCell::Absent => return None,
                            OrgCell::Clean => ("ok", 0),
                            OrgCell::Open(s, n) => (s.as_str(), *n),
                        };
                        Some(JsonCell {
                            role: &role.id,
                            state,
                            findings,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let doc = JsonOrg {
        version: ORG_JSON_VERSION,
        name: org.name.as_deref(),
        now: org.now.to_string(),
        stale_after: org.stale_after.to_string(),
        roles: org
            .roles
            .iter()
            .map(|r| JsonRole {
                id: &r.id,
                title: r.title.as_deref(),
            })
            .collect(),
        repositories,
        people: org
            .people
            .iter()
            .map(|(email, duties)| JsonPerson {
                email,
                open: duties.len(),
                longest_waiting_days: waiting(duties).longest_days,
                must_sign: duties
                    .iter()
                    .map(|d| JsonDuty {
                        repository: &org.repos[d.repo].name,
                        stale: org.repos[d.repo].stale,
                        artifact: &d.artifact,
                        code: &d.code,
                        severity: d.severity.as_str(),
                        argv: &d.argv,
                        waiting_days: d.waiting_days,
                    })
                    .collect(),
            })
            .collect(),
        unstaffed: org
            .unstaffed
            .iter()
            .map(|u| JsonUnstaffed {
                repository: &org.repos[u.repo].name,
                artifact: &u.artifact,
                role: u.role.as_deref(),
            })
            .collect(),
        skipped: org
            .problems
            .iter()
            .map(|p| JsonSkipped {
                path: &p.path,
                reason: &p.reason,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&doc).expect("the org view serialises");
    // serde_json writes C1 controls (a CSI among them) raw; as `\u` escapes the same strings
    // read back, and nothing in them reaches a terminal that `cat`s the file.
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}
