//! The real binary in a pseudo-terminal, read back through a terminal emulator (vt100): open
//! the demo, move, filter, open help, quit, and check the terminal is given back as it was.

use crate::support::pty;

use crate::common::{commit_as_lee, git, sample_repo};
use pty::Session;

#[test]
fn open_move_filter_help_quit_and_restore() {
    let (_tmp, dir) = sample_repo();
    let mut s = Session::start(&dir, &[], &[], 120, 40);
    let screen = s.wait_for("worst finding");
    for role in [
        "pm",
        "designer",
        "ai-eng",
        "ml-platf",
        "ops",
        "domain-e",
        "analytics",
    ] {
        assert!(screen.contains(role), "{role}: {screen}");
    }
    assert!(screen.contains("framing × pm"), "{screen}");
    assert!(
        s.screen.lock().unwrap().screen().alternate_screen(),
        "the workbench uses the alternate screen"
    );

    s.send("j");
    s.wait_for("prd × pm");
    s.send("\x1b[C"); // Right
    s.wait_for("prd × designer");

    s.send("/");
    for c in "runbook".chars() {
        s.send(&c.to_string());
    }
    s.send("\r");
    let screen = s.wait_for("filter: runbook");
    assert!(!screen.contains("\nframing "), "{screen}");
    assert!(screen.contains("runbook-cost-spike"), "{screen}");

    s.send("\t");
    s.wait_for("Errors (");

    s.send("?");
    s.wait_for("Help");
    s.wait_for("show the keys, the glyphs and the finding codes");
    s.send("\x1b");
    s.wait_until_gone("show the keys, the glyphs");

    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let screen = s.screen.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "the alternate screen is left"
    );
    assert!(!screen.screen().hide_cursor(), "the cursor is shown again");
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    assert!(raw.contains("\x1b[?1000l"), "mouse capture is turned off");
    assert!(
        raw.contains("\x1b[?2026h"),
        "frames are drawn with synchronized output"
    );
}

#[test]
fn present_mode_opens_the_agenda_without_mouse_capture() {
    let (_tmp, dir) = sample_repo();
    let mut s = Session::start(&dir, &["--present"], &[], 100, 30);
    // First what changed since the last review, read off the UI thread; then the agenda.
    s.wait_for("Since the last review");
    s.wait_for("recorded by dana@acme.example");
    s.send(" ");
    s.wait_for("Item 1 of");
    s.wait_for("What would fix it");
    s.send(" ");
    s.wait_for("Item 2 of");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    assert!(
        !raw.contains("\x1b[?1000h"),
        "present mode leaves the mouse to the terminal"
    );
}

#[test]
fn a_tiny_terminal_says_so_and_quits() {
    let (_tmp, dir) = sample_repo();
    let mut s = Session::start(&dir, &[], &[], 40, 10);
    s.wait_for("The terminal is 40×10.");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn live_refresh_follows_saves_commits_and_a_broken_index() {
    let (_tmp, dir) = sample_repo();
    // Tall enough that the Gaps list shows incident-2307's warning below every error.
    let mut s = Session::start(&dir, &[], &[], 120, 80);
    s.wait_for("worst finding");
    s.send("\t");
    s.wait_for("incident-2307  missing-sections");
    // An editor-style save: write a temporary file, rename it over the document.
    let doc = dir.join("incidents/INC-2307-internal-note-in-draft.md");
    let mut text = std::fs::read_to_string(&doc).unwrap();
    text.push_str("\n## Root cause\nA stale template.\n\n## Action items\n- Fix the template.\n");
    let tmp = dir.join("incidents/.INC-2307.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &doc).unwrap();
    s.wait_until_gone("incident-2307  missing-sections");

    // A commit in another terminal moves HEAD in the header.
    commit_as_lee(&dir, "root cause", &["--", "incidents"]);
    let head = git(&dir, &["rev-parse", "--short=7", "HEAD"]);
    s.wait_for(&format!("main @ {head}"));

    // A broken index keeps the last good state under a banner naming the place; fixing it
    // brings everything back.
    let index = dir.join("handoff.yaml");
    let good = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, format!("{good}oops: [\n")).unwrap();
    let screen = s.wait_for("showing the last good state");
    assert!(
        screen.contains("handoff.yaml:") && screen.contains("unclosed bracket"),
        "{screen}"
    );
    assert!(screen.contains("Gaps"), "{screen}");
    std::fs::write(&index, good).unwrap();
    s.wait_until_gone("showing the last good state");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

/// Opens the PRD's title in a form, once the matrix shows, and appends `suffix`.
fn retitle_prd(s: &mut Session, suffix: &str) {
    s.wait_for("worst finding");
    s.send("j"); // prd
    s.send("e");
    s.wait_for("which field?");
    s.send("\r"); // title
    s.wait_for("`prd`: title");
    for c in suffix.chars() {
        s.send(&c.to_string());
    }
    s.wait_for(&format!("PRD — Reply Assist{suffix}"));
}

#[test]
fn an_unsaved_form_survives_a_kill() {
    let (_tmp, dir) = sample_repo();
    let mut s = Session::start(&dir, &[], &[], 120, 40);
    retitle_prd(&mut s, " (draft)");
    s.kill();
    let _ = s.wait_exit();

    let mut again = Session::start(&dir, &[], &[], 120, 40);
    let screen = again.wait_for("restored an unsaved edit");
    assert!(screen.contains("PRD — Reply Assist (draft)"), "{screen}");
    again.send("\x1b"); // drop the form
    again.wait_until_gone("PRD — Reply Assist (draft)");
    again.send("q");
    assert_eq!(again.wait_exit(), 0);
    assert!(
        !dir.join(".git/handoff/draft.json").exists(),
        "a dropped form leaves no draft"
    );
}

/// The real event loop commits off its UI thread: "committing…" shows while the hook runs, the
/// cursor moves meanwhile, and the outcome lands after.
#[test]
#[cfg(unix)]
fn a_commit_behind_a_slow_hook_keeps_the_workbench_moving() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir) = sample_repo();
    let hook = dir.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\nsleep 2\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = git(&dir, &["rev-parse", "HEAD"]);
    let mut s = Session::start(&dir, &[], &[], 120, 40);
    retitle_prd(&mut s, " (pty)");
    s.send("\r");
    s.wait_for("committing…");
    // The hook is still running: the cursor moves meanwhile.
    s.send("j");
    s.wait_for("flows × pm");
    s.wait_until_gone("committing…");
    let screen = s.wait_for(" committed ");
    assert!(screen.contains("flows × pm"), "the cursor stayed: {screen}");
    assert_eq!(git(&dir, &["rev-parse", "HEAD~1"]), before);
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

/// `o` hands the terminal to `$EDITOR` (main screen, cooked mode, every key to the editor)
/// and takes it back with a full redraw.
#[test]
fn o_runs_the_editor_on_the_terminal_and_restores_the_workbench() {
    let (tmp, dir) = sample_repo();
    let marker = tmp.path().join("marker.txt");
    let editor = tmp.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nprintf 'EDITOR RAN\\n'\nread answer\nstty -a > '{0}.stty'\nprintf '%s\\n%s\\n' \"$1\" \"$answer\" > '{0}'\n",
            marker.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let editor = editor.display().to_string();
    let mut s = Session::start(&dir, &[], &[("EDITOR", &editor), ("VISUAL", "")], 120, 40);
    s.wait_for("worst finding");
    s.send("j");
    s.wait_for("prd × pm");
    s.send("o");
    s.wait_for("EDITOR RAN");
    assert!(
        !s.screen.lock().unwrap().screen().alternate_screen(),
        "the editor has the main screen"
    );
    // Typed into the editor, not the workbench (where `q` would quit).
    s.send("quiet\r");
    let screen = s.wait_for("back from");
    assert!(screen.contains("worst finding"), "redrawn whole: {screen}");
    assert!(s.screen.lock().unwrap().screen().alternate_screen());
    let written = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(
        written,
        format!("{}\nquiet\n", dir.join("docs/prd.md").display())
    );
    let stty = std::fs::read_to_string(format!("{}.stty", marker.display())).unwrap();
    assert!(
        stty.contains(" icanon") && stty.contains(" echo"),
        "the editor ran in cooked mode: {stty}"
    );
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

/// `handoff diff` colours added and removed lines on a terminal, and not with `NO_COLOR`.
#[test]
fn diff_is_coloured_on_a_terminal_unless_no_color() {
    let (_tmp, dir) = sample_repo();
    let mut s = Session::start(&dir, &["diff", "prd"], &[], 200, 60);
    assert_eq!(s.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&s.raw_bytes()).into_owned();
    assert!(raw.contains("\x1b[32m+| Refund request"), "{raw}");
    assert!(raw.contains("\x1b[31m-| Refund request"), "{raw}");

    let mut s = Session::start(&dir, &["diff", "prd"], &[("NO_COLOR", "1")], 200, 60);
    assert_eq!(s.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&s.raw_bytes()).into_owned();
    assert!(
        raw.contains("+| Refund request") && !raw.contains("\x1b[3"),
        "{raw}"
    );
}
