//! Ownership: an artifact names one owner role, staffed, whose member has accepted it; the
//! roles it needs name no handle that resolves to nobody.

use super::super::context::{Ctx, in_index, people_of};
use super::super::signoffs::SignoffState;
use crate::core::model::{Artifact, FindingCode, INDEX_FILE};

pub(super) fn ownership_findings(cx: &mut Ctx, artifact: &Artifact, state: &SignoffState) {
    handle_findings(cx, artifact);
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
    let staffed = cx
        .index
        .role(owner)
        .is_some_and(|r| !r.members().is_empty());
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
        cx.act_sign(&artifact.id, "accept", owner, &[]);
    }
}

/// One `unresolved-handle` per handle that resolves to nobody in a role the artifact needs:
/// its owner, then the roles whose approval it requires.
fn handle_findings(cx: &mut Ctx, artifact: &Artifact) {
    let mut roles: Vec<String> = artifact.owner.iter().cloned().collect();
    for role in cx.index.required_signers(artifact) {
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    for role_id in &roles {
        let Some(role) = cx.index.role(role_id) else {
            continue;
        };
        for handle in role.unresolved_handles() {
            cx.push(
                artifact,
                FindingCode::UnresolvedHandle,
                Some(role_id),
                None,
                format!(
                    "role `{role_id}` names `{handle}`, which resolves to nobody: `handles:` does not map it and no .mailmap entry names it"
                ),
                format!(
                    "map it to the people behind it: `handoff set --handle {handle} people +<email>`"
                ),
                None,
                (INDEX_FILE.to_string(), role.pos),
            );
        }
    }
}
