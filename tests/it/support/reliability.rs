//! Helpers shared by the `reliability_*` tests: a small handoff (index, documents, a person
//! per role) in a [`TestRepo`], the binary run against it, sign-off records written by hand
//! (to commit as a given person with [`TestRepo::commit_as`]).

#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub use crate::common::NOW;
use crate::common::{TestRepo, git_output, handoff_command};

/// Roles with one person each; `prd` needs an approval from `ops`.
pub const INDEX: &str = "\
version: 1
name: Reliability
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ops: { title: Operations, people: [rosa@acme.example] }
  designer: { title: Designer, people: [priya@acme.example] }
artifacts:
  - id: framing
    title: Framing
    path: docs/framing.md
    owner: pm
  - id: prd
    title: PRD
    path: docs/prd.md
    owner: pm
    reviewers: [ops]
    depends_on: [framing]
";

/// 2026-10-10T00:00:00Z: when [`handoff_repo`]'s commits start.
pub const COMMITS_FROM: i64 = 1_791_590_400;

/// A repository holding [`INDEX`] and its two documents, committed.
pub fn handoff_repo() -> TestRepo {
    let repo = TestRepo::new();
    // Commits after the records the tests write by hand (dated 2026-10-01..03) and before
    // NOW: a record must not postdate the commit that adds it.
    repo.set_clock(COMMITS_FROM);
    repo.write("handoff.yaml", INDEX);
    repo.write("docs/framing.md", "# Framing\n");
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("Start the handoff");
    repo
}

/// The handoff binary in `dir`, as a user with identity `email` would run it.
pub fn handoff_as(dir: &Path, email: &str) -> Command {
    let mut cmd = handoff_command(dir, NOW);
    // A home of the person's own, outside the repository (whose `.git` may be a file, or on a
    // full disk).
    let home = std::env::temp_dir().join("handoff-test-homes").join(email);
    std::fs::create_dir_all(&home).unwrap();
    // Tests run in parallel and share these homes: the file is replaced whole, never seen
    // half-written.
    let config = format!("[user]\n\tname = {email}\n\temail = {email}\n");
    if std::fs::read_to_string(home.join(".gitconfig"))
        .ok()
        .as_deref()
        != Some(&config)
    {
        let staged = tempfile::NamedTempFile::new_in(&home).unwrap();
        std::fs::write(staged.path(), &config).unwrap();
        staged.persist(home.join(".gitconfig")).unwrap();
    }
    cmd.env("HOME", &home)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("GIT_") && !name.starts_with("GIT_CONFIG") || name == "EMAIL" {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// `handoff check --format json` and its exit code.
pub fn check_json(dir: &Path) -> (i32, Value) {
    let out = handoff_command(dir, NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// The findings of one artifact: (code, message).
pub fn findings_of(json: &Value, artifact: &str) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["artifact"] == artifact)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The codes of one artifact's findings.
pub fn codes_of(json: &Value, artifact: &str) -> Vec<String> {
    findings_of(json, artifact)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// One sign-off record as handoff writes it.
pub fn record(action: &str, by: &str, role: &str, at: &str, fingerprint: &str) -> String {
    format!(
        "- action: {action}\n  by: {by}\n  role: {role}\n  at: {at}\n  fingerprint: {fingerprint}\n  upstream: {{}}\n"
    )
}

/// Standard error of a finished process, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs git in `dir` (no system configuration): whether it succeeded, and what it printed.
pub fn git_ok_output(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = git_output(dir, args);
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Runs the binary as `email` in `dir`.
pub fn run_as(dir: &Path, email: &str, args: &[&str]) -> Output {
    handoff_as(dir, email).args(args).output().unwrap()
}

/// Runs the binary as `email` in `dir`, expects a refusal (exit 2), and returns the message.
pub fn refused_as(dir: &Path, email: &str, args: &[&str]) -> String {
    let out = run_as(dir, email, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "handoff {args:?} was not refused: {}",
        stderr(&out)
    );
    stderr(&out)
}
