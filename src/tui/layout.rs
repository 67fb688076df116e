//! Screen geometry as pure functions of the terminal size and the app's state, shared by the
//! views (to draw) and the event loop (to hit-test mouse clicks), so the two never disagree.

use ratatui::layout::Rect;

use super::app::{App, View};
use crate::core::text::width;

/// Below this the workbench says the terminal is too small instead of drawing.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the detail opens beside the list instead of over it.
pub const SPLIT_WIDTH: u16 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    pub body: Rect,
    /// The status or banner line, when there is something to say.
    pub status: Option<Rect>,
    /// The filter being typed.
    pub input: Option<Rect>,
    pub footer: Rect,
}

/// How the body is shared between the list and the detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    List(Rect),
    Split { list: Rect, detail: Rect },
    Popup { list: Rect, popup: Rect },
}

impl Body {
    pub fn list(&self) -> Rect {
        match *self {
            Body::List(r) | Body::Split { list: r, .. } | Body::Popup { list: r, .. } => r,
        }
    }
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

pub fn areas(app: &App) -> Areas {
    let (w, h) = app.size;
    let has_status = app.status.is_some() || app.banner.is_some();
    let has_input = app.filter_input.is_some();
    let fixed = 3 + u16::from(has_status) + u16::from(has_input);
    let body_h = h.saturating_sub(fixed);
    let row = |y: u16| Rect::new(0, y, w, 1);
    let mut y = 2 + body_h;
    let status = has_status.then(|| {
        let r = row(y);
        y += 1;
        r
    });
    let input = has_input.then(|| {
        let r = row(y);
        y += 1;
        r
    });
    Areas {
        header: row(0),
        tabs: row(1),
        body: Rect::new(0, 2, w, body_h),
        status,
        input,
        footer: row(y.min(h.saturating_sub(1))),
    }
}

pub fn body_height(app: &App) -> u16 {
    areas(app).body.height
}

pub fn body(app: &App) -> Body {
    let area = areas(app).body;
    if app.detail.is_none() || app.view == View::Agenda {
        return Body::List(area);
    }
    if area.width >= SPLIT_WIDTH {
        let list_w = area.width * 11 / 20;
        Body::Split {
            list: Rect::new(area.x, area.y, list_w, area.height),
            detail: Rect::new(area.x + list_w, area.y, area.width - list_w, area.height),
        }
    } else {
        Body::Popup {
            list: area,
            popup: area,
        }
    }
}

/// Column and row geometry of the matrix in `area`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixGeometry {
    pub id_w: u16,
    pub worst_w: u16,
    pub role_w: u16,
    /// Role columns that fit.
    pub cols: usize,
    /// Artifact rows that fit.
    pub rows: usize,
    /// Lines per row: 2 in present mode, for air between rows.
    pub row_h: u16,
}

pub fn matrix_geometry(app: &App, area: Rect) -> MatrixGeometry {
    let roles = app.snap.index.roles.len().max(1);
    let longest_id = app.id_width as u16;
    let w = area.width;
    let id_w = longest_id
        .clamp(8, if w < 100 { 18 } else { 28 })
        .min(w / 3);
    let worst_w = if w >= 110 {
        24
    } else if w >= 70 {
        14
    } else {
        3
    };
    let rest = w.saturating_sub(id_w + worst_w + 2);
    let longest_role = app
        .snap
        .index
        .roles
        .iter()
        .map(|r| width(&r.id))
        .max()
        .unwrap_or(4) as u16;
    let pad = if app.options.present { 3 } else { 2 };
    let wanted = (longest_role + pad).clamp(7, 16);
    let role_w = wanted.min((rest / roles as u16).max(7));
    let cols = ((rest / role_w.max(1)) as usize).clamp(1, roles);
    let row_h = if app.options.present { 2 } else { 1 };
    let rows = (area.height.saturating_sub(2) / row_h) as usize;
    MatrixGeometry {
        id_w,
        worst_w,
        role_w,
        cols,
        rows,
        row_h,
    }
}

pub fn matrix_visible_rows(app: &App) -> usize {
    matrix_geometry(app, body(app).list()).rows
}

pub fn matrix_visible_cols(app: &App) -> usize {
    matrix_geometry(app, body(app).list()).cols
}

/// Lines one finding takes in the Gaps and Stale lists.
pub fn finding_height(app: &App) -> u16 {
    if app.options.present { 4 } else { 3 }
}

/// A rectangle of `percent_w` × `percent_h` of `area`, centred.
pub fn centered(area: Rect, percent_w: u16, percent_h: u16) -> Rect {
    let w = (area.width * percent_w / 100).max(area.width.min(40));
    let h = (area.height * percent_h / 100).max(area.height.min(10));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The lines of a finding list: a heading line opens each run of one severity.
/// Returns, for item `pos`, the first line and one past its last line.
pub fn finding_lines(app: &App, items: &[usize], pos: usize) -> (usize, usize) {
    let h = finding_height(app) as usize;
    let findings = &app.snap.report.findings;
    let mut headings = 0;
    let mut previous = None;
    for &i in &items[..=pos.min(items.len().saturating_sub(1))] {
        let s = findings[i].severity;
        if previous != Some(s) {
            headings += 1;
            previous = Some(s);
        }
    }
    let start = pos * h + headings;
    (start, start + h)
}
