//! `org.yaml`: a named list of sources, optionally grouped into teams.
//!
//! ```yaml
//! name: Acme AI
//! sources: [results/]
//! teams:
//!   support: [../clones/reply-assist]
//! ```

use std::collections::BTreeMap;

/// A manifest as written: paths are relative to the manifest's directory.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub teams: BTreeMap<String, Vec<String>>,
}

impl Manifest {
    /// Every source with its team: the ungrouped ones first, then each team's.
    pub fn sources(&self) -> Vec<(String, Option<String>)> {
        let plain = self.sources.iter().map(|s| (s.clone(), None));
        let grouped = self.teams.iter().flat_map(|(team, sources)| {
            sources.iter().map(move |s| (s.clone(), Some(team.clone())))
        });
        plain.chain(grouped).collect()
    }
}

/// Why a manifest does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(pub String);

/// Parses `org.yaml`'s text.
pub fn parse_manifest(text: &str) -> Result<Manifest, ManifestError> {
    let node = crate::yaml::parse(text)
        .map_err(|e| {
            ManifestError(format!(
                "line {}, column {}: {}",
                e.pos.line, e.pos.col, e.message
            ))
        })?
        .ok_or_else(|| ManifestError("the manifest is empty".into()))?;
    let manifest: Manifest = serde_json::from_value(crate::yaml::to_json(&node))
        .map_err(|e| ManifestError(format!("not an org manifest: {e}")))?;
    if manifest.sources().is_empty() {
        return Err(ManifestError(
            "the manifest lists no sources (`sources:` or `teams:`)".into(),
        ));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_plain_sources_then_each_teams() {
        let m = parse_manifest("name: Acme\nsources: [a]\nteams:\n  support: [b, c]\n").unwrap();
        assert_eq!(m.name.as_deref(), Some("Acme"));
        assert_eq!(
            m.sources(),
            vec![
                ("a".to_string(), None),
                ("b".to_string(), Some("support".to_string())),
                ("c".to_string(), Some("support".to_string())),
            ]
        );
    }

    #[test]
    fn refuses_unknown_keys_and_no_sources() {
        assert!(parse_manifest("name: x\nsource: [a]\n").is_err());
        assert!(parse_manifest("name: x\n").is_err());
    }
}
