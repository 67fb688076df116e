use super::*;

fn result(name: &str, remote: Option<&str>, now: &str, findings: &str) -> Box<CheckResult> {
    let remote = remote.map_or("null".to_string(), |r| format!("\"{r}\""));
    let text = format!(
        r#"{{"version": 1, "name": "{name}", "head": "abc", "branch": "main", "remote": {remote},
        "now": "{now}", "roles": [{{"id": "pm", "title": "PM", "people": ["dana@a.example"]}},
        {{"id": "ops", "people": []}}], "artifacts": [{{"id": "prd", "owner": "pm"}}],
        "findings": [{findings}], "summary": {{}}}}"#
    );
    Box::new(parse_result(&text).unwrap())
}

fn origin(path: &str) -> Origin {
    Origin {
        path: path.into(),
        local: false,
        team: None,
    }
}

const UNSIGNED: &str = r#"{"code": "owner-not-accepted", "severity": "error", "message": "m",
    "artifact": "prd", "roles": ["pm"], "since": "2026-11-01T00:00:00Z",
    "action": {"argv": ["handoff", "sign", "prd", "--action", "accept"], "who": ["dana@a.example"]}}"#;
const UNSTAFFED: &str = r#"{"code": "owner-unstaffed", "severity": "warning", "message": "m",
    "artifact": "runbook", "roles": ["ops"], "action": null}"#;

fn now() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

#[test]
fn cells_take_the_worst_finding_naming_the_role_and_people_their_duties() {
    let gathered = vec![
        Gathered::Result(
            origin("a.json"),
            result(
                "a",
                Some("https://x/a"),
                "2026-11-22T00:00:00Z",
                &format!("{UNSIGNED}, {UNSTAFFED}"),
            ),
        ),
        Gathered::Result(
            origin("b.json"),
            result("b", None, "2026-11-01T00:00:00Z", ""),
        ),
    ];
    let org = build(None, gathered, now(), Duration::days(7));
    assert_eq!(
        org.roles.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["pm", "ops"]
    );
    assert_eq!(
        org.repos[0].cells,
        [
            OrgCell::Open(Severity::Error, 1),
            OrgCell::Open(Severity::Warning, 1)
        ]
    );
    assert_eq!(org.repos[1].cells, [OrgCell::Clean, OrgCell::Clean]);
    assert!(!org.repos[0].stale);
    assert!(org.repos[1].stale, "21 days old with a 7-day threshold");
    let duties = &org.people["dana@a.example"];
    assert_eq!(duties.len(), 1);
    assert_eq!(duties[0].waiting_days, Some(21));
    assert_eq!(org.unstaffed[0].artifact, "runbook");
}

#[test]
fn the_same_repository_twice_keeps_the_first_and_reports_the_second() {
    let gathered = vec![
        Gathered::Result(
            origin("a.json"),
            result("a", Some("https://x/a.git"), "2026-11-22T00:00:00Z", ""),
        ),
        Gathered::Result(
            origin("again.json"),
            result("a2", Some("https://x/a"), "2026-11-22T00:00:00Z", ""),
        ),
        Gathered::LoadError(origin("broken"), "handoff.yaml:1:1: bad".into()),
    ];
    let org = build(None, gathered, now(), Duration::days(7));
    assert_eq!(org.repos.len(), 2);
    assert_eq!(
        org.repos[1].load_error.as_deref(),
        Some("handoff.yaml:1:1: bad")
    );
    assert_eq!(org.problems.len(), 1);
    assert_eq!(org.problems[0].path, "again.json");
    assert!(org.problems[0].reason.contains("a.json"));
}
