use super::*;

fn result(name: &str, remote: Option<&str>, now: &str, findings: &str) -> Arc<CheckResult> {
    let remote = remote.map_or("null".to_string(), |r| format!("\"{r}\""));
    let text = format!(
        r#"{{"version": 1, "name": "{name}", "head": "abc", "branch": "main", "remote": {remote},
        "now": "{now}", "roles": [{{"id": "pm", "title": "PM", "people": ["dana@a.example"]}},
        {{"id": "ops", "people": []}}], "artifacts": [{{"id": "prd", "owner": "pm"}}],
        "findings": [{findings}], "summary": {{}}}}"#
    );
    Arc::new(parse_result(&text).unwrap())
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

#[test]
fn a_gathering_shows_pending_rows_and_fills_each_in_as_it_arrives() {
    let pending = |path: &str| Gathered::Pending(origin(path));
    let mut gathering = Gathering::new(
        None,
        vec![
            pending("results/a.json"),
            pending("b.json"),
            pending("bad.json"),
        ],
        now(),
        Duration::days(7),
    );
    let org = gathering.org();
    assert_eq!(gathering.remaining(), 3);
    assert_eq!(org.pending_count(), 3);
    assert!(org.roles.is_empty(), "no role is known before a result");
    assert_eq!(org.repos[0].name, "a.json", "named by its file until read");

    gathering.arrive(
        1,
        Gathered::Result(
            origin("b.json"),
            result("b", None, "2026-11-22T00:00:00Z", UNSIGNED),
        ),
    );
    let org = gathering.org();
    assert_eq!(gathering.remaining(), 2);
    let rows: Vec<(&str, bool)> = org
        .repos
        .iter()
        .map(|r| (r.name.as_str(), r.pending))
        .collect();
    assert_eq!(rows, [("a.json", true), ("b", false), ("bad.json", true)]);
    assert_eq!(org.repos[1].cells[0], OrgCell::Open(Severity::Error, 1));
    assert_eq!(org.repos[0].cells, [OrgCell::Absent, OrgCell::Absent]);
    assert_eq!(org.people["dana@a.example"][0].repo, 1);

    // A source that turns out unreadable leaves the rows for the problems.
    gathering.arrive(
        2,
        Gathered::Skipped {
            path: "bad.json".into(),
            reason: "not JSON".into(),
        },
    );
    let org = gathering.org();
    assert_eq!(org.repos.len(), 2);
    assert_eq!(org.problems[0].path, "bad.json");
    assert_eq!(org.pending_count(), 1);
}

#[test]
fn the_people_axis_counts_each_persons_sign_offs_and_their_longest_wait() {
    let older = UNSIGNED.replace("2026-11-01", "2026-10-22");
    let gathered = vec![
        Gathered::Result(
            origin("a.json"),
            result("a", Some("https://x/a"), "2026-11-22T00:00:00Z", UNSIGNED),
        ),
        Gathered::Result(
            origin("b.json"),
            result(
                "b",
                Some("https://x/b"),
                "2026-11-22T00:00:00Z",
                &format!("{UNSIGNED}, {older}, {UNSTAFFED}"),
            ),
        ),
        Gathered::LoadError(origin("broken"), "bad".into()),
    ];
    let org = build(None, gathered, now(), Duration::days(7));
    let axis = org.people_axis();
    assert_eq!(
        axis.iter().map(|c| c.email.as_str()).collect::<Vec<_>>(),
        ["dana@a.example"]
    );
    assert_eq!(
        axis[0].cells,
        [
            PersonCell::Owes {
                severity: Severity::Error,
                count: 1,
                longest_days: Some(21)
            },
            PersonCell::Owes {
                severity: Severity::Error,
                count: 2,
                longest_days: Some(31)
            },
            PersonCell::Absent,
        ]
    );
    assert_eq!(
        org.waiting_of("dana@a.example"),
        Waiting {
            open: 3,
            longest_days: Some(31)
        }
    );
    assert_eq!(org.waiting_of("nobody@a.example"), Waiting::default());
    assert_eq!((org.unstaffed_in(0), org.unstaffed_in(1)), (0, 1));
}

#[test]
fn a_person_staffed_with_nothing_to_sign_is_clean_there() {
    let gathered = vec![Gathered::Result(
        origin("a.json"),
        result("a", None, "2026-11-22T00:00:00Z", ""),
    )];
    let org = build(None, gathered, now(), Duration::days(7));
    let axis = org.people_axis();
    assert_eq!(axis[0].email, "dana@a.example");
    assert_eq!(axis[0].cells, [PersonCell::Clean]);
}
