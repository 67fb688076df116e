//! Ownership: an artifact names one owner role, staffed, whose member has accepted it.

use super::super::context::{Ctx, in_index, people_of};
use super::super::signoffs::SignoffState;
use crate::core::model::{Artifact, FindingCode};

pub(super) fn ownership_findings(cx: &mut Ctx, artifact: &Artifact, state: &SignoffState) {
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
        cx.act_sign(&artifact.id, "accept", owner, &[]);
    }
}
