//! Editing from the workbench: opening a picker, a form or a question; what choosing,
//! submitting and answering do; and the commit a change ends in, which runs off the UI thread.
//!
//! While a commit runs (the repository's hooks may take seconds) the workbench keeps drawing
//! and moving, the status line says "committing…", and no other change can be started: a
//! second change would be computed against a HEAD about to move, so it is refused with a
//! word rather than queued. The form a commit came from is kept until the outcome: if the
//! commit is refused, the form opens again with the reason, as it was.

use super::action::Action;
use super::app::{App, Effect};
use super::forms::{self, Change, Confirm, Form, FormKind, Then};
use super::overlay::Modal;
use crate::core::edit::{IndexEdit, ListChange};

/// A commit running off the UI thread.
pub struct Committing {
    /// The form the change came from (none for a confirmed removal), to open again if the
    /// commit is refused.
    pub form: Option<Box<Form>>,
    /// The artifact the change is about, for the selection to stay on once it lands.
    pub artifact: Option<String>,
}

impl App {
    /// Opens the picker, form or confirmation an editing action starts with.
    pub(crate) fn start_editing(&mut self, action: Action) {
        if self.options.present {
            self.status = Some("present mode is read-only: edits and sign-offs are off".into());
            return;
        }
        if self.committing.is_some() {
            self.status =
                Some("a commit is still running: the next change can start once it lands".into());
            return;
        }
        if self.overlay.modal.is_some() {
            return;
        }
        let index = &self.snap.index;
        let artifact = self
            .selected_artifact()
            .map(|i| index.artifacts[i].id.clone());
        let modal = match (action, artifact) {
            (Action::AddArtifact, _) => return self.open_form(FormKind::AddArtifact),
            (Action::AcceptMine, _) => match self.accept_mine_question() {
                Some(modal) => modal,
                None => return,
            },
            (Action::Roles, _) => match index.roles.get(self.matrix.col) {
                Some(role) => Modal::Picker(forms::role_picker(index, &role.id)),
                None => return self.open_form(FormKind::AddRole),
            },
            (_, None) => {
                self.status = Some("select an artifact first".into());
                return;
            }
            (Action::Edit, Some(id)) => Modal::Picker(forms::edit_picker(index, &id)),
            (Action::Sign, Some(id)) => match self.options.me.as_deref() {
                None => {
                    self.status = Some(
                        "git has no user.email here: set it (`git config user.email you@example.com`) to sign".into(),
                    );
                    return;
                }
                Some(me) => {
                    Modal::Picker(forms::sign_picker(index, &self.snap.ledger, &id, Some(me)))
                }
            },
            (_, Some(id)) => Modal::Confirm(Confirm {
                question: format!("Remove `{id}` from handoff.yaml? Its ledger file stays. (y/n)"),
                change: Change::Edit(IndexEdit::RemoveArtifact { artifact: id }),
            }),
        };
        self.overlay.modal = Some(modal);
    }

    /// "Accept all I own": the question listing what would be accepted, or a status line
    /// saying why there is nothing to ask.
    fn accept_mine_question(&mut self) -> Option<Modal> {
        let Some(me) = self.options.me.as_deref() else {
            self.status = Some(
                "git has no user.email here: set it (`git config user.email you@example.com`) to sign".into(),
            );
            return None;
        };
        let owed = crate::core::signoff::accepts_owed(&self.snap.index, &self.snap.report, me);
        if owed.is_empty() {
            self.status = Some(format!("nothing to accept: {me} owes no acceptance here"));
            return None;
        }
        let listed: Vec<String> = owed
            .iter()
            .map(|r| format!("{} ({})", r.artifact, r.role))
            .collect();
        Some(Modal::Confirm(Confirm {
            question: format!(
                "Accept {} artifact{} as their owner, in one commit: {}? (y/n)",
                owed.len(),
                if owed.len() == 1 { "" } else { "s" },
                listed.join(", ")
            ),
            change: Change::SignAll(owed),
        }))
    }

    fn open_form(&mut self, kind: FormKind) {
        let form = Form::new(kind, &self.snap.index, self.index_fingerprint.clone());
        self.overlay.modal = Some(Modal::Form(Box::new(form)));
        self.draft_dirty = true;
    }

    /// Chooses the highlighted picker item.
    pub(crate) fn choose(&mut self) -> Option<Effect> {
        let picker = self.overlay.picker()?;
        let item = picker.items.get(picker.selected)?.clone();
        if let Some(reason) = item.refused {
            self.status = Some(reason);
            return None;
        }
        let confirm = |question: String, edit: IndexEdit| {
            Some(Modal::Confirm(Confirm {
                question,
                change: Change::Edit(edit),
            }))
        };
        match item.then {
            Then::EditField { artifact, field } => {
                self.open_form(FormKind::Field { artifact, field })
            }
            Then::SignAs {
                artifact,
                action,
                role,
            } => self.open_form(FormKind::Sign {
                artifact,
                action,
                role,
            }),
            Then::RoleTitle { role } => self.open_form(FormKind::RoleTitle { role }),
            Then::AddPerson { role } => self.open_form(FormKind::AddPerson { role }),
            Then::AddRole => self.open_form(FormKind::AddRole),
            Then::RemovePerson { role, person } => {
                self.overlay.modal = confirm(
                    format!("Remove {person} from role `{role}`? (y/n)"),
                    IndexEdit::People {
                        role,
                        change: ListChange::Remove(person),
                    },
                );
            }
            Then::RemoveRole { role } => {
                self.overlay.modal = confirm(
                    format!("Remove role `{role}` from handoff.yaml? (y/n)"),
                    IndexEdit::RemoveRole { role },
                );
            }
        }
        None
    }

    /// Submits the open form: its change is committed, the form kept aside meanwhile.
    pub(crate) fn submit(&mut self) -> Option<Effect> {
        let Some(Modal::Form(form)) = &mut self.overlay.modal else {
            return None;
        };
        match form.change(&self.snap.index) {
            Ok(change) => {
                let Some(Modal::Form(form)) = self.overlay.modal.take() else {
                    unreachable!("the form was open a moment ago");
                };
                self.committing = Some(Committing {
                    form: Some(form),
                    artifact: change.artifact().map(str::to_string),
                });
                self.relayout();
                Some(Effect::Commit(Box::new(change)))
            }
            Err(problem) => {
                form.problem = Some(problem.to_string());
                None
            }
        }
    }

    /// "yes" to the question: its change is committed.
    pub(crate) fn confirmed(&mut self) -> Option<Effect> {
        let Some(Modal::Confirm(confirm)) = self.overlay.modal.take() else {
            return None;
        };
        self.committing = Some(Committing {
            form: None,
            artifact: confirm.change.artifact().map(str::to_string),
        });
        self.relayout();
        Some(Effect::Commit(Box::new(confirm.change)))
    }

    /// The keys of a form, a question, and the conflict prompt.
    pub(crate) fn answer(&mut self, action: Action) {
        let modal = self.overlay.modal.take();
        self.overlay.modal = match (action, modal) {
            (Action::NextField | Action::PrevField, Some(Modal::Form(mut form))) => {
                let n = form.inputs.len();
                form.focus = if action == Action::NextField {
                    (form.focus + 1) % n
                } else {
                    (form.focus + n - 1) % n
                };
                Some(Modal::Form(form))
            }
            (Action::No, Some(Modal::Confirm(_))) => {
                self.status = Some("nothing changed".into());
                None
            }
            (Action::ReloadFile, Some(Modal::Conflict(_))) => {
                self.draft_dirty = true;
                self.status = Some("the form is dropped; this is handoff.yaml as it is now".into());
                None
            }
            (Action::KeepForm, Some(Modal::Conflict(mut form))) => {
                form.base = self.index_fingerprint.clone();
                form.validate(&self.snap.index);
                self.draft_dirty = true;
                self.status = Some(
                    "the form is kept: submitting applies it to handoff.yaml as it is now".into(),
                );
                Some(Modal::Form(form))
            }
            (_, modal) => modal,
        };
    }

    /// The user acted: the selection no longer follows a committed (or committing) change.
    pub(crate) fn stop_following(&mut self) {
        self.follow = None;
        if let Some(committing) = &mut self.committing {
            committing.artifact = None;
        }
    }

    /// A change was committed: the status says what landed.
    pub fn committed(&mut self, summary: String) {
        // The refresh that follows re-decides and re-sorts: the selection follows the
        // artifact just changed until the user moves.
        self.follow = self.committing.take().and_then(|c| c.artifact);
        self.draft_dirty = true;
        self.status = Some(format!("committed {summary}"));
        self.relayout();
    }

    /// The commit came back without landing: the form it came from opens again, over
    /// whatever was opened meanwhile (help, a filter being typed, which is kept).
    pub(crate) fn commit_returned(&mut self) {
        let Some(form) = self.committing.take().and_then(|c| c.form) else {
            return;
        };
        if let Some(Modal::Filter { text, .. }) = &self.overlay.modal {
            self.filter = super::filter::Filter::parse(text);
        }
        self.show_form(form);
    }

    /// A change was refused or failed: the form opens again with the reason (or, without a
    /// form, the status line says it).
    pub(crate) fn commit_failed(&mut self, reason: String) {
        self.commit_returned();
        match self.overlay.form_mut() {
            Some(form) => form.problem = Some(reason),
            None => self.status = Some(reason),
        }
        self.relayout();
    }

    /// Opens `form`, asking first if `handoff.yaml` changed since the form was based on it.
    pub(crate) fn show_form(&mut self, form: Box<Form>) {
        self.overlay.modal = Some(if form.base != self.index_fingerprint {
            Modal::Conflict(form)
        } else {
            Modal::Form(form)
        });
        self.relayout();
    }

    /// The form to keep as a draft: the open one, or the one being committed.
    pub(crate) fn draft_form(&self) -> Option<&Form> {
        self.overlay
            .form()
            .or_else(|| self.committing.as_ref().and_then(|c| c.form.as_deref()))
    }

    /// `handoff.yaml` was read again: an open form whose base differs must ask the user.
    pub fn index_reloaded(&mut self, fingerprint: String) {
        self.index_fingerprint = fingerprint;
        match self.overlay.modal.take() {
            Some(Modal::Form(mut form)) if form.base == self.index_fingerprint => {
                form.validate(&self.snap.index);
                self.overlay.modal = Some(Modal::Form(form));
            }
            Some(Modal::Form(form)) => self.overlay.modal = Some(Modal::Conflict(form)),
            Some(Modal::Conflict(mut form)) => {
                if form.base == self.index_fingerprint {
                    form.validate(&self.snap.index);
                }
                self.overlay.modal = Some(Modal::Conflict(form));
            }
            modal => self.overlay.modal = modal,
        }
    }
}
