//! Frame time of the workbench at growing numbers of artifacts (12 roles), to show it stays
//! flat: only visible rows and columns are built per frame.
//!
//! Run: `cargo bench --bench frame`. Prints, per size and view, the mean and 99th-percentile
//! time to draw one 120×40 frame on ratatui's TestBackend (the drawing work without a real
//! terminal's I/O), and the time of one full analysis of the synthetic handoff.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use handoff::model::{Action, ArtifactFacts, Facts, History, LastChange, Ledger, Pos, SignOff};
use handoff::tui::action::Action as UiAction;
use handoff::tui::app::{App, Options, View};
use handoff::tui::keymap::Keymap;
use handoff::tui::theme::Theme;
use handoff::tui::views;
use handoff::workspace::Snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ROLES: usize = 12;
const FRAMES: usize = 300;

fn synthetic(n: usize) -> (handoff::model::Index, Ledger, Facts) {
    let mut yaml = String::from("version: 1\nname: Synthetic handoff\nroles:\n");
    for r in 0..ROLES {
        yaml.push_str(&format!(
            "  role-{r}: {{ title: Role {r}, people: [p{r}@example.com] }}\n"
        ));
    }
    yaml.push_str("kinds:\n  doc:\n    required_sections: [Goals]\n    signoff: [role-1]\n    max_age: 90d\n    review_every: 60d\nartifacts:\n");
    for i in 0..n {
        let dep = if i > 0 {
            format!("\n    depends_on: [a{}]", i - 1)
        } else {
            String::new()
        };
        yaml.push_str(&format!(
            "  - id: a{i}\n    kind: doc\n    path: docs/a{i}.md\n    owner: role-{}\n    reviewers: [role-{}]\n    consumers: [role-{}]{dep}\n",
            i % ROLES,
            (i + 3) % ROLES,
            (i + 5) % ROLES
        ));
    }
    let index = handoff::model::load::load_index("handoff.yaml", yaml.as_bytes())
        .expect("the synthetic index loads");
    let now = jiff::Timestamp::now();
    let mut facts = Facts::default();
    let mut records: BTreeMap<String, Vec<SignOff>> = BTreeMap::new();
    for (i, a) in index.artifacts.iter().enumerate() {
        let fp = format!("{:040x}", i);
        facts.artifacts.insert(
            a.id.clone(),
            ArtifactFacts {
                exists: i % 17 != 0,
                fingerprint: Some(fp.clone()),
                history: History::Changed(LastChange {
                    commit: format!("{:040x}", i * 7),
                    time: jiff::Timestamp::from_second(now.as_second() - (i as i64 % 200) * 86_400)
                        .unwrap(),
                    author_name: "Someone".into(),
                    author_email: "p0@example.com".into(),
                    summary: "change".into(),
                }),
                uncommitted: i % 31 == 0,
                ..Default::default()
            },
        );
        if i % 3 == 0 {
            let owner = a.owner.clone().unwrap();
            records.insert(
                a.id.clone(),
                vec![SignOff {
                    action: Action::Accept,
                    by: format!("p{}@example.com", i % ROLES),
                    role: owner,
                    at: now,
                    fingerprint: Some(fp),
                    upstream: BTreeMap::new(),
                    note: None,
                    pos: Pos::default(),
                }],
            );
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

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 - 1.0) * p) as usize]
}

fn main() {
    println!("frame time at 120×40, {ROLES} roles, {FRAMES} frames per row (TestBackend)");
    println!(
        "{:>9} {:>12} {:>8} {:>10} {:>10}",
        "artifacts", "analysis ms", "view", "mean ms", "p99 ms"
    );
    for n in [1_000, 10_000, 50_000] {
        let (index, ledger, facts) = synthetic(n);
        let started = Instant::now();
        let snap = Snapshot::new(index, ledger, facts, jiff::Timestamp::now());
        let analysis = started.elapsed();
        let (keymap, _) = Keymap::load(None, None);
        let (theme, _) = Theme::load(None, None, false, false);
        let mut app = App::new(snap, Options::default(), keymap, theme, Vec::new());
        app.size = (120, 40);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        for (name, view, detail) in [
            ("matrix", View::Matrix, false),
            ("gaps", View::Gaps, false),
            ("detail", View::Matrix, true),
        ] {
            app.view = view;
            app.detail = detail.then_some(0);
            let mut times = Vec::with_capacity(FRAMES);
            for frame in 0..FRAMES {
                // Move through the list, as a user scrolling does, so offsets change.
                app.handle(if frame % 50 == 49 {
                    UiAction::PageDown
                } else {
                    UiAction::Down
                });
                let t = Instant::now();
                terminal.draw(|f| views::draw(f, &app)).unwrap();
                times.push(t.elapsed());
            }
            let mean = times.iter().sum::<Duration>() / FRAMES as u32;
            let p99 = percentile(&mut times, 0.99);
            println!(
                "{n:>9} {:>12.1} {:>8} {:>10.3} {:>10.3}",
                analysis.as_secs_f64() * 1e3,
                name,
                mean.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
    }
}
