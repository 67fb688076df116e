//! The analysis: pure functions of (index, ledger, facts, now) that decide every finding and
//! build the ownership matrix. No git, no terminal, no file system here.

pub mod graph;
pub mod ledger_trust;
pub mod matrix;
pub mod sections;
pub mod signoffs;

use std::collections::HashMap;
use std::ops::Range;

use jiff::Timestamp;

use crate::model::{
    Artifact, ArtifactFacts, Facts, FindingCode, Index, Ledger, Pos, Severity, Target,
    ledger::ledger_file,
};
use graph::Graph;
pub use matrix::{Cell, CellState, Matrix, MatrixRow};
use signoffs::{SignoffState, signoff_state};

/// The file findings about the index point at.
pub const INDEX_FILE: &str = "handoff.yaml";

/// One thing wrong with the handoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    /// The artifact it is about.
    pub artifact: String,
    /// The role that must act, when one role must.
    pub role: Option<String>,
    /// The other artifact involved (the upstream that changed, the missing dependency).
    pub related: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What would fix it.
    pub fix: String,
    /// Since when it has been wrong, when known.
    pub since: Option<Timestamp>,
    /// Where to look: a file (relative to the index's directory) and a position in it.
    pub file: String,
    pub pos: Pos,
}

/// The result of one analysis.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every finding, grouped by artifact in index order.
    pub findings: Vec<Finding>,
    pub matrix: Matrix,
    /// Where each artifact's findings sit in `findings`.
    ranges: HashMap<String, Range<usize>>,
}

impl Report {
    pub fn findings_of(&self, artifact: &str) -> &[Finding] {
        match self.ranges.get(artifact) {
            Some(range) => &self.findings[range.clone()],
            None => &[],
        }
    }

    /// How many findings there are of each severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }

    /// The most severe finding's severity, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Whole days from `then` to `now` (never negative).
pub fn days_since(now: Timestamp, then: Timestamp) -> i64 {
    (now.as_second() - then.as_second()).max(0) / 86_400
}

/// "today", "yesterday", "12 days ago".
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    match days_since(now, then) {
        0 => "today".to_string(),
        1 => "yesterday".to_string(),
        n => format!("{n} days ago"),
    }
}

/// The calendar date of a time, UTC.
pub fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// A fingerprint shortened for messages.
pub fn short(fp: Option<&str>) -> String {
    match fp {
        Some(fp) => fp.chars().take(8).collect(),
        None => "none".to_string(),
    }
}

/// "dana@acme.example, sam@acme.example" or "nobody".
fn people_of(index: &Index, role: &str) -> String {
    match index.role(role) {
        Some(r) if !r.people.is_empty() => r.people.join(", "),
        _ => "nobody".to_string(),
    }
}

struct Ctx<'a> {
    index: &'a Index,
    /// Artifacts by id: lookups stay constant-time at thousands of artifacts.
    by_id: HashMap<&'a str, &'a Artifact>,
    now: Timestamp,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        artifact: &Artifact,
        code: FindingCode,
        role: Option<&str>,
        related: Option<&str>,
        message: String,
        fix: String,
        since: Option<Timestamp>,
        at: (String, Pos),
    ) {
        self.out.push(Finding {
            code,
            severity: self.index.severity_for(code, Some(artifact)),
            artifact: artifact.id.clone(),
            role: role.map(str::to_string),
            related: related.map(str::to_string),
            message,
            fix,
            since,
            file: at.0,
            pos: at.1,
        });
    }
}

fn in_index(artifact: &Artifact, field: &str) -> (String, Pos) {
    (INDEX_FILE.to_string(), artifact.pos_of(field))
}

/// Decides every finding and builds the matrix.
pub fn analyze(index: &Index, ledger: &Ledger, facts: &Facts, now: Timestamp) -> Report {
    let graph = Graph::new(index);
    let empty = ArtifactFacts::default();
    // Records the ledger's history speaks against count for nothing.
    let judged = ledger_trust::judge_all(index, ledger, &facts.ledger_history);
    let states: Vec<SignoffState> = index
        .artifacts
        .iter()
        .zip(&judged)
        .map(|(a, (_, records))| signoff_state(index, a, records))
        .collect();
    let by_id: HashMap<&str, &Artifact> =
        index.artifacts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut cx = Ctx {
        index,
        by_id,
        now,
        out: Vec::new(),
    };

    // Upstream changes first: at-risk depends on which artifacts have them.
    let upstream_changes: Vec<Vec<UpstreamChange>> = index
        .artifacts
        .iter()
        .zip(&states)
        .map(|(a, s)| upstream_changes(&cx.by_id, facts, a, s))
        .collect();
    let sources: Vec<usize> = (0..index.artifacts.len())
        .filter(|&i| !upstream_changes[i].is_empty())
        .collect();
    let at_risk = graph.downstream_of(&sources);
    let mut in_cycle: Vec<Option<String>> = vec![None; index.artifacts.len()];
    for cycle in graph.cycles() {
        let mut names: Vec<&str> = cycle.iter().map(|&i| graph.ids[i]).collect();
        names.push(names[0]);
        let text = names.join(" → ");
        for &i in &cycle {
            in_cycle[i] = Some(text.clone());
        }
    }

    for (i, artifact) in index.artifacts.iter().enumerate() {
        // Facts not yet read (the workbench streams them in) decide nothing: no `missing`
        // for a file not looked at yet, no drift for a fingerprint not computed yet.
        let pending = facts.of(&artifact.id).is_none() && !artifact.target.is_url();
        let f = facts.of(&artifact.id).unwrap_or(&empty);
        let state = &states[i];
        dependency_findings(&mut cx, artifact, in_cycle[i].as_deref());
        ownership_findings(&mut cx, artifact, state);
        if !pending {
            content_findings(&mut cx, artifact, f);
        }
        approval_findings(&mut cx, artifact, f, state, pending);
        for change in &upstream_changes[i] {
            let upstream = cx.by_id[change.upstream.as_str()];
            let since = facts
                .of(&change.upstream)
                .and_then(|u| u.history.last_change())
                .map(|c| c.time);
            let when = since
                .map(|t| format!(" {}", ago(now, t)))
                .unwrap_or_default();
            cx.push(
                artifact,
                FindingCode::UpstreamChanged,
                artifact.owner.as_deref(),
                Some(&change.upstream),
                format!(
                    "upstream `{}` changed{when} since this was signed off on {} (was {}, now {})",
                    change.upstream,
                    date(change.signed_at),
                    short(change.then.as_deref()),
                    short(change.now.as_deref()),
                ),
                format!(
                    "review the change to `{}`; update `{}`, or `acknowledge` with a note if it needs no change",
                    upstream.id, artifact.id
                ),
                since,
                in_index(artifact, "depends_on"),
            );
        }
        if let Some(&origin) = at_risk.get(&i) {
            let origin_id = graph.ids[origin];
            let causes: Vec<&str> = upstream_changes[origin]
                .iter()
                .map(|c| c.upstream.as_str())
                .collect();
            cx.push(
                artifact,
                FindingCode::AtRisk,
                None,
                Some(origin_id),
                format!(
                    "downstream of `{origin_id}`, which has not caught up with changes to {}",
                    causes
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "settle `{origin_id}` first; then check whether `{}` needs a change",
                    artifact.id
                ),
                None,
                in_index(artifact, "depends_on"),
            );
        }
        freshness_findings(&mut cx, artifact, f, state);
        for (record, reason) in &state.untrusted {
            cx.push(
                artifact,
                FindingCode::InvalidSignoff,
                None,
                None,
                format!(
                    "the `{}` record by {} is not trusted: {reason}",
                    record.action, record.by
                ),
                "fix the record's role, or revoke it and sign again".to_string(),
                Some(record.at),
                (ledger_file(&artifact.id), record.pos),
            );
        }
        for problem in &judged[i].0.problems {
            cx.push(
                artifact,
                FindingCode::InvalidSignoff,
                None,
                None,
                problem.message.clone(),
                problem.fix.clone(),
                problem.since,
                (ledger_file(&artifact.id), problem.pos),
            );
        }
        // A problem without an artifact (the whole ledger directory) concerns every one.
        for problem in ledger
            .problems
            .iter()
            .filter(|p| p.artifact == artifact.id || p.artifact.is_empty())
        {
            cx.push(
                artifact,
                FindingCode::InvalidSignoff,
                None,
                None,
                problem.message.clone(),
                format!(
                    "fix {}:{}, or remove the record and sign again; handoff ignores it until then",
                    problem.file, problem.pos.line
                ),
                None,
                (problem.file.clone(), problem.pos),
            );
        }
    }

    let mut ranges: HashMap<String, Range<usize>> = HashMap::new();
    for (i, f) in cx.out.iter().enumerate() {
        ranges.entry(f.artifact.clone()).or_insert(i..i).end = i + 1;
    }
    let matrix = matrix::build(index, &cx.out, &ranges);
    Report {
        findings: cx.out,
        matrix,
        ranges,
    }
}

fn dependency_findings(cx: &mut Ctx, artifact: &Artifact, cycle: Option<&str>) {
    for dep in &artifact.depends_on {
        if !cx.by_id.contains_key(dep.as_str()) {
            let known: Vec<&str> = cx.index.artifacts.iter().map(|a| a.id.as_str()).collect();
            let hint = match crate::model::load::suggest(dep, known) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => String::new(),
            };
            cx.push(
                artifact,
                FindingCode::DanglingDependency,
                None,
                Some(dep),
                format!("depends on `{dep}`, which is not defined{hint}"),
                format!("define `{dep}` in handoff.yaml, or remove it from `depends_on`"),
                None,
                in_index(artifact, "depends_on"),
            );
        }
    }
    if let Some(cycle) = cycle {
        cx.push(
            artifact,
            FindingCode::DependencyCycle,
            None,
            None,
            format!("dependency cycle: {cycle}"),
            "remove the dependency that points the wrong way".to_string(),
            None,
            in_index(artifact, "depends_on"),
        );
    }
}

fn ownership_findings(cx: &mut Ctx, artifact: &Artifact, state: &SignoffState) {
    let Some(owner) = artifact.owner.as_deref() else {
        cx.push(
            artifact,
            FindingCode::NoOwner,
            None,
            None,
            "nobody owns it: no owner role is named".to_string(),
            format!(
                "name one accountable role: `handoff set {} owner <role>`",
                artifact.id
            ),
            None,
            in_index(artifact, "id"),
        );
        return;
    };
    let staffed = cx.index.role(owner).is_some_and(|r| !r.people.is_empty());
    if !staffed {
        cx.push(
            artifact,
            FindingCode::OwnerUnstaffed,
            Some(owner),
            None,
            format!("the owner role `{owner}` has nobody in it"),
            format!("add a person to `{owner}`: `handoff set --role {owner} people +<email>`, or pick another owner"),
            None,
            in_index(artifact, "owner"),
        );
    } else if state.accepted.is_none() {
        cx.push(
            artifact,
            FindingCode::OwnerNotAccepted,
            Some(owner),
            None,
            format!("no member of `{owner}` has accepted ownership"),
            format!(
                "{} runs `handoff sign {} --action accept --role {owner}`",
                people_of(cx.index, owner),
                artifact.id
            ),
            None,
            in_index(artifact, "owner"),
        );
    }
}

fn content_findings(cx: &mut Ctx, artifact: &Artifact, f: &ArtifactFacts) {
    if artifact.target.is_url() {
        return;
    }
    if let Some(problem) = &f.problem {
        cx.push(
            artifact,
            FindingCode::Unreadable,
            artifact.owner.as_deref(),
            None,
            format!("`{}` cannot be read: {problem}", artifact.target.as_str()),
            "make it a regular file or directory inside the repository, within handoff's limits (narrow a glob; split a huge directory)".to_string(),
            None,
            in_index(artifact, "path"),
        );
        return;
    }
    if !f.exists {
        let what = match &artifact.target {
            Target::Glob(g) => format!("no file matches `{g}`"),
            other => format!("`{}` does not exist", other.as_str()),
        };
        let deleted = f
            .history
            .last_change()
            .map(|c| {
                format!(
                    " (last touched by {} {})",
                    &c.commit[..8.min(c.commit.len())],
                    ago(cx.now, c.time)
                )
            })
            .unwrap_or_default();
        cx.push(
            artifact,
            FindingCode::Missing,
            artifact.owner.as_deref(),
            None,
            format!("{what}{deleted}"),
            format!(
                "create `{}`, or correct `path:` in handoff.yaml",
                artifact.target.as_str()
            ),
            None,
            in_index(artifact, "path"),
        );
        return;
    }
    let Some(kind) = cx.index.kind_of(artifact) else {
        return;
    };
    if kind.required_sections.is_empty() {
        return;
    }
    if f.is_dir && f.documents.is_empty() {
        cx.push(
            artifact,
            FindingCode::MissingSections,
            artifact.owner.as_deref(),
            None,
            format!(
                "the directory has no README.md to hold the required sections: {}",
                kind.required_sections.join(", ")
            ),
            format!(
                "add {}/README.md with those headings",
                artifact.target.as_str()
            ),
            None,
            in_index(artifact, "path"),
        );
        return;
    }
    for doc in &f.documents {
        let Some(text) = &doc.text else {
            continue;
        };
        let headings = sections::sections_of(&doc.path, text);
        let missing = sections::missing_sections(&kind.required_sections, &headings);
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ");
        cx.push(
            artifact,
            FindingCode::MissingSections,
            artifact.owner.as_deref(),
            None,
            format!(
                "`{}` lacks required section{} {list}",
                doc.path,
                if missing.len() == 1 { "" } else { "s" }
            ),
            format!(
                "add the heading{} to `{}`",
                if missing.len() == 1 { "" } else { "s" },
                doc.path
            ),
            None,
            (doc.path.clone(), Pos::new(1, 1, 0)),
        );
    }
}

fn approval_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    state: &SignoffState,
    pending: bool,
) {
    let current = f.fingerprint.as_deref();
    for role in cx.index.required_signers(artifact) {
        match state.approvals.get(role.as_str()) {
            None => cx.push(
                artifact,
                FindingCode::Unsigned,
                Some(&role),
                None,
                format!("`{role}` has not approved it"),
                format!(
                    "needs `approve` from {role} ({})",
                    people_of(cx.index, &role)
                ),
                None,
                in_index(artifact, "reviewers"),
            ),
            Some(approval)
                if !pending
                    && !artifact.target.is_url()
                    && approval.fingerprint.as_deref() != current =>
            {
                let since = f.history.last_change().map(|c| c.time);
                let when = match (since, f.uncommitted) {
                    (_, true) => "changed in the working copy".to_string(),
                    (Some(t), false) => format!("changed {}", ago(cx.now, t)),
                    (None, false) => "changed".to_string(),
                };
                cx.push(
                    artifact,
                    FindingCode::ChangedSinceSignoff,
                    Some(&role),
                    None,
                    format!(
                        "{when}, after {} approved it on {} (approved {}, now {})",
                        approval.by,
                        date(approval.at),
                        short(approval.fingerprint.as_deref()),
                        short(current)
                    ),
                    format!("{role} reviews the change and approves again"),
                    since,
                    (ledger_file(&artifact.id), approval.pos),
                );
            }
            Some(_) => {}
        }
    }
}

fn freshness_findings(cx: &mut Ctx, artifact: &Artifact, f: &ArtifactFacts, state: &SignoffState) {
    let kind = cx.index.kind_of(artifact);
    if let (Some(max_age), Some(change)) = (
        kind.and_then(|k| k.max_age.as_ref()),
        f.history.last_change(),
    ) && cx.now.as_second() - change.time.as_second() > max_age.seconds()
        && f.exists
    {
        cx.push(
            artifact,
            FindingCode::Aged,
            artifact.owner.as_deref(),
            None,
            format!(
                "last changed {} ({}), beyond its max_age of {max_age}",
                ago(cx.now, change.time),
                date(change.time)
            ),
            "review it and bring it up to date, or raise the kind's max_age".to_string(),
            Some(change.time),
            in_index(artifact, "path"),
        );
    }
    if let (Some(every), Some(latest)) = (
        kind.and_then(|k| k.review_every.as_ref()),
        state.latest_approval(),
    ) && cx.now.as_second() - latest.at.as_second() > every.seconds()
    {
        cx.push(
            artifact,
            FindingCode::ReviewOverdue,
            Some(&latest.role),
            None,
            format!(
                "last approved {} by {} as {} ({}); reviews are due every {every}",
                ago(cx.now, latest.at),
                latest.by,
                latest.role,
                date(latest.at)
            ),
            "review it and approve again".to_string(),
            Some(latest.at),
            (ledger_file(&artifact.id), latest.pos),
        );
    }
    if let Target::Url(url) = &artifact.target {
        let every = artifact
            .verify_every
            .as_ref()
            .or_else(|| kind.and_then(|k| k.verify_every.as_ref()))
            .or_else(|| kind.and_then(|k| k.review_every.as_ref()));
        let due = match (state.verified, every) {
            (None, _) => Some(format!("`{url}` has never been verified")),
            (Some(v), Some(every)) if cx.now.as_second() - v.at.as_second() > every.seconds() => {
                Some(format!(
                    "last verified {} by {} ({}); it is due every {every}",
                    ago(cx.now, v.at),
                    v.by,
                    date(v.at)
                ))
            }
            _ => None,
        };
        if let Some(message) = due {
            let owner = artifact.owner.as_deref();
            cx.push(
                artifact,
                FindingCode::Unverified,
                owner,
                None,
                message,
                format!(
                    "open the link, check it still holds, then `handoff sign {} --action verify --role {}`",
                    artifact.id,
                    owner.unwrap_or("<role>")
                ),
                state.verified.map(|v| v.at),
                in_index(artifact, "url"),
            );
        }
    }
    if f.uncommitted {
        cx.push(
            artifact,
            FindingCode::Uncommitted,
            None,
            None,
            "the working copy differs from HEAD".to_string(),
            "commit the change, or discard it".to_string(),
            None,
            in_index(artifact, "path"),
        );
    }
}

/// An upstream artifact whose fingerprint differs from the one recorded at sign-off.
#[derive(Debug, Clone)]
pub struct UpstreamChange {
    pub upstream: String,
    pub then: Option<String>,
    pub now: Option<String>,
    pub signed_at: Timestamp,
}

fn upstream_changes(
    by_id: &HashMap<&str, &Artifact>,
    facts: &Facts,
    artifact: &Artifact,
    state: &SignoffState,
) -> Vec<UpstreamChange> {
    let Some(baseline) = state.baseline else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dep in &artifact.depends_on {
        let Some(upstream) = by_id.get(dep.as_str()) else {
            continue;
        };
        if upstream.target.is_url() {
            continue;
        }
        // A dependency added after the last sign-off has no recorded version to compare.
        let Some(then) = baseline.upstream.get(dep) else {
            continue;
        };
        // Facts still pending for the upstream say nothing yet.
        let Some(uf) = facts.of(dep) else {
            continue;
        };
        let now = uf.fingerprint.clone();
        if *then != now {
            out.push(UpstreamChange {
                upstream: dep.clone(),
                then: then.clone(),
                now,
                signed_at: baseline.at,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
