//! Text from the repository is data. Escape sequences planted in a role title, an artifact
//! title and description, a kind, a required section, a PRD heading and its lines, and a
//! sign-off note never reach a terminal or a report as sequences: not in `check` (text, JSON,
//! GitHub annotations, JUnit, SARIF), `matrix` (text, Markdown, CSV, JSON), `context`,
//! `report` (Markdown, HTML), `doctor`, error messages, nor the workbench's raw output in a
//! pseudo-terminal — where the neutralised text is shown instead.

#![cfg(unix)]

use crate::support::pty;
use crate::support::reliability as support;

use crate::common::{TestRepo, handoff_command};
use support::*;

/// Sets the terminal's title: the proof that an escape sequence got through.
const OSC: &str = "\x1b]2;PWNED\x07";
/// Clears the screen.
const CLEAR: &str = "\x1b[2J";
/// CSI as a single C1 character: some terminals obey it in UTF-8.
const C1_CSI: &str = "\u{9b}31m";

const INDEX: &str = r#"version: 1
name: "Injected \e]2;PWNED\a handoff"
description: "desc \e[2J"
roles:
  pm: { title: "Product \e]2;PWNED\a Manager", people: [dana@acme.example] }
  ops: { title: "Ops \e[2J\u009b31m", people: [rosa@acme.example] }
kinds:
  prd:
    title: "Kind \e]2;PWNED\a"
    required_sections: [Goals, "Rollout \e]2;PWNED\a plan"]
artifacts:
  - id: prd
    title: "PRD \e]2;PWNED\a \u202egnp.exe"
    description: "What \e[2J we build"
    kind: prd
    path: docs/prd.md
    owner: pm
    reviewers: [ops]
  - id: flows
    title: "Flows \e]2;PWNED\a"
    path: docs/flows.md
    owner: pm
    reviewers: [ops]
    depends_on: [prd]
"#;

fn hostile_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write(
        "docs/prd.md",
        &format!("# PRD {OSC}\n\n## Goals {OSC}\n\nA line with {CLEAR} and {C1_CSI} in it.\n"),
    );
    repo.write("docs/flows.md", &format!("# Flows\n\n## Goals\n\n{OSC}\n"));
    repo.commit("Start");
    let old = repo.head_object("docs/prd.md").unwrap();
    repo.write(
        ".handoff/signoffs/prd.yaml",
        &format!(
            "- action: approve\n  by: rosa@acme.example\n  role: ops\n  at: 2026-10-01T10:00:00Z\n  fingerprint: {old}\n  upstream: {{}}\n  note: \"note \\e]2;PWNED\\a \\e[2J \\u009b31m\"\n"
        ),
    );
    repo.commit_as("rosa@acme.example", "rosa approves");
    // Changed since the approval, so that messages quote the sign-off.
    repo.write(
        "docs/prd.md",
        &format!("# PRD {OSC}\n\n## Goals {OSC}\n\nChanged {CLEAR}.\n"),
    );
    repo.commit("Change the PRD");
    repo
}

/// Fails if `bytes` hold an escape sequence or a C1 control character.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!bytes.contains(&0x1b), "{what} holds a raw ESC:\n{text}");
    assert!(
        !text.contains('\u{9b}') && !text.contains('\u{7}'),
        "{what} holds a raw C1 CSI or BEL:\n{text}"
    );
}

#[test]
fn no_report_or_export_carries_an_escape_sequence() {
    let repo = hostile_repo();
    let runs: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["check", "--format", "json"],
        vec!["check", "--format", "github"],
        vec!["check", "--format", "junit"],
        vec!["check", "--format", "sarif"],
        vec!["matrix"],
        vec!["matrix", "--format", "markdown"],
        vec!["matrix", "--format", "csv"],
        vec!["matrix", "--format", "json"],
        vec!["context", "prd"],
        vec!["context", "flows"],
        vec!["report", "--format", "markdown"],
        vec!["report", "--format", "html"],
        vec!["doctor"],
        vec!["org", "."],
        vec!["org", ".", "--format", "json"],
        vec!["org", ".", "--format", "markdown"],
        vec!["org", ".", "--format", "html"],
    ];
    for args in runs {
        let out = handoff_command(repo.path(), NOW)
            .args(&args)
            .output()
            .unwrap();
        let name = args.join(" ");
        assert!(
            !out.stdout.is_empty(),
            "{name}: no output; stderr: {}",
            stderr(&out)
        );
        assert_inert(&format!("`{name}` stdout"), &out.stdout);
        assert_inert(&format!("`{name}` stderr"), &out.stderr);
    }
    // The text report shows the neutralised title, so the reader sees something is odd.
    let out = handoff_command(repo.path(), NOW)
        .args(["context", "prd"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r"^\[\]2;PWNED^G"), "{text}");
}

#[test]
fn with_colour_on_only_handoffs_own_sequences_are_written() {
    let repo = hostile_repo();
    // Colour is for terminals only; forced through a pty, the text report may colour its
    // own words, but the planted title sequence must not appear.
    let mut s = pty::Session::start(repo.path(), &["check"], &[], 160, 60);
    s.wait_exit();
    let raw = String::from_utf8_lossy(&s.raw_bytes()).into_owned();
    assert!(raw.contains("PWNED"), "{raw}");
    assert!(!raw.contains(OSC), "{raw}");
    assert!(!raw.contains("\x1b]2;"), "{raw}");
    assert!(!raw.contains(C1_CSI), "{raw}");
}

#[test]
fn load_errors_quoting_the_file_are_neutralised() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: \"pm\\e]2;PWNED\\a\"\n",
    );
    let out = handoff_command(repo.path(), NOW)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_inert("the load error", &out.stderr);
    assert!(
        stderr(&out).contains("unknown role `pm^[]2;PWNED^G`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_workbench_shows_planted_sequences_as_text() {
    let repo = hostile_repo();
    let mut s = pty::Session::start(repo.path(), &[], &[], 140, 45);
    s.wait_for("worst finding");
    // The PRD's detail: title, description, roles with their titles, the sign-off note, the
    // document's first lines.
    s.send("\r");
    let screen = s.wait_for("^[]2;PWNED^G");
    assert!(screen.contains("PRD"), "{screen}");
    s.send("\x1b");
    s.send("j");
    s.send("\r");
    s.wait_for("Flows ^[]2;PWNED^G");
    s.send("\x1b");
    s.send("q");
    s.wait_exit();
    let raw = String::from_utf8_lossy(&s.raw_bytes()).into_owned();
    assert!(
        !raw.contains("\x1b]2;"),
        "the title sequence reached the terminal"
    );
    assert!(!raw.contains(C1_CSI), "a C1 CSI reached the terminal");
    assert!(
        !raw.contains('\u{202e}'),
        "a bidirectional override reached the terminal"
    );
}

#[test]
fn doctor_neutralises_titles_names_paths_and_identities() {
    let repo = hostile_repo();
    // Dana is in `pm`, whose title carries an OSC 2 title sequence.
    repo.git(&["config", "user.email", "dana@acme.example"]);
    // OSC 52 would write the clipboard; OSC 8 makes a hyperlink.
    repo.git(&["config", "user.name", "Dana \x1b]52;c;cHduZWQ=\x07 W"]);
    // A file name cannot hold `/`, so the hyperlink's target is a plain word.
    repo.write(
        ".handoff/signoffs/ghost\x1b]8;;evil\x07x.yaml",
        &record(
            "accept",
            "dana@acme.example",
            "pm",
            "2026-10-01T10:00:00Z",
            &"a".repeat(40),
        ),
    );
    let config_files = repo.abs(".no-config/handoff");
    std::fs::create_dir_all(&config_files).unwrap();
    std::fs::write(config_files.join("keys\x1b[2J.toml"), "").unwrap();
    let out = handoff_command(repo.path(), NOW)
        .arg("doctor")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_inert("doctor's report", &out.stdout);
    for shown in [
        "your roles  pm (Product ^[]2;PWNED^G Manager)",
        "user.name   Dana ^[]52;c;cHduZWQ=^G W",
        "ghost^[]8;;evil^Gx.yaml belongs to no artifact",
        "keys^[[2J.toml",
    ] {
        assert!(text.contains(shown), "no {shown:?} in\n{text}");
    }

    // A handoff in a directory whose name holds a sequence: every path shown is inert, and
    // so are the problems (here: an identity in no role of that index).
    let sub = "team\x1b]0;T\x07";
    repo.write(
        &format!("{sub}/handoff.yaml"),
        "version: 1\nroles:\n  ops: { title: \"Ops \\e]2;PWNED\\a\", people: [rosa@acme.example] }\n",
    );
    let out = handoff_command(&repo.abs(sub), NOW)
        .arg("doctor")
        .output()
        .unwrap();
    assert_inert("doctor's report in a hostile directory", &out.stdout);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("team^[]0;T^G/handoff.yaml"), "{text}");
    assert!(text.contains("is in no role"), "{text}");
}
