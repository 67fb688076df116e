//! Writing back: atomic file writes, sign-off records, and commits through libgit2 that
//! contain only the files handoff changed.

pub mod atomic;
pub mod commit;
pub mod index_text;
pub mod ledger;

pub use atomic::write_atomic;
pub use commit::{CommitError, commit_paths};
