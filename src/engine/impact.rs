//! What a change set means for the handoff (`handoff impact BASE..HEAD`): the artifacts whose
//! content it changes, the governed code it touches and who governs it, the sign-offs it
//! records and invalidates, the findings it opens and closes (the handoff evaluated as of
//! BASE and as of HEAD, see [`super::as_of`]), and who must act before it merges.

use std::collections::BTreeMap;

use super::Snapshot;
use super::as_of::{AsOfError, Timeline};
use crate::core::analysis::mine::acts_on;
use crate::core::analysis::{CellState, Finding};
use crate::core::glob::GovernedPath;
use crate::core::model::{Index, LoadErrors, Severity, SignOff, Target};
use crate::repo::facts::{self, FactsError};
pub use crate::repo::range::{ChangeStatus, PathChange, RangeCommits, RangeError};
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

/// A path the range changes, relative to the handoff's directory, and what it is to the
/// handoff (as HEAD's index says).
#[derive(Debug, Clone)]
pub struct ChangedPath {
    pub change: PathChange,
    /// Artifacts whose own file or folder it is.
    pub artifacts: Vec<String>,
    /// Artifacts that govern it (either side of a rename).
    pub governed_by: Vec<String>,
}

/// A finding that must be dealt with before the change merges, and who can.
#[derive(Debug, Clone)]
pub struct ToDo {
    pub finding: Finding,
    /// Whether the range opened it (else it was open at BASE and the range touches it).
    pub opened: bool,
    /// The roles that must act (the finding's, or the artifact's owner when it names none),
    /// each with its people (git e-mail addresses).
    pub acting: Vec<(String, Vec<String>)>,
}

impl ToDo {
    pub fn roles(&self) -> Vec<&str> {
        self.acting.iter().map(|(role, _)| role.as_str()).collect()
    }

    /// Everyone who can act on it, sorted.
    pub fn people(&self) -> Vec<&str> {
        let mut people: Vec<&str> = self
            .acting
            .iter()
            .flat_map(|(_, people)| people.iter().map(String::as_str))
            .collect();
        people.sort_unstable();
        people.dedup();
        people
    }

    /// The roles `person` acts in for it.
    pub fn roles_of(&self, person: &str) -> Vec<&str> {
        self.acting
            .iter()
            .filter(|(_, people)| people.iter().any(|p| p == person))
            .map(|(role, _)| role.as_str())
            .collect()
    }
}

/// The impact of one range.
#[derive(Debug, Clone)]
pub struct Impact {
    pub range: String,
    pub commits: RangeCommits,
    /// Changed paths relative to the handoff's directory (those outside it are left out).
    pub changed: Vec<ChangedPath>,
    /// Artifacts whose own files the range changes, in index order.
    pub artifacts_changed: Vec<String>,
    /// Artifacts governing a changed path, in index order.
    pub governing: Vec<String>,
    /// Sign-off records the range adds, by artifact.
    pub recorded: Vec<(String, SignOff)>,
    /// (artifact, role) whose sign-off was current at BASE and is not at HEAD.
    pub invalidated: Vec<(String, String)>,
    pub opened: Vec<Finding>,
    pub closed: Vec<Finding>,
    /// What must be dealt with before merge, worst first: every finding open at HEAD that the
    /// range opened, or that is about an artifact the range changes or whose code it touches.
    pub to_do: Vec<ToDo>,
}

impl Impact {
    /// Who must act before merge: each person with what is theirs to do, by e-mail address.
    pub fn by_person(&self) -> BTreeMap<&str, Vec<&ToDo>> {
        let mut out: BTreeMap<&str, Vec<&ToDo>> = BTreeMap::new();
        for todo in &self.to_do {
            for person in todo.people() {
                out.entry(person).or_default().push(todo);
            }
        }
        out
    }

    /// Whether the range opens a finding of `threshold` or worse (the gate of `--fail-on`).
    pub fn fails(&self, threshold: Severity) -> bool {
        self.opened.iter().any(|f| f.severity >= threshold)
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
        governing: Vec::new(),
        recorded: Vec::new(),
        invalidated: Vec::new(),
        opened: Vec::new(),
        closed: Vec::new(),
        to_do: Vec::new(),
    };
    if out.commits.commits.is_empty() {
        return Ok(out);
    }
    let timeline = Timeline::open(ws)?;
    // Both ends are judged at HEAD's commit time, so a finding that only the passing of time
    // opens (an approval growing old) is not put down to the change.
    let mut base_point = out.commits.base.clone();
    base_point.committed = out.commits.head.committed;
    let points = [base_point, out.commits.head.clone()];
    let mut past = timeline.evaluate(&points)?.into_iter();
    let base = past.next().and_then(|p| p.snapshot.ok());
    let head = match past.next().map(|p| p.snapshot) {
        Some(Ok(head)) => head,
        Some(Err(errors)) => return Err(ImpactError::Index(errors)),
        None => return Ok(out),
    };
    out.changed = out
        .commits
        .changes
        .iter()
        .filter_map(|c| within(c, &ws.prefix))
        .map(|change| describe(change, &head.index))
        .collect();
    compare(&mut out, base.as_ref(), &head);
    Ok(out)
}

/// `change` relative to the handoff's directory (`prefix`), or `None` when it lies outside;
/// a rename across the directory's edge is an addition or a deletion seen from inside.
fn within(change: &PathChange, prefix: &str) -> Option<PathChange> {
    let inside = |p: &str| p.strip_prefix(prefix).map(str::to_string);
    let path = inside(&change.path);
    let from = change.from.as_deref().and_then(inside);
    let (status, path, from, line) = match (path, from) {
        (Some(path), None) if change.status == ChangeStatus::Renamed => {
            (ChangeStatus::Added, path, None, change.line)
        }
        (Some(path), from) => (change.status, path, from, change.line),
        (None, Some(from)) => (ChangeStatus::Deleted, from, None, None),
        (None, None) => return None,
    };
    Some(PathChange {
        status,
        path,
        from,
        line,
    })
}

/// What a changed path is to the handoff at HEAD: whose file it is, and who governs it.
fn describe(change: PathChange, index: &Index) -> ChangedPath {
    let covers = |entry: &str, path: &str| {
        GovernedPath::new("", entry).is_some_and(|matcher| matcher.is_match(path))
    };
    let artifacts = index
        .artifacts
        .iter()
        .filter(|a| match &a.target {
            Target::Path(entry) | Target::Glob(entry) => change.paths().any(|p| covers(entry, p)),
            Target::Url(_) => false,
        })
        .map(|a| a.id.clone())
        .collect();
    let mut governed_by: Vec<String> = Vec::new();
    for path in change.paths() {
        for a in index.governing(path) {
            if !governed_by.contains(&a.id) {
                governed_by.push(a.id.clone());
            }
        }
    }
    ChangedPath {
        change,
        artifacts,
        governed_by,
    }
}

/// Fills in what HEAD says against BASE (`None`: no handoff there yet).
fn compare(out: &mut Impact, base: Option<&Snapshot>, head: &Snapshot) {
    let in_index_order = |pick: &dyn Fn(&ChangedPath) -> &Vec<String>| -> Vec<String> {
        head.index
            .artifacts
            .iter()
            .filter(|a| out.changed.iter().any(|c| pick(c).contains(&a.id)))
            .map(|a| a.id.clone())
            .collect()
    };
    out.artifacts_changed = in_index_order(&|c| &c.artifacts);
    out.governing = in_index_order(&|c| &c.governed_by);
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
    let base_findings: Vec<&Finding> = base
        .map(|b| b.report.all_findings().collect())
        .unwrap_or_default();
    out.opened = head
        .report
        .all_findings()
        .filter(|f| !base_findings.iter().any(|b| same(b, f)))
        .cloned()
        .collect();
    out.closed = base_findings
        .iter()
        .filter(|b| !head.report.all_findings().any(|f| same(b, f)))
        .map(|f| (*f).clone())
        .collect();
    if let Some(base) = base {
        out.invalidated = invalidated(base, head);
    }
    out.to_do = to_do(out, head);
}

/// The same finding at two points: its code, artifact, rule, roles and related artifact
/// (messages name days and dates, which move with the clock).
fn same(a: &Finding, b: &Finding) -> bool {
    a.code == b.code
        && a.artifact == b.artifact
        && a.rule == b.rule
        && a.roles == b.roles
        && a.related == b.related
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

/// What must be dealt with before merge: every finding open at HEAD that the range opened,
/// or that is about an artifact the range changes or whose governed code it touches; each
/// with the roles that must act (as [`acts_on`] decides) and their people. Worst first, the
/// range's own before those it only touches, then in report order.
fn to_do(out: &Impact, head: &Snapshot) -> Vec<ToDo> {
    let touched = |id: &str| {
        out.artifacts_changed.iter().any(|a| a == id) || out.governing.iter().any(|a| a == id)
    };
    let mut list = Vec::new();
    for finding in head.report.all_findings() {
        let opened = out.opened.iter().any(|f| same(f, finding));
        if !opened && !touched(&finding.artifact) {
            continue;
        }
        let acting = head
            .index
            .roles
            .iter()
            .filter(|r| acts_on(&head.index, finding, std::slice::from_ref(&r.id)))
            .map(|r| (r.id.clone(), r.people.clone()))
            .collect();
        list.push(ToDo {
            finding: finding.clone(),
            opened,
            acting,
        });
    }
    list.sort_by_key(|t| (std::cmp::Reverse(t.finding.severity), !t.opened));
    list
}
