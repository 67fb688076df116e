//! A synthetic handoff held in memory (no repository): index, ledger and facts for `n`
//! artifacts over [`ROLES`] roles, with documents, dependencies and sign-offs, so that every
//! kind of finding occurs. For frame time and analysis time, which do not touch git.

use std::collections::BTreeMap;

use handoff::core::model::{
    Action, ArtifactFacts, Document, Facts, History, Index, LastChange, Ledger, Pos, SignOff,
};

pub const ROLES: usize = 12;

/// A Markdown document with the kind's required sections, some of them missing.
pub fn document_text(i: usize) -> String {
    let mut text = format!("# Artifact {i}\n\nWhat this is about.\n\n## Goals\n\n- one\n- two\n\n");
    if !i.is_multiple_of(7) {
        text.push_str("## Rollout plan\n\nStaged, behind a flag.\n\n");
    }
    text.push_str("```yaml\n# not a heading\nkey: value\n```\n\n## Notes\n\nMore text here.\n");
    text
}

/// `handoff.yaml` for `n` artifacts at `docs/a{i}.md`, each depending on the one before.
pub fn index_yaml(n: usize, path_of: &dyn Fn(usize) -> String) -> String {
    let mut yaml = String::from("version: 1\nname: Synthetic handoff\nroles:\n");
    for r in 0..ROLES {
        yaml.push_str(&format!(
            "  role-{r}: {{ title: Role {r}, people: [p{r}@example.com] }}\n"
        ));
    }
    yaml.push_str("kinds:\n  doc:\n    required_sections: [Goals, Rollout plan]\n    signoff: [role-1]\n    max_age: 90d\n    review_every: 60d\nartifacts:\n");
    for i in 0..n {
        let dep = if i > 0 {
            format!("\n    depends_on: [a{}]", i - 1)
        } else {
            String::new()
        };
        yaml.push_str(&format!(
            "  - id: a{i}\n    kind: doc\n    path: {}\n    owner: role-{}\n    reviewers: [role-{}]\n    consumers: [role-{}]{dep}\n",
            path_of(i),
            i % ROLES,
            (i + 3) % ROLES,
            (i + 5) % ROLES
        ));
    }
    yaml
}

/// The ledger of artifact `i` (or nothing): an accept by the owner on every third artifact,
/// an approval of `fingerprint` with the upstream's on every fifth.
pub fn signoffs(
    i: usize,
    owner: &str,
    fingerprint: &str,
    upstream: Option<(String, String)>,
    at: jiff::Timestamp,
) -> Vec<SignOff> {
    let mut records = Vec::new();
    let record = |action, by: String, role: &str| SignOff {
        action,
        by,
        role: role.to_string(),
        at,
        fingerprint: Some(fingerprint.to_string()),
        upstream: upstream
            .iter()
            .map(|(id, fp)| (id.clone(), Some(fp.clone())))
            .collect(),
        note: None,
        pos: Pos::default(),
    };
    if i.is_multiple_of(3) {
        records.push(record(
            Action::Accept,
            format!("p{}@example.com", i % ROLES),
            owner,
        ));
    }
    if i.is_multiple_of(5) {
        records.push(record(Action::Approve, "p1@example.com".into(), "role-1"));
    }
    records
}

/// Index, ledger and facts for `n` artifacts.
pub fn handoff(n: usize) -> (Index, Ledger, Facts) {
    let yaml = index_yaml(n, &|i| format!("docs/a{i}.md"));
    let index = handoff::core::model::load::load_index("handoff.yaml", yaml.as_bytes())
        .expect("the synthetic index loads");
    let now = jiff::Timestamp::now();
    let fingerprint = |i: usize| format!("{:040x}", i);
    let mut facts = Facts::default();
    let mut records: BTreeMap<String, Vec<SignOff>> = BTreeMap::new();
    for (i, a) in index.artifacts.iter().enumerate() {
        facts.artifacts.insert(
            a.id.clone(),
            ArtifactFacts {
                exists: i % 17 != 0,
                fingerprint: Some(fingerprint(i)),
                history: History::Changed(LastChange {
                    commit: format!("{:040x}", i * 7),
                    time: jiff::Timestamp::from_second(now.as_second() - (i as i64 % 200) * 86_400)
                        .expect("a time in range"),
                    author_name: "Someone".into(),
                    author_email: "p0@example.com".into(),
                    summary: "change".into(),
                }),
                uncommitted: i % 31 == 0,
                documents: vec![Document {
                    path: format!("docs/a{i}.md"),
                    text: Some(document_text(i)),
                }],
                ..Default::default()
            },
        );
        // Every eleventh sign-off saw an older upstream: upstream-changed and at-risk.
        let upstream = (i > 0).then(|| {
            let seen = if i % 11 == 0 { i + 1_000_000 } else { i - 1 };
            (format!("a{}", i - 1), fingerprint(seen))
        });
        let owner = a
            .owner
            .clone()
            .expect("every synthetic artifact has an owner");
        let ledger = signoffs(i, &owner, &fingerprint(i), upstream, now);
        if !ledger.is_empty() {
            records.insert(a.id.clone(), ledger);
        }
    }
    (
        index,
        Ledger {
            records,
            problems: Vec::new(),
        },
        facts,
    )
}
