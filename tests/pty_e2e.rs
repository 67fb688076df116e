//! The real binary in a pseudo-terminal, read back through a terminal emulator (vt100): open
//! the demo, move, filter, open help, quit, and check the terminal is given back as it was.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const NOW: &str = "2026-11-22T12:00:00Z";

struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Session {
    fn start(dir: &Path, args: &[&str], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_handoff"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("HANDOFF_NOW", NOW);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            screen,
            raw,
            writer,
            child,
            _home: home,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.contents();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` never appeared; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn wait_until_gone(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.contents();
            if !screen.contains(what) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{what}` never went; the screen was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Keys sent apart, as a person types: an Esc followed at once by a letter reads as Alt.
        std::thread::sleep(Duration::from_millis(120));
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what was written last.
                std::thread::sleep(Duration::from_millis(200));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "handoff did not exit; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("reply-assist");
    handoff::sample::build(&dir, NOW.parse().unwrap()).unwrap();
    (tmp, dir)
}

#[test]
fn open_move_filter_help_quit_and_restore() {
    let (_tmp, dir) = demo();
    let mut s = Session::start(&dir, &[], 120, 40);
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
    let (_tmp, dir) = demo();
    let mut s = Session::start(&dir, &["--present"], 100, 30);
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
    let (_tmp, dir) = demo();
    let mut s = Session::start(&dir, &[], 40, 10);
    s.wait_for("The terminal is 40×10.");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn live_refresh_follows_saves_commits_and_a_broken_index() {
    let (_tmp, dir) = demo();
    let mut s = Session::start(&dir, &[], 120, 40);
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
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&[
        "-c",
        "user.name=Lee",
        "-c",
        "user.email=lee@acme.example",
        "commit",
        "-qm",
        "root cause",
        "--",
        "incidents",
    ]);
    let head = git(&["rev-parse", "--short=7", "HEAD"]);
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

#[test]
fn an_unsaved_form_survives_a_kill() {
    let (_tmp, dir) = demo();
    let mut s = Session::start(&dir, &[], 120, 40);
    s.wait_for("worst finding");
    s.send("j"); // prd
    s.send("e");
    s.wait_for("which field?");
    s.send("\r"); // title
    s.wait_for("`prd`: title");
    for c in " (draft)".chars() {
        s.send(&c.to_string());
    }
    s.wait_for("PRD — Reply Assist (draft)");
    s.child.kill().unwrap();
    let _ = s.wait_exit();

    let mut again = Session::start(&dir, &[], 120, 40);
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
