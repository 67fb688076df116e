//! Freshness: not older than the kind allows, reviewed and verified on time, committed.

use super::super::context::{Ctx, in_index};
use super::super::signoffs::SignoffState;
use super::super::{ago, date};
use crate::core::model::ledger::ledger_file;
use crate::core::model::{Artifact, ArtifactFacts, FindingCode, Target};

pub(super) fn freshness_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    state: &SignoffState,
) {
    let kind = cx.kind_of(artifact);
    if let (Some(max_age), Some(change)) =
        (kind.and_then(|k| k.max_age.as_ref()), f.content_change())
        && cx.now.as_second() - change.time.as_second() > max_age.seconds()
        && f.exists
    {
        cx.push(
            artifact,
            FindingCode::Aged,
            artifact.owner.as_deref(),
            None,
            format!(
                "last changed {} ({}){}, beyond its max_age of {max_age}",
                ago(cx.now, change.time),
                date(change.time),
                since_then(f)
            ),
            match &artifact.kind {
                Some(kind) => format!(
                    "review it and bring it up to date, or allow longer: `handoff set --kind {kind} max_age <duration>`"
                ),
                None => "review it and bring it up to date".to_string(),
            },
            Some(change.time),
            in_index(artifact, "path"),
        );
    }
    if let (Some(every), Some(latest)) = (
        kind.and_then(|k| k.review_every.as_ref()),
        state.latest_approval(),
    ) && cx.now.as_second() - latest.at.as_second() > every.seconds()
    {
        cx.push(
            artifact,
            FindingCode::ReviewOverdue,
            Some(&latest.role),
            None,
            format!(
                "last approved {} by {} as {} ({}); reviews are due every {every}",
                ago(cx.now, latest.at),
                latest.by,
                latest.role,
                date(latest.at)
            ),
            "review it and approve again".to_string(),
            Some(latest.at),
            (ledger_file(&artifact.id), latest.pos),
        );
        if f.exists || artifact.target.is_url() {
            cx.act_sign(&artifact.id, "approve", &latest.role, &[]);
        }
    }
    if let Target::Url(url) = &artifact.target {
        let every = artifact
            .verify_every
            .as_ref()
            .or_else(|| kind.and_then(|k| k.verify_every.as_ref()))
            .or_else(|| kind.and_then(|k| k.review_every.as_ref()));
        let due = match (state.verified, every) {
            (None, _) => Some(format!("`{url}` has never been verified")),
            (Some(v), Some(every)) if cx.now.as_second() - v.at.as_second() > every.seconds() => {
                Some(format!(
                    "last verified {} by {} ({}); it is due every {every}",
                    ago(cx.now, v.at),
                    v.by,
                    date(v.at)
                ))
            }
            _ => None,
        };
        if let Some(message) = due {
            let owner = artifact.owner.as_deref();
            cx.push(
                artifact,
                FindingCode::Unverified,
                owner,
                None,
                message,
                format!(
                    "open the link, check it still holds, then `handoff sign {} --action verify --role {}`",
                    artifact.id,
                    owner.unwrap_or("<role>")
                ),
                state.verified.map(|v| v.at),
                in_index(artifact, "url"),
            );
            if let Some(owner) = owner {
                cx.act_sign(&artifact.id, "verify", owner, &[]);
            }
        }
    }
    // A deleted file is `missing`, and nothing more.
    if f.uncommitted && (f.exists || artifact.target.is_url()) {
        cx.push(
            artifact,
            FindingCode::Uncommitted,
            None,
            None,
            "the working copy differs from HEAD".to_string(),
            "commit the change, or discard it".to_string(),
            None,
            in_index(artifact, "path"),
        );
    }
}

/// What happened since the last change of content, when commits did happen: renames and
/// mechanical commits do not make a document current.
fn since_then(f: &ArtifactFacts) -> String {
    let Some(content) = &f.content else {
        return String::new();
    };
    let from = content
        .path
        .as_ref()
        .map(|p| format!(" as `{p}`"))
        .unwrap_or_default();
    match f.history.last_change() {
        Some(last) if last.commit != content.change.commit => format!(
            "{from}; later commits only renamed it or were mechanical (last {} on {})",
            &last.commit[..8.min(last.commit.len())],
            date(last.time)
        ),
        _ => from,
    }
}
