//! The org workbench's screen: a title line, the repositories × roles table (or one result's
//! findings), the status or filter line, and the footer of key hints — drawn in the
//! workbench's theme, as its chrome is.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::core::org::{OrgCell, PersonCell};
use crate::core::text::{pad, sanitize, width};
use crate::render::org::{cell_text, checked_text, has_teams, summary_text, team_text, worst_text};
use crate::tui::action::{Action, Context};
use crate::tui::org::{OrgAxis, OrgView};
use crate::tui::theme::Role;

/// Wide enough for "load error".
const WORST_W: usize = 10;
const ROLE_W: usize = 11;
/// Wide enough for "2 to sign · 21d".
const PERSON_W: usize = 17;

fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, w: usize, style: Style) {
    if w > 0 {
        buf.set_stringn(x, y, pad(text, w), w, style);
    }
}

pub fn draw(frame: &mut Frame, view: &OrgView) {
    let area = frame.area();
    if area.height < 4 || area.width < 20 {
        return;
    }
    let t = &view.theme;
    let buf = frame.buffer_mut();
    let full = area.width as usize;
    let title = format!(
        " {} · {}",
        sanitize(view.org.name.as_deref().unwrap_or("Organisation")),
        summary_text(&view.org)
    );
    put(buf, area.x, area.y, &title, full, t.style(Role::Title));
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 3);
    match view.findings_of {
        Some(repo) => findings(buf, view, repo, body),
        None => table(buf, view, body),
    }
    let line = match (&view.typing, &view.status) {
        (Some(typed), _) => format!(" / {typed}▏"),
        (None, Some(status)) => format!(" {}", sanitize(status)),
        (None, None) => {
            let mut parts = Vec::new();
            if !view.filter.is_empty() {
                parts.push(format!("filter: {}", sanitize(&view.filter)));
            }
            if view.mine {
                parts.push(format!(
                    "mine: {}",
                    sanitize(view.me.as_deref().unwrap_or("nobody"))
                ));
            }
            format!(" {}", parts.join(" · "))
        }
    };
    put(
        buf,
        area.x,
        area.y + area.height - 2,
        &line,
        full,
        t.style(Role::Muted),
    );
    let mut x = area.x + 1;
    for (keys, hint) in hints(view) {
        let need = width(&keys) + width(hint) + 3;
        if (x - area.x) as usize + need > full {
            break;
        }
        let y = area.y + area.height - 1;
        put(buf, x, y, &keys, width(&keys), t.style(Role::Key));
        x += width(&keys) as u16;
        let hint = format!(" {hint}  ");
        put(buf, x, y, &hint, width(&hint), t.style(Role::Muted));
        x += width(&hint) as u16;
    }
}

/// The footer: only what the org view does, each with the first key the keymap binds to it
/// (the context's own, else the global one).
fn hints(view: &OrgView) -> Vec<(String, &'static str)> {
    let context = view.context();
    let wanted: Vec<(Action, &str)> = match context {
        Context::Filter => vec![(Action::Apply, "apply"), (Action::Cancel, "cancel")],
        Context::Detail => vec![(Action::Down, "scroll"), (Action::Close, "back")],
        _ => vec![
            (Action::Down, "move"),
            (Action::Open, "open"),
            (
                Action::NextView,
                match view.axis {
                    OrgAxis::Roles => "people",
                    OrgAxis::People => "roles",
                },
            ),
            (Action::Filter, "filter"),
            (Action::ToggleMine, "mine"),
            (Action::ClearFilter, "clear"),
            (Action::Quit, "quit"),
        ],
    };
    wanted
        .iter()
        .filter_map(|(action, words)| {
            let keys = view.keymap.keys_for(context, *action);
            let keys = if keys.is_empty() {
                view.keymap.keys_for(Context::Global, *action)
            } else {
                keys
            };
            Some((keys.first()?.label(view.theme.ascii), *words))
        })
        .collect()
}

fn table(buf: &mut Buffer, view: &OrgView, area: Rect) {
    let t = &view.theme;
    let org = &view.org;
    let rows = view.visible();
    let name_w = rows
        .iter()
        .map(|&i| width(&sanitize(&org.repos[i].name)))
        .max()
        .unwrap_or(10)
        .clamp(10, 32);
    let checked_w = 18;
    let mut x = area.x;
    let header = |buf: &mut Buffer, x: u16, text: &str, w: usize| {
        put(buf, x, area.y, text, w, t.style(Role::Header));
    };
    header(buf, x, " repository", name_w + 1);
    x += name_w as u16 + 2;
    let team_w = has_teams(org).then(|| {
        rows.iter()
            .map(|&i| width(&team_text(&org.repos[i])))
            .fold(4, usize::max)
            .min(16)
    });
    if let Some(w) = team_w {
        header(buf, x, "team", w);
        x += w as u16 + 1;
    }
    header(buf, x, "checked", checked_w);
    x += checked_w as u16 + 1;
    header(buf, x, "worst", WORST_W);
    x += WORST_W as u16 + 1;
    let columns = axis_columns(view);
    for (title, w) in &columns {
        if (x + *w as u16) > area.x + area.width {
            break;
        }
        header(buf, x, title, *w);
        x += *w as u16 + 1;
    }
    if rows.is_empty() {
        let msg = " No repository matches the filter (Ctrl-l clears it).";
        put(
            buf,
            area.x,
            area.y + 2,
            msg,
            area.width as usize,
            t.style(Role::Muted),
        );
        return;
    }
    let height = area.height.saturating_sub(1) as usize;
    let offset = view.selected.saturating_sub(height.saturating_sub(1));
    for (line, &i) in rows.iter().enumerate().skip(offset).take(height) {
        let y = area.y + 1 + (line - offset) as u16;
        let repo = &org.repos[i];
        let selected = line == view.selected;
        let base = if selected {
            t.style(Role::Selection)
        } else {
            t.style(Role::Text)
        };
        put(buf, area.x, y, "", area.width as usize, base);
        let mut x = area.x;
        put(
            buf,
            x,
            y,
            &format!(" {}", sanitize(&repo.name)),
            name_w + 1,
            base,
        );
        x += name_w as u16 + 2;
        if let Some(w) = team_w {
            put(buf, x, y, &team_text(repo), w, base);
            x += w as u16 + 1;
        }
        let checked_style = if repo.stale {
            t.style(Role::Warning)
        } else if repo.pending {
            t.style(Role::Muted)
        } else {
            base
        };
        put(
            buf,
            x,
            y,
            &checked_text(org, repo),
            checked_w,
            checked_style,
        );
        x += checked_w as u16 + 1;
        let worst_style = repo.worst().map_or(t.style(Role::Ok), |s| t.severity(s));
        put(buf, x, y, worst_text(repo), WORST_W, worst_style);
        x += WORST_W as u16 + 1;
        // A pending row has no roles or people yet: blank, not "no such role".
        let cells = if repo.pending {
            Vec::new()
        } else {
            axis_cells(view, i)
        };
        for ((text, style), (_, w)) in cells.iter().zip(&columns) {
            if (x + *w as u16) > area.x + area.width {
                break;
            }
            put(buf, x, y, text, *w, *style);
            x += *w as u16 + 1;
        }
    }
}

/// The columns after "worst", with their widths: the roles, or the people and then how many
/// artifacts are owned by roles nobody staffs.
fn axis_columns(view: &OrgView) -> Vec<(String, usize)> {
    match view.axis {
        OrgAxis::Roles => view
            .org
            .roles
            .iter()
            .map(|r| (sanitize(&r.id), ROLE_W))
            .collect(),
        OrgAxis::People => view
            .people
            .iter()
            .map(|p| (sanitize(&p.email), PERSON_W))
            .chain(std::iter::once(("unstaffed".to_string(), 9)))
            .collect(),
    }
}

/// A repository's cells under [`axis_columns`].
fn axis_cells(view: &OrgView, repo: usize) -> Vec<(String, Style)> {
    let t = &view.theme;
    match view.axis {
        OrgAxis::Roles => view.org.repos[repo]
            .cells
            .iter()
            .map(|cell| {
                let style = match cell {
                    OrgCell::Absent => t.style(Role::Muted),
                    OrgCell::Clean => t.style(Role::Ok),
                    OrgCell::Open(s, _) => t.severity(*s),
                };
                (cell_text(*cell), style)
            })
            .collect(),
        OrgAxis::People => {
            let people = view.people.iter().map(|p| match p.cells[repo] {
                PersonCell::Absent => ("·".to_string(), t.style(Role::Muted)),
                PersonCell::Clean => ("ok".to_string(), t.style(Role::Ok)),
                PersonCell::Owes {
                    severity,
                    count,
                    longest_days,
                } => {
                    let wait = longest_days.map_or(String::new(), |n| format!(" · {n}d"));
                    (format!("{count} to sign{wait}"), t.severity(severity))
                }
            });
            let unstaffed = match view.org.unstaffed_in(repo) {
                0 => ("·".to_string(), t.style(Role::Muted)),
                n => (
                    n.to_string(),
                    t.severity(crate::core::model::Severity::Warning),
                ),
            };
            people.chain(std::iter::once(unstaffed)).collect()
        }
    }
}

fn findings(buf: &mut Buffer, view: &OrgView, repo: usize, area: Rect) {
    let t = &view.theme;
    let r = &view.org.repos[repo];
    let head = format!(
        " {} · {} · {}",
        sanitize(&r.name),
        sanitize(&r.origin.path),
        checked_text(&view.org, r)
    );
    put(
        buf,
        area.x,
        area.y,
        &head,
        area.width as usize,
        t.style(Role::Header),
    );
    let mut lines: Vec<(Style, String)> = Vec::new();
    if let Some(error) = &r.load_error {
        lines.extend(
            error
                .lines()
                .map(|l| (t.style(Role::Error), format!(" {}", sanitize(l)))),
        );
    }
    for f in r.result.iter().flat_map(|res| &res.findings) {
        lines.push((
            t.severity(f.severity),
            format!(
                " {:<7} {:<22} {}  {}",
                f.severity.as_str(),
                f.code,
                sanitize(f.artifact.as_deref().unwrap_or("handoff")),
                sanitize(&f.message)
            ),
        ));
    }
    if lines.is_empty() {
        lines.push((t.style(Role::Ok), " no findings".into()));
    }
    let height = area.height.saturating_sub(1) as usize;
    let scroll = view.scroll.min(lines.len().saturating_sub(1));
    for (n, (style, text)) in lines.iter().skip(scroll).take(height).enumerate() {
        put(
            buf,
            area.x,
            area.y + 1 + n as u16,
            text,
            area.width as usize,
            *style,
        );
    }
}
