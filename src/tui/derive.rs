//! What the views list: the visible rows of the matrix and the findings of the Gaps, Stale
//! and agenda lists, derived from the snapshot, the filter and the mine switch, keeping each
//! selection on the same artifact or finding where it is still visible.

use super::app::App;
use super::view_state::FindingList;
use crate::core::analysis::Finding;
use crate::core::analysis::agenda::by_person;
use crate::core::analysis::mine::acts_on;
use crate::core::model::{FindingCode, History, Severity, finding::Category};
use crate::engine::{FactsPiece, Snapshot};

/// A finding by name: its artifact, code and role (or related artifact).
type FindingKey = (String, FindingCode, Option<String>);

/// A selection by name: the artifact under the cursor, and the finding of each list.
pub(crate) struct Selection {
    artifact: Option<String>,
    gap: Option<FindingKey>,
    stale: Option<FindingKey>,
}

impl App {
    /// Recomputes the visible rows and finding lists, keeping selections on the same
    /// artifact or finding where it is still visible.
    pub fn derive(&mut self) {
        let selection = self.selection();
        self.derive_keeping(selection);
    }

    /// What is selected, by name rather than position, so it can be found again after the
    /// snapshot or the report changes. Must be taken while rows and lists still match them.
    pub(crate) fn selection(&self) -> Selection {
        let key = |list: &FindingList| {
            if !list.chosen {
                return None;
            }
            list.items
                .get(list.cursor.selected)
                .and_then(|&i| self.snap.report.all_findings().nth(i))
                .map(finding_key)
        };
        Selection {
            artifact: self.selected_artifact_id().map(str::to_string),
            gap: key(&self.gaps),
            stale: key(&self.stale),
        }
    }

    pub(crate) fn derive_keeping(&mut self, selection: Selection) {
        self.data_epoch += 1;
        let index = &self.snap.index;
        let report = &self.snap.report;
        let my_roles = self.my_roles();
        // Without a filter or `mine`, every artifact is shown: nothing to compute per artifact
        // or per finding (which at 10,000 artifacts took most of a derive).
        let everything = self.filter.is_empty() && !self.mine;
        self.matrix.rows = index
            .artifacts
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                everything
                    || (!self.mine
                        || report
                            .findings_of(&a.id)
                            .iter()
                            .any(|f| acts_on(index, f, &my_roles)))
                        && self
                            .filter
                            .matches_artifact(index, a, report.findings_of(&a.id))
            })
            .map(|(i, _)| i)
            .collect();
        let shown: std::collections::HashSet<&str> = if everything {
            Default::default()
        } else {
            self.matrix
                .rows
                .iter()
                .map(|&i| index.artifacts[i].id.as_str())
                .collect()
        };
        // One pass over the findings sorts them into the two lists. Each list runs most severe
        // first, then oldest problem first, then in report order (which is index order, so
        // the artifact's position needs no key of its own). Positions are those of
        // `all_findings`: the handoff's own findings (a scorecard rule unmet, about no one
        // artifact) follow the artifacts'; `mine` leaves them out (no role of anyone's must act
        // on them), as does a filter that names a role, person or kind.
        let (mut gaps, mut stale) = (Vec::new(), Vec::new());
        // The agenda: both lists, most severe first, then in report order (one bucket per
        // severity, in the order of `Severity::ALL`).
        let mut agenda_by_severity: [Vec<usize>; Severity::ALL.len()] = Default::default();
        for (i, f) in report.all_findings().enumerate() {
            let list = match f.code.category() {
                Category::Gap => &mut gaps,
                Category::Stale => &mut stale,
            };
            let visible = || {
                if f.artifact.is_empty() {
                    !self.mine && self.filter.matches_handoff_finding(f)
                } else {
                    shown.contains(f.artifact.as_str())
                        && self.filter.matches_finding(f)
                        && (!self.mine || acts_on(index, f, &my_roles))
                }
            };
            if everything || visible() {
                let since = f.since.map_or(i64::MAX, |t| t.as_second());
                list.push((std::cmp::Reverse(f.severity), since, i));
                if let Some(bucket) = Severity::ALL.iter().position(|s| *s == f.severity) {
                    agenda_by_severity[bucket].push(i);
                }
            }
        }
        let sorted = |mut keyed: Vec<(std::cmp::Reverse<Severity>, i64, usize)>| {
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, i)| i).collect::<Vec<usize>>()
        };
        self.gaps.items = sorted(gaps);
        self.stale.items = sorted(stale);
        let agenda = agenda_by_severity.concat();
        if self.options.present {
            // Present mode's agenda by person. (Where a "since last review" card comes, it
            // goes before these: the agenda is what is open now, that card what changed.)
            // With `mine`, I come first, so every card I act on is under me.
            let me = self.options.me.as_deref().filter(|_| self.mine);
            let mut people = by_person(index, &self.snap.facts, report, &agenda, me);
            if let Some(me) = me {
                people.retain(|p| p.email.as_deref() == Some(me.to_lowercase().as_str()));
            }
            self.agenda.set_people(people);
        } else {
            self.agenda.items = agenda;
        }
        self.matrix.id_width = self
            .matrix
            .rows
            .iter()
            .map(|&i| crate::core::text::width(&index.artifacts[i].id))
            .max()
            .unwrap_or(8);
        self.matrix.longest_role = index
            .roles
            .iter()
            .map(|r| crate::core::text::width(&r.id))
            .max()
            .unwrap_or(4);
        self.fix_width = self
            .gaps
            .items
            .iter()
            .chain(&self.stale.items)
            .map(|&i| fix_line_width(report.finding(i)))
            .max()
            .unwrap_or(0);
        self.counts = report.counts();
        self.reselect(selection);
        self.clamp();
        self.relayout();
    }

    /// Puts the cursors back on what `selection` names, where it is still listed.
    fn reselect(&mut self, selection: Selection) {
        let artifacts = &self.snap.index.artifacts;
        if let Some(id) = selection.artifact
            && let Some(pos) = self.matrix.rows.iter().position(|&i| artifacts[i].id == id)
        {
            self.matrix.cursor.selected = pos;
        }
        let report = &self.snap.report;
        let reselect = |list: &mut FindingList, key: Option<FindingKey>| {
            if let Some(key) = key
                && let Some(pos) = list
                    .items
                    .iter()
                    .position(|&i| is_finding(report.finding(i), &key))
            {
                list.cursor.selected = pos;
            } else if !list.chosen {
                list.cursor = Default::default();
            }
        };
        reselect(&mut self.gaps, selection.gap);
        reselect(&mut self.stale, selection.stale);
        if let Some(id) = &self.follow {
            self.select_artifact_everywhere(&id.clone());
        }
    }

    /// Puts every view's cursor on `id`: its matrix row, and in each list its first finding
    /// (a list where it has none keeps its place).
    fn select_artifact_everywhere(&mut self, id: &str) {
        let artifacts = &self.snap.index.artifacts;
        if let Some(pos) = self.matrix.rows.iter().position(|&i| artifacts[i].id == id) {
            self.matrix.cursor.selected = pos;
        }
        let report = &self.snap.report;
        for list in [&mut self.gaps, &mut self.stale] {
            let on_it = |pos: usize| {
                list.items
                    .get(pos)
                    .is_some_and(|&i| report.finding(i).artifact == id)
            };
            if on_it(list.cursor.selected) {
                continue;
            }
            if let Some(pos) = list
                .items
                .iter()
                .position(|&i| report.finding(i).artifact == id)
            {
                list.cursor.selected = pos;
                list.chosen = true;
            }
        }
    }

    fn clamp(&mut self) {
        self.matrix.cursor.clamp(self.matrix.rows.len());
        self.gaps.cursor.clamp(self.gaps.items.len());
        self.stale.cursor.clamp(self.stale.items.len());
        let roles = self.snap.index.roles.len();
        self.matrix.col = self.matrix.col.min(roles.saturating_sub(1));
        self.agenda.at = self
            .agenda
            .at
            .min(self.agenda.items.len().saturating_sub(1));
    }

    /// Replaces the snapshot (new facts, a reloaded index) and keeps the user's place.
    pub(crate) fn set_snapshot(&mut self, snap: Snapshot) {
        let selection = self.selection();
        self.snap = snap;
        self.derive_keeping(selection);
        self.scroll_into_view();
    }

    /// Puts a piece of streamed facts in place (the engine decides again what it reaches)
    /// and keeps the user's place.
    pub fn apply_facts(&mut self, piece: FactsPiece) {
        match &piece {
            FactsPiece::Worktree(batch) => self.loading.worktree_done += batch.len(),
            FactsPiece::History(batch) => self.loading.history_done += batch.len(),
            _ => {}
        }
        let selection = self.selection();
        self.snap.apply(piece);
        self.derive_keeping(selection);
    }

    pub(crate) fn reanalyze(&mut self) {
        let selection = self.selection();
        self.snap.reanalyze();
        self.derive_keeping(selection);
    }

    /// What a frame needs computed before it is drawn (views only read): the layout, and the
    /// detail's related artifacts.
    pub fn prepare_frame(&mut self) {
        self.relayout();
        self.keep_related();
    }

    /// Finds the related artifacts of the artifact under the cursor, unless they are kept for
    /// this epoch already.
    fn keep_related(&mut self) {
        // Only the detail shows them: the matrix is not slowed while the cursor moves.
        let (true, Some(artifact)) = (self.detail_shown(), self.selected_artifact()) else {
            return;
        };
        if !matches!(&self.related, Some((at, epoch, _)) if *at == artifact && *epoch == self.data_epoch)
        {
            self.related = Some((artifact, self.data_epoch, self.related_now(artifact)));
        }
    }

    /// The artifacts related by links to the artifact at `artifact`, kept or found now.
    pub(crate) fn related_of(&self, artifact: usize) -> std::borrow::Cow<'_, [String]> {
        match &self.related {
            Some((at, epoch, kept)) if *at == artifact && *epoch == self.data_epoch => {
                std::borrow::Cow::Borrowed(kept)
            }
            _ => std::borrow::Cow::Owned(self.related_now(artifact)),
        }
    }

    fn related_now(&self, artifact: usize) -> Vec<String> {
        let a = &self.snap.index.artifacts[artifact];
        crate::core::analysis::links::related_artifacts(&self.snap.index, &self.snap.facts, a)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Whether an artifact's facts are still being read.
    pub(crate) fn is_pending(&self, artifact: usize) -> bool {
        let a = &self.snap.index.artifacts[artifact];
        !a.target.is_url()
            && self
                .snap
                .facts
                .of(&a.id)
                .is_none_or(|f| matches!(f.history, History::Pending) && !self.loading.finished)
    }
}

/// The columns of a finding's fix line in the Gaps and Stale lists: `    → ` and the fix.
pub(crate) fn fix_line_width(f: &Finding) -> usize {
    6 + crate::core::text::width(&crate::core::text::sanitize(&f.fix))
}

/// Whether `f` is the finding `key` ([`finding_key`]) names, without building its key.
fn is_finding(f: &Finding, key: &FindingKey) -> bool {
    f.code == key.1
        && f.artifact == key.0
        && f.role.as_ref().or(f.related.as_ref()) == key.2.as_ref()
}

fn finding_key(f: &Finding) -> FindingKey {
    (
        f.artifact.clone(),
        f.code,
        f.role.clone().or_else(|| f.related.clone()),
    )
}
