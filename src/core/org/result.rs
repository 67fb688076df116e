//! A repository's check result as `handoff org` reads it: the JSON `handoff check --format
//! json` writes (the headless contract), parsed leniently (unknown keys are ignored, so an
//! additive change of a newer handoff still reads) and refused with a reason otherwise.

use jiff::Timestamp;
use serde::Deserialize;

use crate::core::model::Severity;

/// The version of the check JSON this handoff writes and reads.
pub const RESULT_VERSION: u64 = 1;

/// What the org view needs of one repository's check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckResult {
    pub version: u64,
    pub name: Option<String>,
    pub head: Option<String>,
    pub branch: Option<String>,
    #[serde(default)]
    pub remote: Option<String>,
    pub now: Timestamp,
    /// Absent from results written before roles were published; then inferred from the
    /// artifacts.
    #[serde(default)]
    pub roles: Option<Vec<ResultRole>>,
    pub artifacts: Vec<ResultArtifact>,
    pub findings: Vec<ResultFinding>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultRole {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub people: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultArtifact {
    pub id: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub reviewers: Vec<String>,
    #[serde(default)]
    pub consumers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultFinding {
    pub code: String,
    #[serde(deserialize_with = "severity")]
    pub severity: Severity,
    pub message: String,
    /// `null` for a finding about the handoff as a whole (`scorecard-unmet`).
    #[serde(default)]
    pub artifact: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub fix: String,
    #[serde(default)]
    pub action: Option<ResultAction>,
    #[serde(default)]
    pub since: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResultAction {
    pub argv: Vec<String>,
    #[serde(default)]
    pub who: Vec<String>,
}

impl ResultFinding {
    /// A sign-off fixes it (`handoff sign …`), so the people in `who` must sign.
    pub fn is_signing(&self) -> bool {
        // `signoff-overdue` repeats the sign-off of the finding it waits on: one duty.
        self.code != "signoff-overdue"
            && self
                .action
                .as_ref()
                .is_some_and(|a| a.argv.iter().take(2).any(|word| word == "sign"))
    }
}

impl CheckResult {
    /// The roles of the result: as published, else every role an artifact names.
    pub fn role_list(&self) -> Vec<ResultRole> {
        if let Some(roles) = &self.roles {
            return roles.clone();
        }
        let mut ids: Vec<&String> = Vec::new();
        for a in &self.artifacts {
            for id in a.owner.iter().chain(&a.reviewers).chain(&a.consumers) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids.into_iter()
            .map(|id| ResultRole {
                id: id.clone(),
                title: None,
                people: Vec::new(),
            })
            .collect()
    }
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    let word = String::deserialize(d)?;
    word.parse().map_err(serde::de::Error::custom)
}

/// Why a file is not a check result handoff can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResultError {
    #[error("truncated: the JSON ends early ({0})")]
    Truncated(String),
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error(
        "not a handoff check result (no `version` and `artifacts`; write it with `handoff check --format json`)"
    )]
    NotHandoff,
    #[error(
        "written by a newer handoff (result version {0}; this handoff reads version {RESULT_VERSION}): upgrade handoff to read it"
    )]
    Newer(u64),
    #[error("not a handoff check result: {0}")]
    Invalid(String),
}

/// Only the keys that say whether the document is a check result at all; everything else is
/// skipped unread.
#[derive(Deserialize)]
struct Probe {
    version: Option<serde_json::Value>,
    artifacts: Option<serde::de::IgnoredAny>,
}

/// Parses a check result, refusing what is not one with the reason.
pub fn parse_result(text: &str) -> Result<CheckResult, ResultError> {
    if !text.trim_start().starts_with('{') {
        // serde reads a struct from an array too: only an object can be a result.
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => ResultError::NotHandoff,
            Err(e) if e.is_eof() => ResultError::Truncated(e.to_string()),
            Err(e) => ResultError::NotJson(e.to_string()),
        });
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            ResultError::Truncated(e.to_string())
        } else if e.is_data() {
            ResultError::NotHandoff
        } else {
            ResultError::NotJson(e.to_string())
        }
    })?;
    let (Some(version), Some(_)) = (probe.version, probe.artifacts) else {
        return Err(ResultError::NotHandoff);
    };
    match version.as_u64() {
        Some(RESULT_VERSION) => {}
        Some(newer) if newer > RESULT_VERSION => return Err(ResultError::Newer(newer)),
        _ => return Err(ResultError::NotHandoff),
    }
    serde_json::from_str(text).map_err(|e| ResultError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"version": 1, "name": "n", "head": null, "branch": null,
        "now": "2026-11-22T12:00:00Z", "artifacts": [], "findings": [], "summary": {}}"#;

    #[test]
    fn reads_a_result_without_the_newer_keys() {
        let r = parse_result(MINIMAL).unwrap();
        assert_eq!(r.remote, None);
        assert!(r.role_list().is_empty());
    }

    #[test]
    fn refuses_each_kind_of_bad_input_with_its_reason() {
        assert!(matches!(
            parse_result(&MINIMAL[..40]),
            Err(ResultError::Truncated(_))
        ));
        assert_eq!(parse_result("[1, 2]"), Err(ResultError::NotHandoff));
        assert_eq!(parse_result(r#"{"a": 1}"#), Err(ResultError::NotHandoff));
        assert!(matches!(parse_result("nope"), Err(ResultError::NotJson(_))));
        let newer = MINIMAL.replace("\"version\": 1", "\"version\": 2");
        assert_eq!(parse_result(&newer), Err(ResultError::Newer(2)));
    }
}
