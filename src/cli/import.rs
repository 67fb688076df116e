//! `handoff import`: propose roles, kinds and artifacts from where ownership already lives
//! (CODEOWNERS, front matter, document folders, `.mailmap` and MAINTAINERS files), show the
//! diff of `handoff.yaml`, and with confirmation write it and commit once.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::Failure;
use super::set::report_commit;
use crate::core::edit::{IndexEdit, ListChange};
use crate::core::import::{
    ImportError, Proposal, Source, edits_for, propose, template_section_edits,
};
use crate::core::text::{count, sanitize};
use crate::engine::{self, INDEX_FILE, Workspace, WorkspaceError};
use crate::repo::write::{CommitOptions, PlannedEdits, commit_planned, committer_name, plan_edits};
use crate::yaml::edit::scalar;

#[derive(Debug, Args)]
#[command(after_help = "\
Sources: codeowners (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS, \
.gitea/CODEOWNERS; the last matching line wins, GitLab sections each answer), front-matter \
(owner, owners, author, authors, reviewers, status, title in `---` YAML or `+++` TOML), \
folders (ADRs, RFCs/KEPs/OTEPs, runbooks, design docs, prompts, eval sets; a family's template \
gives its kind's required sections) and mailmap (.mailmap and MAINTAINERS/OWNERS files, then \
the recent authors of the files a role owns).

Running it again adds only what is new; nothing already in handoff.yaml is changed.

Examples:
  handoff import --dry-run
  handoff import --yes
  handoff import --from codeowners,folders")]
pub(crate) struct ImportArgs {
    /// The repository directory to import into (default: the current directory)
    pub dir: Option<PathBuf>,

    /// Where to read ownership from, comma-separated (default: all)
    #[arg(long, value_delimiter = ',', value_name = "SOURCES", value_parser = parse_source)]
    pub from: Vec<Source>,

    /// Show what would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Write and commit without asking (needed where standard input is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Skip the repository's pre-commit and commit-msg hooks (as `git commit --no-verify`)
    #[arg(long)]
    pub no_verify: bool,
}

fn parse_source(s: &str) -> Result<Source, String> {
    s.parse()
}

/// What an import would do to a workspace: the proposal, the edits it makes and their text.
pub(crate) struct ImportPlan {
    pub proposal: Proposal,
    pub edits: Vec<IndexEdit>,
    pub planned: PlannedEdits,
}

/// Reads the repository of `ws` and plans the import of `sources` into its index (or into
/// `start`, where there is none yet).
pub(crate) fn plan(ws: &Workspace, sources: &[Source], start: &str) -> Result<ImportPlan, Failure> {
    let view = engine::read_repo(ws).map_err(Failure::error)?;
    let proposal = propose(&view, sources).map_err(Failure::error)?;
    plan_proposal(ws, proposal, start, false)
}

/// What `init` adds of the repository's own documents: the import of every source into
/// `start`, where a kind the profile and the repository share takes the sections of the
/// repository's template; a CODEOWNERS that does not parse is left out rather than stopping
/// init, and the reason returned. Also returns the sources read.
pub(crate) fn plan_for_init(
    ws: &Workspace,
    start: &str,
) -> Result<(ImportPlan, Vec<Source>, Option<String>), Failure> {
    let view = engine::read_repo(ws).map_err(Failure::error)?;
    match propose(&view, &Source::ALL) {
        Ok(proposal) => Ok((
            plan_proposal(ws, proposal, start, true)?,
            Source::ALL.to_vec(),
            None,
        )),
        Err(ImportError::CodeOwners(e)) => {
            let sources: Vec<Source> = Source::ALL
                .into_iter()
                .filter(|s| *s != Source::CodeOwners)
                .collect();
            let proposal = propose(&view, &sources).map_err(Failure::error)?;
            let plan = plan_proposal(ws, proposal, start, true)?;
            Ok((plan, sources, Some(e.to_string())))
        }
    }
}

/// The plan of `proposal` into `start`; with `templates_win` (init, on a profile's index) the
/// repository's templates also replace the sections of kinds the index already has.
fn plan_proposal(
    ws: &Workspace,
    proposal: Proposal,
    start: &str,
    templates_win: bool,
) -> Result<ImportPlan, Failure> {
    let current = plan_edits(ws, &[], start).map_err(edit_failure)?;
    let mut edits = edits_for(&current.index, &proposal);
    if templates_win {
        edits.extend(template_section_edits(&current.index, &proposal));
    }
    let planned = plan_edits(ws, &edits, start).map_err(edit_failure)?;
    Ok(ImportPlan {
        proposal,
        edits,
        planned,
    })
}

fn edit_failure(e: crate::repo::write::IndexEditError) -> Failure {
    let message = e.to_string();
    if message.starts_with(INDEX_FILE) && message.contains(": error:") {
        message.into()
    } else {
        Failure::error(message)
    }
}

/// The workspace holding `handoff.yaml` at or above `dir`, or `dir` itself when there is none.
fn workspace(dir: &Path) -> Result<Workspace, Failure> {
    match engine::locate(Some(dir)) {
        Ok(ws) => Ok(ws),
        Err(WorkspaceError::NoIndex { .. }) => Ok(Workspace::discover(dir)?),
        Err(e) => Err(e.into()),
    }
}

/// The text a new index starts from: the version and a name (the directory's).
pub(crate) fn new_index_text(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "Handoff".to_string());
    format!("version: 1\nname: {}\n", scalar(&name))
}

pub(crate) fn run(args: ImportArgs) -> Result<ExitCode, Failure> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()
            .map_err(|e| Failure::error(format_args!("cannot read the current directory: {e}")))?,
    };
    // Refused before anything is read: a script must say --yes (or --dry-run).
    if !args.yes && !args.dry_run && !std::io::stdin().is_terminal() {
        return Err(Failure::error(
            "standard input is not a terminal, so import cannot ask before it writes: pass --yes to write and commit, or --dry-run to see what it would write",
        ));
    }
    let ws = workspace(&dir)?;
    let sources = if args.from.is_empty() {
        Source::ALL.to_vec()
    } else {
        args.from.clone()
    };
    let plan = plan(&ws, &sources, &new_index_text(&ws.dir))?;
    if plan.edits.is_empty() {
        super::emit(format!(
            "Nothing to import: {INDEX_FILE} already has everything found in {}.\n",
            sources_read(&plan.proposal, &sources)
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let old = plan.planned.old.as_deref().unwrap_or("");
    let diff = crate::render::diff::unified_diff(
        if plan.planned.old.is_some() {
            INDEX_FILE
        } else {
            "/dev/null"
        },
        INDEX_FILE,
        old,
        &plan.planned.new,
    );
    super::emit(format!(
        "{}\n{diff}",
        summary(&plan, &sources, "Would add", false)
    ))?;
    if args.dry_run {
        super::emit("\nDry run: nothing was written.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes && !confirmed()? {
        super::emit("Nothing was written.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let name = committer_name(&ws).map_err(edit_failure)?;
    let message = commit_message(&name, &plan, &sources);
    let options = CommitOptions {
        run_hooks: !args.no_verify,
        ..CommitOptions::default()
    };
    let outcome = commit_planned(&ws, &plan.planned, &message, &options).map_err(edit_failure)?;
    report_commit(
        outcome.commit,
        &outcome.summary,
        outcome.index_not_updated.as_deref(),
        &outcome.recovered,
    );
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; anything but yes is no.
fn confirmed() -> Result<bool, Failure> {
    eprint!("Write {INDEX_FILE} and commit it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::error(format_args!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn sources_read(proposal: &Proposal, sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| match (s, &proposal.codeowners) {
            (Source::CodeOwners, Some(file)) => file.clone(),
            (Source::CodeOwners, None) => "CODEOWNERS (none found)".to_string(),
            (other, _) => other.as_str().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is added (`verb`: "Would add", "Added"), in counts and names (each artifact, when
/// `list`), and which roles are still unstaffed.
pub(crate) fn summary(plan: &ImportPlan, sources: &[Source], verb: &str, list: bool) -> String {
    let mut roles = Vec::new();
    let mut kinds = Vec::new();
    let mut artifacts = Vec::new();
    let mut unstaffed = Vec::new();
    let mut handles = Vec::new();
    let mut unresolved = Vec::new();
    for edit in &plan.edits {
        match edit {
            IndexEdit::AddRole(r) => {
                roles.push(r.id.as_str());
                if r.people.is_empty() {
                    unstaffed.push(r.id.as_str());
                }
            }
            IndexEdit::Handle {
                handle,
                change: ListChange::Replace(people),
            } => {
                handles.push(handle.as_str());
                if people.is_empty() {
                    unresolved.push(handle.as_str());
                }
            }
            IndexEdit::AddKind(k) => kinds.push(k.id.as_str()),
            IndexEdit::AddArtifact(a) => artifacts.push(a.id.as_str()),
            _ => {}
        }
    }
    let mut out = format!(
        "Read {}.\n{verb} {}, {} and {} to {INDEX_FILE}{}\n",
        sources_read(&plan.proposal, sources),
        count(roles.len(), "role"),
        count(kinds.len(), "kind"),
        count(artifacts.len(), "artifact"),
        if list { ":" } else { "." }
    );
    if list {
        for edit in &plan.edits {
            if let IndexEdit::AddArtifact(a) = edit {
                out.push_str(&format!(
                    "  {}  {}{}\n",
                    a.id,
                    sanitize(a.target.as_str()),
                    a.owner
                        .as_deref()
                        .map(|o| format!("  (owner: {o})"))
                        .unwrap_or_default()
                ));
            }
        }
    }
    if !handles.is_empty() {
        out.push_str(&format!(
            "Roles keep the handles CODEOWNERS names; `handles:` maps {} to the addresses found.\n",
            handles.join(", ")
        ));
    }
    if !unstaffed.is_empty() {
        out.push_str(&format!(
            "Nobody found for {}: add people with `handoff set --role ROLE people +you@example.com`.\n",
            unstaffed.join(", ")
        ));
    }
    if !unresolved.is_empty() {
        out.push_str(&format!(
            "No address found for {}: map them with `handoff set --handle HANDLE people +you@example.com`.\n",
            unresolved.join(", ")
        ));
    }
    let added: Vec<&str> = plan
        .edits
        .iter()
        .filter_map(|e| match e {
            IndexEdit::AddArtifact(a) => Some(a.target.as_str()),
            _ => None,
        })
        .collect();
    let disagreements: Vec<String> = plan
        .proposal
        .disagreements
        .iter()
        .filter(|d| added.contains(&d.path.as_str()))
        .map(|d| {
            format!(
                "  {}: front matter says {}, CODEOWNERS says {}\n",
                sanitize(&d.path),
                sanitize(&d.front_matter),
                sanitize(&d.codeowners)
            )
        })
        .collect();
    if !disagreements.is_empty() {
        out.push_str(&format!(
            "Front matter and CODEOWNERS name different owners for {}; the front matter wins (it is the more specific statement):\n{}",
            count(disagreements.len(), "document"),
            disagreements.concat()
        ));
    }
    let unowned = plan
        .edits
        .iter()
        .filter(|e| matches!(e, IndexEdit::AddArtifact(a) if a.owner.is_none()))
        .count();
    if unowned > 0 {
        out.push_str(&format!(
            "{} no owner anywhere (no CODEOWNERS line, no front matter): `handoff check` reports {} as no-owner.\n",
            if unowned == 1 { "1 artifact has".to_string() } else { format!("{unowned} artifacts have") },
            if unowned == 1 { "it" } else { "them" }
        ));
    }
    out
}

fn commit_message(person: &str, plan: &ImportPlan, sources: &[Source]) -> String {
    let edits = |f: fn(&IndexEdit) -> bool| plan.edits.iter().filter(|e| f(e)).count();
    let artifacts = edits(|e| matches!(e, IndexEdit::AddArtifact(_)));
    let roles = edits(|e| matches!(e, IndexEdit::AddRole(_)));
    let kinds = edits(|e| matches!(e, IndexEdit::AddKind(_)));
    let person = crate::core::text::sanitize(person);
    format!(
        "handoff: {person} imports {}, {} and {}\n\n\
         Read from {}.\n\nHandoff-Action: import\nHandoff-Sources: {}\n",
        count(artifacts, "artifact"),
        count(roles, "role"),
        count(kinds, "kind"),
        sources_read(&plan.proposal, sources),
        sources
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    )
}
