//! Colour in text renderings: ANSI codes when the face asks for them (on a terminal, never
//! with `NO_COLOR`), always alongside words, so nothing is said by colour alone.

use crate::core::model::Severity;

/// Whether to colour, and how.
#[derive(Clone, Copy)]
pub(crate) struct Paint {
    pub on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub(crate) fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }

    pub(crate) fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    pub(crate) fn good(&self, s: &str) -> String {
        self.wrap("32", s)
    }

    /// A removed line of a diff.
    pub(crate) fn removed(&self, s: &str) -> String {
        self.wrap("31", s)
    }

    /// A hunk header of a diff.
    pub(crate) fn hunk(&self, s: &str) -> String {
        self.wrap("36", s)
    }

    pub(crate) fn severity(&self, severity: Severity, s: &str) -> String {
        match severity {
            Severity::Error => self.wrap("1;31", s),
            Severity::Warning => self.wrap("33", s),
            Severity::Info => self.wrap("36", s),
        }
    }
}
