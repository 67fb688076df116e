//! Every call into git (libgit2) and the file system: finding the workspace, reading the
//! index and the ledger through the fence, the facts of git and the work tree and their
//! caches, the writes and commits, and the file watcher.

pub mod cache;
pub mod commit_graph;
pub mod content_diff;
pub mod diagnosis;
pub mod facts;
pub(crate) mod fence;
pub mod identity;
pub mod import;
pub mod inputs;
pub mod open;
pub mod org;
pub mod range;
pub mod sample;
pub mod threads;
pub mod timeline;
pub mod watch;
pub mod workspace;
pub mod write;
