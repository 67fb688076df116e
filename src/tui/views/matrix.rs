//! The role × artifact matrix: a frozen header row and artifact column, role columns that
//! scroll, and only the visible rows and columns built per frame.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::core::text::{pad, sanitize, truncate, width};
use crate::render::glyphs::{cell_text, state_glyph, state_words};
use crate::tui::app::App;
use crate::tui::layout::matrix_geometry;
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
    let t = &app.theme;
    let g = matrix_geometry(app, area);
    let roles = &app.snap.index.roles;
    let buf = frame.buffer_mut();
    if area.height < 3 {
        return;
    }
    let first_col = app.col_offset.min(roles.len().saturating_sub(1));
    let last_col = (first_col + g.cols).min(roles.len());
    let role_x = area.x + g.id_w + 1 + g.worst_w + 1;

    // Frozen header row.
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
    for (n, role) in roles[first_col..last_col].iter().enumerate() {
        let col = first_col + n;
        let style = if col == app.col {
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
    if first_col > 0 {
        put(
            buf,
            role_x.saturating_sub(1),
            area.y,
            left_more,
            1,
            t.style(Role::Key),
        );
    }
    if last_col < roles.len() {
        let x =
            (role_x + (last_col - first_col) as u16 * g.role_w).min(area.right().saturating_sub(1));
        put(buf, x, area.y, right_more, 1, t.style(Role::Key));
    }

    if app.rows.is_empty() {
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
            t.style(Role::Muted),
        );
        return;
    }

    let end = (app.matrix.offset + g.rows).min(app.rows.len());
    for (line, row) in (app.matrix.offset..end).enumerate() {
        let y = area.y + 1 + line as u16 * g.row_h;
        let artifact_index = app.rows[row];
        let artifact = &app.snap.index.artifacts[artifact_index];
        let selected = row == app.matrix.selected;
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
        put(
            buf,
            area.x + g.id_w + 1,
            y,
            &worst_text,
            g.worst_w,
            base.patch(worst_style),
        );
        let cells = &app.snap.report.matrix.rows[artifact_index].cells;
        for (n, cell) in cells[first_col..last_col].iter().enumerate() {
            let col = first_col + n;
            let text = cell_text(cell, t.ascii);
            let mut style = base.patch(t.cell(cell.state));
            if selected && col == app.col {
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

    // The cursor cell, in words: what the colour and glyph say.
    let y = area.bottom() - 1;
    if let (Some(&artifact_index), Some(role)) =
        (app.rows.get(app.matrix.selected), roles.get(app.col))
    {
        let cell = &app.snap.report.matrix.rows[artifact_index].cells[app.col];
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
        put(
            buf,
            area.x,
            y,
            &sanitize(&text),
            area.width,
            t.style(Role::Muted),
        );
    }
}
