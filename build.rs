//! Names the commit a build was made from, for `handoff --version`: `HANDOFF_VERSION` is
//! "0.1.0 (0f066f5)" in a git checkout of handoff, and the crate's version alone in a build
//! from the package (`cargo install handoff`), which has no `.git`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = commit_of(&manifest_dir);
    println!(
        "cargo:rustc-env=HANDOFF_VERSION={}",
        version_line(&version, commit.as_deref())
    );
    println!("cargo:rerun-if-changed=build.rs");
    // A new commit or a checkout moves HEAD or the branch it names; watch only files that
    // exist, since cargo reruns the script on every build for a missing one.
    for path in head_files(&manifest_dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// "0.1.0 (0f066f5)", or "0.1.0" when the commit is unknown.
pub fn version_line(version: &str, commit: Option<&str>) -> String {
    match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    }
}

/// The short id of HEAD when `dir` is the top of a git checkout; `None` in an unpacked
/// package, even one that lies inside some other repository (cargo's registry cache in a
/// home directory kept in git), and when git is missing or fails.
pub fn commit_of(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !same_dir(Path::new(&top), dir) {
        return None;
    }
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// `HEAD`, the branch's ref file and `packed-refs` of the checkout at `dir`, those that exist.
fn head_files(dir: &Path) -> Vec<PathBuf> {
    if commit_of(dir).is_none() {
        return Vec::new();
    }
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["rev-parse", "--symbolic-full-name", "HEAD"])
        && branch.starts_with("refs/")
    {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| {
            git(
                dir,
                &["rev-parse", "--path-format=absolute", "--git-path", name],
            )
        })
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        .collect()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Git's trimmed standard output, or `None` when it cannot run or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}
