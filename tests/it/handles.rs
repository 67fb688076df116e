//! People named as CODEOWNERS names them (`@dana`, `@acme/sre`): kept as handles by import,
//! resolved through `handles:` or the mailmap wherever people are compared, and reported as
//! `unresolved-handle` when they resolve to nobody.

use crate::common::TestRepo;
use crate::import::{check_json, commit_count, handoff, ok};

/// Findings of `code` in a `check --format json` report, as (artifact, role).
fn findings(report: &serde_json::Value, code: &str) -> Vec<(String, String)> {
    report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            a["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(move |f| f["code"] == code)
                .map(move |f| {
                    (
                        a["id"].as_str().unwrap().to_string(),
                        f["role"].as_str().unwrap_or_default().to_string(),
                    )
                })
        })
        .collect()
}

/// A repository whose CODEOWNERS names a person's handle, a team, and a team nobody can be
/// found for; the mailmap knows dana.
fn codeowners_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.git(&["config", "user.name", "Dana Whitfield"]);
    repo.write(
        ".github/CODEOWNERS",
        "/docs/adr/  @dana @acme/arch\n/runbooks/  @acme/sre\n",
    );
    repo.write(".mailmap", "Dana Whitfield <dana@acme.example>\n");
    repo.write("docs/adr/0001-use-postgres.md", "# 1. Use Postgres\n");
    repo.write("docs/adr/0002-use-a-queue.md", "# 2. Use a queue\n");
    repo.commit_as("lee@acme.example", "Record two decisions");
    repo
}

#[test]
fn import_keeps_handles_and_signing_goes_through_the_mapping() {
    let repo = codeowners_repo();
    // The runbook's only author is not known: the team is mapped to its author.
    repo.write("runbooks/deploy.md", "# Deploy\n");
    repo.commit_as("kofi@acme.example", "Write the deploy runbook");
    let out = ok(&repo, &["import", "--yes"]);
    assert!(
        out.contains("`handles:` maps @dana, @acme/arch, @acme/sre"),
        "{out}"
    );
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(
        text.contains("people: [\"@dana\"]"),
        "handles stay in roles:\n{text}"
    );
    assert!(
        text.contains(
            "handles:\n  \"@dana\": [dana@acme.example]\n  \"@acme/arch\": [lee@acme.example]\n  \"@acme/sre\": [kofi@acme.example]\n"
        ),
        "the mapping: the mailmap's address for dana, recent authors for teams:\n{text}"
    );

    // dana signs as herself: the handle counts as her address.
    let before = commit_count(&repo);
    let out = ok(&repo, &["sign", "--mine", "--action", "accept"]);
    assert!(out.contains("accepts 2 artifacts"), "{out}");
    assert_eq!(commit_count(&repo), before + 1);
    let report = check_json(&repo);
    let owed: Vec<String> = findings(&report, "owner-not-accepted")
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert_eq!(owed, ["runbook-deploy"], "only the team's runbook is owed");
    assert!(findings(&report, "unresolved-handle").is_empty());

    // lee reviews through the team's mapping; a stranger cannot.
    let lee = handoff_as(
        &repo,
        "lee@acme.example",
        &[
            "sign",
            "adr-0001-use-postgres",
            "--action",
            "approve",
            "--role",
            "arch",
        ],
    );
    assert!(
        lee.status.success(),
        "{}",
        String::from_utf8_lossy(&lee.stderr)
    );
    let eve = handoff_as(
        &repo,
        "eve@acme.example",
        &[
            "sign",
            "adr-0002-use-a-queue",
            "--action",
            "approve",
            "--role",
            "arch",
        ],
    );
    assert_eq!(eve.status.code(), Some(2));
    let err = String::from_utf8_lossy(&eve.stderr);
    assert!(
        err.contains("@acme/arch"),
        "the refusal names who is in the role: {err}"
    );
}

fn handoff_as(repo: &TestRepo, email: &str, args: &[&str]) -> std::process::Output {
    crate::common::handoff_command(repo.path(), crate::common::NOW)
        .env("GIT_CONFIG_GLOBAL", repo.path().join(".no-global"))
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_EMAIL", email)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_handle_nobody_maps_is_a_finding_until_set_maps_it() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.git(&["config", "user.name", "Dana"]);
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [\"@dana\"] }\n  sre: { people: [\"@acme/sre\", rosa@acme.example] }\nartifacts:\n  - id: prd\n    path: prd.md\n    owner: pm\n    reviewers: [sre]\n",
    );
    repo.write("prd.md", "# PRD\n");
    repo.commit("Start the handoff");
    let report = check_json(&repo);
    assert_eq!(
        findings(&report, "unresolved-handle"),
        [
            ("prd".to_string(), "pm".to_string()),
            ("prd".to_string(), "sre".to_string())
        ]
    );
    let finding = &report["artifacts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unresolved-handle")
        .unwrap()
        .clone();
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["message"].as_str().unwrap().contains("`@dana`"),
        "{finding}"
    );
    assert!(
        finding["fix"]
            .as_str()
            .unwrap()
            .contains("handoff set --handle @dana people +<email>"),
        "{finding}"
    );
    // A role with only an unresolved handle has nobody in it.
    assert_eq!(findings(&report, "owner-unstaffed").len(), 1);

    // The fix the finding names: only the mapping is written, and committed.
    ok(
        &repo,
        &["set", "--handle", "@dana", "people", "+dana@acme.example"],
    );
    ok(
        &repo,
        &["set", "--handle", "@acme/sre", "people", "lee@acme.example"],
    );
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(
        text.ends_with(
            "handles:\n  \"@dana\": [dana@acme.example]\n  \"@acme/sre\": [lee@acme.example]\n"
        ),
        "{text}"
    );
    let report = check_json(&repo);
    assert!(findings(&report, "unresolved-handle").is_empty());
    assert!(findings(&report, "owner-unstaffed").is_empty());

    // A handle maps to addresses only.
    let out = handoff(&repo, &["set", "--handle", "@acme/sre", "people", "+@dana"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`@dana` is not an e-mail address"));
}

#[test]
fn the_mailmap_resolves_a_persons_handle() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@old-laptop.local"]);
    repo.git(&["config", "user.name", "Dana"]);
    repo.write(
        ".mailmap",
        "Dana Whitfield <dana@acme.example> <dana@old-laptop.local>\n",
    );
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [\"@dana\"] }\nartifacts:\n  - id: prd\n    path: prd.md\n    owner: pm\n",
    );
    repo.write("prd.md", "# PRD\n");
    repo.commit("Start the handoff");
    assert!(findings(&check_json(&repo), "unresolved-handle").is_empty());
    // Signing from the old address: the mailmap makes it dana, the handle makes dana pm.
    ok(
        &repo,
        &["sign", "prd", "--action", "accept", "--role", "pm"],
    );
    assert!(findings(&check_json(&repo), "owner-not-accepted").is_empty());
}
