//! Helpers some of the test modules share.

pub mod consumers;
pub mod pty;
pub mod reliability;
pub mod workbench;
