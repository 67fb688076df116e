//! "What I must do now": the findings a person's roles must act on. One definition for the
//! workbench's `m` switch (matrix rows, Gaps, Stale, the agenda) and `report --person`.

use super::{Finding, Report};
use crate::core::model::Index;

/// Whether one of `roles` must act on `finding`: the finding names the role, or, naming no
/// role, the role owns the artifact.
pub fn acts_on(index: &Index, finding: &Finding, roles: &[String]) -> bool {
    if finding.roles.is_empty() {
        return index
            .artifact(&finding.artifact)
            .and_then(|a| a.owner.as_ref())
            .is_some_and(|owner| roles.contains(owner));
    }
    finding.roles.iter().any(|r| roles.contains(r))
}

/// The ids of the roles `email` is in.
pub fn roles_of(index: &Index, email: &str) -> Vec<String> {
    index
        .roles_of(email)
        .into_iter()
        .map(|r| r.id.clone())
        .collect()
}

/// The findings `roles` must act on, in report order.
pub fn to_do<'r>(index: &Index, report: &'r Report, roles: &[String]) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| acts_on(index, f, roles))
        .collect()
}
