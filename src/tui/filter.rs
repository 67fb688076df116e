//! The `/` filter: words that must all match. A bare word matches an artifact's id, title,
//! description, path or URL, kind, roles (ids and titles), people and finding codes; `role:`,
//! `person:` (or `@`), `code:`, `kind:` and `sev:` narrow it to one of those.

use crate::core::analysis::Finding;
use crate::core::model::{Artifact, FindingCode, Index, Severity};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Text(String),
    Role(String),
    Person(String),
    Code(String),
    Kind(String),
    Severity(Severity),
    /// A `sev:` word naming no severity: it matches nothing, and the input line says why.
    UnknownSeverity(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    terms: Vec<Term>,
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let terms = text
            .split_whitespace()
            .map(|word| {
                let lower = word.to_lowercase();
                if let Some(v) = lower.strip_prefix("role:") {
                    Term::Role(v.to_string())
                } else if let Some(v) = lower
                    .strip_prefix("person:")
                    .or_else(|| lower.strip_prefix('@'))
                {
                    Term::Person(v.to_string())
                } else if let Some(v) = lower.strip_prefix("code:") {
                    Term::Code(v.to_string())
                } else if let Some(v) = lower.strip_prefix("kind:") {
                    Term::Kind(v.to_string())
                } else if let Some(v) = lower.strip_prefix("sev:") {
                    Severity::ALL
                        .into_iter()
                        .find(|s| !v.is_empty() && s.as_str().starts_with(v))
                        .map_or_else(|| Term::UnknownSeverity(v.to_string()), Term::Severity)
                } else {
                    Term::Text(lower)
                }
            })
            .collect();
        Filter {
            text: text.to_string(),
            terms,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Why a qualified word can match nothing in this index (`role:` naming no role, `sev:`
    /// naming no severity...), so an empty list is explained rather than silent.
    pub(crate) fn problems(&self, index: &Index) -> Vec<String> {
        let no_kind = |k: &str| {
            !index
                .kinds
                .iter()
                .any(|x| x.id.to_lowercase().starts_with(k))
                && !index
                    .artifacts
                    .iter()
                    .filter_map(|a| a.kind.as_deref())
                    .any(|x| x.to_lowercase().starts_with(k))
        };
        self.terms
            .iter()
            .filter_map(|term| match term {
                Term::UnknownSeverity(v) => {
                    Some(format!("no severity `{v}` (error, warning, info)"))
                }
                Term::Role(r) if !index.roles.iter().any(|x| x.id.to_lowercase() == *r) => {
                    Some(format!("no role `{r}`"))
                }
                Term::Code(c)
                    if !FindingCode::ALL
                        .iter()
                        .any(|x| x.as_str().starts_with(c.as_str())) =>
                {
                    Some(format!("no finding code `{c}`"))
                }
                Term::Kind(k) if no_kind(k) => Some(format!("no kind `{k}`")),
                _ => None,
            })
            .collect()
    }

    /// Whether the artifact passes every term.
    pub(crate) fn matches_artifact(
        &self,
        index: &Index,
        artifact: &Artifact,
        findings: &[Finding],
    ) -> bool {
        let roles = related_roles(index, artifact);
        let people = || {
            roles
                .iter()
                .filter_map(|r| index.role(r))
                .flat_map(|r| r.people.iter())
                .map(|p| p.to_lowercase())
        };
        self.terms.iter().all(|term| match term {
            Term::Role(r) => roles.iter().any(|x| x.to_lowercase() == *r),
            Term::Person(p) => people().any(|x| x.contains(p.as_str())),
            Term::Code(c) => findings
                .iter()
                .any(|f| f.code.as_str().starts_with(c.as_str())),
            Term::Kind(k) => artifact
                .kind
                .as_deref()
                .is_some_and(|x| x.to_lowercase().starts_with(k.as_str())),
            Term::Severity(s) => findings.iter().any(|f| f.severity >= *s),
            Term::UnknownSeverity(_) => false,
            Term::Text(t) => {
                let hay = [
                    Some(artifact.id.as_str()),
                    artifact.title.as_deref(),
                    artifact.description.as_deref(),
                    Some(artifact.target.as_str()),
                    artifact.kind.as_deref(),
                ];
                let role_titles = roles
                    .iter()
                    .filter_map(|r| index.role(r))
                    .filter_map(|r| r.title.as_deref());
                hay.iter()
                    .flatten()
                    .any(|h| h.to_lowercase().contains(t.as_str()))
                    || roles.iter().any(|r| r.to_lowercase().contains(t.as_str()))
                    || role_titles
                        .into_iter()
                        .any(|title| title.to_lowercase().contains(t.as_str()))
                    || people().any(|p| p.contains(t.as_str()))
                    || findings
                        .iter()
                        .any(|f| f.code.as_str().contains(t.as_str()))
            }
        })
    }

    /// Whether a finding of a matching artifact is shown in the Gaps and Stale lists: `code:`
    /// and `sev:` narrow the findings themselves.
    pub(crate) fn matches_finding(&self, finding: &Finding) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Code(c) => finding.code.as_str().starts_with(c.as_str()),
            Term::Severity(s) => finding.severity >= *s,
            Term::UnknownSeverity(_) => false,
            _ => true,
        })
    }
}

impl Filter {
    /// Whether a finding about the handoff as a whole (no artifact) is shown: it has no role,
    /// person or kind to match, and its text is its message (or the word `handoff`).
    pub(crate) fn matches_handoff_finding(&self, finding: &Finding) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Text(t) => {
                finding.subject().contains(t.as_str())
                    || finding.message.to_lowercase().contains(t.as_str())
            }
            Term::Role(_) | Term::Person(_) | Term::Kind(_) => false,
            _ => self.matches_finding(finding),
        })
    }
}

/// The roles related to an artifact: owner, required signers, consumers.
pub(crate) fn related_roles(index: &Index, artifact: &Artifact) -> Vec<String> {
    let mut roles: Vec<String> = artifact.owner.iter().cloned().collect();
    for r in index
        .required_signers(artifact)
        .into_iter()
        .chain(artifact.consumers.iter().cloned())
    {
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::load::load_index;

    fn index() -> Index {
        load_index(
            "handoff.yaml",
            b"version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n  ops: { title: Billing operations, people: [rosa@acme.example] }\nkinds:\n  runbook: {}\nartifacts:\n  - id: prd\n    title: Product requirements\n    description: What the refund flow must do\n    path: docs/prd.md\n    owner: pm\n  - id: runbook\n    kind: runbook\n    path: runbooks/outage.md\n    owner: ops\n    consumers: [pm]\n",
        )
        .unwrap()
    }

    fn passing(filter: &str) -> Vec<String> {
        let index = index();
        let f = Filter::parse(filter);
        index
            .artifacts
            .iter()
            .filter(|a| f.matches_artifact(&index, a, &[]))
            .map(|a| a.id.clone())
            .collect()
    }

    #[test]
    fn terms() {
        assert_eq!(passing(""), vec!["prd", "runbook"]);
        assert_eq!(passing("requirements"), vec!["prd"]);
        assert_eq!(passing("role:pm"), vec!["prd", "runbook"]);
        assert_eq!(passing("role:ops"), vec!["runbook"]);
        assert_eq!(passing("@rosa"), vec!["runbook"]);
        assert_eq!(passing("person:dana"), vec!["prd", "runbook"]);
        assert_eq!(passing("kind:run"), vec!["runbook"]);
        assert_eq!(passing("role:pm outage"), vec!["runbook"]);
        assert!(passing("code:missing").is_empty(), "no findings given");
        assert!(passing("nothing-like-this").is_empty());
    }

    #[test]
    fn bare_words_find_descriptions_and_role_titles() {
        assert_eq!(passing("refund"), vec!["prd"], "the PRD's description");
        assert_eq!(
            passing("Billing"),
            vec!["runbook"],
            "the owner role's title"
        );
    }

    #[test]
    fn qualified_words_naming_nothing_say_so() {
        let index = index();
        let problems = |text: &str| Filter::parse(text).problems(&index);
        assert_eq!(
            problems("sev:fatal"),
            vec!["no severity `fatal` (error, warning, info)"]
        );
        assert_eq!(problems("role:qa"), vec!["no role `qa`"]);
        assert_eq!(problems("kind:adr"), vec!["no kind `adr`"]);
        assert_eq!(problems("code:nosuch"), vec!["no finding code `nosuch`"]);
        assert!(problems("sev:warn role:pm kind:run code:miss refund").is_empty());
        assert!(
            passing("sev:fatal").is_empty(),
            "an unknown severity matches nothing"
        );
    }
}
