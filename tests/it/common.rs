//! Shared test helpers: real git repositories built with the `git` command line.
//!
//! [`TestRepo`] runs git with configuration isolated from the machine (`GIT_CONFIG_GLOBAL`
//! points at a file of its own, `GIT_CONFIG_NOSYSTEM=1`, no inherited `GIT_*` variables) and
//! with controlled dates: every commit gets an explicit author and committer date, by default
//! one minute after the previous one, so histories are reproducible.
//!
//! ```ignore
//! let repo = TestRepo::new();
//! repo.write("docs/prd.md", "# PRD\n");
//! repo.commit("Add the PRD");
//! repo.branch("side");
//! repo.write("docs/prd.md", "# PRD, revised\n");
//! let revision = repo.commit("Revise the PRD on a side branch");
//! repo.checkout("main");
//! repo.merge_no_ff("side", "Merge side");
//! assert_eq!(repo.last_change("docs/prd.md"), Some(revision));
//! ```

#![allow(dead_code)] // Each test binary uses a different part of the helpers.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The pinned clock of the tests, so ages in messages are stable.
pub const NOW: &str = "2026-11-22T12:00:00Z";

/// The sample handoff (the demo's `reply-assist` repository) built at [`NOW`] into a temporary
/// directory, which goes when the returned [`TempDir`] is dropped.
pub fn sample_repo() -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("reply-assist");
    handoff::repo::sample::build(&dir, NOW.parse().unwrap()).unwrap();
    (tmp, dir)
}

/// Runs git in `dir` without the system configuration (whatever it exits with).
pub fn git_output(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

/// Runs git in `dir` without the system configuration; its standard output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `git commit -qm <message> <pathspec>…` in `dir` as Lee <lee@acme.example>, as someone in
/// another terminal would commit.
pub fn commit_as_lee(dir: &Path, message: &str, pathspec: &[&str]) {
    let mut args = vec![
        "-c",
        "user.name=Lee",
        "-c",
        "user.email=lee@acme.example",
        "commit",
        "-qm",
        message,
    ];
    args.extend_from_slice(pathspec);
    git(dir, &args);
}

/// The handoff binary, run in `cwd` with the machine's configuration kept out: the clock
/// pinned to `now`, no colour, HOME and XDG_CONFIG_HOME inside `cwd` (so libgit2 reads no
/// global git configuration), no system git configuration, no inherited `GIT_DIR`.
pub fn handoff_command(cwd: &Path, now: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
    cmd.current_dir(cwd)
        .env("HANDOFF_NOW", now)
        .env("NO_COLOR", "1")
        .env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join(".no-config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// `handoff ARGS` run in `dir` at [`NOW`] (see [`handoff_command`]): its standard output
/// read as JSON, and its exit code. A command that prints no JSON fails the test with what
/// it wrote to standard error.
pub fn handoff_json(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let out = handoff_command(dir, NOW).args(args).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "handoff {}: {e}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap_or(-1))
}

/// Unix time of the first commit a [`TestRepo`] makes: 2024-01-01T00:00:00Z.
pub const EPOCH: i64 = 1_704_067_200;

/// Seconds between consecutive commits unless a date is given.
pub const TICK: i64 = 60;

/// A git repository in a temporary directory, removed when dropped.
pub struct TestRepo {
    dir: TempDir,
    /// Holds the isolated global git configuration.
    config_dir: TempDir,
    /// The date the next commit gets unless one is given.
    clock: Cell<i64>,
}

impl TestRepo {
    /// `git init` on branch `main` with user `Test User <test@example.com>`.
    pub fn new() -> TestRepo {
        let repo = TestRepo::empty();
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo
    }

    /// A directory with the isolated configuration but no repository yet (for clones).
    fn empty() -> TestRepo {
        let config_dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(
            config_dir.path().join("gitconfig"),
            "[user]\n\tname = Test User\n\temail = test@example.com\n\
             [init]\n\tdefaultBranch = main\n\
             [protocol \"file\"]\n\tallow = always\n",
        )
        .expect("write gitconfig");
        TestRepo {
            dir: tempfile::tempdir().expect("temporary directory"),
            config_dir,
            clock: Cell::new(EPOCH),
        }
    }

    /// The work tree root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// An absolute path inside the work tree.
    pub fn abs(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Runs git in the work tree and returns its standard output, trimmed. Panics with git's
    /// error output if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let output = self.git_output(args, None);
        assert!(
            output.status.success(),
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Runs git and reports whether it succeeded, for commands expected to fail sometimes
    /// (a merge with conflicts).
    pub fn git_ok(&self, args: &[&str]) -> bool {
        self.git_output(args, None).status.success()
    }

    /// Runs git with author and committer date set to `unix_time` (UTC).
    pub fn git_at(&self, unix_time: i64, args: &[&str]) -> String {
        let output = self.git_output(args, Some(unix_time));
        assert!(
            output.status.success(),
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn git_output(&self, args: &[&str], unix_time: Option<i64>) -> Output {
        let mut command = Command::new("git");
        command.args(args).current_dir(self.path());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GIT_") {
                command.env_remove(name);
            }
        }
        command
            .env(
                "GIT_CONFIG_GLOBAL",
                self.config_dir.path().join("gitconfig"),
            )
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("LC_ALL", "C");
        if let Some(time) = unix_time {
            let date = format!("@{time} +0000");
            command
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date);
        }
        command.output().expect("run git")
    }

    /// Writes a file (creating directories), relative to the work tree.
    pub fn write(&self, relative: &str, contents: &str) {
        let path = self.abs(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(path, contents).expect("write file");
    }

    /// Removes a file or a directory from the work tree (not from the index).
    pub fn remove(&self, relative: &str) {
        let path = self.abs(relative);
        if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            std::fs::remove_dir_all(path).expect("remove directory");
        } else {
            std::fs::remove_file(path).expect("remove file");
        }
    }

    /// Stages everything (`git add -A`) and commits at the next tick of the clock. Returns the
    /// new commit's id. Commits even when nothing changed.
    pub fn commit(&self, message: &str) -> String {
        let time = self.clock.get();
        self.commit_at(message, time)
    }

    /// Stages everything and commits with author and committer date `unix_time`; the clock
    /// moves to one tick after it.
    pub fn commit_at(&self, message: &str, unix_time: i64) -> String {
        self.commit_with(&[], message, unix_time)
    }

    /// Stages everything and commits as `email` (author and committer, name and email) at the
    /// next tick of the clock. Returns the new commit's id.
    pub fn commit_as(&self, email: &str, message: &str) -> String {
        let name = format!("user.name={email}");
        let email = format!("user.email={email}");
        self.commit_with(&["-c", &name, "-c", &email], message, self.clock.get())
    }

    /// `git add -A` and a commit at `unix_time`, with `config` (`-c` options) before `commit`.
    fn commit_with(&self, config: &[&str], message: &str, unix_time: i64) -> String {
        self.git(&["add", "-A"]);
        let mut args = config.to_vec();
        args.extend([
            "commit",
            "--quiet",
            "--allow-empty",
            "--no-verify",
            "-m",
            message,
        ]);
        self.git_at(unix_time, &args);
        self.clock.set(unix_time + TICK);
        self.head()
    }

    /// The date the next [`TestRepo::commit`] will get.
    pub fn clock(&self) -> i64 {
        self.clock.get()
    }

    /// Sets the date the next [`TestRepo::commit`] will get.
    pub fn set_clock(&self, unix_time: i64) {
        self.clock.set(unix_time);
    }

    /// HEAD's commit id.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// Creates a branch at HEAD and checks it out.
    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "--quiet", "-b", name]);
    }

    /// Checks out a branch or commit (a commit id detaches HEAD).
    pub fn checkout(&self, name: &str) {
        self.git(&["checkout", "--quiet", name]);
    }

    /// Merges `branch` into the current branch with a merge commit (`--no-ff`) at the next tick.
    /// Panics on conflicts; see [`TestRepo::merge_resolving`].
    pub fn merge_no_ff(&self, branch: &str, message: &str) -> String {
        let time = self.clock.get();
        self.git_at(
            time,
            &["merge", "--quiet", "--no-ff", "-m", message, branch],
        );
        self.clock.set(time + TICK);
        self.head()
    }

    /// Starts a merge of `branch` without committing, conflicts allowed; returns whether git
    /// merged cleanly. Finish with `resolve` (edit files, then `write`/`remove`) and
    /// [`TestRepo::commit`], which records the merge.
    pub fn merge_resolving(&self, branch: &str) -> bool {
        self.git_ok(&["merge", "--quiet", "--no-ff", "--no-commit", branch])
    }

    /// `git mv` a path and leave the change staged (commit it with [`TestRepo::commit`]).
    pub fn rename(&self, from: &str, to: &str) {
        if let Some(parent) = self.abs(to).parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        self.git(&["mv", from, to]);
    }

    /// `git rm -r` a path (staged; commit it with [`TestRepo::commit`]).
    pub fn delete(&self, relative: &str) {
        self.git(&["rm", "-r", "--quiet", relative]);
    }

    /// What `git log -1 --format=%H -- <pathspec>` prints, `None` when nothing.
    pub fn last_change(&self, pathspec: &str) -> Option<String> {
        let out = self.git(&["log", "-1", "--format=%H", "--", pathspec]);
        (!out.is_empty()).then_some(out)
    }

    /// What `git rev-parse HEAD:<path>` prints, `None` when HEAD has no such path.
    pub fn head_object(&self, path: &str) -> Option<String> {
        let output = self.git_output(
            &["rev-parse", "--verify", "--quiet", &format!("HEAD:{path}")],
            None,
        );
        let out = String::from_utf8_lossy(&output.stdout).trim().to_string();
        (output.status.success() && !out.is_empty()).then_some(out)
    }

    /// Every path in HEAD's tree: files, and directories when `with_dirs`.
    pub fn head_paths(&self, with_dirs: bool) -> Vec<String> {
        let mut args = vec!["ls-tree", "-r", "--name-only", "--full-tree"];
        if with_dirs {
            args.push("-t");
        }
        args.push("HEAD");
        self.git(&args).lines().map(str::to_string).collect()
    }

    /// Every path any commit reachable from HEAD ever had (files and their directories).
    pub fn all_paths_in_history(&self) -> Vec<String> {
        let mut paths = std::collections::BTreeSet::new();
        for line in self
            .git(&["log", "--format=", "--name-only", "-m", "--no-renames"])
            .lines()
        {
            let mut prefix = String::new();
            for part in line.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                paths.insert(prefix.clone());
            }
        }
        paths.into_iter().filter(|p| !p.is_empty()).collect()
    }

    /// Adds a submodule at `path`: a repository of its own holding `lib.txt`, one commit. The
    /// submodule is staged, not committed; returns its origin.
    pub fn add_submodule(&self, path: &str) -> TestRepo {
        let library = TestRepo::new();
        library.write("lib.txt", "lib\n");
        library.commit("library");
        let url = format!("file://{}", library.path().display());
        self.git(&[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "--quiet",
            "add",
            &url,
            path,
        ]);
        library
    }

    /// A full clone (`git clone file://...`) of this repository: another machine's checkout.
    pub fn full_clone(&self) -> TestRepo {
        let clone = TestRepo::empty();
        let url = format!("file://{}", self.path().display());
        let target = clone.path().display().to_string();
        clone.git(&["clone", "--quiet", &url, &target]);
        clone
    }

    /// A shallow clone (`git clone --depth <depth> file://...`) of this repository.
    pub fn shallow_clone(&self, depth: u32) -> TestRepo {
        let clone = TestRepo::empty();
        let url = format!("file://{}", self.path().display());
        let depth = depth.to_string();
        let target = clone.path().display().to_string();
        clone.git(&["clone", "--quiet", "--depth", &depth, &url, &target]);
        clone
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        TestRepo::new()
    }
}
