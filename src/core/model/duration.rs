//! Durations written in the index: `90d`, `12w`, `6m`, `1y`.

use std::fmt;
use std::str::FromStr;

/// A whole number of days, kept with the text the author wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Duration {
    pub days: u32,
    pub text: String,
}

impl Duration {
    pub fn days(days: u32) -> Self {
        Duration {
            days,
            text: format!("{days}d"),
        }
    }

    pub fn seconds(&self) -> i64 {
        i64::from(self.days) * 86_400
    }
}

/// Why a duration did not parse; the loader adds the location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a duration: write a whole number followed by d (days), w (weeks), m (months of 30 days) or y (years of 365 days), such as `90d`"
)]
pub struct BadDuration(pub String);

impl FromStr for Duration {
    type Err = BadDuration;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadDuration(s.to_string());
        let t = s.trim();
        let unit = t.chars().last().ok_or_else(bad)?;
        let per_unit: u32 = match unit {
            'd' => 1,
            'w' => 7,
            'm' => 30,
            'y' => 365,
            _ => return Err(bad()),
        };
        let number = &t[..t.len() - 1];
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u32 = number.parse().map_err(|_| bad())?;
        // At most six significant digits: a bound `handoff schema` states in its pattern too
        // (999999y still fits the days in a u32).
        if n > MAX_UNITS {
            return Err(bad());
        }
        let days = n.checked_mul(per_unit).filter(|d| *d > 0).ok_or_else(bad)?;
        Ok(Duration {
            days,
            text: t.to_string(),
        })
    }
}

/// The largest number a duration may have, of any unit.
pub(crate) const MAX_UNITS: u32 = 999_999;

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How much change to governed paths a kind lets pass before `code-drift` speaks:
/// `drift_after: 20 commits` or `drift_after: 30d`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DriftThreshold {
    /// More than this many commits changed governed paths since the approval.
    Commits(u32),
    /// The oldest change since the approval is older than this.
    Age(Duration),
}

/// Why a drift threshold did not parse; the loader adds the location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a drift threshold: write a number of commits (`20 commits`) or a duration (`30d`)"
)]
pub struct BadDriftThreshold(pub String);

impl FromStr for DriftThreshold {
    type Err = BadDriftThreshold;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(number) = t
            .strip_suffix("commits")
            .or_else(|| t.strip_suffix("commit"))
        {
            return match number.trim().parse::<u32>() {
                Ok(n) if n > 0 => Ok(DriftThreshold::Commits(n)),
                _ => Err(BadDriftThreshold(s.to_string())),
            };
        }
        t.parse::<Duration>()
            .map(DriftThreshold::Age)
            .map_err(|_| BadDriftThreshold(s.to_string()))
    }
}

impl fmt::Display for DriftThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriftThreshold::Commits(1) => f.write_str("1 commit"),
            DriftThreshold::Commits(n) => write!(f, "{n} commits"),
            DriftThreshold::Age(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_thresholds_count_commits_or_days() {
        assert_eq!(
            "20 commits".parse::<DriftThreshold>(),
            Ok(DriftThreshold::Commits(20))
        );
        assert_eq!(
            "1 commit".parse::<DriftThreshold>(),
            Ok(DriftThreshold::Commits(1))
        );
        assert_eq!(
            "30d".parse::<DriftThreshold>().map(|t| t.to_string()),
            Ok("30d".to_string())
        );
        for bad in ["", "0 commits", "x commits", "20", "20 days"] {
            assert!(bad.parse::<DriftThreshold>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_units() {
        assert_eq!("90d".parse::<Duration>().unwrap().days, 90);
        assert_eq!("12w".parse::<Duration>().unwrap().days, 84);
        assert_eq!("6m".parse::<Duration>().unwrap().days, 180);
        assert_eq!("1y".parse::<Duration>().unwrap().days, 365);
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "d",
            "90",
            "9.5d",
            "-3d",
            "90 days",
            "0d",
            "3h",
            "99999999999d",
            "1 d",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should not parse");
        }
    }
}
