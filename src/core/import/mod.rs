//! `handoff import`, the pure half: from what a repository already says about ownership —
//! CODEOWNERS, front matter, document folders, `.mailmap` and MAINTAINERS files, and who
//! committed what — a proposal of roles, kinds and artifacts, and the index edits that add
//! whatever of it the index does not have yet. `repo::import` reads the files and history.

pub mod codeowners;
pub mod folders;
pub mod front_matter;
pub mod people;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::core::edit::{
    FieldChange, IndexEdit, KindField, ListChange, NewArtifact, NewKind, NewRole,
};
use crate::core::model::load::{MAX_ID_CHARS, is_valid_email};
use crate::core::model::{Index, Status, Target, is_handle};
use codeowners::{CodeOwners, CodeOwnersError};
use folders::{Family, place, template_sections};
use front_matter::{FrontMatter, front_matter};
use people::{People, is_people_file};

/// Where ownership is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    CodeOwners,
    FrontMatter,
    Folders,
    Mailmap,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::CodeOwners,
        Source::FrontMatter,
        Source::Folders,
        Source::Mailmap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::CodeOwners => "codeowners",
            Source::FrontMatter => "front-matter",
            Source::Folders => "folders",
            Source::Mailmap => "mailmap",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Source, String> {
        Source::ALL
            .into_iter()
            .find(|source| source.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a source: choose from {}",
                    Source::ALL.map(Source::as_str).join(", ")
                )
            })
    }
}

/// What the repository holds, as `repo::import` read it. Paths are repository-relative.
#[derive(Debug, Clone, Default)]
pub struct RepoView {
    /// The handoff's directory relative to the repository root: `""` or `"sub/dir/"`.
    pub prefix: String,
    /// The tracked files.
    pub files: Vec<String>,
    /// The text of each file [`wants_text`] asked for (those that are UTF-8 and not too big).
    pub texts: BTreeMap<String, String>,
    /// The most recent authors of each file (canonical e-mails first if git knew them), most
    /// recent first.
    pub authors: BTreeMap<String, Vec<String>>,
}

/// Whether import reads the text of a tracked file.
pub fn wants_text(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    codeowners::LOCATIONS.contains(&path)
        || is_people_file(path)
        || lower.ends_with(".md")
        || lower.ends_with(".markdown")
}

/// Roles, kinds and artifacts the repository's own files propose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proposal {
    pub roles: Vec<NewRole>,
    pub kinds: Vec<NewKind>,
    pub artifacts: Vec<NewArtifact>,
    /// Each `@handle` and `@org/team` a role names, with the addresses found for it (the
    /// mailmap's, MAINTAINERS', or the recent authors of what it owns; empty: none found).
    pub handles: Vec<(String, Vec<String>)>,
    /// Which CODEOWNERS file was read, if any.
    pub codeowners: Option<String>,
    /// Documents whose front matter names another owner than CODEOWNERS does (the front
    /// matter wins), so the plan can say so.
    pub disagreements: Vec<Disagreement>,
    /// The template each proposed kind's required sections were read from: (kind, path).
    pub templates: Vec<(String, String)>,
}

impl Proposal {
    /// The path of the template kind `id`'s required sections were read from, if any.
    pub fn template_of(&self, id: &str) -> Option<&str> {
        self.templates
            .iter()
            .find(|(kind, _)| kind == id)
            .map(|(_, path)| path.as_str())
    }
}

/// A document whose front matter and CODEOWNERS name different owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The path as the artifact names it.
    pub path: String,
    /// The owner the front matter names (the one imported).
    pub front_matter: String,
    /// The owner CODEOWNERS' last matching line names.
    pub codeowners: String,
}

/// Why nothing can be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{0}. Nothing was written: fix the line, or import without it (--from front-matter,folders,mailmap)"
    )]
    CodeOwners(#[from] CodeOwnersError),
}

/// The most recent authors kept per role.
const AUTHORS_PER_ROLE: usize = 3;

/// What `view` proposes, reading only `sources`.
pub fn propose(view: &RepoView, sources: &[Source]) -> Result<Proposal, ImportError> {
    let uses = |s: Source| sources.contains(&s);
    let mut people = People::default();
    if uses(Source::Mailmap) {
        for (path, text) in &view.texts {
            match path.rsplit('/').next() {
                Some(".mailmap") if path == ".mailmap" => people.read_mailmap(text),
                _ if is_people_file(path) => people.read_maintainers(text),
                _ => {}
            }
        }
    }
    let mut codeowners = None;
    let mut codeowners_file = None;
    if uses(Source::CodeOwners)
        && let Some(file) = codeowners::LOCATIONS
            .into_iter()
            .find(|l| view.texts.contains_key(*l))
    {
        codeowners = Some(CodeOwners::parse(file, &view.texts[file])?);
        codeowners_file = Some(file.to_string());
    }

    let mut roles = RoleBook::default();
    if let Some(co) = &codeowners {
        for owner in co.all_owners() {
            roles.role_for(&owner);
        }
    }
    let mut templates: BTreeMap<Family, (String, Vec<String>)> = BTreeMap::new();
    let mut artifacts = Vec::new();
    let mut ids = BTreeSet::new();
    let mut disagreements = Vec::new();
    for repo_path in &view.files {
        let Some(path) = repo_path.strip_prefix(&view.prefix) else {
            continue;
        };
        let placed = uses(Source::Folders).then(|| place(path)).flatten();
        let text = view.texts.get(repo_path).map(String::as_str);
        let fm = text
            .filter(|_| uses(Source::FrontMatter))
            .and_then(front_matter)
            .unwrap_or_default();
        if let Some(p) = &placed
            && p.template
        {
            if let Some(t) = text {
                templates
                    .entry(p.family)
                    .or_insert_with(|| (path.to_string(), template_sections(t)));
            }
            continue;
        }
        if placed.is_none() && fm.owners.is_empty() {
            continue;
        }
        let family = placed.as_ref().map(|p| p.family);
        let code_owners = codeowners
            .as_ref()
            .map(|co| co.owners_of(repo_path))
            .unwrap_or_default();
        if let (Some(theirs), Some(ours)) = (fm.owners.first(), code_owners.first())
            && !theirs.trim().eq_ignore_ascii_case(ours.trim())
        {
            disagreements.push(Disagreement {
                path: path.to_string(),
                front_matter: theirs.clone(),
                codeowners: ours.clone(),
            });
        }
        let (owner, reviewers) = ownership(&fm, &code_owners, &mut roles);
        let id = unique_id(&artifact_id(path, placed.as_ref()), &mut ids);
        let title = fm
            .title
            .clone()
            .or_else(|| text.and_then(folders::first_title));
        artifacts.push(NewArtifact {
            title,
            kind: family.map(|f| f.kind().to_string()),
            owner,
            reviewers,
            status: fm
                .status
                .filter(|s| *s != Status::Superseded)
                .unwrap_or_default(),
            ..NewArtifact::new(id, Target::Path(path.to_string()))
        });
    }
    let families: BTreeSet<Family> = view
        .files
        .iter()
        .filter_map(|f| f.strip_prefix(&view.prefix))
        .filter_map(place)
        .filter(|_| uses(Source::Folders))
        .map(|p| p.family)
        .collect();
    let mut kind_templates = Vec::new();
    let kinds = families
        .into_iter()
        .filter(|f| {
            artifacts
                .iter()
                .any(|a| a.kind.as_deref() == Some(f.kind()))
        })
        .map(|f| {
            let required_sections = match templates.remove(&f) {
                Some((path, sections)) => {
                    kind_templates.push((f.kind().to_string(), path));
                    sections
                }
                None => Vec::new(),
            };
            NewKind {
                id: f.kind().to_string(),
                title: Some(f.title().to_string()),
                required_sections,
                max_age: None,
            }
        })
        .collect();
    let (roles, handles) = roles.staffed(view, codeowners.as_ref(), &artifacts, &people);
    Ok(Proposal {
        roles,
        kinds,
        artifacts,
        handles,
        codeowners: codeowners_file,
        disagreements,
        templates: kind_templates,
    })
}

/// The owner role and reviewer roles of a document: its front matter's when it names an
/// owner (the more specific statement), else CODEOWNERS' (the first owner, then the rest).
fn ownership(
    fm: &FrontMatter,
    code_owners: &[String],
    roles: &mut RoleBook,
) -> (Option<String>, Vec<String>) {
    let owners = if fm.owners.is_empty() {
        code_owners
    } else {
        &fm.owners
    };
    let owner = owners.first().map(|o| roles.role_for(o));
    let mut reviewers: Vec<String> = Vec::new();
    for who in owners.iter().skip(1).chain(&fm.reviewers) {
        let role = roles.role_for(who);
        if Some(&role) != owner.as_ref() && !reviewers.contains(&role) {
            reviewers.push(role);
        }
    }
    (owner, reviewers)
}

/// Roles by the owner they stand for, as named in the repository (`@acme/sre`, `@dana`,
/// `dana@acme.example`, `ops`).
#[derive(Debug, Default)]
struct RoleBook {
    /// (who as written, lower case; role id), in order of first mention.
    roles: Vec<(String, String, String)>,
}

impl RoleBook {
    fn role_for(&mut self, who: &str) -> String {
        let key = who.trim().to_ascii_lowercase();
        if let Some((_, _, id)) = self.roles.iter().find(|(k, _, _)| *k == key) {
            return id.clone();
        }
        let base = if is_valid_email(who) {
            who.split('@').next().unwrap_or(who)
        } else {
            who.trim_start_matches('@')
                .rsplit('/')
                .next()
                .unwrap_or(who)
        };
        let mut taken: BTreeSet<String> = self.roles.iter().map(|(_, _, id)| id.clone()).collect();
        let id = unique_id(&slug(base, "owner"), &mut taken);
        self.roles.push((key, who.trim().to_string(), id.clone()));
        id
    }

    /// The roles, each staffed: a handle stays a handle (as CODEOWNERS writes it), mapped to
    /// the person it resolves to, else to the most recent authors of the files the role
    /// owns; a name or e-mail is staffed with those addresses directly.
    fn staffed(
        self,
        view: &RepoView,
        codeowners: Option<&CodeOwners>,
        artifacts: &[NewArtifact],
        people: &People,
    ) -> (Vec<NewRole>, Vec<(String, Vec<String>)>) {
        let mut out = Vec::new();
        let mut handles = Vec::new();
        for (key, written, id) in self.roles {
            let mut files: Vec<String> = artifacts
                .iter()
                .filter(|a| a.owner.as_deref() == Some(id.as_str()))
                .map(|a| format!("{}{}", view.prefix, a.target.as_str()))
                .collect();
            if let Some(co) = codeowners {
                files.extend(
                    view.files
                        .iter()
                        .filter(|f| {
                            co.owners_of(f)
                                .iter()
                                .any(|o| o.to_ascii_lowercase() == key)
                        })
                        .cloned(),
                );
            }
            let referenced = artifacts
                .iter()
                .any(|a| a.owner.as_deref() == Some(id.as_str()) || a.reviewers.contains(&id));
            // A CODEOWNERS owner every later line overrides owns nothing: no seat to staff.
            if files.is_empty() && !referenced {
                continue;
            }
            let mut staff: Vec<String> = people.resolve(&written).into_iter().collect();
            if staff.is_empty() {
                let files: Vec<&String> = files.iter().collect();
                staff = recent_authors(view, &files, people);
            }
            let title = (written.starts_with('@') || !is_valid_email(&written))
                .then(|| written.clone())
                .filter(|t| *t != id);
            if is_handle(&written) {
                handles.push((written.clone(), staff));
                staff = vec![written];
            }
            out.push(NewRole {
                id,
                title,
                people: staff,
            });
        }
        (out, handles)
    }
}

/// The most recent distinct authors of `files`, taking each file's newest first.
fn recent_authors(view: &RepoView, files: &[&String], people: &People) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let lists: Vec<&Vec<String>> = files.iter().filter_map(|f| view.authors.get(*f)).collect();
    let deepest = lists.iter().map(|l| l.len()).max().unwrap_or(0);
    for rank in 0..deepest {
        for list in &lists {
            if let Some(email) = list.get(rank) {
                let email = people.canonical(email);
                if is_valid_email(&email) && !out.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
                    out.push(email);
                }
            }
        }
        if out.len() >= AUTHORS_PER_ROLE {
            break;
        }
    }
    out.truncate(AUTHORS_PER_ROLE);
    out
}

/// `adr-0001-use-postgres` for `docs/adr/0001-use-postgres.md`; a folder's README is named
/// after the folder (`kep-1234-swap` for `keps/sig-node/1234-swap/README.md`).
fn artifact_id(path: &str, placed: Option<&folders::Placed>) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let file = parts.last().copied().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let stem =
        if matches!(stem.to_ascii_lowercase().as_str(), "readme" | "index") && parts.len() > 1 {
            parts[parts.len() - 2]
        } else {
            stem
        };
    let stem = slug(stem, "document");
    let Some(placed) = placed else {
        return stem;
    };
    let prefix = match placed.family {
        Family::Rfc => {
            let folder = placed.folder.rsplit('/').next().unwrap_or("rfc");
            slug(folder.trim_end_matches('s'), "rfc")
        }
        Family::Design => "design".to_string(),
        Family::EvalSet => "eval".to_string(),
        other => other.kind().to_string(),
    };
    if stem.starts_with(&prefix) {
        stem
    } else {
        format!("{prefix}-{stem}")
    }
}

/// Lower case letters, digits, `-`, `_` and `.`, starting with a letter or digit.
fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let out: String = out.chars().take(MAX_ID_CHARS - 4).collect();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out.trim_end_matches(['-', '.', '_']).to_string()
    }
}

/// `base`, or `base-2`, `base-3`… whichever is free; taken ids are compared ignoring case.
fn unique_id(base: &str, taken: &mut BTreeSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while taken.contains(&id.to_ascii_lowercase()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.to_ascii_lowercase());
    id
}

/// The edits that add what `proposal` has and `index` lacks: roles and kinds it does not
/// define, artifacts at paths it does not list (under a free id). Nothing it has is changed.
pub fn edits_for(index: &Index, proposal: &Proposal) -> Vec<IndexEdit> {
    let known_paths: BTreeSet<&str> = index.artifacts.iter().map(|a| a.target.as_str()).collect();
    let mut ids: BTreeSet<String> = index
        .artifacts
        .iter()
        .map(|a| a.id.to_ascii_lowercase())
        .collect();
    let new_artifacts: Vec<NewArtifact> = proposal
        .artifacts
        .iter()
        .filter(|a| !known_paths.contains(a.target.as_str()))
        .map(|a| NewArtifact {
            id: unique_id(&a.id, &mut ids),
            ..a.clone()
        })
        .collect();
    let mut edits: Vec<IndexEdit> = proposal
        .roles
        .iter()
        .filter(|r| index.role(&r.id).is_none())
        .map(|r| IndexEdit::AddRole(r.clone()))
        .collect();
    edits.extend(
        proposal
            .kinds
            .iter()
            .filter(|k| index.kind(&k.id).is_none())
            .filter(|k| {
                new_artifacts
                    .iter()
                    .any(|a| a.kind.as_deref() == Some(&k.id))
            })
            .map(|k| IndexEdit::AddKind(k.clone())),
    );
    edits.extend(new_artifacts.into_iter().map(IndexEdit::AddArtifact));
    // The mapping skeleton: every handle the new roles name that the index does not map yet.
    let named: BTreeSet<String> = edits
        .iter()
        .filter_map(|e| match e {
            IndexEdit::AddRole(r) => Some(r.people.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect();
    let skeleton: Vec<IndexEdit> = proposal
        .handles
        .iter()
        .filter(|(handle, _)| named.contains(handle))
        .filter(|(handle, _)| {
            !index
                .handles
                .iter()
                .any(|h| h.handle.eq_ignore_ascii_case(handle))
        })
        .map(|(handle, people)| IndexEdit::Handle {
            handle: handle.clone(),
            change: ListChange::Replace(people.clone()),
        })
        .collect();
    edits.extend(skeleton);
    edits
}

/// Where an index written from a profile (`init`) and the repository both define a kind, and
/// the repository has a template for it: the edits that give the kind the template's required
/// sections. The template is the team's own statement of what such a document holds; the
/// profile's list is a guess. `import` does not do this: an index that exists is a person's.
pub fn template_section_edits(index: &Index, proposal: &Proposal) -> Vec<IndexEdit> {
    proposal
        .kinds
        .iter()
        .filter(|k| !k.required_sections.is_empty() && proposal.template_of(&k.id).is_some())
        .filter(|k| index.kind(&k.id).is_some())
        .map(|k| IndexEdit::Kind {
            kind: k.id.clone(),
            field: KindField::RequiredSections,
            change: FieldChange::List(ListChange::Replace(k.required_sections.clone())),
        })
        // The same sections already, or a list the index would refuse: the profile's stays.
        .filter(|edit| crate::core::edit::check(index, edit).is_ok())
        .collect()
}
