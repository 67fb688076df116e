//! The bundled demo: `sample-repo/` (the final work tree) and `assets/sample/history.yaml`
//! (the scripted history) are embedded in the binary and replayed into a fresh repository,
//! with commit dates relative to now, so the demo shows the same findings whenever it runs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature, Time};
use include_dir::{Dir, include_dir};
use jiff::Timestamp;
use serde::Deserialize;

use crate::core::model::review_points::{self, REVIEWS_FILE, ReviewPoint};
use crate::core::model::{Action, LoadErrors, SignOff, Target};
use crate::repo::facts;
use crate::repo::inputs::load_index_file;
use crate::repo::workspace::{INDEX_FILE, Workspace, WorkspaceError};
use crate::repo::write::CommitError;
use crate::repo::write::{self, commit::CommitRequest};

static SAMPLE_REPO: Dir = include_dir!("$CARGO_MANIFEST_DIR/sample-repo");
static SAMPLE_HISTORY: &str = include_str!("../../assets/sample/history.yaml");

/// The person the demo repository's git config names, so that `sign` works there at once.
const DEMO_USER: &str = "dana@acme.example";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    people: BTreeMap<String, String>,
    steps: Vec<Step>,
    #[serde(default)]
    worktree: Option<Changes>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    days_ago: u32,
    #[serde(default)]
    time: Option<String>,
    author: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    merge: Option<String>,
    #[serde(flatten)]
    changes: Changes,
    #[serde(default)]
    sign: Vec<Sign>,
    /// A review point recorded at this step, as `handoff review --record` records it.
    #[serde(default)]
    review: Option<ReviewStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewStep {
    #[serde(default)]
    attendees: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Changes {
    #[serde(default)]
    write: Vec<String>,
    #[serde(default)]
    edit: Vec<Edit>,
    #[serde(default)]
    delete: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    path: String,
    replace: String,
    with: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sign {
    artifact: String,
    action: String,
    role: String,
    by: String,
    #[serde(default)]
    note: Option<String>,
}

/// Why the demo repository could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("{} is not empty: the demo is built only into a new or empty directory", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error(transparent)]
    Facts(#[from] facts::FactsError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Commit(#[from] CommitError),
    #[error("{INDEX_FILE} does not load:\n{0}")]
    Index(LoadErrors),
    /// The embedded script says something impossible: a bug of handoff's own.
    #[error("assets/sample/history.yaml: {0}")]
    Script(String),
    #[error("assets/sample/history.yaml step {number} ({what}): {source}")]
    Step {
        number: usize,
        what: String,
        source: Box<SampleError>,
    },
}

fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SampleError {
    let path = path.into();
    move |source| SampleError::Io { path, source }
}

fn script(message: impl Into<String>) -> SampleError {
    SampleError::Script(message.into())
}

fn parse_history() -> Result<History, SampleError> {
    let root = crate::yaml::parse(SAMPLE_HISTORY)
        .map_err(|e| script(format!("{}:{}: {}", e.pos.line, e.pos.col, e.message)))?
        .ok_or_else(|| script("empty"))?;
    serde_json::from_value(crate::yaml::to_json(&root)).map_err(|e| script(e.to_string()))
}

/// Builds the demo repository in `into` (which must be absent or empty) and returns its path.
pub fn build(into: &Path, now: Timestamp) -> Result<PathBuf, SampleError> {
    if into.exists() && fs::read_dir(into).map_err(io(into))?.next().is_some() {
        return Err(SampleError::NotEmpty(into.to_path_buf()));
    }
    fs::create_dir_all(into).map_err(io(into))?;
    let history = parse_history()?;
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(into, &opts)?;
    {
        let mut config = repo.config()?;
        let name = history.people.get(DEMO_USER).map_or("Dana", String::as_str);
        config.set_str("user.name", name)?;
        config.set_str("user.email", DEMO_USER)?;
    }
    let ws = Workspace::discover(into)?;
    let mut replay = Replay {
        repo: &repo,
        ws: &ws,
        history: &history,
        now,
        on_branch: "main".to_string(),
    };
    for (n, step) in history.steps.iter().enumerate() {
        replay.step(step).map_err(|e| SampleError::Step {
            number: n + 1,
            what: step.message.as_deref().unwrap_or("sign").to_string(),
            source: Box::new(e),
        })?;
    }
    if replay.on_branch != "main" {
        replay.switch("main")?;
    }
    if let Some(changes) = &history.worktree {
        apply(&ws.dir, changes)?;
    }
    Ok(ws.dir.clone())
}

struct Replay<'a> {
    repo: &'a Repository,
    ws: &'a Workspace,
    history: &'a History,
    now: Timestamp,
    on_branch: String,
}

impl Replay<'_> {
    fn when(&self, step: &Step) -> Result<Timestamp, SampleError> {
        let (h, m) = match &step.time {
            Some(t) => {
                let not_a_time = || script(format!("time `{t}` is not HH:MM"));
                let (h, m) = t.split_once(':').ok_or_else(not_a_time)?;
                (
                    h.parse::<i64>().map_err(|_| not_a_time())?,
                    m.parse::<i64>().map_err(|_| not_a_time())?,
                )
            }
            None => (10, 0),
        };
        let midnight = self.now.as_second() - self.now.as_second().rem_euclid(86_400);
        let at = midnight - i64::from(step.days_ago) * 86_400 + h * 3600 + m * 60;
        // A time of day later than now on day 0 would be in the future.
        Timestamp::from_second(at.min(self.now.as_second() - 60)).map_err(|e| script(e.to_string()))
    }

    fn signature(&self, email: &str, at: Timestamp) -> Result<Signature<'static>, SampleError> {
        let name = self.history.people.get(email).map_or(email, String::as_str);
        Ok(Signature::new(name, email, &Time::new(at.as_second(), 0))?)
    }

    fn switch(&mut self, branch: &str) -> Result<(), SampleError> {
        let refname = format!("refs/heads/{branch}");
        if self.repo.find_reference(&refname).is_err() {
            let head = self.repo.head().and_then(|h| h.peel_to_commit())?;
            self.repo.branch(branch, &head, false)?;
        }
        let target = self.repo.revparse_single(&refname)?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force().remove_untracked(false);
        self.repo.checkout_tree(&target, Some(&mut checkout))?;
        self.repo.set_head(&refname)?;
        self.on_branch = branch.to_string();
        Ok(())
    }

    fn step(&mut self, step: &Step) -> Result<(), SampleError> {
        let at = self.when(step)?;
        let author = self.signature(&step.author, at)?;
        if let Some(branch) = &step.merge {
            return self.merge(branch, step, &author);
        }
        let branch = step.branch.as_deref().unwrap_or("main");
        if branch != self.on_branch {
            self.switch(branch)?;
        }
        let mut touched = apply(&self.ws.dir, &step.changes)?;
        for sign in &step.sign {
            touched.push(self.sign(sign, at)?);
        }
        let review = match &step.review {
            Some(review) => Some(self.record_review(review, &step.author, at)?),
            None => None,
        };
        if review.is_some() {
            touched.push(REVIEWS_FILE.to_string());
        }
        let message = match (&step.message, &review) {
            (Some(m), _) => m.trim_end().to_string(),
            (None, Some(point)) => write::review_point::review_message(
                self.history.people.get(&point.by).map_or(&point.by, |n| n),
                point,
            ),
            (None, None) => {
                let sign = step
                    .sign
                    .first()
                    .ok_or_else(|| script("a step without a message must sign"))?;
                let action: Action = sign
                    .action
                    .parse::<Action>()
                    .map_err(|e| script(e.to_string()))?;
                write::commit::signoff_message(
                    self.history.people.get(&sign.by).map_or(&sign.by, |n| n),
                    action,
                    &sign.artifact,
                    &sign.role,
                    sign.note.as_deref(),
                )
            }
        };
        let paths: Vec<String> = touched.iter().map(|p| self.ws.repo_path(p)).collect();
        let head = self.repo.head().ok().and_then(|h| h.target());
        write::commit_paths(
            self.repo,
            &CommitRequest {
                paths: &paths,
                message: &message,
                author: &author,
                committer: &author,
                expected_head: head,
            },
        )?;
        Ok(())
    }

    /// Appends a review point to the reviews file.
    fn record_review(
        &self,
        review: &ReviewStep,
        by: &str,
        at: Timestamp,
    ) -> Result<ReviewPoint, SampleError> {
        let point = ReviewPoint {
            at,
            by: by.to_string(),
            attendees: review.attendees.clone(),
            note: review.note.clone(),
            pos: Default::default(),
        };
        let path = self.ws.dir.join(REVIEWS_FILE);
        let current = fs::read(&path).ok();
        write::atomic::write_atomic(&path, &review_points::appended(current.as_deref(), &point))
            .map_err(io(REVIEWS_FILE))?;
        Ok(point)
    }

    /// Appends a sign-off record with the fingerprints the work tree has now.
    fn sign(&self, sign: &Sign, at: Timestamp) -> Result<String, SampleError> {
        let index = load_index_file(self.ws).map_err(SampleError::Index)?;
        let artifact = index.artifact(&sign.artifact).ok_or_else(|| {
            script(format!(
                "sign: no artifact `{}` in {INDEX_FILE}",
                sign.artifact
            ))
        })?;
        let fingerprint =
            |target: &Target| facts::worktree_facts(self.repo, self.ws, target).fingerprint;
        let upstream = artifact
            .depends_on
            .iter()
            .filter_map(|dep| {
                index
                    .artifact(dep)
                    .map(|u| (dep.clone(), fingerprint(&u.target)))
            })
            .collect();
        let record = SignOff {
            action: sign
                .action
                .parse::<Action>()
                .map_err(|e| script(e.to_string()))?,
            by: sign.by.clone(),
            role: sign.role.clone(),
            at,
            fingerprint: fingerprint(&artifact.target),
            upstream,
            note: sign.note.clone(),
            pos: Default::default(),
        };
        let file = crate::core::model::ledger::ledger_file(&sign.artifact);
        write::ledger::append(&self.ws.dir.join(&file), &sign.artifact, &record)
            .map_err(io(&file))?;
        Ok(file)
    }

    fn merge(&mut self, branch: &str, step: &Step, author: &Signature) -> Result<(), SampleError> {
        if self.on_branch != "main" {
            self.switch("main")?;
        }
        let repo = self.repo;
        let ours = repo.head().and_then(|h| h.peel_to_commit())?;
        let theirs = repo
            .revparse_single(&format!("refs/heads/{branch}"))
            .and_then(|o| o.peel_to_commit())?;
        let mut merged = repo.merge_commits(&ours, &theirs, None)?;
        if merged.has_conflicts() {
            return Err(script(format!("merging {branch} conflicts")));
        }
        let tree_id: Oid = merged.write_tree_to(repo)?;
        let tree = repo.find_tree(tree_id)?;
        let message = step
            .message
            .as_deref()
            .ok_or_else(|| script("a merge step needs a message"))?;
        repo.commit(
            Some("HEAD"),
            author,
            author,
            message.trim_end(),
            &tree,
            &[&ours, &theirs],
        )?;
        let mut checkout = git2::build::CheckoutBuilder::new();
        checkout.force();
        repo.checkout_head(Some(&mut checkout))?;
        Ok(())
    }
}

/// Applies writes, edits and deletes to the work tree; returns the paths touched (relative
/// to the workspace).
fn apply(dir: &Path, changes: &Changes) -> Result<Vec<String>, SampleError> {
    let mut touched = Vec::new();
    for path in &changes.write {
        let files: Vec<&include_dir::File> =
            match (SAMPLE_REPO.get_file(path), SAMPLE_REPO.get_dir(path)) {
                (Some(file), _) => vec![file],
                (None, Some(sub)) => embedded_files(sub),
                (None, None) => {
                    return Err(script(format!("write: sample-repo/{path} does not exist")));
                }
            };
        for file in files {
            let rel = file.path().to_string_lossy().replace('\\', "/");
            write::write_atomic(&dir.join(&rel), file.contents()).map_err(io(&rel))?;
            touched.push(rel);
        }
    }
    for edit in &changes.edit {
        let full = dir.join(&edit.path);
        let text = fs::read_to_string(&full).map_err(io(&full))?;
        let count = text.matches(&edit.replace).count();
        if count != 1 {
            return Err(script(format!(
                "edit {}: `{}` occurs {count} times, not once",
                edit.path, edit.replace
            )));
        }
        write::write_atomic(
            &full,
            text.replacen(&edit.replace, &edit.with, 1).as_bytes(),
        )
        .map_err(io(&full))?;
        touched.push(edit.path.clone());
    }
    for path in &changes.delete {
        let full = dir.join(path);
        if full.is_dir() {
            fs::remove_dir_all(&full)
        } else {
            fs::remove_file(&full)
        }
        .map_err(io(&full))?;
        touched.push(path.clone());
    }
    // A directory touched as a whole commits each file beneath it.
    let mut files = Vec::new();
    for path in touched {
        let full = dir.join(&path);
        if full.is_dir() {
            for entry in walk_files(&full) {
                if let Ok(rel) = entry.strip_prefix(dir) {
                    files.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        } else {
            files.push(path);
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(embedded_files(sub));
    }
    out
}
