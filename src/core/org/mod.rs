//! The organisation view: many repositories' check results merged into one model —
//! repositories down, roles across (merged by role id), each cell the worst state; per person
//! what they must sign everywhere; artifacts owned by roles nobody staffs. Pure: the results,
//! `now` and the staleness threshold come in; gathering them is the engine's.

mod manifest;
mod people;
mod result;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::Timestamp;

pub use manifest::{Manifest, ManifestError, parse_manifest};
pub use people::{PersonCell, PersonColumn, Waiting, waiting};
pub use result::{
    CheckResult, RESULT_VERSION, ResultAction, ResultArtifact, ResultError, ResultFinding,
    ResultRole, parse_result,
};

use crate::core::analysis::days_since;
use crate::core::model::{Duration, Severity};

/// Where a repository's row came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The path as the user gave or the discovery found it.
    pub path: String,
    /// A repository checked here (`true`) or a result file read as it is.
    pub local: bool,
    pub team: Option<String>,
}

/// One source's outcome, as the engine gathered it.
#[derive(Debug, Clone, PartialEq)]
pub enum Gathered {
    /// Not read yet: a row saying so until its outcome arrives (the org workbench paints
    /// before every repository is checked).
    Pending(Origin),
    /// A check result: read from a file, or computed from a local repository. Shared, so the
    /// model can be rebuilt as each result arrives without copying the others.
    Result(Origin, Arc<CheckResult>),
    /// A local repository whose index does not load: still a row, with the error.
    LoadError(Origin, String),
    /// Input that is skipped: a bad result file, a path that is nothing handoff reads.
    Skipped { path: String, reason: String },
}

/// A source that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub reason: String,
}

/// A column: a role id used by some repository, with the first title given for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRole {
    pub id: String,
    pub title: Option<String>,
}

/// A repository's cell for one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgCell {
    /// The repository has no such role.
    Absent,
    /// The role is there and no finding names it.
    Clean,
    /// The worst finding naming the role, and how many name it.
    Open(Severity, usize),
}

/// A row: one repository.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgRepo {
    pub name: String,
    pub origin: Origin,
    /// The result, when there is one (`None`: not read yet, or the index did not load).
    pub result: Option<Arc<CheckResult>>,
    pub load_error: Option<String>,
    /// Still being read or checked.
    pub pending: bool,
    /// The result is older than the threshold.
    pub stale: bool,
    /// One per [`Org::roles`].
    pub cells: Vec<OrgCell>,
    /// Error, warning and info findings.
    pub counts: (usize, usize, usize),
}

impl OrgRepo {
    pub fn worst(&self) -> Option<Severity> {
        let (e, w, i) = self.counts;
        [
            (e, Severity::Error),
            (w, Severity::Warning),
            (i, Severity::Info),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| s)
    }

    /// When the result was computed.
    pub fn checked(&self) -> Option<Timestamp> {
        self.result.as_ref().map(|r| r.now)
    }
}

/// Something a person must sign in some repository.
#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    /// Position in [`Org::repos`].
    pub repo: usize,
    pub artifact: String,
    pub code: String,
    pub severity: Severity,
    pub argv: Vec<String>,
    /// Whole days since the need arose, when the result says.
    pub waiting_days: Option<i64>,
}

/// An artifact whose owner role has nobody in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstaffed {
    pub repo: usize,
    pub artifact: String,
    pub role: Option<String>,
}

/// The whole organisation at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub name: Option<String>,
    pub now: Timestamp,
    pub stale_after: Duration,
    pub roles: Vec<OrgRole>,
    pub repos: Vec<OrgRepo>,
    /// What each person (git e-mail) must sign, longest waiting first.
    pub people: BTreeMap<String, Vec<Duty>>,
    pub unstaffed: Vec<Unstaffed>,
    pub problems: Vec<Problem>,
}

impl Org {
    pub fn stale_count(&self) -> usize {
        self.repos.iter().filter(|r| r.stale).count()
    }

    /// Rows still being read or checked.
    pub fn pending_count(&self) -> usize {
        self.repos.iter().filter(|r| r.pending).count()
    }
}

/// A row before merging: where it came from, its result or its load error, or pending.
struct Row {
    origin: Origin,
    result: Option<Arc<CheckResult>>,
    load_error: Option<String>,
    pending: bool,
}

impl Row {
    fn new(origin: Origin) -> Row {
        Row {
            origin,
            result: None,
            load_error: None,
            pending: false,
        }
    }
}

/// The organisation while its sources are read: one slot per source, in the order given, each
/// pending until its outcome arrives. The model is rebuilt from the slots on each arrival, so
/// a half-gathered organisation is merged exactly as a whole one is.
#[derive(Debug, Clone)]
pub struct Gathering {
    name: Option<String>,
    slots: Vec<Gathered>,
    now: Timestamp,
    stale_after: Duration,
}

impl Gathering {
    /// Every slot as given: usually [`Gathered::Pending`] for what is still to be read.
    pub fn new(
        name: Option<String>,
        slots: Vec<Gathered>,
        now: Timestamp,
        stale_after: Duration,
    ) -> Gathering {
        Gathering {
            name,
            slots,
            now,
            stale_after,
        }
    }

    /// Puts a source's outcome in its slot (a slot out of range is ignored).
    pub fn arrive(&mut self, slot: usize, outcome: Gathered) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = outcome;
        }
    }

    /// Slots still pending.
    pub fn remaining(&self) -> usize {
        self.slots
            .iter()
            .filter(|g| matches!(g, Gathered::Pending(_)))
            .count()
    }

    /// The organisation as gathered so far.
    pub fn org(&self) -> Org {
        build(
            self.name.clone(),
            self.slots.clone(),
            self.now,
            self.stale_after.clone(),
        )
    }
}

/// Merges the gathered sources into one model. A repository seen twice (same remote, or same
/// name and head without one) keeps its first row; the second is a problem.
pub fn build(
    name: Option<String>,
    gathered: Vec<Gathered>,
    now: Timestamp,
    stale_after: Duration,
) -> Org {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    for g in gathered {
        match g {
            Gathered::Skipped { path, reason } => problems.push(Problem { path, reason }),
            Gathered::Pending(origin) => rows.push(Row {
                pending: true,
                ..Row::new(origin)
            }),
            Gathered::LoadError(origin, error) => rows.push(Row {
                load_error: Some(error),
                ..Row::new(origin)
            }),
            Gathered::Result(origin, result) => {
                let key = identity(&result);
                if let Some(first) = seen.get(&key) {
                    problems.push(Problem {
                        path: origin.path,
                        reason: format!("the same repository as {first} ({key}): skipped"),
                    });
                    continue;
                }
                seen.insert(key, origin.path.clone());
                rows.push(Row {
                    result: Some(result),
                    ..Row::new(origin)
                });
            }
        }
    }
    let roles = merged_roles(&rows);
    let column: HashMap<&str, usize> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut people: BTreeMap<String, Vec<Duty>> = BTreeMap::new();
    let mut unstaffed = Vec::new();
    let mut repos = Vec::with_capacity(rows.len());
    for (position, row) in rows.into_iter().enumerate() {
        let Row {
            origin,
            result,
            load_error,
            pending,
        } = row;
        let mut cells = vec![OrgCell::Absent; roles.len()];
        let mut counts = (0, 0, 0);
        let mut stale = false;
        if let Some(r) = &result {
            stale = now.as_second() - r.now.as_second() > stale_after.seconds();
            for role in r.role_list() {
                cells[column[role.id.as_str()]] = OrgCell::Clean;
            }
            for f in &r.findings {
                match f.severity {
                    Severity::Error => counts.0 += 1,
                    Severity::Warning => counts.1 += 1,
                    Severity::Info => counts.2 += 1,
                }
                for role in &f.roles {
                    if let Some(&c) = column.get(role.as_str()) {
                        cells[c] = worse(cells[c], f.severity);
                    }
                }
                if f.code == "owner-unstaffed" {
                    unstaffed.push(Unstaffed {
                        repo: position,
                        artifact: f.artifact.clone().unwrap_or_default(),
                        role: f.roles.first().cloned(),
                    });
                }
                if let Some(action) = f.action.as_ref().filter(|_| f.is_signing()) {
                    for who in &action.who {
                        people.entry(who.clone()).or_default().push(Duty {
                            repo: position,
                            artifact: f.artifact.clone().unwrap_or_default(),
                            code: f.code.clone(),
                            severity: f.severity,
                            argv: action.argv.clone(),
                            waiting_days: f.since.map(|since| days_since(r.now, since)),
                        });
                    }
                }
            }
        }
        let name = match &result {
            Some(r) => r.name.clone().unwrap_or_else(|| origin.path.clone()),
            // Until its result names it, the last part of its path is what fits a row.
            None if pending => last_part(&origin.path),
            None => origin.path.clone(),
        };
        repos.push(OrgRepo {
            name,
            origin,
            result,
            load_error,
            pending,
            stale,
            cells,
            counts,
        });
    }
    for duties in people.values_mut() {
        duties.sort_by_key(|d| std::cmp::Reverse(d.waiting_days));
    }
    Org {
        name,
        now,
        stale_after,
        roles,
        repos,
        people,
        unstaffed,
        problems,
    }
}

/// How a repository is told apart: its remote, else its name and head.
fn identity(r: &CheckResult) -> String {
    match &r.remote {
        Some(remote) => remote
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_string(),
        None => format!(
            "{} @ {}",
            r.name.as_deref().unwrap_or("unnamed"),
            r.head.as_deref().unwrap_or("no commits")
        ),
    }
}

fn last_part(path: &str) -> String {
    let trimmed = path.trim_end_matches(['/', '\\']);
    trimmed
        .rsplit(['/', '\\'])
        .next()
        .filter(|part| !part.is_empty())
        .unwrap_or(path)
        .to_string()
}

/// Every role id in order of first appearance, with the first title given for it.
fn merged_roles(rows: &[Row]) -> Vec<OrgRole> {
    let mut roles: Vec<OrgRole> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for result in rows.iter().filter_map(|row| row.result.as_ref()) {
        for role in result.role_list() {
            match at.get(&role.id) {
                Some(&i) => {
                    if roles[i].title.is_none() {
                        roles[i].title = role.title;
                    }
                }
                None => {
                    at.insert(role.id.clone(), roles.len());
                    roles.push(OrgRole {
                        id: role.id,
                        title: role.title,
                    });
                }
            }
        }
    }
    roles
}

fn worse(cell: OrgCell, severity: Severity) -> OrgCell {
    match cell {
        OrgCell::Open(s, n) => OrgCell::Open(s.max(severity), n + 1),
        _ => OrgCell::Open(severity, 1),
    }
}

#[cfg(test)]
mod tests;
