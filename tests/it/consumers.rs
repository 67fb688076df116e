//! What handoff writes, read back by the real tools around it: PyYAML (YAML 1.1 rules, what
//! CI scripts and people's own tools use) must read every value `set`, `add` and `sign --note`
//! write as exactly the string the user typed.

use std::path::Path;

use proptest::prelude::*;

use crate::common::{self, TestRepo};
use crate::support::consumers::{python_with_pyyaml, run_python};
use handoff::core::model::load::{load_index, load_ledger_file};
use handoff::yaml::edit::scalar;

const NOW: &str = "2026-11-22T12:00:00Z";

/// Loads each file with `yaml.safe_load` and prints, as JSON, the `k` and the first item of
/// `l` of each (a YAML error or a non-string value shows up as a mismatch).
const LOAD_K_AND_L: &str = r#"
import json, sys, yaml
out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out.append([doc["k"], doc["l"][0]])
print(json.dumps(out, default=repr))
"#;

/// Values of every class the scalar writer must quote, and words it keeps plain.
const TRICKY: &[&str] = &[
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "True",
    "FALSE",
    "~",
    "null",
    "Null",
    "NULL",
    "",
    "=",
    "<<",
    "0",
    "-7",
    "+7",
    "007",
    "0o17",
    "017",
    "0b1010",
    "-0b1",
    "0x1F",
    "1_000",
    "1e5",
    "1E-5",
    "3.14",
    ".5",
    "-.5",
    "1.",
    "1:20",
    "190:20:30",
    "1:20.5",
    ".inf",
    "-.inf",
    "+.inf",
    ".NaN",
    "NaN",
    "2026-01-01",
    "2026-1-1",
    "2026-01-01T00:00:00Z",
    "2026-01-01 10:00:00",
    "2001-12-14 21:59:43.10 -5",
    "12:30",
    "- x",
    "-x",
    "? x",
    "?",
    ":x",
    "#x",
    "&a",
    "*a",
    "!t",
    "|x",
    ">x",
    "'x",
    "\"x",
    "%x",
    "@x",
    "`x",
    "[x]",
    "{x}",
    " x",
    "x ",
    "a  b",
    "a #b",
    "a: b",
    "a:",
    "a?b",
    "a,b",
    "a\tb",
    "a\nb",
    "a\rb",
    "a\u{85}b",
    "a\u{2028}b",
    "a\u{2029}b",
    "a\u{7f}b",
    "a\u{9f}b",
    "\u{feff}x",
    "a\u{a0}b",
    "a\u{1b}[31mb",
    "quote \" and \\",
    "Dana's PRD (v2)",
    "PRD — Reply Assist",
    "日本語",
    "a:b",
    "a#b",
    "2nd draft",
    "v1.2",
    "dana@acme.example",
    "https://docs.example/prd?a=1#top",
];

/// Writes each value with handoff's scalar writer as a block value and a flow item, and
/// returns what PyYAML read back, in order.
fn pyyaml_reads(python: &Path, values: &[String]) -> Vec<[String; 2]> {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(n, v)| {
            let path = dir.path().join(format!("{n}.yaml"));
            let text = format!("k: {}\nl: [{}, x]\n", scalar(v), scalar(v));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let args: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    serde_json::from_str(&run_python(python, LOAD_K_AND_L, &args)).unwrap()
}

#[test]
fn pyyaml_reads_every_class_of_scalar_as_the_string_written() {
    let Some(python) = python_with_pyyaml() else {
        return;
    };
    let values: Vec<String> = TRICKY.iter().map(|s| s.to_string()).collect();
    for (value, read) in values.iter().zip(pyyaml_reads(&python, &values)) {
        assert_eq!(
            read,
            [value.clone(), value.clone()],
            "written as {}",
            scalar(value)
        );
    }
}

/// Strings the writer must get right: tricky tokens, joined and padded, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    let token = prop::sample::select(TRICKY.to_vec()).prop_map(str::to_string);
    let joined = prop::collection::vec(token.clone(), 1..4).prop_map(|t| t.concat());
    prop_oneof![
        token,
        joined,
        "[ -~]{1,12}",
        "[0-9eExob_.:+ -]{1,10}",
        any::<String>().prop_map(|s| s.chars().take(16).collect()),
    ]
    .prop_filter("arguments hold no NUL", |s| !s.contains('\0'))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pyyaml_reads_any_string_as_written(values in prop::collection::vec(value(), 1..40)) {
        let Some(python) = python_with_pyyaml() else {
            return Ok(());
        };
        for (value, read) in values.iter().zip(pyyaml_reads(&python, &values)) {
            prop_assert_eq!(&read, &[value.clone(), value.clone()], "written as {}", scalar(value));
        }
    }
}

/// Reads the titles of every artifact and the notes of the ledger with `yaml.safe_load`.
const LOAD_TITLES_AND_NOTES: &str = r#"
import json, sys, yaml
with open(sys.argv[1], encoding="utf-8") as f:
    index = yaml.safe_load(f)
with open(sys.argv[2], encoding="utf-8") as f:
    ledger = yaml.safe_load(f)
titles = [a.get("title") for a in index["artifacts"] if a["id"] != "doc"]
notes = [r.get("note") for r in ledger]
print(json.dumps([titles, notes], default=repr))
"#;

/// A repository whose index holds `n` external artifacts without titles and one document
/// `doc` that the test user (in role `pm`) may approve.
fn repo_with_artifacts(n: usize) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "test@example.com"]);
    repo.git(&["config", "user.name", "Test User"]);
    let mut index = String::from(
        "version: 1\nroles:\n  pm: { title: PM, people: [test@example.com] }\nartifacts:\n  \
         - id: doc\n    path: docs/doc.md\n    owner: pm\n    reviewers: [pm]\n",
    );
    for i in 0..n {
        index.push_str(&format!(
            "  - id: a{i}\n    url: https://x.example/{i}\n    owner: pm\n"
        ));
    }
    repo.write("handoff.yaml", &index);
    repo.write("docs/doc.md", "# Doc\n");
    repo.commit("Start the handoff");
    repo
}

fn handoff_ok(repo: &TestRepo, args: &[&str]) {
    let out = common::handoff_command(repo.path(), NOW)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "handoff {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What `set` and `sign --note` wrote, read back: by PyYAML and by handoff's own loaders,
/// each as (titles, notes).
struct ReadBack {
    pyyaml: (Vec<String>, Vec<String>),
    handoff: (Vec<String>, Vec<String>),
}

/// `handoff set aN title VALUE` and `handoff sign doc --note VALUE` for each value, then both
/// readers over the files.
fn set_and_sign(python: &Path, values: &[String]) -> ReadBack {
    let repo = repo_with_artifacts(values.len());
    for (i, value) in values.iter().enumerate() {
        handoff_ok(&repo, &["set", &format!("a{i}"), "title", "--", value]);
        let note = format!("--note={value}");
        handoff_ok(
            &repo,
            &["sign", "doc", "--action", "approve", "--role", "pm", &note],
        );
    }
    let index_path = repo.abs("handoff.yaml");
    let ledger_path = repo.abs(".handoff/signoffs/doc.yaml");
    let printed = run_python(python, LOAD_TITLES_AND_NOTES, &[&index_path, &ledger_path]);
    let index = load_index("handoff.yaml", &std::fs::read(&index_path).unwrap()).unwrap();
    let titles = index.artifacts[1..]
        .iter()
        .map(|a| a.title.clone().unwrap_or_default())
        .collect();
    let (records, problems) =
        load_ledger_file("doc", "doc.yaml", &std::fs::read(&ledger_path).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
    let notes = records
        .iter()
        .map(|r| r.note.clone().unwrap_or_default())
        .collect();
    ReadBack {
        pyyaml: serde_json::from_str(&printed).unwrap(),
        handoff: (titles, notes),
    }
}

#[test]
fn values_the_issue_names_read_back_as_typed_after_set_and_sign() {
    let Some(python) = python_with_pyyaml() else {
        return;
    };
    let values: Vec<String> = [
        "+.inf",
        "0b1010",
        "2026-01-01T00:00:00Z",
        "=",
        "yes",
        "a?b",
        "1:20",
    ]
    .map(String::from)
    .to_vec();
    let read = set_and_sign(&python, &values);
    let expected = (values.clone(), values);
    assert_eq!(read.pyyaml, expected, "PyYAML");
    assert_eq!(read.handoff, expected, "handoff");
}

#[test]
fn titles_given_to_add_read_back_as_typed() {
    let Some(python) = python_with_pyyaml() else {
        return;
    };
    let repo = repo_with_artifacts(0);
    handoff_ok(
        &repo,
        &[
            "add",
            "artifact",
            "a0",
            "--url",
            "https://x.example/0",
            "--owner",
            "pm",
            "--title",
            "+.inf",
            "--description",
            "2026-01-01T00:00:00Z",
        ],
    );
    handoff_ok(
        &repo,
        &[
            "add",
            "role",
            "ops",
            "--title",
            "=",
            "--people",
            "ops@acme.example",
        ],
    );
    let script = r#"
import json, sys, yaml
with open(sys.argv[1], encoding="utf-8") as f:
    index = yaml.safe_load(f)
a0 = index["artifacts"][1]
print(json.dumps([a0["title"], a0["description"], index["roles"]["ops"]["title"]], default=repr))
"#;
    let read: Vec<String> =
        serde_json::from_str(&run_python(&python, script, &[&repo.abs("handoff.yaml")])).unwrap();
    assert_eq!(read, ["+.inf", "2026-01-01T00:00:00Z", "="]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Any value through the command line: PyYAML and handoff see exactly the string given
    /// (a note trimmed, as handoff keeps notes).
    #[test]
    fn set_titles_and_sign_notes_read_back_identically_in_pyyaml_and_handoff(
        values in prop::collection::vec(
            value().prop_filter("handoff refuses blank values", |s| !s.trim().is_empty()),
            1..16,
        )
    ) {
        let Some(python) = python_with_pyyaml() else {
            return Ok(());
        };
        let notes: Vec<String> = values.iter().map(|v| v.trim().to_string()).collect();
        let read = set_and_sign(&python, &values);
        prop_assert_eq!(&read.pyyaml, &(values.clone(), notes.clone()), "PyYAML");
        prop_assert_eq!(&read.handoff, &(values, notes), "handoff");
    }
}
