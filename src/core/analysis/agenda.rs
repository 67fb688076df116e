//! Present mode's agenda, grouped by person: each open finding is one card (one cause: a PRD
//! edit that several roles must approve again is one finding naming them all), listed under
//! every person who must act on it, the people with the most waiting on them first.

use std::collections::{BTreeMap, HashMap};

use super::{Finding, Report};
use crate::core::model::{Facts, Index};

/// The cards one person must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCards {
    /// Their git e-mail address; `None` for the cards nobody is staffed to act on, and for
    /// the handoff's own.
    pub email: Option<String>,
    /// Their name, as their commits give it, when known; without an address, what the group
    /// is (the handoff's own cards).
    pub name: Option<String>,
    /// Indices into the findings, in the order given.
    pub cards: Vec<usize>,
}

impl PersonCards {
    /// "Sam Achebe <sam@acme.example>", "sam@acme.example", the group's name, or "Nobody
    /// staffed to act".
    pub fn label(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (None, Some(email)) => email.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => "Nobody staffed to act".to_string(),
        }
    }
}

/// The people who must act on `finding`: the people of the roles it names, or, naming none,
/// of the artifact's owner role.
pub fn people_acting(index: &Index, finding: &Finding) -> Vec<String> {
    let owner;
    let roles: &[String] = if finding.roles.is_empty() {
        owner = index
            .artifact(&finding.artifact)
            .and_then(|a| a.owner.clone())
            .into_iter()
            .collect::<Vec<_>>();
        &owner
    } else {
        &finding.roles
    };
    let mut people: Vec<String> = Vec::new();
    for role in roles.iter().filter_map(|r| index.role(r)) {
        // Handles count as the addresses they resolve to.
        for person in role.members() {
            let canonical = role.directory.mailmap.canonical(&person).to_lowercase();
            if !people.contains(&canonical) {
                people.push(canonical);
            }
        }
    }
    people
}

/// The findings at `shown` (positions in [`Report::all_findings`], in agenda order) grouped
/// by the person who must act, most cards first (then by address); a finding several people
/// must act on is listed under each. Cards nobody is staffed for come next, and the
/// handoff's own (a scorecard rule unmet: no one artifact's, so no one person's) last.
pub fn by_person(
    index: &Index,
    facts: &Facts,
    report: &Report,
    shown: &[usize],
) -> Vec<PersonCards> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut nobody = Vec::new();
    let mut handoff = Vec::new();
    for &i in shown {
        let finding = report.finding(i);
        if finding.artifact.is_empty() {
            handoff.push(i);
            continue;
        }
        let people = people_acting(index, finding);
        if people.is_empty() {
            nobody.push(i);
        }
        for person in people {
            groups.entry(person).or_default().push(i);
        }
    }
    let names = names_from_commits(facts);
    let mut out: Vec<PersonCards> = groups
        .into_iter()
        .map(|(email, cards)| PersonCards {
            name: names.get(&email).cloned(),
            email: Some(email),
            cards,
        })
        .collect();
    // Stable: equal counts stay in address order.
    out.sort_by_key(|p| std::cmp::Reverse(p.cards.len()));
    if !nobody.is_empty() {
        out.push(PersonCards {
            email: None,
            name: None,
            cards: nobody,
        });
    }
    if !handoff.is_empty() {
        out.push(PersonCards {
            email: None,
            name: Some("The handoff as a whole".to_string()),
            cards: handoff,
        });
    }
    out
}

/// People's names by lower-case e-mail address, from the commits the facts name.
fn names_from_commits(facts: &Facts) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for f in facts.artifacts.values() {
        for change in f
            .history
            .last_change()
            .into_iter()
            .chain(f.content.as_ref().map(|c| &c.change))
        {
            let name = change.author_name.trim();
            if !name.is_empty() && !name.contains('@') {
                names.insert(change.author_email.to_lowercase(), name.to_string());
            }
        }
    }
    names
}
