//! The workbench on a shared screen and at 80 columns (issue 16, part 3): where each list
//! opens, where the selection goes after a commit, how the detail wraps, what the footer
//! keeps, the help's end, text fields, `--ascii`, and a form kept over a changed index.

use crate::support::workbench;

use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::common::sample_repo;
use handoff::core::model::FindingCode;
use handoff::engine;
use handoff::repo::write::own_writes::OwnWrites;
use handoff::tui::action::Action;
use handoff::tui::app::View;
use handoff::tui::app_with_facts;
use handoff::tui::runtime::{Runtime, apply_facts};
use workbench::{app, choose, commit, key, options, typed};

#[test]
fn the_stale_view_opens_on_its_first_item() {
    let mut a = app(false);
    key(&mut a, "Tab");
    key(&mut a, "Tab");
    assert_eq!(a.view, View::Stale);
    assert_eq!(
        a.stale.cursor.selected, 0,
        "the Stale list opens on its first item"
    );
    // So does Gaps.
    a.handle(Action::PrevView);
    assert_eq!(a.view, View::Gaps);
    assert_eq!(a.gaps.cursor.selected, 0);
}

/// Signing or editing from a list: the refresh after the commit re-decides and re-sorts the
/// findings, and the selection stays on the artifact just changed.
#[test]
fn after_a_commit_the_selection_stays_on_the_changed_artifact() {
    let (_tmp, dir) = sample_repo();
    let mut a = app_with_facts(&dir, &options(false)).unwrap();
    let (tx, rx) = mpsc::channel();
    let ws = engine::locate(Some(&dir)).unwrap();
    let sink: handoff::engine::worker::Sink = Arc::new(move |u| {
        let _ = tx.send(u);
    });
    let mut rt = Runtime::new(ws, sink, OwnWrites::default());
    a.handle(Action::NextView);
    assert_eq!(a.view, View::Gaps);
    let findings = &a.snap.report.findings;
    let pos = a
        .gaps
        .items
        .iter()
        .position(|&i| {
            findings[i].artifact == "flagged-queue" && findings[i].code == FindingCode::NoOwner
        })
        .unwrap();
    for _ in 0..pos {
        key(&mut a, "Down");
    }
    key(&mut a, "e");
    choose(&mut a, |i| i.label.starts_with("owner"));
    key(&mut a, "Enter");
    typed(&mut a, "pm");
    commit(&mut a, &mut rt, "Enter");
    let changed = |a: &handoff::tui::app::App| {
        a.selected_artifact()
            .map(|i| a.snap.index.artifacts[i].id.clone())
    };
    assert_eq!(
        changed(&a).as_deref(),
        Some("flagged-queue"),
        "right after the commit"
    );
    // The facts read again arrive and the list re-sorts.
    while !a.loading.finished {
        let update = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        apply_facts(&mut a, update, rt.generation);
    }
    assert_eq!(
        changed(&a).as_deref(),
        Some("flagged-queue"),
        "after the refresh"
    );
    // The matrix follows too.
    a.handle(Action::PrevView);
    assert_eq!(
        changed(&a).as_deref(),
        Some("flagged-queue"),
        "in the matrix"
    );
}
