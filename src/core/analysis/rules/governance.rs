//! Governance: the code, configuration and data an artifact specifies (`governs`) exist, and
//! have not moved on since the artifact was last approved.

use super::super::context::{Ctx, in_index};
use super::super::signoffs::SignoffState;
use super::super::{date, days_since};
use crate::core::model::ledger::ledger_file;
use crate::core::model::{
    Action, Artifact, ArtifactFacts, DriftThreshold, FindingCode, GovernedFacts, LastChange,
    SignOff,
};

pub(super) fn governance_findings(
    cx: &mut Ctx,
    artifact: &Artifact,
    f: &ArtifactFacts,
    state: &SignoffState,
) {
    let Some(governed) = &f.governed else {
        return;
    };
    for (glob, _) in governed.globs.iter().filter(|(_, count)| *count == 0) {
        cx.push(
            artifact,
            FindingCode::GovernsNothing,
            artifact.owner.as_deref(),
            None,
            format!("governs `{glob}`, which matches no file"),
            format!(
                "correct the glob, or drop it: `handoff set {} governs -{glob}`",
                artifact.id
            ),
            None,
            in_index(artifact, "governs"),
        );
        // Only the artifact's own list can lose an entry; a kind's default is the kind's.
        if let Some(owner) = artifact.owner.as_deref()
            && artifact.governs.contains(glob)
        {
            let remove = format!("-{glob}");
            cx.act(owner, &["set", &artifact.id, "governs", &remove]);
        }
    }
    if let Some(baseline) = drift_baseline(state) {
        drift_finding(cx, artifact, governed, baseline);
    }
}

/// The newest live approval or acknowledgement: what the artifact was last agreed to be.
fn drift_baseline<'a>(state: &SignoffState<'a>) -> Option<&'a SignOff> {
    state
        .approvals
        .values()
        .chain(state.standing.values())
        .copied()
        .filter(|r| matches!(r.action, Action::Approve | Action::Acknowledge))
        .max_by_key(|r| r.at)
}

/// The changes made to governed paths after `baseline`, newest first.
fn changes_since<'a>(governed: &'a GovernedFacts, baseline: &SignOff) -> Vec<&'a LastChange> {
    governed
        .changes
        .iter()
        .flatten()
        .filter(|c| c.time > baseline.at)
        .collect()
}

fn drift_finding(cx: &mut Ctx, artifact: &Artifact, governed: &GovernedFacts, baseline: &SignOff) {
    let since = changes_since(governed, baseline);
    // The oldest by time, not by place in the list: author times need not follow the walk,
    // and `since` must bound exactly these changes (see `drift_commits`).
    let (Some(newest), Some(oldest)) = (since.first(), since.iter().min_by_key(|c| c.time)) else {
        return;
    };
    let days = days_since(cx.now, oldest.time);
    let threshold = cx.kind_of(artifact).and_then(|k| k.drift_after.clone());
    let past = match &threshold {
        None => true,
        Some(DriftThreshold::Commits(n)) => since.len() >= *n as usize,
        Some(DriftThreshold::Age(d)) => days >= i64::from(d.days),
    };
    if !past {
        return;
    }
    let count = since.len();
    let commits = if count == 1 {
        "1 commit".to_string()
    } else if governed.truncated && count == governed.changes.as_ref().map_or(0, Vec::len) {
        format!("{count}+ commits")
    } else {
        format!("{count} commits")
    };
    let over = match days {
        0 => "today".to_string(),
        1 => "over 1 day".to_string(),
        n => format!("over {n} days"),
    };
    let short = &newest.commit[..8.min(newest.commit.len())];
    let beyond = threshold
        .map(|t| format!(" (past drift_after: {t})"))
        .unwrap_or_default();
    cx.push(
        artifact,
        FindingCode::CodeDrift,
        artifact.owner.as_deref(),
        None,
        format!(
            "{commits} changed governed paths {over} since the approval of {}{beyond}; newest {short} by {} ({}): {}",
            date(baseline.at),
            newest.author_name,
            date(newest.time),
            newest.summary
        ),
        format!(
            "review `{}` against the change: update it and approve again, or `acknowledge` with a note if it still holds",
            artifact.id
        ),
        Some(oldest.time),
        (ledger_file(&artifact.id), baseline.pos),
    );
    if let Some(owner) = artifact.owner.as_deref() {
        let note = format!("Reviewed the governed code up to {short}: the spec still holds.");
        cx.act_sign(&artifact.id, "acknowledge", owner, &["--note", &note]);
    }
}
