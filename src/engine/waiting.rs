//! Who the handoff is waiting on, and how fast each role and person signs.
//!
//! One pass over the handoff evaluated as of every commit of the window (see
//! [`super::as_of`]; a review evaluates them together with its own points), the last decided
//! once more now. A sign-off is *open* for a role while a
//! finding says that role must sign the artifact (`unsigned`, `owner-not-accepted`,
//! `changed-since-signoff`, `upstream-changed`); it opened when the finding's cause happened
//! (the finding's own `since`), else at the first point that showed it (at the window's start
//! for one open all along). It is *answered* when a commit appends that role's accept,
//! approve or acknowledge and the finding closes: the turnaround is the record's time minus
//! the opening.

use std::collections::HashMap;

use jiff::Timestamp;

use super::Snapshot;
use super::as_of::{AsOfError, CommitPoint, Evaluated, Timeline};
use super::review::appended;
use crate::core::analysis::Finding;
use crate::core::model::{Action, FindingCode};

pub use crate::core::model::finding::WAITING_CODES;

/// The sign-offs open now and the turnarounds over the window.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    /// The window's start: turnarounds count sign-offs recorded at or after it.
    pub window_start: Option<Timestamp>,
    /// Open sign-offs, longest wait first.
    pub open: Vec<WaitingOn>,
    /// Per role, by name.
    pub by_role: Vec<Turnaround>,
    /// Per person, by e-mail.
    pub by_person: Vec<Turnaround>,
}

/// One role that must sign one artifact.
#[derive(Debug, Clone)]
pub struct WaitingOn {
    pub artifact: String,
    pub code: FindingCode,
    pub role: String,
    /// The role's members now.
    pub people: Vec<String>,
    /// Since when, as well as known (the cause's time, else the first point that showed it).
    pub since: Timestamp,
    pub waited_seconds: i64,
}

/// How long a role or person took to sign, over the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turnaround {
    pub name: String,
    pub signoffs: usize,
    pub median_seconds: i64,
    pub p90_seconds: i64,
}

type Key = (String, String);

fn waiting_keys(findings: &[Finding]) -> HashMap<Key, (&Finding, Option<Timestamp>)> {
    let mut keys = HashMap::new();
    for f in findings.iter().filter(|f| WAITING_CODES.contains(&f.code)) {
        for role in &f.roles {
            keys.entry((f.artifact.clone(), role.clone()))
                .or_insert((f, f.since));
        }
    }
    keys
}

/// The nearest-rank percentile of sorted values (`p` in 1..=100).
fn percentile(sorted: &[i64], p: usize) -> i64 {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn turnarounds(samples: HashMap<String, Vec<i64>>) -> Vec<Turnaround> {
    let mut out: Vec<Turnaround> = samples
        .into_iter()
        .map(|(name, mut waits)| {
            waits.sort_unstable();
            Turnaround {
                name,
                signoffs: waits.len(),
                median_seconds: percentile(&waits, 50),
                p90_seconds: percentile(&waits, 90),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The commits a waiting of the sign-offs recorded since `window_start` reads: `until`'s
/// first-parent line from the newest commit at or before the window's start (its first commit
/// when all are younger).
pub fn window_line(
    timeline: &Timeline,
    until: &CommitPoint,
    window_start: Timestamp,
) -> Result<Vec<CommitPoint>, AsOfError> {
    let start = timeline.at_or_before_or_first(until, window_start)?;
    timeline.first_parent_line(&start, until)
}

/// Who the handoff waits on at the end of `line` (see [`window_line`]), whose last handoff
/// decided at `now` is `at_end`, and the turnarounds of the sign-offs recorded since
/// `window_start`.
pub fn waiting_of(
    line: &[CommitPoint],
    evaluated: &Evaluated,
    at_end: Option<&Snapshot>,
    now: Timestamp,
    window_start: Timestamp,
) -> Waiting {
    let mut points: Vec<(&CommitPoint, &Snapshot)> = line
        .iter()
        .filter_map(|point| Some((point, evaluated.at(point)?)))
        .collect();
    let (Some(&(last_point, _)), Some(at_end)) = (points.last(), at_end) else {
        return Waiting::default();
    };
    points.push((last_point, at_end));

    let first_time = points[0].0.committed;
    let mut open_since: HashMap<Key, Timestamp> = waiting_keys(&points[0].1.report.findings)
        .into_iter()
        .map(|(k, (_, since))| (k, since.unwrap_or(first_time)))
        .collect();
    let (mut by_role, mut by_person): (HashMap<String, Vec<i64>>, HashMap<String, Vec<i64>>) =
        Default::default();
    for pair in points.windows(2) {
        let ((_, before), (point, after)) = (&pair[0], &pair[1]);
        let keys_after = waiting_keys(&after.report.findings);
        for (k, (_, since)) in &keys_after {
            open_since
                .entry(k.clone())
                .or_insert_with(|| since.unwrap_or(point.committed));
        }
        let signed = appended(before, after);
        let closed: Vec<Key> = open_since
            .keys()
            .filter(|k| !keys_after.contains_key(*k))
            .cloned()
            .collect();
        for k in closed {
            let opened = open_since.remove(&k).expect("a key listed from the map");
            let answer = signed.iter().find(|(artifact, r)| {
                *artifact == k.0
                    && r.role == k.1
                    && matches!(
                        r.action,
                        Action::Accept | Action::Approve | Action::Acknowledge
                    )
            });
            if let Some((_, record)) = answer.filter(|(_, r)| r.at >= window_start) {
                let wait = (record.at.as_second() - opened.as_second()).max(0);
                by_role.entry(k.1.clone()).or_default().push(wait);
                by_person.entry(record.by.clone()).or_default().push(wait);
            }
        }
    }
    let end = points.last().expect("at least one point").1;
    let mut open: Vec<WaitingOn> = waiting_keys(&end.report.findings)
        .into_iter()
        .map(|((artifact, role), (f, _))| {
            let since = open_since
                .get(&(artifact.clone(), role.clone()))
                .copied()
                .unwrap_or(now);
            WaitingOn {
                people: end
                    .index
                    .role(&role)
                    .map(|r| r.people.clone())
                    .unwrap_or_default(),
                code: f.code,
                waited_seconds: (now.as_second() - since.as_second()).max(0),
                since,
                artifact,
                role,
            }
        })
        .collect();
    open.sort_by(|a, b| (a.since, &a.artifact, &a.role).cmp(&(b.since, &b.artifact, &b.role)));
    Waiting {
        window_start: Some(window_start),
        open,
        by_role: turnarounds(by_role),
        by_person: turnarounds(by_person),
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50), 5);
        assert_eq!(percentile(&ten, 90), 9);
        assert_eq!(percentile(&[7], 90), 7);
        assert_eq!(percentile(&[1, 2, 3], 50), 2);
    }
}
