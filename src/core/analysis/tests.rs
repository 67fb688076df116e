//! One test per finding code and rule, on hand-made indexes, ledgers and facts.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::*;
use crate::core::model::{
    Action, ArtifactFacts, Document, Facts, History, Index, LastChange, Ledger, LedgerProblem, Pos,
    SignOff, load::load_index,
};

const NOW: &str = "2026-11-22T12:00:00Z";
const FP_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const FP_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const FP_C: &str = "cccccccccccccccccccccccccccccccccccccccc";

const BASE: &str = "\
version: 1
roles:
  pm: { people: [dana@acme.example] }
  ai-eng: { people: [lee@acme.example] }
  domain-expert: { people: [sam@acme.example] }
  ops: { people: [] }
kinds:
  prd:
    required_sections: [\"Success metric\", \"Failure cost|Cost of failure\", \"Rollout plan\"]
    signoff: [domain-expert]
    max_age: 180d
    review_every: 90d
  link:
    verify_every: 30d
artifacts:
  - id: framing
    path: docs/framing.md
    owner: pm
  - id: prd
    kind: prd
    path: docs/prd.md
    owner: pm
    reviewers: [ai-eng]
    consumers: [ops]
    depends_on: [framing]
";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn days_ago(days: i64) -> Timestamp {
    Timestamp::from_second(now().as_second() - days * 86_400).unwrap()
}

fn index(yaml: &str) -> Index {
    load_index("handoff.yaml", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn file(fp: &str, changed_days_ago: i64, text: &str) -> ArtifactFacts {
    ArtifactFacts {
        exists: true,
        fingerprint: Some(fp.to_string()),
        history: History::Changed(LastChange {
            commit: "1234567890abcdef1234567890abcdef12345678".into(),
            time: days_ago(changed_days_ago),
            author_name: "Dana".into(),
            author_email: "dana@acme.example".into(),
            summary: "edit".into(),
        }),
        documents: vec![Document {
            path: "doc.md".into(),
            text: Some(text.to_string()),
        }],
        ..Default::default()
    }
}

const FULL_PRD: &str = "# PRD\n## Success metric\n## Cost of failure\n## Rollout plan\n";

fn facts(entries: Vec<(&str, ArtifactFacts)>) -> Facts {
    Facts {
        artifacts: entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        ..Default::default()
    }
}

fn record(
    action: Action,
    by: &str,
    role: &str,
    days: i64,
    fp: Option<&str>,
    upstream: &[(&str, &str)],
) -> SignOff {
    SignOff {
        action,
        by: by.into(),
        role: role.into(),
        at: days_ago(days),
        fingerprint: fp.map(str::to_string),
        upstream: upstream
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
        note: None,
        pos: Pos::new(1, 1, 0),
    }
}

fn ledger(entries: Vec<(&str, Vec<SignOff>)>) -> Ledger {
    Ledger {
        records: entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        problems: Vec::new(),
    }
}

/// A ledger where everything in BASE is signed and current.
fn all_signed() -> Ledger {
    ledger(vec![
        (
            "framing",
            vec![record(
                Action::Accept,
                "dana@acme.example",
                "pm",
                10,
                Some(FP_A),
                &[],
            )],
        ),
        (
            "prd",
            vec![
                record(
                    Action::Accept,
                    "dana@acme.example",
                    "pm",
                    10,
                    Some(FP_B),
                    &[("framing", FP_A)],
                ),
                record(
                    Action::Approve,
                    "lee@acme.example",
                    "ai-eng",
                    9,
                    Some(FP_B),
                    &[("framing", FP_A)],
                ),
                record(
                    Action::Approve,
                    "sam@acme.example",
                    "domain-expert",
                    8,
                    Some(FP_B),
                    &[("framing", FP_A)],
                ),
            ],
        ),
    ])
}

fn clean_facts() -> Facts {
    facts(vec![
        ("framing", file(FP_A, 20, "# Framing\n")),
        ("prd", file(FP_B, 10, FULL_PRD)),
    ])
}

fn codes(report: &Report, artifact: &str) -> Vec<String> {
    report
        .findings_of(artifact)
        .iter()
        .map(|f| match &f.role {
            Some(r) => format!("{}:{r}", f.code),
            None => f.code.to_string(),
        })
        .collect()
}

fn run(yaml: &str, ledger: &Ledger, facts: &Facts) -> Report {
    analyze(&index(yaml), ledger, facts, now())
}

#[test]
fn a_complete_handoff_has_no_findings() {
    let report = run(BASE, &all_signed(), &clean_facts());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let row = &report.matrix.rows[1];
    assert_eq!(row.cells[0].state, CellState::Current); // pm owns
    assert_eq!(row.cells[1].state, CellState::Current); // ai-eng reviews
    assert_eq!(row.cells[3].state, CellState::NotRequired); // ops consumes
    assert_eq!(row.worst, None);
}

#[test]
fn no_owner() {
    let yaml = BASE.replace(
        "    path: docs/framing.md\n    owner: pm\n",
        "    path: docs/framing.md\n",
    );
    let report = run(&yaml, &all_signed(), &clean_facts());
    assert_eq!(codes(&report, "framing"), vec!["no-owner"]);
    assert_eq!(report.findings[0].severity, Severity::Error);
}

#[test]
fn owner_unstaffed() {
    let yaml = BASE.replace(
        "path: docs/framing.md\n    owner: pm",
        "path: docs/framing.md\n    owner: ops",
    );
    let report = run(&yaml, &all_signed(), &clean_facts());
    assert_eq!(codes(&report, "framing"), vec!["owner-unstaffed:ops"]);
    assert_eq!(report.matrix.rows[0].cells[3].state, CellState::NeverSigned);
}

#[test]
fn owner_not_accepted_until_a_current_member_accepts() {
    let mut l = all_signed();
    l.records.insert("framing".into(), vec![]);
    assert_eq!(
        codes(&run(BASE, &l, &clean_facts()), "framing"),
        vec!["owner-not-accepted:pm"]
    );

    // Accepted by someone who is not in the role: does not count.
    l.records.insert(
        "framing".into(),
        vec![record(
            Action::Accept,
            "lee@acme.example",
            "pm",
            5,
            Some(FP_A),
            &[],
        )],
    );
    assert_eq!(
        codes(&run(BASE, &l, &clean_facts()), "framing"),
        vec!["owner-not-accepted:pm"]
    );

    // Accepted, then revoked.
    l.records.insert(
        "framing".into(),
        vec![
            record(
                Action::Accept,
                "dana@acme.example",
                "pm",
                5,
                Some(FP_A),
                &[],
            ),
            record(
                Action::Revoke,
                "dana@acme.example",
                "pm",
                4,
                Some(FP_A),
                &[],
            ),
        ],
    );
    assert_eq!(
        codes(&run(BASE, &l, &clean_facts()), "framing"),
        vec!["owner-not-accepted:pm"]
    );
}

#[test]
fn missing_file_and_empty_glob() {
    let mut f = clean_facts();
    f.artifacts
        .insert("framing".into(), ArtifactFacts::default());
    let report = run(BASE, &all_signed(), &f);
    assert_eq!(codes(&report, "framing"), vec!["missing:pm"]);
    assert!(
        report
            .findings_of("framing")
            .first()
            .unwrap()
            .message
            .contains("docs/framing.md")
    );

    let yaml = BASE.replace("path: docs/framing.md", "path: \"docs/*.md\"");
    let report = run(&yaml, &all_signed(), &f);
    assert!(
        report
            .findings_of("framing")
            .iter()
            .any(|f| f.message.contains("no file matches `docs/*.md`"))
    );
}

#[test]
fn missing_sections_lists_what_is_absent() {
    let mut f = clean_facts();
    f.artifacts.insert(
        "prd".into(),
        file(
            FP_B,
            10,
            "# PRD\n## Success metric\n```\n## Rollout plan\n```\n",
        ),
    );
    let report = run(BASE, &all_signed(), &f);
    let finding = report
        .findings_of("prd")
        .iter()
        .find(|f| f.code == FindingCode::MissingSections)
        .unwrap();
    assert!(
        finding
            .message
            .contains("\"Failure cost|Cost of failure\", \"Rollout plan\""),
        "{}",
        finding.message
    );
    assert_eq!(finding.file, "doc.md");
}

#[test]
fn a_directory_without_readme_lacks_its_sections() {
    let mut f = clean_facts();
    let mut dir = file(FP_B, 10, "");
    dir.is_dir = true;
    dir.documents.clear();
    f.artifacts.insert("prd".into(), dir);
    let report = run(BASE, &all_signed(), &f);
    assert_eq!(codes(&report, "prd"), vec!["missing-sections:pm"]);
}

#[test]
fn unsigned_per_required_role_from_reviewers_and_kind() {
    let mut l = all_signed();
    l.records.get_mut("prd").unwrap().truncate(1);
    let report = run(BASE, &l, &clean_facts());
    assert_eq!(
        codes(&report, "prd"),
        vec!["unsigned:ai-eng", "unsigned:domain-expert"]
    );
    let fix = &report.findings_of("prd").first().unwrap().fix;
    assert_eq!(fix, "needs `approve` from ai-eng (lee@acme.example)");
    assert_eq!(report.matrix.rows[1].cells[1].state, CellState::NeverSigned);
    assert_eq!(report.matrix.rows[1].cells[2].state, CellState::NeverSigned);
}

#[test]
fn changed_since_signoff_when_content_differs() {
    let mut f = clean_facts();
    f.artifacts.insert("prd".into(), file(FP_C, 1, FULL_PRD));
    let report = run(BASE, &all_signed(), &f);
    // One cause, one finding, naming every role that must approve again.
    assert_eq!(codes(&report, "prd"), vec!["changed-since-signoff:ai-eng"]);
    assert_eq!(
        report.findings_of("prd")[0].roles,
        vec!["ai-eng".to_string(), "domain-expert".to_string()]
    );
    assert!(
        report.findings[0]
            .message
            .contains("(approved bbbbbbbb, now cccccccc)"),
        "{}",
        report.findings[0].message
    );
    assert_eq!(
        report.matrix.rows[1].cells[1].state,
        CellState::ChangedSinceSignoff
    );
    // The owner's acceptance is not about content.
    assert_eq!(report.matrix.rows[1].cells[0].state, CellState::Current);
}

#[test]
fn signoff_overdue_counts_from_the_change_that_required_it() {
    let yaml = BASE.replace(
        "    review_every: 90d\n",
        "    review_every: 90d\n    signoff_within: 5d\n",
    );
    let mut f = clean_facts();
    // Changed 6 days ago, after the approvals: waited longer than 5d.
    f.artifacts.insert("prd".into(), file(FP_C, 6, FULL_PRD));
    let report = run(&yaml, &all_signed(), &f);
    assert_eq!(
        codes(&report, "prd"),
        vec!["changed-since-signoff:ai-eng", "signoff-overdue:ai-eng"]
    );
    let overdue = &report.findings_of("prd")[1];
    assert_eq!(overdue.severity, Severity::Warning);
    assert_eq!(overdue.roles, vec!["ai-eng", "domain-expert"]);
    assert_eq!(overdue.since, Some(days_ago(6)));
    assert!(
        overdue.message.contains("waited 6 days since the change"),
        "{}",
        overdue.message
    );
    assert!(
        overdue.message.contains("signoff_within of 5d"),
        "{}",
        overdue.message
    );
    assert_eq!(
        overdue.action.as_ref().unwrap().argv.join(" "),
        "handoff sign prd --action approve --role ai-eng"
    );
    // Within the allowance, or without one, nothing is overdue.
    f.artifacts.insert("prd".into(), file(FP_C, 4, FULL_PRD));
    assert_eq!(
        codes(&run(&yaml, &all_signed(), &f), "prd"),
        vec!["changed-since-signoff:ai-eng"]
    );
    f.artifacts.insert("prd".into(), file(FP_C, 6, FULL_PRD));
    assert_eq!(
        codes(&run(BASE, &all_signed(), &f), "prd"),
        vec!["changed-since-signoff:ai-eng"]
    );
}

#[test]
fn upstream_changed_and_acknowledge_resets_the_baseline() {
    let mut f = clean_facts();
    f.artifacts
        .insert("framing".into(), file(FP_C, 2, "# Framing v2\n"));
    let mut l = all_signed();
    l.records.get_mut("framing").unwrap()[0].fingerprint = Some(FP_C.into());
    let report = run(BASE, &l, &f);
    assert_eq!(codes(&report, "prd"), vec!["upstream-changed:pm"]);
    let finding = report.findings_of("prd").first().unwrap();
    assert_eq!(finding.related.as_deref(), Some("framing"));
    assert!(
        finding.message.contains("2 days ago"),
        "{}",
        finding.message
    );
    assert_eq!(
        report.matrix.rows[1].cells[1].state,
        CellState::UpstreamChanged
    );

    l.records.get_mut("prd").unwrap().push(record(
        Action::Acknowledge,
        "dana@acme.example",
        "pm",
        1,
        Some(FP_B),
        &[("framing", FP_C)],
    ));
    let report = run(BASE, &l, &f);
    assert!(codes(&report, "prd").is_empty());
    // The owner settled the artifact; the reviewers' own approvals still predate the change.
    assert_eq!(report.matrix.rows[1].cells[0].state, CellState::Current);
    assert_eq!(
        report.matrix.rows[1].cells[1].state,
        CellState::UpstreamChanged
    );
}

#[test]
fn at_risk_is_reported_once_however_deep() {
    let yaml = format!(
        "{BASE}  - id: evals\n    path: evals\n    owner: ai-eng\n    depends_on: [prd]\n  - id: runbook\n    path: runbook.md\n    owner: ai-eng\n    depends_on: [evals, prd]\n"
    );
    let mut l = all_signed();
    l.records.insert(
        "evals".into(),
        vec![record(
            Action::Accept,
            "lee@acme.example",
            "ai-eng",
            5,
            Some(FP_A),
            &[("prd", FP_A)],
        )],
    );
    l.records.insert(
        "runbook".into(),
        vec![record(
            Action::Accept,
            "lee@acme.example",
            "ai-eng",
            5,
            Some(FP_A),
            &[("evals", FP_A), ("prd", FP_B)],
        )],
    );
    let mut f = clean_facts();
    f.artifacts.insert("evals".into(), file(FP_A, 3, ""));
    f.artifacts.insert("runbook".into(), file(FP_A, 3, ""));
    let report = run(&yaml, &l, &f);
    // evals recorded prd at FP_A; prd is FP_B now.
    assert_eq!(codes(&report, "evals"), vec!["upstream-changed:ai-eng"]);
    // runbook's own upstream versions still match, but it sits downstream of evals: once.
    assert_eq!(codes(&report, "runbook"), vec!["at-risk"]);
    assert_eq!(
        report
            .findings_of("runbook")
            .first()
            .unwrap()
            .related
            .as_deref(),
        Some("evals")
    );
}

#[test]
fn dangling_dependency_suggests_the_closest_id() {
    let yaml = BASE.replace("depends_on: [framing]", "depends_on: [framin]");
    let report = run(&yaml, &all_signed(), &clean_facts());
    let f = report.findings_of("prd").first().unwrap();
    assert_eq!(f.code, FindingCode::DanglingDependency);
    assert!(
        f.message.contains("did you mean `framing`?"),
        "{}",
        f.message
    );
    assert_eq!(f.pos.line, 25);
}

#[test]
fn dependency_cycle_is_named_on_each_member() {
    let yaml = BASE.replace(
        "    path: docs/framing.md\n",
        "    path: docs/framing.md\n    depends_on: [prd]\n",
    );
    let report = run(&yaml, &all_signed(), &clean_facts());
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DependencyCycle)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        vec!["dependency cycle: framing → prd → framing"; 2]
    );

    let self_loop = BASE.replace("depends_on: [framing]", "depends_on: [prd]");
    assert!(
        codes(&run(&self_loop, &all_signed(), &clean_facts()), "prd")
            .contains(&"dependency-cycle".to_string())
    );
}

#[test]
fn aged_after_max_age_without_commits() {
    let mut f = clean_facts();
    f.artifacts.insert("prd".into(), file(FP_B, 181, FULL_PRD));
    let report = run(BASE, &all_signed(), &f);
    assert_eq!(codes(&report, "prd"), vec!["aged:pm"]);
    assert!(report.findings[0].message.contains("181 days ago"));
    f.artifacts.insert("prd".into(), file(FP_B, 179, FULL_PRD));
    assert!(run(BASE, &all_signed(), &f).findings.is_empty());
}

#[test]
fn review_overdue_follows_the_newest_approval() {
    let mut l = all_signed();
    for r in l.records.get_mut("prd").unwrap() {
        r.at = days_ago(120);
    }
    let report = run(BASE, &l, &clean_facts());
    assert_eq!(codes(&report, "prd"), vec!["review-overdue:domain-expert"]);
    l.records.get_mut("prd").unwrap()[1].at = days_ago(10);
    assert!(run(BASE, &l, &clean_facts()).findings.is_empty());
}

#[test]
fn unverified_external_artifacts() {
    let yaml = format!(
        "{BASE}  - id: flags\n    kind: link\n    url: https://flags.example/reply\n    owner: ai-eng\n"
    );
    let mut l = all_signed();
    l.records.insert(
        "flags".into(),
        vec![record(
            Action::Accept,
            "lee@acme.example",
            "ai-eng",
            60,
            None,
            &[],
        )],
    );
    let report = run(&yaml, &l, &clean_facts());
    assert_eq!(codes(&report, "flags"), vec!["unverified:ai-eng"]);
    assert!(
        report
            .findings_of("flags")
            .first()
            .unwrap()
            .message
            .contains("never been verified")
    );

    l.records.get_mut("flags").unwrap().push(record(
        Action::Verify,
        "lee@acme.example",
        "ai-eng",
        40,
        None,
        &[],
    ));
    let report = run(&yaml, &l, &clean_facts());
    assert!(
        report
            .findings_of("flags")
            .first()
            .unwrap()
            .message
            .contains("due every 30d")
    );

    l.records.get_mut("flags").unwrap().push(record(
        Action::Verify,
        "lee@acme.example",
        "ai-eng",
        3,
        None,
        &[],
    ));
    assert!(codes(&run(&yaml, &l, &clean_facts()), "flags").is_empty());

    // The artifact's own interval wins over its kind's.
    let strict = yaml.replace("owner: ai-eng\n", "owner: ai-eng\n    verify_every: 2d\n");
    assert_eq!(
        codes(&run(&strict, &l, &clean_facts()), "flags"),
        vec!["unverified:ai-eng"]
    );
}

#[test]
fn uncommitted_is_informational() {
    let mut f = clean_facts();
    f.artifacts.get_mut("framing").unwrap().uncommitted = true;
    let report = run(BASE, &all_signed(), &f);
    assert_eq!(codes(&report, "framing"), vec!["uncommitted"]);
    assert_eq!(report.findings[0].severity, Severity::Info);
}

#[test]
fn severity_overrides_kind_over_index_over_default() {
    let mut f = clean_facts();
    f.artifacts.insert("prd".into(), file(FP_B, 400, FULL_PRD));
    f.artifacts.get_mut("framing").unwrap().uncommitted = true;
    let yaml = BASE
        .replace(
            "    review_every: 90d\n",
            "    review_every: 90d\n    severity: { aged: error }\n",
        )
        .replace(
            "kinds:\n",
            "severity: { uncommitted: warning, aged: info }\nkinds:\n",
        );
    let report = run(&yaml, &all_signed(), &f);
    let sev = |code| {
        report
            .findings
            .iter()
            .find(|f| f.code == code)
            .unwrap()
            .severity
    };
    assert_eq!(sev(FindingCode::Aged), Severity::Error);
    assert_eq!(sev(FindingCode::Uncommitted), Severity::Warning);
}

#[test]
fn untrusted_and_malformed_records_are_findings() {
    let mut l = all_signed();
    l.records.get_mut("prd").unwrap().push(record(
        Action::Approve,
        "lee@acme.example",
        "legal",
        1,
        Some(FP_B),
        &[],
    ));
    l.problems.push(LedgerProblem {
        artifact: "framing".into(),
        file: ".handoff/signoffs/framing.yaml".into(),
        pos: Pos::new(7, 3, 0),
        message: "bad".into(),
    });
    let report = run(BASE, &l, &clean_facts());
    assert_eq!(codes(&report, "prd"), vec!["invalid-signoff"]);
    assert_eq!(codes(&report, "framing"), vec!["invalid-signoff"]);
    assert_eq!(report.findings_of("framing").first().unwrap().pos.line, 7);
}

#[test]
fn revoke_only_withdraws_its_own_role() {
    let mut l = all_signed();
    l.records.get_mut("prd").unwrap().push(record(
        Action::Revoke,
        "sam@acme.example",
        "domain-expert",
        1,
        Some(FP_B),
        &[],
    ));
    assert_eq!(
        codes(&run(BASE, &l, &clean_facts()), "prd"),
        vec!["unsigned:domain-expert"]
    );
}

#[test]
fn matrix_follows_index_order_and_marks_relations() {
    let report = run(BASE, &all_signed(), &clean_facts());
    assert_eq!(
        report.matrix.roles,
        vec!["pm", "ai-eng", "domain-expert", "ops"]
    );
    let letters: String = report.matrix.rows[1]
        .cells
        .iter()
        .map(|c| c.relation_letter())
        .collect();
    assert_eq!(letters, "ORRC");
    assert_eq!(report.matrix.rows[0].cells[1].state, CellState::Unrelated);
}

#[test]
fn pending_facts_decide_nothing() {
    let mut f = clean_facts();
    f.artifacts.remove("prd");
    let report = run(BASE, &all_signed(), &f);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let mut l = all_signed();
    l.records.get_mut("prd").unwrap().truncate(1);
    // What needs no facts is still reported.
    assert_eq!(
        codes(&run(BASE, &l, &f), "prd"),
        vec!["unsigned:ai-eng", "unsigned:domain-expert"]
    );
}

#[test]
fn placeholder_description_until_a_person_replaces_it() {
    let placeholder = "One or two sentences: what this project is and who relies on it.";
    let yaml = BASE
        .replace(
            "version: 1\n",
            &format!("version: 1\ndescription: >\n  {placeholder}\n"),
        )
        .replace(
            "    path: docs/framing.md\n",
            &format!("    path: docs/framing.md\n    description: \"{placeholder}\"\n"),
        );
    let report = run(&yaml, &all_signed(), &clean_facts());
    assert_eq!(
        codes(&report, "framing"),
        vec!["placeholder-description:pm"]
    );
    assert_eq!(report.findings[0].severity, Severity::Info);
    assert!(
        report.findings[0]
            .fix
            .contains("handoff set framing description")
    );
    let own: Vec<&str> = report
        .handoff_findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(own, ["placeholder-description"]);
    assert_eq!(report.handoff_findings[0].subject(), "handoff");
    let at = report.handoff_findings[0].pos;
    assert_eq!((at.line, at.col), (3, 3), "at the text of the description");

    // A person's words raise nothing.
    let replaced = yaml.replace(placeholder, "Drafts replies for support agents.");
    let report = run(&replaced, &all_signed(), &clean_facts());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.handoff_findings.is_empty());
}
