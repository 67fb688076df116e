//! Lifecycle: a superseded artifact names a defined successor; a frozen one does not change.

use super::super::context::{Ctx, in_index};
use super::super::short;
use super::super::signoffs::SignoffState;
use crate::core::model::ledger::ledger_file;
use crate::core::model::{Artifact, ArtifactFacts, FindingCode, Status};

pub(super) fn lifecycle_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    state: &SignoffState,
    pending: bool,
) {
    if let Some(by) = &artifact.superseded_by
        && !cx.by_id.contains_key(by.as_str())
    {
        cx.push(
            artifact,
            FindingCode::DanglingDependency,
            None,
            Some(by),
            format!("superseded by `{by}`, which is not defined"),
            format!(
                "add it (`handoff add artifact {by} --path <path>`), or name the successor that exists: `handoff set {} superseded_by <id>`",
                artifact.id
            ),
            None,
            in_index(artifact, "superseded_by"),
        );
    }
    if artifact.status != Status::Frozen || pending || artifact.target.is_url() {
        return;
    }
    let owner = artifact.owner.as_deref();
    let fix = format!(
        "restore what was agreed, or unfreeze it (`handoff set {} status active`) and have it signed again",
        artifact.id
    );
    if f.uncommitted {
        cx.push(
            artifact,
            FindingCode::FrozenChanged,
            owner,
            None,
            "the artifact is frozen, but its working copy differs from HEAD".to_string(),
            fix,
            None,
            in_index(artifact, "status"),
        );
        return;
    }
    // Frozen content is the content last agreed: the newest standing accept, approve or
    // acknowledge.
    if let Some(agreed) = state.baseline
        && let Some(then) = agreed.fingerprint.as_deref()
        && f.fingerprint.as_deref().is_some_and(|now| now != then)
    {
        cx.push(
            artifact,
            FindingCode::FrozenChanged,
            owner,
            None,
            format!(
                "the artifact is frozen, but its content changed after {} signed it as {} (was {}, now {})",
                agreed.by,
                agreed.role,
                short(Some(then)),
                short(f.fingerprint.as_deref())
            ),
            fix,
            Some(agreed.at),
            (ledger_file(&artifact.id), agreed.pos),
        );
    }
}
