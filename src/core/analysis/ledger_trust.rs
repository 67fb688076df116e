//! Judging the ledger's records by its git history (see [`crate::core::model::ledger_history`]): a
//! record counts only if some commit appended it at the end of its file, by someone who was
//! in the role in that commit's `handoff.yaml`, and no later rewrite (a change, a move)
//! stands against it. Records not committed yet must be at the end of the file, after every
//! committed one, and by a current member of the role. Committed records missing from the
//! working copy, or removed by a commit and never put back, are reported too.
//!
//! Pure: it reads the records, the index and the history facts, and returns which records to
//! distrust and what to say.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use crate::core::model::ledger::ledger_file;
use crate::core::model::ledger_history::{
    Appended, CommitRef, LedgerFileHistory, LedgerHistory, Membership, RewriteKind,
    longest_increasing, record_key,
};
use crate::core::model::{Action, Index, Ledger, Pos, SignOff};

/// One thing wrong with the ledger file's history, where to point and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrustProblem {
    pub pos: Pos,
    pub message: String,
    pub fix: String,
    pub since: Option<Timestamp>,
    /// The sign-off that clears it, when one does: this action, again, by this role.
    pub sign_again: Option<(Action, String)>,
}

/// The verdict on one ledger file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Trust {
    /// Per record, in file order: whether it is distrusted.
    pub distrusted: Vec<bool>,
    /// Per record, in file order: the time it counts from when that is not its `at` (a
    /// record dated after the commit that added it, or after now).
    pub times: Vec<Option<Timestamp>>,
    pub problems: Vec<TrustProblem>,
}

impl Trust {
    pub(crate) fn any_distrusted(&self) -> bool {
        self.distrusted.iter().any(|d| *d)
    }

    /// The records that may count, each at the time the evidence gives it.
    pub(crate) fn trusted<'l>(&self, records: &'l [SignOff]) -> Cow<'l, [SignOff]> {
        if !self.any_distrusted() && self.times.iter().all(Option::is_none) {
            return Cow::Borrowed(records);
        }
        let kept = records
            .iter()
            .zip(&self.distrusted)
            .zip(&self.times)
            .filter(|((_, d), _)| !**d)
            .map(|((r, _), t)| {
                let mut r = r.clone();
                if let Some(t) = t {
                    r.at = *t;
                }
                r
            });
        Cow::Owned(kept.collect())
    }
}

/// How far a record's own time may run ahead of the commit that added it (or of now, while
/// it is not committed) before it is reported: handoff writes the record and commits it
/// within seconds, so this only absorbs clock skew between two machines.
pub(crate) const CLOCK_TOLERANCE_SECONDS: i64 = 10 * 60;

/// Every artifact's verdict, in index order, with the records that may count.
pub(crate) fn judge_all<'l>(
    index: &Index,
    ledger: &'l Ledger,
    history: &LedgerHistory,
    now: Timestamp,
) -> Vec<(Trust, Cow<'l, [SignOff]>)> {
    index
        .artifacts
        .iter()
        .map(|a| {
            let records = ledger.of(&a.id);
            let trust = judge(index, &ledger_file(&a.id), records, history, &a.id, now);
            let trusted = trust.trusted(records);
            (trust, trusted)
        })
        .collect()
}

/// Judges the working copy's records of one artifact's ledger file.
pub(crate) fn judge(
    index: &Index,
    file: &str,
    records: &[SignOff],
    history: &LedgerHistory,
    artifact: &str,
    now: Timestamp,
) -> Trust {
    let mut trust = Trust {
        distrusted: vec![false; records.len()],
        times: vec![None; records.len()],
        problems: Vec::new(),
    };
    if !history.read {
        return trust;
    }
    let empty = LedgerFileHistory::default();
    let past = history.files.get(artifact).unwrap_or(&empty);
    let mut judge = Judge {
        index,
        file,
        records,
        past,
        trust: &mut trust,
        now,
        artifact,
    };
    if past.head.is_empty() && past.rewrites.is_empty() && past.appended.is_empty() {
        // Nothing of this file was ever committed: every record is new.
        for i in 0..records.len() {
            judge.new_record(i);
            judge.dated(i, None);
        }
    } else {
        judge.with_history();
    }
    trust
}

struct Judge<'a> {
    index: &'a Index,
    file: &'a str,
    records: &'a [SignOff],
    past: &'a LedgerFileHistory,
    trust: &'a mut Trust,
    now: Timestamp,
    artifact: &'a str,
}

impl Judge<'_> {
    fn distrust(&mut self, i: usize, message: String, fix: String, since: Option<Timestamp>) {
        if !self.trust.distrusted[i] {
            self.trust.distrusted[i] = true;
            self.trust.problems.push(TrustProblem {
                pos: self.records[i].pos,
                message,
                fix,
                since,
                sign_again: None,
            });
        }
    }

    fn report(&mut self, pos: Pos, message: String, fix: String, since: Option<Timestamp>) {
        self.trust.problems.push(TrustProblem {
            pos,
            message,
            fix,
            since,
            sign_again: None,
        });
    }

    fn with_history(&mut self) {
        let keys: Vec<String> = self.records.iter().map(record_key).collect();
        let mut position: HashMap<&str, usize> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            position.entry(k.as_str()).or_insert(i);
        }
        let last_committed = self.against_head(&position);
        self.each_record(&keys, last_committed);
        self.standing_rewrites(&position);
    }

    /// The working copy against HEAD: committed records stay, in their order. Returns the
    /// position of the last committed record in the working copy.
    fn against_head(&mut self, position: &HashMap<&str, usize>) -> Option<usize> {
        let kept: Vec<(usize, usize)> = self
            .past
            .head
            .iter()
            .enumerate()
            .filter_map(|(h, (k, _))| position.get(k.as_str()).map(|&w| (h, w)))
            .collect();
        let in_order = longest_increasing(&kept.iter().map(|p| p.1).collect::<Vec<_>>());
        for (n, &(_, w)) in kept.iter().enumerate() {
            if !in_order.contains(&n) {
                self.distrust(
                    w,
                    "this record was moved in the working copy: committed records keep their order, which decides what a `revoke` withdraws".into(),
                    format!("put it back in its place (`git diff -- {}` shows the move)", self.file),
                    None,
                );
            }
        }
        for (h, (key, summary)) in self.past.head.iter().enumerate() {
            if position.contains_key(key.as_str()) {
                continue;
            }
            let pos = self.near(&self.past.head[h + 1..], position);
            self.report(
                pos,
                format!("the {summary} record, committed in HEAD, is missing from the working copy: records are never removed"),
                format!("put it back (`git diff -- {}` shows it); to withdraw a sign-off, append a `revoke`", self.file),
                None,
            );
        }
        kept.iter().map(|p| p.1).max()
    }

    /// Each record of the working copy: appended by a member, rewritten into place, or new.
    fn each_record(&mut self, keys: &[String], last_committed: Option<usize>) {
        let head: HashSet<&str> = self.past.head.iter().map(|(k, _)| k.as_str()).collect();
        for (i, key) in keys.iter().enumerate() {
            let key = key.as_str();
            if let Some(appended) = self.past.appended.get(key) {
                self.membership(i, appended);
                self.dated(i, Some(&appended.commit));
            } else if head.contains(key) {
                // Committed, but never appended at the end: a rewrite put it there.
                let rewrite = self
                    .past
                    .rewrites
                    .iter()
                    .find(|r| r.record == key && r.kind != RewriteKind::Removed);
                if let Some(r) = rewrite {
                    let what = match (&r.kind, &r.replaced) {
                        (RewriteKind::Changed, Some((_, was))) => {
                            format!(
                                "this record was changed in commit {} ({}, {}): it was the {was} record",
                                r.commit.short(),
                                r.commit.author,
                                date(r.commit.time)
                            )
                        }
                        _ => format!(
                            "this record was inserted before earlier records in commit {} ({}, {}): records are only ever appended",
                            r.commit.short(),
                            r.commit.author,
                            date(r.commit.time)
                        ),
                    };
                    self.distrust(
                        i,
                        what,
                        format!("restore the record as it was committed (`git show {}^:{}`); to change a sign-off, append a new record", r.commit.short(), self.file),
                        Some(r.commit.time),
                    );
                }
            } else if last_committed.is_some_and(|last| i < last) {
                self.distrust(
                    i,
                    "this record is not committed and sits before records that are: records are only ever appended at the end".into(),
                    "move it to the end of the file, or remove it and sign again".into(),
                    None,
                );
            } else {
                self.new_record(i);
                self.dated(i, None);
            }
        }
    }

    /// Rewrites in history that still stand.
    fn standing_rewrites(&mut self, position: &HashMap<&str, usize>) {
        let mut reported: HashSet<&str> = HashSet::new();
        for r in &self.past.rewrites {
            match r.kind {
                RewriteKind::Removed => {
                    if position.contains_key(r.record.as_str()) || !reported.insert(&r.record) {
                        continue;
                    }
                    self.report(
                        Pos::new(1, 1, 0),
                        format!(
                            "the {} record was removed in commit {} ({}, {}: \"{}\"): records are never removed",
                            r.record_summary,
                            r.commit.short(),
                            r.commit.author,
                            date(r.commit.time),
                            r.commit.summary
                        ),
                        format!("put it back where it was (`git show {}^:{}` has it); to withdraw a sign-off, append a `revoke`", r.commit.short(), self.file),
                        Some(r.commit.time),
                    );
                }
                RewriteKind::Moved => {
                    let Some(&at) = position.get(r.record.as_str()) else {
                        continue;
                    };
                    let after = r.after.as_deref().and_then(|k| position.get(k));
                    let before = r.before.as_deref().and_then(|k| position.get(k));
                    let still_moved =
                        after.is_some_and(|&a| a > at) || before.is_some_and(|&b| b < at);
                    if still_moved {
                        self.distrust(
                            at,
                            format!(
                                "this record was moved in commit {} ({}, {}): the order of records decides what a `revoke` withdraws",
                                r.commit.short(),
                                r.commit.author,
                                date(r.commit.time)
                            ),
                            format!("put it back in its place (`git show {}^:{}` has the order)", r.commit.short(), self.file),
                            Some(r.commit.time),
                        );
                    }
                }
                RewriteKind::Changed => {
                    // The change itself is judged above while the new record is here; once it
                    // is gone, the record it replaced is missing unless it was put back.
                    let Some((was, summary)) = &r.replaced else {
                        continue;
                    };
                    if position.contains_key(r.record.as_str())
                        || position.contains_key(was.as_str())
                        || !reported.insert(was)
                    {
                        continue;
                    }
                    self.report(
                        Pos::new(1, 1, 0),
                        format!(
                            "the {summary} record was changed in commit {} ({}, {}) and is not in the file any more: records are never rewritten",
                            r.commit.short(),
                            r.commit.author,
                            date(r.commit.time)
                        ),
                        format!("put it back as it was (`git show {}^:{}` has it)", r.commit.short(), self.file),
                        Some(r.commit.time),
                    );
                }
                RewriteKind::Inserted => {}
            }
        }
    }

    /// Where to point for a record that is gone: the next one of `following` still in the
    /// file, else the last record, else the top.
    fn near(&self, following: &[(String, String)], position: &HashMap<&str, usize>) -> Pos {
        following
            .iter()
            .find_map(|(k, _)| position.get(k.as_str()))
            .map(|&i| self.records[i].pos)
            .or_else(|| self.records.last().map(|r| r.pos))
            .unwrap_or(Pos::new(1, 1, 0))
    }

    /// A record's time agrees with the evidence: the committer time of the commit that added
    /// it, or now while it is not committed. A record dated later counts from that time
    /// instead, and beyond the tolerance it is reported, until its role signs again.
    fn dated(&mut self, i: usize, commit: Option<&CommitRef>) {
        let record = &self.records[i];
        let limit = commit.map_or(self.now, |c| c.committed.min(self.now));
        if record.at <= limit {
            return;
        }
        self.trust.times[i] = Some(limit);
        let superseded = self.records[i + 1..].iter().any(|r| r.role == record.role);
        if record.at.as_second() - limit.as_second() <= CLOCK_TOLERANCE_SECONDS || superseded {
            return;
        }
        let evidence = match commit {
            Some(c) if c.committed <= self.now => format!(
                "after the commit that added it ({}, committed {}), so it counts from the commit",
                c.short(),
                c.committed
            ),
            Some(_) => format!("in the future (now is {}), so it counts from now", self.now),
            None => format!(
                "in the future (now is {}); it is not committed, so it counts as now, pending",
                self.now
            ),
        };
        let (action, role) = (record.action, record.role.clone());
        self.trust.problems.push(TrustProblem {
            pos: record.pos,
            message: format!(
                "this `{action}` record by {} as {role} is dated {}, {evidence}: a signer's clock is not evidence",
                record.by,
                record.at
            ),
            fix: format!(
                "a member of `{role}` signs again with a correct clock (`handoff sign {} --action {action} --role {role}`)",
                self.artifact
            ),
            since: Some(limit),
            sign_again: commit.is_some().then_some((action, role)),
        });
    }

    /// A record not committed yet: its signer must be in its role now. (A role the index does
    /// not define is reported by the sign-off state already.)
    fn new_record(&mut self, i: usize) {
        let record = &self.records[i];
        let Some(role) = self.index.role(&record.role) else {
            return;
        };
        if role.has_member(&record.by) {
            return;
        }
        let message = format!(
            "this record is not committed, and {} is not in role `{}`: {}",
            record.by,
            record.role,
            people(&role.people, Tense::Now)
        );
        self.distrust(
            i,
            message,
            format!(
                "remove it; a member of `{}` signs with `handoff sign`",
                record.role
            ),
            None,
        );
    }

    /// A committed record: its signer must have been in the role in the commit that appended it.
    fn membership(&mut self, i: usize, appended: &Appended) {
        let record = &self.records[i];
        let Some(role_now) = self.index.role(&record.role) else {
            return; // reported by the sign-off state
        };
        let commit = &appended.commit;
        let when = format!(
            "commit {} ({}, {})",
            commit.short(),
            commit.author,
            date(commit.time)
        );
        let problem = match &appended.membership {
            Membership::Member => return,
            // Another address of the same person, by the repository's mailmap or a handle.
            Membership::NotMember { people: then }
                if then
                    .iter()
                    .flat_map(|p| role_now.directory.resolve(p))
                    .any(|p| role_now.directory.same_person(&p, &record.by)) =>
            {
                return;
            }
            Membership::NotMember { people: then } => format!(
                "{} was not in role `{}` when this record was committed in {when}: {}",
                record.by,
                record.role,
                people(then, Tense::Then)
            ),
            Membership::RoleUndefined => format!(
                "role `{}` was not defined when this record was committed in {when}",
                record.role
            ),
            Membership::Unknown(why) => format!(
                "who was in role `{}` when this record was committed cannot be checked ({when}: {why})",
                record.role
            ),
        };
        if appended.at_boundary {
            // The record may be older than the oldest commit read, from a time its signer
            // was in the role. Only when it would count now is that doubt worth an error.
            if !role_now.has_member(&record.by) {
                return;
            }
            let message = format!(
                "{problem}; that is the oldest commit handoff read (a shallow clone, or a very long history), so the record may be older: deepen the clone (`git fetch --unshallow`) to check"
            );
            self.distrust(
                i,
                message,
                format!(
                    "a member of `{}` signs again with `handoff sign`",
                    record.role
                ),
                Some(commit.time),
            );
            return;
        }
        self.distrust(
            i,
            problem,
            format!(
                "a member of `{}` signs again with `handoff sign`; the record is ignored meanwhile",
                record.role
            ),
            Some(commit.time),
        );
    }
}

enum Tense {
    Now,
    Then,
}

fn people(people: &[String], tense: Tense) -> String {
    match (people.is_empty(), tense) {
        (true, Tense::Now) => "the role has nobody".to_string(),
        (true, Tense::Then) => "the role had nobody".to_string(),
        (false, Tense::Now) => format!("its people are {}", people.join(", ")),
        (false, Tense::Then) => format!("its people were {}", people.join(", ")),
    }
}

fn date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}
