//! Signing: one record appended to `.handoff/signoffs/<artifact>.yaml` and committed alone.
//!
//! [`check_sign`] holds the rules (the workbench calls it to offer only the actions that would
//! be accepted); [`sign`] checks them against what is on disk now, reads the fingerprints,
//! appends the record and commits it, or leaves the ledger exactly as it was.
//!
//! The rules: only a person listed in the role signs for it (the repository's git e-mail,
//! compared case-insensitively). `accept` is the owner role's; `approve` belongs to a reviewer
//! or a role the artifact's kind requires; `acknowledge` (an upstream change needs nothing
//! here) and `verify` (an external artifact was checked) to the owner or those roles;
//! `acknowledge` needs a note and an upstream to acknowledge, `verify` an external artifact;
//! `revoke` needs a standing record of the role to withdraw.

use std::collections::BTreeMap;

use git2::Oid;
use jiff::Timestamp;

use super::change::{self, CommitOptions, FileChange, WriteError};
use super::commit::signoff_message;
use super::index_text::unknown_role;
use crate::core::model::ledger::ledger_file;
use crate::core::model::load::{load_ledger_file, suggest};
use crate::core::model::{Action, Artifact, Index, LoadErrors, Pos, SignOff, Target};
use crate::repo::facts::{self, WorkTree};
use crate::repo::inputs::load_index_file;
use crate::repo::workspace::Workspace;
use crate::repo::workspace::{INDEX_FILE, MAX_LEDGER_BYTES};

/// What to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub artifact: String,
    pub action: Action,
    pub role: String,
    /// Why; required for `acknowledge`. Blank notes count as none.
    pub note: Option<String>,
}

/// A sign-off that was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutcome {
    pub commit: Oid,
    /// The commit's summary line.
    pub summary: String,
    pub record: SignOff,
    /// The ledger file, relative to the workspace.
    pub ledger_file: String,
    /// The artifact differed from HEAD: the working copy on disk is what was signed.
    pub signed_uncommitted: bool,
    /// The commit was made but the git index could not be updated: what to run.
    pub index_not_updated: Option<String>,
    /// What was finished or undone of a killed handoff's change before this one.
    pub recovered: Vec<super::journal::Recovered>,
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
    UnknownRole(super::index_text::Refusal),
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
    #[error("`{artifact}` depends on nothing, so there is no upstream change to acknowledge")]
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

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{INDEX_FILE} does not load; fix it before signing:\n{0}")]
    Index(LoadErrors),
    #[error(transparent)]
    Refused(#[from] SignRefusal),
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<super::commit::CommitError> for SignError {
    fn from(e: super::commit::CommitError) -> Self {
        SignError::Write(WriteError::Commit(e))
    }
}

/// Whether `signer` may make this sign-off, given the index and the artifact's ledger records.
pub fn check_sign(
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
            if artifact.depends_on.is_empty() {
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

fn note_of(request: &SignRequest) -> Option<String> {
    request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// Records and commits a sign-off as the repository's git identity, at `now`.
pub fn sign(
    ws: &Workspace,
    request: &SignRequest,
    now: Timestamp,
    options: &CommitOptions,
) -> Result<SignOutcome, SignError> {
    let repo = facts::open_repo(ws).map_err(|e| WriteError::Repository(e.to_string()))?;
    // From reading what the change is computed from until its commit: one writer at a time.
    let (lock, recovered) = change::begin(&repo, options.own_writes.as_ref())?;
    let (signature, name, email) = change::who(&repo)?;
    let index = load_index_file(ws).map_err(SignError::Index)?;
    // A record is judged by the `handoff.yaml` of the commit that adds it: without one there,
    // it could never count.
    if !committed_in_head(&repo, &ws.repo_path(INDEX_FILE)) {
        return Err(SignRefusal::IndexNotCommitted {
            path: ws.repo_path(INDEX_FILE),
        }
        .into());
    }

    // The artifact id names a file: only an id the index defines may.
    if index.artifact(&request.artifact).is_none() {
        check_sign(&index, &[], request, &email)?;
    }
    let file = ledger_file(&request.artifact);
    let path = ws.dir.join(&file);
    let repo_path = ws.repo_path(&file);
    let fenced = |reason| WriteError::Fenced {
        path: repo_path.clone(),
        reason,
    };
    crate::repo::fence::check_writable(&ws.repo_root, &path).map_err(fenced)?;
    let current = match crate::repo::fence::read_inside(&ws.repo_root, &path, MAX_LEDGER_BYTES) {
        Ok(bytes) => Some(bytes),
        Err(crate::repo::fence::Refused::Missing) => None,
        Err(reason) => return Err(fenced(reason).into()),
    };
    let records = current
        .as_deref()
        .map(|bytes| load_ledger_file(&request.artifact, &file, bytes).0)
        .unwrap_or_default();
    check_sign(&index, &records, request, &email)?;
    change::require_clean(&repo, &repo_path)?;

    let artifact = index
        .artifact(&request.artifact)
        .expect("check_sign found the artifact");
    let work_tree = WorkTree::new(&repo, ws);
    let facts = work_tree.facts(&artifact.target);
    if request.action == Action::Approve {
        refuse_approving_nothing(artifact, &facts)?;
    }
    let upstream: BTreeMap<String, Option<String>> = artifact
        .depends_on
        .iter()
        .filter_map(|dep| {
            index
                .artifact(dep)
                .map(|u| (dep.clone(), work_tree.facts(&u.target).fingerprint))
        })
        .collect();
    let note = note_of(request);
    let record = SignOff {
        action: request.action,
        by: email,
        role: request.role.clone(),
        at: now,
        fingerprint: facts.fingerprint.clone(),
        upstream,
        note: note.clone(),
        pos: Pos::default(),
    };
    let new = super::ledger::appended(&request.artifact, current.as_deref(), &record);
    let mut message = signoff_message(
        &name,
        request.action,
        &request.artifact,
        &request.role,
        note.as_deref(),
    );
    if let Some(fp) = &record.fingerprint {
        message.push_str(&format!("Handoff-Fingerprint: {fp}\n"));
    }
    let committed = change::write_and_commit(
        &repo,
        &lock,
        &FileChange {
            path: &path,
            repo_path: &repo_path,
            old: current.as_deref(),
            new: &new,
        },
        &message,
        &signature,
        options,
    )?;
    Ok(SignOutcome {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        record,
        ledger_file: file,
        signed_uncommitted: facts.uncommitted,
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// Whether HEAD's tree has `repo_path` (false on an unborn branch).
fn committed_in_head(repo: &git2::Repository, repo_path: &str) -> bool {
    repo.head()
        .ok()
        .and_then(|h| h.peel_to_tree().ok())
        .is_some_and(|t| t.get_path(std::path::Path::new(repo_path)).is_ok())
}

fn refuse_approving_nothing(
    artifact: &Artifact,
    facts: &crate::core::model::ArtifactFacts,
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
