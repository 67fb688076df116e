//! What the findings of one artifact depend on besides its own facts and ledger, kept with a
//! report: the dependency graph's cycles and reach, and the upstream changes since each
//! sign-off.

use std::collections::HashMap;

use jiff::Timestamp;

use super::context::Ctx;
use super::graph::{self, Graph};
use super::signoffs::SignoffState;
use crate::core::model::{Artifact, Facts, Ledger, SignOff};

/// What the findings of one artifact depend on besides its own facts and ledger, kept with a
/// report so that [`Report::update`] can tell what a change of facts reaches.
#[derive(Debug, Clone)]
pub(super) struct Memory {
    /// The time the report was decided at.
    pub(super) now: Timestamp,
    /// A cheap summary of the ledger it was decided from: an update from another ledger
    /// (a record appended or revoked, its history read) is decided whole.
    pub(super) ledger: LedgerStamp,
    /// Artifact positions by id.
    pub(super) position: HashMap<String, usize>,
    /// Per artifact, the positions of the artifacts that depend on it.
    pub(super) downstream: Vec<Vec<usize>>,
    /// Per artifact, the dependency cycle it is on, as messages name it.
    pub(super) in_cycle: Vec<Option<String>>,
    /// Per artifact, the upstream artifacts that changed since its sign-off.
    pub(super) upstream_changes: Vec<Vec<UpstreamChange>>,
    /// Artifacts downstream of one with upstream changes: the nearest such one.
    pub(super) at_risk: HashMap<usize, usize>,
    /// Per artifact, the roles whose own standing record predates an upstream change: their
    /// cells show it until they acknowledge (or sign again).
    pub(super) behind: Vec<Vec<String>>,
}

impl Memory {
    pub(super) fn new(
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
        let behind = index
            .artifacts
            .iter()
            .zip(states)
            .map(|(a, s)| roles_behind(&cx.by_id, facts, a, s))
            .collect();
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
            behind,
        }
    }
}

/// Record and problem counts of a ledger and its history: what changes when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LedgerStamp {
    records: usize,
    problems: usize,
    history_read: bool,
    history_files: usize,
}

impl LedgerStamp {
    pub(super) fn of(ledger: &Ledger, facts: &Facts) -> LedgerStamp {
        LedgerStamp {
            records: ledger.records.values().map(Vec::len).sum(),
            problems: ledger.problems.len(),
            history_read: facts.ledger_history.read,
            history_files: facts.ledger_history.files.len(),
        }
    }
}

pub(super) fn at_risk(
    downstream: &[Vec<usize>],
    upstream_changes: &[Vec<UpstreamChange>],
) -> HashMap<usize, usize> {
    let sources: Vec<usize> = (0..upstream_changes.len())
        .filter(|&i| !upstream_changes[i].is_empty())
        .collect();
    graph::downstream_of(downstream, &sources)
}

/// An upstream artifact whose fingerprint differs from the one recorded at sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UpstreamChange {
    pub upstream: String,
    pub then: Option<String>,
    pub now: Option<String>,
    pub signed_at: Timestamp,
}

pub(super) fn upstream_changes(
    by_id: &HashMap<&str, &Artifact>,
    facts: &Facts,
    artifact: &Artifact,
    state: &SignoffState,
) -> Vec<UpstreamChange> {
    match state.baseline {
        Some(baseline) => changes_since(by_id, facts, artifact, baseline),
        None => Vec::new(),
    }
}

/// The roles whose newest standing record was signed against upstream versions that have
/// changed since.
pub(super) fn roles_behind(
    by_id: &HashMap<&str, &Artifact>,
    facts: &Facts,
    artifact: &Artifact,
    state: &SignoffState,
) -> Vec<String> {
    state
        .standing
        .iter()
        .filter(|(_, record)| !changes_since(by_id, facts, artifact, record).is_empty())
        .map(|(role, _)| role.to_string())
        .collect()
}

/// The upstream artifacts whose fingerprint differs from the one `baseline` recorded.
pub(super) fn changes_since(
    by_id: &HashMap<&str, &Artifact>,
    facts: &Facts,
    artifact: &Artifact,
    baseline: &SignOff,
) -> Vec<UpstreamChange> {
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
