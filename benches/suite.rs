//! handoff's benchmark suite: history and check against `git log`, the workbench's first
//! frame, frame time, save-to-repaint latency and peak memory, on synthetic repositories of
//! three sizes and on any repository given.
//!
//! ```text
//! cargo bench --bench suite                                # small, medium and large
//! cargo bench --bench suite -- --sizes small,medium        # fewer sizes
//! cargo bench --bench suite -- --repo /path/to/repository  # also an existing repository
//! HANDOFF_BENCH_REPO=/path/to/repository cargo bench --bench suite
//! cargo bench --bench suite -- --runs 5 --saves 50         # more repetitions
//! cargo bench --bench suite -- --sizes large --only repaint  # one measure: history,
//!                                                          # first-frame, frames, repaint, memory,
//!                                                          # outputs
//! ```
//!
//! `outputs` times `report`, `matrix` and `context` against `check` on repositories of 10,000
//! and 50,000 artifacts (short histories, generated once like the others), and prints each as
//! a ratio to `check`.
//!
//! `org` times `handoff org` over 500 generated check results against C, `cat` reading the
//! same files in the same run.
//!
//! Every history figure is a ratio to L, the time `git log --name-only --format=%H` takes on
//! the same repository in the same run (the cheapest bulk answer git offers; it is not exact
//! for merges, handoff's walk is). Each figure is the median of `--runs` runs. The report is
//! printed as Markdown and written to `target/bench-report.md`.
//!
//! An existing repository is cloned (`git clone --local`) under `target/bench-repos/`; the
//! clone gets a generated `handoff.yaml` naming up to 10,000 of its paths. The original is
//! never written to.

mod common;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::repos::{self, LARGE, MEDIUM, RepoSpec, SCALE_10K, SCALE_50K, SMALL, run_git};
use common::synthetic;
use handoff::engine::worker::FactsUpdate;
use handoff::engine::{self, Snapshot};
use handoff::repo::watch::{WatchEvent, WatchOptions};
use handoff::tui::action::Action as UiAction;
use handoff::tui::app::{App, Options, View};
use handoff::tui::keymap::Keymap;
use handoff::tui::runtime::{Runtime, apply_facts};
use handoff::tui::theme::Theme;
use handoff::tui::{TuiOptions, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const HANDOFF: &str = env!("CARGO_BIN_EXE_handoff");
/// The clock every check runs at: after the generated histories end.
const NOW: &str = "2026-01-01T00:00:00Z";
const FRAME_SIZE: (u16, u16) = (120, 40);
const FRAMES: usize = 300;
const NEW_COMMITS: usize = 100;
const DEBOUNCE: Duration = Duration::from_millis(50);

// Targets (issue 19).
/// A cold check on every core (two here), as a ratio to L.
const COLD_TARGET: f64 = 0.6;
/// A cold check where git's changed-path Bloom filters exist.
const FILTERED_TARGET: f64 = 0.3;
/// Peak resident set of a cold check at 100,000 commits.
const MEMORY_TARGET_KIB: u64 = 300 * 1024;
const WARM_TARGET: f64 = 0.05;
const WARM_ABSOLUTE: Duration = Duration::from_millis(50);
const AFTER_NEW_TARGET: f64 = 0.1;
const FIRST_FRAME_TARGET: Duration = Duration::from_millis(100);
const FRAME_TARGET: Duration = Duration::from_millis(2);
const REPAINT_SLACK: Duration = Duration::from_millis(10);
/// Report, matrix and context within this factor of `check` (issue 20).
const OUTPUTS_FACTOR: f64 = 3.0;
/// The organisation view of this many result files within [`ORG_TARGET`] (issue 18).
const ORG_REPOSITORIES: usize = 500;
const ORG_TARGET: Duration = Duration::from_secs(1);

struct SuiteOptions {
    sizes: Vec<RepoSpec>,
    external: Vec<PathBuf>,
    runs: usize,
    saves: usize,
    /// The measures to take (`--only`): all of [`MEASURES`] unless narrowed.
    only: Vec<&'static str>,
}

/// What the suite measures, as `--only` names them.
const MEASURES: [&str; 7] = [
    "history",
    "first-frame",
    "frames",
    "repaint",
    "memory",
    "outputs",
    "org",
];

impl SuiteOptions {
    fn wants(&self, measure: &str) -> bool {
        self.only.contains(&measure)
    }
}

fn parse_options() -> Result<SuiteOptions, String> {
    let mut options = SuiteOptions {
        sizes: vec![SMALL, MEDIUM, LARGE],
        external: std::env::var_os("HANDOFF_BENCH_REPO")
            .map(|v| std::env::split_paths(&v).collect())
            .unwrap_or_default(),
        runs: 3,
        saves: 50,
        only: MEASURES.to_vec(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            // What `cargo bench` passes to every bench target.
            "--bench" => {}
            "--sizes" => {
                options.sizes = value("--sizes")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| match s {
                        "small" => Ok(SMALL),
                        "medium" => Ok(MEDIUM),
                        "large" => Ok(LARGE),
                        other => Err(format!("unknown size {other}: small, medium or large")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--repo" => options.external.push(PathBuf::from(value("--repo")?)),
            "--only" => {
                options.only = value("--only")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        MEASURES
                            .iter()
                            .copied()
                            .find(|m| *m == s)
                            .ok_or(format!("unknown measure {s}: {}", MEASURES.join(", ")))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--runs" => {
                options.runs = value("--runs")?
                    .parse::<usize>()
                    .map_err(|e| e.to_string())?
                    .max(1)
            }
            "--saves" => {
                options.saves = value("--saves")?
                    .parse::<usize>()
                    .map_err(|e| e.to_string())?
                    .max(1)
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn main() {
    // `--peak-rss PROGRAM ARGS...`: run PROGRAM from this small process and report its peak
    // resident set on stderr's last line. A child's peak includes what it inherited at fork,
    // so measuring from the suite itself (hundreds of MiB by then) would report the suite.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--peak-rss") {
        std::process::exit(peak_rss_helper(&args[2..]));
    }
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

/// A repository under test, with its handoff.
struct Subject {
    label: String,
    dir: PathBuf,
    artifacts: usize,
    commits: usize,
    /// How many of the generated artifacts `add_commits` may edit.
    editable_artifacts: usize,
    /// A file artifact to save in the save-to-repaint test.
    save_path: Option<String>,
}

fn run() -> Result<(), String> {
    let options = parse_options()?;
    let mut report = Report::default();
    report.header()?;

    let mut subjects = Vec::new();
    // `frames` and `outputs` bring their own inputs: the sized repositories are generated
    // only for the measures that use them.
    let wants_subjects = ["history", "first-frame", "repaint", "memory"]
        .iter()
        .any(|m| options.wants(m));
    for spec in options.sizes.iter().filter(|_| wants_subjects) {
        let dir = repos::ensure(spec)?;
        subjects.push(Subject {
            label: format!("{} (synthetic)", spec.name),
            commits: commit_count(&dir)?,
            dir,
            artifacts: spec.artifacts,
            editable_artifacts: spec.artifacts,
            save_path: Some("docs/area-01/a1.md".to_string()),
        });
    }
    for path in options.external.iter().filter(|_| wants_subjects) {
        subjects.push(external_subject(path)?);
    }

    for subject in &subjects {
        eprintln!("measuring {}…", subject.label);
        if options.wants("history") {
            let history = measure_history(subject, options.runs)?;
            report.history.push((
                subject.label.clone(),
                subject.artifacts,
                subject.commits,
                history,
            ));
        }
        if options.wants("first-frame") {
            let first = measure_first_frame(&subject.dir, options.runs)?;
            report
                .first_frames
                .push((subject.label.clone(), subject.artifacts, first));
        }
    }

    if options.wants("frames") {
        eprintln!("measuring frame time…");
        for n in [1_000, 10_000, 50_000] {
            report.frames.push(measure_frames(n));
        }
    }

    if options.wants("repaint") {
        measure_repaints(&mut report, &subjects, options.saves)?;
    }
    if options.wants("memory") {
        measure_memories(&mut report, &subjects)?;
    }
    if options.wants("outputs") {
        for spec in [SCALE_10K, SCALE_50K] {
            eprintln!(
                "measuring report, matrix and context at {} artifacts…",
                spec.artifacts
            );
            report.outputs.push(measure_outputs(&spec, options.runs)?);
        }
    }

    if options.wants("org") {
        eprintln!("measuring the org view of {ORG_REPOSITORIES} results…");
        report.org = Some(measure_org(options.runs)?);
    }

    let text = report.render();
    println!("{text}");
    let out = repos::repos_dir()
        .parent()
        .map(|target| target.join("bench-report.md"))
        .ok_or("no target directory")?;
    std::fs::write(&out, &text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("report written to {}", out.display());
    Ok(())
}

/// Save-to-repaint on the demo handoff and on the largest repository with a file to save.
fn measure_repaints(report: &mut Report, subjects: &[Subject], saves: usize) -> Result<(), String> {
    eprintln!("measuring save-to-repaint…");
    let sample_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    let sample = handoff::repo::sample::build(&sample_dir.path().join("sample"), now)
        .map_err(|e| e.to_string())?;
    let sample_artifacts =
        engine::load_index_file(&engine::locate(Some(&sample)).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?
            .artifacts
            .len();
    report.repaints.push((
        "sample (handoff demo)".to_string(),
        sample_artifacts,
        measure_save_to_repaint(&sample, "docs/prd.md", saves)?,
    ));
    if let Some(largest) = subjects
        .iter()
        .filter(|s| s.save_path.is_some())
        .max_by_key(|s| s.artifacts)
    {
        let path = largest.save_path.as_deref().unwrap_or_default();
        report.repaints.push((
            largest.label.clone(),
            largest.artifacts,
            measure_save_to_repaint(&largest.dir, path, saves)?,
        ));
        run_git(&largest.dir, &["checkout", "--quiet", "--", path])?;
    }

    Ok(())
}

/// Peak memory of each repository's check, then the largest again with a tenth of its
/// artifacts (memory follows artifacts).
fn measure_memories(report: &mut Report, subjects: &[Subject]) -> Result<(), String> {
    eprintln!("measuring peak memory…");
    for subject in subjects {
        report.memory.push(measure_memory(
            &subject.label,
            &subject.dir,
            subject.artifacts,
            subject.commits,
        )?);
    }
    // The largest repository again with a tenth of its artifacts: memory follows artifacts.
    if let Some(large) = subjects.iter().find(|s| s.label.starts_with("large")) {
        let subset = large.artifacts / 10;
        let index = large.dir.join("handoff.yaml");
        std::fs::write(
            &index,
            synthetic::index_yaml(subset, &repos::artifact_target),
        )
        .map_err(|e| e.to_string())?;
        let figure = measure_memory(&large.label, &large.dir, subset, large.commits);
        run_git(&large.dir, &["checkout", "--quiet", "--", "handoff.yaml"])?;
        report.memory.push(figure?);
    }

    Ok(())
}

fn commit_count(dir: &Path) -> Result<usize, String> {
    run_git(dir, &["rev-list", "--count", "HEAD"])?
        .parse()
        .map_err(|e| format!("commit count: {e}"))
}

/// A local clone of an existing repository with a generated index over up to 10,000 of its
/// paths (files, the top-level directories, and a glob).
fn external_subject(path: &Path) -> Result<Subject, String> {
    let source = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repository".into());
    let dir = repos::repos_dir().join(format!("ext-{name}"));
    if !dir.join(".git/bench-complete").exists() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(repos::repos_dir()).map_err(|e| e.to_string())?;
        eprintln!("cloning {} into {}…", source.display(), dir.display());
        run_git(
            &repos::repos_dir(),
            &[
                "clone",
                "--quiet",
                "--local",
                &source.display().to_string(),
                &dir.display().to_string(),
            ],
        )?;
        let files = run_git(&dir, &["ls-tree", "-r", "--name-only", "HEAD"])?;
        let mut paths: Vec<String> = files
            .lines()
            .filter(|p| {
                handoff::core::model::load::path_problem(p).is_none()
                    && !p.contains(['*', '?', '[', '"', '\\'])
            })
            .take(10_000)
            .map(str::to_string)
            .collect();
        let dirs = run_git(&dir, &["ls-tree", "-d", "--name-only", "HEAD"])?;
        paths.extend(dirs.lines().take(20).map(str::to_string));
        let mut seen = std::collections::HashSet::new();
        paths.retain(|p| seen.insert(p.to_lowercase()));
        let yaml = synthetic::index_yaml(paths.len(), &|i| format!("\"{}\"", paths[i]));
        std::fs::write(dir.join("handoff.yaml"), yaml).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(".git/bench-complete"), b"").map_err(|e| e.to_string())?;
    }
    let index = engine::load_index_file(&engine::locate(Some(&dir)).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let save_path = index.artifacts.iter().find_map(|a| match &a.target {
        handoff::core::model::Target::Path(p) if dir.join(p).is_file() => Some(p.clone()),
        _ => None,
    });
    Ok(Subject {
        label: format!("{name} (existing)"),
        commits: commit_count(&dir)?,
        artifacts: index.artifacts.len(),
        dir,
        editable_artifacts: 0,
        save_path,
    })
}

// ---------------------------------------------------------------------------------------------
// Child processes

/// What one child process cost.
struct ChildRun {
    elapsed: Duration,
    stdout: Vec<u8>,
}

/// Runs a command to completion, reading its output as it comes (kept when `keep_output`).
fn run_child(mut command: Command, keep_output: bool) -> Result<ChildRun, String> {
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("{command:?}: {e}"))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = vec![0; 1 << 16];
        loop {
            match stdout.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) if keep_output => kept.extend_from_slice(&buffer[..n]),
                Ok(_) => {}
            }
        }
        kept
    });
    let (code, _) = wait_with_rusage(&mut child)?;
    let elapsed = started.elapsed();
    let stdout = reader.join().map_err(|_| "output reader panicked")?;
    // `handoff check` exits 1 when findings fail the gate: a result, not an error.
    if !matches!(code, Some(0 | 1)) {
        return Err(format!("{command:?} exited with {code:?}"));
    }
    Ok(ChildRun { elapsed, stdout })
}

#[cfg(target_os = "linux")]
mod rusage {
    #[repr(C)]
    pub struct Timeval {
        pub seconds: i64,
        pub microseconds: i64,
    }

    /// `struct rusage` of Linux on 64-bit targets.
    #[repr(C)]
    pub struct RUsage {
        pub user: Timeval,
        pub system: Timeval,
        /// KiB.
        pub max_rss: i64,
        pub rest: [i64; 13],
    }

    unsafe extern "C" {
        pub fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut RUsage) -> i32;
    }
}

/// Waits for the child, returning its exit code (`None` when a signal ended it) and its
/// peak resident set in KiB.
#[cfg(target_os = "linux")]
fn wait_with_rusage(child: &mut std::process::Child) -> Result<(Option<i32>, u64), String> {
    let mut status = 0i32;
    let mut usage = rusage::RUsage {
        user: rusage::Timeval {
            seconds: 0,
            microseconds: 0,
        },
        system: rusage::Timeval {
            seconds: 0,
            microseconds: 0,
        },
        max_rss: 0,
        rest: [0; 13],
    };
    // SAFETY: `wait4` writes only into the two out-parameters, which live for the call; the
    // pid is our own child's, which std never waits for after this.
    let waited = unsafe { rusage::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    if waited < 0 {
        return Err("wait4 failed".to_string());
    }
    let exited = status & 0x7f == 0;
    let code = exited.then_some((status >> 8) & 0xff);
    Ok((code, usage.max_rss.max(0) as u64))
}

#[cfg(not(target_os = "linux"))]
fn wait_with_rusage(child: &mut std::process::Child) -> Result<(Option<i32>, u64), String> {
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.code(), 0))
}

fn peak_rss_helper(command: &[String]) -> i32 {
    let Some((program, args)) = command.split_first() else {
        return 2;
    };
    let mut command = Command::new(program);
    command.args(args);
    match command
        .spawn()
        .map_err(|e| e.to_string())
        .and_then(|mut child| wait_with_rusage(&mut child))
    {
        Ok((code, kib)) => {
            eprintln!("peak-rss-kib {kib}");
            code.unwrap_or(2)
        }
        Err(e) => {
            eprintln!("{e}");
            2
        }
    }
}

/// The peak resident set of a command, in KiB, measured from a fresh small process.
fn peak_rss(command: &Command) -> Result<u64, String> {
    let mut helper = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    helper.arg("--peak-rss").arg(command.get_program());
    helper.args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => helper.env(key, value),
            None => helper.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        helper.current_dir(dir);
    }
    let output = helper
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    reported_peak(&output.stderr)
}

/// The peak the helper reported on its standard error's last `peak-rss-kib` line.
fn reported_peak(stderr: &[u8]) -> Result<u64, String> {
    let stderr = String::from_utf8_lossy(stderr);
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak-rss-kib "))
        .and_then(|kib| kib.trim().parse().ok())
        .ok_or_else(|| format!("no peak reported: {stderr}"))
}

fn handoff_check(dir: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(HANDOFF);
    command
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(dir)
        .env("HANDOFF_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    command
}

fn git_log_baseline(dir: &Path) -> Command {
    let mut command = repos::git(dir);
    command.args(["log", "--name-only", "--format=%H"]);
    command
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn remove_cache(dir: &Path) -> Result<(), String> {
    let cache = dir.join(".git/handoff/cache");
    if cache.exists() {
        std::fs::remove_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// History and check

struct HistoryFigures {
    baseline: Duration,
    cold: Duration,
    /// Cold, the walk on one thread (`HANDOFF_THREADS=1`): what the other cores add.
    cold_one_thread: Duration,
    /// Cold, with git's changed-path Bloom filters in a commit-graph.
    cold_filtered: Duration,
    warm: Duration,
    after_new: Duration,
    /// The JSON of cold, warm and after-new checks equals that of `--no-cache` checks.
    identical: bool,
}

fn measure_history(subject: &Subject, runs: usize) -> Result<HistoryFigures, String> {
    let dir = &subject.dir;
    let timed = |make: &dyn Fn() -> Command, before: &dyn Fn() -> Result<(), String>| {
        let mut times = Vec::new();
        let mut output = Vec::new();
        for _ in 0..runs {
            before()?;
            let run = run_child(make(), true)?;
            times.push(run.elapsed);
            output = run.stdout;
        }
        Ok::<_, String>((median(times), output))
    };
    // Warm the page cache, so neither side pays for the disk.
    run_child(git_log_baseline(dir), false)?;
    let (baseline, _) = timed(&|| git_log_baseline(dir), &|| Ok(()))?;
    let (uncached, reference) = timed(&|| handoff_check(dir, &["--no-cache"]), &|| Ok(()))?;
    let _ = uncached;
    let (cold, cold_out) = timed(&|| handoff_check(dir, &[]), &|| remove_cache(dir))?;
    let one_thread = || {
        let mut command = handoff_check(dir, &[]);
        command.env("HANDOFF_THREADS", "1");
        command
    };
    let (cold_one_thread, one_thread_out) = timed(&one_thread, &|| remove_cache(dir))?;
    let (warm, warm_out) = timed(&|| handoff_check(dir, &[]), &|| Ok(()))?;

    // After new commits: the cache of the old HEAD, restored before each run.
    let branch = run_git(dir, &["symbolic-ref", "--short", "HEAD"])?;
    let cache_file = dir.join(".git/handoff/cache/last-change");
    let saved = std::fs::read(&cache_file).map_err(|e| e.to_string())?;
    run_git(dir, &["branch", "-D", "bench-after"]).ok();
    let result = (|| {
        repos::add_commits(
            dir,
            "bench-after",
            NEW_COMMITS,
            subject.editable_artifacts,
            42,
        )?;
        let (after_new, after_out) = timed(&|| handoff_check(dir, &[]), &|| {
            std::fs::write(&cache_file, &saved).map_err(|e| e.to_string())
        })?;
        let after_reference = run_child(handoff_check(dir, &["--no-cache"]), true)?.stdout;
        Ok::<_, String>((after_new, after_out == after_reference))
    })();
    run_git(dir, &["checkout", "--quiet", "--force", &branch])?;
    run_git(dir, &["branch", "-D", "bench-after"]).ok();
    let (after_new, after_identical) = result?;

    // With changed-path filters (`git commit-graph write --changed-paths`), then without again,
    // unless the repository had a commit-graph of its own.
    let info = dir.join(".git/objects/info");
    let had_graph = info.join("commit-graph").exists() || info.join("commit-graphs").exists();
    run_git(
        dir,
        &[
            "-c",
            "commitGraph.changedPathsVersion=2",
            "commit-graph",
            "write",
            "--reachable",
            "--changed-paths",
        ],
    )?;
    let filtered = timed(&|| handoff_check(dir, &[]), &|| remove_cache(dir));
    if !had_graph {
        std::fs::remove_file(info.join("commit-graph")).ok();
    }
    let (cold_filtered, filtered_out) = filtered?;
    Ok(HistoryFigures {
        baseline,
        cold,
        cold_one_thread,
        cold_filtered,
        warm,
        after_new,
        identical: cold_out == reference
            && one_thread_out == reference
            && warm_out == reference
            && filtered_out == reference
            && after_identical,
    })
}

// ---------------------------------------------------------------------------------------------
// The workbench

/// An empty configuration directory, so the user's keymap and theme stay out.
fn tui_options(config: &Path) -> TuiOptions {
    TuiOptions {
        config_dir: Some(config.to_path_buf()),
        no_color: true,
        now: Some(NOW.parse().expect("a valid time")),
        ..TuiOptions::default()
    }
}

struct FirstFrame {
    /// Index, ledger, analysis with every fact pending, App built.
    app: Duration,
    /// The facts worker asked for everything (it runs on its own thread).
    request: Duration,
    draw: Duration,
    /// The file watcher set up, right after the first frame (as the workbench does).
    watcher: Duration,
    total: Duration,
    /// Until the last fact arrived and was drawn (warm cache).
    filled: Duration,
    /// Frames drawn while facts streamed in.
    frames: usize,
}

fn measure_first_frame(dir: &Path, runs: usize) -> Result<FirstFrame, String> {
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(first_frame_once(dir)?);
    }
    all.sort_by_key(|f| f.total);
    Ok(all.swap_remove(all.len() / 2))
}

/// Starts the workbench as `handoff` does, up to its first frame, then lets the facts stream
/// in, drawing after each batch as the event loop does.
fn first_frame_once(dir: &Path) -> Result<FirstFrame, String> {
    let config = tempfile::tempdir().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let ws = engine::locate(Some(dir)).map_err(|e| e.to_string())?;
    let mut app =
        handoff::tui::initial_app(&ws, &tui_options(config.path())).map_err(|e| e.to_string())?;
    let app_done = started.elapsed();
    let (tx, rx) = mpsc::channel::<FactsUpdate>();
    let sink: handoff::engine::worker::Sink = Arc::new(move |u| {
        let _ = tx.send(u);
    });
    let mut rt = Runtime::new(ws.clone(), sink, Default::default());
    rt.refresh_all(&mut app);
    let request_done = started.elapsed();
    app.resize(FRAME_SIZE.0, FRAME_SIZE.1);
    let mut terminal =
        Terminal::new(TestBackend::new(FRAME_SIZE.0, FRAME_SIZE.1)).map_err(|e| e.to_string())?;
    app.prepare_frame();
    terminal
        .draw(|f| views::draw(f, &app))
        .map_err(|e| e.to_string())?;
    let total = started.elapsed();
    let watcher =
        handoff::repo::watch::watch(&ws, WatchOptions::default(), Default::default(), |_| {})
            .map_err(|e| e.to_string())?;
    let watcher_done = started.elapsed();
    let mut frames = 1;
    loop {
        let first = rx
            .recv_timeout(Duration::from_secs(600))
            .map_err(|_| "the facts never finished")?;
        let mut done = false;
        for update in std::iter::once(first).chain(rx.try_iter()) {
            done |= matches!(update, FactsUpdate::Done(g) if g == rt.generation);
            if let FactsUpdate::Failed(_, message) = &update {
                return Err(message.clone());
            }
            apply_facts(&mut app, update, rt.generation);
        }
        app.prepare_frame();
        terminal
            .draw(|f| views::draw(f, &app))
            .map_err(|e| e.to_string())?;
        frames += 1;
        if done {
            break;
        }
    }
    let filled = started.elapsed();
    drop(watcher);
    Ok(FirstFrame {
        app: app_done,
        request: request_done - app_done,
        draw: total - request_done,
        watcher: watcher_done - total,
        total,
        filled,
        frames,
    })
}

struct FrameFigures {
    artifacts: usize,
    analysis: Duration,
    /// Rows and finding lists derived again (after any change).
    derive: Duration,
    /// One artifact's facts replaced, as a save brings them: re-analysis and derive.
    one_changed: Duration,
    /// (view, mean, p99)
    views: Vec<(&'static str, Duration, Duration)>,
}

/// Frame time on an in-memory synthetic handoff: only the visible rows are built, so it must
/// not grow with the number of artifacts.
fn measure_frames(n: usize) -> FrameFigures {
    let (index, ledger, facts) = synthetic::handoff(n);
    let started = Instant::now();
    let snap = Snapshot::new(index, ledger, facts, jiff::Timestamp::now());
    let analysis = started.elapsed();
    let (keymap, _) = Keymap::load(None, None);
    let (theme, _) = Theme::load(None, None, false, false);
    let mut app = App::new(snap, Options::default(), keymap, theme, Vec::new());
    app.resize(FRAME_SIZE.0, FRAME_SIZE.1);
    let derive = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                app.derive();
                t.elapsed()
            })
            .collect(),
    );
    let one_changed = median(
        (0..21)
            .map(|k| {
                let id = format!("a{}", n / 2 + k);
                let mut facts = app.snap.facts.artifacts[&id].clone();
                facts.fingerprint = Some(format!("{:040x}", 1_000_000 + k));
                let t = Instant::now();
                app.apply_facts(handoff::engine::FactsPiece::Worktree(vec![(id, facts)]));
                t.elapsed()
            })
            .collect(),
    );
    let mut terminal =
        Terminal::new(TestBackend::new(FRAME_SIZE.0, FRAME_SIZE.1)).expect("a test terminal");
    let mut views_measured = Vec::new();
    for (name, view, detail) in [
        ("matrix", View::Matrix, false),
        ("gaps", View::Gaps, false),
        ("detail", View::Matrix, true),
    ] {
        app.view = view;
        app.overlay.detail = detail.then_some(0);
        let mut times = Vec::with_capacity(FRAMES);
        for frame in 0..FRAMES {
            // Move through the list as a user scrolling does, so offsets change.
            app.handle(if frame % 50 == 49 {
                UiAction::PageDown
            } else {
                UiAction::Down
            });
            let t = Instant::now();
            app.prepare_frame();
            terminal
                .draw(|f| views::draw(f, &app))
                .expect("drawing on a test terminal");
            times.push(t.elapsed());
        }
        let mean = times.iter().sum::<Duration>() / FRAMES as u32;
        times.sort();
        let p99 = times[(FRAMES - 1) * 99 / 100];
        views_measured.push((name, mean, p99));
    }
    FrameFigures {
        artifacts: n,
        analysis,
        derive,
        one_changed,
        views: views_measured,
    }
}

enum Event {
    Facts(FactsUpdate),
    Watch(WatchEvent),
}

/// Saves a file artifact `saves` times the way editors do (write a temporary file, rename it
/// over the original) and measures each save until the workbench has drawn a frame showing
/// the new fingerprint: watcher, debounce, work-tree facts, analysis and drawing.
fn measure_save_to_repaint(dir: &Path, path: &str, saves: usize) -> Result<Vec<Duration>, String> {
    let config = tempfile::tempdir().map_err(|e| e.to_string())?;
    let ws = engine::locate(Some(dir)).map_err(|e| e.to_string())?;
    let mut app =
        handoff::tui::initial_app(&ws, &tui_options(config.path())).map_err(|e| e.to_string())?;
    app.resize(FRAME_SIZE.0, FRAME_SIZE.1);
    let id = app
        .snap
        .index
        .artifacts
        .iter()
        .find(|a| matches!(&a.target, handoff::core::model::Target::Path(p) if p == path))
        .map(|a| a.id.clone())
        .ok_or(format!("no artifact at {path}"))?;
    let (tx, rx) = mpsc::channel::<Event>();
    let facts_tx = tx.clone();
    let sink: handoff::engine::worker::Sink = Arc::new(move |u| {
        let _ = facts_tx.send(Event::Facts(u));
    });
    let mut rt = Runtime::new(ws.clone(), sink, Default::default());
    let _watcher = handoff::repo::watch::watch(
        &ws,
        WatchOptions { debounce: DEBOUNCE },
        Default::default(),
        move |e| {
            let _ = tx.send(Event::Watch(e));
        },
    )
    .map_err(|e| e.to_string())?;
    let mut terminal =
        Terminal::new(TestBackend::new(FRAME_SIZE.0, FRAME_SIZE.1)).map_err(|e| e.to_string())?;
    rt.refresh_all(&mut app);
    // Until the first read is complete.
    while !app.loading.finished {
        handle(&rx, &mut rt, &mut app, Duration::from_secs(600))?;
    }

    let file = ws.dir.join(path);
    let original = std::fs::read(&file).map_err(|e| e.to_string())?;
    let temporary = file.with_file_name(format!(
        ".{}.save",
        file.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let mut latencies = Vec::new();
    for n in 0..saves {
        let mut text = original.clone();
        text.extend_from_slice(format!("\nSaved {n}.\n").as_bytes());
        let expected = git2::Oid::hash_object(git2::ObjectType::Blob, &text)
            .map_err(|e| e.to_string())?
            .to_string();
        std::fs::write(&temporary, &text).map_err(|e| e.to_string())?;
        let saved = Instant::now();
        std::fs::rename(&temporary, &file).map_err(|e| e.to_string())?;
        loop {
            let left = Duration::from_secs(5).saturating_sub(saved.elapsed());
            if left.is_zero() {
                return Err(format!("save {n} of {path} was never shown"));
            }
            handle(&rx, &mut rt, &mut app, left)?;
            if app.snap.facts.fingerprint(&id) == Some(expected.as_str()) {
                app.prepare_frame();
                terminal
                    .draw(|f| views::draw(f, &app))
                    .map_err(|e| e.to_string())?;
                latencies.push(saved.elapsed());
                break;
            }
        }
        // Let the debouncer and the worker go quiet before the next save.
        std::thread::sleep(Duration::from_millis(120));
        while let Ok(event) = rx.try_recv() {
            dispatch(event, &mut rt, &mut app);
        }
    }
    std::fs::write(&file, &original).map_err(|e| e.to_string())?;
    Ok(latencies)
}

/// Handles every event waiting (at least one, within `timeout`), as the event loop does
/// before it draws.
fn handle(
    rx: &mpsc::Receiver<Event>,
    rt: &mut Runtime,
    app: &mut App,
    timeout: Duration,
) -> Result<(), String> {
    let Ok(first) = rx.recv_timeout(timeout) else {
        return Ok(());
    };
    for event in std::iter::once(first).chain(rx.try_iter()) {
        dispatch(event, rt, app);
    }
    Ok(())
}

fn dispatch(event: Event, rt: &mut Runtime, app: &mut App) {
    match event {
        Event::Facts(update) => apply_facts(app, update, rt.generation),
        Event::Watch(event) => rt.on_watch(app, event),
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

struct MemoryFigure {
    label: String,
    artifacts: usize,
    commits: usize,
    cold_kib: u64,
    warm_kib: u64,
}

fn measure_memory(
    label: &str,
    dir: &Path,
    artifacts: usize,
    commits: usize,
) -> Result<MemoryFigure, String> {
    let cold_kib = peak_rss(&handoff_check(dir, &["--no-cache"]))?;
    run_child(handoff_check(dir, &[]), false)?;
    let warm_kib = peak_rss(&handoff_check(dir, &[]))?;
    Ok(MemoryFigure {
        label: label.to_string(),
        artifacts,
        commits,
        cold_kib,
        warm_kib,
    })
}

// ---------------------------------------------------------------------------------------------
// Report, matrix and context against check

/// What `outputs` runs besides `check`: a label and the arguments (`{last}` is the last
/// artifact, whose upstream chain is every other artifact).
const OUTPUTS: [(&str, &[&str]); 6] = [
    ("report (Markdown)", &["report"]),
    ("report (HTML)", &["report", "--format", "html"]),
    ("matrix (text)", &["matrix"]),
    ("matrix (JSON)", &["matrix", "--format", "json"]),
    ("context (first artifact)", &["context", "a0"]),
    (
        "context (last: every artifact upstream)",
        &["context", "{last}"],
    ),
];

struct OutputFigures {
    artifacts: usize,
    check: Duration,
    outputs: Vec<(&'static str, Duration)>,
    /// Peak resident set of `handoff check --format json`, and of `handoff mcp` answering
    /// each of [`MCP_REQUESTS`] in a process of its own.
    check_kib: u64,
    mcp_kib: Vec<(&'static str, u64)>,
}

/// What the MCP server is asked, one request per process: the answers that used to grow
/// with the whole index.
const MCP_REQUESTS: [(&str, &str, &str); 4] = [
    (
        "list_findings",
        "tools/call",
        r#"{"name":"list_findings","arguments":{}}"#,
    ),
    (
        "check report",
        "resources/read",
        r#"{"uri":"handoff://check"}"#,
    ),
    (
        "get_matrix",
        "tools/call",
        r#"{"name":"get_matrix","arguments":{}}"#,
    ),
    ("resources/list", "resources/list", "{}"),
];

/// The peak resident set of `handoff mcp` in `dir` answering `initialize` and then
/// `method(params)`, measured from the small helper process like [`peak_rss`]. Each answer is
/// read before the next request is written, and standard input closed only after the last.
fn mcp_peak_kib(dir: &Path, method: &str, params: &str) -> Result<u64, String> {
    use std::io::{BufRead, BufReader, Write};
    let mut helper = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    helper.arg("--peak-rss").arg(HANDOFF).arg("mcp");
    let template = handoff_command(dir, &[]);
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            helper.env(key, value);
        }
    }
    let mut child = helper
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("handoff mcp: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let requests = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#.to_string(),
        format!(r#"{{"jsonrpc":"2.0","id":2,"method":"{method}","params":{params}}}"#),
    ];
    for (n, request) in requests.iter().enumerate() {
        writeln!(stdin, "{request}").map_err(|e| e.to_string())?;
        if n == 0 {
            writeln!(
                stdin,
                r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
            )
            .map_err(|e| e.to_string())?;
        }
        stdin.flush().map_err(|e| e.to_string())?;
        let mut answer = String::new();
        stdout
            .read_line(&mut answer)
            .map_err(|e| format!("handoff mcp: {e}"))?;
        if !answer.contains("\"result\"") {
            return Err(format!("handoff mcp answered {method} with {answer:.300}"));
        }
    }
    drop(stdin);
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    reported_peak(&output.stderr)
}

fn handoff_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(HANDOFF);
    command
        .args(args)
        .current_dir(dir)
        .env("HANDOFF_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    command
}

/// Each output and `check --format json`, warm (caches filled by a first check), median of
/// `runs` runs each, interleaved so that a noisy moment weighs on all alike.
fn measure_outputs(spec: &RepoSpec, runs: usize) -> Result<OutputFigures, String> {
    let dir = repos::ensure(spec)?;
    let last = format!("a{}", spec.artifacts - 1);
    run_child(handoff_check(&dir, &[]), false)?;
    let mut check = Vec::new();
    let mut outputs: Vec<Vec<Duration>> = vec![Vec::new(); OUTPUTS.len()];
    for _ in 0..runs {
        check.push(run_child(handoff_check(&dir, &[]), false)?.elapsed);
        for ((_, args), times) in OUTPUTS.iter().zip(&mut outputs) {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == "{last}" { last.as_str() } else { a })
                .collect();
            let run = run_child(handoff_command(&dir, &args), true)?;
            if run.stdout.is_empty() {
                return Err(format!("handoff {} printed nothing", args.join(" ")));
            }
            times.push(run.elapsed);
        }
    }
    let check_kib = peak_rss(&handoff_check(&dir, &[]))?;
    let mcp_kib = MCP_REQUESTS
        .iter()
        .map(|(label, method, params)| Ok((*label, mcp_peak_kib(&dir, method, params)?)))
        .collect::<Result<_, String>>()?;
    Ok(OutputFigures {
        artifacts: spec.artifacts,
        check: median(check),
        outputs: OUTPUTS
            .iter()
            .zip(outputs)
            .map(|((label, _), times)| (*label, median(times)))
            .collect(),
        check_kib,
        mcp_kib,
    })
}

/// `handoff org` over generated result files, text and HTML, against `cat` of the same files;
/// median of `runs` runs each, interleaved.
fn measure_org(runs: usize) -> Result<OrgFigures, String> {
    let dir = common::org::ensure_results(ORG_REPOSITORIES)?;
    let cat = || {
        let mut command = Command::new("sh");
        command.args(["-c", "cat \"$0\"/*.json", &dir.display().to_string()]);
        command
    };
    let org = |format: &str| handoff_command(&dir, &["org", ".", "--format", format]);
    let (mut baseline, mut text, mut html) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        baseline.push(run_child(cat(), false)?.elapsed);
        for (format, times) in [("text", &mut text), ("html", &mut html)] {
            let run = run_child(org(format), true)?;
            if run.stdout.is_empty() {
                return Err(format!("handoff org --format {format} printed nothing"));
            }
            times.push(run.elapsed);
        }
    }
    let bytes = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok(OrgFigures {
        bytes,
        baseline: median(baseline),
        text: median(text),
        html: median(html),
    })
}

struct OrgFigures {
    bytes: u64,
    baseline: Duration,
    text: Duration,
    html: Duration,
}

// ---------------------------------------------------------------------------------------------
// The report

#[derive(Default)]
struct Report {
    preamble: String,
    history: Vec<(String, usize, usize, HistoryFigures)>,
    first_frames: Vec<(String, usize, FirstFrame)>,
    frames: Vec<FrameFigures>,
    repaints: Vec<(String, usize, Vec<Duration>)>,
    memory: Vec<MemoryFigure>,
    outputs: Vec<OutputFigures>,
    org: Option<OrgFigures>,
    missed: Vec<String>,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1_000.0 {
        format!("{:.2} s", ms / 1e3)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(value: Duration, baseline: Duration) -> f64 {
    value.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
}

impl Report {
    fn header(&mut self) -> Result<(), String> {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let git = run_git(Path::new("."), &["--version"]).unwrap_or_default();
        let today = jiff::Zoned::now().strftime("%Y-%m-%d").to_string();
        self.preamble = format!(
            "Measured {today} on {cpu}, {cores} cores, {git}, release build. \
             Reproduce: `cargo bench --bench suite` (add `-- --repo PATH` for an existing \
             repository)."
        );
        Ok(())
    }

    fn miss(&mut self, what: String) {
        self.missed.push(what);
    }

    fn render(&mut self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## Benchmark results\n\n{}\n", self.preamble);

        let mut misses = Vec::new();
        if !self.history.is_empty() {
            let _ = writeln!(
                out,
                "### History and `handoff check`\n\n\
             L is `git log --name-only --format=%H` on the same repository in the same run; \
             each check is the whole `handoff check --format json` process (index, ledger, \
             work tree, history, analysis, output), median of the runs.\n\n\
             Cold checks start without handoff's cache; \"one thread\" is the same with \
             `HANDOFF_THREADS=1`. Targets: cold ≤ {COLD_TARGET}× L, cold with Bloom filters ≤ \
             {FILTERED_TARGET}× L, warm ≤ {WARM_TARGET}× L.\n\n\
             | repository | artifacts | commits | L | cold check | cold, one thread | cold, Bloom filters | warm check (same HEAD) | after {NEW_COMMITS} new commits | answers equal `--no-cache` |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
            );
            for (label, artifacts, commits, h) in &self.history {
                let cold = ratio(h.cold, h.baseline);
                let one_thread = ratio(h.cold_one_thread, h.baseline);
                let filtered = ratio(h.cold_filtered, h.baseline);
                let warm = ratio(h.warm, h.baseline);
                let after = ratio(h.after_new, h.baseline);
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} ({cold:.2}× L) | {} ({one_thread:.2}× L) | {} ({filtered:.2}× L) | {} ({warm:.3}× L) | {} ({after:.3}× L) | {} |",
                    thousands(*artifacts),
                    thousands(*commits),
                    ms(h.baseline),
                    ms(h.cold),
                    ms(h.cold_one_thread),
                    ms(h.cold_filtered),
                    ms(h.warm),
                    ms(h.after_new),
                    if h.identical { "yes" } else { "**NO**" }
                );
                if cold > COLD_TARGET {
                    misses.push(format!(
                    "{label}: cold check {cold:.2}× L, over the {COLD_TARGET}× target by {:.2}× ({})",
                    cold - COLD_TARGET,
                    ms(h.cold.saturating_sub(h.baseline.mul_f64(COLD_TARGET)))
                ));
                }
                if filtered > FILTERED_TARGET {
                    misses.push(format!(
                    "{label}: cold check with Bloom filters {filtered:.2}× L, over the {FILTERED_TARGET}× target by {:.2}× ({})",
                    filtered - FILTERED_TARGET,
                    ms(h.cold_filtered.saturating_sub(h.baseline.mul_f64(FILTERED_TARGET)))
                ));
                }
                if warm > WARM_TARGET {
                    misses.push(format!(
                    "{label}: warm check {warm:.3}× L, over the {WARM_TARGET}× target by {:.3}× ({})",
                    warm - WARM_TARGET,
                    ms(h.warm.saturating_sub(h.baseline.mul_f64(WARM_TARGET)))
                ));
                }
                if *artifacts >= 10_000 && h.warm > WARM_ABSOLUTE {
                    misses.push(format!(
                        "{label}: warm check {} at {} artifacts, over the {} target by {}",
                        ms(h.warm),
                        thousands(*artifacts),
                        ms(WARM_ABSOLUTE),
                        ms(h.warm - WARM_ABSOLUTE)
                    ));
                }
                if after > AFTER_NEW_TARGET {
                    misses.push(format!(
                    "{label}: check after {NEW_COMMITS} commits {after:.3}× L, over the {AFTER_NEW_TARGET}× target by {:.3}× ({})",
                    after - AFTER_NEW_TARGET,
                    ms(h.after_new.saturating_sub(h.baseline.mul_f64(AFTER_NEW_TARGET)))
                ));
                }
                if !h.identical {
                    misses.push(format!("{label}: cached answers differ from --no-cache"));
                }
            }
        }

        if !self.first_frames.is_empty() {
            let _ = writeln!(
                out,
                "\n### The workbench's first frame\n\n\
             As `handoff` starts: read the index and ledger and analyse with every fact pending \
             (`initial_app`, index and ledger through the parsed-input cache), ask the facts \
             worker for everything, draw one {}×{} frame (TestBackend), then set up the file \
             watcher. Then the facts stream in (history from the warm cache), a frame drawn per \
             batch. Median of the runs.\n\n\
             | repository | artifacts | first frame | index+ledger+analysis | worker request | draw | watcher (after the frame) | every row filled | frames while filling |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|",
                FRAME_SIZE.0, FRAME_SIZE.1
            );
            for (label, artifacts, f) in &self.first_frames {
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    thousands(*artifacts),
                    ms(f.total),
                    ms(f.app),
                    ms(f.request),
                    ms(f.draw),
                    ms(f.watcher),
                    ms(f.filled),
                    f.frames
                );
                if f.total > FIRST_FRAME_TARGET {
                    misses.push(format!(
                    "{label}: first frame {}, over the {} target by {} (index+ledger+analysis {})",
                    ms(f.total),
                    ms(FIRST_FRAME_TARGET),
                    ms(f.total - FIRST_FRAME_TARGET),
                    ms(f.app)
                ));
                }
            }
        }

        if !self.frames.is_empty() {
            let _ = writeln!(
                out,
                "\n### Frame time\n\n\
             {FRAMES} frames per view at {}×{} on TestBackend, scrolling, synthetic in-memory \
             handoffs of {} roles with documents and sign-offs. One analysis: every finding decided \
             with every fact known; derive: the visible rows and finding lists rebuilt; one \
             artifact's facts changed: what the workbench does when a save or a streamed batch \
             brings new facts (the report updated for what they reach, then derived).\n\n\
             | artifacts | one analysis | derive (rows, lists) | one artifact's facts changed | matrix mean / p99 | gaps mean / p99 | detail mean / p99 |\n\
             |---:|---:|---:|---:|---:|---:|---:|",
                FRAME_SIZE.0,
                FRAME_SIZE.1,
                synthetic::ROLES
            );
            for f in &self.frames {
                let cells: Vec<String> = f
                    .views
                    .iter()
                    .map(|(_, mean, p99)| format!("{} / {}", ms(*mean), ms(*p99)))
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    thousands(f.artifacts),
                    ms(f.analysis),
                    ms(f.derive),
                    ms(f.one_changed),
                    cells.join(" | ")
                );
                for (view, mean, _) in &f.views {
                    if f.artifacts <= 10_000 && *mean > FRAME_TARGET {
                        misses.push(format!(
                            "{} artifacts, {view}: mean frame {}, over the {} target by {}",
                            thousands(f.artifacts),
                            ms(*mean),
                            ms(FRAME_TARGET),
                            ms(*mean - FRAME_TARGET)
                        ));
                    }
                }
            }
        }

        if !self.repaints.is_empty() {
            let target = DEBOUNCE + REPAINT_SLACK;
            let _ = writeln!(
                out,
                "\n### Save to repaint\n\n\
             A file artifact saved as editors do (write a temporary file, rename it over the \
             original) until a frame showing its new fingerprint is drawn: watcher ({} \
             debounce), work-tree facts of that artifact on the worker, re-analysis, one frame. \
             Target: debounce + {} = {} at p90.\n\n\
             | repository | artifacts | saves | p50 | p90 | max |\n|---|---:|---:|---:|---:|---:|",
                ms(DEBOUNCE),
                ms(REPAINT_SLACK),
                ms(target)
            );
            for (label, artifacts, latencies) in &self.repaints {
                let mut sorted = latencies.clone();
                sorted.sort();
                let at = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
                let _ = writeln!(
                    out,
                    "| {label} | {} | {} | {} | {} | {} |",
                    thousands(*artifacts),
                    sorted.len(),
                    ms(at(0.5)),
                    ms(at(0.9)),
                    ms(at(1.0))
                );
                if at(0.9) > target {
                    misses.push(format!(
                        "{label}: save-to-repaint p90 {}, over the {} target by {}",
                        ms(at(0.9)),
                        ms(target),
                        ms(at(0.9) - target)
                    ));
                }
            }
        }

        if !self.memory.is_empty() {
            let _ = writeln!(
                out,
                "\n### Peak memory\n\n\
             Peak resident set of the `handoff check` process (wait4), cold (`--no-cache`) and \
             warm. Target: a cold check at 100,000 commits under {} MiB.\n\n\
             | repository | artifacts | commits | cold | warm |\n|---|---:|---:|---:|---:|",
                MEMORY_TARGET_KIB / 1024
            );
            for m in &self.memory {
                if m.commits >= 100_000 && m.cold_kib > MEMORY_TARGET_KIB {
                    misses.push(format!(
                        "{} ({} artifacts): cold peak {:.0} MiB, over the {} MiB target by {:.0} MiB",
                        m.label,
                        thousands(m.artifacts),
                        m.cold_kib as f64 / 1024.0,
                        MEMORY_TARGET_KIB / 1024,
                        (m.cold_kib - MEMORY_TARGET_KIB) as f64 / 1024.0
                    ));
                }
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {:.1} MiB | {:.1} MiB |",
                    m.label,
                    thousands(m.artifacts),
                    thousands(m.commits),
                    m.cold_kib as f64 / 1024.0,
                    m.warm_kib as f64 / 1024.0
                );
            }
        }

        if !self.outputs.is_empty() {
            let _ = writeln!(
                out,
                "\n### Report, matrix and context against `check`\n\n\
             Each the whole process on the same repository (artifacts each depending on the \
             one before, a short history), warm, median of the runs; in brackets the ratio to \
             `handoff check --format json`. Target: within {OUTPUTS_FACTOR}× of `check`.\n"
            );
            let mut header = String::from("| artifacts | check |");
            let mut rule = String::from("|---:|---:|");
            for (label, _) in OUTPUTS {
                let _ = write!(header, " {label} |");
                rule.push_str("---:|");
            }
            let _ = writeln!(out, "{header}\n{rule}");
            for o in &self.outputs {
                let mut row = format!("| {} | {} |", thousands(o.artifacts), ms(o.check));
                for (label, took) in &o.outputs {
                    let r = ratio(*took, o.check);
                    let _ = write!(row, " {} ({r:.2}×) |", ms(*took));
                    if r > OUTPUTS_FACTOR {
                        misses.push(format!(
                            "{} artifacts: {label} {r:.2}× check, over the {OUTPUTS_FACTOR}× target",
                            thousands(o.artifacts)
                        ));
                    }
                }
                let _ = writeln!(out, "{row}");
            }
            let _ = writeln!(
                out,
                "\nPeak resident set (wait4) of `handoff check --format json` and of \
                 `handoff mcp` answering one request after `initialize`, a process each.\n"
            );
            let mut header = String::from("| artifacts | check |");
            let mut rule = String::from("|---:|---:|");
            for (label, _, _) in MCP_REQUESTS {
                let _ = write!(header, " MCP {label} |");
                rule.push_str("---:|");
            }
            let _ = writeln!(out, "{header}\n{rule}");
            let mib = |kib: u64| format!("{:.0} MiB", kib as f64 / 1024.0);
            for o in &self.outputs {
                let mut row = format!("| {} | {} |", thousands(o.artifacts), mib(o.check_kib));
                for (_, kib) in &o.mcp_kib {
                    let _ = write!(row, " {} |", mib(*kib));
                }
                let _ = writeln!(out, "{row}");
            }
        }

        if let Some(o) = &self.org {
            let _ = writeln!(
                out,
                "\n### The organisation view\n\n\
             `handoff org` over {ORG_REPOSITORIES} generated check results ({:.1} MiB; 30 \
             artifacts, 7 roles each; a tenth stale), the whole process, median of the runs; \
             C is `cat` reading the same files in the same run. Target: under {}.\n\n\
             | results | C | org (text) | org (HTML) |\n|---:|---:|---:|---:|\n\
             | {ORG_REPOSITORIES} | {} | {} ({:.1}× C) | {} ({:.1}× C) |",
                o.bytes as f64 / (1024.0 * 1024.0),
                ms(ORG_TARGET),
                ms(o.baseline),
                ms(o.text),
                ratio(o.text, o.baseline),
                ms(o.html),
                ratio(o.html, o.baseline),
            );
            for (label, took) in [("text", o.text), ("HTML", o.html)] {
                if took > ORG_TARGET {
                    misses.push(format!(
                        "org view ({label}) of {ORG_REPOSITORIES} results: {}, over the {} target by {}",
                        ms(took),
                        ms(ORG_TARGET),
                        ms(took - ORG_TARGET)
                    ));
                }
            }
        }

        for m in misses {
            self.miss(m);
        }
        let _ = writeln!(out, "\n### Targets missed\n");
        if self.missed.is_empty() {
            let _ = writeln!(out, "None.");
        }
        for m in &self.missed {
            let _ = writeln!(out, "- {m}");
        }
        out
    }
}
