//! Editing from the workbench, in process against real temporary repositories: keys drive the
//! app, its `Commit` effects run through the same runtime the terminal uses, and git says
//! what landed.

use crate::support::workbench;

use std::path::Path;

use crate::common::{commit_as_lee, git, sample_repo};
use handoff::tui::app::{App, Effect};
use handoff::tui::{app_with_facts, index_fingerprint};
use workbench::{choose, commit, key, options, runtime, select, typed, workbench};

/// The status says a commit landed, and it sits on `before`.
fn assert_landed_on(app: &App, dir: &Path, before: &str) {
    assert!(
        app.status.as_deref().unwrap().starts_with("committed "),
        "{:?}",
        app.status
    );
    assert_eq!(git(dir, &["rev-parse", "HEAD~1"]), before);
}

#[test]
fn editing_a_field_commits_only_the_index_with_trailers() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    let before = git(&dir, &["rev-parse", "HEAD"]);
    select(&mut app, "runbook-bad-drafts");
    key(&mut app, "e");
    assert!(app.overlay.picker().is_some());
    // owner is the sixth field.
    for _ in 0..5 {
        key(&mut app, "Down");
    }
    key(&mut app, "Enter");
    let form = app.overlay.form().unwrap();
    assert_eq!(form.inputs[0].value(), "ops");
    key(&mut app, "Backspace");
    key(&mut app, "Backspace");
    key(&mut app, "Backspace");
    typed(&mut app, "sre");
    let problem = app.overlay.form().unwrap().problem.clone().unwrap();
    assert!(
        problem.contains("unknown role `sre`") && problem.contains("pm, designer, ai-eng"),
        "{problem}"
    );
    assert_eq!(
        key(&mut app, "Enter"),
        None,
        "a refused form does not commit"
    );
    for _ in 0..3 {
        key(&mut app, "Backspace");
    }
    typed(&mut app, "ml-platform");
    commit(&mut app, &mut rt, "Enter");
    assert!(app.overlay.form().is_none());
    assert_landed_on(&app, &dir, &before);
    assert_eq!(
        git(&dir, &["show", "--name-only", "--format=", "HEAD"]),
        "handoff.yaml"
    );
    let message = git(&dir, &["log", "-1", "--format=%B"]);
    assert!(
        message.contains("Handoff-Artifact: runbook-bad-drafts")
            && message.contains("Handoff-Field: owner"),
        "{message}"
    );
    assert_eq!(
        app.snap
            .index
            .artifact("runbook-bad-drafts")
            .unwrap()
            .owner
            .as_deref(),
        Some("ml-platform")
    );
    // The iteration log's uncommitted change was not swept in.
    assert_eq!(git(&dir, &["status", "--short"]), "M docs/iteration-log.md");
}

#[test]
fn signing_from_the_workbench_appends_and_commits_the_ledger_file() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    select(&mut app, "adr-0003");
    key(&mut app, "s");
    let picker = app.overlay.picker().unwrap();
    // Dana is pm; pm has no part in adr-0003: every option says why.
    assert!(
        picker.items.iter().all(|i| i.refused.is_some()),
        "{picker:?}"
    );
    key(&mut app, "Enter");
    assert!(app.overlay.form().is_none());
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .contains("is owned by role `ml-platform`, not `pm`"),
        "{:?}",
        app.status
    );
    key(&mut app, "Esc");

    select(&mut app, "flows");
    key(&mut app, "s");
    let labels: Vec<String> = app
        .overlay
        .picker()
        .unwrap()
        .items
        .iter()
        .filter(|i| i.refused.is_none())
        .map(|i| i.label.clone())
        .collect();
    // Each action says whose state it changes before anything is committed.
    assert!(
        labels.contains(&"approve as pm · `pm`'s cell only".to_string()),
        "{labels:?}"
    );
    choose(&mut app, |i| i.label.starts_with("approve as pm"));
    key(&mut app, "Enter");
    typed(&mut app, "Happy path matches v4.");
    // Enter in a note is a new line; Ctrl-s commits.
    assert_eq!(key(&mut app, "Enter"), None);
    commit(&mut app, &mut rt, "Ctrl-s");
    assert_eq!(
        git(&dir, &["show", "--name-only", "--format=", "HEAD"]),
        ".handoff/signoffs/flows.yaml"
    );
    assert_eq!(
        git(&dir, &["log", "-1", "--format=%s"]),
        "handoff: Dana Whitfield approves flows as pm"
    );
    let ledger = std::fs::read_to_string(dir.join(".handoff/signoffs/flows.yaml")).unwrap();
    assert!(
        ledger.trim_end().ends_with("Happy path matches v4."),
        "{ledger}"
    );
}

#[test]
fn a_moved_head_refreshes_and_asks_again() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    select(&mut app, "prd");
    key(&mut app, "e");
    key(&mut app, "Enter"); // title
    typed(&mut app, " (v4)");
    // Someone commits in another terminal meanwhile.
    std::fs::write(dir.join("notes.txt"), "elsewhere\n").unwrap();
    git(&dir, &["add", "notes.txt"]);
    commit_as_lee(&dir, "elsewhere", &[]);
    let elsewhere = git(&dir, &["rev-parse", "HEAD"]);
    commit(&mut app, &mut rt, "Enter");
    assert_eq!(
        git(&dir, &["rev-parse", "HEAD"]),
        elsewhere,
        "nothing committed on stale data: {:?}",
        app.status
    );
    let problem = app.overlay.form().unwrap().problem.clone().unwrap();
    assert!(problem.contains("HEAD moved"), "{problem}");
    assert_eq!(
        app.snap.facts.head.commit.as_deref(),
        Some(elsewhere.as_str()),
        "the view is refreshed"
    );
    commit(&mut app, &mut rt, "Enter");
    assert_eq!(git(&dir, &["rev-parse", "HEAD~1"]), elsewhere);
}

#[test]
fn present_mode_is_read_only() {
    let (_tmp, dir) = sample_repo();
    let mut app = app_with_facts(&dir, &options(true)).unwrap();
    for k in ["Tab", "e"] {
        key(&mut app, k);
    }
    assert!(app.overlay.modal.is_none());
    assert!(app.status.as_deref().unwrap().contains("read-only"));
}

#[test]
fn a_file_changed_under_a_form_asks_and_keeps_or_drops() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    select(&mut app, "prd");
    key(&mut app, "e");
    key(&mut app, "Enter");
    typed(&mut app, " (kept)");
    // Someone else edits and commits handoff.yaml.
    let text = std::fs::read_to_string(dir.join("handoff.yaml")).unwrap();
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("# reviewed in the weekly\n{text}"),
    )
    .unwrap();
    commit_as_lee(&dir, "comment", &["handoff.yaml"]);
    rt.reload_index(&mut app);
    assert!(app.overlay.in_conflict(), "the user is asked");
    assert_eq!(key(&mut app, "q"), None, "the question takes the keys");
    key(&mut app, "k");
    assert!(!app.overlay.in_conflict() && app.overlay.form().is_some());
    assert_eq!(app.overlay.form().unwrap().base, index_fingerprint(&rt.ws));
    // HEAD moved with that commit: refresh as the watcher would, then commit the kept form.
    rt.on_watch(&mut app, handoff::repo::watch::WatchEvent::GitChanged);
    commit(&mut app, &mut rt, "Enter");
    let text = std::fs::read_to_string(dir.join("handoff.yaml")).unwrap();
    assert!(
        text.starts_with("# reviewed in the weekly\n"),
        "the other change is kept"
    );
    assert!(
        text.contains("title: PRD — Reply Assist (kept)"),
        "the form is applied"
    );

    // The other choice drops the form.
    key(&mut app, "e");
    key(&mut app, "Enter");
    app.index_reloaded("something else".into());
    key(&mut app, "r");
    assert!(app.overlay.modal.is_none());
}

#[test]
fn a_draft_survives_and_is_restored() {
    let (_tmp, dir, mut app, rt) = workbench();
    select(&mut app, "eval-set");
    key(&mut app, "s");
    choose(&mut app, |i| i.refused.is_none());
    key(&mut app, "Enter");
    typed(&mut app, "Half-written thought");
    rt.save_draft(&mut app);
    let draft = dir.join(".git/handoff/draft.json");
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap()
            .contains("Half-written thought")
    );
    assert_eq!(
        git(&dir, &["status", "--short"]),
        "M docs/iteration-log.md",
        "drafts stay out of the work tree"
    );

    // A new session (after a crash) finds it.
    let mut again = app_with_facts(&dir, &options(false)).unwrap();
    again.index_fingerprint = index_fingerprint(&rt.ws);
    rt.restore_draft(&mut again);
    let form = again.overlay.form().unwrap();
    assert_eq!(form.inputs[0].value(), "Half-written thought");
    assert!(
        again
            .status
            .as_deref()
            .unwrap()
            .starts_with("restored an unsaved edit")
    );
    assert!(!again.overlay.in_conflict());

    // Closing the form removes the draft.
    key(&mut again, "Esc");
    rt.save_draft(&mut again);
    assert!(!draft.exists());
}

#[test]
fn adding_and_removing_an_artifact() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    key(&mut app, "a");
    for (i, text) in [
        "privacy-review",
        "docs/privacy-review.md",
        "pm",
        "",
        "Privacy review",
    ]
    .iter()
    .enumerate()
    {
        app.overlay.form_mut().unwrap().focus = i;
        typed(&mut app, text);
    }
    commit(&mut app, &mut rt, "Ctrl-s");
    assert!(
        app.snap.index.artifact("privacy-review").is_some(),
        "{:?} {:?}",
        app.status,
        app.overlay.form().map(|f| f.problem.clone())
    );
    // adr-0002 depended on it: no longer dangling.
    assert!(
        !app.snap
            .report
            .findings_of("adr-0002")
            .iter()
            .any(|f| f.code.as_str() == "dangling-dependency")
    );

    // Removing it again is refused while adr-0002 depends on it, and says so.
    select(&mut app, "privacy-review");
    key(&mut app, "D");
    assert!(app.overlay.confirm().is_some());
    key(&mut app, "n");
    assert!(app.overlay.confirm().is_none());
    key(&mut app, "D");
    let head = git(&dir, &["rev-parse", "HEAD"]);
    commit(&mut app, &mut rt, "y");
    assert!(
        app.status.as_deref().unwrap().contains("adr-0002"),
        "{:?}",
        app.status
    );
    assert_eq!(git(&dir, &["rev-parse", "HEAD"]), head);

    // An artifact nothing depends on goes.
    key(&mut app, "a");
    for (i, text) in ["scratch", "docs/scratch.md", "pm"].iter().enumerate() {
        app.overlay.form_mut().unwrap().focus = i;
        typed(&mut app, text);
    }
    commit(&mut app, &mut rt, "Ctrl-s");
    select(&mut app, "scratch");
    key(&mut app, "D");
    commit(&mut app, &mut rt, "y");
    assert!(
        app.status.as_deref().unwrap().starts_with("committed"),
        "{:?}",
        app.status
    );
    assert!(app.snap.index.artifact("scratch").is_none());
}

/// The screen of `app` at 80×24, as text.
fn screen(app: &mut App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    app.resize(80, 24);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| handoff::tui::views::draw(f, app))
        .unwrap();
    let buf = terminal.backend().buffer();
    buf.content()
        .chunks(80)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Installs `script` as the repository's pre-commit hook.
#[cfg(unix)]
fn pre_commit_hook(dir: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let hook = dir.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Appends `suffix` to the PRD's title in the form and submits it: the change to commit.
fn retitle_prd(app: &mut App, suffix: &str) -> handoff::tui::forms::Change {
    select(app, "prd");
    key(app, "e");
    key(app, "Enter"); // title
    typed(app, suffix);
    match key(app, "Enter") {
        Some(Effect::Commit(change)) => *change,
        other => panic!("expected a commit, got {other:?}"),
    }
}

/// A commit runs off the UI thread: while a slow pre-commit hook runs, the screen says
/// "committing…", the cursor moves, and no second change can start; the outcome is applied
/// when it arrives.
#[test]
#[cfg(unix)]
fn a_commit_runs_off_the_ui_thread() {
    use std::time::{Duration, Instant};
    let (_tmp, dir, mut app, mut rt) = workbench();
    pre_commit_hook(&dir, "sleep 2\n");
    let before = git(&dir, &["rev-parse", "HEAD"]);
    let change = retitle_prd(&mut app, " (v5)");
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    rt.start_commit(&app, change, move |outcome| {
        let _ = tx.send(outcome);
    });
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "starting a commit does not wait for it"
    );

    // While the hook runs: the state shows, the cursor moves, a second change is refused.
    assert!(app.overlay.modal.is_none(), "the form is set aside");
    assert!(screen(&mut app).contains("committing…"));
    let row = app.matrix.cursor.selected;
    key(&mut app, "Down");
    key(&mut app, "Down");
    assert_eq!(app.matrix.cursor.selected, row + 2, "navigation works");
    assert!(screen(&mut app).contains("committing…"));
    key(&mut app, "e");
    assert!(app.overlay.modal.is_none());
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .contains("commit is still running"),
        "{:?}",
        app.status
    );
    assert_eq!(
        git(&dir, &["rev-parse", "HEAD"]),
        before,
        "the hook still runs"
    );

    let outcome = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2));
    rt.finish_commit(&mut app, outcome);
    assert!(app.committing.is_none());
    assert_landed_on(&app, &dir, &before);
    assert_eq!(
        app.snap.index.artifact("prd").unwrap().title.as_deref(),
        Some("PRD — Reply Assist (v5)")
    );
    assert!(!screen(&mut app).contains("committing…"));
}

/// A commit refused while it ran off the UI thread gives the form back, with the reason.
#[test]
#[cfg(unix)]
fn a_refused_commit_gives_the_form_back() {
    let (_tmp, dir, mut app, mut rt) = workbench();
    pre_commit_hook(&dir, "echo 'lint: no' >&2\nexit 1\n");
    let change = retitle_prd(&mut app, " (v6)");
    let (tx, rx) = std::sync::mpsc::channel();
    rt.start_commit(&app, change, move |outcome| {
        let _ = tx.send(outcome);
    });
    // Help opened meanwhile gives way to the form.
    key(&mut app, "?");
    let outcome = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    rt.finish_commit(&mut app, outcome);
    let form = app.overlay.form().expect("the form is back");
    assert_eq!(form.inputs[0].value(), "PRD — Reply Assist (v6)");
    let problem = form.problem.clone().unwrap();
    assert!(problem.contains("pre-commit"), "{problem}");
    assert!(app.committing.is_none());
}

#[test]
fn accept_all_i_own_asks_with_the_list_and_commits_once() {
    let (_tmp, dir) = sample_repo();
    // Jonas has not accepted the ADR his role owns.
    git(&dir, &["config", "user.email", "jonas@acme.example"]);
    let mut app = app_with_facts(&dir, &options(false)).unwrap();
    let mut rt = runtime(&dir);
    let me = app
        .options
        .me
        .clone()
        .expect("the sample has a git identity");
    let owed: Vec<String> =
        handoff::core::signoff::accepts_owed(&app.snap.index, &app.snap.report, &me)
            .into_iter()
            .map(|r| r.artifact)
            .collect();
    assert!(!owed.is_empty(), "{me} owes an acceptance in the sample");
    key(&mut app, "A");
    let question = app
        .overlay
        .confirm()
        .expect("a confirmation")
        .question
        .clone();
    for id in &owed {
        assert!(question.contains(id.as_str()), "{id} listed: {question}");
    }
    key(&mut app, "n");
    assert!(app.overlay.confirm().is_none(), "no changes nothing");

    key(&mut app, "A");
    let before = git(&dir, &["rev-parse", "HEAD"]);
    commit(&mut app, &mut rt, "y");
    assert_landed_on(&app, &dir, &before);
    let files = git(&dir, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.lines().count(), owed.len(), "{files}");
    for id in &owed {
        assert!(
            !app.snap
                .report
                .findings_of(id)
                .iter()
                .any(|f| f.code.as_str() == "owner-not-accepted"),
            "{id} accepted"
        );
    }
    key(&mut app, "A");
    assert!(app.overlay.confirm().is_none());
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .starts_with("nothing to accept")
    );
}
