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

use crate::core::model::{
    Artifact, ArtifactFacts, Facts, FindingCode, INDEX_FILE, Index, Kind, Ledger, Pos, Severity,
    Target, ledger::ledger_file,
};
use graph::Graph;
pub use matrix::{Cell, CellState, Matrix, MatrixRow};
use signoffs::{SignoffState, signoff_state};

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
    /// Where each artifact's findings sit in `findings`, by the artifact's position in the
    /// index.
    ranges: Vec<Range<usize>>,
    memory: Memory,
}

impl Report {
    /// Where the artifact with this id stands in the index, in constant time.
    pub fn position(&self, artifact: &str) -> Option<usize> {
        self.memory.position.get(artifact).copied()
    }

    pub fn findings_of(&self, artifact: &str) -> &[Finding] {
        match self.memory.position.get(artifact) {
            Some(&position) => &self.findings[self.ranges[position].clone()],
            None => &[],
        }
    }

    /// How many findings there are of each severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.findings
            .iter()
            .fold((0, 0, 0), |(e, w, i), f| match f.severity {
                Severity::Error => (e + 1, w, i),
                Severity::Warning => (e, w + 1, i),
                Severity::Info => (e, w, i + 1),
            })
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

/// Kinds by id, with their required sections normalized once per analysis rather than once
/// per document.
type KindTable<'a> = HashMap<&'a str, (&'a Kind, sections::Requirements)>;

fn kind_table(index: &Index) -> KindTable<'_> {
    let mut kinds = KindTable::new();
    for kind in &index.kinds {
        // The first of a repeated id wins, as in `Index::kind`.
        kinds
            .entry(kind.id.as_str())
            .or_insert_with(|| (kind, sections::Requirements::new(&kind.required_sections)));
    }
    kinds
}

struct Ctx<'a> {
    index: &'a Index,
    /// Artifacts by id: lookups stay constant-time at thousands of artifacts.
    by_id: HashMap<&'a str, &'a Artifact>,
    kinds: &'a KindTable<'a>,
    now: Timestamp,
    out: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    fn new(index: &'a Index, kinds: &'a KindTable<'a>, now: Timestamp) -> Ctx<'a> {
        Ctx {
            index,
            by_id: index.artifacts.iter().map(|a| (a.id.as_str(), a)).collect(),
            kinds,
            now,
            out: Vec::new(),
        }
    }

    /// `Index::kind_of`, without a linear search.
    fn kind_of(&self, artifact: &Artifact) -> Option<&'a Kind> {
        self.kind_entry(artifact).map(|(kind, _)| *kind)
    }

    fn kind_entry(&self, artifact: &Artifact) -> Option<&'a (&'a Kind, sections::Requirements)> {
        artifact.kind.as_deref().and_then(|id| self.kinds.get(id))
    }

    /// `Index::severity_for`, with the artifact's kind found by [`Ctx::kind_of`].
    fn severity_for(&self, code: FindingCode, artifact: &Artifact) -> Severity {
        self.kind_of(artifact)
            .and_then(|k| k.severity.get(&code))
            .or_else(|| self.index.severity.get(&code))
            .copied()
            .unwrap_or_else(|| code.default_severity())
    }

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
            severity: self.severity_for(code, artifact),
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

/// Decides every finding and builds the matrix, one artifact after the other.
pub fn analyze(index: &Index, ledger: &Ledger, facts: &Facts, now: Timestamp) -> Report {
    analyze_with(index, ledger, facts, now, &InTurn)
}

/// The findings of a run of artifacts, and each artifact's range in them.
pub type Decided = (Vec<Finding>, Vec<std::ops::Range<usize>>);

/// Who decides the runs of artifacts: the engine hands them to threads (core starts none).
pub trait Runner: Sync {
    /// How many runs may be decided at once.
    fn workers(&self) -> usize;
    /// `decide` applied to every run, results in the order of `runs`.
    fn run(
        &self,
        runs: Vec<std::ops::Range<usize>>,
        decide: &(dyn Fn(std::ops::Range<usize>) -> Decided + Sync),
    ) -> Vec<Decided>;
}

/// Decides the runs one after the other.
pub struct InTurn;

impl Runner for InTurn {
    fn workers(&self) -> usize {
        1
    }

    fn run(
        &self,
        runs: Vec<std::ops::Range<usize>>,
        decide: &(dyn Fn(std::ops::Range<usize>) -> Decided + Sync),
    ) -> Vec<Decided> {
        runs.into_iter().map(decide).collect()
    }
}

/// [`analyze`], large indexes split into one contiguous run of artifacts per worker of
/// `runner`, the runs joined in index order.
pub fn analyze_with(
    index: &Index,
    ledger: &Ledger,
    facts: &Facts,
    now: Timestamp,
    runner: &dyn Runner,
) -> Report {
    let runs = runner
        .workers()
        .min(index.artifacts.len() / ARTIFACTS_PER_THREAD)
        .max(1);
    analyze_in_runs(index, ledger, facts, now, runs, runner)
}

/// [`analyze`], deciding the artifacts in `runs` contiguous runs.
fn analyze_in_runs(
    index: &Index,
    ledger: &Ledger,
    facts: &Facts,
    now: Timestamp,
    runs: usize,
    runner: &dyn Runner,
) -> Report {
    let kinds = kind_table(index);
    let cx = Ctx::new(index, &kinds, now);
    // Records the ledger's history speaks against count for nothing.
    let judged = ledger_trust::judge_all(index, ledger, &facts.ledger_history);
    let states: Vec<SignoffState> = index
        .artifacts
        .iter()
        .zip(&judged)
        .map(|(a, (_, records))| signoff_state(index, a, records))
        .collect();
    let memory = Memory::new(&cx, ledger, facts, &states, now);
    // Each artifact is decided from shared, read-only inputs: large indexes are split into
    // one contiguous run of artifacts per core, and the runs joined in index order.
    let decide_run = |run: std::ops::Range<usize>| {
        let mut cx = Ctx::new(index, &kinds, now);
        let mut ranges = Vec::with_capacity(run.len());
        for i in run {
            let start = cx.out.len();
            decide(&mut cx, ledger, facts, i, &judged[i].0, &states[i], &memory);
            ranges.push(start..cx.out.len());
        }
        (cx.out, ranges)
    };
    let count = index.artifacts.len();
    let run_length = count.div_ceil(runs).max(1);
    let decided: Vec<Decided> = if runs <= 1 {
        vec![decide_run(0..count)]
    } else {
        let ranges = (0..count)
            .step_by(run_length)
            .map(|start| start..(start + run_length).min(count))
            .collect();
        runner.run(ranges, &decide_run)
    };
    let mut findings = Vec::with_capacity(decided.iter().map(|(f, _)| f.len()).sum());
    let mut ranges = Vec::with_capacity(count);
    for (mut run_findings, run_ranges) in decided {
        let offset = findings.len();
        ranges.extend(
            run_ranges
                .into_iter()
                .map(|r| r.start + offset..r.end + offset),
        );
        findings.append(&mut run_findings);
    }
    let matrix = matrix::build(index, &findings, &ranges);
    Report {
        findings,
        matrix,
        ranges,
        memory,
    }
}

/// Below this many artifacts per thread, deciding on more threads costs more than it saves.
const ARTIFACTS_PER_THREAD: usize = 1_000;

/// What the findings of one artifact depend on besides its own facts and ledger, kept with a
/// report so that [`Report::update`] can tell what a change of facts reaches.
#[derive(Debug, Clone)]
struct Memory {
    /// The time the report was decided at.
    now: Timestamp,
    /// A cheap summary of the ledger it was decided from: an update from another ledger
    /// (a record appended or revoked, its history read) is decided whole.
    ledger: LedgerStamp,
    /// Artifact positions by id.
    position: HashMap<String, usize>,
    /// Per artifact, the positions of the artifacts that depend on it.
    downstream: Vec<Vec<usize>>,
    /// Per artifact, the dependency cycle it is on, as messages name it.
    in_cycle: Vec<Option<String>>,
    /// Per artifact, the upstream artifacts that changed since its sign-off.
    upstream_changes: Vec<Vec<UpstreamChange>>,
    /// Artifacts downstream of one with upstream changes: the nearest such one.
    at_risk: HashMap<usize, usize>,
}

impl Memory {
    fn new(
        cx: &Ctx,
        ledger: &Ledger,
        facts: &Facts,
        states: &[SignoffState],
        now: Timestamp,
    ) -> Memory {
        let index = cx.index;
        let graph = Graph::new(index);
        let mut in_cycle: Vec<Option<String>> = vec![None; index.artifacts.len()];
        for cycle in graph.cycles() {
            let mut names: Vec<&str> = cycle.iter().map(|&i| graph.ids[i]).collect();
            names.push(names[0]);
            let text = names.join(" → ");
            for &i in &cycle {
                in_cycle[i] = Some(text.clone());
            }
        }
        // Upstream changes first: at-risk depends on which artifacts have them.
        let upstream_changes: Vec<Vec<UpstreamChange>> = index
            .artifacts
            .iter()
            .zip(states)
            .map(|(a, s)| upstream_changes(&cx.by_id, facts, a, s))
            .collect();
        let at_risk = at_risk(&graph.downstream, &upstream_changes);
        Memory {
            now,
            ledger: LedgerStamp::of(ledger, facts),
            position: index
                .artifacts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.id.clone(), i))
                .collect(),
            downstream: graph.downstream,
            in_cycle,
            upstream_changes,
            at_risk,
        }
    }
}

/// Record and problem counts of a ledger and its history: what changes when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LedgerStamp {
    records: usize,
    problems: usize,
    history_read: bool,
    history_files: usize,
}

impl LedgerStamp {
    fn of(ledger: &Ledger, facts: &Facts) -> LedgerStamp {
        LedgerStamp {
            records: ledger.records.values().map(Vec::len).sum(),
            problems: ledger.problems.len(),
            history_read: facts.ledger_history.read,
            history_files: facts.ledger_history.files.len(),
        }
    }
}

fn at_risk(
    downstream: &[Vec<usize>],
    upstream_changes: &[Vec<UpstreamChange>],
) -> HashMap<usize, usize> {
    let sources: Vec<usize> = (0..upstream_changes.len())
        .filter(|&i| !upstream_changes[i].is_empty())
        .collect();
    graph::downstream_of(downstream, &sources)
}

impl Report {
    /// The report [`analyze`] gives once the facts of the `changed` artifacts are as in
    /// `facts`, for a report decided from the same index, ledger and time: only what those
    /// facts can reach is decided again (the artifacts themselves, those depending on them,
    /// and those whose at-risk origin changes), which keeps a save or a streamed batch cheap
    /// at thousands of artifacts. Anything else (another time, another index) is decided
    /// whole.
    pub fn update(
        &mut self,
        index: &Index,
        ledger: &Ledger,
        facts: &Facts,
        now: Timestamp,
        changed: &[&str],
    ) {
        let memory = &self.memory;
        let same_index = memory.position.len() == index.artifacts.len()
            && index
                .artifacts
                .iter()
                .enumerate()
                .all(|(i, a)| memory.position.get(&a.id) == Some(&i));
        if memory.now != now || memory.ledger != LedgerStamp::of(ledger, facts) || !same_index {
            *self = analyze(index, ledger, facts, now);
            return;
        }
        let kinds = kind_table(index);
        let mut cx = Ctx::new(index, &kinds, now);
        let judge = |i: usize| {
            let artifact = &index.artifacts[i];
            let records = ledger.of(&artifact.id);
            let trust = ledger_trust::judge(
                index,
                &ledger_file(&artifact.id),
                records,
                &facts.ledger_history,
                &artifact.id,
            );
            let trusted: Vec<crate::core::model::SignOff> = records
                .iter()
                .zip(&trust.distrusted)
                .filter(|(_, distrusted)| !**distrusted)
                .map(|(r, _)| r.clone())
                .collect();
            (trust, trusted)
        };

        // The changed artifacts and those depending on them: their upstream changes (and the
        // time of those changes) may differ now.
        let mut affected = std::collections::BTreeSet::new();
        for id in changed {
            if let Some(&i) = self.memory.position.get(*id) {
                affected.insert(i);
                affected.extend(self.memory.downstream[i].iter().copied());
            }
        }
        let mut judged: HashMap<usize, (ledger_trust::Trust, Vec<crate::core::model::SignOff>)> =
            affected.iter().map(|&i| (i, judge(i))).collect();
        let mut sources_changed = Vec::new();
        for (&i, (_, records)) in &judged {
            let state = signoff_state(index, &index.artifacts[i], records);
            let changes = upstream_changes(&cx.by_id, facts, &index.artifacts[i], &state);
            if changes != self.memory.upstream_changes[i] {
                sources_changed.push(i);
                self.memory.upstream_changes[i] = changes;
            }
        }
        if !sources_changed.is_empty() {
            let at_risk = at_risk(&self.memory.downstream, &self.memory.upstream_changes);
            // An at-risk finding changes with its origin, or with its origin's causes.
            for i in 0..index.artifacts.len() {
                let before = self.memory.at_risk.get(&i);
                let after = at_risk.get(&i);
                if before != after || after.is_some_and(|o| sources_changed.contains(o)) {
                    affected.insert(i);
                }
            }
            self.memory.at_risk = at_risk;
        }
        for &i in &affected {
            judged.entry(i).or_insert_with(|| judge(i));
        }

        // Decide the affected artifacts again and splice their findings in, in index order.
        let old = std::mem::take(&mut self.findings);
        let mut old = old.into_iter();
        let mut findings = Vec::with_capacity(old.len());
        for (i, artifact) in index.artifacts.iter().enumerate() {
            let before = self.ranges[i].len();
            let start = findings.len();
            if let Some((trust, records)) = judged.get(&i).filter(|_| affected.contains(&i)) {
                old.by_ref().take(before).for_each(drop);
                let state = signoff_state(index, artifact, records);
                cx.out.clear();
                decide(&mut cx, ledger, facts, i, trust, &state, &self.memory);
                findings.append(&mut cx.out);
            } else {
                findings.extend(old.by_ref().take(before));
            }
            self.ranges[i] = start..findings.len();
        }
        self.findings = findings;
        for &i in &affected {
            let mine = &self.findings[self.ranges[i].clone()];
            self.matrix.rows[i] = matrix::build_row(index, &index.artifacts[i], mine);
        }
    }
}

/// Decides the findings of the artifact at position `i`, from its facts, its sign-off state
/// and what `memory` says about its upstream.
fn decide(
    cx: &mut Ctx,
    ledger: &Ledger,
    facts: &Facts,
    i: usize,
    trust: &ledger_trust::Trust,
    state: &SignoffState,
    memory: &Memory,
) {
    let empty = ArtifactFacts::default();
    let artifact = &cx.index.artifacts[i];
    // Facts not yet read (the workbench streams them in) decide nothing: no `missing`
    // for a file not looked at yet, no drift for a fingerprint not computed yet.
    let pending = facts.of(&artifact.id).is_none() && !artifact.target.is_url();
    let f = facts.of(&artifact.id).unwrap_or(&empty);
    dependency_findings(cx, artifact, memory.in_cycle[i].as_deref());
    ownership_findings(cx, artifact, state);
    if !pending {
        content_findings(cx, artifact, f);
    }
    approval_findings(cx, artifact, f, state, pending);
    let now = cx.now;
    for change in &memory.upstream_changes[i] {
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
    if let Some(&origin) = memory.at_risk.get(&i) {
        let origin_id = cx.index.artifacts[origin].id.as_str();
        let causes: Vec<&str> = memory.upstream_changes[origin]
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
    freshness_findings(cx, artifact, f, state);
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
    for problem in &trust.problems {
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

fn dependency_findings(cx: &mut Ctx, artifact: &Artifact, cycle: Option<&str>) {
    for dep in &artifact.depends_on {
        if !cx.by_id.contains_key(dep.as_str()) {
            let known: Vec<&str> = cx.index.artifacts.iter().map(|a| a.id.as_str()).collect();
            let hint = match crate::core::model::load::suggest(dep, known) {
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
    let Some((kind, requirements)) = cx.kind_entry(artifact) else {
        return;
    };
    if requirements.is_empty() {
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
        let missing = requirements.missing_in(&doc.path, text);
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
    let kind = cx.kind_of(artifact);
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[cfg(test)]
mod update_tests;
