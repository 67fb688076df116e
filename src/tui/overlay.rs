//! What lies over the view, bottom to top: the detail of the selected artifact, then at most
//! one modal layer that takes the keys (help, the filter being typed, a picker, a form, a
//! question). One value holds it all, so combinations that mean nothing — a conflict prompt
//! with no form under it, a picker and a confirmation at once — cannot be written down, and
//! the key context, the key routing and the drawing all read this one value.

use super::action::Context;
use super::diff_view::DiffView;
use super::filter::Filter;
use super::forms::{Confirm, Form, Picker};

/// The layer that takes the keys, over the view and the detail.
#[allow(clippy::large_enum_variant, reason = "one modal at a time")]
pub enum Modal {
    /// The help screen, scrolled this far.
    Help { scroll: u16 },
    /// A filter being typed (the list follows it live), the filter to restore on cancel, and
    /// the help screen it was opened over, to return to.
    Filter {
        text: String,
        previous: Filter,
        help: Option<u16>,
    },
    /// What to change.
    Picker(Picker),
    /// The new value.
    Form(Box<Form>),
    /// `handoff.yaml` changed on disk under this form: the user chooses what happens.
    Conflict(Box<Form>),
    /// A yes/no question before a destructive change.
    Confirm(Confirm),
    /// What changed since a sign-off, read off the UI thread.
    Diff(Box<DiffView>),
}

/// Everything over the view.
#[derive(Default)]
pub struct Overlay {
    /// The detail of the selected artifact is open, scrolled this far.
    pub detail: Option<u16>,
    pub modal: Option<Modal>,
}

impl Overlay {
    /// Where keys are looked up, or `None` where the view's own context applies.
    pub fn context(&self) -> Option<Context> {
        Some(match &self.modal {
            Some(Modal::Conflict(_)) => Context::Conflict,
            Some(Modal::Confirm(_)) => Context::Confirm,
            Some(Modal::Form(form)) if form.inputs[form.focus].multiline => Context::Note,
            Some(Modal::Form(_)) => Context::Form,
            Some(Modal::Picker(_)) => Context::Picker,
            Some(Modal::Filter { .. }) => Context::Filter,
            Some(Modal::Help { .. }) => Context::Help,
            Some(Modal::Diff(_)) => Context::Diff,
            None if self.detail.is_some() => Context::Detail,
            None => return None,
        })
    }

    /// The help screen's scroll, when it shows (also under a filter typed over it).
    pub fn help(&self) -> Option<u16> {
        match &self.modal {
            Some(Modal::Help { scroll }) => Some(*scroll),
            Some(Modal::Filter { help, .. }) => *help,
            _ => None,
        }
    }

    /// The filter being typed.
    pub fn filter_text(&self) -> Option<&str> {
        match &self.modal {
            Some(Modal::Filter { text, .. }) => Some(text),
            _ => None,
        }
    }

    pub fn picker(&self) -> Option<&Picker> {
        match &self.modal {
            Some(Modal::Picker(p)) => Some(p),
            _ => None,
        }
    }

    /// The open form, with or without the conflict question over it.
    pub fn form(&self) -> Option<&Form> {
        match &self.modal {
            Some(Modal::Form(f) | Modal::Conflict(f)) => Some(f),
            _ => None,
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match &mut self.modal {
            Some(Modal::Form(f) | Modal::Conflict(f)) => Some(f),
            _ => None,
        }
    }

    pub fn confirm(&self) -> Option<&Confirm> {
        match &self.modal {
            Some(Modal::Confirm(c)) => Some(c),
            _ => None,
        }
    }

    pub fn diff(&self) -> Option<&DiffView> {
        match &self.modal {
            Some(Modal::Diff(d)) => Some(d),
            _ => None,
        }
    }

    /// Whether the user is being asked what to do about `handoff.yaml` changing under a form.
    pub fn in_conflict(&self) -> bool {
        matches!(self.modal, Some(Modal::Conflict(_)))
    }
}
