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
