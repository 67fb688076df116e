//! What the benchmark suite builds its inputs from.

pub mod org;
pub mod repos;
pub mod synthetic;
