//! `handoff review`: what changed in the handoff since a revision, a date or the last
//! recorded review, for the weekly review meeting.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use jiff::{Timestamp, ToSpan};

use super::set::report_commit;
use crate::core::model::{Duration, REVIEWS_FILE};
use crate::engine::as_of::{CommitPoint, Timeline};
use crate::engine::{clock, locate, review, trend};
use crate::render::review as render;
use crate::repo::write::CommitOptions;
use crate::repo::write::review_point::record_review;

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    /// Where the interval starts: a revision (HEAD~10, a tag, an id), a date (2026-11-24 or
    /// an RFC 3339 time: the newest commit at or before it), or `last-review` (the newest
    /// review recorded with --record) [default: 7 days ago]
    #[arg(long, value_name = "REV|DATE|last-review")]
    pub since: Option<String>,

    /// Where the interval ends: a revision or a date [default: now, at HEAD]
    #[arg(long, value_name = "REV|DATE")]
    pub until: Option<String>,

    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,

    /// How far back sign-off turnarounds (median, 90th percentile) are measured
    #[arg(long, value_name = "DURATION", default_value = "90d", value_parser = parse_window)]
    pub window: Duration,

    /// How many weeks the trend of open findings covers (0: none), each week ending a
    /// multiple of 7 days before the end of the interval
    #[arg(long, value_name = "N", default_value_t = trend::DEFAULT_WEEKS)]
    pub weeks: usize,

    /// Record that a review happened now: a review point appended to .handoff/reviews.yaml
    /// and committed alone, the start of the next `--since last-review`
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub record: bool,

    /// With --record: what was decided
    #[arg(long, requires = "record")]
    pub note: Option<String>,

    /// With --record: who was there (repeat it, or separate with commas)
    #[arg(long, requires = "record", value_delimiter = ',', value_name = "EMAIL")]
    pub attendee: Vec<String>,

    /// With --record: skip the repository's pre-commit and commit-msg hooks
    #[arg(long, requires = "record")]
    pub no_verify: bool,
}

fn parse_window(text: &str) -> Result<Duration, String> {
    text.parse::<Duration>().map_err(|e| e.to_string())
}

/// The `--since` value that starts from the newest recorded review.
const LAST_REVIEW: &str = "last-review";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReviewFormat {
    Text,
    Json,
    Markdown,
    Html,
}

/// A date as the options take it: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
fn parse_date(text: &str) -> Option<Timestamp> {
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    clock::parse(text).ok()
}

/// The commit a `--since`/`--until` value names, on HEAD's first-parent line for a date.
fn point(
    timeline: &Timeline,
    head: &CommitPoint,
    value: &str,
) -> Result<CommitPoint, super::Failure> {
    let found = match parse_date(value) {
        Some(time) => timeline.at_or_before(head, time),
        None => timeline.resolve(value),
    };
    found.map_err(super::Failure::error)
}

/// `--record`: the review point committed.
fn record(args: &ReviewArgs) -> Result<ExitCode, super::Failure> {
    let ws = locate(args.dir.as_deref())?;
    let now = clock::now()?;
    let options = CommitOptions {
        run_hooks: !args.no_verify,
        ..CommitOptions::default()
    };
    let recorded = record_review(&ws, &args.attendee, args.note.as_deref(), now, &options)
        .map_err(super::Failure::error)?;
    report_commit(
        recorded.commit,
        &recorded.summary,
        recorded.index_not_updated.as_deref(),
        &recorded.recovered,
    );
    println!(
        "recorded the review of {} in {}; `handoff review --since last-review` starts here",
        recorded.point.at, recorded.file
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run(args: ReviewArgs) -> Result<ExitCode, super::Failure> {
    if args.record {
        return record(&args);
    }
    let ws = locate(args.dir.as_deref())?;
    let now = clock::now()?;
    let timeline = Timeline::open(&ws).map_err(super::Failure::error)?;
    let head = timeline.head().map_err(super::Failure::error)?;
    let (until, decide_now) = match &args.until {
        Some(value) => (point(&timeline, &head, value)?, None),
        None => (head.clone(), Some(now)),
    };
    let mut since_review = None;
    let since = match &args.since {
        Some(value) if value == LAST_REVIEW => {
            let (last, found) = review::last_review_start(&timeline, &head, &until)
                .map_err(super::Failure::error)?
                .ok_or_else(|| {
                    super::Failure::error(format!(
                        "no review is recorded yet ({REVIEWS_FILE} has none at {}): record one with `handoff review --record`, or give --since a revision or a date",
                        &until.change.commit[..until.change.commit.len().min(8)]
                    ))
                })?;
            since_review = Some(last);
            found
        }
        Some(value) => point(&timeline, &head, value)?,
        None => {
            let week_ago = now.checked_sub(168.hours()).unwrap_or(now);
            timeline
                .at_or_before_or_first(&head, week_ago)
                .map_err(super::Failure::error)?
        }
    };
    let request = review::ReviewRequest {
        since,
        until,
        now: decide_now,
        window: Some(jiff::SignedDuration::from_secs(args.window.seconds())),
        weeks: args.weeks,
    };
    let mut review = review::review(&timeline, &request).map_err(super::Failure::error)?;
    review.since_review = since_review;
    let page = match args.format {
        ReviewFormat::Text => render::text(&review),
        ReviewFormat::Json => render::json(&review),
        ReviewFormat::Markdown => render::markdown(&review),
        ReviewFormat::Html => render::html_page(&review),
    };
    super::emit(page)?;
    Ok(ExitCode::SUCCESS)
}
