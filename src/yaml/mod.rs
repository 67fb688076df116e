//! Our one YAML layer. Everything that reads or edits YAML goes through here, so the parser
//! behind it (granit-parser, the maintained parser under serde-saphyr) can change in one place.
//!
//! `parse` turns text into a tree of nodes that keep their exact byte spans and line/column
//! positions; the loaders turn trees into model values with located errors, and `edit` splices
//! new text into the original bytes so comments and layout survive.

pub mod edit;
pub mod json;
mod pos;

pub use pos::Pos;

use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle, ScanError, Span as GranitSpan};

/// Inputs larger than this are refused before parsing.
pub(crate) const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Nodes a document may expand to, aliases included ("billion laughs" stops here).
pub(crate) const MAX_NODES: usize = 1_000_000;
/// Nesting depth of mappings and sequences.
pub(crate) const MAX_DEPTH: usize = 64;

/// A half-open byte range with the line/column of its start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start.offset..self.end.offset
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar { text: String, style: Style },
    Seq { items: Vec<Node>, flow: bool },
    Map { entries: Vec<Entry>, flow: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Whether this node is a copy made by expanding an alias: its span is the alias's.
    pub from_alias: bool,
}

/// A parse failure with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl Node {
    /// The scalar's text, if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The scalar's style, if this is a scalar.
    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// A plain `~`, `null` or empty scalar.
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, style: Style::Plain }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map { entries, .. } => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq { items, .. } => Some(items),
            _ => None,
        }
    }

    /// The value stored under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|e| e.key.as_scalar() == Some(key))
            .map(|e| &e.value)
    }

    /// The entry (key and value) stored under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.as_scalar() == Some(key))
    }

    /// What the node is, for messages: "a mapping", "a list", "text".
    pub(crate) fn describe(&self) -> &'static str {
        match &self.value {
            Value::Map { .. } => "a mapping",
            Value::Seq { .. } => "a list",
            Value::Scalar { .. } if self.is_null() => "nothing",
            Value::Scalar { .. } => "a scalar",
        }
    }
}

/// Parses one YAML document. `Ok(None)` means the input holds no document at all (empty, or
/// only comments).
pub fn parse(source: &str) -> Result<Option<Node>, ParseError> {
    if source.len() > MAX_INPUT_BYTES {
        return Err(ParseError {
            pos: Pos::new(1, 1, 0),
            message: format!(
                "the file is {} bytes; handoff reads YAML files of at most {} MiB",
                source.len(),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        });
    }
    let mut options = Options::default();
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let mut builder = Builder {
        source,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
        documents: 0,
    };
    for event in Parser::new_from_str_with_options(source, options) {
        let (event, span) = event.map_err(|e| explain(source, scan_error(source, &e)))?;
        builder.event(event, span)?;
    }
    Ok(builder.root)
}

fn scan_error(source: &str, e: &ScanError) -> ParseError {
    let m = e.marker();
    let offset = m.byte_offset().unwrap_or(source.len()).min(source.len());
    let mut message = e.info();
    if let Some(first) = message.lines().next() {
        message = first.to_string();
    }
    ParseError {
        pos: Pos::new(m.line().max(1), m.col() + 1, offset),
        message: format!("YAML syntax error: {message}"),
    }
}

/// Rewrites the parser's wording where a plainer cause is known.
fn explain(source: &str, e: ParseError) -> ParseError {
    if e.message.contains("recursion limit") {
        return ParseError {
            pos: e.pos,
            message: format!(
                "the document nests deeper than {MAX_DEPTH} levels; handoff refuses it"
            ),
        };
    }
    if e.message.contains("unknown anchor") {
        let alias: String = source
            .get(e.pos.offset..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}'))
            .take(64)
            .collect();
        let named = if alias.starts_with('*') {
            format!(" (`{alias}`)")
        } else {
            String::new()
        };
        return ParseError {
            pos: e.pos,
            message: format!(
                "this alias{named} refers to an anchor that is not defined before it: define `&name` first, or write the value out"
            ),
        };
    }
    if let Some(c) = source
        .get(e.pos.offset..)
        .and_then(|rest| rest.chars().next())
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return ParseError {
            pos: e.pos,
            message: format!(
                "YAML syntax error: the control character U+{:04X} cannot appear in YAML text; remove it",
                c as u32
            ),
        };
    }
    if e.message.contains("tab") {
        // Point at the first tab used for indentation, which is what YAML forbids.
        let mut offset = 0;
        for (n, line) in source.split_inclusive('\n').enumerate() {
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            if let Some(col) = indent.find('\t') {
                return ParseError {
                    pos: Pos::new(n + 1, col + 1, offset + col),
                    message:
                        "YAML syntax error: a tab is used for indentation here; indent with spaces"
                            .into(),
                };
            }
            offset += line.len();
        }
    }
    e
}

fn pos_of(source: &str, m: &granit_parser::Marker) -> Pos {
    let offset = m.byte_offset().unwrap_or(0).min(source.len());
    Pos::new(m.line().max(1), m.col() + 1, offset)
}

enum Open {
    Seq {
        items: Vec<Node>,
        flow: bool,
        start: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        pending_key: Option<Node>,
        flow: bool,
        start: Pos,
        anchor: usize,
    },
}

struct Builder<'s> {
    source: &'s str,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: GranitSpan) -> Result<(), ParseError> {
        let start = pos_of(self.source, &span.start);
        let end = pos_of(self.source, &span.end);
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(ParseError {
                        pos: start,
                        message: "a second YAML document starts here: the file must hold exactly one document".into(),
                    });
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        style,
                    },
                    span: Span { start, end },
                    from_alias: false,
                };
                self.finish(node, anchor, start)?;
            }
            Event::SequenceStart(style, anchor, _tag) => {
                self.stack.push(Open::Seq {
                    items: Vec::new(),
                    flow: style == granit_parser::StructureStyle::Flow,
                    start,
                    anchor,
                });
            }
            Event::MappingStart(style, anchor, _tag) => {
                self.stack.push(Open::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    flow: style == granit_parser::StructureStyle::Flow,
                    start,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let open = self.stack.pop().expect("parser balances collections");
                let (node, anchor) = match open {
                    Open::Seq {
                        items,
                        flow,
                        start,
                        anchor,
                    } => (
                        Node {
                            value: Value::Seq { items, flow },
                            span: Span { start, end },
                            from_alias: false,
                        },
                        anchor,
                    ),
                    Open::Map {
                        entries,
                        flow,
                        start,
                        anchor,
                        ..
                    } => (
                        Node {
                            value: Value::Map { entries, flow },
                            span: Span { start, end },
                            from_alias: false,
                        },
                        anchor,
                    ),
                };
                let at = node.span.start;
                self.finish(node, anchor, at)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(ParseError {
                        pos: start,
                        message: "this alias refers to an anchor that is not defined before it: define `&name` first, or write the value out"
                            .into(),
                    });
                };
                // A copy nests as deep as its target, below where the alias stands: a chain of
                // aliases must not build what the parser's nesting limit refuses to read.
                if self.stack.len() + depth(target) > MAX_DEPTH {
                    return Err(ParseError {
                        pos: start,
                        message: format!(
                            "expanding aliases nests this document deeper than {MAX_DEPTH} levels; handoff refuses it"
                        ),
                    });
                }
                let copies = count_nodes(target);
                if self.nodes + copies > MAX_NODES {
                    return Err(ParseError {
                        pos: start,
                        message: format!(
                            "expanding aliases makes this document larger than {MAX_NODES} nodes; handoff refuses it"
                        ),
                    });
                }
                let mut node = target.clone();
                mark_alias(&mut node, Span { start, end });
                self.nodes += copies - 1;
                self.finish(node, 0, start)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize, at: Pos) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ParseError {
                pos: at,
                message: format!(
                    "the document has more than {MAX_NODES} nodes; handoff refuses it"
                ),
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
        Ok(())
    }
}

/// Levels of collections in a node (a scalar: 0). Every tree the builder makes is at most
/// [`MAX_DEPTH`] deep, so this recursion is too.
fn depth(node: &Node) -> usize {
    match &node.value {
        Value::Scalar { .. } => 0,
        Value::Seq { items, .. } => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Map { entries, .. } => {
            1 + entries
                .iter()
                .map(|e| depth(&e.key).max(depth(&e.value)))
                .max()
                .unwrap_or(0)
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Seq { items, .. } => items.iter().map(count_nodes).sum(),
        Value::Map { entries, .. } => entries
            .iter()
            .map(|e| count_nodes(&e.key) + count_nodes(&e.value))
            .sum(),
    }
}

fn mark_alias(node: &mut Node, span: Span) {
    node.span = span;
    node.from_alias = true;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Seq { items, .. } => items.iter_mut().for_each(|n| mark_alias(n, span)),
        Value::Map { entries, .. } => entries.iter_mut().for_each(|e| {
            mark_alias(&mut e.key, span);
            mark_alias(&mut e.value, span);
        }),
    }
}

/// The node as JSON, resolving plain scalars the way YAML's core schema does (null, booleans,
/// integers, floats); quoted and block scalars stay strings. For reading our own data files
/// and for validating documents against the JSON Schema.
pub(crate) fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Scalar { text, style } => {
            if *style != Style::Plain {
                return J::String(text.clone());
            }
            match text.as_str() {
                "" | "~" | "null" | "Null" | "NULL" => J::Null,
                "true" | "True" | "TRUE" => J::Bool(true),
                "false" | "False" | "FALSE" => J::Bool(false),
                t => {
                    if let Ok(i) = t.parse::<i64>() {
                        J::from(i)
                    } else if let Some(f) = t
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && t.chars().any(|c| c.is_ascii_digit()))
                    {
                        J::from(f)
                    } else {
                        J::String(t.to_string())
                    }
                }
            }
        }
        Value::Seq { items, .. } => J::Array(items.iter().map(to_json).collect()),
        Value::Map { entries, .. } => J::Object(
            entries
                .iter()
                .map(|e| {
                    let key = match to_json(&e.key) {
                        J::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(&e.value))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_exactly_the_scalar() {
        let src = "name: \"Support reply\"   # trailing\nk: 'é'\n";
        let root = parse(src).unwrap().unwrap();
        let name = root.get("name").unwrap();
        assert_eq!(&src[name.span.range()], "\"Support reply\"");
        assert_eq!(name.as_scalar(), Some("Support reply"));
        let k = root.get("k").unwrap();
        assert_eq!(&src[k.span.range()], "'é'");
        assert_eq!((k.span.start.line, k.span.start.col), (2, 4));
    }

    #[test]
    fn empty_and_comment_only_inputs_have_no_document() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# just a comment\n").unwrap(), None);
    }

    #[test]
    fn a_second_document_is_refused() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(err.message.contains("second YAML document"));
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse(&src).unwrap_err();
        assert!(err.message.contains("nodes"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&src).is_err());
        let src = (0..200)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect::<String>();
        assert!(parse(&src).is_err());
    }

    #[test]
    fn a_chain_of_aliases_cannot_nest_deeper_than_the_parser_reads() {
        let mut src = String::from("l0: &l0 [x]\n");
        for i in 1..200 {
            src.push_str(&format!("l{i}: &l{i} [*l{}]\n", i - 1));
        }
        let err = parse(&src).unwrap_err();
        assert!(
            err.message.contains("deeper than 64 levels"),
            "{}",
            err.message
        );
        assert_eq!(err.pos.line, 64);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.line >= 1);
        assert!(err.message.starts_with("YAML syntax error"));
    }
}
