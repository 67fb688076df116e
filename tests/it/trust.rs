//! Rules a team can trust (issue 13): each role's cell is that role's own state, every
//! finding has a fix a current person can carry out, one cause is one finding, and a
//! record's time comes from the commit that added it.

use std::path::Path;

use serde_json::Value;

use crate::common::{NOW, git, handoff_command, sample_repo};
use crate::support::reliability::{check_json, run_as, stderr};

/// `handoff matrix --format json`: the state of `role`'s cell on `artifact`.
fn cell(dir: &Path, artifact: &str, role: &str) -> String {
    let out = handoff_command(dir, NOW)
        .args(["matrix", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["artifact"] == artifact)
        .unwrap();
    let cell = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == role)
        .unwrap();
    cell["state"].as_str().unwrap().to_string()
}

/// Runs `handoff sign ARGS` as `email` (the repository's own `user.email`, as a person
/// at that clone would have it).
fn sign(dir: &Path, email: &str, args: &[&str]) {
    git(dir, &["config", "user.email", email]);
    let mut argv = vec!["sign"];
    argv.extend_from_slice(args);
    let out = run_as(dir, email, &argv);
    assert!(out.status.success(), "{argv:?}: {}", stderr(&out));
}

fn has(json: &Value, artifact: &str, code: &str) -> bool {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["artifact"] == artifact && f["code"] == code)
}

#[test]
fn a_reviewers_acknowledgement_settles_only_the_reviewers_cell() {
    let (_tmp, dir) = sample_repo();
    for role in ["pm", "ai-eng", "domain-expert"] {
        assert_eq!(cell(&dir, "eval-set", role), "upstream-changed", "{role}");
    }
    // The PM, a reviewer, reads the PRD change: only the PM's cell is settled.
    sign(
        &dir,
        "dana@acme.example",
        &[
            "eval-set",
            "--action",
            "acknowledge",
            "--role",
            "pm",
            "--note",
            "Read v4.",
        ],
    );
    assert_eq!(cell(&dir, "eval-set", "pm"), "current");
    assert_eq!(cell(&dir, "eval-set", "ai-eng"), "upstream-changed");
    assert_eq!(cell(&dir, "eval-set", "domain-expert"), "upstream-changed");
    let (_, json) = check_json(&dir);
    assert!(
        has(&json, "eval-set", "upstream-changed"),
        "the owner has not settled it"
    );
    // The owner settles the artifact's upstream change; the domain expert's cell stays.
    sign(
        &dir,
        "marta@acme.example",
        &[
            "eval-set",
            "--action",
            "acknowledge",
            "--role",
            "ai-eng",
            "--note",
            "No change.",
        ],
    );
    assert_eq!(cell(&dir, "eval-set", "ai-eng"), "current");
    assert_eq!(cell(&dir, "eval-set", "domain-expert"), "upstream-changed");
    let (_, json) = check_json(&dir);
    assert!(!has(&json, "eval-set", "upstream-changed"));
}

/// Every finding of the demo whose `action` a handoff command carries out, run as one of its
/// `who` in a fresh copy: the finding is gone and no new error appears.
#[test]
fn every_demo_action_fixes_its_finding() {
    let (_tmp, dir) = sample_repo();
    let (_, before) = check_json(&dir);
    let findings = before["findings"].as_array().unwrap().clone();
    let key = |f: &Value| {
        (
            // A finding about the handoff as a whole (`scorecard-unmet`) has no artifact and is
            // the same finding while its rule fails, whatever its message counts.
            f["artifact"].as_str().unwrap_or("").to_string(),
            f["code"].as_str().unwrap().to_string(),
            f["rule"]
                .as_str()
                .or(f["message"].as_str())
                .unwrap()
                .to_string(),
        )
    };
    let errors = |json: &Value| -> Vec<(String, String, String)> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(key)
            .collect()
    };
    let mut ran = 0;
    for finding in &findings {
        if finding["action"].is_null() {
            continue;
        }
        let argv: Vec<&str> = finding["action"]["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let who = finding["action"]["who"][0].as_str().unwrap();
        assert_eq!(argv[0], "handoff");
        let copy = tempfile::tempdir().unwrap();
        let fresh = copy.path().join("reply-assist");
        assert!(
            std::process::Command::new("cp")
                .arg("-a")
                .arg(&dir)
                .arg(&fresh)
                .status()
                .unwrap()
                .success()
        );
        git(&fresh, &["config", "user.email", who]);
        let out = run_as(&fresh, who, &argv[1..]);
        assert!(out.status.success(), "{argv:?} as {who}: {}", stderr(&out));
        let (_, after) = check_json(&fresh);
        let still = after["findings"].as_array().unwrap().iter().any(|f| {
            f["artifact"] == finding["artifact"]
                && f["code"] == finding["code"]
                && f["related"] == finding["related"]
                && f["roles"]
                    .as_array()
                    .unwrap()
                    .contains(&finding["roles"][0])
        });
        assert!(!still, "{argv:?} as {who} left {}", finding["message"]);
        // An error that stood before on the same artifact, with the same code, is not new: a
        // change approved by two roles stays `changed-since-signoff` (naming one role fewer)
        // until the second approves too.
        let stood =
            |e: &(String, String, String)| errors(&before).iter().any(|b| b.0 == e.0 && b.1 == e.1);
        let new: Vec<_> = errors(&after).into_iter().filter(|e| !stood(e)).collect();
        assert!(new.is_empty(), "{argv:?} as {who} raised {new:?}");
        ran += 1;
    }
    assert!(ran >= 8, "only {ran} demo findings carry an action");
}

/// A reorg removed `qa`: its records stop counting and are reported once, as info, naming
/// the commit that removed the role; CI is not red for good.
#[test]
fn records_of_a_removed_role_are_retired_not_errors() {
    use crate::support::reliability::{INDEX, handoff_repo, record};
    let repo = handoff_repo();
    let with_qa = INDEX.replace(
        "  designer:",
        "  qa: { title: QA, people: [yuki@acme.example] }\n  designer:",
    );
    repo.write("handoff.yaml", &with_qa);
    repo.commit("Add QA");
    let fp = repo.head_object("docs/prd.md").unwrap();
    let mut ledger = record(
        "accept",
        "dana@acme.example",
        "pm",
        "2024-01-01T00:02:00Z",
        &fp,
    );
    ledger.push_str(&record(
        "approve",
        "rosa@acme.example",
        "ops",
        "2024-01-01T00:02:00Z",
        &fp,
    ));
    repo.write(".handoff/signoffs/prd.yaml", &ledger);
    repo.commit_as("dana@acme.example", "Sign the PRD");
    ledger.push_str(&record(
        "approve",
        "yuki@acme.example",
        "qa",
        "2024-01-01T00:03:00Z",
        &fp,
    ));
    repo.write(".handoff/signoffs/prd.yaml", &ledger);
    repo.commit_as("yuki@acme.example", "QA approves");
    repo.write("handoff.yaml", INDEX);
    let reorg = repo.commit("Reorg: fold QA into ops");
    let (code, json) = check_json(repo.path());
    let invalid: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "invalid-signoff")
        .collect();
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    assert_eq!(invalid[0]["severity"], "info");
    let message = invalid[0]["message"].as_str().unwrap();
    assert!(message.contains("role `qa`"), "{message}");
    assert!(message.contains(&reorg[..8]), "{message}");
    assert!(invalid[0]["action"].is_null());
    let errors = json["summary"]["error"].as_u64().unwrap();
    assert_eq!((code, errors), (0, 0), "{json}");
}

/// git refuses `git commit -- handoff.yaml` for an index it never tracked.
#[test]
fn the_fix_for_an_index_never_committed_adds_it_first() {
    use crate::support::reliability::INDEX;
    let repo = crate::common::TestRepo::new();
    repo.write("README.md", "# Repo\n");
    repo.commit("Start");
    repo.write("handoff.yaml", INDEX);
    let out = run_as(
        repo.path(),
        "dana@acme.example",
        &["set", "prd", "title", "PRD v2"],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains("git add handoff.yaml && git commit"), "{err}");
    assert!(!err.contains("git commit -- handoff.yaml"), "{err}");
}

/// A glob that matches nothing is not a file to create.
#[test]
fn a_glob_matching_nothing_is_not_told_to_be_created() {
    use crate::support::reliability::INDEX;
    let repo = crate::common::TestRepo::new();
    repo.write(
        "handoff.yaml",
        &INDEX.replace("path: docs/framing.md", "path: prompts/*.yaml"),
    );
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("Start");
    let (_, json) = check_json(repo.path());
    let missing = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "missing")
        .unwrap();
    let fix = missing["fix"].as_str().unwrap();
    assert!(!fix.contains("create"), "{fix}");
    assert!(fix.contains("matches `prompts/*.yaml`"), "{fix}");
}

/// `prd` approved by two roles (ops and designer), accepted by nobody.
fn two_approvers() -> crate::common::TestRepo {
    use crate::support::reliability::{INDEX, record};
    let repo = crate::common::TestRepo::new();
    repo.write(
        "handoff.yaml",
        &INDEX.replace("reviewers: [ops]", "reviewers: [ops, designer]"),
    );
    repo.write("docs/framing.md", "# Framing\n");
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("Start the handoff");
    let fp = repo.head_object("docs/prd.md").unwrap();
    let mut ledger = record(
        "approve",
        "rosa@acme.example",
        "ops",
        "2024-01-01T00:01:00Z",
        &fp,
    );
    ledger.push_str(&record(
        "approve",
        "priya@acme.example",
        "designer",
        "2024-01-01T00:01:00Z",
        &fp,
    ));
    repo.write(".handoff/signoffs/prd.yaml", &ledger);
    repo.commit_as("rosa@acme.example", "Approve the PRD");
    repo
}

fn prd_findings(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["artifact"] == "prd")
        .collect()
}

#[test]
fn a_deleted_file_is_missing_and_nothing_more_most_severe_first() {
    let repo = two_approvers();
    repo.remove("docs/prd.md");
    let (_, json) = check_json(repo.path());
    let codes: Vec<&str> = prd_findings(&json)
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // The error before the warning, though ownership rules run before content rules.
    assert_eq!(codes, vec!["missing", "owner-not-accepted"], "{json}");
}

#[test]
fn a_change_approved_by_several_roles_is_one_finding_naming_them_all() {
    let repo = two_approvers();
    repo.write("docs/prd.md", "# PRD v2\n");
    repo.commit("PRD v2");
    let (_, json) = check_json(repo.path());
    let changed: Vec<&Value> = prd_findings(&json)
        .into_iter()
        .filter(|f| f["code"] == "changed-since-signoff")
        .collect();
    assert_eq!(changed.len(), 1, "{json}");
    assert_eq!(changed[0]["roles"], serde_json::json!(["ops", "designer"]));
    let message = changed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("approvals by rosa@acme.example (ops)")
            && message.contains("priya@acme.example (designer)"),
        "{message}"
    );
    // The context page lists it once, with both roles.
    let out = handoff_command(repo.path(), NOW)
        .args(["context", "prd"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert_eq!(page.matches("changed-since-signoff").count(), 1, "{page}");
    assert!(page.contains("roles `ops`, `designer`"), "{page}");
}

const EXTERNAL: &str = "\
version: 1
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
artifacts:
  - id: dashboard
    title: Dashboard
    url: https://dash.example/quality
    owner: pm
    verify_every: 14d
";

/// The findings of `dashboard` at `now`: (code, message).
fn dashboard_at(repo: &crate::common::TestRepo, now: &str) -> Vec<(String, String)> {
    let out = handoff_command(repo.path(), now)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    crate::support::reliability::findings_of(&json, "dashboard")
}

/// A `verify` signed with the clock set to 2029 counts from its commit, not from 2029.
#[test]
fn a_record_dated_after_its_commit_counts_from_the_commit() {
    let repo = crate::common::TestRepo::new();
    repo.write("handoff.yaml", EXTERNAL);
    repo.commit("Start");
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.git(&["config", "user.name", "Dana"]);
    let out = handoff_command(repo.path(), "2029-01-01T00:00:00Z")
        .args(["sign", "dashboard", "--action", "verify", "--role", "pm"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let committed: i64 = repo.git(&["log", "-1", "--format=%ct"]).parse().unwrap();
    let at = |days: i64| {
        jiff::Timestamp::from_second(committed + days * 86_400)
            .unwrap()
            .to_string()
    };
    // Ten days after the commit: verified (from the commit), but the record's date is wrong.
    let findings = dashboard_at(&repo, &at(10));
    let codes: Vec<&str> = findings.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        vec!["invalid-signoff", "owner-not-accepted"],
        "{findings:?}"
    );
    assert!(
        findings[0]
            .1
            .contains("dated 2029-01-01T00:00:00Z, after the commit that added it"),
        "{findings:?}"
    );
    // Twenty days after the commit the 14-day period has run out, though 2029 is far off.
    let findings = dashboard_at(&repo, &at(20));
    assert!(
        findings
            .iter()
            .any(|(c, m)| c == "unverified" && m.contains("last verified 20 days ago")),
        "{findings:?}"
    );
}

/// A record not committed yet counts as now, pending; dated in the future, it is reported.
#[test]
fn an_uncommitted_record_dated_in_the_future_counts_as_now() {
    let repo = crate::common::TestRepo::new();
    repo.write("handoff.yaml", EXTERNAL);
    repo.commit("Start");
    repo.write(
        ".handoff/signoffs/dashboard.yaml",
        "- action: verify\n  by: dana@acme.example\n  role: pm\n  at: 2029-01-01T00:00:00Z\n  upstream: {}\n",
    );
    let findings = dashboard_at(&repo, NOW);
    let codes: Vec<&str> = findings.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        vec!["invalid-signoff", "owner-not-accepted"],
        "{findings:?}"
    );
    assert!(
        findings[0]
            .1
            .contains("it is not committed, so it counts as now"),
        "{findings:?}"
    );
}
