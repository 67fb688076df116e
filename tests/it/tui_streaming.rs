//! The workbench's facts arrive in pieces from threads, in whatever order the threads finish:
//! once every piece is in, it must show exactly what `handoff check` shows. (A warm cache
//! answers history before the work tree is read; those answers were dropped, and the demo
//! showed ✗ 12 where check said 13.)

use std::sync::{Arc, mpsc};
use std::time::Duration;

use crate::common::sample_repo;
use crate::support::workbench::options;
use handoff::engine::worker::{FactsUpdate, Sink};
use handoff::engine::{self, FactsPiece};
use handoff::repo::write::own_writes::OwnWrites;
use handoff::tui::app::App;
use handoff::tui::runtime::{Runtime, apply_facts};
use handoff::tui::{app_with_facts, initial_app};

/// Each finding as one comparable line.
fn findings(app: &App) -> Vec<String> {
    let mut all: Vec<String> = app
        .snap
        .report
        .all_findings()
        .map(|f| {
            format!(
                "{} {} {:?} {:?} {}",
                f.artifact, f.code, f.role, f.since, f.message
            )
        })
        .collect();
    all.sort();
    all
}

/// A fresh workbench, its request's generation, and every update the worker sent for it, in
/// the order sent.
fn stream(dir: &std::path::Path) -> (App, u64, Vec<FactsUpdate>) {
    let ws = engine::locate(Some(dir)).unwrap();
    let mut app = initial_app(&ws, &options(false)).unwrap();
    let (tx, rx) = mpsc::channel();
    let sink: Sink = Arc::new(move |u| {
        let _ = tx.send(u);
    });
    let mut rt = Runtime::new(ws, sink, OwnWrites::default());
    rt.refresh_all(&mut app);
    let mut updates = Vec::new();
    loop {
        let update = rx.recv_timeout(Duration::from_secs(60)).expect("facts");
        let last = matches!(update, FactsUpdate::Done(_) | FactsUpdate::Failed(..));
        updates.push(update);
        if last {
            return (app, rt.generation, updates);
        }
    }
}

#[test]
fn streamed_facts_in_any_order_end_where_check_does() {
    let (_tmp, dir) = sample_repo();
    let whole = app_with_facts(&dir, &options(false)).unwrap();
    let expected = findings(&whole);
    assert!(
        expected
            .iter()
            .any(|f| f.starts_with("runbook-cost-spike aged")),
        "the demo has an aged runbook: {expected:#?}"
    );
    let is_last = |u: &FactsUpdate| matches!(u, FactsUpdate::Done(_) | FactsUpdate::Failed(..));
    // The order sent (the cache is warm now, so history may well come first), every
    // history-side piece before any work-tree piece, and the other way round.
    type Rank = fn(&FactsUpdate) -> u8;
    let orders: [(&str, Rank); 3] = [
        ("as sent", |_| 0),
        ("history first", |u| u8::from(is_work_tree_piece(u))),
        ("work tree first", |u| u8::from(!is_work_tree_piece(u))),
    ];
    for (name, rank) in orders {
        let (mut app, generation, mut updates) = stream(&dir);
        // A stable sort keeps the order within each group; the terminal update stays last.
        updates.sort_by_key(|u| (is_last(u), rank(u)));
        assert!(updates.iter().any(is_work_tree_piece));
        for update in updates {
            apply_facts(&mut app, update, generation);
        }
        assert!(app.loading.finished, "{name}: finished");
        assert_eq!(findings(&app), expected, "{name}");
        assert_eq!(
            app.snap.report.counts(),
            whole.snap.report.counts(),
            "{name}"
        );
    }
}

fn is_work_tree_piece(u: &FactsUpdate) -> bool {
    matches!(u, FactsUpdate::Piece(_, FactsPiece::Worktree(_)))
}
