//! The one engine behind every face: the snapshot of a handoff (index, ledger, facts and the
//! analysis of them) and how it is built and kept up to date.

pub mod clock;
