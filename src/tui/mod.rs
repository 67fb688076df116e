//! The workbench: an interactive terminal face over the same engine as `handoff check`.
//!
//! `app` holds the state and its synchronous update; `views` draw it; `keymap` and `theme`
//! are data; `worker` reads facts off the UI thread; this module runs the event loop and
//! owns the terminal, which it always restores — on quit, on error and on panic.

pub mod action;
pub mod app;
pub mod drafts;
pub mod filter;
pub mod forms;
pub mod keymap;
pub mod layout;
pub mod runtime;
pub mod theme;
pub mod views;
pub mod worker;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};

use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::layout::Position;

use action::Action;
use app::{App, Effect, Options, View};
use keymap::{ConfigProblem, Keymap};
use runtime::{AppEvent, Runtime};
use theme::Theme;

use crate::model::Facts;
use crate::repo_write::own_writes::OwnWrites;
use crate::workspace::{self, Snapshot, Workspace};

/// How the workbench was asked to start.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    /// Screen-sharing mode: high contrast, roomy, read-only, no mouse capture, an agenda.
    pub present: bool,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub ascii: bool,
    /// Where keymap.yaml and theme.yaml are read from (default: [`config_dir`]).
    pub config_dir: Option<PathBuf>,
    /// No colour at all (`NO_COLOR`).
    pub no_color: bool,
    /// A pinned clock (tests); `None` reads [`crate::clock::now`].
    pub now: Option<jiff::Timestamp>,
}

/// The user's configuration directory: `$XDG_CONFIG_HOME/handoff`, else `~/.config/handoff`
/// (on every Unix, macOS included).
pub fn config_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("handoff"))
}

/// Keymap and theme from presets and the user's files.
pub fn load_config(options: &TuiOptions) -> (Keymap, Theme, Vec<ConfigProblem>) {
    let dir = options.config_dir.clone().or_else(config_dir);
    let file = |name: &str| dir.as_ref().map(|d| d.join(name)).filter(|p| p.exists());
    let (keymap, mut problems) =
        Keymap::load(options.keymap.as_deref(), file("keymap.yaml").as_deref());
    let no_color = options.no_color;
    let preset = if options.present && options.theme.is_none() {
        Some("high-contrast")
    } else {
        options.theme.as_deref()
    };
    let (theme, theme_problems) = Theme::load(
        preset,
        file("theme.yaml").as_deref(),
        no_color,
        options.ascii,
    );
    problems.extend(theme_problems);
    (keymap, theme, problems)
}

/// A fingerprint of `handoff.yaml`'s bytes (git's blob id), to notice it changed under an
/// open form.
pub fn index_fingerprint(ws: &Workspace) -> String {
    std::fs::read(ws.dir.join(workspace::INDEX_FILE))
        .ok()
        .and_then(|bytes| crate::facts::blob_id(&bytes))
        .unwrap_or_default()
}

/// Everything the workbench shows before facts arrive: index, ledger, analysis with every
/// fact pending.
pub fn initial_app(ws: &Workspace, options: &TuiOptions) -> Result<App, String> {
    let (index, ledger) = workspace::load_index_and_ledger(ws);
    let index = index.map_err(|e| e.to_string())?;
    let now = match options.now {
        Some(t) => t,
        None => crate::clock::now()?,
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
        me: crate::facts::git_email(ws),
        title,
    };
    let mut app = App::new(snap, app_options, keymap, theme, problems);
    if let Some(head) = crate::facts::read_head(ws) {
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

/// Runs the workbench on `ws` (located by the caller, which reports where it is not found)
/// until the user quits.
pub fn run(ws: &Workspace, options: TuiOptions) -> Result<(), String> {
    let mut app = initial_app(ws, &options)?;
    if !std::io::stdout().is_terminal() {
        return Err("handoff's workbench needs a terminal; use `handoff check` in scripts".into());
    }

    let (tx, rx) = mpsc::channel::<AppEvent>();
    let facts_tx = tx.clone();
    let sink: worker::Sink = Arc::new(move |u| {
        let _ = facts_tx.send(AppEvent::Facts(u));
    });
    // One handle for the watcher and the writes: the workbench's own commits are not changes.
    let own_writes = OwnWrites::default();
    let mut rt = Runtime::new(ws.clone(), sink, own_writes.clone());
    // The terminal and the crash report first: from here on, threads run, and a panic in any
    // of them must find the hook that gives the terminal back.
    let mut terminal = ratatui::init();
    let mouse = !options.present;
    if mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    install_crash_report(mouse);

    rt.refresh_all(&mut app);
    rt.restore_draft(&mut app);
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    // The first frame before the watcher: setting up a watch per directory takes tens of
    // milliseconds in a large work tree, and the facts worker is reading meanwhile.
    let _ = runtime::draw(&mut terminal, &app);
    let watch_tx = tx.clone();
    // The watcher lives as long as this binding; live refresh is a nicety, not a condition.
    let watch_options = crate::watch::WatchOptions::default();
    let _watcher = match crate::watch::watch(ws, watch_options, own_writes, move |e| {
        let _ = watch_tx.send(AppEvent::Watch(e));
    }) {
        Ok(w) => Some(w),
        Err(e) => {
            app.status = Some(format!("live refresh is off: {e}"));
            None
        }
    };
    spawn_input(tx);

    let result = runtime::event_loop(&mut terminal, &mut app, &rx, &mut rt);

    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    ratatui::restore();
    result
}

fn spawn_input(tx: Sender<AppEvent>) {
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(AppEvent::Input(ev)).is_err() {
                break;
            }
        }
    });
}

/// Keys (presses only), resizes and the mouse.
pub fn handle_input(app: &mut App, input: Event) -> Option<Effect> {
    match input {
        Event::Key(key) if key.kind == KeyEventKind::Press => {
            if layout::too_small(app.size) {
                return (key.code == event::KeyCode::Char('q')).then_some(Effect::Quit);
            }
            app.key(key)
        }
        Event::Resize(w, h) => {
            app.size = (w, h);
            app.scroll_into_view();
            None
        }
        Event::Mouse(m) => {
            match m.kind {
                MouseEventKind::ScrollDown => {
                    for _ in 0..3 {
                        app.handle(Action::Down);
                    }
                }
                MouseEventKind::ScrollUp => {
                    for _ in 0..3 {
                        app.handle(Action::Up);
                    }
                }
                MouseEventKind::Down(MouseButton::Left) => click(app, m.column, m.row),
                _ => {}
            }
            None
        }
        _ => None,
    }
}

/// Selects what was clicked: a matrix row and role column, or a finding.
fn click(app: &mut App, x: u16, y: u16) {
    if app.help.is_some() || app.filter_input.is_some() {
        return;
    }
    let areas = layout::areas(app);
    if areas.tabs.contains(Position::new(x, y)) {
        return;
    }
    let list = layout::body(app).list();
    if !list.contains(Position::new(x, y))
        || matches!(layout::body(app), layout::Body::Popup { .. })
    {
        return;
    }
    match app.view {
        View::Matrix => {
            let g = layout::matrix_geometry(app, list);
            let line = (y - list.y) as usize;
            if line == 0 || line > g.rows * g.row_h as usize {
                return;
            }
            let row = app.matrix.offset + (line - 1) / g.row_h as usize;
            if row < app.rows.len() {
                app.matrix.selected = row;
            }
            let role_x = list.x + g.id_w + 1 + g.worst_w + 1;
            if x >= role_x {
                let col = app.col_offset + ((x - role_x) / g.role_w.max(1)) as usize;
                if col < app.snap.index.roles.len() {
                    app.col = col;
                }
            }
        }
        View::Gaps | View::Stale => {
            let Some((items, cursor)) = app.list() else {
                return;
            };
            let line = cursor.offset + (y - list.y) as usize;
            let hit = (0..items.len()).find(|&pos| {
                let (start, end) = layout::finding_lines(app, items, pos);
                (start..end).contains(&line)
            });
            if let Some(pos) = hit {
                match app.view {
                    View::Gaps => app.gaps.selected = pos,
                    _ => app.stale.selected = pos,
                }
            }
        }
        View::Agenda => {}
    }
    app.scroll_into_view();
}

/// A panic restores the terminal (ratatui's hook), then leaves a crash report naming the
/// location, so a crash is never a garbled terminal and a lost explanation.
fn install_crash_report(mouse: bool) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The report is written while the workbench still owns the screen, so that the
        // terminal, once given back, stays as it is given back.
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let report = format!(
            "handoff {} crashed\nlocation: {location}\nmessage: {info}\n\nbacktrace:\n{}\n",
            env!("CARGO_PKG_VERSION"),
            std::backtrace::Backtrace::force_capture()
        );
        let written = write_crash_report(&report);
        // No frame is drawn after this, whichever thread panicked.
        TERMINAL_GIVEN_BACK.store(true, std::sync::atomic::Ordering::SeqCst);
        if mouse {
            let _ = execute!(std::io::stdout(), DisableMouseCapture);
        }
        previous(info);
        // ratatui's hook leaves the cursor to the terminal's `Drop`, which a panic on another
        // thread never reaches.
        let _ = execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
        if let Some(path) = written {
            eprintln!(
                "handoff crashed at {location}; a report is in {}",
                path.display()
            );
        }
        // A panic on the main thread unwinds out of `run` and ends the process. Elsewhere (the
        // facts worker, the input or watcher threads) it would leave the workbench running on
        // a terminal already given back, waiting for what will never come: end it here.
        if std::thread::current().name() != Some("main") {
            std::process::exit(101);
        }
    }));
}

/// Set by the crash report's hook once the terminal is given back: no frame may be drawn
/// after that (another thread may be about to draw one).
static TERMINAL_GIVEN_BACK: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Whether a panic has given the terminal back (see [`install_crash_report`]).
pub fn terminal_given_back() -> bool {
    TERMINAL_GIVEN_BACK.load(std::sync::atomic::Ordering::SeqCst)
}

/// Writes the report to a new file in the temporary directory. The file is created fresh
/// (never opened if it exists): in a shared `/tmp`, a name someone else made first, perhaps a
/// link to a file of yours, is skipped, not written through.
fn write_crash_report(report: &str) -> Option<PathBuf> {
    use std::io::Write;
    let dir = std::env::temp_dir();
    let pid = std::process::id();
    for attempt in 0..100 {
        let name = match attempt {
            0 => format!("handoff-crash-{pid}.txt"),
            n => format!("handoff-crash-{pid}-{n}.txt"),
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => return file.write_all(report.as_bytes()).ok().map(|()| path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Test-only, in debug builds: `HANDOFF_DEBUG_PANIC=<point>` panics at that point (`draw`:
/// while drawing a frame; `worker`: in the facts worker thread), so that tests can check that
/// a crash gives the terminal back and leaves a report naming the location (the caller's:
/// this function is `#[track_caller]`). Release builds have no such switch.
#[cfg(debug_assertions)]
#[track_caller]
pub fn debug_panic(point: &str) {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let wanted = WANTED.get_or_init(|| std::env::var("HANDOFF_DEBUG_PANIC").ok());
    if wanted.as_deref() == Some(point) {
        panic!("HANDOFF_DEBUG_PANIC={point}: a panic a test asked for");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn debug_panic(_point: &str) {}

/// For tests and tools: a workbench app on `dir` with every fact read synchronously.
pub fn app_with_facts(dir: &Path, options: &TuiOptions) -> Result<App, String> {
    let ws = workspace::locate(Some(dir)).map_err(|e| e.to_string())?;
    let mut app = initial_app(&ws, options)?;
    let snap = workspace::snapshot(&ws, app.snap.now).map_err(|e| e.to_string())?;
    app.snap.facts = snap.facts;
    app.loading.finished = true;
    app.loading.worktree_done = app.loading.total;
    app.loading.history_done = app.loading.total;
    app.reanalyze();
    Ok(app)
}
