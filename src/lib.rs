//! handoff keeps a team's product-to-engineering handoff honest: it reads the artifact index
//! and the sign-off ledger from a git repository, derives facts from git and the work tree,
//! and reports the ownership matrix, the gaps and the stale items.
//!
//! Layers, from the inside out: `model` (values and loaders) and `analysis` (pure findings)
//! form the core; `facts` reads git and the work tree, `repo_write` writes back; `workspace`
//! puts them together; `cli` and `tui` are the two faces.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod context;
pub mod export;
pub mod facts;
pub mod fence;
pub mod glyphs;
pub mod model;
pub mod repo_write;
pub mod sample;
pub mod text;
pub mod threads;
pub mod tui;
pub mod watch;
pub mod workspace;
pub mod yaml;
