//! Appending sign-off records to `.handoff/signoffs/<artifact-id>.yaml` on disk; the text
//! appended is [`crate::core::model::ledger::appended`]'s.

use std::path::Path;

use crate::core::model::SignOff;
use crate::core::model::ledger::appended;

/// Appends a record to the ledger file at `path`, atomically.
pub fn append(path: &Path, artifact_id: &str, record: &SignOff) -> std::io::Result<()> {
    let current = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    super::write_atomic(path, &appended(artifact_id, current.as_deref(), record))
}
