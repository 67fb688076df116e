//! The weekly review's keys in the workbench, on TestBackend: the diff behind a stale
//! sign-off (`d`), opening the artifact (`o`), copying a fix (`y`), "mine" (`m`) and present
//! mode's agenda grouped by person.

use std::path::PathBuf;
use std::sync::OnceLock;

use handoff::tui::app::{App, Effect};
use handoff::tui::external::OpenTarget;
use handoff::tui::{app_with_facts, app_with_history};

use crate::common;
use crate::support::workbench::{key, options, render, select, text};

fn demo_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let (tmp, dir) = common::sample_repo();
        let _ = tmp.keep();
        dir
    })
}

fn app(present: bool) -> App {
    app_with_facts(demo_dir(), &options(present)).unwrap()
}

/// The app once the recent history is read too: the header's trend, the since card.
fn app_read(present: bool) -> App {
    app_with_history(demo_dir(), &options(present)).unwrap()
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    text(&render(app, w, h))
}

/// What the event loop does for `Effect::Diff`, done here in turn.
fn read_diff(app: &mut App, artifact: &str) {
    let ws = handoff::engine::locate(Some(demo_dir())).unwrap();
    let result = handoff::engine::diff::artifact_diff(&ws, &app.snap, artifact, None)
        .map_err(|e| e.to_string());
    app.diff_read(artifact, result);
}

#[test]
fn d_shows_the_prd_change_since_sams_approval_with_line_numbers() {
    let mut a = app(false);
    select(&mut a, "prd");
    assert_eq!(key(&mut a, "d"), Some(Effect::Diff("prd".into())));
    assert!(screen(&mut a, 80, 24).contains("… reading the signed version"));
    read_diff(&mut a, "prd");
    let first = screen(&mut a, 80, 24);
    insta::assert_snapshot!("diff_view_80x24", first);
    assert!(
        first.contains("   20       -| Refund request | 9% | not in this release |"),
        "{first}"
    );
    assert!(
        first.contains("         20 +| Refund request | 9% | 25% step, within-policy only |"),
        "{first}"
    );

    // Scrolled to the end, then closed with the same key.
    key(&mut a, "End");
    let last = screen(&mut a, 80, 24);
    assert!(
        last.contains("+- Refund intents have their own flag"),
        "{last}"
    );
    assert_eq!(key(&mut a, "d"), None);
    assert!(a.overlay.diff().is_none());
}

#[test]
fn d_on_an_artifact_with_nothing_to_explain_says_so() {
    let mut a = app(false);
    select(&mut a, "framing");
    assert_eq!(key(&mut a, "d"), None);
    assert!(a.overlay.diff().is_none());
    assert_eq!(
        a.status.as_deref(),
        Some("diff: `framing` has no changed-since-signoff or upstream-changed finding to explain")
    );
}

#[test]
fn o_opens_the_file_and_y_copies_the_fix_command() {
    let mut a = app(false);
    select(&mut a, "prd");
    // The domain expert's column: the fix is their approval.
    a.matrix.col = a
        .snap
        .index
        .roles
        .iter()
        .position(|r| r.id == "domain-expert")
        .unwrap();
    assert_eq!(
        key(&mut a, "o"),
        Some(Effect::OpenArtifact(OpenTarget::File("docs/prd.md".into())))
    );
    let copied = key(&mut a, "y");
    let Some(Effect::Copy(command)) = copied else {
        panic!("no copy: {copied:?}");
    };
    assert_eq!(
        command,
        "handoff sign prd --action approve --role domain-expert"
    );
    assert!(
        a.status
            .as_deref()
            .is_some_and(|s| s.starts_with(&format!("sent `{command}` to the clipboard (OSC 52"))),
        "{:?}",
        a.status
    );
    // The footer and help come from the same table.
    key(&mut a, "?");
    let help = screen(&mut a, 120, 60);
    assert!(
        help.contains("copy the selected finding's fix command"),
        "{help}"
    );
}

#[test]
fn m_shows_what_i_must_do_now_in_every_list_and_says_so_in_the_header() {
    use handoff::core::analysis::mine::acts_on;
    use handoff::tui::app::View;
    let mut a = app(true);
    let me = a.options.me.clone().unwrap();
    let everything = (
        a.matrix.rows.len(),
        a.gaps.items.len(),
        a.agenda.items.len(),
    );
    key(&mut a, "m");
    assert!(a.mine);
    let roles = a.my_roles();
    let index = &a.snap.index;
    let findings = &a.snap.report.findings;
    for &i in &a.matrix.rows {
        let id = &index.artifacts[i].id;
        assert!(
            a.snap
                .report
                .findings_of(id)
                .iter()
                .any(|f| acts_on(index, f, &roles)),
            "{id} has nothing for {me}"
        );
    }
    for &i in a
        .gaps
        .items
        .iter()
        .chain(&a.stale.items)
        .chain(&a.agenda.items)
    {
        assert!(acts_on(index, &findings[i], &roles), "{:?}", findings[i]);
    }
    assert!(a.matrix.rows.len() < everything.0 && !a.matrix.rows.is_empty());
    assert!(a.gaps.items.len() < everything.1);
    assert!(a.agenda.items.len() < everything.2);
    for view in [View::Agenda, View::Matrix, View::Gaps, View::Stale] {
        a.view = view;
        let header = screen(&mut a, 100, 30);
        // The header's second line, beside the views' counts.
        let top: Vec<&str> = header.lines().take(2).collect();
        assert!(top[1].contains("mine: pm"), "{view:?}: {top:?}");
    }
}

#[test]
fn report_for_one_person_lists_what_their_roles_must_do() {
    let out = common::handoff_command(demo_dir(), common::NOW)
        .args(["report", "--person", "sam@acme.example"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("For sam@acme.example (domain-expert): what these roles must do."),
        "{page}"
    );
    assert!(
        page.contains("| **error** | `prd` | `changed-since-signoff` |"),
        "{page}"
    );
    // The product manager's own work is not Sam's.
    let everyone = String::from_utf8_lossy(
        &common::handoff_command(demo_dir(), common::NOW)
            .args(["report"])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    let rows = |text: &str| {
        text.lines()
            .filter(|l| {
                l.starts_with("| warning |")
                    || l.starts_with("| **error** |")
                    || l.starts_with("| info |")
            })
            .count()
    };
    assert!(rows(&page) < rows(&everyone), "{page}");
    assert!(
        page.lines()
            .filter(|l| l.starts_with("| 20"))
            .all(|l| l.contains("sam@acme.example")),
        "{page}"
    );

    let out = common::handoff_command(demo_dir(), common::NOW)
        .args(["report", "--person", "nobody@acme.example"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("nobody@acme.example is in no role of this handoff")
    );
}

#[test]
fn present_mode_groups_the_agenda_by_person_most_waiting_first() {
    let mut a = app(true);
    let people = a.agenda.people.clone();
    assert!(people.len() > 2);
    // Most waiting first: everything a person must act on, theirs and shared.
    let load = |p: &handoff::core::analysis::agenda::PersonCards| p.cards.len() + p.shared_earlier;
    for pair in people.windows(2) {
        assert!(
            load(&pair[0]) >= load(&pair[1]) || pair[1].email.is_none(),
            "{:?} before {:?}",
            pair[0].label(),
            pair[1].label()
        );
    }
    // One card per cause: every finding once, under the first person who must act on it,
    // but for the `signoff-overdue`, which is said on its cause's card.
    let findings: Vec<_> = a.snap.report.all_findings().cloned().collect();
    let causes = findings
        .iter()
        .filter(|f| f.code.as_str() != "signoff-overdue")
        .count();
    assert_eq!(a.agenda.items.len(), causes);
    let shown: std::collections::BTreeSet<usize> = a.agenda.items.iter().copied().collect();
    assert_eq!(shown.len(), causes);
    for (p, person) in people.iter().enumerate() {
        for &i in &person.cards {
            let acting =
                handoff::core::analysis::agenda::people_acting(&a.snap.index, &findings[i]);
            let earlier = people[..p]
                .iter()
                .any(|q| q.email.as_ref().is_some_and(|e| acting.contains(e)));
            assert!(
                !earlier,
                "{:?} is under {:?} but someone before acts",
                findings[i].code,
                person.label()
            );
        }
    }
    // Causes several people must act on are there, each once.
    assert!(
        findings.iter().any(|f| {
            handoff::core::analysis::agenda::people_acting(&a.snap.index, f).len() > 1
        })
    );
    // A person whose cards were partly listed before them says so.
    let shared = people.iter().position(|p| p.shared_earlier > 0).unwrap();
    let at: usize = people[..shared].iter().map(|p| p.cards.len()).sum();
    for _ in 0..at {
        key(&mut a, "Right");
    }
    let later = screen(&mut a, 80, 24);
    assert!(
        later.contains(&format!(
            "{} more listed above",
            people[shared].shared_earlier
        )),
        "{later}"
    );
    // The PRD edit Sam has not re-approved is one card, which says the wait is overdue.
    a.agenda.at = a
        .agenda
        .items
        .iter()
        .position(|&i| {
            findings[i].artifact == "prd" && findings[i].code.as_str() == "changed-since-signoff"
        })
        .unwrap();
    let prd = screen(&mut a, 80, 24);
    insta::assert_snapshot!("agenda_overdue_card_80x24", prd);
    assert!(
        prd.contains("Overdue: `domain-expert`'s sign-off has waited"),
        "{prd}"
    );
    a.agenda.at = 0;
    let first = screen(&mut a, 80, 24);
    insta::assert_snapshot!("agenda_by_person_80x24", first);
    let top = &a.agenda.people[0];
    assert!(
        first.contains(&format!("{} — {} items", top.label(), top.cards.len())),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "Item 1 of {} · 1 of {} on the agenda",
            top.cards.len(),
            a.agenda.items.len()
        )),
        "{first}"
    );
    // Stepping past the first person's cards reaches the next person.
    for _ in 0..top.cards.len() {
        key(&mut a, "Right");
    }
    let next = screen(&mut a, 80, 24);
    let second = &a.agenda.people[1];
    assert!(
        next.contains(&format!("{} — {} item", second.label(), second.cards.len())),
        "{next}"
    );
}

#[test]
fn present_mode_starts_with_what_changed_since_the_last_review() {
    let mut a = app(true);
    a.recent_asked();
    let reading = screen(&mut a, 80, 24);
    assert!(reading.contains("Since the last review"), "{reading}");
    assert!(reading.contains("Reading the history…"), "{reading}");

    // Present mode opens on the card once the history is read.
    let mut a = app_read(true);
    let card = screen(&mut a, 80, 24);
    insta::assert_snapshot!("since_last_review_80x24", card);
    // The demo's week after its recorded review (as `review --since last-review` lists it).
    for said in [
        "recorded by dana@acme.example",
        "Opened (13)",
        "Closed (6)",
        "Signed (4)",
        "Then the agenda:",
    ] {
        assert!(card.contains(said), "{said} in\n{card}");
    }
    let review = a.since_last_review().unwrap();
    let first_opened = &review.opened[0];
    assert!(
        card.contains(&format!(
            "{} {}",
            first_opened.finding.artifact, first_opened.finding.code
        )),
        "{card}"
    );
    // Next: the agenda's first card; back: the since card again.
    key(&mut a, "Right");
    let agenda = screen(&mut a, 80, 24);
    assert!(agenda.contains("Item 1 of"), "{agenda}");
    key(&mut a, "Left");
    assert!(screen(&mut a, 80, 24).contains("Since the last review"));
    // Taller, more of each list shows.
    let tall = screen(&mut a, 120, 40);
    insta::assert_snapshot!("since_last_review_120x40", tall);
}

/// The sparkline after "trend " in a header.
fn sparkline_in(header: &str) -> String {
    header
        .split("trend ")
        .nth(1)
        .unwrap_or_else(|| panic!("no trend in {header}"))
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_header_shows_open_findings_over_the_weeks_once_the_history_is_read() {
    let mut a = app(false);
    let before = screen(&mut a, 120, 40);
    assert!(!before.lines().next().unwrap().contains("trend"));
    let mut a = app_read(false);
    let after = screen(&mut a, 120, 40);
    let header = after.lines().next().unwrap().to_string();
    insta::assert_snapshot!("header_trend_120x40", header);
    let spark = sparkline_in(&header);
    assert_eq!(spark.chars().count(), a.trend().len(), "{header}");
    assert!(spark.chars().all(|c| "▁▂▃▄▅▆▇█".contains(c)), "{header}");
    // At 100 columns, the narrowest that has room for it, the sparkline stays.
    let narrow = screen(&mut a, 100, 30);
    let header = narrow.lines().next().unwrap().to_string();
    insta::assert_snapshot!("header_trend_100x30", header);
    assert_eq!(sparkline_in(&header), spark, "{header}");

    let mut plain = app_with_history(
        demo_dir(),
        &handoff::tui::TuiOptions {
            ascii: true,
            ..options(false)
        },
    )
    .unwrap();
    let header = screen(&mut plain, 120, 40)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(header.is_ascii(), "{header}");
    let spark = sparkline_in(&header);
    assert_eq!(spark.len(), 12, "{header}");
    assert!(spark.chars().all(|c| "_.-=^".contains(c)), "{header}");
}
