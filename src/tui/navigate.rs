//! Moving around: cursors, scrolling, jumps between findings, and the geometry they are
//! measured in, laid out again only when what it depends on changes.

use super::action::Action;
use super::app::{App, View};
use super::geometry::{Geometry, Inputs};
use super::overlay::Modal;

impl App {
    /// The terminal was resized.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.relayout();
        self.scroll_into_view();
    }

    /// Whether the selected artifact's detail is on screen (the agenda has none).
    pub(crate) fn detail_shown(&self) -> bool {
        self.overlay.detail.is_some() && self.view != View::Agenda
    }

    /// Lays the screen out again if anything it depends on changed since the last time.
    pub(crate) fn relayout(&mut self) {
        let inputs = Inputs {
            size: self.size,
            status_line: self.status.is_some()
                || self.banner.is_some()
                || self.committing.is_some(),
            input_line: matches!(self.overlay.modal, Some(Modal::Filter { .. })),
            detail: self.detail_shown(),
            present: self.options.present,
            roles: self.snap.index.roles.len(),
            longest_role: self.matrix.longest_role,
            id_width: self.matrix.id_width,
            fix_width: self.fix_width,
        };
        if inputs != self.geometry.inputs {
            self.geometry = Geometry::new(inputs);
        }
    }

    pub(crate) fn move_by(&mut self, action: Action) {
        let page = self.geometry.page(self.view == View::Matrix);
        if let Some(Modal::Picker(picker)) = &mut self.overlay.modal {
            let n = picker.items.len().max(1);
            picker.selected = match action {
                Action::Up => picker.selected.saturating_sub(1),
                Action::Down => (picker.selected + 1).min(n - 1),
                Action::First | Action::PageUp => 0,
                _ => n - 1,
            };
            return;
        }
        if let Some(Modal::Diff(view)) = &mut self.overlay.modal {
            let page = self.geometry.areas.body.height.saturating_sub(2) as usize;
            let step = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(page as i64),
                Action::PageDown => page as i64,
                Action::First => i64::MIN / 2,
                _ => i64::MAX / 2,
            };
            view.scroll_by(step, page);
            return;
        }
        let help_end = self
            .overlay
            .help()
            .map(|_| super::views::help::max_scroll(self, self.geometry.areas.body));
        let help = match &mut self.overlay.modal {
            Some(Modal::Help { scroll }) => Some(scroll),
            Some(Modal::Filter { help, .. }) => help.as_mut(),
            _ => None,
        };
        if let Some(scroll) = help.or(self.overlay.detail.as_mut()) {
            let step = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(page as i32),
                Action::PageDown => page as i32,
                Action::First => -100_000,
                _ => 100_000,
            };
            let end = help_end.unwrap_or(u16::MAX);
            *scroll = (*scroll as i32 + step).clamp(0, end as i32) as u16;
            return;
        }
        if self.view == View::Scorecard {
            let last = super::views::scorecard_max_scroll(self);
            let step: i64 = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -(page as i64),
                Action::PageDown => page as i64,
                Action::First => -(last as i64),
                _ => last as i64,
            };
            let to = (i64::from(self.scorecard_scroll) + step).clamp(0, last as i64);
            self.scorecard_scroll = u16::try_from(to).unwrap_or(u16::MAX);
            return;
        }
        let (len, cursor) = match self.view {
            View::Matrix => (self.matrix.rows.len(), &mut self.matrix.cursor),
            View::Agenda | View::Scorecard => return,
            _ => match self.list_mut() {
                Some(list) => {
                    list.chosen = true;
                    (list.items.len(), &mut list.cursor)
                }
                None => return,
            },
        };
        if len == 0 {
            return;
        }
        cursor.selected = match action {
            Action::Up => cursor.selected.saturating_sub(1),
            Action::Down => (cursor.selected + 1).min(len - 1),
            Action::PageUp => cursor.selected.saturating_sub(page),
            Action::PageDown => (cursor.selected + page).min(len - 1),
            Action::First => 0,
            _ => len - 1,
        };
    }

    /// The next or previous row of the list under the detail.
    pub(crate) fn step_selection(&mut self, forward: bool) {
        let saved = self.overlay.detail.take();
        self.move_by(if forward { Action::Down } else { Action::Up });
        self.overlay.detail = saved;
    }

    /// The next (or previous) matrix row with a finding; in the lists, the next finding
    /// of another artifact.
    pub(crate) fn jump_to_finding(&mut self, forward: bool) {
        let step = |at: usize, n: usize, step: usize| {
            if forward {
                (at + step) % n
            } else {
                (at + n - step) % n
            }
        };
        match self.view {
            View::Matrix => {
                let (rows, at) = (&self.matrix.rows, self.matrix.cursor.selected);
                let n = rows.len();
                let has = |row: usize| {
                    let id = &self.snap.index.artifacts[rows[row]].id;
                    !self.snap.report.findings_of(id).is_empty()
                };
                let found = (1..n).map(|s| step(at, n, s)).find(|&row| has(row));
                match found {
                    Some(row) => {
                        let wrapped = (forward && row < at) || (!forward && row > at);
                        self.matrix.cursor.selected = row;
                        if wrapped {
                            self.status = Some("wrapped around".into());
                        }
                    }
                    None => self.status = Some("no other artifact has a finding".into()),
                }
            }
            View::Gaps | View::Stale => {
                let report = &self.snap.report;
                let Some(list) = self.list() else { return };
                let at = list.cursor.selected;
                let Some(&current) = list.items.get(at) else {
                    return;
                };
                let artifact = &report.finding(current).artifact;
                let n = list.items.len();
                let found = (1..n)
                    .map(|s| step(at, n, s))
                    .find(|&pos| report.finding(list.items[pos]).artifact != *artifact);
                match found {
                    Some(pos) => {
                        if let Some(list) = self.list_mut() {
                            list.cursor.selected = pos;
                            list.chosen = true;
                        }
                    }
                    None => self.status = Some("no finding on another artifact".into()),
                }
            }
            View::Scorecard => {}
            View::Agenda => {
                let _ = self.handle(if forward {
                    Action::Next
                } else {
                    Action::Previous
                });
            }
        }
    }

    /// Keeps the cursor inside the visible window of the current view.
    pub(crate) fn scroll_into_view(&mut self) {
        self.relayout();
        let g = self.geometry;
        let visible = g.matrix.rows;
        let m = &mut self.matrix.cursor;
        if m.selected < m.offset {
            m.offset = m.selected;
        } else if visible > 0 && m.selected >= m.offset + visible {
            m.offset = m.selected + 1 - visible;
        }
        let shown_cols = g.matrix.cols.max(1);
        let (col, col_offset) = (self.matrix.col, &mut self.matrix.col_offset);
        if col < *col_offset {
            *col_offset = col;
        } else if col >= *col_offset + shown_cols {
            *col_offset = col + 1 - shown_cols;
        }
        let viewport = g.body.list().height as usize;
        let report = &self.snap.report;
        let Some(list) = (match self.view {
            View::Gaps => Some(&mut self.gaps),
            View::Stale => Some(&mut self.stale),
            _ => None,
        }) else {
            return;
        };
        if list.items.is_empty() {
            return;
        }
        let (start, end) = list.lines_of(report, list.cursor.selected, g.finding_height);
        // The heading of the first group stays in view when the first item is selected.
        let start = if start <= 1 { 0 } else { start };
        let cursor = &mut list.cursor;
        if start < cursor.offset {
            cursor.offset = start;
        } else if end > cursor.offset + viewport {
            cursor.offset = end.saturating_sub(viewport);
        }
    }
}
