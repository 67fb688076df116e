//! The keys each mapping of the index and the ledger admits, and the closest of them to a
//! typo.

/// The only contract version this build reads.
pub(crate) const SUPPORTED_VERSION: u32 = 1;

pub(crate) const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "roles",
    "kinds",
    "artifacts",
    "severity",
    "mechanical_commit_files",
    "scorecard",
    "handles",
];

pub(crate) const ROLE_KEYS: &[&str] = &["title", "description", "people", "allocation"];

pub(crate) const SCORECARD_KEYS: &[&str] = &[
    "name",
    "description",
    "severity",
    "rule",
    "count",
    "kind",
    "governs",
    "depends_on",
    "role",
    "allocation",
    "path",
];

pub(crate) const KIND_KEYS: &[&str] = &[
    "title",
    "description",
    "required_sections",
    "signoff",
    "max_age",
    "review_every",
    "verify_every",
    "signoff_within",
    "severity",
    "governs",
    "drift_after",
    "schema",
    "version_field",
    "changelog_field",
];

pub(crate) const ARTIFACT_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "kind",
    "path",
    "url",
    "owner",
    "reviewers",
    "consumers",
    "depends_on",
    "verify_every",
    "status",
    "superseded_by",
    "required_sections",
    "governs",
];

pub(crate) const SIGNOFF_KEYS: &[&str] = &[
    "action",
    "by",
    "role",
    "at",
    "fingerprint",
    "upstream",
    "note",
];

/// The closest of `candidates` to `word`, if any is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        let close = score >= 0.8 || strsim::levenshtein(word, c) <= 2;
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}
