//! Sequences of mappings (the artifacts): append an item in the style of the last, remove
//! one with its comments.

use super::entries::{after_trailing_comments, lines_under};
use super::locate::{dash_of, find_entry, node_end, refuse_alias};
use super::removal::{attached_comments_start, flow_removal, with_separators};
use super::render::{entry_lines, render_flow, scalar};
use super::{EditError, Layout, NewValue, Source, Splice};
use crate::yaml::{Node, Value};

/// Appends a mapping as a new item of the sequence under `key` of `map`, in the style of the
/// items already there; creates the key at the end of `map` when it is absent.
pub(crate) fn seq_append_map(
    src: &Source,
    map: &Node,
    key: &str,
    new_item: &[(String, NewValue)],
    layout: &Layout,
) -> Result<Splice, EditError> {
    let new_map = NewValue::Map(new_item.to_vec());
    let Some(entry) = find_entry(map, key) else {
        let key_col = map
            .as_map()
            .and_then(|e| e.first())
            .map_or(0, |e| src.column(e.key.span.start.offset));
        let mut lines = vec![format!("{}{}:", " ".repeat(key_col), scalar(key))];
        lines.extend(block_item_lines(
            new_item,
            key_col + layout.seq_indent,
            2,
            layout,
        ));
        let end = map
            .as_map()
            .and_then(|e| e.last())
            .map_or(0, |last| after_trailing_comments(src, last, key_col));
        return Ok(src.lines_after(end, &lines));
    };
    let node = &entry.value;
    refuse_alias(node, || format!("the list `{key}`"))?;
    let key_col = src.column(entry.key.span.start.offset);
    match &node.value {
        Value::Seq { items, flow: true } => match items.last() {
            None => Ok(Splice::replace(
                node.span.range(),
                format!("[{}]", render_flow(&new_map, layout)),
            )),
            Some(last) => Ok(Splice::insert(
                node_end(src, last),
                format!(", {}", render_flow(&new_map, layout)),
            )),
        },
        Value::Seq { items, flow: false } => {
            let last = items.last().expect("block sequences have items");
            let dash = dash_of(src, last)?;
            let dash_col = src.column(dash);
            let mut lines = Vec::new();
            if items.len() >= 2 && blank_line_between(src, &items[items.len() - 2], last)? {
                lines.push(String::new());
            }
            if matches!(last.value, Value::Map { flow: true, .. }) {
                lines.push(format!(
                    "{}- {}",
                    " ".repeat(dash_col),
                    render_flow(&new_map, layout)
                ));
            } else {
                let gap = match &last.value {
                    Value::Map { entries, .. } if !entries.is_empty() => {
                        src.column(entries[0].key.span.start.offset) - dash_col
                    }
                    _ => 2,
                };
                lines.extend(block_item_lines(new_item, dash_col, gap, layout));
            }
            let end = after_trailing_comments_of_item(src, last, dash_col);
            Ok(src.lines_after(end, &lines))
        }
        _ if node.is_null() => lines_under(
            src,
            entry,
            &block_item_lines(new_item, key_col + layout.seq_indent, 2, layout),
        ),
        _ => Err(EditError::Unsupported {
            line: node.span.start.line,
            what: format!("`{key}`"),
            why: format!("it is {}, not a list", node.describe()),
        }),
    }
}

/// A block mapping as a sequence item: `- first: v` then the other keys under it.
fn block_item_lines(
    entries: &[(String, NewValue)],
    dash_col: usize,
    gap: usize,
    layout: &Layout,
) -> Vec<String> {
    let key_col = dash_col + gap.max(2);
    let mut lines = Vec::new();
    for (n, (k, v)) in entries.iter().enumerate() {
        let mut entry = entry_lines(k, v, key_col, layout);
        if n == 0 {
            let first = entry[0].split_off(key_col);
            entry[0] = format!(
                "{}-{}{first}",
                " ".repeat(dash_col),
                " ".repeat(key_col - dash_col - 1)
            );
        }
        lines.extend(entry);
    }
    lines
}

fn blank_line_between(src: &Source, a: &Node, b: &Node) -> Result<bool, EditError> {
    let end = node_end(src, a);
    let dash = dash_of(src, b)?;
    let mut line = src.next_line_start(end);
    while line < src.line_start(dash) {
        if src.is_blank_line(line) {
            return Ok(true);
        }
        line = src.next_line_start(line);
    }
    Ok(false)
}

fn after_trailing_comments_of_item(src: &Source, item: &Node, dash_col: usize) -> usize {
    let mut end = node_end(src, item);
    loop {
        let next = src.next_line_start(end);
        if next >= src.text.len() || next == src.line_start(end) {
            return end;
        }
        if src.is_comment_line(next) && src.indent_of_line(next) > dash_col {
            end = src.line_end(next);
        } else {
            return end;
        }
    }
}

/// Removes item `position` of a sequence. A block item goes with its lines and the comment
/// lines directly above it; a blank line that separated it from its neighbours goes too.
pub(crate) fn seq_remove(src: &Source, seq: &Node, position: usize) -> Result<Splice, EditError> {
    refuse_alias(seq, || "the list".into())?;
    let items = seq.as_seq().unwrap_or_default();
    let Some(item) = items.get(position) else {
        return Err(EditError::Unsupported {
            line: seq.span.start.line,
            what: "the list".into(),
            why: format!("it has no item {}", position + 1),
        });
    };
    if matches!(seq.value, Value::Seq { flow: true, .. }) {
        return Ok(flow_removal(
            items.get(position + 1).map(|n| n.span.start.offset),
            position.checked_sub(1).map(|p| node_end(src, &items[p])),
            item.span.start.offset..node_end(src, item),
        ));
    }
    let dash = dash_of(src, item)?;
    let dash_col = src.column(dash);
    let start = attached_comments_start(src, src.line_start(dash), dash_col);
    let end = src.next_line_start(after_trailing_comments_of_item(src, item, dash_col));
    let (start, end) = with_separators(src, start..end, position > 0, position + 1 < items.len());
    Ok(Splice::replace(start..end, String::new()))
}
