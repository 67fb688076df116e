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
    #[error("`{artifact}`: {refusal}. Nothing was signed")]
    RefusedFor {
        artifact: String,
        refusal: Box<SignRefusal>,
    },
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
    let batch = sign_all(ws, std::slice::from_ref(request), now, options).map_err(|e| match e {
        // One sign-off's refusal names its artifact already.
        SignError::RefusedFor { refusal, .. } => SignError::Refused(*refusal),
        other => other,
    })?;
    let signed = batch
        .signed
        .into_iter()
        .next()
        .expect("one request signs one artifact");
    Ok(SignOutcome {
        commit: batch.commit,
        summary: batch.summary,
        record: signed.record,
        ledger_file: signed.ledger_file,
        signed_uncommitted: signed.uncommitted,
        index_not_updated: batch.index_not_updated,
        recovered: batch.recovered,
    })
}

/// Several sign-offs committed at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignAllOutcome {
    pub commit: Oid,
    /// The commit's summary line.
    pub summary: String,
    /// One per request, in the order asked.
    pub signed: Vec<Signed>,
    /// The commit was made but the git index could not be updated: what to run.
    pub index_not_updated: Option<String>,
    /// What was finished or undone of a killed handoff's change before this one.
    pub recovered: Vec<super::journal::Recovered>,
}

/// One record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub artifact: String,
    pub record: SignOff,
    /// The ledger file, relative to the workspace.
    pub ledger_file: String,
    /// The artifact differed from HEAD: the working copy on disk is what was signed.
    pub uncommitted: bool,
}

/// One record prepared: its ledger file as it is and as it will be.
struct Prepared {
    signed: Signed,
    path: std::path::PathBuf,
    repo_path: String,
    current: Option<Vec<u8>>,
    new: Vec<u8>,
}

/// Records and commits several sign-offs in one commit, one record per artifact, each checked
/// as a single sign-off is. If any is refused, nothing is written and the error names its
/// artifact.
pub fn sign_all(
    ws: &Workspace,
    requests: &[SignRequest],
    now: Timestamp,
    options: &CommitOptions,
) -> Result<SignAllOutcome, SignError> {
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
    let work_tree = WorkTree::new(&repo, ws);
    let mut prepared: Vec<Prepared> = Vec::with_capacity(requests.len());
    for request in requests {
        if prepared
            .iter()
            .any(|p| p.signed.artifact == request.artifact)
        {
            continue;
        }
        let refused = |refusal: SignRefusal| SignError::RefusedFor {
            artifact: request.artifact.clone(),
            refusal: Box::new(refusal),
        };
        let one =
            prepare(ws, &repo, &index, &work_tree, request, &email, now).map_err(|e| match e {
                SignError::Refused(refusal) => refused(refusal),
                other => other,
            })?;
        prepared.push(one);
    }
    let message = match prepared.as_slice() {
        [one] => single_message(&name, &requests[0], &one.signed.record),
        many => batch_message(&name, many),
    };
    let changes: Vec<FileChange> = prepared
        .iter()
        .map(|p| FileChange {
            path: &p.path,
            repo_path: &p.repo_path,
            old: p.current.as_deref(),
            new: &p.new,
        })
        .collect();
    let committed = change::write_and_commit_all(&repo, &lock, &changes, &message, &who, options)?;
    Ok(SignAllOutcome {
        commit: committed.id,
        summary: message.lines().next().unwrap_or_default().to_string(),
        signed: prepared.into_iter().map(|p| p.signed).collect(),
        index_not_updated: committed.index_not_updated,
        recovered,
    })
}

/// Checks one sign-off against what is on disk and computes its record and ledger file.
fn prepare(
    ws: &Workspace,
    repo: &git2::Repository,
    index: &crate::core::model::Index,
    work_tree: &WorkTree,
    request: &SignRequest,
    email: &str,
    now: Timestamp,
) -> Result<Prepared, SignError> {
    // The artifact id names a file: only an id the index defines may.
    if index.artifact(&request.artifact).is_none() {
        check_sign(index, &[], request, email)?;
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
    check_sign(index, &records, request, email)?;
    change::require_clean(repo, &repo_path)?;

    let artifact = index
        .artifact(&request.artifact)
        .expect("check_sign found the artifact");
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
    let record = SignOff {
        action: request.action,
        by: email.to_string(),
        role: request.role.clone(),
        at: now,
        fingerprint: facts.fingerprint.clone(),
        upstream,
        note: note_of(request),
        pos: Pos::default(),
    };
    let new = appended(&request.artifact, current.as_deref(), &record);
    Ok(Prepared {
        signed: Signed {
            artifact: request.artifact.clone(),
            record,
            ledger_file: file,
            uncommitted: facts.uncommitted,
        },
        path,
        repo_path,
        current,
        new,
    })
}

/// The message of one sign-off: who did what as whom, the note, trailers.
fn single_message(name: &str, request: &SignRequest, record: &SignOff) -> String {
    let mut message = signoff_message(
        name,
        request.action,
        &request.artifact,
        &request.role,
        record.note.as_deref(),
    );
    if let Some(fp) = &record.fingerprint {
        message.push_str(&format!("Handoff-Fingerprint: {fp}\n"));
    }
    message
}

/// The message of several sign-offs: a summary, one line per record, trailers per artifact.
fn batch_message(name: &str, prepared: &[Prepared]) -> String {
    let person = crate::core::text::sanitize(name);
    let mut actions: Vec<&str> = prepared
        .iter()
        .map(|p| p.signed.record.action.verb())
        .collect();
    actions.dedup();
    let verb = if actions.len() == 1 {
        actions[0]
    } else {
        "signs"
    };
    let mut message = format!(
        "handoff: {person} {verb} {}\n\n",
        crate::core::text::count(prepared.len(), "artifact")
    );
    for p in prepared {
        let r = &p.signed.record;
        message.push_str(&format!(
            "- {} {} as {}\n",
            r.action.verb(),
            p.signed.artifact,
            r.role
        ));
    }
    message.push('\n');
    for p in prepared {
        let r = &p.signed.record;
        message.push_str(&format!(
            "Handoff-Action: {}\nHandoff-Artifact: {}\nHandoff-Role: {}\n",
            r.action, p.signed.artifact, r.role
        ));
        if let Some(fp) = &r.fingerprint {
            message.push_str(&format!("Handoff-Fingerprint: {fp}\n"));
        }
    }
    message
}

/// Whether HEAD's tree has `repo_path` (false on an unborn branch).
fn committed_in_head(repo: &git2::Repository, repo_path: &str) -> bool {
    repo.head()
        .ok()
        .and_then(|h| h.peel_to_tree().ok())
        .is_some_and(|t| t.get_path(std::path::Path::new(repo_path)).is_ok())
}
