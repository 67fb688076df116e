//! handoff keeps a team's product-to-engineering handoff honest: it reads the artifact index
//! and the sign-off ledger from a git repository, derives facts from git and the work tree,
//! and reports the ownership matrix, the gaps and the stale items.
//!
//! The layers, each naming only those below it (ARCHITECTURE.md, "Code map"; `tests/it/layers.rs`
//! enforces it):
//!
//! - [`yaml`]: the YAML parser facade and the format-keeping editor (pure text);
//! - [`core`]: the domain — index and ledger models and loaders, edit and sign-off rules,
//!   the analysis — taking facts and `now` as inputs;
//! - [`repo`]: every git2 and file-system call — the workspace, facts, caches, writes,
//!   the watcher;
//! - [`engine`]: the snapshot and its updates, behind every face;
//! - [`render`]: every output format;
//! - the faces: [`cli`], [`mcp`] and [`tui`].

pub mod cli;
pub mod core;
pub mod engine;
pub mod mcp;
pub mod render;
pub mod repo;
pub mod tui;
pub mod yaml;
