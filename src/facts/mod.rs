//! Facts from git.
