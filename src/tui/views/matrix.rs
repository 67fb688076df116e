//! The role × artifact matrix: a frozen header row and artifact column, role columns that
//! scroll, and only the visible rows and columns built per frame.

use std::ops::Range;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::core::text::{pad, sanitize, truncate, width};
use crate::render::glyphs::{cell_text, state_glyph, state_words};
use crate::tui::app::App;
use crate::tui::geometry::MatrixGeometry;
use crate::tui::theme::Role;

fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, w: u16, style: Style) {
    if w == 0 {
        return;
    }
    buf.set_stringn(x, y, pad(text, w as usize), w as usize, style);
}

fn centered(text: &str, w: u16) -> String {
    let tw = width(text);
    let left = (w as usize).saturating_sub(tw) / 2;
    format!("{}{text}", " ".repeat(left))
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let g = app.geometry().matrix;
    let roles = &app.snap.index.roles;
    let buf = frame.buffer_mut();
    if area.height < 3 {
        return;
    }
    let first_col = app.matrix.col_offset.min(roles.len().saturating_sub(1));
    let cols = first_col..(first_col + g.cols).min(roles.len());
    header(buf, app, area, &g, cols.clone());

    if app.matrix.rows.is_empty() {
        let msg = if app.snap.index.artifacts.is_empty() {
            "No artifacts yet: add them under `artifacts:` in handoff.yaml."
        } else {
            "No artifact matches the filter (Ctrl-l clears it)."
        };
        put(
            buf,
            area.x + 1,
            area.y + 2,
            msg,
            area.width.saturating_sub(2),
            app.theme.style(Role::Muted),
        );
        return;
    }
    let offset = app.matrix.cursor.offset;
    let end = (offset + g.rows).min(app.matrix.rows.len());
    for (line, row) in (offset..end).enumerate() {
        let y = area.y + 1 + line as u16 * g.row_h;
        artifact_row(buf, app, area, &g, cols.clone(), row, y);
    }
    cursor_words(buf, app, area);
}

/// The frozen header: column titles, the role ids shown, and marks where more roles scroll.
fn header(buf: &mut Buffer, app: &App, area: Rect, g: &MatrixGeometry, cols: Range<usize>) {
    let t = &app.theme;
    let roles = &app.snap.index.roles;
    let role_x = g.role_x(area);
    let header = t.style(Role::Header);
    put(buf, area.x, area.y, "artifact", g.id_w, header);
    put(
        buf,
        area.x + g.id_w + 1,
        area.y,
        if g.worst_w > 5 { "worst finding" } else { "!" },
        g.worst_w,
        header,
    );
    for (n, role) in roles[cols.clone()].iter().enumerate() {
        let col = cols.start + n;
        let style = if col == app.matrix.col {
            t.style(Role::Cursor)
        } else {
            header
        };
        let label = truncate(&sanitize(&role.id), g.role_w.saturating_sub(1) as usize);
        put(
            buf,
            role_x + n as u16 * g.role_w,
            area.y,
            &centered(&label, g.role_w),
            g.role_w,
            style,
        );
    }
    let (left_more, right_more) = if t.ascii { ("<", ">") } else { ("◂", "▸") };
    if cols.start > 0 {
        let x = role_x.saturating_sub(1);
        put(buf, x, area.y, left_more, 1, t.style(Role::Key));
    }
    if cols.end < roles.len() {
        let x = (role_x + cols.len() as u16 * g.role_w).min(area.right().saturating_sub(1));
        put(buf, x, area.y, right_more, 1, t.style(Role::Key));
    }
}

/// One artifact's line: its id, its worst finding and its cell in each role column shown.
fn artifact_row(
    buf: &mut Buffer,
    app: &App,
    area: Rect,
    g: &MatrixGeometry,
    cols: Range<usize>,
    row: usize,
    y: u16,
) {
    let t = &app.theme;
    let artifact_index = app.matrix.rows[row];
    let artifact = &app.snap.index.artifacts[artifact_index];
    let selected = row == app.matrix.cursor.selected;
    let base = if selected {
        t.style(Role::Selection)
    } else {
        t.style(Role::Text)
    };
    if selected {
        buf.set_style(Rect::new(area.x, y, area.width, 1), base);
    }
    put(buf, area.x, y, &sanitize(&artifact.id), g.id_w, base);
    let (worst_text, worst_style) = match app.worst(artifact_index) {
        _ if app.is_pending(artifact_index) && app.worst(artifact_index).is_none() => (
            format!("{} reading", if t.ascii { "..." } else { "…" }),
            t.style(Role::Pending),
        ),
        Some(f) if g.worst_w > 5 => (
            format!("{} {}", t.severity_glyph(f.severity), f.code),
            t.severity(f.severity),
        ),
        Some(f) => (
            t.severity_glyph(f.severity).to_string(),
            t.severity(f.severity),
        ),
        None if g.worst_w > 5 => (format!("{} ok", t.ok_glyph()), t.style(Role::Ok)),
        None => (t.ok_glyph().to_string(), t.style(Role::Ok)),
    };
    let worst_x = area.x + g.id_w + 1;
    put(
        buf,
        worst_x,
        y,
        &worst_text,
        g.worst_w,
        base.patch(worst_style),
    );
    let cells = &app.snap.report.matrix.rows[artifact_index].cells;
    let role_x = g.role_x(area);
    for (n, cell) in cells[cols.clone()].iter().enumerate() {
        let col = cols.start + n;
        let text = cell_text(cell, t.ascii);
        let mut style = base.patch(t.cell(cell.state));
        if selected && col == app.matrix.col {
            style = t.style(Role::Cursor).patch(t.cell(cell.state));
        }
        put(
            buf,
            role_x + n as u16 * g.role_w,
            y,
            &centered(&text, g.role_w),
            g.role_w,
            style,
        );
    }
}

/// The cursor cell, in words: what the colour and glyph say.
fn cursor_words(buf: &mut Buffer, app: &App, area: Rect) {
    let t = &app.theme;
    let roles = &app.snap.index.roles;
    let col = app.matrix.col;
    let y = area.bottom() - 1;
    let selected = app.matrix.rows.get(app.matrix.cursor.selected);
    let (Some(&artifact_index), Some(role)) = (selected, roles.get(col)) else {
        return;
    };
    let cell = &app.snap.report.matrix.rows[artifact_index].cells[col];
    let artifact = &app.snap.index.artifacts[artifact_index];
    let relation = cell.relation();
    let text = if relation.is_empty() {
        format!("{} × {}: no relation", artifact.id, role.id)
    } else {
        format!(
            "{} × {} ({}): {relation}, {} {}",
            artifact.id,
            role.id,
            if role.people.is_empty() {
                "nobody".to_string()
            } else {
                role.people.join(", ")
            },
            state_glyph(cell.state, t.ascii),
            state_words(cell.state)
        )
    };
    let style = t.style(Role::Muted);
    put(buf, area.x, y, &sanitize(&text), area.width, style);
}
