//! The first state of the workbench: what it shows before any fact arrives, or (for tests and
//! tools) with every fact read at once, and the recent history too.

use super::TuiError;
use std::path::Path;

use super::TuiOptions;
use super::app::{App, Options};
use super::config::load_config;
use crate::core::model::Facts;
use crate::engine::{self, Snapshot, Workspace};

/// A fingerprint of `handoff.yaml`'s bytes (git's blob id), to notice it changed under an
/// open form.
pub fn index_fingerprint(ws: &Workspace) -> String {
    std::fs::read(ws.dir.join(engine::INDEX_FILE))
        .ok()
        .and_then(|bytes| crate::engine::blob_id(&bytes))
        .unwrap_or_default()
}

/// Everything the workbench shows before facts arrive: index, ledger, analysis with every
/// fact pending.
pub fn initial_app(ws: &Workspace, options: &TuiOptions) -> Result<App, TuiError> {
    let (index, ledger) = engine::load_index_and_ledger(ws);
    let index = index.map_err(TuiError::Index)?;
    let now = match options.now {
        Some(t) => t,
        None => crate::engine::clock::now()?,
    };
    let snap = Snapshot::new(index, ledger, Facts::default(), now);
    let (keymap, theme, problems) = load_config(options);
    let title = ws
        .repo_root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repository".into());
    let app_options = Options {
        present: options.present,
        me: crate::engine::git_email(ws),
        title,
    };
    let mut app = App::new(snap, app_options, keymap, theme, problems);
    if let Some(head) = crate::engine::read_head(ws) {
        app.snap.facts.head = head;
    }
    app.index_fingerprint = index_fingerprint(ws);
    app.loading.total = app
        .snap
        .index
        .artifacts
        .iter()
        .filter(|a| !a.target.is_url())
        .count();
    Ok(app)
}

/// For tests and tools: a workbench app on `dir` with every fact read synchronously.
pub fn app_with_facts(dir: &Path, options: &TuiOptions) -> Result<App, TuiError> {
    let ws = engine::locate(Some(dir)).map_err(engine::LoadError::from)?;
    let mut app = initial_app(&ws, options)?;
    let snap = engine::snapshot(&ws, app.snap.now).map_err(engine::LoadError::from)?;
    app.snap.facts = snap.facts;
    app.loading.finished = true;
    app.loading.worktree_done = app.loading.total;
    app.loading.history_done = app.loading.total;
    app.reanalyze();
    Ok(app)
}

/// For tests and tools: [`app_with_facts`], with the recent history read too (the header's
/// trend, present mode's "since last review" card), as the workbench shows it once its
/// [`crate::engine::worker::RecentWorker`] has answered.
pub fn app_with_history(dir: &Path, options: &TuiOptions) -> Result<App, TuiError> {
    let mut app = app_with_facts(dir, options)?;
    let ws = engine::locate(Some(dir)).map_err(engine::LoadError::from)?;
    app.recent_asked();
    let recent = engine::trend::recent(&ws, app.snap.now, engine::trend::DEFAULT_WEEKS)
        .map_err(|e| e.to_string());
    app.recent_read(recent);
    Ok(app)
}
