//! The index an accepted edit should produce: what [`super::edit_text`] verifies its text
//! against.

use super::check::{current_list, normalized_target};
use super::{ArtifactField, FieldChange, IndexEdit, ListChange};
use crate::core::model::{Artifact, Handle, Index, Kind, Pos, Role, Status, Target};

/// The index with `edit` applied, for an edit [`check`](super::check) accepted.
pub fn intended(index: &Index, edit: &IndexEdit) -> Index {
    let mut out = index.clone();
    match edit {
        IndexEdit::Artifact {
            artifact,
            field,
            change,
        } => {
            if let Some(a) = index.artifact(artifact) {
                let steps = field_steps(index, a, *field, change);
                if let Some(a) = out.artifacts.iter_mut().find(|a| a.id == *artifact) {
                    for (field, change) in &steps {
                        apply_field(a, *field, change);
                    }
                }
            }
        }
        IndexEdit::AddArtifact(new) => out.artifacts.push(Artifact {
            target: normalized_target(&new.target).unwrap_or_else(|_| new.target.clone()),
            ..new.clone().read_every(|d| d.parse().ok())
        }),
        IndexEdit::RemoveArtifact { artifact } => out.artifacts.retain(|a| a.id != *artifact),
        IndexEdit::AddRole(new) => out.roles.push(Role {
            id: new.id.clone(),
            title: new.title.clone(),
            people: new.people.clone(),
            allocation: None,
            pos: Pos::default(),
            directory: out
                .roles
                .first()
                .map(|r| r.directory.clone())
                .unwrap_or_default(),
        }),
        IndexEdit::AddKind(new) => out.kinds.push(Kind {
            id: new.id.clone(),
            title: new.title.clone(),
            required_sections: new.required_sections.clone(),
            signoff: Vec::new(),
            max_age: new.max_age.as_deref().and_then(|d| d.parse().ok()),
            review_every: None,
            verify_every: None,
            signoff_within: None,
            severity: Default::default(),
            pos: Pos::default(),
            field_pos: Default::default(),
            governs: Vec::new(),
            drift_after: None,
            schema: None,
            version_field: None,
            changelog_field: None,
        }),
        IndexEdit::Kind {
            kind,
            field,
            change,
        } => {
            if let Some(k) = out.kinds.iter_mut().find(|k| k.id == *kind) {
                super::kind::apply_kind_field(k, *field, change);
            }
        }
        IndexEdit::Handoff { field, value } => {
            super::handoff::apply_handoff_field(&mut out, *field, value.as_deref());
        }
        IndexEdit::RemoveRole { role } => out.roles.retain(|r| r.id != *role),
        IndexEdit::RoleTitle { role, title } => {
            if let Some(r) = out.roles.iter_mut().find(|r| r.id == *role) {
                r.title = title.clone();
            }
        }
        IndexEdit::Handle { handle, change } => {
            let at = match out
                .handles
                .iter()
                .position(|h| h.handle.eq_ignore_ascii_case(handle))
            {
                Some(at) => at,
                None => {
                    out.handles.push(Handle {
                        handle: handle.clone(),
                        people: Vec::new(),
                        pos: Pos::default(),
                    });
                    out.handles.len() - 1
                }
            };
            let people = &mut out.handles[at].people;
            match change {
                ListChange::Replace(new) => *people = new.clone(),
                ListChange::Add(p) => people.push(p.clone()),
                ListChange::Remove(p) => people.retain(|q| !q.eq_ignore_ascii_case(p)),
            }
            let mailmap = out
                .roles
                .first()
                .map(|r| r.directory.mailmap.clone())
                .unwrap_or_default();
            out.use_mailmap(mailmap);
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

/// The field changes an edit of one field makes, in order: the change itself (a `+x` or `-x`
/// of `required_sections` without an override of its own made a whole list, from the kind's)
/// and what the loader's rules require with it: naming a successor makes the artifact
/// superseded, and a status other than superseded drops the successor.
pub(super) fn field_steps(
    index: &Index,
    a: &Artifact,
    field: ArtifactField,
    change: &FieldChange,
) -> Vec<(ArtifactField, FieldChange)> {
    let change = match (field, change, &a.required_sections) {
        (ArtifactField::RequiredSections, FieldChange::List(ListChange::Add(x)), None) => {
            let mut list = current_list(index, a, field).to_vec();
            list.push(x.clone());
            FieldChange::List(ListChange::Replace(list))
        }
        (ArtifactField::RequiredSections, FieldChange::List(ListChange::Remove(x)), None) => {
            let mut list = current_list(index, a, field).to_vec();
            list.retain(|s| s != x);
            FieldChange::List(ListChange::Replace(list))
        }
        _ => change.clone(),
    };
    let mut steps = vec![(field, change)];
    match (field, &steps[0].1) {
        (ArtifactField::SupersededBy, FieldChange::Set(_)) if a.status != Status::Superseded => {
            steps.push((
                ArtifactField::Status,
                FieldChange::Set(Status::Superseded.as_str().to_string()),
            ));
        }
        (ArtifactField::Status, FieldChange::Set(v))
            if v != Status::Superseded.as_str() && a.superseded_by.is_some() =>
        {
            steps.push((ArtifactField::SupersededBy, FieldChange::Unset));
        }
        (ArtifactField::Status, FieldChange::Unset) if a.superseded_by.is_some() => {
            steps.push((ArtifactField::SupersededBy, FieldChange::Unset));
        }
        _ => {}
    }
    steps
}

fn apply_field(a: &mut Artifact, field: ArtifactField, change: &FieldChange) {
    if let (ArtifactField::RequiredSections, FieldChange::List(change)) = (field, change) {
        let list = a.required_sections.get_or_insert_with(Vec::new);
        match change {
            ListChange::Replace(items) => *list = items.clone(),
            ListChange::Add(item) => list.push(item.clone()),
            ListChange::Remove(item) => list.retain(|i| i != item),
        }
        return;
    }
    if let FieldChange::List(change) = change {
        let list = match field {
            ArtifactField::Reviewers => &mut a.reviewers,
            ArtifactField::Consumers => &mut a.consumers,
            ArtifactField::Governs => &mut a.governs,
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
        ArtifactField::Status => a.status = value.and_then(|v| v.parse().ok()).unwrap_or_default(),
        ArtifactField::SupersededBy => a.superseded_by = value,
        ArtifactField::RequiredSections => a.required_sections = None,
        ArtifactField::Reviewers => a.reviewers.clear(),
        ArtifactField::Consumers => a.consumers.clear(),
        ArtifactField::DependsOn => a.depends_on.clear(),
        ArtifactField::Governs => a.governs.clear(),
    }
}

/// The index without source positions (nor the repository's mailmap, which no text holds),
/// for comparing what two texts mean.
fn meaning(index: &Index) -> Index {
    let mut out = index.clone();
    out.field_pos.clear();
    out.roles.iter_mut().for_each(|r| {
        r.pos = Pos::default();
        r.directory = Default::default();
    });
    out.handles.iter_mut().for_each(|h| h.pos = Pos::default());
    out.kinds.iter_mut().for_each(|k| {
        k.pos = Pos::default();
        k.field_pos.clear();
    });
    out.artifacts.iter_mut().for_each(|a| {
        a.pos = Pos::default();
        a.field_pos.clear();
    });
    out.scorecard
        .iter_mut()
        .for_each(|r| r.pos = Pos::default());
    out
}

/// Whether two indexes say the same thing, wherever it is written.
pub fn same_meaning(a: &Index, b: &Index) -> bool {
    meaning(a) == meaning(b)
}
