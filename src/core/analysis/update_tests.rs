//! `Report::update` must give exactly what a full `analyze` gives: random handoffs (with
//! dependency chains, diamonds and cycles, sign-offs against old upstream versions, documents
//! lacking sections), random streams of fact changes, and after each one a comparison with an
//! analysis from scratch. An analysis split into runs on several threads must equal one run.

use std::collections::BTreeMap;

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::core::model::{
    Action, ArtifactFacts, Document, Facts, History, LastChange, Ledger, SignOff, load::load_index,
};

const ARTIFACTS: usize = 10;
const FINGERPRINTS: [&str; 3] = [
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "cccccccccccccccccccccccccccccccccccccccc",
];

fn now() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

/// An index of [`ARTIFACTS`] artifacts; `deps[i]` are the positions artifact `i` depends on.
fn index(deps: &[Vec<usize>]) -> Index {
    let mut yaml = String::from(
        "version: 1\nroles:\n  pm: { people: [pm@x.example] }\n  eng: { people: [eng@x.example] }\n  \
         expert: { people: [expert@x.example] }\nkinds:\n  doc:\n    required_sections: [Goals, \
         \"Rollout plan|Rollout\"]\n    signoff: [expert]\n    max_age: 30d\n    review_every: 20d\n\
         artifacts:\n",
    );
    for (i, deps) in deps.iter().enumerate() {
        let deps: Vec<String> = deps.iter().map(|d| format!("a{d}")).collect();
        yaml.push_str(&format!(
            "  - id: a{i}\n    kind: doc\n    path: docs/a{i}.md\n    owner: pm\n    reviewers: [eng]\n    depends_on: [{}]\n",
            deps.join(", ")
        ));
    }
    load_index("handoff.yaml", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

/// Sign-offs recording fingerprints (and upstream fingerprints) drawn from a small set, so
/// that changes of facts make and unmake changed-since-signoff, upstream-changed and at-risk.
fn ledger(deps: &[Vec<usize>], signed: &[(usize, usize)]) -> Ledger {
    let mut records: BTreeMap<String, Vec<SignOff>> = BTreeMap::new();
    for &(i, fingerprint) in signed {
        let upstream = deps[i]
            .iter()
            .map(|&d| {
                (
                    format!("a{d}"),
                    Some(FINGERPRINTS[(d + fingerprint) % 3].to_string()),
                )
            })
            .collect();
        let record = |action, by: &str, role: &str, days: i64| SignOff {
            action,
            by: by.to_string(),
            role: role.to_string(),
            at: Timestamp::from_second(now().as_second() - days * 86_400).unwrap(),
            fingerprint: Some(FINGERPRINTS[fingerprint].to_string()),
            upstream: BTreeMap::clone(&upstream),
            note: None,
            pos: Pos::default(),
        };
        records.insert(
            format!("a{i}"),
            vec![
                record(Action::Accept, "pm@x.example", "pm", 40),
                record(Action::Approve, "eng@x.example", "eng", 25),
                record(Action::Approve, "expert@x.example", "expert", 10),
            ],
        );
    }
    Ledger {
        records,
        problems: Vec::new(),
    }
}

/// The facts of one artifact: `None` is pending (not read yet).
fn artifact_facts(seed: u8) -> Option<ArtifactFacts> {
    if seed % 7 == 6 {
        return None;
    }
    let text = match seed % 3 {
        0 => "# Doc\n## Goals\n## Rollout\n",
        1 => "# Doc\n## Goals\n",
        _ => "# Doc\n```\n## Goals\n```\n",
    };
    Some(ArtifactFacts {
        exists: seed % 5 != 4,
        fingerprint: Some(FINGERPRINTS[(seed / 3 % 3) as usize].to_string()),
        history: if seed % 4 == 3 {
            History::Pending
        } else {
            History::Changed(LastChange {
                commit: format!("{seed:040x}"),
                time: Timestamp::from_second(now().as_second() - i64::from(seed) * 86_400).unwrap(),
                author_name: "A".into(),
                author_email: "a@x.example".into(),
                summary: "s".into(),
            })
        },
        uncommitted: seed % 6 == 1,
        documents: vec![Document {
            path: "doc.md".into(),
            text: Some(text.into()),
        }],
        ..ArtifactFacts::default()
    })
}

fn set_facts(facts: &mut Facts, i: usize, seed: u8) {
    let id = format!("a{i}");
    match artifact_facts(seed) {
        Some(f) => {
            facts.artifacts.insert(id, f);
        }
        None => {
            facts.artifacts.remove(&id);
        }
    }
}

fn assert_same(updated: &Report, index: &Index, fresh: &Report) {
    assert_eq!(updated.findings, fresh.findings);
    assert_eq!(updated.matrix, fresh.matrix);
    for a in &index.artifacts {
        assert_eq!(
            updated.findings_of(&a.id),
            fresh.findings_of(&a.id),
            "{}",
            a.id
        );
    }
}

fn dependencies() -> impl Strategy<Value = Vec<Vec<usize>>> {
    // Mostly on earlier artifacts (chains and diamonds); now and then a later one (cycles).
    proptest::collection::vec(
        proptest::collection::vec(0..ARTIFACTS, 0..3),
        ARTIFACTS..=ARTIFACTS,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn an_update_equals_a_full_analysis(
        deps in dependencies(),
        signed in proptest::collection::vec((0..ARTIFACTS, 0..3usize), 0..ARTIFACTS),
        initial in proptest::collection::vec(any::<u8>(), ARTIFACTS..=ARTIFACTS),
        changes in proptest::collection::vec(
            proptest::collection::vec((0..ARTIFACTS, any::<u8>()), 1..4),
            1..8,
        ),
    ) {
        let deps: Vec<Vec<usize>> = deps
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let mut d: Vec<usize> = d.into_iter().filter(|&x| x != i).collect();
                d.sort();
                d.dedup();
                d
            })
            .collect();
        let index = index(&deps);
        let ledger = ledger(&deps, &signed);
        let mut facts = Facts::default();
        for (i, &seed) in initial.iter().enumerate() {
            set_facts(&mut facts, i, seed);
        }
        let mut report = analyze(&index, &ledger, &facts, now());
        // Decided in runs on several threads (runs crossing dependencies), or in one run: the
        // same report.
        for runs in [3, 16] {
            let split = analyze_in_runs(&index, &ledger, &facts, now(), runs, &InTurn);
            assert_same(&split, &index, &report);
            prop_assert_eq!(&split.ranges, &report.ranges);
        }
        for batch in changes {
            let mut changed = Vec::new();
            for (i, seed) in batch {
                set_facts(&mut facts, i, seed);
                changed.push(format!("a{i}"));
            }
            let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
            report.update(&index, &ledger, &facts, now(), &changed);
            assert_same(&report, &index, &analyze(&index, &ledger, &facts, now()));
        }
    }
}

#[test]
fn another_time_is_a_full_analysis() {
    let deps = vec![Vec::new(); ARTIFACTS];
    let index = index(&deps);
    let ledger = ledger(&deps, &[(0, 0)]);
    let mut facts = Facts::default();
    for i in 0..ARTIFACTS {
        set_facts(&mut facts, i, i as u8);
    }
    let mut report = analyze(&index, &ledger, &facts, now());
    let later = Timestamp::from_second(now().as_second() + 90 * 86_400).unwrap();
    report.update(&index, &ledger, &facts, later, &[]);
    assert_same(&report, &index, &analyze(&index, &ledger, &facts, later));
}
