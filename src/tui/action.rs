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

            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit = "quit", "quit", "quit handoff";
    Help = "help", "help", "show the keys, the glyphs and the finding codes";
    NextView = "next-view", "view", "next view: Matrix → Gaps → Stale";
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
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Matrix,
        Context::Findings,
        Context::Detail,
        Context::Help,
        Context::Filter,
        Context::Agenda,
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
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether global bindings also apply here. Typing a filter takes every key.
    pub fn inherits_global(self) -> bool {
        self != Context::Filter
    }
}
