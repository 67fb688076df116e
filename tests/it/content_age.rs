//! The age rules count from the last change of content (issue 13, items 3 and 4): a rename
//! or a mechanical commit does not make a document fresh, `last_change` stays exactly
//! `git log -1`, and a missing file that was renamed says where it went.

use std::path::Path;

use serde_json::Value;

use crate::common::{self, NOW, TestRepo};

const DAY: i64 = 86_400;

fn now() -> i64 {
    NOW.parse::<jiff::Timestamp>().unwrap().as_second()
}

const INDEX: &str = "version: 1\nroles:\n  ops: { people: [rosa@acme.example] }\nkinds:\n  runbook:\n    max_age: 90d\nartifacts:\n  - id: cost-spike\n    kind: runbook\n    path: runbooks/cost-spike.md\n    owner: ops\n";

/// A runbook last written 149 days before [`NOW`], with a recent unrelated commit after it.
fn aged_runbook() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write(
        "runbooks/cost-spike.md",
        "# Cost spike\n\nPage the on-call.\n",
    );
    repo.write("runbooks/outage.md", "# Outage\n");
    repo.commit_at("Add the cost-spike runbook", now() - 149 * DAY);
    repo
}

fn check_json(dir: &Path) -> Value {
    let out = common::handoff_command(dir, NOW)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn artifact<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no artifact {id} in {json}"))
}

fn codes(artifact: &Value) -> Vec<String> {
    artifact["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(artifact: &'a Value, code: &str) -> &'a Value {
    artifact["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {artifact}"))
}

#[test]
fn a_renamed_runbook_stays_aged_before_and_after_the_commit() {
    let repo = aged_runbook();
    let written = repo.last_change("runbooks/cost-spike.md").unwrap();
    assert!(codes(artifact(&check_json(repo.path()), "cost-spike")).contains(&"aged".into()));

    // Moved and the index pointed at it, not yet committed.
    repo.git(&["mv", "runbooks/cost-spike.md", "runbooks/cost-spike-v2.md"]);
    repo.write(
        "handoff.yaml",
        &INDEX.replace("cost-spike.md", "cost-spike-v2.md"),
    );
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    assert!(codes(a).contains(&"aged".into()), "{a}");
    assert_eq!(a["last_change"], Value::Null);
    assert_eq!(a["last_content_change"]["commit"], written.as_str());
    assert_eq!(a["last_content_change"]["path"], "runbooks/cost-spike.md");

    // Committed: `last_change` is the rename, exactly as git log says; the age is not.
    repo.set_clock(now() - DAY);
    let renamed = repo.commit("Rename the cost-spike runbook");
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    assert_eq!(
        a["last_change"]["commit"],
        repo.last_change("runbooks/cost-spike-v2.md")
            .unwrap()
            .as_str()
    );
    assert_eq!(a["last_change"]["commit"], renamed.as_str());
    assert_eq!(a["last_content_change"]["commit"], written.as_str());
    assert_eq!(a["last_content_change"]["path"], "runbooks/cost-spike.md");
    let aged = finding(a, "aged");
    assert!(
        aged["message"]
            .as_str()
            .unwrap()
            .contains("later commits only renamed it"),
        "{aged}"
    );
}

#[test]
fn an_edit_after_a_rename_is_a_change_of_content() {
    let repo = aged_runbook();
    repo.git(&["mv", "runbooks/cost-spike.md", "runbooks/cost-spike-v2.md"]);
    repo.write(
        "runbooks/cost-spike-v2.md",
        "# Cost spike\n\nPage the on-call, then the owner.\n",
    );
    repo.write(
        "handoff.yaml",
        &INDEX.replace("cost-spike.md", "cost-spike-v2.md"),
    );
    repo.set_clock(now() - DAY);
    let edited = repo.commit("Rename and rewrite the cost-spike runbook");
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    assert!(!codes(a).contains(&"aged".into()), "{a}");
    assert_eq!(a["last_content_change"]["commit"], edited.as_str());
    assert_eq!(a["last_content_change"]["path"], Value::Null);
}

#[test]
fn a_missing_file_that_was_renamed_offers_the_path_change() {
    // Renamed in history, the index not updated.
    let repo = aged_runbook();
    repo.git(&["mv", "runbooks/cost-spike.md", "runbooks/cost-spike-v2.md"]);
    let renamed = repo.commit("Rename the cost-spike runbook");
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    let missing = finding(a, "missing");
    let message = missing["message"].as_str().unwrap();
    assert!(
        message.contains("renamed to `runbooks/cost-spike-v2.md` in"),
        "{message}"
    );
    assert!(message.contains(&renamed[..8]), "{message}");
    assert_eq!(
        missing["fix"],
        "point the index at the new path: `handoff set cost-spike path runbooks/cost-spike-v2.md`"
    );
    assert_eq!(a["moved_to"]["path"], "runbooks/cost-spike-v2.md");
    assert_eq!(a["moved_to"]["commit"], renamed.as_str());

    // Moved in the work tree only (a plain `mv`, not staged).
    let repo = aged_runbook();
    std::fs::rename(
        repo.abs("runbooks/cost-spike.md"),
        repo.abs("runbooks/spikes.md"),
    )
    .unwrap();
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    let missing = finding(a, "missing");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("the same content is at `runbooks/spikes.md` in the working copy"),
        "{missing}"
    );
    assert_eq!(a["moved_to"]["commit"], Value::Null);
}

#[test]
fn a_deleted_file_offers_no_path_change() {
    let repo = aged_runbook();
    repo.remove("runbooks/cost-spike.md");
    repo.commit("Drop the cost-spike runbook");
    let json = check_json(repo.path());
    let a = artifact(&json, "cost-spike");
    let missing = finding(a, "missing");
    assert!(missing["fix"].as_str().unwrap().starts_with("create"));
    assert!(a.get("moved_to").is_none(), "{a}");
}

const CHANNEL_INDEX: &str = "version: 1\nroles:\n  ops: { people: [rosa@acme.example] }\nkinds:\n  runbook:\n    max_age: 90d\nartifacts:\n  - id: runbooks\n    kind: runbook\n    path: runbooks/cost-spike.md\n    owner: ops\n  - id: outage\n    kind: runbook\n    path: runbooks/outage.md\n    owner: ops\n";

/// Two runbooks written 149 days ago, then one commit yesterday that renamed a Slack channel
/// in both.
fn channel_rename() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", CHANNEL_INDEX);
    repo.write(
        "runbooks/cost-spike.md",
        "# Cost spike\n\nAsk in #ops-alerts.\n",
    );
    repo.write("runbooks/outage.md", "# Outage\n\nAsk in #ops-alerts.\n");
    let written = repo.commit_at("Add the runbooks", now() - 149 * DAY);
    repo.write(
        "runbooks/cost-spike.md",
        "# Cost spike\n\nAsk in #ops-oncall.\n",
    );
    repo.write("runbooks/outage.md", "# Outage\n\nAsk in #ops-oncall.\n");
    let renamed = repo.commit_at("Rename #ops-alerts to #ops-oncall", now() - DAY);
    (repo, written, renamed)
}

#[test]
fn a_commit_in_the_blame_ignore_revs_file_does_not_reset_the_age() {
    let (repo, written, renamed) = channel_rename();
    // Without the convention the channel rename is a change like any other.
    let json = check_json(repo.path());
    assert!(!codes(artifact(&json, "outage")).contains(&"aged".into()));

    repo.write(
        ".git-blame-ignore-revs",
        &format!("# Slack channel rename\n{renamed}\n"),
    );
    repo.git(&["config", "blame.ignoreRevsFile", ".git-blame-ignore-revs"]);
    let json = check_json(repo.path());
    for id in ["runbooks", "outage"] {
        let a = artifact(&json, id);
        assert!(codes(a).contains(&"aged".into()), "{a}");
        assert_eq!(a["last_change"]["commit"], renamed.as_str());
        assert_eq!(a["last_content_change"]["commit"], written.as_str());
    }
}

#[test]
fn a_commit_touching_more_files_than_the_threshold_is_mechanical() {
    let (repo, written, renamed) = channel_rename();
    // Off by default; the channel rename touched 2 files.
    repo.write(
        "handoff.yaml",
        &CHANNEL_INDEX.replace("kinds:", "mechanical_commit_files: 2\nkinds:"),
    );
    let json = check_json(repo.path());
    assert_eq!(
        artifact(&json, "outage")["last_content_change"]["commit"],
        renamed.as_str()
    );
    repo.write(
        "handoff.yaml",
        &CHANNEL_INDEX.replace("kinds:", "mechanical_commit_files: 1\nkinds:"),
    );
    repo.commit_at("Count big commits as mechanical", now() - DAY / 2);
    let json = check_json(repo.path());
    let a = artifact(&json, "outage");
    assert!(codes(a).contains(&"aged".into()), "{a}");
    assert_eq!(a["last_content_change"]["commit"], written.as_str());

    // A real edit of one file after it counts.
    repo.write(
        "runbooks/outage.md",
        "# Outage\n\nAsk in #ops-oncall, then page.\n",
    );
    let edited = repo.commit_at("Page on outages", now() - DAY / 4);
    let json = check_json(repo.path());
    let a = artifact(&json, "outage");
    assert!(!codes(a).contains(&"aged".into()), "{a}");
    assert_eq!(a["last_content_change"]["commit"], edited.as_str());
}

#[test]
fn the_threshold_must_be_a_positive_number() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        &CHANNEL_INDEX.replace("kinds:", "mechanical_commit_files: many\nkinds:"),
    );
    let out = common::handoff_command(repo.path(), NOW)
        .args(["check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("handoff.yaml:4:26: error: `mechanical_commit_files` must be a whole number"),
        "{err}"
    );
}

#[test]
fn the_detail_view_shows_both_dates_when_they_differ() {
    use crate::support::workbench::{options, select};
    use handoff::tui::action::Action;
    use ratatui::{Terminal, backend::TestBackend};

    let (repo, written, renamed) = channel_rename();
    let screen = |repo: &TestRepo| {
        let mut app = handoff::tui::app_with_facts(repo.path(), &options(false)).unwrap();
        app.resize(140, 60);
        select(&mut app, "outage");
        app.handle(Action::Open);
        let mut terminal = Terminal::new(TestBackend::new(140, 60)).unwrap();
        terminal
            .draw(|f| handoff::tui::views::draw(f, &app))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content()
            .chunks(140)
            .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = screen(&repo);
    assert!(before.contains(&renamed[..8]), "{before}");
    assert!(!before.contains(&written[..8]), "{before}");

    repo.write(".git-blame-ignore-revs", &format!("{renamed}\n"));
    repo.git(&["config", "blame.ignoreRevsFile", ".git-blame-ignore-revs"]);
    let after = screen(&repo);
    assert!(after.contains(&renamed[..8]), "{after}");
    assert!(after.contains(&written[..8]), "{after}");
    assert!(after.contains("content     "), "{after}");
}

/// What following a mechanical commit back found is kept in the git directory, and a kept
/// answer equals a fresh one, also once the rules change.
#[test]
fn the_content_walk_is_kept_and_answers_as_a_fresh_walk_does() {
    let (repo, written, renamed) = channel_rename();
    repo.write(
        ".git-blame-ignore-revs",
        &format!("# Slack channel rename\n{renamed}\n"),
    );
    repo.git(&["config", "blame.ignoreRevsFile", ".git-blame-ignore-revs"]);
    let check = |extra: &[&str]| {
        let args = [&["check", "--format", "json"][..], extra].concat();
        let (json, _) = common::handoff_json(repo.path(), &args);
        artifact(&json, "outage")["last_content_change"]["commit"].clone()
    };
    let cache = repo.path().join(".git/handoff/cache/content-changes");
    assert_eq!(check(&["--no-cache"]), written.as_str());
    assert!(!cache.exists(), "--no-cache writes no cache");
    assert_eq!(check(&[]), written.as_str());
    assert!(cache.exists(), "the answer is kept");
    let kept = std::fs::read(&cache).unwrap();
    assert_eq!(check(&[]), written.as_str());
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        kept,
        "a warm run rewrites nothing"
    );
    // Under other rules the kept answer is not used.
    std::fs::write(repo.path().join(".git-blame-ignore-revs"), "# none\n").unwrap();
    assert_eq!(check(&[]), renamed.as_str());
    assert_eq!(check(&["--no-cache"]), renamed.as_str());
}
