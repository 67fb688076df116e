//! The Python that runs the real consumers of what handoff writes (the official MCP SDK,
//! `jsonschema`, ...): `HANDOFF_TEST_PYTHON` when set (`.ci/run` sets it), else the virtual
//! environment `.ci/run` makes at `target/consumers-venv`.

use std::path::PathBuf;
use std::process::Command;

/// The interpreter, when it can import `module`. Missing, a test fails under CI (where `.ci/run`
/// installs it, so its absence is a broken CI) and is skipped with a notice elsewhere.
pub fn with_module(module: &str) -> Option<PathBuf> {
    let python = match std::env::var_os("HANDOFF_TEST_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/consumers-venv/bin/python"),
    };
    let imports = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if imports {
        return Some(python);
    }
    let why = format!(
        "{} cannot import `{module}`: run .ci/run (it installs the consumers into \
         target/consumers-venv) or set HANDOFF_TEST_PYTHON to a Python that has it",
        python.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}
