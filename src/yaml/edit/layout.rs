//! The layout of new content, learnt from the document, and kept by values that replace
//! others.

use super::locate::dash_of;
use super::{Layout, Source};
use crate::yaml::{Node, Value};

impl Layout {
    /// The conventions of `section` (the artifacts, the roles) where it shows them, else the
    /// document's, else the defaults: a file that writes roles one way and artifacts another
    /// gets new content in the style of its neighbours.
    pub(crate) fn detect_in(src: &Source, root: &Node, section: Option<&Node>) -> Layout {
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

/// The layout for a value replacing `old`: lists and mappings keep their style and padding.
pub(super) fn style_of(src: &Source, old: &Node, layout: &Layout) -> Layout {
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
