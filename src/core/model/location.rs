//! Source positions and load errors that name them.

use std::fmt;

pub use crate::yaml::Pos;

/// One problem found while loading a file, located at `file:line:col`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file as the user should see it (relative to the workspace when possible).
    pub file: String,
    pub pos: Pos,
    pub message: String,
    /// What to do about it, when there is something better to say than the message.
    pub help: Option<String>,
}

impl LoadError {
    pub fn new(file: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        LoadError {
            file: file.into(),
            pos,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col` of the problem.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.pos.line, self.pos.col)
    }
}

impl fmt::Display for LoadError {
    /// Messages quote the file (an unknown key, a bad value), and the file is anyone's: control
    /// characters and escape sequences are neutralised here, so no caller can print them raw.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::core::text::sanitize;
        write!(
            f,
            "{}: error: {}",
            sanitize(&self.location()),
            sanitize(&self.message)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", sanitize(help))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Every problem found in one load, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    pub fn first(&self) -> &LoadError {
        &self.0[0]
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl From<LoadError> for LoadErrors {
    fn from(e: LoadError) -> Self {
        LoadErrors(vec![e])
    }
}
