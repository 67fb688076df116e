//! The one place that reads the wall clock. `HANDOFF_NOW` (RFC 3339) pins it, so that
//! reports, tests and demos are reproducible.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

pub(crate) const NOW_VAR: &str = "HANDOFF_NOW";

/// The earliest and latest times handoff computes with (jiff's range, within the years RFC 3339
/// can write), as the messages name them.
pub(crate) const EARLIEST: &str = "0000-01-01T00:00:00Z";
pub(crate) const LATEST: &str = "9999-12-30T22:00:00Z";

/// Why `HANDOFF_NOW` cannot pin the clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("{NOW_VAR}=`{0}` is not an RFC 3339 time such as 2026-11-22T12:00:00Z")]
    NotRfc3339(String),
    #[error(
        "{NOW_VAR}=`{0}` is a valid RFC 3339 time, but outside the times handoff supports: \
         {EARLIEST} to {LATEST}"
    )]
    OutOfRange(String),
}

impl From<ClockError> for String {
    fn from(e: ClockError) -> String {
        e.to_string()
    }
}

pub(crate) fn now() -> Result<Timestamp, ClockError> {
    match std::env::var(NOW_VAR) {
        Ok(text) => parse(&text),
        // Whole seconds: reports show times to the second.
        Err(_) => {
            Ok(Timestamp::from_second(Timestamp::now().as_second()).expect("now is a valid time"))
        }
    }
}

/// Parses a pinned time: RFC 3339 within [`EARLIEST`]..=[`LATEST`]. jiff alone would also
/// take forms RFC 3339 does not have (offsets past 23:59, bracketed time zones), so the
/// grammar is checked first.
pub(crate) fn parse(text: &str) -> Result<Timestamp, ClockError> {
    let (civil, offset) =
        rfc3339_fields(text).ok_or_else(|| ClockError::NotRfc3339(text.to_string()))?;
    if let Ok(time) = text.parse::<Timestamp>() {
        return Ok(time);
    }
    // Well formed and a real date, yet jiff refused it: either it lies beyond what a
    // timestamp holds (jiff's range ends a little before the year 9999 does, to leave room
    // for offsets), or it is a leap second, which stands for the second before it.
    offset
        .to_timestamp(civil)
        .map_err(|_| ClockError::OutOfRange(text.to_string()))
}

/// The date and time and the offset of an RFC 3339 `date-time` (section 5.6), checked field by
/// field as the grammar and the calendar require; `None` when `text` is not one.
fn rfc3339_fields(text: &str) -> Option<(DateTime, Offset)> {
    let b = text.as_bytes();
    let digits = |at: usize, n: usize| -> Option<i32> {
        let part = b.get(at..at + n)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |v, d| v * 10 + i32::from(d - b'0')))
    };
    let is = |at: usize, c: &[u8]| b.get(at).is_some_and(|x| c.contains(x));
    if !(is(4, b"-") && is(7, b"-") && is(10, b"Tt ") && is(13, b":") && is(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    // 60 is a leap second; it stands for the last second of the minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    if is(at, b".") {
        let fraction = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    let offset_seconds = match b.get(at..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let magnitude = h * 3600 + m * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second.min(59)).ok()?,
        0,
    )
    .ok()?;
    Some((
        date.to_datetime(time),
        Offset::from_seconds(offset_seconds).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_the_range_parse_and_beyond_them_is_out_of_range() {
        assert_eq!(parse(LATEST).unwrap().to_string(), LATEST);
        assert_eq!(parse(EARLIEST).unwrap().to_string(), EARLIEST);
        for beyond in [
            "9999-12-31T23:59:59Z",
            "9999-12-30T22:00:01Z",
            "9999-12-31T00:00:00+01:00",
        ] {
            assert_eq!(
                parse(beyond),
                Err(ClockError::OutOfRange(beyond.to_string())),
                "{beyond}"
            );
        }
        // An offset can bring a late local time back into range.
        assert!(parse("9999-12-30T23:00:00+02:00").is_ok());
    }

    #[test]
    fn what_is_not_rfc_3339_is_called_so() {
        for bad in [
            "",
            "yesterday",
            "2026-11-22",
            "2026-11-22T12:00:00",
            "2026-02-30T12:00:00Z",
            "2026-13-01T12:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T12:60:00Z",
            "2026-11-22T12:00:61Z",
            "2026-11-22T12:00:00.Z",
            "2026-11-22T12:00:00+24:00",
            "2026-11-22T12:00:00+0100",
            "+10000-01-01T00:00:00Z",
            "9999-12-31T23:59:59ZZ",
        ] {
            assert_eq!(
                parse(bad),
                Err(ClockError::NotRfc3339(bad.to_string())),
                "{bad:?}"
            );
        }
        assert!(rfc3339_fields("2024-02-29t12:00:00.5-03:30").is_some());
        assert!(rfc3339_fields("2026-11-22 12:00:60Z").is_some());
    }
}
