//! Entries of mappings: set (replace in place or insert in the conventional order), remove,
//! append under a section.

use super::layout::style_of;
use super::locate::{
    colon_of, colon_or_unsupported, comment_part, dash_of, entry_end, find_entry,
    is_block_collection, is_empty_null, key_text, node_end, refuse_alias, refuse_decorated_empty,
};
use super::removal::{
    attached_comments_start, flow_removal, with_separators, without_final_newline,
};
use super::render::{block_lines, entry_lines, fits_on_key_line, render_flow, scalar};
use super::{EditError, Layout, NewValue, Source, Splice};
use crate::yaml::{Entry, Node, Style, Value};

/// Sets `key` of the mapping `map` to `value`: replaces the value in place when the key is
/// there, else inserts a new entry. `order` is the conventional key order: a new key goes
/// after the last existing key that comes before it there.
pub(crate) fn set_entry(
    src: &Source,
    map: &Node,
    key: &str,
    value: &NewValue,
    layout: &Layout,
    order: &[&str],
) -> Result<Splice, EditError> {
    refuse_alias(map, || format!("the mapping holding `{key}`"))?;
    match find_entry(map, key) {
        Some(entry) => replace_value(src, entry, value, layout),
        None => insert_entry(src, map, key, value, layout, order),
    }
}

/// Replaces the value of an existing entry. A list or mapping keeps the style of the value it
/// replaces (flow stays flow, block stays block at the same indentation); an empty value takes
/// the document's `layout`.
pub(crate) fn replace_value(
    src: &Source,
    entry: &Entry,
    value: &NewValue,
    layout: &Layout,
) -> Result<Splice, EditError> {
    let node = &entry.value;
    refuse_alias(node, || format!("the value of `{}`", key_text(entry)))?;
    let colon = colon_or_unsupported(src, entry)?;
    let key_col = src.column(entry.key.span.start.offset);
    let layout = &style_of(src, node, layout);
    let flat = fits_on_key_line(value, layout);
    let block_scalar = matches!(
        node.value,
        Value::Scalar {
            style: Style::Literal | Style::Folded,
            ..
        }
    );

    // A value that stays on the key's line replaces the old value's text exactly.
    if flat && !is_block_collection(node) && !block_scalar {
        let text = render_flow(value, layout);
        return Ok(if is_empty_null(node) {
            refuse_decorated_empty(src, colon, entry)?;
            Splice::insert(colon + 1, format!(" {text}"))
        } else {
            Splice::replace(node.span.range(), text)
        });
    }

    // Block lists stay block lists: their item lines are rewritten at the same indentation.
    if let (Value::Seq { items, flow: false }, NewValue::List(new_items)) = (&node.value, value)
        && let (Some(first), false) = (items.first(), new_items.is_empty())
    {
        let first_dash = dash_of(src, first)?;
        let pad = " ".repeat(src.column(first_dash));
        let lines: Vec<String> = new_items
            .iter()
            .map(|s| format!("{pad}- {}", scalar(s)))
            .collect();
        let end = src.line_end(node_end(src, node));
        return Ok(Splice::replace(
            src.line_start(first_dash)..end,
            lines.join(src.eol),
        ));
    }

    if !flat && (is_empty_null(node) || node.is_null()) {
        return lines_under(src, entry, &block_lines(value, key_col, layout));
    }

    // The old value spans lines (a block collection or block scalar), or the new one does:
    // everything from the colon to the old value's last line is rewritten. A comment on the
    // key's line stays; the `|`/`>` indicator of a block scalar goes.
    let key_line_end = src.line_end(colon);
    let old_end = node_end(src, node).max(colon + 1);
    let (end, kept) = if old_end > key_line_end {
        (
            src.line_end(old_end),
            comment_part(&src.text[colon + 1..key_line_end]),
        )
    } else {
        (key_line_end, comment_part(&src.text[old_end..key_line_end]))
    };
    let text = if flat {
        format!(" {}{kept}", render_flow(value, layout))
    } else {
        let lines = block_lines(value, key_col, layout);
        format!("{kept}{}{}", src.eol, lines.join(src.eol))
    };
    Ok(Splice::replace(colon + 1..end, text))
}

/// Puts `lines` under an entry whose value is empty (`key:`, `key: ~`), keeping a comment on
/// the key's line.
pub(super) fn lines_under(
    src: &Source,
    entry: &Entry,
    lines: &[String],
) -> Result<Splice, EditError> {
    let colon = colon_or_unsupported(src, entry)?;
    let key_line_end = src.line_end(colon);
    let body = format!("{}{}", src.eol, lines.join(src.eol));
    if is_empty_null(&entry.value) {
        refuse_decorated_empty(src, colon, entry)?;
        Ok(Splice::insert(key_line_end, body))
    } else {
        let kept = comment_part(&src.text[entry.value.span.end.offset..key_line_end]);
        Ok(Splice::replace(
            colon + 1..key_line_end,
            format!("{kept}{body}"),
        ))
    }
}

/// Inserts a new entry into a mapping (block or flow).
fn insert_entry(
    src: &Source,
    map: &Node,
    key: &str,
    value: &NewValue,
    layout: &Layout,
    order: &[&str],
) -> Result<Splice, EditError> {
    let Some(entries) = map.as_map() else {
        return Err(EditError::Unsupported {
            line: map.span.start.line,
            what: format!("the place for `{key}`"),
            why: format!("it is {}, not a mapping", map.describe()),
        });
    };
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(usize::MAX);
    let new_rank = rank(key);
    let after = entries
        .iter()
        .rposition(|e| e.key.as_scalar().is_some_and(|k| rank(k) < new_rank));
    let flow = matches!(map.value, Value::Map { flow: true, .. });

    if flow {
        let text = format!("{}: {}", scalar(key), render_flow(value, layout));
        return Ok(match (entries.is_empty(), after) {
            (true, _) => {
                let padded = layout.padded_maps;
                let body = if padded {
                    format!("{{ {text} }}")
                } else {
                    format!("{{{text}}}")
                };
                Splice::replace(map.span.range(), body)
            }
            (false, Some(i)) => Splice::insert(entry_end(src, &entries[i]), format!(", {text}")),
            (false, None) if new_rank != usize::MAX => {
                Splice::insert(entries[0].key.span.start.offset, format!("{text}, "))
            }
            (false, None) => Splice::insert(
                entry_end(src, entries.last().expect("not empty")),
                format!(", {text}"),
            ),
        });
    }

    let Some(first) = entries.first() else {
        return Err(EditError::Unsupported {
            line: map.span.start.line,
            what: format!("the place for `{key}`"),
            why: "an empty block mapping".into(),
        });
    };
    let first_key = first.key.span.start.offset;
    let key_col = src.column(first_key);
    let mut lines = entry_lines(key, value, key_col, layout);
    if let Some(aligned) = aligned_value_column(src, entries)
        && lines.len() == 1
        && fits_on_key_line(value, layout)
    {
        let head = format!("{}{}:", " ".repeat(key_col), scalar(key));
        if head.len() < aligned {
            lines[0] = format!(
                "{head}{}{}",
                " ".repeat(aligned - head.len()),
                render_flow(value, layout)
            );
        }
    }
    match after {
        None if src.starts_line(first_key) && new_rank != usize::MAX => {
            let at = src.line_start(first_key);
            Ok(Splice::insert(
                at,
                format!("{}{}", lines.join(src.eol), src.eol),
            ))
        }
        Some(i) => Ok(src.lines_after(after_trailing_comments(src, &entries[i], key_col), &lines)),
        None => {
            let last = entries.last().expect("not empty");
            Ok(src.lines_after(after_trailing_comments(src, last, key_col), &lines))
        }
    }
}

/// The end of an entry, moved past comment lines indented deeper than the mapping's keys
/// that directly follow it: they belong to the entry's value, not to what comes next.
pub(super) fn after_trailing_comments(src: &Source, entry: &Entry, key_col: usize) -> usize {
    let mut end = entry_end(src, entry);
    loop {
        let next = src.next_line_start(end);
        if next >= src.text.len() || next == src.line_start(end) {
            return end;
        }
        if src.is_comment_line(next) && src.indent_of_line(next) > key_col {
            end = src.line_end(next);
        } else {
            return end;
        }
    }
}

/// The column all values of a block mapping start at, when their authors aligned them
/// (`pm:      { ... }` / `ai-eng:  { ... }`).
fn aligned_value_column(src: &Source, entries: &[Entry]) -> Option<usize> {
    if entries.len() < 2 {
        return None;
    }
    let mut column = None;
    let mut padded = false;
    for e in entries {
        let v = &e.value;
        if is_empty_null(v) || v.span.start.line != e.key.span.start.line {
            return None;
        }
        let col = src.column(v.span.start.offset);
        let colon = colon_of(src, e)?;
        padded |= v.span.start.offset > colon + 2;
        match column {
            None => column = Some(col),
            Some(c) if c != col => return None,
            Some(_) => {}
        }
    }
    column.filter(|_| padded)
}

/// Removes the entry `key` from a mapping. In a block mapping its whole lines go (with the
/// comment lines directly above it when `with_comments`); in a flow mapping the entry and one
/// comma.
pub(crate) fn remove_entry(
    src: &Source,
    map: &Node,
    key: &str,
    with_comments: bool,
) -> Result<Option<Splice>, EditError> {
    refuse_alias(map, || format!("the mapping holding `{key}`"))?;
    let Some(entries) = map.as_map() else {
        return Ok(None);
    };
    let Some(i) = entries.iter().position(|e| e.key.as_scalar() == Some(key)) else {
        return Ok(None);
    };
    let entry = &entries[i];
    let start = entry.key.span.start.offset;
    let end = entry_end(src, entry);
    if matches!(map.value, Value::Map { flow: true, .. }) {
        return Ok(Some(flow_removal(
            entries.get(i + 1).map(|e| e.key.span.start.offset),
            i.checked_sub(1).map(|p| entry_end(src, &entries[p])),
            start..end,
        )));
    }
    if !src.starts_line(start) {
        // `- key: value` opens a sequence item: the next entry moves up onto the `- ` line.
        let Some(next) = entries.get(i + 1) else {
            return Err(EditError::Unsupported {
                line: entry.key.span.start.line,
                what: format!("`{key}`"),
                why: "it is the only key of its list item".into(),
            });
        };
        return Ok(Some(Splice::replace(
            start..next.key.span.start.offset,
            String::new(),
        )));
    }
    let key_col = src.column(start);
    let first_line = if with_comments {
        attached_comments_start(src, src.line_start(start), key_col)
    } else {
        src.line_start(start)
    };
    let last = after_trailing_comments(src, entry, key_col);
    let (start, end) = if with_comments {
        with_separators(
            src,
            first_line..src.next_line_start(last),
            i > 0,
            i + 1 < entries.len(),
        )
    } else {
        let end = src.next_line_start(last);
        (without_final_newline(src, first_line, end), end)
    };
    Ok(Some(Splice::replace(start..end, String::new())))
}

/// Appends an entry to a mapping under `key` of `map` (a role under `roles:`), creating the
/// key at the end of `map` when it is absent.
pub(crate) fn map_append(
    src: &Source,
    map: &Node,
    key: &str,
    new_key: &str,
    value: &NewValue,
    layout: &Layout,
) -> Result<Splice, EditError> {
    let Some(entry) = find_entry(map, key) else {
        let key_col = map
            .as_map()
            .and_then(|e| e.first())
            .map_or(0, |e| src.column(e.key.span.start.offset));
        let mut lines = vec![format!("{}{}:", " ".repeat(key_col), scalar(key))];
        lines.extend(entry_lines(new_key, value, key_col + layout.indent, layout));
        let end = map
            .as_map()
            .and_then(|e| e.last())
            .map_or(0, |last| after_trailing_comments(src, last, key_col));
        return Ok(src.lines_after(end, &lines));
    };
    let node = &entry.value;
    if node.is_null() {
        let key_col = src.column(entry.key.span.start.offset);
        return lines_under(
            src,
            entry,
            &entry_lines(new_key, value, key_col + layout.indent, layout),
        );
    }
    insert_entry(src, node, new_key, value, layout, &[])
}
