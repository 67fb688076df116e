//! Review points: `.handoff/reviews.yaml`, the record that a weekly review happened (when, who
//! recorded it, who was there, a note). A list appended in time order and never rewritten,
//! like a ledger file; `handoff review --since last-review` starts from the newest.

use jiff::Timestamp;

use super::load::decode_review_points;
use super::{LoadErrors, Pos};
use crate::yaml::edit::scalar;

/// The file of review points, relative to the index's directory.
pub const REVIEWS_FILE: &str = ".handoff/reviews.yaml";

/// One recorded review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewPoint {
    pub at: Timestamp,
    /// Who recorded it.
    pub by: String,
    /// Who was there, as given.
    pub attendees: Vec<String>,
    pub note: Option<String>,
    #[serde(skip)]
    pub pos: Pos,
}

/// The header a new reviews file starts with.
const HEADER: &str = "# Weekly reviews, appended by `handoff review --record` in time order.\n# `handoff review --since last-review` starts from the newest. Never edit past records.\n";

/// The text of one review point, as a YAML list item.
fn point_text(p: &ReviewPoint) -> String {
    let mut out = format!("- at: {}\n  by: {}\n", p.at, scalar(&p.by));
    let attendees: Vec<String> = p.attendees.iter().map(|a| scalar(a)).collect();
    out.push_str(&format!("  attendees: [{}]\n", attendees.join(", ")));
    if let Some(note) = &p.note {
        out.push_str(&format!("  note: {}\n", scalar(note)));
    }
    out
}

/// The new content of the reviews file with `point` appended to `current` (`None`: the file
/// does not exist yet).
pub fn appended(current: Option<&[u8]>, point: &ReviewPoint) -> Vec<u8> {
    let mut out = match current {
        Some(bytes) => bytes.to_vec(),
        None => HEADER.as_bytes().to_vec(),
    };
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(point_text(point).as_bytes());
    out
}

/// Reads the reviews file, in file order.
pub fn load_review_points(bytes: &[u8]) -> Result<Vec<ReviewPoint>, LoadErrors> {
    decode_review_points(REVIEWS_FILE, bytes)
}

/// The newest review point (by time; of equal times, the last written).
pub fn newest(points: &[ReviewPoint]) -> Option<&ReviewPoint> {
    points.iter().rev().max_by_key(|p| p.at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_points_read_back_and_never_rewrite() {
        let point = ReviewPoint {
            at: "2026-11-24T10:00:00Z".parse().unwrap(),
            by: "dana@acme.example".into(),
            attendees: vec!["sam@acme.example".into(), "rosa@acme.example".into()],
            note: Some("Refunds: \"go\" at 25%.\nSecond line".into()),
            pos: Pos::default(),
        };
        let once = appended(None, &point);
        let twice = appended(Some(&once), &point);
        assert!(twice.starts_with(&once));
        let read = load_review_points(&twice).unwrap();
        assert_eq!(read.len(), 2);
        let mut second = read[1].clone();
        second.pos = Pos::default();
        assert_eq!(second, point);
    }

    #[test]
    fn a_malformed_point_is_located() {
        let errors = load_review_points(b"- at: yesterday\n  by: dana@acme.example\n").unwrap_err();
        assert!(errors.to_string().contains("reviews.yaml:1:"), "{errors}");
    }
}
