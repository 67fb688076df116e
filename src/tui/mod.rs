//! The workbench: an interactive terminal face over the same engine as `handoff check`.
//!
//! - `app` holds the state and its synchronous update (with `derive`, `navigate` and
//!   `editing`); `overlay` and `view_state` are its parts; `geometry` lays the screen out.
//! - `views` draw the state; `keymap`, `action` and `theme` are data.
//! - `startup` and `config` build the first state; `terminal` owns the terminal (and the
//!   crash report); `input` reads and maps events; `event_loop` runs them; `runtime` carries
//!   out effects, `commit` commits off the UI thread; the engine's worker reads facts.

pub mod action;
pub mod app;
mod commit;
pub(crate) mod config;
mod derive;
pub mod diff_view;
mod drafts;
mod editing;
mod event_loop;
pub mod external;
mod filter;
pub mod forms;
mod geometry;
mod input;
pub mod keymap;
mod launch;
mod navigate;
pub mod org;
pub mod overlay;
pub mod recent;
pub mod runtime;
mod startup;
mod terminal;
pub mod theme;
pub mod view_state;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

pub use commit::Outcome as CommitOutcome;
pub use editing::Committing;
pub use input::handle_input;
pub use startup::{app_with_facts, app_with_history, index_fingerprint, initial_app};

use crate::engine::Workspace;
use crate::repo::write::own_writes::OwnWrites;
use event_loop::AppEvent;
use runtime::Runtime;
use terminal::TerminalGuard;

/// How the workbench was asked to start.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Screen-sharing mode: high contrast, roomy, read-only, no mouse capture, an agenda.
    pub present: bool,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub ascii: bool,
    /// Where keymap.yaml and theme.yaml are read from (default: [`config::config_dir`]).
    pub config_dir: Option<PathBuf>,
    /// No colour at all (`NO_COLOR`).
    pub no_color: bool,
    /// A pinned clock (tests); `None` reads [`crate::engine::clock::now`].
    pub now: Option<jiff::Timestamp>,
}

/// Why the workbench could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// `handoff.yaml` does not load: its located errors.
    #[error("{0}")]
    Index(crate::core::model::LoadErrors),
    #[error(transparent)]
    Clock(#[from] crate::engine::clock::ClockError),
    #[error(transparent)]
    Load(#[from] crate::engine::LoadError),
    #[error("handoff's workbench needs a terminal; use `handoff check` in scripts")]
    NoTerminal,
    #[error("cannot draw: {0}")]
    Draw(std::io::Error),
}

/// Runs the workbench on `ws` until the user quits.
pub fn run(ws: &Workspace, options: TuiOptions) -> Result<(), TuiError> {
    use std::io::IsTerminal;
    let mut app = initial_app(ws, &options)?;
    if !std::io::stdout().is_terminal() {
        return Err(TuiError::NoTerminal);
    }

    let (tx, rx) = mpsc::channel::<AppEvent>();
    let facts_tx = tx.clone();
    let sink: crate::engine::worker::Sink = Arc::new(move |u| {
        let _ = facts_tx.send(AppEvent::Facts(u));
    });
    // One handle for the watcher and the writes: the workbench's own commits are not changes.
    let own_writes = OwnWrites::default();
    let mut rt = Runtime::new(ws.clone(), sink, own_writes.clone());
    let recent_tx = tx.clone();
    rt.read_recent_with(crate::engine::worker::RecentWorker::new(
        ws.clone(),
        crate::engine::trend::DEFAULT_WEEKS,
        Arc::new(move |read| {
            let _ = recent_tx.send(AppEvent::Recent(Box::new(read)));
        }),
    ));
    let mut guard = TerminalGuard::take(!options.present);

    rt.refresh_all(&mut app);
    rt.restore_draft(&mut app);
    if let Ok(size) = guard.terminal.size() {
        app.resize(size.width, size.height);
    }
    // The first frame before the watcher: setting up a watch per directory takes tens of
    // milliseconds in a large work tree, and the facts worker is reading meanwhile.
    let _ = terminal::draw(&mut guard.terminal, &mut app);
    let watch_tx = tx.clone();
    // The watcher lives as long as this binding; live refresh is a nicety, not a condition.
    let watch_options = crate::engine::watch::WatchOptions::default();
    let _watcher = match crate::engine::watch::watch(ws, watch_options, own_writes, move |e| {
        let _ = watch_tx.send(AppEvent::Watch(e));
    }) {
        Ok(w) => Some(w),
        Err(e) => {
            app.status = Some(format!("live refresh is off: {e}"));
            None
        }
    };
    // Stopped when this returns, before the terminal is given back.
    let _input = input::spawn_input(tx.clone(), rt.input_gate.clone());
    event_loop::event_loop(&mut guard.terminal, &mut app, &rx, &tx, &mut rt)
}
