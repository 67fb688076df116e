//! The ledger's own records: those not trusted (by a non-member, against the history) and
//! those that cannot be read.

use super::super::context::Ctx;
use super::super::ledger_trust::Trust;
use super::super::signoffs::SignoffState;
use crate::core::model::ledger::ledger_file;
use crate::core::model::{Artifact, FindingCode, Ledger};

/// An `invalid-signoff` finding for each record of the artifact that does not count.
pub(super) fn record_findings(
    cx: &mut Ctx,
    ledger: &Ledger,
    artifact: &Artifact,
    trust: &Trust,
    state: &SignoffState,
) {
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
