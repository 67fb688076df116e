//! Every integration test, in one binary (it links once instead of once per file): the
//! binary as a process, facts against the git command line, edits and commits on real
//! repositories, the watcher, the workbench on TestBackend and in a pseudo-terminal, fuzz
//! inputs replayed, and the layer rules of `src/`.

mod common;
mod content_age;
mod support;

mod adopt;
mod as_of;
mod ascii_output;
mod bloom;
mod cache;
mod ci_formats;
mod cli;
mod cli_files;
mod consumers;
mod contracts;
mod diff;
mod doc_links;
mod docs;
mod ecosystem;
mod edits;
mod fuzz_regressions;
mod git_facts;
mod governs;
mod handles;
mod handoff_description;
mod impact;
mod import;
mod layers;
mod lifecycle;
mod links;
mod mcp;
mod org;
mod pty_e2e;
mod release;
mod reliability_bombs;
mod reliability_crash;
mod reliability_git;
mod reliability_ledger;
mod reliability_paths;
mod reliability_text;
mod reliability_write;
mod review;
mod scorecard;
mod screenshots;
mod trend;
mod trust;
mod tui;
mod tui_edit;
mod tui_meeting;
mod tui_screen;
mod tui_streaming;
mod turnaround;
mod watch;
mod yaml_edit;
