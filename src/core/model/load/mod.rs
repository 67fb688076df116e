//! Loading `handoff.yaml` and ledger files from text. Every problem is collected with its
//! `file:line:col` and, where one helps, a suggestion; nothing here reads the disk.
//!
//! By concern: `index` and `artifacts` decode the index, `ledger` a ledger file, `decode`
//! holds what every decoder shares (the errors collected, mappings without unknown or
//! duplicate keys, texts, lists, durations), `keys` the keys each mapping admits and the
//! suggestions for typos, and `rules` what an id, an e-mail address, a path or a URL must be.

mod artifacts;
mod decode;
mod index;
mod keys;
mod ledger;
mod review_points;
mod rules;
mod scorecard;

pub use index::load_index;
pub(crate) use keys::{
    ARTIFACT_KEYS, KIND_KEYS, ROLE_KEYS, SCORECARD_KEYS, SIGNOFF_KEYS, SUPPORTED_VERSION, TOP_KEYS,
    suggest,
};
pub use ledger::load_ledger_file;
pub(crate) use review_points::decode_review_points;
pub(crate) use rules::MAX_ID_CHARS;
pub use rules::path_problem;
pub(crate) use rules::{
    glob_problem, invalid_id_message, is_valid_email, is_valid_id, path_target, url_problem,
};

use std::collections::BTreeMap;

use super::{LoadError, Pos};
use crate::yaml::{self, Node, Value};

/// Decodes text into UTF-8, locating the first invalid byte if it is not.
pub(crate) fn decode_utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, LoadError> {
    // Editors on some systems save as UTF-16; say so rather than point at byte two.
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(LoadError::new(
            file,
            Pos::new(1, 1, 0),
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8",
        )
        .with_help("save it as UTF-8"));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        LoadError::new(file, end_pos(prefix), "the file is not valid UTF-8 text")
            .with_help("save it as UTF-8")
    })
}

/// The position just after `text`.
fn end_pos(text: &str) -> Pos {
    let line = text.matches('\n').count() + 1;
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    Pos::new(line, text[line_start..].chars().count() + 1, text.len())
}

/// Parses the document, mapping YAML errors to load errors. A leading byte-order mark is
/// skipped; positions stay those of the file.
pub(super) fn parse_document(file: &str, text: &str) -> Result<Option<Node>, LoadError> {
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let mut node = yaml::parse(body).map_err(|e| LoadError::new(file, e.pos, e.message))?;
    if shift > 0
        && let Some(n) = node.as_mut()
    {
        shift_offsets(n, shift);
    }
    Ok(node)
}

fn shift_offsets(node: &mut Node, by: usize) {
    node.span.start.offset += by;
    node.span.end.offset += by;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Seq { items, .. } => items.iter_mut().for_each(|n| shift_offsets(n, by)),
        Value::Map { entries, .. } => entries.iter_mut().for_each(|e| {
            shift_offsets(&mut e.key, by);
            shift_offsets(&mut e.value, by);
        }),
    }
}

#[cfg(test)]
mod tests;

/// Where each role of a role list (`reviewers`, a kind's `signoff`) is written, as
/// `FIELD.ROLE` beside the field's own position: the line naming a role is where an
/// obligation to sign began (see `Index::obligation_lines`).
pub(super) fn record_role_items(field_pos: &mut BTreeMap<String, Pos>, field: &str, value: &Node) {
    for item in value.as_seq().unwrap_or_default() {
        if let Some(role) = item.as_scalar() {
            field_pos
                .entry(format!("{field}.{role}"))
                .or_insert(item.span.start);
        }
    }
}
