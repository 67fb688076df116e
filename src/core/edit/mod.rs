//! Edits of the index: the vocabulary the workbench's forms and the `set`/`add`/`remove`
//! commands speak, the rules an edit must meet, and the text it produces — all pure, text in
//! and text out; `repo::write::index_edit` writes and commits.
//!
//! [`check`] says whether an edit is acceptable (forms call it as the user types); [`intended`]
//! is the index the edit should produce; [`edit_text`] produces the new text as one surgical
//! splice ([`crate::yaml::edit`]), and refuses to return one that does not load to exactly
//! [`intended`] — so a layout the splicer gets wrong can cost an error message, never a changed
//! meaning or a lost comment.

mod check;
mod handoff;
mod intent;
mod kind;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::core::model::load::suggest;
use crate::core::model::{Artifact, INDEX_FILE, Index, LoadErrors, Pos, Target};
use crate::yaml::edit::EditError;

pub use check::check;
pub(crate) use check::{role_references, unknown_role};
pub use handoff::HandoffField;
pub use intent::{intended, same_meaning};
pub use kind::KindField;
pub use text::{edit_text, edit_text_all};

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
    Status,
    SupersededBy,
    RequiredSections,
    Governs,
}

impl ArtifactField {
    pub const ALL: [ArtifactField; 14] = [
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
        ArtifactField::Status,
        ArtifactField::SupersededBy,
        ArtifactField::RequiredSections,
        ArtifactField::Governs,
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
            ArtifactField::Status => "status",
            ArtifactField::SupersededBy => "superseded_by",
            ArtifactField::RequiredSections => "required_sections",
            ArtifactField::Governs => "governs",
        }
    }

    pub fn is_list(self) -> bool {
        matches!(
            self,
            ArtifactField::Reviewers
                | ArtifactField::Consumers
                | ArtifactField::DependsOn
                | ArtifactField::RequiredSections
                | ArtifactField::Governs
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
/// line and in the workbench's forms). `[]` is the empty list, as YAML writes it.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    if value.trim() == "[]" {
        return Vec::new();
    }
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

/// A new artifact, as asked for: `target` is a path (a glob when it has wildcards) or a URL,
/// and `verify_every` the text typed; [`check`] judges both, and the edit writes the target
/// normalized. It has no position until it is written.
pub type NewArtifact = Artifact<String>;

impl NewArtifact {
    /// An artifact with only an id and a place.
    pub fn new(id: impl Into<String>, target: Target) -> NewArtifact {
        Artifact {
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
            status: Default::default(),
            superseded_by: None,
            required_sections: None,
            governs: Vec::new(),
            pos: Pos::default(),
            field_pos: BTreeMap::new(),
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

/// A new kind: the policy shared by artifacts of one type. `max_age` is the text typed
/// (such as `180d`); [`check`] judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKind {
    pub id: String,
    pub title: Option<String>,
    pub required_sections: Vec<String>,
    pub max_age: Option<String>,
}

/// One edit of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "one edit per user action: boxing the new artifact would save nothing that matters"
)]
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
    AddKind(NewKind),
    /// A field of a kind.
    Kind {
        kind: String,
        field: KindField,
        change: FieldChange,
    },
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
    /// The addresses behind a handle under `handles:`; an entry not there yet is added.
    Handle {
        handle: String,
        change: ListChange,
    },
    /// A field of the handoff itself, at the top of the index; `None` removes it.
    Handoff {
        field: HandoffField,
        value: Option<String>,
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
    #[error("`{field}` is not a field of a kind handoff edits{}; the fields are: {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), KindField::ALL.map(|f| f.key()).join(", "))]
    UnknownKindField {
        field: String,
        suggestion: Option<String>,
    },
    #[error("`{field}` is not one of the handoff's own fields{}; they are: {}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(), HandoffField::ALL.map(|f| f.key()).join(", "))]
    UnknownHandoffField {
        field: String,
        suggestion: Option<String>,
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
    #[error("there is already a kind `{0}`: choose another id, or edit that one")]
    DuplicateKind(String),
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
    #[error("`{0}` is not a handle: write it as CODEOWNERS does, `@dana` or `@org/team`")]
    InvalidHandle(String),
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
    #[error("{0}")]
    InvalidStatus(String),
    #[error(
        "a superseded artifact names the artifact that replaces it: `handoff set {artifact} superseded_by <id>` sets both"
    )]
    SuccessorRequired { artifact: String },
    #[error(
        "`{artifact}` is superseded, so it must name its successor: to bring it back, `handoff set {artifact} status active` (which also removes `superseded_by`)"
    )]
    SuccessorStays { artifact: String },
    #[error(
        "`{successor}` in `superseded_by` of `{artifact}` is not an artifact{}",
        hint(suggestion, known, "artifacts")
    )]
    UnknownSuccessor {
        artifact: String,
        successor: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error("`{artifact}` cannot supersede itself")]
    SelfSupersede { artifact: String },
    #[error("`{artifact}` cannot be superseded by `{successor}`: that would be a loop ({})", chain.join(" → "))]
    SupersedeLoop {
        artifact: String,
        successor: String,
        chain: Vec<String>,
    },
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

#[cfg(test)]
mod tests;
