//! The edit as text: one splice of `handoff.yaml`, placed by the YAML tree and checked by
//! loading the result.

use super::check::{check, current_list, normalized_target};
use super::intent::{field_steps, intended, same_meaning};
use super::{
    ArtifactField, EditedText, FieldChange, IndexEdit, IndexTextError, ListChange, NewArtifact,
};
use crate::core::model::load::{ARTIFACT_KEYS, ROLE_KEYS, load_index};
use crate::core::model::{INDEX_FILE, Index, Status, Target};
use crate::yaml::edit::{
    self, EditError, Layout, NewValue, Source, Splice, list_push, list_remove, map_append,
    remove_entry, replace_value, seq_append_map, seq_remove, set_entry,
};
use crate::yaml::{self, Node, Value};

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
    let mut splice = splice_for(&src, &root, &old, edit)?.shifted(bom);
    let mut new_text = splice.apply(text);
    // What the loader's rules require with the change (a successor and its status): each
    // further step spliced into the text the one before produced, the whole reported as one
    // splice of the original.
    if let IndexEdit::Artifact {
        artifact,
        field,
        change,
    } = edit
        && let Some(a) = old.artifact(artifact)
    {
        for (field, change) in field_steps(&old, a, *field, change).iter().skip(1) {
            let step = IndexEdit::Artifact {
                artifact: artifact.clone(),
                field: *field,
                change: change.clone(),
            };
            new_text = splice_again(&new_text, &old, &step)?;
            splice = Splice::between(text, &new_text);
        }
    }
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

/// `edit`'s splice applied to `text`, an intermediate text of a multi-step edit.
fn splice_again(text: &str, old: &Index, edit: &IndexEdit) -> Result<String, IndexTextError> {
    let (body, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let Ok(Some(root)) = yaml::parse(body) else {
        return Err(IndexTextError::Verification {
            problem: "did not parse after its first step".into(),
        });
    };
    let splice = splice_for(&Source::new(body), &root, old, edit)?.shifted(bom);
    Ok(splice.apply(text))
}

/// Applies `edits` one after another, each checked and verified as [`edit_text`] does:
/// the text they produce together, and the index it loads to.
pub fn edit_text_all(text: &str, edits: &[IndexEdit]) -> Result<(String, Index), IndexTextError> {
    let mut current = text.to_string();
    let mut index = load_index(INDEX_FILE, text.as_bytes()).map_err(IndexTextError::Unloadable)?;
    for edit in edits {
        let edited = edit_text(&current, edit)?;
        current = edited.text;
        index = edited.index;
    }
    Ok((current, index))
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
            // A `+x`/`-x` of sections the artifact does not override writes a whole list.
            let change = match old.artifact(artifact) {
                Some(a) => field_steps(old, a, *field, change).swap_remove(0).1,
                None => change.clone(),
            };
            artifact_field_splice(src, item, old, artifact, *field, &change, &layout)
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
        IndexEdit::AddKind(new) => {
            let layout = section_layout(src, root, root.get("kinds"));
            let mut value = Vec::new();
            if let Some(title) = &new.title {
                value.push(("title".to_string(), NewValue::Scalar(title.clone())));
            }
            if !new.required_sections.is_empty() {
                value.push((
                    "required_sections".to_string(),
                    NewValue::List(new.required_sections.clone()),
                ));
            }
            if let Some(age) = &new.max_age {
                value.push(("max_age".to_string(), NewValue::Scalar(age.clone())));
            }
            map_append(src, root, "kinds", &new.id, &NewValue::Map(value), &layout)
                .map_err(layout_error(format!("the kinds, to add `{}`", new.id)))
        }
        IndexEdit::Kind {
            kind,
            field,
            change,
        } => {
            let entry = super::kind::kind_entry(root, kind)
                .ok_or_else(|| missing(format!("kind `{kind}`")))?;
            let current = old
                .kind(kind)
                .ok_or_else(|| missing(format!("kind `{kind}`")))?;
            let layout = section_layout(src, root, root.get("kinds"));
            super::kind::kind_field_splice(src, entry, current, *field, change, &layout)
                .map_err(layout_error(format!("`{}` of kind `{kind}`", field.key())))
        }
        IndexEdit::Handoff { field, value } => {
            let layout = section_layout(src, root, None);
            super::handoff::handoff_field_splice(src, root, *field, value.as_deref(), &layout)
                .map_err(layout_error(format!("the handoff's `{}`", field.key())))
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
        IndexEdit::Handle { handle, .. } => {
            let layout = section_layout(src, root, root.get("handles"));
            let people = intended(old, edit)
                .handles
                .into_iter()
                .find(|h| h.handle.eq_ignore_ascii_case(handle))
                .map(|h| h.people)
                .unwrap_or_default();
            let what = format!("handle `{handle}`");
            let entry = root.get("handles").and_then(|handles| {
                handles.as_map()?.iter().find(|e| {
                    e.key
                        .as_scalar()
                        .is_some_and(|k| k.eq_ignore_ascii_case(handle))
                })
            });
            match entry {
                Some(entry) => replace_value(src, entry, &NewValue::List(people), &layout),
                None => map_append(
                    src,
                    root,
                    "handles",
                    handle,
                    &NewValue::List(people),
                    &layout,
                ),
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
                .map(|a| current_list(old, a, field).to_vec())
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
        ("governs", &new.governs),
    ] {
        if !list.is_empty() {
            out.push((key.to_string(), NewValue::List(list.clone())));
        }
    }
    if let Some(d) = &new.verify_every {
        out.push(("verify_every".into(), NewValue::Scalar(d.clone())));
    }
    if new.status != Status::default() {
        out.push((
            "status".into(),
            NewValue::Scalar(new.status.as_str().into()),
        ));
    }
    out
}
