//! Colour for command-line output: only on a terminal, never with `NO_COLOR`, and always
//! alongside words, so nothing is said by colour alone.

use std::io::IsTerminal;

use crate::render::style::Paint;

/// Whether standard output should carry colour.
pub(crate) fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Colour for standard output, as [`color_enabled`] says.
pub(crate) fn paint_stdout() -> Paint {
    Paint {
        on: color_enabled(),
    }
}

/// A message for standard error, red on a terminal.
pub(crate) fn error_text(message: &str) -> String {
    let on = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    if on {
        format!("\x1b[31m{message}\x1b[0m")
    } else {
        message.to_string()
    }
}
