//! `handoff review`: what changed since a revision, as the weekly review reads it.

use serde_json::Value;

use crate::common::handoff_command;
use crate::support::reliability::{COMMITS_FROM, NOW, handoff_repo, record};

fn review_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = handoff_command(dir, NOW)
        .arg("review")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (artifact, code, commit id, author) of the opened or closed findings.
fn events(json: &Value, list: &str) -> Vec<(String, String, String, String)> {
    json[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["artifact"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
                e["commit"]["commit"].as_str().unwrap_or("").to_string(),
                e["commit"]["author"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn review_names_the_commits_that_opened_and_closed_findings_and_the_signoffs_given() {
    let repo = handoff_repo();
    let base = repo.head();
    // Dana accepts the framing: its owner-not-accepted closes.
    repo.set_clock(COMMITS_FROM + 3600);
    let framing = repo.git(&["hash-object", "docs/framing.md"]);
    repo.write(
        ".handoff/signoffs/framing.yaml",
        &record(
            "accept",
            "dana@acme.example",
            "pm",
            "2026-10-10T00:30:00Z",
            &framing,
        ),
    );
    let accepted = repo.commit_as("dana@acme.example", "Accept the framing");
    // Rosa adds a runbook that does not exist yet: it opens `missing`.
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write(
        "handoff.yaml",
        &format!(
            "{index}  - id: runbook\n    title: Runbook\n    path: docs/runbook.md\n    owner: pm\n"
        ),
    );
    let added = repo.commit_as("rosa@acme.example", "Add the runbook to the index");
    // The PRD grows by two lines.
    repo.write("docs/prd.md", "# PRD\n\nSuccess metric.\nRollout plan.\n");
    repo.commit_as("dana@acme.example", "Revise the PRD");

    let json = review_json(repo.path(), &["--since", &base]);
    assert_eq!(json["since"]["commit"], base.as_str());
    assert_eq!(json["commits"], 3);
    let opened = events(&json, "opened");
    assert!(
        opened.contains(&(
            "runbook".into(),
            "missing".into(),
            added.clone(),
            "rosa@acme.example".into()
        )),
        "{opened:?}"
    );
    let closed = events(&json, "closed");
    assert!(
        closed.contains(&(
            "framing".into(),
            "owner-not-accepted".into(),
            accepted.clone(),
            "dana@acme.example".into()
        )),
        "{closed:?}"
    );
    assert!(
        !opened
            .iter()
            .any(|e| e.1 == "owner-not-accepted" && e.0 == "framing")
    );
    let signoffs = json["signoffs"].as_array().unwrap();
    assert_eq!(signoffs.len(), 1, "{signoffs:?}");
    assert_eq!(signoffs[0]["artifact"], "framing");
    assert_eq!(signoffs[0]["action"], "accept");
    assert_eq!(signoffs[0]["by"], "dana@acme.example");
    assert_eq!(signoffs[0]["commit"]["commit"], accepted.as_str());
    let artifacts: Vec<(String, String, u64, u64)> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["artifact"].as_str().unwrap().to_string(),
                a["change"].as_str().unwrap().to_string(),
                a["lines_added"].as_u64().unwrap(),
                a["lines_removed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        artifacts.contains(&("runbook".into(), "added".into(), 0, 0)),
        "{artifacts:?}"
    );
    assert!(
        artifacts.contains(&("prd".into(), "changed".into(), 3, 0)),
        "{artifacts:?}"
    );
    // Still open, oldest first: the runbook's `missing` is among them, and times ascend.
    let open = json["still_open"].as_array().unwrap();
    assert!(
        open.iter()
            .any(|f| f["artifact"] == "runbook" && f["code"] == "missing")
    );
    let times: Vec<&str> = open.iter().map(|f| f["since"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[test]
fn review_without_changes_since_head_is_empty_and_text_says_none() {
    let repo = handoff_repo();
    let json = review_json(repo.path(), &["--since", "HEAD", "--until", "HEAD"]);
    assert_eq!(json["commits"], 0);
    assert_eq!(json["opened"].as_array().unwrap().len(), 0);
    assert_eq!(json["closed"].as_array().unwrap().len(), 0);
    let out = handoff_command(repo.path(), NOW)
        .args(["review", "--since", "no-such-rev"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rev"));
}
