//! What changed in the handoff over an interval, for the weekly review: the handoff evaluated
//! (see [`super::as_of`]) at every commit of the first-parent line from the interval's start
//! to its end, consecutive points compared.
//!
//! - A finding is the same finding at two points when its artifact, code, roles and related
//!   artifact are (its message may change as days pass). Opened and closed are net over the
//!   interval: a finding that opened and closed again inside it is neither; each is named with
//!   the commit that last opened or closed it.
//! - Sign-offs given and revoked are the ledger records each commit appended.
//! - Artifacts added, removed, renamed (the path changed) or changed (the fingerprint changed)
//!   compare the start with the end, with lines added and removed.
//! - Scorecard rules that changed state (pass to fail, fail to pass) compare the start with
//!   the end, each named with the commit that last changed it.
//! - Without an explicit end, the interval ends now: the newest commit's handoff is decided
//!   once more at the current time, so what time alone opened (an age, an interval passed)
//!   shows as opened with no commit.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::Snapshot;
use super::as_of::{AsOfError, CommitPoint, Evaluated, Timeline};
use super::trend::{WeekCount, WeekPoints, week_points};
use super::waiting::{Waiting, waiting_of, window_line};
use crate::core::analysis::Finding;
use crate::core::analysis::scorecard::RuleState;
use crate::core::model::{Action, ReviewPoint, SignOff, Target};

/// The review of one interval.
#[derive(Debug, Clone)]
pub struct Review {
    pub since: CommitPoint,
    /// The recorded review the interval starts from (`--since last-review`).
    pub since_review: Option<ReviewPoint>,
    pub until: CommitPoint,
    /// The time the end of the interval is decided at.
    pub now: Timestamp,
    /// Commits on the first-parent line after `since` up to `until`.
    pub commits: usize,
    pub opened: Vec<FindingEvent>,
    pub closed: Vec<FindingEvent>,
    /// Sign-offs given and revoked, in commit order.
    pub signoffs: Vec<SignoffEvent>,
    pub artifacts: Vec<ArtifactChange>,
    pub owners: Vec<OwnerChange>,
    /// The findings open at the end, oldest first.
    pub still_open: Vec<OpenFinding>,
    /// Who must sign what at the end, and the turnarounds over the window (see
    /// [`super::waiting`]).
    pub waiting: Waiting,
    /// Open findings at each week's end up to the end of the interval, oldest first (see
    /// [`super::trend`]).
    pub trend: Vec<WeekCount>,
    /// Scorecard rules whose state differs between the start and the end.
    pub rules: Vec<RuleChange>,
}

/// A scorecard rule that passed at the start and fails at the end, or the other way round.
#[derive(Debug, Clone)]
pub struct RuleChange {
    pub rule: String,
    pub from: RuleState,
    pub to: RuleState,
    /// What the rule found at the end, in one sentence.
    pub summary: String,
    /// The commit that last changed its state; `None`: time passing did.
    pub commit: Option<CommitPoint>,
}

/// A finding opened or closed, with the commit that did it (`None`: time passing did).
#[derive(Debug, Clone)]
pub struct FindingEvent {
    pub finding: Finding,
    pub commit: Option<CommitPoint>,
}

#[derive(Debug, Clone)]
pub struct SignoffEvent {
    pub artifact: String,
    pub record: SignOff,
    pub commit: CommitPoint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    /// The artifact's path changed; `from` is the old one.
    Renamed {
        from: String,
    },
    /// Its content (fingerprint) changed.
    Changed,
}

#[derive(Debug, Clone)]
pub struct ArtifactChange {
    pub artifact: String,
    pub kind: ChangeKind,
    /// The path or URL at the end (at the start, for a removed artifact).
    pub location: String,
    pub lines_added: usize,
    pub lines_removed: usize,
}

#[derive(Debug, Clone)]
pub struct OwnerChange {
    pub artifact: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub commit: CommitPoint,
}

/// A finding open at the end of the interval, and since when.
#[derive(Debug, Clone)]
pub struct OpenFinding {
    pub finding: Finding,
    /// The commit that opened it inside the interval; `None` when it was open at the start or
    /// time opened it.
    pub opened: Option<CommitPoint>,
    /// Since when it has been open, as well as known: the finding's own `since`, else the
    /// commit that opened it, else the start of the interval.
    pub open_since: Timestamp,
}

/// What makes two findings at two points the same finding.
type FindingKey = (String, String, Vec<String>, Option<String>);

fn key(f: &Finding) -> FindingKey {
    (
        f.artifact.clone(),
        f.code.as_str().to_string(),
        f.roles.clone(),
        f.related.clone(),
    )
}

/// What one review run asks of the history.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub since: CommitPoint,
    pub until: CommitPoint,
    /// Decide the end once more at this time (the interval then ends now rather than at
    /// `until`'s commit).
    pub now: Option<Timestamp>,
    /// How far back from the end sign-off turnarounds are measured; `None`: who the handoff
    /// waits on is not read.
    pub window: Option<SignedDuration>,
    /// Weeks of trend up to the end (0: none).
    pub weeks: usize,
}

/// Reviews the first-parent line from `since` to `until`, with who the handoff waits on and
/// the trend as asked. Every point the three read is evaluated in one
/// [`Timeline::evaluate`] call, so a run walks history once, not once per question.
pub fn review(timeline: &Timeline, request: &ReviewRequest) -> Result<Review, AsOfError> {
    let end = request.now.unwrap_or(request.until.committed);
    let line = timeline.first_parent_line(&request.since, &request.until)?;
    let window = match request.window {
        Some(window) => {
            let start = end.checked_sub(window).unwrap_or(end);
            Some((start, window_line(timeline, &request.until, start)?))
        }
        None => None,
    };
    let weeks = week_points(timeline, &request.until, end, request.weeks)?;
    let window_points = window.as_ref().map_or(&[][..], |(_, line)| line);
    let evaluated: Evaluated = timeline
        .evaluate(&union(&[&line, window_points], &weeks))?
        .into_iter()
        .collect();
    // The last handoff on the line (both lines end at `until`), decided at the end.
    let longer = if window_points.len() > line.len() {
        window_points
    } else {
        &line
    };
    let at_end = longer
        .iter()
        .rev()
        .find_map(|p| evaluated.at(p))
        .map(|last| {
            let mut decided = last.clone();
            decided.now = end;
            decided.reanalyze();
            decided
        });
    let mut review = changes(timeline, request, &line, &evaluated, at_end.as_ref())?;
    if let Some((start, window_line)) = &window {
        review.waiting = waiting_of(window_line, &evaluated, at_end.as_ref(), end, *start);
    }
    review.trend = weeks.counts(&evaluated);
    Ok(review)
}

/// Every point the review's lines and the trend's weeks read, each once, oldest first along
/// `until`'s first-parent line: every one of them is a part of it that ends at `until`, so
/// the longest holds every point the others name, in the line's order.
fn union(lines: &[&[CommitPoint]], weeks: &WeekPoints) -> Vec<CommitPoint> {
    let week_points = weeks.points();
    let needed: HashSet<&str> = lines
        .iter()
        .flat_map(|line| line.iter())
        .chain(&week_points)
        .map(|p| p.change.commit.as_str())
        .collect();
    let longest = lines
        .iter()
        .copied()
        .chain([weeks.line.as_slice()])
        .max_by_key(|line| line.len())
        .unwrap_or_default();
    longest
        .iter()
        .filter(|p| needed.contains(p.change.commit.as_str()))
        .cloned()
        .collect()
}

/// What changed over the review's `line`, evaluated; `at_end`: its last handoff decided at
/// the request's `now`.
fn changes(
    timeline: &Timeline,
    request: &ReviewRequest,
    line: &[CommitPoint],
    evaluated: &Evaluated,
    at_end: Option<&Snapshot>,
) -> Result<Review, AsOfError> {
    let ReviewRequest {
        since, until, now, ..
    } = request;
    let now = *now;
    // Points whose handoff.yaml did not load are stepped over.
    let mut points: Vec<(Option<&CommitPoint>, &Snapshot)> = line
        .iter()
        .filter_map(|point| Some((Some(point), evaluated.at(point)?)))
        .collect();
    if let (Some(_), Some(at_end), false) = (now, at_end, points.is_empty()) {
        points.push((None, at_end));
    }
    let mut review = Review {
        since: line.first().cloned().unwrap_or_else(|| since.clone()),
        since_review: None,
        until: until.clone(),
        now: now.unwrap_or(until.committed),
        commits: line.len().saturating_sub(1),
        opened: Vec::new(),
        closed: Vec::new(),
        signoffs: Vec::new(),
        artifacts: Vec::new(),
        owners: Vec::new(),
        still_open: Vec::new(),
        waiting: Waiting::default(),
        rules: Vec::new(),
        trend: Vec::new(),
    };
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(review);
    };
    let (first, last) = (first.1, last.1);
    let mut last_event: HashMap<FindingKey, Option<CommitPoint>> = HashMap::new();
    let mut owner_commits: HashMap<String, CommitPoint> = HashMap::new();
    for pair in points.windows(2) {
        let ((_, before), (commit, after)) = (pair[0], pair[1]);
        let keys_before: HashMap<FindingKey, &Finding> =
            before.report.findings.iter().map(|f| (key(f), f)).collect();
        let keys_after: HashMap<FindingKey, &Finding> =
            after.report.findings.iter().map(|f| (key(f), f)).collect();
        for k in keys_after.keys().chain(keys_before.keys()) {
            if keys_before.contains_key(k) != keys_after.contains_key(k) {
                last_event.insert(k.clone(), commit.cloned());
            }
        }
        if let Some(commit) = commit {
            review
                .signoffs
                .extend(
                    appended(before, after)
                        .into_iter()
                        .map(|(artifact, record)| SignoffEvent {
                            artifact,
                            record,
                            commit: commit.clone(),
                        }),
                );
            for a in &after.index.artifacts {
                let owner_before = before.index.artifact(&a.id).map(|b| &b.owner);
                if owner_before.is_some_and(|o| *o != a.owner) {
                    owner_commits.insert(a.id.clone(), commit.clone());
                }
            }
        }
    }
    let start: HashMap<FindingKey, &Finding> =
        first.report.findings.iter().map(|f| (key(f), f)).collect();
    let end: HashMap<FindingKey, &Finding> =
        last.report.findings.iter().map(|f| (key(f), f)).collect();
    for f in &last.report.findings {
        let k = key(f);
        let opened = if start.contains_key(&k) {
            None
        } else {
            let commit = last_event.get(&k).cloned().flatten();
            review.opened.push(FindingEvent {
                finding: f.clone(),
                commit: commit.clone(),
            });
            commit
        };
        let open_since = f
            .since
            .or_else(|| opened.as_ref().map(|c| c.committed))
            .unwrap_or(review.since.committed);
        review.still_open.push(OpenFinding {
            finding: f.clone(),
            opened,
            open_since,
        });
    }
    for f in &first.report.findings {
        let k = key(f);
        if !end.contains_key(&k) {
            review.closed.push(FindingEvent {
                finding: f.clone(),
                commit: last_event.get(&k).cloned().flatten(),
            });
        }
    }
    review.still_open.sort_by_key(|o| o.open_since);
    review.rules = rule_changes(&points);
    review.artifacts = artifact_changes(timeline, &review, first, last)?;
    review.owners = last
        .index
        .artifacts
        .iter()
        .filter_map(|a| {
            let before = first.index.artifact(&a.id)?;
            (before.owner != a.owner).then(|| OwnerChange {
                artifact: a.id.clone(),
                from: before.owner.clone(),
                to: a.owner.clone(),
                commit: owner_commits
                    .get(&a.id)
                    .cloned()
                    .unwrap_or_else(|| review.until.clone()),
            })
        })
        .collect();
    Ok(review)
}

/// The scorecard rules whose state (pass or fail) at the last point differs from the first,
/// in the order the end's scorecard lists them. A rule not judged at either end (absent, or
/// its facts pending) has no change.
fn rule_changes(points: &[(Option<&CommitPoint>, &Snapshot)]) -> Vec<RuleChange> {
    let state = |snapshot: &Snapshot, rule: &str| {
        snapshot
            .report
            .scorecard
            .results
            .iter()
            .find(|r| r.name == rule)
            .map(|r| r.state)
            .filter(|s| *s != RuleState::Pending)
    };
    let (Some(&(_, first)), Some(&(_, last))) = (points.first(), points.last()) else {
        return Vec::new();
    };
    last.report
        .scorecard
        .results
        .iter()
        .filter_map(|result| {
            let from = state(first, &result.name)?;
            let to = state(last, &result.name)?;
            if from == to {
                return None;
            }
            let commit = points
                .windows(2)
                .rev()
                .find(|pair| state(pair[0].1, &result.name) != state(pair[1].1, &result.name))
                .and_then(|pair| pair[1].0.cloned());
            Some(RuleChange {
                rule: result.name.clone(),
                from,
                to,
                summary: result.summary.clone(),
                commit,
            })
        })
        .collect()
}

/// Where a review since the last recorded review starts: the newest review point recorded in
/// `until`'s tree, and the newest commit on `head`'s first-parent line at or before it (its
/// first commit when all are younger). `None` when no review is recorded.
pub fn last_review_start(
    timeline: &Timeline,
    head: &CommitPoint,
    until: &CommitPoint,
) -> Result<Option<(ReviewPoint, CommitPoint)>, AsOfError> {
    let Some(last) = timeline.last_review(until)? else {
        return Ok(None);
    };
    let start = timeline.at_or_before_or_first(head, last.at)?;
    Ok(Some((last, start)))
}

/// The records `after`'s ledger has that `before`'s has not, by artifact, in file order.
pub(crate) fn appended(before: &Snapshot, after: &Snapshot) -> Vec<(String, SignOff)> {
    let mut found = Vec::new();
    let records: BTreeMap<&String, &Vec<SignOff>> = after.ledger.records.iter().collect();
    for (artifact, records) in records {
        let old = before.ledger.of(artifact);
        for record in records.iter() {
            let same = |r: &&SignOff| {
                r.action == record.action
                    && r.by == record.by
                    && r.role == record.role
                    && r.at == record.at
                    && r.fingerprint == record.fingerprint
            };
            if !old.iter().any(|r| same(&r)) {
                found.push((artifact.clone(), record.clone()));
            }
        }
    }
    found
}

fn artifact_changes(
    timeline: &Timeline,
    review: &Review,
    first: &Snapshot,
    last: &Snapshot,
) -> Result<Vec<ArtifactChange>, AsOfError> {
    let mut changes = Vec::new();
    let location = |t: &Target| match t {
        Target::Path(p) | Target::Glob(p) | Target::Url(p) => p.clone(),
    };
    let lines = |from: Option<&Target>, to: Option<&Target>| -> Result<(usize, usize), AsOfError> {
        let path = |t: Option<&Target>| match t {
            Some(Target::Path(p)) => Some(p.clone()),
            _ => None,
        };
        match (path(from), path(to)) {
            (None, None) => Ok((0, 0)),
            (from_path, to_path) => timeline.lines_changed(
                (&review.since, from_path.as_deref()),
                (&review.until, to_path.as_deref()),
            ),
        }
    };
    for a in &last.index.artifacts {
        let before = first.index.artifact(&a.id);
        let kind = match before {
            None => ChangeKind::Added,
            Some(b) if b.target != a.target => ChangeKind::Renamed {
                from: location(&b.target),
            },
            Some(_) if first.facts.fingerprint(&a.id) != last.facts.fingerprint(&a.id) => {
                ChangeKind::Changed
            }
            Some(_) => continue,
        };
        let (lines_added, lines_removed) = lines(before.map(|b| &b.target), Some(&a.target))?;
        changes.push(ArtifactChange {
            artifact: a.id.clone(),
            kind,
            location: location(&a.target),
            lines_added,
            lines_removed,
        });
    }
    for b in &first.index.artifacts {
        if last.index.artifact(&b.id).is_none() {
            let (lines_added, lines_removed) = lines(Some(&b.target), None)?;
            changes.push(ArtifactChange {
                artifact: b.id.clone(),
                kind: ChangeKind::Removed,
                location: location(&b.target),
                lines_added,
                lines_removed,
            });
        }
    }
    Ok(changes)
}

/// Whether a record revokes.
pub fn is_revoke(record: &SignOff) -> bool {
    record.action == Action::Revoke
}
