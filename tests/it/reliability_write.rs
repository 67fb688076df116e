//! The write path against what real users run beside it, each case reproduced as it was
//! reported: a `git add` in another terminal during `handoff sign`, a ledger directory that is
//! a symbolic link, a merge in progress, signed-commit policies, the first sign-off on an
//! unborn branch, two identical records, escape sequences in a note, and the reflog.

#![cfg(unix)]

use crate::support::reliability as support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::common::TestRepo;
use support::*;

fn sign_prd(dir: &Path) -> std::process::Output {
    run_as(
        dir,
        "rosa@acme.example",
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    )
}

/// What a refused command must leave as it was: HEAD, the index, the work tree.
fn state(repo: &TestRepo) -> (String, String, String) {
    (
        git_ok_output(repo.path(), &["rev-parse", "--verify", "-q", "HEAD"]).1,
        repo.git(&["ls-files", "-s"]),
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
    )
}

#[test]
fn a_git_add_during_sign_is_never_undone() {
    let repo = handoff_repo();
    let stop = Arc::new(AtomicBool::new(false));
    // Another terminal: `git add` of a new version of a file, again and again; every add that
    // git reports as done must still be staged at the end (only the newest counts per file).
    let adder = {
        let stop = stop.clone();
        let dir = repo.path().to_path_buf();
        std::thread::spawn(move || {
            let mut added = Vec::new();
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) || n < 20 {
                n += 1;
                let file = format!("work/{}.txt", n % 7);
                std::fs::create_dir_all(dir.join("work")).unwrap();
                std::fs::write(dir.join(&file), format!("version {n}\n")).unwrap();
                let ok = Command::new("git")
                    .args(["add", "--", &file])
                    .current_dir(&dir)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .unwrap()
                    .success();
                if ok {
                    added.push((file, n));
                }
            }
            added
        })
    };
    let mut signed = 0;
    for round in 0..60 {
        let action = if round % 2 == 0 { "approve" } else { "revoke" };
        let out = run_as(
            repo.path(),
            "rosa@acme.example",
            &["sign", "prd", "--action", action, "--role", "ops"],
        );
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        signed += 1;
    }
    stop.store(true, Ordering::SeqCst);
    let added = adder.join().unwrap();
    let mut newest = std::collections::BTreeMap::new();
    for (file, n) in &added {
        newest.insert(file.clone(), *n);
    }
    for (file, n) in newest {
        let staged = repo.git(&["show", &format!(":{file}")]);
        assert_eq!(
            staged,
            format!("version {n}"),
            "{file}: a successful `git add` was undone"
        );
    }
    assert_eq!(
        repo.git(&["log", "--format=%s", "--", ".handoff"])
            .lines()
            .count(),
        signed
    );
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only", "--", ".handoff"]),
        "",
        "the ledger is committed and staged alike"
    );
    eprintln!("{} adds during {signed} sign-offs", added.len());
}

#[test]
fn partial_staging_survives_a_sign_off() {
    let repo = handoff_repo();
    repo.write("notes.txt", "one\ntwo\n");
    repo.commit("Notes");
    // As `git add -p` leaves it: the index holds a version the work tree no longer has.
    repo.write("notes.txt", "one, staged\ntwo\n");
    repo.git(&["add", "notes.txt"]);
    repo.write("notes.txt", "one, staged\ntwo, not staged\n");
    let staged = repo.git(&["ls-files", "-s", "notes.txt"]);
    let out = sign_prd(repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["ls-files", "-s", "notes.txt"]), staged);
    assert_eq!(repo.git(&["status", "--porcelain"]), "MM notes.txt");
}

#[test]
fn a_symlinked_ledger_directory_is_refused_and_never_replaced_in_a_commit() {
    for link in [".handoff", ".handoff/signoffs"] {
        let repo = handoff_repo();
        // The team keeps its ledger elsewhere in the repository, behind a tracked link.
        repo.write("shared/ledger/framing.yaml", "# kept by the team\n");
        if link == ".handoff/signoffs" {
            std::fs::create_dir_all(repo.abs(".handoff")).unwrap();
            std::os::unix::fs::symlink("../shared/ledger", repo.abs(link)).unwrap();
        } else {
            std::fs::create_dir_all(repo.abs("shared/ledger-root")).unwrap();
            std::fs::rename(
                repo.abs("shared/ledger"),
                repo.abs("shared/ledger-root/signoffs"),
            )
            .unwrap();
            std::os::unix::fs::symlink("shared/ledger-root", repo.abs(link)).unwrap();
        }
        repo.commit("Ledger behind a link");
        let before = state(&repo);
        let tree = repo.git(&["ls-tree", "-r", "HEAD"]);
        let err = refused_as(
            repo.path(),
            "rosa@acme.example",
            &["sign", "prd", "--action", "approve", "--role", "ops"],
        );
        assert!(
            err.contains(&format!("`{link}` is a symbolic link")),
            "{link}: {err}"
        );
        assert!(
            err.contains("would replace the link in the commit"),
            "{err}"
        );
        assert_eq!(state(&repo), before, "{link}: nothing changed");
        assert_eq!(repo.git(&["ls-tree", "-r", "HEAD"]), tree);
    }
}

#[test]
fn a_merge_in_progress_is_refused_with_how_to_finish_or_abort_it() {
    let repo = handoff_repo();
    repo.branch("side");
    repo.write("docs/framing.md", "# Framing, side\n");
    repo.commit("Side");
    repo.checkout("main");
    repo.write("docs/framing.md", "# Framing, main\n");
    repo.commit("Main");
    assert!(!repo.merge_resolving("side"), "the merge conflicts");
    let before = state(&repo);
    for args in [
        vec!["sign", "prd", "--action", "approve", "--role", "ops"],
        vec!["set", "prd", "title", "PRD v2"],
    ] {
        let err = refused_as(repo.path(), "rosa@acme.example", &args);
        assert_eq!(
            err,
            "error: a merge is in progress: git allows no commit of some paths meanwhile, so handoff waits for it. Finish it (`git commit`) or abort it (`git merge --abort`), then try again\n"
        );
        assert_eq!(state(&repo), before);
    }
    repo.git(&["merge", "--abort"]);
    assert!(sign_prd(repo.path()).status.success());
}

#[test]
fn the_first_sign_off_on_an_unborn_branch_is_refused_with_the_command_to_run() {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write("docs/prd.md", "# PRD\n");
    let before = state(&repo);
    let err = refused_as(
        repo.path(),
        "dana@acme.example",
        &["sign", "prd", "--action", "accept", "--role", "pm"],
    );
    assert_eq!(
        err,
        "error: handoff.yaml is not committed yet, and a sign-off counts only against a committed index: commit it first (`git add handoff.yaml && git commit -m \"Start the handoff\"`), then sign\n"
    );
    assert_eq!(state(&repo), before);
    assert!(!repo.abs(".handoff").exists());
    // Doing what it says makes the sign-off count.
    repo.git(&["add", "handoff.yaml", "docs"]);
    repo.commit("Start the handoff");
    let out = run_as(
        repo.path(),
        "dana@acme.example",
        &["sign", "prd", "--action", "accept", "--role", "pm"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, json) = check_json(repo.path());
    let codes = codes_of(&json, "prd");
    assert!(!codes.contains(&"invalid-signoff".to_string()), "{codes:?}");
    assert!(
        !codes.contains(&"owner-not-accepted".to_string()),
        "{codes:?}"
    );
}

#[test]
fn two_identical_records_count_as_one_and_never_jam_the_check() {
    let repo = handoff_repo();
    // The clock is pinned: a retried script signs twice in the same second.
    for _ in 0..2 {
        let out = sign_prd(repo.path());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let ledger = std::fs::read_to_string(repo.abs(".handoff/signoffs/prd.yaml")).unwrap();
    assert_eq!(ledger.matches("- action: approve").count(), 2);
    let clean = |repo: &TestRepo, when: &str| {
        let (_, json) = check_json(repo.path());
        let found = findings_of(&json, "prd");
        assert!(
            found.iter().all(|(code, _)| code != "invalid-signoff"),
            "{when}: {found:?}"
        );
        assert!(
            found.iter().all(|(code, _)| code != "unsigned"),
            "{when}: {found:?}"
        );
    };
    clean(&repo, "after signing twice");
    // In a fresh clone too.
    let clone = repo.shallow_clone(100);
    clean(&clone, "in a clone");
    // Removing one of the two (committed) changes nothing either.
    let first_end = ledger.rfind("- action: approve").unwrap();
    repo.write(".handoff/signoffs/prd.yaml", &ledger[..first_end]);
    clean(&repo, "with one removed in the working copy");
    repo.commit("Drop the duplicate");
    clean(&repo, "with one removed by a commit");
}

#[test]
fn escape_sequences_in_a_note_never_reach_the_commit_message() {
    let repo = handoff_repo();
    repo.write("docs/framing.md", "# Framing, changed\n");
    repo.commit("Framing changes");
    let out = run_as(
        repo.path(),
        "dana@acme.example",
        &[
            "sign",
            "prd",
            "--action",
            "acknowledge",
            "--role",
            "pm",
            "--note",
            "read it\x1b]0;pwned\x07\nsecond line \x1b]52;c;ZXZpbA==\x07",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(
        !message.contains('\x1b') && !message.contains('\x07'),
        "{message:?}"
    );
    assert!(
        message.contains("read it^[]0;pwned^G\nsecond line ^[]52;c;ZXZpbA==^G"),
        "{message}"
    );
}

#[test]
fn handoff_commits_appear_in_the_reflog_as_gits_do() {
    let repo = handoff_repo();
    assert!(sign_prd(repo.path()).status.success());
    let head = repo.head();
    assert_eq!(
        repo.git(&["reflog", "-1", "--format=%H %gs", "main"]),
        format!("{head} commit: handoff: rosa@acme.example approves prd as ops")
    );
    assert_eq!(
        repo.git(&["reflog", "-1", "--format=%H", "HEAD"]),
        head,
        "HEAD's reflog too"
    );
    let (ok, out) = git_ok_output(repo.path(), &["fsck", "--no-progress", "--strict"]);
    assert!(ok, "{out}");
}

#[test]
fn a_branch_only_in_packed_refs_is_moved_as_git_would() {
    let repo = handoff_repo();
    repo.git(&["pack-refs", "--all", "--prune"]);
    assert!(!repo.abs(".git/refs/heads/main").exists());
    let before = repo.head();
    assert!(sign_prd(repo.path()).status.success());
    assert_eq!(repo.git(&["rev-parse", "HEAD^"]), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// `commit.gpgSign` with an SSH key: the commit carries a signature git verifies.
#[test]
fn commits_are_signed_where_the_repository_asks_for_it() {
    let repo = handoff_repo();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "rosa", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen is installed (.ci/run installs openssh-client)");
    assert!(made.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = keys.path().join("allowed_signers");
    std::fs::write(&allowed, format!("rosa@acme.example {public}")).unwrap();
    repo.git(&["config", "commit.gpgSign", "true"]);
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingKey", &key.display().to_string()]);
    repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        &allowed.display().to_string(),
    ]);
    let out = sign_prd(repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let (ok, verified) = git_ok_output(repo.path(), &["verify-commit", "HEAD"]);
    assert!(ok, "git verify-commit: {verified}");
    assert!(verified.contains("Good \"git\" signature"), "{verified}");
}

#[test]
fn a_signature_that_cannot_be_made_refuses_the_commit_and_changes_nothing() {
    let repo = handoff_repo();
    repo.git(&["config", "commit.gpgSign", "true"]);
    repo.git(&["config", "gpg.program", "false"]);
    let before = state(&repo);
    let err = refused_as(
        repo.path(),
        "rosa@acme.example",
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    );
    assert_eq!(
        err,
        "error: `commit.gpgSign` is set and `false` could not sign the commit\n"
    );
    assert_eq!(state(&repo), before);
    // SSH format without a key says which setting is missing.
    repo.git(&["config", "gpg.format", "ssh"]);
    let err = refused_as(
        repo.path(),
        "rosa@acme.example",
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    );
    assert!(err.contains("`user.signingKey` is not"), "{err}");
    assert_eq!(state(&repo), before);
}

/// `commit.gpgSign` with an OpenPGP key in a GnuPG home of the test's own.
#[test]
fn commits_are_signed_with_gpg_as_git_would() {
    let repo = handoff_repo();
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args([
                "--batch",
                "--quiet",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args)
            .output()
            .expect("gpg is installed (.ci/run installs gnupg)")
    };
    let made = gpg(&[
        "--quick-gen-key",
        "Rosa <rosa@acme.example>",
        "ed25519",
        "sign",
        "never",
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    repo.git(&["config", "commit.gpgSign", "true"]);
    repo.git(&["config", "user.signingKey", "rosa@acme.example"]);
    let out = handoff_as(repo.path(), "rosa@acme.example")
        .env("GNUPGHOME", home.path())
        .args(["sign", "prd", "--action", "approve", "--role", "ops"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let verified = Command::new("git")
        .args(["verify-commit", "HEAD"])
        .current_dir(repo.path())
        .env("GNUPGHOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "gpg-agent"])
        .status();
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(stderr(&verified).contains("Good signature from \"Rosa <rosa@acme.example>\""));
}
