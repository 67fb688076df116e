//! Editing from the workbench: pickers (what to change), forms (the new value, validated as
//! you type against the index on screen) and confirmations. Each one ends, at most, in one
//! `Change` — an index edit or a sign-off — that the event loop commits.
//!
//! Nothing here writes: the event loop commits, saves drafts and reads the disk.

use ratatui_textarea::TextArea;

use crate::core::edit::{
    ArtifactField, FieldChange, IndexEdit, ListChange, NewArtifact, NewRole, check, split_list,
};
use crate::core::model::{Action, Index, Ledger, Target};
use crate::core::signoff::{SignRequest, check_sign, effect};

/// Why a form's change cannot be made, shown under the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormProblem {
    #[error("write a note: why does the upstream change need nothing here?")]
    NoteRequired,
    #[error(transparent)]
    Refused(#[from] crate::core::edit::Refusal),
}

/// What a finished form asks the event loop to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant, reason = "one change per user action")]
pub enum Change {
    Edit(IndexEdit),
    Sign(SignRequest),
    /// Several sign-offs in one commit ("accept all I own").
    SignAll(Vec<SignRequest>),
}

impl Change {
    /// The artifact the change is about and that stays there after it (none for a removal or
    /// a change of roles).
    pub fn artifact(&self) -> Option<&str> {
        match self {
            Change::Edit(IndexEdit::Artifact { artifact, .. }) => Some(artifact),
            Change::Edit(IndexEdit::AddArtifact(new)) => Some(&new.id),
            Change::Sign(request) => Some(&request.artifact),
            // Several artifacts: the selection stays where it is.
            Change::Edit(_) | Change::SignAll(_) => None,
        }
    }
}

/// What choosing an item of a picker leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    EditField {
        artifact: String,
        field: ArtifactField,
    },
    SignAs {
        artifact: String,
        action: Action,
        role: String,
    },
    RoleTitle {
        role: String,
    },
    AddPerson {
        role: String,
    },
    RemovePerson {
        role: String,
        person: String,
    },
    RemoveRole {
        role: String,
    },
    AddRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerItem {
    pub label: String,
    /// Why the item cannot be chosen, when it cannot (shown, not hidden, so people learn why).
    pub refused: Option<String>,
    pub then: Then,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickerItem>,
    pub selected: usize,
}

/// What a form is for; also what its draft records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Field {
        artifact: String,
        field: ArtifactField,
    },
    AddArtifact,
    Sign {
        artifact: String,
        action: Action,
        role: String,
    },
    RoleTitle {
        role: String,
    },
    AddPerson {
        role: String,
    },
    AddRole,
}

pub struct Input {
    pub label: &'static str,
    pub text: TextArea<'static>,
    pub multiline: bool,
    /// What is accepted here (known roles, kinds...).
    pub hint: String,
}

impl Input {
    fn new(label: &'static str, value: &str, multiline: bool, hint: impl Into<String>) -> Input {
        let lines: Vec<String> = if value.is_empty() {
            vec![String::new()]
        } else {
            value.lines().map(str::to_string).collect()
        };
        let mut text = TextArea::new(lines);
        text.move_cursor(ratatui_textarea::CursorMove::Bottom);
        text.move_cursor(ratatui_textarea::CursorMove::End);
        Input {
            label,
            text,
            multiline,
            hint: hint.into(),
        }
    }

    /// The text, lines joined; single-line inputs trimmed.
    pub fn value(&self) -> String {
        let joined = self.text.lines().join("\n");
        if self.multiline {
            joined.trim_end().to_string()
        } else {
            joined.trim().to_string()
        }
    }
}

pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub inputs: Vec<Input>,
    pub focus: usize,
    /// Why the form cannot be submitted as it stands, or what went wrong committing it.
    pub problem: Option<String>,
    /// A fingerprint of `handoff.yaml` when the form was opened (or re-based), to notice
    /// that the file changed underneath it.
    pub base: String,
}

/// A yes/no question before a destructive change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub change: Change,
}

fn roles_hint(index: &Index) -> String {
    format!(
        "roles: {}",
        index
            .roles
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn field_hint(index: &Index, field: ArtifactField) -> String {
    match field {
        ArtifactField::Owner => format!("one role · {}", roles_hint(index)),
        ArtifactField::Reviewers | ArtifactField::Consumers => {
            format!("comma-separated · {}", roles_hint(index))
        }
        ArtifactField::DependsOn => format!(
            "comma-separated artifact ids · {}",
            index
                .artifacts
                .iter()
                .take(12)
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ArtifactField::Kind => format!(
            "kinds: {}",
            index
                .kinds
                .iter()
                .map(|k| k.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ArtifactField::VerifyEvery => "a duration such as 30d, 12w, 6m".into(),
        ArtifactField::Path => {
            "relative to handoff.yaml; a glob such as prompts/*.yaml works".into()
        }
        ArtifactField::Url => "http or https".into(),
        ArtifactField::Governs => {
            "comma-separated globs of the code it specifies, such as src/reply/**".into()
        }
        ArtifactField::Title | ArtifactField::Description => "empty removes it".into(),
        ArtifactField::Status => {
            "active, draft, frozen or superseded (set superseded_by to supersede it) · empty: active"
                .into()
        }
        ArtifactField::SupersededBy => {
            "the artifact that replaces it; also sets status: superseded".into()
        }
        ArtifactField::RequiredSections => {
            "comma-separated headings, A|B for either · [] requires none · empty: the kind's"
                .into()
        }
    }
}

/// The current value of a field as the form shows it.
pub(crate) fn current_value(index: &Index, artifact: &str, field: ArtifactField) -> String {
    let Some(a) = index.artifact(artifact) else {
        return String::new();
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        ArtifactField::Title => opt(&a.title),
        ArtifactField::Description => opt(&a.description),
        ArtifactField::Kind => opt(&a.kind),
        ArtifactField::Path => match &a.target {
            Target::Path(p) | Target::Glob(p) => p.clone(),
            Target::Url(_) => String::new(),
        },
        ArtifactField::Url => match &a.target {
            Target::Url(u) => u.clone(),
            _ => String::new(),
        },
        ArtifactField::Owner => opt(&a.owner),
        ArtifactField::VerifyEvery => a
            .verify_every
            .as_ref()
            .map(|d| d.text.clone())
            .unwrap_or_default(),
        ArtifactField::Reviewers => a.reviewers.join(", "),
        ArtifactField::Consumers => a.consumers.join(", "),
        ArtifactField::DependsOn => a.depends_on.join(", "),
        ArtifactField::Status => {
            if a.field_pos.contains_key("status") {
                a.status.as_str().to_string()
            } else {
                String::new()
            }
        }
        ArtifactField::SupersededBy => opt(&a.superseded_by),
        ArtifactField::RequiredSections => match &a.required_sections {
            None => String::new(),
            Some(own) if own.is_empty() => "[]".to_string(),
            Some(own) => own.join(", "),
        },
        ArtifactField::Governs => a.governs.join(", "),
    }
}

fn opt(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// The artifact-edit picker: every field with its current value.
pub(crate) fn edit_picker(index: &Index, artifact: &str) -> Picker {
    let items = ArtifactField::ALL
        .into_iter()
        .map(|field| {
            let value = current_value(index, artifact, field);
            let shown = if value.is_empty() {
                "—".to_string()
            } else {
                value.lines().next().unwrap_or_default().to_string()
            };
            PickerItem {
                label: format!("{:<17} {shown}", field.key()),
                refused: None,
                then: Then::EditField {
                    artifact: artifact.to_string(),
                    field,
                },
            }
        })
        .collect();
    Picker {
        title: format!("Edit `{artifact}`: which field?"),
        items,
        selected: 0,
    }
}

/// The sign-off picker: every action for every role of the signer, allowed or with the
/// reason it is refused.
pub(crate) fn sign_picker(
    index: &Index,
    ledger: &Ledger,
    artifact: &str,
    me: Option<&str>,
) -> Picker {
    let mut items = Vec::new();
    let my_roles: Vec<&str> = me
        .map(|m| {
            index
                .roles_of(m)
                .into_iter()
                .map(|r| r.id.as_str())
                .collect()
        })
        .unwrap_or_default();
    for action in Action::ALL {
        for role in &my_roles {
            let request = SignRequest {
                artifact: artifact.to_string(),
                action,
                role: role.to_string(),
                // A note is asked for on the next screen; the picker checks everything else.
                note: Some("-".into()),
            };
            let refused = check_sign(index, ledger.of(artifact), &request, me.unwrap_or_default())
                .err()
                .map(|e| e.to_string());
            // Whose state it changes, before anything is committed.
            let effect = index
                .artifact(artifact)
                .map(|a| format!(" · {}", effect(a, action, role)))
                .unwrap_or_default();
            items.push(PickerItem {
                label: format!("{action} as {role}{effect}"),
                refused,
                then: Then::SignAs {
                    artifact: artifact.to_string(),
                    action,
                    role: role.to_string(),
                },
            });
        }
    }
    // What can be done first; what cannot, after, with the reason.
    items.sort_by_key(|i| i.refused.is_some());
    Picker {
        title: match me {
            Some(m) => format!("Sign `{artifact}` as {m}"),
            None => format!("Sign `{artifact}`"),
        },
        items,
        selected: 0,
    }
}

/// The role picker for one role: rename, add or remove people, remove it, or add a new role.
pub(crate) fn role_picker(index: &Index, role: &str) -> Picker {
    let mut items = vec![
        PickerItem {
            label: format!(
                "title         {}",
                index
                    .role(role)
                    .and_then(|r| r.title.clone())
                    .unwrap_or_else(|| "—".into())
            ),
            refused: None,
            then: Then::RoleTitle {
                role: role.to_string(),
            },
        },
        PickerItem {
            label: "add a person".into(),
            refused: None,
            then: Then::AddPerson {
                role: role.to_string(),
            },
        },
    ];
    for person in index
        .role(role)
        .map(|r| r.people.clone())
        .unwrap_or_default()
    {
        items.push(PickerItem {
            label: format!("remove {person}"),
            refused: None,
            then: Then::RemovePerson {
                role: role.to_string(),
                person,
            },
        });
    }
    let references = crate::core::edit::role_references(index, role);
    items.push(PickerItem {
        label: format!("remove role `{role}`"),
        refused: (!references.is_empty())
            .then(|| format!("still named by {}", references.join(", "))),
        then: Then::RemoveRole {
            role: role.to_string(),
        },
    });
    items.push(PickerItem {
        label: "add a new role".into(),
        refused: None,
        then: Then::AddRole,
    });
    Picker {
        title: format!("Role `{role}`"),
        items,
        selected: 0,
    }
}

/// Whether a form (restored from a draft) still names things that exist.
pub(crate) fn applies_to(kind: &FormKind, index: &Index) -> bool {
    match kind {
        FormKind::Field { artifact, .. } | FormKind::Sign { artifact, .. } => {
            index.artifact(artifact).is_some()
        }
        FormKind::RoleTitle { role } | FormKind::AddPerson { role } => index.role(role).is_some(),
        FormKind::AddArtifact | FormKind::AddRole => true,
    }
}

impl Form {
    pub fn new(kind: FormKind, index: &Index, base: String) -> Form {
        let (title, inputs) = match &kind {
            FormKind::Field { artifact, field } => {
                let mut input = Input::new(
                    "value",
                    &current_value(index, artifact, *field),
                    *field == ArtifactField::Description,
                    field_hint(index, *field),
                );
                // A new place is typed whole, rarely patched: the first keystroke replaces
                // the old one, an arrow keeps it to edit.
                if matches!(field, ArtifactField::Path | ArtifactField::Url) {
                    input.text.select_all();
                }
                (format!("`{artifact}`: {}", field.key()), vec![input])
            }
            FormKind::AddArtifact => (
                "New artifact".to_string(),
                vec![
                    Input::new("id", "", false, "letters, digits, - _ ."),
                    Input::new(
                        "path or url",
                        "",
                        false,
                        "docs/x.md, a directory, a glob, or https://...",
                    ),
                    Input::new("owner", "", false, roles_hint(index)),
                    Input::new(
                        "kind",
                        "",
                        false,
                        format!(
                            "kinds: {}",
                            index
                                .kinds
                                .iter()
                                .map(|k| k.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                    Input::new("title", "", false, "optional"),
                ],
            ),
            FormKind::Sign {
                artifact,
                action,
                role,
            } => (
                format!("{action} `{artifact}` as {role}"),
                vec![Input::new(
                    "note",
                    "",
                    true,
                    if *action == Action::Acknowledge {
                        "required: why the upstream change needs nothing here"
                    } else {
                        "optional"
                    },
                )],
            ),
            FormKind::RoleTitle { role } => (
                format!("Role `{role}`: title"),
                vec![Input::new(
                    "title",
                    &index
                        .role(role)
                        .and_then(|r| r.title.clone())
                        .unwrap_or_default(),
                    false,
                    "empty removes it",
                )],
            ),
            FormKind::AddPerson { role } => (
                format!("Role `{role}`: add a person"),
                vec![Input::new("e-mail", "", false, "their git e-mail address")],
            ),
            FormKind::AddRole => (
                "New role".to_string(),
                vec![
                    Input::new("id", "", false, "letters, digits, - _ ."),
                    Input::new("title", "", false, "optional"),
                    Input::new("people", "", false, "comma-separated e-mail addresses"),
                ],
            ),
        };
        let mut form = Form {
            kind,
            title,
            inputs,
            focus: 0,
            problem: None,
            base,
        };
        form.validate(index);
        form
    }

    /// The change the form stands for now, or why it cannot be made.
    pub fn change(&self, index: &Index) -> Result<Change, FormProblem> {
        let v = |i: usize| self.inputs.get(i).map(Input::value).unwrap_or_default();
        let edit = match &self.kind {
            FormKind::Field { artifact, field } => {
                let value = v(0);
                let change = if *field == ArtifactField::RequiredSections && value.is_empty() {
                    // Empty is the kind's list again; `[]` is none.
                    FieldChange::Unset
                } else if field.is_list() {
                    FieldChange::List(ListChange::Replace(split_list(&value)))
                } else if value.is_empty() {
                    FieldChange::Unset
                } else {
                    FieldChange::Set(value)
                };
                IndexEdit::Artifact {
                    artifact: artifact.clone(),
                    field: *field,
                    change,
                }
            }
            FormKind::AddArtifact => {
                let place = v(1);
                let target = if place.starts_with("http://") || place.starts_with("https://") {
                    Target::Url(place)
                } else {
                    Target::Path(place)
                };
                let mut new = NewArtifact::new(v(0), target);
                new.owner = opt(v(2));
                new.kind = opt(v(3));
                new.title = opt(v(4));
                IndexEdit::AddArtifact(new)
            }
            FormKind::Sign {
                artifact,
                action,
                role,
            } => {
                let note = opt(v(0));
                if *action == Action::Acknowledge && note.is_none() {
                    return Err(FormProblem::NoteRequired);
                }
                return Ok(Change::Sign(SignRequest {
                    artifact: artifact.clone(),
                    action: *action,
                    role: role.clone(),
                    note,
                }));
            }
            FormKind::RoleTitle { role } => IndexEdit::RoleTitle {
                role: role.clone(),
                title: opt(v(0)),
            },
            FormKind::AddPerson { role } => IndexEdit::People {
                role: role.clone(),
                change: ListChange::Add(v(0)),
            },
            FormKind::AddRole => IndexEdit::AddRole(NewRole {
                id: v(0),
                title: opt(v(1)),
                people: split_list(&v(2)),
            }),
        };
        check(index, &edit)?;
        Ok(Change::Edit(edit))
    }

    /// Re-checks the form against the index on screen.
    pub fn validate(&mut self, index: &Index) {
        self.problem = self.change(index).err().map(|e| e.to_string());
    }

    pub(crate) fn focused(&mut self) -> &mut Input {
        &mut self.inputs[self.focus]
    }

    /// The inputs' texts, for drafts.
    pub fn texts(&self) -> Vec<String> {
        self.inputs
            .iter()
            .map(|i| i.text.lines().join("\n"))
            .collect()
    }

    /// Restores texts saved in a draft.
    pub(crate) fn set_texts(&mut self, texts: &[String]) {
        for (input, text) in self.inputs.iter_mut().zip(texts) {
            *input = Input::new(input.label, text, input.multiline, input.hint.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::load::load_index;

    fn index() -> Index {
        load_index(
            "handoff.yaml",
            b"version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n  ops: { people: [rosa@acme.example] }\nkinds:\n  prd: {}\nartifacts:\n  - id: prd\n    title: PRD\n    kind: prd\n    path: docs/prd.md\n    owner: pm\n    reviewers: [ops]\n",
        )
        .unwrap()
    }

    fn typed(form: &mut Form, text: &str) {
        form.focused().text.select_all();
        form.focused().text.cut();
        form.focused().text.insert_str(text);
    }

    #[test]
    fn a_field_form_validates_as_you_type() {
        let index = index();
        let mut form = Form::new(
            FormKind::Field {
                artifact: "prd".into(),
                field: ArtifactField::Owner,
            },
            &index,
            String::new(),
        );
        assert_eq!(form.inputs[0].value(), "pm");
        assert!(form.inputs[0].hint.contains("roles: pm, ops"));
        typed(&mut form, "pn");
        form.validate(&index);
        let problem = form.problem.clone().unwrap();
        assert!(
            problem.contains("unknown role `pn`") && problem.contains("did you mean `pm`?"),
            "{problem}"
        );
        typed(&mut form, "ops");
        form.validate(&index);
        assert_eq!(form.problem, None);
        assert_eq!(
            form.change(&index),
            Ok(Change::Edit(IndexEdit::Artifact {
                artifact: "prd".into(),
                field: ArtifactField::Owner,
                change: FieldChange::Set("ops".into())
            }))
        );
    }

    #[test]
    fn lists_replace_and_empty_optional_fields_unset() {
        let index = index();
        let mut form = Form::new(
            FormKind::Field {
                artifact: "prd".into(),
                field: ArtifactField::Reviewers,
            },
            &index,
            String::new(),
        );
        typed(&mut form, "ops, pm");
        assert_eq!(
            form.change(&index),
            Ok(Change::Edit(IndexEdit::Artifact {
                artifact: "prd".into(),
                field: ArtifactField::Reviewers,
                change: FieldChange::List(ListChange::Replace(vec!["ops".into(), "pm".into()]))
            }))
        );
        let mut title = Form::new(
            FormKind::Field {
                artifact: "prd".into(),
                field: ArtifactField::Title,
            },
            &index,
            String::new(),
        );
        typed(&mut title, "  ");
        assert!(matches!(
            title.change(&index),
            Ok(Change::Edit(IndexEdit::Artifact {
                change: FieldChange::Unset,
                ..
            }))
        ));
    }

    #[test]
    fn the_edit_picker_offers_status_successor_and_sections() {
        let index = index();
        let picker = edit_picker(&index, "prd");
        for key in ["status", "superseded_by", "required_sections"] {
            assert!(
                picker.items.iter().any(|i| i.label.starts_with(key)),
                "{key}: {picker:?}"
            );
        }
        let mut status = Form::new(
            FormKind::Field {
                artifact: "prd".into(),
                field: ArtifactField::Status,
            },
            &index,
            String::new(),
        );
        typed(&mut status, "superseded");
        status.validate(&index);
        assert!(
            status.problem.as_deref().unwrap().contains("superseded_by"),
            "{:?}",
            status.problem
        );
        let mut sections = Form::new(
            FormKind::Field {
                artifact: "prd".into(),
                field: ArtifactField::RequiredSections,
            },
            &index,
            String::new(),
        );
        typed(&mut sections, "[]");
        assert_eq!(
            sections.change(&index),
            Ok(Change::Edit(IndexEdit::Artifact {
                artifact: "prd".into(),
                field: ArtifactField::RequiredSections,
                change: FieldChange::List(ListChange::Replace(Vec::new()))
            }))
        );
    }

    #[test]
    fn acknowledge_needs_a_note() {
        let index = index();
        let mut form = Form::new(
            FormKind::Sign {
                artifact: "prd".into(),
                action: Action::Acknowledge,
                role: "pm".into(),
            },
            &index,
            String::new(),
        );
        assert!(form.problem.as_deref().unwrap().contains("write a note"));
        typed(
            &mut form,
            "Read the new framing:\nnothing changes for the PRD.",
        );
        form.validate(&index);
        assert_eq!(form.problem, None);
    }

    #[test]
    fn the_sign_picker_says_whose_state_an_action_changes() {
        let index = index();
        let picker = sign_picker(&index, &Ledger::default(), "prd", Some("dana@acme.example"));
        let label = |prefix: &str| {
            picker
                .items
                .iter()
                .find(|i| i.label.starts_with(prefix))
                .unwrap()
                .label
                .clone()
        };
        // dana is the owner (pm): her acknowledgement settles the artifact's upstream change.
        assert!(label("acknowledge as pm").ends_with("settles upstream-changed (owner)"));
        assert!(label("revoke as pm").ends_with("withdraws `pm`'s sign-offs"));
        let reviewer = sign_picker(&index, &Ledger::default(), "prd", Some("rosa@acme.example"));
        let ack = reviewer
            .items
            .iter()
            .find(|i| i.label.starts_with("acknowledge as ops"))
            .unwrap();
        assert!(
            ack.label.ends_with("`ops`'s cell only, not the owner's"),
            "{ack:?}"
        );
    }

    #[test]
    fn the_sign_picker_lists_refusals_with_reasons() {
        let index = index();
        let picker = sign_picker(&index, &Ledger::default(), "prd", Some("dana@acme.example"));
        assert_eq!(
            picker.items[0].label,
            "accept as pm · ownership; settles upstream changes"
        );
        assert!(picker.items[0].refused.is_none());
        let approve = picker
            .items
            .iter()
            .find(|i| i.label.starts_with("approve as pm"))
            .unwrap();
        assert!(
            approve
                .refused
                .as_deref()
                .unwrap()
                .contains("approvals come from ops"),
            "{approve:?}"
        );
    }

    #[test]
    fn a_new_artifact_with_an_unknown_owner_is_refused_with_the_known_roles() {
        let index = index();
        let mut form = Form::new(FormKind::AddArtifact, &index, String::new());
        for (i, text) in ["runbook", "runbooks/outage.md", "sre", "", "Outage runbook"]
            .iter()
            .enumerate()
        {
            form.focus = i;
            typed(&mut form, text);
        }
        form.validate(&index);
        assert!(
            form.problem
                .as_deref()
                .unwrap()
                .contains("unknown role `sre`"),
            "{:?}",
            form.problem
        );
        form.focus = 2;
        typed(&mut form, "ops");
        form.validate(&index);
        assert_eq!(form.problem, None);
    }
}
