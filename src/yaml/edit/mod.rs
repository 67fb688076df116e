//! Surgical edits: new text spliced into the original bytes, so that comments, key order,
//! quoting and blank lines outside the edit stay byte-for-byte.
//!
//! Every operation here looks at the text and the [`Node`](crate::yaml::Node) tree parsed from
//! it and returns one [`Splice`]: a byte range of the original and the text that replaces it.
//! Nothing outside that range changes. The operations know YAML's layouts (block and flow
//! collections, indentless sequences, quoted and block scalars, trailing comments, CRLF) but
//! nothing of handoff's schema; `core::edit` maps index edits onto them and checks every
//! result by loading it again.
//!
//! Node spans from the parser are exact for scalars and flow collections. Block collections
//! and block scalars (`|`, `>`) end where the next token starts, which can be several comment
//! lines later, so ends are recomputed here from the last real token ([`node_end`]).
//!
//! By concern: `render` writes new values, `locate` finds ends, colons and dashes, `layout`
//! learns the document's style, `entries` edits mappings, `lists` lists of scalars, `items`
//! sequences of mappings, and `removal` takes whole lines out.

mod entries;
mod items;
mod layout;
mod lists;
mod locate;
mod removal;
mod render;

use std::ops::Range;

pub(crate) use entries::{map_append, remove_entry, replace_value, set_entry};
pub(crate) use items::{seq_append_map, seq_remove};
pub(crate) use lists::{list_push, list_remove};
pub(crate) use locate::entry_end;
pub use render::scalar;

/// One replacement of a byte range of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Splice {
    pub range: Range<usize>,
    pub text: String,
}

impl Splice {
    fn insert(at: usize, text: String) -> Splice {
        Splice {
            range: at..at,
            text,
        }
    }

    fn replace(range: Range<usize>, text: String) -> Splice {
        Splice { range, text }
    }

    /// The source with the range replaced.
    pub fn apply(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len() + self.text.len());
        out.push_str(&source[..self.range.start]);
        out.push_str(&self.text);
        out.push_str(&source[self.range.end..]);
        out
    }

    /// The one splice that turns `old` into `new`: what lies between their common prefix
    /// and their common suffix (on character boundaries).
    pub(crate) fn between(old: &str, new: &str) -> Splice {
        let prefix = old
            .char_indices()
            .zip(new.chars())
            .find(|((_, a), b)| a != b)
            .map(|((i, _), _)| i)
            .unwrap_or(old.len().min(new.len()));
        let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
        let suffix = old_rest
            .chars()
            .rev()
            .zip(new_rest.chars().rev())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum::<usize>();
        Splice {
            range: prefix..old.len() - suffix,
            text: new[prefix..new.len() - suffix].to_string(),
        }
    }

    /// The same splice for a text that has `by` more bytes in front (a byte-order mark).
    pub(crate) fn shifted(self, by: usize) -> Splice {
        Splice {
            range: self.range.start + by..self.range.end + by,
            text: self.text,
        }
    }
}

/// Why a structure cannot be edited in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error(
        "line {line}: {what} is an alias (`*name`) of a value defined elsewhere; handoff does not edit through aliases, so edit it by hand"
    )]
    Alias { line: usize, what: String },
    #[error(
        "line {line}: {what} is written in a form handoff does not edit ({why}); edit it by hand"
    )]
    Unsupported {
        line: usize,
        what: String,
        why: String,
    },
}

/// A value to write: scalars are given as their text and written with [`scalar`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NewValue {
    Scalar(String),
    List(Vec<String>),
    Map(Vec<(String, NewValue)>),
}

/// How new block content is laid out, learnt from the document ([`Layout::detect_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Columns a nested block mapping is indented by.
    pub indent: usize,
    /// Columns a block sequence's `-` is indented by relative to its key (0: indentless).
    pub seq_indent: usize,
    /// Lists of scalars written as `[a, b]` rather than as `- a` lines.
    pub flow_lists: bool,
    /// Nested mappings written as `{ k: v }` rather than as indented lines.
    pub flow_maps: bool,
    /// `[ a, b ]` rather than `[a, b]`.
    pub padded_lists: bool,
    /// `{ k: v }` rather than `{k: v}`.
    pub padded_maps: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            indent: 2,
            seq_indent: 2,
            flow_lists: true,
            flow_maps: true,
            padded_lists: false,
            padded_maps: true,
        }
    }
}

/// The text being edited, with the line ending it uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'t> {
    pub text: &'t str,
    /// `"\r\n"` when the first line ends so, else `"\n"`: new lines use the file's convention.
    pub eol: &'static str,
}

impl<'t> Source<'t> {
    pub fn new(text: &'t str) -> Source<'t> {
        let eol = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Source { text, eol }
    }

    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The start of the line holding `pos`.
    pub fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The end of the content of the line holding `pos`: before its `\r\n` or `\n`, or the end
    /// of the text.
    pub(crate) fn line_end(&self, pos: usize) -> usize {
        match self.text[pos..].find('\n') {
            Some(i) => {
                let nl = pos + i;
                if nl > 0 && self.bytes()[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                }
            }
            None => self.text.len(),
        }
    }

    /// The start of the line after the one holding `pos` (the end of the text for the last).
    pub(crate) fn next_line_start(&self, pos: usize) -> usize {
        match self.text[pos..].find('\n') {
            Some(i) => pos + i + 1,
            None => self.text.len(),
        }
    }

    /// The start of the line before the one starting at `line_start`, if any.
    fn previous_line_start(&self, line_start: usize) -> Option<usize> {
        (line_start > 0).then(|| self.line_start(line_start - 1))
    }

    /// The column (in bytes) of `pos` within its line.
    pub fn column(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    fn line(&self, line_start: usize) -> &'t str {
        &self.text[line_start..self.line_end(line_start)]
    }

    fn is_blank_line(&self, line_start: usize) -> bool {
        self.line(line_start).trim().is_empty()
    }

    fn is_comment_line(&self, line_start: usize) -> bool {
        self.line(line_start).trim_start().starts_with('#')
    }

    fn indent_of_line(&self, line_start: usize) -> usize {
        let line = self.line(line_start);
        line.len() - line.trim_start_matches(' ').len()
    }

    /// Whether only spaces precede `pos` on its line.
    fn starts_line(&self, pos: usize) -> bool {
        self.text[self.line_start(pos)..pos]
            .bytes()
            .all(|b| b == b' ')
    }

    /// Text that inserts `lines` as whole new lines after the line holding `pos`, with the
    /// position to insert it at.
    fn lines_after(&self, pos: usize, lines: &[String]) -> Splice {
        let end = self.line_end(pos);
        let body = lines.join(self.eol);
        if end < self.text.len() {
            Splice::insert(self.next_line_start(pos), format!("{body}{}", self.eol))
        } else if end == self.line_start(end) {
            // The text ends with a line ending (or is empty).
            Splice::insert(end, format!("{body}{}", self.eol))
        } else {
            // The last line has no line ending: keep it that way after the new lines.
            Splice::insert(end, format!("{}{body}", self.eol))
        }
    }
}

#[cfg(test)]
mod tests;
