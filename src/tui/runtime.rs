//! The workbench's side effects: the event loop over input, facts and the file watcher;
//! incremental refresh; committing changes; saving drafts. Everything the app decides comes
//! back as an `Effect`; everything that touches the disk or git happens here.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use ratatui::crossterm::event::Event;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use super::app::{App, Effect, Loading};
use super::forms::{self, Change, Form};
use super::worker::{self, FactsUpdate, FactsWorker, Request};
use super::{drafts, handle_input, index_fingerprint, views};
use crate::model::{Artifact, Target};
use crate::repo_write::own_writes::OwnWrites;
use crate::repo_write::{self, BaseHead, CommitError, CommitOptions, IndexEditError, SignError};
use crate::watch::WatchEvent;
use crate::workspace::{self, Snapshot, Workspace};

pub enum AppEvent {
    Input(Event),
    Facts(FactsUpdate),
    Watch(WatchEvent),
}

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
}

impl Runtime {
    /// The runtime of a workbench on `ws`, facts reported to `facts`, writes marked in
    /// `own_writes` (the handle its watcher was given).
    pub fn new(ws: Workspace, facts: worker::Sink, own_writes: OwnWrites) -> Runtime {
        let draft_path = crate::facts::handoff_git_dir(&ws).map(|dir| dir.join("draft.json"));
        Runtime {
            worker: FactsWorker::new(ws.clone(), facts),
            ws,
            generation: 0,
            draft_path,
            own_writes,
        }
    }

    fn next_request(
        &mut self,
        targets: impl IntoIterator<Item = (String, Target)>,
        history: bool,
        app: &mut App,
    ) {
        self.generation += 1;
        let request = Request::new(self.generation, targets, history);
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
    }

    /// Reads `handoff.yaml` again. A file that no longer loads leaves the last good state on
    /// screen under a banner naming the problem; one that loads asks for the facts of the
    /// artifacts it adds or moves, and only those.
    pub fn reload_index(&mut self, app: &mut App) {
        match workspace::load_index_file(&self.ws) {
            Err(errors) => {
                app.banner = Some(format!("{} — showing the last good state", errors.first()));
            }
            Ok(index) => {
                let before: BTreeMap<String, Target> = all_targets(app).into_iter().collect();
                let ledger = workspace::load_ledger(&self.ws);
                let facts = std::mem::take(&mut app.snap.facts);
                app.banner = None;
                app.set_snapshot(Snapshot::new(index, ledger, facts, now(app)));
                app.index_reloaded(index_fingerprint(&self.ws));
                let moved: Vec<(String, Target)> = all_targets(app)
                    .into_iter()
                    .filter(|(id, t)| before.get(id) != Some(t))
                    .collect();
                if !moved.is_empty() {
                    self.next_request(moved, true, app);
                }
            }
        }
    }

    pub fn reload_ledger(&mut self, app: &mut App) {
        app.snap.ledger = workspace::load_ledger(&self.ws);
        app.snap.now = now(app);
        app.reanalyze();
    }

    /// Files changed in the work tree: the work-tree facts of the artifacts they belong to.
    fn worktree_changed(&mut self, app: &mut App, paths: &[PathBuf]) {
        let affected = reached_by(&self.ws, &app.snap.index.artifacts, paths);
        if !affected.is_empty() {
            self.next_request(affected, false, app);
        }
    }

    /// Reads where HEAD is now, at once: commits are checked against it.
    fn read_head(&self) -> Option<crate::model::HeadInfo> {
        crate::facts::read_head(&self.ws)
    }

    /// Something under `.git` changed: if HEAD moved (a commit, checkout or pull elsewhere),
    /// everything that depends on history is read again.
    fn git_changed(&mut self, app: &mut App) {
        let Some(head) = self.read_head() else { return };
        if head != app.snap.facts.head {
            app.snap.facts.head = head;
            self.reload_index(app);
            self.reload_ledger(app);
            self.refresh_all(app);
        }
    }

    pub fn on_watch(&mut self, app: &mut App, event: WatchEvent) {
        match event {
            WatchEvent::IndexFileChanged => self.reload_index(app),
            WatchEvent::LedgerChanged(_) => self.reload_ledger(app),
            WatchEvent::WorkTreeChanged(paths) => self.worktree_changed(app, &paths),
            WatchEvent::GitChanged => self.git_changed(app),
            WatchEvent::Rescan => {
                self.reload_index(app);
                self.reload_ledger(app);
                self.refresh_all(app);
            }
            WatchEvent::Error(message) => app.status = Some(format!("live refresh: {message}")),
        }
    }

    /// Commits a change against the HEAD on screen. If HEAD moved meanwhile, the view is
    /// refreshed and the user asked to look again; nothing is committed on stale data.
    pub fn commit(&mut self, app: &mut App, change: Change) {
        let options = CommitOptions {
            base: BaseHead::seen_hex(app.snap.facts.head.commit.as_deref()),
            run_hooks: true,
            own_writes: Some(self.own_writes.clone()),
        };
        let moved = |w: &repo_write::WriteError| {
            w.commit_error()
                .is_some_and(|c| matches!(c, CommitError::HeadMoved { .. }))
        };
        let result: Result<Landed, Refused> = match &change {
            Change::Edit(edit) => repo_write::apply_edit(&self.ws, edit, &options)
                .map(|o| Landed {
                    commit: o.commit.to_string(),
                    summary: o.summary,
                    note: landed_note("", o.index_not_updated, &o.recovered),
                })
                .map_err(|e| match &e {
                    IndexEditError::Write(w) if moved(w) => Refused::HeadMoved,
                    _ => Refused::Other(e.to_string()),
                }),
            Change::Sign(request) => repo_write::sign(&self.ws, request, now(app), &options)
                .map(|o| Landed {
                    commit: o.commit.to_string(),
                    summary: o.summary,
                    note: landed_note(
                        if o.signed_uncommitted {
                            " (signed the working copy: it has uncommitted changes)"
                        } else {
                            ""
                        },
                        o.index_not_updated,
                        &o.recovered,
                    ),
                })
                .map_err(|e| match &e {
                    SignError::Write(w) if moved(w) => Refused::HeadMoved,
                    _ => Refused::Other(e.to_string()),
                }),
        };
        match result {
            Ok(Landed {
                commit,
                summary,
                note,
            }) => {
                let short: String = commit.chars().take(8).collect();
                app.committed(format!("{short} {summary}{note}"));
                if let Some(head) = self.read_head() {
                    app.snap.facts.head = head;
                }
                self.reload_index(app);
                self.reload_ledger(app);
                self.refresh_all(app);
            }
            Err(Refused::HeadMoved) => {
                // Refresh first: re-validating the form against the new state must not wipe
                // the explanation.
                if let Some(head) = self.read_head() {
                    app.snap.facts.head = head;
                }
                self.reload_index(app);
                self.reload_ledger(app);
                self.refresh_all(app);
                app.commit_failed(
                    "HEAD moved since this screen was read (a commit or checkout elsewhere): the view is refreshed now; check it, then submit again".into(),
                );
            }
            Err(Refused::Other(message)) => app.commit_failed(message),
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
        let result = match &app.form {
            Some(form) => drafts::save(path, form),
            None => drafts::remove(path),
        };
        if let Err(e) = result {
            app.status = Some(format!("cannot save the draft in {}: {e}", path.display()));
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
            return;
        }
        let mut form = Form::new(draft.kind, &app.snap.index, draft.base.clone());
        form.set_texts(&draft.texts);
        form.focus = draft.focus.min(form.inputs.len().saturating_sub(1));
        form.validate(&app.snap.index);
        app.conflict = draft.base != app.index_fingerprint;
        app.form = Some(form);
        app.status = Some(format!("restored an unsaved edit from {}", draft.saved));
    }
}

/// A change that landed.
struct Landed {
    /// The new commit's id, in hex.
    commit: String,
    summary: String,
    /// Anything the user should know about what was signed or done on the way.
    note: String,
}

/// What the status line adds to "committed …": what was signed, a git index that could not
/// be updated, a killed handoff's change finished or undone first.
fn landed_note(
    signed: &str,
    index_not_updated: Option<String>,
    recovered: &[repo_write::journal::Recovered],
) -> String {
    let mut note = signed.to_string();
    for extra in index_not_updated
        .into_iter()
        .chain(recovered.iter().map(ToString::to_string))
    {
        note.push_str(" · ");
        note.push_str(&extra);
    }
    note
}

/// Why a change did not land.
enum Refused {
    /// HEAD is not where the screen says: refresh and ask again.
    HeadMoved,
    Other(String),
}

fn now(app: &App) -> jiff::Timestamp {
    crate::clock::now().unwrap_or(app.snap.now)
}

pub fn all_targets(app: &App) -> Vec<(String, Target)> {
    app.snap
        .index
        .artifacts
        .iter()
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect()
}

/// The targets whose work-tree facts a change at `paths` (repository-relative) can change: a
/// path at or under one of them, or a directory above one of them renamed or removed whole
/// (the watcher names only the directory). Every match of a glob lies under its literal
/// leading directory, so a save elsewhere leaves the globs alone.
fn reached_by(ws: &Workspace, artifacts: &[Artifact], paths: &[PathBuf]) -> Vec<(String, Target)> {
    let changed: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let reaches = |path: &str| {
        !changed.is_empty() && path.is_empty()
            || changed.iter().any(|c| {
                c.strip_prefix(path)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                    || path
                        .strip_prefix(c.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    };
    artifacts
        .iter()
        .filter(|a| match &a.target {
            Target::Path(p) => reaches(&ws.repo_path(p)),
            Target::Glob(pattern) => reaches(&crate::facts::glob_scope(ws, pattern)),
            Target::Url(_) => false,
        })
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect()
}

pub fn apply_facts(app: &mut App, update: FactsUpdate, generation: u64) {
    match update {
        FactsUpdate::Head(g, head) if g == generation => app.snap.facts.head = head,
        FactsUpdate::Worktree(g, batch) if g == generation => app.merge_facts(batch, Vec::new()),
        FactsUpdate::History(g, batch) if g == generation => app.merge_facts(Vec::new(), batch),
        FactsUpdate::LedgerHistory(g, ledger) if g == generation => {
            app.snap.facts.ledger_history = *ledger;
            app.reanalyze();
        }
        // Every batch was merged as it came, deciding again what it reaches: nothing is left
        // to analyse.
        FactsUpdate::Done(g) if g == generation => app.loading.finished = true,
        FactsUpdate::Failed(g, message) if g == generation => {
            app.loading.finished = true;
            app.banner = Some(format!("cannot read git facts: {message}"));
        }
        _ => {}
    }
}

pub fn draw(terminal: &mut ratatui::DefaultTerminal, app: &App) -> Result<(), String> {
    if super::terminal_given_back() {
        return Ok(());
    }
    super::debug_panic("draw");
    // Synchronized output: the terminal shows the frame whole, never half-painted, which
    // matters on shared screens and remote terminals.
    let mut out = std::io::stdout();
    let _ = execute!(out, BeginSynchronizedUpdate);
    let result = terminal.draw(|frame| views::draw(frame, app)).map(|_| ());
    let _ = execute!(out, EndSynchronizedUpdate);
    let _ = out.flush();
    result.map_err(|e| format!("cannot draw: {e}"))
}

pub fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    rx: &Receiver<AppEvent>,
    rt: &mut Runtime,
) -> Result<(), String> {
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, app)?;
            dirty = false;
        }
        let first = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(ev) => ev,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Everything already waiting is handled before the next draw: one frame per batch,
        // and one refresh for a burst of file events.
        let mut pending = Pending::default();
        for ev in std::iter::once(first).chain(rx.try_iter()) {
            dirty = true;
            let effect = match ev {
                AppEvent::Input(input) => handle_input(app, input),
                AppEvent::Facts(update) => {
                    apply_facts(app, update, rt.generation);
                    None
                }
                AppEvent::Watch(event) => {
                    pending.add(event);
                    None
                }
            };
            match effect {
                Some(Effect::Quit) => {
                    rt.save_draft(app);
                    return Ok(());
                }
                Some(Effect::Reload) => {
                    rt.reload_index(app);
                    rt.reload_ledger(app);
                    rt.refresh_all(app);
                    app.status = Some("read the repository again".into());
                }
                Some(Effect::Commit(change)) => {
                    let change = *change;
                    // The frame shows "committing…" while hooks run.
                    app.status = Some("committing…".into());
                    let _ = draw(terminal, app);
                    rt.commit(app, change);
                }
                None => {}
            }
        }
        pending.apply(rt, app);
        rt.save_draft(app);
    }
}

/// The watch events of one batch, each kind once: a burst of saves is one refresh.
#[derive(Default)]
struct Pending {
    git: bool,
    index: bool,
    ledger: bool,
    rescan: bool,
    paths: Vec<PathBuf>,
    errors: Vec<String>,
}

impl Pending {
    fn add(&mut self, event: WatchEvent) {
        match event {
            WatchEvent::GitChanged => self.git = true,
            WatchEvent::IndexFileChanged => self.index = true,
            WatchEvent::LedgerChanged(_) => self.ledger = true,
            WatchEvent::Rescan => self.rescan = true,
            WatchEvent::WorkTreeChanged(paths) => self.paths.extend(paths),
            WatchEvent::Error(e) => self.errors.push(e),
        }
    }

    fn apply(self, rt: &mut Runtime, app: &mut App) {
        if self.rescan {
            rt.on_watch(app, WatchEvent::Rescan);
            return;
        }
        if self.git {
            rt.on_watch(app, WatchEvent::GitChanged);
        }
        if self.index {
            rt.on_watch(app, WatchEvent::IndexFileChanged);
        }
        if self.ledger {
            rt.on_watch(app, WatchEvent::LedgerChanged(Vec::new()));
        }
        if !self.paths.is_empty() {
            rt.on_watch(app, WatchEvent::WorkTreeChanged(self.paths));
        }
        if let Some(e) = self.errors.into_iter().last() {
            rt.on_watch(app, WatchEvent::Error(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(prefix: &str, changed: &[&str]) -> Vec<String> {
        let ws = Workspace {
            repo_root: PathBuf::from("/repo"),
            dir: PathBuf::from("/repo").join(prefix),
            prefix: prefix.to_string(),
        };
        let index = crate::model::load::load_index(
            "handoff.yaml",
            b"version: 1\nroles: {pm: {}}\nkinds: {doc: {}}\nartifacts:\n  - {id: prd, kind: doc, owner: pm, path: docs/prd.md}\n  - {id: flows, kind: doc, owner: pm, path: design/flows}\n  - {id: evals, kind: doc, owner: pm, path: evals/*.yaml}\n  - {id: anywhere, kind: doc, owner: pm, path: ./**/*.adr.md}\n  - {id: dash, kind: doc, owner: pm, url: https://example.com/d}\n",
        )
        .expect("the test index loads");
        let paths: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
        reached_by(&ws, &index.artifacts, &paths)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn a_save_reaches_its_file_and_the_globs_that_may_match_it() {
        assert_eq!(reached("", &["docs/prd.md"]), ["prd", "anywhere"]);
        assert_eq!(reached("", &["evals/new.yaml"]), ["evals", "anywhere"]);
        assert_eq!(
            reached("", &["design/flows/checkout.md"]),
            ["flows", "anywhere"]
        );
        assert!(reached("", &[]).is_empty());
    }

    #[test]
    fn a_directory_renamed_or_removed_whole_reaches_what_lies_under_it() {
        assert_eq!(reached("", &["docs"]), ["prd", "anywhere"]);
        assert_eq!(reached("", &["evals"]), ["evals", "anywhere"]);
    }

    #[test]
    fn paths_are_read_under_the_workspace_prefix() {
        assert_eq!(reached("team/", &["team/docs/prd.md"]), ["prd", "anywhere"]);
        assert_eq!(reached("team/", &["docs/prd.md"]), Vec::<String>::new());
        assert_eq!(reached("team/", &["team"]).len(), 4);
    }
}
