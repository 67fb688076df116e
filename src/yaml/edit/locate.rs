//! Where things are in the text: the real ends of nodes and entries, colons and dashes, and
//! the layouts handoff refuses to edit through (aliases, decorated empty values).

use super::{EditError, Source};
use crate::yaml::{Entry, Node, Style, Value};

/// Where a node's last real token ends: scalars and flow collections end with their span; a
/// block collection ends with its last child; a block scalar with its last content line.
pub(crate) fn node_end(src: &Source, node: &Node) -> usize {
    match &node.value {
        _ if node.from_alias => node.span.end.offset,
        Value::Scalar {
            style: Style::Literal | Style::Folded,
            ..
        } => block_scalar_end(src, node),
        Value::Scalar { .. } => node.span.end.offset,
        Value::Seq { flow: true, .. } | Value::Map { flow: true, .. } => node.span.end.offset,
        Value::Seq { items, .. } => items
            .last()
            .map_or(node.span.end.offset, |i| node_end(src, i)),
        Value::Map { entries, .. } => entries
            .last()
            .map_or(node.span.end.offset, |e| entry_end(src, e)),
    }
}

/// Where an entry ends: its value's end, or just after its colon when the value is empty.
pub(crate) fn entry_end(src: &Source, entry: &Entry) -> usize {
    let after_colon = colon_of(src, entry).map_or(entry.key.span.end.offset, |c| c + 1);
    node_end(src, &entry.value).max(after_colon)
}

/// The end of a block scalar's last content line. The parser's span runs on to the next
/// token, over trailing blank lines and comments that are not part of the scalar. A line of
/// only white space reaching past the content's indentation is content (folded `>` keeps it
/// as a space and a line break): text added after the scalar must go below it.
fn block_scalar_end(src: &Source, node: &Node) -> usize {
    let start = node.span.start.offset;
    let limit = node.span.end.offset.max(start);
    let content_indent = src.column(start);
    let mut end = start;
    let mut line = src.line_start(start);
    while line < limit {
        let white_content = src.is_blank_line(line)
            && src.line(line).trim_end_matches(['\r', '\n']).len() > content_indent;
        if white_content {
            end = src.line_end(line);
        } else if !src.is_blank_line(line) {
            if line > start && src.indent_of_line(line) < content_indent {
                break;
            }
            end = src.line_end(line);
        }
        let next = src.next_line_start(line);
        if next == line {
            break;
        }
        line = next;
    }
    end
}

/// The position of the `:` after an entry's key.
pub(super) fn colon_of(src: &Source, entry: &Entry) -> Option<usize> {
    let bytes = src.bytes();
    let mut i = entry.key.span.end.offset;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    (i < bytes.len() && bytes[i] == b':').then_some(i)
}

pub(super) fn colon_or_unsupported(src: &Source, entry: &Entry) -> Result<usize, EditError> {
    colon_of(src, entry).ok_or_else(|| EditError::Unsupported {
        line: entry.key.span.start.line,
        what: format!("the key `{}`", key_text(entry)),
        why: "its `:` does not follow the key on the same line".into(),
    })
}

pub(super) fn key_text(entry: &Entry) -> &str {
    entry.key.as_scalar().unwrap_or("?")
}

/// An empty value written as nothing at all (`key:`), whose span the parser puts at the colon.
pub(super) fn is_empty_null(node: &Node) -> bool {
    node.is_null() && node.span.start.offset == node.span.end.offset
}

/// Refuses an empty value with something written between it and its key's colon: a tag or an
/// anchor (`key: !tag`, `key: &a`, possibly on the next line), which the parser places after
/// itself. Text put at the colon would land before it; what it means is not ours to guess.
pub(super) fn refuse_decorated_empty(
    src: &Source,
    colon: usize,
    entry: &Entry,
) -> Result<(), EditError> {
    let between = src
        .text
        .get(colon + 1..entry.value.span.start.offset.max(colon + 1));
    let decorated = between.is_some_and(|text| {
        text.lines().any(|line| {
            let code = &line[..line.len() - comment_part(line).len()];
            !code.trim().is_empty()
        })
    });
    if decorated {
        return Err(EditError::Unsupported {
            line: entry.key.span.start.line,
            what: format!("the value of `{}`", key_text(entry)),
            why: "it is an empty value with a tag or an anchor".into(),
        });
    }
    Ok(())
}

/// The comment at the end of a piece of a line, with the spaces before it; `""` if none.
pub(super) fn comment_part(text: &str) -> &str {
    let bytes = text.as_bytes();
    let hash = (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1] == b' '));
    match hash {
        Some(i) => {
            let start = text[..i].trim_end_matches(' ').len();
            &text[start..]
        }
        None => "",
    }
}

pub(super) fn is_block_collection(node: &Node) -> bool {
    matches!(
        node.value,
        Value::Seq { flow: false, .. } | Value::Map { flow: false, .. }
    )
}

/// The `-` introducing a block sequence item.
pub(super) fn dash_of(src: &Source, item: &Node) -> Result<usize, EditError> {
    let bytes = src.bytes();
    let mut i = item.span.start.offset;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i > 0 && bytes[i - 1] == b'-' && src.starts_line(i - 1) {
        Ok(i - 1)
    } else {
        Err(EditError::Unsupported {
            line: item.span.start.line,
            what: "this list item".into(),
            why: "its `-` is not the first thing on its line".into(),
        })
    }
}

pub(super) fn find_entry<'n>(map: &'n Node, key: &str) -> Option<&'n Entry> {
    map.as_map()?
        .iter()
        .find(|e| e.key.as_scalar() == Some(key))
}

pub(super) fn refuse_alias(node: &Node, what: impl FnOnce() -> String) -> Result<(), EditError> {
    if node.from_alias {
        Err(EditError::Alias {
            line: node.span.start.line,
            what: what(),
        })
    } else {
        Ok(())
    }
}
