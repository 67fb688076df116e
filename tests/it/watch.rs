//! The watcher on real files in temporary repositories: an editor's rename-save is seen, an
//! external commit is a git change, and ignored files, handoff's own writes and mere reads
//! produce nothing.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::common::TestRepo;
use handoff::core::model::Action;
use handoff::core::signoff::SignRequest;
use handoff::repo::watch::{WatchEvent, WatchOptions, Watcher, watch_channel};
use handoff::repo::write::atomic::write_atomic_marked;
use handoff::repo::write::own_writes::OwnWrites;
use handoff::repo::write::{BaseHead, CommitOptions, sign, write_atomic};

const INDEX: &str = "\
version: 1
roles:
  ops: { people: [test@example.com] }
artifacts:
  - id: prd
    path: docs/prd.md
    owner: ops
    reviewers: [ops]
";

/// How long to wait for an event that must come (generous: the machine may be busy).
const PATIENCE: Duration = Duration::from_secs(10);
/// How long to listen for events that must not come.
const QUIET: Duration = Duration::from_millis(700);

struct Watched {
    repo: TestRepo,
    /// What the watcher ignores: the writes marked in it.
    own_writes: OwnWrites,
    _watcher: Watcher,
    events: Receiver<WatchEvent>,
}

fn watched() -> Watched {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write("docs/prd.md", "# PRD\n");
    repo.write(".gitignore", "*.log\nbuild/\n");
    repo.write("build/out.o", "binary\n");
    repo.commit("Start");
    repo.git(&["config", "user.name", "Test User"]);
    repo.git(&["config", "user.email", "test@example.com"]);
    let ws = handoff::engine::locate(Some(repo.path())).unwrap();
    let own_writes = OwnWrites::default();
    let (watcher, events) =
        watch_channel(&ws, WatchOptions::default(), own_writes.clone()).unwrap();
    Watched {
        repo,
        own_writes,
        _watcher: watcher,
        events,
    }
}

impl Watched {
    /// Events until `wanted` has been seen (and the batch it came in has settled).
    fn until(&self, wanted: impl Fn(&WatchEvent) -> bool) -> Vec<WatchEvent> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    let done = wanted(&event);
                    seen.push(event);
                    if done {
                        seen.extend(self.quiet());
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("the expected event did not come; saw {seen:?}");
    }

    /// Whatever arrives within [`QUIET`].
    fn quiet(&self) -> Vec<WatchEvent> {
        let mut seen = Vec::new();
        while let Ok(event) = self.events.recv_timeout(QUIET) {
            seen.push(event);
        }
        seen
    }
}

fn changed(event: &WatchEvent, path: &str) -> bool {
    matches!(event, WatchEvent::WorkTreeChanged(paths) if paths.contains(&PathBuf::from(path)))
}

#[test]
fn an_editor_style_save_is_seen() {
    let w = watched();
    // Write a temporary file beside the original, then rename it over the original.
    w.repo.write("docs/.prd.md.swp", "# PRD, edited\n");
    std::fs::rename(w.repo.abs("docs/.prd.md.swp"), w.repo.abs("docs/prd.md")).unwrap();
    let events = w.until(|e| changed(e, "docs/prd.md"));
    assert!(!events.contains(&WatchEvent::GitChanged), "{events:?}");

    w.repo
        .write(".handoff.yaml.tmp", &format!("{INDEX}# edited\n"));
    std::fs::rename(w.repo.abs(".handoff.yaml.tmp"), w.repo.abs("handoff.yaml")).unwrap();
    w.until(|e| *e == WatchEvent::IndexFileChanged);
}

#[test]
fn an_external_commit_is_a_git_change() {
    let w = watched();
    w.repo.write("docs/prd.md", "# PRD v2\n");
    w.until(|e| changed(e, "docs/prd.md"));
    w.repo.commit("Revise the PRD elsewhere");
    let events = w.until(|e| *e == WatchEvent::GitChanged);
    assert!(
        events.iter().all(|e| *e == WatchEvent::GitChanged),
        "a commit changes nothing in the work tree: {events:?}"
    );
    w.repo.checkout("HEAD~1");
    w.until(|e| matches!(e, WatchEvent::GitChanged));
}

#[test]
fn ignored_files_produce_nothing() {
    let w = watched();
    w.repo.write("debug.log", "noise\n");
    w.repo.write("build/out.o", "more binary\n");
    w.repo
        .write("build/deeper/x.o", "new directory inside an ignored one\n");
    w.repo.write("docs/trace.log", "noise\n");
    assert_eq!(w.quiet(), vec![]);
    // The cache of answers is forgotten when the rules change.
    w.repo.write(".gitignore", "build/\n");
    w.until(|e| changed(e, ".gitignore"));
    w.repo.write("debug.log", "now it counts\n");
    w.until(|e| changed(e, "debug.log"));
}

#[test]
fn handoffs_own_writes_produce_nothing() {
    let w = watched();
    let marked = Some(&w.own_writes);
    write_atomic_marked(&w.repo.abs("docs/prd.md"), b"# PRD, handoff's\n", marked).unwrap();
    assert_eq!(w.quiet(), vec![]);
    // A write marked in another handle is someone else's.
    write_atomic(&w.repo.abs("docs/prd.md"), b"# PRD, someone else's\n").unwrap();
    w.until(|e| changed(e, "docs/prd.md"));
    write_atomic_marked(
        &w.repo.abs("docs/prd.md"),
        b"# PRD, written by handoff\n",
        marked,
    )
    .unwrap();
    assert_eq!(w.quiet(), vec![]);

    // A whole sign-off: a new ledger directory and file, objects, the branch ref, the index.
    let ws = handoff::engine::locate(Some(w.repo.path())).unwrap();
    let request = SignRequest {
        artifact: "prd".into(),
        action: Action::Approve,
        role: "ops".into(),
        note: None,
    };
    let options = CommitOptions {
        base: BaseHead::Current,
        run_hooks: false,
        own_writes: Some(w.own_writes.clone()),
    };
    w.repo.git(&["add", "docs/prd.md"]);
    w.repo.commit("handoff's write, committed");
    w.until(|e| *e == WatchEvent::GitChanged);
    sign(
        &ws,
        &request,
        "2026-11-22T12:00:00Z".parse().unwrap(),
        &options,
    )
    .unwrap();
    assert_eq!(w.quiet(), vec![]);

    // The directory handoff created is watched: someone else's write to it is seen.
    let ledger = w.repo.abs(".handoff/signoffs/prd.yaml");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, format!("{text}# a hand edit\n")).unwrap();
    w.until(|e| *e == WatchEvent::LedgerChanged(vec!["prd".into()]));
}

#[test]
fn reading_produces_nothing() {
    let w = watched();
    for path in ["docs/prd.md", "handoff.yaml", ".gitignore"] {
        std::fs::read(w.repo.abs(path)).unwrap();
    }
    let ws = handoff::engine::locate(Some(w.repo.path())).unwrap();
    handoff::engine::snapshot(&ws, "2026-11-22T12:00:00Z".parse().unwrap()).unwrap();
    assert_eq!(w.quiet(), vec![]);
}

#[test]
fn new_directories_are_watched_with_what_is_already_in_them() {
    let w = watched();
    w.repo.write("evals/cases/one.yaml", "case: 1\n");
    let events = w.until(|e| changed(e, "evals/cases/one.yaml"));
    assert!(
        !events.iter().any(|e| matches!(e, WatchEvent::Error(_))),
        "{events:?}"
    );
    w.repo.write("evals/cases/two.yaml", "case: 2\n");
    w.until(|e| changed(e, "evals/cases/two.yaml"));
}

/// Latency from an editor-style save to its event, at the default debounce: the watcher's
/// part of the save-to-repaint figure. Run with `cargo test --release --test watch -- --ignored
/// --nocapture`.
#[test]
#[ignore]
fn save_to_event_latency() {
    let w = watched();
    let mut samples = Vec::new();
    for n in 0..60 {
        w.repo.write("docs/.prd.md.tmp", &format!("# PRD {n}\n"));
        let saved = Instant::now();
        std::fs::rename(w.repo.abs("docs/.prd.md.tmp"), w.repo.abs("docs/prd.md")).unwrap();
        loop {
            let event = w.events.recv_timeout(PATIENCE).expect("an event");
            if changed(&event, "docs/prd.md") {
                samples.push(saved.elapsed());
                break;
            }
        }
        while w.events.recv_timeout(Duration::from_millis(100)).is_ok() {}
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "save to event, debounce {:?}: p50 {:?}, p90 {:?}, max {:?}",
        WatchOptions::default().debounce,
        at(0.5),
        at(0.9),
        samples[samples.len() - 1]
    );
}
