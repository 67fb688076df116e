//! The rules, one module per family of findings: dependencies (dangling, cycles, upstream
//! changes, at risk), ownership, content, approvals, freshness, and the ledger's own records.

mod approvals;
mod content;
mod contracts;
mod dependencies;
pub(crate) mod description;
mod freshness;
mod governance;
mod ledger;
mod lifecycle;
mod ownership;
mod policy;
mod turnaround;

use super::context::Ctx;
use super::ledger_trust::Trust;
use super::memory::Memory;
use super::signoffs::SignoffState;
use crate::core::model::{ArtifactFacts, Facts, Ledger};

/// Decides the findings of the artifact at position `i`, from its facts, its sign-off state
/// and what `memory` says about its upstream. Reports list them by severity, most severe
/// first, and within one severity in the order of the families.
pub(super) fn decide(
    cx: &mut Ctx,
    ledger: &Ledger,
    facts: &Facts,
    i: usize,
    trust: &Trust,
    state: &SignoffState,
    memory: &Memory,
) {
    let empty = ArtifactFacts::default();
    let artifact = &cx.index.artifacts[i];
    // Facts not yet read (the workbench streams them in) decide nothing: no `missing`
    // for a file not looked at yet, no drift for a fingerprint not computed yet.
    let pending = facts.of(&artifact.id).is_none() && !artifact.target.is_url();
    let f = facts.of(&artifact.id).unwrap_or(&empty);
    let start = cx.out.len();
    dependencies::dependency_findings(cx, artifact, memory.in_cycle[i].as_deref());
    ownership::ownership_findings(cx, artifact, state);
    if !pending {
        content::content_findings(cx, artifact, f);
        contracts::contract_findings(cx, artifact, f, state);
        governance::governance_findings(cx, artifact, f, state);
    }
    approvals::approval_findings(cx, artifact, f, state, pending);
    dependencies::upstream_findings(cx, facts, i, memory);
    freshness::freshness_findings(cx, artifact, f, state);
    lifecycle::lifecycle_findings(cx, artifact, f, state, pending);
    policy::policy_findings(cx, artifact);
    description::description_findings(cx, artifact);
    ledger::record_findings(
        cx,
        ledger,
        artifact,
        trust,
        state,
        &facts.ledger_history.removed_roles,
    );
    // Last: they read the sign-offs the rules above found open.
    if !pending && (f.exists || artifact.target.is_url()) {
        turnaround::date_first_signoffs(cx, artifact, facts.index_lines.as_ref(), start);
    }
    turnaround::turnaround_findings(cx, artifact, start);
    // Stable: the families' order stays within a severity.
    cx.out[start..].sort_by_key(|f| std::cmp::Reverse(f.severity));
}
