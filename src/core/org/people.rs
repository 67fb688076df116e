//! The organisation per person: what each owes across every repository, how long it has
//! waited, and the people axis of the org workbench (repositories down, people across).

use std::collections::BTreeSet;

use super::{Duty, Org};
use crate::core::model::Severity;

/// What one person owes across the organisation, in figures.
///
/// The seam for the weekly review's figures: a person's usual turnaround (the median days
/// from a sign-off being due to it being given, from the ledger's history, `handoff review`)
/// belongs beside these once it is computed; nothing here computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    /// Open sign-offs, everywhere.
    pub open: usize,
    /// The longest any of them has waited, in whole days, when a result says.
    pub longest_days: Option<i64>,
}

/// A repository's cell in a person's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonCell {
    /// The person has no role in the repository.
    Absent,
    /// The person has a role there and owes nothing.
    Clean,
    /// The sign-offs the person owes there: the worst severity, how many, the longest wait.
    Owes {
        severity: Severity,
        count: usize,
        longest_days: Option<i64>,
    },
}

/// A column of the people axis: one person, a cell per repository (in [`Org::repos`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonColumn {
    pub email: String,
    pub cells: Vec<PersonCell>,
}

/// The figures of a list of duties.
pub fn waiting(duties: &[Duty]) -> Waiting {
    Waiting {
        open: duties.len(),
        longest_days: duties.iter().filter_map(|d| d.waiting_days).max(),
    }
}

impl Org {
    /// What `email` owes across the organisation, in figures.
    pub fn waiting_of(&self, email: &str) -> Waiting {
        self.people
            .get(email)
            .map_or_else(Waiting::default, |d| waiting(d))
    }

    /// Artifacts owned by roles nobody staffs, in repository `repo`.
    pub fn unstaffed_in(&self, repo: usize) -> usize {
        self.unstaffed.iter().filter(|u| u.repo == repo).count()
    }

    /// Everyone staffed in some repository's role or owing a sign-off, by e-mail, each with
    /// a cell per repository.
    pub fn people_axis(&self) -> Vec<PersonColumn> {
        let staffed: Vec<BTreeSet<&str>> = self
            .repos
            .iter()
            .map(|r| {
                r.result
                    .iter()
                    .flat_map(|res| res.roles.iter().flatten())
                    .flat_map(|role| role.people.iter().map(String::as_str))
                    .collect()
            })
            .collect();
        let everyone: BTreeSet<&str> = staffed
            .iter()
            .flatten()
            .copied()
            .chain(self.people.keys().map(String::as_str))
            .collect();
        everyone
            .into_iter()
            .map(|email| {
                let owed = self.people.get(email).map_or(&[][..], Vec::as_slice);
                let cells = (0..self.repos.len())
                    .map(|repo| {
                        let here = || owed.iter().filter(|d| d.repo == repo);
                        match here().map(|d| d.severity).max() {
                            Some(severity) => PersonCell::Owes {
                                severity,
                                count: here().count(),
                                longest_days: here().filter_map(|d| d.waiting_days).max(),
                            },
                            None if staffed[repo].contains(email) => PersonCell::Clean,
                            None => PersonCell::Absent,
                        }
                    })
                    .collect();
                PersonColumn {
                    email: email.to_string(),
                    cells,
                }
            })
            .collect()
    }
}
