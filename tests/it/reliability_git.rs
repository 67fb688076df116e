//! Git and file-system edge cases, each through the binary as a process (and the facts layer
//! where the answer is a fact): an unborn branch, a detached HEAD, a bare repository, a
//! shallow clone, a submodule, a linked worktree, a path changed only in a merge, no
//! identity, `index.lock` and the branch lock held by another process, a commit landing
//! between handoff's read and its write, a read-only work tree, a full disk, and files
//! replaced by directories. Each works, or fails with a message saying what to do, and
//! leaves the repository as it was.

#![cfg(unix)]

use crate::common;
use crate::support::reliability as support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::TestRepo;
use support::*;

fn sign_prd(dir: &Path) -> Output {
    handoff_as(dir, "rosa@acme.example")
        .args(["sign", "prd", "--action", "approve", "--role", "ops"])
        .output()
        .unwrap()
}

/// What a refused command must leave as it was.
fn state(repo: &TestRepo) -> (String, String, String) {
    (
        repo.git(&["rev-parse", "--verify", "-q", "HEAD"]),
        repo.git(&["ls-files", "-s"]),
        repo.git(&[
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--ignored",
        ]),
    )
}

fn install_hook(repo: &TestRepo, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = repo.abs(&format!(".git/hooks/{name}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_unborn_branch_is_checked() {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write("docs/prd.md", "# PRD\n");
    let (_, json) = check_json(repo.path());
    assert_eq!(json["head"], serde_json::Value::Null);
    assert_eq!(json["branch"], "main");
    assert_eq!(json["artifacts"][1]["history"], "never-committed");
    let out = handoff_as(repo.path(), "dana@acme.example")
        .arg("check")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("main (no commits yet)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Signing there is refused until the index is committed (reliability_write.rs).
}

#[test]
fn a_detached_head_is_read_but_never_written() {
    let repo = handoff_repo();
    let head = repo.head();
    repo.checkout(&head);
    let (_, json) = check_json(repo.path());
    assert_eq!(json["head"], head.as_str());
    assert_eq!(json["branch"], serde_json::Value::Null);
    let before = state(&repo);
    for args in [
        vec!["sign", "prd", "--action", "approve", "--role", "ops"],
        vec!["set", "prd", "owner", "ops"],
    ] {
        let err = refused_as(repo.path(), "rosa@acme.example", &args);
        assert_eq!(
            err,
            "error: HEAD is detached: handoff commits only on a branch. Check out a branch (`git switch <branch>`) and try again\n"
        );
        assert_eq!(state(&repo), before);
    }
}

#[test]
fn a_bare_repository_is_refused_with_a_clear_message() {
    let repo = handoff_repo();
    let bare = tempfile::tempdir().unwrap();
    let bare_path = bare.path().join("bare.git");
    repo.git(&[
        "clone",
        "--quiet",
        "--bare",
        ".",
        &bare_path.display().to_string(),
    ]);
    for args in [
        vec!["check"],
        vec!["sign", "prd", "--action", "approve", "--role", "ops"],
    ] {
        let err = refused_as(&bare_path, "rosa@acme.example", &args);
        assert_eq!(
            err,
            format!(
                "error: {} is a bare repository: handoff needs a work tree\n",
                bare_path.canonicalize().unwrap().display()
            ),
            "{args:?}"
        );
    }
}

#[test]
fn a_shallow_clone_says_the_last_change_is_unknown_rather_than_guess() {
    let origin = handoff_repo();
    origin.write("other.md", "later\n");
    origin.commit("Later");
    origin.write("docs/framing.md", "# Framing, revised\n");
    let revised = origin.commit("Revise framing");
    let clone = origin.shallow_clone(2);
    let (_, json) = check_json(clone.path());
    let prd = &json["artifacts"][1];
    assert_eq!(prd["id"], "prd");
    assert_eq!(prd["history"], "beyond-shallow-boundary");
    assert_eq!(prd["last_change"], serde_json::Value::Null);
    let framing = &json["artifacts"][0];
    assert_eq!(framing["history"], "changed");
    assert_eq!(framing["last_change"]["commit"], revised.as_str());
    let out = handoff_as(clone.path(), "dana@acme.example")
        .arg("check")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("note: this is a shallow clone: the last change of prd lies beyond its boundary, so it is unknown"),
        "{text}"
    );
}

#[test]
fn a_submodule_is_its_recorded_commit_and_its_own_repository() {
    let repo = handoff_repo();
    let _library = repo.add_submodule("vendor/lib");
    repo.write(
        "handoff.yaml",
        &format!("{INDEX}  - id: lib\n    path: vendor/lib\n    owner: pm\n"),
    );
    let added = repo.commit("Add the library");
    let (_, json) = check_json(repo.path());
    let lib = &json["artifacts"][2];
    assert_eq!(lib["exists"], true);
    assert_eq!(
        lib["fingerprint"],
        repo.head_object("vendor/lib").unwrap().as_str()
    );
    assert_eq!(lib["last_change"]["commit"], added.as_str());
    assert_eq!(lib["uncommitted"], false);
    // Inside the submodule, handoff looks for an index of the submodule's own.
    let err = refused_as(&repo.abs("vendor/lib"), "dana@acme.example", &["check"]);
    assert!(err.starts_with("error: no handoff.yaml in "), "{}", err);
}

#[test]
fn a_linked_worktree_has_its_facts_and_signs_on_its_own_branch() {
    let repo = handoff_repo();
    let outer = tempfile::tempdir().unwrap();
    let worktree = outer.path().join("review");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "-b",
        "review",
        &worktree.display().to_string(),
    ]);
    std::fs::write(worktree.join("docs/prd.md"), "# PRD, in review\n").unwrap();
    let git = |args: &[&str]| common::git(&worktree, args);
    let (_, json) = check_json(&worktree);
    assert_eq!(json["branch"], "review");
    assert_eq!(json["artifacts"][1]["uncommitted"], true);
    assert_eq!(
        json["artifacts"][1]["last_change"]["commit"],
        git(&["log", "-1", "--format=%H", "--", "docs/prd.md"]).as_str()
    );
    let main_before = repo.head();
    let out = sign_prd(&worktree);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.head(), main_before, "main is untouched");
    assert_eq!(
        git(&["show", "--name-only", "--format=", "review"]),
        ".handoff/signoffs/prd.yaml"
    );
    // The signed content is the working copy, still uncommitted and still in the worktree.
    assert_eq!(git(&["status", "--porcelain"]), "M docs/prd.md");
    assert!(
        repo.abs(".git/handoff/write.lock").exists(),
        "one lock for all worktrees"
    );
}

#[test]
fn a_path_changed_only_in_a_merge_has_the_merge_as_its_last_change() {
    let repo = handoff_repo();
    repo.branch("side");
    repo.write("docs/prd.md", "# PRD\n\nSide.\n");
    repo.commit("Side edit");
    repo.checkout("main");
    repo.write("docs/prd.md", "# PRD\n\nMain.\n");
    repo.commit("Main edit");
    assert!(!repo.merge_resolving("side"));
    repo.write("docs/prd.md", "# PRD\n\nBoth, reconciled.\n");
    let merge = repo.commit("Merge side");
    assert_eq!(
        repo.last_change("docs/prd.md").as_deref(),
        Some(merge.as_str())
    );
    let (_, json) = check_json(repo.path());
    assert_eq!(
        json["artifacts"][1]["last_change"]["commit"],
        merge.as_str()
    );
}

#[test]
fn no_identity_says_how_to_set_one() {
    let repo = handoff_repo();
    let mut cmd = handoff_as(repo.path(), "x@example.com");
    let home = tempfile::tempdir().unwrap();
    cmd.env("HOME", home.path())
        .env("GIT_CONFIG_GLOBAL", home.path().join("none"));
    let before = state(&repo);
    let out = cmd
        .args(["sign", "prd", "--action", "approve", "--role", "ops"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: git has no user identity here: run `git config user.name \"Your Name\"` and `git config user.email you@example.com` in this repository\n"
    );
    assert_eq!(state(&repo), before);
}

/// Holds a lock file for `hold`, from now, in a thread.
fn hold_lock(path: PathBuf, hold: Duration) -> std::thread::JoinHandle<()> {
    std::fs::write(&path, "").unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        std::fs::remove_file(&path).unwrap();
    })
}

#[test]
fn locks_held_for_a_moment_are_waited_for_and_held_for_good_are_reported() {
    let repo = handoff_repo();
    // index.lock, as `git add` in another terminal holds it.
    let released = hold_lock(repo.abs(".git/index.lock"), Duration::from_millis(1200));
    let out = sign_prd(repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    released.join().unwrap();
    // The branch's lock, as another commit holds it.
    let released = hold_lock(
        repo.abs(".git/refs/heads/main.lock"),
        Duration::from_millis(1200),
    );
    let out = handoff_as(repo.path(), "dana@acme.example")
        .args(["sign", "prd", "--action", "accept", "--role", "pm"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    released.join().unwrap();
    assert_eq!(repo.git(&["log", "--format=%s", "-2"]).lines().count(), 2);

    // Held for good (a crashed git): refused after a few seconds, saying what to do.
    let before = state(&repo);
    std::fs::write(repo.abs(".git/refs/heads/main.lock"), "").unwrap();
    let started = Instant::now();
    let err = refused_as(
        repo.path(),
        "dana@acme.example",
        &["set", "prd", "owner", "ops"],
    );
    assert!(err.starts_with("error: the branch is locked ("), "{}", err);
    assert!(err.contains("refs/heads/main.lock exists): another git process is updating it. Wait for it to finish and retry; if none is running, remove the lock file yourself"));
    assert!(started.elapsed() < Duration::from_secs(30));
    std::fs::remove_file(repo.abs(".git/refs/heads/main.lock")).unwrap();
    assert_eq!(state(&repo), before);
}

#[test]
fn a_commit_landing_between_read_and_write_is_built_upon() {
    let repo = handoff_repo();
    // Another process commits once, while handoff is about to commit.
    install_hook(
        &repo,
        "pre-commit",
        "if [ ! -e .git/meanwhile ]; then touch .git/meanwhile; env -u GIT_INDEX_FILE git commit -q --allow-empty --no-verify -m Meanwhile; fi\n",
    );
    let out = sign_prd(repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.git(&["log", "--format=%s", "-2"]),
        "handoff: rosa@acme.example approves prd as ops\nMeanwhile"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_commit_changing_the_same_file_meanwhile_is_kept_not_overwritten() {
    let repo = handoff_repo();
    let ledger = ".handoff/signoffs/prd.yaml";
    let theirs = record(
        "accept",
        "dana@acme.example",
        "pm",
        "2026-10-01T10:00:00Z",
        &repo.head_object("docs/prd.md").unwrap(),
    );
    install_hook(
        &repo,
        "pre-commit",
        &format!(
            "if [ ! -e .git/meanwhile ]; then touch .git/meanwhile; printf '%s' '{theirs}' > {ledger}; env -u GIT_INDEX_FILE git add {ledger}; env -u GIT_INDEX_FILE git commit -q --no-verify -m 'Dana accepts elsewhere'; fi\n"
        ),
    );
    let out = sign_prd(repo.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!(
            "error: {ledger} was changed by commit {}",
            repo.head()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "Dana accepts elsewhere"
    );
    assert_eq!(std::fs::read_to_string(repo.abs(ledger)).unwrap(), theirs);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Asked again, it signs on top.
    std::fs::remove_file(repo.abs(".git/hooks/pre-commit")).unwrap();
    let out = sign_prd(repo.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(repo.abs(ledger))
            .unwrap()
            .starts_with(&theirs)
    );
}

/// A directory made read-only for the lifetime of the guard: by permissions for a normal
/// user, by a read-only bind mount for root (who ignores permissions). `None` when neither
/// is possible here.
struct ReadOnly {
    dir: PathBuf,
    mounted: bool,
}

impl ReadOnly {
    fn make(dir: &Path) -> Option<ReadOnly> {
        let root = unsafe { libc::geteuid() } == 0;
        let ok = |cmd: &mut Command| cmd.output().is_ok_and(|o| o.status.success());
        if !root {
            ok(Command::new("chmod").arg("-R").arg("a-w").arg(dir)).then_some(ReadOnly {
                dir: dir.to_path_buf(),
                mounted: false,
            })
        } else if ok(Command::new("mount").arg("--bind").arg(dir).arg(dir)) {
            if ok(Command::new("mount")
                .args(["-o", "remount,bind,ro"])
                .arg(dir))
            {
                Some(ReadOnly {
                    dir: dir.to_path_buf(),
                    mounted: true,
                })
            } else {
                let _ = Command::new("umount").arg(dir).output();
                None
            }
        } else {
            None
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.dir).output();
        } else {
            let _ = Command::new("chmod")
                .arg("-R")
                .arg("u+w")
                .arg(&self.dir)
                .output();
        }
    }
}

#[test]
fn a_read_only_work_tree_is_checked_and_refuses_writes_cleanly() {
    let repo = handoff_repo();
    let before = state(&repo);
    let Some(_read_only) = ReadOnly::make(repo.path()) else {
        eprintln!("skipped: this machine can make no directory read-only for this user");
        return;
    };
    let (code, json) = check_json(repo.path());
    assert_ne!(code, 2, "{json:#}");
    let out = sign_prd(repo.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: cannot lock the repository for writing (")
            && (err.contains("Read-only file system") || err.contains("Permission denied")),
        "{err}"
    );
    drop(_read_only);
    assert_eq!(state(&repo), before);
}

/// A small file system of its own (tmpfs), when this machine lets the test mount one.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(kib: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(SmallDisk { dir })
    }

    /// Fills the file system to the last byte.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.dir.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let mut byte = [0u8; 1];
        while file.write_all(&byte).is_ok() {
            byte[0] = byte[0].wrapping_add(1);
        }
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).output();
    }
}

fn assert_repository_intact(dir: &Path) {
    let out = Command::new("git")
        .args(["fsck", "--no-progress"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git fsck: {}", stderr(&out));
}

#[test]
fn a_full_disk_refuses_the_change_and_leaves_everything_as_it_was() {
    // A real full disk where the machine lets the test mount a small tmpfs.
    if let Some(disk) = SmallDisk::mount(2048) {
        let work = disk.dir.path().join("repo");
        std::fs::create_dir(&work).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("git")
                .args(args)
                .current_dir(&work)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        };
        run(&["init", "--quiet", "--initial-branch=main", "--template="]);
        std::fs::write(work.join("handoff.yaml"), INDEX).unwrap();
        std::fs::create_dir(work.join("docs")).unwrap();
        std::fs::write(work.join("docs/prd.md"), "# PRD\n").unwrap();
        std::fs::write(work.join("docs/framing.md"), "# Framing\n").unwrap();
        run(&["add", "-A"]);
        run(&[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@x.example",
            "commit",
            "-q",
            "-m",
            "Start",
        ]);
        let head = std::fs::read_to_string(work.join(".git/refs/heads/main")).unwrap();
        let filler = disk.fill();
        let out = sign_prd(&work);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("No space left on device"),
            "{}",
            stderr(&out)
        );
        std::fs::remove_file(&filler).unwrap();
        assert_eq!(
            std::fs::read_to_string(work.join(".git/refs/heads/main")).unwrap(),
            head
        );
        assert!(!work.join(".handoff/signoffs/prd.yaml").exists());
        assert_repository_intact(&work);
        let out = sign_prd(&work);
        assert!(out.status.success(), "{}", stderr(&out));
    } else {
        eprintln!("no tmpfs here: the full disk is simulated by a file size limit only");
    }

    // Everywhere: a file size limit (RLIMIT_FSIZE) makes every write beyond 1 KiB fail with
    // EFBIG, as a full disk fails with ENOSPC. SIGXFSZ is ignored, so the write returns an
    // error instead of killing the process.
    let repo = handoff_repo();
    let fingerprint = repo.head_object("docs/prd.md").unwrap();
    let mut ledger = String::new();
    for day in 1..=9 {
        ledger.push_str(&record(
            "approve",
            "rosa@acme.example",
            "ops",
            &format!("2026-10-0{day}T10:00:00Z"),
            &fingerprint,
        ));
    }
    repo.write(".handoff/signoffs/prd.yaml", &ledger);
    repo.commit("A ledger over 1 KiB");
    let before = state(&repo);
    // The environment `handoff_as` gives the binary, given to a shell that sets the limit.
    let template = handoff_as(repo.path(), "rosa@acme.example");
    let mut sh = Command::new("sh");
    for (key, value) in template.get_envs() {
        match value {
            Some(v) => sh.env(key, v),
            None => sh.env_remove(key),
        };
    }
    sh.env("HANDOFF_BIN", env!("CARGO_BIN_EXE_handoff"));
    let out = sh
        .current_dir(repo.path())
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 2; exec \"$HANDOFF_BIN\" \"$@\"",
            "sh",
        ])
        .args(["sign", "prd", "--action", "revoke", "--role", "ops"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: cannot write .handoff/signoffs/prd.yaml: File too large (os error 27)\n"
    );
    assert_eq!(state(&repo), before);
    assert_repository_intact(repo.path());
}

#[test]
fn files_replaced_by_directories_are_reported_where_they_are() {
    let repo = handoff_repo();
    // An artifact's file becomes a directory: it is a directory artifact now, uncommitted.
    repo.remove("docs/framing.md");
    repo.write("docs/framing.md/README.md", "# Framing\n");
    // The ledger file becomes a directory.
    std::fs::create_dir_all(repo.abs(".handoff/signoffs/prd.yaml")).unwrap();
    let (_, json) = check_json(repo.path());
    assert_eq!(json["artifacts"][0]["exists"], true);
    assert_eq!(json["artifacts"][0]["uncommitted"], true);
    let invalid: Vec<_> = findings_of(&json, "prd")
        .into_iter()
        .filter(|(c, _)| c == "invalid-signoff")
        .collect();
    assert_eq!(
        invalid[0].1,
        "the ledger file cannot be read: it is a directory, not a regular file"
    );
    let before = state(&repo);
    let out = sign_prd(repo.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: handoff does not write .handoff/signoffs/prd.yaml: it is a directory, not a regular file\n"
    );
    assert_eq!(state(&repo), before);

    // The index becomes a directory.
    repo.remove("handoff.yaml");
    std::fs::create_dir(repo.abs("handoff.yaml")).unwrap();
    let err = refused_as(repo.path(), "dana@acme.example", &["check"]);
    assert_eq!(
        err,
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it is a directory, not a regular file\n"
    );
}

/// A repository made with `git init <options>` holding the handoff and its documents,
/// committed; `None` when this git cannot make one (too old for the option).
fn repository_with(options: &[&str]) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    let mut init = vec!["init", "--quiet", "--initial-branch=main"];
    init.extend_from_slice(options);
    let (made, _) = git_ok_output(dir.path(), &init);
    if !made {
        return None;
    }
    std::fs::write(dir.path().join("handoff.yaml"), INDEX).unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/framing.md"), "# Framing\n").unwrap();
    std::fs::write(dir.path().join("docs/prd.md"), "# PRD\n").unwrap();
    for args in [
        vec!["add", "-A"],
        vec![
            "-c",
            "user.name=Dana",
            "-c",
            "user.email=dana@acme.example",
            "commit",
            "--quiet",
            "-m",
            "Start",
        ],
        // The repository's own identity, which the doctor must show.
        vec!["config", "user.email", "dana@acme.example"],
    ] {
        let (ok, out) = git_ok_output(dir.path(), &args);
        assert!(ok, "git {args:?}: {out}");
    }
    Some(dir)
}

/// Every command that reads the repository says exactly why it cannot, from the work tree's
/// root and from a directory inside it.
fn assert_named_everywhere(root: &Path, expected: &str) {
    for dir in [root.to_path_buf(), root.join("docs")] {
        for args in [
            vec!["check"],
            vec!["matrix"],
            vec!["report"],
            vec!["context", "prd"],
            vec!["mcp"],
            vec!["sign", "prd", "--action", "approve", "--role", "ops"],
        ] {
            let err = refused_as(&dir, "rosa@acme.example", &args);
            assert_eq!(err, format!("error: {expected}\n"), "{args:?} in {dir:?}");
        }
    }
    let out = run_as(root, "rosa@acme.example", &["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(expected), "{text}");
    assert!(!text.contains("not inside a git repository"), "{text}");
    // The identity is the repository's, read from its configuration even though libgit2
    // cannot open the repository.
    assert!(
        text.contains("user.email  dana@acme.example  (repository config)"),
        "{text}"
    );
    let init = tempfile::tempdir().unwrap();
    let sub = root.join("new-handoff");
    let out = run_as(
        init.path(),
        "rosa@acme.example",
        &["init", sub.to_str().unwrap()],
    );
    // Init wraps its notes; compared word by word.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = words(&String::from_utf8_lossy(&out.stdout));
    let mut sentence = words(expected);
    sentence.replace_range(..3, "The");
    assert!(text.contains(&sentence), "init: {text}");
    // Init staffs the repository's identity, not rosa's global one.
    assert!(
        text.contains("You (dana@acme.example) are in pm"),
        "init: {text}"
    );
    assert!(!text.contains("not in a git repository"), "init: {text}");
}

/// A repository made with `git init <options>` is refused everywhere with `reason` (given the
/// work tree's root and libgit2's version) — unless this git cannot make one.
fn assert_unsupported(options: &[&str], reason: impl Fn(&Path, &str) -> String) {
    let Some(repo) = repository_with(options) else {
        eprintln!("this git cannot make a repository with {options:?}; skipped");
        return;
    };
    let root = repo.path().canonicalize().unwrap();
    let (major, minor, patch) = git2::Version::get().libgit2_version();
    assert_named_everywhere(&root, &reason(&root, &format!("{major}.{minor}.{patch}")));
}

#[test]
fn a_sha256_repository_is_named_as_such_not_called_missing() {
    assert_unsupported(&["--object-format=sha256"], |root, libgit2| {
        format!(
            "the repository at {} uses the sha256 object format, which handoff (libgit2 \
             {libgit2}) does not support yet: it reads SHA-1 repositories only",
            root.display()
        )
    });
}

#[test]
fn a_reftable_repository_is_named_as_such_not_called_missing() {
    assert_unsupported(&["--ref-format=reftable"], |root, libgit2| {
        format!(
            "the repository at {} uses `extensions.refstorage = reftable`, a git extension \
             handoff (libgit2 {libgit2}) does not support yet; git 2.46 and later convert it \
             back: `git refs migrate --ref-format=files`",
            root.display()
        )
    });
}

#[test]
fn an_unknown_extension_or_format_version_is_named() {
    let repo = handoff_repo();
    repo.git(&["config", "core.repositoryformatversion", "1"]);
    repo.git(&["config", "extensions.frobnicate", "yes"]);
    let root = repo.path().canonicalize().unwrap();
    let libgit2 = git2::Version::get().libgit2_version();
    let version = format!("{}.{}.{}", libgit2.0, libgit2.1, libgit2.2);
    let err = refused_as(&root, "rosa@acme.example", &["check"]);
    assert_eq!(
        err,
        format!(
            "error: the repository at {} uses `extensions.frobnicate = yes`, a git extension \
             handoff (libgit2 {version}) does not support yet\n",
            root.display()
        )
    );
    // git refuses the repository too now; its configuration file is edited as a file.
    repo.git(&[
        "config",
        "--file",
        ".git/config",
        "--unset",
        "extensions.frobnicate",
    ]);
    repo.git(&[
        "config",
        "--file",
        ".git/config",
        "core.repositoryformatversion",
        "2",
    ]);
    let err = refused_as(&root, "rosa@acme.example", &["check"]);
    assert_eq!(
        err,
        format!(
            "error: the repository at {} has repository format version 2, which handoff \
             (libgit2 {version}) does not read: it reads versions 0 and 1\n",
            root.display()
        )
    );
}

#[test]
fn doctor_shows_the_repositorys_identity_over_the_global_one() {
    let repo = handoff_repo();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    // handoff_as gives rosa a global identity of her own.
    for dir in [repo.path().to_path_buf(), repo.abs("docs")] {
        let out = run_as(&dir, "rosa@acme.example", &["doctor"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("user.email  dana@acme.example  (repository config)"),
            "{text}"
        );
        assert!(text.contains("your roles  pm (Product Manager)"), "{text}");
        assert!(!text.contains("user.email  rosa"), "{text}");
    }
    // Where the repository cannot be opened, its own file is still read for the identity.
    let Some(sha) = repository_with(&["--object-format=sha256"]) else {
        return;
    };
    let out = run_as(sha.path(), "rosa@acme.example", &["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("user.email  dana@acme.example  (repository config)"),
        "{text}"
    );
    assert!(
        text.contains("user.name   rosa@acme.example  (global config)"),
        "{text}"
    );
}

/// Chowns `dir` and everything in it.
fn chown_all(dir: &Path, uid: u32) -> std::io::Result<()> {
    std::os::unix::fs::lchown(dir, Some(uid), Some(uid))?;
    if dir.is_dir() && !dir.is_symlink() {
        for entry in std::fs::read_dir(dir)? {
            chown_all(&entry?.path(), uid)?;
        }
    }
    Ok(())
}

#[test]
fn a_repository_of_another_user_is_named_with_git_s_advice() {
    let repo = handoff_repo();
    // Only a superuser can give the repository away; elsewhere there is nothing to test.
    if chown_all(repo.path(), 65_534).is_err() {
        eprintln!("cannot give the repository to another user here; skipped");
        return;
    }
    let root = repo.path().canonicalize().unwrap();
    let err = refused_as(&root, "rosa@acme.example", &["check"]);
    assert_eq!(
        err,
        format!(
            "error: the repository at {} belongs to another user, and like git, handoff does \
             not open it until you say it is safe: `git config --global --add safe.directory {}`\n",
            root.display(),
            root.display()
        )
    );
}
