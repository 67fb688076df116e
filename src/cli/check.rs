//! `handoff check`: the governance gate. Text for people and CI logs, JSON for scripts;
//! GitHub annotations, JUnit XML and SARIF for CI systems (rendered in `crate::render`).

use std::process::ExitCode;

use super::{DirArg, FailOn};
use std::time::Instant;

use crate::core::model::HeadInfo;
use crate::engine::{Workspace, WorkspaceError};
use crate::render::check::{text, write_json};
use crate::render::ci;
use crate::render::sarif::{self, Origin};
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub dir: DirArg,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit 1 when a finding of this severity or worse exists
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Walk all of history instead of using the last-change cache in .git/handoff/ (the
    /// answers are the same; for timing and for ruling the cache out)
    #[arg(long)]
    pub no_cache: bool,

    #[command(flatten)]
    pub ascii: super::AsciiArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    /// GitHub Actions workflow annotations (::error file=…,line=…::…)
    Github,
    /// JUnit XML: one test case per artifact
    Junit,
    /// SARIF 2.1.0, for code-scanning views
    Sarif,
}

impl Format {
    /// Formats for CI systems, which show a broken index as an annotation of its own.
    fn annotates(self) -> bool {
        matches!(self, Format::Github | Format::Junit | Format::Sarif)
    }
}

/// What a SARIF log says about the code it describes, read through the engine: the remote's
/// URL, and HEAD's commit and branch.
fn origin<'a>(ws: &'a Workspace, head: Option<&HeadInfo>) -> Origin<'a> {
    let read;
    let head = match head {
        Some(head) => head,
        None => {
            read = crate::engine::read_head(ws).unwrap_or_default();
            &read
        }
    };
    Origin {
        repo_prefix: &ws.prefix,
        repo_root: &ws.repo_root,
        remote: crate::engine::remote_url(ws),
        commit: head.commit.clone(),
        branch: head.branch.clone(),
    }
}

pub(crate) fn run(args: CheckArgs) -> Result<ExitCode, super::Failure> {
    // JUnit reports how long the check took (`time`): from the start, as CI measures a step.
    let started = Instant::now();
    let ws = crate::engine::locate(args.dir.dir.as_deref())?;
    let now = crate::engine::clock::now()?;
    let snapshot = match crate::engine::snapshot_with(&ws, now, !args.no_cache) {
        Err(WorkspaceError::Index(errors)) if args.format.annotates() => {
            // The likeliest CI failure gets its annotation too; the exit stays 2.
            let out = match args.format {
                Format::Github => ci::github_load_errors(&errors, &ws.prefix),
                Format::Junit => ci::junit_load_errors(&errors, &ws.prefix, started.elapsed()),
                _ => sarif::sarif_load_errors(&errors, &origin(&ws, None)),
            };
            super::emit(out)?;
            return Err(WorkspaceError::Index(errors).into());
        }
        other => other?,
    };
    let threshold = args.fail_on.severity();
    let failed = snapshot
        .report
        .all_findings()
        .any(|f| f.severity >= threshold);
    let rendered = match args.format {
        Format::Text => Some(args.ascii.apply(text(
            &snapshot,
            threshold,
            super::style::paint_stdout(),
        ))),
        // Written as it is serialised, not built whole first (about 40 MB at 10,000 artifacts).
        Format::Json => None,
        Format::Github => Some(ci::github(&snapshot, &ws.prefix, threshold)),
        Format::Junit => Some(ci::junit(
            &snapshot,
            &ws.prefix,
            threshold,
            started.elapsed(),
        )),
        Format::Sarif => Some(sarif::sarif(
            &snapshot,
            &origin(&ws, Some(&snapshot.facts.head)),
        )),
    };
    match rendered {
        Some(rendered) => super::emit(rendered)?,
        None => {
            let remote = crate::engine::remote_url(&ws);
            super::emit_with(|out| write_json(out, &snapshot, threshold, remote.as_deref()))?
        }
    }
    // The process ends here: freeing every artifact's facts and findings one by one took
    // tens of milliseconds at 10,000 artifacts.
    std::mem::forget(snapshot);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
