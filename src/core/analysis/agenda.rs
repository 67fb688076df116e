//! Present mode's agenda, grouped by person: each open finding is one card (one cause: a PRD
//! edit that several roles must approve again is one finding naming them all), listed once,
//! under the first of the people who must act on it, the people with the most waiting on
//! them first.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Finding, Report};
use crate::core::model::finding::WAITING_CODES;
use crate::core::model::{Facts, FindingCode, Index};

/// The cards one person must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCards {
    /// Their git e-mail address; `None` for the cards nobody is staffed to act on, and for
    /// the handoff's own.
    pub email: Option<String>,
    /// Their name, as their commits give it, when known; without an address, what the group
    /// is (the handoff's own cards).
    pub name: Option<String>,
    /// Indices into the findings, in the order given: the causes listed under them.
    pub cards: Vec<usize>,
    /// How many more causes they must act on, listed under someone before them.
    pub shared_earlier: usize,
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

/// The findings at `shown` (positions in [`Report::all_findings`], in agenda order) grouped by the person
/// who must act: one card per cause, under the first person who must act on it, who are
/// ordered by how much waits on them (most first, then by address; `first` before anyone).
/// The card names the others; a person whose every card sits under someone before them has
/// no group. Cards nobody is staffed for come next, and the
/// handoff's own (a scorecard rule unmet: no one artifact's, so no one person's) last.
pub fn by_person(
    index: &Index,
    facts: &Facts,
    report: &Report,
    shown: &[usize],
    first: Option<&str>,
) -> Vec<PersonCards> {
    // A `signoff-overdue` is its cause's card, not one of its own (see [`overdue_of`]).
    let causes: HashSet<(&str, &[String])> = shown
        .iter()
        .map(|&i| report.finding(i))
        .filter(|f| WAITING_CODES.contains(&f.code))
        .map(|f| (f.artifact.as_str(), f.roles.as_slice()))
        .collect();
    // A handoff-level finding (no artifact) is no one person's: it goes last.
    let (handoff, shown): (Vec<usize>, Vec<usize>) = shown
        .iter()
        .partition(|&&i| report.finding(i).artifact.is_empty());
    let acting: Vec<(usize, Vec<String>)> = shown
        .iter()
        .filter(|&&i| {
            let f = report.finding(i);
            f.code != FindingCode::SignoffOverdue
                || !causes.contains(&(f.artifact.as_str(), f.roles.as_slice()))
        })
        .map(|&i| (i, people_acting(index, report.finding(i))))
        .collect();
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for person in acting.iter().flat_map(|(_, people)| people) {
        *load.entry(person.as_str()).or_default() += 1;
    }
    let first = first.map(str::to_lowercase);
    let mut order: Vec<(&str, usize)> = load.into_iter().collect();
    // Stable: equal loads stay in address order.
    order.sort_by_key(|&(person, n)| (Some(person) != first.as_deref(), std::cmp::Reverse(n)));
    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(r, &(person, _))| (person, r))
        .collect();
    let names = names_from_commits(facts);
    let mut out: Vec<PersonCards> = order
        .iter()
        .map(|&(email, total)| PersonCards {
            name: names.get(email).cloned(),
            email: Some(email.to_string()),
            cards: Vec::new(),
            shared_earlier: total,
        })
        .collect();
    let mut nobody = Vec::new();
    for (i, people) in &acting {
        match people.iter().min_by_key(|p| rank[p.as_str()]) {
            Some(lead) => out[rank[lead.as_str()]].cards.push(*i),
            None => nobody.push(*i),
        }
    }
    out.retain_mut(|p| {
        p.shared_earlier -= p.cards.len();
        !p.cards.is_empty()
    });
    if !nobody.is_empty() {
        out.push(PersonCards {
            email: None,
            name: None,
            cards: nobody,
            shared_earlier: 0,
        });
    }
    if !handoff.is_empty() {
        out.push(PersonCards {
            email: None,
            name: Some("The handoff as a whole".to_string()),
            cards: handoff,
            shared_earlier: 0,
        });
    }
    out
}

/// The `signoff-overdue` among `findings` that says `cause` (a sign-off still owed) has waited
/// too long: shown on the cause's card.
pub fn overdue_of<'a>(findings: &'a [Finding], cause: &Finding) -> Option<&'a Finding> {
    if !WAITING_CODES.contains(&cause.code) {
        return None;
    }
    findings.iter().find(|f| {
        f.code == FindingCode::SignoffOverdue
            && f.artifact == cause.artifact
            && f.roles == cause.roles
    })
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
