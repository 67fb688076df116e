//! Fault injection for the crash tests, compiled only with the `fault-injection` feature:
//! `HANDOFF_DEBUG_PANIC=<point>` panics at that point (`draw`: while drawing a frame;
//! `worker`: in the facts worker thread), so that tests can check that a crash gives the
//! terminal back and leaves a report naming the location (the caller's: the function is
//! `#[track_caller]`). Builds without the feature have no such switch, and their call sites
//! are compiled out.

#[track_caller]
pub(crate) fn panic_if_asked(point: &str) {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let wanted = WANTED.get_or_init(|| std::env::var("HANDOFF_DEBUG_PANIC").ok());
    if wanted.as_deref() == Some(point) {
        panic!("HANDOFF_DEBUG_PANIC={point}: a panic a test asked for");
    }
}
