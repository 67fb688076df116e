//! Checks `handoff::repo::facts::last_changes` on a real repository: runs it over every path of
//! HEAD's tree (files and directories), compares each answer with what
//! `git log -1 --format=%H -- <path>` prints, and times the walk against the cheapest bulk
//! alternative git offers, `git log --name-only --format=%H` (which is not exact: it misses
//! what merges do).
//!
//! ```text
//! cargo run --release --example last_change -- <repository> [--sample N] [--seed S] [--jobs J] [--repeat R]
//! ```
//!
//! `--sample N` checks N paths picked at random (the walk still covers all of them); the
//! comparison runs `git log` once per path, on J threads. `--repeat R` runs the walk and the
//! baseline R times each and reports the fastest run of each (timings on a busy machine vary).

use std::error::Error;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use git2::{ObjectType, TreeWalkMode, TreeWalkResult};
use handoff::core::model::History;
use handoff::repo::facts::{self, PathSpec};
use handoff::repo::workspace::Workspace;

struct Options {
    repository: std::path::PathBuf,
    sample: Option<usize>,
    seed: u64,
    jobs: usize,
    repeat: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn parse_options() -> Result<Options, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut repository = None;
    let mut options = Options {
        repository: Default::default(),
        sample: None,
        seed: 0x5eed,
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        repeat: 1,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--sample" => options.sample = Some(value("--sample")?.parse()?),
            "--seed" => options.seed = value("--seed")?.parse()?,
            "--jobs" => options.jobs = value("--jobs")?.parse::<usize>()?.max(1),
            "--repeat" => options.repeat = value("--repeat")?.parse::<usize>()?.max(1),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}").into()),
            _ => repository = Some(std::path::PathBuf::from(arg)),
        }
    }
    options.repository =
        repository.ok_or("usage: last_change <repository> [--sample N] [--seed S] [--jobs J]")?;
    Ok(options)
}

fn run() -> Result<bool, Box<dyn Error>> {
    let options = parse_options()?;
    let workspace = Workspace::discover(&options.repository)?;
    let repo = facts::open_repo(&workspace)?;
    let head_tree = repo.head()?.peel_to_tree()?;
    let mut paths = Vec::new();
    head_tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if let Ok(name) = entry.name() {
            paths.push(format!("{dir}{name}"));
        }
        TreeWalkResult::Ok
    })?;
    let directories = {
        let mut count = 0;
        head_tree.walk(TreeWalkMode::PreOrder, |_, entry| {
            count += usize::from(entry.kind() == Some(ObjectType::Tree));
            TreeWalkResult::Ok
        })?;
        count
    };
    println!(
        "{}: {} paths in HEAD's tree ({} files, {directories} directories)",
        workspace.repo_root.display(),
        paths.len(),
        paths.len() - directories
    );

    // The baseline first: it also warms the operating system's cache for the walk.
    let mut baseline = Duration::MAX;
    for _ in 0..options.repeat {
        let started = Instant::now();
        let status = Command::new("git")
            .args(["log", "--name-only", "--format=%H"])
            .current_dir(&workspace.repo_root)
            .stdout(Stdio::null())
            .status()?;
        baseline = baseline.min(started.elapsed());
        if !status.success() {
            return Err("git log --name-only failed".into());
        }
    }

    let specs: Vec<PathSpec> = paths.iter().cloned().map(PathSpec::Exact).collect();
    let mut walk = Duration::MAX;
    let mut first_answer = Duration::MAX;
    let mut histories = Vec::new();
    for _ in 0..options.repeat {
        // A fresh repository each time: libgit2's object cache belongs to it.
        let repo = facts::open_repo(&workspace)?;
        let started = Instant::now();
        let mut first = None;
        histories = facts::last_changes(&repo, &specs, &mut |_, _| {
            first.get_or_insert_with(|| started.elapsed());
        })?;
        walk = walk.min(started.elapsed());
        first_answer = first_answer.min(first.unwrap_or_default());
    }
    let fastest = if options.repeat > 1 {
        " (fastest of each)"
    } else {
        ""
    };
    println!(
        "walk: {:.3} s for all {} paths (first answer after {:.3} s); \
         baseline `git log --name-only --format=%H`: {:.3} s{fastest}",
        walk.as_secs_f64(),
        paths.len(),
        first_answer.as_secs_f64(),
        baseline.as_secs_f64()
    );

    let checked = sample(paths.len(), options.sample, options.seed);
    let started = Instant::now();
    let disagreements =
        compare_with_git_log(&workspace, &paths, &histories, &checked, options.jobs)?;
    let per_path = started.elapsed().as_secs_f64() / checked.len().max(1) as f64;
    println!(
        "agreement with `git log -1 -- <path>`: {} of {} checked paths ({} disagree); \
         git log -1 took {:.1} ms per path ({} jobs)",
        checked.len() - disagreements.len(),
        checked.len(),
        disagreements.len(),
        per_path * 1000.0 * options.jobs as f64,
        options.jobs
    );
    for line in disagreements.iter().take(20) {
        println!("  {line}");
    }
    Ok(disagreements.is_empty())
}

/// Indices of the paths to check: all, or `n` distinct ones picked with a fixed seed.
fn sample(total: usize, n: Option<usize>, seed: u64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..total).collect();
    let Some(n) = n.filter(|&n| n < total) else {
        return indices;
    };
    // A partial Fisher-Yates shuffle driven by xorshift64: reproducible without a crate.
    let mut state = seed.max(1);
    for i in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = i + (state % (total - i) as u64) as usize;
        indices.swap(i, j);
    }
    indices.truncate(n);
    indices.sort_unstable();
    indices
}

fn compare_with_git_log(
    workspace: &Workspace,
    paths: &[String],
    histories: &[History],
    checked: &[usize],
    jobs: usize,
) -> Result<Vec<String>, Box<dyn Error>> {
    let next = AtomicUsize::new(0);
    let disagreements = Mutex::new(Vec::new());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let position = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&index) = checked.get(position) else {
                        break;
                    };
                    let path = &paths[index];
                    let output = Command::new("git")
                        .args(["log", "-1", "--format=%H", "--", path])
                        .env("GIT_LITERAL_PATHSPECS", "1")
                        .current_dir(&workspace.repo_root)
                        .output();
                    let expected = match output {
                        Ok(output) if output.status.success() => {
                            String::from_utf8_lossy(&output.stdout).trim().to_string()
                        }
                        Ok(output) => {
                            record_failure(
                                &failure,
                                String::from_utf8_lossy(&output.stderr).into_owned(),
                            );
                            break;
                        }
                        Err(e) => {
                            record_failure(&failure, e.to_string());
                            break;
                        }
                    };
                    let ours = match &histories[index] {
                        History::Changed(change) => change.commit.clone(),
                        _ => String::new(),
                    };
                    if ours != expected {
                        let line = format!("{path}: git {expected:?}, ours {:?}", histories[index]);
                        if let Ok(mut list) = disagreements.lock() {
                            list.push(line);
                        }
                    }
                }
            });
        }
    });
    if let Some(message) = failure.into_inner().ok().flatten() {
        return Err(format!("git log -1 failed: {message}").into());
    }
    let mut list = disagreements.into_inner().unwrap_or_default();
    list.sort();
    Ok(list)
}

/// Keeps the first failure of any thread.
fn record_failure(failure: &Mutex<Option<String>>, message: String) {
    if let Ok(mut first) = failure.lock() {
        first.get_or_insert(message);
    }
}
