use super::*;
use crate::core::model::Target;

const GOOD: &str = "\
version: 1
name: Support reply drafting
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ai-eng: { title: AI Engineer, people: [lee@acme.example] }
  domain-expert: { people: [] }
kinds:
  prd:
    required_sections: [\"Success metric\", \"Failure cost\", \"Rollout plan\"]
    signoff: [domain-expert]
    max_age: 180d
    review_every: 90d
artifacts:
  - id: prd
    title: PRD
    kind: prd
    path: docs/prd.md          # or: url: https://...
    owner: pm
    reviewers: [ai-eng]
    consumers: [pm]
    depends_on: [framing]
  - id: flows
    url: https://figma.example/flows
    owner: pm
";

fn errors(src: &str) -> Vec<String> {
    match load_index("handoff.yaml", src.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn loads_the_brief_example() {
    let index = load_index("handoff.yaml", GOOD.as_bytes()).unwrap();
    assert_eq!(index.roles.len(), 3);
    assert_eq!(index.kinds[0].max_age.as_ref().unwrap().days, 180);
    let prd = index.artifact("prd").unwrap();
    assert_eq!(prd.target, Target::Path("docs/prd.md".into()));
    assert_eq!(prd.depends_on, vec!["framing"]);
    assert_eq!(prd.pos.line, 14);
    assert_eq!(
        index.artifact("flows").unwrap().target,
        Target::Url("https://figma.example/flows".into())
    );
}

#[test]
fn unknown_key_names_place_and_suggestion() {
    let src = GOOD.replace("    reviewers: [ai-eng]", "    reviewer: [ai-eng]");
    let errs = errors(&src);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("handoff.yaml:19:5: error: unknown key `reviewer` in artifact `prd`, did you mean `reviewers`?"), "{}", errs[0]);
}

#[test]
fn unknown_role_suggests_the_closest() {
    let errs = errors(&GOOD.replace("owner: pm\n    reviewers", "owner: pn\n    reviewers"));
    assert!(
        errs[0].contains("unknown role `pn` in `owner`, did you mean `pm`?"),
        "{errs:?}"
    );
    assert!(errs[0].contains("defined roles: pm, ai-eng, domain-expert"));
}

#[test]
fn version_is_checked() {
    assert!(errors(&GOOD.replace("version: 1", "version: 2"))[0].contains("unsupported version 2"));
    assert!(errors(&GOOD.replace("version: 1\n", ""))[0].contains("no `version`"));
}

#[test]
fn bad_duration_is_located() {
    let errs = errors(&GOOD.replace("max_age: 180d", "max_age: 6 months"));
    assert!(errs[0].starts_with("handoff.yaml:11:14:"), "{errs:?}");
}

#[test]
fn dangling_dependencies_and_cycles_are_not_load_errors() {
    let src = GOOD.replace("depends_on: [framing]", "depends_on: [nowhere, prd]");
    assert!(load_index("handoff.yaml", src.as_bytes()).is_ok());
}

#[test]
fn paths_that_leave_the_tree_are_refused() {
    for bad in ["../x.md", "/etc/passwd", ".git/config", "a/../../b"] {
        let errs = errors(&GOOD.replace("docs/prd.md", bad));
        assert!(
            errs.iter().any(|e| e.starts_with("handoff.yaml:17:11:")),
            "{bad}: {errs:?}"
        );
    }
}

#[test]
fn duplicate_ids_and_keys() {
    let dup_id = GOOD.replace("id: flows", "id: prd");
    assert!(errors(&dup_id)[0].contains("duplicate artifact id `prd` (first at line 14)"));
    let dup_key = GOOD.replace("    title: PRD\n", "    title: PRD\n    title: Again\n");
    assert!(errors(&dup_key)[0].contains("duplicate key `title`"));
}

#[test]
fn a_committee_of_owners_is_refused() {
    let errs = errors(&GOOD.replace(
        "owner: pm\n    reviewers",
        "owner: [pm, ai-eng]\n    reviewers",
    ));
    assert!(errs[0].contains("exactly one owner role"), "{errs:?}");
}

#[test]
fn bom_keeps_positions() {
    let src = format!(
        "\u{feff}{}",
        GOOD.replace("    reviewers: [ai-eng]", "    reviewer: [ai-eng]")
    );
    assert!(errors(&src)[0].starts_with("handoff.yaml:19:5:"));
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = b"version: 1\nname: caf".to_vec();
    bytes.push(0xff);
    let err = load_index("handoff.yaml", &bytes).unwrap_err();
    assert_eq!(err.first().location(), "handoff.yaml:2:10");
}

#[test]
fn ledger_problems_are_reported_not_fatal() {
    let src = "\
- action: approve
  by: lee@acme.example
  role: ai-eng
  at: 2026-05-01T10:00:00Z
  fingerprint: 3b18e512dba79e4c8300dd08aeb37f8e728b8dad
  upstream: { framing: 9f1c0e512dba79e4c8300dd08aeb37f8e728b8da }
- action: aprove
  by: lee@acme.example
  role: ai-eng
  at: yesterday
";
    let (records, problems) = load_ledger_file("prd", ".handoff/signoffs/prd.yaml", src.as_bytes());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].upstream.len(), 1);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].pos.line, 7);
}
