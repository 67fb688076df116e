//! Helpers shared by the in-process workbench tests (`tui`, `tui_edit`): the options an app is
//! built with, keys pressed by name, a row selected by artifact.

#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;

use handoff::engine;
use handoff::repo::write::own_writes::OwnWrites;
use handoff::tui::TuiOptions;
use handoff::tui::app::{App, Effect};
use handoff::tui::forms::PickerItem;
use handoff::tui::keymap::KeyChord;
use handoff::tui::runtime::Runtime;
use handoff::tui::{app_with_facts, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use tempfile::TempDir;

use crate::common::{self, NOW};

/// The workbench's options at the pinned clock, in present mode or not.
pub fn options(present: bool) -> TuiOptions {
    TuiOptions {
        present,
        now: Some(NOW.parse().unwrap()),
        // No user configuration: the embedded defaults only.
        config_dir: Some(PathBuf::from("/nonexistent/handoff-test-config")),
        ..Default::default()
    }
}

/// Presses a key given as a chord (`"e"`, `"Enter"`, `"Ctrl-s"`); what the app asks for.
pub fn key(app: &mut App, k: &str) -> Option<Effect> {
    let chord = KeyChord::parse(k).unwrap();
    app.key(KeyEvent::new(chord.code, chord.mods))
}

/// Selects an artifact's row in the matrix.
pub fn select(app: &mut App, id: &str) {
    app.matrix.cursor.selected = app
        .matrix
        .rows
        .iter()
        .position(|&i| app.snap.index.artifacts[i].id == id)
        .unwrap();
}

/// The demo repository, built once per test run at a pinned time, so commit ids and ages
/// are the same in every run.
pub fn demo_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (tmp, dir) = common::sample_repo();
        // Kept for the whole run: the tests share it.
        let _ = tmp.keep();
        dir
    })
}

/// The workbench on the demo, every fact read.
pub fn app(present: bool) -> App {
    app_with_facts(demo_dir(), &options(present)).unwrap()
}

/// Draws the app at `w`×`h` on a TestBackend.
pub fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    app.resize(w, h);
    app.prepare_frame();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| views::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing blanks trimmed.
pub fn text(buf: &Buffer) -> String {
    let w = buf.area.width as usize;
    buf.content()
        .chunks(w)
        .map(|row| {
            let mut line = String::new();
            let mut skip = 0;
            for cell in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                line.push_str(cell.symbol());
                skip = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The workbench's runtime on `dir`; the facts it reads again go nowhere.
pub fn runtime(dir: &Path) -> Runtime {
    let ws = engine::locate(Some(dir)).unwrap();
    let rt = Runtime::new(ws, Arc::new(|_| {}), OwnWrites::default());
    assert_eq!(rt.draft_path, Some(dir.join(".git/handoff/draft.json")));
    rt
}

/// The sample repository, the workbench on it (not in present mode), and its runtime.
pub fn workbench() -> (TempDir, PathBuf, App, Runtime) {
    let (tmp, dir) = common::sample_repo();
    let app = app_with_facts(&dir, &options(false)).unwrap();
    let rt = runtime(&dir);
    (tmp, dir, app, rt)
}

/// Moves the open picker down to its first item that `which` accepts.
pub fn choose(app: &mut App, which: impl Fn(&PickerItem) -> bool) {
    let pos = app
        .overlay
        .picker()
        .unwrap()
        .items
        .iter()
        .position(which)
        .unwrap();
    for _ in 0..pos {
        key(app, "Down");
    }
}

/// Types `text` into whatever takes the keys.
pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, &c.to_string());
    }
}

/// Presses `k`, which must ask for a commit, and runs that commit through the runtime, as the
/// event loop does.
pub fn commit(app: &mut App, rt: &mut Runtime, k: &str) {
    match key(app, k) {
        Some(Effect::Commit(change)) => rt.commit(app, *change),
        other => panic!(
            "expected a commit, got {other:?}; form: {:?}",
            app.overlay.form().map(|f| f.problem.clone())
        ),
    }
}
