//! Fault injection for the crash tests. Test-only, in debug builds: `HANDOFF_DEBUG_PANIC=<point>`
//! panics at that point (`draw`: while drawing a frame; `worker`: in the facts worker thread),
//! so that tests can check that a crash gives the terminal back and leaves a report naming the
//! location (the caller's: the function is `#[track_caller]`). Release builds have no such
//! switch.

#[cfg(debug_assertions)]
#[track_caller]
pub(crate) fn panic_if_asked(point: &str) {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let wanted = WANTED.get_or_init(|| std::env::var("HANDOFF_DEBUG_PANIC").ok());
    if wanted.as_deref() == Some(point) {
        panic!("HANDOFF_DEBUG_PANIC={point}: a panic a test asked for");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn panic_if_asked(_point: &str) {}
