//! Whether an edit is acceptable for the index, and why not: each refusal names what would
//! be accepted.

use super::{ArtifactField, FieldChange, IndexEdit, ListChange, NewArtifact, NewKind, Refusal};
use crate::core::model::index::UnknownStatus;
use crate::core::model::is_handle;
use crate::core::model::load::{
    glob_problem, is_valid_email, is_valid_id, path_problem, path_target, suggest, url_problem,
};
use crate::core::model::{Artifact, Duration, Index, Role, Status, Target};

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
        IndexEdit::AddKind(new) => check_new_kind(index, new),
        IndexEdit::Kind {
            kind,
            field,
            change,
        } => super::kind::check_kind_field(index, kind, *field, change),
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
        IndexEdit::Handle { handle, change } => check_handle(index, handle, change),
        IndexEdit::Handoff { field, value } => {
            super::handoff::check_handoff_field(index, *field, value.as_deref())
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
pub(crate) fn role_references(index: &Index, role: &str) -> Vec<String> {
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

pub(super) fn unchanged_if(same: bool, what: impl FnOnce() -> String) -> Result<(), Refusal> {
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
pub(crate) fn unknown_role(index: &Index, role: &str, field: &str) -> Refusal {
    let known: Vec<&str> = index.roles.iter().map(|r| r.id.as_str()).collect();
    Refusal::UnknownRole {
        role: role.to_string(),
        field: field.to_string(),
        suggestion: suggest(role, known.iter().copied()).map(str::to_string),
        known: known.iter().map(|s| s.to_string()).collect(),
    }
}

pub(super) fn non_empty(value: &str, field: &str) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        Err(Refusal::EmptyValue {
            field: field.to_string(),
        })
    } else {
        Ok(())
    }
}

/// A change of the addresses behind a handle: e-mail addresses only (a handle is what they
/// resolve), an entry not written yet only by adding or replacing.
fn check_handle(index: &Index, handle: &str, change: &ListChange) -> Result<(), Refusal> {
    if !is_handle(handle) {
        return Err(Refusal::InvalidHandle(handle.to_string()));
    }
    let current = index
        .handles
        .iter()
        .find(|h| h.handle.eq_ignore_ascii_case(handle))
        .map(|h| h.people.as_slice())
        .unwrap_or_default();
    let owner = format!("handle `{handle}`");
    let addresses_only = |people: &[String]| match people.iter().find(|p| is_handle(p)) {
        Some(p) => Err(Refusal::InvalidEmail(p.clone())),
        None => Ok(()),
    };
    match change {
        ListChange::Replace(people) => {
            addresses_only(people)?;
            check_people(people, &[], &owner)
        }
        ListChange::Add(person) => {
            addresses_only(std::slice::from_ref(person))?;
            check_people(std::slice::from_ref(person), current, &owner)
        }
        ListChange::Remove(person) if current.iter().any(|p| p.eq_ignore_ascii_case(person)) => {
            Ok(())
        }
        ListChange::Remove(person) => Err(Refusal::NotListed {
            item: person.clone(),
            field: "handles".into(),
            owner,
            listed: current.to_vec(),
        }),
    }
}

fn check_people(people: &[String], existing: &[String], owner: &str) -> Result<(), Refusal> {
    for (n, person) in people.iter().enumerate() {
        if !is_valid_email(person) && !is_handle(person) {
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

pub(super) fn check_kind(index: &Index, kind: &str) -> Result<(), Refusal> {
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
pub(crate) fn normalized_target(target: &Target) -> Result<Target, Refusal> {
    match target {
        Target::Url(u) => match url_problem(u) {
            None => Ok(Target::Url(u.clone())),
            Some(problem) => Err(Refusal::InvalidUrl(problem)),
        },
        Target::Path(p) | Target::Glob(p) => {
            if let Some(problem) = path_problem(p) {
                return Err(Refusal::InvalidPath(problem));
            }
            let target = path_target(p);
            if target.as_str().is_empty() {
                return Err(Refusal::InvalidPath("the path is empty".into()));
            }
            if let Target::Glob(glob) = &target
                && let Some(problem) = glob_problem(glob)
            {
                return Err(Refusal::InvalidPath(problem));
            }
            Ok(target)
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

/// Each governed glob judged as a `path` is.
fn check_governs(items: &[String]) -> Result<(), Refusal> {
    for item in items {
        normalized_target(&Target::Path(item.clone()))?;
    }
    Ok(())
}

pub(super) fn check_duration(text: &str) -> Result<Duration, Refusal> {
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
    let list = |f: ArtifactField| -> &[String] { current_list(index, a, f) };
    let check_items = |items: &[String]| match field {
        ArtifactField::DependsOn => check_dependencies(index, &a.id, items),
        ArtifactField::RequiredSections => check_sections(items),
        ArtifactField::Governs => check_governs(items),
        _ => check_roles(index, items, key),
    };
    match (field.is_list(), change) {
        (true, FieldChange::Set(_)) => Err(Refusal::NotAList {
            field: key.to_string(),
        }),
        (false, FieldChange::List(_)) => Err(Refusal::NotASingleValue {
            field: key.to_string(),
        }),
        (true, FieldChange::Unset) if field == ArtifactField::RequiredSections => {
            unchanged_if(a.required_sections.is_none(), || {
                format!("{owner} has no required_sections of its own (its kind's apply)")
            })
        }
        (true, FieldChange::Unset) => {
            unchanged_if(list(field).is_empty(), || format!("{owner} has no {key}"))
        }
        (true, FieldChange::List(ListChange::Replace(items))) => {
            // Items kept from the list as it is are not this edit's to judge: a dangling
            // dependency already listed must not block swapping in another one.
            let kept = list(field);
            let mut new: Vec<String> = Vec::new();
            for (n, item) in items.iter().enumerate() {
                if items[..n].contains(item) {
                    return Err(Refusal::ListedTwice {
                        item: item.clone(),
                        field: key.to_string(),
                    });
                }
                if !kept.contains(item) {
                    new.push(item.clone());
                }
            }
            check_items(&new)?;
            let same = match field {
                // An override equal to the kind's list still says something: it stays when
                // the kind changes.
                ArtifactField::RequiredSections => a.required_sections.as_ref() == Some(items),
                _ => list(field) == items.as_slice(),
            };
            unchanged_if(same, || format!("`{key}` of {owner} is already that"))
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
        (false, FieldChange::Unset) if field == ArtifactField::SupersededBy => {
            if a.superseded_by.is_some() {
                return Err(Refusal::SuccessorStays {
                    artifact: a.id.clone(),
                });
            }
            Err(Refusal::Unchanged(format!("{owner} has no superseded_by")))
        }
        (false, FieldChange::Unset) => {
            let is_set = match field {
                // Unset, an artifact is active; `status: active` written is still a key.
                ArtifactField::Status => a.field_pos.contains_key("status"),
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
                ArtifactField::Status => check_status(a, value)? == a.status,
                ArtifactField::SupersededBy => {
                    check_successor(index, a, value)?;
                    a.superseded_by.as_deref() == Some(value)
                }
                _ => check_target(index, &a.id, &Target::Url(value.clone()))? == a.target,
            };
            unchanged_if(same, || format!("`{key}` of {owner} is already `{value}`"))
        }
    }
}

/// The list a list field holds now; for `required_sections`, the artifact's own or else its
/// kind's (what `+x` and `-x` start from).
pub(crate) fn current_list<'i>(
    index: &'i Index,
    a: &'i Artifact,
    field: ArtifactField,
) -> &'i [String] {
    match field {
        ArtifactField::Reviewers => &a.reviewers,
        ArtifactField::Consumers => &a.consumers,
        ArtifactField::Governs => &a.governs,
        ArtifactField::RequiredSections => match &a.required_sections {
            Some(own) => own,
            None => index
                .kind_of(a)
                .map(|k| k.required_sections.as_slice())
                .unwrap_or_default(),
        },
        _ => &a.depends_on,
    }
}

fn check_sections(sections: &[String]) -> Result<(), Refusal> {
    for (n, section) in sections.iter().enumerate() {
        if sections[..n].contains(section) {
            return Err(Refusal::ListedTwice {
                item: section.clone(),
                field: "required_sections".into(),
            });
        }
    }
    Ok(())
}

/// A status as the loader reads it; `superseded` only with a successor (which
/// `superseded_by` sets, status included).
fn check_status(a: &Artifact, value: &str) -> Result<Status, Refusal> {
    let status: Status = value
        .parse()
        .map_err(|e: UnknownStatus| Refusal::InvalidStatus(e.to_string()))?;
    if status == Status::Superseded && a.superseded_by.is_none() {
        return Err(Refusal::SuccessorRequired {
            artifact: a.id.clone(),
        });
    }
    Ok(status)
}

/// A successor is another defined artifact, and following successors from it never comes
/// back to this one.
fn check_successor(index: &Index, a: &Artifact, successor: &str) -> Result<(), Refusal> {
    if successor == a.id {
        return Err(Refusal::SelfSupersede {
            artifact: a.id.clone(),
        });
    }
    if index.artifact(successor).is_none() {
        let known: Vec<&str> = index
            .artifacts
            .iter()
            .map(|x| x.id.as_str())
            .filter(|id| *id != a.id)
            .collect();
        return Err(Refusal::UnknownSuccessor {
            artifact: a.id.clone(),
            successor: successor.to_string(),
            suggestion: suggest(successor, known.iter().copied()).map(str::to_string),
            known: known.iter().map(|s| s.to_string()).collect(),
        });
    }
    let mut chain = vec![a.id.clone(), successor.to_string()];
    let mut next = index
        .artifact(successor)
        .and_then(|x| x.superseded_by.as_deref());
    while let Some(id) = next {
        chain.push(id.to_string());
        if id == a.id {
            return Err(Refusal::SupersedeLoop {
                artifact: a.id.clone(),
                successor: successor.to_string(),
                chain,
            });
        }
        if chain.len() > index.artifacts.len() + 1 {
            break;
        }
        next = index.artifact(id).and_then(|x| x.superseded_by.as_deref());
    }
    Ok(())
}

fn check_new_kind(index: &Index, new: &NewKind) -> Result<(), Refusal> {
    if !is_valid_id(&new.id) {
        return Err(Refusal::InvalidId {
            id: new.id.clone(),
            what: "kind",
        });
    }
    if index.kind(&new.id).is_some() {
        return Err(Refusal::DuplicateKind(new.id.clone()));
    }
    if let Some(title) = &new.title {
        non_empty(title, "title")?;
    }
    for (n, section) in new.required_sections.iter().enumerate() {
        non_empty(section, "required_sections")?;
        if new.required_sections[..n].contains(section) {
            return Err(Refusal::ListedTwice {
                item: section.clone(),
                field: "required_sections".into(),
            });
        }
    }
    if let Some(d) = &new.max_age {
        check_duration(d)?;
    }
    Ok(())
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
