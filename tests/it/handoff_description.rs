//! The handoff's own description: where its `placeholder-description` finding points, in
//! every format that locates findings.

use crate::common::TestRepo;
use crate::import::{handoff, ok};

const PLACEHOLDER: &str = "One or two sentences: what this project is and who relies on it.";

/// A repository whose index holds the placeholder on line 3, column 14 (after a comment).
fn repo_with_placeholder() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\n# What this handoff is for.\ndescription: \"{PLACEHOLDER}\"\nname: Support bot\nroles:\n  pm: {{ people: [dana@acme.example] }}\nartifacts: []\n"
        ),
    );
    repo.commit("Start the handoff");
    repo
}

/// The handoff's own findings (no artifact) in `handoff check --format json`.
fn own_findings(repo: &TestRepo) -> Vec<serde_json::Value> {
    let report: serde_json::Value =
        serde_json::from_str(&ok(repo, &["check", "--format", "json"])).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["artifact"].is_null())
        .cloned()
        .collect()
}

#[test]
fn the_handoffs_placeholder_finding_points_at_its_description() {
    let repo = repo_with_placeholder();
    let own = own_findings(&repo);
    assert_eq!(own.len(), 1, "{own:#?}");
    assert_eq!(own[0]["code"], "placeholder-description");
    assert_eq!(own[0]["file"], "handoff.yaml");
    assert_eq!(
        (&own[0]["line"], &own[0]["column"]),
        (&3.into(), &14.into())
    );

    let github = ok(&repo, &["check", "--format", "github"]);
    assert!(
        github.contains("::notice file=handoff.yaml,line=3,col=14,title=placeholder-description::"),
        "{github}"
    );

    let out = handoff(&repo, &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "placeholder-description")
        .expect("a SARIF result");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"]),
        (&3.into(), &14.into()),
        "{result:#}"
    );
}
