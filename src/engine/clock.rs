//! The one place that reads the wall clock. `HANDOFF_NOW` (RFC 3339) pins it, so that
//! reports, tests and demos are reproducible.

use jiff::Timestamp;

pub const NOW_VAR: &str = "HANDOFF_NOW";

pub fn now() -> Result<Timestamp, String> {
    match std::env::var(NOW_VAR) {
        Ok(text) => text.parse().map_err(|_| {
            format!("{NOW_VAR}=`{text}` is not an RFC 3339 time such as 2026-11-22T12:00:00Z")
        }),
        // Whole seconds: reports show times to the second.
        Err(_) => {
            Ok(Timestamp::from_second(Timestamp::now().as_second()).expect("now is a valid time"))
        }
    }
}
