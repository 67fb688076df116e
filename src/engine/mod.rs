//! The one engine behind every face: the snapshot of a handoff (index, ledger, facts and the
//! analysis of them), how it is built, and how it is kept up to date.

pub mod as_of;
pub mod clock;
pub mod diff;
#[cfg(feature = "fault-injection")]
pub(crate) mod fault;
pub mod impact;
pub mod org;
mod reach;
pub mod review;
pub mod trend;
pub mod waiting;
pub mod worker;

use jiff::Timestamp;

use crate::core::analysis::{Decided, Report, Runner};
use crate::core::model::{Facts, Index, Ledger, Target};
use crate::repo::cache::HistoryCache;
use crate::repo::facts;
pub use crate::repo::facts::FactsPiece;
pub use crate::repo::facts::{
    blob_id, git_email, glob_scope, handoff_git_dir, read_head, remote_url,
};
pub(crate) use crate::repo::fence;
pub use crate::repo::import::{ImportReadError, read_repo};
use crate::repo::inputs::load_inputs;
pub use crate::repo::inputs::{load_index_and_ledger, load_index_file, load_ledger};
pub(crate) use crate::repo::workspace::INDEX_FILE;
pub use crate::repo::workspace::{Workspace, WorkspaceError, locate};
pub use crate::repo::{diagnosis, sample, watch};
pub(crate) use reach::reached_by;

/// Everything handoff knows about a workspace at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub index: Index,
    pub ledger: Ledger,
    pub facts: Facts,
    pub report: Report,
    pub now: Timestamp,
}

impl Snapshot {
    /// Analyses what has been read; cheap enough to call after every change of facts.
    pub fn new(index: Index, ledger: Ledger, facts: Facts, now: Timestamp) -> Self {
        let report = analyze(&index, &ledger, &facts, now);
        Snapshot {
            index,
            ledger,
            facts,
            report,
            now,
        }
    }

    /// The artifact with this id, in constant time (`Index::artifact` scans the list, which
    /// costs quadratic time when asked once per artifact).
    pub fn artifact(&self, id: &str) -> Option<&crate::core::model::Artifact> {
        self.report
            .position(id)
            .and_then(|i| self.index.artifacts.get(i))
            .filter(|a| a.id == id)
    }
}

impl Snapshot {
    /// Puts a piece of facts in place and decides again only what it reaches: a save, or a
    /// batch of streamed answers, stays cheap at thousands of artifacts. Returns the ids of
    /// the artifacts whose facts changed.
    pub fn apply(&mut self, piece: FactsPiece) -> Vec<String> {
        let whole = matches!(
            piece,
            FactsPiece::LedgerHistory(_) | FactsPiece::IndexLines(_)
        );
        let scorecard = matches!(piece, FactsPiece::Scorecard(_));
        let changed = facts::merge(&mut self.facts, piece);
        if scorecard {
            self.report.rescore(&self.index, &self.facts);
        } else if whole {
            // What the ledger's history says can reach every artifact.
            self.reanalyze();
        } else if !changed.is_empty() {
            let ids: Vec<&str> = changed.iter().map(String::as_str).collect();
            self.report
                .update(&self.index, &self.ledger, &self.facts, self.now, &ids);
        }
        changed
    }

    /// Decides every finding again.
    pub fn reanalyze(&mut self) {
        self.report = analyze(&self.index, &self.ledger, &self.facts, self.now);
    }
}

/// The analysis, large indexes decided on every core.
pub(crate) fn analyze(index: &Index, ledger: &Ledger, facts: &Facts, now: Timestamp) -> Report {
    crate::core::analysis::analyze_with(index, ledger, facts, now, &Cores)
}

/// Runs decided on scoped threads, one per core.
struct Cores;

impl Runner for Cores {
    fn workers(&self) -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    fn run(
        &self,
        runs: Vec<std::ops::Range<usize>>,
        decide: &(dyn Fn(std::ops::Range<usize>) -> Decided + Sync),
    ) -> Vec<Decided> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .into_iter()
                .map(|run| scope.spawn(move || decide(run)))
                .collect();
            handles
                .into_iter()
                .map(crate::repo::threads::join)
                .collect()
        })
    }
}

/// How a workspace error reads: a `handoff.yaml` that does not load as its own located
/// errors, anything else as `error: <what>`.
pub(crate) fn describe(e: &WorkspaceError) -> String {
    match e {
        WorkspaceError::Index(errors) => errors.to_string(),
        other => format!("error: {other}"),
    }
}

/// Why a handoff could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Clock(#[from] clock::ClockError),
}

/// Locates the workspace at or above `dir` (the current directory when `None`) and reads
/// everything, at the clock's now.
pub(crate) fn load(dir: Option<&std::path::Path>) -> Result<(Workspace, Snapshot), LoadError> {
    let ws = locate(dir)?;
    let now = clock::now()?;
    let snapshot = snapshot(&ws, now)?;
    Ok((ws, snapshot))
}

/// Reads the index, the ledger and every fact, then analyses them.
pub fn snapshot(ws: &Workspace, now: Timestamp) -> Result<Snapshot, WorkspaceError> {
    snapshot_with(ws, now, true)
}

/// [`snapshot`], reading history through the repository's last-change cache and the inputs
/// through the parsed-input cache, or walking all of history and parsing every input when
/// `use_cache` is false (`handoff check --no-cache`).
pub(crate) fn snapshot_with(
    ws: &Workspace,
    now: Timestamp,
    use_cache: bool,
) -> Result<Snapshot, WorkspaceError> {
    let (index, ledger) = load_inputs(ws, use_cache);
    let index = index.map_err(WorkspaceError::Index)?;
    let repo = facts::open_repo(ws)?;
    let cache = if use_cache {
        HistoryCache::of(&repo)
    } else {
        HistoryCache::disabled()
    };
    let targets: Vec<(String, Target)> = index
        .artifacts
        .iter()
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect();
    let request = facts::FactsRequest {
        targets: &targets,
        history: true,
        cache: &cache,
        rules: index.content_rules(),
        governs: &index.governed_entries(),
        ci_paths: &index.ci_paths(),
        contracts: &index.contract_requests(&ledger).into_iter().collect(),
        index_lines: index.dates_first_signoffs(),
    };
    let facts = facts::collect_with(&repo, ws, &request)?;
    Ok(Snapshot::new(index, ledger, facts, now))
}
