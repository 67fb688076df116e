//! Appending sign-off records to `.handoff/signoffs/<artifact-id>.yaml`. Records are only
//! ever appended, as text, so the history of a ledger file is a sequence of pure additions.

use std::path::Path;

use crate::core::model::SignOff;
use crate::yaml::edit::scalar;

/// The text of one record, as a YAML list item.
pub fn record_text(r: &SignOff) -> String {
    let mut out = format!(
        "- action: {}\n  by: {}\n  role: {}\n  at: {}\n",
        r.action,
        scalar(&r.by),
        scalar(&r.role),
        r.at
    );
    match &r.fingerprint {
        Some(fp) => out.push_str(&format!("  fingerprint: {}\n", scalar(fp))),
        None => out.push_str("  fingerprint: null\n"),
    }
    if r.upstream.is_empty() {
        out.push_str("  upstream: {}\n");
    } else {
        out.push_str("  upstream:\n");
        for (id, fp) in &r.upstream {
            let fp = fp.as_deref().map_or_else(|| "null".to_string(), scalar);
            out.push_str(&format!("    {}: {fp}\n", scalar(id)));
        }
    }
    if let Some(note) = &r.note {
        out.push_str(&format!("  note: {}\n", scalar(note)));
    }
    out
}

/// The header a new ledger file starts with.
pub fn header(artifact_id: &str) -> String {
    format!(
        "# Sign-offs for `{artifact_id}`, appended by handoff in time order.\n# Never edit or reorder past records: append a `revoke` instead.\n"
    )
}

/// The new content of a ledger file with `record` appended to `current` (`None` when the
/// file does not exist yet).
pub fn appended(artifact_id: &str, current: Option<&[u8]>, record: &SignOff) -> Vec<u8> {
    let mut out = match current {
        Some(bytes) => bytes.to_vec(),
        None => header(artifact_id).into_bytes(),
    };
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(record_text(record).as_bytes());
    out
}

/// Appends a record to the ledger file at `path`, atomically.
pub fn append(path: &Path, artifact_id: &str, record: &SignOff) -> std::io::Result<()> {
    let current = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    super::write_atomic(path, &appended(artifact_id, current.as_deref(), record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::load::load_ledger_file;
    use crate::core::model::{Action, Pos};

    #[test]
    fn appended_records_read_back() {
        let record = SignOff {
            action: Action::Acknowledge,
            by: "lee@acme.example".into(),
            role: "ai-eng".into(),
            at: "2026-05-01T10:00:00Z".parse().unwrap(),
            fingerprint: Some("3b18e512dba79e4c8300dd08aeb37f8e728b8dad".into()),
            upstream: [
                (
                    "prd".to_string(),
                    Some("9f1c0e512dba79e4c8300dd08aeb37f8e728b8da".to_string()),
                ),
                ("flows".to_string(), None),
            ]
            .into_iter()
            .collect(),
            note: Some("Read the new rollout plan: \"no change\" needed.\nSecond line".into()),
            pos: Pos::default(),
        };
        let once = appended("prd", None, &record);
        let twice = appended("prd", Some(&once), &record);
        assert!(
            twice.starts_with(&once),
            "appending never rewrites what was there"
        );
        let (records, problems) = load_ledger_file("prd", "x.yaml", &twice);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(records.len(), 2);
        let mut read = records[1].clone();
        read.pos = Pos::default();
        assert_eq!(read, record);
    }
}
