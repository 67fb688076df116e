//! `handoff review`: what changed in the handoff since a revision, a date or the last
//! recorded review, for the weekly review meeting.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use jiff::{Timestamp, ToSpan};

use crate::engine::as_of::{CommitPoint, Timeline};
use crate::engine::{clock, locate, review};
use crate::render::review as render;

#[derive(Debug, Args)]
pub(crate) struct ReviewArgs {
    /// The handoff's directory, or any directory inside it (default: the current directory)
    pub dir: Option<PathBuf>,

    /// Where the interval starts: a revision (HEAD~10, a tag, an id), a date (2026-11-24 or
    /// an RFC 3339 time: the newest commit at or before it) [default: 7 days ago]
    #[arg(long, value_name = "REV|DATE")]
    pub since: Option<String>,

    /// Where the interval ends: a revision or a date [default: now, at HEAD]
    #[arg(long, value_name = "REV|DATE")]
    pub until: Option<String>,

    #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
    pub format: ReviewFormat,
}

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

pub(crate) fn run(args: ReviewArgs) -> Result<ExitCode, super::Failure> {
    let ws = locate(args.dir.as_deref())?;
    let now = clock::now()?;
    let timeline = Timeline::open(&ws).map_err(super::Failure::error)?;
    let head = timeline.head().map_err(super::Failure::error)?;
    let (until, decide_now) = match &args.until {
        Some(value) => (point(&timeline, &head, value)?, None),
        None => (head.clone(), Some(now)),
    };
    let since = match &args.since {
        Some(value) => point(&timeline, &head, value)?,
        None => {
            let week_ago = now.checked_sub(168.hours()).unwrap_or(now);
            timeline
                .at_or_before_or_first(&head, week_ago)
                .map_err(super::Failure::error)?
        }
    };
    let review =
        review::review(&timeline, &since, &until, decide_now).map_err(super::Failure::error)?;
    let page = match args.format {
        ReviewFormat::Text => render::text(&review),
        ReviewFormat::Json => render::json(&review),
        ReviewFormat::Markdown => render::markdown(&review),
        ReviewFormat::Html => render::html_page(&review),
    };
    super::emit(page)?;
    Ok(ExitCode::SUCCESS)
}
