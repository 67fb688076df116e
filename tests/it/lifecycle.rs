//! Artifact status and per-artifact required sections (issue 13, item 7).

use std::path::Path;

use serde_json::Value;

use crate::common::{self, NOW, TestRepo};
use crate::support::reliability::{refused_as, run_as, stderr};

const DAY: i64 = 86_400;

fn now() -> i64 {
    NOW.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn check(dir: &Path) -> (i32, Value) {
    let out = common::handoff_command(dir, NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

fn codes(json: &Value, id: &str) -> Vec<String> {
    json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Two legacy RFCs written before the template, 400 days ago, each lacking its sections and
/// unsigned; `extra` is appended to the first one's entry.
fn rfcs(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles:\n  pm: {{ people: [dana@acme.example] }}\n  eng: {{ people: [lee@acme.example] }}\nkinds:\n  rfc:\n    required_sections: [Motivation, Design]\n    signoff: [eng]\n    max_age: 1y\nartifacts:\n  - id: rfc-1\n    kind: rfc\n    path: rfcs/0001.md\n    owner: pm\n{extra}  - id: rfc-2\n    kind: rfc\n    path: rfcs/0002.md\n    owner: pm\n"
        ),
    );
    repo.write("rfcs/0001.md", "# RFC 1\n\nOld text.\n");
    repo.write("rfcs/0002.md", "# RFC 2\n\nNewer text.\n");
    repo.commit_at("Add the RFCs", now() - 400 * DAY);
    repo
}

#[test]
fn an_artifact_can_require_no_sections_or_its_own() {
    let (_, json) = check(rfcs("").path());
    assert!(codes(&json, "rfc-1").contains(&"missing-sections".into()));

    let (_, json) = check(rfcs("    required_sections: []\n").path());
    assert!(!codes(&json, "rfc-1").contains(&"missing-sections".into()));
    assert!(codes(&json, "rfc-2").contains(&"missing-sections".into()));

    let (_, json) = check(rfcs("    required_sections: [\"RFC 1\"]\n").path());
    assert!(!codes(&json, "rfc-1").contains(&"missing-sections".into()));
    let (_, json) = check(rfcs("    required_sections: [Summary]\n").path());
    let message = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["artifact"] == "rfc-1" && f["code"] == "missing-sections")
        .unwrap()["message"]
        .clone();
    assert!(
        message.as_str().unwrap().contains("\"Summary\""),
        "{message}"
    );
}

#[test]
fn a_superseded_artifact_has_no_age_review_or_section_findings() {
    let (_, json) = check(rfcs("    status: superseded\n    superseded_by: rfc-2\n").path());
    let rfc1 = codes(&json, "rfc-1");
    for code in ["aged", "missing-sections", "unsigned"] {
        assert!(!rfc1.contains(&code.to_string()), "{rfc1:?}");
        assert!(codes(&json, "rfc-2").contains(&code.to_string()));
    }
    // Ownership still matters: someone answers for what replaced it.
    assert!(rfc1.contains(&"owner-not-accepted".into()));

    let (_, json) = check(rfcs("    status: superseded\n    superseded_by: rfc-9\n").path());
    assert!(codes(&json, "rfc-1").contains(&"dangling-dependency".into()));
}

#[test]
fn a_draft_has_no_sign_off_findings_yet() {
    let (_, json) = check(rfcs("    status: draft\n").path());
    let rfc1 = codes(&json, "rfc-1");
    assert!(!rfc1.contains(&"unsigned".into()), "{rfc1:?}");
    assert!(!rfc1.contains(&"owner-not-accepted".into()), "{rfc1:?}");
    assert!(rfc1.contains(&"missing-sections".into()), "{rfc1:?}");
    assert!(rfc1.contains(&"aged".into()), "{rfc1:?}");
}

#[test]
fn a_frozen_artifact_does_not_age_and_a_change_to_it_is_a_finding() {
    let repo = rfcs("    status: frozen\n");
    let (_, json) = check(repo.path());
    let rfc1 = codes(&json, "rfc-1");
    assert!(!rfc1.contains(&"aged".into()), "{rfc1:?}");
    assert!(!rfc1.contains(&"frozen-changed".into()), "{rfc1:?}");

    repo.write("rfcs/0001.md", "# RFC 1\n\nQuietly rewritten.\n");
    let (code, json) = check(repo.path());
    assert!(codes(&json, "rfc-1").contains(&"frozen-changed".into()));
    assert_eq!(code, 1, "frozen-changed is an error by default");
}

#[test]
fn status_and_successor_are_checked_on_load() {
    for (extra, message) in [
        (
            "    status: retired\n",
            "`status` `retired` is not a status",
        ),
        (
            "    status: superseded\n",
            "is superseded but names no successor",
        ),
        (
            "    superseded_by: rfc-2\n",
            "has `superseded_by` but its status is active",
        ),
    ] {
        let repo = rfcs(extra);
        let out = common::handoff_command(repo.path(), NOW)
            .arg("check")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
    }
}

fn set(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut argv = vec!["set"];
    argv.extend_from_slice(args);
    run_as(dir, "dana@acme.example", &argv)
}

fn index_text(repo: &TestRepo) -> String {
    std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap()
}

#[test]
fn set_supersedes_an_artifact_and_brings_it_back() {
    let repo = rfcs("");
    let out = set(repo.path(), &["rfc-1", "superseded_by", "rfc-2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Naming a successor makes it superseded: the loader requires both.
    let text = index_text(&repo);
    assert!(
        text.contains("    status: superseded\n") && text.contains("    superseded_by: rfc-2\n"),
        "{text}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let (_, json) = check(repo.path());
    assert!(!codes(&json, "rfc-1").contains(&"aged".into()));

    let refused = refused_as(
        repo.path(),
        "dana@acme.example",
        &["set", "rfc-1", "superseded_by", "--unset"],
    );
    assert!(
        refused.contains("`handoff set rfc-1 status active`"),
        "{refused}"
    );

    let out = set(repo.path(), &["rfc-1", "status", "active"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = index_text(&repo);
    assert!(
        text.contains("    status: active\n") && !text.contains("superseded_by"),
        "{text}"
    );
    let out = set(repo.path(), &["rfc-1", "status", "--unset"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!index_text(&repo).contains("status:"));
    let (_, json) = check(repo.path());
    assert!(codes(&json, "rfc-1").contains(&"aged".into()));
}

#[test]
fn set_checks_status_and_successor_as_the_loader_does() {
    let repo = rfcs("");
    for (args, message) in [
        (
            &["rfc-1", "status", "retired"][..],
            "`retired` is not a status: use active, draft, frozen or superseded",
        ),
        (
            &["rfc-1", "status", "superseded"][..],
            "`handoff set rfc-1 superseded_by <id>` sets both",
        ),
        (
            &["rfc-1", "superseded_by", "rfc-1"][..],
            "`rfc-1` cannot supersede itself",
        ),
        (
            &["rfc-1", "superseded_by", "rfc-3"][..],
            "`rfc-3` in `superseded_by` of `rfc-1` is not an artifact, did you mean `rfc-2`?",
        ),
        (&["rfc-1", "status", "active"][..], "nothing to change"),
        (
            &["rfc-1", "required_sections", "--unset"][..],
            "has no required_sections of its own",
        ),
        (
            &["rfc-1", "required_sections", "-Summary"][..],
            "`Summary` is not in `required_sections` of artifact `rfc-1`: it lists Motivation, Design",
        ),
    ] {
        let mut argv = vec!["set"];
        argv.extend_from_slice(args);
        let refused = refused_as(repo.path(), "dana@acme.example", &argv);
        assert!(refused.contains(message), "{args:?}: {refused}");
    }
    set(repo.path(), &["rfc-2", "superseded_by", "rfc-1"]);
    let refused = refused_as(
        repo.path(),
        "dana@acme.example",
        &["set", "rfc-1", "superseded_by", "rfc-2"],
    );
    assert!(refused.contains("rfc-1 → rfc-2 → rfc-1"), "{refused}");
}

#[test]
fn set_overrides_the_kinds_required_sections() {
    let repo = rfcs("");
    // `-x` without an override starts from the kind's list.
    let out = set(repo.path(), &["rfc-1", "required_sections", "-Design"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(index_text(&repo).contains("    required_sections: [Motivation]\n"));
    let out = set(repo.path(), &["rfc-1", "required_sections", "[]"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(index_text(&repo).contains("    required_sections: []\n"));
    let (_, json) = check(repo.path());
    assert!(!codes(&json, "rfc-1").contains(&"missing-sections".into()));
    let out = set(repo.path(), &["rfc-1", "required_sections", "--unset"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!index_text(&repo).contains("required_sections: []"));
    let (_, json) = check(repo.path());
    assert!(codes(&json, "rfc-1").contains(&"missing-sections".into()));
}

#[test]
fn a_dependant_of_a_superseded_artifact_is_pointed_at_its_successor() {
    let repo = rfcs(
        "    status: superseded\n    superseded_by: rfc-2\n  - id: impl\n    path: rfcs/0001.md.impl\n    owner: pm\n    depends_on: [rfc-1]\n",
    );
    repo.write("rfcs/0001.md.impl", "# Impl\n");
    repo.commit("Add impl");
    let (_, json) = check(repo.path());
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "superseded-dependency")
        .unwrap_or_else(|| panic!("{json:#}"))
        .clone();
    assert_eq!(finding["artifact"], "impl");
    assert_eq!(finding["severity"], "info");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("superseded by `rfc-2`")
    );
    let argv: Vec<&str> = finding["action"]["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(argv, ["handoff", "set", "impl", "depends_on", "rfc-2"]);
    let out = run_as(repo.path(), "dana@acme.example", &argv[1..]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, json) = check(repo.path());
    assert!(!codes(&json, "impl").contains(&"superseded-dependency".into()));

    // Whoever reads the old one is sent to its successor.
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "rfc-1"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("- **Status:** superseded by `rfc-2`: read it instead"),
        "{page}"
    );
}

#[test]
fn a_policy_that_can_never_fire_is_reported_once_at_its_line() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nkinds:\n  note:\n    review_every: 90d\n    verify_every: 30d\nartifacts:\n  - id: a\n    kind: note\n    path: a.md\n    owner: pm\n    verify_every: 30d\n  - id: b\n    kind: note\n    path: b.md\n    owner: pm\n",
    );
    repo.write("a.md", "# A\n");
    repo.write("b.md", "# B\n");
    repo.commit("Start");
    let (_, json) = check(repo.path());
    let inert: Vec<(String, i64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "inert-policy")
        .map(|f| {
            (
                f["artifact"].as_str().unwrap().to_string(),
                f["line"].as_i64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The artifact's verify_every (line 13), the kind's review_every (6) and verify_every (7):
    // each once, though two artifacts are of the kind.
    let lines: Vec<i64> = inert.iter().map(|(_, l, _)| *l).collect();
    assert_eq!(lines.len(), 3, "{inert:?}");
    for line in [6, 7, 13] {
        assert!(lines.contains(&line), "{inert:?}");
    }
    assert!(inert.iter().all(|(a, _, _)| a == "a"), "{inert:?}");
    assert!(
        inert
            .iter()
            .any(|(_, _, m)| m.contains("nobody must approve")),
        "{inert:?}"
    );

    let out = common::handoff_command(repo.path(), NOW)
        .arg("doctor")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let policy = text
        .split("\nPolicy\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(policy.contains("handoff.yaml:6"), "{text}");
    assert!(policy.contains("handoff.yaml:13"), "{text}");
}
