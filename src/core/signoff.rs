//! Who may sign what: the rules a sign-off must meet, checked against the index and the
//! artifact's ledger records. The workbench calls [`check_sign`] to offer only the actions
//! that would be accepted; `repo::write::signoff::sign` checks them again against what is on
//! disk, then appends and commits the record.
//!
//! The rules: only a person listed in the role signs for it (the repository's git e-mail,
//! compared case-insensitively). `accept` is the owner role's; `approve` belongs to a reviewer
//! or a role the artifact's kind requires; `acknowledge` (an upstream change needs nothing
//! here) and `verify` (an external artifact was checked) to the owner or those roles;
//! `acknowledge` needs a note and an upstream to acknowledge, `verify` an external artifact;
//! `revoke` needs a standing record of the role to withdraw; `approve` needs content to
//! approve.

use crate::core::edit::{Refusal, unknown_role};
use crate::core::model::load::suggest;
use crate::core::model::{Action, Artifact, ArtifactFacts, INDEX_FILE, Index, SignOff, Target};

/// What to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub artifact: String,
    pub action: Action,
    pub role: String,
    /// Why; required for `acknowledge`. Blank notes count as none.
    pub note: Option<String>,
}

/// Why a sign-off is not accepted. Each message names who may do it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignRefusal {
    #[error("no artifact `{id}` in {INDEX_FILE}{}", suggestion.as_ref().map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
    UnknownArtifact {
        id: String,
        suggestion: Option<String>,
    },
    #[error(transparent)]
    UnknownRole(Refusal),
    #[error(
        "{email} is not in role `{role}`, so cannot sign as `{role}`: {}",
        members(people, role)
    )]
    NotAMember {
        email: String,
        role: String,
        people: Vec<String>,
    },
    #[error("`accept` is the owner's: {}", match owner { Some(o) => format!("`{artifact}` is owned by role `{o}`, not `{role}`"), None => format!("`{artifact}` has no owner yet; set one first (`handoff set {artifact} owner <role>`)") })]
    NotOwner {
        artifact: String,
        role: String,
        owner: Option<String>,
    },
    #[error("role `{role}` is not asked to approve `{artifact}`: {}", if required.is_empty() { format!("no role is; add reviewers first (`handoff set {artifact} reviewers +<role>`)") } else { format!("approvals come from {}", required.join(", ")) })]
    NotAReviewer {
        artifact: String,
        role: String,
        required: Vec<String>,
    },
    #[error("role `{role}` has no part in `{artifact}`: `{action}` comes from its owner or its reviewers ({})", involved.join(", "))]
    NotInvolved {
        artifact: String,
        role: String,
        action: Action,
        involved: Vec<String>,
    },
    #[error(
        "`acknowledge` needs a note saying why the upstream change needs nothing here (--note)"
    )]
    NoteRequired,
    #[error(
        "`{artifact}` depends on nothing and governs nothing, so there is no change to acknowledge"
    )]
    NoUpstream { artifact: String },
    #[error(
        "`verify` is for external artifacts (with a `url`); `{artifact}` is at `{path}`: approve it instead"
    )]
    NotExternal { artifact: String, path: String },
    #[error("role `{role}` has nothing standing on `{artifact}` to revoke")]
    NothingToRevoke { artifact: String, role: String },
    #[error(
        "{path} is not committed yet, and a sign-off counts only against a committed index: commit it first (`git add {path} && git commit -m \"Start the handoff\"`), then sign"
    )]
    IndexNotCommitted { path: String },
    #[error("`{artifact}` cannot be approved: {reason}")]
    NothingToApprove { artifact: String, reason: String },
}

fn members(people: &[String], role: &str) -> String {
    if people.is_empty() {
        format!(
            "nobody is in it yet; someone adds you with `handoff set --role {role} people +<your e-mail>`"
        )
    } else {
        format!(
            "its people are {}. Sign as yourself in a role you hold, or ask one of them",
            people.join(", ")
        )
    }
}

/// Whether `signer` may make this sign-off, given the index and the artifact's ledger records.
pub(crate) fn check_sign(
    index: &Index,
    records: &[SignOff],
    request: &SignRequest,
    signer: &str,
) -> Result<(), SignRefusal> {
    let artifact =
        index
            .artifact(&request.artifact)
            .ok_or_else(|| SignRefusal::UnknownArtifact {
                id: request.artifact.clone(),
                suggestion: suggest(
                    &request.artifact,
                    index.artifacts.iter().map(|a| a.id.as_str()),
                )
                .map(str::to_string),
            })?;
    let role = index
        .role(&request.role)
        .ok_or_else(|| SignRefusal::UnknownRole(unknown_role(index, &request.role, "--role")))?;
    if !role.has_member(signer) {
        return Err(SignRefusal::NotAMember {
            email: signer.to_string(),
            role: role.id.clone(),
            people: role.people.clone(),
        });
    }
    let required = index.required_signers(artifact);
    let is_owner = artifact.owner.as_deref() == Some(role.id.as_str());
    let involved = || {
        let mut roles: Vec<String> = artifact.owner.iter().cloned().collect();
        roles.extend(
            required
                .iter()
                .filter(|r| !roles.contains(r))
                .cloned()
                .collect::<Vec<_>>(),
        );
        roles
    };
    let refuse_uninvolved = || {
        if is_owner || required.contains(&role.id) {
            Ok(())
        } else {
            Err(SignRefusal::NotInvolved {
                artifact: artifact.id.clone(),
                role: role.id.clone(),
                action: request.action,
                involved: involved(),
            })
        }
    };
    match request.action {
        Action::Accept if !is_owner => Err(SignRefusal::NotOwner {
            artifact: artifact.id.clone(),
            role: role.id.clone(),
            owner: artifact.owner.clone(),
        }),
        Action::Accept => Ok(()),
        Action::Approve if !required.contains(&role.id) => Err(SignRefusal::NotAReviewer {
            artifact: artifact.id.clone(),
            role: role.id.clone(),
            required,
        }),
        Action::Approve => Ok(()),
        Action::Acknowledge => {
            refuse_uninvolved()?;
            if note_of(request).is_none() {
                return Err(SignRefusal::NoteRequired);
            }
            if artifact.depends_on.is_empty() && index.governs_of(artifact).is_empty() {
                return Err(SignRefusal::NoUpstream {
                    artifact: artifact.id.clone(),
                });
            }
            Ok(())
        }
        Action::Verify => {
            refuse_uninvolved()?;
            match &artifact.target {
                Target::Url(_) => Ok(()),
                other => Err(SignRefusal::NotExternal {
                    artifact: artifact.id.clone(),
                    path: other.as_str().to_string(),
                }),
            }
        }
        Action::Revoke => {
            if has_standing_record(index, records, &role.id) {
                Ok(())
            } else {
                Err(SignRefusal::NothingToRevoke {
                    artifact: artifact.id.clone(),
                    role: role.id.clone(),
                })
            }
        }
    }
}

/// Whether a record of `role` by a current member of it stands (no later revoke by the role).
/// Whose state a sign-off changes, said before it is made: a role's record speaks for that
/// role's own cell; only the owner's settles the artifact's `upstream-changed`.
pub(crate) fn effect(artifact: &Artifact, action: Action, role: &str) -> String {
    let owner = artifact.owner.as_deref() == Some(role);
    match action {
        Action::Accept => "ownership; settles upstream changes".to_string(),
        Action::Approve if owner => format!("`{role}`'s cell; settles upstream changes"),
        Action::Approve => format!("`{role}`'s cell only"),
        Action::Acknowledge if owner => "settles upstream-changed (owner)".to_string(),
        Action::Acknowledge => format!("`{role}`'s cell only, not the owner's"),
        Action::Verify => "marks it verified".to_string(),
        Action::Revoke => format!("withdraws `{role}`'s sign-offs"),
    }
}

fn has_standing_record(index: &Index, records: &[SignOff], role: &str) -> bool {
    let Some(role_def) = index.role(role) else {
        return false;
    };
    let mut standing = false;
    for record in records.iter().filter(|r| r.role == role) {
        match record.action {
            Action::Revoke => standing = false,
            _ if role_def.has_member(&record.by) => standing = true,
            _ => {}
        }
    }
    standing
}

/// The note, trimmed; a blank one counts as none.
pub(crate) fn note_of(request: &SignRequest) -> Option<String> {
    request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// Whether there is content to approve: a file in the work tree that can be read (an external
/// artifact always has).
pub(crate) fn refuse_approving_nothing(
    artifact: &Artifact,
    facts: &ArtifactFacts,
) -> Result<(), SignRefusal> {
    if artifact.target.is_url() {
        return Ok(());
    }
    let reason = if let Some(problem) = &facts.problem {
        Some(problem.clone())
    } else if !facts.exists {
        Some(format!(
            "`{}` does not exist, so there is no content to approve",
            artifact.target.as_str()
        ))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(SignRefusal::NothingToApprove {
            artifact: artifact.id.clone(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The accepts `signer` owes: every artifact whose owner role they are in and that no current
/// member of that role has accepted (the artifacts with `owner-not-accepted` that are theirs),
/// in index order, each as the request that settles it.
pub fn accepts_owed(
    index: &Index,
    report: &crate::core::analysis::Report,
    signer: &str,
) -> Vec<SignRequest> {
    index
        .artifacts
        .iter()
        .filter_map(|artifact| {
            let owner = index.role(artifact.owner.as_deref()?)?;
            let owed = report
                .findings_of(&artifact.id)
                .iter()
                .any(|f| f.code == crate::core::model::FindingCode::OwnerNotAccepted);
            (owed && owner.has_member(signer)).then(|| SignRequest {
                artifact: artifact.id.clone(),
                action: Action::Accept,
                role: owner.id.clone(),
                note: None,
            })
        })
        .collect()
}
