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
    // Approvals of content that has changed since: one cause, so one finding naming every
    // role that must approve again. A deleted file is `missing`, and nothing more.
    let mut stale = Vec::new();
    for role in cx.index.required_signers(artifact) {
        match state.approvals.get(role.as_str()) {
            None => {
                cx.push(
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
                );
                // Approving needs content to approve: a missing file is written first.
                if pending || f.exists || artifact.target.is_url() {
                    cx.act_sign(&artifact.id, "approve", &role, &[]);
                }
            }
            Some(approval)
                if !pending
                    && f.exists
                    && !artifact.target.is_url()
                    && approval.fingerprint.as_deref() != current =>
            {
                stale.push((role, *approval));
            }
            Some(_) => {}
        }
    }
    let Some(&(_, newest)) = stale.iter().max_by_key(|(_, a)| a.at) else {
        return;
    };
    let since = f.history.last_change().map(|c| c.time);
    let when = match (since, f.uncommitted) {
        (_, true) => "changed in the working copy".to_string(),
        (Some(t), false) => format!("changed {}", ago(cx.now, t)),
        (None, false) => "changed".to_string(),
    };
    let after = stale
        .iter()
        .map(|(role, a)| format!("{} ({role}) on {}", a.by, date(a.at)))
        .collect::<Vec<_>>()
        .join(", ");
    let roles: Vec<String> = stale.iter().map(|(r, _)| r.clone()).collect();
    let names = roles.join(", ");
    let again = if roles.len() == 1 {
        format!("{names} reviews the change and approves again")
    } else {
        format!("each of {names} reviews the change and approves again")
    };
    cx.push(
        artifact,
        FindingCode::ChangedSinceSignoff,
        Some(&roles[0]),
        None,
        format!(
            "{when}, after approval{} by {after} (approved {}, now {})",
            if stale.len() == 1 { "" } else { "s" },
            short(newest.fingerprint.as_deref()),
            short(current)
        ),
        again,
        since,
        (ledger_file(&artifact.id), newest.pos),
    );
    // One command settles one role; the finding then names the others.
    cx.act_sign(&artifact.id, "approve", &roles[0], &[]);
    if let Some(last) = cx.last_pushed() {
        last.roles = roles;
    }
}
