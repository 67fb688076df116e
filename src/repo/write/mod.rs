//! Writing back: atomic file writes, sign-off records, edits of the index, and commits through
//! libgit2 that contain only the files handoff changed.
//!
//! - [`signoff::sign`] and [`index_edit::apply_edit`]: the operations the workbench and the
//!   command line share; they return outcomes and typed errors and print nothing.
//! - [`change`]: one file written and committed alone, or put back as it was.
//! - [`commit`]: commits of selected paths, leaving the user's index as it was; [`hooks`].
//! - [`own_writes`]: what handoff wrote, so the watcher ignores it.

pub mod atomic;
pub mod change;
pub mod commit;
pub(crate) mod git_index;
pub(crate) mod git_lock;
pub mod hooks;
pub(crate) mod index_edit;
pub(crate) mod journal;
pub mod ledger;
pub mod lock;
pub mod own_writes;
pub(crate) mod patience;
pub mod pending;
pub mod refs;
pub mod review_point;
pub mod scratch;
pub mod signing;
pub mod signoff;

pub use atomic::write_atomic;
pub use change::{BaseHead, CommitOptions, WriteError};
pub use commit::CommitError;
pub(crate) use commit::commit_paths;
pub use index_edit::{
    Abandoned, AbandonedFile, EditOutcome, IndexEditError, PendingCommit, PendingOutcome,
    PlannedEdits, abandon_pending, apply_edit, apply_edit_uncommitted, commit_pending,
    commit_planned, committer_name, plan_edits,
};
pub use signoff::{SignAllOutcome, SignError, SignOutcome, Signed, sign, sign_all};
