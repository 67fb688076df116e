//! The scorecard `handoff.yaml` may declare: named rules about the handoff as a whole, each
//! with a severity, and the time a role states it gives (`allocation: 2h/week`).

use std::fmt;
use std::str::FromStr;

use super::{Pos, Severity};

/// One rule of the scorecard, as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScorecardRule {
    /// The rule's name, unique in the scorecard: what `scorecard-unmet` names.
    pub name: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub check: RuleCheck,
    /// Where the rule's `- ` item starts.
    pub pos: Pos,
}

/// What a rule checks: one of the built-in rule types with its parameters.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RuleCheck {
    /// `owned-and-accepted`: every artifact has an owner role, staffed, whose member accepted.
    OwnedAndAccepted,
    /// `at-least`: at least `count` artifacts of `kind` (not superseded), each governing
    /// something (or the path `governs` names) and depending on an artifact of `depends_on`.
    AtLeast {
        count: u32,
        kind: String,
        governs: Option<GovernsCondition>,
        depends_on: Option<String>,
    },
    /// `sections-present`: every artifact of `kind` exists and has its required sections.
    SectionsPresent { kind: String },
    /// `role-staffed`: the role has people and states an allocation (of at least `minimum`).
    RoleStaffed {
        role: String,
        minimum: Option<Allocation>,
    },
    /// `in-ci`: the path exists and CI configuration mentions it.
    InCi { path: String },
}

/// The rule types, as `rule:` spells them.
pub const RULE_TYPES: &[&str] = &[
    "owned-and-accepted",
    "at-least",
    "sections-present",
    "role-staffed",
    "in-ci",
];

impl RuleCheck {
    pub fn type_name(&self) -> &'static str {
        match self {
            RuleCheck::OwnedAndAccepted => "owned-and-accepted",
            RuleCheck::AtLeast { .. } => "at-least",
            RuleCheck::SectionsPresent { .. } => "sections-present",
            RuleCheck::RoleStaffed { .. } => "role-staffed",
            RuleCheck::InCi { .. } => "in-ci",
        }
    }
}

/// What an `at-least` rule asks each counted artifact to govern.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum GovernsCondition {
    /// `governs: true`: anything at all.
    Anything,
    /// `governs: evals/score.py`: this path (its `governs` covers it).
    Path(String),
}

/// Time a role gives the handoff: `2h/week`, `30m/week`, `1h/day`, `4h/month`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Allocation {
    /// The time, in minutes per week (a month counts as 30 days).
    pub minutes_per_week: u32,
    pub text: String,
}

/// Why an allocation did not parse; the loader adds the location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an allocation: write a whole number of hours (h) or minutes (m) per day, week or month, such as `2h/week`"
)]
pub struct BadAllocation(pub String);

impl FromStr for Allocation {
    type Err = BadAllocation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadAllocation(s.to_string());
        let t = s.trim();
        let (amount, period) = t.split_once('/').ok_or_else(bad)?;
        let amount = amount.trim();
        let (number, unit) = amount.split_at(amount.len().saturating_sub(1));
        let per_minute = match unit {
            "h" => 60,
            "m" => 1,
            _ => return Err(bad()),
        };
        if number.is_empty() || number.len() > 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let minutes: u32 = number.parse::<u32>().map_err(|_| bad())? * per_minute;
        let minutes_per_week = match period.trim() {
            "day" => minutes * 7,
            "week" => minutes,
            "month" => minutes * 7 / 30,
            _ => return Err(bad()),
        };
        if minutes_per_week == 0 {
            return Err(bad());
        }
        Ok(Allocation {
            minutes_per_week,
            text: t.to_string(),
        })
    }
}

impl fmt::Display for Allocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_read_per_week() {
        let week = |s: &str| s.parse::<Allocation>().map(|a| a.minutes_per_week);
        assert_eq!(week("2h/week"), Ok(120));
        assert_eq!(week("30m/week"), Ok(30));
        assert_eq!(week("1h/day"), Ok(420));
        assert_eq!(week("30h/month"), Ok(420));
        for bad in [
            "2h", "h/week", "2x/week", "0h/week", "2h/year", "-1h/week", "",
        ] {
            assert!(week(bad).is_err(), "{bad}");
        }
    }
}
