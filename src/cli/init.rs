//! `handoff init`: write a handoff.yaml for a team shape (solo, startup, mid-size, enterprise),
//! the JSON Schema editors validate it with, and — with `--with-docs` — each missing document
//! from a template carrying the headings its kind requires. Nothing that exists is touched.

use crate::engine::diagnosis;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use include_dir::{Dir, include_dir};

use crate::core::analysis::sections::{missing_sections, sections_of};
use crate::core::edit::{FieldChange, IndexEdit, ListChange};
use crate::core::model::load::{is_valid_email, load_index};
use crate::core::model::{Artifact, Index, Kind, Target};
use crate::core::text::{count, sanitize};
use crate::engine::INDEX_FILE;
use crate::yaml::edit::scalar;

/// Index templates (`<profile>.yaml`) and document templates (`docs/<kind>.md|yaml`).
static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/init");

pub(crate) const SCHEMA_FILE: &str = "handoff.schema.json";

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The team shape to write the index for (generic: design docs, ADRs and runbooks, nothing
    /// AI-specific)
    #[arg(long, value_enum, default_value_t = Profile::Startup)]
    pub profile: Profile,

    /// Also create each missing document from a template with the headings its kind requires
    #[arg(long)]
    pub with_docs: bool,

    /// The feature's name in the index (default: the directory's name)
    #[arg(long)]
    pub name: Option<String>,

    /// Point the editor modeline at this schema URL or path instead of writing handoff.schema.json
    #[arg(long, value_name = "URL")]
    pub schema_url: Option<String>,

    /// Where to write handoff.yaml (default: the current directory)
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Profile {
    /// One person plays every role but keeps the artifacts
    Solo,
    /// Eval set, prompt registry and runbook are non-negotiable (their gaps are errors)
    Startup,
    /// Explicit review per artifact, platform and analytics roles, ADRs, dashboards, runbooks
    MidSize,
    /// Mid-size plus legal, compliance, security and accessibility review
    Enterprise,
    /// Any software team: a lead, reviewers and operations keeping design docs, ADRs and
    /// runbooks (nothing AI-specific)
    Generic,
}

impl Profile {
    #[cfg(test)]
    const ALL: [Profile; 5] = [
        Profile::Solo,
        Profile::Startup,
        Profile::MidSize,
        Profile::Enterprise,
        Profile::Generic,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Profile::Solo => "solo",
            Profile::Startup => "startup",
            Profile::MidSize => "mid-size",
            Profile::Enterprise => "enterprise",
            Profile::Generic => "generic",
        }
    }

    /// The team shape as a phrase: "an enterprise team", "a startup team".
    fn team(self) -> String {
        let name = self.as_str();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name} team")
    }

    /// Whether the user's e-mail staffs every role (one person) or only `pm`.
    fn staffs_every_role(self) -> bool {
        self == Profile::Solo
    }
}

fn template(path: &str) -> Result<&'static str, super::Failure> {
    TEMPLATES
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| format!("error: the template {path} is missing from this build").into())
}

/// The text of `handoff.yaml` for a profile. `email` staffs the roles the profile gives the
/// person running init; `schema` is what the editor modeline points at.
pub(crate) fn render_index(
    profile: Profile,
    name: &str,
    email: Option<&str>,
    schema: &str,
) -> Result<String, super::Failure> {
    let text = template(&format!("{}.yaml", profile.as_str()))?;
    let me = email.map(scalar).unwrap_or_default();
    Ok(text
        .replace(
            "{{modeline}}",
            &format!("# yaml-language-server: $schema={schema}"),
        )
        .replace("{{name}}", &scalar(name))
        .replace("{{me}}", &me))
}

/// The git identity init staffs roles with: `user.email` as git resolves it for `dir`
/// (repository, then global and system configuration).
struct Identity {
    email: Option<String>,
    /// Set when git has an address that handoff cannot use.
    unusable: Option<String>,
    /// Why handoff cannot read the repository here, if it cannot (none, or one libgit2 does
    /// not open).
    no_repository: Option<diagnosis::OpenError>,
}

fn git_identity(dir: &Path) -> Identity {
    let no_repository = diagnosis::repository(dir).err();
    let email = diagnosis::identity(dir).email.map(|v| v.value);
    match email {
        Some(e) if is_valid_email(&e) => Identity {
            email: Some(e),
            unusable: None,
            no_repository,
        },
        other => Identity {
            email: None,
            unusable: other,
            no_repository,
        },
    }
}

/// Where an artifact's document goes: a file path as written, a directory's README.md, or
/// one entry `main.<ext>` for a glob such as `prompts/*.yaml`. `None` for external artifacts
/// and globs of another shape.
pub(crate) fn document_path(target: &Target) -> Option<String> {
    match target {
        Target::Url(_) => None,
        Target::Path(p) => {
            let last = p.rsplit('/').next().unwrap_or(p);
            if last.contains('.') {
                Some(p.clone())
            } else {
                Some(format!("{p}/README.md"))
            }
        }
        Target::Glob(g) => {
            let (dir, pattern) = g.rsplit_once('/').unwrap_or(("", g));
            let ext = pattern.strip_prefix("*.")?;
            let plain = |s: &str| !s.contains(['*', '?', '[', '{']);
            (plain(dir) && plain(ext)).then(|| {
                if dir.is_empty() {
                    format!("main.{ext}")
                } else {
                    format!("{dir}/main.{ext}")
                }
            })
        }
    }
}

/// The document for an artifact: its kind's template with the title filled in, plus any
/// required heading the template lacks, so the new document satisfies `missing-sections`.
pub(crate) fn document_text(kind: Option<&Kind>, artifact: &Artifact, doc_path: &str) -> String {
    let yaml = doc_path.ends_with(".yaml") || doc_path.ends_with(".yml");
    let title = artifact.display_name();
    let mut text = kind
        .and_then(|k| {
            let ext = if yaml { "yaml" } else { "md" };
            TEMPLATES.get_file(format!("docs/{}.{ext}", k.id))
        })
        .and_then(|f| f.contents_utf8())
        .map(|t| t.replace("{{title}}", title))
        // A heading in Markdown, a comment in YAML.
        .unwrap_or_else(|| format!("# {title}\n"));
    let required = kind.map(|k| k.required_sections.as_slice()).unwrap_or(&[]);
    let missing = missing_sections(required, &sections_of(doc_path, &text));
    for requirement in missing {
        let heading = requirement.split('|').next().unwrap_or(&requirement).trim();
        if yaml {
            text.push_str(&format!("{}: null\n", scalar(heading)));
        } else {
            text.push_str(&format!("\n## {heading}\n\n_To write._\n"));
        }
    }
    text
}

/// Writes `contents` to a new file; an existing file is an error, never overwritten.
fn create_new(path: &Path, contents: &str) -> Result<(), super::Failure> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("error: cannot create {}: {e}", parent.display()))?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("error: cannot create {}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("error: cannot write {}: {e}", path.display()).into())
}

/// The documents `--with-docs` would create: (artifact, path relative to the index).
fn planned_documents(index: &Index) -> Vec<(&Artifact, String)> {
    let mut out: Vec<(&Artifact, String)> = Vec::new();
    for a in &index.artifacts {
        if let Some(path) = document_path(&a.target)
            && !out.iter().any(|(_, p)| *p == path)
        {
            out.push((a, path));
        }
    }
    out
}

pub(crate) fn run(args: InitArgs) -> Result<ExitCode, super::Failure> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir()
            .map_err(|e| format!("error: cannot read the current directory: {e}"))?,
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
    let index_path = dir.join(INDEX_FILE);
    if index_path.exists() {
        if args.with_docs {
            return add_missing_documents(&dir, &index_path);
        }
        return Err(format!(
            "error: {} already exists: init never overwrites. `handoff init --with-docs` adds the documents it lists that are missing; `handoff import` adds what CODEOWNERS, front matter and document folders say; `handoff set`/`add` edit it",
            index_path.display()
        )
        .into());
    }
    let name = args.name.clone().unwrap_or_else(|| {
        dir.canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| "My AI feature".to_string())
    });
    let identity = git_identity(&dir);
    let schema_ref = args
        .schema_url
        .clone()
        .unwrap_or_else(|| format!("./{SCHEMA_FILE}"));
    let text = render_index(args.profile, &name, identity.email.as_deref(), &schema_ref)?;
    // The template must load; if it does not, this build is broken, and nothing is written.
    let index = load_index(INDEX_FILE, text.as_bytes()).map_err(|e| {
        format!(
            "error: the {} template does not load:\n{e}",
            args.profile.as_str()
        )
    })?;
    // What the repository already has joins the profile's index: the same detection as
    // `handoff import`, whose plan is shown.
    let found = found_documents(&dir, &text, identity.no_repository.is_none())?;
    let (text, index) = match &found {
        Some(found) => (
            found.plan.planned.new.clone(),
            found.plan.planned.index.clone(),
        ),
        None => (text, index),
    };

    // A document's directory may be a symbolic link leading anywhere: nothing is written
    // unless every document would land inside the handoff's directory.
    if args.with_docs {
        for (_, path) in planned_documents(&index) {
            let full = dir.join(&path);
            if full.exists() {
                continue;
            }
            if let Err(reason) = crate::engine::fence::check_writable(&dir, &full) {
                return Err(format!(
                    "error: {path} would be written outside {}: {reason}. Nothing was written",
                    dir.display()
                )
                .into());
            }
        }
    }
    create_new(&index_path, &text)?;
    let mut written = vec![INDEX_FILE.to_string()];
    if args.schema_url.is_none() {
        let schema_path = dir.join(SCHEMA_FILE);
        if !schema_path.exists() {
            create_new(&schema_path, &super::schema::schema_text(false))?;
            written.push(SCHEMA_FILE.to_string());
        }
    }
    let mut documents = Vec::new();
    if args.with_docs {
        for (artifact, path) in planned_documents(&index) {
            let full = dir.join(&path);
            if full.exists() {
                continue;
            }
            create_new(
                &full,
                &document_text(index.kind_of(artifact), artifact, &path),
            )?;
            documents.push(path);
        }
    }

    let mut out = summary(&args, &index, &identity, &written, &documents);
    if let Some(found) = &found {
        let at = out.find("\nNext steps\n").unwrap_or(out.len());
        out.insert_str(at, &found.text());
    }
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}

/// The documents, roles and people `handoff import` finds in the repository, planned into
/// the profile's index.
struct Found {
    plan: super::import::ImportPlan,
    sources: Vec<crate::core::import::Source>,
    /// Why CODEOWNERS was not read, when it does not parse.
    skipped: Option<String>,
}

impl Found {
    fn text(&self) -> String {
        let mut out = String::from(
            "\nThis repository already has documents; as `handoff import` reads them:\n",
        );
        out.push_str(&super::import::summary(
            &self.plan,
            &self.sources,
            "Added",
            true,
        ));
        out.push_str(&self.template_notes());
        if let Some(reason) = &self.skipped {
            out.push_str(&format!("CODEOWNERS was not read: {reason}\n"));
        }
        out
    }

    /// Where each kind added or changed took its required sections from the repository's
    /// template, one line each: `Kind adr requires the sections of docs/adr/0000-template.md
    /// (not the profile's): Context, Decision`.
    fn template_notes(&self) -> String {
        let mut out = String::new();
        for edit in &self.plan.edits {
            let (kind, sections, replaced) = match edit {
                IndexEdit::AddKind(k) => (&k.id, &k.required_sections, false),
                IndexEdit::Kind {
                    kind,
                    change: FieldChange::List(ListChange::Replace(sections)),
                    ..
                } => (kind, sections, true),
                _ => continue,
            };
            let Some(template) = self.plan.proposal.template_of(kind) else {
                continue;
            };
            if sections.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "Kind {kind} requires the sections of {}{}: {}\n",
                sanitize(template),
                if replaced { " (not the profile's)" } else { "" },
                sanitize(&sections.join(", "))
            ));
        }
        out
    }
}

/// What the repository around `dir` already has, planned into `text`; `None` outside a
/// repository handoff can read, or when there is nothing to add.
fn found_documents(
    dir: &Path,
    text: &str,
    in_repository: bool,
) -> Result<Option<Found>, super::Failure> {
    if !in_repository {
        return Ok(None);
    }
    let Ok(ws) = crate::engine::Workspace::discover(dir) else {
        return Ok(None);
    };
    let (plan, sources, skipped) = super::import::plan_for_init(&ws, text)?;
    let adds_artifacts = plan
        .edits
        .iter()
        .any(|e| matches!(e, crate::core::edit::IndexEdit::AddArtifact(_)));
    Ok((adds_artifacts || skipped.is_some()).then_some(Found {
        plan,
        sources,
        skipped,
    }))
}

/// `init --with-docs` on an index that exists: each document it lists that is missing is
/// created from its kind's template; nothing that exists is touched, the index included.
fn add_missing_documents(dir: &Path, index_path: &Path) -> Result<ExitCode, super::Failure> {
    let bytes = std::fs::read(index_path)
        .map_err(|e| format!("error: cannot read {}: {e}", index_path.display()))?;
    let index = load_index(INDEX_FILE, &bytes).map_err(|e| super::Failure::from(e.to_string()))?;
    let missing: Vec<(&Artifact, String)> = planned_documents(&index)
        .into_iter()
        .filter(|(_, path)| !dir.join(path).exists())
        .collect();
    for (_, path) in &missing {
        if let Err(reason) = crate::engine::fence::check_writable(dir, &dir.join(path)) {
            return Err(format!(
                "error: {path} would be written outside {}: {reason}. Nothing was written",
                dir.display()
            )
            .into());
        }
    }
    if missing.is_empty() {
        super::emit(format!(
            "Every document {INDEX_FILE} lists exists already; nothing was written.\n"
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "Created {} from templates ({INDEX_FILE} is unchanged):\n",
        count(missing.len(), "missing document")
    );
    let mut paths = Vec::new();
    for (artifact, path) in &missing {
        create_new(
            &dir.join(path),
            &document_text(index.kind_of(artifact), artifact, path),
        )?;
        out.push_str(&format!("  {path}\n"));
        paths.push(path.as_str());
    }
    out.push_str(&format!(
        "\nNext: fill them in, then commit them: git add {} && git commit -m \"Add handoff documents\"\n",
        paths.join(" ")
    ));
    super::emit(out)?;
    Ok(ExitCode::SUCCESS)
}

fn summary(
    args: &InitArgs,
    index: &Index,
    identity: &Identity,
    written: &[String],
    documents: &[String],
) -> String {
    let mut out = format!(
        "Wrote {INDEX_FILE} for {}: {}, {}, {}.\n",
        args.profile.team(),
        count(index.roles.len(), "role"),
        count(index.kinds.len(), "kind"),
        count(index.artifacts.len(), "artifact")
    );
    if written.iter().any(|w| w == SCHEMA_FILE) {
        out.push_str(&format!(
            "Wrote {SCHEMA_FILE}: editors with yaml-language-server now complete and check {INDEX_FILE}.\n"
        ));
    }
    if !documents.is_empty() {
        out.push_str(&format!(
            "Created {} from templates: {}.\n",
            count(documents.len(), "document"),
            documents.join(", ")
        ));
    }

    out.push_str("\nNext steps\n");
    let mut step = 0;
    let mut next = |text: String| {
        step += 1;
        wrap(&format!("{step}. {text}"), 92, "  ", "     ")
    };
    let unstaffed: Vec<&str> = index
        .roles
        .iter()
        .filter(|r| r.people.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    let orphaned = count(
        index
            .artifacts
            .iter()
            .filter(|a| a.owner.as_deref().is_some_and(|o| unstaffed.contains(&o)))
            .count(),
        "artifact",
    );
    match (&identity.email, &identity.unusable) {
        (Some(email), _) if args.profile.staffs_every_role() => out.push_str(&next(format!(
            "You ({email}) are in every role. Add people under `people:` as they join."
        ))),
        (Some(email), _) => out.push_str(&next(format!(
            "Staff the roles. You ({email}) are in {}; {} have nobody yet, so `handoff check` reports \
             owner-unstaffed for the {orphaned} they own until you add each person's git \
             e-mail (`handoff set --role <role> people +them@example.com`).",
            index
                .roles
                .iter()
                .filter(|r| !r.people.is_empty())
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            unstaffed.join(", ")
        ))),
        (None, Some(bad)) => out.push_str(&next(format!(
            "git's user.email `{bad}` is not an e-mail address, so no role has anyone yet: \
             `handoff check` reports owner-unstaffed for {orphaned} until you add \
             people's git e-mail addresses under `people:`."
        ))),
        (None, None) => out.push_str(&next(format!(
            "git has no user.email here, so no role has anyone yet: set it (`git config user.email \
             you@example.com`), then add people under `people:`. Until then `handoff check` reports \
             owner-unstaffed for {orphaned}."
        ))),
    }
    if documents.is_empty() {
        out.push_str(&next(
            "Point each artifact's `path:` at your documents, or write them: until they exist, \
             `handoff check` reports them as missing (`handoff init --with-docs`, run here \
             now, writes the missing ones from templates; `handoff set <artifact> path <path>` \
             points one elsewhere)."
                .to_string(),
        ));
    } else {
        out.push_str(&next(
            "Fill in the documents: every heading in them is one `handoff check` looks for."
                .to_string(),
        ));
    }
    match &identity.no_repository {
        None => {}
        Some(e) if diagnosis::is_absent(e) => out.push_str(&next(
            "This directory is not in a git repository: handoff reads its facts from git, so run \
             `git init` first."
                .to_string(),
        )),
        Some(other) => {
            // "The repository at … uses …": the reason as a sentence of its own.
            let reason = other.to_string();
            let mut chars = reason.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            out.push_str(&next(format!(
                "{}{}.",
                first.unwrap_or_default(),
                chars.as_str()
            )));
        }
    }
    let mut paths = written.to_vec();
    paths.extend(documents.iter().cloned());
    out.push_str(&next(format!(
        "Commit: git add {} && git commit -m \"Handoff index\"",
        paths.join(" ")
    )));
    out.push_str(&next(
        "Each owner accepts all of theirs in one commit (`handoff sign --mine --action accept`), \
         and reviewers approve them; `handoff check` shows what is left."
            .to_string(),
    ));
    out
}

/// Words of `text` in lines of at most `width` columns (a longer word gets a line of its own).
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(profile: Profile, email: Option<&str>) -> Index {
        let text = render_index(profile, "Reply: assist", email, "./handoff.schema.json").unwrap();
        load_index(INDEX_FILE, text.as_bytes()).unwrap_or_else(|e| panic!("{profile:?}: {e}"))
    }

    #[test]
    fn every_profile_loads_with_and_without_an_identity() {
        for profile in Profile::ALL {
            let with = loaded(profile, Some("dana@acme.example"));
            let without = loaded(profile, None);
            assert_eq!(with.name.as_deref(), Some("Reply: assist"));
            assert!(without.roles.iter().all(|r| r.people.is_empty()));
            let staffed: Vec<&str> = with
                .roles
                .iter()
                .filter(|r| !r.people.is_empty())
                .map(|r| r.id.as_str())
                .collect();
            if profile == Profile::Solo {
                assert_eq!(staffed.len(), with.roles.len());
            } else if profile == Profile::Generic {
                assert_eq!(staffed, ["lead"]);
            } else {
                assert_eq!(staffed, ["pm"]);
            }
        }
    }

    #[test]
    fn every_profile_writes_a_placeholder_description_that_check_reports() {
        for profile in Profile::ALL {
            let index = loaded(profile, None);
            let report = crate::core::analysis::analyze(
                &index,
                &crate::core::model::Ledger::default(),
                &crate::core::model::Facts::default(),
                jiff::Timestamp::UNIX_EPOCH,
            );
            assert!(
                report
                    .handoff_findings
                    .iter()
                    .any(|f| f.code == crate::core::model::FindingCode::PlaceholderDescription),
                "{profile:?}"
            );
        }
    }

    #[test]
    fn every_profile_validates_against_the_schema() {
        let validator =
            jsonschema::draft7::new(&crate::core::model::schema::index_schema()).unwrap();
        for profile in Profile::ALL {
            let text = render_index(profile, "x", Some("a@b.example"), "./s.json").unwrap();
            let doc = crate::yaml::to_json(&crate::yaml::parse(&text).unwrap().unwrap());
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{profile:?}: {errors:?}");
            assert!(text.starts_with("# yaml-language-server: $schema=./s.json\n"));
        }
    }

    #[test]
    fn the_enterprise_profile_adds_the_reviews_the_issue_names() {
        let index = loaded(Profile::Enterprise, None);
        let signers = |id: &str| index.required_signers(index.artifact(id).unwrap());
        assert!(signers("data-flow").contains(&"legal".to_string()));
        assert!(signers("model-provider").contains(&"compliance".to_string()));
        assert!(signers("prompt-injection").contains(&"security".to_string()));
        assert!(signers("flows").contains(&"accessibility".to_string()));
        let mid = loaded(Profile::MidSize, None);
        assert!(mid.artifacts.iter().all(|a| !a.reviewers.is_empty()));
    }

    #[test]
    fn every_profile_carries_the_checklist_of_its_team_shape() {
        use crate::core::model::RuleCheck;
        let names = |profile: Profile| -> Vec<String> {
            loaded(profile, None)
                .scorecard
                .iter()
                .map(|r| r.name.clone())
                .collect()
        };
        // Alone, the one-pager is still written.
        assert_eq!(
            names(Profile::Solo),
            ["one-pager-written", "one-pager-complete", "evals-in-ci"]
        );
        let mid = names(Profile::MidSize);
        let enterprise = names(Profile::Enterprise);
        assert!(mid.iter().all(|n| enterprise.contains(n)), "{enterprise:?}");
        for review in [
            "legal-review",
            "compliance-review",
            "security-review",
            "accessibility-reviewer",
        ] {
            assert!(enterprise.contains(&review.to_string()), "{review}");
            assert!(!mid.contains(&review.to_string()), "{review}");
        }
        let startup = loaded(Profile::Startup, None);
        assert!(startup.scorecard.iter().any(|r| matches!(
            &r.check,
            RuleCheck::RoleStaffed { role, minimum: Some(_) } if role == "domain-expert"
        )));
        assert!(!names(Profile::Generic).is_empty());
    }

    #[test]
    fn templates_carry_every_required_heading() {
        for profile in Profile::ALL {
            let index = loaded(profile, None);
            for (artifact, path) in planned_documents(&index) {
                let kind = index.kind_of(artifact).unwrap();
                let file = format!(
                    "docs/{}.{}",
                    kind.id,
                    if path.ends_with(".yaml") {
                        "yaml"
                    } else {
                        "md"
                    }
                );
                let template = template(&file).unwrap_or_else(|e| panic!("{e}"));
                let missing =
                    missing_sections(&kind.required_sections, &sections_of(&path, template));
                assert!(missing.is_empty(), "{file} lacks {missing:?} ({profile:?})");
                let text = document_text(Some(kind), artifact, &path);
                assert!(text.contains(artifact.display_name()) || path.ends_with(".yaml"));
            }
        }
    }

    #[test]
    fn document_paths() {
        let p = |s: &str| document_path(&Target::Path(s.into()));
        let g = |s: &str| document_path(&Target::Glob(s.into()));
        assert_eq!(p("docs/prd.md").as_deref(), Some("docs/prd.md"));
        assert_eq!(p("evals").as_deref(), Some("evals/README.md"));
        assert_eq!(g("prompts/*.yaml").as_deref(), Some("prompts/main.yaml"));
        assert_eq!(g("prompts/**/*.yaml"), None);
        assert_eq!(
            document_path(&Target::Url("https://x.example".into())),
            None
        );
    }

    #[test]
    fn a_missing_template_heading_is_appended() {
        let index = loaded(Profile::Startup, None);
        let mut kind = index.kind("prd").unwrap().clone();
        kind.required_sections.push("Glossary|Terms".into());
        let artifact = index.artifact("prd").unwrap();
        let text = document_text(Some(&kind), artifact, "docs/prd.md");
        assert!(text.ends_with("\n## Glossary\n\n_To write._\n"));
    }
}
