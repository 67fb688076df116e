//! Removing whole lines, or one item of a flow collection, so that what is left reads as if
//! the removed part had never been written.

use std::ops::Range;

use super::{Source, Splice};

/// The removal of one item of a flow collection with one adjacent comma: up to the next
/// item when there is one, else from the end of the previous one.
pub(super) fn flow_removal(
    next_start: Option<usize>,
    previous_end: Option<usize>,
    item: Range<usize>,
) -> Splice {
    match (next_start, previous_end) {
        (Some(next), _) => Splice::replace(item.start..next, String::new()),
        (None, Some(prev)) => Splice::replace(prev..item.end, String::new()),
        (None, None) => Splice::replace(item, String::new()),
    }
}

/// The first of the comment lines directly above `line` (no blank line between), indented no
/// deeper than `col`; `line` itself when there are none.
pub(super) fn attached_comments_start(src: &Source, line: usize, col: usize) -> usize {
    let mut first = line;
    while let Some(prev) = src.previous_line_start(first) {
        if src.is_comment_line(prev) && src.indent_of_line(prev) <= col {
            first = prev;
        } else {
            break;
        }
    }
    first
}

/// Widens the removal of whole lines (an item, an entry) over the blank lines that separated
/// them from their neighbours, so that one blank line still separates what is left, and
/// removing what an insertion added gives back the text from before it.
pub(super) fn with_separators(
    src: &Source,
    lines: Range<usize>,
    has_previous: bool,
    has_next: bool,
) -> (usize, usize) {
    let (mut start, mut end) = (lines.start, lines.end);
    let blank_before = src
        .previous_line_start(start)
        .is_some_and(|p| src.is_blank_line(p));
    if has_next && (blank_before || !has_previous) {
        while end < src.text.len() && src.is_blank_line(end) {
            end = src.next_line_start(end);
        }
    } else if !has_next && has_previous && blank_before {
        while let Some(p) = src
            .previous_line_start(start)
            .filter(|p| src.is_blank_line(*p))
        {
            start = p;
        }
    }
    (without_final_newline(src, start, end), end)
}

/// Where a removal of whole lines must start so that a text without a final line ending keeps
/// having none: when the removal runs to the end of such a text, the line ending before it goes
/// too.
pub(super) fn without_final_newline(src: &Source, start: usize, end: usize) -> usize {
    if end == src.text.len() && start > 0 && !src.text.ends_with('\n') {
        src.line_end(start - 1)
    } else {
        start
    }
}
