//! Reading facts off the UI thread. The workbench paints at once with facts pending and fills
//! them in as they arrive.
//!
//! Requests follow "latest wins": while one read runs, newer requests are merged into a single
//! queued one (the union of their artifacts, with history if any asked for it), so a burst of
//! file events costs at most one more read, and a small request never drops a larger one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread;

use jiff::Timestamp;

use super::trend::Recent;
use crate::core::model::{ContentRules, ContractRequest, Target};
use crate::repo::facts::{self, FactsPiece};
use crate::repo::workspace::Workspace;

/// What the worker reports, tagged with the request it answers.
#[derive(Debug, Clone)]
pub enum FactsUpdate {
    Piece(u64, FactsPiece),
    Done(u64),
    Failed(u64, String),
}

/// Which facts to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub generation: u64,
    /// Artifact ids and where they live.
    pub targets: BTreeMap<String, Target>,
    /// Also walk history for them (after a commit, or when they are new); else only the work
    /// tree (a file was saved).
    pub history: bool,
    /// What counts as a change of content (from the index).
    pub rules: ContentRules,
    /// What each artifact governs (from the index).
    pub governs: BTreeMap<String, Vec<String>>,
    /// The paths the scorecard's `in-ci` rules name (from the index).
    pub ci_paths: Vec<String>,
    /// What each artifact's contract needs checked (from the index and the ledger).
    pub contracts: BTreeMap<String, ContractRequest>,
    /// Date the lines of `handoff.yaml` (with `history`).
    pub index_lines: bool,
}

impl Request {
    pub fn new(
        generation: u64,
        targets: impl IntoIterator<Item = (String, Target)>,
        history: bool,
    ) -> Request {
        Request {
            generation,
            targets: targets.into_iter().collect(),
            history,
            rules: ContentRules::default(),
            governs: BTreeMap::new(),
            ci_paths: Vec::new(),
            contracts: BTreeMap::new(),
            index_lines: false,
        }
    }

    /// The same request, dating the lines of `handoff.yaml` when `wanted` (and with history).
    pub fn with_index_lines(self, wanted: bool) -> Request {
        Request {
            index_lines: wanted,
            ..self
        }
    }

    /// The same request, checking the paths the scorecard's `in-ci` rules name.
    pub fn with_ci_paths(self, ci_paths: Vec<String>) -> Request {
        Request { ci_paths, ..self }
    }

    /// The same request, reading what `governs` names for each artifact.
    pub fn with_governs(self, governs: impl IntoIterator<Item = (String, Vec<String>)>) -> Request {
        Request {
            governs: governs.into_iter().collect(),
            ..self
        }
    }

    /// The same request, checking each artifact's contract as asked.
    pub fn with_contracts(
        self,
        contracts: impl IntoIterator<Item = (String, ContractRequest)>,
    ) -> Request {
        Request {
            contracts: contracts.into_iter().collect(),
            ..self
        }
    }

    /// The same request, counting changes of content by `rules`.
    pub fn with_rules(self, rules: ContentRules) -> Request {
        Request { rules, ..self }
    }

    /// One request that answers both.
    fn merge(self, newer: Request) -> Request {
        let mut targets = self.targets;
        targets.extend(newer.targets);
        Request {
            generation: newer.generation,
            targets,
            history: self.history || newer.history,
            rules: newer.rules,
            governs: newer.governs,
            ci_paths: newer.ci_paths,
            contracts: newer.contracts,
            index_lines: self.index_lines || newer.index_lines,
        }
    }
}

#[derive(Default)]
struct Queue {
    running: bool,
    next: Option<Request>,
}

/// Where the worker's reports go (the event loop's channel).
pub type Sink = Arc<dyn Fn(FactsUpdate) + Send + Sync>;

/// Reads facts on a background thread, one request at a time, merged requests next.
#[derive(Clone)]
pub struct FactsWorker {
    workspace: Workspace,
    queue: Arc<Mutex<Queue>>,
    /// The repository the last read used, kept for the next work-tree read: libgit2 then
    /// re-reads the git index only when it changed on disk (reading and checksumming a large
    /// one took 40 ms of every save at 35,000 files). A read with history opens it afresh.
    repo: Arc<Mutex<Option<git2::Repository>>>,
    out: Sink,
}

impl FactsWorker {
    pub fn new(workspace: Workspace, out: Sink) -> FactsWorker {
        FactsWorker {
            workspace,
            queue: Arc::default(),
            repo: Arc::default(),
            out,
        }
    }

    pub fn request(&self, request: Request) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.next = Some(match q.next.take() {
            Some(queued) => queued.merge(request),
            None => request,
        });
        if q.running {
            return;
        }
        q.running = true;
        drop(q);
        let worker = self.clone();
        thread::spawn(move || worker.drain());
    }

    fn drain(&self) {
        loop {
            let job = {
                let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                match q.next.take() {
                    Some(job) => job,
                    None => {
                        q.running = false;
                        return;
                    }
                }
            };
            self.read(&job);
        }
    }

    fn read(&self, job: &Request) {
        #[cfg(feature = "fault-injection")]
        super::fault::panic_if_asked("worker");
        let g = job.generation;
        let send = |u: FactsUpdate| (self.out)(u);
        let mut kept = self.repo.lock().unwrap_or_else(|e| e.into_inner());
        let repo = match kept.take().filter(|_| !job.history) {
            Some(repo) => repo,
            None => match facts::open_repo(&self.workspace) {
                Ok(repo) => repo,
                Err(e) => return send(FactsUpdate::Failed(g, e.to_string())),
            },
        };
        let repo = &*kept.insert(repo);
        let targets: Vec<(String, Target)> = job
            .targets
            .iter()
            .filter(|(_, t)| !t.is_url())
            .map(|(id, t)| (id.clone(), t.clone()))
            .collect();
        let cache = crate::repo::cache::HistoryCache::of(repo);
        let governs: Vec<(String, Vec<String>)> = job
            .governs
            .iter()
            .map(|(id, entries)| (id.clone(), entries.clone()))
            .collect();
        let request = facts::FactsRequest {
            targets: &targets,
            history: job.history,
            cache: &cache,
            rules: job.rules,
            governs: &governs,
            ci_paths: &job.ci_paths,
            contracts: &job.contracts,
            index_lines: job.index_lines,
        };
        match facts::read_facts(repo, &self.workspace, &request, &|piece| {
            send(FactsUpdate::Piece(g, piece))
        }) {
            Ok(()) => send(FactsUpdate::Done(g)),
            Err(e) => send(FactsUpdate::Failed(g, e.to_string())),
        }
    }
}

/// Where the recent history's reads go (the event loop's channel).
pub type RecentSink = Arc<dyn Fn(Result<Recent, String>) + Send + Sync>;

/// Reads the handoff's recent history ([`super::trend::recent`]: the trend and the review
/// since the last review point) on a background thread. Latest wins: while one read runs,
/// only the newest request waits, and it is read next.
#[derive(Clone)]
pub struct RecentWorker {
    workspace: Workspace,
    /// Whether a read runs, and the `now` of the request waiting.
    queue: Arc<Mutex<(bool, Option<Timestamp>)>>,
    weeks: usize,
    out: RecentSink,
}

impl RecentWorker {
    pub fn new(workspace: Workspace, weeks: usize, out: RecentSink) -> RecentWorker {
        RecentWorker {
            workspace,
            queue: Arc::default(),
            weeks,
            out,
        }
    }

    /// Reads the history up to `now` (after what runs, if anything does).
    pub fn request(&self, now: Timestamp) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.1 = Some(now);
        if q.0 {
            return;
        }
        q.0 = true;
        drop(q);
        let worker = self.clone();
        thread::spawn(move || {
            loop {
                let now = {
                    let mut q = worker.queue.lock().unwrap_or_else(|e| e.into_inner());
                    match q.1.take() {
                        Some(now) => now,
                        None => {
                            q.0 = false;
                            return;
                        }
                    }
                };
                let read = super::trend::recent(&worker.workspace, now, worker.weeks)
                    .map_err(|e| e.to_string());
                (worker.out)(read);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_requests_keep_every_artifact_and_any_history() {
        let a = Request::new(
            1,
            [("prd".to_string(), Target::Path("prd.md".into()))],
            true,
        );
        let b = Request::new(
            2,
            [("flows".to_string(), Target::Path("flows.md".into()))],
            false,
        );
        let merged = a.merge(b);
        assert_eq!(merged.generation, 2);
        assert!(merged.history);
        assert_eq!(
            merged.targets.keys().collect::<Vec<_>>(),
            vec!["flows", "prd"]
        );
    }
}
