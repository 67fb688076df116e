//! The facts layer against real git: every last change must be what
//! `git log -1 --format=%H -- <path>` prints, every clean fingerprint what
//! `git rev-parse HEAD:<path>` prints.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{EPOCH, TICK, TestRepo};
use git2::Repository;
use handoff::core::model::{ArtifactFacts, History, Target};
use handoff::repo::facts::{
    self, Limits, Parallel, PathSpec, WorkTree, head_info, last_changes_with, worktree_facts,
};
use handoff::repo::workspace::{Workspace, WorkspaceError};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn open(repo: &TestRepo, workspace_dir: &str) -> (Workspace, Repository) {
    let workspace = Workspace::discover(&repo.abs(workspace_dir)).expect("workspace");
    let git = facts::open_repo(&workspace).expect("open repository");
    (workspace, git)
}

/// Our answers for a list of specs, checking that `on_resolved` reported each exactly once
/// and with the final value.
fn histories(repo: &TestRepo, specs: &[PathSpec]) -> Vec<History> {
    histories_with(repo, specs, Parallel::default())
}

/// [`histories`] from a walk on the threads given.
fn histories_with(repo: &TestRepo, specs: &[PathSpec], parallel: Parallel) -> Vec<History> {
    let (_, git) = open(repo, "");
    let mut reported: HashMap<usize, History> = HashMap::new();
    let result = last_changes_with(&git, specs, parallel, &mut |index, history| {
        assert!(
            reported.insert(index, history.clone()).is_none(),
            "spec {index} reported twice"
        );
    })
    .expect("last_changes");
    assert_eq!(reported.len(), specs.len(), "every spec is reported");
    for (index, history) in result.iter().enumerate() {
        assert_eq!(&reported[&index], history, "reported value of spec {index}");
        assert_ne!(history, &History::Pending);
    }
    result
}

fn commit_of(history: &History) -> Option<String> {
    match history {
        History::Changed(change) => Some(change.commit.clone()),
        History::NeverCommitted => None,
        other => panic!("unexpected {other:?}"),
    }
}

/// Compares our last change of every path (exact paths) and glob with `git log -1`.
fn assert_history_agrees(repo: &TestRepo, paths: &[String], globs: &[&str]) {
    let mut specs: Vec<PathSpec> = paths.iter().cloned().map(PathSpec::Exact).collect();
    specs.extend(globs.iter().map(|g| PathSpec::Glob(g.to_string())));
    let ours = histories(repo, &specs);
    let mut disagreements = Vec::new();
    for (spec, history) in specs.iter().zip(&ours) {
        let pathspec = match spec {
            PathSpec::Exact(path) | PathSpec::Glob(path) => path.as_str(),
        };
        let expected = repo.last_change(pathspec);
        let actual = commit_of(history);
        if expected != actual {
            disagreements.push(format!("{pathspec}: git {expected:?}, ours {actual:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "disagreements with git log -1:\n{}\nhistory:\n{}",
        disagreements.join("\n"),
        repo.git(&[
            "log",
            "--graph",
            "--format=%h %ct %s",
            "--name-status",
            "--all"
        ])
    );
}

/// Every path the history ever had, the whole tree, a path that never existed, and globs.
fn assert_everything_agrees(repo: &TestRepo, globs: &[&str]) {
    let mut paths = repo.all_paths_in_history();
    paths.push(".".to_string());
    paths.push("never/existed.md".to_string());
    assert_history_agrees(repo, &paths, globs);
    assert_clean_fingerprints(repo);
}

/// With a clean work tree, every path of HEAD has HEAD's object id as its fingerprint.
fn assert_clean_fingerprints(repo: &TestRepo) {
    let (workspace, git) = open(repo, "");
    let work_tree = WorkTree::new(&git, &workspace);
    let mut paths = repo.head_paths(true);
    paths.push(String::new());
    for path in paths {
        let facts = work_tree.facts(&Target::Path(path.clone()));
        let expected = repo.head_object(&path);
        assert_eq!(facts.fingerprint, expected, "fingerprint of {path:?}");
        assert!(facts.exists, "{path} exists");
        assert!(!facts.uncommitted, "{path} is clean: {facts:?}");
        assert_eq!(facts.problem, None, "{path}");
    }
}

fn facts_of(repo: &TestRepo, target: Target) -> ArtifactFacts {
    let (workspace, git) = open(repo, "");
    worktree_facts(&git, &workspace, &target)
}

fn path(p: &str) -> Target {
    Target::Path(p.to_string())
}

fn glob(p: &str) -> Target {
    Target::Glob(p.to_string())
}

/// `git hash-object` of a file in the work tree.
fn hash_object(repo: &TestRepo, path: &str) -> String {
    repo.git(&["hash-object", "--", path])
}

/// The tree `git add -A <dir>` stages, written with `git write-tree --prefix`.
fn staged_tree(repo: &TestRepo, dir: &str) -> String {
    repo.git(&["add", "-A", "--", dir]);
    repo.git(&["write-tree", &format!("--prefix={dir}/")])
}

#[cfg(unix)]
fn set_executable(repo: &TestRepo, path: &str, executable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    std::fs::set_permissions(repo.abs(path), std::fs::Permissions::from_mode(mode)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// History

#[test]
fn linear_history_agrees_with_git_log() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.write("docs/prd.md", "# PRD\n");
    repo.write("docs/sub/x.md", "x\n");
    repo.commit("first");
    repo.write("docs/prd.md", "# PRD v2\n");
    repo.commit("revise prd");
    repo.write("docs/sub/y.md", "y\n");
    repo.commit("add y");
    repo.write("a.txt", "a2\n");
    repo.write("tools/run.sh", "#!/bin/sh\n");
    repo.commit("touch a, add script");
    #[cfg(unix)]
    {
        set_executable(&repo, "tools/run.sh", true);
        repo.commit("make the script executable");
    }
    repo.commit("an empty commit");
    assert_everything_agrees(&repo, &["docs/*.md", "*.md", "docs/sub/*", "[ab].txt"]);
}

#[test]
fn resolved_change_carries_author_time_and_summary() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("first");
    repo.write("a.txt", "b\n");
    let time = repo.clock();
    let commit = repo.commit_at("Second change\n\nWith a body.", time);
    let ours = histories(&repo, &[PathSpec::Exact("a.txt".into())]);
    let History::Changed(change) = &ours[0] else {
        panic!("{ours:?}")
    };
    assert_eq!(change.commit, commit);
    assert_eq!(change.summary, "Second change");
    assert_eq!(change.author_name, "Test User");
    assert_eq!(change.author_email, "test@example.com");
    assert_eq!(change.time.as_second(), time);
}

#[test]
fn change_made_only_on_a_merged_side_branch() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.write("b.txt", "b\n");
    repo.write("dir/c.txt", "c\n");
    repo.commit("base");
    repo.branch("side");
    repo.write("b.txt", "b on side\n");
    let side_change = repo.commit("change b on side");
    repo.write("dir/c.txt", "c on side\n");
    repo.commit("change c on side");
    repo.checkout("main");
    repo.write("a.txt", "a on main\n");
    repo.commit("change a on main");
    repo.merge_no_ff("side", "merge side");
    repo.write("a.txt", "a after merge\n");
    repo.commit("after merge");
    assert_eq!(repo.last_change("b.txt"), Some(side_change));
    assert_everything_agrees(&repo, &["*.txt", "dir/*"]);
}

#[test]
fn merge_resolving_a_conflict_with_a_third_version_is_the_last_change() {
    let repo = TestRepo::new();
    repo.write("f.txt", "base\n");
    repo.write("g.txt", "g\n");
    repo.commit("base");
    repo.branch("side");
    repo.write("f.txt", "side\n");
    repo.commit("side version");
    repo.checkout("main");
    repo.write("f.txt", "main\n");
    repo.commit("main version");
    assert!(!repo.merge_resolving("side"), "the merge conflicts");
    repo.write("f.txt", "third\n");
    let merge = repo.commit("merge with a third version");
    assert_eq!(repo.last_change("f.txt"), Some(merge));
    assert_everything_agrees(&repo, &["*.txt"]);
}

#[test]
fn criss_cross_merges() {
    let repo = TestRepo::new();
    repo.write("f.txt", "f\n");
    repo.write("g.txt", "g\n");
    repo.write("h/i.txt", "i\n");
    repo.commit("base");
    repo.branch("b1");
    repo.write("f.txt", "f1\n");
    let b1 = repo.commit("b1 changes f");
    repo.checkout("main");
    repo.branch("b2");
    repo.write("g.txt", "g2\n");
    repo.commit("b2 changes g");
    // Criss-cross: each branch merges the other's tip.
    repo.checkout("b1");
    repo.merge_no_ff("b2", "b1 merges b2");
    repo.checkout("b2");
    repo.merge_no_ff(&b1, "b2 merges b1");
    repo.write("h/i.txt", "i on b2\n");
    repo.commit("b2 changes i");
    repo.checkout("b1");
    repo.write("h/i.txt", "i on b1\n");
    repo.commit("b1 changes i");
    assert!(!repo.merge_resolving("b2"));
    repo.write("h/i.txt", "i merged\n");
    repo.commit("b1 merges b2 again");
    repo.checkout("main");
    repo.merge_no_ff("b1", "main takes b1");
    assert_everything_agrees(&repo, &["*.txt", "h/*"]);
}

#[test]
fn renames_are_a_deletion_and_an_addition() {
    let repo = TestRepo::new();
    repo.write("old.md", "same content\n");
    repo.write("dir/a.md", "a\n");
    repo.write("dir/b.md", "b\n");
    let added = repo.commit("add");
    repo.commit("unrelated");
    repo.rename("old.md", "new.md");
    let renamed = repo.commit("rename a file");
    repo.rename("dir", "moved");
    repo.commit("rename a directory");
    assert_eq!(repo.last_change("new.md"), Some(renamed.clone()));
    assert_eq!(repo.last_change("old.md"), Some(renamed));
    assert_ne!(repo.last_change("moved/a.md"), Some(added));
    assert_everything_agrees(&repo, &["*.md", "dir/*", "moved/*"]);
}

#[test]
fn deleted_and_re_added_paths() {
    let repo = TestRepo::new();
    repo.write("f.txt", "one\n");
    repo.write("gone/x.txt", "x\n");
    repo.commit("add");
    repo.write("f.txt", "two\n");
    repo.commit("modify");
    repo.delete("f.txt");
    repo.delete("gone");
    let deletion = repo.commit("delete");
    repo.commit("unrelated");
    assert_eq!(repo.last_change("gone/x.txt"), Some(deletion.clone()));
    repo.write("f.txt", "two\n");
    let readded = repo.commit("re-add with the old content");
    assert_eq!(repo.last_change("f.txt"), Some(readded));
    assert_everything_agrees(&repo, &["*.txt", "gone/*"]);
}

#[test]
fn directories_and_nested_directories() {
    let repo = TestRepo::new();
    repo.write("a/b/c/d.txt", "d\n");
    repo.write("a/b/e.txt", "e\n");
    repo.write("a/f.txt", "f\n");
    repo.write("a-b.txt", "sorts between a and a/\n");
    repo.commit("tree");
    repo.write("a/b/c/d.txt", "d2\n");
    repo.commit("deep change");
    repo.write("a/f.txt", "f2\n");
    repo.commit("shallow change");
    // A file becomes a directory and back.
    repo.remove("a-b.txt");
    repo.write("a-b.txt/inner.txt", "now a directory\n");
    repo.commit("file to directory");
    repo.remove("a-b.txt");
    repo.write("a-b.txt", "a file again\n");
    repo.commit("directory to file");
    assert_everything_agrees(&repo, &["a/*/*.txt", "a/b/*", "a*"]);
}

#[test]
fn duplicate_and_overlapping_specs() {
    let repo = TestRepo::new();
    repo.write("docs/a.md", "a\n");
    repo.write("docs/b.md", "b\n");
    repo.commit("add");
    repo.write("docs/a.md", "a2\n");
    repo.commit("change a");
    let paths: Vec<String> = [
        "docs",
        "docs/a.md",
        "docs",
        "./docs/",
        "docs/b.md",
        "docs/a.md",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_history_agrees(&repo, &paths, &["docs/*.md", "docs/*.md", "nothing/*"]);
}

#[test]
fn out_of_order_dates_and_clock_skew() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.write("b.txt", "b\n");
    repo.commit_at("base", EPOCH + 10_000);
    repo.branch("side");
    // The side branch was committed on a machine whose clock ran a day behind.
    repo.write("b.txt", "b on side\n");
    repo.commit_at("side, clock behind", EPOCH - 86_400);
    repo.write("a.txt", "a on side\n");
    repo.commit_at("side again, same second", EPOCH - 86_400);
    repo.checkout("main");
    repo.write("a.txt", "a on main\n");
    repo.commit_at("main, far in the future", EPOCH + 900_000);
    repo.write("c.txt", "c\n");
    repo.commit_at("main, back to normal", EPOCH + 20_000);
    repo.set_clock(EPOCH + 20_000);
    assert!(!repo.merge_resolving("side"));
    repo.write("a.txt", "a on main\n");
    repo.commit_at("merge, taking main's a", EPOCH + 20_000);
    repo.write("c.txt", "c2\n");
    repo.commit_at("same second as the merge", EPOCH + 20_000);
    assert_everything_agrees(&repo, &["*.txt"]);
}

#[test]
fn workspace_in_a_subdirectory() {
    let repo = TestRepo::new();
    repo.write("team/handoff.yaml", "version: 1\n");
    repo.write("team/docs/prd.md", "# PRD\n");
    repo.write("team/docs/README.md", "# Docs\n");
    repo.write("team/docs/evals/set.yaml", "cases: []\n");
    repo.write("outside.md", "not ours\n");
    repo.commit("add");
    repo.write("team/docs/prd.md", "# PRD v2\n");
    repo.commit("revise");

    let (workspace, git) = open(&repo, "team/docs/..");
    assert_eq!(workspace.prefix, "team/");
    let artifacts = vec![
        ("prd".to_string(), path("docs/prd.md")),
        ("docs".to_string(), path("docs/")),
        ("everything".to_string(), path(".")),
        ("md".to_string(), glob("docs/*.md")),
        ("yaml".to_string(), glob("./docs/**/*.yaml")),
        (
            "figma".to_string(),
            Target::Url("https://figma.example/x".to_string()),
        ),
    ];
    let facts = facts::collect(&git, &workspace, &artifacts).expect("collect");
    let expect = |id: &str, repo_path: &str| {
        let artifact = facts.of(id).unwrap();
        assert_eq!(
            artifact.history.last_change().map(|c| c.commit.clone()),
            repo.last_change(repo_path),
            "{id}"
        );
        artifact
    };
    assert_eq!(
        expect("prd", "team/docs/prd.md").fingerprint,
        repo.head_object("team/docs/prd.md")
    );
    let docs = expect("docs", "team/docs");
    assert_eq!(docs.fingerprint, repo.head_object("team/docs"));
    assert_eq!(docs.documents.len(), 1);
    assert_eq!(docs.documents[0].path, "docs/README.md");
    assert_eq!(docs.documents[0].text.as_deref(), Some("# Docs\n"));
    assert_eq!(
        expect("everything", "team").fingerprint,
        repo.head_object("team")
    );
    let md = expect("md", "team/docs/*.md");
    assert_eq!(md.matches, vec!["docs/README.md", "docs/prd.md"]);
    assert_eq!(
        md.documents
            .iter()
            .map(|d| d.path.as_str())
            .collect::<Vec<_>>(),
        vec!["docs/README.md", "docs/prd.md"]
    );
    assert!(!md.uncommitted);
    let yaml = expect("yaml", "team/docs/*.yaml");
    assert_eq!(yaml.matches, vec!["docs/evals/set.yaml"]);
    assert_eq!(facts.of("figma"), Some(&ArtifactFacts::default()));
    assert_eq!(facts.head.branch.as_deref(), Some("main"));
}

#[test]
fn unborn_branch() {
    let repo = TestRepo::new();
    repo.write("docs/prd.md", "# PRD\n");
    let (workspace, git) = open(&repo, "");
    let head = head_info(&git);
    assert_eq!(head.branch.as_deref(), Some("main"));
    assert_eq!(head.commit, None);
    assert!(!head.detached);
    let ours = histories(
        &repo,
        &[
            PathSpec::Exact("docs/prd.md".into()),
            PathSpec::Glob("*.md".into()),
        ],
    );
    assert_eq!(ours, vec![History::NeverCommitted, History::NeverCommitted]);
    let prd = worktree_facts(&git, &workspace, &path("docs/prd.md"));
    assert!(prd.exists && prd.uncommitted);
    assert_eq!(prd.fingerprint, Some(hash_object(&repo, "docs/prd.md")));
    let docs = worktree_facts(&git, &workspace, &path("docs"));
    assert!(docs.is_dir && docs.uncommitted);
    assert_eq!(docs.fingerprint, Some(staged_tree(&repo, "docs")));
}

#[test]
fn detached_head() {
    let repo = TestRepo::new();
    repo.write("a.txt", "1\n");
    let first = repo.commit("one");
    repo.write("a.txt", "2\n");
    repo.write("b.txt", "b\n");
    repo.commit("two");
    repo.checkout(&first);
    let (_, git) = open(&repo, "");
    let head = head_info(&git);
    assert!(head.detached);
    assert_eq!(head.branch, None);
    assert_eq!(head.commit, Some(first.clone()));
    assert_everything_agrees(&repo, &["*.txt"]);
}

#[test]
fn shallow_clone_stops_at_the_boundary() {
    let origin = TestRepo::new();
    let files = ["f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt"];
    for (n, file) in files.iter().enumerate() {
        origin.write(file, "first\n");
        origin.write("always.txt", &format!("{n}\n"));
        origin.commit(&format!("add {file}"));
    }
    origin.write("f0.txt", "changed late\n");
    origin.commit("change f0");
    let clone = origin.shallow_clone(3);
    let (_, git) = open(&clone, "");
    assert!(head_info(&git).shallow);

    let boundary = clone.git(&["rev-parse", "HEAD~2"]);
    let specs: Vec<PathSpec> = files
        .iter()
        .chain(&["always.txt", "never.txt"])
        .map(|f| PathSpec::Exact(f.to_string()))
        .collect();
    let ours = histories(&clone, &specs);
    for (spec, history) in specs.iter().zip(&ours) {
        let PathSpec::Exact(file) = spec else {
            unreachable!()
        };
        let full = origin.last_change(file);
        match history {
            History::Changed(change) => {
                assert_eq!(Some(&change.commit), full.as_ref(), "{file}");
                assert_ne!(
                    change.commit, boundary,
                    "{file}: the boundary's own change is unknown"
                );
            }
            History::BeyondShallowBoundary => {
                // The answer lies at the boundary or before it (or nowhere).
                if let Some(full) = full {
                    assert!(
                        origin.git_ok(&["merge-base", "--is-ancestor", &full, &boundary]),
                        "{file}: {full} is not at or before the boundary"
                    );
                }
            }
            other => panic!("{file}: {other:?}"),
        }
    }
    assert!(
        matches!(ours[0], History::Changed(_)),
        "f0 changed in the clone"
    );
    assert!(
        matches!(ours[1], History::BeyondShallowBoundary),
        "f1 is older"
    );
    assert!(
        matches!(ours[6], History::Changed(_)),
        "always.txt changes every commit"
    );
    assert_eq!(
        ours[7],
        History::BeyondShallowBoundary,
        "do not guess for an absent path"
    );
}

// ---------------------------------------------------------------------------------------------
// Random histories

const FILES: [&str; 6] = [
    "a.txt",
    "b.md",
    "docs/c.md",
    "docs/d.txt",
    "docs/sub/e.md",
    "src/f.txt",
];
const BRANCHES: [&str; 3] = ["main", "b1", "b2"];

#[derive(Debug, Clone)]
enum Op {
    Write {
        file: usize,
        version: u8,
    },
    Delete {
        file: usize,
    },
    Rename {
        from: usize,
        to: usize,
    },
    ToggleExecutable {
        file: usize,
    },
    Commit {
        skew_minutes: i64,
    },
    Switch {
        branch: usize,
    },
    Merge {
        branch: usize,
        evil: Option<(usize, u8)>,
        skew_minutes: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let file = 0..FILES.len();
    let branch = 0..BRANCHES.len();
    // Skew from -3 to +3 minutes around a one-minute step: dates go backwards and tie.
    let skew = -3i64..=3;
    prop_oneof![
        4 => (file.clone(), 0u8..3).prop_map(|(file, version)| Op::Write { file, version }),
        1 => file.clone().prop_map(|file| Op::Delete { file }),
        1 => (file.clone(), file.clone()).prop_map(|(from, to)| Op::Rename { from, to }),
        1 => file.clone().prop_map(|file| Op::ToggleExecutable { file }),
        4 => skew.clone().prop_map(|skew_minutes| Op::Commit { skew_minutes }),
        2 => branch.clone().prop_map(|branch| Op::Switch { branch }),
        2 => (branch, proptest::option::of((file, 0u8..3)), skew)
            .prop_map(|(branch, evil, skew_minutes)| Op::Merge { branch, evil, skew_minutes }),
    ]
}

struct Player {
    repo: TestRepo,
    step: i64,
    branch: usize,
    branches: Vec<bool>,
}

impl Player {
    fn next_date(&mut self, skew_minutes: i64) -> i64 {
        self.step += 1;
        EPOCH + self.step * TICK + skew_minutes * TICK
    }

    fn commit_pending(&mut self) {
        if !self.repo.git(&["status", "--porcelain"]).is_empty() {
            let date = self.next_date(0);
            self.repo.commit_at("pending", date);
        }
    }

    fn play(&mut self, op: &Op) {
        let exists = |file: usize| self.repo.abs(FILES[file]).exists();
        match *op {
            Op::Write { file, version } => {
                if !self.repo.abs(FILES[file]).is_dir() {
                    self.repo
                        .write(FILES[file], &format!("{file} version {version}\n"));
                }
            }
            Op::Delete { file } => {
                if exists(file) {
                    self.repo.remove(FILES[file]);
                }
            }
            Op::Rename { from, to } => {
                if exists(from) && !exists(to) {
                    let target = self.repo.abs(FILES[to]);
                    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                    std::fs::rename(self.repo.abs(FILES[from]), target).unwrap();
                }
            }
            Op::ToggleExecutable { file } =>
            {
                #[cfg(unix)]
                if exists(file) {
                    use std::os::unix::fs::PermissionsExt;
                    let path = self.repo.abs(FILES[file]);
                    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                    set_executable(&self.repo, FILES[file], mode & 0o100 == 0);
                }
            }
            Op::Commit { skew_minutes } => {
                let date = self.next_date(skew_minutes);
                self.repo.commit_at("commit", date);
            }
            Op::Switch { branch } => {
                self.commit_pending();
                if self.branches[branch] {
                    self.repo.checkout(BRANCHES[branch]);
                } else {
                    self.repo.branch(BRANCHES[branch]);
                    self.branches[branch] = true;
                }
                self.branch = branch;
            }
            Op::Merge {
                branch,
                evil,
                skew_minutes,
            } => {
                if !self.branches[branch] || branch == self.branch {
                    return;
                }
                self.commit_pending();
                self.repo.merge_resolving(BRANCHES[branch]);
                // Conflicts are resolved with whatever the work tree holds (markers and all),
                // or the deletion; an "evil" merge also changes a file of its own.
                self.repo.git(&["add", "-A"]);
                if let Some((file, version)) = evil
                    && !self.repo.abs(FILES[file]).is_dir()
                {
                    self.repo
                        .write(FILES[file], &format!("evil {file} {version}\n"));
                }
                let merging = self.repo.abs(".git/MERGE_HEAD").exists();
                if merging || !self.repo.git(&["status", "--porcelain"]).is_empty() {
                    let date = self.next_date(skew_minutes);
                    self.repo.commit_at("merge", date);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        .. ProptestConfig::default()
    })]

    #[test]
    fn random_histories_agree_with_git_log(ops in proptest::collection::vec(op(), 1..40)) {
        let mut player = Player {
            repo: TestRepo::new(),
            step: 0,
            branch: 0,
            branches: vec![true, false, false],
        };
        player.repo.write("a.txt", "initial\n");
        player.repo.commit_at("initial", EPOCH);
        for op in &ops {
            player.play(op);
        }
        player.commit_pending();
        let mut paths = player.repo.all_paths_in_history();
        paths.extend(FILES.iter().map(|f| f.to_string()));
        paths.extend([".", "docs", "docs/sub", "src"].iter().map(|f| f.to_string()));
        assert_history_agrees(&player.repo, &paths, &["*.md", "docs/*", "docs/*.txt", "s?c/*"]);
        // Alone, a path takes the other way through the trees (name lookups, not a merge join).
        for file in ["docs/sub/e.md", "docs"] {
            assert_history_agrees(&player.repo, &[file.to_string()], &[]);
        }
        assert_clean_fingerprints(&player.repo);
    }

    /// The same, with git's changed-path Bloom filters in the commit-graph: written part way
    /// (so later commits have none: stale), as version 1 or 2, and maybe a split layer
    /// without filters on top. The filters may only spare tree reads, never change an answer.
    #[test]
    fn random_histories_agree_with_git_log_with_bloom_filters(
        ops in proptest::collection::vec(op(), 1..40),
        written_after in 0usize..40,
        version in 1u8..3,
        unfiltered_layer in proptest::bool::ANY,
    ) {
        let mut player = Player {
            repo: TestRepo::new(),
            step: 0,
            branch: 0,
            branches: vec![true, false, false],
        };
        player.repo.write("a.txt", "initial\n");
        player.repo.commit_at("initial", EPOCH);
        let version = format!("commitGraph.changedPathsVersion={version}");
        for (at, op) in ops.iter().enumerate() {
            if at == written_after {
                player.commit_pending();
                player.repo.git(&[
                    "-c", &version, "commit-graph", "write", "--reachable", "--split",
                    "--changed-paths",
                ]);
            }
            player.play(op);
        }
        player.commit_pending();
        if unfiltered_layer {
            player.repo.git(&[
                "-c", "commitGraph.changedPathsVersion=0", "commit-graph", "write",
                "--reachable", "--split=no-merge", "--no-changed-paths",
            ]);
        }
        let mut paths = player.repo.all_paths_in_history();
        paths.extend(FILES.iter().map(|f| f.to_string()));
        paths.extend([".", "docs", "docs/sub", "src"].iter().map(|f| f.to_string()));
        assert_history_agrees(&player.repo, &paths, &["*.md", "docs/*"]);
        for file in ["docs/sub/e.md", "docs"] {
            assert_history_agrees(&player.repo, &[file.to_string()], &[]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        .. ProptestConfig::default()
    })]

    /// The walk with helper threads from its first commit (1, 2 and 4 threads), with Bloom
    /// filters written part way or none: the answers of the walk on one thread, which agree
    /// with `git log -1`.
    #[test]
    fn random_histories_agree_on_every_thread_count(
        ops in proptest::collection::vec(op(), 1..40),
        filters_after in proptest::option::of(0usize..40),
    ) {
        let mut player = Player {
            repo: TestRepo::new(),
            step: 0,
            branch: 0,
            branches: vec![true, false, false],
        };
        player.repo.write("a.txt", "initial\n");
        player.repo.commit_at("initial", EPOCH);
        for (at, op) in ops.iter().enumerate() {
            if filters_after == Some(at) {
                player.commit_pending();
                player.repo.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
            }
            player.play(op);
        }
        player.commit_pending();
        let mut paths = player.repo.all_paths_in_history();
        paths.extend(FILES.iter().map(|f| f.to_string()));
        paths.extend([".", "docs", "docs/sub", "src"].iter().map(|f| f.to_string()));
        let globs = ["*.md", "docs/*", "s?c/*"];
        assert_history_agrees(&player.repo, &paths, &globs);
        let mut specs: Vec<PathSpec> = paths.into_iter().map(PathSpec::Exact).collect();
        specs.extend(globs.iter().map(|g| PathSpec::Glob(g.to_string())));
        let alone = Parallel { threads: 1, after: usize::MAX };
        let sequential = histories_with(&player.repo, &specs, alone);
        for threads in [1, 2, 4] {
            let parallel = histories_with(&player.repo, &specs, Parallel { threads, after: 0 });
            prop_assert_eq!(&parallel, &sequential, "{} threads", threads);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Work tree

#[test]
fn uncommitted_changes_of_every_kind() {
    let repo = TestRepo::new();
    for f in [
        "clean.md",
        "modified.md",
        "staged.md",
        "staged_then_reverted.md",
        "deleted.md",
    ] {
        repo.write(&format!("docs/{f}"), "original\n");
    }
    repo.commit("add");
    repo.write("docs/modified.md", "changed\n");
    repo.write("docs/staged.md", "staged\n");
    repo.git(&["add", "docs/staged.md"]);
    repo.write("docs/staged_then_reverted.md", "staged\n");
    repo.git(&["add", "docs/staged_then_reverted.md"]);
    repo.write("docs/staged_then_reverted.md", "original\n");
    repo.remove("docs/deleted.md");
    repo.write("docs/untracked.md", "new\n");

    let (workspace, git) = open(&repo, "");
    let work_tree = WorkTree::new(&git, &workspace);
    let clean = work_tree.facts(&path("docs/clean.md"));
    assert!(clean.exists && !clean.uncommitted);
    assert_eq!(clean.fingerprint, repo.head_object("docs/clean.md"));
    for f in ["modified.md", "staged.md", "untracked.md"] {
        let facts = work_tree.facts(&path(&format!("docs/{f}")));
        assert!(facts.exists && facts.uncommitted, "{f}: {facts:?}");
        assert_eq!(
            facts.fingerprint,
            Some(hash_object(&repo, &format!("docs/{f}"))),
            "{f}"
        );
    }
    let reverted = work_tree.facts(&path("docs/staged_then_reverted.md"));
    assert!(reverted.uncommitted, "the index differs from HEAD");
    assert_eq!(
        reverted.fingerprint,
        repo.head_object("docs/staged_then_reverted.md")
    );
    let deleted = work_tree.facts(&path("docs/deleted.md"));
    assert!(!deleted.exists && deleted.uncommitted && deleted.fingerprint.is_none());
    let never = work_tree.facts(&path("docs/never.md"));
    assert!(!never.exists && !never.uncommitted);

    let dir = work_tree.facts(&path("docs"));
    assert!(dir.is_dir && dir.uncommitted);
    let glob_facts = work_tree.facts(&glob("docs/*.md"));
    assert!(glob_facts.uncommitted);
    assert_eq!(
        glob_facts.matches,
        vec![
            "docs/clean.md",
            "docs/modified.md",
            "docs/staged.md",
            "docs/staged_then_reverted.md",
            "docs/untracked.md"
        ]
    );
    let only_clean = work_tree.facts(&glob("docs/c*.md"));
    assert!(only_clean.exists && !only_clean.uncommitted);
    drop(work_tree);
    assert_eq!(
        dir.fingerprint,
        Some(staged_tree(&repo, "docs")),
        "what git add would record"
    );
}

#[test]
fn ignored_files_are_left_out_of_a_directory_fingerprint() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "*.log\nbuild/\n");
    repo.write("svc/main.txt", "main\n");
    repo.write("svc/tracked.log", "tracked although ignored\n");
    repo.git(&["add", "-f", "svc/tracked.log"]);
    repo.commit("add");
    repo.write("svc/debug.log", "noise\n");
    repo.write("svc/build/out.txt", "artifact\n");
    repo.write("svc/deep/er/x.log", "noise\n");
    let facts = facts_of(&repo, path("svc"));
    assert_eq!(facts.fingerprint, repo.head_object("svc"));
    assert!(!facts.uncommitted, "{facts:?}");
    let ignored_file = facts_of(&repo, path("svc/debug.log"));
    assert!(
        ignored_file.exists && !ignored_file.uncommitted,
        "as in git status: {ignored_file:?}"
    );
    assert_eq!(
        ignored_file.fingerprint,
        Some(hash_object(&repo, "svc/debug.log"))
    );
    let ignored_dir = facts_of(&repo, path("svc/build"));
    assert!(ignored_dir.exists && ignored_dir.is_dir && !ignored_dir.uncommitted);
    assert_eq!(
        facts_of(&repo, glob("svc/*.log")).matches,
        vec!["svc/tracked.log"]
    );
    repo.write("svc/deep/er/notes.txt", "a real untracked file\n");
    let facts = facts_of(&repo, path("svc"));
    assert!(facts.uncommitted);
    assert_eq!(facts.fingerprint, Some(staged_tree(&repo, "svc")));
}

#[cfg(unix)]
#[test]
fn executable_bit_is_part_of_the_fingerprint() {
    let repo = TestRepo::new();
    repo.write("bin/run.sh", "#!/bin/sh\n");
    repo.write("bin/lib.sh", "x=1\n");
    set_executable(&repo, "bin/run.sh", true);
    repo.commit("add");
    assert_eq!(
        repo.git(&["ls-tree", "HEAD", "bin/run.sh"])
            .split(' ')
            .next(),
        Some("100755")
    );
    let facts = facts_of(&repo, path("bin"));
    assert_eq!(facts.fingerprint, repo.head_object("bin"));
    assert!(!facts.uncommitted);

    set_executable(&repo, "bin/run.sh", false);
    let file = facts_of(&repo, path("bin/run.sh"));
    assert_eq!(
        file.fingerprint,
        repo.head_object("bin/run.sh"),
        "same bytes"
    );
    assert!(file.uncommitted, "the mode changed");
    let dir = facts_of(&repo, path("bin"));
    assert!(dir.uncommitted);
    assert_ne!(dir.fingerprint, repo.head_object("bin"));
    assert_eq!(dir.fingerprint, Some(staged_tree(&repo, "bin")));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_fingerprinted_by_their_text_and_never_followed_outside() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "# Secret\n").unwrap();
    let repo = TestRepo::new();
    repo.write("docs/prd.md", "# PRD\n");
    std::os::unix::fs::symlink("prd.md", repo.abs("docs/link.md")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), repo.abs("docs/escape.md"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.abs("elsewhere")).unwrap();
    repo.commit("add");

    let link = facts_of(&repo, path("docs/link.md"));
    assert_eq!(link.fingerprint, repo.head_object("docs/link.md"));
    assert_eq!(link.problem, None);
    assert_eq!(link.documents[0].text.as_deref(), Some("# PRD\n"));

    let escape = facts_of(&repo, path("docs/escape.md"));
    assert_eq!(
        escape.fingerprint,
        repo.head_object("docs/escape.md"),
        "git's blob of the link"
    );
    assert!(
        escape
            .problem
            .as_deref()
            .unwrap()
            .contains("outside the repository")
    );
    assert!(
        escape.documents.is_empty(),
        "not read: {:?}",
        escape.documents
    );

    let through = facts_of(&repo, path("elsewhere/secret.md"));
    assert!(
        through
            .problem
            .as_deref()
            .unwrap()
            .contains("outside the repository")
    );
    assert!(through.documents.is_empty() && through.fingerprint.is_none());

    let glob_facts = facts_of(&repo, glob("docs/*.md"));
    assert!(
        glob_facts
            .problem
            .as_deref()
            .unwrap()
            .contains("outside the repository")
    );
    assert!(
        glob_facts
            .documents
            .iter()
            .all(|d| d.path != "docs/escape.md")
    );
    assert_eq!(glob_facts.matches.len(), 3);

    let dir = facts_of(&repo, path("docs"));
    assert_eq!(dir.fingerprint, repo.head_object("docs"));
    assert!(!dir.uncommitted);
}

#[cfg(unix)]
#[test]
fn fifos_are_never_opened() {
    let repo = TestRepo::new();
    repo.write("docs/prd.md", "# PRD\n");
    repo.commit("add");
    let status = std::process::Command::new("mkfifo")
        .arg(repo.abs("docs/pipe"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let started = Instant::now();
    let fifo = facts_of(&repo, path("docs/pipe"));
    assert!(
        fifo.problem.as_deref().unwrap().contains("FIFO"),
        "{fifo:?}"
    );
    assert!(fifo.fingerprint.is_none());
    // The directory is fingerprinted as git would record it: git does not add a FIFO.
    let dir = facts_of(&repo, path("docs"));
    assert_eq!(dir.fingerprint, repo.head_object("docs"));
    let globbed = facts_of(&repo, glob("docs/*"));
    assert_eq!(globbed.matches, vec!["docs/prd.md"]);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn files_over_the_size_limit_are_not_hashed() {
    let repo = TestRepo::new();
    let big = "x".repeat(4096);
    repo.write("data/tracked.bin", &big);
    repo.write("data/small.txt", "small\n");
    // Make the index's stat data trustworthy: the file is clearly older than the index.
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(repo.abs("data/tracked.bin"))
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    repo.commit("add");
    repo.write("data/untracked.bin", &big);
    let limits = Limits {
        max_fingerprint_bytes: 1024,
        ..Limits::default()
    };
    let (workspace, git) = open(&repo, "");
    let work_tree = WorkTree::new(&git, &workspace).with_limits(limits);

    let untracked = work_tree.facts(&path("data/untracked.bin"));
    assert!(untracked.exists);
    assert_eq!(untracked.fingerprint, None);
    let problem = untracked.problem.unwrap();
    assert_eq!(
        problem,
        "data/untracked.bin is too large to fingerprint (4 KiB; limit 1 KiB)"
    );

    let dir = work_tree.facts(&path("data"));
    assert_eq!(dir.fingerprint, None);
    assert!(dir.problem.unwrap().contains("data/untracked.bin"));

    let tracked = work_tree.facts(&path("data/tracked.bin"));
    assert_eq!(
        tracked.problem, None,
        "the index's id is reused, nothing is hashed"
    );
    assert_eq!(tracked.fingerprint, repo.head_object("data/tracked.bin"));

    let small = work_tree.facts(&path("data/small.txt"));
    assert_eq!(small.fingerprint, repo.head_object("data/small.txt"));
}

#[test]
fn documents_of_files_directories_and_globs() {
    let repo = TestRepo::new();
    repo.write("spec/readme.MD", "# Lower-case readme\n");
    repo.write("spec/other.md", "# Other\n");
    repo.write("notes/a.md", "# A\n");
    repo.write("notes/b.md", "# B\n");
    repo.write("notes/c.md", &"# C\n".repeat(100));
    std::fs::write(repo.abs("notes/latin1.md"), b"caf\xe9\n").unwrap();
    repo.write("empty/.keep", "");
    repo.commit("add");
    let limits = Limits {
        max_document_bytes: 64,
        max_documents: 3,
        ..Limits::default()
    };
    let (workspace, git) = open(&repo, "");
    let work_tree = WorkTree::new(&git, &workspace).with_limits(limits);

    let spec = work_tree.facts(&path("spec"));
    assert_eq!(spec.documents.len(), 1);
    assert_eq!(spec.documents[0].path, "spec/readme.MD");
    assert_eq!(
        spec.documents[0].text.as_deref(),
        Some("# Lower-case readme\n")
    );
    assert!(work_tree.facts(&path("empty")).documents.is_empty());

    let file = work_tree.facts(&path("notes/latin1.md"));
    assert_eq!(file.documents.len(), 1);
    assert_eq!(file.documents[0].text, None, "not UTF-8");
    assert_eq!(file.fingerprint, repo.head_object("notes/latin1.md"));

    let notes = work_tree.facts(&glob("notes/*.md"));
    assert_eq!(notes.matches.len(), 4);
    let documents: Vec<_> = notes
        .documents
        .iter()
        .map(|d| (d.path.as_str(), d.text.is_some()))
        .collect();
    assert_eq!(
        documents,
        vec![
            ("notes/a.md", true),
            ("notes/b.md", true),
            ("notes/c.md", false)
        ],
        "capped at three, the large one without text"
    );
}

#[test]
fn glob_fingerprint_lists_mode_id_and_path_of_each_match() {
    let repo = TestRepo::new();
    repo.write("evals/a.yaml", "a\n");
    repo.write("evals/deep/b.yaml", "b\n");
    repo.write("evals/c.txt", "c\n");
    repo.commit("add");
    let facts = facts_of(&repo, glob("evals/**/*.yaml"));
    assert_eq!(facts.matches, vec!["evals/a.yaml", "evals/deep/b.yaml"]);
    let listing: String = repo
        .git(&["ls-tree", "-r", "HEAD", "evals"])
        .lines()
        .filter(|l| l.ends_with(".yaml"))
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            let parts: Vec<_> = meta.split(' ').collect();
            format!("{} {}\t{path}\n", parts[0], parts[2])
        })
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let listing_file = scratch.path().join("listing");
    std::fs::write(&listing_file, listing).unwrap();
    let expected = repo.git(&["hash-object", &listing_file.display().to_string()]);
    assert_eq!(facts.fingerprint, Some(expected));
    assert!(facts.exists && !facts.uncommitted);

    let nothing = facts_of(&repo, glob("evals/*.json"));
    assert!(!nothing.exists && nothing.fingerprint.is_none() && nothing.matches.is_empty());

    let (workspace, git) = open(&repo, "");
    let capped = WorkTree::new(&git, &workspace)
        .with_limits(Limits {
            max_glob_matches: 1,
            ..Limits::default()
        })
        .facts(&glob("evals/**/*.yaml"));
    assert!(capped.problem.unwrap().contains("more than 1"));
    assert!(capped.fingerprint.is_none());
}

#[test]
fn unsafe_paths_are_refused() {
    let repo = TestRepo::new();
    repo.write("a.md", "a\n");
    repo.commit("add");
    for bad in [
        "../outside.md",
        "/etc/passwd",
        "docs/../../x",
        ".git/config",
        "a/.GIT/x",
    ] {
        let facts = facts_of(&repo, path(bad));
        assert!(facts.problem.is_some(), "{bad}: {facts:?}");
        assert!(facts.documents.is_empty());
    }
    assert!(facts_of(&repo, glob("../*.md")).problem.is_some());
    assert!(facts_of(&repo, glob("docs/[")).problem.is_some());
}

#[test]
fn stat_data_spares_rehashing_but_notices_changes() {
    let repo = TestRepo::new();
    repo.write("f.txt", "one\n");
    repo.commit("add");
    repo.git(&["update-index", "--refresh"]);
    assert_eq!(
        facts_of(&repo, path("f.txt")).fingerprint,
        repo.head_object("f.txt")
    );
    // Same size, new content, written right after the index: must be rehashed.
    repo.write("f.txt", "two\n");
    let facts = facts_of(&repo, path("f.txt"));
    assert_eq!(facts.fingerprint, Some(hash_object(&repo, "f.txt")));
    assert!(facts.uncommitted);
}

#[test]
fn submodules_are_their_recorded_commit() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    let _library = repo.add_submodule("vendor/lib");
    repo.commit("add submodule");
    let vendor = facts_of(&repo, path("vendor"));
    assert_eq!(vendor.fingerprint, repo.head_object("vendor"));
    let submodule = facts_of(&repo, path("vendor/lib"));
    assert_eq!(submodule.fingerprint, repo.head_object("vendor/lib"));
    assert!(!submodule.uncommitted);
    assert_everything_agrees(&repo, &[]);
}

#[test]
fn a_bare_repository_is_refused_with_a_clear_message() {
    let repo = TestRepo::new();
    repo.git(&["init", "--quiet", "--bare", "bare.git"]);
    let error = Workspace::discover(&repo.abs("bare.git")).unwrap_err();
    assert!(matches!(error, WorkspaceError::Bare { .. }));
    assert!(
        error
            .to_string()
            .ends_with("bare.git is a bare repository: handoff needs a work tree"),
        "{error}"
    );
    assert!(Workspace::discover(Path::new("/")).is_err());
}

// ---------------------------------------------------------------------------------------------
// The workbench's facts worker keeps its repository between work-tree reads

#[test]
fn the_facts_worker_sees_the_git_index_change_between_reads() {
    use handoff::engine::FactsPiece;
    use handoff::engine::worker::{FactsUpdate, FactsWorker, Request};
    use std::sync::{Arc, mpsc};

    let repo = TestRepo::new();
    repo.write("prd.md", "# PRD\n");
    repo.commit("add the PRD");
    let (workspace, _) = open(&repo, "");
    let (tx, rx) = mpsc::channel();
    let worker = FactsWorker::new(
        workspace,
        Arc::new(move |update| {
            let _ = tx.send(update);
        }),
    );
    let target = || [("prd".to_string(), Target::Path("prd.md".into()))];
    // The work-tree facts of the PRD, and its last change when history is asked for.
    let read_with = |generation: u64, history: bool| -> (ArtifactFacts, Option<History>) {
        worker.request(Request::new(generation, target(), history));
        let mut facts = None;
        let mut last_change = None;
        loop {
            match rx
                .recv_timeout(Duration::from_secs(20))
                .expect("worker answers")
            {
                FactsUpdate::Piece(g, FactsPiece::Worktree(mut batch)) if g == generation => {
                    facts = batch.pop().map(|(_, f)| f)
                }
                FactsUpdate::Piece(g, FactsPiece::History(mut batch)) if g == generation => {
                    if let Some((_, h)) = batch.pop() {
                        last_change = Some(h);
                    }
                }
                FactsUpdate::Done(g) if g == generation => break,
                FactsUpdate::Failed(_, message) => panic!("{message}"),
                _ => {}
            }
        }
        (facts.expect("facts of prd"), last_change)
    };
    let read = |generation: u64| read_with(generation, false).0;

    assert!(!read(1).uncommitted);
    // Edited, then staged and committed by git in another terminal: the worker's kept
    // repository must read the git index as it is now, each time.
    repo.write("prd.md", "# PRD\n\nGoals.\n");
    assert!(read(2).uncommitted);
    repo.git(&["add", "prd.md"]);
    assert!(read(3).uncommitted, "staged is not committed");
    let commit = repo.commit("goals");
    let committed = read(4);
    assert!(!committed.uncommitted);
    assert_eq!(
        committed.fingerprint.as_deref(),
        repo.head_object("prd.md").as_deref()
    );
    // A read with history (it opens the repository afresh) names that commit.
    let (_, history) = read_with(5, true);
    assert_eq!(
        history.and_then(|h| h.last_change().map(|c| c.commit.clone())),
        Some(commit)
    );
}
