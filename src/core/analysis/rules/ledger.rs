//! The ledger's own records: those not trusted (by a non-member, against the history) and
//! those that cannot be read.

use super::super::context::Ctx;
use super::super::ledger_trust::Trust;
use super::super::signoffs::SignoffState;
use crate::core::model::ledger::ledger_file;
use std::collections::BTreeMap;

use super::super::date;
use crate::core::model::ledger_history::CommitRef;
use crate::core::model::{Artifact, FindingCode, Ledger, Severity};

/// An `invalid-signoff` finding for each record of the artifact that does not count.
pub(super) fn record_findings(
    cx: &mut Ctx,
    ledger: &Ledger,
    artifact: &Artifact,
    trust: &Trust,
    state: &SignoffState,
    removed: &BTreeMap<String, CommitRef>,
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
            format!(
                "define the role (`handoff add role {} --people {}`), or, if the record is not committed yet, remove it and sign as a role the index defines (a committed record is never edited)",
                record.role, record.by
            ),
            Some(record.at),
            (ledger_file(&artifact.id), record.pos),
        );
    }
    // Records of a role a commit removed: reported once per role, as info; they stay in the
    // ledger as history and nobody has to (or could) act on them.
    let mut roles: Vec<&str> = state.retired.iter().map(|r| r.role.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    for role in roles {
        let mine: Vec<_> = state.retired.iter().filter(|r| r.role == role).collect();
        let removal = removed.get(role);
        let commit = removal
            .map(|c| {
                format!(
                    " in {} ({}, {}: {})",
                    c.short(),
                    date(c.time),
                    c.author,
                    c.summary
                )
            })
            .unwrap_or_default();
        cx.push(
            artifact,
            FindingCode::InvalidSignoff,
            None,
            None,
            format!(
                "{} record{} of role `{role}` no longer count{}: the role was removed from handoff.yaml{commit}",
                mine.len(),
                if mine.len() == 1 { "" } else { "s" },
                if mine.len() == 1 { "s" } else { "" },
            ),
            "nothing to do: they stay in the ledger as history; a role the index defines signs if a sign-off is still needed".to_string(),
            removal.map(|c| c.time),
            (ledger_file(&artifact.id), mine[0].pos),
        );
        if let Some(last) = cx.last_pushed() {
            last.severity = Severity::Info;
        }
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
        if let Some((action, role)) = &problem.sign_again {
            cx.act_sign(&artifact.id, action.as_str(), role, &[]);
        }
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
