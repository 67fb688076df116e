//! The sign-off ledger: `.handoff/signoffs/<artifact-id>.yaml`, one file per artifact, each a
//! list of records appended in time order and never rewritten.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use super::Pos;

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
    pub fn verb(self) -> &'static str {
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

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not an action: use accept, approve, acknowledge, verify or revoke"
                )
            })
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
pub const LEDGER_DIR: &str = ".handoff/signoffs";

/// The ledger file of an artifact, relative to the index's directory.
pub fn ledger_file(artifact_id: &str) -> String {
    format!("{LEDGER_DIR}/{artifact_id}.yaml")
}
