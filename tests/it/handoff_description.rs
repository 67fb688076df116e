//! The handoff's own description: where its `placeholder-description` finding points, in
//! every format that locates findings, and `handoff set --handoff`, the command its fix names.

use crate::common::TestRepo;
use crate::import::{check_json, commit_count, handoff, ok};

const PLACEHOLDER: &str = "One or two sentences: what this project is and who relies on it.";

/// A repository whose index holds the placeholder on line 3, column 14 (after a comment).
fn repo_with_placeholder() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\n# What this handoff is for.\ndescription: \"{PLACEHOLDER}\"  # say it plainly\nname: Support bot\nroles:\n  pm: {{ people: [dana@acme.example] }}\nartifacts: []\n"
        ),
    );
    repo.commit("Start the handoff");
    repo
}

/// The handoff's own `placeholder-description` findings (no artifact) in `handoff check
/// --format json`.
fn handoff_placeholder(repo: &TestRepo) -> Vec<serde_json::Value> {
    check_json(repo)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["artifact"].is_null() && f["code"] == "placeholder-description")
        .cloned()
        .collect()
}

#[test]
fn the_handoffs_placeholder_finding_points_at_its_description() {
    let repo = repo_with_placeholder();
    let own = handoff_placeholder(&repo);
    assert_eq!(own.len(), 1, "{own:#?}");
    assert_eq!(own[0]["code"], "placeholder-description");
    assert_eq!(own[0]["file"], "handoff.yaml");
    assert_eq!(
        (&own[0]["line"], &own[0]["column"]),
        (&3.into(), &14.into())
    );

    let github = ok(&repo, &["check", "--format", "github"]);
    assert!(
        github.contains("::notice file=handoff.yaml,line=3,col=14,title=placeholder-description::"),
        "{github}"
    );

    let out = handoff(&repo, &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "placeholder-description")
        .expect("a SARIF result");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"]),
        (&3.into(), &14.into()),
        "{result:#}"
    );
}

#[test]
fn set_handoff_description_replaces_the_placeholder_in_one_commit_keeping_comments() {
    let repo = repo_with_placeholder();
    let fix = handoff_placeholder(&repo)[0]["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        fix.contains("`handoff set --handoff description \"...\"`"),
        "the fix names the command: {fix}"
    );
    // Unrelated work in progress stays out of the commit.
    repo.write("notes.md", "draft\n");
    let before_text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let before = commit_count(&repo);

    let out = ok(
        &repo,
        &[
            "set",
            "--handoff",
            "description",
            "Drafts replies for support agents.",
        ],
    );
    assert!(
        out.contains("sets description of the handoff to Drafts replies for support agents."),
        "{out}"
    );
    let after_text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert_eq!(
        after_text,
        before_text.replace(
            &format!("\"{PLACEHOLDER}\""),
            "Drafts replies for support agents."
        ),
        "only the value changed; the comments around it stay"
    );
    assert_eq!(commit_count(&repo), before + 1, "one commit");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"])
            .trim(),
        "handoff.yaml"
    );
    assert!(repo.git(&["status", "--porcelain"]).contains("?? notes.md"));
    assert!(handoff_placeholder(&repo).is_empty(), "the finding is gone");
}

#[test]
fn set_handoff_rewrites_inits_folded_description_and_batches_with_no_commit() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    ok(
        &repo,
        &["init", "--profile", "generic", "--name", "payments"],
    );
    repo.commit("Start the handoff");
    let before_text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(
        before_text.contains("description: >\n  One or two sentences:"),
        "{before_text}"
    );
    assert_eq!(handoff_placeholder(&repo).len(), 1);
    let before = commit_count(&repo);

    ok(
        &repo,
        &[
            "set",
            "--handoff",
            "description",
            "Keeps the payments team's decisions and runbooks honest.",
            "--no-commit",
        ],
    );
    let out = ok(
        &repo,
        &["set", "--handoff", "name", "Payments", "--no-commit"],
    );
    assert!(out.contains("2 edits waiting"), "{out}");
    assert_eq!(commit_count(&repo), before, "nothing committed yet");
    ok(&repo, &["commit", "-m", "Say what the handoff is for"]);
    assert_eq!(commit_count(&repo), before + 1);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"])
            .trim(),
        "handoff.yaml"
    );

    let after_text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(comments(&after_text), comments(&before_text));
    assert!(
        after_text.contains(
            "name: Payments\ndescription: Keeps the payments team's decisions and runbooks honest.\n\nroles:"
        ),
        "{after_text}"
    );
    assert!(handoff_placeholder(&repo).is_empty(), "the finding is gone");
}

#[test]
fn set_handoff_refuses_what_it_cannot_set_and_writes_nothing() {
    let repo = repo_with_placeholder();
    let before = commit_count(&repo);
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    for (args, says) in [
        (
            &["set", "--handoff", "descripton", "x"][..],
            "did you mean `description`",
        ),
        (
            &["set", "--handoff", "owner", "pm"][..],
            "name, description",
        ),
        (
            &["set", "--handoff", "description", " "][..],
            "cannot be empty",
        ),
        (
            &["set", "--handoff", "name", "Support bot"][..],
            "already that",
        ),
        (
            &["set", "--handoff", "description"][..],
            "give the field and the value",
        ),
        (
            &["set", "--handoff", "--role", "pm", "title", "x"][..],
            "cannot be used with",
        ),
    ] {
        let out = handoff(&repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(commit_count(&repo), before);
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        text
    );

    // --unset removes the field; a second --unset has nothing to remove.
    ok(&repo, &["set", "--handoff", "name", "--unset"]);
    assert!(
        !std::fs::read_to_string(repo.abs("handoff.yaml"))
            .unwrap()
            .contains("name:")
    );
    let out = handoff(&repo, &["set", "--handoff", "name", "--unset"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the handoff has no name"));
}
