//! Edits of `handoff.yaml` as text: what the workbench's forms and the `set`/`add`/`remove`
//! commands ask for, checked against the index, applied as one surgical splice
//! ([`crate::yaml::edit`]) and verified by loading the result.
//!
//! [`check`] says whether an edit is acceptable (forms call it as the user types); [`intended`]
//! is the index the edit should produce; [`edit_text`] produces the new text, and refuses to
//! return one that does not load to exactly [`intended`] — so a layout the splicer gets wrong
//! can cost an error message, never a changed meaning or a lost comment. Nothing here touches
//! the disk or git: [`super::index_edit`] writes and commits.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::core::model::load::{
    ARTIFACT_KEYS, ROLE_KEYS, is_valid_email, is_valid_id, load_index, path_problem, suggest,
    url_problem,
};
use crate::core::model::{Artifact, Duration, Index, LoadErrors, Pos, Role, Target};
use crate::repo::workspace::INDEX_FILE;
use crate::yaml::edit::{
    self, EditError, Layout, NewValue, Source, Splice, list_push, list_remove, map_append,
    remove_entry, replace_value, seq_append_map, seq_remove, set_entry,
};
use crate::yaml::{self, Node, Value};

/// A field of an artifact that handoff edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactField {
    Title,
    Description,
    Kind,
    Path,
    Url,
    Owner,
    VerifyEvery,
    Reviewers,
    Consumers,
    DependsOn,
}

impl ArtifactField {
    pub const ALL: [ArtifactField; 10] = [
        ArtifactField::Title,
        ArtifactField::Description,
        ArtifactField::Kind,
        ArtifactField::Path,
        ArtifactField::Url,
        ArtifactField::Owner,
        ArtifactField::VerifyEvery,
        ArtifactField::Reviewers,
        ArtifactField::Consumers,
        ArtifactField::DependsOn,
    ];

    /// The key in `handoff.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            ArtifactField::Title => "title",
            ArtifactField::Description => "description",
            ArtifactField::Kind => "kind",
            ArtifactField::Path => "path",
            ArtifactField::Url => "url",
            ArtifactField::Owner => "owner",
            ArtifactField::VerifyEvery => "verify_every",
            ArtifactField::Reviewers => "reviewers",
            ArtifactField::Consumers => "consumers",
            ArtifactField::DependsOn => "depends_on",
        }
    }

    pub fn is_list(self) -> bool {
        matches!(
            self,
            ArtifactField::Reviewers | ArtifactField::Consumers | ArtifactField::DependsOn
        )
    }
}

impl fmt::Display for ArtifactField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for ArtifactField {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<Self, Refusal> {
        let wanted = s.replace('-', "_");
        ArtifactField::ALL
            .into_iter()
            .find(|f| f.key() == wanted)
            .ok_or_else(|| Refusal::UnknownField {
                field: s.to_string(),
                suggestion: suggest(s, ArtifactField::ALL.iter().map(|f| f.key()))
                    .map(str::to_string),
            })
    }
}

/// Comma-separated items, trimmed; empty items dropped (how lists are typed on the command
/// line and in the workbench's forms).
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A change to a list: replace it, or add or remove one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListChange {
    Replace(Vec<String>),
    Add(String),
    Remove(String),
}

/// A change to one field of an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    /// A new value for a single-valued field.
    Set(String),
    /// Removes the field.
    Unset,
    /// A change to a list field.
    List(ListChange),
}

/// A new artifact. `target` is a path (a glob when it has wildcards) or a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArtifact {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub target: Target,
    pub owner: Option<String>,
    pub reviewers: Vec<String>,
    pub consumers: Vec<String>,
    pub depends_on: Vec<String>,
    pub verify_every: Option<String>,
}

impl NewArtifact {
    /// An artifact with only an id and a place.
    pub fn new(id: impl Into<String>, target: Target) -> NewArtifact {
        NewArtifact {
            id: id.into(),
            title: None,
            description: None,
            kind: None,
            target,
            owner: None,
            reviewers: Vec::new(),
            consumers: Vec::new(),
            depends_on: Vec::new(),
            verify_every: None,
        }
    }
}

/// A new role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    pub id: String,
    pub title: Option<String>,
    pub people: Vec<String>,
}

/// One edit of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexEdit {
    Artifact {
        artifact: String,
        field: ArtifactField,
        change: FieldChange,
    },
    AddArtifact(NewArtifact),
    RemoveArtifact {
        artifact: String,
    },
    AddRole(NewRole),
    RemoveRole {
        role: String,
    },
    RoleTitle {
        role: String,
        title: Option<String>,
    },
    People {
        role: String,
        change: ListChange,
    },
}

/// Why an edit is refused. Each message says what is wrong and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "no artifact `{id}` in {INDEX_FILE}{}",
        hint(suggestion, known, "artifacts")
    )]
    UnknownArtifact {
        id: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error(
        "unknown role `{role}` in `{field}`{}",
        hint(suggestion, known, "roles")
    )]
    UnknownRole {
        role: String,
        field: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("unknown kind `{kind}`{}", hint(suggestion, known, "kinds"))]
    UnknownKind {
        kind: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("`{field}` is not a field handoff edits{}; the fields are: {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), ArtifactField::ALL.map(|f| f.key()).join(", "))]
    UnknownField {
        field: String,
        suggestion: Option<String>,
    },
    #[error(
        "`{depends_on}` in `depends_on` of `{artifact}` is not an artifact{}",
        hint(suggestion, known, "artifacts")
    )]
    UnknownDependency {
        artifact: String,
        depends_on: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("`{artifact}` cannot depend on itself")]
    SelfDependency { artifact: String },
    #[error("{}", crate::core::model::load::invalid_id_message(id, what))]
    InvalidId { id: String, what: &'static str },
    #[error("there is already an artifact `{0}`: choose another id, or edit that one")]
    DuplicateArtifact(String),
    #[error("there is already a role `{0}`: choose another id, or edit that one")]
    DuplicateRole(String),
    #[error("`{item}` is already in `{field}` of {owner}")]
    AlreadyListed {
        item: String,
        field: String,
        owner: String,
    },
    #[error("`{item}` is listed twice in the new `{field}`")]
    ListedTwice { item: String, field: String },
    #[error("`{item}` is not in `{field}` of {owner}: {}", if listed.is_empty() { "the list is empty".to_string() } else { format!("it lists {}", listed.join(", ")) })]
    NotListed {
        item: String,
        field: String,
        owner: String,
        listed: Vec<String>,
    },
    #[error(
        "`{0}` is not an e-mail address: people are named by their git e-mail address, as in `git config user.email`"
    )]
    InvalidEmail(String),
    #[error("{0}")]
    InvalidPath(String),
    #[error("{0}")]
    InvalidUrl(String),
    #[error("{0}")]
    InvalidDuration(String),
    #[error(
        "`{field}` is a list: give items separated by commas, `+item` to add one or `-item` to remove one"
    )]
    NotAList { field: String },
    #[error("`{field}` is a single value, not a list")]
    NotASingleValue { field: String },
    #[error("`{field}` cannot be empty: to remove it, unset it")]
    EmptyValue { field: String },
    #[error(
        "an artifact needs a `path` or a `url`: `{artifact}` would have neither. Set the other one instead, which replaces it"
    )]
    TargetRequired { artifact: String },
    #[error("path `{path}` is already the path of `{other}`")]
    PathTaken { path: String, other: String },
    #[error("nothing to change: {0}")]
    Unchanged(String),
    #[error("{what} is still referenced: {}. Change those first", places.join("; "))]
    StillReferenced { what: String, places: Vec<String> },
}

fn hint(suggestion: &Option<String>, known: &[String], plural: &str) -> String {
    let mut out = String::new();
    if let Some(s) = suggestion {
        out.push_str(&format!(", did you mean `{s}`?"));
    }
    if known.is_empty() {
        out.push_str(&format!(" (no {plural} are defined yet)"));
    } else {
        out.push_str(&format!(" (defined {plural}: {})", known.join(", ")));
    }
    out
}

/// Why the text could not be edited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexTextError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{INDEX_FILE} does not load, so handoff will not edit it; fix this first:\n{0}")]
    Unloadable(LoadErrors),
    #[error("{INDEX_FILE}: cannot edit {what} in place: {source}")]
    Layout { what: String, source: EditError },
    #[error(
        "{INDEX_FILE} was not changed: the edited text {problem}. This is a bug in handoff; please report it with your {INDEX_FILE}, and make this change by hand meanwhile"
    )]
    Verification { problem: String },
}

/// The edited text and where it differs from the original.
#[derive(Debug, Clone, PartialEq)]
pub struct EditedText {
    pub text: String,
    /// The bytes of the original that were replaced; everything before and after is unchanged.
    pub replaced: Range<usize>,
    /// What replaced them.
    pub replacement: String,
    /// The index the new text loads to.
    pub index: Index,
}

// ---------------------------------------------------------------------------------------------
// Checking an edit against the index.

/// Whether `edit` is acceptable for `index`, with the reason when it is not.
pub fn check(index: &Index, edit: &IndexEdit) -> Result<(), Refusal> {
    match edit {
        IndexEdit::Artifact {
            artifact,
            field,
            change,
        } => check_field(index, artifact_named(index, artifact)?, *field, change),
        IndexEdit::AddArtifact(new) => check_new_artifact(index, new),
        IndexEdit::RemoveArtifact { artifact } => {
            artifact_named(index, artifact)?;
            let places: Vec<String> = index
                .downstream_of(artifact)
                .map(|a| format!("`depends_on` of `{}`", a.id))
                .collect();
            if places.is_empty() {
                Ok(())
            } else {
                Err(Refusal::StillReferenced {
                    what: format!("artifact `{artifact}`"),
                    places,
                })
            }
        }
        IndexEdit::AddRole(new) => {
            if !is_valid_id(&new.id) {
                return Err(Refusal::InvalidId {
                    id: new.id.clone(),
                    what: "role",
                });
            }
            if index.role(&new.id).is_some() {
                return Err(Refusal::DuplicateRole(new.id.clone()));
            }
            if let Some(title) = &new.title {
                non_empty(title, "title")?;
            }
            check_people(&new.people, &[], &format!("role `{}`", new.id))
        }
        IndexEdit::RemoveRole { role } => {
            role_named(index, role, "role")?;
            let places = role_references(index, role);
            if places.is_empty() {
                Ok(())
            } else {
                Err(Refusal::StillReferenced {
                    what: format!("role `{role}`"),
                    places,
                })
            }
        }
        IndexEdit::RoleTitle { role, title } => {
            let current = role_named(index, role, "role")?;
            match title {
                Some(t) => non_empty(t, "title")?,
                None if current.title.is_none() => {
                    return Err(Refusal::Unchanged(format!("role `{role}` has no title")));
                }
                None => {}
            }
            unchanged_if(current.title == *title, || {
                format!("the title of role `{role}` is already that")
            })
        }
        IndexEdit::People { role, change } => {
            let current = role_named(index, role, "role")?;
            let owner = format!("role `{role}`");
            match change {
                ListChange::Replace(people) => {
                    check_people(people, &[], &owner)?;
                    unchanged_if(current.people == *people, || {
                        format!("the people of {owner} are already those")
                    })
                }
                ListChange::Add(person) => {
                    check_people(std::slice::from_ref(person), &current.people, &owner)
                }
                ListChange::Remove(person) => {
                    if current
                        .people
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(person))
                    {
                        Ok(())
                    } else {
                        Err(Refusal::NotListed {
                            item: person.clone(),
                            field: "people".into(),
                            owner,
                            listed: current.people.clone(),
                        })
                    }
                }
            }
        }
    }
}

/// Where a role is named: owners, reviewers, consumers and kinds' sign-off lists.
pub fn role_references(index: &Index, role: &str) -> Vec<String> {
    let mut places = Vec::new();
    for a in &index.artifacts {
        for (field, named) in [
            ("owner", a.owner.as_deref() == Some(role)),
            ("reviewers", a.reviewers.iter().any(|r| r == role)),
            ("consumers", a.consumers.iter().any(|r| r == role)),
        ] {
            if named {
                places.push(format!("`{field}` of artifact `{}`", a.id));
            }
        }
    }
    for k in &index.kinds {
        if k.signoff.iter().any(|r| r == role) {
            places.push(format!("`signoff` of kind `{}`", k.id));
        }
    }
    places
}

fn unchanged_if(same: bool, what: impl FnOnce() -> String) -> Result<(), Refusal> {
    if same {
        Err(Refusal::Unchanged(what()))
    } else {
        Ok(())
    }
}

fn artifact_named<'i>(index: &'i Index, id: &str) -> Result<&'i Artifact, Refusal> {
    index.artifact(id).ok_or_else(|| {
        let known: Vec<&str> = index.artifacts.iter().map(|a| a.id.as_str()).collect();
        Refusal::UnknownArtifact {
            id: id.to_string(),
            suggestion: suggest(id, known.iter().copied()).map(str::to_string),
            known: known.iter().map(|s| s.to_string()).collect(),
        }
    })
}

fn role_named<'i>(index: &'i Index, role: &str, field: &str) -> Result<&'i Role, Refusal> {
    index
        .role(role)
        .ok_or_else(|| unknown_role(index, role, field))
}

/// An unknown role, with the closest defined one and the list of all.
pub fn unknown_role(index: &Index, role: &str, field: &str) -> Refusal {
    let known: Vec<&str> = index.roles.iter().map(|r| r.id.as_str()).collect();
    Refusal::UnknownRole {
        role: role.to_string(),
        field: field.to_string(),
        suggestion: suggest(role, known.iter().copied()).map(str::to_string),
        known: known.iter().map(|s| s.to_string()).collect(),
    }
}

fn non_empty(value: &str, field: &str) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        Err(Refusal::EmptyValue {
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

fn check_people(people: &[String], existing: &[String], owner: &str) -> Result<(), Refusal> {
    for (n, person) in people.iter().enumerate() {
        if !is_valid_email(person) {
            return Err(Refusal::InvalidEmail(person.clone()));
        }
        if existing.iter().any(|p| p.eq_ignore_ascii_case(person)) {
            return Err(Refusal::AlreadyListed {
                item: person.clone(),
                field: "people".into(),
                owner: owner.to_string(),
            });
        }
        if people[..n].iter().any(|p| p.eq_ignore_ascii_case(person)) {
            return Err(Refusal::ListedTwice {
                item: person.clone(),
                field: "people".into(),
            });
        }
    }
    Ok(())
}

fn check_roles(index: &Index, roles: &[String], field: &str) -> Result<(), Refusal> {
    for (n, role) in roles.iter().enumerate() {
        role_named(index, role, field)?;
        if roles[..n].contains(role) {
            return Err(Refusal::ListedTwice {
                item: role.clone(),
                field: field.to_string(),
            });
        }
    }
    Ok(())
}

fn check_dependencies(index: &Index, artifact: &str, deps: &[String]) -> Result<(), Refusal> {
    for (n, dep) in deps.iter().enumerate() {
        if dep == artifact {
            return Err(Refusal::SelfDependency {
                artifact: artifact.to_string(),
            });
        }
        if index.artifact(dep).is_none() {
            let known: Vec<&str> = index
                .artifacts
                .iter()
                .map(|a| a.id.as_str())
                .filter(|id| *id != artifact)
                .collect();
            return Err(Refusal::UnknownDependency {
                artifact: artifact.to_string(),
                depends_on: dep.clone(),
                suggestion: suggest(dep, known.iter().copied()).map(str::to_string),
                known: known.iter().map(|s| s.to_string()).collect(),
            });
        }
        if deps[..n].contains(dep) {
            return Err(Refusal::ListedTwice {
                item: dep.clone(),
                field: "depends_on".into(),
            });
        }
    }
    Ok(())
}

fn check_kind(index: &Index, kind: &str) -> Result<(), Refusal> {
    if index.kind(kind).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = index.kinds.iter().map(|k| k.id.as_str()).collect();
    Err(Refusal::UnknownKind {
        kind: kind.to_string(),
        suggestion: suggest(kind, known.iter().copied()).map(str::to_string),
        known: known.iter().map(|s| s.to_string()).collect(),
    })
}

/// The target as the loader reads a path or URL written in the index.
pub fn normalized_target(target: &Target) -> Result<Target, Refusal> {
    match target {
        Target::Url(u) => match url_problem(u) {
            None => Ok(Target::Url(u.clone())),
            Some(problem) => Err(Refusal::InvalidUrl(problem)),
        },
        Target::Path(p) | Target::Glob(p) => {
            if let Some(problem) = path_problem(p) {
                return Err(Refusal::InvalidPath(problem));
            }
            let p = p.trim_end_matches('/').trim_start_matches("./").to_string();
            if p.is_empty() {
                return Err(Refusal::InvalidPath("the path is empty".into()));
            }
            if p.contains(['*', '?', '[', '{']) {
                if let Err(e) = globset::Glob::new(&p) {
                    return Err(Refusal::InvalidPath(format!(
                        "`{p}` is not a valid glob: {}",
                        e.kind()
                    )));
                }
                Ok(Target::Glob(p))
            } else {
                Ok(Target::Path(p))
            }
        }
    }
}

fn check_target(index: &Index, artifact: &str, target: &Target) -> Result<Target, Refusal> {
    let target = normalized_target(target)?;
    if let Target::Path(p) = &target
        && let Some(other) = index.artifacts.iter().find(|a| {
            a.id != artifact
                && matches!(&a.target, Target::Path(q) if q.to_lowercase() == p.to_lowercase())
        })
    {
        return Err(Refusal::PathTaken {
            path: p.clone(),
            other: other.id.clone(),
        });
    }
    Ok(target)
}

fn check_duration(text: &str) -> Result<Duration, Refusal> {
    text.parse::<Duration>()
        .map_err(|e| Refusal::InvalidDuration(e.to_string()))
}

fn check_field(
    index: &Index,
    a: &Artifact,
    field: ArtifactField,
    change: &FieldChange,
) -> Result<(), Refusal> {
    let key = field.key();
    let owner = format!("artifact `{}`", a.id);
    let list = |f: ArtifactField| -> &[String] {
        match f {
            ArtifactField::Reviewers => &a.reviewers,
            ArtifactField::Consumers => &a.consumers,
            _ => &a.depends_on,
        }
    };
    let check_items = |items: &[String]| match field {
        ArtifactField::DependsOn => check_dependencies(index, &a.id, items),
        _ => check_roles(index, items, key),
    };
    match (field.is_list(), change) {
        (true, FieldChange::Set(_)) => Err(Refusal::NotAList {
            field: key.to_string(),
        }),
        (false, FieldChange::List(_)) => Err(Refusal::NotASingleValue {
            field: key.to_string(),
        }),
        (true, FieldChange::Unset) => {
            unchanged_if(list(field).is_empty(), || format!("{owner} has no {key}"))
        }
        (true, FieldChange::List(ListChange::Replace(items))) => {
            check_items(items)?;
            unchanged_if(list(field) == items.as_slice(), || {
                format!("`{key}` of {owner} is already that")
            })
        }
        (true, FieldChange::List(ListChange::Add(item))) => {
            if list(field).contains(item) {
                return Err(Refusal::AlreadyListed {
                    item: item.clone(),
                    field: key.to_string(),
                    owner,
                });
            }
            check_items(std::slice::from_ref(item))
        }
        (true, FieldChange::List(ListChange::Remove(item))) => {
            if list(field).contains(item) {
                Ok(())
            } else {
                Err(Refusal::NotListed {
                    item: item.clone(),
                    field: key.to_string(),
                    owner,
                    listed: list(field).to_vec(),
                })
            }
        }
        (false, FieldChange::Unset) => {
            let is_set = match field {
                ArtifactField::Title => a.title.is_some(),
                ArtifactField::Description => a.description.is_some(),
                ArtifactField::Kind => a.kind.is_some(),
                ArtifactField::Owner => a.owner.is_some(),
                ArtifactField::VerifyEvery => a.verify_every.is_some(),
                ArtifactField::Path => !a.target.is_url(),
                _ => a.target.is_url(),
            };
            if matches!(field, ArtifactField::Path | ArtifactField::Url) && is_set {
                return Err(Refusal::TargetRequired {
                    artifact: a.id.clone(),
                });
            }
            unchanged_if(!is_set, || format!("{owner} has no {key}"))
        }
        (false, FieldChange::Set(value)) => {
            non_empty(value, key)?;
            let same = match field {
                ArtifactField::Title => a.title.as_deref() == Some(value),
                ArtifactField::Description => a.description.as_deref() == Some(value),
                ArtifactField::Kind => {
                    check_kind(index, value)?;
                    a.kind.as_deref() == Some(value)
                }
                ArtifactField::Owner => {
                    role_named(index, value, "owner")?;
                    a.owner.as_deref() == Some(value)
                }
                ArtifactField::VerifyEvery => {
                    let d = check_duration(value)?;
                    a.verify_every.as_ref() == Some(&d)
                }
                ArtifactField::Path => {
                    check_target(index, &a.id, &Target::Path(value.clone()))? == a.target
                }
                _ => check_target(index, &a.id, &Target::Url(value.clone()))? == a.target,
            };
            unchanged_if(same, || format!("`{key}` of {owner} is already `{value}`"))
        }
    }
}

fn check_new_artifact(index: &Index, new: &NewArtifact) -> Result<(), Refusal> {
    if !is_valid_id(&new.id) {
        return Err(Refusal::InvalidId {
            id: new.id.clone(),
            what: "artifact",
        });
    }
    if index.artifact(&new.id).is_some() {
        return Err(Refusal::DuplicateArtifact(new.id.clone()));
    }
    for (field, value) in [("title", &new.title), ("description", &new.description)] {
        if let Some(v) = value {
            non_empty(v, field)?;
        }
    }
    if let Some(kind) = &new.kind {
        check_kind(index, kind)?;
    }
    check_target(index, &new.id, &new.target)?;
    if let Some(owner) = &new.owner {
        role_named(index, owner, "owner")?;
    }
    check_roles(index, &new.reviewers, "reviewers")?;
    check_roles(index, &new.consumers, "consumers")?;
    check_dependencies(index, &new.id, &new.depends_on)?;
    if let Some(d) = &new.verify_every {
        check_duration(d)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The index an edit should produce.

/// The index with `edit` applied, for an edit [`check`] accepted.
pub fn intended(index: &Index, edit: &IndexEdit) -> Index {
    let mut out = index.clone();
    match edit {
        IndexEdit::Artifact {
            artifact,
            field,
            change,
        } => {
            if let Some(a) = out.artifacts.iter_mut().find(|a| a.id == *artifact) {
                apply_field(a, *field, change);
            }
        }
        IndexEdit::AddArtifact(new) => out.artifacts.push(Artifact {
            id: new.id.clone(),
            title: new.title.clone(),
            description: new.description.clone(),
            kind: new.kind.clone(),
            target: normalized_target(&new.target).unwrap_or_else(|_| new.target.clone()),
            owner: new.owner.clone(),
            reviewers: new.reviewers.clone(),
            consumers: new.consumers.clone(),
            depends_on: new.depends_on.clone(),
            verify_every: new.verify_every.as_deref().and_then(|d| d.parse().ok()),
            pos: Pos::default(),
            field_pos: Default::default(),
        }),
        IndexEdit::RemoveArtifact { artifact } => out.artifacts.retain(|a| a.id != *artifact),
        IndexEdit::AddRole(new) => out.roles.push(Role {
            id: new.id.clone(),
            title: new.title.clone(),
            people: new.people.clone(),
            pos: Pos::default(),
        }),
        IndexEdit::RemoveRole { role } => out.roles.retain(|r| r.id != *role),
        IndexEdit::RoleTitle { role, title } => {
            if let Some(r) = out.roles.iter_mut().find(|r| r.id == *role) {
                r.title = title.clone();
            }
        }
        IndexEdit::People { role, change } => {
            if let Some(r) = out.roles.iter_mut().find(|r| r.id == *role) {
                match change {
                    ListChange::Replace(people) => r.people = people.clone(),
                    ListChange::Add(p) => r.people.push(p.clone()),
                    ListChange::Remove(p) => r.people.retain(|q| !q.eq_ignore_ascii_case(p)),
                }
            }
        }
    }
    out
}

fn apply_field(a: &mut Artifact, field: ArtifactField, change: &FieldChange) {
    if let FieldChange::List(change) = change {
        let list = match field {
            ArtifactField::Reviewers => &mut a.reviewers,
            ArtifactField::Consumers => &mut a.consumers,
            _ => &mut a.depends_on,
        };
        match change {
            ListChange::Replace(items) => *list = items.clone(),
            ListChange::Add(item) => list.push(item.clone()),
            ListChange::Remove(item) => list.retain(|i| i != item),
        }
        return;
    }
    let value = match change {
        FieldChange::Set(v) => Some(v.clone()),
        _ => None,
    };
    match field {
        ArtifactField::Title => a.title = value,
        ArtifactField::Description => a.description = value,
        ArtifactField::Kind => a.kind = value,
        ArtifactField::Owner => a.owner = value,
        ArtifactField::VerifyEvery => a.verify_every = value.and_then(|v| v.parse().ok()),
        ArtifactField::Path | ArtifactField::Url => {
            if let Some(v) = value {
                let target = if field == ArtifactField::Path {
                    Target::Path(v)
                } else {
                    Target::Url(v)
                };
                a.target = normalized_target(&target).unwrap_or(target);
            }
        }
        ArtifactField::Reviewers => a.reviewers.clear(),
        ArtifactField::Consumers => a.consumers.clear(),
        ArtifactField::DependsOn => a.depends_on.clear(),
    }
}

/// The index without source positions, for comparing what two texts mean.
fn meaning(index: &Index) -> Index {
    let mut out = index.clone();
    out.roles.iter_mut().for_each(|r| r.pos = Pos::default());
    out.kinds.iter_mut().for_each(|k| k.pos = Pos::default());
    out.artifacts.iter_mut().for_each(|a| {
        a.pos = Pos::default();
        a.field_pos.clear();
    });
    out
}

/// Whether two indexes say the same thing, wherever it is written.
pub fn same_meaning(a: &Index, b: &Index) -> bool {
    meaning(a) == meaning(b)
}

// ---------------------------------------------------------------------------------------------
// Editing the text.

/// Applies `edit` to the text of `handoff.yaml`: checks it, splices it in, and verifies that
/// the result loads to exactly the [`intended`] index.
pub fn edit_text(text: &str, edit: &IndexEdit) -> Result<EditedText, IndexTextError> {
    let old = load_index(INDEX_FILE, text.as_bytes()).map_err(IndexTextError::Unloadable)?;
    check(&old, edit)?;
    let want = intended(&old, edit);

    // Positions are computed on the text after a byte-order mark, then shifted back.
    let (body, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let root = match yaml::parse(body) {
        Ok(Some(root)) => root,
        _ => {
            return Err(IndexTextError::Verification {
                problem: "did not parse as it did when loaded".into(),
            });
        }
    };
    let src = Source::new(body);
    let splice = splice_for(&src, &root, &old, edit)?.shifted(bom);
    let new_text = splice.apply(text);
    let index = match load_index(INDEX_FILE, new_text.as_bytes()) {
        Ok(index) => index,
        Err(e) => {
            return Err(IndexTextError::Verification {
                problem: format!("would not load ({})", e.first()),
            });
        }
    };
    if !same_meaning(&index, &want) {
        return Err(IndexTextError::Verification {
            problem: "would load differently from what was asked".into(),
        });
    }
    Ok(EditedText {
        text: new_text,
        replaced: splice.range,
        replacement: splice.text,
        index,
    })
}

fn layout_error(what: impl Into<String>) -> impl FnOnce(EditError) -> IndexTextError {
    let what = what.into();
    move |source| IndexTextError::Layout { what, source }
}

/// The `artifacts` sequence and the item of artifact `id` in it.
fn artifact_node<'n>(root: &'n Node, id: &str) -> Option<(&'n Node, usize, &'n Node)> {
    let seq = root.get("artifacts")?;
    let items = seq.as_seq()?;
    let position = items
        .iter()
        .position(|item| item.get("id").and_then(Node::as_scalar) == Some(id))?;
    Some((seq, position, &items[position]))
}

/// The entry of role `id` under `roles:`.
fn role_entry<'n>(root: &'n Node, id: &str) -> Option<&'n yaml::Entry> {
    root.get("roles")?.entry(id)
}

fn missing(what: String) -> IndexTextError {
    IndexTextError::Verification {
        problem: format!("has no {what} where the loaded index has one"),
    }
}

/// The layout for new content in `section` (the artifacts, the roles).
fn section_layout(src: &Source, root: &Node, section: Option<&Node>) -> Layout {
    Layout::detect_in(src, root, section)
}

/// Whether roles are written as `{ title: ..., people: [...] }` (or as indented lines).
fn roles_layout(src: &Source, root: &Node) -> Layout {
    let roles = root.get("roles");
    let mut layout = section_layout(src, root, roles);
    let maps: Vec<bool> = roles
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| match &e.value.value {
            Value::Map { flow, entries } if !entries.is_empty() => Some(*flow),
            _ => None,
        })
        .collect();
    if !maps.is_empty() {
        layout.flow_maps = maps.iter().filter(|f| **f).count() * 2 >= maps.len();
    }
    layout
}

fn splice_for(
    src: &Source,
    root: &Node,
    old: &Index,
    edit: &IndexEdit,
) -> Result<Splice, IndexTextError> {
    match edit {
        IndexEdit::Artifact {
            artifact,
            field,
            change,
        } => {
            let (seq, _, item) = artifact_node(root, artifact)
                .ok_or_else(|| missing(format!("artifact `{artifact}`")))?;
            let layout = section_layout(src, root, Some(seq));
            let what = format!("`{}` of artifact `{artifact}`", field.key());
            artifact_field_splice(src, item, old, artifact, *field, change, &layout)
                .map_err(layout_error(what))
        }
        IndexEdit::AddArtifact(new) => {
            let section = root.get("artifacts");
            let layout = section_layout(src, root, section);
            seq_append_map(src, root, "artifacts", &artifact_entries(new), &layout)
                .map_err(layout_error(format!("the artifacts, to add `{}`", new.id)))
        }
        IndexEdit::RemoveArtifact { artifact } => {
            let (seq, position, _) = artifact_node(root, artifact)
                .ok_or_else(|| missing(format!("artifact `{artifact}`")))?;
            seq_remove(src, seq, position).map_err(layout_error(format!("artifact `{artifact}`")))
        }
        IndexEdit::AddRole(new) => {
            let layout = roles_layout(src, root);
            let mut value = Vec::new();
            if let Some(title) = &new.title {
                value.push(("title".to_string(), NewValue::Scalar(title.clone())));
            }
            value.push(("people".to_string(), NewValue::List(new.people.clone())));
            map_append(src, root, "roles", &new.id, &NewValue::Map(value), &layout)
                .map_err(layout_error(format!("the roles, to add `{}`", new.id)))
        }
        IndexEdit::RemoveRole { role } => {
            let roles = root.get("roles").ok_or_else(|| missing("`roles`".into()))?;
            remove_entry(src, roles, role, true)
                .map_err(layout_error(format!("role `{role}`")))?
                .ok_or_else(|| missing(format!("role `{role}`")))
        }
        IndexEdit::RoleTitle { role, title } => {
            let entry = role_entry(root, role).ok_or_else(|| missing(format!("role `{role}`")))?;
            let layout = roles_layout(src, root);
            let what = format!("the title of role `{role}`");
            match title {
                Some(t) => set_in_role(src, entry, "title", NewValue::Scalar(t.clone()), &layout),
                None => remove_entry(src, &entry.value, "title", false)
                    .and_then(|s| s.ok_or_else(|| unsupported_missing(entry, "title"))),
            }
            .map_err(layout_error(what))
        }
        IndexEdit::People { role, change } => {
            let entry = role_entry(root, role).ok_or_else(|| missing(format!("role `{role}`")))?;
            let layout = roles_layout(src, root);
            let what = format!("the people of role `{role}`");
            let current = old
                .role(role)
                .map(|r| r.people.as_slice())
                .unwrap_or_default();
            people_splice(src, entry, current, change, &layout).map_err(layout_error(what))
        }
    }
}

fn unsupported_missing(entry: &yaml::Entry, key: &str) -> EditError {
    EditError::Unsupported {
        line: entry.key.span.start.line,
        what: format!("`{key}`"),
        why: "it is not written here".into(),
    }
}

/// Sets `key` inside a role's mapping; a role written as `id:` with no value gets a mapping.
fn set_in_role(
    src: &Source,
    entry: &yaml::Entry,
    key: &str,
    value: NewValue,
    layout: &Layout,
) -> Result<Splice, EditError> {
    if entry.value.is_null() {
        replace_value(
            src,
            entry,
            &NewValue::Map(vec![(key.to_string(), value)]),
            layout,
        )
    } else {
        set_entry(src, &entry.value, key, &value, layout, ROLE_KEYS)
    }
}

fn people_splice(
    src: &Source,
    entry: &yaml::Entry,
    current: &[String],
    change: &ListChange,
    layout: &Layout,
) -> Result<Splice, EditError> {
    match change {
        ListChange::Replace(people) => {
            set_in_role(src, entry, "people", NewValue::List(people.clone()), layout)
        }
        ListChange::Add(person) if !entry.value.is_null() => {
            list_push(src, &entry.value, "people", person, layout, ROLE_KEYS)
        }
        ListChange::Add(person) => set_in_role(
            src,
            entry,
            "people",
            NewValue::List(vec![person.clone()]),
            layout,
        ),
        ListChange::Remove(person) => {
            let position = current
                .iter()
                .position(|p| p.eq_ignore_ascii_case(person))
                .ok_or_else(|| unsupported_missing(entry, person))?;
            list_remove(src, &entry.value, "people", position)
        }
    }
}

fn artifact_field_splice(
    src: &Source,
    item: &Node,
    old: &Index,
    artifact: &str,
    field: ArtifactField,
    change: &FieldChange,
    layout: &Layout,
) -> Result<Splice, EditError> {
    let key = field.key();
    match change {
        FieldChange::Unset => {
            remove_entry(src, item, key, false)?.ok_or_else(|| EditError::Unsupported {
                line: item.span.start.line,
                what: format!("`{key}`"),
                why: "it is not written in this artifact".into(),
            })
        }
        FieldChange::Set(value) => {
            let written = match field {
                ArtifactField::Path | ArtifactField::Url => {
                    let target = if field == ArtifactField::Path {
                        Target::Path(value.clone())
                    } else {
                        Target::Url(value.clone())
                    };
                    normalized_target(&target)
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_else(|_| value.clone())
                }
                _ => value.clone(),
            };
            let other = match field {
                ArtifactField::Path => Some("url"),
                ArtifactField::Url => Some("path"),
                _ => None,
            };
            // Switching between `path` and `url` rewrites the one entry in place.
            if let Some(other_key) = other
                && let Some(entry) = item.entry(other_key)
            {
                let end = edit::entry_end(src, entry);
                if entry.value.span.start.line != entry.key.span.start.line
                    && !entry.value.is_null()
                {
                    return Err(EditError::Unsupported {
                        line: entry.key.span.start.line,
                        what: format!("`{other_key}`"),
                        why: "its value is not on the key's line".into(),
                    });
                }
                return Ok(Splice {
                    range: entry.key.span.start.offset..end,
                    text: format!("{key}: {}", edit::scalar(&written)),
                });
            }
            set_entry(
                src,
                item,
                key,
                &NewValue::Scalar(written),
                layout,
                ARTIFACT_KEYS,
            )
        }
        FieldChange::List(ListChange::Replace(items)) => set_entry(
            src,
            item,
            key,
            &NewValue::List(items.clone()),
            layout,
            ARTIFACT_KEYS,
        ),
        FieldChange::List(ListChange::Add(x)) => {
            list_push(src, item, key, x, layout, ARTIFACT_KEYS)
        }
        FieldChange::List(ListChange::Remove(x)) => {
            let current = old
                .artifact(artifact)
                .map(|a| match field {
                    ArtifactField::Reviewers => a.reviewers.clone(),
                    ArtifactField::Consumers => a.consumers.clone(),
                    _ => a.depends_on.clone(),
                })
                .unwrap_or_default();
            let position =
                current
                    .iter()
                    .position(|i| i == x)
                    .ok_or_else(|| EditError::Unsupported {
                        line: item.span.start.line,
                        what: format!("`{key}`"),
                        why: format!("`{x}` is not in it"),
                    })?;
            list_remove(src, item, key, position)
        }
    }
}

/// The entries of a new artifact in the conventional key order.
fn artifact_entries(new: &NewArtifact) -> Vec<(String, NewValue)> {
    let target = normalized_target(&new.target).unwrap_or_else(|_| new.target.clone());
    let scalars: [(&str, Option<String>); 4] = [
        ("title", new.title.clone()),
        ("description", new.description.clone()),
        ("kind", new.kind.clone()),
        (
            if target.is_url() { "url" } else { "path" },
            Some(target.as_str().to_string()),
        ),
    ];
    let mut out = vec![("id".to_string(), NewValue::Scalar(new.id.clone()))];
    for (key, value) in scalars {
        if let Some(v) = value {
            out.push((key.to_string(), NewValue::Scalar(v)));
        }
    }
    if let Some(owner) = &new.owner {
        out.push(("owner".into(), NewValue::Scalar(owner.clone())));
    }
    for (key, list) in [
        ("reviewers", &new.reviewers),
        ("consumers", &new.consumers),
        ("depends_on", &new.depends_on),
    ] {
        if !list.is_empty() {
            out.push((key.to_string(), NewValue::List(list.clone())));
        }
    }
    if let Some(d) = &new.verify_every {
        out.push(("verify_every".into(), NewValue::Scalar(d.clone())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "\
version: 1
name: Support reply drafting
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ai-eng: { title: AI Engineer, people: [lee@acme.example] }   # two soon
  ops:
kinds:
  prd:
    signoff: [ops]
artifacts:
  # --- Product
  - id: prd
    title: PRD
    kind: prd
    path: docs/prd.md          # or: url: https://...
    owner: pm
    reviewers: [ai-eng]
    depends_on: [framing]

  - id: framing
    path: docs/framing.md
    owner:                     # pm or ai-eng? decide on Thursday
";

    fn apply(text: &str, edit: IndexEdit) -> String {
        let edited = edit_text(text, &edit).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            &edited.text[..edited.replaced.start],
            &text[..edited.replaced.start]
        );
        edited.text
    }

    fn set(artifact: &str, field: ArtifactField, change: FieldChange) -> IndexEdit {
        IndexEdit::Artifact {
            artifact: artifact.into(),
            field,
            change,
        }
    }

    #[test]
    fn sets_a_title_in_place() {
        let out = apply(
            INDEX,
            set(
                "prd",
                ArtifactField::Title,
                FieldChange::Set("Renamed".into()),
            ),
        );
        assert_eq!(out, INDEX.replace("title: PRD", "title: Renamed"));
    }

    #[test]
    fn fills_the_empty_owner_keeping_its_comment() {
        let out = apply(
            INDEX,
            set(
                "framing",
                ArtifactField::Owner,
                FieldChange::Set("pm".into()),
            ),
        );
        assert!(
            out.ends_with("    owner: pm                     # pm or ai-eng? decide on Thursday\n"),
            "{out}"
        );
    }

    #[test]
    fn switches_path_to_url_on_the_same_line() {
        let out = apply(
            INDEX,
            set(
                "prd",
                ArtifactField::Url,
                FieldChange::Set("https://docs.example/prd".into()),
            ),
        );
        assert!(
            out.contains("    url: https://docs.example/prd          # or: url"),
            "{out}"
        );
    }

    #[test]
    fn unknown_role_is_refused_with_the_known_ones() {
        let err = edit_text(
            INDEX,
            &set(
                "prd",
                ArtifactField::Reviewers,
                FieldChange::List(ListChange::Add("opps".into())),
            ),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown role `opps` in `reviewers`, did you mean `ops`? (defined roles: pm, ai-eng, ops)"
        );
    }

    #[test]
    fn people_of_an_empty_role() {
        let out = apply(
            INDEX,
            IndexEdit::People {
                role: "ops".into(),
                change: ListChange::Add("rosa@acme.example".into()),
            },
        );
        assert!(
            out.contains("  ops: { people: [rosa@acme.example] }\n"),
            "{out}"
        );
    }

    #[test]
    fn adds_a_role_in_the_flow_style() {
        let out = apply(
            INDEX,
            IndexEdit::AddRole(NewRole {
                id: "designer".into(),
                title: Some("Designer".into()),
                people: vec![],
            }),
        );
        assert!(
            out.contains("  ops:\n  designer: { title: Designer, people: [] }\nkinds:"),
            "{out}"
        );
    }

    #[test]
    fn removes_an_artifact_with_its_comment() {
        let out = apply(
            INDEX,
            IndexEdit::RemoveArtifact {
                artifact: "prd".into(),
            },
        );
        assert!(out.contains("artifacts:\n  - id: framing\n"), "{out}");
        let err = edit_text(
            INDEX,
            &IndexEdit::RemoveArtifact {
                artifact: "framing".into(),
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "artifact `framing` is still referenced: `depends_on` of `prd`. Change those first"
        );
        let err = edit_text(INDEX, &IndexEdit::RemoveRole { role: "pm".into() }).unwrap_err();
        assert!(
            err.to_string().contains("`owner` of artifact `prd`"),
            "{err}"
        );
    }

    #[test]
    fn adds_an_artifact_after_the_last() {
        let mut new = NewArtifact::new("evals", Target::Path("./evals/".into()));
        new.owner = Some("ai-eng".into());
        new.reviewers = vec!["pm".into()];
        let out = apply(INDEX, IndexEdit::AddArtifact(new));
        assert!(
            out.ends_with("decide on Thursday\n\n  - id: evals\n    path: evals\n    owner: ai-eng\n    reviewers: [pm]\n"),
            "{out}"
        );
    }

    #[test]
    fn crlf_and_bom_survive() {
        let text = format!("\u{feff}{}", INDEX.replace('\n', "\r\n"));
        let out = apply(
            &text,
            set(
                "prd",
                ArtifactField::Consumers,
                FieldChange::List(ListChange::Add("ops".into())),
            ),
        );
        assert!(out.starts_with('\u{feff}'));
        assert!(
            out.contains("    reviewers: [ai-eng]\r\n    consumers: [ops]\r\n    depends_on"),
            "{out:?}"
        );
        assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
    }
}
