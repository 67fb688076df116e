//! Screen geometry: pure functions of the terminal size and the few things that shape the
//! screen (a status line, the filter line, the detail beside the list, the roles' widths).
//! The app keeps one [`Geometry`] and computes it again only when one of its [`Inputs`]
//! changes; the views draw in it and mouse clicks are hit-tested against it, so the two
//! never disagree.

use ratatui::layout::Rect;

/// Below this the workbench says the terminal is too small instead of drawing.
pub(crate) const MIN_WIDTH: u16 = 50;
pub(crate) const MIN_HEIGHT: u16 = 12;
/// From this width the detail opens beside the list instead of over it.
pub(crate) const SPLIT_WIDTH: u16 = 90;

pub(crate) fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

/// Everything the geometry depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inputs {
    pub size: (u16, u16),
    /// A status or banner line is shown above the footer.
    pub status_line: bool,
    /// The filter being typed is shown above the footer.
    pub input_line: bool,
    /// The detail is shown (beside the list, or over it when narrow).
    pub detail: bool,
    /// Present mode: roomier rows and findings.
    pub present: bool,
    /// The number of roles, and the widest role id, in columns.
    pub roles: usize,
    pub longest_role: usize,
    /// The widest visible artifact id, in columns.
    pub id_width: usize,
    /// The widest fix line of the Gaps and Stale lists, in columns.
    pub fix_width: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Areas {
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
pub(crate) enum Body {
    List(Rect),
    Split { list: Rect, detail: Rect },
    Popup { list: Rect, popup: Rect },
}

impl Default for Body {
    fn default() -> Self {
        Body::List(Rect::default())
    }
}

impl Body {
    pub fn list(&self) -> Rect {
        match *self {
            Body::List(r) | Body::Split { list: r, .. } | Body::Popup { list: r, .. } => r,
        }
    }
}

/// Column and row geometry of the matrix in the list area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MatrixGeometry {
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

impl MatrixGeometry {
    /// Where the role columns start.
    pub(crate) fn role_x(&self, list: Rect) -> u16 {
        list.x + self.id_w + 1 + self.worst_w + 1
    }
}

/// The screen, computed from its [`Inputs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub inputs: Inputs,
    pub areas: Areas,
    pub body: Body,
    pub matrix: MatrixGeometry,
    /// Lines one finding takes in the Gaps and Stale lists.
    pub finding_height: u16,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry::new(Inputs::default())
    }
}

/// Lines per finding in the Gaps and Stale lists: heading, message and fix, the fix on a
/// second line when some fix is wider than the list, and a blank line in present mode.
fn finding_height(inputs: &Inputs, list_width: u16) -> u16 {
    3 + u16::from(inputs.fix_width > list_width as usize) + u16::from(inputs.present)
}

impl Geometry {
    pub fn new(inputs: Inputs) -> Geometry {
        let areas = areas(&inputs);
        let body = body(&inputs, areas.body);
        Geometry {
            inputs,
            areas,
            body,
            matrix: matrix(&inputs, body.list()),
            finding_height: finding_height(&inputs, body.list().width),
        }
    }

    /// Lines a page key moves in the current view's list.
    pub fn page(&self, matrix: bool) -> usize {
        let body = self.areas.body.height as usize;
        if matrix {
            body.saturating_sub(3).max(1)
        } else {
            (body / 3).max(1)
        }
    }
}

fn areas(inputs: &Inputs) -> Areas {
    let (w, h) = inputs.size;
    let fixed = 3 + u16::from(inputs.status_line) + u16::from(inputs.input_line);
    let body_h = h.saturating_sub(fixed);
    let row = |y: u16| Rect::new(0, y, w, 1);
    let mut y = 2 + body_h;
    let status = inputs.status_line.then(|| {
        let r = row(y);
        y += 1;
        r
    });
    let input = inputs.input_line.then(|| {
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

fn body(inputs: &Inputs, area: Rect) -> Body {
    if !inputs.detail {
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

fn matrix(inputs: &Inputs, area: Rect) -> MatrixGeometry {
    let roles = inputs.roles.max(1);
    let longest_id = inputs.id_width as u16;
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
    let pad = if inputs.present { 3 } else { 2 };
    let wanted = (inputs.longest_role as u16 + pad).clamp(7, 16);
    let role_w = wanted.min((rest / roles as u16).max(7));
    let cols = ((rest / role_w.max(1)) as usize).clamp(1, roles);
    let row_h = if inputs.present { 2 } else { 1 };
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

/// A rectangle of `percent_w` × `percent_h` of `area`, centred.
pub(crate) fn centered(area: Rect, percent_w: u16, percent_h: u16) -> Rect {
    let w = (area.width * percent_w / 100).max(area.width.min(40));
    let h = (area.height * percent_h / 100).max(area.height.min(10));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
