//! Policies that can never fire: written in handoff.yaml, accepted, and silently doing
//! nothing. Each is reported once, at its line: an artifact's own on that artifact, a kind's on
//! the first artifact of the kind (a kind nobody uses is a template, not a policy).

use super::super::context::{Ctx, in_index};
use crate::core::model::{Artifact, FindingCode, INDEX_FILE, Kind, Status};

pub(super) fn policy_findings(cx: &mut Ctx, artifact: &Artifact) {
    let retired = matches!(artifact.status, Status::Frozen | Status::Superseded);
    if artifact.verify_every.is_some() {
        let why = if !artifact.target.is_url() {
            Some("`verify_every` applies to external artifacts (`url:`) only; this one is a path")
        } else if retired {
            Some("`verify_every` does nothing while the artifact is frozen or superseded")
        } else {
            None
        };
        if let Some(why) = why {
            inert(
                cx,
                artifact,
                why,
                &format!("`handoff set {} verify_every --unset`", artifact.id),
                in_index(artifact, "verify_every"),
            );
        }
    }
    if artifact
        .required_sections
        .as_ref()
        .is_some_and(|s| !s.is_empty())
    {
        let why = if artifact.target.is_url() {
            Some("`required_sections` cannot be checked on an external artifact")
        } else if artifact.status == Status::Superseded {
            Some("`required_sections` does nothing while the artifact is superseded")
        } else {
            None
        };
        if let Some(why) = why {
            let at = in_index(artifact, "required_sections");
            let fix = format!("`handoff set {} required_sections --unset`", artifact.id);
            inert(cx, artifact, why, &fix, at);
        }
    }
    let Some(kind) = cx.kind_of(artifact) else {
        return;
    };
    let first = cx.index.artifacts.iter().find(|a| a.kind == artifact.kind);
    if first.map(|a| a.id.as_str()) != Some(artifact.id.as_str()) {
        return;
    }
    kind_findings(cx, artifact, kind);
}

/// A kind's policies, judged over every artifact of the kind.
fn kind_findings(cx: &mut Ctx, first: &Artifact, kind: &Kind) {
    let of_kind: Vec<&Artifact> = cx
        .index
        .artifacts
        .iter()
        .filter(|a| a.kind.as_deref() == Some(kind.id.as_str()))
        .collect();
    let active = |a: &&&Artifact| !matches!(a.status, Status::Frozen | Status::Superseded);
    let id = &kind.id;
    let at = |field: &str| (INDEX_FILE.to_string(), kind.pos_of(field));
    // `review_every` counts from an approval; `unverified` falls back to it for a URL.
    if kind.review_every.is_some()
        && kind.signoff.is_empty()
        && !of_kind
            .iter()
            .filter(active)
            .any(|a| !a.reviewers.is_empty() || a.target.is_url())
    {
        inert(
            cx,
            first,
            &format!(
                "`review_every` of kind `{id}` can never fire: nobody must approve its artifacts (no `signoff`, no `reviewers`)"
            ),
            &format!(
                "name the approving roles (`handoff set --kind {id} signoff +<role>`), or drop it: `handoff set --kind {id} review_every --unset`"
            ),
            at("review_every"),
        );
    }
    if kind.verify_every.is_some() && !of_kind.iter().filter(active).any(|a| a.target.is_url()) {
        inert(
            cx,
            first,
            &format!(
                "`verify_every` of kind `{id}` can never fire: it applies to external artifacts (`url:`), and none of this kind is one"
            ),
            &format!("`handoff set --kind {id} verify_every --unset`"),
            at("verify_every"),
        );
    }
    if kind.max_age.is_some() && !of_kind.iter().filter(active).any(|a| !a.target.is_url()) {
        inert(
            cx,
            first,
            &format!(
                "`max_age` of kind `{id}` can never fire: every artifact of the kind is external, frozen or superseded"
            ),
            &format!("`handoff set --kind {id} max_age --unset`"),
            at("max_age"),
        );
    }
}

fn inert(
    cx: &mut Ctx,
    artifact: &Artifact,
    why: &str,
    fix: &str,
    at: (String, crate::core::model::Pos),
) {
    cx.push(
        artifact,
        FindingCode::InertPolicy,
        None,
        None,
        why.to_string(),
        fix.to_string(),
        None,
        at,
    );
}
