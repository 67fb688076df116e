//! Approvals: every required role approved, and the content is still what was approved.

use super::super::context::{Ctx, in_index, people_of};
use super::super::signoffs::SignoffState;
use super::super::{ago, date, short};
use crate::core::model::ledger::ledger_file;
use crate::core::model::{Artifact, ArtifactFacts, FindingCode};

pub(super) fn approval_findings(
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
