//! Dependencies: each one defined, none in a cycle, and upstream changes since the last
//! sign-off caught up with, here and further downstream.

use super::super::context::{Ctx, in_index};
use super::super::memory::Memory;
use super::super::{ago, date, short};
use crate::core::model::load::suggest;
use crate::core::model::{Artifact, Facts, FindingCode, Status};

pub(super) fn dependency_findings(cx: &mut Ctx, artifact: &Artifact, cycle: Option<&str>) {
    for dep in &artifact.depends_on {
        if !cx.by_id.contains_key(dep.as_str()) {
            let known: Vec<&str> = cx.index.artifacts.iter().map(|a| a.id.as_str()).collect();
            let hint = match suggest(dep, known) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => String::new(),
            };
            cx.push(
                artifact,
                FindingCode::DanglingDependency,
                None,
                Some(dep),
                format!("depends on `{dep}`, which is not defined{hint}"),
                format!(
                    "add it (`handoff add artifact {dep} --path <path>`), or drop it: `handoff set {} depends_on -{dep}`",
                    artifact.id
                ),
                None,
                in_index(artifact, "depends_on"),
            );
            if let Some(owner) = artifact.owner.as_deref() {
                let remove = format!("-{dep}");
                cx.act(owner, &["set", &artifact.id, "depends_on", &remove]);
            }
        }
    }
    superseded_findings(cx, artifact);
    if let Some(cycle) = cycle {
        cx.push(
            artifact,
            FindingCode::DependencyCycle,
            None,
            None,
            format!("dependency cycle: {cycle}"),
            "remove the dependency that points the wrong way".to_string(),
            None,
            in_index(artifact, "depends_on"),
        );
    }
}

/// A dependency on a superseded artifact points at its successor instead: the fix swaps it
/// in (or drops the old one when the successor is already listed).
fn superseded_findings(cx: &mut Ctx, artifact: &Artifact) {
    for dep in &artifact.depends_on {
        let Some(upstream) = cx.by_id.get(dep.as_str()) else {
            continue;
        };
        let (Status::Superseded, Some(successor)) = (upstream.status, &upstream.superseded_by)
        else {
            continue;
        };
        if !cx.by_id.contains_key(successor.as_str()) || *successor == artifact.id {
            continue;
        }
        cx.push(
            artifact,
            FindingCode::SupersededDependency,
            artifact.owner.as_deref(),
            Some(dep),
            format!("depends on `{dep}`, which is superseded by `{successor}`"),
            format!("depend on `{successor}` instead of `{dep}`, after reading what changed"),
            None,
            in_index(artifact, "depends_on"),
        );
        if let Some(owner) = artifact.owner.as_deref() {
            let value = if artifact.depends_on.contains(successor) {
                format!("-{dep}")
            } else {
                artifact
                    .depends_on
                    .iter()
                    .map(|d| {
                        if d == dep {
                            successor.as_str()
                        } else {
                            d.as_str()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            };
            cx.act(owner, &["set", &artifact.id, "depends_on", &value]);
        }
    }
}

/// The upstream artifacts that changed since the artifact at `i` was signed off, and the
/// nearest one upstream that has not caught up with its own.
pub(super) fn upstream_findings(cx: &mut Ctx, facts: &Facts, i: usize, memory: &Memory) {
    let artifact = &cx.index.artifacts[i];
    let now = cx.now;
    for change in &memory.upstream_changes[i] {
        let upstream = cx.by_id[change.upstream.as_str()];
        let since = facts
            .of(&change.upstream)
            .and_then(|u| u.history.last_change())
            .map(|c| c.time);
        let when = since
            .map(|t| format!(" {}", ago(now, t)))
            .unwrap_or_default();
        cx.push(
            artifact,
            FindingCode::UpstreamChanged,
            artifact.owner.as_deref(),
            Some(&change.upstream),
            format!(
                "upstream `{}` changed{when} since this was signed off on {} (was {}, now {})",
                change.upstream,
                date(change.signed_at),
                short(change.then.as_deref()),
                short(change.now.as_deref()),
            ),
            format!(
                "review the change to `{}`; update `{}`, or `acknowledge` with a note if it needs no change",
                upstream.id, artifact.id
            ),
            since,
            in_index(artifact, "depends_on"),
        );
        if let Some(owner) = artifact.owner.as_deref() {
            let note = format!(
                "Read the change to `{}`: no change needed here.",
                upstream.id
            );
            cx.act_sign(&artifact.id, "acknowledge", owner, &["--note", &note]);
        }
    }
    if let Some(&origin) = memory.at_risk.get(&i) {
        let origin_id = cx.index.artifacts[origin].id.as_str();
        let causes: Vec<&str> = memory.upstream_changes[origin]
            .iter()
            .map(|c| c.upstream.as_str())
            .collect();
        cx.push(
            artifact,
            FindingCode::AtRisk,
            None,
            Some(origin_id),
            format!(
                "downstream of `{origin_id}`, which has not caught up with changes to {}",
                causes
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "settle `{origin_id}` first; then check whether `{}` needs a change",
                artifact.id
            ),
            None,
            in_index(artifact, "depends_on"),
        );
    }
}
