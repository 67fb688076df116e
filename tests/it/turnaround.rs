//! The turnaround SLA: a kind's `signoff_within` and `signoff-overdue`, on the demo, where
//! the `prd` kind allows 14 days and Sam's re-approval of PRD v4 has waited since day 25.

use serde_json::Value;

use crate::common;

fn findings(dir: &std::path::Path) -> Vec<Value> {
    let out = common::handoff_command(dir, common::NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["findings"].as_array().unwrap().clone()
}

#[test]
fn a_sign_off_waiting_beyond_signoff_within_is_overdue_until_the_kind_allows_longer() {
    let (_tmp, dir) = common::sample_repo();
    let all = findings(&dir);
    let of = |code: &str| -> Vec<&Value> {
        all.iter()
            .filter(|f| f["artifact"] == "prd" && f["code"] == code)
            .collect()
    };
    let overdue = of("signoff-overdue");
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    let (overdue, cause) = (overdue[0], of("changed-since-signoff")[0]);
    assert_eq!(overdue["severity"], "warning");
    // Waiting on the roles of the change that required it, since that change.
    assert_eq!(overdue["roles"], cause["roles"]);
    assert_eq!(overdue["since"], cause["since"]);
    let message = overdue["message"].as_str().unwrap();
    let changed = &cause["since"].as_str().unwrap()[..10];
    assert!(
        message.contains(&format!(
            "since the change that required it (changed-since-signoff, {changed})"
        )),
        "{message}"
    );
    assert!(message.contains("signoff_within of 14d"), "{message}");
    // The only overdue sign-off: the other kinds set no allowance.
    assert_eq!(of_code(&all, "signoff-overdue").len(), 1);

    let out = common::handoff_command(&dir, common::NOW)
        .args(["set", "--kind", "prd", "signoff_within", "30d"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(of_code(&findings(&dir), "signoff-overdue").is_empty());
}

fn of_code<'a>(all: &'a [Value], code: &str) -> Vec<&'a Value> {
    all.iter().filter(|f| f["code"] == code).collect()
}

const DAY: i64 = 86_400;

/// A spec owned by `pm` whose kind asks `legal` to sign and allows 5 days; `ops` reviews it
/// from day 0 and `qa` from day 4 (a block list, each role on its own line).
fn first_signoffs_repo() -> common::TestRepo {
    let repo = common::TestRepo::new();
    let index = |reviewers: &str| {
        format!(
            "version: 1\nname: Waits\nroles:\n  pm: {{ title: PM, people: [pm@x.example] }}\n  ops: {{ title: Ops, people: [ops@x.example] }}\n  qa: {{ title: QA, people: [qa@x.example] }}\n  legal: {{ title: Legal, people: [legal@x.example] }}\nkinds:\n  spec:\n    signoff: [legal]\n    signoff_within: 5d\nartifacts:\n  - id: spec\n    title: Spec\n    kind: spec\n    path: spec.md\n    owner: pm\n    reviewers:\n{reviewers}"
        )
    };
    repo.write("spec.md", "# Spec\n");
    repo.write("handoff.yaml", &index("      - ops\n"));
    repo.commit_at("Start the handoff", common::EPOCH);
    repo.write("handoff.yaml", &index("      - ops\n      - qa\n"));
    repo.commit_at("QA reviews the spec too", common::EPOCH + 4 * DAY);
    repo
}

fn findings_at(dir: &std::path::Path, now: i64) -> Vec<Value> {
    let now = jiff::Timestamp::from_second(now).unwrap().to_string();
    let out = common::handoff_command(dir, &now)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    json["findings"].as_array().unwrap().clone()
}

fn overdue_roles(all: &[Value]) -> Vec<String> {
    let mut roles: Vec<String> = of_code(all, "signoff-overdue")
        .iter()
        .map(|f| f["role"].as_str().unwrap().to_string())
        .collect();
    roles.sort();
    roles
}

/// A sign-off nobody ever gave has waited since the index first asked for it: the line naming
/// the role (its `reviewers` item, the kind's `signoff` with the artifact's `kind:`, or the
/// `owner:` line for the owner's acceptance), as `git blame` dates it.
#[test]
fn a_sign_off_never_given_waits_from_the_line_that_asked_for_it() {
    let repo = first_signoffs_repo();
    // Day 7: ops, legal and the owner's acceptance have waited 7 days; qa only 3.
    let day7 = findings_at(repo.path(), common::EPOCH + 7 * DAY);
    assert_eq!(overdue_roles(&day7), ["legal", "ops", "pm"], "{day7:#?}");
    let unsigned_since = |all: &[Value], role: &str| {
        all.iter()
            .find(|f| f["code"] == "unsigned" && f["role"] == role)
            .map(|f| f["since"].clone())
            .unwrap()
    };
    assert_eq!(unsigned_since(&day7, "ops"), "2024-01-01T00:00:00Z");
    assert_eq!(unsigned_since(&day7, "qa"), "2024-01-05T00:00:00Z");
    let accept = of_code(&day7, "signoff-overdue")
        .into_iter()
        .find(|f| f["role"] == "pm")
        .unwrap();
    assert!(
        accept["message"]
            .as_str()
            .unwrap()
            .contains("(owner-not-accepted, 2024-01-01)"),
        "{accept}"
    );
    // Day 10: qa too.
    let day10 = findings_at(repo.path(), common::EPOCH + 10 * DAY);
    assert_eq!(overdue_roles(&day10), ["legal", "ops", "pm", "qa"]);

    // A reviewer added in the working copy has not waited at all.
    let text = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    repo.write("handoff.yaml", &format!("{text}      - legal\n"));
    let edited = findings_at(repo.path(), common::EPOCH + 10 * DAY);
    assert!(
        edited
            .iter()
            .any(|f| f["code"] == "unsigned" && f["role"] == "legal" && f["since"].is_null()),
        "{edited:#?}"
    );
}
