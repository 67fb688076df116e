//! The command line as a process: exit codes, the JSON contract, text output, the matrix
//! exports, and the exact messages for the corpus of broken indexes.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{NOW, TestRepo, git};
use serde_json::Value;

/// The handoff binary with the machine's git configuration kept out.
fn handoff(cwd: &Path) -> Command {
    common::handoff_command(cwd, NOW)
}

/// Builds the demo repository into a temporary directory.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = handoff(tmp.path())
        .args(["demo", "--no-open", "--into"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        dir.display().to_string()
    );
    (tmp, dir)
}

fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = handoff(dir)
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

#[test]
fn demo_shows_every_finding_code_and_clean_artifacts() {
    let (_tmp, dir) = demo();
    let (code, json) = check_json(&dir, &[]);
    assert_eq!(code, 1, "the demo has errors, so the gate fails");
    let seen: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // The brief's codes, plus `invalid-signoff`; `unreadable` needs a FIFO or a huge file.
    for code in handoff::core::model::FindingCode::ALL
        .iter()
        .filter(|c| c.as_str() != "unreadable")
    {
        assert!(seen.contains(code.as_str()), "the demo lacks `{code}`");
    }
    let clean: Vec<&str> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["findings"].as_array().unwrap().is_empty())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(clean.len() >= 2, "clean artifacts: {clean:?}");
}

#[test]
fn json_matches_what_git_says() {
    let (_tmp, dir) = demo();
    let (_, json) = check_json(&dir, &[]);
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["head"].as_str().unwrap(),
        git(&dir, &["rev-parse", "HEAD"])
    );
    let mut compared = 0;
    for a in json["artifacts"].as_array().unwrap() {
        for key in [
            "id",
            "owner",
            "exists",
            "fingerprint",
            "last_change",
            "findings",
        ] {
            assert!(a.get(key).is_some(), "artifact {} lacks `{key}`", a["id"]);
        }
        let Some(path) = a["path"].as_str() else {
            assert!(a["url"].is_string());
            continue;
        };
        let expected = git(&dir, &["log", "-1", "--format=%H", "--", path]);
        let actual = a["last_change"]["commit"].as_str().unwrap_or("");
        assert_eq!(actual, expected, "last change of {path}");
        if a["exists"] == true && !a["uncommitted"].as_bool().unwrap() && !path.contains('*') {
            assert_eq!(
                a["fingerprint"].as_str().unwrap(),
                git(&dir, &["rev-parse", &format!("HEAD:{path}")]),
                "{path}"
            );
        }
        compared += 1;
    }
    assert!(compared > 10);
    let summary = &json["summary"];
    let total = json["findings"].as_array().unwrap().len() as u64;
    assert_eq!(
        summary["error"].as_u64().unwrap()
            + summary["warning"].as_u64().unwrap()
            + summary["info"].as_u64().unwrap(),
        total
    );
    for f in json["findings"].as_array().unwrap() {
        for key in [
            "code", "severity", "message", "artifact", "fix", "file", "line", "column",
        ] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
    }
}

/// A small handoff whose worst finding is a warning (the owner has not accepted).
fn warning_only_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: prd.md\n    owner: pm\n",
    );
    repo.write("prd.md", "# PRD\n");
    repo.commit("Add the PRD");
    repo
}

#[test]
fn fail_on_sets_the_threshold() {
    let repo = warning_only_repo();
    let status = |extra: &[&str]| {
        handoff(repo.path())
            .arg("check")
            .args(extra)
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(status(&[]), Some(0));
    assert_eq!(status(&["--fail-on", "warning"]), Some(1));
    assert_eq!(status(&["--fail-on", "info"]), Some(1));
    assert_eq!(status(&["--fail-on", "nonsense"]), Some(2));
}

#[test]
fn text_report_groups_by_artifact_with_fixes_and_a_summary() {
    let repo = warning_only_repo();
    let out = handoff(repo.path()).arg("check").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\nprd  prd.md  owner pm\n"), "{text}");
    assert!(text.contains("  warning  owner-not-accepted"), "{text}");
    assert!(
        text.contains("→ dana@acme.example runs `handoff sign prd --action accept --role pm`"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("1 artifact · 0 errors · 1 warning · 0 info · ok (--fail-on error)"),
        "{text}"
    );
}

#[test]
fn the_index_is_found_from_a_subdirectory() {
    let repo = warning_only_repo();
    std::fs::create_dir_all(repo.abs("deep/inside")).unwrap();
    let out = handoff(&repo.abs("deep/inside"))
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_index_and_no_repository_exit_2_with_a_message() {
    let repo = TestRepo::new();
    let out = handoff(repo.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no handoff.yaml") && err.contains("handoff init"),
        "{err}"
    );

    let plain = tempfile::tempdir().unwrap();
    let out = handoff(plain.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

#[test]
fn a_workspace_in_a_subdirectory_resolves_paths_from_there() {
    let repo = TestRepo::new();
    repo.write(
        "product/handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: docs/prd.md\n    owner: pm\n",
    );
    repo.write("product/docs/prd.md", "# PRD\n");
    let commit = repo.commit("Add the PRD");
    let (_, json) = check_json(&repo.abs("product"), &[]);
    let prd = &json["artifacts"][0];
    assert_eq!(prd["exists"], true);
    assert_eq!(prd["last_change"]["commit"], commit.as_str());
    assert_eq!(
        prd["fingerprint"].as_str().unwrap(),
        repo.git(&["rev-parse", "HEAD:product/docs/prd.md"])
    );
}

#[test]
fn matrix_exports() {
    let (_tmp, dir) = demo();
    let run = |format: &str| {
        let out = handoff(&dir)
            .args(["matrix", "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run("markdown");
    assert!(md.contains("| Artifact |") && md.contains("|---|"), "{md}");
    let csv = run("csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("artifact,pm,") && header.ends_with(",worst"),
        "{header}"
    );
    assert!(csv.contains("owner:current") || csv.contains("owner:never-signed"));
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert!(json["roles"].as_array().unwrap().len() >= 6);
    let text = run("text");
    assert!(text.contains("O owner"), "the legend explains the letters");
}

#[test]
fn demo_refuses_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let out = handoff(tmp.path())
        .args(["demo", "--no-open", "--into"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("keep.txt")).unwrap(),
        "mine"
    );
}

/// Every broken index in `tests/fixtures/invalid/` exits 2 with exactly the message in its
/// `.err` file. `HANDOFF_BLESS=1` rewrites the `.err` files from the current output.
#[test]
fn broken_indexes_give_exact_located_messages() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let bless = std::env::var_os("HANDOFF_BLESS").is_some();
    let repo = TestRepo::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "the corpus has {} indexes", names.len());
    let mut failures = Vec::new();
    for path in names {
        std::fs::copy(&path, repo.abs("handoff.yaml")).unwrap();
        let out = handoff(repo.path()).arg("check").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let expected_file = path.with_extension("err");
        if bless {
            std::fs::write(&expected_file, &stderr).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if out.status.code() != Some(2) {
            failures.push(format!("{name}: exit {:?}", out.status.code()));
        } else if stderr != expected {
            failures.push(format!(
                "{name}:\n  expected: {expected}\n  actual:   {stderr}"
            ));
        } else if !stderr.starts_with("handoff.yaml:") {
            failures.push(format!(
                "{name}: message does not start with handoff.yaml:LINE:COL"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_pinned_clock_outside_the_supported_range_says_what_the_range_is() {
    let (_tmp, dir) = demo();
    let run = |now: &str| {
        let out = common::handoff_command(&dir, now)
            .arg("check")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // A valid RFC 3339 time that handoff cannot represent: the range is named.
    let (code, err) = run("9999-12-31T23:59:59Z");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("HANDOFF_NOW=`9999-12-31T23:59:59Z` is a valid RFC 3339 time")
            && err.contains("0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z"),
        "{err}"
    );
    assert!(!err.contains("not an RFC 3339 time"), "{err}");
    // The ends of the range work.
    for edge in ["9999-12-30T22:00:00Z", "0000-01-01T00:00:00Z"] {
        let (code, err) = run(edge);
        assert_eq!(code, Some(1), "{edge}: {err}");
    }
    // What is not RFC 3339 is still called so.
    for bad in [
        "2026-02-30T00:00:00Z",
        "2026-11-22T12:00:00",
        "yesterday",
        "9999-12-31T24:00:00Z",
    ] {
        let (code, err) = run(bad);
        assert_eq!(code, Some(2), "{bad}: {err}");
        assert!(err.contains("is not an RFC 3339 time"), "{bad}: {err}");
    }
}

/// A handoff of `n` artifacts, each depending on the one before (so the last one's upstream
/// chain is all of them), over a dozen roles, with a sign-off on every tenth.
fn large_handoff(n: usize) -> TestRepo {
    use std::fmt::Write as _;
    let repo = TestRepo::new();
    let mut yaml = String::from("version: 1\nname: Scale\nroles:\n");
    for r in 0..12 {
        writeln!(
            yaml,
            "  role-{r}: {{ title: Role {r}, people: [p{r}@example.com] }}"
        )
        .unwrap();
    }
    yaml.push_str(
        "kinds:\n  doc:\n    required_sections: [Goals]\n    signoff: [role-1]\nartifacts:\n",
    );
    for i in 0..n {
        write!(
            yaml,
            "  - id: a{i}\n    title: Artifact {i}\n    kind: doc\n    path: docs/a{i}.md\n    owner: role-{}\n    reviewers: [role-{}]\n    consumers: [role-{}]\n",
            i % 12,
            (i + 3) % 12,
            (i + 5) % 12
        )
        .unwrap();
        if i > 0 {
            writeln!(yaml, "    depends_on: [a{}]", i - 1).unwrap();
        }
        // Every other document exists; the rest are `missing`.
        if i % 2 == 0 {
            repo.write(
                &format!("docs/a{i}.md"),
                &format!("# A{i}\n\n## Goals\n\nG.\n"),
            );
        }
        if i % 10 == 0 {
            repo.write(
                &format!(".handoff/signoffs/a{i}.yaml"),
                &format!(
                    "- action: accept\n  by: p{r}@example.com\n  role: role-{r}\n  at: 2026-10-01T10:00:00Z\n  fingerprint: {}\n  upstream: {{}}\n",
                    "0".repeat(40),
                    r = i % 12
                ),
            );
        }
    }
    repo.write("handoff.yaml", &yaml);
    repo.commit("A large handoff");
    repo
}

/// The median wall time of `handoff <args>` over three runs.
fn timed(dir: &Path, args: &[&str]) -> std::time::Duration {
    let mut times: Vec<std::time::Duration> = (0..3)
        .map(|_| {
            let started = std::time::Instant::now();
            let out = handoff(dir).args(args).output().unwrap();
            let elapsed = started.elapsed();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty(), "{args:?} printed nothing");
            elapsed
        })
        .collect();
    times.sort();
    times[1]
}

/// Report, matrix and context read what `check` reads and write less: none may take more
/// than a small factor of `check`'s time (they were quadratic in the number of artifacts).
#[test]
fn report_matrix_and_context_stay_near_check_at_scale() {
    let n = 6_000;
    let repo = large_handoff(n);
    let last = format!("a{}", n - 1);
    // A first run fills the caches, as a second command in a session finds them.
    timed(repo.path(), &["check"]);
    let check = timed(repo.path(), &["check", "--format", "json"]);
    let slack = std::time::Duration::from_secs(1);
    for args in [
        vec!["report"],
        // The trend chart walks history once per week; it is measured by the benchmarks.
        vec!["report", "--format", "html", "--weeks", "0"],
        vec!["matrix"],
        vec!["matrix", "--format", "markdown"],
        vec!["matrix", "--format", "csv"],
        vec!["matrix", "--format", "json"],
        vec!["context", &last],
        vec!["context", "a0"],
    ] {
        let took = timed(repo.path(), &args);
        assert!(
            took <= check * 3 + slack,
            "`handoff {}` took {took:?}, check {check:?}",
            args.join(" ")
        );
    }
}
