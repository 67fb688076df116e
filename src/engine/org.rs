//! Gathering the organisation: every source discovered, result files read and local
//! repositories checked through the normal engine (each with its own caches), all on every
//! core; then merged by `crate::core::org`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::Timestamp;

use crate::core::model::Duration;
use crate::core::org::{
    self, CheckResult, Gathered, Org, Origin, RESULT_VERSION, ResultAction, ResultArtifact,
    ResultFinding, ResultRole,
};
use crate::repo::org::{FoundKind, discover, read_result};

use super::{Snapshot, describe, locate, remote_url, snapshot};

/// Reads every source and builds the organisation at `now`.
pub fn gather(sources: &[PathBuf], now: Timestamp, stale_after: Duration) -> Org {
    let discovered = discover(sources);
    let jobs = discovered.found;
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len())
        .max(1);
    let mut done: Vec<(usize, Gathered)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        mine.push((i, one(&job.what, job.team.clone(), now)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(crate::repo::threads::join)
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let gathered = done.into_iter().map(|(_, g)| g).collect();
    org::build(discovered.name, gathered, now, stale_after)
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

fn one(what: &FoundKind, team: Option<String>, now: Timestamp) -> Gathered {
    match what {
        FoundKind::Unusable { path, reason } => Gathered::Skipped {
            path: path.display().to_string(),
            reason: reason.clone(),
        },
        FoundKind::ResultFile(path) => {
            let origin = Origin {
                path: path.display().to_string(),
                local: false,
                team,
            };
            let parsed = read_result(path)
                .and_then(|text| org::parse_result(&text).map_err(|e| e.to_string()));
            match parsed {
                Ok(result) => Gathered::Result(origin, Box::new(result)),
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
                Ok(result) => Gathered::Result(origin, Box::new(result)),
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
