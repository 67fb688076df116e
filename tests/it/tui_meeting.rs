//! The weekly review's keys in the workbench, on TestBackend: the diff behind a stale
//! sign-off (`d`), opening the artifact (`o`), copying a fix (`y`), "mine" (`m`) and present
//! mode's agenda grouped by person.

use std::path::PathBuf;
use std::sync::OnceLock;

use handoff::tui::app::{App, Effect};
use handoff::tui::external::OpenTarget;
use handoff::tui::{app_with_facts, views};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::common;
use crate::support::workbench::{key, options, select};

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

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| views::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer().clone();
    buf.content()
        .chunks(w as usize)
        .map(|row| {
            let mut line = String::new();
            let mut skip = 0;
            for cell in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                line.push_str(cell.symbol());
                skip = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
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
