//! Lists of scalars under a key (reviewers, people): push one item, remove one.

use super::entries::{replace_value, set_entry};
use super::locate::{dash_of, find_entry, node_end, refuse_alias};
use super::removal::{flow_removal, without_final_newline};
use super::render::{flow_list, scalar};
use super::{EditError, Layout, NewValue, Source, Splice};
use crate::yaml::{Node, Value};

/// Adds `item` at the end of the list under `key`, creating the key when it is absent.
pub(crate) fn list_push(
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
pub(crate) fn list_remove(
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
