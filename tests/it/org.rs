//! `handoff org` as a process: three local repositories in different states (the demo's,
//! one with an unstaffed and an unaccepted artifact, one whose index does not load), result
//! files from two more (one fresh, one stale), and every kind of bad input beside them.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{self, NOW};

/// A month before [`NOW`]: a result computed then is stale at the default 7 days.
const MONTH_AGO: &str = "2026-10-22T12:00:00Z";

struct Fleet {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn handoff(cwd: &Path, now: &str, args: &[&str]) -> Output {
    common::handoff_command(cwd, now)
        .args(args)
        .output()
        .unwrap()
}

fn git_commit_all(dir: &Path, message: &str) {
    common::git(dir, &["add", "-A"]);
    let out = common::git_output(
        dir,
        &[
            "-c",
            "user.name=Lee",
            "-c",
            "user.email=lee@acme.example",
            "commit",
            "-qm",
            message,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository holding `files`, committed, with `origin` at `remote` when given.
fn small_repo(dir: &Path, files: &[(&str, &str)], remote: Option<&str>) {
    std::fs::create_dir_all(dir).unwrap();
    common::git(dir, &["init", "--quiet", "--initial-branch=main"]);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git_commit_all(dir, "Start the handoff");
    if let Some(remote) = remote {
        common::git(dir, &["remote", "add", "origin", remote]);
    }
}

const BILLING: &str = "version: 1\nname: Billing assistant\nroles:\n  pm: { title: Product Manager, people: [lee@acme.example] }\n  ops: { title: Operations, people: [] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n  - id: runbook\n    path: docs/runbook.md\n    owner: ops\n";

const SEARCH: &str = "version: 1\nname: Search ranking\nroles:\n  pm: { title: Product Manager, people: [dana@acme.example] }\n  analyst: { title: Analyst, people: [kim@acme.example] }\nartifacts:\n  - id: brief\n    path: brief.md\n    owner: analyst\n    reviewers: [pm]\n";

/// The organisation: `clones/` holds three repositories, `results/` two good result files
/// and four bad ones.
fn fleet() -> Fleet {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let clones = root.join("clones");
    let demo = clones.join("reply-assist");
    let out = handoff(
        &root,
        NOW,
        &["demo", "--no-open", "--into", demo.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::git(
        &demo,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/reply-assist.git",
        ],
    );
    small_repo(
        &clones.join("billing"),
        &[
            ("handoff.yaml", BILLING),
            ("docs/prd.md", "# PRD\n"),
            ("docs/runbook.md", "# Runbook\n"),
        ],
        Some("git@github.com:acme/billing.git"),
    );
    small_repo(
        &clones.join("broken"),
        &[(
            "handoff.yaml",
            "version: 1\nname: Broken\nroles: {}\nartifacts: []\nreviewer: x\n",
        )],
        None,
    );
    // Two more repositories, seen only through their CI's result files.
    let elsewhere = root.join("elsewhere");
    small_repo(
        &elsewhere.join("search"),
        &[("handoff.yaml", SEARCH), ("brief.md", "# Brief\n")],
        Some("https://github.com/acme/search"),
    );
    small_repo(
        &elsewhere.join("voice"),
        &[
            (
                "handoff.yaml",
                &SEARCH.replace("Search ranking", "Voice bot"),
            ),
            ("brief.md", "# Brief\n"),
        ],
        Some("https://github.com/acme/voice"),
    );
    let results = root.join("results");
    std::fs::create_dir_all(&results).unwrap();
    let search = check_json(&elsewhere.join("search"), NOW);
    std::fs::write(results.join("search.json"), &search).unwrap();
    std::fs::write(
        results.join("voice.json"),
        check_json(&elsewhere.join("voice"), MONTH_AGO),
    )
    .unwrap();
    // Bad input, each skipped with its reason.
    std::fs::write(results.join("not-handoff.json"), "{\"hello\": 1}\n").unwrap();
    std::fs::write(
        results.join("newer.json"),
        search.replacen("\"version\": 1", "\"version\": 2", 1),
    )
    .unwrap();
    std::fs::write(results.join("truncated.json"), &search[..search.len() / 2]).unwrap();
    std::fs::write(results.join("twin-of-search.json"), &search).unwrap();
    Fleet { _tmp: tmp, root }
}

fn check_json(dir: &Path, now: &str) -> String {
    let out = handoff(dir, now, &["check", "--format", "json"]);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn org(f: &Fleet, args: &[&str]) -> (serde_json::Value, String) {
    let out = handoff(&f.root, NOW, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let json = if args.contains(&"json") {
        serde_json::from_str(&stdout).unwrap()
    } else {
        serde_json::Value::String(stdout)
    };
    (json, stderr)
}

fn repo<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no repository {name} in {doc:#}"))
}

#[test]
fn check_json_names_the_repository_and_its_people() {
    let f = fleet();
    let search: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("results/search.json")).unwrap())
            .unwrap();
    assert_eq!(search["version"], 1);
    assert_eq!(search["remote"], "https://github.com/acme/search");
    assert_eq!(search["branch"], "main");
    assert_eq!(search["roles"][1]["id"], "analyst");
    assert_eq!(search["roles"][1]["people"][0], "kim@acme.example");
}

#[test]
fn json_shows_every_good_source_and_skips_the_bad_with_their_paths() {
    let f = fleet();
    let (doc, stderr) = org(&f, &["org", "clones", "results", "--format", "json"]);
    let names: Vec<&str> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let broken = "clones/broken"; // as given: relative to where handoff runs
    assert_eq!(
        names,
        [
            "Billing assistant",
            broken,
            "Reply Assist — support reply drafting",
            "Search ranking",
            "Voice bot"
        ]
    );
    // Roles merge by id: `pm` is one column for all four repositories that have it.
    let roles: Vec<&str> = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(roles.iter().filter(|r| **r == "pm").count(), 1);
    assert!(
        roles.contains(&"analyst") && roles.contains(&"ops"),
        "{roles:?}"
    );

    let billing = repo(&doc, "Billing assistant");
    assert_eq!(billing["local"], true);
    assert_eq!(billing["remote"], "ssh://github.com/acme/billing.git");
    assert_eq!(billing["worst"], "error");
    let cell = |r: &serde_json::Value, role: &str| {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["role"] == role)
            .cloned()
    };
    assert_eq!(cell(billing, "pm").unwrap()["state"], "warning");
    assert_eq!(cell(billing, "ops").unwrap()["state"], "error");
    assert_eq!(cell(billing, "analyst"), None, "billing has no analyst");

    let broken_row = repo(&doc, broken);
    assert!(
        broken_row["load_error"]
            .as_str()
            .unwrap()
            .contains("unknown key `reviewer`"),
        "{broken_row:#}"
    );

    let search = repo(&doc, "Search ranking");
    assert_eq!(search["local"], false);
    assert_eq!(search["stale"], false);
    assert_eq!(search["checked"], NOW);
    let voice = repo(&doc, "Voice bot");
    assert_eq!(voice["stale"], true);
    assert_eq!(voice["checked"], MONTH_AGO);

    let skipped: Vec<(String, String)> = doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let reason = |file: &str| {
        let path = format!("results/{file}");
        let found = skipped.iter().find(|(p, _)| *p == path);
        assert!(stderr.contains(&format!("skipped {path}: ")), "{stderr}");
        found
            .unwrap_or_else(|| panic!("{file} not skipped: {skipped:?}"))
            .1
            .clone()
    };
    assert!(reason("not-handoff.json").contains("not a handoff check result"));
    assert!(reason("newer.json").contains("newer handoff (result version 2"));
    assert!(reason("truncated.json").starts_with("truncated"));
    assert!(reason("twin-of-search.json").contains("the same repository as"));
    assert_eq!(skipped.len(), 4, "{skipped:?}");

    let lee = doc["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "lee@acme.example")
        .unwrap();
    assert!(
        lee["must_sign"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["repository"] == "Billing assistant"
                && d["artifact"] == "prd"
                && d["code"] == "owner-not-accepted"),
        "{lee:#}"
    );
    assert_eq!(lee["open"], lee["must_sign"].as_array().unwrap().len());
    assert_eq!(lee["open"], 3);
    assert_eq!(lee["longest_waiting_days"], 24);
    // Across repositories: lee is also on the demo's ai-eng role.
    assert!(
        lee["must_sign"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["repository"] == "Reply Assist — support reply drafting")
    );
    let kim = doc["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == "kim@acme.example")
        .unwrap();
    let stale: Vec<(&str, bool)> = kim["must_sign"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["repository"].as_str().unwrap(),
                d["stale"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(stale, [("Search ranking", false), ("Voice bot", true)]);
    let unstaffed = doc["unstaffed"].as_array().unwrap();
    assert!(
        unstaffed
            .iter()
            .any(|u| u["repository"] == "Billing assistant"
                && u["artifact"] == "runbook"
                && u["role"] == "ops"),
        "{unstaffed:?}"
    );
}

#[test]
fn text_and_markdown_put_repositories_down_and_roles_across() {
    let f = fleet();
    let (text, _) = org(&f, &["org", "clones", "results"]);
    let text = text.as_str().unwrap();
    let header = text.lines().find(|l| l.starts_with("repository")).unwrap();
    assert!(
        header.contains("  pm ") && header.contains("analyst") && header.ends_with("worst"),
        "{header}"
    );
    assert!(!header.contains("team"), "no manifest, no teams: {header}");
    let voice = text.lines().find(|l| l.starts_with("Voice bot")).unwrap();
    assert!(voice.contains("STALE 31 days ago"), "{voice}");
    assert!(text.contains("Indexes that do not load\n"), "{text}");
    assert!(
        text.contains("Owned by roles nobody staffs\n  Billing assistant  runbook  (ops)"),
        "{text}"
    );
    // Per person: how many sign-offs, everywhere, and the longest wait.
    assert!(
        text.contains("  lee@acme.example · 3 open · longest waiting 24d\n"),
        "{text}"
    );
    // A duty read from a stale result says so.
    assert!(
        text.contains("    Voice bot (STALE)  brief  owner-not-accepted"),
        "{text}"
    );

    let (md, _) = org(&f, &["org", "clones", "results", "--format", "markdown"]);
    let md = md.as_str().unwrap();
    assert!(md.contains("| repository | checked | `pm` |"), "{md}");
    assert!(md.contains("| Voice bot | STALE 31 days ago |"), "{md}");
    assert!(md.contains("### Must sign, per person"), "{md}");
    assert!(
        md.contains("- **lee@acme.example** (3 open, longest waiting 24 days)\n"),
        "{md}"
    );
    assert!(md.contains("### Not shown"), "{md}");
}

#[test]
fn html_is_one_static_page() {
    let f = fleet();
    let (page, _) = org(&f, &["org", "clones", "results", "--format", "html"]);
    let page = page.as_str().unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.to_lowercase().contains("<script"), "no JavaScript");
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("Reply Assist — support reply drafting"));
    assert!(page.contains("<span class=\"stale-mark\">stale</span>"));
    assert!(page.contains("<td class=\"cell sev-error\">error "));
    assert!(
        page.contains("unknown key `reviewer`"),
        "the load error is on the page"
    );
    assert!(page.contains("id=\"skipped\""));
    assert!(
        page.contains("lee@acme.example <span class=\"count\">(3 open, longest waiting 24 days)"),
        "{page}"
    );
}

#[test]
fn a_manifest_names_the_organisation_and_its_teams() {
    let f = fleet();
    std::fs::write(
        f.root.join("org.yaml"),
        "name: Acme AI\nsources: [results/search.json]\nteams:\n  support: [clones/reply-assist]\n",
    )
    .unwrap();
    let (doc, stderr) = org(&f, &["org", "org.yaml", "--format", "json"]);
    assert_eq!(stderr, "");
    assert_eq!(doc["name"], "Acme AI");
    assert_eq!(
        repo(&doc, "Search ranking")["team"],
        serde_json::Value::Null
    );
    assert_eq!(
        repo(&doc, "Reply Assist — support reply drafting")["team"],
        "support"
    );
    assert_eq!(doc["repositories"].as_array().unwrap().len(), 2);

    // The text and Markdown formats show each repository's team in a column of its own.
    let (text, _) = org(&f, &["org", "org.yaml"]);
    let text = text.as_str().unwrap();
    let header = text.lines().find(|l| l.starts_with("repository")).unwrap();
    assert!(
        header.contains("  team ") && header.find("team") < header.find("checked"),
        "{header}"
    );
    let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap();
    assert!(row("Reply Assist").contains("  support  today"), "{text}");
    assert!(
        row("Search ranking").contains("         today"),
        "no team: {text}"
    );
    let (md, _) = org(&f, &["org", "org.yaml", "--format", "markdown"]);
    let md = md.as_str().unwrap();
    assert!(
        md.contains("| repository | team | checked | `pm` |"),
        "{md}"
    );
    assert!(md.contains("|---|---|---|"), "{md}");
    assert!(
        md.contains("| Reply Assist — support reply drafting | support | today |"),
        "{md}"
    );
    assert!(md.contains("| Search ranking |  | today |"), "{md}");

    // And so does the org workbench.
    let (tx, rx) = std::sync::mpsc::channel();
    let gathering = handoff::engine::org::start(
        &[f.root.join("org.yaml")],
        NOW.parse().unwrap(),
        "7d".parse().unwrap(),
        std::sync::Arc::new(move |a| tx.send(a).unwrap()),
    );
    let mut view = handoff::tui::org::OrgView::new(
        gathering,
        None,
        &crate::support::workbench::options(false),
    );
    view.arrive(rx.iter());
    let shown = screen(&view, 120, 8);
    assert!(shown.contains(" team "), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.contains("Reply Assist") && l.contains(" support ")),
        "{shown}"
    );
}

#[test]
fn stale_after_moves_the_threshold_and_nothing_usable_exits_2() {
    let f = fleet();
    let (doc, _) = org(
        &f,
        &[
            "org",
            "results/voice.json",
            "--stale-after",
            "6w",
            "--format",
            "json",
        ],
    );
    assert_eq!(repo(&doc, "Voice bot")["stale"], false);
    assert_eq!(doc["stale_after"], "6w");

    let out = handoff(&f.root, NOW, &["org", "results/newer.json", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nowhere: no such file or directory"),
        "{stderr}"
    );
    assert!(stderr.contains("every source was skipped"), "{stderr}");
}

#[test]
fn html_renders_in_a_headless_browser_and_fetches_nothing() {
    use crate::ecosystem::{browse, chromium, page_requests};
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED html_renders_in_a_headless_browser_and_fetches_nothing: no chromium on PATH"
        );
        return;
    };
    let f = fleet();
    let (html, _) = org(&f, &["org", "clones", "results", "--format", "html"]);
    let page = f.root.join("org.html");
    std::fs::write(&page, html.as_str().unwrap()).unwrap();
    let (dom, netlog) = browse(&browser, &page, &["--dump-dom"]);
    assert!(dom.contains("<table class=\"org\">"), "{dom}");
    assert!(dom.contains("Must sign, per person") && dom.contains("Voice bot"));
    assert_eq!(page_requests(&netlog), Vec::<String>::new());
    let shot = f.root.join("org.png");
    browse(
        &browser,
        &page,
        &[
            "--window-size=1280,1400",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    if let Some(keep) = std::env::var_os("HANDOFF_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

/// The org workbench's sources on TestBackend: the fleet without its broken clone (whose row
/// is named by its temporary path).
fn org_sources(f: &Fleet) -> Vec<PathBuf> {
    [
        "clones/billing",
        "clones/reply-assist",
        "results/search.json",
        "results/voice.json",
    ]
    .iter()
    .map(|s| f.root.join(s))
    .collect()
}

/// The org workbench as it first paints (every source pending), with kim as the user, and
/// every outcome the org workers reported, in the order of the sources.
fn org_view_pending(
    f: &Fleet,
) -> (
    handoff::tui::org::OrgView,
    Vec<handoff::engine::org::Arrival>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let gathering = handoff::engine::org::start(
        &org_sources(f),
        NOW.parse().unwrap(),
        "7d".parse().unwrap(),
        std::sync::Arc::new(move |a| tx.send(a).unwrap()),
    );
    let view = handoff::tui::org::OrgView::new(
        gathering,
        Some("kim@acme.example".into()),
        &crate::support::workbench::options(false),
    );
    // The channel closes once every worker is done.
    let mut arrived: Vec<_> = rx.iter().collect();
    arrived.sort_by_key(|a| a.slot);
    (view, arrived)
}

/// The org workbench with every source in.
fn org_view(f: &Fleet) -> handoff::tui::org::OrgView {
    let (mut view, arrived) = org_view_pending(f);
    view.arrive(arrived);
    view
}

fn screen(view: &handoff::tui::org::OrgView, w: u16, h: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|frame| handoff::tui::views::org::draw(frame, view))
        .unwrap();
    let buf = terminal.backend().buffer().clone();
    buf.content()
        .chunks(w as usize)
        .map(|row| {
            let line: String = row.iter().map(|c| c.symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn press(view: &mut handoff::tui::org::OrgView, keys: &str) -> handoff::tui::org::OrgEffect {
    let mut last = handoff::tui::org::OrgEffect::None;
    for k in keys.split(' ') {
        let chord = handoff::tui::keymap::KeyChord::parse(k).unwrap();
        last = view.key(ratatui::crossterm::event::KeyEvent::new(
            chord.code, chord.mods,
        ));
    }
    last
}

#[test]
fn the_org_workbench_filters_keeps_mine_and_opens_repositories() {
    use handoff::tui::org::OrgEffect;
    let f = fleet();
    let mut view = org_view(&f);
    insta::assert_snapshot!("org_workbench_120x12", screen(&view, 120, 12));

    // `m`: only where kim must sign — the two repositories seen through result files.
    press(&mut view, "m");
    let names: Vec<&str> = view
        .visible()
        .iter()
        .map(|&i| view.org.repos[i].name.as_str())
        .collect();
    assert_eq!(names, ["Search ranking", "Voice bot"]);
    assert!(screen(&view, 120, 12).contains("mine: kim@acme.example"));

    // `/` filters across repositories, by name or by what their findings name.
    press(&mut view, "m / v o i c e Enter");
    let names: Vec<&str> = view
        .visible()
        .iter()
        .map(|&i| view.org.repos[i].name.as_str())
        .collect();
    assert_eq!(names, ["Voice bot"]);

    // Enter on a result file shows its findings; Esc goes back.
    assert_eq!(press(&mut view, "Enter"), OrgEffect::None);
    let shown = screen(&view, 120, 12);
    assert!(
        shown.contains("owner-not-accepted") && shown.contains("STALE 31 days ago"),
        "{shown}"
    );
    press(&mut view, "Esc");
    assert_eq!(view.findings_of, None);

    // Enter on a local repository opens its own workbench.
    press(&mut view, "Ctrl-l");
    assert_eq!(
        press(&mut view, "Enter"),
        OrgEffect::OpenLocal(f.root.join("clones/billing"))
    );
}

#[test]
fn the_org_workbench_paints_before_every_source_is_in_and_fills_rows_as_they_arrive() {
    let f = fleet();
    let (mut view, arrived) = org_view_pending(&f);
    assert_eq!(arrived.len(), 4, "one outcome per source");
    let first = screen(&view, 120, 12);
    assert!(first.contains("4 still checking"), "{first}");
    assert_eq!(first.matches("checking…").count(), 2, "{first}");
    assert_eq!(first.matches("reading…").count(), 2, "{first}");

    // The cursor rides along: on the third row (search.json) before and after it arrives.
    press(&mut view, "j j");
    let mut by_slot: Vec<Option<_>> = arrived.into_iter().map(Some).collect();
    let mut take = |slot: usize| by_slot[slot].take().unwrap();
    view.arrive([take(2)]); // results/search.json
    view.arrive([take(0)]); // clones/billing
    insta::assert_snapshot!("org_workbench_half_filled_120x12", screen(&view, 120, 12));
    let current = view.current().unwrap();
    assert_eq!(view.org.repos[current].name, "Search ranking");
    // Enter on a row still pending says so, and opens nothing.
    press(&mut view, "k");
    assert_eq!(
        press(&mut view, "Enter"),
        handoff::tui::org::OrgEffect::None
    );
    assert_eq!(view.findings_of, None);
    assert!(screen(&view, 120, 12).contains("is still being read"));

    view.arrive([take(1), take(3)]);
    assert_eq!(view.gathering.remaining(), 0);
    let done = screen(&view, 120, 12);
    assert!(
        !done.contains("checking") && !done.contains("reading…"),
        "{done}"
    );
    assert!(
        done.contains("Reply Assist") && done.contains("Voice bot"),
        "{done}"
    );
}

/// The real binary in a pseudo-terminal over the whole fleet: three local repositories and
/// the result files of two more; `m` and `/` across repositories; Enter opens a local
/// repository's own workbench, and quitting it comes back to the org workbench, which still
/// answers the keyboard.
#[test]
fn the_org_workbench_in_a_terminal_opens_a_repository_and_comes_back() {
    use crate::support::pty::Session;
    let f = fleet();
    // "Mine" is git's user.email as the first local repository sees it.
    common::git(
        &f.root.join("clones/billing"),
        &["config", "user.email", "kim@acme.example"],
    );
    let mut s = Session::start(&f.root, &["org", "clones", "results"], &[], 140, 30);
    let screen = s.wait_for("Voice bot");
    let screen = if screen.contains("still checking") {
        s.wait_until_gone("still checking")
    } else {
        screen
    };
    for row in [
        "Billing assistant",
        "clones/broken",
        "Reply Assist — support r",
        "Search ranking",
        "STALE 31 days ago",
    ] {
        assert!(screen.contains(row), "{row}: {screen}");
    }

    s.send("m");
    let screen = s.wait_for("mine: kim@acme.example");
    assert!(
        screen.contains("Search ranking") && !screen.contains("Billing assistant"),
        "{screen}"
    );
    s.send("m");
    s.wait_for("Billing assistant");

    s.send("/");
    for c in "runbook".chars() {
        s.send(&c.to_string());
    }
    s.send("\r");
    let screen = s.wait_for("filter: runbook");
    assert!(
        screen.contains("Billing assistant") && !screen.contains("Search ranking"),
        "filtered by what the findings name: {screen}"
    );

    // Enter opens Billing's own workbench; quitting it comes back.
    s.send("\r");
    let screen = s.wait_for("worst finding");
    assert!(screen.contains("Billing assistant"), "{screen}");
    s.send("q");
    s.wait_for("filter: runbook");
    // The keyboard is the org workbench's again: the first key after coming back counts.
    s.send("\x0c"); // Ctrl-l
    let screen = s.wait_until_gone("filter: runbook");
    assert!(screen.contains("Search ranking"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    assert!(
        !s.screen.lock().unwrap().screen().alternate_screen(),
        "the terminal is given back"
    );
}

#[test]
fn the_org_workbench_puts_people_across_with_what_each_owes_and_how_long() {
    let f = fleet();
    let mut view = org_view(&f);
    press(&mut view, "Tab");
    assert_eq!(view.axis, handoff::tui::org::OrgAxis::People);
    let shown = screen(&view, 400, 10);
    insta::assert_snapshot!("org_workbench_people_400x10", shown);
    press(&mut view, "Tab");
    assert_eq!(view.axis, handoff::tui::org::OrgAxis::Roles);
}
