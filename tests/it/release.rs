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

/// The files `cargo package` would put in the `.crate`, one per line.
fn package_list() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(MANIFEST_DIR)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo package --list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every file under `dir` (relative to the manifest directory, with `/`).
fn files_under(dir: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = Path::new(MANIFEST_DIR);
    let mut out = Vec::new();
    walk(root, &root.join(dir), &mut out);
    out
}

#[test]
fn the_package_holds_what_a_build_needs_and_leaves_out_fuzz_benches_and_tests() {
    let listed = package_list();
    let left_out = [
        "fuzz/",
        "benches/",
        "tests/",
        "examples/",
        ".ci/",
        ".github/",
        "docs/",
    ];
    let stray: Vec<&String> = listed
        .iter()
        .filter(|file| left_out.iter().any(|dir| file.starts_with(dir)))
        .collect();
    assert!(stray.is_empty(), "in the package but not needed: {stray:?}");

    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(listed.iter().any(|f| f == needed), "{needed} missing");
    }
    // The binary embeds the assets and the demo's repository (include_str!, include_dir!):
    // every one of their files must be there, or the package does not build or the demo
    // lacks a file.
    for dir in ["src", "assets", "sample-repo"] {
        for file in files_under(dir) {
            assert!(listed.contains(&file), "{file} missing from the package");
        }
    }
    assert!(
        listed.len() < 400,
        "{} files: the package should stay small",
        listed.len()
    );
}

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
