//! Colour for command-line output: only on a terminal, never with `NO_COLOR`, and always
//! alongside words, so nothing is said by colour alone.

use std::io::IsTerminal;

use crate::core::model::Severity;

/// Whether standard output should carry colour.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

#[derive(Clone, Copy)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    pub fn stdout() -> Self {
        Paint {
            on: color_enabled(),
        }
    }

    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    pub fn good(&self, s: &str) -> String {
        self.wrap("32", s)
    }

    pub fn severity(&self, severity: Severity, s: &str) -> String {
        match severity {
            Severity::Error => self.wrap("1;31", s),
            Severity::Warning => self.wrap("33", s),
            Severity::Info => self.wrap("36", s),
        }
    }
}

/// A message for standard error, red on a terminal.
pub fn error_text(message: &str) -> String {
    let on = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    if on {
        format!("\x1b[31m{message}\x1b[0m")
    } else {
        message.to_string()
    }
}
