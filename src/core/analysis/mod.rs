//! The analysis: pure functions of (index, ledger, facts, now) that decide every finding and
//! build the ownership matrix. No git, no terminal, no file system here.
//!
//! [`analyze`] decides each artifact by the rules in `rules` (one module per family of
//! findings) from a shared `context`; what the findings of one artifact depend on besides its
//! own facts is kept in `memory`, so that [`Report::update`] decides again only what a change
//! reaches.

pub mod agenda;
mod context;
pub mod diff_basis;
pub mod graph;
pub(crate) mod ledger_trust;
pub mod links;
pub mod matrix;
mod memory;
pub mod mine;
mod rules;
pub mod scorecard;
pub mod sections;
pub mod signoffs;
mod update;

use std::ops::Range;

use jiff::Timestamp;

use crate::core::model::{Facts, FindingCode, Index, LastChange, Ledger, Pos, Severity};
use context::{Ctx, kind_table};
pub use matrix::{Cell, CellState, Matrix, MatrixRow};
use memory::Memory;
pub use scorecard::{RuleResult, RuleState, Scorecard};
use signoffs::{SignoffState, signoff_state};

/// One thing wrong with the handoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    /// The artifact it is about; empty for a finding about the handoff as a whole (then
    /// `rule` names the scorecard rule it is about).
    pub artifact: String,
    /// The scorecard rule a handoff-level finding (`scorecard-unmet`) is about.
    pub rule: Option<String>,
    /// The role that must act, when one role must.
    pub role: Option<String>,
    /// Every role that must act (`role` first, when there is one): a change approved by
    /// several roles is one finding naming them all.
    pub roles: Vec<String>,
    /// The other artifact involved (the upstream that changed, the missing dependency).
    pub related: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What would fix it.
    pub fix: String,
    /// The handoff command that fixes it and who may run it, where one does (`None` where
    /// only a person's work does, such as writing a missing section).
    pub action: Option<FindingAction>,
    /// Since when it has been wrong, when known.
    pub since: Option<Timestamp>,
    /// Where to look: a file (relative to the index's directory) and a position in it.
    pub file: String,
    pub pos: Pos,
}

impl Finding {
    /// What the finding is about, as outputs name it: the artifact's id, or `handoff` for a
    /// finding about the handoff as a whole.
    pub fn subject(&self) -> &str {
        if self.artifact.is_empty() {
            "handoff"
        } else {
            &self.artifact
        }
    }
}

/// A handoff command that fixes a finding, and the people who may run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingAction {
    /// The command line, from `handoff` on.
    pub argv: Vec<String>,
    /// The git e-mail addresses it works for.
    pub who: Vec<String>,
}

/// The result of one analysis.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every finding about an artifact, grouped by artifact in index order.
    pub findings: Vec<Finding>,
    /// Findings about the handoff as a whole (`placeholder-description` of its description,
    /// then `scorecard-unmet`): kept apart so that every
    /// finding in `findings` names its artifact.
    pub handoff_findings: Vec<Finding>,
    /// The index's scorecard, judged.
    pub scorecard: Scorecard,
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

    /// Every finding: the artifacts', then the handoff's.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().chain(&self.handoff_findings)
    }

    /// The finding at position `i` of [`Report::all_findings`] (lists that show both kinds
    /// keep these positions).
    ///
    /// # Panics
    /// When `i` is not below the number of all findings, as slice indexing does.
    pub fn finding(&self, i: usize) -> &Finding {
        match i.checked_sub(self.findings.len()) {
            None => &self.findings[i],
            Some(j) => &self.handoff_findings[j],
        }
    }

    /// Judges the scorecard again (after its facts, or the artifacts' findings, changed).
    pub fn rescore(&mut self, index: &Index, facts: &Facts) {
        self.scorecard = scorecard::evaluate(index, facts, &self.findings);
        self.handoff_findings = rules::description::handoff_description_finding(index)
            .into_iter()
            .chain(self.scorecard.unmet())
            .collect();
    }

    /// How many findings there are of each severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.all_findings()
            .fold((0, 0, 0), |(e, w, i), f| match f.severity {
                Severity::Error => (e + 1, w, i),
                Severity::Warning => (e, w + 1, i),
                Severity::Info => (e, w, i + 1),
            })
    }

    /// The most severe finding's severity, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.all_findings().map(|f| f.severity).max()
    }
}

/// The commits behind an artifact's `code-drift` finding, newest first: the changes to its
/// governed paths since the finding's `since` (the oldest change after the approval). Empty
/// when it does not drift.
pub fn drift_commits<'a>(report: &Report, facts: &'a Facts, artifact: &str) -> Vec<&'a LastChange> {
    let Some(since) = report
        .findings_of(artifact)
        .iter()
        .find(|f| f.code == FindingCode::CodeDrift)
        .and_then(|f| f.since)
    else {
        return Vec::new();
    };
    facts
        .of(artifact)
        .and_then(|f| f.governed.as_ref())
        .and_then(|g| g.changes.as_ref())
        .map(|changes| changes.iter().filter(|c| c.time >= since).collect())
        .unwrap_or_default()
}

/// Whole days from `then` to `now` (never negative).
pub(crate) fn days_since(now: Timestamp, then: Timestamp) -> i64 {
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

/// Decides every finding and builds the matrix, one artifact after the other.
pub fn analyze(index: &Index, ledger: &Ledger, facts: &Facts, now: Timestamp) -> Report {
    analyze_with(index, ledger, facts, now, &InTurn)
}

/// The findings of a run of artifacts, and each artifact's range in them.
pub(crate) type Decided = (Vec<Finding>, Vec<std::ops::Range<usize>>);

/// Who decides the runs of artifacts: the engine hands them to threads (core starts none).
pub(crate) trait Runner: Sync {
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
pub(crate) struct InTurn;

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
pub(crate) fn analyze_with(
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
    let judged = ledger_trust::judge_all(index, ledger, &facts.ledger_history, now);
    let states: Vec<SignoffState> = index
        .artifacts
        .iter()
        .zip(&judged)
        .map(|(a, (_, records))| {
            signoff_state(index, a, records, &facts.ledger_history.removed_roles)
        })
        .collect();
    let memory = Memory::new(&cx, ledger, facts, &states, now);
    // Each artifact is decided from shared, read-only inputs: large indexes are split into
    // one contiguous run of artifacts per core, and the runs joined in index order.
    let decide_run = |run: std::ops::Range<usize>| {
        let mut cx = Ctx::new(index, &kinds, now);
        let mut ranges = Vec::with_capacity(run.len());
        for i in run {
            let start = cx.out.len();
            rules::decide(&mut cx, ledger, facts, i, &judged[i].0, &states[i], &memory);
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
    let matrix = matrix::build(index, &findings, &ranges, &memory.behind);
    let mut report = Report {
        findings,
        handoff_findings: Vec::new(),
        scorecard: Scorecard::default(),
        matrix,
        ranges,
        memory,
    };
    report.rescore(index, facts);
    report
}

/// Below this many artifacts per thread, deciding on more threads costs more than it saves.
const ARTIFACTS_PER_THREAD: usize = 1_000;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod update_tests;
