//! The crate as it is released: what `cargo package` puts in (what a build needs, nothing of
//! the fuzz corpus, the benchmark suite or the tests) and `handoff --version` naming the
//! commit it was built from, or the version alone where there is no checkout.

use std::path::Path;
use std::process::Command;

use crate::common::{self, TestRepo};

// The build script, included as a module so its fallback can be tried on directories that
// are not handoff's checkout (`main` and the rerun lines are for cargo only).
#[allow(dead_code)]
#[path = "../../build.rs"]
mod build_script;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn version_names_the_commit_it_was_built_from() {
    let head = common::git(Path::new(MANIFEST_DIR), &["rev-parse", "--short", "HEAD"]);
    assert!(!head.is_empty(), "the tests run in a git checkout");
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        format!("handoff {} ({head})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn version_is_the_version_alone_outside_handoffs_checkout() {
    assert_eq!(build_script::version_line("0.1.0", None), "0.1.0");
    assert_eq!(
        build_script::version_line("0.1.0", Some("0f066f5")),
        "0.1.0 (0f066f5)"
    );

    // An unpacked package: no git at all.
    let plain = tempfile::tempdir().unwrap();
    assert_eq!(build_script::commit_of(plain.path()), None);

    // An unpacked package inside some other repository (a home directory kept in git):
    // that repository's commit is not handoff's.
    let repo = TestRepo::new();
    repo.write("README.md", "home\n");
    let head = repo.commit("Home");
    repo.write("registry/handoff-0.1.0/Cargo.toml", "[package]\n");
    assert_eq!(
        build_script::commit_of(&repo.abs("registry/handoff-0.1.0")),
        None
    );

    // The top of a checkout: its HEAD, shortened.
    let short = build_script::commit_of(repo.path()).expect("a checkout's commit");
    assert!(head.starts_with(&short), "{short} is not {head} shortened");
}
