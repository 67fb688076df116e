//! Adopting handoff on an existing repository after `import`: many sign-offs in one commit
//! (`sign --mine`, `sign --artifacts`), batches of index edits (`--no-commit`, then
//! `handoff commit`), handles as people, `init` on a repository that has documents.

use crate::common::TestRepo;
use crate::import::{
    CODEOWNERS, adopting_repo, check_json, commit_count, handoff, last_match_owners, ok,
};

/// The "Done when" repository with one more decision of the `arch` team, so that dana
/// owns several artifacts.
fn adopting_repo_with_two_of_danas() -> TestRepo {
    let repo = adopting_repo();
    repo.write(
        "docs/adr/0003-retries.md",
        "# 3. Retry with backoff\n\n## Status\n\n## Context\n\n## Decision\n\n## Consequences\n",
    );
    repo.commit_as("dana@acme.example", "Decide on retries");
    repo
}

/// The codes of every finding of `artifact` in `handoff check --format json`.
fn codes_of(report: &serde_json::Value, artifact: &str) -> Vec<String> {
    report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == artifact)
        .unwrap_or_else(|| panic!("no artifact {artifact}"))["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The artifacts whose owner role has `email` among its people and that still lack an accept.
fn owed_by(repo: &TestRepo, email: &str) -> Vec<String> {
    let index = handoff::core::model::load::load_index(
        "handoff.yaml",
        &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
    )
    .unwrap();
    let report = check_json(repo);
    index
        .artifacts
        .iter()
        .filter(|a| {
            let owner = index.role(a.owner.as_deref().unwrap()).unwrap();
            owner.members().iter().any(|p| p == email)
                && codes_of(&report, &a.id).contains(&"owner-not-accepted".to_string())
        })
        .map(|a| a.id.clone())
        .collect()
}

/// The "Done when", end to end: import in one commit, an index that loads with
/// CODEOWNERS' owners and staffed roles, `sign --mine` in one commit, a second import that
/// changes nothing, and a CODEOWNERS line that does not parse reported with nothing written.
#[test]
fn done_when_import_then_sign_mine_accepts_everything_owed_in_one_commit() {
    let repo = adopting_repo_with_two_of_danas();
    let before = commit_count(&repo);
    ok(&repo, &["import", "--yes"]);
    assert_eq!(commit_count(&repo), before + 1, "import: one commit");
    let index = handoff::core::model::load::load_index(
        "handoff.yaml",
        &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
    )
    .expect("the index loads");
    for artifact in &index.artifacts {
        let path = artifact.target.as_str();
        let owner = index.role(artifact.owner.as_deref().unwrap()).unwrap();
        assert!(
            !owner.members().is_empty(),
            "{path}: the owner role has people"
        );
        if path == "runbooks/payments-outage.md" {
            continue; // Its front matter names the owner, and wins.
        }
        let written = owner
            .title
            .clone()
            .unwrap_or_else(|| owner.people[0].clone());
        assert_eq!(
            written,
            last_match_owners(CODEOWNERS, path)[0],
            "owner of {path}"
        );
    }
    let owed = owed_by(&repo, "dana@acme.example");
    assert!(owed.len() >= 2, "dana owns several artifacts: {owed:?}");

    let out = ok(&repo, &["sign", "--mine", "--action", "accept"]);
    assert!(
        out.contains(&format!("accepts {} artifacts", owed.len())),
        "{out}"
    );
    assert_eq!(commit_count(&repo), before + 2, "sign --mine: one commit");
    let mut files: Vec<String> = repo
        .git(&["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    files.sort();
    let mut expected: Vec<String> = owed
        .iter()
        .map(|id| format!(".handoff/signoffs/{id}.yaml"))
        .collect();
    expected.sort();
    assert_eq!(
        files, expected,
        "one ledger file per artifact, nothing else"
    );
    for id in &owed {
        let ledger =
            std::fs::read_to_string(repo.abs(&format!(".handoff/signoffs/{id}.yaml"))).unwrap();
        assert_eq!(
            ledger.matches("action: accept").count(),
            1,
            "{id}: {ledger}"
        );
    }
    assert!(
        owed_by(&repo, "dana@acme.example").is_empty(),
        "no owner-not-accepted left for dana"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "",
        "nothing left over"
    );

    // Asked again: nothing is owed, nothing is committed.
    let again = ok(&repo, &["sign", "--mine", "--action", "accept"]);
    assert!(again.contains("nothing to accept"), "{again}");
    assert_eq!(commit_count(&repo), before + 2);

    // A second import changes nothing.
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let out = ok(&repo, &["import", "--yes"]);
    assert!(out.starts_with("Nothing to import"), "{out}");
    assert_eq!(commit_count(&repo), before + 2);
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        text
    );

    // A CODEOWNERS line that does not parse: reported with its line, nothing written.
    repo.write(
        ".github/CODEOWNERS",
        &format!("{CODEOWNERS}/runbooks/deploy.md  Kofi Mensah\n"),
    );
    repo.write("runbooks/rollback.md", "# Rollback\n");
    repo.commit("Name Kofi, badly, and add a runbook");
    let refused = handoff(&repo, &["import", "--yes"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    let line = CODEOWNERS.lines().count() + 1;
    assert!(
        err.contains(&format!(
            ".github/CODEOWNERS:{line}: `Kofi` is not an owner"
        )),
        "{err}"
    );
    assert_eq!(commit_count(&repo), before + 3, "nothing committed");
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        text
    );
}

#[test]
fn sign_artifacts_refuses_all_when_one_is_refused_and_names_it() {
    let repo = adopting_repo_with_two_of_danas();
    ok(&repo, &["import", "--yes"]);
    let owed = owed_by(&repo, "dana@acme.example");
    let before = commit_count(&repo);
    // dana is not in the owner role of the runbook rosa owns.
    let list = format!("{},runbook-payments-outage", owed[0]);
    let out = handoff(&repo, &["sign", "--artifacts", &list, "--action", "accept"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`runbook-payments-outage`") && err.contains("Nothing was signed"),
        "{err}"
    );
    assert_eq!(commit_count(&repo), before, "nothing committed");
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "nothing written");

    // The chosen set alone: one commit, one record each.
    let list = owed[..2].join(",");
    let out = ok(&repo, &["sign", "--artifacts", &list, "--action", "accept"]);
    assert!(out.contains("accepts 2 artifacts"), "{out}");
    assert_eq!(commit_count(&repo), before + 1);
    for id in &owed[..2] {
        assert!(!codes_of(&check_json(&repo), id).contains(&"owner-not-accepted".to_string()));
    }
}

#[test]
fn sign_mine_is_for_accept_only() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let out = handoff(&repo, &["sign", "--mine", "--action", "approve"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--action accept"));
}

#[test]
fn no_commit_edits_accumulate_and_commit_takes_only_them() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let before = commit_count(&repo);
    // Unrelated work in progress: a modified tracked file, a staged one, an untracked one.
    repo.write("src/main.rs", "fn main() { println!(\"wip\"); }\n");
    repo.write(
        "docs/adr/0001-use-postgres.md",
        "# 1. Use Postgres\n\nstaged work\n",
    );
    repo.git(&["add", "docs/adr/0001-use-postgres.md"]);
    repo.write("notes.txt", "scratch\n");

    let out = ok(
        &repo,
        &["set", "adr-0002-queue", "reviewers", "+arch", "--no-commit"],
    );
    assert!(
        out.contains("not committed") && out.contains("1 edit waiting"),
        "{out}"
    );
    ok(
        &repo,
        &[
            "add",
            "role",
            "analytics",
            "--people",
            "kofi@acme.example",
            "--no-commit",
        ],
    );
    let out = ok(
        &repo,
        &[
            "set",
            "runbook-deploy",
            "consumers",
            "analytics",
            "--no-commit",
        ],
    );
    assert!(out.contains("3 edits waiting"), "{out}");
    assert_eq!(commit_count(&repo), before, "nothing committed yet");

    // A committed edit in between would commit the waiting ones under its message.
    let refused = handoff(&repo, &["set", "runbook-deploy", "title", "Deploys"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("handoff commit"));

    let out = ok(&repo, &["commit", "-m", "Staff the handoff"]);
    assert!(out.contains("Staff the handoff"), "{out}");
    assert_eq!(commit_count(&repo), before + 1, "one commit");
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"])
            .trim(),
        "handoff.yaml",
        "only what handoff changed"
    );
    let body = repo.git(&["log", "-1", "--format=%B"]);
    assert!(body.contains("- adds role analytics"), "{body}");
    assert!(
        body.contains("- adds arch to reviewers of adr-0002-queue"),
        "{body}"
    );
    let status = repo.git(&["status", "--porcelain"]);
    assert!(status.contains(" M src/main.rs"), "{status}");
    assert!(
        status.contains("M  docs/adr/0001-use-postgres.md"),
        "still staged: {status}"
    );
    assert!(status.contains("?? notes.txt"), "{status}");
    assert!(!status.contains("handoff.yaml"), "{status}");
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(index.contains("consumers: [analytics]"), "{index}");

    // Nothing waits any more.
    let again = handoff(&repo, &["commit"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to commit"));
}

#[test]
fn commit_refuses_a_file_changed_by_hand_after_a_no_commit_edit() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let before = commit_count(&repo);
    ok(
        &repo,
        &["set", "runbook-deploy", "title", "Deploys", "--no-commit"],
    );
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write("handoff.yaml", &format!("{text}# a person's note\n"));
    for args in [
        &["commit"][..],
        &["set", "runbook-deploy", "title", "Deploy", "--no-commit"][..],
    ] {
        let out = handoff(&repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not by handoff"), "{args:?}: {err}");
    }
    assert_eq!(commit_count(&repo), before);
}

#[test]
fn set_kind_changes_a_kinds_policy_and_remedies_name_commands() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let before = commit_count(&repo);
    let out = ok(&repo, &["set", "--kind", "adr", "max_age", "30d"]);
    assert!(out.contains("sets max_age of kind adr to 30d"), "{out}");
    ok(
        &repo,
        &[
            "set",
            "--kind",
            "runbook",
            "required_sections",
            "+Escalation",
        ],
    );
    ok(&repo, &["set", "--kind", "adr", "title", "--unset"]);
    assert_eq!(commit_count(&repo), before + 3);
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(index.contains("max_age: 30d"), "{index}");
    assert!(
        index.contains("runbook: { title: Runbook, required_sections: [Escalation] }"),
        "{index}"
    );
    assert!(!index.contains("Architecture decision record"), "{index}");

    // Refusals name what would be accepted.
    for (args, says) in [
        (
            &["set", "--kind", "adr", "max_agee", "1y"][..],
            "did you mean `max_age`",
        ),
        (
            &["set", "--kind", "adr", "signoff", "+nobody"][..],
            "unknown role `nobody`",
        ),
        (
            &["set", "--kind", "nope", "max_age", "1y"][..],
            "unknown kind `nope`",
        ),
        (&["set", "--kind", "adr", "max_age", "soon"][..], "soon"),
    ] {
        let out = handoff(&repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }

    // The ADRs are older than 30 days now: the remedy names the command that changes that.
    let report = check_json(&repo);
    let fixes: Vec<String> = report["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["findings"].as_array().unwrap().clone())
        .map(|f| f["fix"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fixes
            .iter()
            .any(|f| f.contains("handoff set --kind adr max_age <duration>")),
        "{fixes:#?}"
    );
}

#[test]
fn no_remedy_in_the_demo_asks_to_edit_the_yaml_by_hand() {
    let (_tmp, dir) = crate::common::sample_repo();
    let out = crate::common::handoff_command(&dir, crate::common::NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for finding in report["findings"].as_array().unwrap() {
        let fix = finding["fix"].as_str().unwrap();
        assert!(!fix.contains("in handoff.yaml"), "{fix}");
    }
}

#[test]
fn init_with_docs_on_an_existing_index_adds_only_the_missing_documents() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    ok(&repo, &["init", "--profile", "generic"]);
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let paths: Vec<String> =
        handoff::core::model::load::load_index("handoff.yaml", index.as_bytes())
            .unwrap()
            .artifacts
            .iter()
            .map(|a| a.target.as_str().to_string())
            .collect();
    assert!(paths.len() >= 2, "{paths:?}");
    // A person wrote one of them already.
    repo.write(&paths[0], "# Ours\n\nwritten by a person\n");

    let out = ok(&repo, &["init", "--with-docs"]);
    assert!(
        out.contains(&format!("Created {} missing", paths.len() - 1)),
        "{out}"
    );
    assert!(!out.contains(&paths[0]), "{out}");
    assert_eq!(
        std::fs::read_to_string(repo.abs(&paths[0])).unwrap(),
        "# Ours\n\nwritten by a person\n",
        "an existing document is untouched"
    );
    for path in &paths[1..] {
        assert!(repo.abs(path).exists(), "{path} created");
        assert!(out.contains(path.as_str()), "{out}");
    }
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        index,
        "the index is unchanged"
    );
    let again = ok(&repo, &["init", "--with-docs"]);
    assert!(again.contains("nothing was written"), "{again}");

    // Without --with-docs, init refuses and names what works here.
    let refused = handoff(&repo, &["init"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("handoff init --with-docs") && err.contains("handoff import"),
        "{err}"
    );
}

/// `handoff commit` killed (SIGKILL) while its pre-commit hook runs, after handoff.yaml is
/// written and before the branch moves: the next handoff puts the file back as committed, so
/// the waiting edits are gone from the work tree while the list of them stays. `--abandon`
/// forgets the list, names what it forgot, and touches no file.
#[cfg(unix)]
#[test]
fn commit_abandon_forgets_the_edits_a_crash_recovery_put_back() {
    use std::time::{Duration, Instant};
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let committed = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    ok(
        &repo,
        &["set", "runbook-deploy", "title", "Deploys", "--no-commit"],
    );
    ok(
        &repo,
        &["set", "adr-0002-queue", "reviewers", "+arch", "--no-commit"],
    );
    let before = commit_count(&repo);

    // A pre-commit hook that says it started, then waits to be released: the kill lands while
    // handoff waits for it, with the file written and the branch not moved.
    let marks = tempfile::tempdir().unwrap();
    let (started, release) = (marks.path().join("started"), marks.path().join("release"));
    let hook = repo.abs(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ntouch '{}'\nwhile [ ! -e '{}' ]; do sleep 0.05; done\nexit 1\n",
            started.display(),
            release.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut child = crate::common::handoff_command(repo.path(), "2026-11-22T12:00:00Z")
        .env("GIT_CONFIG_GLOBAL", repo.path().join(".no-global"))
        .args(["commit", "-m", "Never lands"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the hook never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::write(&release, "").unwrap();
    std::fs::remove_file(&hook).unwrap();
    assert_eq!(
        commit_count(&repo),
        before,
        "the killed commit did not land"
    );

    // The next commit recovers (handoff.yaml is put back as committed) and then refuses.
    let refused = handoff(&repo, &["commit"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("changed since"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        committed,
        "recovery put the file back"
    );
    let stuck = handoff(&repo, &["set", "runbook-deploy", "title", "Deploy 2"]);
    assert_eq!(stuck.status.code(), Some(2), "the list still blocks edits");

    let out = ok(&repo, &["commit", "--abandon"]);
    assert!(
        out.starts_with("Forgot 2 edits made with --no-commit; nothing was committed:\n"),
        "{out}"
    );
    assert!(
        out.contains("sets title of runbook-deploy to Deploys"),
        "{out}"
    );
    assert!(
        out.contains("adds arch to reviewers of adr-0002-queue"),
        "{out}"
    );
    assert!(out.contains("handoff.yaml no longer holds them"), "{out}");
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        committed,
        "no file touched"
    );
    assert!(!repo.abs(".git/handoff/pending.json").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // Unblocked: a committed edit works again, and there is nothing left to abandon.
    ok(&repo, &["set", "runbook-deploy", "title", "Deploy 2"]);
    assert_eq!(commit_count(&repo), before + 1);
    let again = ok(&repo, &["commit", "--abandon"]);
    assert!(again.starts_with("Nothing to abandon"), "{again}");
}

#[test]
fn commit_abandon_keeps_the_file_unless_asked_to_restore_it() {
    let repo = adopting_repo();
    ok(&repo, &["import", "--yes"]);
    let committed = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let before = commit_count(&repo);

    ok(
        &repo,
        &["set", "runbook-deploy", "title", "Deploys", "--no-commit"],
    );
    let edited = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let out = ok(&repo, &["commit", "--abandon"]);
    assert!(
        out.starts_with("Forgot 1 edit made with --no-commit"),
        "{out}"
    );
    assert!(
        out.contains("handoff.yaml still holds them, uncommitted"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        edited,
        "kept as handoff wrote it"
    );
    // It is now an ordinary uncommitted change: handoff's next edit refuses to sweep it in.
    let refused = handoff(&repo, &["set", "runbook-deploy", "title", "Deploy"]);
    assert_eq!(refused.status.code(), Some(2));
    repo.git(&["checkout", "--", "handoff.yaml"]);

    ok(
        &repo,
        &["set", "runbook-deploy", "title", "Deploys", "--no-commit"],
    );
    let out = ok(&repo, &["commit", "--abandon", "--restore"]);
    assert!(out.contains("handoff.yaml is back as committed"), "{out}");
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        committed
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(commit_count(&repo), before, "nothing committed");

    // A file changed by a person after handoff's edit is never restored.
    ok(
        &repo,
        &["set", "runbook-deploy", "title", "Deploys", "--no-commit"],
    );
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write("handoff.yaml", &format!("{text}# a person's note\n"));
    let out = ok(&repo, &["commit", "--abandon", "--restore"]);
    assert!(out.contains("handoff.yaml no longer holds them"), "{out}");
    assert!(
        std::fs::read_to_string(repo.abs("handoff.yaml"))
            .unwrap()
            .ends_with("# a person's note\n")
    );

    // --restore alone, and -m with --abandon, are refused by the parser.
    for args in [
        &["commit", "--restore"][..],
        &["commit", "--abandon", "-m", "x"][..],
    ] {
        assert_eq!(handoff(&repo, args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn init_in_a_repository_with_documents_adds_what_import_finds() {
    let repo = adopting_repo();
    let before = commit_count(&repo);
    let out = ok(&repo, &["init", "--profile", "generic"]);
    assert!(
        out.contains("This repository already has documents; as `handoff import` reads them:\nRead .github/CODEOWNERS, front-matter, folders, mailmap.\nAdded "),
        "{out}"
    );
    assert!(
        out.contains("  adr-0001-use-postgres  docs/adr/0001-use-postgres.md  (owner: arch)\n"),
        "each found document is named: {out}"
    );
    assert!(
        out.contains(
            "runbooks/payments-outage.md: front matter says @rosa, CODEOWNERS says @acme/sre"
        ),
        "{out}"
    );
    assert!(
        out.find("as `handoff import`") < out.find("Next steps"),
        "{out}"
    );
    assert_eq!(commit_count(&repo), before, "init writes, never commits");

    // The same detection as import: on a twin repository, every artifact `import` makes is
    // in init's index with the same owner, reviewers and kind — but where the profile already
    // lists the path (its runbooks/deploy.md).
    let load = |repo: &TestRepo| {
        handoff::core::model::load::load_index(
            "handoff.yaml",
            &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
        )
        .unwrap()
    };
    let twin = adopting_repo();
    ok(&twin, &["import", "--yes"]);
    let (inited, imported) = (load(&repo), load(&twin));
    let mut compared = 0;
    for theirs in &imported.artifacts {
        let ours = inited
            .artifacts
            .iter()
            .find(|a| a.target == theirs.target)
            .unwrap_or_else(|| panic!("init lacks {}", theirs.target.as_str()));
        if ours.id == "runbook" {
            continue; // The profile's own runbook: kept as the profile wrote it.
        }
        assert_eq!(ours.id, theirs.id);
        assert_eq!(ours.owner, theirs.owner, "{}", ours.id);
        assert_eq!(ours.reviewers, theirs.reviewers, "{}", ours.id);
        assert_eq!(ours.kind, theirs.kind, "{}", ours.id);
        compared += 1;
    }
    assert_eq!(compared, 3, "{:?}", imported.artifacts);
    for role in ["lead", "reviewer", "ops", "arch", "rosa", "sre"] {
        assert!(inited.role(role).is_some(), "role {role}");
    }
    assert_eq!(
        inited.role("rosa").unwrap().members(),
        ["rosa@acme.example"]
    );
    let report = check_json(&repo);
    assert!(report["artifacts"].as_array().unwrap().len() >= 6);

    // In a directory without documents, init says nothing of the kind.
    let empty = TestRepo::new();
    empty.git(&["config", "user.email", "dana@acme.example"]);
    let out = ok(&empty, &["init", "--profile", "generic"]);
    assert!(!out.contains("as `handoff import` reads them"), "{out}");
}

#[test]
fn init_reads_the_rest_when_codeowners_does_not_parse() {
    let repo = adopting_repo();
    repo.write(
        ".github/CODEOWNERS",
        "* @acme/eng\n\n/docs/ Dana Whitfield\n",
    );
    repo.commit("Break CODEOWNERS");
    let out = ok(&repo, &["init", "--profile", "generic"]);
    assert!(
        out.contains("CODEOWNERS was not read: .github/CODEOWNERS:3: `Dana` is not an owner"),
        "{out}"
    );
    assert!(
        out.contains("Read front-matter, folders, mailmap."),
        "{out}"
    );
    assert!(out.contains("adr-0001-use-postgres"), "{out}");
}

#[test]
fn init_gives_a_kind_the_sections_of_the_repositorys_own_template() {
    // An ADR folder kept in MADR's shape: its template's headings are not the generic
    // profile's (Status, Context, Decision, Consequences).
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    let madr = [
        "Context and Problem Statement",
        "Considered Options",
        "Decision Outcome",
    ];
    let headings: String = madr.iter().map(|h| format!("\n## {h}\n")).collect();
    repo.write(
        "docs/adr/0000-template.md",
        &format!("# [short title of solved problem and solution]\n{headings}"),
    );
    repo.write(
        "docs/adr/0001-use-postgres.md",
        &format!("# Use Postgres\n{headings}"),
    );
    repo.write("runbooks/deploy.md", "# Deploy\n");
    repo.commit("Decide on Postgres");

    let out = ok(&repo, &["init", "--profile", "generic"]);
    assert!(
        out.contains(
            "Kind adr requires the sections of docs/adr/0000-template.md (not the profile's): Context and Problem Statement, Considered Options, Decision Outcome\n"
        ),
        "{out}"
    );
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    let index = handoff::core::model::load::load_index("handoff.yaml", text.as_bytes()).unwrap();
    assert_eq!(index.kind("adr").unwrap().required_sections, madr);
    // Only the kind the repository has a template for changes; the profile's comments stay.
    assert_eq!(
        index.kind("runbook").unwrap().required_sections,
        [
            "When to use|Symptoms",
            "Failure modes",
            "Steps",
            "Rollback|Recovery",
            "Escalation|Contacts"
        ]
    );
    assert!(
        text.contains("# Comments and layout here are yours"),
        "{text}"
    );
    let report = check_json(&repo);
    assert!(
        !codes_of(&report, "adr-0001-use-postgres").contains(&"missing-sections".to_string()),
        "the decision written from the template has every section: {report:#}"
    );

    // On an index that exists, import leaves a kind's sections as a person set them.
    repo.commit("Handoff index");
    ok(
        &repo,
        &[
            "set",
            "--kind",
            "adr",
            "required_sections",
            "Context and Problem Statement",
        ],
    );
    repo.write(
        "docs/adr/0002-use-a-queue.md",
        &format!("# Use a queue\n{headings}"),
    );
    repo.commit("Decide on a queue");
    let out = ok(&repo, &["import", "--yes"]);
    assert!(!out.contains("requires the sections of"), "{out}");
    let index = handoff::core::model::load::load_index(
        "handoff.yaml",
        &std::fs::read(repo.abs("handoff.yaml")).unwrap(),
    )
    .unwrap();
    assert!(
        index
            .artifacts
            .iter()
            .any(|a| a.id == "adr-0002-use-a-queue")
    );
    assert_eq!(
        index.kind("adr").unwrap().required_sections,
        ["Context and Problem Statement"]
    );
}
