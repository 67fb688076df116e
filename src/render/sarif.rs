//! `check --format sarif`: SARIF 2.1.0, which code-scanning views (GitHub code scanning among
//! them) read. One rule per finding code, one result per finding, sorted.

use serde_json::{Value, json};

use super::{LOAD_ERROR_RULE, Located, load_error_text, located_findings, located_load_errors};
use crate::core::model::finding::Category;
use crate::core::model::{FindingCode, LoadErrors, Pos, Severity};
use crate::core::text::sanitize;
use crate::engine::Snapshot;

pub(crate) const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// "changed-since-signoff" → "ChangedSinceSignoff", SARIF's convention for rule names.
fn rule_name(code: FindingCode) -> String {
    code.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn rules() -> Vec<Value> {
    FindingCode::ALL
        .iter()
        .map(|&code| {
            let category = match code.category() {
                Category::Gap => "gap",
                Category::Stale => "stale",
            };
            let what = match code.category() {
                Category::Gap => "A gap: something the handoff lacks.",
                Category::Stale => "Stale: something that was right and no longer is.",
            };
            json!({
                "id": code.as_str(),
                "name": rule_name(code),
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": format!("{} {what}", code.summary()) },
                "defaultConfiguration": { "level": level(code.default_severity()) },
                "properties": { "tags": ["handoff", category] }
            })
        })
        .collect()
}

/// A repository path as a SARIF URI reference: bytes outside RFC 3986's unreserved and
/// path characters are percent-encoded, so `%`, `#`, `?`, spaces and non-ASCII survive.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in sanitize(path).bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A file and, when known, the line and column in it.
fn physical_location(file: &str, pos: Pos) -> Value {
    let mut region = serde_json::Map::new();
    if pos.line > 0 {
        region.insert("startLine".into(), json!(pos.line));
        if pos.col > 0 {
            region.insert("startColumn".into(), json!(pos.col));
        }
    }
    let mut physical = json!({
        "artifactLocation": { "uri": uri_path(file), "uriBaseId": "%SRCROOT%" }
    });
    if !region.is_empty() {
        physical["region"] = Value::Object(region);
    }
    physical
}

fn result(located: &Located) -> Value {
    let f = located.finding;
    let rule_index = FindingCode::ALL
        .iter()
        .position(|c| *c == f.code)
        .unwrap_or_default();
    let physical = physical_location(&located.file, f.pos);
    // Stable across runs and line moves, so code scanning tracks one alert per problem.
    let identity = format!(
        "{}/{}/{}/{}",
        f.code,
        f.artifact,
        f.role.as_deref().unwrap_or(""),
        f.related.as_deref().unwrap_or("")
    );
    json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {
            "text": format!("{}: {} Fix: {}", sanitize(&f.artifact), sanitize(&f.message), sanitize(&f.fix))
        },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{ "name": sanitize(&f.artifact), "kind": "artifact" }]
        }],
        "partialFingerprints": { "handoffFinding/v1": sanitize(&identity) },
        "properties": {
            "artifact": sanitize(&f.artifact),
            "severity": f.severity.as_str(),
            "role": f.role.as_deref().map(sanitize),
            "related": f.related.as_deref().map(sanitize),
            "fix": sanitize(&f.fix),
        }
    })
}

/// The SARIF log of a snapshot. File URIs are relative to the repository root.
pub(crate) fn sarif(s: &Snapshot, repo_prefix: &str) -> String {
    let results: Vec<Value> = located_findings(s, repo_prefix)
        .iter()
        .map(result)
        .collect();
    log(rules(), results)
}

/// The SARIF log of an index that does not load: one rule, a result at each load error.
pub(crate) fn sarif_load_errors(errors: &LoadErrors, repo_prefix: &str) -> String {
    let rule = json!({
        "id": LOAD_ERROR_RULE,
        "name": "IndexDoesNotLoad",
        "shortDescription": { "text": "handoff.yaml does not load" },
        "fullDescription": {
            "text": "handoff.yaml does not load, so nothing else could be checked: fix the error at its line and column."
        },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["handoff"] }
    });
    let results = located_load_errors(errors, repo_prefix)
        .into_iter()
        .map(|(file, e)| {
            json!({
                "ruleId": LOAD_ERROR_RULE,
                "ruleIndex": 0,
                "level": "error",
                "message": { "text": load_error_text(e) },
                "locations": [{ "physicalLocation": physical_location(&file, e.pos) }],
                "partialFingerprints": {
                    "handoffFinding/v1": sanitize(&format!("{LOAD_ERROR_RULE}/{file}/{}", e.message))
                }
            })
        })
        .collect();
    log(vec![rule], results)
}

fn log(rules: Vec<Value>, results: Vec<Value>) -> String {
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "handoff",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("docs/prd.md"), "docs/prd.md");
        assert_eq!(uri_path("docs/a b#1%?.md"), "docs/a%20b%231%25%3F.md");
        assert_eq!(uri_path("docs/é.md"), "docs/%C3%A9.md");
    }

    #[test]
    fn rule_names_are_camel_case() {
        assert_eq!(
            rule_name(FindingCode::ChangedSinceSignoff),
            "ChangedSinceSignoff"
        );
        assert_eq!(rule_name(FindingCode::Aged), "Aged");
    }
}
