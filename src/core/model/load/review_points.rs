//! The reviews file (`.handoff/reviews.yaml`): text to review points.

use jiff::Timestamp;

use super::decode::Ctx;
use super::rules::is_valid_email;
use super::{decode_utf8, parse_document};
use crate::core::model::review_points::ReviewPoint;
use crate::core::model::{LoadErrors, Pos};
use crate::yaml::Node;

const REVIEW_POINT_KEYS: &[&str] = &["at", "by", "attendees", "note"];

/// Decodes the reviews file; every problem is located.
pub(crate) fn decode_review_points(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<ReviewPoint>, LoadErrors> {
    let text = decode_utf8(file, bytes)?;
    let Some(root) = parse_document(file, text)? else {
        return Ok(Vec::new());
    };
    let mut cx = Ctx {
        file,
        errors: Vec::new(),
    };
    let Some(items) = root.as_seq() else {
        cx.error(
            root.span.start,
            format!(
                "the reviews file must be a list of review points, found {}",
                root.describe()
            ),
        );
        return Err(LoadErrors(cx.errors));
    };
    let points: Vec<ReviewPoint> = items
        .iter()
        .filter_map(|i| decode_point(&mut cx, i))
        .collect();
    if cx.errors.is_empty() {
        Ok(points)
    } else {
        Err(LoadErrors(cx.errors))
    }
}

fn decode_point(cx: &mut Ctx, item: &Node) -> Option<ReviewPoint> {
    let fields = cx.mapping(item, "a review point", REVIEW_POINT_KEYS)?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _, _)| *key == k)
            .map(|(_, v, _)| *v)
    };
    let start: Pos = item.span.start;
    let at = match get("at").and_then(|n| cx.text(n, "at")) {
        None => {
            cx.error(start, "the review point has no `at`");
            None
        }
        Some(t) => match t.parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                cx.error(
                    get("at").map_or(start, |n| n.span.start),
                    format!("`{t}` is not an RFC 3339 time such as 2026-11-24T10:00:00Z"),
                );
                None
            }
        },
    };
    let by = get("by").and_then(|n| cx.text(n, "by"));
    if by.is_none() {
        cx.error(start, "the review point has no `by`");
    }
    let mut attendees = Vec::new();
    if let Some(node) = get("attendees") {
        for (email, pos) in cx.text_list(node, "attendees", "sam@acme.example") {
            if !is_valid_email(&email) {
                cx.error(pos, format!("`{email}` is not an e-mail address"));
            }
            attendees.push(email);
        }
    }
    let note = get("note").and_then(|n| cx.text(n, "note"));
    Some(ReviewPoint {
        at: at?,
        by: by?,
        attendees,
        note,
        pos: start,
    })
}
