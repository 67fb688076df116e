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
    let (json, code) = common::handoff_json(dir, &["check", "--format", "json"]);
    assert!(code == 0 || code == 1, "exit {code}: {json:#}");
    json
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

/// Lee approves `entry` as eng at `unix` (a sign-off committed by handoff).
fn approve_as_eng(repo: &TestRepo, unix: i64) {
    let out = common::handoff_command(repo.path(), &at(unix))
        .args(["sign", "entry", "--action", "approve", "--role", "eng"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    approve_as_eng(&repo, now() - 20 * DAY);
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

/// (artifact, code, summary of the commit) of the findings a review lists as `which`.
fn review_events(dir: &Path, since: &str, which: &str) -> Vec<(String, String, String)> {
    let (json, code) = common::handoff_json(dir, &["review", "--since", since, "--format", "json"]);
    assert_eq!(code, 0, "{json:#}");
    json[which]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["artifact"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
                e["commit"]["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn a_review_lists_the_unversioned_change_and_contract_violation_its_commits_opened() {
    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n    version_field: version\n",
        "prompts/entry.yaml",
        &[
            ("schemas/entry.schema.json", ENTRY_SCHEMA),
            (
                "prompts/entry.yaml",
                "id: entry\nversion: 2\nprompt: Be brief.\n",
            ),
        ],
    );
    approve_as_eng(&repo, now() - 20 * DAY);
    // The sign-off's commit is dated by the wall clock; the history it starts is dated
    // before NOW, so it is dated with its record.
    repo.git_at(
        now() - 20 * DAY,
        &["commit", "--amend", "--no-edit", "--quiet"],
    );
    let since = repo.head();
    repo.set_clock(now() - 10 * DAY);
    repo.write(
        "prompts/entry.yaml",
        "id: entry\nversion: 2\nprompt: Be brief and kind.\n",
    );
    repo.commit("Kinder, same version");
    // The schema starts requiring an owner: the entry, unchanged, now violates it. Read from
    // each commit's tree, the start knew no such requirement.
    repo.write(
        "schemas/entry.schema.json",
        &ENTRY_SCHEMA.replace(r#""required": ["id","#, r#""required": ["owner", "id","#),
    );
    repo.commit("Entries name their owner");
    assert!(!findings(&check(repo.path()), "contract-violation").is_empty());

    let opened = review_events(repo.path(), &since, "opened");
    for expected in [
        ("entry", "unversioned-change", "Kinder, same version"),
        ("entry", "contract-violation", "Entries name their owner"),
    ] {
        let expected = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
        );
        assert!(opened.contains(&expected), "{expected:?} in {opened:#?}");
    }
    assert!(review_events(repo.path(), &since, "closed").is_empty());
}

#[test]
fn a_schema_path_is_relative_to_the_directory_of_handoff_yaml() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "lee@acme.example"]);
    repo.write(
        "team/handoff.yaml",
        "version: 1\nroles:\n  eng: { people: [lee@acme.example] }\nkinds:\n  prompt:\n    schema: schemas/entry.schema.json\nartifacts:\n  - id: entry\n    kind: prompt\n    path: prompts/entry.yaml\n    owner: eng\n",
    );
    // The schema beside the index requires `id` through a `$ref`; a permissive one at the
    // repository's root must not be the one read.
    repo.write(
        "team/schemas/entry.schema.json",
        r#"{"allOf": [{"$ref": "defs/base.schema.json"}]}"#,
    );
    repo.write(
        "team/schemas/defs/base.schema.json",
        r#"{"type": "object", "required": ["id"]}"#,
    );
    repo.write("schemas/entry.schema.json", "{}");
    repo.write("team/prompts/entry.yaml", "id: entry\nprompt: Hello\n");
    repo.commit_at("Contract", now() - 30 * DAY);
    let team = repo.abs("team");
    assert!(findings(&check(&team), "contract-violation").is_empty());

    let since = repo.head();
    repo.write("team/prompts/entry.yaml", "# no id\nprompt: Hello\n");
    repo.commit_at("Drop the id", now() - 10 * DAY);
    let json = check(&team);
    let found = findings(&json, "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(place(&found[0]), ("prompts/entry.yaml".into(), 2));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"id\" is a required property"),
        "{}",
        found[0]["message"]
    );
    // The past is read the same way: the review sees the violation open with the commit.
    let opened = review_events(&team, &since, "opened");
    assert_eq!(
        opened,
        [(
            "entry".to_string(),
            "contract-violation".to_string(),
            "Drop the id".to_string()
        )]
    );

    // A schema that is missing is named as written, relative to the index.
    repo.remove("team/schemas/entry.schema.json");
    let found = findings(&check(&team), "contract-violation");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("the schema `schemas/entry.schema.json` does not exist"),
        "{}",
        found[0]["message"]
    );
}

/// The handoff as of each commit of a history with schemas, `$ref`s, versions, approvals and
/// CI configuration is what a fresh check of a clone reset to that commit decides.
#[test]
fn as_of_each_commit_contracts_and_ci_are_read_from_that_commit() {
    use handoff::engine::as_of::Timeline;
    use handoff::engine::{Workspace, snapshot};

    let repo = repo_with(
        "    schema: schemas/entry.schema.json\n    version_field: version\n    changelog_field: changelog\n",
        "prompts/*.yaml",
        &[
            (
                "schemas/entry.schema.json",
                r#"{"type": "object", "properties": {"model": {"$ref": "defs/model.schema.json"}}}"#,
            ),
            ("schemas/defs/model.schema.json", r#"{"type": "string"}"#),
            (
                "prompts/a.yaml",
                "version: 1\nmodel: small\nchangelog: [{version: 1}]\n",
            ),
        ],
    );
    let scorecard = "scorecard:\n  - name: evals-in-ci\n    rule: in-ci\n    path: prompts\n";
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write("handoff.yaml", &format!("{index}{scorecard}"));
    repo.commit("Scorecard");
    approve_as_eng(&repo, now() - 25 * DAY);
    repo.set_clock(now() - 20 * DAY);
    let steps: [(&str, &str); 4] = [
        (
            "prompts/a.yaml",
            "version: 1\nmodel: large\nchangelog: [{version: 1}]\n",
        ),
        ("schemas/defs/model.schema.json", r#"{"type": "integer"}"#),
        (
            ".github/workflows/ci.yml",
            "jobs: { t: { steps: [ { run: ls prompts } ] } }\n",
        ),
        (
            "prompts/a.yaml",
            "version: 2\nmodel: 7\nchangelog: [{version: 1}]\n",
        ),
    ];
    for (path, text) in steps {
        repo.write(path, text);
        repo.commit(&format!("Change {path}"));
    }
    let ws = Workspace::discover(repo.path()).unwrap();
    let timeline = Timeline::open(&ws).unwrap();
    let head = timeline.head().unwrap();
    let root = timeline
        .resolve(&format!("HEAD~{}", steps.len() + 1))
        .unwrap();
    let points = timeline.first_parent_line(&root, &head).unwrap();
    let past = timeline.evaluate(&points).unwrap();
    let clone = repo.full_clone();
    let mut codes = std::collections::BTreeSet::new();
    for handoff in &past {
        clone.git(&["reset", "--quiet", "--hard", &handoff.point.change.commit]);
        let ws = Workspace::discover(clone.path()).unwrap();
        let fresh = snapshot(&ws, handoff.point.committed).unwrap();
        let past = handoff.snapshot.as_ref().unwrap();
        let summary = &handoff.point.change.summary;
        assert_eq!(past.facts.artifacts, fresh.facts.artifacts, "{summary}");
        assert_eq!(past.facts.scorecard, fresh.facts.scorecard, "{summary}");
        assert_eq!(past.report.findings, fresh.report.findings, "{summary}");
        assert_eq!(
            past.report.handoff_findings, fresh.report.handoff_findings,
            "{summary}"
        );
        codes.extend(past.report.all_findings().map(|f| f.code.as_str()));
    }
    // The history shows each kind of finding the contract and the scorecard give.
    for code in [
        "unversioned-change",
        "contract-violation",
        "scorecard-unmet",
    ] {
        assert!(codes.contains(code), "{code} in {codes:?}");
    }
}
