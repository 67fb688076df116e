//! The sign-off ledger is evidence, not configuration: a record counts only if some commit
//! appended it at the end of its file, by someone who was in the role in that commit's
//! `handoff.yaml`. Malformed records, records naming unknown roles, records by someone not in
//! the role at the time, and every rewrite of past records (changed, removed, reordered,
//! inserted) — in history or in the working copy — are `invalid-signoff` findings naming the
//! commit and the record, and the record is not trusted.

use crate::support::reliability as support;

use std::time::Instant;

use crate::common::TestRepo;
use handoff::core::model::ledger_history::{Membership, RewriteKind};
use handoff::repo::facts::{ledger_history::ledger_history, open_repo};
use handoff::repo::workspace::Workspace;
use support::*;

const LEDGER: &str = ".handoff/signoffs/prd.yaml";
const T1: &str = "2026-10-01T10:00:00Z";
const T2: &str = "2026-10-02T10:00:00Z";
const T3: &str = "2026-10-03T10:00:00Z";

fn prd_fingerprint(repo: &TestRepo) -> String {
    repo.head_object("docs/prd.md").unwrap()
}

/// A record of `prd` at its fingerprint in HEAD.
fn prd_record(repo: &TestRepo, action: &str, by: &str, role: &str, at: &str) -> String {
    record(action, by, role, at, &prd_fingerprint(repo))
}

fn approve_by_rosa(repo: &TestRepo, at: &str) -> String {
    prd_record(repo, "approve", "rosa@acme.example", "ops", at)
}

/// Rosa appends an approval of `prd` and commits it.
fn rosa_approves(repo: &TestRepo, at: &str) {
    append(repo, &approve_by_rosa(repo, at));
    repo.commit_as("rosa@acme.example", "rosa approves");
}

fn append(repo: &TestRepo, text: &str) {
    let path = repo.abs(LEDGER);
    let mut current = std::fs::read_to_string(&path).unwrap_or_default();
    current.push_str(text);
    repo.write(LEDGER, &current);
}

fn invalid_signoffs(json: &serde_json::Value) -> Vec<String> {
    findings_of(json, "prd")
        .into_iter()
        .filter(|(code, _)| code == "invalid-signoff")
        .map(|(_, message)| message)
        .collect()
}

/// The one `invalid-signoff` of `prd`, which must start with `prefix`.
fn only_invalid_starting_with(json: &serde_json::Value, prefix: &str) -> String {
    let invalid = invalid_signoffs(json);
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    assert!(invalid[0].starts_with(prefix), "{}", invalid[0]);
    invalid[0].clone()
}

fn history(repo: &TestRepo) -> handoff::core::model::LedgerHistory {
    let ws = Workspace::discover(repo.path()).unwrap();
    let git = open_repo(&ws).unwrap();
    ledger_history(&git, &ws).unwrap()
}

#[test]
fn records_appended_by_members_are_trusted() {
    let repo = handoff_repo();
    rosa_approves(&repo, T1);
    append(
        &repo,
        &prd_record(&repo, "accept", "dana@acme.example", "pm", T2),
    );
    repo.commit_as("dana@acme.example", "dana accepts");
    let (_, json) = check_json(repo.path());
    assert_eq!(codes_of(&json, "prd"), Vec::<String>::new(), "{json:#}");

    let history = history(&repo);
    let prd = &history.files["prd"];
    assert_eq!(prd.head.len(), 2);
    assert!(prd.rewrites.is_empty());
    assert!(
        prd.appended
            .values()
            .all(|a| a.membership == Membership::Member && !a.at_boundary)
    );
}

#[test]
fn a_record_by_someone_not_in_the_role_at_that_time_is_not_trusted() {
    let repo = handoff_repo();
    // lee signs as ops while ops is rosa alone...
    append(
        &repo,
        &prd_record(&repo, "approve", "lee@acme.example", "ops", T1),
    );
    let forged = repo.commit_as("lee@acme.example", "lee approves");
    // ...and is added to ops afterwards: the record would count now, were it trusted.
    repo.write(
        "handoff.yaml",
        &INDEX.replace(
            "[rosa@acme.example]",
            "[rosa@acme.example, lee@acme.example]",
        ),
    );
    repo.commit_as("dana@acme.example", "lee joins ops");
    let (code, json) = check_json(repo.path());
    assert_eq!(code, 1);
    let message = only_invalid_starting_with(
        &json,
        &format!(
            "lee@acme.example was not in role `ops` when this record was committed in commit {} (lee@acme.example, ",
            &forged[..8]
        ),
    );
    assert!(message.ends_with("its people were rosa@acme.example"));
    assert!(
        codes_of(&json, "prd").contains(&"unsigned".to_string()),
        "the approval does not count"
    );
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "invalid-signoff")
        .unwrap();
    assert_eq!(finding["file"], LEDGER);
    assert_eq!(finding["line"], 1);
}

#[test]
fn a_member_who_left_the_role_is_no_error_but_no_longer_counts() {
    let repo = handoff_repo();
    rosa_approves(&repo, T1);
    repo.write(
        "handoff.yaml",
        &INDEX.replace("[rosa@acme.example]", "[sam@acme.example]"),
    );
    repo.commit_as("dana@acme.example", "sam takes over ops");
    let (_, json) = check_json(repo.path());
    assert!(invalid_signoffs(&json).is_empty(), "{json:#}");
    assert!(codes_of(&json, "prd").contains(&"unsigned".to_string()));
}

#[test]
fn an_edited_past_record_is_reported_with_its_commit_until_restored() {
    let repo = handoff_repo();
    let old_fingerprint = prd_fingerprint(&repo);
    rosa_approves(&repo, T1);
    // The PRD changes; instead of a new approval, someone edits the old record's fingerprint.
    repo.write("docs/prd.md", "# PRD\n\nNew scope.\n");
    repo.commit_as("dana@acme.example", "New scope");
    let new_fingerprint = prd_fingerprint(&repo);
    let ledger = std::fs::read_to_string(repo.abs(LEDGER)).unwrap();
    repo.write(LEDGER, &ledger.replace(&old_fingerprint, &new_fingerprint));
    let edit = repo.commit_as("mallory@acme.example", "Tidy the ledger");

    let (_, json) = check_json(repo.path());
    let message = only_invalid_starting_with(
        &json,
        &format!(
            "this record was changed in commit {} (mallory@acme.example, ",
            &edit[..8]
        ),
    );
    assert!(
        message.ends_with("it was the `approve` by rosa@acme.example as ops on 2026-10-01 record"),
        "{}",
        message
    );
    assert!(
        codes_of(&json, "prd").contains(&"unsigned".to_string()),
        "the edited approval is not trusted"
    );
    let history = history(&repo);
    assert_eq!(history.files["prd"].rewrites[0].kind, RewriteKind::Changed);
    assert_eq!(history.files["prd"].rewrites[0].commit.id, edit);

    // Putting the record back as it was committed settles it; the PRD then shows as changed
    // since the approval, which is the truth.
    repo.write(LEDGER, &ledger);
    repo.commit_as("dana@acme.example", "Restore the ledger");
    let (_, json) = check_json(repo.path());
    assert!(invalid_signoffs(&json).is_empty(), "{json:#}");
    assert!(codes_of(&json, "prd").contains(&"changed-since-signoff".to_string()));
}

#[test]
fn a_removed_record_is_reported_until_put_back() {
    let repo = handoff_repo();
    rosa_approves(&repo, T1);
    let with_approval = std::fs::read_to_string(repo.abs(LEDGER)).unwrap();
    append(
        &repo,
        &prd_record(&repo, "revoke", "rosa@acme.example", "ops", T2),
    );
    repo.commit_as("rosa@acme.example", "rosa revokes");
    // Dropping the revoke would bring the approval back.
    repo.write(LEDGER, &with_approval);
    let removal = repo.commit_as("mallory@acme.example", "Drop the revoke");
    let (_, json) = check_json(repo.path());
    let message = only_invalid_starting_with(
        &json,
        &format!(
            "the `revoke` by rosa@acme.example as ops on 2026-10-02 record was removed in commit {} (mallory@acme.example, ",
            &removal[..8]
        ),
    );
    assert!(message.contains("\"Drop the revoke\""));
}

#[test]
fn reordered_records_are_not_trusted() {
    let repo = handoff_repo();
    let approve = approve_by_rosa(&repo, T1);
    let revoke = prd_record(&repo, "revoke", "rosa@acme.example", "ops", T2);
    append(&repo, &approve);
    append(&repo, &revoke);
    repo.commit_as("rosa@acme.example", "rosa approves, then revokes");
    // Moving the approval after the revoke would make it stand.
    repo.write(LEDGER, &format!("{revoke}{approve}"));
    let reorder = repo.commit_as("mallory@acme.example", "Sort the ledger");
    let (_, json) = check_json(repo.path());
    only_invalid_starting_with(
        &json,
        &format!("this record was moved in commit {}", &reorder[..8]),
    );
    assert!(
        codes_of(&json, "prd").contains(&"unsigned".to_string()),
        "the moved approval does not stand"
    );
}

#[test]
fn an_inserted_record_before_earlier_ones_is_not_trusted() {
    let repo = handoff_repo();
    rosa_approves(&repo, T2);
    let ledger = std::fs::read_to_string(repo.abs(LEDGER)).unwrap();
    let backdated = prd_record(&repo, "accept", "dana@acme.example", "pm", T1);
    repo.write(LEDGER, &format!("{backdated}{ledger}"));
    let insert = repo.commit_as("dana@acme.example", "Backdate an accept");
    let (_, json) = check_json(repo.path());
    only_invalid_starting_with(
        &json,
        &format!(
            "this record was inserted before earlier records in commit {}",
            &insert[..8]
        ),
    );
    assert!(codes_of(&json, "prd").contains(&"owner-not-accepted".to_string()));
}

#[test]
fn branches_appending_in_parallel_merge_in_either_order() {
    for ours_first in [true, false] {
        let repo = handoff_repo();
        append(
            &repo,
            &prd_record(&repo, "accept", "dana@acme.example", "pm", T1),
        );
        repo.commit_as("dana@acme.example", "dana accepts");
        let base = std::fs::read_to_string(repo.abs(LEDGER)).unwrap();
        let ours = approve_by_rosa(&repo, T2);
        let theirs = prd_record(&repo, "approve", "rosa@acme.example", "ops", T3);
        repo.branch("side");
        append(&repo, &theirs);
        repo.commit_as("rosa@acme.example", "approve on a branch");
        repo.checkout("main");
        append(&repo, &ours);
        repo.commit_as("rosa@acme.example", "approve on main");
        // Both appended at the end: git cannot merge that by itself; the person resolving
        // keeps both records, in either order.
        assert!(!repo.merge_resolving("side"));
        let merged = if ours_first {
            format!("{base}{ours}{theirs}")
        } else {
            format!("{base}{theirs}{ours}")
        };
        repo.write(LEDGER, &merged);
        repo.commit_as("dana@acme.example", "Merge side");
        let (_, json) = check_json(repo.path());
        assert_eq!(codes_of(&json, "prd"), Vec::<String>::new(), "{json:#}");
    }
}

#[test]
fn the_working_copy_may_only_append() {
    let repo = handoff_repo();
    rosa_approves(&repo, T1);
    let committed = std::fs::read_to_string(repo.abs(LEDGER)).unwrap();

    // An uncommitted record at the end, by a member: fine.
    append(
        &repo,
        &prd_record(&repo, "accept", "dana@acme.example", "pm", T2),
    );
    let (_, json) = check_json(repo.path());
    assert_eq!(codes_of(&json, "prd"), Vec::<String>::new(), "{json:#}");

    // An uncommitted record by someone outside the role: not trusted.
    repo.write(
        LEDGER,
        &format!(
            "{committed}{}",
            prd_record(&repo, "accept", "eve@acme.example", "pm", T2)
        ),
    );
    let (_, json) = check_json(repo.path());
    let invalid = invalid_signoffs(&json);
    assert_eq!(
        invalid,
        vec![
            "this record is not committed, and eve@acme.example is not in role `pm`: its people are dana@acme.example"
        ]
    );

    // The committed record edited in the working copy: the committed one is reported missing.
    repo.write(LEDGER, &committed.replace("approve", "accept"));
    let (_, json) = check_json(repo.path());
    let invalid = invalid_signoffs(&json);
    assert!(
        invalid.iter().any(|m| m.starts_with(
            "the `approve` by rosa@acme.example as ops on 2026-10-01 record, committed in HEAD, is missing from the working copy"
        )),
        "{invalid:?}"
    );

    // Committed records moved in the working copy.
    let second = prd_record(&repo, "revoke", "rosa@acme.example", "ops", T2);
    repo.write(LEDGER, &format!("{committed}{second}"));
    repo.commit_as("rosa@acme.example", "rosa revokes");
    repo.write(LEDGER, &format!("{second}{committed}"));
    let (_, json) = check_json(repo.path());
    let invalid = invalid_signoffs(&json);
    assert!(
        invalid
            .iter()
            .any(|m| m.starts_with("this record was moved in the working copy")),
        "{invalid:?}"
    );
}

#[test]
fn malformed_records_and_unknown_roles_are_findings_never_trusted() {
    let repo = handoff_repo();
    append(
        &repo,
        "- action: aprove\n  by: rosa@acme.example\n  role: ops\n  at: yesterday\n",
    );
    append(
        &repo,
        &prd_record(&repo, "approve", "rosa@acme.example", "qa", T1),
    );
    append(
        &repo,
        "- action: approve\n  by: rosa@acme.example\n  role: ops\n  at: 2026-10-01T10:00:00Z\n  fingerprint: not-hex\n",
    );
    repo.commit_as("rosa@acme.example", "Hand-written records");
    let (_, json) = check_json(repo.path());
    let invalid = invalid_signoffs(&json);
    assert_eq!(invalid.len(), 4, "{invalid:?}");
    assert!(
        invalid
            .iter()
            .any(|m| m.contains("`aprove` is not an action"))
    );
    assert!(
        invalid
            .iter()
            .any(|m| m.contains("`yesterday` is not an RFC 3339 time"))
    );
    assert!(
        invalid
            .iter()
            .any(|m| m.contains("names role `qa`, which the index does not define"))
    );
    assert!(
        invalid
            .iter()
            .any(|m| m.contains("`not-hex` is not a fingerprint"))
    );
    assert!(codes_of(&json, "prd").contains(&"unsigned".to_string()));
}

#[test]
fn a_ledger_in_a_shallow_clone_is_judged_by_the_oldest_commit_it_has() {
    let origin = handoff_repo();
    rosa_approves(&origin, T1);
    origin.write("other.md", "later\n");
    origin.commit_as("dana@acme.example", "Something else");
    let clone = origin.shallow_clone(1);
    let history = history(&clone);
    let appended: Vec<_> = history.files["prd"].appended.values().collect();
    assert_eq!(appended.len(), 1);
    assert!(appended[0].at_boundary, "the boundary commit stands in");
    assert_eq!(appended[0].membership, Membership::Member);
    let (_, json) = check_json(clone.path());
    assert_eq!(codes_of(&json, "prd"), ["owner-not-accepted"], "{json:#}");
}

#[test]
fn a_long_history_is_read_in_bounded_time() {
    let repo = handoff_repo();
    // 400 commits, one in four appending a record: a fast-import stream keeps setup quick.
    let mut stream = String::new();
    let mut ledger = String::new();
    let head = repo.head();
    let fingerprint = prd_fingerprint(&repo);
    for n in 0..400 {
        let time = 1_790_000_000 + n * 60;
        let mut files = format!(
            "M 100644 inline other.md\ndata {}\n{n}\n",
            n.to_string().len() + 1
        );
        if n % 4 == 0 {
            let at = jiff::Timestamp::from_second(time).unwrap().to_string();
            let action = if n % 8 == 0 { "approve" } else { "revoke" };
            ledger.push_str(&record(
                action,
                "rosa@acme.example",
                "ops",
                &at,
                &fingerprint,
            ));
            files.push_str(&format!(
                "M 100644 inline {LEDGER}\ndata {}\n{ledger}\n",
                ledger.len()
            ));
        }
        let from = if n == 0 {
            format!("from {head}\n")
        } else {
            String::new()
        };
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Rosa <rosa@acme.example> {time} +0000\ndata 7\nchange\n{from}{files}\n"
        ));
    }
    let mut child = std::process::Command::new("git")
        .args(["fast-import", "--quiet", "--force"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "--quiet", "--hard"]);

    let started = Instant::now();
    let history = history(&repo);
    let took = started.elapsed();
    assert_eq!(history.files["prd"].head.len(), 100);
    assert_eq!(history.files["prd"].appended.len(), 100);
    assert!(history.files["prd"].rewrites.is_empty());
    assert!(took.as_secs() < 20, "{took:?}");
}
