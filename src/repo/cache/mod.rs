//! What handoff keeps between runs under `<git dir>/handoff/cache/`: the last change of each
//! path and of its content, the ledger files' history, the changes of governed paths, and the
//! parsed inputs. Every file is sealed the same way ([`sealed`]), so a torn, damaged or
//! foreign file is ignored and rewritten; removing any of them is always safe.

mod content;
mod governed;
mod history;
mod ledger;
mod parsed;
mod sealed;

/// The caches' directory, relative to the repository's git directory (a linked worktree has
/// its own).
pub(crate) const CACHE_DIR: &str = "handoff/cache";

pub use history::{CacheOutcome, CachedChanges, HistoryCache};
pub use ledger::LedgerAnswer;
pub(crate) use parsed::{Input, ParsedCache};
pub use sealed::{CacheError, Damage, Invalid};
