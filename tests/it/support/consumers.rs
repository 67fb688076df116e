//! The real consumers of what handoff writes (PyYAML, junitparser, jsonschema, the official MCP
//! SDK, the SARIF Multitool), installed by `.ci/run` beside the build. Where one is missing, a
//! test fails under CI (`CI` set) and is skipped, saying so, on a developer's machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The virtual environment `.ci/run` creates, relative to the crate.
pub const VENV: &str = "target/consumers-venv";

/// A Python interpreter that can `import yaml` (PyYAML).
pub fn python_with_pyyaml() -> Option<PathBuf> {
    python_with(&[("yaml", "pyyaml")])
}

/// A Python interpreter that can import each module of `packages` ((module, pip package)):
/// `HANDOFF_TEST_PYTHON`, else the interpreter of [`VENV`]. `None` (after a printed notice)
/// when neither can, outside CI.
pub fn python_with(packages: &[(&str, &str)]) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(VENV)
        .join("bin/python");
    let candidates = std::env::var_os("HANDOFF_TEST_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv]);
    let modules: Vec<&str> = packages.iter().map(|(m, _)| *m).collect();
    let import = format!("import {}", modules.join(", "));
    for python in candidates {
        let imports = Command::new(&python)
            .args(["-c", &import])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if imports.is_ok_and(|s| s.success()) {
            return Some(python);
        }
    }
    let pip: Vec<&str> = packages.iter().map(|(_, p)| *p).collect();
    let pip = pip.join(" ");
    missing(&format!(
        "no Python with {pip}: set HANDOFF_TEST_PYTHON to one, or run \
         `python3 -m venv {VENV} && {VENV}/bin/pip install {pip}` (as .ci/run does)"
    ))
}

/// Fails under CI, where `.ci/run` installs every consumer; elsewhere prints why the test
/// is skipped.
pub fn missing<T>(why: &str) -> Option<T> {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}

/// Runs `python` on `script` with `args`; its standard output, failing the test with its
/// standard error when it fails.
pub fn run_python(python: &Path, script: &str, args: &[&Path]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python prints UTF-8")
}

/// Where `.ci/run` installs npm packages (`npm install --prefix`), relative to the crate.
pub const NODE_PREFIX: &str = "target/consumers-node";

/// Microsoft's SARIF Multitool (npm `@microsoft/sarif-multitool`, a self-contained binary per
/// platform): `HANDOFF_TEST_SARIF_MULTITOOL`, else the binary under [`NODE_PREFIX`]. The npm
/// wrapper runs it through a shell, which would split the `;`-separated option values, so the
/// platform binary is run directly.
pub fn sarif_multitool() -> Option<PathBuf> {
    let platform = if cfg!(target_os = "macos") {
        "darwin"
    } else {
        "linux"
    };
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(NODE_PREFIX)
        .join(format!(
            "node_modules/@microsoft/sarif-multitool-{platform}/Sarif.Multitool"
        ));
    let candidates = std::env::var_os("HANDOFF_TEST_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .into_iter()
        .chain([installed]);
    for tool in candidates {
        let runs = Command::new(&tool)
            .arg("--version")
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if runs.is_ok_and(|s| s.success()) {
            return Some(tool);
        }
    }
    missing(&format!(
        "no SARIF Multitool: set HANDOFF_TEST_SARIF_MULTITOOL to one, or run \
         `npm install --prefix {NODE_PREFIX} @microsoft/sarif-multitool` (as .ci/run does)"
    ))
}

/// The npm prefix holding `@actions/core` (what GitHub's own actions write workflow commands
/// with), and `node` able to import it from there: `HANDOFF_TEST_NODE_PREFIX`, else
/// [`NODE_PREFIX`].
pub fn actions_core_prefix() -> Option<PathBuf> {
    let prefix = std::env::var_os("HANDOFF_TEST_NODE_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(NODE_PREFIX));
    let imports = Command::new("node")
        .args(["--input-type=module", "-e", "import '@actions/core'"])
        .current_dir(&prefix)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if imports.is_ok_and(|s| s.success()) {
        return Some(prefix);
    }
    missing(&format!(
        "no node with @actions/core: run `npm install --prefix {NODE_PREFIX} @actions/core` \
         (as .ci/run does), or set HANDOFF_TEST_NODE_PREFIX to a prefix that has it"
    ))
}
