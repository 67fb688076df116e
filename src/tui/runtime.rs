//! The workbench's side effects: incremental refresh after facts, saves and commits;
//! committing changes; saving drafts. Everything the app decides comes back as an `Effect`;
//! everything that touches the disk or git happens here, through the lower layers.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::app::{App, Loading};
use super::commit::{Job, Outcome};
use super::drafts;
use super::forms::{self, Change, Form};
use super::startup::index_fingerprint;
use crate::core::model::Target;
use crate::engine::watch::WatchEvent;
use crate::engine::worker::{self, FactsUpdate, FactsWorker, Request};
use crate::engine::{self, Snapshot, Workspace};
use crate::repo::write::own_writes::OwnWrites;

/// What the event loop needs besides the app: where the handoff is, and who reads facts.
pub struct Runtime {
    pub ws: Workspace,
    pub worker: FactsWorker,
    /// Answers of older requests are ignored.
    pub generation: u64,
    /// Where unsaved form contents are kept (`.git/handoff/draft.json`).
    pub draft_path: Option<PathBuf>,
    /// What the workbench's own commits wrote, shared with its watcher so that they do not
    /// come back as changes.
    own_writes: OwnWrites,
    /// Held while another program (an editor) has the terminal.
    pub(crate) input_gate: std::sync::Arc<super::input::InputGate>,
    /// Reads the trend and the review since the last review point, when set.
    recent: Option<worker::RecentWorker>,
}

impl Runtime {
    /// The runtime of a workbench on `ws`, facts reported to `facts`, writes marked in
    /// `own_writes` (the handle its watcher was given).
    pub fn new(ws: Workspace, facts: worker::Sink, own_writes: OwnWrites) -> Runtime {
        let draft_path = crate::engine::handoff_git_dir(&ws).map(|dir| dir.join("draft.json"));
        Runtime {
            worker: FactsWorker::new(ws.clone(), facts),
            ws,
            generation: 0,
            draft_path,
            own_writes,
            input_gate: Default::default(),
            recent: None,
        }
    }

    /// Also reads the recent history (the header's trend, present mode's "since last
    /// review") with every full refresh.
    pub fn read_recent_with(&mut self, recent: worker::RecentWorker) {
        self.recent = Some(recent);
    }

    fn next_request(
        &mut self,
        targets: impl IntoIterator<Item = (String, Target)>,
        history: bool,
        app: &mut App,
    ) {
        self.generation += 1;
        let request = Request::new(self.generation, targets, history)
            .with_rules(app.snap.index.content_rules())
            .with_governs(app.snap.index.governed_entries())
            .with_ci_paths(app.snap.index.ci_paths())
            .with_contracts(app.snap.index.contract_requests(&app.snap.ledger))
            .with_index_lines(app.snap.index.dates_first_signoffs());
        app.loading = Loading {
            total: request.targets.values().filter(|t| !t.is_url()).count(),
            ..Default::default()
        };
        self.worker.request(request);
    }

    /// Every fact again, history included (after HEAD moved).
    pub fn refresh_all(&mut self, app: &mut App) {
        let targets = all_targets(app);
        self.next_request(targets, true, app);
        if let Some(recent) = &self.recent {
            recent.request(now(app));
            app.recent_asked();
        }
    }

    /// The index, the ledger and every fact again.
    pub(crate) fn reload_all(&mut self, app: &mut App) {
        self.reload_index(app);
        self.reload_ledger(app);
        self.refresh_all(app);
    }

    /// Reads `handoff.yaml` again. A file that no longer loads leaves the last good state on
    /// screen under a banner naming the problem; one that loads asks for the facts of the
    /// artifacts it adds or moves, and only those.
    pub fn reload_index(&mut self, app: &mut App) {
        match engine::load_index_file(&self.ws) {
            Err(errors) => {
                app.banner = Some(format!("{} — showing the last good state", errors.first()));
                app.relayout();
            }
            Ok(index) => {
                let before: BTreeMap<String, Target> = all_targets(app).into_iter().collect();
                let ledger = engine::load_ledger(&self.ws);
                let mut facts = std::mem::take(&mut app.snap.facts);
                // The lines moved: their dates are read again below.
                facts.index_lines = None;
                let date_lines = index.dates_first_signoffs();
                app.banner = None;
                app.set_snapshot(Snapshot::new(index, ledger, facts, now(app)));
                app.index_reloaded(index_fingerprint(&self.ws));
                let moved: Vec<(String, Target)> = all_targets(app)
                    .into_iter()
                    .filter(|(id, t)| before.get(id) != Some(t))
                    .collect();
                if !moved.is_empty() || date_lines {
                    self.next_request(moved, true, app);
                }
            }
        }
    }

    pub(crate) fn reload_ledger(&mut self, app: &mut App) {
        app.snap.ledger = engine::load_ledger(&self.ws);
        app.snap.now = now(app);
        app.reanalyze();
    }

    /// Files changed in the work tree: the work-tree facts of the artifacts they belong to.
    fn worktree_changed(&mut self, app: &mut App, paths: &[PathBuf]) {
        let affected = crate::engine::reached_by(&self.ws, &app.snap.index, paths);
        if !affected.is_empty() {
            self.next_request(affected, false, app);
        }
    }

    /// Something under `.git` changed: if HEAD moved (a commit, checkout or pull elsewhere),
    /// everything that depends on history is read again.
    fn git_changed(&mut self, app: &mut App) {
        let Some(head) = crate::engine::read_head(&self.ws) else {
            return;
        };
        if head != app.snap.facts.head {
            app.snap.facts.head = head;
            self.reload_all(app);
        }
    }

    pub fn on_watch(&mut self, app: &mut App, event: WatchEvent) {
        match event {
            WatchEvent::IndexFileChanged => self.reload_index(app),
            WatchEvent::LedgerChanged(_) => self.reload_ledger(app),
            WatchEvent::WorkTreeChanged(paths) => self.worktree_changed(app, &paths),
            WatchEvent::GitChanged => self.git_changed(app),
            WatchEvent::Rescan => self.reload_all(app),
            WatchEvent::Error(message) => {
                app.status = Some(format!("live refresh: {message}"));
                app.relayout();
            }
        }
    }

    /// The commit of `change` against the HEAD on screen, ready to run.
    fn job(&self, app: &App, change: Change) -> Job {
        Job {
            ws: self.ws.clone(),
            change,
            seen_head: app.snap.facts.head.commit.clone(),
            now: now(app),
            own_writes: self.own_writes.clone(),
        }
    }

    /// Starts committing `change` on a thread of its own; `done` receives the outcome, which
    /// the event loop hands to [`Runtime::finish_commit`].
    pub fn start_commit(
        &self,
        app: &App,
        change: Change,
        done: impl FnOnce(Outcome) + Send + 'static,
    ) {
        self.job(app, change).spawn(done);
    }

    /// Commits `change` and applies the outcome before returning (tests and tools; the
    /// workbench commits off its UI thread with [`Runtime::start_commit`]).
    pub fn commit(&mut self, app: &mut App, change: Change) {
        let outcome = self.job(app, change).run();
        self.finish_commit(app, outcome);
    }

    /// Applies a commit's outcome. If HEAD moved meanwhile, the view is refreshed and the
    /// user asked to look again; nothing is committed on stale data.
    pub fn finish_commit(&mut self, app: &mut App, outcome: Outcome) {
        match outcome {
            Outcome::Landed(summary) => {
                app.committed(summary);
                if let Some(head) = crate::engine::read_head(&self.ws) {
                    app.snap.facts.head = head;
                }
                self.reload_all(app);
            }
            Outcome::HeadMoved => {
                // The form first, so that reading handoff.yaml again can ask about it; then
                // the refresh, so that re-validating the form does not wipe the explanation.
                app.commit_returned();
                if let Some(head) = crate::engine::read_head(&self.ws) {
                    app.snap.facts.head = head;
                }
                self.reload_all(app);
                app.commit_failed(
                    "HEAD moved since this screen was read (a commit or checkout elsewhere): the view is refreshed now; check it, then submit again".into(),
                );
            }
            Outcome::Refused(message) => app.commit_failed(message),
        }
    }

    /// Keeps the draft file in step with the open form: written when it changes, removed
    /// when the form closes. Unsaved form contents survive a crash or a kill.
    pub fn save_draft(&self, app: &mut App) {
        if !app.draft_dirty {
            return;
        }
        app.draft_dirty = false;
        let Some(path) = &self.draft_path else { return };
        let result = match app.draft_form() {
            Some(form) => drafts::save(path, form),
            None => drafts::remove(path),
        };
        if let Err(e) = result {
            app.status = Some(format!("cannot save the draft in {}: {e}", path.display()));
            app.relayout();
        }
    }

    /// Reopens a form left unsaved by an earlier session.
    pub fn restore_draft(&self, app: &mut App) {
        let Some(path) = &self.draft_path else { return };
        let Some(draft) = drafts::load(path) else {
            return;
        };
        if !forms::applies_to(&draft.kind, &app.snap.index) {
            let _ = drafts::remove(path);
            app.status = Some(
                "an unsaved edit from an earlier session no longer applies and was dropped".into(),
            );
            app.relayout();
            return;
        }
        let mut form = Form::new(draft.kind, &app.snap.index, draft.base.clone());
        form.set_texts(&draft.texts);
        form.focus = draft.focus.min(form.inputs.len().saturating_sub(1));
        form.validate(&app.snap.index);
        app.show_form(Box::new(form));
        app.status = Some(format!("restored an unsaved edit from {}", draft.saved));
        app.relayout();
    }
}

fn now(app: &App) -> jiff::Timestamp {
    crate::engine::clock::now().unwrap_or(app.snap.now)
}

pub(crate) fn all_targets(app: &App) -> Vec<(String, Target)> {
    app.snap
        .index
        .artifacts
        .iter()
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect()
}

/// Applies a facts update of the request `generation`; older answers are ignored.
pub fn apply_facts(app: &mut App, update: FactsUpdate, generation: u64) {
    match update {
        FactsUpdate::Piece(g, piece) if g == generation => app.apply_facts(piece),
        // Every piece was applied as it came, deciding again what it reaches: nothing is left
        // to analyse.
        FactsUpdate::Done(g) if g == generation => app.loading.finished = true,
        FactsUpdate::Failed(g, message) if g == generation => {
            app.loading.finished = true;
            app.banner = Some(format!("cannot read git facts: {message}"));
            app.relayout();
        }
        _ => {}
    }
}
