//! `handoff check`'s own formats: the text report and the JSON document (whose shape is the
//! headless contract of the brief; `version` moves when it changes).

use serde::Serialize;

use super::style::Paint;
use crate::core::analysis::Finding;
use crate::core::model::{FindingCode, History, LastChange, Severity, Target};
use crate::core::text::sanitize;
use crate::engine::Snapshot;

/// Version of the JSON output's shape; raised only when a field changes meaning or goes.
pub(crate) const JSON_VERSION: u32 = 1;

/// The text report: grouped by artifact, one line per finding with its fix beneath, clean
/// artifacts listed together, and a summary line.
pub(crate) fn text(s: &Snapshot, threshold: Severity, paint: Paint) -> String {
    let mut out = String::new();
    let head = match (&s.facts.head.branch, &s.facts.head.commit) {
        (Some(b), Some(c)) => format!("{b} @ {}", &c[..8.min(c.len())]),
        (None, Some(c)) => format!("detached @ {}", &c[..8.min(c.len())]),
        (Some(b), None) => format!("{b} (no commits yet)"),
        (None, None) => "no commits yet".to_string(),
    };
    let name = s
        .index
        .name
        .as_deref()
        .map(sanitize)
        .unwrap_or_else(|| "handoff".into());
    out.push_str(&format!(
        "{} · {head} · {}\n",
        paint.bold(&name),
        crate::core::text::count(s.index.artifacts.len(), "artifact")
    ));
    let code_width = FindingCode::ALL
        .iter()
        .map(|c| c.as_str().len())
        .max()
        .unwrap_or(0);
    let write_findings = |out: &mut String, findings: &mut dyn Iterator<Item = &Finding>| {
        for f in findings {
            let sev = format!("{:<7}", f.severity.as_str());
            out.push_str(&format!(
                "  {}  {:<code_width$}  {}\n",
                paint.severity(f.severity, &sev),
                f.code.as_str(),
                sanitize(&f.message),
            ));
            out.push_str(&format!(
                "  {:7}  {:code_width$}  {}\n",
                "",
                "",
                paint.dim(&format!("→ {}", sanitize(&f.fix)))
            ));
        }
    };
    // Findings about the handoff as a whole come first: they are not any one artifact's.
    let (rules, own): (Vec<&Finding>, Vec<&Finding>) = s
        .report
        .handoff_findings
        .iter()
        .partition(|f| f.rule.is_some());
    if !own.is_empty() {
        out.push_str(&format!("\n{}  handoff.yaml\n", paint.bold("handoff")));
        write_findings(&mut out, &mut own.into_iter());
    }
    if !rules.is_empty() {
        out.push_str(&format!(
            "\n{}  handoff.yaml  {}\n",
            paint.bold("scorecard"),
            paint.dim(&format!("{} rules pass", s.report.scorecard.score()))
        ));
        write_findings(&mut out, &mut rules.into_iter());
    }
    let mut clean = Vec::new();
    for artifact in &s.index.artifacts {
        let findings = s.report.findings_of(&artifact.id);
        if findings.is_empty() {
            clean.push(artifact.id.as_str());
            continue;
        }
        let owner = artifact
            .owner
            .as_deref()
            .map_or("no owner".to_string(), |o| format!("owner {o}"));
        out.push_str(&format!(
            "\n{}  {}  {}\n",
            paint.bold(&sanitize(&artifact.id)),
            sanitize(artifact.target.as_str()),
            paint.dim(&owner)
        ));
        write_findings(&mut out, &mut findings.iter());
    }
    if !clean.is_empty() {
        out.push_str(&format!(
            "\n{} {}\n",
            paint.good("✓ no findings:"),
            clean.join(", ")
        ));
    }
    // What a shallow clone cannot say is said, not guessed.
    let beyond: Vec<&str> = s
        .index
        .artifacts
        .iter()
        .filter(|a| {
            s.facts
                .of(&a.id)
                .is_some_and(|f| f.history == History::BeyondShallowBoundary)
        })
        .map(|a| a.id.as_str())
        .collect();
    if !beyond.is_empty() {
        out.push_str(&format!(
            "\nnote: this is a shallow clone: the last change of {} lies beyond its boundary, so it is unknown and `aged` is not judged there (`git fetch --unshallow` reads it)\n",
            beyond.join(", ")
        ));
    }
    let (e, w, i) = s.report.counts();
    let failed = s.report.all_findings().any(|f| f.severity >= threshold);
    let verdict = if failed {
        paint.severity(Severity::Error, &format!("FAIL (--fail-on {threshold})"))
    } else {
        paint.good(&format!("ok (--fail-on {threshold})"))
    };
    out.push_str(&format!(
        "\n{} · {} · {} · {} · {verdict}\n",
        crate::core::text::count(s.index.artifacts.len(), "artifact"),
        plural(e, "error"),
        plural(w, "warning"),
        plural(i, "info"),
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    name: Option<&'a str>,
    head: Option<&'a str>,
    branch: Option<&'a str>,
    /// The remote's URL, safe to publish (as in SARIF), when known: with `head` and `branch`
    /// it names the repository in `handoff org`.
    remote: Option<&'a str>,
    now: String,
    /// Each role with its title and people: `handoff org` lists what each person must sign.
    roles: Vec<JsonRole<'a>>,
    artifacts: Vec<JsonArtifact<'a>>,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary,
    /// Only in a page of a report served in pages (`handoff mcp`), never from `check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<JsonPage>,
}

/// Which part of a report served in pages this is: artifacts `first..=last` (counted from 1)
/// of `artifacts`, page `number` of `pages`, and the URI of the next page.
#[derive(Serialize)]
pub(crate) struct JsonPage {
    pub number: usize,
    pub pages: usize,
    pub first: usize,
    pub last: usize,
    pub next: Option<String>,
}

#[derive(Serialize)]
struct JsonRole<'a> {
    id: &'a str,
    /// Neutralised: serde_json writes C1 controls (a CSI) raw, and a title is free text.
    title: Option<String>,
    people: &'a [String],
}

#[derive(Serialize)]
struct JsonArtifact<'a> {
    id: &'a str,
    title: Option<&'a str>,
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    owner: Option<&'a str>,
    reviewers: &'a [String],
    consumers: &'a [String],
    depends_on: &'a [String],
    /// `null` for external artifacts, whose existence handoff cannot see.
    exists: Option<bool>,
    fingerprint: Option<&'a str>,
    last_change: Option<JsonChange<'a>>,
    /// The last commit that changed the content: through pure renames, past mechanical
    /// commits (what `aged` counts from).
    last_content_change: Option<JsonContentChange<'a>>,
    /// For a missing file: where the same content is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    moved_to: Option<JsonMoved<'a>>,
    /// "changed", "never-committed", "beyond-shallow-boundary" or "pending".
    history: &'static str,
    uncommitted: bool,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    commit: &'a str,
    time: String,
    author: &'a str,
    author_email: &'a str,
    summary: &'a str,
}

#[derive(Serialize)]
struct JsonContentChange<'a> {
    #[serde(flatten)]
    change: JsonChange<'a>,
    /// The path the content had then, when renamed since (relative to the index).
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonMoved<'a> {
    path: &'a str,
    /// The commit that renamed it; `null` when the rename is not committed yet.
    commit: Option<&'a str>,
}

fn json_change(c: &LastChange) -> JsonChange<'_> {
    JsonChange {
        commit: &c.commit,
        time: c.time.to_string(),
        author: &c.author_name,
        author_email: &c.author_email,
        summary: &c.summary,
    }
}

// `handoff mcp`'s output schemas are derived from this type (closed: every field named), so
// the two cannot drift apart.
/// A finding: a gap or stale item, the roles that must act and the fix.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct JsonFinding<'a> {
    #[schemars(schema_with = "finding_code_schema")]
    code: &'static str,
    #[schemars(extend("enum" = ["error", "warning", "info"]))]
    severity: &'static str,
    message: &'a str,
    /// The artifact it is about; `null` for a finding about the handoff as a whole
    /// (`scorecard-unmet`), which names its `rule` instead.
    artifact: Option<&'a str>,
    /// The scorecard rule a handoff-level finding is about; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    role: Option<&'a str>,
    /// Every role that must act, `role` first.
    roles: &'a [String],
    related: Option<&'a str>,
    fix: &'a str,
    /// The handoff command that fixes it and who may run it, or `null`.
    action: Option<JsonAction<'a>>,
    since: Option<String>,
    file: &'a str,
    line: usize,
    column: usize,
}

/// The handoff command that fixes a finding, and who may run it.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct JsonAction<'a> {
    argv: &'a [String],
    who: &'a [String],
}

#[derive(Serialize)]
struct JsonSummary {
    artifacts: usize,
    error: usize,
    warning: usize,
    info: usize,
    fail_on: &'static str,
    failed: bool,
}

/// A finding's `code`: one of the codes the brief fixes.
fn finding_code_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let codes: Vec<&str> = FindingCode::ALL.iter().map(|c| c.as_str()).collect();
    schemars::json_schema!({ "type": "string", "enum": codes })
}

pub(crate) fn json_finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        code: f.code.as_str(),
        severity: f.severity.as_str(),
        message: &f.message,
        artifact: (!f.artifact.is_empty()).then_some(f.artifact.as_str()),
        rule: f.rule.as_deref(),
        role: f.role.as_deref(),
        roles: &f.roles,
        related: f.related.as_deref(),
        fix: &f.fix,
        action: f.action.as_ref().map(|a| JsonAction {
            argv: &a.argv,
            who: &a.who,
        }),
        since: f.since.map(|t| t.to_string()),
        file: &f.file,
        line: f.pos.line,
        column: f.pos.col,
    }
}

/// The JSON report of the headless contract; `remote` is the repository's remote URL when
/// the face knows it.
pub(crate) fn json(s: &Snapshot, threshold: Severity, remote: Option<&str>) -> String {
    let mut out = Vec::new();
    write_json(&mut out, s, threshold, remote).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`json`], written to `out` as it is serialised: at 10,000 artifacts the report is about
/// 40 MB, which a process printing it need not hold.
pub(crate) fn write_json(
    out: &mut dyn std::io::Write,
    s: &Snapshot,
    threshold: Severity,
    remote: Option<&str>,
) -> std::io::Result<()> {
    write_json_of(out, s, threshold, 0..s.index.artifacts.len(), None, remote)
}

/// The JSON report of the artifacts at positions `range` and their findings, with the summary
/// of the whole: for `handoff mcp`, which serves a large report in pages so that no answer
/// grows with the whole index.
pub(crate) fn json_page(
    s: &Snapshot,
    threshold: Severity,
    range: std::ops::Range<usize>,
    page: JsonPage,
) -> String {
    let mut out = Vec::new();
    write_json_of(&mut out, s, threshold, range, Some(page), None)
        .expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn write_json_of(
    out: &mut dyn std::io::Write,
    s: &Snapshot,
    threshold: Severity,
    range: std::ops::Range<usize>,
    page: Option<JsonPage>,
    remote: Option<&str>,
) -> std::io::Result<()> {
    let empty = Default::default();
    let whole = range.start == 0 && range.end == s.index.artifacts.len();
    let first_page = range.start == 0;
    let chosen = &s.index.artifacts[range];
    let artifacts = chosen
        .iter()
        .map(|a| {
            let f = s.facts.of(&a.id).unwrap_or(&empty);
            let (path, url) = match &a.target {
                Target::Url(u) => (None, Some(u.as_str())),
                other => (Some(other.as_str()), None),
            };
            JsonArtifact {
                id: &a.id,
                title: a.title.as_deref(),
                kind: a.kind.as_deref(),
                path,
                url,
                owner: a.owner.as_deref(),
                reviewers: &a.reviewers,
                consumers: &a.consumers,
                depends_on: &a.depends_on,
                exists: (!a.target.is_url()).then_some(f.exists),
                fingerprint: f.fingerprint.as_deref(),
                last_change: f.history.last_change().map(json_change),
                last_content_change: match &f.content {
                    Some(content) => Some(JsonContentChange {
                        change: json_change(&content.change),
                        path: content.path.as_deref(),
                    }),
                    None => f.history.last_change().map(|c| JsonContentChange {
                        change: json_change(c),
                        path: None,
                    }),
                },
                moved_to: f.moved.as_ref().map(|m| JsonMoved {
                    path: &m.path,
                    commit: m.commit.as_deref(),
                }),
                history: match (&f.history, a.target.is_url()) {
                    (_, true) => "external",
                    (History::Pending, _) => "pending",
                    (History::Changed(_), _) => "changed",
                    (History::NeverCommitted, _) => "never-committed",
                    (History::BeyondShallowBoundary, _) => "beyond-shallow-boundary",
                },
                uncommitted: f.uncommitted,
                findings: s
                    .report
                    .findings_of(&a.id)
                    .iter()
                    .map(json_finding)
                    .collect(),
            }
        })
        .collect();
    let (error, warning, info) = s.report.counts();
    let report = JsonReport {
        version: JSON_VERSION,
        name: s.index.name.as_deref(),
        head: s.facts.head.commit.as_deref(),
        branch: s.facts.head.branch.as_deref(),
        remote,
        now: s.now.to_string(),
        roles: s
            .index
            .roles
            .iter()
            .map(|r| JsonRole {
                id: &r.id,
                title: r.title.as_deref().map(sanitize),
                people: &r.people,
            })
            .collect(),
        artifacts,
        // The handoff's own findings are listed once: with the whole, or on the first page.
        findings: if whole {
            s.report.all_findings().map(json_finding).collect()
        } else {
            let handoff = if first_page {
                &s.report.handoff_findings[..]
            } else {
                &[]
            };
            chosen
                .iter()
                .flat_map(|a| s.report.findings_of(&a.id))
                .chain(handoff)
                .map(json_finding)
                .collect()
        },
        summary: JsonSummary {
            artifacts: s.index.artifacts.len(),
            error,
            warning,
            info,
            fail_on: threshold.as_str(),
            failed: s.report.all_findings().any(|f| f.severity >= threshold),
        },
        page,
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// The JSON of a handoff whose index or ledger does not load: what `handoff mcp`'s check
/// resource carries then, so an agent reads the errors (and can help fix them) where it would
/// read the findings.
pub(crate) fn json_load_errors(errors: &crate::core::model::LoadErrors) -> String {
    #[derive(Serialize)]
    struct JsonLoadErrors<'a> {
        version: u32,
        load_errors: Vec<JsonLoadError<'a>>,
    }
    #[derive(Serialize)]
    struct JsonLoadError<'a> {
        file: &'a str,
        line: usize,
        column: usize,
        message: &'a str,
        help: Option<&'a str>,
    }
    let doc = JsonLoadErrors {
        version: JSON_VERSION,
        load_errors: errors
            .0
            .iter()
            .map(|e| JsonLoadError {
                file: &e.file,
                line: e.pos.line,
                column: e.pos.col,
                message: &e.message,
                help: e.help.as_deref(),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("load errors serialise");
    out.push('\n');
    out
}
