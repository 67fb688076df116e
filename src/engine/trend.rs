//! The trend of the weekly review: how many findings of each severity were open at the end of
//! each of the last N weeks, the handoff evaluated as of each week's end (see
//! [`super::as_of`]): the newest commit on the first-parent line at or before the week's end,
//! decided at the week's end. The last week ends at the end of the interval (now).
//!
//! Every week's point is read in one [`Timeline::evaluate`] call, so N weeks cost about one
//! history walk, not N (a commit that ends several weeks is read once); a review evaluates
//! them in the same call as its own points ([`week_points`] names them).

use jiff::{SignedDuration, Timestamp};

use super::as_of::{AsOfError, CommitPoint, Evaluated, Timeline, TimelineError};
use super::review::{Review, ReviewRequest, last_review_start, review};
use crate::repo::workspace::Workspace;

/// How many weeks the trend covers unless asked otherwise.
pub const DEFAULT_WEEKS: usize = 12;

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The findings open at the end of one week, by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCount {
    pub week_end: Timestamp,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl WeekCount {
    /// Every open finding, whatever its severity.
    pub fn open(&self) -> usize {
        self.error + self.warning + self.info
    }
}

/// Open findings by severity at the end of each of the last `weeks` weeks up to `end`
/// (oldest first), on `until`'s first-parent line. Weeks that end before the first commit,
/// or at a commit whose `handoff.yaml` does not load, are left out.
pub fn trend(
    timeline: &Timeline,
    until: &CommitPoint,
    end: Timestamp,
    weeks: usize,
) -> Result<Vec<WeekCount>, AsOfError> {
    let weeks = week_points(timeline, until, end, weeks)?;
    let evaluated: Evaluated = timeline.evaluate(&weeks.points())?.into_iter().collect();
    Ok(weeks.counts(&evaluated))
}

/// Which commit ends each week of a trend: what [`trend`] evaluates, for a caller that
/// evaluates it together with other points (see [`super::review::review`]).
#[derive(Debug, Clone, Default)]
pub struct WeekPoints {
    /// Each week's end, oldest first, and the newest commit at or before it.
    weeks: Vec<(Timestamp, Option<CommitPoint>)>,
    /// The first-parent line from the oldest week's commit to the end, oldest first.
    pub line: Vec<CommitPoint>,
}

/// The weeks of a trend of `weeks` weeks up to `end` on `until`'s first-parent line, and the
/// commit that ends each.
pub fn week_points(
    timeline: &Timeline,
    until: &CommitPoint,
    end: Timestamp,
    weeks: usize,
) -> Result<WeekPoints, AsOfError> {
    let week_ends: Vec<Timestamp> = (0..weeks)
        .rev()
        .filter_map(|k| end.checked_sub(WEEK * k as i32).ok())
        .collect();
    let Some(&oldest) = week_ends.first() else {
        return Ok(WeekPoints::default());
    };
    // One pass down the first-parent line finds every week's commit.
    let start = timeline.at_or_before_or_first(until, oldest)?;
    let line = timeline.first_parent_line(&start, until)?;
    let weeks = week_ends
        .into_iter()
        .map(|t| (t, line.iter().rev().find(|p| p.committed <= t).cloned()))
        .collect();
    Ok(WeekPoints { weeks, line })
}

impl WeekPoints {
    /// The commits to evaluate, each once (a commit may end several weeks), oldest first.
    pub fn points(&self) -> Vec<CommitPoint> {
        let mut points: Vec<CommitPoint> = Vec::new();
        for p in self.weeks.iter().filter_map(|(_, p)| p.as_ref()) {
            if !points.contains(p) {
                points.push(p.clone());
            }
        }
        points
    }

    /// The counts of each week, its commit's handoff decided at the week's end.
    pub fn counts(&self, evaluated: &Evaluated) -> Vec<WeekCount> {
        self.weeks
            .iter()
            .filter_map(|(week_end, point)| {
                let mut snapshot = evaluated.at(point.as_ref()?)?.clone();
                snapshot.now = *week_end;
                snapshot.reanalyze();
                let (error, warning, info) = snapshot.report.counts();
                Some(WeekCount {
                    week_end: *week_end,
                    error,
                    warning,
                    info,
                })
            })
            .collect()
    }
}

/// What the workbench shows of the handoff's history: the trend, and what changed since the
/// last recorded review.
#[derive(Debug, Clone, Default)]
pub struct Recent {
    pub trend: Vec<WeekCount>,
    /// The review from the newest recorded review point to now; `None` when none is recorded.
    pub since_last_review: Option<Review>,
}

/// HEAD's commit, or `None` before the first commit.
fn head(timeline: &Timeline) -> Result<Option<CommitPoint>, AsOfError> {
    match timeline.head() {
        Ok(head) => Ok(Some(head)),
        Err(AsOfError::Timeline(TimelineError::NoCommits)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The trend of the last `weeks` weeks up to `now` on HEAD's first-parent line (as
/// committed); empty before the first commit.
pub fn trend_to_now(
    ws: &Workspace,
    now: Timestamp,
    weeks: usize,
) -> Result<Vec<WeekCount>, AsOfError> {
    let timeline = Timeline::open(ws)?;
    match head(&timeline)? {
        Some(head) => trend(&timeline, &head, now, weeks),
        None => Ok(Vec::new()),
    }
}

/// The trend of the last `weeks` weeks up to `now` and the review since the last recorded
/// review, on HEAD's first-parent line, read in one evaluation. Nothing committed yet:
/// nothing to show.
pub fn recent(ws: &Workspace, now: Timestamp, weeks: usize) -> Result<Recent, AsOfError> {
    let timeline = Timeline::open(ws)?;
    let Some(head) = head(&timeline)? else {
        return Ok(Recent::default());
    };
    let Some((point, start)) = last_review_start(&timeline, &head, &head)? else {
        return Ok(Recent {
            trend: trend(&timeline, &head, now, weeks)?,
            since_last_review: None,
        });
    };
    let request = ReviewRequest {
        since: start,
        until: head,
        now: Some(now),
        window: None,
        weeks,
    };
    let mut found = review(&timeline, &request)?;
    found.since_review = Some(point);
    Ok(Recent {
        trend: found.trend.clone(),
        since_last_review: Some(found),
    })
}
