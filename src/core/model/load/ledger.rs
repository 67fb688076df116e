//! A ledger file: text to sign-off records, and problems for the records that cannot be read.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::decode::Ctx;
use super::keys::SIGNOFF_KEYS;
use super::rules::{is_object_id, is_valid_email};
use super::{decode_utf8, parse_document};
use crate::core::model::{Action, LedgerProblem, Pos, SignOff};
use crate::yaml::Node;

/// Loads one ledger file. Records that cannot be trusted become problems, never errors: the
/// index still opens and the problems are reported as findings.
pub fn load_ledger_file(
    artifact: &str,
    file: &str,
    bytes: &[u8],
) -> (Vec<SignOff>, Vec<LedgerProblem>) {
    let problem = |pos: Pos, message: String| LedgerProblem {
        artifact: artifact.to_string(),
        file: file.to_string(),
        pos,
        message: format!("the ledger file cannot be read as sign-off records: {message}"),
    };
    let text = match decode_utf8(file, bytes) {
        Ok(t) => t,
        Err(e) => return (Vec::new(), vec![problem(e.pos, e.message)]),
    };
    let root = match parse_document(file, text) {
        Ok(Some(root)) => root,
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(e) => return (Vec::new(), vec![problem(e.pos, e.message)]),
    };
    let Some(items) = root.as_seq() else {
        return (
            Vec::new(),
            vec![problem(
                root.span.start,
                format!(
                    "a ledger file must be a list of sign-off records, found {}",
                    root.describe()
                ),
            )],
        );
    };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        let mut cx = Ctx {
            file,
            errors: Vec::new(),
        };
        if let Some(record) = decode_signoff(&mut cx, item)
            && cx.errors.is_empty()
        {
            records.push(record);
        }
        problems.extend(cx.errors.into_iter().map(|e| LedgerProblem {
            artifact: artifact.to_string(),
            file: file.to_string(),
            pos: e.pos,
            message: format!("a sign-off record is malformed: {}", e.message),
        }));
    }
    (records, problems)
}

fn decode_signoff(cx: &mut Ctx, item: &Node) -> Option<SignOff> {
    let fields = cx.mapping(item, "a sign-off record", SIGNOFF_KEYS)?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _, _)| *key == k)
            .map(|(_, v, _)| *v)
    };
    let start = item.span.start;
    let required = |cx: &mut Ctx, k: &str| -> Option<String> {
        match get(k) {
            Some(v) => cx.text(v, k),
            None => {
                cx.error(start, format!("the sign-off record has no `{k}`"));
                None
            }
        }
    };
    let action = required(cx, "action");
    let by = required(cx, "by");
    let role = required(cx, "role");
    let at = required(cx, "at");
    let action = action.and_then(|a| match a.parse::<Action>() {
        Ok(a) => Some(a),
        Err(e) => {
            cx.error(get("action").map_or(start, |n| n.span.start), e.to_string());
            None
        }
    });
    let at = at.and_then(|t| match t.parse::<Timestamp>() {
        Ok(t) => Some(t),
        Err(_) => {
            cx.error(
                get("at").map_or(start, |n| n.span.start),
                format!("`{t}` is not an RFC 3339 time such as 2026-05-01T10:00:00Z"),
            );
            None
        }
    });
    if let Some(by) = &by
        && !is_valid_email(by)
    {
        cx.error(
            get("by").map_or(start, |n| n.span.start),
            format!("`{by}` is not an e-mail address"),
        );
    }
    let fingerprint = get("fingerprint").and_then(|n| cx.text(n, "fingerprint"));
    if let Some(fp) = &fingerprint
        && !is_object_id(fp)
    {
        cx.error(
            get("fingerprint").map_or(start, |n| n.span.start),
            format!("`{fp}` is not a fingerprint (a hex object id)"),
        );
    }
    let mut upstream = BTreeMap::new();
    if let Some(node) = get("upstream").filter(|n| !n.is_null()) {
        match node.as_map() {
            Some(entries) => {
                for e in entries {
                    let (Some(k), v) = (e.key.as_scalar(), &e.value) else {
                        cx.error(e.key.span.start, "upstream ids must be text");
                        continue;
                    };
                    let fp = cx.text(v, "upstream fingerprint");
                    if let Some(fp) = &fp
                        && !is_object_id(fp)
                    {
                        cx.error(
                            v.span.start,
                            format!("`{fp}` is not a fingerprint (a hex object id)"),
                        );
                    }
                    upstream.insert(k.to_string(), fp);
                }
            }
            None => cx.error(
                node.span.start,
                format!(
                    "`upstream` must map artifact ids to fingerprints, found {}",
                    node.describe()
                ),
            ),
        }
    }
    let note = get("note").and_then(|n| cx.text(n, "note"));
    Some(SignOff {
        action: action?,
        by: by?,
        role: role?,
        at: at?,
        fingerprint,
        upstream,
        note,
        pos: start,
    })
}
