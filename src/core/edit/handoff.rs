//! Edits of the handoff's own fields at the top of the index (`handoff set --handoff FIELD
//! VALUE`): which fields, what is accepted, what the index becomes and the splice.

use super::Refusal;
use super::check::{non_empty, unchanged_if};
use crate::core::model::Index;
use crate::core::model::load::{TOP_KEYS, suggest};
use crate::yaml::Node;
use crate::yaml::edit::{EditError, Layout, NewValue, Source, Splice, remove_entry, set_entry};

/// A top-level field of the index that handoff edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandoffField {
    Name,
    Description,
}

impl HandoffField {
    pub const ALL: [HandoffField; 2] = [HandoffField::Name, HandoffField::Description];

    /// The key in `handoff.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            HandoffField::Name => "name",
            HandoffField::Description => "description",
        }
    }

    fn of(self, index: &Index) -> Option<&str> {
        match self {
            HandoffField::Name => index.name.as_deref(),
            HandoffField::Description => index.description.as_deref(),
        }
    }
}

impl std::str::FromStr for HandoffField {
    type Err = Refusal;

    fn from_str(s: &str) -> Result<Self, Refusal> {
        HandoffField::ALL
            .into_iter()
            .find(|f| f.key() == s)
            .ok_or_else(|| Refusal::UnknownHandoffField {
                field: s.to_string(),
                suggestion: suggest(s, HandoffField::ALL.iter().map(|f| f.key()))
                    .map(str::to_string),
            })
    }
}

/// Whether the edit may be made: a value that is not blank and not the one written, or the
/// removal of a field that is written.
pub(super) fn check_handoff_field(
    index: &Index,
    field: HandoffField,
    value: Option<&str>,
) -> Result<(), Refusal> {
    let current = field.of(index);
    match value {
        Some(v) => {
            non_empty(v, field.key())?;
            unchanged_if(current == Some(v), || {
                format!("the handoff's {} is already that", field.key())
            })
        }
        None => unchanged_if(current.is_none(), || {
            format!("the handoff has no {}", field.key())
        }),
    }
}

/// The index with the edit applied.
pub(super) fn apply_handoff_field(index: &mut Index, field: HandoffField, value: Option<&str>) {
    let value = value.map(str::to_string);
    match field {
        HandoffField::Name => index.name = value,
        HandoffField::Description => index.description = value,
    }
}

/// The splice that makes the edit in the text: the key set in place (a block scalar becomes
/// the new value; comments around it stay) or inserted in the conventional order, or removed.
pub(super) fn handoff_field_splice(
    src: &Source,
    root: &Node,
    field: HandoffField,
    value: Option<&str>,
    layout: &Layout,
) -> Result<Splice, EditError> {
    match value {
        Some(v) => set_entry(
            src,
            root,
            field.key(),
            &NewValue::Scalar(v.to_string()),
            layout,
            TOP_KEYS,
        ),
        None => {
            remove_entry(src, root, field.key(), false)?.ok_or_else(|| EditError::Unsupported {
                line: root.span.start.line,
                what: format!("`{}`", field.key()),
                why: "it is not written here".into(),
            })
        }
    }
}
