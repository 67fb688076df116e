//! The finding vocabulary of the brief. The codes are a public contract: the CLI, the JSON
//! output and the workbench all use exactly these spellings.

use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    // Declared from least to most severe so that `Ord` ranks them.
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a [`Severity`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a severity: use error, warning or info")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// Findings that mean a role owes a sign-off: who holds the handoff up (`handoff review`'s
/// waiting list, `signoff-overdue`).
pub const WAITING_CODES: [FindingCode; 4] = [
    FindingCode::Unsigned,
    FindingCode::OwnerNotAccepted,
    FindingCode::ChangedSinceSignoff,
    FindingCode::UpstreamChanged,
];

/// Whether a finding says something is lacking or something has gone out of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Gap,
    Stale,
}

macro_rules! finding_codes {
    ($($variant:ident = $code:literal, $category:ident, $severity:ident, $summary:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode { $($variant,)* }

        impl FindingCode {
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }

            pub fn category(self) -> Category {
                match self { $(FindingCode::$variant => Category::$category,)* }
            }

            /// The severity when neither the index nor the kind overrides it.
            pub(crate) fn default_severity(self) -> Severity {
                match self { $(FindingCode::$variant => Severity::$severity,)* }
            }

            /// One line saying what the code means, for help screens and docs.
            pub fn summary(self) -> &'static str {
                match self { $(FindingCode::$variant => $summary,)* }
            }
        }
    };
}

finding_codes! {
    NoOwner = "no-owner", Gap, Error, "the artifact names no owner role";
    OwnerUnstaffed = "owner-unstaffed", Gap, Error, "the owner role has nobody in it";
    OwnerNotAccepted = "owner-not-accepted", Gap, Warning, "no current member of the owner role has accepted ownership";
    Missing = "missing", Gap, Error, "the path does not exist in the work tree";
    Unreadable = "unreadable", Gap, Error, "the path exists but cannot be read safely (a FIFO, too large, outside the repository)";
    MissingSections = "missing-sections", Gap, Warning, "required headings are absent from the document";
    BrokenLink = "broken-link", Gap, Warning, "a relative link in the document leads to no file";
    Unsigned = "unsigned", Gap, Warning, "a role whose approval is required has never approved";
    DanglingDependency = "dangling-dependency", Gap, Error, "depends_on names an artifact that is not defined";
    DependencyCycle = "dependency-cycle", Gap, Error, "artifacts depend on each other in a loop";
    InvalidSignoff = "invalid-signoff", Gap, Error, "a sign-off record is malformed or not by a member of its role";
    ChangedSinceSignoff = "changed-since-signoff", Stale, Error, "the content differs from what was approved";
    UpstreamChanged = "upstream-changed", Stale, Warning, "an upstream artifact changed since this one was signed off";
    AtRisk = "at-risk", Stale, Info, "further downstream of an upstream change";
    Aged = "aged", Stale, Warning, "no commit has touched it for longer than the kind's max_age";
    ReviewOverdue = "review-overdue", Stale, Warning, "the last approval is older than the kind's review_every";
    Unverified = "unverified", Stale, Warning, "the external artifact has not been verified within its interval";
    Uncommitted = "uncommitted", Stale, Info, "the working copy differs from HEAD";
    FrozenChanged = "frozen-changed", Stale, Error, "a frozen artifact's content changed";
    SupersededDependency = "superseded-dependency", Stale, Info, "depends_on names a superseded artifact: its successor replaces it";
    InertPolicy = "inert-policy", Gap, Info, "a policy in handoff.yaml that can never fire";
    GovernsNothing = "governs-nothing", Gap, Warning, "a `governs` glob matches no file in the work tree";
    CodeDrift = "code-drift", Stale, Warning, "paths the artifact governs changed after its newest approval";
    ScorecardUnmet = "scorecard-unmet", Gap, Warning, "a rule of the handoff's scorecard is not met (a finding about the handoff, not one artifact)";
    ContractViolation = "contract-violation", Gap, Error, "a document does not satisfy its kind's JSON Schema";
    UnversionedChange = "unversioned-change", Stale, Warning, "the content changed since its newest approval but its version did not (or the version is missing, or has no changelog entry)";
    UnresolvedHandle = "unresolved-handle", Gap, Warning, "a role names an @handle or @org/team that `handles:` and the mailmap resolve to nobody";
    PlaceholderDescription = "placeholder-description", Gap, Info, "a description still holds the placeholder a template wrote (the handoff's, or an artifact's)";
    SignoffOverdue = "signoff-overdue", Stale, Warning, "a sign-off has waited longer than the kind's signoff_within since the change that required it";
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a [`FindingCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a finding code")]
pub struct UnknownFindingCode(pub String);

impl FromStr for FindingCode {
    type Err = UnknownFindingCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownFindingCode(s.to_string()))
    }
}

impl serde::Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FindingCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in FindingCode::ALL {
            assert_eq!(code.as_str().parse::<FindingCode>().unwrap(), *code);
        }
    }

    #[test]
    fn severities_rank() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
