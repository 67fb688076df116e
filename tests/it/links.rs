//! Links from an artifact's documents to files of the repository (issue 17, item 1): a link
//! to a file that is not there is `broken-link` at its line; a working link to another
//! artifact makes the two related.

use std::path::Path;

use serde_json::Value;

use crate::common::{self, NOW, TestRepo};

fn check(dir: &Path) -> Value {
    let out = common::handoff_command(dir, NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn broken(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "broken-link")
        .map(|f| {
            (
                f["artifact"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// An RFC corpus as found in the wild: RFC 42 links to the linter policy by a date that is
/// off by two years, and to RFC 7, which exists.
fn corpus() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  eng: { people: [lee@acme.example] }\nartifacts:\n  - id: rfc-42\n    path: rfcs/0042-lint-rollout.md\n    owner: eng\n  - id: rfc-7\n    path: rfcs/0007-linters.md\n    owner: eng\n  - id: policy\n    path: rfcs/20250303-linter-policy.md\n    owner: eng\n",
    );
    repo.write(
        "rfcs/0042-lint-rollout.md",
        "# Lint rollout\n\nFollows [the policy](20230303-linter-policy.md#scope)\nand [RFC 7](./0007-linters.md).\n\n```\n[not a link](nowhere.md)\n```\n\nSee [the site](https://example.com/missing.md).\n",
    );
    repo.write("rfcs/0007-linters.md", "# Linters\n");
    repo.write("rfcs/20250303-linter-policy.md", "# Policy\n");
    repo.commit("RFCs");
    repo
}

#[test]
fn a_link_to_a_file_that_is_not_there_is_reported_at_its_line() {
    let repo = corpus();
    let json = check(repo.path());
    assert_eq!(
        broken(&json),
        vec![("rfc-42".into(), "rfcs/0042-lint-rollout.md".into(), 3)],
        "only the misdated link; code blocks and web links are not judged"
    );

    // Correcting the link settles it.
    repo.write(
        "rfcs/0042-lint-rollout.md",
        "# Lint rollout\n\nFollows [the policy](20250303-linter-policy.md#scope)\nand [RFC 7](./0007-linters.md).\n",
    );
    assert!(broken(&check(repo.path())).is_empty());
}

#[test]
fn a_working_link_to_another_artifact_relates_them_in_the_context_page() {
    let repo = corpus();
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "rfc-7"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("## Related\n\nLinked from or to its documents: `rfc-42`."),
        "{page}"
    );
    // The broken link relates nothing: rfc-42 is related to rfc-7 only.
    let out = common::handoff_command(repo.path(), NOW)
        .args(["context", "rfc-42"])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("Linked from or to its documents: `rfc-7`."),
        "{page}"
    );
}

/// The workbench's detail lists the related artifacts (found once per selection, not per
/// frame) and finds them again when new facts arrive.
#[test]
fn the_detail_lists_related_artifacts_and_follows_new_facts() {
    use handoff::engine::{self, FactsPiece};
    use handoff::tui::action::Action;

    use crate::support::workbench;

    let repo = corpus();
    let mut app = handoff::tui::app_with_facts(repo.path(), &workbench::options(false)).unwrap();
    workbench::select(&mut app, "rfc-7");
    app.handle(Action::Open);
    let related = |app: &mut handoff::tui::app::App| {
        let screen = workbench::text(&workbench::render(app, 100, 30));
        screen
            .lines()
            .find(|l| l.contains("│related"))
            .map(str::to_string)
    };
    let shown = related(&mut app).expect("a related line");
    assert!(shown.contains("rfc-42"), "{shown}");
    assert_eq!(related(&mut app), Some(shown), "the same on the next frame");

    // rfc-42 drops its link to rfc-7, and the facts of that save arrive.
    repo.write("rfcs/0042-lint-rollout.md", "# Lint rollout\n");
    let ws = engine::locate(Some(repo.path())).unwrap();
    let fresh = engine::snapshot(&ws, app.snap.now).unwrap();
    let facts = fresh.facts.of("rfc-42").unwrap().clone();
    app.apply_facts(FactsPiece::Worktree(vec![("rfc-42".into(), facts)]));
    assert_eq!(related(&mut app), None);
}
