//! `handoff impact BASE..HEAD`: what a change set means for the handoff, as text, JSON, a
//! pull-request comment (Markdown) and GitHub workflow annotations. Every piece of repository
//! text is escaped for its format.

use serde::Serialize;

use super::check::{JsonFinding, json_finding};
use super::escape::{github_data, md, md_code, md_message};
use crate::core::analysis::Finding;
use crate::core::model::{Pos, Severity};
use crate::core::text::sanitize;
use crate::engine::as_of::CommitPoint;
use crate::engine::impact::{ChangeStatus, ChangedPath, Impact, ToDo};

/// Version of the JSON document; raised when a field changes meaning or goes away.
pub(crate) const JSON_VERSION: u32 = 1;

// `handoff mcp`'s output schema for `impact` is derived from these types, so the two cannot
// drift apart.
/// What a revision range means for the handoff.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(crate) struct JsonImpact<'a> {
    version: u32,
    /// The range as given (`BASE..HEAD`).
    range: &'a str,
    base: JsonCommit<'a>,
    head: JsonCommit<'a>,
    /// The commits HEAD has and BASE has not, newest first.
    commits: Vec<JsonRangeCommit<'a>>,
    /// Every path the net change touches (relative to `handoff.yaml`'s directory), sorted.
    changed: Vec<JsonChangedPath<'a>>,
    /// Artifacts whose own files the range changes.
    artifacts_changed: &'a [String],
    /// Artifacts that govern a changed path.
    governing: &'a [String],
    /// Sign-offs the range records.
    recorded: Vec<JsonRecord<'a>>,
    /// Sign-offs current at BASE that the range makes stale.
    invalidated: Vec<JsonInvalidated<'a>>,
    /// Findings open at HEAD and not at BASE.
    opened: Vec<JsonFinding<'a>>,
    /// Findings open at BASE and not at HEAD.
    closed: Vec<JsonFinding<'a>>,
    /// What must be dealt with before merge, worst first.
    to_do: Vec<JsonToDo<'a>>,
    /// The same, per person who must act.
    must_act: Vec<JsonPerson<'a>>,
    summary: JsonSummary,
}

/// One commit.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonCommit<'a> {
    commit: &'a str,
    /// Committer time (RFC 3339).
    time: String,
    /// The author's e-mail address.
    author: &'a str,
    author_name: &'a str,
    summary: &'a str,
}

/// One commit of the range.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonRangeCommit<'a> {
    commit: &'a str,
    time: String,
    author: &'a str,
    author_name: &'a str,
    summary: &'a str,
    /// Whether it has more than one parent.
    merge: bool,
}

/// One changed path and what it is to the handoff.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonChangedPath<'a> {
    /// The path at HEAD (a deleted file's path at BASE).
    path: &'a str,
    #[schemars(extend("enum" = ["added", "modified", "deleted", "renamed"]))]
    change: &'static str,
    /// A renamed file's path at BASE, else `null`.
    from: Option<&'a str>,
    /// The first changed line of the file at HEAD, `null` when there is none.
    line: Option<usize>,
    /// Artifacts whose own file or folder it is.
    artifacts: &'a [String],
    /// Artifacts that govern it.
    governed_by: &'a [String],
}

/// A sign-off the range records.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonRecord<'a> {
    artifact: &'a str,
    action: &'static str,
    by: &'a str,
    role: &'a str,
    at: String,
    note: Option<&'a str>,
}

/// A role whose sign-off stood at BASE and is stale at HEAD.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonInvalidated<'a> {
    artifact: &'a str,
    role: &'a str,
}

/// A finding to deal with before merge.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonToDo<'a> {
    finding: JsonFinding<'a>,
    /// Whether the range opened it (else it was open at BASE, about what the range touches).
    opened: bool,
    /// The roles that must act: the finding's, or the artifact's owner when it names none.
    acting_roles: Vec<&'a str>,
    /// Their people (git e-mail addresses).
    people: Vec<&'a str>,
}

/// One person who must act before merge.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonPerson<'a> {
    /// A git e-mail address.
    person: &'a str,
    /// Their roles that must act.
    roles: Vec<&'a str>,
    /// What is theirs to deal with, as in `to_do`.
    to_do: Vec<JsonPersonItem<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonPersonItem<'a> {
    artifact: &'a str,
    code: &'static str,
    #[schemars(extend("enum" = ["error", "warning", "info"]))]
    severity: &'static str,
    opened: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonSummary {
    commits: usize,
    /// How many paths the net change touches.
    changed: usize,
    /// The findings the range opens, by severity.
    opened: JsonCounts,
    closed: usize,
    #[schemars(extend("enum" = ["error", "warning", "info"]))]
    fail_on: &'static str,
    /// Whether an opened finding reaches `fail_on` (`handoff impact` then exits 1).
    failed: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonCounts {
    error: usize,
    warning: usize,
    info: usize,
}

fn json_commit(c: &CommitPoint) -> JsonCommit<'_> {
    JsonCommit {
        commit: &c.change.commit,
        time: c.committed.to_string(),
        author: &c.change.author_email,
        author_name: &c.change.author_name,
        summary: &c.change.summary,
    }
}

fn counts(findings: &[Finding]) -> JsonCounts {
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    JsonCounts {
        error: n(Severity::Error),
        warning: n(Severity::Warning),
        info: n(Severity::Info),
    }
}

/// The typed document `--format json` prints and the MCP tool `impact` answers.
pub(crate) fn json_doc(i: &Impact, threshold: Severity) -> JsonImpact<'_> {
    let must_act = i
        .by_person()
        .into_iter()
        .map(|(person, todos)| JsonPerson {
            person,
            roles: person_roles(person, &todos),
            to_do: todos
                .iter()
                .map(|t| JsonPersonItem {
                    artifact: &t.finding.artifact,
                    code: t.finding.code.as_str(),
                    severity: t.finding.severity.as_str(),
                    opened: t.opened,
                })
                .collect(),
        })
        .collect();
    JsonImpact {
        version: JSON_VERSION,
        range: &i.range,
        base: json_commit(&i.commits.base),
        head: json_commit(&i.commits.head),
        commits: i
            .commits
            .commits
            .iter()
            .map(|(c, merge)| JsonRangeCommit {
                commit: &c.change.commit,
                time: c.committed.to_string(),
                author: &c.change.author_email,
                author_name: &c.change.author_name,
                summary: &c.change.summary,
                merge: *merge,
            })
            .collect(),
        changed: i
            .changed
            .iter()
            .map(|c| JsonChangedPath {
                path: &c.change.path,
                change: c.change.status.as_str(),
                from: c.change.from.as_deref(),
                line: c.change.line,
                artifacts: &c.artifacts,
                governed_by: &c.governed_by,
            })
            .collect(),
        artifacts_changed: &i.artifacts_changed,
        governing: &i.governing,
        recorded: i
            .recorded
            .iter()
            .map(|(artifact, r)| JsonRecord {
                artifact,
                action: r.action.as_str(),
                by: &r.by,
                role: &r.role,
                at: r.at.to_string(),
                note: r.note.as_deref(),
            })
            .collect(),
        invalidated: i
            .invalidated
            .iter()
            .map(|(artifact, role)| JsonInvalidated { artifact, role })
            .collect(),
        opened: i.opened.iter().map(json_finding).collect(),
        closed: i.closed.iter().map(json_finding).collect(),
        to_do: i
            .to_do
            .iter()
            .map(|t| JsonToDo {
                finding: json_finding(&t.finding),
                opened: t.opened,
                acting_roles: t.roles(),
                people: t.people(),
            })
            .collect(),
        must_act,
        summary: JsonSummary {
            commits: i.commits.commits.len(),
            changed: i.changed.len(),
            opened: counts(&i.opened),
            closed: i.closed.len(),
            fail_on: threshold.as_str(),
            failed: i.fails(threshold),
        },
    }
}

/// The roles `person` acts in for any of `todos`, each once.
fn person_roles<'a>(person: &str, todos: &[&'a ToDo]) -> Vec<&'a str> {
    let mut roles: Vec<&str> = Vec::new();
    for role in todos.iter().flat_map(|t| t.roles_of(person)) {
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles
}

pub(crate) fn json(i: &Impact, threshold: Severity) -> String {
    let mut text = serde_json::to_string_pretty(&json_doc(i, threshold)).unwrap_or_default();
    text.push('\n');
    text
}

fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `1 commit, abc1234..def5678`.
fn heading(i: &Impact) -> String {
    format!(
        "Impact of {}: {}, {}..{}",
        i.range,
        plural(i.commits.commits.len(), "commit"),
        short(&i.commits.base.change.commit),
        short(&i.commits.head.change.commit),
    )
}

/// The changed paths the handoff knows: artifacts' files and governed code.
fn known_paths(i: &Impact) -> Vec<&ChangedPath> {
    i.changed
        .iter()
        .filter(|c| !c.artifacts.is_empty() || !c.governed_by.is_empty())
        .collect()
}

/// `src/reply/draft.rs:12 (renamed from …): governed by prd; artifact x`.
fn path_line(c: &ChangedPath, code: fn(&str) -> String) -> String {
    let mut line = code(&c.change.path);
    if let Some(n) = c.change.line {
        line.push_str(&format!(" line {n}"));
    }
    match (c.change.status, &c.change.from) {
        (ChangeStatus::Renamed, Some(from)) => {
            line.push_str(&format!(" (renamed from {})", code(from)))
        }
        (ChangeStatus::Modified, _) => {}
        (status, _) => line.push_str(&format!(" ({})", status.as_str())),
    }
    format!("{line}: {}", what_path_is(c, code))
}

/// `governed by prd; artifact x`: what a changed path is to the handoff.
fn what_path_is(c: &ChangedPath, code: fn(&str) -> String) -> String {
    let mut what = Vec::new();
    if !c.governed_by.is_empty() {
        what.push(format!("governed by {}", ids(&c.governed_by, code)));
    }
    if !c.artifacts.is_empty() {
        what.push(format!("artifact {}", ids(&c.artifacts, code)));
    }
    what.join("; ")
}

fn ids<S: AsRef<str>>(ids: &[S], code: fn(&str) -> String) -> String {
    ids.iter()
        .map(|i| code(i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn todo_line(t: &ToDo, code: fn(&str) -> String, message: fn(&str) -> String) -> String {
    let f = &t.finding;
    format!(
        "{} {} {}{}: {} → {}",
        f.severity.as_str(),
        code(f.subject()),
        code(f.code.as_str()),
        if t.opened { " (new)" } else { "" },
        message(&f.message),
        message(&f.fix),
    )
}

fn finding_line(f: &Finding, code: fn(&str) -> String, message: fn(&str) -> String) -> String {
    format!(
        "{} {} {}: {}",
        f.severity.as_str(),
        code(f.subject()),
        code(f.code.as_str()),
        message(&f.message)
    )
}

fn verdict(i: &Impact, threshold: Severity) -> String {
    format!(
        "{} opened · {} closed · {} (--fail-on {threshold})",
        plural(i.opened.len(), "finding"),
        plural(i.closed.len(), "finding"),
        if i.fails(threshold) { "FAIL" } else { "ok" },
    )
}

/// The sections text and the details of the comment share, as (title, lines).
fn sections(
    i: &Impact,
    code: fn(&str) -> String,
    message: fn(&str) -> String,
) -> Vec<(String, Vec<String>)> {
    let known = known_paths(i);
    vec![
        (
            format!(
                "Changed paths the handoff knows ({} of {})",
                known.len(),
                i.changed.len()
            ),
            known.iter().map(|c| path_line(c, code)).collect(),
        ),
        (
            format!("Sign-offs recorded ({})", i.recorded.len()),
            i.recorded
                .iter()
                .map(|(a, r)| {
                    format!(
                        "{} {} by {} as {}",
                        code(a),
                        r.action.as_str(),
                        message(&r.by),
                        code(&r.role)
                    )
                })
                .collect(),
        ),
        (
            format!("Sign-offs invalidated ({})", i.invalidated.len()),
            i.invalidated
                .iter()
                .map(|(a, r)| format!("{} as {}", code(a), code(r)))
                .collect(),
        ),
        (
            format!("Findings opened ({})", i.opened.len()),
            i.opened
                .iter()
                .map(|f| finding_line(f, code, message))
                .collect(),
        ),
        (
            format!("Findings closed ({})", i.closed.len()),
            i.closed
                .iter()
                .map(|f| finding_line(f, code, message))
                .collect(),
        ),
    ]
}

pub(crate) fn text(i: &Impact, threshold: Severity) -> String {
    let mut out = format!("{}\n", sanitize(&heading(i)));
    if i.commits.commits.is_empty() {
        out.push_str("The range adds no commits: nothing changes for the handoff.\n");
    }
    for (title, lines) in sections(i, sanitize, sanitize) {
        out.push_str(&format!("\n{title}\n"));
        if lines.is_empty() {
            out.push_str("  none\n");
        }
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("\nWho must act before merge\n");
    let people = i.by_person();
    if people.is_empty() {
        out.push_str("  nobody\n");
    }
    for (person, todos) in &people {
        let roles = person_roles(person, todos);
        out.push_str(&format!("  {} ({})\n", sanitize(person), roles.join(", ")));
        for t in todos {
            out.push_str(&format!("    {}\n", todo_line(t, sanitize, sanitize)));
        }
    }
    let nobody: Vec<&ToDo> = i
        .to_do
        .iter()
        .filter(|t| t.acting.iter().all(|(_, p)| p.is_empty()))
        .collect();
    if !nobody.is_empty() {
        out.push_str("\nNobody staffed to act\n");
        for t in nobody {
            out.push_str(&format!("  {}\n", todo_line(t, sanitize, sanitize)));
        }
    }
    out.push_str(&format!("\nhandoff impact: {}\n", verdict(i, threshold)));
    out
}

/// A pull-request comment: who must act, grouped by person, then the details folded away.
pub(crate) fn markdown(i: &Impact, threshold: Severity) -> String {
    let mut out = String::from("### handoff: what this change means for the handoff\n\n");
    let mut lede = vec![format!(
        "{} ({}..{})",
        plural(i.commits.commits.len(), "commit"),
        md_code(short(&i.commits.base.change.commit)),
        md_code(short(&i.commits.head.change.commit)),
    )];
    if !i.governing.is_empty() {
        lede.push(format!(
            "touches code governed by {}",
            ids(&i.governing, md_code)
        ));
    }
    if !i.artifacts_changed.is_empty() {
        lede.push(format!("changes {}", ids(&i.artifacts_changed, md_code)));
    }
    lede.push(format!(
        "opens {}, closes {}",
        plural(i.opened.len(), "finding"),
        i.closed.len()
    ));
    out.push_str(&format!("{}\n\n", lede.join(" · ")));
    let people = i.by_person();
    let nobody: Vec<&ToDo> = i
        .to_do
        .iter()
        .filter(|t| t.acting.iter().all(|(_, p)| p.is_empty()))
        .collect();
    if people.is_empty() && nobody.is_empty() {
        out.push_str("Nobody needs to act on the handoff before merge.\n");
    } else {
        out.push_str("**Before merge:**\n\n");
    }
    for (person, todos) in &people {
        let roles = person_roles(person, todos);
        out.push_str(&format!(
            "- **{}** ({})\n",
            md(person),
            ids(&roles, md_code)
        ));
        for t in todos {
            out.push_str(&format!("  - {}\n", todo_line(t, md_code, md_message)));
        }
    }
    if !nobody.is_empty() {
        out.push_str("- **nobody is in the role**\n");
        for t in nobody {
            out.push_str(&format!("  - {}\n", todo_line(t, md_code, md_message)));
        }
    }
    out.push_str("\n<details><summary>Details</summary>\n\n");
    for (title, lines) in sections(i, md_code, md_message) {
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("**{}**\n\n", md(&title)));
        for line in lines {
            out.push_str(&format!("- {line}\n"));
        }
        out.push('\n');
    }
    out.push_str("</details>\n\n");
    out.push_str(&format!(
        "`handoff impact`: {}\n",
        md(&verdict(i, threshold))
    ));
    out
}

/// GitHub workflow commands: one annotation per changed file the handoff knows (at its first
/// changed line; an `::error` or `::warning` when a finding about its artifacts must be dealt
/// with before merge, else a `::notice`), one per finding the range opens at the finding's
/// own place, then a summary line. Files are relative to the repository root.
pub(crate) fn github(i: &Impact, repo_prefix: &str, threshold: Severity) -> String {
    let mut out = String::new();
    for c in known_paths(i) {
        let about = |t: &&ToDo| {
            c.governed_by.contains(&t.finding.artifact) || c.artifacts.contains(&t.finding.artifact)
        };
        let todos: Vec<&ToDo> = i.to_do.iter().filter(about).collect();
        let worst = todos.iter().map(|t| t.finding.severity).max();
        // The annotation stands on the file: its message says what the file is to the handoff.
        let mut message = what_path_is(c, sanitize);
        for t in &todos {
            message.push_str(&format!("\n{}", todo_line(t, sanitize, sanitize)));
            let people = t.people();
            if !people.is_empty() {
                message.push_str(&format!(" ({})", sanitize(&people.join(", "))));
            }
        }
        let title = if c.governed_by.is_empty() {
            format!("handoff: artifact {}", c.artifacts.join(", "))
        } else {
            format!("handoff: governed by {}", c.governed_by.join(", "))
        };
        let pos = Pos::new(c.change.line.unwrap_or(0), 0, 0);
        out.push_str(&format!(
            "::{} {}::{}\n",
            command(worst),
            super::ci::annotation_properties(
                &format!("{repo_prefix}{}", c.change.path),
                pos,
                &sanitize(&title)
            ),
            github_data(&message)
        ));
    }
    for f in &i.opened {
        out.push_str(&super::ci::finding_annotation(
            f,
            &format!("{repo_prefix}{}", f.file),
        ));
    }
    out.push_str(&format!(
        "handoff impact: {} · {}\n",
        plural(i.commits.commits.len(), "commit"),
        verdict(i, threshold)
    ));
    out
}

/// The workflow command of an annotation as severe as `worst` (`notice` for none).
fn command(worst: Option<Severity>) -> &'static str {
    match worst {
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        _ => "notice",
    }
}
