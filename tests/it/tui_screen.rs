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
use workbench::{app, choose, commit, key, options, render, select, text, typed};

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
    let report = &a.snap.report;
    let pos = a
        .gaps
        .items
        .iter()
        .position(|&i| {
            let f = report.finding(i);
            f.artifact == "flagged-queue" && f.code == FindingCode::NoOwner
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

/// The detail wraps at word boundaries; a line that must be cut ends with an ellipsis; at 80
/// columns every fix shows whole.
#[test]
fn the_detail_wraps_words_and_marks_every_cut() {
    for (w, h) in [(80, 24), (100, 30), (140, 40)] {
        for id in [
            "prd",
            "adr-0003",
            "dashboard-quality",
            "runbook-kill-switch",
            "eval-set",
        ] {
            let mut a = app(false);
            select(&mut a, id);
            a.handle(Action::Open);
            a.resize(w, h);
            let inner = detail_width(&mut a, w, h);
            let lines =
                handoff::tui::views::detail::lines(&a, a.selected_artifact().unwrap(), inner);
            let shown: Vec<String> = lines
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect();
            for line in &shown {
                assert!(
                    unicode_width::UnicodeWidthStr::width(line.as_str()) <= inner,
                    "{id} at {w}: a line wider than the pane ({inner}) is cut by the edge: {line:?}"
                );
            }
            // Every fix of the artifact shows whole, wrapped.
            // (Compared without spaces: a long path is broken across lines.)
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            let joined = squeeze(&shown.join(" "));
            for f in a.snap.report.findings_of(id) {
                assert!(
                    joined.contains(&squeeze(&f.fix)),
                    "{id} at {w}: fix cut: {}",
                    f.fix
                );
            }
        }
    }
}

/// At 80 columns the Gaps and Stale lists wrap a fix that does not fit onto a second line
/// hanging under its arrow, as the detail does (a fix needing a third line ends with `…`).
#[test]
fn the_lists_wrap_the_fix_line_at_80_columns() {
    let mut a = app(false);
    a.view = View::Gaps;
    let screen = text(&render(&mut a, 80, 24));
    for whole in [
        "    → make the value satisfy `schemas/prompt-entry.schema.json`, or change the\n      schema\n",
        "    → add it (`handoff add artifact privacy-review --path <path>`), or drop it:\n      `handoff set adr-0002 depends_on -privacy-review`\n",
    ] {
        assert!(screen.contains(whole), "{screen}");
    }
    // Every item is four lines now, the short fixes' second line blank.
    assert!(
        screen.contains("    → remove the dependency that points the wrong way\n\n"),
        "{screen}"
    );
    a.view = View::Stale;
    // A list whose fixes all fit keeps three lines a finding.
    let wide = text(&render(&mut a, 400, 40));
    assert!(!wide.contains("\n      "), "{wide}");
}

/// The detail's inner width at this size.
fn detail_width(a: &mut handoff::tui::app::App, w: u16, h: u16) -> usize {
    let screen = text(&render(a, w, h));
    let top = screen.lines().nth(2).unwrap();
    let x = top.chars().position(|c| c == '┌').unwrap();
    let right = top.chars().position(|c| c == '┐').unwrap();
    right - x - 1
}

fn footer(a: &mut handoff::tui::app::App, w: u16, h: u16) -> String {
    text(&render(a, w, h)).lines().last().unwrap().to_string()
}

#[test]
fn the_footer_keeps_views_and_filter_and_shows_the_keymaps_own_keys() {
    // At 80×24 the footer keeps Tab and / in every view that has them.
    let mut a = app(false);
    for view in [View::Matrix, View::Gaps, View::Stale] {
        a.view = view;
        let line = footer(&mut a, 80, 24);
        assert!(
            line.contains("Tab view") && line.contains("/ filter"),
            "{view:?}: {line}"
        );
        assert!(
            line.contains("? help") && line.contains("q quit"),
            "{view:?}: {line}"
        );
    }
    // Present mode is read-only: no edit keys are advertised.
    let mut a = app(true);
    for view in [View::Agenda, View::Matrix, View::Gaps] {
        a.view = view;
        let line = footer(&mut a, 140, 40);
        for edit in [" edit", " sign", " add", " roles", " remove"] {
            assert!(!line.contains(edit), "{view:?}: {line}");
        }
    }
    // The vim preset's footer says j/k.
    let mut opts = options(false);
    opts.keymap = Some("vim".into());
    let mut a = app_with_facts(workbench::demo_dir(), &opts).unwrap();
    let line = footer(&mut a, 80, 24);
    assert!(line.contains("j/k move"), "{line}");
}

#[test]
fn help_stops_scrolling_at_its_end() {
    let mut a = app(false);
    key(&mut a, "?");
    let top = text(&render(&mut a, 80, 24));
    for _ in 0..50 {
        key(&mut a, "PageDown");
    }
    let end = text(&render(&mut a, 80, 24));
    assert_ne!(top, end);
    key(&mut a, "Down");
    assert_eq!(text(&render(&mut a, 80, 24)), end, "nothing below the end");
    // One step back shows the line above at once, rather than after 50 pages of nothing.
    key(&mut a, "Up");
    assert_ne!(text(&render(&mut a, 80, 24)), end);
}

#[test]
fn ctrl_u_clears_the_line_in_text_fields() {
    let mut a = app(false);
    workbench::select(&mut a, "prd");
    key(&mut a, "e");
    choose(&mut a, |i| i.label.starts_with("title"));
    key(&mut a, "Enter");
    assert!(!a.overlay.form().unwrap().inputs[0].value().is_empty());
    key(&mut a, "Ctrl-u");
    assert_eq!(a.overlay.form().unwrap().inputs[0].value(), "");
    key(&mut a, "Esc");
    // The filter line too.
    key(&mut a, "/");
    typed(&mut a, "role:pm");
    key(&mut a, "Ctrl-u");
    assert_eq!(a.overlay.filter_text(), Some(""));
}

#[test]
fn a_prefilled_path_is_selected_so_typing_replaces_it() {
    let open_path = || {
        let mut a = app(false);
        workbench::select(&mut a, "prd");
        key(&mut a, "e");
        choose(&mut a, |i| i.label.starts_with("path"));
        key(&mut a, "Enter");
        assert_eq!(a.overlay.form().unwrap().inputs[0].value(), "docs/prd.md");
        a
    };
    let mut a = open_path();
    typed(&mut a, "docs/prd-v2.md");
    assert_eq!(
        a.overlay.form().unwrap().inputs[0].value(),
        "docs/prd-v2.md"
    );
    // An arrow keeps the text and puts the cursor in it.
    let mut a = open_path();
    key(&mut a, "Right");
    typed(&mut a, "x");
    assert_eq!(a.overlay.form().unwrap().inputs[0].value(), "docs/prd.mdx");
}

/// "Keep my form" over a `handoff.yaml` changed on disk: the submit lands, or says why at once;
/// the status never stays on "committing…".
#[test]
fn a_kept_form_over_a_changed_index_commits_or_says_why() {
    // (the last: HEAD moved, but the watcher has not said so yet when the user submits)
    for (committed_elsewhere, git_seen) in [(false, false), (true, true), (true, false)] {
        let (_tmp, dir, mut a, mut rt) = workbench::workbench();
        workbench::select(&mut a, "prd");
        key(&mut a, "e");
        choose(&mut a, |i| i.label.starts_with("title"));
        key(&mut a, "Enter");
        typed(&mut a, " (kept)");
        let index = std::fs::read_to_string(dir.join("handoff.yaml")).unwrap();
        std::fs::write(
            dir.join("handoff.yaml"),
            format!("# edited meanwhile\n{index}"),
        )
        .unwrap();
        if committed_elsewhere {
            crate::common::commit_as_lee(&dir, "comment", &["handoff.yaml"]);
        }
        // What the watcher reports, in the order the event loop applies it.
        if git_seen {
            rt.on_watch(&mut a, handoff::repo::watch::WatchEvent::GitChanged);
        }
        rt.on_watch(&mut a, handoff::repo::watch::WatchEvent::IndexFileChanged);
        assert!(a.overlay.in_conflict());
        key(&mut a, "k");
        match key(&mut a, "Enter") {
            Some(handoff::tui::app::Effect::Commit(change)) => rt.commit(&mut a, *change),
            None => {}
            other => panic!("{other:?}"),
        }
        assert!(a.committing.is_none(), "committing… stays");
        let screen = text(&render(&mut a, 80, 24));
        assert!(!screen.contains("committing…"), "{screen}");
        let landed = a
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with("committed"));
        let why = a.overlay.form().and_then(|f| f.problem.clone());
        assert!(
            landed || why.is_some(),
            "neither landed nor said why: {:?} {screen}",
            a.status
        );
    }
}

/// With `--ascii`, every byte the workbench draws is ASCII, in every view and overlay, and so
/// is `matrix --ascii`.
#[test]
fn ascii_output_is_pure_ascii() {
    let mut opts = options(false);
    opts.ascii = true;
    let mut a = app_with_facts(workbench::demo_dir(), &opts).unwrap();
    let mut screens = Vec::new();
    for (w, h) in [(140, 40), (80, 24), (60, 20)] {
        for view in [View::Matrix, View::Gaps, View::Stale] {
            a.view = view;
            screens.push((format!("{view:?} {w}x{h}"), text(&render(&mut a, w, h))));
            a.handle(Action::Open);
            screens.push((
                format!("{view:?} detail {w}x{h}"),
                text(&render(&mut a, w, h)),
            ));
            a.handle(Action::Close);
        }
        a.handle(Action::Help);
        screens.push((format!("help {w}x{h}"), text(&render(&mut a, w, h))));
        a.handle(Action::Close);
    }
    for (name, screen) in screens {
        let odd: String = screen.chars().filter(|c| !c.is_ascii()).collect();
        assert!(odd.is_empty(), "{name}: {odd:?}\n{screen}");
    }
    let out = crate::common::handoff_command(workbench::demo_dir(), crate::common::NOW)
        .args(["matrix", "--ascii"])
        .output()
        .unwrap();
    let odd: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_ascii())
        .collect();
    assert!(odd.is_empty(), "matrix --ascii: {odd:?}");
}

/// Moving while a commit runs is a choice: the selection stays where the user put it.
#[test]
fn moving_during_a_commit_wins_over_following_it() {
    let (_tmp, _dir, mut a, mut rt) = workbench::workbench();
    workbench::select(&mut a, "prd");
    key(&mut a, "e");
    choose(&mut a, |i| i.label.starts_with("title"));
    key(&mut a, "Enter");
    typed(&mut a, " (moved)");
    let Some(handoff::tui::app::Effect::Commit(change)) = key(&mut a, "Enter") else {
        panic!("expected a commit");
    };
    key(&mut a, "Down");
    let moved_to = a.selected_artifact();
    rt.commit(&mut a, *change);
    assert!(a.status.as_deref().unwrap().starts_with("committed"));
    assert_eq!(a.selected_artifact(), moved_to);
}
