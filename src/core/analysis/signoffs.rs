//! What an artifact's ledger amounts to now: who accepted it, which roles' approvals stand,
//! what was verified, and which upstream versions it was last agreed against.
//!
//! A record is *live* until a later `revoke` by the same role on the same artifact. A record
//! counts only when its signer is a current member of its role; a record naming a role the
//! index does not define is untrusted and reported — unless a commit removed that role from
//! the index: then it is retired (it stops counting and is reported once, as info).

use std::collections::BTreeMap;

use crate::core::model::ledger_history::CommitRef;
use crate::core::model::{Action, Artifact, Index, SignOff};

#[derive(Debug, Default)]
pub(crate) struct SignoffState<'a> {
    /// The newest live `accept` by a current member of the owner role.
    pub accepted: Option<&'a SignOff>,
    /// The newest live `approve` per role, by current members.
    pub approvals: BTreeMap<&'a str, &'a SignOff>,
    /// The newest live `verify`.
    pub verified: Option<&'a SignOff>,
    /// The upstream versions the artifact as a whole was last agreed against: the owner
    /// role's standing record, or, while the owner role has none, the newest of any role.
    pub baseline: Option<&'a SignOff>,
    /// Per role, its newest live accept, approve or acknowledge: the upstream versions that
    /// role last agreed to. A role's acknowledgement settles its own cell only.
    pub standing: BTreeMap<&'a str, &'a SignOff>,
    /// Records that cannot be trusted, with the reason.
    pub untrusted: Vec<(&'a SignOff, String)>,
    /// Records of roles a commit removed from the index: history, no longer counting.
    pub retired: Vec<&'a SignOff>,
}

pub(crate) fn signoff_state<'a>(
    index: &Index,
    artifact: &Artifact,
    records: &'a [SignOff],
    removed: &BTreeMap<String, CommitRef>,
) -> SignoffState<'a> {
    let mut state = SignoffState::default();
    // Live records so far, in order; a revoke removes its role's earlier ones.
    let mut live: Vec<&'a SignOff> = Vec::new();
    for record in records {
        let Some(role) = index.role(&record.role) else {
            if removed.contains_key(&record.role) {
                state.retired.push(record);
                continue;
            }
            state.untrusted.push((
                record,
                format!(
                    "the record names role `{}`, which the index does not define",
                    record.role
                ),
            ));
            continue;
        };
        if !role.has_member(&record.by) {
            // A person who has left the role no longer speaks for it; not an error.
            continue;
        }
        if record.action == Action::Revoke {
            live.retain(|r| r.role != record.role);
        } else {
            live.push(record);
        }
    }
    let mut newest = None;
    for record in live {
        match record.action {
            Action::Accept if artifact.owner.as_deref() == Some(record.role.as_str()) => {
                state.accepted = Some(record);
            }
            Action::Approve => {
                state.approvals.insert(record.role.as_str(), record);
            }
            Action::Verify => state.verified = Some(record),
            _ => {}
        }
        if matches!(
            record.action,
            Action::Accept | Action::Approve | Action::Acknowledge
        ) {
            state.standing.insert(record.role.as_str(), record);
            newest = Some(record);
        }
    }
    // The owner settles the artifact's upstream changes; a reviewer's acknowledgement speaks
    // for the reviewer only.
    state.baseline = artifact
        .owner
        .as_deref()
        .and_then(|owner| state.standing.get(owner).copied())
        .or(newest);
    state
}

impl<'a> SignoffState<'a> {
    /// The newest live approval of any role.
    pub(crate) fn latest_approval(&self) -> Option<&'a SignOff> {
        self.approvals.values().copied().max_by_key(|r| r.at)
    }
}
