//! Signing: one record appended to `.handoff/signoffs/<artifact>.yaml` and committed alone.
//!
//! The rules are [`crate::core::signoff`]'s; [`sign`] checks them against what is on disk now,
//! reads the fingerprints, appends the record and commits it, or leaves the ledger exactly as
//! it was.

use std::collections::BTreeMap;

use git2::Oid;
use jiff::Timestamp;

use super::change::{self, CommitOptions, FileChange, WriteError};
use super::commit::{Who, signoff_message};
use crate::core::model::ledger::{appended, ledger_file};
use crate::core::model::load::load_ledger_file;
use crate::core::model::{Action, LoadErrors, Pos, SignOff};
use crate::core::signoff::{
    SignRefusal, SignRequest, check_sign, note_of, refuse_approving_nothing,
};
use crate::repo::facts::{self, WorkTree};
use crate::repo::inputs::load_index_file;
use crate::repo::workspace::Workspace;
use crate::repo::workspace::{INDEX_FILE, MAX_LEDGER_BYTES};

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
    let who = Who::of(&repo)?;
    let (name, email) = (who.name(), who.email());
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
    let new = appended(&request.artifact, current.as_deref(), &record);
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
        &who,
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
