//! Gathering the organisation: every source discovered, result files read and local
//! repositories checked through the normal engine (each with its own caches), all on every
//! core; then merged by `crate::core::org`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use jiff::Timestamp;

use crate::core::model::Duration;
use crate::core::org::{
    self, CheckResult, Gathered, Gathering, Org, Origin, RESULT_VERSION, ResultAction,
    ResultArtifact, ResultFinding, ResultRole,
};
use crate::repo::org::{Found, FoundKind, discover, read_result};

use super::{Snapshot, describe, locate, remote_url, snapshot};

/// One source's outcome, for the slot it fills in a [`Gathering`].
#[derive(Debug)]
pub struct Arrival {
    pub slot: usize,
    pub outcome: Gathered,
}

/// Where the org workers report (the org workbench's channel), as facts go to the
/// workbench's.
pub type OrgSink = Arc<dyn Fn(Arrival) + Send + Sync>;

/// Reads every source and builds the organisation at `now`, once every source is in.
pub fn gather(sources: &[PathBuf], now: Timestamp, stale_after: Duration) -> Org {
    let (tx, rx) = mpsc::channel();
    let sink: OrgSink = Arc::new(move |arrival| {
        let _ = tx.send(arrival);
    });
    let mut gathering = start(sources, now, stale_after, sink);
    // The channel closes when the last worker is done with its sink.
    for arrival in rx {
        gathering.arrive(arrival.slot, arrival.outcome);
    }
    gathering.org()
}

/// Discovers the sources and returns at once with a pending slot for each; workers on every
/// core then read result files and check local repositories, reporting each outcome to
/// `sink` as it is done. A source that is nothing handoff reads is skipped from the start.
pub fn start(
    sources: &[PathBuf],
    now: Timestamp,
    stale_after: Duration,
    sink: OrgSink,
) -> Gathering {
    let discovered = discover(sources);
    let slots = discovered.found.iter().map(first_state).collect();
    let gathering = Gathering::new(discovered.name, slots, now, stale_after);
    let jobs: Arc<Vec<Found>> = Arc::new(discovered.found);
    let next = Arc::new(AtomicUsize::new(0));
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len());
    for _ in 0..workers {
        let (jobs, next, sink) = (jobs.clone(), next.clone(), sink.clone());
        std::thread::spawn(move || {
            loop {
                let slot = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(slot) else { break };
                // What is unusable was skipped from the start.
                if !matches!(job.what, FoundKind::Unusable { .. }) {
                    sink(Arrival {
                        slot,
                        outcome: one(job, now),
                    });
                }
            }
        });
    }
    gathering
}

/// A slot before its source is read: pending, or skipped when there is nothing to read.
fn first_state(found: &Found) -> Gathered {
    match &found.what {
        FoundKind::Unusable { path, reason } => Gathered::Skipped {
            path: path.display().to_string(),
            reason: reason.clone(),
        },
        FoundKind::ResultFile(path) | FoundKind::Local(path) => Gathered::Pending(Origin {
            path: path.display().to_string(),
            local: matches!(found.what, FoundKind::Local(_)),
            team: found.team.clone(),
        }),
    }
}

/// Who "mine" means: git's user.email as the current directory's repository sees it, else as
/// the first local repository of the organisation does.
pub fn user_email(org: &Org) -> Option<String> {
    let local = org
        .repos
        .iter()
        .filter(|r| r.origin.local)
        .map(|r| PathBuf::from(&r.origin.path));
    std::iter::once(None)
        .chain(local.map(Some))
        .find_map(|dir| super::git_email(&locate(dir.as_deref()).ok()?))
}

fn one(found: &Found, now: Timestamp) -> Gathered {
    let team = found.team.clone();
    match &found.what {
        FoundKind::Unusable { .. } => first_state(found),
        FoundKind::ResultFile(path) => {
            let origin = Origin {
                path: path.display().to_string(),
                local: false,
                team,
            };
            let parsed = read_result(path)
                .and_then(|text| org::parse_result(&text).map_err(|e| e.to_string()));
            match parsed {
                Ok(result) => Gathered::Result(origin, Arc::new(result)),
                Err(reason) => Gathered::Skipped {
                    path: origin.path,
                    reason,
                },
            }
        }
        FoundKind::Local(path) => {
            let origin = Origin {
                path: path.display().to_string(),
                local: true,
                team,
            };
            let checked = locate(Some(path)).and_then(|ws| {
                let s = snapshot(&ws, now)?;
                Ok(result_of(&s, remote_url(&ws)))
            });
            match checked {
                Ok(result) => Gathered::Result(origin, Arc::new(result)),
                Err(e) => Gathered::LoadError(origin, describe(&e)),
            }
        }
    }
}

/// What `handoff check --format json` would say of the snapshot, as the org view reads it.
pub fn result_of(s: &Snapshot, remote: Option<String>) -> CheckResult {
    CheckResult {
        version: RESULT_VERSION,
        name: s.index.name.clone(),
        head: s.facts.head.commit.clone(),
        branch: s.facts.head.branch.clone(),
        remote,
        now: s.now,
        roles: Some(
            s.index
                .roles
                .iter()
                .map(|r| ResultRole {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    people: r.people.clone(),
                })
                .collect(),
        ),
        artifacts: s
            .index
            .artifacts
            .iter()
            .map(|a| ResultArtifact {
                id: a.id.clone(),
                owner: a.owner.clone(),
                reviewers: a.reviewers.clone(),
                consumers: a.consumers.clone(),
            })
            .collect(),
        // As `check --format json` publishes them: the handoff's own findings included, their
        // `artifact` absent.
        findings: s
            .report
            .all_findings()
            .map(|f| ResultFinding {
                code: f.code.as_str().to_string(),
                severity: f.severity,
                message: f.message.clone(),
                artifact: (!f.artifact.is_empty()).then(|| f.artifact.clone()),
                roles: f.roles.clone(),
                fix: f.fix.clone(),
                action: f.action.as_ref().map(|a| ResultAction {
                    argv: a.argv.clone(),
                    who: a.who.clone(),
                }),
                since: f.since,
            })
            .collect(),
    }
}
