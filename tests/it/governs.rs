//! What an artifact governs (issue 17, item 1): `governs` globs checked as paths are, a glob
//! that matches nothing reported, and `code-drift` when governed paths change after the
//! artifact's newest approval, past its kind's `drift_after`.

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

fn check_at(dir: &Path, when: &str) -> Value {
    let out = common::handoff_command(dir, when)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
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

/// A spec governing `governs`, approved by eng 90 days before NOW, over code committed 100
/// days before; `kind_extra` is added to the kind.
fn approved_spec(governs: &str, kind_extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "lee@acme.example"]);
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles:\n  eng: {{ people: [lee@acme.example] }}\nkinds:\n  spec:\n    signoff: [eng]\n{kind_extra}artifacts:\n  - id: spec\n    kind: spec\n    path: docs/spec.md\n    owner: eng\n    governs: {governs}\n"
        ),
    );
    repo.write("docs/spec.md", "# Spec\n");
    repo.write("src/reply/draft.rs", "fn draft() {}\n");
    repo.write("src/reply/tone.rs", "fn tone() {}\n");
    repo.write("src/other.rs", "fn other() {}\n");
    repo.commit_at("Spec and code", now() - 100 * DAY);
    sign(
        &repo,
        now() - 90 * DAY,
        &["--action", "approve", "--role", "eng"],
    );
    repo.set_clock(now() - 80 * DAY);
    repo
}

fn sign(repo: &TestRepo, when: i64, args: &[&str]) {
    let out = common::handoff_command(repo.path(), &at(when))
        .args(["sign", "spec"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_change_to_governed_code_after_approval_is_code_drift_until_acknowledged() {
    let repo = approved_spec("[src/reply/**]", "");
    assert!(findings(&check_at(repo.path(), NOW), "code-drift").is_empty());

    repo.write("src/other.rs", "fn other() { 1 }\n");
    repo.commit_at("Touch code nobody governs", now() - 20 * DAY);
    assert!(findings(&check_at(repo.path(), NOW), "code-drift").is_empty());

    repo.write("src/reply/draft.rs", "fn draft() { 2 }\n");
    let newest = repo.commit_as("sam@acme.example", "Draft replies in two passes");
    let json = check_at(repo.path(), NOW);
    let drift = findings(&json, "code-drift");
    assert_eq!(drift.len(), 1, "{json:#}");
    let message = drift[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("1 commit changed governed paths"),
        "{message}"
    );
    assert!(message.contains(&newest[..8]), "{message}");
    assert!(message.contains("sam@acme.example"), "{message}");
    assert!(message.contains("Draft replies in two passes"), "{message}");
    assert_eq!(drift[0]["severity"], "warning");
    let argv: Vec<&str> = drift[0]["action"]["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        argv[..6],
        [
            "handoff",
            "sign",
            "spec",
            "--action",
            "acknowledge",
            "--role"
        ]
    );

    // The context page lists what the spec governs and points at the drift.
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "spec"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("## Governs\n\n- `src/reply/**` — 2 matches\n"),
        "{page}"
    );
    let drift_commit = format!(
        "the commits, newest first:\n\n- `{}` {} sam@acme.example: “Draft replies in two passes”\n",
        &newest[..8],
        repo.git(&["log", "-1", "--format=%ad", "--date=short"])
            .trim()
    );
    assert!(page.contains(&drift_commit), "{page}");

    // So does the context of a governed file; an ungoverned one has none.
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "--path", "src/reply/draft.rs"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with("# Context for `src/reply/draft.rs`\n\nGoverned by `spec` (owner `eng`: lee@acme.example)"), "{page}");
    assert!(page.contains("## Context for `spec`"), "{page}");
    assert!(page.contains("`code-drift`"), "{page}");
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "--path", "src/other.rs"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no artifact governs `src/other.rs`"));

    // The owner reviews the spec against the change: acknowledging it (a note is required,
    // and the spec depends on nothing) settles the drift.
    sign(
        &repo,
        now() - DAY,
        &[
            "--action",
            "acknowledge",
            "--role",
            "eng",
            "--note",
            "Still right.",
        ],
    );
    assert!(findings(&check_at(repo.path(), NOW), "code-drift").is_empty());
}

#[test]
fn renames_deletions_and_directories_count_as_changes() {
    // A directory governs everything beneath it.
    let repo = approved_spec("[src/reply]", "");
    repo.rename("src/reply/draft.rs", "src/reply/compose.rs");
    repo.commit("Rename the draft module");
    repo.delete("src/reply/tone.rs");
    repo.commit("Drop tone");
    let drift = findings(&check_at(repo.path(), NOW), "code-drift");
    assert_eq!(drift.len(), 1);
    assert!(
        drift[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("2 commits"),
        "{}",
        drift[0]["message"]
    );

    // A governed file renamed away from the glob is a change too, and leaves the glob
    // matching less.
    let repo = approved_spec("[\"src/reply/*.rs\"]", "");
    repo.rename("src/reply/draft.rs", "lib/draft.rs");
    repo.commit("Move drafting out");
    let drift = findings(&check_at(repo.path(), NOW), "code-drift");
    assert!(
        drift[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("1 commit")
    );
}

/// `context --path` and the drift walk read a `governs` entry through one matcher: a glob
/// written with `./` whose `*` crosses directories covers the same files for both.
#[test]
fn context_and_drift_agree_on_what_a_glob_governs() {
    let repo = approved_spec("[\"./src/*.rs\"]", "");
    let context = |path: &str| {
        common::handoff_command(repo.path(), NOW)
            .args(["context", "--path", path])
            .output()
            .unwrap()
    };
    let page = context("src/reply/draft.rs");
    assert!(
        page.status.success(),
        "{}",
        String::from_utf8_lossy(&page.stderr)
    );
    assert!(String::from_utf8_lossy(&page.stdout).contains("Governed by `spec`"));
    assert!(!context("docs/spec.md").status.success());

    repo.write("src/reply/draft.rs", "fn draft() { 4 }\n");
    repo.commit("Deeper change");
    let drift = findings(&check_at(repo.path(), NOW), "code-drift");
    assert_eq!(drift.len(), 1, "{drift:?}");
}

/// The drift walk is cached per HEAD in the git directory, and a cached answer equals a walk.
#[test]
fn the_drift_walk_is_cached_and_answers_as_a_fresh_walk_does() {
    let repo = approved_spec("[src/reply/**]", "");
    repo.write("src/reply/draft.rs", "fn draft() { 5 }\n");
    repo.commit("Change drafting");
    let check = |extra: &[&str]| {
        let args = [&["check", "--format", "json"][..], extra].concat();
        let (json, _) = common::handoff_json(repo.path(), &args);
        findings(&json, "code-drift")
    };
    let cache = repo.path().join(".git/handoff/cache/governed-changes");
    let walked = check(&["--no-cache"]);
    assert!(!cache.exists(), "--no-cache writes no cache");
    let first = check(&[]);
    assert!(cache.exists(), "the walk's answer is kept");
    let second = check(&[]);
    assert_eq!(walked.len(), 1);
    assert_eq!(first, walked);
    assert_eq!(second, walked);
    // A new HEAD is walked again, not answered from the old one.
    repo.write("src/reply/draft.rs", "fn draft() { 6 }\n");
    repo.commit("Change drafting again");
    let message = |f: &[Value]| f[0]["message"].as_str().unwrap().to_string();
    assert!(message(&check(&[])).starts_with("2 commits"));
    assert_eq!(message(&check(&[])), message(&check(&["--no-cache"])));
}

#[test]
fn a_merge_counts_the_branch_commits_not_itself() {
    let repo = approved_spec("[src/reply/**]", "");
    repo.branch("side");
    repo.write("src/reply/draft.rs", "fn draft() { 3 }\n");
    repo.commit("Change drafting on a branch");
    repo.checkout("main");
    repo.write("docs/notes.md", "notes\n");
    repo.commit("Unrelated");
    repo.merge_no_ff("side", "Merge side");
    let drift = findings(&check_at(repo.path(), NOW), "code-drift");
    assert!(
        drift[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("1 commit "),
        "{}",
        drift[0]["message"]
    );
}

#[test]
fn drift_after_a_number_of_commits_keeps_small_churn_quiet() {
    let repo = approved_spec("[src/reply/**]", "    drift_after: 3 commits\n");
    for n in 1..=2 {
        repo.write("src/reply/draft.rs", &format!("fn draft() {{ {n} }}\n"));
        repo.commit("Tweak");
    }
    assert!(findings(&check_at(repo.path(), NOW), "code-drift").is_empty());
    repo.write("src/reply/draft.rs", "fn draft() { 3 }\n");
    repo.commit("Tweak again");
    let drift = findings(&check_at(repo.path(), NOW), "code-drift");
    let message = drift[0]["message"].as_str().unwrap();
    assert!(message.starts_with("3 commits"), "{message}");
    assert!(message.contains("past drift_after: 3 commits"), "{message}");
}

#[test]
fn drift_after_a_duration_waits_for_the_oldest_change_to_age() {
    let repo = approved_spec("[src/reply/**]", "    drift_after: 30d\n");
    repo.write("src/reply/draft.rs", "fn draft() { 1 }\n");
    repo.commit_at("Tweak", now() - 10 * DAY);
    assert!(findings(&check_at(repo.path(), NOW), "code-drift").is_empty());
    let later = at(now() + 25 * DAY);
    let drift = findings(&check_at(repo.path(), &later), "code-drift");
    assert!(
        drift[0]["message"]
            .as_str()
            .unwrap()
            .contains("over 35 days"),
        "{}",
        drift[0]["message"]
    );
}

#[test]
fn a_glob_that_matches_nothing_is_reported_and_set_edits_the_list() {
    let repo = approved_spec("[src/reply/**, \"src/gone/*.rs\"]", "");
    let json = check_at(repo.path(), NOW);
    let nothing = findings(&json, "governs-nothing");
    assert_eq!(nothing.len(), 1, "{json:#}");
    assert!(
        nothing[0]["message"]
            .as_str()
            .unwrap()
            .contains("src/gone/*.rs")
    );
    let argv = nothing[0]["action"]["argv"].clone();
    assert_eq!(
        argv,
        serde_json::json!(["handoff", "set", "spec", "governs", "-src/gone/*.rs"])
    );

    let set = |args: &[&str]| {
        common::handoff_command(repo.path(), NOW)
            .arg("set")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(set(&["spec", "governs", "-src/gone/*.rs"]).status.success());
    assert!(findings(&check_at(repo.path(), NOW), "governs-nothing").is_empty());
    let refused = set(&["spec", "governs", "+../outside/**"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("climbs out"));
    assert!(set(&["spec", "governs", "+src/other.rs"]).status.success());
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(
        index.contains("governs: [src/reply/**, src/other.rs]"),
        "{index}"
    );
}

#[test]
fn governs_entries_are_judged_as_paths_when_loaded() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  eng: { people: [lee@acme.example] }\nkinds:\n  spec:\n    drift_after: soon\nartifacts:\n  - id: spec\n    kind: spec\n    path: docs/spec.md\n    owner: eng\n    governs: [src/reply/**, /etc/passwd]\n",
    );
    let out = common::handoff_command(repo.path(), NOW)
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`/etc/passwd` is absolute"), "{stderr}");
    assert!(
        stderr.contains("`soon` is not a drift threshold"),
        "{stderr}"
    );
}
