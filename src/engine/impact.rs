//! What a change set means for the handoff (`handoff impact BASE..HEAD`): the artifacts whose
//! content it changes, the governed code it touches and who governs it, the sign-offs it
//! records and invalidates, the findings it opens and closes (the handoff evaluated as of
//! BASE and as of HEAD, see [`super::as_of`]), and who must act before it merges.

use std::collections::BTreeMap;

use super::Snapshot;
use super::as_of::{AsOfError, Timeline};
use crate::core::analysis::{CellState, Finding};
use crate::core::glob::GovernedPath;
use crate::core::model::{LoadErrors, SignOff, Target};
use crate::repo::facts::{self, FactsError};
pub use crate::repo::range::{RangeCommits, RangeError};
use crate::repo::workspace::Workspace;

/// Why a range's impact could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImpactError {
    #[error(transparent)]
    Range(#[from] RangeError),
    #[error(transparent)]
    AsOf(#[from] AsOfError),
    #[error(transparent)]
    Facts(#[from] FactsError),
    /// `handoff.yaml` does not load at HEAD.
    #[error("{0}")]
    Index(LoadErrors),
}

/// A finding that must be dealt with before the change merges, and who can.
#[derive(Debug, Clone)]
pub struct ToDo {
    pub finding: Finding,
    /// Whether the range opened it (else it was open at BASE and the range touches it).
    pub opened: bool,
}

/// The impact of one range.
#[derive(Debug, Clone)]
pub struct Impact {
    pub range: String,
    pub commits: RangeCommits,
    /// Changed paths relative to the handoff's directory (those outside it are left out).
    pub changed: Vec<String>,
    /// Artifacts whose own files the range changes.
    pub artifacts_changed: Vec<String>,
    /// Changed governed paths, each with the artifacts governing it.
    pub governed: Vec<(String, Vec<String>)>,
    /// Sign-off records the range adds, by artifact.
    pub recorded: Vec<(String, SignOff)>,
    /// (artifact, role) whose sign-off was current at BASE and is not at HEAD.
    pub invalidated: Vec<(String, String)>,
    pub opened: Vec<Finding>,
    pub closed: Vec<Finding>,
    /// Per person (git e-mail), what they must do before merge.
    pub must_act: BTreeMap<String, Vec<ToDo>>,
}

impl Impact {
    /// The findings that must be dealt with before merge (each once).
    pub fn to_do(&self) -> Vec<&ToDo> {
        let mut seen: Vec<&ToDo> = Vec::new();
        for todo in self.must_act.values().flatten() {
            if !seen.iter().any(|s| same(&s.finding, &todo.finding)) {
                seen.push(todo);
            }
        }
        seen
    }
}

/// Reads the impact of `range` (`BASE..HEAD`) on the handoff of `ws`.
pub fn impact(ws: &Workspace, range: &str) -> Result<Impact, ImpactError> {
    let repo = facts::open_repo(ws)?;
    let commits = crate::repo::range::read_range(&repo, range)?;
    let mut out = Impact {
        range: range.to_string(),
        commits,
        changed: Vec::new(),
        artifacts_changed: Vec::new(),
        governed: Vec::new(),
        recorded: Vec::new(),
        invalidated: Vec::new(),
        opened: Vec::new(),
        closed: Vec::new(),
        must_act: BTreeMap::new(),
    };
    if out.commits.commits.is_empty() {
        return Ok(out);
    }
    out.changed = out
        .commits
        .changed
        .iter()
        .filter_map(|p| p.strip_prefix(ws.prefix.as_str()))
        .map(str::to_string)
        .collect();
    let timeline = Timeline::open(ws)?;
    let points = [out.commits.base.clone(), out.commits.head.clone()];
    let mut past = timeline.evaluate(&points)?.into_iter();
    let base = past.next().and_then(|p| p.snapshot.ok());
    let head = match past.next().map(|p| p.snapshot) {
        Some(Ok(head)) => head,
        Some(Err(errors)) => return Err(ImpactError::Index(errors)),
        None => return Ok(out),
    };
    compare(&mut out, base.as_ref(), &head);
    Ok(out)
}

/// Fills in what HEAD says against BASE (`None`: no handoff there yet).
fn compare(out: &mut Impact, base: Option<&Snapshot>, head: &Snapshot) {
    let covers = |entry: &str, path: &str| {
        GovernedPath::new("", entry).is_some_and(|matcher| matcher.is_match(path))
    };
    for artifact in &head.index.artifacts {
        let entry = match &artifact.target {
            Target::Path(p) | Target::Glob(p) => p,
            Target::Url(_) => continue,
        };
        if out.changed.iter().any(|path| covers(entry, path)) {
            out.artifacts_changed.push(artifact.id.clone());
        }
    }
    for path in &out.changed {
        let governing: Vec<String> = head
            .index
            .governing(path)
            .iter()
            .map(|a| a.id.clone())
            .collect();
        if !governing.is_empty() {
            out.governed.push((path.clone(), governing));
        }
    }
    for (id, records) in &head.ledger.records {
        let before = base.map(|b| b.ledger.of(id)).unwrap_or(&[]);
        for record in records {
            let known = before
                .iter()
                .any(|r| r.at == record.at && r.by == record.by && r.role == record.role);
            if !known {
                out.recorded.push((id.clone(), record.clone()));
            }
        }
    }
    let empty = Vec::new();
    let base_findings = base.map(|b| &b.report.findings).unwrap_or(&empty);
    out.opened = head
        .report
        .findings
        .iter()
        .filter(|f| !base_findings.iter().any(|b| same(b, f)))
        .cloned()
        .collect();
    out.closed = base_findings
        .iter()
        .filter(|b| !head.report.findings.iter().any(|f| same(b, f)))
        .cloned()
        .collect();
    if let Some(base) = base {
        out.invalidated = invalidated(base, head);
    }
    must_act(out, head);
}

/// The same finding at two points: its code, artifact, roles and related artifact (messages
/// name days and dates, which move with the clock).
fn same(a: &Finding, b: &Finding) -> bool {
    a.code == b.code && a.artifact == b.artifact && a.roles == b.roles && a.related == b.related
}

/// Sign-offs current at BASE that are not at HEAD.
fn invalidated(base: &Snapshot, head: &Snapshot) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, artifact) in head.index.artifacts.iter().enumerate() {
        let Some(b) = base.report.position(&artifact.id) else {
            continue;
        };
        for (r, role) in head.index.roles.iter().enumerate() {
            let Some(br) = base.index.roles.iter().position(|x| x.id == role.id) else {
                continue;
            };
            let was = base.report.matrix.rows[b].cells[br].state;
            let is = head.report.matrix.rows[i].cells[r].state;
            if was == CellState::Current
                && matches!(
                    is,
                    CellState::ChangedSinceSignoff | CellState::UpstreamChanged
                )
            {
                out.push((artifact.id.clone(), role.id.clone()));
            }
        }
    }
    out
}

/// Who must act before merge: every finding open at HEAD that the range opened, or that is
/// about an artifact the range changes or whose governed code it touches, for each person of
/// the roles it names.
fn must_act(out: &mut Impact, head: &Snapshot) {
    let touched = |id: &str| {
        out.artifacts_changed.iter().any(|a| a == id)
            || out
                .governed
                .iter()
                .any(|(_, ids)| ids.iter().any(|a| a == id))
    };
    let mut must: BTreeMap<String, Vec<ToDo>> = BTreeMap::new();
    for finding in &head.report.findings {
        let opened = out.opened.iter().any(|f| same(f, finding));
        if !opened && !touched(&finding.artifact) {
            continue;
        }
        for role in &finding.roles {
            let people = head
                .index
                .role(role)
                .map(|r| r.people.clone())
                .unwrap_or_default();
            for person in people {
                must.entry(person).or_default().push(ToDo {
                    finding: finding.clone(),
                    opened,
                });
            }
        }
    }
    out.must_act = must;
}
