//! Turnaround: an open sign-off waits no longer than its kind's `signoff_within`.
//!
//! An open sign-off is a finding of [`WAITING_CODES`] (who holds the handoff up, as
//! `handoff review` lists it), and it has waited since that finding's cause: the content
//! change, or the upstream change. One that never had a sign-off (`unsigned`,
//! `owner-not-accepted`) has waited since the role was named where it must sign: the
//! newest of the `handoff.yaml` lines that name it, as `git blame` dates them (a later rewrite
//! of such a line restarts the wait: an overdue finding may come late, never early).

use super::super::context::Ctx;
use super::super::{FindingAction, date, days_since};
use crate::core::model::finding::WAITING_CODES;
use crate::core::model::{Artifact, FindingCode, IndexLines, Pos};

/// Dates the `unsigned` and `owner-not-accepted` findings of the artifact (from `start` in
/// `cx.out`) by when the index began to ask for them, where the index's lines are known.
pub(super) fn date_first_signoffs(
    cx: &mut Ctx,
    artifact: &Artifact,
    lines: Option<&IndexLines>,
    start: usize,
) {
    let Some(lines) = lines else {
        return;
    };
    let index = cx.index;
    for f in &mut cx.out[start..] {
        let owner = match f.code {
            FindingCode::OwnerNotAccepted => true,
            FindingCode::Unsigned => false,
            _ => continue,
        };
        if f.since.is_some() {
            continue;
        }
        let Some(role) = f.role.as_deref() else {
            continue;
        };
        let asked = index.obligation_lines(artifact, role, owner);
        if !asked.is_empty() {
            f.since = lines.written_since(asked);
        }
    }
}

/// One `signoff-overdue` per open sign-off (one cause, every role it names) that has waited
/// longer than the kind allows; `start` is where the artifact's findings begin in `cx.out`.
pub(super) fn turnaround_findings(cx: &mut Ctx, artifact: &Artifact, start: usize) {
    let Some(kind) = cx.kind_of(artifact) else {
        return;
    };
    let Some(within) = kind.signoff_within.as_ref() else {
        return;
    };
    struct Overdue {
        roles: Vec<String>,
        since: jiff::Timestamp,
        cause: FindingCode,
        action: Option<FindingAction>,
        at: (String, Pos),
    }
    let overdue: Vec<Overdue> = cx.out[start..]
        .iter()
        .filter(|f| WAITING_CODES.contains(&f.code) && !f.roles.is_empty())
        .filter_map(|f| {
            let since = f.since?;
            (cx.now.as_second() - since.as_second() > within.seconds()).then(|| Overdue {
                roles: f.roles.clone(),
                since,
                cause: f.code,
                action: f.action.clone(),
                at: (f.file.clone(), f.pos),
            })
        })
        .collect();
    for o in overdue {
        let names = o.roles.join(", ");
        let who = match o.roles.as_slice() {
            [one] => format!("`{one}`'s sign-off has"),
            _ => format!("the sign-offs of {names} have"),
        };
        let action = o
            .action
            .as_ref()
            .and_then(|a| a.argv.iter().skip_while(|w| *w != "--action").nth(1))
            .map_or("approve", String::as_str);
        cx.push(
            artifact,
            FindingCode::SignoffOverdue,
            Some(&o.roles[0]),
            None,
            format!(
                "{who} waited {} days since the change that required it ({}, {}), beyond the kind's signoff_within of {within}",
                days_since(cx.now, o.since),
                o.cause,
                date(o.since)
            ),
            format!(
                "{names} sign{} it: `handoff sign {} --action {action} --role {}`; or allow longer: `handoff set --kind {} signoff_within <duration>`",
                if o.roles.len() == 1 { "s" } else { "" },
                artifact.id,
                o.roles[0],
                kind.id
            ),
            Some(o.since),
            o.at,
        );
        if let Some(last) = cx.last_pushed() {
            last.roles = o.roles;
            last.action = o.action;
        }
    }
}
