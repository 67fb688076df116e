//! Everything a user can ask the workbench to do, by name. Keymaps bind keys to these names;
//! the footer and the help screen describe them from here.

use std::fmt;

macro_rules! actions {
    ($($variant:ident = $name:literal, $hint:literal, $help:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name keymap files use.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// A word or two for the footer; empty when the action is not worth a hint.
            pub fn hint(self) -> &'static str {
                match self { $(Action::$variant => $hint,)* }
            }

            /// A sentence for the help screen.
            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help,)* }
            }

            pub(crate) fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit = "quit", "quit", "quit handoff";
    Help = "help", "help", "show the keys, the glyphs and the finding codes";
    NextView = "next-view", "view", "next view: Matrix → Gaps → Stale → Scorecard";
    PrevView = "prev-view", "", "previous view";
    Filter = "filter", "filter", "filter by text, or role:, person: (or @), code:, kind:, sev:";
    ToggleMine = "toggle-mine", "mine", "show only artifacts where your roles must act";
    ClearFilter = "clear-filter", "", "clear the filter and the mine switch";
    Refresh = "refresh", "", "read the index, the ledger and git again";
    Up = "up", "", "move up";
    Down = "down", "", "move down";
    Left = "left", "", "previous role column";
    Right = "right", "", "next role column";
    PageUp = "page-up", "", "one page up";
    PageDown = "page-down", "", "one page down";
    First = "first", "", "go to the first row";
    Last = "last", "", "go to the last row";
    Open = "open", "detail", "open the selected artifact's detail";
    Close = "close", "close", "close";
    NextFinding = "next-finding", "next finding", "jump to the next artifact with a finding";
    PrevFinding = "prev-finding", "", "jump to the previous artifact with a finding";
    NextArtifact = "next-artifact", "next", "show the next artifact of the list";
    PrevArtifact = "prev-artifact", "prev", "show the previous artifact of the list";
    Apply = "apply", "apply", "keep the filter";
    Cancel = "cancel", "cancel", "drop the filter being typed";
    Edit = "edit", "edit", "edit a field of the selected artifact";
    Sign = "sign", "sign", "sign off the selected artifact: accept, approve, acknowledge, verify, revoke";
    AcceptMine = "accept-mine", "", "accept all I own: every unaccepted artifact your roles own, in one commit";
    AddArtifact = "add-artifact", "add", "add an artifact to handoff.yaml";
    RemoveArtifact = "remove-artifact", "", "remove the selected artifact from handoff.yaml";
    Roles = "roles", "roles", "edit the role under the cursor (title, people), or add a role";
    Choose = "choose", "choose", "choose the highlighted item";
    NextField = "next-field", "next field", "move to the next field";
    PrevField = "prev-field", "", "move to the previous field";
    Submit = "submit", "commit", "commit the change (one commit, only handoff's file)";
    Yes = "yes", "yes", "yes, make the change";
    No = "no", "no", "no, change nothing";
    ReloadFile = "reload-file", "reload file", "drop the form and show handoff.yaml as it is now";
    KeepForm = "keep-form", "keep form", "keep the form and apply it to handoff.yaml as it is now";
    Diff = "diff", "diff", "what changed since the sign-off (changed-since-signoff, upstream-changed)";
    OpenArtifact = "open-artifact", "open", "open the artifact's file in $VISUAL or $EDITOR, or its URL in the browser";
    CopyFix = "copy-fix", "copy fix", "copy the selected finding's fix command to the clipboard (OSC 52)";
    Next = "next", "next", "next finding on the agenda";
    Previous = "previous", "previous", "previous finding on the agenda";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the user is: which part of the keymap applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Matrix,
    Findings,
    Detail,
    Help,
    Filter,
    Agenda,
    Scorecard,
    Diff,
    Picker,
    Form,
    Note,
    Confirm,
    Conflict,
}

impl Context {
    pub const ALL: [Context; 14] = [
        Context::Global,
        Context::Matrix,
        Context::Findings,
        Context::Detail,
        Context::Help,
        Context::Filter,
        Context::Agenda,
        Context::Scorecard,
        Context::Diff,
        Context::Picker,
        Context::Form,
        Context::Note,
        Context::Confirm,
        Context::Conflict,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Matrix => "matrix",
            Context::Findings => "findings",
            Context::Detail => "detail",
            Context::Help => "help",
            Context::Filter => "filter",
            Context::Agenda => "agenda",
            Context::Scorecard => "scorecard",
            Context::Diff => "diff",
            Context::Picker => "picker",
            Context::Form => "form",
            Context::Note => "note",
            Context::Confirm => "confirm",
            Context::Conflict => "conflict",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Matrix => "Matrix",
            Context::Findings => "Gaps and Stale lists",
            Context::Detail => "Artifact detail",
            Context::Help => "Help",
            Context::Filter => "Typing a filter",
            Context::Agenda => "Review agenda (--present)",
            Context::Scorecard => "Scorecard",
            Context::Diff => "What changed since a sign-off",
            Context::Picker => "Choosing what to change",
            Context::Form => "Editing a value",
            Context::Note => "Writing a note (several lines)",
            Context::Confirm => "Confirming a change",
            Context::Conflict => "handoff.yaml changed under a form",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether global bindings also apply here. Where the user types or must answer a
    /// question, every key belongs to that.
    pub(crate) fn inherits_global(self) -> bool {
        !matches!(
            self,
            Context::Filter
                | Context::Picker
                | Context::Form
                | Context::Note
                | Context::Confirm
                | Context::Conflict
        )
    }
}

impl Action {
    /// Whether the action starts a change (present mode refuses these).
    pub(crate) fn edits(self) -> bool {
        matches!(
            self,
            Action::Edit
                | Action::Sign
                | Action::AddArtifact
                | Action::RemoveArtifact
                | Action::Roles
        )
    }
}
