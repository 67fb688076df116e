//! The sign-off ledger: `.handoff/signoffs/<artifact-id>.yaml`, one file per artifact, each a
//! list of records appended in time order and never rewritten — as values, and as the text
//! handoff appends. Records are only ever appended, as text, so the history of a ledger file
//! is a sequence of pure additions.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use super::Pos;
use crate::yaml::edit::scalar;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Action {
    /// The owner agrees in writing to own the artifact.
    Accept,
    /// A reviewer, or a role the kind requires, approves this content.
    Approve,
    /// An upstream change was read and needs no change here.
    Acknowledge,
    /// An external artifact was checked and is still right.
    Verify,
    /// Withdraws the signer role's earlier sign-offs on the artifact.
    Revoke,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Accept,
        Action::Approve,
        Action::Acknowledge,
        Action::Verify,
        Action::Revoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Approve => "approve",
            Action::Acknowledge => "acknowledge",
            Action::Verify => "verify",
            Action::Revoke => "revoke",
        }
    }

    /// Third person, for commit summaries: "dana approves prd as pm".
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Action::Accept => "accepts",
            Action::Approve => "approves",
            Action::Acknowledge => "acknowledges upstream changes to",
            Action::Verify => "verifies",
            Action::Revoke => "revokes sign-off on",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action: use accept, approve, acknowledge, verify or revoke")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAction(s.to_string()))
    }
}

/// One record of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignOff {
    pub action: Action,
    /// The signer's git e-mail address.
    pub by: String,
    pub role: String,
    pub at: Timestamp,
    /// The artifact's fingerprint when signed (`None` for external artifacts).
    pub fingerprint: Option<String>,
    /// The fingerprints of the artifact's upstream artifacts when signed, by id.
    pub upstream: BTreeMap<String, Option<String>>,
    pub note: Option<String>,
    /// Where the record starts in its ledger file.
    pub pos: Pos,
}

/// A record that could not be trusted, reported as an `invalid-signoff` finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerProblem {
    pub artifact: String,
    /// The ledger file, relative to the index's directory.
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

/// All sign-offs, by artifact id, each list in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ledger {
    pub records: BTreeMap<String, Vec<SignOff>>,
    pub problems: Vec<LedgerProblem>,
}

impl Ledger {
    pub fn of(&self, artifact_id: &str) -> &[SignOff] {
        self.records
            .get(artifact_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The directory of ledger files, relative to the index's directory.
pub(crate) const LEDGER_DIR: &str = ".handoff/signoffs";

/// The ledger file of an artifact, relative to the index's directory.
pub(crate) fn ledger_file(artifact_id: &str) -> String {
    format!("{LEDGER_DIR}/{artifact_id}.yaml")
}

/// The text of one record, as a YAML list item.
pub(crate) fn record_text(r: &SignOff) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::load::load_ledger_file;

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
