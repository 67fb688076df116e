//! What the change behind a finding is measured from: for `changed-since-signoff`, the
//! version a role approved; for `upstream-changed`, the upstream's version recorded when this
//! artifact was signed off. The same records the analysis trusts, so the diff explains the
//! finding exactly.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::ledger_trust;
use super::memory::changes_since;
use super::signoffs::signoff_state;
use crate::core::content_diff::{DiffBasis, DiffCause};
use crate::core::model::ledger::ledger_file;
use crate::core::model::ledger_history::record_key;
use crate::core::model::load::suggest;
use crate::core::model::{Artifact, Facts, Index, Ledger, SignOff, Target};

/// Why there is nothing to compare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffBasisError {
    #[error("no artifact `{id}` in handoff.yaml{}", suggestion.as_ref().map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
    UnknownArtifact {
        id: String,
        suggestion: Option<String>,
    },
    #[error("no role `{0}` in handoff.yaml")]
    UnknownRole(String),
    #[error("`{0}` is external (a URL): handoff keeps no content of it to compare")]
    External(String),
    #[error(
        "`{0}` is a glob: its sign-off fingerprints the list of matches, not content handoff can show"
    )]
    Glob(String),
    #[error("`{artifact}` has not changed since {}: no changed-since-signoff or upstream-changed finding to explain", match role { Some(r) => format!("`{r}` signed it off"), None => "its sign-offs".to_string() })]
    NothingChanged {
        artifact: String,
        role: Option<String>,
    },
}

/// The diffs that explain `artifact`'s findings: one per version approved (roles that approved
/// the same version share one), then one per upstream that changed. With `role`, only what
/// that role's sign-off is measured against.
pub fn diff_bases(
    index: &Index,
    ledger: &Ledger,
    facts: &Facts,
    now: Timestamp,
    artifact: &str,
    role: Option<&str>,
) -> Result<Vec<DiffBasis>, DiffBasisError> {
    let Some(found) = index.artifact(artifact) else {
        return Err(DiffBasisError::UnknownArtifact {
            id: artifact.to_string(),
            suggestion: suggest(artifact, index.artifacts.iter().map(|a| a.id.as_str()))
                .map(str::to_string),
        });
    };
    if let Some(role) = role
        && index.role(role).is_none()
    {
        return Err(DiffBasisError::UnknownRole(role.to_string()));
    }
    match &found.target {
        Target::Url(_) => return Err(DiffBasisError::External(artifact.to_string())),
        Target::Glob(_) => return Err(DiffBasisError::Glob(artifact.to_string())),
        Target::Path(_) => {}
    }
    let records = ledger.of(artifact);
    let history = &facts.ledger_history;
    let trust = ledger_trust::judge(
        index,
        &ledger_file(artifact),
        records,
        history,
        artifact,
        now,
    );
    let trusted = trust.trusted(records);
    let state = signoff_state(index, found, &trusted, &history.removed_roles);
    let recorded_in = |of: &str, record: &SignOff| {
        history
            .files
            .get(of)
            .and_then(|f| f.appended.get(&record_key(record)))
            .map(|a| a.commit.id.clone())
    };
    let mut out = Vec::new();
    let current = facts.fingerprint(artifact);
    let exists = facts.of(artifact).is_some_and(|f| f.exists);
    // Approved versions that differ from now, each once with every role that approved it.
    let mut approved: BTreeMap<&str, Vec<&SignOff>> = BTreeMap::new();
    for signer in index.required_signers(found) {
        if role.is_some_and(|r| r != signer) {
            continue;
        }
        if let Some(approval) = state.approvals.get(signer.as_str())
            && let Some(fp) = approval.fingerprint.as_deref()
            && exists
            && Some(fp) != current
        {
            approved.entry(fp).or_default().push(approval);
        }
    }
    let mut approved: Vec<(&str, Vec<&SignOff>)> = approved.into_iter().collect();
    // The most recent approval first: the smallest change to read.
    approved.sort_by_key(|(_, records)| std::cmp::Reverse(newest(records).at));
    for (fp, records) in approved {
        let record = newest(&records);
        out.push(DiffBasis {
            cause: DiffCause::ChangedSinceSignoff {
                roles: records.iter().map(|r| r.role.clone()).collect(),
                by: record.by.clone(),
                at: record.at,
            },
            artifact: artifact.to_string(),
            path: path_of(found),
            from: fp.to_string(),
            to: current.map(str::to_string),
            recorded_in: recorded_in(artifact, record),
        });
    }
    let baseline = match role {
        Some(r) => state.standing.get(r).copied(),
        None => state.baseline,
    };
    if let Some(baseline) = baseline {
        let by_id: HashMap<&str, &Artifact> =
            index.artifacts.iter().map(|a| (a.id.as_str(), a)).collect();
        for change in changes_since(&by_id, facts, found, baseline) {
            let (Some(upstream), Some(from)) = (by_id.get(change.upstream.as_str()), change.then)
            else {
                continue;
            };
            if matches!(upstream.target, Target::Glob(_)) {
                continue;
            }
            out.push(DiffBasis {
                cause: DiffCause::UpstreamChanged {
                    upstream: change.upstream.clone(),
                    role: baseline.role.clone(),
                    by: baseline.by.clone(),
                    at: baseline.at,
                },
                artifact: change.upstream.clone(),
                path: path_of(upstream),
                from,
                to: change.now,
                recorded_in: recorded_in(artifact, baseline),
            });
        }
    }
    if out.is_empty() {
        return Err(DiffBasisError::NothingChanged {
            artifact: artifact.to_string(),
            role: role.map(str::to_string),
        });
    }
    Ok(out)
}

fn newest<'r>(records: &[&'r SignOff]) -> &'r SignOff {
    records
        .iter()
        .copied()
        .max_by_key(|r| r.at)
        .expect("a group holds a record")
}

fn path_of(artifact: &Artifact) -> String {
    artifact.target.as_str().trim_end_matches('/').to_string()
}
