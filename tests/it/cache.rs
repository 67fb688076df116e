//! The last-change cache in `.git/handoff/`: it must never change an answer. Every test
//! compares with `git log -1 --format=%H -- <path>` and with an uncached walk, and checks what
//! the walk cost (commits visited) to show the cache was used when it could be.

use std::path::Path;

use crate::common::{EPOCH, TICK, TestRepo, handoff_command};
use git2::Repository;
use handoff::core::model::History;
use handoff::repo::cache::{
    CacheError, CacheOutcome, CachedChanges, Damage, HistoryCache, LedgerAnswer,
};
use handoff::repo::facts::{self, PathSpec, last_changes, open_repo};
use handoff::repo::workspace::Workspace;
use proptest::prelude::*;

fn open(repo: &TestRepo) -> Repository {
    let workspace = Workspace::discover(repo.path()).expect("workspace");
    open_repo(&workspace).expect("open")
}

fn exact(paths: &[&str]) -> Vec<PathSpec> {
    paths
        .iter()
        .map(|p| PathSpec::Exact(p.to_string()))
        .collect()
}

/// `handoff check --format json` and any extra arguments, at a fixed time.
fn check_json(repo: &TestRepo, extra: &[&str]) -> String {
    let output = handoff_command(repo.path(), "2024-06-01T00:00:00Z")
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn commit_of(history: &History) -> Option<String> {
    history.last_change().map(|c| c.commit.clone())
}

/// Runs the cached walk, checking that every spec is streamed exactly once with its final
/// answer.
fn cached(repo: &TestRepo, specs: &[PathSpec]) -> CachedChanges {
    let git = open(repo);
    let mut streamed: Vec<Option<History>> = vec![None; specs.len()];
    let changes = HistoryCache::of(&git)
        .last_changes(&git, specs, &mut |i, history| {
            assert!(streamed[i].is_none(), "spec {i} streamed twice");
            streamed[i] = Some(history.clone());
        })
        .expect("cached walk");
    let streamed: Vec<History> = streamed
        .into_iter()
        .map(|h| h.expect("every spec streamed"))
        .collect();
    assert_eq!(
        streamed, changes.histories,
        "streamed answers are the final ones"
    );
    changes
}

fn uncached(repo: &TestRepo, specs: &[PathSpec]) -> Vec<History> {
    last_changes(&open(repo), specs, &mut |_, _| {}).expect("walk")
}

/// The cached answers equal an uncached walk and `git log -1` for every spec.
fn assert_exact(repo: &TestRepo, specs: &[PathSpec], changes: &CachedChanges) {
    assert_eq!(
        changes.histories,
        uncached(repo, specs),
        "cached vs uncached walk"
    );
    for (spec, history) in specs.iter().zip(&changes.histories) {
        // A plain git pathspec: its `*` crosses `/`, as handoff's globs do.
        let pathspec = match spec {
            PathSpec::Exact(p) if p.is_empty() => ".".to_string(),
            PathSpec::Exact(p) | PathSpec::Glob(p) => p.clone(),
        };
        assert_eq!(
            commit_of(history),
            repo.last_change(&pathspec),
            "{pathspec}: cached walk vs git log -1"
        );
    }
}

fn cache_file(repo: &TestRepo) -> std::path::PathBuf {
    HistoryCache::of(&open(repo))
        .file()
        .expect("enabled")
        .to_path_buf()
}

/// A small history: three files changed over five commits.
fn small_history() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("docs/prd.md", "# PRD\n");
    repo.write("docs/flows.md", "# Flows\n");
    repo.write("runbook.md", "# Runbook\n");
    repo.commit("start");
    for (path, text) in [
        ("docs/prd.md", "# PRD v2\n"),
        ("runbook.md", "# Runbook v2\n"),
        ("unrelated.txt", "x\n"),
        ("docs/flows.md", "# Flows v2\n"),
    ] {
        repo.write(path, text);
        repo.commit(&format!("change {path}"));
    }
    repo
}

/// [`small_history`] with the answers for [`PATHS`] cached.
fn warm_small_history() -> (TestRepo, Vec<PathSpec>) {
    let repo = small_history();
    let specs = exact(&PATHS);
    cached(&repo, &specs);
    (repo, specs)
}

const PATHS: [&str; 6] = [
    "docs/prd.md",
    "docs/flows.md",
    "runbook.md",
    "docs",
    "",
    "never/committed.md",
];

#[test]
fn same_head_walks_no_history() {
    let repo = small_history();
    let specs = exact(&PATHS);
    let first = cached(&repo, &specs);
    assert_eq!(first.outcome, CacheOutcome::Empty);
    assert!(first.commits_visited > 0);
    assert_eq!(first.written, Ok(true));
    assert_exact(&repo, &specs, &first);

    let second = cached(&repo, &specs);
    assert_eq!(second.outcome, CacheOutcome::SameHead);
    assert_eq!(second.commits_visited, 0, "a warm start walks nothing");
    assert_eq!(second.specs_from_cache, specs.len());
    assert_eq!(second.written, Ok(false), "nothing new to write");
    assert_eq!(second.histories, first.histories);
}

#[test]
fn new_commits_walk_only_the_new_range() {
    let (repo, specs) = warm_small_history();
    let base = repo.head();
    for (path, text) in [
        ("docs/prd.md", "# PRD v3\n"),
        ("other.txt", "1\n"),
        ("other.txt", "2\n"),
    ] {
        repo.write(path, text);
        repo.commit(&format!("change {path}"));
    }

    let changes = cached(&repo, &specs);
    assert_eq!(
        changes.outcome,
        CacheOutcome::Descendant {
            base: git2::Oid::from_str(&base).unwrap()
        }
    );
    assert_eq!(changes.commits_visited, 3, "only the three new commits");
    assert_exact(&repo, &specs, &changes);
    // docs/prd.md, docs and the root changed in the new commits; the rest came from the cache.
    assert_eq!(changes.specs_from_cache, 3);
    assert_eq!(cached(&repo, &specs).commits_visited, 0);
}

#[test]
fn a_merge_of_an_old_branch_is_walked_on_past_the_branch_point() {
    let repo = TestRepo::new();
    repo.write("y.md", "y at the branch point\n");
    repo.write("x.md", "x\n");
    let branch_point = repo.commit("branch point");
    repo.git(&["branch", "side", &branch_point]);
    repo.write("older.md", "older\n");
    repo.commit("older");
    repo.write("y.md", "y changed on main\n");
    let main_change = repo.commit("y on main");
    repo.write("z.md", "z\n");
    repo.commit("z on main");

    let specs = exact(&["y.md", "x.md", "older.md", "z.md", "side.md"]);
    let before = cached(&repo, &specs);
    assert_eq!(
        commit_of(&before.histories[0]),
        Some(main_change),
        "y's cached answer is the change on main"
    );

    // The side branch, from the old branch point, is merged and y is resolved to its version:
    // y now reaches the branch point through the side branch, never the cached HEAD, and its
    // answer lies at or before the branch point.
    repo.checkout("side");
    repo.write("side.md", "side\n");
    repo.commit("side work");
    repo.checkout("main");
    repo.merge_resolving("side");
    repo.write("y.md", "y at the branch point\n");
    repo.commit("merge side, keeping its y");

    let after = cached(&repo, &specs);
    assert!(matches!(after.outcome, CacheOutcome::Descendant { .. }));
    assert_exact(&repo, &specs, &after);
    assert_eq!(commit_of(&after.histories[0]), Some(branch_point));
}

#[test]
fn a_rewrite_is_detected_and_recomputed() {
    let (repo, specs) = warm_small_history();
    let original = repo.head();

    // Rewrite the last two commits: the cached HEAD is no ancestor of the new one.
    repo.git(&["reset", "--quiet", "--hard", "HEAD~2"]);
    repo.write("docs/flows.md", "# Flows, rewritten\n");
    repo.commit("flows rewritten");
    let changes = cached(&repo, &specs);
    assert_eq!(changes.outcome, CacheOutcome::Unrelated);
    assert_eq!(changes.specs_from_cache, 0);
    assert_exact(&repo, &specs, &changes);

    // Going back to the old HEAD (a branch switch) finds it still cached.
    repo.git(&["reset", "--quiet", "--hard", &original]);
    let back = cached(&repo, &specs);
    assert_eq!(back.outcome, CacheOutcome::SameHead);
    assert_eq!(back.commits_visited, 0);
    assert_exact(&repo, &specs, &back);
}

#[test]
fn an_untrustworthy_cache_file_is_ignored_then_replaced() {
    let (repo, specs) = warm_small_history();
    let file = cache_file(&repo);
    let valid = std::fs::read(&file).unwrap();

    let mut flipped = valid.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let mut other_version = valid.clone();
    other_version[16..20].copy_from_slice(&99u32.to_le_bytes());
    let mut other_length = valid.clone();
    other_length.extend_from_slice(b"trailing");

    let cases: Vec<(&str, Vec<u8>, Damage)> = vec![
        ("empty", Vec::new(), Damage::Foreign),
        (
            "foreign",
            b"{\"cache\": \"someone else's\"}\n".to_vec(),
            Damage::Foreign,
        ),
        (
            "truncated",
            valid[..valid.len() - 7].to_vec(),
            Damage::Truncated,
        ),
        ("header only", valid[..30].to_vec(), Damage::Truncated),
        ("flipped byte", flipped, Damage::Checksum),
        (
            "other version",
            other_version,
            Damage::Version {
                found: 99,
                expected: 2,
            },
        ),
        ("appended bytes", other_length, Damage::TrailingBytes),
    ];
    for (name, bytes, damage) in cases {
        std::fs::write(&file, &bytes).unwrap();
        let changes = cached(&repo, &specs);
        assert_eq!(
            changes.outcome,
            CacheOutcome::Rejected(CacheError::Damaged(damage)),
            "{name}"
        );
        assert!(changes.commits_visited > 0, "{name}: walked again");
        assert_exact(&repo, &specs, &changes);
        assert_eq!(changes.written, Ok(true), "{name}: replaced");
        assert_eq!(
            std::fs::read(&file).unwrap(),
            valid,
            "{name}: the same file again"
        );
    }
}

#[test]
fn a_cache_that_cannot_be_written_costs_only_speed() {
    let repo = small_history();
    let specs = exact(&PATHS);
    let file = cache_file(&repo);
    // A directory where the file belongs: neither readable nor replaceable.
    std::fs::create_dir_all(file.join("in-the-way")).unwrap();
    let changes = cached(&repo, &specs);
    assert_eq!(
        changes.outcome,
        CacheOutcome::Rejected(CacheError::Damaged(Damage::NotAFile))
    );
    assert!(changes.written.is_err());
    assert_exact(&repo, &specs, &changes);
}

#[test]
fn a_cache_from_a_different_path_set_answers_what_it_knows() {
    let repo = small_history();
    let first = exact(&["docs/prd.md", "runbook.md"]);
    cached(&repo, &first);

    // Same HEAD, one more path: only that one is walked.
    let more = exact(&["docs/prd.md", "runbook.md", "docs/flows.md"]);
    let changes = cached(&repo, &more);
    assert_eq!(changes.outcome, CacheOutcome::SameHead);
    assert_eq!(changes.specs_from_cache, 2);
    assert!(changes.commits_visited > 0);
    assert_exact(&repo, &more, &changes);
    // docs/flows.md changed in HEAD itself: the walk stopped at the first commit.
    assert_eq!(changes.commits_visited, 1);

    // The union is kept: any subset is answered without a walk.
    let subset = exact(&["docs/flows.md"]);
    let changes = cached(&repo, &subset);
    assert_eq!(changes.commits_visited, 0);
    assert_exact(&repo, &subset, &changes);

    // HEAD moves, and only part of the set is asked: the rest is still answered from the
    // older HEAD's answers.
    repo.write("new.txt", "new\n");
    repo.commit("new");
    let part = exact(&["runbook.md"]);
    let changes = cached(&repo, &part);
    assert_eq!(changes.commits_visited, 1);
    assert_exact(&repo, &part, &changes);
    let rest = exact(&["docs/prd.md", "docs/flows.md"]);
    let changes = cached(&repo, &rest);
    assert_eq!(changes.outcome, CacheOutcome::SameHead);
    assert_eq!(changes.specs_from_cache, 2, "from the older HEAD's answers");
    assert_exact(&repo, &rest, &changes);

    // Globs are cached like paths.
    let globs = vec![
        PathSpec::Glob("docs/*.md".into()),
        PathSpec::Glob("*.txt".into()),
    ];
    cached(&repo, &globs);
    let changes = cached(&repo, &globs);
    assert_eq!(changes.commits_visited, 0);
    assert_exact(&repo, &globs, &changes);
}

#[test]
fn an_unborn_branch_writes_no_cache() {
    let repo = TestRepo::new();
    repo.write("a.md", "a\n");
    let specs = exact(&["a.md"]);
    let changes = cached(&repo, &specs);
    assert_eq!(changes.histories, vec![History::NeverCommitted]);
    assert_eq!(changes.outcome, CacheOutcome::Empty);
    assert!(!cache_file(&repo).exists());
}

#[test]
fn a_deepened_shallow_clone_does_not_trust_its_old_answers() {
    let origin = small_history();
    let clone = origin.shallow_clone(2);
    let specs = exact(&PATHS);
    let shallow = cached(&clone, &specs);
    assert!(shallow.histories.contains(&History::BeyondShallowBoundary));
    // git log shows the boundary as a root commit; handoff says the answer lies beyond it.
    assert_eq!(shallow.histories, uncached(&clone, &specs));
    assert_eq!(cached(&clone, &specs).commits_visited, 0);

    clone.git(&["fetch", "--quiet", "--deepen=10", "origin"]);
    let deepened = cached(&clone, &specs);
    assert_eq!(
        deepened.outcome,
        CacheOutcome::Rejected(CacheError::Damaged(Damage::OtherShallowBoundary))
    );
    assert!(!deepened.histories.contains(&History::BeyondShallowBoundary));
    assert_exact(&clone, &specs, &deepened);
}

#[test]
fn each_worktree_has_its_own_cache_in_the_git_directory() {
    let (repo, specs) = warm_small_history();
    let linked = tempfile::tempdir().unwrap();
    let linked_path = linked.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "-b",
        "other",
        &linked_path.display().to_string(),
        "HEAD~2",
    ]);

    let workspace = Workspace::discover(&linked_path).unwrap();
    let git = open_repo(&workspace).unwrap();
    let cache = HistoryCache::of(&git);
    let file = cache.file().unwrap().to_path_buf();
    assert!(
        file.starts_with(repo.path().join(".git/worktrees")),
        "{} is in the linked worktree's git directory",
        file.display()
    );
    assert_ne!(file, cache_file(&repo));

    let changes = cache.last_changes(&git, &specs, &mut |_, _| {}).unwrap();
    assert_eq!(changes.outcome, CacheOutcome::Empty);
    for (spec, history) in specs.iter().zip(&changes.histories) {
        let PathSpec::Exact(path) = spec else {
            unreachable!()
        };
        let path = if path.is_empty() { "." } else { path.as_str() };
        let expected = repo.git(&[
            "-C",
            &linked_path.display().to_string(),
            "log",
            "-1",
            "--format=%H",
            "--",
            path,
        ]);
        assert_eq!(commit_of(history).unwrap_or_default(), expected, "{path}");
    }
    let again = cache.last_changes(&git, &specs, &mut |_, _| {}).unwrap();
    assert_eq!(again.commits_visited, 0);

    // Nothing landed in either work tree.
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");
    let linked_status = repo.git(&[
        "-C",
        &linked_path.display().to_string(),
        "status",
        "--porcelain",
        "--ignored",
    ]);
    assert_eq!(linked_status, "");
    // And the main worktree's cache still answers for its own HEAD.
    assert_eq!(cached(&repo, &specs).commits_visited, 0);
}

#[test]
fn check_uses_the_cache_and_answers_the_same_without_it() {
    let repo = small_history();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { title: PM, people: [pm@example.com] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n  - id: flows\n    path: docs/flows.md\n    owner: pm\n  - id: docs\n    path: docs\n    owner: pm\n  - id: prompts\n    path: prompts/*.yaml\n    owner: pm\n",
    );
    repo.commit("index");
    let check = |extra: &[&str]| check_json(&repo, extra);
    let uncached = check(&["--no-cache"]);
    assert!(!cache_file(&repo).exists(), "--no-cache writes nothing");
    let cold = check(&[]);
    assert!(cache_file(&repo).exists());
    let warm = check(&[]);
    assert_eq!(cold, uncached);
    assert_eq!(warm, uncached);
    assert!(warm.contains(&repo.last_change("docs/prd.md").unwrap()));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

// ---------------------------------------------------------------------------------------------
// The parsed inputs (index and ledger files) kept beside their bytes.

#[test]
fn parsed_inputs_are_reused_only_for_identical_bytes() {
    let repo = prd_accepted();
    let check = |extra: &[&str]| check_json(&repo, extra);
    let parsed_dir = repo.path().join(".git/handoff/cache");
    // Each step: the cached answer (twice: the first may parse and write) equals a fresh
    // parse, and differs from the step before.
    let mut before = String::new();
    let mut step = |what: &str| {
        let uncached = check(&["--no-cache"]);
        assert_eq!(check(&[]), uncached, "{what}: first cached run");
        assert_eq!(check(&[]), uncached, "{what}: second cached run");
        assert_ne!(uncached, before, "{what}: the step changes the answer");
        before = uncached;
    };
    step("the start");
    assert!(parsed_dir.join("parsed-index").is_file());
    assert!(parsed_dir.join("parsed-ledger").is_file());

    // Same size, one byte different: the id `prd` becomes `prx`.
    repo.write("handoff.yaml", &LEDGER_INDEX.replace("id: prd", "id: prx"));
    step("an index edited in place");
    repo.write("handoff.yaml", LEDGER_INDEX);
    step("the index back as it was");
    // A ledger record changed in one byte (the day), the file removed, then written again.
    repo.write(".handoff/signoffs/prd.yaml", &ledger_record("accept", 2));
    step("a ledger record edited in place");
    repo.remove(".handoff/signoffs/prd.yaml");
    step("a ledger file removed");
    repo.write(".handoff/signoffs/prd.yaml", &ledger_record("accept", 1));
    step("a ledger file added");

    // Damaged or foreign cache files are ignored and replaced.
    std::fs::write(parsed_dir.join("parsed-index"), b"not a cache").unwrap();
    let mut torn = std::fs::read(parsed_dir.join("parsed-ledger")).unwrap();
    torn.truncate(torn.len() / 2);
    std::fs::write(parsed_dir.join("parsed-ledger"), torn).unwrap();
    assert_eq!(check(&[]), before, "damaged caches");
    assert_eq!(check(&[]), before, "replaced caches");
}

// ---------------------------------------------------------------------------------------------
// Random histories: build one, cache it, grow it (commits, branches from old commits, merges
// resolved either way), and check that the incremental answers equal a full walk and git.

const FILES: [&str; 5] = ["a.md", "b.md", "docs/c.md", "docs/d.md", "docs/deep/e.md"];

#[derive(Debug, Clone)]
enum Step {
    Write {
        file: usize,
        version: u8,
    },
    Delete {
        file: usize,
    },
    Commit,
    /// A new branch from `back` commits before HEAD (first parents).
    BranchFromOld {
        back: u8,
    },
    /// Back to main, merging the branch being worked on; `theirs` resolves to its version.
    MergeIntoMain {
        theirs: bool,
        restore: Option<usize>,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let file = 0..FILES.len();
    prop_oneof![
        5 => (file.clone(), 0u8..4).prop_map(|(file, version)| Step::Write { file, version }),
        1 => file.clone().prop_map(|file| Step::Delete { file }),
        4 => Just(Step::Commit),
        1 => (0u8..6).prop_map(|back| Step::BranchFromOld { back }),
        2 => (any::<bool>(), proptest::option::of(file))
            .prop_map(|(theirs, restore)| Step::MergeIntoMain { theirs, restore }),
    ]
}

struct Grower {
    repo: TestRepo,
    branches: usize,
    on_branch: Option<String>,
    time: i64,
}

impl Grower {
    fn tick(&mut self) -> i64 {
        self.time += TICK;
        self.time
    }

    fn commit_if_dirty(&mut self, message: &str) {
        if !self.repo.git(&["status", "--porcelain"]).is_empty() {
            let time = self.tick();
            self.repo.commit_at(message, time);
        }
    }

    fn apply(&mut self, step: &Step) {
        match step {
            Step::Write { file, version } => {
                let text = format!("{} v{version}\n", FILES[*file]);
                self.repo.write(FILES[*file], &text);
            }
            Step::Delete { file } => {
                if self.repo.abs(FILES[*file]).exists() {
                    self.repo.remove(FILES[*file]);
                }
            }
            Step::Commit => self.commit_if_dirty("change"),
            Step::BranchFromOld { back } => {
                self.commit_if_dirty("before branching");
                let count: u8 = self
                    .repo
                    .git(&["rev-list", "--count", "--first-parent", "HEAD"])
                    .parse()
                    .unwrap_or(1u32)
                    .min(u32::from(u8::MAX)) as u8;
                let back = (*back).min(count.saturating_sub(1));
                self.branches += 1;
                let name = format!("b{}", self.branches);
                self.repo
                    .git(&["checkout", "--quiet", "-b", &name, &format!("HEAD~{back}")]);
                self.on_branch = Some(name);
            }
            Step::MergeIntoMain { theirs, restore } => {
                self.commit_if_dirty("branch work");
                let Some(branch) = self.on_branch.take() else {
                    return;
                };
                self.repo.checkout("main");
                self.repo.merge_resolving(&branch);
                // Conflicts resolve to one side; a restored file goes back to the version
                // the branch has, which sends its chain down the old branch.
                let side = if *theirs { "--theirs" } else { "--ours" };
                let _ = self.repo.git_ok(&["checkout", side, "--", "."]);
                if let Some(file) = restore {
                    let _ = self.repo.git_ok(&["checkout", &branch, "--", FILES[*file]]);
                }
                self.repo.git(&["add", "-A"]);
                let time = self.tick();
                self.repo.commit_at("merge", time);
            }
        }
    }

    /// Ends on main with everything committed.
    fn settle(&mut self) {
        self.commit_if_dirty("settle");
        if self.on_branch.is_some() {
            self.apply(&Step::MergeIntoMain {
                theirs: false,
                restore: None,
            });
        }
    }

    fn specs(&self) -> Vec<PathSpec> {
        let mut specs: Vec<PathSpec> = self
            .repo
            .all_paths_in_history()
            .into_iter()
            .map(PathSpec::Exact)
            .collect();
        for path in FILES.iter().chain(&["", "docs", "docs/deep", "nothing.md"]) {
            specs.push(PathSpec::Exact(path.to_string()));
        }
        specs.push(PathSpec::Glob("docs/*.md".into()));
        specs.push(PathSpec::Glob("*.md".into()));
        specs
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 20,
        max_shrink_iters: 32,
        .. ProptestConfig::default()
    })]

    #[test]
    fn incremental_answers_equal_a_full_walk_and_git(
        before in proptest::collection::vec(step(), 1..25),
        grow in proptest::collection::vec(step(), 1..25),
        grow_again in proptest::collection::vec(step(), 0..12),
    ) {
        let mut grower = Grower {
            repo: TestRepo::new(),
            branches: 0,
            on_branch: None,
            time: EPOCH,
        };
        grower.repo.write("a.md", "a\n");
        grower.repo.commit_at("root", EPOCH);
        for step in &before {
            grower.apply(step);
        }
        grower.settle();
        // The cache holds the old path set; the grown history may add paths.
        let old_specs = grower.specs();
        let first = cached(&grower.repo, &old_specs);
        assert_exact(&grower.repo, &old_specs, &first);

        for round in [&grow, &grow_again] {
            let head = grower.repo.head();
            for step in round.iter() {
                grower.apply(step);
            }
            grower.settle();
            let specs = grower.specs();
            let changes = cached(&grower.repo, &specs);
            assert_exact(&grower.repo, &specs, &changes);
            if grower.repo.head() == head {
                prop_assert_eq!(changes.commits_visited, 0);
            }
            let again = cached(&grower.repo, &specs);
            prop_assert_eq!(again.commits_visited, 0);
            prop_assert_eq!(&again.histories, &changes.histories);
        }
    }
}

#[test]
fn writes_stay_in_the_git_directory() {
    let repo = small_history();
    cached(&repo, &exact(&PATHS));
    let file = cache_file(&repo);
    assert!(file.starts_with(repo.path().join(".git")));
    // No temporary file is left beside it.
    let dir = file.parent().unwrap();
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["last-change".to_string()]);
    assert!(!Path::new(&repo.abs("handoff")).exists());
}

// ---------------------------------------------------------------------------------------------
// The ledger files' history, cached per HEAD beside the last changes.

const LEDGER_INDEX: &str = "version: 1\nroles:\n  pm: { title: PM, people: [pm@example.com] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n";

fn ledger_record(action: &str, day: u32) -> String {
    format!(
        "- action: {action}\n  by: pm@example.com\n  role: pm\n  at: 2024-01-{day:02}T00:00:00Z\n  fingerprint: {}\n",
        "a".repeat(40)
    )
}

/// The PRD of [`LEDGER_INDEX`] with one `accept` committed in its ledger file.
fn prd_accepted() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", LEDGER_INDEX);
    repo.write("docs/prd.md", "# PRD\n");
    repo.write(".handoff/signoffs/prd.yaml", &ledger_record("accept", 1));
    repo.commit("accept");
    repo
}

#[test]
fn the_ledger_history_is_cached_per_head_and_equals_a_fresh_walk() {
    let repo = prd_accepted();
    let appended = ledger_record("accept", 1) + &ledger_record("approve", 2);
    repo.write(".handoff/signoffs/prd.yaml", &appended);
    repo.commit("approve");
    // A rewrite of a past record: the history must name it.
    repo.write(
        ".handoff/signoffs/prd.yaml",
        &(ledger_record("accept", 3) + &ledger_record("approve", 2)),
    );
    repo.commit("rewrite the accept");

    let workspace = Workspace::discover(repo.path()).unwrap();
    let git = open_repo(&workspace).unwrap();
    let fresh = facts::ledger_history::ledger_history(&git, &workspace).unwrap();
    assert!(fresh.files["prd"].rewrites.len() == 1, "{fresh:?}");
    let cache = HistoryCache::of(&git);
    assert_eq!(
        cache.ledger_history(&git, &workspace).unwrap(),
        (fresh.clone(), LedgerAnswer::Walked)
    );
    assert_eq!(
        cache.ledger_history(&git, &workspace).unwrap(),
        (fresh.clone(), LedgerAnswer::Stored),
        "the same HEAD is answered from the cache"
    );

    // A corrupt file is ignored, walked again and replaced.
    let file = cache_file(&repo).with_file_name("ledger-history");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(
        cache.ledger_history(&git, &workspace).unwrap(),
        (fresh.clone(), LedgerAnswer::Walked)
    );

    // A new commit: only it is walked, joined to the stored history, equal to a fresh walk.
    let answers_fresh = |expected: LedgerAnswer| {
        let git = open_repo(&workspace).unwrap();
        let fresh = facts::ledger_history::ledger_history(&git, &workspace).unwrap();
        assert_eq!(
            cache.ledger_history(&git, &workspace).unwrap(),
            (fresh.clone(), expected),
            "at {}",
            repo.head()
        );
        fresh
    };
    let prd_so_far =
        ledger_record("accept", 3) + &ledger_record("approve", 2) + &ledger_record("approve", 4);
    repo.write(".handoff/signoffs/prd.yaml", &prd_so_far);
    repo.commit("approve again");
    answers_fresh(LedgerAnswer::Extended);

    // A side branch appends to a new file and rewrites it; the main branch appends to the
    // other; the merge joins them. Only the new commits are walked.
    let main = repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]);
    repo.branch("side");
    repo.write(".handoff/signoffs/eval.yaml", &ledger_record("accept", 5));
    repo.commit("side: accept eval");
    repo.write(".handoff/signoffs/eval.yaml", &ledger_record("accept", 6));
    repo.commit("side: rewrite it");
    repo.checkout(main.trim());
    repo.write(
        ".handoff/signoffs/prd.yaml",
        &(prd_so_far + &ledger_record("approve", 7)),
    );
    repo.commit("main: approve");
    repo.merge_no_ff("side", "merge side");
    let merged = answers_fresh(LedgerAnswer::Extended);
    assert_eq!(merged.files["eval"].rewrites.len(), 1, "{merged:?}");
    assert_eq!(merged.files["prd"].rewrites.len(), 1, "{merged:?}");

    // An amended merge no longer descends from the stored merge, but from the HEADs before
    // it: walked from the newest of those.
    repo.git(&["commit", "--quiet", "--amend", "-m", "merge side, amended"]);
    answers_fresh(LedgerAnswer::Extended);

    // A reset to an unrelated history has no stored ancestor: walked whole.
    repo.git(&["checkout", "--quiet", "--orphan", "unrelated"]);
    repo.commit("unrelated root");
    answers_fresh(LedgerAnswer::Walked);
}

// ---------------------------------------------------------------------------------------------
// Work-tree facts lean on the git index's stat data: at 10,000 artifacts, only files whose
// stat changed are read and hashed.

#[test]
fn only_files_whose_stat_changed_are_hashed_at_ten_thousand_artifacts() {
    const FILES: usize = 10_000;
    const DIRS: usize = 100;
    let repo = TestRepo::new();
    for i in 0..FILES {
        repo.write(&format!("docs/d{}/a{i}.md", i % DIRS), &format!("# A{i}\n"));
    }
    repo.commit("ten thousand artifacts");
    let targets: Vec<handoff::core::model::Target> = (0..FILES)
        .map(|i| handoff::core::model::Target::Path(format!("docs/d{}/a{i}.md", i % DIRS)))
        .chain((0..DIRS).map(|d| handoff::core::model::Target::Path(format!("docs/d{d}"))))
        .collect();
    let head_ids: std::collections::HashMap<String, String> = repo
        .git(&["ls-tree", "-r", "-t", "HEAD"])
        .lines()
        .filter_map(|line| {
            let (meta, path) = line.split_once('\t')?;
            Some((path.to_string(), meta.split(' ').nth(2)?.to_string()))
        })
        .collect();
    let workspace = Workspace::discover(repo.path()).unwrap();
    let git = open_repo(&workspace).unwrap();

    let read_all = || {
        let work_tree = facts::WorkTree::new(&git, &workspace);
        let facts: Vec<_> = targets.iter().map(|t| work_tree.facts(t)).collect();
        (facts, work_tree.files_hashed())
    };
    let (clean, hashed) = read_all();
    assert_eq!(hashed, 0, "a clean work tree is answered from the index");
    for (target, facts) in targets.iter().zip(&clean) {
        assert_eq!(
            facts.fingerprint.as_ref(),
            head_ids.get(target.as_str()),
            "{}",
            target.as_str()
        );
        assert!(!facts.uncommitted, "{}", target.as_str());
    }

    // Three edits and two files touched without a change, in five directories.
    for i in [1, 2, 3] {
        repo.write(&format!("docs/d{i}/a{i}.md"), &format!("# A{i}, edited\n"));
    }
    for i in [4, 5] {
        let path = repo.abs(&format!("docs/d{i}/a{i}.md"));
        let text = std::fs::read(&path).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&path, text).unwrap();
    }
    let (after, hashed) = read_all();
    // Each of the five files is hashed once as a file artifact and once inside its directory.
    assert_eq!(hashed, 2 * 5);
    let edited: Vec<&str> = targets
        .iter()
        .zip(&after)
        .filter(|(_, f)| f.uncommitted)
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        edited,
        [
            "docs/d1/a1.md",
            "docs/d2/a2.md",
            "docs/d3/a3.md",
            "docs/d1",
            "docs/d2",
            "docs/d3"
        ]
    );
}

/// CI restores `.git/handoff` from the main branch's last run into a fresh clone of a pull
/// request (`actions/cache`): the answers are keyed by commit ids, so they hold there, and
/// only the pull request's own commits are walked.
#[test]
fn a_cache_restored_into_another_clone_walks_only_the_new_commits() {
    let origin = small_history();
    origin.write("handoff.yaml", LEDGER_INDEX);
    origin.write(".handoff/signoffs/prd.yaml", &ledger_record("accept", 2));
    origin.commit("index and ledger");
    let main_run = origin.full_clone();
    let specs = exact(&PATHS);
    assert!(cached(&main_run, &specs).commits_visited > 0);
    assert!(check_json(&main_run, &[]).contains("\"findings\""));

    // Two commits on top of main, as a pull request adds them, then a fresh clone of it.
    origin.write("docs/prd.md", "# PRD v3\n");
    origin.commit("pr: prd v3");
    origin.write("elsewhere.txt", "y\n");
    origin.commit("pr: unrelated");
    let pr_run = origin.full_clone();
    copy_dir(
        &main_run.path().join(".git/handoff"),
        &pr_run.path().join(".git/handoff"),
    );

    let changes = cached(&pr_run, &specs);
    assert!(
        matches!(changes.outcome, CacheOutcome::Descendant { .. }),
        "{:?}",
        changes.outcome
    );
    assert_eq!(
        changes.commits_visited, 2,
        "only the pull request's commits"
    );
    assert_exact(&pr_run, &specs, &changes);
    assert_eq!(
        check_json(&pr_run, &[]),
        check_json(&pr_run, &["--no-cache"]),
        "the check with the restored cache says what a cold one says"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
