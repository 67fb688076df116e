//! Resource bombs are bounded: every case finishes in bounded time and memory with an error
//! (the index) or an `unreadable` / `invalid-signoff` finding (artifacts, ledger files) that
//! says which limit was passed. The limits are parameters of the facts layer, so most cases
//! run against lowered limits; one real case shows the default glob limit stops a glob that
//! matches everything in a directory of 100,001 files.
//!
//! Every process here runs under a deadline: a hang fails the test instead of stalling it.

use crate::support::reliability as support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestRepo, handoff_command};
use handoff::core::model::Target;
use handoff::repo::facts::{Limits, WorkTree, open_repo};
use handoff::repo::workspace::Workspace;
use support::*;

/// Runs a command, killing it and failing the test if it has not finished by `limit`.
fn run_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?} (a hang); stderr so far: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check_within(dir: &Path, limit: Duration) -> Output {
    let mut cmd = handoff_command(dir, NOW);
    cmd.args(["check", "--format", "json"]);
    run_within(cmd, limit)
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn finding<'j>(json: &'j serde_json::Value, artifact: &str, code: &str) -> &'j str {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["artifact"] == artifact && f["code"] == code)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} on {artifact}: {json:#}"))
}

fn mkfifo(path: &Path) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// A repository whose index lists `artifacts` (YAML list items) for role pm.
fn repo_with_artifacts(artifacts: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles:\n  pm: {{ people: [dana@acme.example] }}\n  ops: {{ people: [rosa@acme.example] }}\nartifacts:\n{artifacts}"
        ),
    );
    repo.commit("index");
    repo
}

fn sparse_file(path: &Path, len: u64) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::File::create(path)?.set_len(len)
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn a_hundred_megabyte_index_is_refused_without_being_read() {
    let repo = TestRepo::new();
    sparse_file(&repo.abs("handoff.yaml"), 100 * 1024 * 1024).unwrap();
    let started = Instant::now();
    let out = check_within(repo.path(), MINUTE);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it is 104857600 bytes; the limit is 16 MiB\n"
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // Were it read, 64 GiB would take minutes: the size is judged before a byte is read.
    if sparse_file(&repo.abs("handoff.yaml"), 64 << 30).is_ok() {
        let started = Instant::now();
        let out = check_within(repo.path(), MINUTE);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("the limit is 16 MiB"),
            "{}",
            stderr(&out)
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[test]
fn a_two_gigabyte_artifact_is_unreadable_not_hashed() {
    let repo = repo_with_artifacts(
        "  - id: model\n    path: weights/model.bin\n    owner: pm\n  - id: weights\n    path: weights\n    owner: pm\n  - id: all-bins\n    path: \"weights/*.bin\"\n    owner: pm\n",
    );
    sparse_file(&repo.abs("weights/model.bin"), 2 << 30).unwrap();
    let started = Instant::now();
    let out = check_within(repo.path(), MINUTE);
    let json = json_of(&out);
    assert_eq!(
        finding(&json, "model", "unreadable"),
        "`weights/model.bin` cannot be read: weights/model.bin is too large to fingerprint (2048 MiB; limit 64 MiB)"
    );
    assert!(finding(&json, "weights", "unreadable").contains("too large to fingerprint"));
    assert!(finding(&json, "all-bins", "unreadable").contains("too large to fingerprint"));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn fifos_are_refused_everywhere_without_blocking() {
    let repo = repo_with_artifacts(
        "  - id: pipe\n    path: docs/pipe.md\n    owner: pm\n  - id: spec\n    path: spec\n    owner: pm\n  - id: notes\n    path: \"notes/*.md\"\n    owner: pm\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n    reviewers: [ops]\n",
    );
    repo.write("docs/prd.md", "# PRD\n");
    repo.write("notes/a.md", "# A\n");
    repo.write("spec/other.md", "# Other\n");
    repo.commit("documents");
    mkfifo(&repo.abs("docs/pipe.md"));
    mkfifo(&repo.abs("spec/README.md"));
    mkfifo(&repo.abs("notes/b.md"));
    mkfifo(&repo.abs(".handoff/signoffs/prd.yaml"));
    let out = check_within(repo.path(), MINUTE);
    let json = json_of(&out);
    assert_eq!(
        finding(&json, "pipe", "unreadable"),
        "`docs/pipe.md` cannot be read: docs/pipe.md is a FIFO; not read"
    );
    // `git add` skips a FIFO: the directory and the glob are what git would record.
    assert_eq!(
        json["artifacts"][1]["fingerprint"].as_str(),
        Some(repo.head_object("spec").unwrap().as_str())
    );
    assert!(json["artifacts"][2]["fingerprint"].is_string());
    assert_eq!(
        finding(&json, "prd", "invalid-signoff"),
        "the ledger file cannot be read: it is a FIFO, not a regular file"
    );

    // The index itself.
    std::fs::remove_file(repo.abs("handoff.yaml")).unwrap();
    mkfifo(&repo.abs("handoff.yaml"));
    let out = check_within(repo.path(), MINUTE);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it is a FIFO, not a regular file\n"
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_behind_a_symbolic_link_is_never_read() {
    use std::os::unix::fs::symlink;
    let repo = repo_with_artifacts(
        "  - id: zero\n    path: docs/zero.md\n    owner: pm\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n    reviewers: [ops]\n",
    );
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("prd");
    symlink("/dev/zero", repo.abs("docs/zero.md")).unwrap();
    std::fs::create_dir_all(repo.abs(".handoff/signoffs")).unwrap();
    symlink("/dev/zero", repo.abs(".handoff/signoffs/prd.yaml")).unwrap();
    let out = check_within(repo.path(), MINUTE);
    let json = json_of(&out);
    assert_eq!(
        finding(&json, "zero", "unreadable"),
        "`docs/zero.md` cannot be read: docs/zero.md is a symbolic link leading outside the repository; not read"
    );
    assert_eq!(
        finding(&json, "prd", "invalid-signoff"),
        "the ledger file cannot be read: it leads outside the repository through a symbolic link; handoff does not follow it"
    );

    // A device node inside the work tree (root can make one) is refused as a device.
    let _ = std::fs::remove_file(repo.abs(".handoff/signoffs/prd.yaml"));
    let made = Command::new("mknod")
        .arg(repo.abs("docs/device.md"))
        .args(["c", "1", "5"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if made {
        std::fs::remove_file(repo.abs("docs/zero.md")).unwrap();
        std::fs::rename(repo.abs("docs/device.md"), repo.abs("docs/zero.md")).unwrap();
        let json = json_of(&check_within(repo.path(), MINUTE));
        assert_eq!(
            finding(&json, "zero", "unreadable"),
            "`docs/zero.md` cannot be read: docs/zero.md is a device; not read"
        );
    }

    // The index as a link to /dev/zero.
    std::fs::remove_file(repo.abs("handoff.yaml")).unwrap();
    symlink("/dev/zero", repo.abs("handoff.yaml")).unwrap();
    let out = check_within(repo.path(), MINUTE);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it leads outside the repository through a symbolic link; handoff does not follow it\n"
    );
}

/// The facts of one target under lowered limits.
fn facts_with(
    repo: &TestRepo,
    target: Target,
    limits: Limits,
) -> handoff::core::model::ArtifactFacts {
    let ws = Workspace::discover(repo.path()).unwrap();
    let git = open_repo(&ws).unwrap();
    WorkTree::new(&git, &ws).with_limits(limits).facts(&target)
}

#[test]
fn huge_directories_and_globs_that_match_everything_stop_at_their_limits() {
    let repo = TestRepo::new();
    for i in 0..60 {
        repo.write(&format!("data/sub{}/f{i}.txt", i % 3), "x");
    }
    repo.write("data/README.md", "# Data\n");
    let limits = Limits {
        max_walk_entries: 40,
        max_glob_matches: 1_000,
        ..Limits::default()
    };
    let dir = facts_with(&repo, Target::Path("data".into()), limits);
    assert_eq!(
        dir.problem.as_deref(),
        Some("data holds more than 40 files and directories; not read")
    );
    assert_eq!(dir.fingerprint, None);
    let everything = facts_with(&repo, Target::Glob("**".into()), limits);
    assert_eq!(
        everything.problem.as_deref(),
        Some(". holds more than 40 files and directories; not read")
    );

    let limits = Limits {
        max_glob_matches: 10,
        ..Limits::default()
    };
    let glob = facts_with(&repo, Target::Glob("data/*".into()), limits);
    assert_eq!(
        glob.problem.as_deref(),
        Some("the glob matches more than 10 paths; not fingerprinted")
    );
    assert!(glob.matches.is_empty() && glob.documents.is_empty());

    // Within the limits, the same directory is read in full.
    let fine = facts_with(&repo, Target::Path("data".into()), Limits::default());
    assert_eq!(fine.problem, None);
    assert!(fine.fingerprint.is_some());
}

#[test]
fn the_default_glob_limit_stops_a_glob_over_a_hundred_thousand_files() {
    let repo = repo_with_artifacts(
        "  - id: everything\n    path: \"data/*\"\n    owner: pm\n  - id: listed\n    path: \"data/*.md\"\n    owner: pm\n",
    );
    std::fs::create_dir_all(repo.abs("data")).unwrap();
    for i in 0..100_001 {
        std::fs::File::create(repo.abs(&format!("data/f{i}.txt"))).unwrap();
    }
    repo.write("data/index.md", "# Index\n");
    let started = Instant::now();
    let out = check_within(repo.path(), Duration::from_secs(240));
    let took = started.elapsed();
    let json = json_of(&out);
    assert_eq!(
        finding(&json, "everything", "unreadable"),
        "`data/*` cannot be read: the glob matches more than 100000 paths; not fingerprinted"
    );
    // A narrow glob over the same directory is read: the walk is within its limit.
    assert_eq!(json["artifacts"][1]["exists"], true, "{json:#}");
    eprintln!("100,001 files: `handoff check` took {took:?}");
}

#[test]
fn a_huge_ledger_file_is_an_invalid_signoff_not_a_load() {
    let repo = repo_with_artifacts(
        "  - id: prd\n    path: docs/prd.md\n    owner: pm\n    reviewers: [ops]\n",
    );
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("prd");
    sparse_file(&repo.abs(".handoff/signoffs/prd.yaml"), 17 << 20).unwrap();
    let started = Instant::now();
    let json = json_of(&check_within(repo.path(), MINUTE));
    assert_eq!(
        finding(&json, "prd", "invalid-signoff"),
        "the ledger file cannot be read: it is 17825792 bytes; the limit is 16 MiB"
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // A large ledger of real records (4 MiB, 20,000 records) is read, committed, in bounded
    // time.
    let fingerprint = repo.head_object("docs/prd.md").unwrap();
    let mut ledger = String::new();
    for i in 0..20_000 {
        let action = if i % 2 == 0 { "approve" } else { "revoke" };
        let at = jiff::Timestamp::from_second(1_790_000_000 + i).unwrap();
        ledger.push_str(&record(
            action,
            "rosa@acme.example",
            "ops",
            &at.to_string(),
            &fingerprint,
        ));
    }
    repo.write(".handoff/signoffs/prd.yaml", &ledger);
    // Committed after its records are dated: a record must not postdate its commit.
    repo.set_clock(crate::support::reliability::COMMITS_FROM);
    repo.commit("a long ledger");
    let started = Instant::now();
    let json = json_of(&check_within(repo.path(), Duration::from_secs(120)));
    assert!(
        !json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "invalid-signoff"),
        "{json:#}"
    );
    eprintln!(
        "20,000 records: `handoff check` took {:?}",
        started.elapsed()
    );
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_at_once() {
    let repo = TestRepo::new();
    // Ten levels of ten: 10^10 nodes if expanded.
    let mut bomb = String::from("version: 1\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
    for i in 1..10 {
        let refs = vec![format!("*x{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("x{i}: &x{i} [{refs}]\n"));
    }
    repo.write("handoff.yaml", &bomb);
    let started = Instant::now();
    let out = check_within(repo.path(), MINUTE);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expanding aliases makes this document larger than 1000000 nodes"),
        "{}",
        stderr(&out)
    );
    // A million levels of flow nesting.
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nroles: {}{}\n",
            "[".repeat(1_000_000),
            "]".repeat(1_000_000)
        ),
    );
    let out = check_within(repo.path(), MINUTE);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nests deeper than 64 levels"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}
