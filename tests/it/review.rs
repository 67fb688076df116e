//! `handoff review`: what changed since a revision, as the weekly review reads it.

use serde_json::Value;

use crate::common::NOW;
use crate::common::handoff_command;
use crate::support::reliability::{COMMITS_FROM, handoff_as, handoff_repo, record, stderr};

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

#[test]
fn review_record_commits_only_the_review_point_and_since_last_review_starts_there() {
    let repo = handoff_repo();
    // Before the review: Rosa adds a runbook that does not exist (`missing` opens).
    repo.set_clock(COMMITS_FROM + 3600);
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write(
        "handoff.yaml",
        &format!(
            "{index}  - id: runbook\n    title: Runbook\n    path: docs/runbook.md\n    owner: pm\n"
        ),
    );
    repo.commit_as("rosa@acme.example", "Add the runbook to the index");
    // Someone's edit in progress must not be swept into the review's commit.
    repo.write("docs/prd.md", "# PRD\n\nDraft in progress.\n");
    let out = handoff_as(repo.path(), "dana@acme.example")
        .env("HANDOFF_NOW", "2026-10-10T02:00:00Z")
        .args(["review", "--record", "--note", "Runbook: Tom writes it."])
        .args(["--attendee", "sam@acme.example,rosa@acme.example"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("records a review"), "{said}");
    let changed = repo.git(&["show", "--name-only", "--format=%s", "HEAD"]);
    assert_eq!(
        changed,
        "handoff: dana@acme.example records a review\n\n.handoff/reviews.yaml"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "M docs/prd.md");
    let file = std::fs::read_to_string(repo.abs(".handoff/reviews.yaml")).unwrap();
    assert!(
        file.contains("- at: 2026-10-10T02:00:00Z\n  by: dana@acme.example\n  attendees: [sam@acme.example, rosa@acme.example]\n  note: \"Runbook: Tom writes it.\"\n"),
        "{file}"
    );
    repo.git(&["checkout", "--", "docs/prd.md"]);

    // After the review: Dana accepts the framing (a sign-off; owner-not-accepted closes) and
    // adds a second runbook (missing opens).
    repo.set_clock(COMMITS_FROM + 3 * 3600);
    let framing = repo.git(&["hash-object", "docs/framing.md"]);
    repo.write(
        ".handoff/signoffs/framing.yaml",
        &record(
            "accept",
            "dana@acme.example",
            "pm",
            "2026-10-10T03:00:00Z",
            &framing,
        ),
    );
    let accepted = repo.commit_as("dana@acme.example", "Accept the framing");
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write(
        "handoff.yaml",
        &format!(
            "{index}  - id: runbook-2\n    title: Runbook 2\n    path: docs/runbook-2.md\n    owner: pm\n"
        ),
    );
    let added = repo.commit_as("rosa@acme.example", "Add a second runbook");

    let json = review_json(repo.path(), &["--since", "last-review"]);
    assert_eq!(json["since_review"]["by"], "dana@acme.example");
    assert_eq!(json["since_review"]["note"], "Runbook: Tom writes it.");
    assert_eq!(
        json["since_review"]["attendees"],
        serde_json::json!(["sam@acme.example", "rosa@acme.example"])
    );
    let opened = events(&json, "opened");
    let opened_missing: Vec<&str> = opened
        .iter()
        .filter(|e| e.1 == "missing")
        .map(|e| e.0.as_str())
        .collect();
    assert_eq!(opened_missing, ["runbook-2"], "{opened:?}");
    assert!(opened.iter().any(|e| e.0 == "runbook-2" && e.2 == added));
    let closed = events(&json, "closed");
    assert!(
        closed.contains(&(
            "framing".into(),
            "owner-not-accepted".into(),
            accepted,
            "dana@acme.example".into()
        )),
        "{closed:?}"
    );
    assert_eq!(json["signoffs"].as_array().unwrap().len(), 1);
    let text = handoff_command(repo.path(), NOW)
        .args(["review", "--since", "last-review"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Since the review of 2026-10-10 recorded by dana@acme.example (with sam@acme.example, rosa@acme.example): Runbook: Tom writes it."),
        "{text}"
    );
}

#[test]
fn since_last_review_without_a_recorded_review_says_how_to_record_one() {
    let repo = handoff_repo();
    let out = handoff_command(repo.path(), NOW)
        .args(["review", "--since", "last-review"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("no review is recorded yet")
            && message.contains("handoff review --record"),
        "{message}"
    );
    let out = handoff_command(repo.path(), NOW)
        .args(["review", "--note", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "--note without --record is refused");
}

/// (artifact, code) pairs of a list, sorted.
fn pairs(json: &Value, list: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = events(json, list)
        .into_iter()
        .map(|(artifact, code, _, _)| (artifact, code))
        .collect();
    out.sort();
    out
}

#[test]
fn the_demo_review_since_last_review_lists_the_week_after_the_recorded_review() {
    let (_tmp, dir) = crate::common::sample_repo();
    let json = review_json(&dir, &["--since", "last-review"]);
    assert_eq!(json["since_review"]["by"], "dana@acme.example");
    assert_eq!(
        json["since"]["summary"],
        "handoff: Dana Whitfield records a review"
    );
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, c)| (a.to_string(), c.to_string()))
            .collect()
    };
    assert_eq!(
        pairs(&json, "opened"),
        owned(&[
            ("adr-0001", "inert-policy"),
            ("adr-0002", "frozen-changed"),
            ("adr-0002", "superseded-dependency"),
            ("dashboard-cost-latency", "superseded-dependency"),
            ("incident-2307", "missing-sections"),
            ("incident-2307", "unsigned"),
            ("incident-2307", "unsigned"),
            ("prd", "code-drift"),
            // The template edit of day 4, made without bumping its version.
            ("prompt-reply-draft", "changed-since-signoff"),
            // ... and read as of each commit, its contract: `version` stayed 4.
            ("prompt-reply-draft", "unversioned-change"),
            ("rollout-flags", "at-risk"),
            ("runbook-kill-switch", "at-risk"),
            ("runbook-provider-outage", "superseded-dependency"),
        ])
    );
    assert_eq!(
        pairs(&json, "closed"),
        owned(&[
            ("flagged-queue", "at-risk"),
            ("prompt-reply-draft", "upstream-changed"),
            ("rollout-flags", "upstream-changed"),
            ("runbook-bad-drafts", "at-risk"),
            ("runbook-kill-switch", "at-risk"),
            ("trust-ux", "upstream-changed"),
        ])
    );
    let mut signed: Vec<(String, String)> = json["signoffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["artifact"].as_str().unwrap().to_string(),
                s["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    signed.sort();
    assert_eq!(
        signed,
        owned(&[
            ("incident-2307", "lee@acme.example"),
            ("prompt-reply-draft", "lee@acme.example"),
            ("rollout-flags", "jonas@acme.example"),
            ("trust-ux", "priya@acme.example"),
        ])
    );
}

#[test]
fn review_says_who_the_handoff_waits_on_and_each_role_and_persons_turnaround() {
    let repo = handoff_repo();
    let prd = repo.git(&["hash-object", "docs/prd.md"]);
    // Rosa (ops) approves the PRD two days after it was committed.
    repo.set_clock(COMMITS_FROM + 2 * 86_400);
    repo.write(
        ".handoff/signoffs/prd.yaml",
        &record(
            "approve",
            "rosa@acme.example",
            "ops",
            "2026-10-12T00:00:00Z",
            &prd,
        ),
    );
    repo.commit_as("rosa@acme.example", "Approve the PRD");
    // Then the PRD changes: ops must approve again, and nobody has yet.
    repo.set_clock(COMMITS_FROM + 3 * 86_400);
    repo.write("docs/prd.md", "# PRD\n\nRollout plan.\n");
    repo.commit_as("dana@acme.example", "Revise the PRD");

    let json = review_json(repo.path(), &["--since", "HEAD~1"]);
    let waiting = json["waiting_on"].as_array().unwrap();
    let prd_ops = waiting
        .iter()
        .find(|w| w["artifact"] == "prd" && w["role"] == "ops")
        .unwrap_or_else(|| panic!("{waiting:?}"));
    assert_eq!(prd_ops["code"], "changed-since-signoff");
    assert_eq!(prd_ops["people"], serde_json::json!(["rosa@acme.example"]));
    assert_eq!(prd_ops["since"], "2026-10-13T00:00:00Z");
    let roles = json["turnaround"]["roles"].as_array().unwrap();
    let ops = roles.iter().find(|t| t["name"] == "ops").unwrap();
    assert_eq!(ops["signoffs"], 1);
    assert_eq!(ops["median_seconds"], 2 * 86_400);
    assert_eq!(ops["p90_seconds"], 2 * 86_400);
    let people = json["turnaround"]["people"].as_array().unwrap();
    assert!(
        people
            .iter()
            .any(|t| t["name"] == "rosa@acme.example" && t["signoffs"] == 1)
    );
    // A window that ends before the approval counts none.
    let narrow = review_json(repo.path(), &["--since", "HEAD~1", "--window", "7d"]);
    assert_eq!(narrow["turnaround"]["roles"].as_array().unwrap().len(), 0);
}

/// A whole review (what changed, who it waits on, the trend) evaluates every point the three
/// need in one pass: the history walks visit each commit at most once, however the review's
/// interval, the waiting window and the trend's weeks overlap.
#[test]
fn a_review_with_its_waits_and_trend_walks_each_commit_at_most_once() {
    use handoff::engine::as_of::Timeline;
    use handoff::engine::review::{ReviewRequest, review};
    let repo = crate::common::TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n  - id: flows\n    path: docs/flows.md\n    owner: pm\n  - id: glossary\n    path: docs/glossary.md\n    owner: pm\n",
    );
    // The glossary never changes again: each walk that starts cold goes back to the first
    // commit to find its last change.
    repo.write("docs/glossary.md", "# Glossary\n");
    let day = 86_400;
    repo.commit_at("Start the handoff", COMMITS_FROM);
    // Twenty weeks, three commits a week.
    let commits = 60;
    for i in 1..=commits {
        let doc = if i % 2 == 0 { "prd" } else { "flows" };
        repo.write(
            &format!("docs/{doc}.md"),
            &format!("# {doc}\n\nVersion {i}\n"),
        );
        repo.commit_at(&format!("Edit {doc} ({i})"), COMMITS_FROM + i * 7 * day / 3);
    }
    let ws = handoff::engine::Workspace::discover(repo.path()).unwrap();
    let timeline = Timeline::open(&ws).unwrap();
    let head = timeline.head().unwrap();
    let request = ReviewRequest {
        since: timeline.resolve("HEAD~10").unwrap(),
        until: head.clone(),
        now: Some(head.committed),
        window: Some(jiff::SignedDuration::from_hours(90 * 24)),
        weeks: 12,
    };
    let found = review(&timeline, &request).unwrap();
    assert_eq!(found.commits, 10);
    assert_eq!(found.trend.len(), 12);
    assert!(found.waiting.window_start.is_some());
    // Every commit of the repository once at most; a walk per question would go back to
    // the first commit three times.
    let in_repository = commits as usize + 1;
    assert!(
        timeline.commits_walked() <= in_repository,
        "{} commits walked, {in_repository} in the repository",
        timeline.commits_walked()
    );
}
