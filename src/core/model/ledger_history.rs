//! What the git history of the ledger files says about the records in them, as plain values:
//! which commit appended each record and whether its signer was in the role then, and every
//! rewrite of past records (a record changed, inserted, removed or moved) with the commit that
//! made it. [`crate::repo::facts::ledger_history`] reads it from git; the analysis judges the
//! working copy's records by it.
//!
//! Records are compared by [`record_key`]: everything a record says, nothing about how it is
//! written (quoting, key order and comments may change freely). Only well-formed records take
//! part; a malformed one is reported on its own and never counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;

use super::SignOff;

/// A record's identity: everything it says, in a fixed form.
pub fn record_key(r: &SignOff) -> String {
    serde_json::json!([
        r.action.as_str(),
        r.by,
        r.role,
        r.at.to_string(),
        r.fingerprint,
        r.upstream,
        r.note
    ])
    .to_string()
}

/// "`approve` by sam@acme.example as domain-expert on 2026-07-27", for messages.
pub(crate) fn record_summary(r: &SignOff) -> String {
    format!(
        "`{}` by {} as {} on {}",
        r.action,
        r.by,
        r.role,
        r.at.strftime("%Y-%m-%d")
    )
}

/// The role a record key ([`record_key`]) names.
pub(crate) fn role_of_key(key: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(key).ok()?;
    value.get(2)?.as_str().map(str::to_string)
}

/// A commit, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRef {
    /// Full hex object id.
    pub id: String,
    /// Author time.
    pub time: Timestamp,
    /// Committer time: when the commit was made, which a record it adds must not postdate.
    pub committed: Timestamp,
    pub author: String,
    /// The first line of its message.
    pub summary: String,
}

impl CommitRef {
    /// The first eight hex digits of the id.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(8)]
    }
}

/// Whether a record's signer was in the record's role in the `handoff.yaml` of the commit
/// that appended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    Member,
    /// The role existed; these were its people.
    NotMember {
        people: Vec<String>,
    },
    /// The index of that commit did not define the role.
    RoleUndefined,
    /// Membership could not be read (no `handoff.yaml` in that commit, or it did not load).
    Unknown(String),
}

/// Where a record was appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub commit: CommitRef,
    pub membership: Membership,
    /// The commit is the oldest this clone has (a shallow boundary) or the oldest the walk
    /// reached: the record may have been appended earlier, by someone who was in the role then.
    pub at_boundary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewriteKind {
    /// A committed record was replaced by a different one in the same place.
    Changed,
    /// A record appeared before records committed earlier, not at the end.
    Inserted,
    /// A committed record disappeared.
    Removed,
    /// A committed record moved relative to the others.
    Moved,
}

/// A change to past records found in one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub kind: RewriteKind,
    pub commit: CommitRef,
    /// The record concerned ([`record_key`]), and how messages name it.
    pub record: String,
    pub record_summary: String,
    /// For [`RewriteKind::Changed`]: the record it replaced.
    pub replaced: Option<(String, String)>,
    /// For [`RewriteKind::Moved`]: the records it sat between before the move; while it comes
    /// before `after` or after `before`, the move stands.
    pub after: Option<String>,
    pub before: Option<String>,
}

/// The history of one ledger file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerFileHistory {
    /// The records of HEAD's version, in order: key and summary.
    pub head: Vec<(String, String)>,
    /// Records some commit appended at the end of the file, by key (the oldest such commit).
    pub appended: HashMap<String, Appended>,
    /// Rewrites of past records, newest commit first.
    pub rewrites: Vec<Rewrite>,
}

/// The history of every ledger file, by artifact id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LedgerHistory {
    /// Whether history was read. Until it is (the workbench reads it in the background),
    /// records are judged only by the index as it is now.
    pub read: bool,
    pub files: BTreeMap<String, LedgerFileHistory>,
    /// Roles that committed records name but HEAD's index no longer defines, with the commit
    /// that removed each (the newest on the first-parent line whose parent still had it).
    pub removed_roles: BTreeMap<String, CommitRef>,
}

impl LedgerHistory {
    /// History read from a repository without commits, or where no ledger file was ever
    /// committed: every record is new.
    pub(crate) fn empty_read() -> LedgerHistory {
        LedgerHistory {
            read: true,
            files: BTreeMap::new(),
            removed_roles: BTreeMap::new(),
        }
    }
}

/// The indices of one longest strictly increasing subsequence of `values`: the records that
/// kept their order; the others moved.
pub(crate) fn longest_increasing(values: &[usize]) -> HashSet<usize> {
    // Patience sorting: `tails[l]` is the index ending the best subsequence of length l + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let at = tails.partition_point(|&t| values[t] < v);
        previous[i] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut kept = HashSet::new();
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        kept.insert(i);
        cursor = previous[i];
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_run_in_order_is_kept() {
        let kept = longest_increasing(&[0, 2, 1, 3]);
        assert_eq!(kept.len(), 3);
        assert!(kept.contains(&0) && kept.contains(&3));
        assert_eq!(longest_increasing(&[]).len(), 0);
        assert_eq!(longest_increasing(&[3, 2, 1, 0]).len(), 1);
        assert_eq!(longest_increasing(&[0, 1, 2]).len(), 3);
    }
}
