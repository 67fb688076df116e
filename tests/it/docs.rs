//! The documentation's examples are tests: every ```` ```console ```` block in `README.md`
//! and `docs/**/*.md` is run against a fresh demo repository and its output compared with
//! what the block shows, so the docs cannot drift from the binary.
//!
//! How a block reads:
//!
//! - A line starting `$ ` is a command; the lines after it, up to the next `$ ` line or the
//!   end of the block, are its expected output (standard output and standard error, as a
//!   terminal shows them). A command followed by no lines must print nothing.
//! - A line that is only `...` (or `…`) matches any number of lines, none included.
//! - `...` (or `…`) within a line matches any text within that line.
//! - Trailing spaces and trailing empty lines are ignored.
//!
//! How a block runs: the commands of one block run in order in one `bash` (so `cd` carries
//! over), in a fresh directory holding the demo, built by `handoff demo --into DIR --no-open`
//! at the pinned clock [`NOW`]. `/tmp/reply-assist` in a command stands for that directory,
//! and the directory is shown as `/tmp/reply-assist` in the output; a block that runs
//! `handoff demo` itself gets the directory empty. `handoff` is the binary under test; git
//! sees only a configuration of its own (`GIT_CONFIG_GLOBAL`; `HOME` is a fresh directory),
//! with the identity Dana Whitfield <dana@acme.example> (the demo's product manager);
//! `NO_COLOR` is set.
//!
//! To skip a block, put `<!-- no-run: why -->` on the line before its fence, where a reader
//! sees the reason too.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::common::{self, NOW};

/// The path the docs use for the demo repository.
const DEMO_PATH: &str = "/tmp/reply-assist";

/// One ```` ```console ```` block.
#[derive(Debug)]
struct Block {
    file: String,
    /// The line of its opening fence, from 1.
    line: usize,
    steps: Vec<Step>,
    /// Why it is not run, from a `<!-- no-run: … -->` marker.
    no_run: Option<String>,
}

#[derive(Debug)]
struct Step {
    command: String,
    expected: Vec<String>,
}

/// The console blocks of one Markdown text.
fn console_blocks(file: &str, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let fence = lines[at];
        let indent = fence.len() - fence.trim_start().len();
        if fence.trim() != "```console" {
            at += 1;
            continue;
        }
        let no_run = lines[..at]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!-- no-run"))
            .map(|rest| {
                rest.trim_end_matches("-->")
                    .trim_start_matches(':')
                    .trim()
                    .to_string()
            });
        let mut block = Block {
            file: file.to_string(),
            line: at + 1,
            steps: Vec::new(),
            no_run,
        };
        at += 1;
        while at < lines.len() && lines[at].trim() != "```" {
            let line = lines[at].get(indent..).unwrap_or(lines[at].trim_start());
            if let Some(command) = line.strip_prefix("$ ") {
                block.steps.push(Step {
                    command: command.to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(step) = block.steps.last_mut() {
                step.expected.push(line.to_string());
            }
            at += 1;
        }
        blocks.push(block);
        at += 1;
    }
    blocks
}

/// Whether `actual` is what `expected` shows, wildcards included.
fn lines_match(expected: &[String], actual: &[String]) -> bool {
    let expected = trimmed(expected);
    let actual = trimmed(actual);
    match_from(&expected, &actual)
}

fn trimmed(lines: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn match_from(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&line, rest)) if is_any_lines(line) => {
            (0..=actual.len()).any(|skip| match_from(rest, &actual[skip..]))
        }
        Some((&line, rest)) => {
            !actual.is_empty() && line_matches(line, actual[0]) && match_from(rest, &actual[1..])
        }
    }
}

fn is_any_lines(line: &str) -> bool {
    matches!(line.trim(), "..." | "…")
}

/// One line against its pattern: `...` or `…` within it matches any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let pattern = pattern.replace('…', "...");
    let parts: Vec<&str> = pattern.split("...").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || line.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &line[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// README.md and every Markdown file under docs/.
pub(crate) fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("README.md")];
    walk(&root.join("docs"), &mut out);
    out.sort();
    out
}

fn all_blocks() -> Vec<Block> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    documents()
        .iter()
        .flat_map(|path| {
            let name = path.strip_prefix(root).unwrap().to_string_lossy();
            console_blocks(&name, &std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

fn skip_reason(block: &Block) -> Option<String> {
    block.no_run.clone()
}

/// The demo, built once per run by `handoff demo --into DIR --no-open` at [`NOW`] with the
/// machine's configuration kept out; each block gets a copy of it.
fn built_demo() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let scratch = tempfile::tempdir().unwrap().keep();
        let demo = scratch.join("reply-assist");
        let out = common::handoff_command(&scratch, NOW)
            .args(["demo", "--no-open", "--into"])
            .arg(&demo)
            .output()
            .unwrap();
        assert!(out.status.success(), "the demo: {out:?}");
        demo
    })
}

/// The line that separates one command's output from the next one's.
const MARKER: &str = "@@handoff-docs-step@@";

/// Runs a block's commands in a fresh demo; each command's output, as lines.
fn run_block(block: &Block) -> Vec<Vec<String>> {
    let scratch = tempfile::tempdir().unwrap();
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let gitconfig = scratch.path().join("gitconfig");
    std::fs::write(
        &gitconfig,
        "[user]\n\tname = Dana Whitfield\n\temail = dana@acme.example\n\
         [init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let demo = scratch.path().join("reply-assist");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_handoff"));
    let builds_demo = block
        .steps
        .iter()
        .any(|s| s.command.starts_with("handoff demo"));
    if builds_demo {
        std::fs::create_dir_all(&demo).unwrap();
    } else {
        let copied = Command::new("cp")
            .arg("-a")
            .arg(built_demo())
            .arg(&demo)
            .status()
            .unwrap();
        assert!(copied.success(), "copying the demo");
    }
    let mut path = vec![bin.parent().unwrap().to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let environment = |command: &mut Command| {
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("GIT_") {
                command.env_remove(name);
            }
        }
        command
            .env("PATH", std::env::join_paths(&path).unwrap())
            .env("HANDOFF_NOW", NOW)
            .env("NO_COLOR", "1")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("GIT_CONFIG_GLOBAL", &gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null());
    };

    let shown = demo.to_string_lossy().into_owned();
    let mut script = String::from("exec 2>&1\n");
    for step in &block.steps {
        script.push_str(&format!("printf '\\n%s\\n' '{MARKER}'\n"));
        script.push_str(&step.command.replace(DEMO_PATH, &shown));
        script.push('\n');
    }
    let mut bash = Command::new("bash");
    bash.args(["--noprofile", "--norc", "-c", &script])
        .current_dir(&demo);
    environment(&mut bash);
    let out = bash.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace(&shown, DEMO_PATH);
    text.split(&format!("\n{MARKER}\n"))
        .skip(1)
        .map(|chunk| chunk.lines().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_console_example_in_the_docs_prints_what_it_shows() {
    let blocks = all_blocks();
    assert!(
        blocks.len() >= 10,
        "the docs have more console blocks than {}",
        blocks.len()
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in blocks.iter().filter(|b| skip_reason(b).is_none()) {
        ran += 1;
        let outputs = run_block(block);
        for (at, step) in block.steps.iter().enumerate() {
            let actual = outputs.get(at).cloned().unwrap_or_default();
            if !lines_match(&step.expected, &actual) {
                failures.push(format!(
                    "{}:{}: $ {}\n--- expected\n{}\n--- printed\n{}\n",
                    block.file,
                    block.line,
                    step.command,
                    step.expected.join("\n"),
                    actual.join("\n")
                ));
                break;
            }
        }
    }
    assert!(ran > 0, "no console block ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} console blocks differ from what the binary prints:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_wildcards_match_what_they_say_and_nothing_else() {
    let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
    let printed = lines("header · main @ a954b033 · 21 artifacts\none\ntwo\nlast line  ");
    assert!(lines_match(
        &lines("header · ... · 21 artifacts\n...\nlast line"),
        &printed
    ));
    assert!(lines_match(&lines("header…\none\n…\nlast line"), &printed));
    assert!(lines_match(&lines("...\nlast line\n"), &printed));
    // `...` alone matches no line at all too.
    assert!(lines_match(
        &lines("header...\n...\none\ntwo\nlast line"),
        &printed
    ));
    // Without wildcards every line counts, and so does their number.
    assert!(!lines_match(
        &lines("header · main @ a954b033 · 21 artifacts\none\nlast line"),
        &printed
    ));
    assert!(!lines_match(&lines("header...\none\ntwo"), &printed));
    assert!(!lines_match(
        &lines("header · ... · 22 artifacts\n..."),
        &printed
    ));
    assert!(!lines_match(&[], &printed));
    assert!(lines_match(&[], &[]));
    // A wildcard within a line does not reach into the next one.
    assert!(!lines_match(&lines("header...two\nlast line"), &printed));
}

#[test]
fn blocks_are_read_as_commands_outputs_and_markers() {
    let text = "intro\n\n<!-- no-run: needs a network -->\n```console\n$ handoff check\nout 1\n\
                out 2\n$ handoff matrix > m.md\n```\n\n  ```console\n  $ cd x && handoff doctor\n  \
                ok\n  ```\n```sh\n$ not console\n```\n";
    let blocks = console_blocks("README.md", text);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].line, 4);
    assert_eq!(blocks[0].no_run.as_deref(), Some("needs a network"));
    assert_eq!(blocks[0].steps[0].command, "handoff check");
    assert_eq!(blocks[0].steps[0].expected, ["out 1", "out 2"]);
    assert!(blocks[0].steps[1].expected.is_empty());
    assert_eq!(blocks[1].no_run, None);
    assert_eq!(blocks[1].steps[0].command, "cd x && handoff doctor");
    assert_eq!(blocks[1].steps[0].expected, ["ok"]);
}
