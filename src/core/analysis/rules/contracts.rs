//! Contracts of machine-readable artifacts: documents satisfy their kind's schema
//! (`contract-violation`), and a version that must move when the content does
//! (`unversioned-change`).

use super::super::context::Ctx;
use super::super::date;
use super::super::signoffs::SignoffState;
use crate::core::model::INDEX_FILE;
use crate::core::model::{Artifact, ArtifactFacts, ContractFacts, FindingCode, Kind, Pos};
use crate::yaml::{self, Node, json::to_json};

pub(super) fn contract_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    state: &SignoffState,
) {
    let Some(contract) = &f.contract else {
        return;
    };
    let index = cx.index;
    let Some(kind) = index.kind_of(artifact) else {
        return;
    };
    for issue in &contract.issues {
        let at = issue
            .at
            .clone()
            .unwrap_or_else(|| (INDEX_FILE.to_string(), kind.pos_of("schema")));
        cx.push(
            artifact,
            FindingCode::ContractViolation,
            artifact.owner.as_deref(),
            None,
            issue.message.clone(),
            match &kind.schema {
                Some(schema) if issue.at.is_some() => {
                    format!("make the value satisfy `{schema}`, or change the schema")
                }
                _ => "correct the kind's `schema:` or the schema file".to_string(),
            },
            None,
            at,
        );
    }
    version_findings(cx, artifact, f, contract, kind, state);
}

/// The version of a single-file artifact: present, with a changelog entry when the kind asks
/// for one, and moved since the newest approval when the content moved.
fn version_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    contract: &ContractFacts,
    kind: &Kind,
    state: &SignoffState,
) {
    let Some(field) = &kind.version_field else {
        return;
    };
    // A glob or a directory has no one version; a document that does not parse is the
    // schema's to report.
    let [document] = f.documents.as_slice() else {
        return;
    };
    let Some(Ok(Some(tree))) = document.text.as_deref().map(yaml::parse) else {
        return;
    };
    let path = &document.path;
    let unversioned = |cx: &mut Ctx, message: String, fix: String, pos: Pos| {
        cx.push(
            artifact,
            FindingCode::UnversionedChange,
            artifact.owner.as_deref(),
            None,
            message,
            fix,
            None,
            (path.clone(), pos),
        );
    };
    let Some(version_node) = tree.get(field).filter(|n| !n.is_null()) else {
        let at = tree.span.start;
        unversioned(
            cx,
            format!("`{path}` has no `{field}`, so its changes cannot be told apart"),
            format!("add a top-level `{field}:` to `{path}`"),
            at,
        );
        return;
    };
    let version = to_json(version_node);
    let shown = shown(&version);
    if let Some(changelog) = &kind.changelog_field
        && !has_entry(&tree, changelog, field, &version)
    {
        let at = tree
            .entry(changelog)
            .map_or(version_node.span.start, |e| e.key.span.start);
        unversioned(
            cx,
            format!("`{path}`'s `{changelog}` has no entry for {field} {shown}"),
            format!("add an entry with `{field}: {shown}` to `{changelog}`, saying what changed"),
            at,
        );
    }
    // The newest approval of other content, whose version still stands.
    let Some(approval) = state
        .approvals
        .values()
        .filter(|r| r.fingerprint.is_some() && r.fingerprint != f.fingerprint)
        .max_by_key(|r| r.at)
    else {
        return;
    };
    if state.approvals.values().any(|r| r.at > approval.at) {
        return; // a newer approval is of the current content
    }
    let Some(Some(old_text)) = approval
        .fingerprint
        .as_ref()
        .and_then(|fp| contract.approved.get(fp))
    else {
        return;
    };
    let Ok(Some(old)) = yaml::parse(old_text) else {
        return;
    };
    let old_version = old.get(field).map(to_json);
    let changed = content(&tree, kind) != content(&old, kind);
    if changed && old_version.as_ref() == Some(&version) {
        unversioned(
            cx,
            format!(
                "`{path}` changed since {}'s approval on {} but `{field}` is still {shown}",
                approval.by,
                date(approval.at)
            ),
            format!("bump `{field}` in `{path}` and say what changed in its changelog"),
            version_node.span.start,
        );
    }
}

/// A document's content as a value, without its changelog: a new entry alone is no change of
/// content, and comments and layout never are.
fn content(tree: &Node, kind: &Kind) -> serde_json::Value {
    let mut value = to_json(tree);
    if let (Some(changelog), Some(map)) = (&kind.changelog_field, value.as_object_mut()) {
        map.remove(changelog);
    }
    value
}

/// Whether the changelog (a list of entries with a `version`, or a mapping keyed by version)
/// has an entry for `version`.
fn has_entry(tree: &Node, changelog: &str, field: &str, version: &serde_json::Value) -> bool {
    let Some(log) = tree.get(changelog) else {
        return false;
    };
    let same = |node: &Node| to_json(node) == *version || node.as_scalar() == version.as_str();
    match (log.as_seq(), log.as_map()) {
        (Some(entries), _) => entries
            .iter()
            .any(|entry| entry.get(field).is_some_and(same)),
        (_, Some(entries)) => entries.iter().any(|entry| same(&entry.key)),
        _ => false,
    }
}

/// A version as written: `4`, `1.2.0`.
fn shown(version: &serde_json::Value) -> String {
    match version {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
