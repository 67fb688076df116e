//! A report brought up to date with changed facts, deciding again only what they reach.

use std::collections::HashMap;

use jiff::Timestamp;

use super::context::{Ctx, kind_table};
use super::memory::{LedgerStamp, at_risk, roles_behind, upstream_changes};
use super::signoffs::signoff_state;
use super::{Report, analyze, ledger_trust, matrix, rules};
use crate::core::model::ledger::ledger_file;
use crate::core::model::{Facts, Index, Ledger};

impl Report {
    /// The report [`analyze`] gives once the facts of the `changed` artifacts are as in
    /// `facts`, for a report decided from the same index, ledger and time: only what those
    /// facts can reach is decided again (the artifacts themselves, those depending on them,
    /// and those whose at-risk origin changes), which keeps a save or a streamed batch cheap
    /// at thousands of artifacts. Anything else (another time, another index) is decided
    /// whole.
    pub fn update(
        &mut self,
        index: &Index,
        ledger: &Ledger,
        facts: &Facts,
        now: Timestamp,
        changed: &[&str],
    ) {
        let memory = &self.memory;
        let same_index = memory.position.len() == index.artifacts.len()
            && index
                .artifacts
                .iter()
                .enumerate()
                .all(|(i, a)| memory.position.get(&a.id) == Some(&i));
        if memory.now != now || memory.ledger != LedgerStamp::of(ledger, facts) || !same_index {
            *self = analyze(index, ledger, facts, now);
            return;
        }
        let kinds = kind_table(index);
        let mut cx = Ctx::new(index, &kinds, now);
        let judge = |i: usize| {
            let artifact = &index.artifacts[i];
            let records = ledger.of(&artifact.id);
            let trust = ledger_trust::judge(
                index,
                &ledger_file(&artifact.id),
                records,
                &facts.ledger_history,
                &artifact.id,
                now,
            );
            let trusted = trust.trusted(records).into_owned();
            (trust, trusted)
        };

        // The changed artifacts and those depending on them: their upstream changes (and the
        // time of those changes) may differ now.
        let mut affected = std::collections::BTreeSet::new();
        for id in changed {
            if let Some(&i) = self.memory.position.get(*id) {
                affected.insert(i);
                affected.extend(self.memory.downstream[i].iter().copied());
            }
        }
        let mut judged: HashMap<usize, (ledger_trust::Trust, Vec<crate::core::model::SignOff>)> =
            affected.iter().map(|&i| (i, judge(i))).collect();
        let mut sources_changed = Vec::new();
        for (&i, (_, records)) in &judged {
            let state = signoff_state(
                index,
                &index.artifacts[i],
                records,
                &facts.ledger_history.removed_roles,
            );
            let changes = upstream_changes(&cx.by_id, facts, &index.artifacts[i], &state);
            self.memory.behind[i] = roles_behind(&cx.by_id, facts, &index.artifacts[i], &state);
            if changes != self.memory.upstream_changes[i] {
                sources_changed.push(i);
                self.memory.upstream_changes[i] = changes;
            }
        }
        if !sources_changed.is_empty() {
            let at_risk = at_risk(&self.memory.downstream, &self.memory.upstream_changes);
            // An at-risk finding changes with its origin, or with its origin's causes.
            for i in 0..index.artifacts.len() {
                let before = self.memory.at_risk.get(&i);
                let after = at_risk.get(&i);
                if before != after || after.is_some_and(|o| sources_changed.contains(o)) {
                    affected.insert(i);
                }
            }
            self.memory.at_risk = at_risk;
        }
        for &i in &affected {
            judged.entry(i).or_insert_with(|| judge(i));
        }

        // Decide the affected artifacts again and splice their findings in, in index order.
        let old = std::mem::take(&mut self.findings);
        let mut old = old.into_iter();
        let mut findings = Vec::with_capacity(old.len());
        for (i, artifact) in index.artifacts.iter().enumerate() {
            let before = self.ranges[i].len();
            let start = findings.len();
            if let Some((trust, records)) = judged.get(&i).filter(|_| affected.contains(&i)) {
                old.by_ref().take(before).for_each(drop);
                let state = signoff_state(
                    index,
                    artifact,
                    records,
                    &facts.ledger_history.removed_roles,
                );
                cx.out.clear();
                rules::decide(&mut cx, ledger, facts, i, trust, &state, &self.memory);
                findings.append(&mut cx.out);
            } else {
                findings.extend(old.by_ref().take(before));
            }
            self.ranges[i] = start..findings.len();
        }
        self.findings = findings;
        for &i in &affected {
            let mine = &self.findings[self.ranges[i].clone()];
            self.matrix.rows[i] =
                matrix::build_row(index, &index.artifacts[i], mine, &self.memory.behind[i]);
        }
        self.rescore(index, facts);
    }
}
