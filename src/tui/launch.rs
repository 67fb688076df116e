//! Carrying out the keys that reach outside the workbench: the diff read on a thread of its
//! own, the editor run on the terminal handed over to it, the browser started beside the
//! workbench, and the clipboard sequence written to the terminal.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::app::App;
use super::external::{OpenTarget, osc52};
use super::input::InputGate;
use super::terminal;
use crate::core::content_diff::ArtifactDiff;
use crate::engine::Workspace;
use crate::engine::diff::artifact_diff;

/// Reads the diff of `artifact` off the UI thread; `done` receives it, or why there is none.
pub(crate) fn start_diff(
    ws: &Workspace,
    app: &App,
    artifact: String,
    done: impl FnOnce(String, Result<ArtifactDiff, String>) + Send + 'static,
) {
    let ws = ws.clone();
    let snap = app.snap.clone();
    std::thread::spawn(move || {
        let result = artifact_diff(&ws, &snap, &artifact, None).map_err(|e| e.to_string());
        done(artifact, result);
    });
}

/// Opens `target`: a file in `$VISUAL` / `$EDITOR` (default `vi`) on the terminal handed over
/// to it, an address in the browser. What happened, for the status line.
pub(crate) fn open(
    ws: &Workspace,
    term: &mut ratatui::DefaultTerminal,
    mouse: bool,
    gate: &InputGate,
    target: &OpenTarget,
) -> String {
    match target {
        OpenTarget::File(path) => {
            let editor = editor();
            let file = ws.dir.join(path);
            // No key may reach the workbench while the editor has the terminal.
            let _held = gate.hold();
            let status = terminal::suspended(term, mouse, || run_editor(&editor, &file));
            match status {
                Ok(s) if s.success() => format!("back from {editor} ({path})"),
                Ok(s) => format!("{editor} ended with {s} ({path})"),
                Err(e) => format!("cannot run {editor}: {e}"),
            }
        }
        OpenTarget::Url(url) => {
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            };
            let started = Command::new(opener)
                .arg(url)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            match started {
                Ok(mut child) => {
                    // Reaped beside the workbench: a browser may outlive the opener.
                    std::thread::spawn(move || child.wait());
                    format!("opened {url} with {opener}")
                }
                Err(e) => format!("cannot run {opener} to open {url}: {e}"),
            }
        }
    }
}

/// `$VISUAL`, else `$EDITOR`, else `vi`, as git chooses.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor through the shell, as git does, so that `EDITOR="code --wait"` works; the
/// file is passed as an argument, never spliced into the command.
fn run_editor(editor: &str, file: &Path) -> std::io::Result<std::process::ExitStatus> {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(file)
        .status()
}

/// Asks the terminal to put `text` on the clipboard.
pub(crate) fn copy(text: &str) {
    let mut out = std::io::stdout();
    let _ = out.write_all(osc52(text).as_bytes());
    let _ = out.flush();
}
