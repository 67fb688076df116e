//! `handoff add`: add an artifact, a role or a kind to handoff.yaml and commit it.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::set::{EditFlags, commit_edit};
use crate::core::edit::{IndexEdit, NewArtifact, NewKind, NewRole};
use crate::core::model::Target;

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    #[command(subcommand)]
    pub what: AddWhat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AddWhat {
    /// Add an artifact at a path (a file, directory or glob) or an external URL
    #[command(after_help = "\
Example:
  handoff add artifact runbook-rollback --path runbooks/rollback.md --owner ops \\
      --kind runbook --title \"Runbook: rollback\" --reviewers ml-platform --depends-on rollout-flags")]
    Artifact(AddArtifactArgs),
    /// Add a role, staffed by git e-mail addresses
    #[command(after_help = "\
Example:
  handoff add role analytics --title \"Product Analyst\" --people kofi@acme.example")]
    Role(AddRoleArgs),
    /// Add a kind: the policy (required sections, maximum age) its artifacts share
    #[command(after_help = "\
Example:
  handoff add kind adr --title \"Architecture decision record\" \\
      --required-sections Status,Context,Decision,Consequences --max-age 1y")]
    Kind(AddKindArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AddKindArgs {
    /// A short unique id: letters, digits, `-`, `_` and `.`
    pub id: String,

    #[arg(long)]
    pub title: Option<String>,

    /// Headings every document of the kind must have, comma-separated (`A|B`: either)
    #[arg(long, value_delimiter = ',', value_name = "HEADINGS")]
    pub required_sections: Vec<String>,

    /// How long an artifact may go without a commit (such as 180d)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,

    #[command(flatten)]
    pub commit: EditFlags,
}

#[derive(Debug, Args)]
pub(crate) struct AddArtifactArgs {
    /// A short unique id: letters, digits, `-`, `_` and `.`
    pub id: String,

    /// Where it lives in the repository, relative to handoff.yaml
    #[arg(long, required_unless_present = "url", conflicts_with = "url")]
    pub path: Option<String>,

    /// Where it lives outside the repository (http or https)
    #[arg(long)]
    pub url: Option<String>,

    /// The one accountable role
    #[arg(long)]
    pub owner: Option<String>,

    /// The artifact's kind (a policy under `kinds:`)
    #[arg(long)]
    pub kind: Option<String>,

    #[arg(long)]
    pub title: Option<String>,

    #[arg(long)]
    pub description: Option<String>,

    /// Roles whose approval is required, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "ROLES")]
    pub reviewers: Vec<String>,

    /// Roles that read it, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "ROLES")]
    pub consumers: Vec<String>,

    /// Upstream artifact ids, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub depends_on: Vec<String>,

    /// For an external artifact: how often it must be verified (such as 30d)
    #[arg(long, value_name = "DURATION")]
    pub verify_every: Option<String>,

    #[command(flatten)]
    pub commit: EditFlags,
}

#[derive(Debug, Args)]
pub(crate) struct AddRoleArgs {
    /// A short unique id: letters, digits, `-`, `_` and `.`
    pub id: String,

    #[arg(long)]
    pub title: Option<String>,

    /// Git e-mail addresses, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "EMAILS")]
    pub people: Vec<String>,

    #[command(flatten)]
    pub commit: EditFlags,
}

fn cleaned(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn run(args: AddArgs) -> Result<ExitCode, super::Failure> {
    match args.what {
        AddWhat::Artifact(a) => {
            let target = match (a.path, a.url) {
                (Some(path), _) => Target::Path(path),
                (None, Some(url)) => Target::Url(url),
                (None, None) => return Err("error: give --path or --url".into()),
            };
            let new = NewArtifact {
                title: a.title,
                description: a.description,
                kind: a.kind,
                owner: a.owner,
                reviewers: cleaned(a.reviewers),
                consumers: cleaned(a.consumers),
                depends_on: cleaned(a.depends_on),
                verify_every: a.verify_every,
                ..NewArtifact::new(a.id, target)
            };
            commit_edit(&a.commit, &IndexEdit::AddArtifact(new))
        }
        AddWhat::Role(r) => {
            let new = NewRole {
                id: r.id,
                title: r.title,
                people: cleaned(r.people),
            };
            commit_edit(&r.commit, &IndexEdit::AddRole(new))
        }
        AddWhat::Kind(k) => {
            let new = NewKind {
                id: k.id,
                title: k.title,
                required_sections: cleaned(k.required_sections),
                max_age: k.max_age,
            };
            commit_edit(&k.commit, &IndexEdit::AddKind(new))
        }
    }
}
