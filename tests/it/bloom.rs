//! The changed-path Bloom filters handoff reads from git's commit-graph answer as git wrote
//! them: for every commit and every path of the history (and each directory), a path that
//! changed against the first parent is never ruled out, and most that did not are. Checked
//! against `git commit-graph write --changed-paths` and `git diff-tree` on a history with
//! nested directories, non-ASCII names, a merge, a commit touching more than 512 paths, and a
//! split chain whose newest layer has no filters.

use std::collections::BTreeSet;
use std::sync::Arc;

use handoff::repo::commit_graph::ChangedPathFilters;

use crate::common::TestRepo;

/// Paths changed by `commit` against its first parent, with every leading directory.
fn changed_with_dirs(repo: &TestRepo, commit: &str) -> BTreeSet<String> {
    let parent = format!("{commit}^1");
    let listed = if repo.git_ok(&["rev-parse", "--verify", "--quiet", &parent]) {
        repo.git(&["diff-tree", "-r", "--name-only", "-z", &parent, commit])
    } else {
        repo.git(&[
            "diff-tree",
            "--root",
            "-r",
            "--no-commit-id",
            "--name-only",
            "-z",
            commit,
        ])
    };
    let mut out = BTreeSet::new();
    for path in listed.split('\0').filter(|p| !p.is_empty()) {
        let mut key = path;
        out.insert(key.to_string());
        while let Some(slash) = key.rfind('/') {
            key = &key[..slash];
            out.insert(key.to_string());
        }
    }
    out
}

/// Every path of the history (as bytes git stores, not quoted) and each directory.
fn all_keys(repo: &TestRepo) -> BTreeSet<String> {
    let listed = repo.git(&[
        "log",
        "--format=",
        "--name-only",
        "-z",
        "-m",
        "--no-renames",
    ]);
    let mut keys = BTreeSet::new();
    for path in listed.split(['\0', '\n']).filter(|p| !p.is_empty()) {
        let mut key = path;
        keys.insert(key.to_string());
        while let Some(slash) = key.rfind('/') {
            key = &key[..slash];
            keys.insert(key.to_string());
        }
    }
    keys
}

fn commits(repo: &TestRepo) -> Vec<String> {
    repo.git(&["rev-list", "--all"])
        .lines()
        .map(str::to_string)
        .collect()
}

fn oid(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn grow_history(repo: &TestRepo) {
    repo.write("docs/prd.md", "# PRD\n");
    repo.write("docs/adr/0001-gateway.md", "# ADR 1\n");
    repo.write("src/reply/draft.rs", "fn draft() {}\n");
    repo.commit("start");
    for round in 0..12 {
        repo.write("docs/prd.md", &format!("# PRD\n\nround {round}\n"));
        repo.commit(&format!("prd {round}"));
        repo.write(&format!("src/reply/part{round}.rs"), "//\n");
        repo.commit(&format!("code {round}"));
    }
    repo.write("docs/désign/flöws.md", "# Flows\n");
    repo.commit("non-ascii names");
    repo.branch("side");
    repo.write("docs/adr/0002-redact.md", "# ADR 2\n");
    repo.commit("adr 2 on a branch");
    repo.checkout("main");
    repo.write("runbooks/kill-switch.md", "# Kill switch\n");
    repo.commit("runbook");
    repo.merge_no_ff("side", "merge side");
    for n in 0..600 {
        repo.write(&format!("data/cases/{n:04}.json"), "{}\n");
    }
    repo.commit("600 cases at once");
    repo.rename("docs/prd.md", "docs/product/prd.md");
    repo.commit("move the prd");
}

/// Checks every (commit, key) pair and returns how many "not changed" answers there were.
fn check_every_pair(repo: &TestRepo, filters: &ChangedPathFilters) -> (usize, usize) {
    let keys = all_keys(repo);
    let (mut ruled_out, mut without_filter) = (0, 0);
    for commit in commits(repo) {
        let changed = changed_with_dirs(repo, &commit);
        for key in &keys {
            match filters.may_have_changed(&oid(&commit), key) {
                Some(false) => {
                    assert!(
                        !changed.contains(key),
                        "{commit} changed {key}, but its filter rules it out"
                    );
                    ruled_out += 1;
                }
                Some(true) => {}
                None => without_filter += 1,
            }
        }
    }
    (ruled_out, without_filter)
}

#[test]
fn filters_never_rule_out_a_path_git_changed() {
    let repo = TestRepo::new();
    grow_history(&repo);
    assert!(ChangedPathFilters::open(&repo.path().join(".git")).is_none());
    repo.git(&[
        "-c",
        "commitGraph.changedPathsVersion=2",
        "commit-graph",
        "write",
        "--reachable",
        "--changed-paths",
    ]);
    let filters = ChangedPathFilters::open(&repo.path().join(".git")).expect("filters");
    let (ruled_out, without_filter) = check_every_pair(&repo, &filters);
    let pairs = commits(&repo).len() * all_keys(&repo).len();
    assert!(
        ruled_out * 10 > pairs * 7,
        "filters should rule out most pairs: {ruled_out} of {pairs}"
    );
    // Version 2 filters answer for non-ASCII paths too; only a commit with no filter says None.
    assert_eq!(without_filter, 0);
    // Unknown commits have no answer.
    assert_eq!(filters.may_have_changed(&[0u8; 20], "docs/prd.md"), None);
}

#[test]
fn a_split_chain_answers_per_layer_and_a_layer_without_filters_says_so() {
    let repo = TestRepo::new();
    grow_history(&repo);
    repo.git(&[
        "-c",
        "commitGraph.changedPathsVersion=2",
        "commit-graph",
        "write",
        "--reachable",
        "--split",
        "--changed-paths",
    ]);
    repo.write("docs/adr/0003-later.md", "# ADR 3\n");
    let later = repo.commit("after the filters");
    repo.git(&[
        "-c",
        "commitGraph.changedPathsVersion=0",
        "commit-graph",
        "write",
        "--reachable",
        "--split=no-merge",
        "--no-changed-paths",
    ]);
    let chain = std::fs::read_to_string(
        repo.path()
            .join(".git/objects/info/commit-graphs/commit-graph-chain"),
    )
    .unwrap();
    assert_eq!(chain.lines().count(), 2, "two layers: {chain}");
    let filters = ChangedPathFilters::open(&repo.path().join(".git")).expect("filters");
    assert_eq!(filters.may_have_changed(&oid(&later), "docs/adr"), None);
    let (ruled_out, without_filter) = check_every_pair(&repo, &filters);
    assert!(ruled_out > 0);
    assert_eq!(
        without_filter,
        all_keys(&repo).len(),
        "only the newest commit lacks one"
    );
}

#[test]
fn version_1_filters_answer_for_ascii_paths_only() {
    let repo = TestRepo::new();
    grow_history(&repo);
    repo.git(&[
        "-c",
        "commitGraph.changedPathsVersion=1",
        "commit-graph",
        "write",
        "--reachable",
        "--changed-paths",
    ]);
    let filters = ChangedPathFilters::open(&repo.path().join(".git")).expect("filters");
    let (ruled_out, without_filter) = check_every_pair(&repo, &filters);
    let non_ascii = all_keys(&repo).iter().filter(|k| !k.is_ascii()).count();
    assert!(non_ascii > 0 && ruled_out > 0);
    assert_eq!(without_filter, non_ascii * commits(&repo).len());
}

/// Every history walk of a run asks for the filters (one per past point, one per rename
/// followed): they are read once per version of the commit-graph files, and anew when git
/// rewrites them.
#[test]
fn the_filters_are_read_once_per_version_of_the_commit_graph() {
    let repo = TestRepo::new();
    grow_history(&repo);
    let git_dir = repo.path().join(".git");
    assert!(ChangedPathFilters::shared(&git_dir).is_none());
    let write = || {
        repo.git(&[
            "-c",
            "commitGraph.changedPathsVersion=2",
            "commit-graph",
            "write",
            "--reachable",
            "--changed-paths",
        ])
    };
    write();
    let first = ChangedPathFilters::shared(&git_dir).expect("filters");
    let again = ChangedPathFilters::shared(&git_dir).expect("filters");
    assert!(Arc::ptr_eq(&first, &again), "read once");

    repo.write("docs/later.md", "# Later\n");
    let later = repo.commit("after the filters");
    assert!(Arc::ptr_eq(
        &first,
        &ChangedPathFilters::shared(&git_dir).expect("filters")
    ));
    write();
    let rewritten = ChangedPathFilters::shared(&git_dir).expect("filters");
    assert!(!Arc::ptr_eq(&first, &rewritten), "read anew");
    assert_eq!(first.may_have_changed(&oid(&later), "docs/later.md"), None);
    assert_eq!(
        rewritten.may_have_changed(&oid(&later), "docs/later.md"),
        Some(true)
    );
}
