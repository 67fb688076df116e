//! The trend of open findings: `handoff review --weeks N` (JSON numbers, text), the chart in
//! the HTML pages (rendered by a headless browser), and its cost: one history walk, not one
//! per week.

use serde_json::Value;

use crate::common::{TestRepo, handoff_command};
use crate::ecosystem::{browse, chromium};
use crate::support::reliability::{COMMITS_FROM, NOW, handoff_repo};

const DAY: i64 = 86_400;

fn run_ok(dir: &std::path::Path, now: &str, args: &[&str]) -> String {
    let out = handoff_command(dir, now).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "handoff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The handoff repository with a runbook indexed on day 24 before its file exists (a
/// `missing` error) and written on day 38.
fn repo_with_a_missing_week() -> TestRepo {
    let repo = handoff_repo();
    repo.set_clock(COMMITS_FROM + 24 * DAY);
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write(
        "handoff.yaml",
        &format!(
            "{index}  - id: runbook\n    title: Runbook\n    path: docs/runbook.md\n    owner: pm\n"
        ),
    );
    repo.commit("Index the runbook before it is written");
    repo.set_clock(COMMITS_FROM + 38 * DAY);
    repo.write("docs/runbook.md", "# Runbook\n");
    repo.commit("Write the runbook");
    repo
}

#[test]
fn review_trend_counts_what_a_check_at_each_weeks_end_counts() {
    let repo = repo_with_a_missing_week();
    let json: Value = serde_json::from_str(&run_ok(
        repo.path(),
        NOW,
        &["review", "--weeks", "10", "--format", "json"],
    ))
    .unwrap();
    let trend = json["trend"].as_array().unwrap();
    // NOW is 2026-11-22T12:00Z; the first commit 2026-10-10: weeks ending before it are left
    // out, so 7 of the 10 remain, a week apart, the last ending now.
    let ends: Vec<&str> = trend
        .iter()
        .map(|w| w["week_end"].as_str().unwrap())
        .collect();
    assert_eq!(
        ends,
        [
            "2026-10-11T12:00:00Z",
            "2026-10-18T12:00:00Z",
            "2026-10-25T12:00:00Z",
            "2026-11-01T12:00:00Z",
            "2026-11-08T12:00:00Z",
            "2026-11-15T12:00:00Z",
            "2026-11-22T12:00:00Z",
        ]
    );
    // Each week's numbers are what `handoff check` says of a checkout of that week's commit
    // at the week's end.
    let mut errors = Vec::new();
    for week in trend {
        let end = week["week_end"].as_str().unwrap();
        let commit = repo.git(&["rev-list", "-1", "--first-parent", "--before", end, "main"]);
        let clone = repo.full_clone();
        clone.git(&["checkout", "--quiet", "--detach", &commit]);
        let out = handoff_command(clone.path(), end)
            .args(["check", "--format", "json"])
            .output()
            .unwrap();
        let check: Value = serde_json::from_slice(&out.stdout).unwrap();
        for severity in ["error", "warning", "info"] {
            assert_eq!(
                week[severity], check["summary"][severity],
                "{severity} at {end} (commit {commit})"
            );
        }
        errors.push(week["error"].as_u64().unwrap());
    }
    // The runbook's `missing` is open in the weeks ending 11-08 and 11-15 only.
    assert_eq!(errors[4], errors[3] + 1, "{errors:?}");
    assert_eq!(errors[5], errors[3] + 1, "{errors:?}");
    assert_eq!(errors[6], errors[3], "{errors:?}");

    let text = run_ok(repo.path(), NOW, &["review", "--weeks", "2"]);
    assert!(
        text.contains("\nOpen findings at each week's end (2)\n"),
        "{text}"
    );
    let last = &trend[6];
    assert!(
        text.contains(&format!(
            "  2026-11-22: {} open (",
            last["error"].as_u64().unwrap()
                + last["warning"].as_u64().unwrap()
                + last["info"].as_u64().unwrap()
        )),
        "{text}"
    );
    let none: Value = serde_json::from_str(&run_ok(
        repo.path(),
        NOW,
        &["review", "--weeks", "0", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(none["trend"], serde_json::json!([]));
}

/// A trend over many weeks reads every week's point in one walk: the commits the walks visit
/// are about the history's length, not its length once per week.
#[test]
fn a_trend_of_many_weeks_walks_history_about_once() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n  - id: flows\n    path: docs/flows.md\n    owner: pm\n",
    );
    // Thirty weeks, four commits a week.
    for i in 0..120 {
        let doc = if i % 2 == 0 { "prd" } else { "flows" };
        repo.write(
            &format!("docs/{doc}.md"),
            &format!("# {doc}\n\nVersion {i}\n"),
        );
        repo.commit_at(&format!("Edit {doc} ({i})"), COMMITS_FROM + i * 7 * DAY / 4);
    }
    let ws = handoff::engine::Workspace::discover(repo.path()).unwrap();
    let timeline = handoff::engine::as_of::Timeline::open(&ws).unwrap();
    let head = timeline.head().unwrap();
    let trend = handoff::engine::trend::trend(&timeline, &head, head.committed, 30).unwrap();
    assert_eq!(trend.len(), 30);
    // One walk from HEAD visits about the 120 commits; a walk per week would visit about
    // 30 * 60.
    assert!(
        timeline.commits_walked() <= 120 + 30 * 2,
        "{} commits walked",
        timeline.commits_walked()
    );
}

/// The chart in `report --format html`, cut out of the page and drawn by a headless browser:
/// a screenshot is produced and is not blank (it holds much more than a blank page of the
/// same size, which compresses to almost nothing).
#[test]
fn the_html_reports_trend_chart_renders_in_a_headless_browser() {
    let repo = repo_with_a_missing_week();
    let html = run_ok(repo.path(), NOW, &["report", "--format", "html"]);
    let start = html
        .find("<svg class=\"trend\"")
        .unwrap_or_else(|| panic!("no trend chart in {html}"));
    let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
    let chart = &html[start..end];
    assert!(!chart.contains("<script"), "no script");
    for label in ["open findings", "week ending", "errors", "warnings", "info"] {
        assert!(chart.contains(label), "{label} in {chart}");
    }
    assert!(html.contains("<h2>Trend</h2>"));
    let review = run_ok(repo.path(), NOW, &["review", "--format", "html"]);
    assert!(review.contains("<svg class=\"trend\""), "{review}");

    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED the_html_reports_trend_chart_renders_in_a_headless_browser: no chromium on PATH"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "<!DOCTYPE html><html><body style=\"margin:0;background:#fff\">{body}</body></html>"
            ),
        )
        .unwrap();
        path
    };
    let shoot = |page: &std::path::Path, name: &str| {
        let shot = dir.path().join(name);
        browse(
            &browser,
            page,
            &[
                "--window-size=660,270",
                &format!("--screenshot={}", shot.display()),
            ],
        );
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot {name}: {e}"))
    };
    let drawn = shoot(&page("chart.html", chart), "chart.png");
    let blank = shoot(&page("blank.html", ""), "blank.png");
    assert!(drawn.starts_with(b"\x89PNG") && blank.starts_with(b"\x89PNG"));
    assert!(
        drawn.len() > 3 * blank.len() && drawn.len() > 5_000,
        "the chart's screenshot ({} bytes) is no larger than a blank page's ({} bytes)",
        drawn.len(),
        blank.len()
    );
}

/// The workbench reads the trend and the review since the last review point off its UI
/// thread: the worker answers through its sink, on a thread of its own.
#[test]
fn the_recent_worker_reads_the_trend_and_the_last_review_off_the_calling_thread() {
    let (_tmp, dir) = crate::common::sample_repo();
    let ws = handoff::engine::locate(Some(&dir)).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let caller = std::thread::current().id();
    let worker = handoff::engine::worker::RecentWorker::new(
        ws,
        12,
        std::sync::Arc::new(move |read| {
            let _ = tx.send((std::thread::current().id(), read));
        }),
    );
    worker.request(NOW.parse().unwrap());
    let (thread, read) = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .unwrap();
    assert_ne!(thread, caller);
    let recent = read.unwrap();
    assert_eq!(recent.trend.len(), 12);
    assert_eq!(
        recent.trend.last().unwrap().week_end,
        NOW.parse::<jiff::Timestamp>().unwrap()
    );
    let since = recent.since_last_review.unwrap();
    assert_eq!(since.since_review.unwrap().by, "dana@acme.example");
}
