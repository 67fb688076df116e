//! The scorecard (issue 22, part 1): `scorecard:` rules in handoff.yaml, each judged by
//! `handoff scorecard` and reported by `check` as a handoff-level `scorecard-unmet` finding.

use std::path::Path;

use serde_json::Value;

use crate::common::{self, NOW, TestRepo};

/// A repository with a PRD (owned by pm, sections `Goals` and `Rollout plan` required), an
/// eval set governing `evals/score.py` and depending on the PRD, and `scorecard` appended.
fn repo_with(roles: &str, scorecard: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles:\n{roles}kinds:\n  prd:\n    required_sections: [Goals, Rollout plan]\n  eval-set: {{}}\nartifacts:\n  - id: prd\n    kind: prd\n    path: docs/prd.md\n    owner: pm\n  - id: evals\n    kind: eval-set\n    path: evals\n    owner: pm\n    depends_on: [prd]\n    governs: [evals/score.py]\nscorecard:\n{scorecard}"
        ),
    );
    repo.write(
        "docs/prd.md",
        "# PRD\n\n## Goals\n\nShip.\n\n## Rollout plan\n\n5%.\n",
    );
    repo.write("evals/README.md", "# Evals\n");
    repo.write("evals/score.py", "print('score')\n");
    repo.commit("Start");
    repo
}

const PM: &str = "  pm: { people: [dana@acme.example] }\n";

fn scorecard(dir: &Path) -> (Value, i32) {
    common::handoff_json(dir, &["scorecard", "--format", "json"])
}

/// The state of each rule, by name.
fn states(json: &Value) -> Vec<(String, String)> {
    json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn state_of(json: &Value, name: &str) -> String {
    states(json)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no rule {name} in {json:#}"))
        .1
}

fn rule<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()
}

fn sign_accept(repo: &TestRepo, artifact: &str) {
    let out = common::handoff_command(repo.path(), NOW)
        .args(["sign", artifact, "--action", "accept", "--role", "pm"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn owned_and_accepted_passes_once_every_owner_has_accepted() {
    let repo = repo_with(
        PM,
        "  - name: owned\n    severity: error\n    rule: owned-and-accepted\n",
    );
    let (json, code) = scorecard(repo.path());
    assert_eq!(state_of(&json, "owned"), "fail");
    assert_eq!(code, 1, "an error-severity rule failing fails the run");
    let evidence = rule(&json, "owned")["evidence"].to_string();
    assert!(evidence.contains("prd: owner-not-accepted"), "{evidence}");
    assert!(evidence.contains("evals: owner-not-accepted"), "{evidence}");

    sign_accept(&repo, "prd");
    sign_accept(&repo, "evals");
    let (json, code) = scorecard(repo.path());
    assert_eq!(state_of(&json, "owned"), "pass");
    assert_eq!(json["score"], "1/1");
    assert_eq!(code, 0);
    assert!(rule(&json, "owned")["fix"].is_null());
}

#[test]
fn at_least_counts_artifacts_of_a_kind_that_meet_its_conditions() {
    let repo = repo_with(
        PM,
        "  - name: one-eval\n    rule: at-least\n    kind: eval-set\n    governs: evals/score.py\n    depends_on: prd\n\
         \x20 - name: eval-governs-anything\n    rule: at-least\n    kind: eval-set\n    governs: true\n\
         \x20 - name: two-evals\n    rule: at-least\n    kind: eval-set\n    count: 2\n\
         \x20 - name: eval-governs-other\n    rule: at-least\n    kind: eval-set\n    governs: src/model.py\n\
         \x20 - name: prd-depends-on-eval\n    rule: at-least\n    kind: prd\n    depends_on: eval-set\n",
    );
    let (json, code) = scorecard(repo.path());
    assert_eq!(
        states(&json),
        [
            ("one-eval", "pass"),
            ("eval-governs-anything", "pass"),
            ("two-evals", "fail"),
            ("eval-governs-other", "fail"),
            ("prd-depends-on-eval", "fail"),
        ]
        .map(|(n, s)| (n.to_string(), s.to_string()))
    );
    assert_eq!(code, 0, "warnings do not fail the default --fail-on error");
    assert_eq!(
        rule(&json, "eval-governs-other")["evidence"][0],
        "evals: does not govern src/model.py"
    );
    assert_eq!(
        rule(&json, "prd-depends-on-eval")["evidence"][0],
        "prd: depends on no `eval-set`"
    );
    let two = rule(&json, "two-evals");
    assert_eq!(
        two["summary"],
        "artifacts of kind `eval-set`: 1 found, at least 2 required"
    );
    assert!(two["fix"].as_str().unwrap().starts_with("add 1 more"));
}

#[test]
fn sections_present_fails_while_an_artifact_of_the_kind_lacks_a_heading() {
    let repo = repo_with(
        PM,
        "  - name: prd-complete\n    rule: sections-present\n    kind: prd\n",
    );
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "prd-complete"), "pass");

    repo.write("docs/prd.md", "# PRD\n\n## Goals\n\nShip.\n");
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "prd-complete"), "fail");
    let evidence = rule(&json, "prd-complete")["evidence"][0].as_str().unwrap();
    assert!(
        evidence.starts_with("prd: missing-sections:") && evidence.contains("Rollout plan"),
        "{evidence}"
    );
}

#[test]
fn role_staffed_needs_people_and_an_allocation_of_at_least_the_minimum() {
    let rules =
        "  - name: expert\n    rule: role-staffed\n    role: expert\n    allocation: 1h/week\n";
    let case = |expert: &str| {
        let roles = format!("{PM}  expert: {expert}\n");
        let repo = repo_with(&roles, rules);
        let (json, _) = scorecard(repo.path());
        (
            state_of(&json, "expert"),
            rule(&json, "expert")["fix"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    assert_eq!(
        case("{ people: [sam@acme.example], allocation: 2h/week }").0,
        "pass"
    );
    assert_eq!(
        case("{ people: [sam@acme.example], allocation: 1h/day }").0,
        "pass"
    );
    let (state, fix) = case("{ people: [sam@acme.example] }");
    assert_eq!(state, "fail");
    assert!(fix.contains("allocation: 1h/week"), "{fix}");
    let (state, fix) = case("{ people: [sam@acme.example], allocation: 30m/week }");
    assert_eq!(state, "fail");
    assert!(fix.contains("at least 1h/week"), "{fix}");
    let (state, fix) = case("{ people: [], allocation: 2h/week }");
    assert_eq!(state, "fail");
    assert!(fix.contains("add people to role `expert`"), "{fix}");
}

#[test]
fn in_ci_needs_the_path_to_exist_and_ci_configuration_to_name_it() {
    let rules = "  - name: evals-in-ci\n    rule: in-ci\n    path: evals/\n\
                 \x20 - name: gone-in-ci\n    rule: in-ci\n    path: tools/gone.sh\n";
    let repo = repo_with(PM, rules);
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "evals-in-ci"), "fail");
    assert!(
        rule(&json, "evals-in-ci")["evidence"]
            .to_string()
            .contains("no CI configuration")
    );

    repo.write(
        ".github/workflows/build.yml",
        "jobs:\n  build:\n    steps:\n      - run: cargo test\n",
    );
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "evals-in-ci"), "fail");
    assert_eq!(
        rule(&json, "evals-in-ci")["evidence"][1],
        "named by none of: .github/workflows/build.yml"
    );

    repo.write(
        ".github/workflows/evals.yml",
        "jobs:\n  evals:\n    steps:\n      - run: python evals/score.py\n",
    );
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "evals-in-ci"), "pass");
    assert_eq!(
        rule(&json, "evals-in-ci")["evidence"][1],
        "named by .github/workflows/evals.yml"
    );
    // Named by CI but absent from the work tree.
    repo.write(".gitlab-ci.yml", "test:\n  script: tools/gone.sh\n");
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "gone-in-ci"), "fail");
    assert_eq!(
        rule(&json, "gone-in-ci")["summary"],
        "tools/gone.sh does not exist"
    );
    repo.write("tools/gone.sh", "#!/bin/sh\n");
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "gone-in-ci"), "pass");
    // `.ci/` files count as CI configuration too.
    repo.remove(".github");
    repo.remove(".gitlab-ci.yml");
    repo.write(".ci/run", "#!/bin/sh\npython evals/score.py\n");
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "evals-in-ci"), "pass");
}

fn load_error(scorecard: &str, roles: &str) -> String {
    let repo = repo_with(roles, scorecard);
    let out = common::handoff_command(repo.path(), NOW)
        .args(["scorecard"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_rule_definitions_are_located_errors() {
    // The scorecard starts at line 20 of the index `repo_with` writes.
    let cases: &[(&str, &str, &str)] = &[
        (
            "  - name: a\n    rule: at-leest\n    kind: prd\n",
            PM,
            "handoff.yaml:21:11: error: unknown rule type `at-leest` in scorecard rule `a`, did you mean `at-least`?",
        ),
        (
            "  - name: a\n    rule: in-ci\n    kind: prd\n    path: evals\n",
            PM,
            "handoff.yaml:22:5: error: `kind` does not apply to rule type `in-ci` in scorecard rule `a`",
        ),
        (
            "  - rule: owned-and-accepted\n",
            PM,
            "handoff.yaml:20:5: error: scorecard rule #1 has no `name`",
        ),
        (
            "  - name: a\n    rule: sections-present\n",
            PM,
            "handoff.yaml:20:5: error: scorecard rule `a` needs `kind`",
        ),
        (
            "  - name: a\n    rule: sections-present\n    kind: prdd\n",
            PM,
            "handoff.yaml:22:11: error: unknown kind `prdd` in `kind` of scorecard rule `a`, did you mean `prd`?",
        ),
        (
            "  - name: a\n    rule: role-staffed\n    role: expert\n",
            PM,
            "handoff.yaml:22:11: error: unknown role `expert` in `role`",
        ),
        (
            "  - name: a\n    rule: at-least\n    kind: prd\n    count: 0\n",
            PM,
            "handoff.yaml:23:12: error: `count` must be a whole number of at least 1, found `0`",
        ),
        (
            "  - name: a\n    severity: fatal\n    rule: owned-and-accepted\n",
            PM,
            "handoff.yaml:21:15: error: `fatal` is not a severity",
        ),
        (
            "  - name: a\n    rule: owned-and-accepted\n  - name: a\n    rule: owned-and-accepted\n",
            PM,
            "handoff.yaml:22:5: error: scorecard rule `a` is defined twice (first at line 20)",
        ),
        (
            "  - name: a\n    rule: owned-and-accepted\n",
            "  pm: { people: [dana@acme.example], allocation: lots }\n",
            "handoff.yaml:3:50: error: `allocation`: `lots` is not an allocation",
        ),
        (
            "  rule: owned-and-accepted\n",
            PM,
            "handoff.yaml:20:3: error: `scorecard` must be a list, found a mapping",
        ),
    ];
    for (rules, roles, expected) in cases {
        let err = load_error(rules, roles);
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
}

#[test]
fn check_reports_each_failing_rule_as_a_handoff_level_finding() {
    let repo = repo_with(
        PM,
        "  - name: owned\n    severity: error\n    rule: owned-and-accepted\n\
         \x20 - name: prd-complete\n    rule: sections-present\n    kind: prd\n\
         \x20 - name: evals-in-ci\n    severity: info\n    rule: in-ci\n    path: evals\n",
    );
    let (json, code) = common::handoff_json(repo.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "an error-severity rule fails");
    let unmet: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "scorecard-unmet")
        .collect();
    assert_eq!(unmet.len(), 2, "{unmet:#?}");
    assert_eq!(unmet[0]["rule"], "owned");
    assert_eq!(unmet[0]["severity"], "error");
    assert!(unmet[0]["artifact"].is_null());
    assert_eq!(unmet[0]["file"], "handoff.yaml");
    assert_eq!(unmet[0]["line"], 20);
    assert_eq!(unmet[1]["rule"], "evals-in-ci");
    assert_eq!(unmet[1]["severity"], "info");
    // Not any artifact's: no artifact lists it.
    for a in json["artifacts"].as_array().unwrap() {
        assert!(
            a["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["code"] != "scorecard-unmet")
        );
    }
    // Artifact findings say `artifact` and no `rule`.
    let other = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] != "scorecard-unmet")
        .unwrap();
    assert!(other["artifact"].is_string() && other.get("rule").is_none());

    let text = run(repo.path(), &["check"]);
    assert!(
        text.contains("scorecard  handoff.yaml  1/3 rules pass"),
        "{text}"
    );
    assert!(
        text.contains("scorecard rule `owned` is not met: 0 of 2 artifacts owned and accepted"),
        "{text}"
    );

    sign_accept(&repo, "prd");
    sign_accept(&repo, "evals");
    let out = common::handoff_command(repo.path(), NOW)
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "an info rule alone passes");
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = common::handoff_command(dir, NOW)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn ci_formats_name_the_rule_of_a_handoff_level_finding() {
    let repo = repo_with(
        PM,
        "  - name: evals-in-ci\n    rule: in-ci\n    path: evals\n",
    );
    let github = run(repo.path(), &["check", "--format", "github"]);
    assert!(
        github.contains(
            "::warning file=handoff.yaml,line=20,col=5,title=scorecard-unmet::handoff: scorecard rule `evals-in-ci` is not met"
        ),
        "{github}"
    );
    let sarif: Value =
        serde_json::from_str(&run(repo.path(), &["check", "--format", "sarif"])).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "scorecard-unmet")
        .unwrap()
        .clone();
    assert_eq!(
        result["locations"][0]["logicalLocations"][0],
        serde_json::json!({ "name": "evals-in-ci", "kind": "scorecard-rule" })
    );
    assert_eq!(result["properties"]["rule"], "evals-in-ci");
    assert!(result["properties"]["artifact"].is_null());
    let junit = run(repo.path(), &["check", "--format", "junit"]);
    assert!(
        junit.contains(
            "<testcase classname=\"handoff.scorecard\" name=\"evals-in-ci\" file=\"handoff.yaml\" time=\"0\">"
        ),
        "{junit}"
    );
    assert!(
        junit.contains("tests=\"3\""),
        "two artifacts and one rule: {junit}"
    );
}

#[test]
fn the_scorecard_command_prints_text_and_markdown() {
    let repo = repo_with(
        PM,
        "  - name: prd-complete\n    description: The PRD is whole.\n    rule: sections-present\n    kind: prd\n\
         \x20 - name: evals-in-ci\n    rule: in-ci\n    path: evals\n",
    );
    let text = run(repo.path(), &["scorecard"]);
    let expected = "\
handoff · scorecard 1/2

pass  prd-complete  sections-present · warning
      The PRD is whole.
      1 of 1 artifacts of kind `prd` have every required section

FAIL  evals-in-ci  in-ci · warning
      evals exists but no CI configuration names it
        · evals: exists
        · no CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, .ci/*)
      → run evals in a CI job (.github/workflows/*.yml, .gitlab-ci.yml or .ci/*)

2 rules · 1 pass · 1 fail · ok (--fail-on error)
";
    assert_eq!(text, expected);
    let out = common::handoff_command(repo.path(), NOW)
        .args(["scorecard", "--fail-on", "warning"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let md = run(repo.path(), &["scorecard", "--format", "markdown"]);
    assert!(
        md.starts_with("# Scorecard: handoff\n\n1/2 rules pass.\n\n| | Rule |"),
        "{md}"
    );
    assert!(
        md.contains("| ✗ **fail** | `evals-in-ci` | warning |"),
        "{md}"
    );

    let report = run(repo.path(), &["report"]);
    assert!(report.contains("## Scorecard (1/2)"), "{report}");
}

#[test]
fn without_a_scorecard_nothing_changes() {
    let repo = repo_with(PM, "");
    let (json, code) = scorecard(repo.path());
    assert_eq!(json["score"], "0/0");
    assert_eq!(code, 0);
    let text = run(repo.path(), &["scorecard"]);
    assert!(
        text.contains("no scorecard: declare rules under `scorecard:`"),
        "{text}"
    );
    let report = run(repo.path(), &["report"]);
    assert!(!report.contains("## Scorecard"));
}

#[test]
fn every_init_profile_writes_a_scorecard_that_evaluates() {
    for profile in ["solo", "startup", "mid-size", "enterprise", "generic"] {
        let repo = TestRepo::new();
        repo.git(&["config", "user.email", "dana@acme.example"]);
        let init = common::handoff_command(repo.path(), NOW)
            .args(["init", "--profile", profile, "--with-docs"])
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "{profile}: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let (json, code) = scorecard(repo.path());
        let rules = json["rules"].as_array().unwrap();
        assert!(!rules.is_empty(), "{profile}");
        for r in rules {
            assert!(
                r["state"] == "pass" || r["state"] == "fail",
                "{profile}: {r:#}"
            );
            assert_eq!(r["fix"].is_null(), r["state"] == "pass", "{profile}: {r:#}");
        }
        let failed = json["summary"]["failed"].as_bool().unwrap();
        assert_eq!(code, i32::from(failed), "{profile}");
        // The documents `--with-docs` writes carry their sections: the written one-pager
        // of the solo profile passes at once; owners have not accepted anything yet.
        // The enterprise checklist adds the legal, compliance, security and accessibility
        // reviews to the mid-size one.
        if profile == "enterprise" {
            for name in [
                "legal-review",
                "compliance-review",
                "security-review",
                "accessibility-reviewer",
            ] {
                state_of(&json, name);
            }
            assert_eq!(rule(&json, "every-artifact-owned")["severity"], "error");
        }
        if profile == "solo" {
            assert_eq!(state_of(&json, "one-pager-written"), "pass");
            assert_eq!(state_of(&json, "one-pager-complete"), "pass");
        } else {
            assert_eq!(state_of(&json, "every-artifact-owned"), "fail", "{profile}");
        }
    }
}

#[test]
fn edits_of_the_index_keep_the_scorecard_and_allocations_byte_for_byte() {
    let rules = "  # the team's checklist\n  - name: prd-complete   # keep this\n    rule: sections-present\n    kind: prd\n";
    let roles = "  pm: { people: [dana@acme.example], allocation: 2h/week }   # Dana's time\n";
    let repo = repo_with(roles, rules);
    for args in [
        &["set", "prd", "title", "The PRD"][..],
        &["set", "--role", "pm", "people", "+sam@acme.example"][..],
    ] {
        let out = common::handoff_command(repo.path(), NOW)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(index.ends_with(&format!("scorecard:\n{rules}")), "{index}");
    assert!(
        index.contains("  pm: { people: [dana@acme.example, sam@acme.example], allocation: 2h/week }   # Dana's time\n"),
        "{index}"
    );
    let (json, _) = scorecard(repo.path());
    assert_eq!(state_of(&json, "prd-complete"), "pass");
}

#[test]
fn the_schema_describes_scorecard_rules_and_allocations() {
    let (schema, _) = common::handoff_json(Path::new("."), &["schema"]);
    let rule = &schema["definitions"]["scorecard_rule"];
    assert_eq!(rule["required"], serde_json::json!(["name", "rule"]));
    assert_eq!(
        rule["properties"]["rule"]["enum"],
        serde_json::json!([
            "owned-and-accepted",
            "at-least",
            "sections-present",
            "role-staffed",
            "in-ci"
        ])
    );
    assert_eq!(rule["additionalProperties"], false);
    let allocation = &schema["definitions"]["role"]["properties"]["allocation"];
    assert!(allocation["pattern"].as_str().unwrap().contains("week"));
    assert_eq!(
        schema["properties"]["scorecard"]["items"]["$ref"],
        "#/definitions/scorecard_rule"
    );
}

#[test]
fn org_reads_a_published_result_with_a_handoff_level_finding() {
    let repo = repo_with(
        PM,
        "  - name: evals-in-ci\n    rule: in-ci\n    path: evals\n",
    );
    let results = tempfile::tempdir().unwrap();
    let published = run(repo.path(), &["check", "--format", "json"]);
    assert!(published.contains("\"artifact\": null"), "{published}");
    let check: Value = serde_json::from_str(&published).unwrap();
    std::fs::write(results.path().join("reply.json"), &published).unwrap();
    // The published result, and the local clone checked here, count the same: the rule's
    // warning included.
    for source in [results.path(), repo.path()] {
        let out = common::handoff_command(repo.path(), NOW)
            .args(["org", "--format", "json"])
            .arg(source)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let org: Value = serde_json::from_slice(&out.stdout).unwrap();
        let repo = &org["repositories"][0];
        assert!(repo["load_error"].is_null(), "{org:#}");
        assert_eq!(
            repo["summary"]["warning"], check["summary"]["warning"],
            "{org:#}"
        );
    }
}

#[test]
fn review_shows_the_rules_that_changed_state_in_its_interval() {
    let repo = repo_with(
        PM,
        "  - name: evals-in-ci\n    rule: in-ci\n    path: evals\n\
         \x20 - name: prd-complete\n    rule: sections-present\n    kind: prd\n",
    );
    let since = repo.head();
    // CI starts running the eval set (fail -> pass); the PRD loses a required section
    // (pass -> fail). The start is judged from its own commit's tree, not today's files.
    repo.write(
        ".github/workflows/evals.yml",
        "jobs:\n  evals:\n    steps:\n      - run: python evals/score.py\n",
    );
    let ci = repo.commit("Run the evals in CI");
    repo.write("docs/prd.md", "# PRD\n\n## Goals\n\nShip.\n");
    repo.commit("Drop the rollout plan");

    let (json, _) = common::handoff_json(
        repo.path(),
        &["review", "--since", &since, "--format", "json"],
    );
    let changed: Vec<(&str, &str, &str, &str)> = json["scorecard_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap(),
                r["from"].as_str().unwrap(),
                r["to"].as_str().unwrap(),
                r["commit"]["summary"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("evals-in-ci", "fail", "pass", "Run the evals in CI"),
            ("prd-complete", "pass", "fail", "Drop the rollout plan"),
        ]
    );
    assert_eq!(json["scorecard_rules"][0]["commit"]["commit"], ci);

    let text = run(repo.path(), &["review", "--since", &since]);
    assert!(text.contains("\nScorecard rules changed (2)\n"), "{text}");
    assert!(
        text.contains("  evals-in-ci fail -> pass: evals exists and CI runs it ("),
        "{text}"
    );
    let markdown = run(
        repo.path(),
        &["review", "--since", &since, "--format", "markdown"],
    );
    assert!(
        markdown.contains("## Scorecard rules changed (2)\n\n- evals-in-ci fail -\\> pass"),
        "{markdown}"
    );
    let html = run(
        repo.path(),
        &["review", "--since", &since, "--format", "html"],
    );
    assert!(
        html.contains(
            "<h2>Scorecard rules changed (2)</h2>\n<ul>\n<li>evals-in-ci fail -&gt; pass"
        ),
        "{html}"
    );

    // An interval in which no rule changed state has no such section.
    let quiet = run(repo.path(), &["review", "--since", "HEAD"]);
    assert!(!quiet.contains("Scorecard rules changed"), "{quiet}");
}

/// The workbench on the demo: a failing rule (`every-artifact-owned`, `eval-governs-scoring`)
/// is the handoff's own finding, listed in Gaps under `handoff` and carded last on the agenda.
#[test]
fn the_workbench_lists_unmet_rules_in_gaps_and_on_the_agenda() {
    use crate::support::workbench::{app, key, render, text};
    use handoff::core::model::FindingCode;
    use handoff::tui::app::View;

    let mut a = app(false);
    a.view = View::Gaps;
    key(&mut a, "/");
    for c in "code:scorecard".chars() {
        key(&mut a, &c.to_string());
    }
    let gaps = text(&render(&mut a, 80, 24));
    insta::assert_snapshot!("gaps_filtered_to_the_scorecard_80x24", gaps);
    assert!(a.stale.items.is_empty(), "scorecard-unmet is a gap");
    let listed: Vec<&str> = a
        .gaps
        .items
        .iter()
        .map(|&i| a.snap.report.finding(i))
        .inspect(|f| assert_eq!(f.code, FindingCode::ScorecardUnmet))
        .filter_map(|f| f.rule.as_deref())
        .collect();
    assert_eq!(listed, ["every-artifact-owned", "eval-governs-scoring"]);
    // The cursor on one names no artifact: Enter opens no detail of one.
    assert_eq!(a.selected_artifact(), None);

    // A filter by role names people, and no role acts on the handoff's own findings alone.
    let mut a = app(false);
    key(&mut a, "/");
    for c in "role:ops".chars() {
        key(&mut a, &c.to_string());
    }
    assert!(
        a.gaps
            .items
            .iter()
            .all(|&i| a.snap.report.finding(i).code != FindingCode::ScorecardUnmet)
    );

    let mut a = app(true);
    let total = a.agenda.items.len();
    for _ in 0..total {
        key(&mut a, "Right");
    }
    assert_eq!(a.agenda.at, total - 1);
    let last = a.snap.report.finding(a.agenda.items[total - 1]);
    assert_eq!(last.code, FindingCode::ScorecardUnmet);
    let agenda = text(&render(&mut a, 80, 24));
    insta::assert_snapshot!("agenda_last_card_80x24", agenda);
    assert!(agenda.contains("The handoff as a whole"), "{agenda}");
}
