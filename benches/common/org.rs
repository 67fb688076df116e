//! Generated check results for the organisation view: `n` repositories' `handoff check
//! --format json` output, of the size and shape a mid-size handoff prints (30 artifacts, 7
//! roles, a finding on every other artifact), a tenth of them a month old (stale).

use std::path::PathBuf;

use serde_json::{Value, json};

const ARTIFACTS: usize = 30;
const ROLES: [&str; 7] = [
    "pm",
    "designer",
    "ai-eng",
    "ml-platform",
    "ops",
    "domain-expert",
    "analytics",
];
const CODES: [(&str, &str); 4] = [
    ("owner-not-accepted", "warning"),
    ("changed-since-signoff", "error"),
    ("unsigned", "error"),
    ("review-overdue", "warning"),
];

/// The directory of `n` result files, generated unless complete already.
pub fn ensure_results(n: usize) -> Result<PathBuf, String> {
    let dir = super::repos::repos_dir().join(format!("org-results-{n}"));
    let complete = std::fs::read_dir(&dir)
        .map(|d| d.count() == n)
        .unwrap_or(false);
    if complete {
        return Ok(dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for i in 0..n {
        let text = serde_json::to_string_pretty(&result(i)).map_err(|e| e.to_string())?;
        let path = dir.join(format!("repo-{i:04}.json"));
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir)
}

fn result(i: usize) -> Value {
    let now = if i % 10 == 9 {
        "2025-12-01T00:00:00Z"
    } else {
        "2025-12-31T06:00:00Z"
    };
    let person = |role: &str, k: usize| format!("{role}-{}@acme.example", (i + k) % 40);
    let roles: Vec<Value> = ROLES
        .iter()
        .map(
            |r| json!({"id": r, "title": r.to_uppercase(), "people": [person(r, 0), person(r, 1)]}),
        )
        .collect();
    let mut findings = Vec::new();
    let artifacts: Vec<Value> = (0..ARTIFACTS)
        .map(|a| {
            let id = format!("a{a}");
            let owner = ROLES[a % ROLES.len()];
            let reviewer = ROLES[(a + 2) % ROLES.len()];
            let mine: Vec<Value> = if (a + i).is_multiple_of(2) {
                let (code, severity) = CODES[(a + i) % CODES.len()];
                vec![json!({
                    "code": code, "severity": severity,
                    "message": format!("`{id}` needs a sign-off from `{reviewer}` after the change of 2025-11-{:02}", 1 + a % 28),
                    "artifact": id, "role": reviewer, "roles": [reviewer], "related": null,
                    "fix": format!("{reviewer} reviews `{id}` and signs"),
                    "action": {"argv": ["handoff", "sign", id, "--action", "approve", "--role", reviewer],
                               "who": [person(reviewer, 0), person(reviewer, 1)]},
                    "since": "2025-11-20T10:00:00Z", "file": format!(".handoff/signoffs/{id}.yaml"),
                    "line": 3, "column": 3
                })]
            } else {
                Vec::new()
            };
            findings.extend(mine.iter().cloned());
            json!({
                "id": id, "title": format!("Artifact {a}"), "kind": "doc", "path": format!("docs/{id}.md"),
                "owner": owner, "reviewers": [reviewer], "consumers": [], "depends_on": [],
                "exists": true, "fingerprint": format!("{:040x}", i * 1000 + a),
                "last_change": {"commit": format!("{:040x}", i * 7 + a), "time": "2025-11-20T10:00:00Z",
                                "author": "Lee", "author_email": "lee@acme.example", "summary": "Edit"},
                "history": "changed", "uncommitted": false, "findings": mine
            })
        })
        .collect();
    json!({
        "version": 1, "name": format!("Repository {i}"), "head": format!("{:040x}", i + 1),
        "branch": "main", "remote": format!("https://git.acme.example/team-{}/repo-{i}", i % 12),
        "now": now, "roles": roles, "artifacts": artifacts, "findings": findings,
        "summary": {"artifacts": ARTIFACTS, "error": 0, "warning": 0, "info": 0, "fail_on": "error", "failed": false}
    })
}
