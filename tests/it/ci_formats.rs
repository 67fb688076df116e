//! `check --format github|junit|sarif` as CI systems read them: a `handoff.yaml` that does not
//! load is annotated at its errors, the SARIF log carries what GitHub code scanning asks for,
//! and JUnit XML is read by `junitparser`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{self, TestRepo};
use crate::support::consumers::{python_with, run_python};

const NOW: &str = "2026-11-22T12:00:00Z";

fn check(dir: &Path, format: &str) -> Output {
    common::handoff_command(dir, NOW)
        .args(["check", "--format", format])
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A repository whose `handoff/handoff.yaml` has two load errors: an unknown key at 6:5 (with
/// a suggestion and help) and an unknown role at 10:12.
fn broken_index_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff/handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: a\n    \
         reviewer: [pm]\n    path: docs/a.md\n    owner: pm\n  - id: b\n    owner: nobody\n    \
         path: b.md\n",
    );
    repo.commit("A broken handoff");
    repo
}

#[test]
fn a_broken_index_becomes_github_error_annotations_at_its_lines() {
    let repo = broken_index_repo();
    let out = check(&repo.abs("handoff"), "github");
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=handoff/handoff.yaml,line=6,col=5,title=load-error::unknown key \
             `reviewer` in artifact `a`, did you mean `reviewers`?%0Ahelp: known keys: id,"
        ),
        "{text}"
    );
    assert!(
        lines[1].starts_with(
            "::error file=handoff/handoff.yaml,line=10,col=12,title=load-error::unknown role \
             `nobody` in `owner`"
        ),
        "{text}"
    );
    assert_eq!(
        lines[2],
        "handoff: handoff/handoff.yaml does not load · 2 errors · FAIL"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("handoff.yaml:6:5: error: unknown key `reviewer`"),
        "{stderr}"
    );
}

#[test]
fn a_broken_index_becomes_sarif_results_with_their_regions() {
    let repo = broken_index_repo();
    let out = check(&repo.abs("handoff"), "sarif");
    assert_eq!(out.status.code(), Some(2));
    let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "load-error");
    let results = run["results"].as_array().unwrap();
    let places: Vec<(String, u64, u64, String)> = results
        .iter()
        .map(|r| {
            assert_eq!(r["ruleId"], "load-error");
            assert_eq!(r["ruleIndex"], 0);
            assert_eq!(r["level"], "error");
            let physical = &r["locations"][0]["physicalLocation"];
            (
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                physical["region"]["startLine"].as_u64().unwrap(),
                physical["region"]["startColumn"].as_u64().unwrap(),
                r["message"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(places.len(), 2);
    assert_eq!(
        (&places[0].0[..], places[0].1, places[0].2),
        ("handoff/handoff.yaml", 6, 5)
    );
    assert!(
        places[0]
            .3
            .starts_with("unknown key `reviewer` in artifact `a`")
    );
    assert!(places[0].3.contains("\nhelp: known keys:"));
    assert_eq!(
        (&places[1].0[..], places[1].1, places[1].2),
        ("handoff/handoff.yaml", 10, 12)
    );
}

/// Reads a JUnit file with junitparser and prints, as JSON, each suite's counts and each
/// case's name, result types and messages, and its time.
const JUNIT_SUMMARY: &str = r#"
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in xml:
    cases = [{"name": c.name, "classname": c.classname, "time": c.time,
              "results": [[type(r).__name__, r.type, r.message, r.text] for r in c.result]}
             for c in suite]
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                   "errors": suite.errors, "time": suite.time, "cases": cases})
print(json.dumps(suites))
"#;

/// What junitparser reads from `xml`, or `None` when it is not installed (outside CI).
pub fn junitparser_reads(xml: &str) -> Option<Value> {
    let python = python_with(&[("junitparser", "junitparser")])?;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    Some(serde_json::from_str(&run_python(&python, JUNIT_SUMMARY, &[&file])).unwrap())
}

#[test]
fn a_broken_index_becomes_a_junit_failure_junitparser_reads() {
    let repo = broken_index_repo();
    let out = check(&repo.abs("handoff"), "junit");
    assert_eq!(out.status.code(), Some(2));
    let xml = stdout(&out);
    assert!(xml.contains("<failure type=\"load-error\""), "{xml}");
    let Some(suites) = junitparser_reads(&xml) else {
        return;
    };
    let suite = &suites[0];
    assert_eq!(
        (&suite["tests"], &suite["failures"]),
        (&1.into(), &1.into())
    );
    let case = &suite["cases"][0];
    assert_eq!(case["name"], "handoff/handoff.yaml");
    let failure = &case["results"][0];
    assert_eq!(failure[0], "Failure");
    assert_eq!(failure[1], "load-error");
    assert_eq!(failure[2], "handoff/handoff.yaml does not load: 2 errors");
    let body = failure[3].as_str().unwrap();
    assert!(
        body.contains("handoff/handoff.yaml:6:5: unknown key `reviewer` in artifact `a`"),
        "{body}"
    );
    assert!(body.contains("\n  help: defined roles: pm"), "{body}");
}

/// The demo handoff, with a remote whose URL carries a token (as CI clones do).
fn demo_with_remote() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = handoff(
        tmp.path(),
        &["demo", "--no-open", "--into", dir.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::git(
        &dir,
        &[
            "remote",
            "add",
            "origin",
            "https://x-access-token:ghs_secret@github.com/acme/reply-assist.git",
        ],
    );
    (tmp, dir)
}

fn handoff(cwd: &Path, args: &[&str]) -> Output {
    common::handoff_command(cwd, NOW)
        .args(args)
        .output()
        .unwrap()
}

fn sarif_of(dir: &Path) -> Value {
    serde_json::from_str(&stdout(&check(dir, "sarif"))).unwrap()
}

#[test]
fn sarif_names_the_tool_the_code_it_checked_and_how_to_fix_each_rule() {
    let (_tmp, dir) = demo_with_remote();
    let sarif = sarif_of(&dir);
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    for rule in driver["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let name = rule["name"].as_str().unwrap();
        assert!(name.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
        assert_ne!(name.to_lowercase(), id.replace('-', ""), "{id}");
        let readme = format!(
            "{}/blob/main/docs/reference/findings.md#findings",
            env!("CARGO_PKG_REPOSITORY")
        );
        assert_eq!(rule["helpUri"], readme.as_str());
        let text = rule["help"]["text"].as_str().unwrap();
        let markdown = rule["help"]["markdown"].as_str().unwrap();
        assert!(text.contains(" Fix: ") && text.ends_with(&readme), "{text}");
        assert!(markdown.contains(&format!("]({readme})")), "{markdown}");
    }
    let missing = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "missing")
        .unwrap();
    assert_eq!(missing["name"], "ArtifactPathMissing");
    assert!(
        missing["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("`handoff set ID path NEW`")
    );

    let root = std::fs::canonicalize(&dir).unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let provenance = &run["versionControlProvenance"][0];
    assert_eq!(
        provenance["repositoryUri"], "https://github.com/acme/reply-assist.git",
        "the token is never published"
    );
    assert_eq!(
        provenance["revisionId"],
        common::git(&dir, &["rev-parse", "HEAD"])
    );
    assert_eq!(provenance["branch"], "main");
    assert!(!stdout(&check(&dir, "sarif")).contains("ghs_secret"));
}

#[test]
fn sarif_without_a_remote_has_no_provenance_but_its_root() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n",
    );
    repo.commit("A handoff");
    let run = &sarif_of(repo.path())["runs"][0];
    assert!(run.get("versionControlProvenance").is_none(), "{run}");
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
}

/// Runs the SARIF Multitool's `validate` with its SARIF and GitHub rules on `sarif`; the
/// results at level error or warning, as "RULE: message" lines.
fn multitool_complaints(tool: &Path, sarif: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("handoff.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).unwrap();
    let out = std::process::Command::new(tool)
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--level",
            "Error;Warning",
            "-o",
        ])
        .arg(&output)
        .arg(&input)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap_or_else(|e| {
        panic!(
            "the multitool wrote no log ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    }))
    .unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

#[test]
fn sarif_multitool_with_github_rules_finds_no_error_or_warning() {
    let Some(tool) = crate::support::consumers::sarif_multitool() else {
        return;
    };
    let (_tmp, dir) = demo_with_remote();
    let complaints = multitool_complaints(&tool, &stdout(&check(&dir, "sarif")));
    assert!(complaints.is_empty(), "{complaints:#?}");

    let broken = broken_index_repo();
    let complaints = multitool_complaints(&tool, &stdout(&check(&broken.abs("handoff"), "sarif")));
    assert!(complaints.is_empty(), "{complaints:#?}");
}

#[test]
fn junit_says_how_long_the_check_took() {
    let (_tmp, dir) = demo_with_remote();
    let xml = stdout(&check(&dir, "junit"));
    let time = |tag: &str| -> f64 {
        let start = xml.find(&format!("<{tag} ")).unwrap();
        let element = &xml[start..start + xml[start..].find('>').unwrap()];
        let value = element.split("time=\"").nth(1).expect("a time attribute");
        value[..value.find('"').unwrap()].parse().unwrap()
    };
    assert!(time("testsuites") > 0.0);
    assert_eq!(time("testsuites"), time("testsuite"));
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches(" time=\"0\"").count()
    );
    let Some(suites) = junitparser_reads(&xml) else {
        return;
    };
    assert_eq!(suites[0]["time"].as_f64().unwrap(), time("testsuite"));
    // One case per artifact (21) and one per scorecard rule (7).
    assert_eq!(suites[0]["cases"].as_array().unwrap().len(), 28);
}

/// Writes each annotation `[command, {file, line, col, title}, message]` read from standard
/// input with `@actions/core`, as a GitHub action would.
const ACTIONS_CORE_WRITE: &str = r#"
import * as core from '@actions/core';
import { readFileSync } from 'fs';
for (const [command, p, message] of JSON.parse(readFileSync(0, 'utf8'))) {
  const properties = { title: p.title, file: p.file };
  if (p.line) properties.startLine = Number(p.line);
  if (p.col) properties.startColumn = Number(p.col);
  core[command](message, properties);
}
"#;

/// One workflow command: its name, its properties (values as escaped) and its escaped data.
type WorkflowCommand = (String, std::collections::BTreeMap<String, String>, String);

fn parse_command(line: &str) -> WorkflowCommand {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, data) = rest.split_once("::").expect("::data");
    let (name, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect();
    (name.to_string(), properties, data.to_string())
}

/// The inverse of the workflow-command escaping: what the runner reads.
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_annotations_are_escaped_exactly_as_actions_core_escapes_them() {
    let Some(prefix) = crate::support::consumers::actions_core_prefix() else {
        return;
    };
    let (_tmp, demo) = demo_with_remote();
    let hostile = TestRepo::new();
    hostile.write(
        "h/handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n\
         kinds:\n  prd: { required_sections: [\"Plan: 100%, done\"] }\n\
         artifacts:\n  - id: prd\n    kind: prd\n    path: \"docs/a,b:c%25.md\"\n    owner: pm\n",
    );
    hostile.write("h/docs/a,b:c%25.md", "# PRD\n");
    hostile.commit("A handoff with every character workflow commands escape");
    let broken = broken_index_repo();
    let mut ours: Vec<String> = Vec::new();
    for dir in [demo, hostile.abs("h"), broken.abs("handoff")] {
        let out = stdout(&check(&dir, "github"));
        ours.extend(
            out.lines()
                .filter(|l| l.starts_with("::"))
                .map(String::from),
        );
    }
    assert!(
        ours.iter()
            .any(|l| l.contains("%2C") && l.contains("%3A") && l.contains("%25"))
    );
    assert!(ours.iter().any(|l| l.contains("%0A")));

    let commands: Vec<WorkflowCommand> = ours.iter().map(|l| parse_command(l)).collect();
    let input: Vec<Value> = commands
        .iter()
        .map(|(name, p, data)| {
            let property = |k: &str| p.get(k).map(|v| unescape(v));
            serde_json::json!([name, {
                "file": property("file"), "line": property("line"),
                "col": property("col"), "title": property("title"),
            }, unescape(data)])
        })
        .collect();
    let mut node = std::process::Command::new("node")
        .args(["--input-type=module", "-e", ACTIONS_CORE_WRITE])
        .current_dir(&prefix)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let json = serde_json::to_vec(&input).unwrap();
    std::io::Write::write_all(&mut node.stdin.take().unwrap(), &json).unwrap();
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success());
    let theirs: Vec<WorkflowCommand> = stdout(&out).lines().map(parse_command).collect();
    assert_eq!(theirs.len(), commands.len());
    for (ours, theirs) in commands.iter().zip(&theirs) {
        assert_eq!(ours, theirs);
    }
}
