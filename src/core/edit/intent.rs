//! The index an accepted edit should produce: what [`super::edit_text`] verifies its text
//! against.

use super::check::normalized_target;
use super::{ArtifactField, FieldChange, IndexEdit, ListChange};
use crate::core::model::{Artifact, Index, Pos, Role, Target};

/// The index with `edit` applied, for an edit [`check`](super::check) accepted.
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
            target: normalized_target(&new.target).unwrap_or_else(|_| new.target.clone()),
            ..new.clone().read_every(|d| d.parse().ok())
        }),
        IndexEdit::RemoveArtifact { artifact } => out.artifacts.retain(|a| a.id != *artifact),
        IndexEdit::AddRole(new) => out.roles.push(Role {
            id: new.id.clone(),
            title: new.title.clone(),
            people: new.people.clone(),
            pos: Pos::default(),
            mailmap: out
                .roles
                .first()
                .map(|r| r.mailmap.clone())
                .unwrap_or_default(),
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
    out.roles.iter_mut().for_each(|r| {
        r.pos = Pos::default();
        r.mailmap = Default::default();
    });
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
