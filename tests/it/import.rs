//! `handoff import` as a process on real repositories shaped like the ones teams have: a
//! GitHub CODEOWNERS, a GitLab one with sections, ADRs with a template, runbooks with
//! front-matter owners, a `.mailmap`; the diff shown, the one commit, a second import that
//! changes nothing, and the refusals that write nothing.

use std::process::Output;

use crate::common::{TestRepo, handoff_command};

const NOW: &str = "2026-11-22T12:00:00Z";

pub(crate) const CODEOWNERS: &str = "\
# Default owners for everything
*                    @acme/eng
/docs/               @acme/docs
/docs/adr/           @acme/arch @acme/eng
/docs/adr/0002-*.md  lee@acme.example
/runbooks/           @acme/sre
";

const ADR_TEMPLATE: &str =
    "# NNNN. [Title]\n\n## Status\n\n## Context\n\n## Decision\n\n## Consequences\n";

/// The "Done when" repository: CODEOWNERS, an ADR folder with a template, runbooks
/// with front-matter owners, a `.mailmap`, history by several people.
pub(crate) fn adopting_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.git(&["config", "user.name", "Dana Whitfield"]);
    repo.write(".github/CODEOWNERS", CODEOWNERS);
    repo.write(
        ".mailmap",
        "Dana Whitfield <dana@acme.example> <dana@old-laptop.local>\nRosa Diaz <rosa@acme.example>\n",
    );
    repo.write("docs/adr/0000-template.md", ADR_TEMPLATE);
    repo.write("docs/adr/README.md", "# Decisions\n");
    repo.write(
        "docs/adr/0001-use-postgres.md",
        "# 1. Use Postgres\n\n## Status\n\nAccepted\n\n## Context\n\n## Decision\n\n## Consequences\n",
    );
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit_as("dana@old-laptop.local", "Record the first decision");
    repo.write(
        "docs/adr/0002-queue.md",
        "# 2. Use a queue\n\n## Status\n\n## Context\n",
    );
    repo.commit_as("lee@acme.example", "Propose a queue");
    repo.write(
        "runbooks/payments-outage.md",
        "---\ntitle: \"Payments outage\"\nowner: \"@rosa\"\nreviewers: [\"@acme/sre\"]\nstatus: draft\n---\n# Payments outage\n",
    );
    repo.write(
        "runbooks/deploy.md",
        "+++\ntitle = \"Deploy\"\n+++\n# Deploy\n",
    );
    repo.commit_as("kofi@acme.example", "Write the runbooks");
    repo
}

/// CODEOWNERS' answer for `path`, worked out without handoff: the owners on the last line
/// whose pattern matches it, by gitignore's rules for the shapes used here (`*`, anchored
/// `/dir/`, anchored globs).
pub(crate) fn last_match_owners(codeowners: &str, path: &str) -> Vec<String> {
    let mut owners = Vec::new();
    for line in codeowners.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        if pattern_matches(words.next().unwrap(), path) {
            owners = words.map(String::from).collect();
        }
    }
    owners
}

fn pattern_matches(pattern: &str, path: &str) -> bool {
    let is_dir = pattern.ends_with('/');
    let bare = pattern.trim_start_matches('/').trim_end_matches('/');
    let anchored = pattern.starts_with('/') || bare.contains('/');
    let wanted: Vec<&str> = bare.split('/').collect();
    let parts: Vec<&str> = path.split('/').collect();
    let starts = if anchored { 0..1 } else { 0..parts.len() };
    starts.into_iter().any(|start| {
        let rest = &parts[start..];
        rest.len() >= wanted.len()
            && wanted.iter().zip(rest).all(|(w, p)| wildcard(w.as_bytes(), p.as_bytes()))
            // The path itself (a file, so not for a directory pattern), or inside it.
            && (rest.len() > wanted.len() || !is_dir)
    })
}

/// `*` any run of characters, `?` one, anything else itself.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            wildcard(&pattern[1..], text) || (!text.is_empty() && wildcard(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => wildcard(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => wildcard(&pattern[1..], &text[1..]),
        _ => false,
    }
}

#[test]
fn the_independent_codeowners_answer_is_itself_right() {
    let rules = "*  @all\n/docs/  @docs\n/docs/adr/0002-*.md  @lee\nREADME.md @readme\n";
    for (path, owner) in [
        ("src/main.rs", "@all"),
        ("docs/x.md", "@docs"),
        ("docs/adr/0002-queue.md", "@lee"),
        ("docs/adr/0003-queue.md", "@docs"),
        ("docs/README.md", "@readme"),
        ("other/docs/x.md", "@all"),
    ] {
        assert_eq!(last_match_owners(rules, path), [owner], "{path}");
    }
}

pub(crate) fn handoff(repo: &TestRepo, args: &[&str]) -> Output {
    handoff_command(repo.path(), NOW)
        .env("GIT_CONFIG_GLOBAL", repo.path().join(".no-global"))
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn ok(repo: &TestRepo, args: &[&str]) -> String {
    let out = handoff(repo, args);
    assert!(
        out.status.success(),
        "handoff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn check_json(repo: &TestRepo) -> serde_json::Value {
    let out = handoff(repo, &["check", "--format", "json"]);
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) fn commit_count(repo: &TestRepo) -> usize {
    repo.git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn import_yes_writes_one_commit_whose_owners_follow_codeowners_and_front_matter() {
    let repo = adopting_repo();
    let before = commit_count(&repo);
    let out = ok(&repo, &["import", "--yes"]);
    assert!(out.contains("+++ handoff.yaml"), "the diff is shown: {out}");
    assert!(out.contains("committed "), "{out}");
    assert!(
        out.contains(
            "different owners for 1 document; the front matter wins (it is the more specific statement):\n  runbooks/payments-outage.md: front matter says @rosa, CODEOWNERS says @acme/sre\n"
        ),
        "the disagreement is said: {out}"
    );
    assert_eq!(commit_count(&repo), before + 1, "one commit");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"])
            .trim(),
        "handoff.yaml",
        "the commit holds the index only"
    );

    let report = check_json(&repo);
    let artifacts = report["artifacts"].as_array().unwrap();
    let paths: Vec<&str> = artifacts
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "docs/adr/0001-use-postgres.md",
            "docs/adr/0002-queue.md",
            "runbooks/deploy.md",
            "runbooks/payments-outage.md"
        ],
        "the template and the folder's README are not artifacts"
    );

    // Every imported path without front-matter owners is owned as CODEOWNERS' last match says
    // (worked out here, independently of handoff's parser).
    let index = handoff::core::model::load::load_index(
        "handoff.yaml",
        &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
    )
    .unwrap();
    for artifact in &index.artifacts {
        let path = artifact.target.as_str();
        let owner_role = index.role(artifact.owner.as_deref().unwrap()).unwrap();
        if path == "runbooks/payments-outage.md" {
            assert_eq!(
                owner_role.title.as_deref(),
                Some("@rosa"),
                "front matter wins"
            );
            assert_eq!(artifact.reviewers, ["sre"]);
            assert_eq!(artifact.status.as_str(), "draft");
            continue;
        }
        let expected = last_match_owners(CODEOWNERS, path);
        assert!(!expected.is_empty(), "{path} has owners");
        let written = owner_role
            .title
            .clone()
            .unwrap_or_else(|| owner_role.people[0].clone());
        assert_eq!(written, expected[0], "owner of {path}");
        assert_eq!(
            artifact.reviewers.len(),
            expected.len() - 1,
            "reviewers of {path}"
        );
    }
    assert_eq!(
        index.artifact("adr-0002-queue").unwrap().owner.as_deref(),
        Some("lee")
    );

    // Roles have people: handles stay as CODEOWNERS writes them, mapped under `handles:` to
    // the mailmap's canonical address, or the authors of what they own.
    for role in &index.roles {
        assert!(!role.members().is_empty(), "role {} has nobody", role.id);
    }
    assert_eq!(index.role("rosa").unwrap().people, ["@rosa"]);
    assert_eq!(index.role("rosa").unwrap().members(), ["rosa@acme.example"]);
    assert_eq!(index.role("arch").unwrap().people, ["@acme/arch"]);
    assert_eq!(
        index.role("arch").unwrap().members(),
        ["dana@acme.example"],
        "mailmap applied"
    );
    assert_eq!(index.role("lee").unwrap().people, ["lee@acme.example"]);
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(
        text.contains("handles:\n  \"@acme/eng\": ")
            && text.contains("\"@rosa\": [rosa@acme.example]"),
        "the mapping skeleton is written:\n{text}"
    );

    // The ADR kind's required sections come from the template.
    assert_eq!(
        index.kind("adr").unwrap().required_sections,
        ["Status", "Context", "Decision", "Consequences"]
    );
    let queue = artifacts
        .iter()
        .find(|a| a["id"] == "adr-0002-queue")
        .unwrap();
    let codes: Vec<&str> = queue["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"missing-sections"), "{codes:?}");
}

#[test]
fn a_second_import_changes_nothing_and_keeps_what_a_person_wrote() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    // A person edits the index: a comment and another owner.
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let edited = text.replacen("roles:\n", "# Seats agreed on Monday\nroles:\n", 1);
    repo.write("handoff.yaml", &edited);
    repo.commit("Note the seats");
    let head = repo.head();
    let out = ok(&repo, &["import", "--yes"]);
    assert!(out.starts_with("Nothing to import"), "{out}");
    assert_eq!(repo.head(), head, "no commit");
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        edited
    );

    // A new document is all the next import adds.
    repo.write("runbooks/rollback.md", "# Rollback\n");
    repo.commit("Write the rollback runbook");
    let out = ok(&repo, &["import", "--yes"]);
    assert!(
        out.contains("Would add 0 roles, 0 kinds and 1 artifact to"),
        "{out}"
    );
    let now = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let mut kept = now.lines();
    assert!(
        edited.lines().all(|line| kept.any(|l| l == line)),
        "every line kept, in order; lines only added:\n{now}"
    );
    assert!(now.contains("path: runbooks/rollback.md"));
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let repo = adopting_repo();
    let head = repo.head();
    let out = ok(&repo, &["import", "--dry-run", "--from", "folders"]);
    assert!(out.contains("--- /dev/null\n+++ handoff.yaml\n"), "{out}");
    assert!(out.contains("+  - id: adr-0001-use-postgres"), "{out}");
    assert!(
        !out.contains("owner:"),
        "folders alone name no owner: {out}"
    );
    assert!(out.contains("Dry run: nothing was written."));
    assert_eq!(repo.head(), head);
    assert!(!repo.abs("handoff.yaml").exists());
}

#[test]
fn refusals_write_nothing() {
    let repo = adopting_repo();
    let head = repo.head();

    // Without a terminal and without --yes.
    let out = handoff(&repo, &["import"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --yes"));

    // A CODEOWNERS line that does not parse, with its file and line.
    repo.write(
        ".github/CODEOWNERS",
        "* @acme/eng\n\n/docs/ Dana Whitfield\n",
    );
    repo.commit("Break CODEOWNERS");
    let head_after = repo.head();
    let out = handoff(&repo, &["import", "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".github/CODEOWNERS:3: `Dana` is not an owner"),
        "{stderr}"
    );
    assert!(stderr.contains("Nothing was written"));
    assert_eq!(repo.head(), head_after);
    assert_ne!(head, head_after);
    assert!(!repo.abs("handoff.yaml").exists());

    // An unknown source.
    let out = handoff(&repo, &["import", "--from", "jira", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`jira` is not a source"));
}

#[test]
fn gitlab_sections_and_kep_folders() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.git(&["config", "user.name", "Dana Whitfield"]);
    repo.write(
        ".gitlab/CODEOWNERS",
        "[Enhancements] @acme/leads\nkeps/\n\n^[Security][2] @acme/security\nkeps/sig-auth/\n",
    );
    repo.write(
        "MAINTAINERS",
        "Pat Lee <pat@acme.example> (@acme/leads lead: @pat)\n",
    );
    repo.write(
        "keps/NNNN-kep-template/README.md",
        "# KEP-NNNN: Title\n\n## Summary\n\n## Motivation\n\n## Proposal\n",
    );
    repo.write(
        "keps/sig-auth/1234-tokens/README.md",
        "# KEP-1234: Tokens\n\n## Summary\n",
    );
    repo.write(
        "keps/sig-node/2000-swap/README.md",
        "# KEP-2000: Swap\n\n## Summary\n",
    );
    repo.commit_as("pat@acme.example", "Propose two KEPs");
    ok(&repo, &["import", "--yes"]);
    let index = handoff::core::model::load::load_index(
        "handoff.yaml",
        &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
    )
    .unwrap();
    let tokens = index.artifact("kep-1234-tokens").unwrap();
    assert_eq!(tokens.owner.as_deref(), Some("leads"));
    assert_eq!(tokens.reviewers, ["security"], "each section answers");
    let swap = index.artifact("kep-2000-swap").unwrap();
    assert!(swap.reviewers.is_empty());
    assert_eq!(
        index.kind("rfc").unwrap().required_sections,
        ["Summary", "Motivation", "Proposal"]
    );
    assert_eq!(index.role("leads").unwrap().members(), ["pat@acme.example"]);
}
