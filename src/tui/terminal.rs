//! The terminal: taken over at start and given back on every way out — a return, an error
//! (the guard's `Drop`) or a panic on any thread (the hook, which also leaves a crash report
//! naming the location) — and each frame drawn whole.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use super::app::App;
use super::views;

/// The terminal in the workbench's hands (alternate screen, raw mode, mouse capture if asked);
/// dropping it gives the terminal back.
pub(crate) struct TerminalGuard {
    pub terminal: ratatui::DefaultTerminal,
    mouse: bool,
}

impl TerminalGuard {
    /// Takes the terminal, and installs the crash report first thing: from here on threads
    /// run, and a panic in any of them must find the hook that gives the terminal back.
    pub fn take(mouse: bool) -> TerminalGuard {
        let terminal = ratatui::init();
        if mouse {
            let _ = execute!(std::io::stdout(), EnableMouseCapture);
        }
        install_crash_report(mouse);
        TerminalGuard { terminal, mouse }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.mouse {
            let _ = execute!(std::io::stdout(), DisableMouseCapture);
        }
        ratatui::restore();
    }
}

/// Draws one frame, unless a panic has given the terminal back.
pub fn draw(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<(), super::TuiError> {
    if given_back() {
        return Ok(());
    }
    #[cfg(feature = "fault-injection")]
    crate::engine::fault::panic_if_asked("draw");
    // The status line may have changed outside the app's update (a watcher's warning).
    app.prepare_frame();
    // Synchronized output: the terminal shows the frame whole, never half-painted, which
    // matters on shared screens and remote terminals.
    let mut out = std::io::stdout();
    let _ = execute!(out, BeginSynchronizedUpdate);
    let result = terminal.draw(|frame| views::draw(frame, app)).map(|_| ());
    let _ = execute!(out, EndSynchronizedUpdate);
    let _ = out.flush();
    result.map_err(super::TuiError::Draw)
}

/// Runs `program` with the terminal given back to it (main screen, cooked mode, no mouse
/// capture), then takes the terminal again and has the next frame drawn whole.
pub(crate) fn suspended<T>(
    terminal: &mut ratatui::DefaultTerminal,
    mouse: bool,
    program: impl FnOnce() -> T,
) -> T {
    use ratatui::crossterm::terminal::{
        EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
    };
    let mut out = std::io::stdout();
    if mouse {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, LeaveAlternateScreen, ratatui::crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let result = program();
    let _ = enable_raw_mode();
    let _ = execute!(out, EnterAlternateScreen);
    if mouse {
        let _ = execute!(out, EnableMouseCapture);
    }
    // The program drew over the screen: the next frame repaints every cell. (Not
    // `Terminal::clear`, which first asks the terminal where the cursor is and gives up when
    // no answer comes.)
    if let Ok(size) = terminal.size() {
        let _ = terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height));
    }
    result
}

/// Set by the crash report's hook once the terminal is given back: no frame may be drawn
/// after that (another thread may be about to draw one).
static GIVEN_BACK: AtomicBool = AtomicBool::new(false);

/// Whether a panic has given the terminal back (see [`install_crash_report`]).
fn given_back() -> bool {
    GIVEN_BACK.load(Ordering::SeqCst)
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
        GIVEN_BACK.store(true, Ordering::SeqCst);
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
        // facts worker, the input, watcher or commit threads) it would leave the workbench
        // running on a terminal already given back, waiting for what will never come: end it
        // here.
        if std::thread::current().name() != Some("main") {
            std::process::exit(101);
        }
    }));
}

/// Writes the report to a new file in the temporary directory. The file is created fresh
/// (never opened if it exists): in a shared `/tmp`, a name someone else made first, perhaps a
/// link to a file of yours, is skipped, not written through.
fn write_crash_report(report: &str) -> Option<PathBuf> {
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
