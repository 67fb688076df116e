//! `handoff diff`: the change behind a `changed-since-signoff` or `upstream-changed` finding,
//! from the version a sign-off fingerprinted to the work tree, for files and directories.

use crate::support::reliability::{handoff_repo, record, refused_as, run_as, stderr};

const ROSA: &str = "rosa@acme.example";
const DANA: &str = "dana@acme.example";

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "failed: {}", stderr(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_file_changed_since_approval_diffs_from_the_approved_version() {
    let repo = handoff_repo();
    repo.write("docs/prd.md", "# PRD\n\nKeep this.\nDrop this.\n");
    repo.commit("Write the PRD");
    stdout(&run_as(
        repo.path(),
        ROSA,
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    ));
    repo.write("docs/prd.md", "# PRD\n\nKeep this.\nAdd that.\n");
    repo.commit("Revise the PRD");

    let text = stdout(&run_as(repo.path(), ROSA, &["diff", "prd"]));
    assert!(
        text.starts_with(
            "# changed-since-signoff: `prd` since its approval by rosa@acme.example (ops) on "
        ),
        "{text}"
    );
    assert!(text.contains("--- a/docs/prd.md\n+++ b/docs/prd.md\n@@ -1,4 +1,4 @@\n # PRD\n \n Keep this.\n-Drop this.\n+Add that.\n"), "{text}");
    assert!(!text.contains('\x1b'), "no colour off a terminal: {text}");

    let json: serde_json::Value = serde_json::from_str(&stdout(&run_as(
        repo.path(),
        ROSA,
        &["diff", "prd", "--role", "ops", "--format", "json"],
    )))
    .unwrap();
    let section = &json["sections"][0];
    assert_eq!(section["cause"], "changed-since-signoff");
    assert_eq!(section["roles"], serde_json::json!(["ops"]));
    let lines = &section["files"][0]["hunks"][0]["lines"];
    assert_eq!(
        lines[3],
        serde_json::json!({"kind": "removed", "old": 4, "new": null, "text": "Drop this."})
    );
    assert_eq!(
        lines[4],
        serde_json::json!({"kind": "added", "old": null, "new": 4, "text": "Add that."})
    );
}

#[test]
fn a_directory_diffs_each_changed_file() {
    let repo = handoff_repo();
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write(
        "handoff.yaml",
        &format!("{index}  - id: flows\n    title: Flows\n    path: design/flows/\n    owner: designer\n    reviewers: [ops]\n"),
    );
    repo.write("design/flows/a.md", "# A\n");
    repo.write("design/flows/b.md", "# B\n");
    repo.write("design/flows/same.md", "# Same\n");
    repo.commit("Add the flows");
    stdout(&run_as(
        repo.path(),
        ROSA,
        &["sign", "flows", "--action", "approve", "--role", "ops"],
    ));
    repo.write("design/flows/a.md", "# A, revised\n");
    repo.remove("design/flows/b.md");
    repo.write("design/flows/sub/c.md", "# C\n");
    repo.commit("Rework the flows");

    let text = stdout(&run_as(repo.path(), ROSA, &["diff", "flows"]));
    assert!(
        text.contains(
            "--- a/design/flows/a.md\n+++ b/design/flows/a.md\n@@ -1 +1 @@\n-# A\n+# A, revised\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("--- a/design/flows/b.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-# B\n"),
        "{text}"
    );
    assert!(
        text.contains("--- /dev/null\n+++ b/design/flows/sub/c.md\n@@ -0,0 +1 @@\n+# C\n"),
        "{text}"
    );
    assert!(
        !text.contains("same.md"),
        "an unchanged file is not shown: {text}"
    );
}

#[test]
fn upstream_changed_diffs_the_upstream_since_this_artifacts_sign_off() {
    let repo = handoff_repo();
    // The owner accepts the PRD while the framing reads "# Framing".
    stdout(&run_as(
        repo.path(),
        DANA,
        &["sign", "prd", "--action", "accept", "--role", "pm"],
    ));
    repo.write("docs/framing.md", "# Framing\n\nA new goal.\n");
    repo.commit("Reframe");

    let text = stdout(&run_as(repo.path(), DANA, &["diff", "prd"]));
    assert!(
        text.starts_with("# upstream-changed: upstream `framing` since dana@acme.example (pm) signed `prd` off on "),
        "{text}"
    );
    assert!(text.contains("--- a/docs/framing.md\n+++ b/docs/framing.md\n@@ -1 +1,3 @@\n # Framing\n+\n+A new goal.\n"), "{text}");
}

#[test]
fn a_signed_version_missing_from_the_repository_is_refused_with_the_reason() {
    let repo = handoff_repo();
    // Approved content that never reached this clone: its object id is nowhere here.
    let gone = "0123456789abcdef0123456789abcdef01234567";
    repo.write(
        ".handoff/signoffs/prd.yaml",
        &record("approve", ROSA, "ops", "2026-10-01T00:00:00Z", gone),
    );
    let commit = repo.commit_as(ROSA, "Approve the PRD");

    let message = refused_as(repo.path(), ROSA, &["diff", "prd"]);
    assert!(
        message.contains(&format!(
            "error: the version of `prd` that was signed (01234567) is not in this repository: the sign-off was committed in {}, but the content it approved was never committed",
            &commit[..8]
        )),
        "{message}"
    );
}

#[test]
fn an_unknown_artifact_or_nothing_to_explain_is_refused() {
    let repo = handoff_repo();
    let message = refused_as(repo.path(), ROSA, &["diff", "prdd"]);
    assert!(
        message.contains("error: no artifact `prdd` in handoff.yaml, did you mean `prd`?"),
        "{message}"
    );
    let message = refused_as(repo.path(), ROSA, &["diff", "framing"]);
    assert!(
        message.contains("`framing` has not changed since its sign-offs"),
        "{message}"
    );
    let message = refused_as(repo.path(), ROSA, &["diff", "prd", "--role", "qa"]);
    assert!(
        message.contains("no role `qa` in handoff.yaml"),
        "{message}"
    );
}

#[test]
fn a_shallow_clone_without_the_signed_version_says_to_unshallow() {
    let repo = handoff_repo();
    repo.write("docs/prd.md", "# PRD\n\nFirst.\n");
    repo.commit("Write the PRD");
    stdout(&run_as(
        repo.path(),
        ROSA,
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    ));
    repo.write("docs/prd.md", "# PRD\n\nSecond.\n");
    repo.commit("Revise the PRD");
    let clone = repo.shallow_clone(1);

    let message = refused_as(clone.path(), ROSA, &["diff", "prd"]);
    assert!(
        message.contains("is not in this repository: this clone is shallow and the signed version lies beyond its boundary (`git fetch --unshallow` fetches it)"),
        "{message}"
    );
}
