//! Surgical edits: new text spliced into the original bytes, so that comments, key order,
//! quoting and blank lines outside the edit stay byte-for-byte.
//!
//! Every operation here looks at the text and the [`Node`] tree parsed from it and returns one
//! [`Splice`]: a byte range of the original and the text that replaces it. Nothing outside that
//! range changes. The operations know YAML's layouts (block and flow collections, indentless
//! sequences, quoted and block scalars, trailing comments, CRLF) but nothing of handoff's
//! schema; `core::edit` maps index edits onto them and checks every result by
//! loading it again.
//!
//! Node spans from the parser are exact for scalars and flow collections. Block collections
//! and block scalars (`|`, `>`) end where the next token starts, which can be several comment
//! lines later, so ends are recomputed here from the last real token ([`node_end`]).

use std::ops::Range;

use super::{Entry, Node, Style, Value};

/// A scalar written so that any YAML reader reads back exactly `s`: plain when that is
/// unambiguous, double-quoted (with JSON escapes, which YAML shares) otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("strings serialise")
    }
}

/// Whether `s` reads back as itself when written plain, in block and in flow context alike,
/// by YAML 1.1 readers (PyYAML) as well as 1.2 ones.
fn is_plain_safe(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let safe_char = |i: usize| {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        match c {
            c if c.is_ascii_alphanumeric() => true,
            '@' | '.' | '_' | '+' | '-' | '/' | '(' | ')' | '\'' | '"' | '!' | '?' | '%' | '&'
            | '*' | '=' | '~' | '$' | '^' | ';' | '<' | '>' => true,
            ' ' => true,
            // `: ` starts a value and ` #` a comment; inside a word both are plain text.
            ':' => next.is_some_and(|n| n != ' '),
            '#' => prev.is_some_and(|p| p != ' '),
            c if !c.is_ascii() => {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
            }
            _ => false,
        }
    };
    // Indicators (`-`, `?`, `:`, `[`, `{`, `#`, `&`, `*`, `!`, `|`, `>`, quotes, `%`, `@`, `` ` ``)
    // cannot start a plain scalar.
    let starts_well = chars.first().is_some_and(|c| {
        c.is_alphanumeric()
            || matches!(c, '_' | '/' | '(' | '$' | '^' | '+' | '=' | ';')
            || (!c.is_ascii() && !c.is_whitespace())
    });
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | ':' | '+' | '-'))
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.starts_with('.');
    let spaced = s.starts_with(' ') || s.ends_with(' ') || s.contains("  ");
    !s.is_empty()
        && (0..chars.len()).all(safe_char)
        && starts_well
        && !keyword
        && !numeric
        && !spaced
}

/// One replacement of a byte range of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
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

    /// The same splice for a text that has `by` more bytes in front (a byte-order mark).
    pub fn shifted(self, by: usize) -> Splice {
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
pub enum NewValue {
    Scalar(String),
    List(Vec<String>),
    Map(Vec<(String, NewValue)>),
}

/// How new block content is laid out, learnt from the document ([`Layout::detect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
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
pub struct Source<'t> {
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
    pub fn line_end(&self, pos: usize) -> usize {
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
    pub fn next_line_start(&self, pos: usize) -> usize {
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

    /// 1-based line number of `pos`, for messages.
    pub fn line_number(&self, pos: usize) -> usize {
        self.text[..pos].matches('\n').count() + 1
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

/// Where a node's last real token ends: scalars and flow collections end with their span; a
/// block collection ends with its last child; a block scalar with its last content line.
pub fn node_end(src: &Source, node: &Node) -> usize {
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
pub fn entry_end(src: &Source, entry: &Entry) -> usize {
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
fn colon_of(src: &Source, entry: &Entry) -> Option<usize> {
    let bytes = src.bytes();
    let mut i = entry.key.span.end.offset;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    (i < bytes.len() && bytes[i] == b':').then_some(i)
}

fn colon_or_unsupported(src: &Source, entry: &Entry) -> Result<usize, EditError> {
    colon_of(src, entry).ok_or_else(|| EditError::Unsupported {
        line: entry.key.span.start.line,
        what: format!("the key `{}`", key_text(entry)),
        why: "its `:` does not follow the key on the same line".into(),
    })
}

fn key_text(entry: &Entry) -> &str {
    entry.key.as_scalar().unwrap_or("?")
}

/// An empty value written as nothing at all (`key:`), whose span the parser puts at the colon.
fn is_empty_null(node: &Node) -> bool {
    node.is_null() && node.span.start.offset == node.span.end.offset
}

/// Refuses an empty value with something written between it and its key's colon: a tag or an
/// anchor (`key: !tag`, `key: &a`, possibly on the next line), which the parser places after
/// itself. Text put at the colon would land before it; what it means is not ours to guess.
fn refuse_decorated_empty(src: &Source, colon: usize, entry: &Entry) -> Result<(), EditError> {
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

fn is_block_collection(node: &Node) -> bool {
    matches!(
        node.value,
        Value::Seq { flow: false, .. } | Value::Map { flow: false, .. }
    )
}

/// The `-` introducing a block sequence item.
fn dash_of(src: &Source, item: &Node) -> Result<usize, EditError> {
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

fn find_entry<'n>(map: &'n Node, key: &str) -> Option<&'n Entry> {
    map.as_map()?
        .iter()
        .find(|e| e.key.as_scalar() == Some(key))
}

fn refuse_alias(node: &Node, what: impl FnOnce() -> String) -> Result<(), EditError> {
    if node.from_alias {
        Err(EditError::Alias {
            line: node.span.start.line,
            what: what(),
        })
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering new values.

fn flow_list(items: &[String], padded: bool) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let inner = items
        .iter()
        .map(|s| scalar(s))
        .collect::<Vec<_>>()
        .join(", ");
    if padded {
        format!("[ {inner} ]")
    } else {
        format!("[{inner}]")
    }
}

/// A value in flow style, on one line.
pub fn render_flow(value: &NewValue, layout: &Layout) -> String {
    match value {
        NewValue::Scalar(s) => scalar(s),
        NewValue::List(items) => flow_list(items, layout.padded_lists),
        NewValue::Map(entries) if entries.is_empty() => "{}".into(),
        NewValue::Map(entries) => {
            let inner = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), render_flow(v, layout)))
                .collect::<Vec<_>>()
                .join(", ");
            if layout.padded_maps {
                format!("{{ {inner} }}")
            } else {
                format!("{{{inner}}}")
            }
        }
    }
}

/// Whether a value is written on the line of its key (`key: value`) in this layout.
fn fits_on_key_line(value: &NewValue, layout: &Layout) -> bool {
    match value {
        NewValue::Scalar(_) => true,
        NewValue::List(items) => layout.flow_lists || items.is_empty(),
        NewValue::Map(entries) => layout.flow_maps || entries.is_empty(),
    }
}

/// The lines under a key whose value does not fit on the key's line, for a key at `key_col`.
fn block_lines(value: &NewValue, key_col: usize, layout: &Layout) -> Vec<String> {
    match value {
        NewValue::Scalar(_) => Vec::new(),
        NewValue::List(items) => {
            let pad = " ".repeat(key_col + layout.seq_indent);
            items
                .iter()
                .map(|s| format!("{pad}- {}", scalar(s)))
                .collect()
        }
        NewValue::Map(entries) => entries
            .iter()
            .flat_map(|(k, v)| entry_lines(k, v, key_col + layout.indent, layout))
            .collect(),
    }
}

/// `key: value` as whole lines, the key at `key_col`.
pub fn entry_lines(key: &str, value: &NewValue, key_col: usize, layout: &Layout) -> Vec<String> {
    let pad = " ".repeat(key_col);
    if fits_on_key_line(value, layout) {
        vec![format!(
            "{pad}{}: {}",
            scalar(key),
            render_flow(value, layout)
        )]
    } else {
        let mut lines = vec![format!("{pad}{}:", scalar(key))];
        lines.extend(block_lines(value, key_col, layout));
        lines
    }
}

// ---------------------------------------------------------------------------------------------
// Layout detection.

impl Layout {
    /// The conventions the document already follows; the defaults where it shows none.
    pub fn detect(src: &Source, root: &Node) -> Layout {
        Layout::detect_in(src, root, None)
    }

    /// The conventions of `section` (the artifacts, the roles) where it shows them, else the
    /// document's, else the defaults: a file that writes roles one way and artifacts another
    /// gets new content in the style of its neighbours.
    pub fn detect_in(src: &Source, root: &Node, section: Option<&Node>) -> Layout {
        let mut whole = Seen::default();
        whole.visit(src, root);
        let mut near = Seen::default();
        if let Some(section) = section {
            near.visit(src, section);
        }
        let default = Layout::default();
        let lists = if near.flow_lists + near.block_lists > 0 {
            &near
        } else {
            &whole
        };
        Layout {
            indent: near.indent.or(whole.indent).unwrap_or(default.indent),
            seq_indent: near
                .seq_indent
                .or(whole.seq_indent)
                .unwrap_or(default.seq_indent),
            flow_lists: lists.flow_lists >= lists.block_lists,
            flow_maps: default.flow_maps,
            padded_lists: near
                .padded_lists
                .or(whole.padded_lists)
                .unwrap_or(default.padded_lists),
            padded_maps: near
                .padded_maps
                .or(whole.padded_maps)
                .unwrap_or(default.padded_maps),
        }
    }
}

#[derive(Default)]
struct Seen {
    indent: Option<usize>,
    seq_indent: Option<usize>,
    flow_lists: usize,
    block_lists: usize,
    padded_lists: Option<bool>,
    padded_maps: Option<bool>,
}

impl Seen {
    fn visit(&mut self, src: &Source, node: &Node) {
        if node.from_alias {
            return;
        }
        match &node.value {
            Value::Scalar { .. } => {}
            Value::Seq { items, flow } => {
                if *flow && !items.is_empty() && self.padded_lists.is_none() {
                    self.padded_lists = Some(padded_after_open(src, node));
                }
                if !items.is_empty() && items.iter().all(|i| i.as_scalar().is_some()) {
                    if *flow {
                        self.flow_lists += 1;
                    } else {
                        self.block_lists += 1;
                    }
                }
                items.iter().for_each(|i| self.visit(src, i));
            }
            Value::Map { entries, flow } => {
                if *flow && !entries.is_empty() && self.padded_maps.is_none() {
                    self.padded_maps = Some(padded_after_open(src, node));
                }
                for e in entries {
                    let key_col = src.column(e.key.span.start.offset);
                    match &e.value.value {
                        Value::Map {
                            entries: inner,
                            flow: false,
                        } if self.indent.is_none() && !inner.is_empty() => {
                            let child = src.column(inner[0].key.span.start.offset);
                            if child > key_col && src.starts_line(inner[0].key.span.start.offset) {
                                self.indent = Some(child - key_col);
                            }
                        }
                        Value::Seq { items, flow: false }
                            if self.seq_indent.is_none() && !items.is_empty() =>
                        {
                            if let Ok(dash) = dash_of(src, &items[0]) {
                                self.seq_indent = Some(src.column(dash).saturating_sub(key_col));
                            }
                        }
                        _ => {}
                    }
                    self.visit(src, &e.value);
                }
            }
        }
    }
}

fn padded_after_open(src: &Source, node: &Node) -> bool {
    src.bytes()
        .get(node.span.start.offset + 1)
        .is_some_and(|b| *b == b' ')
}

// ---------------------------------------------------------------------------------------------
// Mapping entries.

/// Sets `key` of the mapping `map` to `value`: replaces the value in place when the key is
/// there, else inserts a new entry. `order` is the conventional key order: a new key goes
/// after the last existing key that comes before it there.
pub fn set_entry(
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
pub fn replace_value(
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

/// The layout for a value replacing `old`: lists and mappings keep their style and padding.
fn style_of(src: &Source, old: &Node, layout: &Layout) -> Layout {
    let padded = padded_after_open(src, old);
    match &old.value {
        Value::Seq { flow: true, items } => Layout {
            flow_lists: true,
            padded_lists: if items.is_empty() {
                layout.padded_lists
            } else {
                padded
            },
            ..*layout
        },
        Value::Seq { flow: false, .. } => Layout {
            flow_lists: false,
            ..*layout
        },
        Value::Map {
            flow: true,
            entries,
        } => Layout {
            flow_maps: true,
            padded_maps: if entries.is_empty() {
                layout.padded_maps
            } else {
                padded
            },
            ..*layout
        },
        Value::Map { flow: false, .. } => Layout {
            flow_maps: false,
            ..*layout
        },
        Value::Scalar { .. } => *layout,
    }
}

/// The comment at the end of a piece of a line, with the spaces before it; `""` if none.
fn comment_part(text: &str) -> &str {
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

/// Puts `lines` under an entry whose value is empty (`key:`, `key: ~`), keeping a comment on
/// the key's line.
fn lines_under(src: &Source, entry: &Entry, lines: &[String]) -> Result<Splice, EditError> {
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
fn after_trailing_comments(src: &Source, entry: &Entry, key_col: usize) -> usize {
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
pub fn remove_entry(
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

/// The removal of one item of a flow collection with one adjacent comma: up to the next
/// item when there is one, else from the end of the previous one.
fn flow_removal(
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
fn attached_comments_start(src: &Source, line: usize, col: usize) -> usize {
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
fn with_separators(
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
fn without_final_newline(src: &Source, start: usize, end: usize) -> usize {
    if end == src.text.len() && start > 0 && !src.text.ends_with('\n') {
        src.line_end(start - 1)
    } else {
        start
    }
}

// ---------------------------------------------------------------------------------------------
// Lists of scalars under a key.

/// Adds `item` at the end of the list under `key`, creating the key when it is absent.
pub fn list_push(
    src: &Source,
    map: &Node,
    key: &str,
    item: &str,
    layout: &Layout,
    order: &[&str],
) -> Result<Splice, EditError> {
    let Some(entry) = find_entry(map, key) else {
        return set_entry(
            src,
            map,
            key,
            &NewValue::List(vec![item.into()]),
            layout,
            order,
        );
    };
    let node = &entry.value;
    refuse_alias(node, || format!("the list `{key}`"))?;
    match &node.value {
        Value::Seq { items, flow: true } => match items.last() {
            None => {
                let padded = src.text[node.span.range()].contains(' ');
                Ok(Splice::replace(
                    node.span.range(),
                    flow_list(&[item.to_string()], padded),
                ))
            }
            Some(last) => Ok(Splice::insert(
                node_end(src, last),
                format!(", {}", scalar(item)),
            )),
        },
        Value::Seq { items, flow: false } => {
            let last = items.last().expect("block sequences have items");
            let dash = dash_of(src, last)?;
            let line = format!("{}- {}", " ".repeat(src.column(dash)), scalar(item));
            Ok(src.lines_after(node_end(src, last), &[line]))
        }
        _ if node.is_null() => {
            replace_value(src, entry, &NewValue::List(vec![item.into()]), layout)
        }
        _ => Err(EditError::Unsupported {
            line: node.span.start.line,
            what: format!("`{key}`"),
            why: format!("it is {}, not a list", node.describe()),
        }),
    }
}

/// Removes the item at `position` from the list under `key`. The last item leaves `[]`.
pub fn list_remove(
    src: &Source,
    map: &Node,
    key: &str,
    position: usize,
) -> Result<Splice, EditError> {
    let entry = find_entry(map, key).ok_or_else(|| EditError::Unsupported {
        line: map.span.start.line,
        what: format!("`{key}`"),
        why: "the key is not there".into(),
    })?;
    let node = &entry.value;
    refuse_alias(node, || format!("the list `{key}`"))?;
    let items = node.as_seq().unwrap_or_default();
    let Some(item) = items.get(position) else {
        return Err(EditError::Unsupported {
            line: node.span.start.line,
            what: format!("`{key}`"),
            why: format!("it has no item {}", position + 1),
        });
    };
    if items.len() == 1 {
        return replace_value(src, entry, &NewValue::List(Vec::new()), &Layout::default());
    }
    let range = item.span.start.offset..node_end(src, item);
    if matches!(node.value, Value::Seq { flow: true, .. }) {
        return Ok(flow_removal(
            items.get(position + 1).map(|n| n.span.start.offset),
            position.checked_sub(1).map(|p| node_end(src, &items[p])),
            range,
        ));
    }
    let dash = dash_of(src, item)?;
    let end = src.next_line_start(range.end);
    Ok(Splice::replace(
        without_final_newline(src, src.line_start(dash), end)..end,
        String::new(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Sequences of mappings (the artifacts).

/// Appends a mapping as a new item of the sequence under `key` of `map`, in the style of the
/// items already there; creates the key at the end of `map` when it is absent.
pub fn seq_append_map(
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
pub fn seq_remove(src: &Source, seq: &Node, position: usize) -> Result<Splice, EditError> {
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

/// Appends an entry to a mapping under `key` of `map` (a role under `roles:`), creating the
/// key at the end of `map` when it is absent.
pub fn map_append(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    fn edit(text: &str, f: impl FnOnce(&Source, &Node) -> Result<Splice, EditError>) -> String {
        let src = Source::new(text);
        let node = root(text);
        let splice = f(&src, &node).unwrap();
        let out = splice.apply(text);
        parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
        out
    }

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "dana@acme.example",
            "ai-eng",
            "Checked: the failure cost table",
            "yes",
            "123",
            "1e5",
            "",
            " padded",
            "line\nbreak",
            "quote \" and \\",
            "# not a comment",
            "- not a list",
            "日本語",
            "tab\there",
            "https://docs.example/prd?a=1#top",
            "Prompt: reply-draft",
            "PRD — Reply Assist",
            "Dana's PRD (v2)",
            "a,b",
            "[x]",
            "{x}",
            "ends with:",
            "has #hash",
            "2026-01-01",
            "12:30",
            "-x",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "|pipe",
            ">fold",
            "?q",
            "~",
            ".5",
            "0x1F",
            "é",
        ] {
            let text = format!("k: {}\nl: [{}, x]\n", scalar(s), scalar(s));
            let root = crate::yaml::parse(&text).unwrap().unwrap();
            assert_eq!(root.get("k").unwrap().as_scalar(), Some(s), "{text}");
            let flow = root.get("l").unwrap().as_seq().unwrap();
            assert_eq!(flow[0].as_scalar(), Some(s), "{text}");
        }
        assert_eq!(scalar("dana@acme.example"), "dana@acme.example");
        assert_eq!(scalar("https://x.example/a#b"), "https://x.example/a#b");
        assert_eq!(scalar("PRD — Reply Assist"), "PRD — Reply Assist");
    }

    const ORDER: &[&str] = &["id", "title", "kind", "path", "owner", "reviewers"];

    /// Sets a scalar `key` in the mapping `pick` finds in `text`.
    fn set_scalar(text: &str, pick: fn(&Node) -> &Node, key: &str, value: &str) -> String {
        edit(text, |s, r| {
            set_entry(
                s,
                pick(r),
                key,
                &NewValue::Scalar(value.into()),
                &Layout::default(),
                ORDER,
            )
        })
    }

    fn push_reviewer(text: &str, who: &str) -> String {
        edit(text, |s, r| {
            list_push(s, under_a(r), "reviewers", who, &Layout::default(), ORDER)
        })
    }

    fn remove_reviewer(text: &str, position: usize) -> String {
        edit(text, |s, r| {
            list_remove(s, under_a(r), "reviewers", position)
        })
    }

    fn under_a(root: &Node) -> &Node {
        root.get("a").unwrap()
    }

    fn first_item(root: &Node) -> &Node {
        &root.as_seq().unwrap()[0]
    }

    #[test]
    fn replaces_a_value_keeping_its_comment() {
        let text = "a:\n  title: Old   # keep: this\n  path: x\n";
        let out = set_scalar(text, under_a, "title", "New: x");
        assert_eq!(out, "a:\n  title: \"New: x\"   # keep: this\n  path: x\n");
    }

    #[test]
    fn fills_an_empty_value_before_its_comment() {
        let text = "a:\n  owner:     # decide on Thursday\n  path: x\n";
        let out = set_scalar(text, under_a, "owner", "ops");
        assert_eq!(
            out,
            "a:\n  owner: ops     # decide on Thursday\n  path: x\n"
        );
    }

    #[test]
    fn inserts_a_key_in_conventional_order() {
        let text = "- id: a\n  path: x   # p\n  owner: pm\n";
        let out = set_scalar(text, first_item, "title", "T");
        assert_eq!(out, "- id: a\n  title: T\n  path: x   # p\n  owner: pm\n");
        let flow = "- { id: a, path: x }\n";
        let out = set_scalar(flow, first_item, "title", "T");
        assert_eq!(out, "- { id: a, title: T, path: x }\n");
    }

    #[test]
    fn crlf_and_missing_final_newline() {
        let text = "a:\r\n  id: a\r\n  path: x";
        let out = set_scalar(text, under_a, "owner", "pm");
        assert_eq!(out, "a:\r\n  id: a\r\n  path: x\r\n  owner: pm");
    }

    #[test]
    fn block_lists_stay_block() {
        let text = "a:\n  reviewers:   # who\n    - pm  # first\n    - ops\n  owner: pm\n";
        let add = push_reviewer(text, "qa");
        assert_eq!(
            add,
            "a:\n  reviewers:   # who\n    - pm  # first\n    - ops\n    - qa\n  owner: pm\n"
        );
        let remove = remove_reviewer(text, 1);
        assert_eq!(
            remove,
            "a:\n  reviewers:   # who\n    - pm  # first\n  owner: pm\n"
        );
        let last = remove_reviewer(&remove, 0);
        assert_eq!(last, "a:\n  reviewers: []   # who\n  owner: pm\n");
    }

    #[test]
    fn flow_lists_stay_flow() {
        let text = "a: { reviewers: [ pm , ops ] }  # c\n";
        let add = push_reviewer(text, "qa");
        assert_eq!(add, "a: { reviewers: [ pm , ops, qa ] }  # c\n");
        let first = remove_reviewer(text, 0);
        assert_eq!(first, "a: { reviewers: [ ops ] }  # c\n");
        let second = remove_reviewer(text, 1);
        assert_eq!(second, "a: { reviewers: [ pm ] }  # c\n");
    }

    #[test]
    fn block_scalars_are_replaced_whole() {
        let text =
            "a:\n  description: >\n    folded\n    text\n\n  # about the owner\n  owner: pm\n";
        let out = set_scalar(text, under_a, "description", "short");
        assert_eq!(
            out,
            "a:\n  description: short\n\n  # about the owner\n  owner: pm\n"
        );
    }

    #[test]
    fn removes_an_entry_and_its_trailing_item_comments() {
        let text = "a:\n  title: T\n  reviewers:\n    - pm\n    # more later\n  owner: pm\n";
        let src = Source::new(text);
        let r = root(text);
        let out = remove_entry(&src, r.get("a").unwrap(), "reviewers", false)
            .unwrap()
            .unwrap()
            .apply(text);
        assert_eq!(out, "a:\n  title: T\n  owner: pm\n");
        let first = remove_entry(&src, r.get("a").unwrap(), "title", false)
            .unwrap()
            .unwrap()
            .apply(text);
        assert!(first.starts_with("a:\n  reviewers:"));
    }

    #[test]
    fn appends_items_in_the_style_of_the_last() {
        let text = "artifacts:\n  - id: a\n    path: x\n\n  - id: b\n    path: y\n    # trailing\nkinds: {}\n";
        let out = edit(text, |s, r| {
            seq_append_map(
                s,
                r,
                "artifacts",
                &[
                    ("id".into(), NewValue::Scalar("c".into())),
                    ("path".into(), NewValue::Scalar("z".into())),
                ],
                &Layout::default(),
            )
        });
        assert_eq!(
            out,
            "artifacts:\n  - id: a\n    path: x\n\n  - id: b\n    path: y\n    # trailing\n\n  - id: c\n    path: z\nkinds: {}\n"
        );
    }

    #[test]
    fn removes_an_item_with_its_comments_and_one_blank_line() {
        let text = "artifacts:\n  - id: a\n\n  # about b\n  - id: b\n    path: y\n\n  - id: c\n";
        let src = Source::new(text);
        let r = root(text);
        let out = seq_remove(&src, r.get("artifacts").unwrap(), 1)
            .unwrap()
            .apply(text);
        assert_eq!(out, "artifacts:\n  - id: a\n\n  - id: c\n");
        let first = seq_remove(&src, r.get("artifacts").unwrap(), 0)
            .unwrap()
            .apply(text);
        assert_eq!(
            first,
            "artifacts:\n  # about b\n  - id: b\n    path: y\n\n  - id: c\n"
        );
    }

    #[test]
    fn appends_aligned_map_entries() {
        let text = "roles:\n  pm:      { title: PM, people: [] }\n  ai-eng:  { title: AI, people: [] }   # c\n";
        let out = edit(text, |s, r| {
            map_append(
                s,
                r,
                "roles",
                "ops",
                &NewValue::Map(vec![
                    ("title".into(), NewValue::Scalar("Ops".into())),
                    ("people".into(), NewValue::List(vec![])),
                ]),
                &Layout::default(),
            )
        });
        assert_eq!(
            out,
            "roles:\n  pm:      { title: PM, people: [] }\n  ai-eng:  { title: AI, people: [] }   # c\n  ops:     { title: Ops, people: [] }\n"
        );
    }

    /// Found by the `yaml_editor` fuzz target: the last line of a folded scalar held only
    /// spaces, more than its indentation, so it was content; a new section went above it.
    #[test]
    fn a_line_of_spaces_in_a_block_scalar_stays_with_it() {
        for text in [
            "note: >\n  text\n   ",
            "note: |\n  text\n   \n",
            "note: >\n  a\n   \n  b\n",
        ] {
            let out = edit(text, |s, r| {
                map_append(
                    s,
                    r,
                    "roles",
                    "pm",
                    &NewValue::List(vec![]),
                    &Layout::default(),
                )
            });
            let note = |t: &str| parse(t).unwrap().unwrap().get("note").cloned().unwrap();
            assert_eq!(note(&out).value, note(text).value, "{out:?}");
            assert!(out.starts_with(text.trim_end_matches('\n')), "{out:?}");
        }
    }

    /// Found by the `yaml_editor` fuzz target: `roles:` followed by a tag alone on the next
    /// line is an empty value the parser places after the tag; new lines went above the tag.
    #[test]
    fn an_empty_value_with_a_tag_or_anchor_is_refused() {
        for text in ["roles:\n !tag\n", "roles: &a\n", "roles: !t # c\n"] {
            let src = Source::new(text);
            let node = root(text);
            let appended = map_append(
                &src,
                &node,
                "roles",
                "pm",
                &NewValue::List(vec![]),
                &Layout::default(),
            );
            assert!(
                matches!(appended, Err(EditError::Unsupported { .. })),
                "{text:?}: {appended:?}"
            );
        }
        // A comment is not a decoration.
        let out = edit("roles:   # none yet\n", |s, r| {
            map_append(
                s,
                r,
                "roles",
                "pm",
                &NewValue::List(vec![]),
                &Layout::default(),
            )
        });
        assert_eq!(out, "roles:   # none yet\n  pm: []\n");
    }
}
