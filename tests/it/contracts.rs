//! Contracts of machine-readable artifacts (issue 22, part 2): a kind's JSON Schema checks its
//! YAML, JSON and JSONL documents (`contract-violation`, at the failing value's line), and a
//! `version_field` must move when the content does (`unversioned-change`).

use std::path::Path;

use serde_json::Value;

use crate::common::{self, NOW, TestRepo};

const DAY: i64 = 86_400;

fn now() -> i64 {
    NOW.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn at(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).unwrap().to_string()
}

fn check(dir: &Path) -> Value {
    let out = common::handoff_command(dir, NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn findings(json: &Value, code: &str) -> Vec<Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

fn place(finding: &Value) -> (String, u64) {
    (
        finding["file"].as_str().unwrap().to_string(),
        finding["line"].as_u64().unwrap(),
    )
}

const ENTRY_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "version", "prompt"],
  "properties": {
    "id": { "type": "string" },
    "version": { "type": "integer", "minimum": 1 },
    "prompt": { "type": "string" }
  }
}
"#;

/// A repository whose `prompt` kind names `schema` (and `kind_extra`), with one artifact at
/// `path`; everything committed.
fn repo_with(kind_extra: &str, path: &str, files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "lee@acme.example"]);
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles:\n  eng: {{ people: [lee@acme.example] }}\nkinds:\n  prompt:\n    signoff: [eng]\n{kind_extra}artifacts:\n  - id: entry\n    kind: prompt\n    path: {path}\n    owner: eng\n"
        ),
    );
    for (file, text) in files {
        repo.write(file, text);
    }
    repo.commit_at("Contract", now() - 30 * DAY);
    repo
}

#[test]
fn a_value_that_fails_the_schema_is_reported_at_its_line() {
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n",
        "prompts/entry.yaml",
        &[
            ("schemas/entry.schema.json", ENTRY_SCHEMA),
            (
                "prompts/entry.yaml",
                "# A registry entry\nid: entry\nversion: four\nprompt: |\n  Hello\n",
            ),
        ],
    );
    let json = check(repo.path());
    let found = findings(&json, "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("prompts/entry.yaml".into(), 3));
    assert_eq!(found[0]["column"], 10);
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("/version"), "{message}");
    assert_eq!(found[0]["severity"], "error");
}

#[test]
fn a_removed_required_field_is_reported_on_its_mapping_and_a_valid_entry_is_clean() {
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n",
        "prompts/entry.yaml",
        &[
            ("schemas/entry.schema.json", ENTRY_SCHEMA),
            (
                "prompts/entry.yaml",
                "id: entry\nversion: 2\nprompt: Hello\n",
            ),
        ],
    );
    assert!(findings(&check(repo.path()), "contract-violation").is_empty());
    repo.write(
        "prompts/entry.yaml",
        "# entry\n\nid: entry\nprompt: Hello\n",
    );
    let json = check(repo.path());
    let found = findings(&json, "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("prompts/entry.yaml".into(), 3));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"version\" is a required property"),
        "{}",
        found[0]["message"]
    );
}

#[test]
fn a_schema_may_reference_another_file_of_the_repository() {
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n",
        "prompts/*.json",
        &[
            (
                "schemas/entry.schema.json",
                r##"{"type": "object", "properties": {"model": {"$ref": "defs/model.schema.json#/$defs/model"}}}"##,
            ),
            (
                "schemas/defs/model.schema.json",
                r#"{"$defs": {"model": {"type": "object", "required": ["route"]}}}"#,
            ),
            ("prompts/good.json", "{\"model\": {\"route\": \"a/b\"}}\n"),
            (
                "prompts/bad.json",
                "{\n  \"model\": {\n    \"temperature\": 0.3\n  }\n}\n",
            ),
        ],
    );
    let json = check(repo.path());
    let found = findings(&json, "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("prompts/bad.json".into(), 2));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"route\" is a required property")
    );
}

#[test]
fn network_references_and_references_out_of_the_repository_are_refused_not_fetched() {
    for reference in [
        "https://example.com/model.schema.json",
        "../../outside.schema.json",
    ] {
        let schema = format!(r#"{{"properties": {{"model": {{"$ref": "{reference}"}}}}}}"#);
        let repo = repo_with(
            "    schema: schemas/entry.schema.json\n",
            "prompts/entry.yaml",
            &[
                ("schemas/entry.schema.json", &schema),
                ("prompts/entry.yaml", "model: {}\n"),
            ],
        );
        let json = check(repo.path());
        let found = findings(&json, "contract-violation");
        assert_eq!(found.len(), 1, "{reference}: {found:#?}");
        assert_eq!(found[0]["file"], "schemas/entry.schema.json");
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap()
                .contains("not a usable JSON Schema"),
            "{}",
            found[0]["message"]
        );
    }
}

#[test]
fn invalid_and_missing_schemas_are_located_findings_not_crashes() {
    // Not JSON: located in the schema file.
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n",
        "prompts/entry.yaml",
        &[
            (
                "schemas/entry.schema.json",
                "{\n  \"type\": \"object\",\n}\n",
            ),
            ("prompts/entry.yaml", "id: entry\n"),
        ],
    );
    let found = findings(&check(repo.path()), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("schemas/entry.schema.json".into(), 3));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not parse")
    );

    // JSON, but no JSON Schema: located at the offending keyword.
    repo.write(
        "schemas/entry.schema.json",
        "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"id\": { \"type\": 12 }\n  }\n}\n",
    );
    let found = findings(&check(repo.path()), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("schemas/entry.schema.json".into(), 4));

    // Missing: at the kind's `schema:` in the index.
    repo.remove("schemas/entry.schema.json");
    let found = findings(&check(repo.path()), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("handoff.yaml".into(), 7));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
}

#[test]
fn a_document_that_does_not_parse_is_a_located_finding() {
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n",
        "prompts/entry.yaml",
        &[
            ("schemas/entry.schema.json", ENTRY_SCHEMA),
            (
                "prompts/entry.yaml",
                "id: entry\nversion: 2\nprompt: [unclosed\n",
            ),
        ],
    );
    let found = findings(&check(repo.path()), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["file"], "prompts/entry.yaml");
    assert!(found[0]["line"].as_u64().unwrap() >= 3);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not parse")
    );
}

#[test]
fn jsonl_is_checked_line_by_line_with_the_first_failures_and_a_count() {
    let mut cases = String::new();
    for i in 1..=5000 {
        match i {
            1200 => cases.push_str("{\"id\": \"ev-1200\"}\n"),
            3001 => cases.push_str("{\"id\": \"ev-3001\", \"input\": 7}\n"),
            4500 => cases.push_str("{not json\n"),
            _ => cases.push_str(&format!(
                "{{\"id\": \"ev-{i}\", \"input\": \"Where is my order {i}?\"}}\n"
            )),
        }
    }
    let repo = repo_with(
        "    schema: schemas/case.schema.json\n",
        "evals/cases.jsonl",
        &[
            (
                "schemas/case.schema.json",
                r#"{"type": "object", "required": ["id", "input"], "properties": {"input": {"type": "string"}}}"#,
            ),
            ("evals/cases.jsonl", &cases),
        ],
    );
    let found = findings(&check(repo.path()), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("evals/cases.jsonl".into(), 1200));
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("3 of 5000 lines fail the schema"),
        "{message}"
    );
    for line in ["line 1200:", "line 3001: `/input`", "line 4500: not JSON"] {
        assert!(message.contains(line), "{line}: {message}");
    }
}

/// An entry under `version_field: version` and `changelog_field: changelog`, approved by eng
/// 20 days before NOW.
fn approved_entry() -> TestRepo {
    let repo = repo_with(
        "    version_field: version\n    changelog_field: changelog\n",
        "prompts/entry.yaml",
        &[(
            "prompts/entry.yaml",
            "id: entry\nversion: 2\nprompt: |\n  Be brief.\nchangelog:\n  - version: 2\n    change: Brief.\n  - version: 1\n    change: First.\n",
        )],
    );
    let out = common::handoff_command(repo.path(), &at(now() - 20 * DAY))
        .args(["sign", "entry", "--action", "approve", "--role", "eng"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.set_clock(now() - 10 * DAY);
    repo
}

#[test]
fn a_change_of_content_that_keeps_the_version_is_unversioned_until_bumped() {
    let repo = approved_entry();
    assert!(findings(&check(repo.path()), "unversioned-change").is_empty());

    // A comment is no change of content.
    repo.write(
        "prompts/entry.yaml",
        "# Bump version for any change.\nid: entry\nversion: 2\nprompt: |\n  Be brief.\nchangelog:\n  - version: 2\n    change: Brief.\n  - version: 1\n    change: First.\n",
    );
    repo.commit("Comment");
    assert!(findings(&check(repo.path()), "unversioned-change").is_empty());

    repo.write(
        "prompts/entry.yaml",
        "# Bump version for any change.\nid: entry\nversion: 2\nprompt: |\n  Be brief and kind.\nchangelog:\n  - version: 2\n    change: Brief.\n  - version: 1\n    change: First.\n",
    );
    repo.commit("Kinder, same version");
    let json = check(repo.path());
    let found = findings(&json, "unversioned-change");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["artifact"], "entry");
    assert_eq!(place(&found[0]), ("prompts/entry.yaml".into(), 3));
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("`version` is still 2"), "{message}");
    assert!(message.contains("lee@acme.example"), "{message}");

    // Bumped, with a changelog entry: nothing left.
    repo.write(
        "prompts/entry.yaml",
        "id: entry\nversion: 3\nprompt: |\n  Be brief and kind.\nchangelog:\n  - version: 3\n    change: Kind.\n  - version: 2\n    change: Brief.\n  - version: 1\n    change: First.\n",
    );
    repo.commit("v3");
    assert!(findings(&check(repo.path()), "unversioned-change").is_empty());
}

#[test]
fn a_version_without_a_changelog_entry_is_named() {
    let repo = approved_entry();
    repo.write(
        "prompts/entry.yaml",
        "id: entry\nversion: 3\nprompt: |\n  Be brief and kind.\nchangelog:\n  - version: 2\n    change: Brief.\n  - version: 1\n    change: First.\n",
    );
    repo.commit("v3 without a word");
    let found = findings(&check(repo.path()), "unversioned-change");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("prompts/entry.yaml".into(), 5));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("`changelog` has no entry for version 3")
    );
}

#[test]
fn a_missing_version_field_is_reported_not_crashed_on() {
    let repo = approved_entry();
    repo.write(
        "prompts/entry.yaml",
        "id: entry\nprompt: |\n  Be brief and kind.\n",
    );
    repo.commit("Version dropped");
    let found = findings(&check(repo.path()), "unversioned-change");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("has no `version`"),
        "{}",
        found[0]["message"]
    );
}
