//! Pictures of the workbench for the documentation: the demo's matrix, gaps, detail and
//! present mode's agenda, drawn by the real views on ratatui's TestBackend at 100×30 and
//! written as SVG (monospace text with each cell's colours, bold, dim, italic, underline and
//! reverse; no script) to `docs/images/`.
//!
//! ```text
//! cargo run --example screenshots              # writes docs/images/<view>.svg
//! cargo run --example screenshots -- OUT_DIR   # somewhere else
//! ```
//!
//! The pictures are the same on every run: the demo is built at a pinned time (so its commit
//! ids and ages never change) and the workbench reads no user configuration.
//! `tests/it/screenshots.rs` checks that the committed matrix is what this draws.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use handoff::tui::action::Action;
use handoff::tui::app::{App, View};
use handoff::tui::{TuiOptions, app_with_facts, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The clock the demo is built and shown at (the tests' clock).
pub const NOW: &str = "2026-11-22T12:00:00Z";
pub const WIDTH: u16 = 100;
pub const HEIGHT: u16 = 30;

/// The pictures, by file name (without `.svg`).
pub const VIEWS: [&str; 4] = ["matrix", "gaps", "detail", "agenda"];

fn main() -> Result<(), Box<dyn Error>> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/images"));
    std::fs::create_dir_all(&out)?;
    let demo = tempfile::tempdir()?;
    let dir = build_demo(demo.path())?;
    for view in VIEWS {
        let path = out.join(format!("{view}.svg"));
        std::fs::write(&path, screenshot(&dir, view)?)?;
        println!("{}", path.display());
    }
    Ok(())
}

/// The demo repository, built under `parent` at [`NOW`].
pub fn build_demo(parent: &Path) -> Result<PathBuf, Box<dyn Error>> {
    let dir = parent.join("reply-assist");
    handoff::repo::sample::build(&dir, NOW.parse()?)?;
    Ok(dir)
}

/// One view of the workbench on the demo at `dir`, as an SVG document.
pub fn screenshot(dir: &Path, view: &str) -> Result<String, Box<dyn Error>> {
    let options = TuiOptions {
        present: view == "agenda",
        now: Some(NOW.parse()?),
        // No user configuration: the embedded defaults only.
        config_dir: Some(PathBuf::from("/nonexistent/handoff-screenshots")),
        ..Default::default()
    };
    let mut app = app_with_facts(dir, &options)?;
    app.resize(WIDTH, HEIGHT);
    match view {
        "gaps" => app.view = View::Gaps,
        "detail" => {
            select(&mut app, "prd");
            app.handle(Action::Open);
        }
        _ => {}
    }
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    terminal.draw(|frame| views::draw(frame, &app))?;
    Ok(svg(terminal.backend().buffer()))
}

/// Selects an artifact's row in the matrix.
fn select(app: &mut App, id: &str) {
    if let Some(row) = app
        .matrix
        .rows
        .iter()
        .position(|&i| app.snap.index.artifacts[i].id == id)
    {
        app.matrix.cursor.selected = row;
    }
}

const CELL_WIDTH: u32 = 9;
const CELL_HEIGHT: u32 = 18;
const FONT_SIZE: u32 = 15;
const BACKGROUND: &str = "#1e1e2e";
const FOREGROUND: &str = "#d4d4d4";

/// A run of cells on one row that share a style.
struct Run {
    column: u16,
    cells: u16,
    text: String,
    fg: String,
    bg: Option<String>,
    modifier: Modifier,
}

/// The buffer as an SVG document: a background, then per row the runs of equally styled
/// cells, each a rectangle for its background and a text stretched to exactly its cells (so
/// the grid holds whatever monospace font the viewer has).
pub fn svg(buffer: &Buffer) -> String {
    let width = u32::from(buffer.area.width) * CELL_WIDTH;
    let height = u32::from(buffer.area.height) * CELL_HEIGHT;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"'DejaVu Sans Mono', Menlo, Consolas, \
         monospace\" font-size=\"{FONT_SIZE}\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"{BACKGROUND}\"/>"
    );
    for y in 0..buffer.area.height {
        let runs = runs_of_row(buffer, y);
        let top = u32::from(y) * CELL_HEIGHT;
        for run in &runs {
            if let Some(bg) = &run.bg {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{CELL_HEIGHT}\" fill=\"{bg}\"/>",
                    u32::from(run.column) * CELL_WIDTH,
                    u32::from(run.cells) * CELL_WIDTH
                );
            }
        }
        for run in runs.iter().filter(|r| !r.text.trim().is_empty()) {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" \
                 fill=\"{}\"{} xml:space=\"preserve\">{}</text>",
                u32::from(run.column) * CELL_WIDTH,
                top + CELL_HEIGHT - 5,
                u32::from(run.cells) * CELL_WIDTH,
                run.fg,
                text_attributes(run.modifier),
                escape(&run.text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn runs_of_row(buffer: &Buffer, y: u16) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut x = 0;
    while x < buffer.area.width {
        let cell = &buffer[(x, y)];
        let cells = unicode_width::UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
        let mut fg = color(cell.fg).unwrap_or_else(|| FOREGROUND.to_string());
        let mut bg = color(cell.bg);
        if cell.modifier.contains(Modifier::REVERSED) {
            let back = bg.take().unwrap_or_else(|| BACKGROUND.to_string());
            bg = Some(std::mem::replace(&mut fg, back));
        }
        let modifier = cell.modifier - Modifier::REVERSED;
        match runs.last_mut() {
            Some(run) if run.fg == fg && run.bg == bg && run.modifier == modifier => {
                run.cells += cells;
                run.text.push_str(cell.symbol());
            }
            _ => runs.push(Run {
                column: x,
                cells,
                text: cell.symbol().to_string(),
                fg,
                bg,
                modifier,
            }),
        }
        x += cells;
    }
    runs
}

fn text_attributes(modifier: Modifier) -> String {
    let mut out = String::new();
    if modifier.contains(Modifier::BOLD) {
        out.push_str(" font-weight=\"bold\"");
    }
    if modifier.contains(Modifier::DIM) {
        out.push_str(" opacity=\"0.6\"");
    }
    if modifier.contains(Modifier::ITALIC) {
        out.push_str(" font-style=\"italic\"");
    }
    if modifier.contains(Modifier::UNDERLINED) {
        out.push_str(" text-decoration=\"underline\"");
    }
    out
}

/// A terminal palette for the named colours (a dark one, like most terminals' default).
fn color(color: Color) -> Option<String> {
    let hex = match color {
        Color::Reset => return None,
        Color::Black => "#000000",
        Color::Red => "#f14c4c",
        Color::Green => "#23d18b",
        Color::Yellow => "#f5f543",
        Color::Blue => "#3b8eea",
        Color::Magenta => "#d670d6",
        Color::Cyan => "#29b8db",
        Color::Gray => "#cccccc",
        Color::DarkGray => "#767676",
        Color::LightRed => "#ff7b72",
        Color::LightGreen => "#7ee787",
        Color::LightYellow => "#ffffa5",
        Color::LightBlue => "#79c0ff",
        Color::LightMagenta => "#ff9bf2",
        Color::LightCyan => "#a5f3fc",
        Color::White => "#ffffff",
        Color::Rgb(r, g, b) => return Some(format!("#{r:02x}{g:02x}{b:02x}")),
        // The default theme uses named colours only; an indexed one is drawn as the text.
        Color::Indexed(_) => FOREGROUND,
    };
    Some(hex.to_string())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
