//! Scoped threads whose panics go on in the thread that waits for them.

use std::thread::ScopedJoinHandle;

/// The result of a scoped thread; a panic in it is resumed here, as if it had happened in
/// the caller.
pub fn join<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
