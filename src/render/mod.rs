//! Renderings of a snapshot for the tools around handoff: CI annotations and test reports
//! (`check --format github|junit|sarif`), the one-page status report (Markdown, HTML), and
//! the escaping each needs. Pure functions of a [`Snapshot`]; the CLI prints what they return.

pub(crate) mod check;
pub(crate) mod ci;
pub mod content_diff;
pub mod context;
pub mod diff;
pub(crate) mod escape;
pub(crate) mod glyphs;
pub(crate) mod impact;
pub(crate) mod matrix;
pub(crate) mod org;
pub(crate) mod org_html;
pub(crate) mod report_html;
pub(crate) mod report_markdown;
pub(crate) mod review;
pub(crate) mod sarif;
pub(crate) mod scorecard;
pub(crate) mod style;
pub(crate) mod trend_chart;

use crate::core::analysis::Finding;
use crate::core::model::{LoadError, LoadErrors, Severity};
use crate::engine::Snapshot;

/// A finding with its file as a repository-relative path, so that annotations land on the
/// right file when the handoff lives in a subdirectory.
pub(crate) struct Located<'a> {
    pub finding: &'a Finding,
    pub file: String,
}

/// Every finding, located and sorted by file, position, artifact and code: the same snapshot
/// always prints the same bytes, so a pipeline can diff the output.
pub(crate) fn located_findings<'a>(s: &'a Snapshot, repo_prefix: &str) -> Vec<Located<'a>> {
    let mut out: Vec<Located> = s
        .report
        .all_findings()
        .map(|f| Located {
            finding: f,
            file: format!("{repo_prefix}{}", f.file),
        })
        .collect();
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out
}

/// The errors of an index that does not load, each with its file as a repository-relative
/// path (the loader names files relative to the workspace).
pub(crate) fn located_load_errors<'a>(
    errors: &'a LoadErrors,
    repo_prefix: &str,
) -> Vec<(String, &'a LoadError)> {
    errors
        .0
        .iter()
        .map(|e| {
            let file = if std::path::Path::new(&e.file).is_absolute() {
                e.file.clone()
            } else {
                format!("{repo_prefix}{}", e.file)
            };
            (file, e)
        })
        .collect()
}

/// What a load error says, with its help on a second line when it has one.
pub(crate) fn load_error_text(e: &LoadError) -> String {
    use crate::core::text::sanitize;
    match &e.help {
        Some(help) => format!("{}\nhelp: {}", sanitize(&e.message), sanitize(help)),
        None => sanitize(&e.message),
    }
}

/// The rule id CI formats give a `handoff.yaml` that does not load (never a finding code).
pub(crate) const LOAD_ERROR_RULE: &str = "load-error";

#[allow(clippy::type_complexity)]
fn sort_key<'l>(
    l: &'l Located,
) -> (
    &'l str,
    usize,
    usize,
    &'l str,
    crate::core::model::FindingCode,
    Option<&'l str>,
    Option<&'l str>,
    &'l str,
) {
    let f = l.finding;
    (
        &l.file,
        f.pos.line,
        f.pos.col,
        &f.artifact,
        f.code,
        f.role.as_deref(),
        f.related.as_deref(),
        &f.message,
    )
}

/// "9 errors · 11 warnings · 3 info".
pub(crate) fn counts_text(s: &Snapshot) -> String {
    let (e, w, i) = s.report.counts();
    counts_words((e, w, i), " · ")
}

/// Errors, warnings and infos in words, joined by `separator`: "9 errors, 1 warning, 3 info".
pub(crate) fn counts_words((e, w, i): (usize, usize, usize), separator: &str) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}{separator}{}{separator}{i} info",
        plural(e, "error"),
        plural(w, "warning")
    )
}

/// Whether any finding reaches `threshold`.
pub(crate) fn fails(s: &Snapshot, threshold: Severity) -> bool {
    s.report.all_findings().any(|f| f.severity >= threshold)
}

/// The commit HEAD names, shortened, with the branch: "main @ a954b033".
pub(crate) fn head_text(s: &Snapshot) -> String {
    let short = |c: &str| c.chars().take(8).collect::<String>();
    match (&s.facts.head.branch, &s.facts.head.commit) {
        (Some(b), Some(c)) => format!("{b} @ {}", short(c)),
        (None, Some(c)) => format!("detached @ {}", short(c)),
        (Some(b), None) => format!("{b} (no commits yet)"),
        (None, None) => "no commits yet".to_string(),
    }
}

/// What the one-page status report shows, shared by its Markdown and HTML forms.
pub(crate) struct Status<'a> {
    pub gaps: Vec<&'a Finding>,
    pub stale: Vec<&'a Finding>,
    /// The newest ledger records across all artifacts: (artifact id, record), newest first.
    pub recent_signoffs: Vec<(&'a str, &'a crate::core::model::SignOff)>,
    /// The person the report is written for (`report --person`): their e-mail address and
    /// roles. Then the findings are what their roles must act on, the sign-offs theirs.
    pub person: Option<(String, Vec<String>)>,
}

/// Sign-off records the report lists.
pub(crate) const RECENT_SIGNOFFS: usize = 12;

impl<'a> Status<'a> {
    pub(crate) fn of(s: &'a Snapshot) -> Status<'a> {
        use crate::core::model::finding::Category;
        let mut findings: Vec<&Finding> = s.report.all_findings().collect();
        // Worst first; within a severity, in the order the index lists the artifacts. Each
        // key is computed once (a position looked up per comparison made this quadratic).
        findings.sort_by_cached_key(|f| {
            (
                std::cmp::Reverse(f.severity),
                s.report.position(&f.artifact),
                f.code,
            )
        });
        let (gaps, stale) = findings
            .into_iter()
            .partition(|f| f.code.category() == Category::Gap);
        let mut recent: Vec<(&str, &crate::core::model::SignOff)> = s
            .ledger
            .records
            .iter()
            .flat_map(|(id, records)| records.iter().map(move |r| (id.as_str(), r)))
            .collect();
        recent.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(a.0.cmp(b.0)));
        recent.truncate(RECENT_SIGNOFFS);
        Status {
            gaps,
            stale,
            recent_signoffs: recent,
            person: None,
        }
    }

    /// The status for one person: what their roles must act on, and the sign-offs they gave.
    /// `Err` names why there is no such person here.
    pub(crate) fn for_person(s: &'a Snapshot, email: &str) -> Result<Status<'a>, String> {
        use crate::core::analysis::mine::{acts_on, roles_of};
        let roles = roles_of(&s.index, email);
        if roles.is_empty() {
            return Err(format!(
                "{email} is in no role of this handoff: name someone in a role's `people`"
            ));
        }
        let mut status = Status::of(s);
        status.gaps.retain(|f| acts_on(&s.index, f, &roles));
        status.stale.retain(|f| acts_on(&s.index, f, &roles));
        status
            .recent_signoffs
            .retain(|(_, r)| r.by.eq_ignore_ascii_case(email));
        status.person = Some((email.to_string(), roles));
        Ok(status)
    }
}

/// The title of a role as the report shows it in a column header.
pub(crate) fn role_title<'a>(s: &'a Snapshot, role: &'a str) -> &'a str {
    s.index
        .role(role)
        .and_then(|r| r.title.as_deref())
        .unwrap_or(role)
}
