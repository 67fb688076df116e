//! Overlays for editing: the picker (what to change), the form (the new value, with what is
//! accepted and why it is refused, as you type), the yes/no confirmation, and the choice
//! when `handoff.yaml` changed on disk under an open form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::core::text::{sanitize, truncate, width, wrap};
use crate::tui::app::App;
use crate::tui::forms::{Form, Picker};
use crate::tui::overlay::Modal;
use crate::tui::theme::Role;

/// A popup `w` wide and `h` high, centred in `area` and never larger than it.
fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn hints_line(app: &App, cols: usize) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    let mut used = 0;
    for (keys, hint) in app.keymap.hints(app.context(), t.ascii, false) {
        let w = width(&keys) + width(hint) + 3;
        if used + w > cols {
            break;
        }
        used += w;
        spans.push(Span::styled(keys, t.style(Role::Key)));
        spans.push(Span::styled(format!(" {hint}  "), t.style(Role::Muted)));
    }
    Line::from(spans)
}

/// The editing layer, if one is open: a picker, a form (with the conflict question over it),
/// or a confirmation.
pub fn draw(frame: &mut Frame, app: &App, body: Rect) {
    match &app.overlay.modal {
        Some(Modal::Picker(picker)) => draw_picker(frame, app, body, picker),
        Some(Modal::Form(form)) => draw_form(frame, app, body, form),
        Some(Modal::Conflict(form)) => {
            draw_form(frame, app, body, form);
            draw_question(
                frame,
                app,
                body,
                " handoff.yaml changed ",
                "handoff.yaml changed on disk while this form was open. Reload it and drop the form (r), or keep the form and apply it to the file as it is now (k)?",
            );
        }
        Some(Modal::Confirm(confirm)) => {
            draw_question(frame, app, body, " Confirm ", &confirm.question)
        }
        _ => {}
    }
}

fn draw_picker(frame: &mut Frame, app: &App, body: Rect, picker: &Picker) {
    let t = &app.theme;
    let w = 70.min(body.width);
    let inner_w = w.saturating_sub(2) as usize;
    let reason = picker
        .items
        .get(picker.selected)
        .and_then(|i| i.refused.clone());
    let reason_lines = reason
        .as_deref()
        .map(|r| wrap(&sanitize(r), inner_w, 2))
        .unwrap_or_default();
    let h = (picker.items.len() + 4 + reason_lines.len()) as u16;
    let area = popup(body, w, h.max(6));
    super::overlay(frame, area);
    let visible = (area.height as usize)
        .saturating_sub(4 + reason_lines.len())
        .max(1);
    let first = picker.selected.saturating_sub(visible - 1);
    let mut lines: Vec<Line> = Vec::new();
    for (i, item) in picker.items.iter().enumerate().skip(first).take(visible) {
        let selected = i == picker.selected;
        let mark = match (&item.refused, t.ascii) {
            (Some(_), false) => "✗ ",
            (Some(_), true) => "x ",
            (None, _) => "  ",
        };
        let style = match (selected, item.refused.is_some()) {
            (true, _) => t.style(Role::Selection),
            (false, true) => t.style(Role::Muted),
            (false, false) => Style::default(),
        };
        let text = truncate(&format!("{mark}{}", sanitize(&item.label)), inner_w);
        let pad = " ".repeat(inner_w.saturating_sub(width(&text)));
        lines.push(Line::styled(format!("{text}{pad}"), style));
    }
    for l in reason_lines {
        lines.push(Line::styled(l, t.style(Role::Warning)));
    }
    lines.push(Line::raw(""));
    lines.push(hints_line(app, inner_w));
    let block = super::block(
        app,
        Span::styled(
            format!(" {} ", sanitize(&picker.title)),
            t.style(Role::Title),
        ),
    );
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_form(frame: &mut Frame, app: &App, body: Rect, form: &Form) {
    let t = &app.theme;
    let w = 76.min(body.width);
    let inner_w = w.saturating_sub(2);
    let problem_lines = match &form.problem {
        Some(p) => wrap(&sanitize(p), inner_w as usize, 2),
        None => vec![format!("{} ready to commit", t.ok_glyph())],
    };
    let input_h = |multiline: bool| if multiline { 6 } else { 3 };
    let inputs_h: u16 = form.inputs.iter().map(|i| input_h(i.multiline) + 1).sum();
    let h = inputs_h + problem_lines.len() as u16 + 4;
    let area = popup(body, w, h);
    super::overlay(frame, area);
    let block = super::block(
        app,
        Span::styled(format!(" {} ", sanitize(&form.title)), t.style(Role::Title)),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut y = inner.y;
    for (i, input) in form.inputs.iter().enumerate() {
        let h = input_h(input.multiline);
        if y + h > inner.bottom() {
            break;
        }
        let focused = i == form.focus;
        let mut text = input.text.clone();
        let border = if focused {
            t.style(Role::Key)
        } else {
            t.style(Role::Border)
        };
        text.set_block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(Span::styled(
                    format!(" {} ", input.label),
                    if focused {
                        t.style(Role::Title)
                    } else {
                        t.style(Role::Muted)
                    },
                )),
        );
        text.set_cursor_line_style(Style::default());
        text.set_cursor_style(if focused {
            t.style(Role::Cursor)
        } else {
            Style::default()
        });
        frame.render_widget(&text, Rect::new(inner.x, y, inner.width, h));
        y += h;
        let hint = truncate(
            &format!("  {}", sanitize(&input.hint)),
            inner.width as usize,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(hint, t.style(Role::Muted))),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    let problem_style = if form.problem.is_some() {
        t.style(Role::Error)
    } else {
        t.style(Role::Ok)
    };
    for line in problem_lines {
        if y >= inner.bottom() {
            break;
        }
        frame.render_widget(
            Paragraph::new(Line::styled(line, problem_style)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    let last = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    frame.render_widget(Paragraph::new(hints_line(app, inner.width as usize)), last);
}

fn draw_question(frame: &mut Frame, app: &App, body: Rect, title: &str, question: &str) {
    let t = &app.theme;
    let w = 64.min(body.width);
    let lines = wrap(&sanitize(question), w.saturating_sub(2) as usize, 0);
    let area = popup(body, w, lines.len() as u16 + 4);
    super::overlay(frame, area);
    let mut text: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    text.push(Line::raw(""));
    text.push(hints_line(app, w.saturating_sub(2) as usize));
    let block = super::block(app, Span::styled(title.to_string(), t.style(Role::Title)));
    frame.render_widget(Paragraph::new(text).block(block), area);
}
