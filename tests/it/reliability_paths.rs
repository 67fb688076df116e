//! handoff reads and writes only inside the repository's work tree (and `.git/handoff/`).
//! Every reader — the index, the ledger directory and its files, artifacts, a directory's
//! README, a glob's matches, the context command — and every writer — sign, set, init — is
//! tried against symbolic links leading out of the repository (and into `.git`). Each link
//! points at a file whose content would show in the output had it been read: a valid index
//! named OUTSIDE, an approval that would clear `unsigned`, documents with every required
//! section.
//!
//! Paths written in the index (`..`, absolute, into `.git`, colliding by case) are load errors
//! at their location: see `tests/fixtures/invalid/artifact-path-*` and `-case-collision`.

#![cfg(unix)]

use crate::support::reliability as support;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::common::TestRepo;
use support::*;
use tempfile::TempDir;

const OUTSIDE_INDEX: &str = "\
version: 1
name: OUTSIDE
roles:
  pm: { people: [dana@acme.example] }
artifacts:
  - id: prd
    path: docs/prd.md
    owner: pm
";

const SECTIONS_INDEX: &str = "\
version: 1
name: Fenced
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ops: { title: Operations, people: [rosa@acme.example] }
kinds:
  prd:
    required_sections: [Goals]
artifacts:
  - id: prd
    kind: prd
    path: docs/prd.md
    owner: pm
    reviewers: [ops]
  - id: spec
    kind: prd
    path: spec
    owner: pm
  - id: notes
    kind: prd
    path: \"notes/*.md\"
    owner: pm
";

/// A directory outside every repository, with files worth stealing.
struct Outside {
    dir: TempDir,
}

impl Outside {
    fn new(ledger: &str) -> Outside {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.yaml"), OUTSIDE_INDEX).unwrap();
        std::fs::write(dir.path().join("prd.md"), "# OUTSIDE\n\n## Goals\n").unwrap();
        std::fs::create_dir_all(dir.path().join("signoffs")).unwrap();
        std::fs::write(dir.path().join("signoffs/prd.yaml"), ledger).unwrap();
        std::fs::write(dir.path().join("prd.yaml"), ledger).unwrap();
        Outside { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every file in it, with content: to show nothing was written there.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        out.sort();
        out
    }
}

fn fenced_repo() -> (TestRepo, Outside) {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", SECTIONS_INDEX);
    repo.write("docs/prd.md", "# PRD\n\n## Goals\n");
    repo.write("spec/README.md", "# Spec\n\n## Goals\n");
    repo.write("notes/a.md", "# A\n\n## Goals\n");
    repo.commit("Start");
    let fingerprint = repo.head_object("docs/prd.md").unwrap();
    let approval = record(
        "approve",
        "rosa@acme.example",
        "ops",
        "2026-10-01T10:00:00Z",
        &fingerprint,
    );
    (repo, Outside::new(&approval))
}

fn replace_with_link(repo: &TestRepo, relative: &str, target: &Path) {
    let path = repo.abs(relative);
    if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(&path).unwrap();
    } else {
        let _ = std::fs::remove_file(&path);
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    symlink(target, &path).unwrap();
}

fn message(json: &serde_json::Value, artifact: &str, code: &str) -> Option<String> {
    findings_of(json, artifact)
        .into_iter()
        .find(|(c, _)| c == code)
        .map(|(_, m)| m)
}

#[test]
fn the_index_is_not_read_through_a_link_out_of_the_repository_or_into_git() {
    let (repo, outside) = fenced_repo();
    replace_with_link(&repo, "handoff.yaml", &outside.path("index.yaml"));
    let out = run_as(repo.path(), "dana@acme.example", &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it leads outside the repository through a symbolic link; handoff does not follow it\n"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("OUTSIDE"));

    replace_with_link(&repo, "handoff.yaml", Path::new(".git/config"));
    assert_eq!(
        refused_as(repo.path(), "dana@acme.example", &["check"]),
        "handoff.yaml:1:1: error: cannot read handoff.yaml: it leads into `.git` through a symbolic link; handoff does not follow it\n"
    );

    // A link that stays inside the work tree is followed.
    repo.write("config/handoff.yaml", SECTIONS_INDEX);
    replace_with_link(&repo, "handoff.yaml", Path::new("config/handoff.yaml"));
    let (code, _) = check_json(repo.path());
    assert_ne!(code, 2);
}

#[test]
fn the_ledger_is_not_read_through_a_link_out_of_the_repository() {
    for link in [
        ".handoff/signoffs/prd.yaml",
        ".handoff/signoffs",
        ".handoff",
    ] {
        let (repo, outside) = fenced_repo();
        let target = match link {
            ".handoff/signoffs/prd.yaml" => outside.path("prd.yaml"),
            ".handoff/signoffs" => outside.path("signoffs"),
            _ => outside.dir.path().to_path_buf(),
        };
        replace_with_link(&repo, link, &target);
        let (_, json) = check_json(repo.path());
        let invalid =
            message(&json, "prd", "invalid-signoff").unwrap_or_else(|| panic!("{link}: {json:#}"));
        assert!(
            invalid.contains("leads outside the repository through a symbolic link"),
            "{link}: {invalid}"
        );
        assert!(
            message(&json, "prd", "unsigned").is_some(),
            "{link}: the approval out there was read"
        );
        if link != ".handoff/signoffs/prd.yaml" {
            // The whole directory is out: every artifact says so.
            assert!(
                message(&json, "spec", "invalid-signoff").is_some(),
                "{link}"
            );
        }
    }
}

#[test]
fn artifacts_readmes_and_glob_matches_are_not_read_through_links_out() {
    let (repo, outside) = fenced_repo();
    replace_with_link(&repo, "docs/prd.md", &outside.path("prd.md"));
    replace_with_link(&repo, "spec/README.md", &outside.path("prd.md"));
    replace_with_link(&repo, "notes/a.md", &outside.path("prd.md"));
    let (_, json) = check_json(repo.path());
    assert_eq!(
        message(&json, "prd", "unreadable").as_deref(),
        Some(
            "`docs/prd.md` cannot be read: docs/prd.md is a symbolic link leading outside the repository; not read"
        )
    );
    assert_eq!(
        message(&json, "spec", "unreadable").as_deref(),
        Some(
            "`spec` cannot be read: spec/README.md is a symbolic link leading outside the repository; not read"
        )
    );
    assert!(
        message(&json, "notes", "unreadable").is_some_and(
            |m| m.contains("notes/a.md is a symbolic link leading outside the repository")
        ),
        "{json:#}"
    );
    // The context command quotes documents: nothing from outside.
    let out = handoff_as(repo.path(), "dana@acme.example")
        .args(["context", "spec"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("OUTSIDE"));

    // A directory of the path leading out.
    std::fs::remove_file(repo.abs("docs/prd.md")).unwrap();
    replace_with_link(&repo, "docs", outside.dir.path());
    let (_, json) = check_json(repo.path());
    assert_eq!(
        message(&json, "prd", "unreadable").as_deref(),
        Some(
            "`docs/prd.md` cannot be read: docs/prd.md leads outside the repository through a symbolic link; not read"
        )
    );
}

#[test]
fn nothing_is_written_through_a_link_out_of_the_repository() {
    let (repo, outside) = fenced_repo();
    let before = outside.snapshot();
    replace_with_link(&repo, ".handoff", outside.dir.path());
    let err = refused_as(
        repo.path(),
        "rosa@acme.example",
        &["sign", "prd", "--action", "approve", "--role", "ops"],
    );
    assert_eq!(
        err,
        "error: handoff does not write .handoff/signoffs/prd.yaml: it leads outside the repository through a symbolic link; handoff does not follow it\n"
    );
    assert_eq!(outside.snapshot(), before);

    // The ledger file itself a link (even one inside): the rename would replace the link.
    std::fs::remove_file(repo.abs(".handoff")).unwrap();
    repo.write(".handoff/elsewhere.yaml", "");
    replace_with_link(
        &repo,
        ".handoff/signoffs/prd.yaml",
        Path::new("../elsewhere.yaml"),
    );
    let out = handoff_as(repo.path(), "rosa@acme.example")
        .args(["sign", "prd", "--action", "approve", "--role", "ops"])
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "error: handoff does not write .handoff/signoffs/prd.yaml: it is a symbolic link; handoff writes only regular files\n"
    );

    // The index a link: `set` refuses; the file it points to is untouched.
    repo.write("config/handoff.yaml", SECTIONS_INDEX);
    replace_with_link(&repo, "handoff.yaml", Path::new("config/handoff.yaml"));
    let err = refused_as(
        repo.path(),
        "dana@acme.example",
        &["set", "prd", "owner", "ops"],
    );
    assert_eq!(
        err,
        "error: handoff does not write handoff.yaml: it is a symbolic link; handoff writes only regular files\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.abs("config/handoff.yaml")).unwrap(),
        SECTIONS_INDEX
    );

    // An artifact id never names a file outside: unknown ids are refused before any read.
    let err = refused_as(
        repo.path(),
        "rosa@acme.example",
        &[
            "sign",
            "../../../../etc/passwd",
            "--action",
            "approve",
            "--role",
            "ops",
        ],
    );
    assert!(
        err.starts_with("error: no artifact `../../../../etc/passwd`"),
        "{}",
        err
    );
}

#[test]
fn init_writes_no_document_through_a_link_out() {
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    symlink(outside.path(), repo.abs("docs")).unwrap();
    let err = refused_as(repo.path(), "dana@acme.example", &["init", "--with-docs"]);
    assert!(
        err.starts_with("error: docs/framing.md would be written outside "),
        "{}",
        err
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert!(!repo.abs("handoff.yaml").exists(), "nothing was written");
}
