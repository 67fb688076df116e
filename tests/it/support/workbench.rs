//! Helpers shared by the in-process workbench tests (`tui`, `tui_edit`): the options an app is
//! built with, keys pressed by name, a row selected by artifact.

#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use std::path::PathBuf;

use handoff::tui::TuiOptions;
use handoff::tui::app::{App, Effect};
use handoff::tui::keymap::KeyChord;
use ratatui::crossterm::event::KeyEvent;

use crate::common::NOW;

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
