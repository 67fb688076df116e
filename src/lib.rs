//! handoff keeps a team's product-to-engineering handoff honest: it reads the artifact index
//! and the sign-off ledger from a git repository, derives facts from git and the work tree,
//! and reports the ownership matrix, the gaps and the stale items.
//!
//! Layers, from the inside out: `model` (values and loaders) and `analysis` (pure findings)
//! form the core; `facts` and `repo_write` talk to git; `cli` and `tui` are the two faces.

pub mod analysis;
pub mod facts;
pub mod model;
pub mod repo_write;
pub mod yaml;
