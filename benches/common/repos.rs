//! Synthetic repositories with a handoff, generated with `git fast-import` (100,000 commits in
//! about a minute) and kept under `target/bench-repos/` so that reruns start at once.
//!
//! The history is shaped like a product repository that grew: artifacts are added over the
//! first half of the history and edited at random after that, except every fifth one, which is
//! never touched again (so an exact history walk must go deep); code files churn in every
//! commit; every eighth commit on the main line merges a short side branch started a few
//! commits back, taking the branch's versions of the files it changed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::synthetic;

/// Bump when the generated content changes, so that cached repositories are rebuilt.
const GENERATION: u32 = 2;
/// Author and committer time of the first commit: 2019-01-01T00:00:00Z.
pub const START: i64 = 1_546_300_800;
/// Seconds between commits.
const STEP: i64 = 900;

#[derive(Debug, Clone, Copy)]
pub struct RepoSpec {
    pub name: &'static str,
    pub artifacts: usize,
    pub commits: usize,
    /// Code files churned by the history (not artifacts).
    pub code_files: usize,
}

pub const SMALL: RepoSpec = RepoSpec {
    name: "small",
    artifacts: 100,
    commits: 1_000,
    code_files: 300,
};
pub const MEDIUM: RepoSpec = RepoSpec {
    name: "medium",
    artifacts: 1_000,
    commits: 10_000,
    code_files: 3_000,
};
pub const LARGE: RepoSpec = RepoSpec {
    name: "large",
    artifacts: 10_000,
    commits: 100_000,
    code_files: 20_000,
};

/// Many artifacts and a short history: for what grows with the index (report, matrix,
/// context), measured against `handoff check` on the same repository.
pub const SCALE_10K: RepoSpec = RepoSpec {
    name: "scale-10k",
    artifacts: 10_000,
    commits: 200,
    code_files: 50,
};
pub const SCALE_50K: RepoSpec = RepoSpec {
    name: "scale-50k",
    artifacts: 50_000,
    commits: 400,
    code_files: 50,
};

/// A small deterministic generator (SplitMix64): the same repository on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Where an artifact lives: a file, a directory (every 25th) or a glob (every 100th).
pub fn artifact_target(i: usize) -> String {
    if i % 100 == 99 {
        format!("prompts/p{i}/*.yaml")
    } else if i % 25 == 24 {
        format!("evals/set-{i}")
    } else {
        format!("docs/area-{:02}/a{i}.md", i % 40)
    }
}

/// The files an artifact consists of.
fn artifact_files(i: usize) -> Vec<String> {
    if i % 100 == 99 {
        (0..3).map(|k| format!("prompts/p{i}/v{k}.yaml")).collect()
    } else if i % 25 == 24 {
        vec![
            format!("evals/set-{i}/README.md"),
            format!("evals/set-{i}/cases.jsonl"),
        ]
    } else {
        vec![artifact_target(i)]
    }
}

fn code_file(k: usize) -> String {
    format!("src/m{:03}/f{k}.rs", k % 200)
}

/// The content of a file at a revision.
pub fn content(path: &str, revision: u32) -> Vec<u8> {
    if path.ends_with(".md") {
        let i: usize = path
            .rsplit(['a', '-'])
            .next()
            .and_then(|s| s.trim_end_matches(".md").parse().ok())
            .unwrap_or(revision as usize);
        let mut text = synthetic::document_text(i);
        text.push_str(&format!("\nRevision {revision}.\n"));
        text.into_bytes()
    } else if path.ends_with(".yaml") {
        format!("model: m-{revision}\nprompt: |\n  Draft a reply. ({path})\nchangelog:\n  - r{revision}\n")
            .into_bytes()
    } else {
        format!("// {path}, revision {revision}\npub fn f() -> u32 {{\n    {revision}\n}}\n")
            .into_bytes()
    }
}

/// One commit of the generated history.
struct Commit {
    mark: usize,
    branch: &'static str,
    /// Parents as fast-import names them: `:<mark>` or a commit id.
    from: Option<String>,
    merge: Option<String>,
    time: i64,
    message: String,
    changes: Vec<(String, u32)>,
}

fn write_commit(out: &mut impl Write, commit: &Commit) -> std::io::Result<()> {
    let who = format!("p{}", commit.mark % synthetic::ROLES);
    writeln!(out, "commit refs/heads/{}", commit.branch)?;
    writeln!(out, "mark :{}", commit.mark)?;
    writeln!(
        out,
        "author {who} <{who}@example.com> {} +0000",
        commit.time
    )?;
    writeln!(
        out,
        "committer {who} <{who}@example.com> {} +0000",
        commit.time
    )?;
    writeln!(out, "data {}\n{}", commit.message.len(), commit.message)?;
    if let Some(from) = &commit.from {
        writeln!(out, "from {from}")?;
    }
    if let Some(merge) = &commit.merge {
        writeln!(out, "merge {merge}")?;
    }
    for (path, revision) in &commit.changes {
        let bytes = content(path, *revision);
        writeln!(out, "M 100644 inline {path}\ndata {}", bytes.len())?;
        out.write_all(&bytes)?;
        writeln!(out)?;
    }
    writeln!(out)
}

/// Plans a history of `spec.commits` commits; returns the commits and, per path, its last
/// revision on the main line.
struct Planner {
    rng: Rng,
    commits: Vec<Commit>,
    /// Revision of each path on the main line.
    main: BTreeMap<String, u32>,
    /// Marks of main-line commits, oldest first.
    main_marks: Vec<usize>,
    next_revision: u32,
    time: i64,
}

impl Planner {
    fn new(seed: u64, start: i64) -> Planner {
        Planner {
            rng: Rng::new(seed),
            commits: Vec::new(),
            main: BTreeMap::new(),
            main_marks: Vec::new(),
            next_revision: 1,
            time: start,
        }
    }

    fn revision(&mut self) -> u32 {
        self.next_revision += 1;
        self.next_revision
    }

    fn tick(&mut self) -> i64 {
        self.time += STEP;
        self.time
    }

    /// Random edits: a code file or two, and now and then an artifact that is not dormant.
    fn edits(&mut self, created_artifacts: usize, created_code: usize) -> Vec<(String, u32)> {
        let mut changes = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            if created_code > 0 {
                let path = code_file(self.rng.below(created_code));
                let revision = self.revision();
                changes.push((path, revision));
            }
        }
        if created_artifacts > 0 && self.rng.below(2) == 0 {
            let i = self.rng.below(created_artifacts);
            if !i.is_multiple_of(5) {
                let files = artifact_files(i);
                let path = files[self.rng.below(files.len())].clone();
                let revision = self.revision();
                changes.push((path, revision));
            }
        }
        changes.sort();
        changes.dedup_by(|a, b| a.0 == b.0);
        changes
    }

    fn main_commit(&mut self, changes: Vec<(String, u32)>, merge: Option<usize>, message: String) {
        let mark = self.commits.len() + 1;
        for (path, revision) in &changes {
            self.main.insert(path.clone(), *revision);
        }
        let time = self.tick();
        self.commits.push(Commit {
            mark,
            branch: "main",
            from: self.main_marks.last().map(|m| format!(":{m}")),
            merge: merge.map(|m| format!(":{m}")),
            time,
            message,
            changes,
        });
        self.main_marks.push(mark);
    }

    /// A side branch of one to three commits from a recent main-line commit, merged back
    /// with the branch's versions of what it changed.
    fn side_branch_and_merge(&mut self, created_artifacts: usize, created_code: usize) -> usize {
        let back = 1 + self.rng.below(12).min(self.main_marks.len() - 1);
        let base = self.main_marks[self.main_marks.len() - back];
        let mut tip = base;
        let mut changed: BTreeMap<String, u32> = BTreeMap::new();
        let length = 1 + self.rng.below(3);
        for n in 0..length {
            let changes = self.edits(created_artifacts, created_code);
            for (path, revision) in &changes {
                changed.insert(path.clone(), *revision);
            }
            let mark = self.commits.len() + 1;
            let time = self.tick();
            self.commits.push(Commit {
                mark,
                branch: "side",
                from: Some(format!(":{tip}")),
                merge: None,
                time,
                message: format!("side work {n}"),
                changes,
            });
            tip = mark;
        }
        let merged: Vec<(String, u32)> = changed.into_iter().collect();
        self.main_commit(merged, Some(tip), "Merge side branch".to_string());
        length + 1
    }
}

/// The final files of the generated history plus the handoff: index and ledger.
fn handoff_files(spec: &RepoSpec, main: &BTreeMap<String, u32>) -> Vec<(String, Vec<u8>)> {
    let index = synthetic::index_yaml(spec.artifacts, &artifact_target);
    let mut files = vec![("handoff.yaml".to_string(), index.into_bytes())];
    let at =
        jiff::Timestamp::from_second(START + spec.commits as i64 * STEP).expect("a time in range");
    let fingerprint_of = |i: usize| -> Option<String> {
        // Only single-file artifacts are signed; their fingerprint is the blob id.
        let files = artifact_files(i);
        let [path] = files.as_slice() else {
            return None;
        };
        let revision = main.get(path)?;
        git2::Oid::hash_object(git2::ObjectType::Blob, &content(path, *revision))
            .ok()
            .map(|oid| oid.to_string())
    };
    for i in 0..spec.artifacts {
        let Some(fingerprint) = fingerprint_of(i) else {
            continue;
        };
        // Every fourth approval saw older content: changed-since-signoff.
        let signed = if i % 4 == 0 {
            format!("{:040x}", i)
        } else {
            fingerprint
        };
        let upstream = (i > 0)
            .then(|| fingerprint_of(i - 1).map(|fp| (format!("a{}", i - 1), fp)))
            .flatten();
        let owner = format!("role-{}", i % synthetic::ROLES);
        let records = synthetic::signoffs(i, &owner, &signed, upstream, at);
        if records.is_empty() {
            continue;
        }
        let mut yaml = String::new();
        for r in records {
            yaml.push_str(&format!(
                "- action: {}\n  by: {}\n  role: {}\n  at: {}\n  fingerprint: {}\n",
                r.action.as_str(),
                r.by,
                r.role,
                r.at,
                r.fingerprint.unwrap_or_default()
            ));
            if !r.upstream.is_empty() {
                yaml.push_str("  upstream:\n");
                for (id, fp) in r.upstream {
                    yaml.push_str(&format!("    {id}: {}\n", fp.unwrap_or_default()));
                }
            }
        }
        files.push((format!(".handoff/signoffs/a{i}.yaml"), yaml.into_bytes()));
    }
    files
}

/// Runs git with the machine's configuration kept out.
pub fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("LC_ALL", "C");
    command
}

pub fn run_git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = git(dir)
        .args(args)
        .output()
        .map_err(|e| format!("git {}: {e}", args.join(" ")))?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Feeds commits to `git fast-import` in `dir`.
fn fast_import(dir: &Path, commits: &[Commit]) -> Result<(), String> {
    let mut child = git(dir)
        .args(["fast-import", "--quiet", "--force"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("git fast-import: {e}"))?;
    {
        let stdin = child.stdin.as_mut().ok_or("fast-import has no stdin")?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
        for commit in commits {
            write_commit(&mut out, commit).map_err(|e| format!("fast-import: {e}"))?;
        }
        out.flush().map_err(|e| format!("fast-import: {e}"))?;
    }
    let status = child.wait().map_err(|e| format!("fast-import: {e}"))?;
    if !status.success() {
        return Err(format!("git fast-import failed: {status}"));
    }
    Ok(())
}

/// The directory generated repositories are kept in.
pub fn repos_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-repos")
}

/// The repository of `spec`, generated unless a complete one is already there.
pub fn ensure(spec: &RepoSpec) -> Result<PathBuf, String> {
    let dir = repos_dir().join(format!("{}-g{GENERATION}", spec.name));
    let done = dir.join(".git/bench-complete");
    if done.exists() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "generating the {} repository ({} artifacts, {} commits) in {}…",
        spec.name,
        spec.artifacts,
        spec.commits,
        dir.display()
    );
    run_git(&dir, &["init", "--quiet", "--initial-branch=main"])?;

    let mut plan = Planner::new(0x5eed ^ spec.commits as u64, START);
    let creation_span = spec.commits / 2;
    let mut created_artifacts = 0;
    let mut created_code = 0;
    while plan.commits.len() + 1 < spec.commits {
        let n = plan.commits.len();
        // What exists by now: artifacts and code files arrive over the first half.
        let mut changes = Vec::new();
        let want_artifacts = (spec.artifacts * (n + 1)).div_ceil(creation_span.max(1));
        while created_artifacts < want_artifacts.min(spec.artifacts) {
            for path in artifact_files(created_artifacts) {
                let revision = plan.revision();
                changes.push((path, revision));
            }
            created_artifacts += 1;
        }
        let want_code = (spec.code_files * (n + 1)).div_ceil(creation_span.max(1));
        while created_code < want_code.min(spec.code_files) {
            let revision = plan.revision();
            changes.push((code_file(created_code), revision));
            created_code += 1;
        }
        if changes.is_empty()
            && plan.main_marks.len() % 8 == 7
            && plan.commits.len() + 5 < spec.commits
        {
            plan.side_branch_and_merge(created_artifacts, created_code);
            continue;
        }
        changes.extend(plan.edits(created_artifacts, created_code));
        changes.sort();
        changes.dedup_by(|a, b| a.0 == b.0);
        plan.main_commit(changes, None, format!("change {n}"));
    }
    fast_import(&dir, &plan.commits)?;
    // The handoff itself, committed last by git.
    let handoff = handoff_files(spec, &plan.main);
    for (path, bytes) in &handoff {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    run_git(&dir, &["update-ref", "-d", "refs/heads/side"]).ok();
    // fast-import writes no work tree: check main out (the handoff's files are untracked
    // and stay).
    run_git(&dir, &["checkout", "--quiet", "--force", "main"])?;
    run_git(&dir, &["add", "handoff.yaml", ".handoff"])?;
    let time = format!("@{} +0000", plan.time + STEP);
    git(&dir)
        .args([
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@example.com",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Handoff index and ledger",
        ])
        .env("GIT_AUTHOR_DATE", &time)
        .env("GIT_COMMITTER_DATE", &time)
        .status()
        .map_err(|e| format!("git commit: {e}"))?;
    run_git(&dir, &["update-index", "--refresh", "-q"]).ok();
    std::fs::write(&done, b"").map_err(|e| format!("{}: {e}", done.display()))?;
    Ok(dir)
}

/// Adds `count` commits on top of HEAD, as a pull would, on branch `branch`, and checks it
/// out: edits of code files and of the first `artifacts` artifacts, and every tenth commit a
/// merge of a one-commit branch started four commits back. Returns the new HEAD.
pub fn add_commits(
    dir: &Path,
    branch: &str,
    count: usize,
    artifacts: usize,
    seed: u64,
) -> Result<String, String> {
    let head = run_git(dir, &["rev-parse", "HEAD"])?;
    let time: i64 = run_git(dir, &["log", "-1", "--format=%ct"])?
        .parse()
        .map_err(|e| format!("HEAD's time: {e}"))?;
    let mut plan = Planner::new(seed, time);
    plan.next_revision = 1_000_000 + (seed % 1_000) as u32 * 1_000;
    let mut commits: Vec<Commit> = Vec::new();
    let mut main: Vec<String> = vec![head];
    while commits.len() < count {
        let mark = commits.len() + 1;
        let mut changes = plan.edits(artifacts, 100);
        let mut merge = None;
        if main.len() > 4 && mark.is_multiple_of(10) && commits.len() + 2 <= count {
            let side_changes = plan.edits(artifacts, 100);
            commits.push(Commit {
                mark,
                branch: "bench-side",
                from: Some(main[main.len() - 4].clone()),
                merge: None,
                time: plan.tick(),
                message: format!("side work {mark}"),
                changes: side_changes.clone(),
            });
            merge = Some(format!(":{mark}"));
            changes = side_changes;
        }
        let mark = commits.len() + 1;
        commits.push(Commit {
            mark,
            branch: "bench-new",
            from: main.last().cloned(),
            merge,
            time: plan.tick(),
            message: format!("new work {mark}"),
            changes,
        });
        main.push(format!(":{mark}"));
    }
    fast_import(dir, &commits)?;
    run_git(
        dir,
        &[
            "update-ref",
            &format!("refs/heads/{branch}"),
            "refs/heads/bench-new",
        ],
    )?;
    run_git(dir, &["update-ref", "-d", "refs/heads/bench-new"])?;
    run_git(dir, &["update-ref", "-d", "refs/heads/bench-side"]).ok();
    run_git(dir, &["checkout", "--quiet", branch])?;
    run_git(dir, &["rev-parse", "HEAD"])
}
