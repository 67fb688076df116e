//! The handoff as of a past commit (`engine::as_of`) must be exactly what a fresh check of a
//! clone reset to that commit decides: facts, ledger history and findings, on randomly grown
//! histories of edits, renames, sign-offs and index edits.

use handoff::engine::as_of::Timeline;
use handoff::engine::{Workspace, snapshot};
use jiff::Timestamp;
use proptest::prelude::*;

use crate::common::TestRepo;

const PEOPLE: [(&str, &str); 3] = [
    ("pm", "dana@acme.example"),
    ("ops", "rosa@acme.example"),
    ("designer", "priya@acme.example"),
];

/// What the generated history does in one commit.
#[derive(Debug, Clone)]
enum Step {
    /// Rewrites document `doc` (with or without a required section).
    Edit { doc: usize, text: u8 },
    /// Renames document `doc` in git without telling the index.
    Rename { doc: usize },
    /// Points the index at where document `doc` now is.
    Repoint { doc: usize },
    /// Toggles the reviewers of the first artifact (an index edit).
    ToggleReviewers,
    /// A sign-off of artifact `doc` by role `role`, bound to its current content.
    Sign { doc: usize, role: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, any::<u8>()).prop_map(|(doc, text)| Step::Edit { doc, text }),
        1 => (0..3usize).prop_map(|doc| Step::Rename { doc }),
        1 => (0..3usize).prop_map(|doc| Step::Repoint { doc }),
        1 => Just(Step::ToggleReviewers),
        3 => (0..3usize, 0..3usize).prop_map(|(doc, role)| Step::Sign { doc, role }),
    ]
}

/// Where each document is on disk, where the index says it is, and the index's switches.
struct Grown {
    repo: TestRepo,
    on_disk: [String; 3],
    indexed: [String; 3],
    reviewers: bool,
}

const IDS: [&str; 3] = ["framing", "prd", "evals"];

impl Grown {
    fn new() -> Grown {
        let repo = TestRepo::new();
        let paths = IDS.map(|id| format!("docs/{id}.md"));
        let grown = Grown {
            repo,
            on_disk: paths.clone(),
            indexed: paths,
            reviewers: true,
        };
        for (i, id) in IDS.iter().enumerate() {
            grown
                .repo
                .write(&grown.on_disk[i], &format!("# {id}\n\n## Success metric\n"));
        }
        grown.write_index();
        grown.repo.commit("Start the handoff");
        grown
    }

    fn write_index(&self) {
        let mut text = String::from("version: 1\nname: Grown\nroles:\n");
        for (role, person) in PEOPLE {
            text.push_str(&format!(
                "  {role}: {{ title: {role}, people: [{person}] }}\n"
            ));
        }
        text.push_str(
            "kinds:\n  doc:\n    required_sections: [\"Success metric\"]\n    max_age: 2d\nartifacts:\n",
        );
        for (i, id) in IDS.iter().enumerate() {
            text.push_str(&format!(
                "  - id: {id}\n    title: {id}\n    kind: doc\n    path: {}\n    owner: pm\n",
                self.indexed[i]
            ));
            if i == 0 && self.reviewers {
                text.push_str("    reviewers: [ops, designer]\n");
            }
            if i > 0 {
                text.push_str(&format!("    depends_on: [{}]\n", IDS[i - 1]));
            }
        }
        self.repo.write("handoff.yaml", &text);
    }

    fn apply(&mut self, step: &Step) {
        match *step {
            Step::Edit { doc, text } => {
                let section = if text % 3 == 0 {
                    ""
                } else {
                    "## Success metric\n"
                };
                self.repo.write(
                    &self.on_disk[doc],
                    &format!("# {}\n\n{section}Revision {text}.\n", IDS[doc]),
                );
                self.repo.commit(&format!("Edit {}", IDS[doc]));
            }
            Step::Rename { doc } => {
                let to = if self.on_disk[doc].contains("-v") {
                    format!("docs/{}.md", IDS[doc])
                } else {
                    format!("docs/{}-v2.md", IDS[doc])
                };
                self.repo.git(&["mv", &self.on_disk[doc], &to]);
                self.on_disk[doc] = to;
                self.repo.commit(&format!("Rename {}", IDS[doc]));
            }
            Step::Repoint { doc } => {
                self.indexed[doc] = self.on_disk[doc].clone();
                self.write_index();
                self.repo
                    .commit(&format!("Point the index at {}", IDS[doc]));
            }
            Step::ToggleReviewers => {
                self.reviewers = !self.reviewers;
                self.write_index();
                self.repo.commit("Change the reviewers");
            }
            Step::Sign { doc, role } => {
                let (role, person) = PEOPLE[role];
                let action = if role == "pm" { "accept" } else { "approve" };
                let fingerprint = self
                    .repo
                    .git(&["hash-object", &self.on_disk[doc]])
                    .to_string();
                let at = Timestamp::from_second(self.repo.clock() - 30).unwrap();
                let file = format!(".handoff/signoffs/{}.yaml", IDS[doc]);
                let mut ledger = std::fs::read_to_string(self.repo.abs(&file)).unwrap_or_default();
                ledger.push_str(&format!(
                    "- action: {action}\n  by: {person}\n  role: {role}\n  at: {at}\n  fingerprint: {fingerprint}\n  upstream: {{}}\n"
                ));
                self.repo.write(&file, &ledger);
                self.repo
                    .commit_as(person, &format!("Sign {} as {role}", IDS[doc]));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn as_of_a_past_commit_equals_a_fresh_check_of_a_clone_reset_to_it(
        steps in prop::collection::vec(step(), 3..10)
    ) {
        let mut grown = Grown::new();
        for step in &steps {
            // Days apart, so ages and intervals matter.
            grown.repo.set_clock(grown.repo.clock() + 86_400);
            grown.apply(step);
        }
        let ws = Workspace::discover(grown.repo.path()).unwrap();
        let timeline = Timeline::open(&ws).unwrap();
        let head = timeline.head().unwrap();
        let root = timeline.resolve(&format!("HEAD~{}", steps.len())).unwrap();
        let points = timeline.first_parent_line(&root, &head).unwrap();
        prop_assert_eq!(points.len(), steps.len() + 1);
        let past = timeline.evaluate(&points).unwrap();

        let clone = grown.repo.full_clone();
        for handoff in &past {
            clone.git(&["reset", "--quiet", "--hard", &handoff.point.change.commit]);
            let _ = std::fs::remove_dir_all(clone.path().join(".git/handoff"));
            let ws = Workspace::discover(clone.path()).unwrap();
            let fresh = snapshot(&ws, handoff.point.committed).unwrap();
            let past = handoff.snapshot.as_ref().unwrap();
            prop_assert_eq!(&past.facts.artifacts, &fresh.facts.artifacts);
            prop_assert_eq!(&past.facts.ledger_history, &fresh.facts.ledger_history);
            prop_assert_eq!(&past.report.findings, &fresh.report.findings);
            prop_assert_eq!(past.now, fresh.now);
        }
    }
}

/// Many points cost about one walk: the commits the walks visit for every point of a line
/// are no more than one walk from its newest point plus one per point.
#[test]
fn evaluating_every_point_of_a_line_walks_history_about_once() {
    let mut grown = Grown::new();
    for i in 0..30 {
        grown.apply(&Step::Edit {
            doc: i % 3,
            text: i as u8 + 1,
        });
    }
    let ws = Workspace::discover(grown.repo.path()).unwrap();
    let repo = handoff::repo::facts::open_repo(&ws).unwrap();
    let timeline = Timeline::open(&ws).unwrap();
    let head = timeline.head().unwrap();
    let root = timeline.resolve("HEAD~30").unwrap();
    let points = timeline.first_parent_line(&root, &head).unwrap();
    assert_eq!(points.len(), 31);
    let mut reader = handoff::repo::facts::PastFacts::new(&repo, &ws);
    let targets: Vec<(String, handoff::core::model::Target)> = IDS
        .iter()
        .map(|id| {
            (
                id.to_string(),
                handoff::core::model::Target::Path(format!("docs/{id}.md")),
            )
        })
        .collect();
    for point in &points {
        let id = git2::Oid::from_str(&point.change.commit).unwrap();
        reader
            .facts_at(
                id,
                &handoff::repo::facts::PastRequest {
                    targets: &targets,
                    ..Default::default()
                },
            )
            .unwrap();
    }
    // One walk from HEAD alone visits about the 31 commits; 31 separate walks would visit
    // about 31 * 16.
    assert!(
        reader.commits_walked() <= 31 + 31 * 2,
        "{} commits walked",
        reader.commits_walked()
    );
}
