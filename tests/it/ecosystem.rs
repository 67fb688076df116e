//! The ecosystem commands as processes: `init` profiles, `schema`, the CI formats of `check`,
//! `report` (in a real headless browser when one is installed), `context`, completions, the
//! man page and `doctor` (`mcp` has its own module).

use crate::common;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestRepo;
use serde_json::{Value, json};

const NOW: &str = "2026-11-22T12:00:00Z";

pub(crate) fn handoff(cwd: &Path) -> Command {
    common::handoff_command(cwd, NOW)
}

/// Asserts that `text` contains `needle`, showing the text when it does not.
fn assert_has(text: &str, needle: &str) {
    assert!(text.contains(needle), "no {needle:?} in\n{text}");
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = handoff(cwd).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

pub(crate) fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = run(
        tmp.path(),
        &["demo", "--no-open", "--into", dir.to_str().unwrap()],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    (tmp, dir)
}

pub(crate) fn check_json(dir: &Path) -> Value {
    serde_json::from_str(&run(dir, &["check", "--format", "json"]).stdout).unwrap()
}

/// A repository with the given user.email in its own configuration.
fn repo_as(email: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", email]);
    repo
}

// --- init ---------------------------------------------------------------------------------

#[test]
fn every_profile_writes_an_index_that_loads_and_checks() {
    for profile in ["solo", "startup", "mid-size", "enterprise", "generic"] {
        let repo = repo_as("dana@acme.example");
        let init = run(repo.path(), &["init", "--profile", profile]);
        assert_eq!(init.code, 0, "{profile}: {}", init.stderr);
        let article = if profile == "enterprise" { "an" } else { "a" };
        assert_has(&init.stdout, &format!("for {article} {profile} team:"));
        let check = run(repo.path(), &["check"]);
        assert!(
            check.code == 0 || check.code == 1,
            "{profile}: check exits {}: {}",
            check.code,
            check.stderr
        );
        let json = check_json(repo.path());
        let unstaffed = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "owner-unstaffed")
            .count();
        if profile == "solo" {
            assert_eq!(unstaffed, 0, "solo staffs every role");
            assert_has(&init.stdout, "are in every role");
        } else {
            assert!(unstaffed > 0, "{profile}: the other roles are left to fill");
            assert!(
                init.stdout.contains("owner-unstaffed"),
                "{profile}: next steps say so: {}",
                init.stdout
            );
        }
        let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
        assert!(index.contains("people: [dana@acme.example]"), "{profile}");
    }
}

#[test]
fn the_generic_profile_keeps_design_docs_adrs_and_runbooks_with_nothing_ai_specific() {
    let repo = repo_as("dana@acme.example");
    let init = run(
        repo.path(),
        &["init", "--profile", "generic", "--with-docs"],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_has(&init.stdout, "You (dana@acme.example) are in lead;");
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    for ai in ["prompt", "eval", "model", "ai-eng"] {
        assert!(!index.contains(ai), "`{ai}` in the generic profile");
    }
    let json = check_json(repo.path());
    let kinds: Vec<&str> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["design", "adr-0001", "runbook"]);
    for f in json["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        assert!(code != "missing" && code != "missing-sections", "{f}");
    }
}

#[test]
fn init_never_overwrites() {
    let repo = repo_as("dana@acme.example");
    repo.write("handoff.yaml", "version: 1\n# mine\n");
    let again = run(repo.path(), &["init", "--profile", "solo"]);
    assert_eq!(again.code, 2);
    assert_has(&again.stderr, "already exists");
    assert_eq!(
        std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap(),
        "version: 1\n# mine\n"
    );
    assert!(!repo.abs("handoff.schema.json").exists());
}

#[test]
fn with_docs_writes_the_documents_their_kinds_require_and_keeps_existing_ones() {
    let repo = repo_as("dana@acme.example");
    repo.write("docs/prd.md", "# Our PRD\n");
    let init = run(
        repo.path(),
        &["init", "--profile", "enterprise", "--with-docs"],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.abs("docs/prd.md")).unwrap(),
        "# Our PRD\n"
    );
    for doc in [
        "docs/framing.md",
        "evals/README.md",
        "prompts/main.yaml",
        "runbooks/kill-switch.md",
        "docs/compliance/data-flow.md",
        "docs/security/prompt-injection.md",
    ] {
        assert!(repo.abs(doc).is_file(), "{doc} was not written");
        assert!(init.stdout.contains(doc), "{doc} is not reported");
    }
    let json = check_json(repo.path());
    for f in json["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        let about_our_prd = f["artifact"] == "prd";
        assert!(
            code != "missing" && (code != "missing-sections" || about_our_prd),
            "a template left a finding: {f}"
        );
    }
}

#[test]
fn init_writes_the_modeline_and_the_schema_it_points_at() {
    let repo = repo_as("dana@acme.example");
    assert_eq!(run(repo.path(), &["init"]).code, 0);
    let index = std::fs::read_to_string(repo.abs("handoff.yaml")).unwrap();
    assert!(index.starts_with("# yaml-language-server: $schema=./handoff.schema.json\n"));
    let written = std::fs::read_to_string(repo.abs("handoff.schema.json")).unwrap();
    assert_eq!(written, run(repo.path(), &["schema"]).stdout);

    let other = repo_as("dana@acme.example");
    let url = "https://example.com/handoff.schema.json";
    assert_eq!(run(other.path(), &["init", "--schema-url", url]).code, 0);
    let index = std::fs::read_to_string(other.abs("handoff.yaml")).unwrap();
    assert!(index.starts_with(&format!("# yaml-language-server: $schema={url}\n")));
    assert!(!other.abs("handoff.schema.json").exists());
}

#[test]
fn init_without_an_identity_staffs_nobody_and_says_why() {
    let repo = TestRepo::new();
    let init = run(repo.path(), &["init", "--profile", "solo"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert_has(&init.stdout, "git has no user.email");
    let code = run(repo.path(), &["check"]).code;
    assert!(code == 0 || code == 1);
}

// --- schema -------------------------------------------------------------------------------

#[test]
fn schema_is_draft_07_for_the_index_and_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let index: Value = serde_json::from_str(&run(tmp.path(), &["schema"]).stdout).unwrap();
    assert_eq!(index["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(index["required"], json!(["version"]));
    assert!(index["properties"]["artifacts"].is_object());
    let ledger: Value =
        serde_json::from_str(&run(tmp.path(), &["schema", "--ledger"]).stdout).unwrap();
    assert_eq!(ledger["items"]["$ref"], "#/definitions/signoff");
}

// --- check --format github | junit | sarif ---------------------------------------------------

#[test]
fn github_annotations_cover_every_finding_sorted_and_stable() {
    let (_tmp, dir) = demo();
    let json = check_json(&dir);
    let out = run(&dir, &["check", "--format", "github"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let (summary, annotations) = lines.split_last().unwrap();
    assert!(summary.starts_with("handoff: 21 artifacts"), "{summary}");
    assert_eq!(
        annotations.len(),
        json["findings"].as_array().unwrap().len()
    );
    for line in annotations {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
    }
    assert!(out.stdout.contains(
        "::error file=.handoff/signoffs/prd.yaml,line=61,col=3,title=changed-since-signoff::prd: changed 24 days ago"
    ));
    assert!(
        out.stdout.contains("::notice file=handoff.yaml,"),
        "info becomes notice"
    );
    let files: Vec<&str> = annotations
        .iter()
        .map(|l| l.split("file=").nth(1).unwrap().split(',').next().unwrap())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "annotations are sorted by file");
    assert_eq!(
        out.stdout,
        run(&dir, &["check", "--format", "github"]).stdout
    );
}

/// A handoff in `handoff/` inside the repository, whose texts try to break every format.
fn hostile_subdirectory_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff/handoff.yaml",
        "version: 1\n\
         name: \"<script>alert(1)</script> & co\"\n\
         roles:\n  pm: { people: [dana@acme.example] }\n\
         kinds:\n  prd: { required_sections: [Rollout plan] }\n\
         artifacts:\n\
         \x20 - id: prd\n    title: \"<img src=x onerror=alert(1)> | *PRD*\"\n    kind: prd\n    path: \"docs/a,b:c%.md\"\n    owner: pm\n",
    );
    repo.write("handoff/docs/a,b:c%.md", "# PRD\n\x1b]0;pwned\x07\n");
    repo.commit("A hostile handoff");
    repo
}

#[test]
fn github_paths_are_relative_to_the_repository_and_escaped() {
    let repo = hostile_subdirectory_repo();
    let out = run(&repo.abs("handoff"), &["check", "--format", "github"]);
    assert_has(
        &out.stdout,
        "::warning file=handoff/docs/a%2Cb%3Ac%25.md,line=1,col=1,title=missing-sections::prd: `docs/a,b:c%25.md` lacks",
    );
    assert!(out.stdout.contains("file=handoff/handoff.yaml,"));
    assert!(!out.stdout.contains('\x1b'));
}

/// Checks that `xml` is well-formed as far as handoff's output goes: tags nest and close,
/// attribute values are quoted, and every `&` starts one of the five entities.
fn assert_well_formed_xml(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        assert!(!text.contains('>'), "stray > in {text:?}");
        if let Some(after) = tail.strip_prefix('&') {
            let ok = ["amp;", "lt;", "gt;", "quot;", "#39;"]
                .iter()
                .any(|e| after.starts_with(e));
            assert!(ok, "bare & at {:?}", &tail[..tail.len().min(20)]);
            rest = after;
            continue;
        }
        let end = tail.find('>').expect("tag closes");
        let tag = &tail[1..end];
        assert!(!tag.contains('<'), "< inside tag {tag:?}");
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in {tag:?}"
        );
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_string());
        }
        rest = &tail[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn junit_has_one_case_per_artifact_and_fails_those_at_the_threshold() {
    let (_tmp, dir) = demo();
    let json = check_json(&dir);
    let out = run(&dir, &["check", "--format", "junit"]);
    assert_eq!(out.code, 1);
    let xml = out.stdout;
    assert_well_formed_xml(&xml);
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    // One case per artifact, then one per scorecard rule.
    assert_eq!(xml.matches("<testcase ").count(), 21 + 7);
    assert_eq!(xml.matches("classname=\"handoff.scorecard\"").count(), 7);
    let failing_rules = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "scorecard-unmet" && f["severity"] == "error")
        .count();
    assert_eq!(failing_rules, 1, "every-artifact-owned");
    let failing = failing_rules
        + json["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["severity"] == "error")
            })
            .count();
    assert_eq!(xml.matches("<failure ").count(), failing);
    assert!(xml.contains(&format!("failures=\"{failing}\"")));
    let warnings = run(
        &dir,
        &["check", "--format", "junit", "--fail-on", "warning"],
    )
    .stdout;
    assert!(warnings.matches("<failure ").count() > failing);

    let repo = hostile_subdirectory_repo();
    let hostile = run(&repo.abs("handoff"), &["check", "--format", "junit"]).stdout;
    assert_well_formed_xml(&hostile);
    assert!(hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

#[test]
fn sarif_names_every_rule_and_locates_every_result() {
    let (_tmp, dir) = demo();
    let json = check_json(&dir);
    let out = run(&dir, &["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let codes: Vec<&str> = handoff::core::model::FindingCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(rules, codes);
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[index]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let location = &r["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"].is_string());
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

// --- report ---------------------------------------------------------------------------------

#[test]
fn markdown_report_has_the_matrix_gaps_stale_items_and_sign_offs() {
    let (_tmp, dir) = demo();
    let md = run(&dir, &["report"]).stdout;
    for heading in [
        "# Handoff status: Reply Assist",
        "## Ownership matrix",
        "## Gaps (",
        "## Stale (",
        "## Recent sign-offs",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(md.contains("| PRD — Reply Assist | O✓ |"), "{md}");
    assert!(md.contains("| **error** | `flagged-queue` | `no-owner` |"));

    let repo = hostile_subdirectory_repo();
    let hostile = run(repo.path(), &["report", "handoff"]).stdout;
    assert!(hostile.contains("\\<script\\>alert(1)\\</script\\> \\& co"));
    assert!(hostile.contains("\\<img src=x onerror=alert(1)\\> \\| \\*PRD\\*"));
}

#[test]
fn html_report_is_one_self_contained_escaped_file() {
    let (_tmp, dir) = demo();
    let out_file = dir.join("status.html");
    let out = run(&dir, &["report", "--output", out_file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("<link") && !html.contains("src="),
        "nothing fetched"
    );
    assert!(html.contains("default-src 'none'"));
    assert_eq!(html.matches("<tr><th scope=\"row\">").count(), 21);
    assert!(html.contains("<span class=\"badge sev-error\">error</span>"));
    assert!(html.contains("@media print"));

    let repo = hostile_subdirectory_repo();
    let hostile = run(repo.path(), &["report", "handoff", "--format", "html"]).stdout;
    assert!(!hostile.contains("<script>alert") && !hostile.contains("<img"));
    assert!(hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

pub(crate) fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("HANDOFF_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Runs a headless browser on `page` with `extra` arguments; returns its standard output and
/// the network log it wrote.
pub(crate) fn browse(browser: &Path, page: &Path, extra: &[&str]) -> (String, Value) {
    let profile = tempfile::tempdir().unwrap();
    let netlog = profile.path().join("netlog.json");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut text).ok();
        text
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            child.kill().ok();
            panic!("the browser did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader.join().unwrap();
    let log = std::fs::read_to_string(&netlog).unwrap_or_default();
    // The log is a JSON document once the browser has closed it properly.
    let log: Value = serde_json::from_str(&log).unwrap_or(Value::Null);
    (dom, log)
}

/// URLs of the requests the page itself made. Chromium's own background requests carry the
/// initiator "not an origin"; anything the page fetched would carry its (file) origin.
pub(crate) fn page_requests(netlog: &Value) -> Vec<String> {
    let Some(start_job) = netlog["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64()
    else {
        return Vec::new();
    };
    netlog["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["type"].as_u64() == Some(start_job))
                .filter(|e| e["params"]["initiator"] != "not an origin")
                .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn html_report_renders_in_a_headless_browser_and_fetches_nothing() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED html_report_renders_in_a_headless_browser_and_fetches_nothing: no chromium \
             on PATH (install Debian's `chromium`, as .ci/run does, or set HANDOFF_CHROMIUM)"
        );
        return;
    };
    // A canary: if any repository text became markup, the browser would knock here.
    let canary = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let port = canary.local_addr().unwrap().port();
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        &format!(
            "version: 1\nname: \"<img src='http://127.0.0.1:{port}/name.png'> Reply Assist\"\n\
             roles:\n  pm: {{ title: \"<style>@import 'http://127.0.0.1:{port}/x.css';</style>PM\", people: [dana@acme.example] }}\n\
             artifacts:\n  - id: prd\n    title: \"<link rel=stylesheet href=http://127.0.0.1:{port}/t.css>PRD\"\n    path: prd.md\n    owner: pm\n"
        ),
    );
    repo.write("prd.md", "# PRD\n");
    repo.commit("Hostile but harmless");
    let page = repo.abs("status.html");
    assert_eq!(
        run(repo.path(), &["report", "--output", page.to_str().unwrap()]).code,
        0
    );

    let (dom, netlog) = browse(&browser, &page, &["--dump-dom"]);
    assert!(
        dom.contains("<table class=\"matrix\" id=\"matrix-table\">"),
        "{dom}"
    );
    assert!(dom.contains("Ownership matrix") && dom.contains("Recent sign-offs"));
    assert!(
        dom.contains("&lt;img src='http://127.0.0.1"),
        "the name stays text"
    );
    assert!(!dom.contains("<img") && !dom.contains("<link rel"));
    assert!(netlog.is_object(), "the browser wrote no network log");
    assert_eq!(page_requests(&netlog), Vec::<String>::new());

    let shot = repo.abs("status.png");
    let (_, netlog) = browse(
        &browser,
        &page,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    assert_eq!(page_requests(&netlog), Vec::<String>::new());
    assert!(
        canary.accept().is_err(),
        "the browser fetched something the page named"
    );

    // The demo's page too: a real table of 21 artifacts.
    let (_tmp, dir) = demo();
    let demo_page = dir.join("status.html");
    run(&dir, &["report", "--output", demo_page.to_str().unwrap()]);
    let (dom, netlog) = browse(&browser, &demo_page, &["--dump-dom"]);
    assert_eq!(dom.matches("<th scope=\"row\">").count(), 21);
    assert!(dom.contains("PRD — Reply Assist"));
    assert_eq!(page_requests(&netlog), Vec::<String>::new());
}

// --- context ------------------------------------------------------------------------------

#[test]
fn context_walks_the_upstream_chain_nearest_first_with_sections() {
    let (_tmp, dir) = demo();
    let out = run(&dir, &["context", "eval-set"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = out.stdout;
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("no {s:?} in\n{md}"));
    assert!(md.starts_with("# Context for `eval-set`: Golden eval set\n"));
    assert!(at("### 1. `prd`") < at("### 2. `prompt-reply-draft`"));
    assert!(at("### 2. `prompt-reply-draft`") < at("### 3. `framing`"));
    assert!(md.contains("2 levels up, via `prd`"));
    assert!(md.contains("#### Rollout plan\n\n> 1. **Dogfood**"));
    assert!(md.contains("```yaml\nid: reply-draft\n"));
    assert!(at("## Open findings") < at("## Latest sign-offs"));
    assert!(md.contains("`upstream-changed`"));
    assert!(md.contains("| owner | AI Engineer (`ai-eng`) |"));

    let unknown = run(&dir, &["context", "eval-sett"]);
    assert_eq!(unknown.code, 2);
    assert_has(&unknown.stderr, "did you mean `eval-set`?");
}

#[test]
fn context_quotes_upstream_text_without_its_control_characters() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n\
         kinds:\n  prd: { required_sections: [Scope] }\n\
         artifacts:\n  - id: prd\n    kind: prd\n    path: prd.md\n    owner: pm\n\
         \x20 - id: flows\n    path: flows.md\n    owner: pm\n    depends_on: [prd]\n",
    );
    repo.write(
        "prd.md",
        "# PRD\n\n## Scope\n\nRefunds \x1b[2J only\n\n## Later\n\nnot quoted\n",
    );
    repo.write("flows.md", "# Flows\n");
    repo.commit("Two artifacts");
    let md = run(repo.path(), &["context", "flows"]).stdout;
    assert!(md.contains("#### Scope\n\n> Refunds ^[[2J only\n"), "{md}");
    assert!(!md.contains('\x1b') && !md.contains("not quoted"));
}

// --- completions, man, doctor ---------------------------------------------------------------

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(tmp.path(), &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains("handoff"), "{shell}");
        assert!(out.stdout.contains("context"), "{shell} lacks a subcommand");
    }
    assert_eq!(run(tmp.path(), &["completions", "tcsh"]).code, 2);
    let man = run(tmp.path(), &["man"]).stdout;
    assert!(man.contains(".TH handoff 1"));
    assert!(man.contains("doctor"));
    let pages = tmp.path().join("man");
    assert_eq!(
        run(tmp.path(), &["man", "--out-dir", pages.to_str().unwrap()]).code,
        0
    );
    assert!(pages.join("handoff.1").is_file());
    assert!(pages.join("handoff-check.1").is_file());
}

#[test]
fn doctor_is_happy_when_nothing_is_wrong() {
    let repo = repo_as("dana@acme.example");
    assert_eq!(run(repo.path(), &["init", "--profile", "solo"]).code, 0);
    let out = run(repo.path(), &["doctor"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    for line in [
        "config dir",
        ".no-config/handoff",
        "user.email  dana@acme.example  (repository config)",
        "your roles  pm (Product), designer (Design)",
        "cache",
        "none yet",
        "✓ nothing wrong",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in\n{}", out.stdout);
    }
}

#[test]
fn doctor_says_whether_history_walks_can_use_bloom_filters() {
    let repo = repo_as("dana@acme.example");
    assert_eq!(run(repo.path(), &["init", "--profile", "solo"]).code, 0);
    repo.commit("Start the handoff");
    let graph_row = || {
        let out = run(repo.path(), &["doctor"]).stdout;
        out.lines()
            .find(|l| l.trim_start().starts_with("graph "))
            .unwrap_or_else(|| panic!("no graph row in\n{out}"))
            .to_string()
    };
    let none = graph_row();
    assert!(
        none.contains("no commit-graph: `git commit-graph write --reachable --changed-paths`"),
        "{none}"
    );

    repo.git(&["commit-graph", "write", "--reachable", "--no-changed-paths"]);
    let plain = graph_row();
    assert!(
        plain.contains("commit-graph (1 file) without changed-path Bloom filters"),
        "{plain}"
    );

    repo.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    assert!(graph_row().contains("commit-graph with changed-path Bloom filters"));

    // A split chain whose newest layer lacks filters.
    repo.write("more.md", "more\n");
    repo.commit("More");
    repo.git(&[
        "commit-graph",
        "write",
        "--reachable",
        "--split=no-merge",
        "--no-changed-paths",
    ]);
    let split = graph_row();
    assert!(split.contains("Bloom filters in 1 of 2 layers"), "{split}");
}

#[test]
fn doctor_names_what_is_wrong() {
    let repo = repo_as("stranger@elsewhere.example");
    assert_eq!(
        run(repo.path(), &["init", "--profile", "solo", "--name", "x"]).code,
        0
    );
    // init staffed the stranger; take them out of every role.
    let index = std::fs::read_to_string(repo.abs("handoff.yaml"))
        .unwrap()
        .replace("stranger@elsewhere.example", "dana@acme.example");
    repo.write("handoff.yaml", &index);
    repo.write(".handoff/signoffs/prd.yaml", "- action: aprove\n  by: x\n");
    let out = run(repo.path(), &["doctor"]);
    assert_eq!(out.code, 1);
    assert_has(&out.stdout, "stranger@elsewhere.example is in no role");
    assert_has(&out.stdout, ".handoff/signoffs/prd.yaml:1:3:");

    repo.write("handoff.yaml", "version: 1\nroles:\n  pm: { peeple: [] }\n");
    let out = run(repo.path(), &["doctor"]);
    assert_eq!(out.code, 1);
    assert_has(&out.stdout, "handoff.yaml:3:9: error: unknown key `peeple`");

    let nowhere = tempfile::tempdir().unwrap();
    let out = run(nowhere.path(), &["doctor"]);
    assert_eq!(out.code, 1);
    assert_has(&out.stdout, "not inside a git repository");
    assert_has(&out.stdout, "git has no user.email");
}
