//! The handoff as of any commit: `handoff.yaml` and the ledger read from that commit's tree,
//! the facts as they were then (each artifact's content in that tree, its last change and
//! last change of content as `git log` run at that commit answers, the ledger's history up to
//! it), analysed with "now" = the commit's committer time. The snapshot equals what a fresh
//! `handoff check` of a clone reset to that commit decides (a property test holds it to that).
//!
//! [`Timeline::evaluate`] reads many points for about the cost of one history walk: points
//! are read oldest first, and each walk ends a path's chain at the previous point's answer,
//! so the commits between two points are visited once, not once per point.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use handoff::engine::{as_of::Timeline, locate};
//! let ws = locate(None)?;
//! let timeline = Timeline::open(&ws)?;
//! let head = timeline.head()?;
//! let base = timeline.resolve("HEAD~5")?;
//! for past in timeline.evaluate(&timeline.first_parent_line(&base, &head)?)? {
//!     let open = past.snapshot.map(|s| s.report.findings.len()).unwrap_or(0);
//!     println!("{} {open}", past.point.change.commit);
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;

use git2::{Oid, Repository};
use jiff::Timestamp;

use super::Snapshot;
use crate::core::model::review_points::{REVIEWS_FILE, ReviewPoint, newest};
use crate::core::model::{LoadErrors, Target};
use crate::repo::facts::{self, FactsError, PastFacts, PastRequest};
use crate::repo::inputs::{PastInputs, load_inputs_at, load_review_points_at};
use crate::repo::timeline;
pub use crate::repo::timeline::{CommitPoint, TimelineError};
use crate::repo::workspace::Workspace;

/// Why the handoff could not be evaluated at past points.
#[derive(Debug, thiserror::Error)]
pub enum AsOfError {
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error(transparent)]
    Timeline(#[from] TimelineError),
    #[error("{REVIEWS_FILE} does not load:\n{0}")]
    Reviews(LoadErrors),
}

/// The handoff at one point: its snapshot, or why `handoff.yaml` did not load there.
#[derive(Debug, Clone)]
pub struct PastHandoff {
    pub point: CommitPoint,
    pub snapshot: Result<Snapshot, LoadErrors>,
}

/// The handoffs one [`Timeline::evaluate`] call read, by commit: what several questions about
/// the same points (a review, its waits, its trend) share, so that a run walks history once
/// rather than once per question. Points whose `handoff.yaml` did not load are not kept.
#[derive(Debug, Clone, Default)]
pub struct Evaluated {
    by_commit: HashMap<String, Snapshot>,
}

impl Evaluated {
    /// The handoff at `point`, when it was evaluated and its `handoff.yaml` loaded there.
    pub fn at(&self, point: &CommitPoint) -> Option<&Snapshot> {
        self.by_commit.get(&point.change.commit)
    }
}

impl FromIterator<PastHandoff> for Evaluated {
    fn from_iter<I: IntoIterator<Item = PastHandoff>>(past: I) -> Self {
        Evaluated {
            by_commit: past
                .into_iter()
                .filter_map(|PastHandoff { point, snapshot }| {
                    Some((point.change.commit, snapshot.ok()?))
                })
                .collect(),
        }
    }
}

/// One workspace's history, opened once for any number of questions.
pub struct Timeline<'w> {
    workspace: &'w Workspace,
    repo: Repository,
    /// Commits the history walks visited, over every evaluation (to show the saving in
    /// tests).
    commits_walked: std::cell::Cell<usize>,
}

impl<'w> Timeline<'w> {
    pub fn open(workspace: &'w Workspace) -> Result<Self, AsOfError> {
        Ok(Timeline {
            workspace,
            repo: facts::open_repo(workspace)?,
            commits_walked: Default::default(),
        })
    }

    /// Commits whose trees the history walks compared, over every evaluation so far.
    pub fn commits_walked(&self) -> usize {
        self.commits_walked.get()
    }

    pub fn head(&self) -> Result<CommitPoint, AsOfError> {
        Ok(timeline::head(&self.repo)?)
    }

    /// The commit a revision names.
    pub fn resolve(&self, rev: &str) -> Result<CommitPoint, AsOfError> {
        Ok(timeline::resolve(&self.repo, rev)?)
    }

    /// The newest commit on `from`'s first-parent line committed at or before `time`.
    pub fn at_or_before(
        &self,
        from: &CommitPoint,
        time: Timestamp,
    ) -> Result<CommitPoint, AsOfError> {
        Ok(timeline::at_or_before(&self.repo, from, time)?)
    }

    /// The newest commit on `from`'s first-parent line committed at or before `time`, or its
    /// first commit when all are younger.
    pub fn at_or_before_or_first(
        &self,
        from: &CommitPoint,
        time: Timestamp,
    ) -> Result<CommitPoint, AsOfError> {
        match timeline::at_or_before(&self.repo, from, time) {
            Err(TimelineError::NothingBefore(_)) => Ok(timeline::first_commit(&self.repo, from)?),
            found => Ok(found?),
        }
    }

    /// The commits of `to`'s first-parent line back to `from`, oldest first (see
    /// [`timeline::first_parent_line`]).
    pub fn first_parent_line(
        &self,
        from: &CommitPoint,
        to: &CommitPoint,
    ) -> Result<Vec<CommitPoint>, AsOfError> {
        Ok(timeline::first_parent_line(&self.repo, from, to)?)
    }

    /// The handoff at each point, in the order given; read oldest first internally so the
    /// history walks share their work.
    pub fn evaluate(&self, points: &[CommitPoint]) -> Result<Vec<PastHandoff>, AsOfError> {
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by_key(|&i| points[i].committed);
        let mut reader = PastFacts::new(&self.repo, self.workspace);
        let mut parsed = PastInputs::default();
        let mut done: HashMap<usize, PastHandoff> = HashMap::new();
        for i in order {
            let point = &points[i];
            let snapshot = self.snapshot_at(&mut reader, &mut parsed, point)?;
            done.insert(
                i,
                PastHandoff {
                    point: point.clone(),
                    snapshot,
                },
            );
        }
        self.commits_walked
            .set(self.commits_walked.get() + reader.commits_walked());
        Ok((0..points.len()).filter_map(|i| done.remove(&i)).collect())
    }

    fn snapshot_at(
        &self,
        reader: &mut PastFacts,
        parsed: &mut PastInputs,
        point: &CommitPoint,
    ) -> Result<Result<Snapshot, LoadErrors>, AsOfError> {
        let commit = Oid::from_str(&point.change.commit).map_err(|e| FactsError::Git {
            context: format!("reading commit {}", point.change.commit),
            source: e,
        })?;
        let (index, ledger) =
            load_inputs_at(&self.repo, self.workspace, commit, parsed).map_err(|e| {
                FactsError::Git {
                    context: format!("reading commit {}", point.change.commit),
                    source: e,
                }
            })?;
        let index = match index {
            Ok(index) => index,
            Err(errors) => return Ok(Err(errors)),
        };
        let targets: Vec<(String, Target)> = index
            .artifacts
            .iter()
            .map(|a| (a.id.clone(), a.target.clone()))
            .collect();
        let request = PastRequest {
            targets: &targets,
            rules: index.content_rules(),
            governs: &index.governed_entries(),
            ci_paths: &index.ci_paths(),
            contracts: &index.contract_requests(&ledger),
            index_lines: index.dates_first_signoffs(),
        };
        let facts = reader.facts_at(commit, &request)?;
        Ok(Ok(Snapshot::new(index, ledger, facts, point.committed)))
    }
}

impl Timeline<'_> {
    /// The newest review point recorded in `at`'s tree (`.handoff/reviews.yaml`), if any.
    pub fn last_review(&self, at: &CommitPoint) -> Result<Option<ReviewPoint>, AsOfError> {
        let commit = Oid::from_str(&at.change.commit).map_err(|e| FactsError::Git {
            context: format!("reading commit {}", at.change.commit),
            source: e,
        })?;
        let points = load_review_points_at(&self.repo, self.workspace, commit)
            .map_err(|e| FactsError::Git {
                context: format!("reading {REVIEWS_FILE} at {}", at.change.commit),
                source: e,
            })?
            .map_err(AsOfError::Reviews)?;
        Ok(newest(&points).cloned())
    }

    /// Lines added and removed between an artifact path at one point and a path at another
    /// (both relative to the handoff's directory; `None`: absent, counted as empty).
    pub fn lines_changed(
        &self,
        from: (&CommitPoint, Option<&str>),
        to: (&CommitPoint, Option<&str>),
    ) -> Result<(usize, usize), AsOfError> {
        let from_path = from.1.map(|p| self.workspace.repo_path(p));
        let to_path = to.1.map(|p| self.workspace.repo_path(p));
        Ok(timeline::lines_changed(
            &self.repo,
            (&from.0.change.commit, from_path.as_deref()),
            (&to.0.change.commit, to_path.as_deref()),
        )?)
    }
}
