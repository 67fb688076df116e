//! Crashes and concurrency.
//!
//! - `handoff sign` and `handoff set` killed (SIGKILL) at random moments, a few hundred times:
//!   after each kill `git fsck` passes, the file is byte for byte its old or its new version,
//!   HEAD is the old commit or one new commit holding exactly that file in one of those two
//!   versions, the user's staged work is still staged, and no temporary file is ever
//!   committed. `HANDOFF_KILL_ITERATIONS` sets the kills per command (default 150);
//!   `HANDOFF_KILL_SEED` replays a run.
//! - Handoff processes signing different artifacts at the same moment all land, one after
//!   the other, also while another process keeps committing.
//! - A panic while drawing, or in the facts worker, gives the terminal back (alternate screen
//!   left, cursor shown, raw mode off, mouse capture off) and leaves a crash report naming
//!   the location. The panics are asked for through `HANDOFF_DEBUG_PANIC`, which only builds
//!   with the `fault-injection` feature read: these two tests run under
//!   `cargo test --features fault-injection` and are ignored, saying so, without it.

#![cfg(unix)]

use crate::support::pty;
use crate::support::reliability as support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestRepo, git_output};
use handoff::core::edit::{ArtifactField, FieldChange, IndexEdit, edit_text};
use handoff::core::model::load::load_ledger_file;
use support::*;

const LEDGER: &str = ".handoff/signoffs/prd.yaml";

/// xorshift64*: reproducible from a printed seed, no dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

fn iterations() -> usize {
    std::env::var("HANDOFF_KILL_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

fn git_bytes(repo: &TestRepo, spec: &str) -> Option<Vec<u8>> {
    let out = git_output(repo.path(), &["cat-file", "blob", spec]);
    out.status.success().then_some(out.stdout)
}

/// Whether `new` is a complete version of a file a command could have written, given the
/// version before it (`old`).
type IsNewVersion = Box<dyn Fn(&[u8], &[u8]) -> bool>;

/// What one kill may leave behind, and how to tell.
struct Target {
    /// The file the command changes, repository-relative.
    path: &'static str,
    args: Vec<String>,
    person: &'static str,
    is_new: IsNewVersion,
}

fn sign_target() -> Target {
    Target {
        path: LEDGER,
        args: ["sign", "prd", "--action", "approve", "--role", "ops"]
            .map(String::from)
            .to_vec(),
        person: "rosa@acme.example",
        is_new: Box::new(|old, new| {
            let (before, _) = load_ledger_file("prd", LEDGER, old);
            let (after, problems) = load_ledger_file("prd", LEDGER, new);
            let prefix_kept = old.is_empty() || new.starts_with(old);
            prefix_kept
                && problems.is_empty()
                && after.len() == before.len() + 1
                && after.last().is_some_and(|r| r.by == "rosa@acme.example")
        }),
    }
}

fn set_target(title: &str) -> Target {
    let title = title.to_string();
    let edit = IndexEdit::Artifact {
        artifact: "prd".into(),
        field: ArtifactField::Title,
        change: FieldChange::Set(title.clone()),
    };
    Target {
        path: "handoff.yaml",
        args: vec!["set".into(), "prd".into(), "title".into(), title],
        person: "dana@acme.example",
        is_new: Box::new(move |old, new| {
            let old = std::str::from_utf8(old).unwrap();
            edit_text(old, &edit).is_ok_and(|edited| edited.text.as_bytes() == new)
        }),
    }
}

fn spawn(repo: &TestRepo, target: &Target) -> Child {
    handoff_as(repo.path(), target.person)
        .args(&target.args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else if name.starts_with(".handoff-tmp-") {
                found.push(entry.path().display().to_string());
            }
        }
    }
    found
}

/// Checks everything a kill may not break; returns whether a new commit landed.
fn check_after_kill(
    repo: &TestRepo,
    target: &Target,
    old_head: &str,
    old: &[u8],
    staged: &str,
) -> bool {
    let fsck = git_ok_output(repo.path(), &["fsck", "--no-progress", "--no-dangling"]);
    assert!(fsck.0, "git fsck failed after a kill: {}", fsck.1);
    let on_disk = std::fs::read(repo.abs(target.path)).unwrap_or_default();
    assert!(
        on_disk == old || (target.is_new)(old, &on_disk),
        "{} is neither its old nor its new version:\n{}",
        target.path,
        String::from_utf8_lossy(&on_disk)
    );
    let head = repo.head();
    let landed = head != old_head;
    if landed {
        assert_eq!(
            repo.git(&["rev-parse", "HEAD^"]),
            old_head,
            "one commit at most"
        );
        assert_eq!(
            repo.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]),
            target.path,
            "the commit holds the one file"
        );
        let committed = git_bytes(repo, &format!("HEAD:{}", target.path)).unwrap();
        assert!(
            (target.is_new)(old, &committed),
            "the commit holds a partial file:\n{}",
            String::from_utf8_lossy(&committed)
        );
    }
    assert_eq!(
        repo.git(&["ls-files", "-s", "notes.txt"]),
        staged,
        "the user's staged file is as it was"
    );
    assert!(
        repo.git(&["ls-tree", "-r", "--name-only", "HEAD"])
            .lines()
            .all(|p| !p.contains(".handoff-tmp-")),
        "a temporary file was committed"
    );
    landed
}

/// What handoff left in its scratch directory under `.git`.
fn scratch_files(repo: &TestRepo) -> Vec<String> {
    match std::fs::read_dir(repo.abs(".git/handoff/tmp")) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// After a kill, the next run (never killed) must succeed with nothing done by hand: no lock
/// to remove, no file to put back. It finishes or undoes what the killed one left, so git's
/// index holds nothing of handoff's that HEAD does not.
fn next_run_succeeds(repo: &TestRepo, target: &Target, staged: &str) {
    let out = handoff_as(repo.path(), target.person)
        .args(&target.args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the run after a kill failed: {}",
        stderr(&out)
    );
    let cached = repo.git(&["diff", "--cached", "--name-only"]);
    assert_eq!(
        cached, "notes.txt",
        "only the user's own staged work is staged"
    );
    assert_eq!(repo.git(&["ls-files", "-s", "notes.txt"]), staged);
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(
        status, "A  notes.txt",
        "the work tree is clean but for the user's file"
    );
    assert_eq!(
        scratch_files(repo),
        Vec::<String>::new(),
        "scratch files left"
    );
    for lock in [".git/index.lock", ".git/refs/heads/main.lock"] {
        assert!(!repo.abs(lock).exists(), "{lock} left behind");
    }
}

fn kill_loop(name: &str, make_target: impl Fn(usize) -> Target) {
    let repo = handoff_repo();
    repo.write("notes.txt", "the user's work, staged\n");
    repo.git(&["add", "notes.txt"]);
    let staged = repo.git(&["ls-files", "-s", "notes.txt"]);
    let seed = std::env::var("HANDOFF_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("{name}: HANDOFF_KILL_SEED={seed}");
    let mut random = Random(seed);

    // How long one run takes here, to spread the kills over it.
    let probe = make_target(0);
    let started = Instant::now();
    let out = handoff_as(repo.path(), probe.person)
        .args(&probe.args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let typical = started.elapsed();
    let window = (typical.as_micros() as u64 * 13 / 10).max(1_000);

    let (mut landed, mut recovered, mut locks) = (0, 0, 0);
    let rounds = iterations();
    for round in 1..=rounds {
        let target = make_target(round);
        let old_head = repo.head();
        let old = std::fs::read(repo.abs(target.path)).unwrap_or_default();
        let mut child = spawn(&repo, &target);
        std::thread::sleep(Duration::from_micros(random.below(window)));
        let _ = child.kill();
        child.wait().unwrap();
        if !scratch_files(&repo).is_empty() {
            recovered += 1;
        }
        locks += [".git/index.lock", ".git/refs/heads/main.lock"]
            .iter()
            .filter(|l| repo.abs(l).exists())
            .count();
        if check_after_kill(&repo, &target, &old_head, &old, &staged) {
            landed += 1;
        }
        assert_eq!(
            temporaries(repo.path()),
            Vec::<String>::new(),
            "a temporary file in the work tree, where `git add -A` would take it"
        );
        next_run_succeeds(&repo, &make_target(round + rounds), &staged);
    }
    eprintln!(
        "{name}: {rounds} kills over a {typical:?} run: {landed} commits landed, {recovered} left something the next run finished or undid ({locks} git locks among them)"
    );
    // A run that is not killed cleans up after the killed ones and succeeds.
    let target = make_target(rounds + 1);
    let out = handoff_as(repo.path(), target.person)
        .args(&target.args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(temporaries(repo.path()), Vec::<String>::new());
    assert_eq!(repo.git(&["ls-files", "-s", "notes.txt"]), staged);
}

#[test]
fn sign_killed_at_random_moments_leaves_old_or_new_never_half() {
    kill_loop("sign", |_| sign_target());
}

#[test]
fn set_killed_at_random_moments_leaves_old_or_new_never_half() {
    kill_loop("set", |round| set_target(&format!("PRD, revision {round}")));
}

const FOUR: &str = "\
version: 1
roles:
  pm: { people: [dana@acme.example] }
artifacts:
  - { id: a1, path: docs/a1.md, owner: pm }
  - { id: a2, path: docs/a2.md, owner: pm }
  - { id: a3, path: docs/a3.md, owner: pm }
  - { id: a4, path: docs/a4.md, owner: pm }
";

#[test]
fn signers_of_different_artifacts_at_once_all_land() {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", FOUR);
    for i in 1..=4 {
        repo.write(&format!("docs/a{i}.md"), &format!("# A{i}\n"));
    }
    repo.commit("Start");
    let start = repo.head();
    // Meanwhile another process keeps committing other files.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let committer = {
        let stop = stop.clone();
        let dir = repo.path().to_path_buf();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                std::fs::write(dir.join("other.txt"), format!("{n}\n")).unwrap();
                let _ = Command::new("git")
                    .args(["-c", "user.name=Other", "-c", "user.email=o@x.example"])
                    .args([
                        "commit",
                        "-q",
                        "--no-verify",
                        "-m",
                        "Other work",
                        "--",
                        "other.txt",
                    ])
                    .current_dir(&dir)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                if n == 1 {
                    let _ = Command::new("git")
                        .args(["add", "other.txt"])
                        .current_dir(&dir)
                        .status();
                }
                std::thread::sleep(Duration::from_millis(30));
            }
        })
    };
    let rounds = 5;
    for round in 0..rounds {
        let action = if round == 0 { "accept" } else { "revoke" };
        let action = if round % 2 == 0 { "accept" } else { action };
        let children: Vec<_> = (1..=4)
            .map(|i| {
                handoff_as(repo.path(), "dana@acme.example")
                    .args(["sign", &format!("a{i}"), "--action", action, "--role", "pm"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    committer.join().unwrap();
    let subjects = repo.git(&["log", "--format=%s", &format!("{start}..HEAD")]);
    let signed = subjects
        .lines()
        .filter(|s| s.starts_with("handoff: "))
        .count();
    assert_eq!(signed, 4 * rounds, "{subjects}");
    for i in 1..=4 {
        let ledger = std::fs::read(repo.abs(&format!(".handoff/signoffs/a{i}.yaml"))).unwrap();
        let (records, problems) = load_ledger_file("a", "x", &ledger);
        assert!(problems.is_empty());
        assert_eq!(records.len(), rounds, "a{i}");
    }
    let (ok, out) = git_ok_output(repo.path(), &["fsck", "--no-progress"]);
    assert!(ok, "{out}");
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(status.lines().all(|l| l.ends_with("other.txt")), "{status}");
}

fn crash(point: &str) {
    let (_tmp, dir) = {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        handoff::repo::sample::build(&dir, NOW.parse().unwrap()).unwrap();
        (tmp, dir)
    };
    let reports = tempfile::tempdir().unwrap();
    let tmpdir = reports.path().display().to_string();
    let mut s = pty::Session::start(
        &dir,
        &[],
        &[
            ("HANDOFF_DEBUG_PANIC", point),
            ("TMPDIR", &tmpdir),
            ("RUST_BACKTRACE", "0"),
        ],
        120,
        40,
    );
    let code = s.wait_exit();
    assert_eq!(
        code,
        101,
        "a panic ends the process; screen:\n{}",
        s.contents()
    );
    let screen = s.screen.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "the alternate screen is left"
    );
    assert!(!screen.screen().hide_cursor(), "the cursor is shown");
    drop(screen);
    assert!(
        s.cooked(),
        "raw mode is off: canonical input and echo are back"
    );
    let raw = String::from_utf8_lossy(&s.raw_bytes()).into_owned();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(raw.contains("\x1b[?1000l"), "mouse capture is turned off");
    let report = std::fs::read_dir(reports.path())
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("handoff-crash-")
        })
        .expect("a crash report")
        .path();
    let text = std::fs::read_to_string(&report).unwrap();
    let expected_file = match point {
        "draw" => "src/tui/terminal.rs:",
        _ => "src/engine/worker.rs:",
    };
    let location = text
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap_or_else(|| panic!("no location in:\n{text}"));
    assert!(location.starts_with(expected_file), "{location}");
    assert!(
        location[expected_file.len()..]
            .split(':')
            .all(|n| n.parse::<u32>().is_ok()),
        "file:line:col, got {location}"
    );
    assert!(
        raw.contains(&format!(
            "handoff crashed at {location}; a report is in {}",
            report.display()
        )),
        "{raw}"
    );
}

#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs `cargo test --features fault-injection`"
)]
fn a_panic_while_drawing_gives_the_terminal_back_and_leaves_a_report() {
    crash("draw");
}

#[test]
#[cfg_attr(
    not(feature = "fault-injection"),
    ignore = "needs `cargo test --features fault-injection`"
)]
fn a_panic_in_the_facts_worker_gives_the_terminal_back_and_leaves_a_report() {
    crash("worker");
}
