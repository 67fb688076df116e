//! The repository's `pre-commit` and `commit-msg` hooks, run the way `git commit -- <paths>`
//! runs them: libgit2 runs no hooks, and a team that checks its YAML or its commit messages in
//! hooks expects handoff's commits to pass the same checks.
//!
//! As git does for a commit of selected paths, the hooks see a temporary index holding exactly
//! the commit to be made (`GIT_INDEX_FILE`), never the user's index; what `pre-commit` stages
//! there is committed, and the message is what `commit-msg` leaves in its file. Hooks run in
//! the work tree's root with no terminal input. `prepare-commit-msg`, `post-commit` and the
//! other hooks are not run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::Repository;

use super::commit::CommitError;

/// The most output of a failing hook quoted in the error.
const MAX_QUOTED_LINES: usize = 20;

/// The hooks directory: `core.hooksPath` (relative to the work tree) or `.git/hooks`.
fn hooks_dir(repo: &Repository) -> PathBuf {
    let configured = repo
        .config()
        .ok()
        .and_then(|mut c| c.snapshot().ok())
        .and_then(|c| c.get_path("core.hooksPath").ok());
    match configured {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => repo.workdir().unwrap_or(repo.path()).join(dir),
        None => repo.commondir().join("hooks"),
    }
}

/// The hook `name`, if the repository has it and it is executable (git ignores the others).
pub(crate) fn find(repo: &Repository, name: &str) -> Option<PathBuf> {
    let path = hooks_dir(repo).join(name);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return None;
        }
    }
    Some(path)
}

/// Runs a hook and refuses the commit when it fails, quoting what it printed.
pub(crate) fn run(
    repo: &Repository,
    hook: &Path,
    name: &str,
    args: &[&Path],
    index_file: &Path,
) -> Result<(), CommitError> {
    let workdir = repo.workdir().unwrap_or(repo.path());
    let output = Command::new(hook)
        .args(args)
        .current_dir(workdir)
        .env("GIT_INDEX_FILE", index_file)
        .env("GIT_EDITOR", ":")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| CommitError::Hook {
            hook: name.to_string(),
            detail: format!("it could not be started: {e}"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = printed.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut quoted = lines
        .iter()
        .take(MAX_QUOTED_LINES)
        .map(|l| format!("  | {}", crate::core::text::sanitize(l)))
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > MAX_QUOTED_LINES {
        quoted.push_str(&format!(
            "\n  | ... {} more lines",
            lines.len() - MAX_QUOTED_LINES
        ));
    }
    let status = match output.status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".to_string(),
    };
    Err(CommitError::Hook {
        hook: name.to_string(),
        detail: if quoted.is_empty() {
            format!("it failed ({status}) without saying why")
        } else {
            format!("it failed ({status}):\n{quoted}")
        },
    })
}
