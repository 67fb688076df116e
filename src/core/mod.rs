//! The domain, pure: the index and the ledger as values and their loaders, the rules of
//! edits and sign-offs, and the analysis that turns an index, a ledger, facts and `now` into
//! findings. Nothing here touches git, files, the terminal, a watcher or threads.

pub mod analysis;
pub mod content_diff;
pub mod edit;
pub mod glob;
pub mod import;
pub mod model;
pub mod org;
pub mod signoff;
pub mod text;
