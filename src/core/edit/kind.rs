//! Edits of a kind's fields (`handoff set --kind ID FIELD VALUE`): which fields, what is
//! accepted, what the index becomes and the splice of `handoff.yaml` that says it.

use super::check::{check_duration, check_kind, non_empty, unchanged_if, unknown_role};
use super::{FieldChange, ListChange, Refusal};
use crate::core::model::load::{KIND_KEYS, suggest};
use crate::core::model::{Index, Kind};
use crate::yaml::Node;
use crate::yaml::edit::{EditError, Layout, NewValue, Source, Splice, remove_entry, set_entry};

/// A field of a kind that handoff edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindField {
    Title,
    RequiredSections,
    Signoff,
    MaxAge,
    ReviewEvery,
    VerifyEvery,
    SignoffWithin,
}

impl KindField {
    pub const ALL: [KindField; 7] = [
        KindField::Title,
        KindField::RequiredSections,
        KindField::Signoff,
        KindField::MaxAge,
        KindField::ReviewEvery,
        KindField::VerifyEvery,
        KindField::SignoffWithin,
    ];

    /// The key in `handoff.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            KindField::Title => "title",
            KindField::RequiredSections => "required_sections",
            KindField::Signoff => "signoff",
            KindField::MaxAge => "max_age",
            KindField::ReviewEvery => "review_every",
            KindField::VerifyEvery => "verify_every",
            KindField::SignoffWithin => "signoff_within",
        }
    }

    /// Whether the field holds a list (`a,b`, `+x`, `-x`).
    pub fn is_list(self) -> bool {
        matches!(self, KindField::RequiredSections | KindField::Signoff)
    }
}

impl std::str::FromStr for KindField {
    type Err = Refusal;

    fn from_str(s: &str) -> Result<Self, Refusal> {
        KindField::ALL
            .into_iter()
            .find(|f| f.key() == s)
            .ok_or_else(|| Refusal::UnknownKindField {
                field: s.to_string(),
                suggestion: suggest(s, KindField::ALL.iter().map(|f| f.key())).map(str::to_string),
            })
    }
}

/// The list a list change makes of `current`.
fn changed_list(current: &[String], change: &ListChange) -> Vec<String> {
    match change {
        ListChange::Replace(items) => items.clone(),
        ListChange::Add(item) => {
            let mut out = current.to_vec();
            out.push(item.clone());
            out
        }
        ListChange::Remove(item) => current.iter().filter(|i| *i != item).cloned().collect(),
    }
}

fn list_of(kind: &Kind, field: KindField) -> &[String] {
    match field {
        KindField::Signoff => &kind.signoff,
        _ => &kind.required_sections,
    }
}

fn duration_of(kind: &Kind, field: KindField) -> Option<&crate::core::model::Duration> {
    match field {
        KindField::MaxAge => kind.max_age.as_ref(),
        KindField::ReviewEvery => kind.review_every.as_ref(),
        KindField::VerifyEvery => kind.verify_every.as_ref(),
        KindField::SignoffWithin => kind.signoff_within.as_ref(),
        _ => None,
    }
}

/// Whether a one-value field is written.
fn scalar_written(kind: &Kind, field: KindField) -> bool {
    match field {
        KindField::Title => kind.title.is_some(),
        _ => duration_of(kind, field).is_some(),
    }
}

/// Whether the edit may be made.
pub(super) fn check_kind_field(
    index: &Index,
    kind: &str,
    field: KindField,
    change: &FieldChange,
) -> Result<(), Refusal> {
    check_kind(index, kind)?;
    let current = index.kind(kind).expect("checked above");
    let what = || format!("`{}` of kind `{kind}`", field.key());
    match change {
        FieldChange::Unset => {
            let written = if field.is_list() {
                !list_of(current, field).is_empty()
            } else {
                scalar_written(current, field)
            };
            unchanged_if(!written, || format!("{} is not set", what()))
        }
        FieldChange::Set(value) if !field.is_list() => {
            non_empty(value, field.key())?;
            if field != KindField::Title {
                let parsed = check_duration(value)?;
                return unchanged_if(duration_of(current, field) == Some(&parsed), || {
                    format!("{} is already that", what())
                });
            }
            unchanged_if(current.title.as_deref() == Some(value), || {
                format!("{} is already that", what())
            })
        }
        FieldChange::List(list) if field.is_list() => {
            let before = list_of(current, field);
            let after = changed_list(before, list);
            if let ListChange::Remove(item) = list
                && !before.contains(item)
            {
                return Err(Refusal::Unchanged(format!("`{item}` is not in {}", what())));
            }
            for (n, item) in after.iter().enumerate() {
                non_empty(item, field.key())?;
                if after[..n].contains(item) {
                    return Err(Refusal::ListedTwice {
                        item: item.clone(),
                        field: field.key().into(),
                    });
                }
                if field == KindField::Signoff && index.role(item).is_none() {
                    return Err(unknown_role(index, item, "signoff"));
                }
            }
            unchanged_if(after == before, || format!("{} is already that", what()))
        }
        _ => Err(Refusal::Unchanged(format!(
            "{} is {}",
            what(),
            if field.is_list() {
                "a list: give `a,b`, `+x` or `-x`"
            } else {
                "one value"
            }
        ))),
    }
}

/// The kind with the edit applied (for an edit [`check_kind_field`] accepted).
pub(super) fn apply_kind_field(kind: &mut Kind, field: KindField, change: &FieldChange) {
    let duration = |change: &FieldChange| match change {
        FieldChange::Set(v) => v.parse().ok(),
        _ => None,
    };
    match field {
        KindField::Title => {
            kind.title = match change {
                FieldChange::Set(v) => Some(v.clone()),
                _ => None,
            }
        }
        KindField::MaxAge => kind.max_age = duration(change),
        KindField::ReviewEvery => kind.review_every = duration(change),
        KindField::VerifyEvery => kind.verify_every = duration(change),
        KindField::SignoffWithin => kind.signoff_within = duration(change),
        KindField::RequiredSections | KindField::Signoff => {
            let after = match change {
                FieldChange::List(list) => changed_list(list_of(kind, field), list),
                _ => Vec::new(),
            };
            match field {
                KindField::Signoff => kind.signoff = after,
                _ => kind.required_sections = after,
            }
        }
    }
}

/// The splice that makes the edit in the text: the field set (a list written whole) or
/// removed, inside the kind's mapping.
pub(super) fn kind_field_splice(
    src: &Source,
    entry: &crate::yaml::Entry,
    old: &Kind,
    field: KindField,
    change: &FieldChange,
    layout: &Layout,
) -> Result<Splice, EditError> {
    let value = match change {
        FieldChange::Unset => {
            return remove_entry(src, &entry.value, field.key(), false)?.ok_or_else(|| {
                EditError::Unsupported {
                    line: entry.key.span.start.line,
                    what: format!("`{}`", field.key()),
                    why: "it is not written here".into(),
                }
            });
        }
        FieldChange::Set(v) => NewValue::Scalar(v.clone()),
        FieldChange::List(list) => NewValue::List(changed_list(list_of(old, field), list)),
    };
    if entry.value.is_null() {
        crate::yaml::edit::replace_value(
            src,
            entry,
            &NewValue::Map(vec![(field.key().to_string(), value)]),
            layout,
        )
    } else {
        set_entry(src, &entry.value, field.key(), &value, layout, KIND_KEYS)
    }
}

/// The entry of kind `id` under `kinds:`.
pub(super) fn kind_entry<'n>(root: &'n Node, id: &str) -> Option<&'n crate::yaml::Entry> {
    root.get("kinds")?.entry(id)
}
