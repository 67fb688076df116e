//! The workbench without a terminal: every view rendered on ratatui's TestBackend at three
//! sizes and compared with reviewed snapshots, the styles that carry state asserted cell by
//! cell, a sweep of tiny sizes, and flows driven by key events.

use crate::support::workbench;

use handoff::core::analysis::CellState;
use handoff::core::model::FindingCode;
use handoff::tui::action::Action;
use handoff::tui::app::{App, Effect, View};
use handoff::tui::app_with_facts;
use handoff::tui::overlay::Modal;
use handoff::tui::theme::Role;
use ratatui::style::Modifier;
use workbench::{app, demo_dir, key, options, render, select, text};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (60, 20)];

fn snapshot_views(name: &str, setup: impl Fn(&mut App), present: bool) {
    for (w, h) in SIZES {
        let mut a = app(present);
        a.resize(w, h);
        setup(&mut a);
        let screen = text(&render(&mut a, w, h));
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn matrix_view() {
    snapshot_views("matrix", |_| {}, false);
}

#[test]
fn gaps_view() {
    snapshot_views("gaps", |a| a.view = View::Gaps, false);
}

#[test]
fn stale_view() {
    snapshot_views("stale", |a| a.view = View::Stale, false);
}

#[test]
fn scorecard_view() {
    snapshot_views("scorecard", |a| a.view = View::Scorecard, false);
}

#[test]
fn tab_reaches_the_scorecard_view_and_it_scrolls() {
    let mut a = app(false);
    for _ in 0..3 {
        a.handle(Action::NextView);
    }
    assert_eq!(a.view, View::Scorecard);
    let top = text(&render(&mut a, 80, 24));
    assert!(top.contains("every-artifact-owned"), "{top}");
    a.handle(Action::Last);
    let bottom = text(&render(&mut a, 80, 24));
    assert!(!bottom.contains("every-artifact-owned"), "{bottom}");
    assert!(bottom.contains("expert-has-time"), "{bottom}");
    a.handle(Action::First);
    assert_eq!(a.scorecard_scroll, 0);
    a.handle(Action::NextView);
    assert_eq!(a.view, View::Matrix, "the views wrap around");
}

#[test]
fn detail_of_the_prd() {
    snapshot_views(
        "detail",
        |a| {
            select(a, "prd");
            a.handle(Action::Open);
        },
        false,
    );
}

#[test]
fn the_detail_of_a_superseded_artifact_names_its_successor() {
    let mut a = app(false);
    select(&mut a, "adr-0001");
    a.handle(Action::Open);
    let screen = text(&render(&mut a, 120, 40));
    assert!(
        screen.contains("status      superseded by adr-0003"),
        "{screen}"
    );
    // An active artifact shows no status line.
    let mut a = app(false);
    select(&mut a, "prd");
    a.handle(Action::Open);
    assert!(!text(&render(&mut a, 120, 40)).contains("status      "));
}

#[test]
fn the_detail_lists_governed_paths_and_the_commits_behind_their_drift() {
    let mut a = app(false);
    select(&mut a, "prd");
    a.handle(Action::Open);
    let screen = text(&render(&mut a, 120, 80));
    assert!(
        screen.contains("governs     src/reply/** (1 match),"),
        "{screen}"
    );
    assert!(
        screen.contains("src/policy/refunds.yaml (matches"),
        "{screen}"
    );
    assert!(
        screen.contains("drift       1 commit since the approval"),
        "{screen}"
    );
    // The commit: short id, date, author, subject (wrapped in the pane).
    let drift_line = screen
        .lines()
        .find(|l| l.contains("Lee Okafor: Drafts:"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        drift_line.contains(" 2026-11-19 Lee Okafor: Drafts:"),
        "{drift_line}"
    );
    // An artifact that governs nothing shows neither.
    let mut a = app(false);
    select(&mut a, "adr-0001");
    a.handle(Action::Open);
    let screen = text(&render(&mut a, 120, 80));
    assert!(!screen.contains("governs     "), "{screen}");
}

#[test]
fn help_screen() {
    snapshot_views(
        "help",
        |a| {
            a.handle(Action::Help);
        },
        false,
    );
}

#[test]
fn present_mode_agenda() {
    snapshot_views("agenda", |_| {}, true);
}

#[test]
fn typing_a_filter() {
    snapshot_views(
        "filter",
        |a| {
            key(a, "/");
            for c in "role:ops".chars() {
                key(a, &c.to_string());
            }
        },
        false,
    );
}

#[test]
fn a_filter_finds_descriptions_and_says_what_names_nothing() {
    let mut a = app(false);
    key(&mut a, "/");
    for c in "drafts sev:fatal".chars() {
        key(&mut a, &c.to_string());
    }
    let screen = text(&render(&mut a, 120, 40));
    assert!(
        screen.contains("no severity `fatal` (error, warning, info)"),
        "{screen}"
    );
    assert!(
        screen.contains(" 0 of "),
        "an unknown severity matches nothing: {screen}"
    );

    // A role's title, which appears nowhere in the artifacts themselves ("Billing & Refunds
    // Specialist" is the domain expert), finds the artifacts that role owns or signs.
    let word = "Billing";
    let mut a = app(false);
    key(&mut a, "/");
    for c in word.chars() {
        key(&mut a, &c.to_string());
    }
    let screen = text(&render(&mut a, 120, 40));
    assert!(
        !screen.contains(" 0 of "),
        "`{word}` from a role title: {screen}"
    );
    assert!(
        !screen.contains("no severity") && !screen.contains("no role"),
        "{screen}"
    );

    // Issue 15's words: "refund" finds the refund PRD (its approver is the billing and
    // refunds specialist), "Billing" the specialist's artifacts, and only those.
    let rows = |word: &str| -> Vec<String> {
        let mut a = app(false);
        key(&mut a, "/");
        for c in word.chars() {
            key(&mut a, &c.to_string());
        }
        render(&mut a, 120, 40);
        a.matrix
            .rows
            .iter()
            .map(|&i| a.snap.index.artifacts[i].id.clone())
            .collect()
    };
    let refund = rows("refund");
    assert!(refund.contains(&"prd".to_string()), "{refund:?}");
    let billing = rows("Billing");
    for id in ["prd", "framing", "flows"] {
        assert!(billing.contains(&id.to_string()), "{id}: {billing:?}");
    }
    for id in ["dashboard-cost-latency", "runbook-cost-spike"] {
        assert!(!billing.contains(&id.to_string()), "{id}: {billing:?}");
    }

    // An unknown role says so, and matches nothing.
    let mut a = app(false);
    key(&mut a, "/");
    for c in "role:nobody".chars() {
        key(&mut a, &c.to_string());
    }
    let screen = text(&render(&mut a, 120, 40));
    assert!(screen.contains("no role `nobody`"), "{screen}");
    assert!(screen.contains(" 0 of "), "{screen}");
}

#[test]
fn too_small_says_so() {
    let mut a = app(false);
    let screen = text(&render(&mut a, 40, 10));
    assert!(screen.contains("The terminal is 40×10."), "{screen}");
    assert!(screen.contains("at least 50×12"), "{screen}");
}

#[test]
fn no_size_panics() {
    let mut a = app(false);
    for view in [View::Matrix, View::Gaps, View::Stale] {
        a.view = view;
        for w in (0..=130).step_by(7).chain([1, 2, 49, 50, 51, 89, 90, 91]) {
            for h in (0..=45).step_by(4).chain([1, 2, 11, 12, 13]) {
                if w == 0 || h == 0 {
                    continue;
                }
                a.overlay.detail = if (w + h) % 2 == 0 { Some(0) } else { None };
                a.overlay.modal = ((w * h) % 5 == 0).then_some(Modal::Help { scroll: 3 });
                render(&mut a, w, h);
            }
        }
    }
}

/// Styles carry state only alongside glyphs; this checks both are there.
#[test]
fn cell_states_have_glyph_and_style() {
    let mut a = app(false);
    let buf = render(&mut a, 120, 40);
    let screen = text(&buf);
    let prd_line = screen.lines().position(|l| l.starts_with("prd ")).unwrap() as u16;
    let line: String = screen.lines().nth(prd_line as usize).unwrap().to_string();
    let delta = line
        .find('Δ')
        .expect("the PRD shows a changed-since-sign-off cell");
    let col = line[..delta].chars().count() as u16;
    let cell = &buf[(col, prd_line)];
    assert_eq!(cell.style().fg, a.theme.style(Role::Changed).fg);
    assert!(cell.style().add_modifier.contains(Modifier::BOLD));
    assert_eq!(
        a.theme.cell(CellState::ChangedSinceSignoff),
        a.theme.style(Role::Changed)
    );

    // The selected row is reversed across the screen, whatever the theme's colours.
    let first_row = 3;
    assert!(
        buf[(1, first_row)]
            .style()
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    assert!(
        !buf[(1, first_row + 1)]
            .style()
            .add_modifier
            .contains(Modifier::REVERSED)
    );

    // Severity words come with their own colour in the header.
    let header = text(&buf).lines().next().unwrap().to_string();
    let errors_at = header.find(" errors").expect("header counts errors");
    let x = header[..errors_at].rfind('✗').expect("error glyph");
    let x = header[..x].chars().count() as u16;
    assert_eq!(buf[(x, 0)].style().fg, a.theme.style(Role::Error).fg);
}

#[test]
fn no_color_keeps_every_state_readable() {
    let mut opts = options(false);
    opts.no_color = true;
    let mut a = app_with_facts(demo_dir(), &opts).unwrap();
    let buf = render(&mut a, 120, 40);
    let coloured: Vec<_> = buf
        .content()
        .iter()
        .filter(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset)
        .collect();
    assert!(coloured.is_empty(), "{:?}", coloured.first());
    let screen = text(&buf);
    for glyph in ["✓", "Δ", "↑", "✗", "·"] {
        assert!(screen.contains(glyph), "{glyph} missing without colour");
    }
}

#[test]
fn ascii_glyphs() {
    let mut opts = options(false);
    opts.ascii = true;
    let mut a = app_with_facts(demo_dir(), &opts).unwrap();
    let screen = text(&render(&mut a, 120, 40));
    assert!(
        screen.is_ascii() || !screen.chars().any(|c| "✓Δ↑✗·│─┌".contains(c)),
        "{screen}"
    );
    assert!(screen.contains("R~") && screen.contains("O+"), "{screen}");
}

#[test]
fn flow_moves_filters_and_jumps() {
    let mut a = app(false);
    assert_eq!(a.view, View::Matrix);
    key(&mut a, "Down");
    key(&mut a, "j");
    assert_eq!(a.matrix.cursor.selected, 2);
    key(&mut a, "Right");
    assert_eq!(a.matrix.col, 1);

    // n jumps to the next artifact with a finding, wrapping around.
    let before = a.matrix.cursor.selected;
    key(&mut a, "n");
    assert!(a.matrix.cursor.selected > before);
    let id = &a.snap.index.artifacts[a.matrix.rows[a.matrix.cursor.selected]].id;
    assert!(!a.snap.report.findings_of(id).is_empty());

    // Typing a filter narrows live; Esc restores; Enter keeps.
    key(&mut a, "/");
    for c in "role:ops".chars() {
        key(&mut a, &c.to_string());
    }
    let narrowed = a.matrix.rows.len();
    assert!(narrowed < a.snap.index.artifacts.len());
    key(&mut a, "Esc");
    assert_eq!(a.matrix.rows.len(), a.snap.index.artifacts.len());
    key(&mut a, "/");
    for c in "code:missing".chars() {
        key(&mut a, &c.to_string());
    }
    key(&mut a, "Enter");
    let ids: Vec<&str> = a
        .matrix
        .rows
        .iter()
        .map(|&i| a.snap.index.artifacts[i].id.as_str())
        .collect();
    // A code term matches by prefix: `missing` also finds `missing-sections`.
    assert_eq!(
        ids,
        vec!["prompts-helpers", "runbook-bad-drafts", "incident-2307"]
    );
    key(&mut a, "Ctrl-l");
    assert_eq!(a.matrix.rows.len(), a.snap.index.artifacts.len());

    // Views cycle with Tab and back with Shift-Tab; lists hold only their category.
    key(&mut a, "Tab");
    assert_eq!(a.view, View::Gaps);
    assert!(
        a.gaps
            .items
            .iter()
            .all(|&i| a.snap.report.finding(i).code.category()
                == handoff::core::model::finding::Category::Gap)
    );
    key(&mut a, "Tab");
    assert_eq!(a.view, View::Stale);
    key(&mut a, "BackTab");
    assert_eq!(a.view, View::Gaps);

    // Each list is most severe first, then oldest problem first, then in report order; the
    // agenda holds both lists, most severe first, then in report order.
    let report = &a.snap.report;
    let list_key = |&i: &usize| {
        let f = report.finding(i);
        (
            std::cmp::Reverse(f.severity),
            f.since.map_or(i64::MAX, |t| t.as_second()),
            i,
        )
    };
    for list in [&a.gaps.items, &a.stale.items] {
        assert!(list.windows(2).all(|w| list_key(&w[0]) < list_key(&w[1])));
    }
    assert!(
        a.gaps
            .items
            .iter()
            .any(|&i| report.finding(i).since.is_some())
            && a.gaps
                .items
                .iter()
                .any(|&i| report.finding(i).since.is_none()),
        "the sample has gaps with and without a time"
    );
    let mut expected_agenda: Vec<usize> =
        a.gaps.items.iter().chain(&a.stale.items).copied().collect();
    expected_agenda.sort_by_key(|&i| (std::cmp::Reverse(report.finding(i).severity), i));
    assert_eq!(a.agenda.items, expected_agenda);

    // Help opens with ? and F1 and closes with Esc; q quits.
    key(&mut a, "?");
    assert!(a.overlay.help().is_some());
    key(&mut a, "Esc");
    assert!(a.overlay.help().is_none());
    key(&mut a, "F1");
    assert!(a.overlay.help().is_some());
    key(&mut a, "?");
    assert!(a.overlay.help().is_none());
    assert_eq!(key(&mut a, "q"), Some(Effect::Quit));
}

#[test]
fn mine_shows_where_the_git_user_must_act() {
    let mut a = app(false);
    assert_eq!(a.options.me.as_deref(), Some("dana@acme.example"));
    key(&mut a, "m");
    assert!(a.mine);
    let my_roles = a.my_roles();
    assert_eq!(my_roles, vec!["pm"]);
    for &i in &a.matrix.rows {
        let art = &a.snap.index.artifacts[i];
        let signers = a.snap.index.required_signers(art);
        assert!(
            art.owner.as_deref() == Some("pm") || signers.iter().any(|r| r == "pm"),
            "{}",
            art.id
        );
    }
    assert!(a.matrix.rows.len() < a.snap.index.artifacts.len());
}

#[test]
fn detail_follows_next_and_previous() {
    let mut a = app(false);
    key(&mut a, "Enter");
    assert_eq!(a.overlay.detail, Some(0));
    let first = a.selected_artifact();
    key(&mut a, "]");
    assert_ne!(a.selected_artifact(), first);
    key(&mut a, "Down");
    assert_eq!(a.overlay.detail, Some(1), "down scrolls the detail");
    key(&mut a, "Esc");
    assert_eq!(a.overlay.detail, None);
}

#[test]
fn agenda_steps_through_every_open_finding() {
    let mut a = app(true);
    assert_eq!(a.view, View::Agenda);
    let total = a.agenda.items.len();
    // Every cause is one card, once, however many people must act on it; a sign-off's
    // `signoff-overdue` is said on the card of the change it waits on.
    let causes = a
        .snap
        .report
        .all_findings()
        .filter(|f| f.code != FindingCode::SignoffOverdue)
        .count();
    let cards: std::collections::BTreeSet<usize> = a.agenda.items.iter().copied().collect();
    assert_eq!((cards.len(), total), (causes, causes));
    for _ in 0..total + 3 {
        key(&mut a, "Right");
    }
    assert_eq!(a.agenda.at, total - 1);
    assert_eq!(a.status.as_deref(), Some("end of the agenda"));
    key(&mut a, "Left");
    assert_eq!(a.agenda.at, total - 2);
    let first = a.snap.report.finding(a.agenda.items[0]).severity;
    assert_eq!(first, handoff::core::model::Severity::Error);
}

#[test]
fn the_demo_shows_every_finding_code_in_the_lists() {
    let a = app(false);
    let shown: std::collections::BTreeSet<FindingCode> = a
        .gaps
        .items
        .iter()
        .chain(&a.stale.items)
        .map(|&i| a.snap.report.finding(i).code)
        .collect();
    assert!(shown.len() >= 15, "{shown:?}");
    // The handoff's own finding too: a scorecard rule unmet, about no one artifact.
    assert!(shown.contains(&FindingCode::ScorecardUnmet), "{shown:?}");
}

#[test]
fn editing_overlays() {
    let mut a = app(false);
    select(&mut a, "prd");
    key(&mut a, "e");
    insta::assert_snapshot!("edit_picker_80x24", text(&render(&mut a, 80, 24)));
    for _ in 0..5 {
        key(&mut a, "Down");
    }
    key(&mut a, "Enter");
    for c in "-x".chars() {
        key(&mut a, &c.to_string());
    }
    insta::assert_snapshot!("edit_form_refused_80x24", text(&render(&mut a, 80, 24)));
    key(&mut a, "Esc");
    key(&mut a, "Esc");
    key(&mut a, "s");
    insta::assert_snapshot!("sign_picker_80x24", text(&render(&mut a, 80, 24)));
    key(&mut a, "Enter");
    insta::assert_snapshot!("sign_note_60x20", text(&render(&mut a, 60, 20)));
    key(&mut a, "Esc");
    key(&mut a, "D");
    insta::assert_snapshot!("confirm_remove_80x24", text(&render(&mut a, 80, 24)));
}

#[test]
fn a_click_selects_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut a = app(false);
    let screen = text(&render(&mut a, 120, 40));
    // Click the `ops` cell of the `flows` row.
    let y = screen
        .lines()
        .position(|l| l.starts_with("flows "))
        .unwrap() as u16;
    let header = screen.lines().nth(2).unwrap();
    let x = header[..header.find("ops").unwrap()].chars().count() as u16;
    handoff::tui::handle_input(&mut a, mouse(MouseEventKind::Down(MouseButton::Left), x, y));
    assert_eq!(
        a.snap.index.artifacts[a.matrix.rows[a.matrix.cursor.selected]].id,
        "flows"
    );
    assert_eq!(a.snap.index.roles[a.matrix.col].id, "ops");
    handoff::tui::handle_input(&mut a, mouse(MouseEventKind::ScrollDown, 5, 10));
    assert_eq!(
        a.snap.index.artifacts[a.matrix.rows[a.matrix.cursor.selected]].id, "prompts-helpers",
        "the wheel moves three rows"
    );

    // In a list, a click lands on the finding under it.
    a.view = View::Gaps;
    let screen = text(&render(&mut a, 120, 50));
    let y = screen
        .lines()
        .position(|l| l.contains("flagged-queue  no-owner"))
        .unwrap() as u16;
    handoff::tui::handle_input(
        &mut a,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, y + 1),
    );
    let f = a.snap.report.finding(a.gaps.items[a.gaps.cursor.selected]);
    assert_eq!(
        (f.artifact.as_str(), f.code.as_str()),
        ("flagged-queue", "no-owner")
    );
}

/// The layers over a view go on and off one at a time, and those that once could be
/// combined into states with no meaning cannot be: closing a form under the conflict question
/// takes the question with it, and no layer opens under a question.
#[test]
fn overlay_transitions_leave_one_well_formed_state() {
    use handoff::tui::action::Context;
    let mut a = app(false);
    let all = a.matrix.rows.len();
    // Detail, help over it, a filter typed over the help: each Esc returns to the one below.
    key(&mut a, "Enter");
    key(&mut a, "?");
    assert_eq!(a.context(), Context::Help);
    key(&mut a, "/");
    assert_eq!(a.context(), Context::Filter);
    assert!(
        a.overlay.help().is_some(),
        "the help stays under the filter"
    );
    for c in "role:ops".chars() {
        key(&mut a, &c.to_string());
    }
    assert!(a.matrix.rows.len() < all);
    key(&mut a, "Esc");
    assert_eq!(a.context(), Context::Help);
    assert_eq!(a.matrix.rows.len(), all, "cancelled");
    key(&mut a, "Esc");
    assert_eq!(a.context(), Context::Detail);
    key(&mut a, "Esc");
    assert_eq!(a.context(), Context::Matrix);

    // Close from a form over a conflict: both go (the question used to stay with no form).
    select(&mut a, "prd");
    key(&mut a, "e");
    key(&mut a, "Enter");
    assert_eq!(a.context(), Context::Form);
    a.index_reloaded("another version of handoff.yaml".into());
    assert_eq!(a.context(), Context::Conflict);
    a.draft_dirty = false;
    a.handle(Action::Close);
    assert!(a.overlay.modal.is_none() && !a.overlay.in_conflict());
    assert_eq!(a.context(), Context::Matrix);
    assert!(a.draft_dirty, "the dropped form's draft goes too");

    // No layer opens under a question, and closing a question changes nothing.
    key(&mut a, "D");
    for action in [Action::Help, Action::Filter, Action::Edit, Action::Open] {
        a.handle(action);
        assert_eq!(a.context(), Context::Confirm, "{action}");
    }
    a.handle(Action::Close);
    assert_eq!(a.context(), Context::Matrix);
    assert_eq!(a.status.as_deref(), Some("nothing changed"));

    // An editing action from the help screen opens nothing under it.
    key(&mut a, "?");
    a.handle(Action::Edit);
    assert_eq!(a.context(), Context::Help);
    assert!(a.overlay.picker().is_none());
}
