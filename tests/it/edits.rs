//! Sign-offs and index edits committed back, through the binary and through the library, on
//! temporary repositories: commit contents and parents, the user's staged index and modified
//! files untouched, comments kept, hooks, and every refusal (wrong person, moved HEAD, held
//! lock, no identity, detached HEAD, dirty files, unknown roles), each leaving nothing behind.

use std::process::{Command, Output};

use crate::common::TestRepo;
use handoff::core::edit::{ArtifactField, FieldChange, IndexEdit};
use handoff::core::model::Action;
use handoff::core::signoff::SignRequest;
use handoff::repo::write::{
    BaseHead, CommitError, CommitOptions, SignError, WriteError, apply_edit, sign,
};
use tempfile::TempDir;

const NOW: &str = "2026-11-22T12:00:00Z";

const INDEX: &str = "\
version: 1
name: Reply Assist
# Who sits where. People are git e-mail addresses.
roles:
  pm: { title: Product Manager, people: [test@example.com] }
  ops: { title: Operations, people: [rosa@acme.example, TEST@example.com] }   # two on call
  designer: { title: Designer, people: [priya@acme.example] }
  analytics: { people: [] }
kinds:
  prd:
    signoff: [designer]
artifacts:
  - id: framing
    title: Framing one-pager
    path: docs/framing.md
    owner: pm

  # --- Product
  - id: prd
    title: PRD   # the one everybody reads
    kind: prd
    path: docs/prd.md
    owner: pm
    reviewers: [ops]
    depends_on: [framing]

  - id: trust-ux
    url: https://figma.example/file/1
    owner: designer
    reviewers: [ops]
";

/// A repository with the index, two documents and an unrelated file committed, and a home
/// directory whose git configuration names `Test User <test@example.com>`.
struct Fixture {
    repo: TestRepo,
    home: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let repo = TestRepo::new();
        repo.write("handoff.yaml", INDEX);
        repo.write("docs/framing.md", "# Framing\n");
        repo.write("docs/prd.md", "# PRD\n\n## Goals\n");
        repo.write("other.md", "unrelated\n");
        repo.commit("Start the handoff");
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".gitconfig"),
            "[user]\n\tname = Test User\n\temail = test@example.com\n",
        )
        .unwrap();
        Fixture { repo, home }
    }

    /// The binary in the repository, with the machine's configuration and environment kept out.
    fn handoff(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
        cmd.args(args)
            .current_dir(self.repo.path())
            .env("HANDOFF_NOW", NOW)
            .env("NO_COLOR", "1")
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join(".gitconfig"));
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("GIT_") && !name.starts_with("GIT_CONFIG") || name == "EMAIL" {
                cmd.env_remove(name);
            }
        }
        cmd
    }

    /// Runs the binary and returns its standard output, failing the test unless it succeeded.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.handoff(args);
        assert!(
            out.status.success(),
            "handoff {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the binary, expects a refusal (exit 2) that leaves the repository exactly as it was,
    /// and returns the message.
    fn refused(&self, args: &[&str]) -> String {
        let before = self.state();
        let out = self.handoff(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "handoff {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "nothing is reported as committed");
        assert_eq!(
            self.state(),
            before,
            "handoff {args:?} left something behind"
        );
        stderr
    }

    /// Everything a refused command must leave as it was: HEAD, the index, the work tree.
    fn state(&self) -> (String, String, String, Vec<u8>, Option<Vec<u8>>) {
        let head = if self.repo.git_ok(&["rev-parse", "-q", "--verify", "HEAD"]) {
            self.repo.git(&["rev-parse", "-q", "--verify", "HEAD"])
        } else {
            String::new()
        };
        (
            head,
            self.repo.git(&["ls-files", "-s"]),
            self.repo
                .git(&["status", "--porcelain", "--untracked-files=all"]),
            std::fs::read(self.repo.abs("handoff.yaml")).unwrap_or_default(),
            std::fs::read(self.repo.abs(".handoff/signoffs/prd.yaml")).ok(),
        )
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo.abs(path)).unwrap()
    }
}

fn workspace(repo: &TestRepo) -> handoff::engine::Workspace {
    handoff::engine::locate(Some(repo.path())).unwrap()
}

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

fn trailer(repo: &TestRepo, key: &str) -> String {
    repo.git(&[
        "log",
        "-1",
        &format!("--format=%(trailers:key={key},valueonly,separator=%x2C)"),
    ])
}

// ---------------------------------------------------------------------------------------------
// Sign-offs.

#[test]
fn sign_commits_only_the_ledger_and_leaves_the_users_index_as_it_was() {
    let f = Fixture::new();
    let before = f.repo.head();
    // The user has work in progress: a staged new file, a staged change and an unstaged one.
    f.repo.write("notes.txt", "staged\n");
    f.repo.git(&["add", "notes.txt"]);
    f.repo.write("docs/framing.md", "# Framing, staged\n");
    f.repo.git(&["add", "docs/framing.md"]);
    f.repo.write("other.md", "unstaged change\n");
    let staged_before = f.repo.git(&["diff", "--cached", "--name-only"]);

    let out = f.ok(&[
        "sign", "prd", "--action", "approve", "--role", "ops", "--note", "Read it.",
    ]);
    let head = f.repo.head();
    assert_eq!(
        out.trim(),
        format!(
            "committed {} handoff: Test User approves prd as ops",
            &head[..8]
        )
    );
    assert_eq!(
        f.repo.git(&["rev-list", "--parents", "-n1", "HEAD"]),
        format!("{head} {before}")
    );
    assert_eq!(
        f.repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        ".handoff/signoffs/prd.yaml"
    );
    assert_eq!(
        f.repo.git(&["diff", "--cached", "--name-only"]),
        staged_before
    );
    assert_eq!(f.repo.git(&["diff", "--name-only"]), "other.md");
    assert_eq!(f.read("other.md"), "unstaged change\n");

    let ledger = f.read(".handoff/signoffs/prd.yaml");
    let prd = f.repo.head_object("docs/prd.md").unwrap();
    let framing_on_disk = f.repo.git(&["hash-object", "docs/framing.md"]);
    assert!(ledger.starts_with("# Sign-offs for `prd`"), "{ledger}");
    assert!(
        ledger.ends_with(&format!(
            "- action: approve\n  by: test@example.com\n  role: ops\n  at: {NOW}\n  fingerprint: {prd}\n  upstream:\n    framing: {framing_on_disk}\n  note: Read it.\n"
        )),
        "{ledger}"
    );
    assert_eq!(trailer(&f.repo, "Handoff-Action"), "approve");
    assert_eq!(trailer(&f.repo, "Handoff-Artifact"), "prd");
    assert_eq!(trailer(&f.repo, "Handoff-Role"), "ops");
    assert_eq!(trailer(&f.repo, "Handoff-Fingerprint"), prd);
    assert_eq!(
        f.repo.git(&["log", "-1", "--format=%an <%ae>"]),
        "Test User <test@example.com>"
    );

    // The check sees the approval.
    let out = f.handoff(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let prd_findings = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "prd")
        .unwrap()["findings"]
        .to_string();
    assert!(!prd_findings.contains("\"role\":\"ops\""), "{prd_findings}");
}

#[test]
fn sign_takes_the_author_git_would_take_from_the_environment() {
    // config says test@example.com (pm, ops); the environment says rosa (ops only), as a
    // shared machine or a CI job sets it: git would record rosa, and so does handoff.
    let f = Fixture::new();
    let out = f
        .command(&["sign", "prd", "--action", "approve", "--role", "ops"])
        .env("GIT_AUTHOR_NAME", "Rosa Delgado")
        .env("GIT_AUTHOR_EMAIL", "rosa@acme.example")
        .env("GIT_COMMITTER_EMAIL", "ci@acme.example")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        f.read(".handoff/signoffs/prd.yaml")
            .contains("by: rosa@acme.example")
    );
    assert_eq!(
        f.repo.git(&["log", "-1", "--format=%an <%ae> / %ce"]),
        "Rosa Delgado <rosa@acme.example> / ci@acme.example"
    );

    // `git -c user.email=…` reaches the programs git runs as GIT_CONFIG_PARAMETERS: priya is
    // no pm, so the sign-off is refused as hers, not accepted as the configured user's.
    let out = f
        .command(&["sign", "framing", "--action", "accept", "--role", "pm"])
        .env("GIT_CONFIG_PARAMETERS", "'user.email'='priya@acme.example'")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("priya@acme.example"), "{err}");

    // The same in git's counted form.
    let out = f
        .command(&[
            "sign", "trust-ux", "--action", "accept", "--role", "designer",
        ])
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "user.email")
        .env("GIT_CONFIG_VALUE_0", "priya@acme.example")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        f.read(".handoff/signoffs/trust-ux.yaml")
            .contains("by: priya@acme.example")
    );
}

#[test]
fn git_config_global_names_the_file_the_identity_comes_from_as_git_reads_it() {
    // ~/.gitconfig says test@example.com (pm); GIT_CONFIG_GLOBAL, as a CI job or a test
    // harness sets it, names another file where the user is priya (no pm). git would record
    // priya, so the sign-off is refused as hers rather than accepted as test@example.com.
    let f = Fixture::new();
    let elsewhere = f.home.path().join("ci.gitconfig");
    std::fs::write(
        &elsewhere,
        "[user]\n\tname = Priya\n\temail = priya@acme.example\n",
    )
    .unwrap();
    let sign = ["sign", "framing", "--action", "accept", "--role", "pm"];
    let out = f
        .command(&sign)
        .env("GIT_CONFIG_GLOBAL", &elsewhere)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("priya@acme.example is not in role `pm`"),
        "{err}"
    );

    // Pointed at nothing (/dev/null, as isolated jobs do), there is no identity at all.
    let out = f
        .command(&sign)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user.email"), "{err}");
}

#[test]
fn the_mailmap_makes_another_address_of_a_member_count_as_them() {
    let f = Fixture::new();
    let as_laptop = |args: &[&str]| {
        f.command(args)
            .env("GIT_AUTHOR_EMAIL", "Test@Laptop.local")
            .output()
            .unwrap()
    };
    let accept = ["sign", "framing", "--action", "accept", "--role", "pm"];
    let out = as_laptop(&accept);
    assert_eq!(out.status.code(), Some(2), "no mailmap yet: a stranger");

    f.repo.write(
        ".mailmap",
        "# one person, two machines\nTest User <test@example.com> <test@laptop.local>\n",
    );
    f.repo.commit("Map the laptop address");
    let out = as_laptop(&accept);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        f.read(".handoff/signoffs/framing.yaml")
            .contains("by: Test@Laptop.local")
    );

    // The record stands: no owner-not-accepted, and the record is not distrusted.
    let out = f.handoff(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["artifact"] == "framing")
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !codes.iter().any(|c| c == "owner-not-accepted"),
        "{codes:?}"
    );
    assert!(!codes.iter().any(|c| c == "invalid-signoff"), "{codes:?}");
    f.ok(&["sign", "framing", "--action", "accept", "--role", "pm"]);
}

#[test]
fn a_person_outside_the_role_is_refused_with_who_is_in_it() {
    let f = Fixture::new();
    let err = f.refused(&[
        "sign", "trust-ux", "--action", "verify", "--role", "designer",
    ]);
    assert!(
        err.contains("test@example.com is not in role `designer`, so cannot sign as `designer`: its people are priya@acme.example"),
        "{err}"
    );
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "analytics"]);
    assert!(err.contains("nobody is in it yet"), "{err}");
}

#[test]
fn each_action_has_its_rules() {
    let f = Fixture::new();
    let cases: [(&[&str], &str); 8] = [
        (
            &["sign", "prd", "--action", "accept", "--role", "ops"],
            "`accept` is the owner's: `prd` is owned by role `pm`, not `ops`",
        ),
        (
            &["sign", "framing", "--action", "approve", "--role", "pm"],
            "role `pm` is not asked to approve `framing`: no role is",
        ),
        (
            &["sign", "prd", "--action", "approve", "--role", "pm"],
            "approvals come from ops, designer",
        ),
        (
            &["sign", "prd", "--action", "acknowledge", "--role", "pm"],
            "`acknowledge` needs a note",
        ),
        (
            &[
                "sign",
                "framing",
                "--action",
                "acknowledge",
                "--role",
                "pm",
                "--note",
                "x",
            ],
            "`framing` depends on nothing",
        ),
        (
            &["sign", "prd", "--action", "verify", "--role", "pm"],
            "`verify` is for external artifacts",
        ),
        (
            &["sign", "prd", "--action", "revoke", "--role", "ops"],
            "role `ops` has nothing standing on `prd` to revoke",
        ),
        (
            &["sign", "prd", "--action", "approve", "--role", "opps"],
            "unknown role `opps` in `--role`, did you mean `ops`? (defined roles: pm, ops, designer, analytics)",
        ),
    ];
    for (args, message) in cases {
        let err = f.refused(args);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let err = f.refused(&["sign", "prdd", "--action", "approve", "--role", "ops"]);
    assert!(
        err.contains("no artifact `prdd` in handoff.yaml, did you mean `prd`?"),
        "{err}"
    );

    // What is allowed works, and revoke then has something to withdraw.
    f.ok(&["sign", "prd", "--action", "accept", "--role", "pm"]);
    f.ok(&[
        "sign",
        "prd",
        "--action",
        "acknowledge",
        "--role",
        "pm",
        "--note",
        "Framing change is cosmetic.",
    ]);
    f.ok(&["sign", "trust-ux", "--action", "verify", "--role", "ops"]);
    f.ok(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    f.ok(&["sign", "prd", "--action", "revoke", "--role", "ops"]);
    f.refused(&["sign", "prd", "--action", "revoke", "--role", "ops"]);
    let ledger = f.read(".handoff/signoffs/prd.yaml");
    assert_eq!(ledger.matches("- action:").count(), 4, "{ledger}");
    assert!(
        !f.read(".handoff/signoffs/trust-ux.yaml")
            .contains("fingerprint: \"")
    );
}

#[test]
fn signing_an_uncommitted_artifact_signs_the_working_copy_and_says_so() {
    let f = Fixture::new();
    f.repo.write(
        "docs/prd.md",
        "# PRD\n\n## Goals\n\nEdited, not committed.\n",
    );
    let out = f.handoff(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`prd` has uncommitted changes: you signed the working copy on disk"),
        "{stderr}"
    );
    let on_disk = f.repo.git(&["hash-object", "docs/prd.md"]);
    assert!(
        f.read(".handoff/signoffs/prd.yaml")
            .contains(&format!("fingerprint: {on_disk}"))
    );
    assert_eq!(
        f.repo.git(&["diff", "--name-only"]),
        "docs/prd.md",
        "the artifact stays uncommitted"
    );
}

#[test]
fn a_dirty_ledger_file_is_not_swept_into_the_commit() {
    let f = Fixture::new();
    f.ok(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    let path = ".handoff/signoffs/prd.yaml";
    std::fs::write(f.repo.abs(path), format!("{}# hand edit\n", f.read(path))).unwrap();
    let err = f.refused(&["sign", "prd", "--action", "accept", "--role", "pm"]);
    assert!(
        err.contains(".handoff/signoffs/prd.yaml is modified and not committed: handoff commits only what it changes"),
        "{err}"
    );
    f.repo.git(&["add", path]);
    let err = f.refused(&["sign", "prd", "--action", "accept", "--role", "pm"]);
    assert!(err.contains("is staged and not committed"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Index edits.

#[test]
fn set_changes_one_line_keeps_comments_and_commits_only_the_index() {
    let f = Fixture::new();
    f.repo.write("other.md", "unstaged change\n");
    f.repo.write("staged.md", "staged\n");
    f.repo.git(&["add", "staged.md"]);
    let out = f.ok(&["set", "prd", "title", "PRD: Reply Assist #2"]);
    assert!(
        out.ends_with("handoff: Test User sets title of prd to PRD: Reply Assist #2\n"),
        "{out}"
    );
    assert_eq!(
        f.read("handoff.yaml"),
        INDEX.replace(
            "    title: PRD   #",
            "    title: \"PRD: Reply Assist #2\"   #"
        )
    );
    assert_eq!(
        f.repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "handoff.yaml"
    );
    assert_eq!(
        f.repo.git(&["diff", "--cached", "--name-only"]),
        "staged.md"
    );
    assert_eq!(f.repo.git(&["diff", "--name-only"]), "other.md");
    assert_eq!(trailer(&f.repo, "Handoff-Action"), "set");
    assert_eq!(trailer(&f.repo, "Handoff-Artifact"), "prd");
    assert_eq!(trailer(&f.repo, "Handoff-Field"), "title");
    let numstat = f.repo.git(&["show", "--numstat", "--format=", "HEAD"]);
    assert_eq!(numstat, "1\t1\thandoff.yaml");
}

#[test]
fn lists_are_replaced_added_to_and_removed_from() {
    let f = Fixture::new();
    f.ok(&["set", "prd", "reviewers", "+designer"]);
    assert!(
        f.read("handoff.yaml")
            .contains("    reviewers: [ops, designer]\n")
    );
    f.ok(&["set", "prd", "reviewers", "-ops"]);
    assert!(
        f.read("handoff.yaml")
            .contains("    reviewers: [designer]\n")
    );
    f.ok(&["set", "prd", "consumers", "ops,analytics"]);
    assert!(
        f.read("handoff.yaml")
            .contains("    consumers: [ops, analytics]\n    depends_on")
    );
    f.ok(&["set", "prd", "kind", "--unset"]);
    assert!(!f.read("handoff.yaml").contains("    kind: prd\n"));
    f.ok(&["set", "--role", "analytics", "people", "+kofi@acme.example"]);
    assert!(
        f.read("handoff.yaml")
            .contains("  analytics: { people: [kofi@acme.example] }\n")
    );
    f.ok(&["set", "--role", "analytics", "title", "Product Analyst"]);
    assert!(
        f.read("handoff.yaml")
            .contains("  analytics: { title: Product Analyst, people: [kofi@acme.example] }\n")
    );
    assert_eq!(trailer(&f.repo, "Handoff-Role"), "analytics");
    assert_eq!(trailer(&f.repo, "Handoff-Field"), "title");
    let log = f.repo.git(&["log", "--format=%s", "-6"]);
    assert_eq!(
        log,
        "handoff: Test User sets title of role analytics to Product Analyst\n\
         handoff: Test User adds kofi@acme.example to role analytics\n\
         handoff: Test User unsets kind of prd\n\
         handoff: Test User sets consumers of prd to ops, analytics\n\
         handoff: Test User removes ops from reviewers of prd\n\
         handoff: Test User adds designer to reviewers of prd"
    );
}

#[test]
fn add_and_remove_artifacts_and_roles() {
    let f = Fixture::new();
    f.ok(&[
        "add",
        "artifact",
        "runbook",
        "--path",
        "runbooks/kill-switch.md",
        "--owner",
        "ops",
        "--title",
        "Runbook: kill switch",
        "--reviewers",
        "pm,designer",
        "--depends-on",
        "prd",
    ]);
    assert!(f.read("handoff.yaml").ends_with(
        "    reviewers: [ops]\n\n  - id: runbook\n    title: \"Runbook: kill switch\"\n    path: runbooks/kill-switch.md\n    owner: ops\n    reviewers: [pm, designer]\n    depends_on: [prd]\n"
    ));
    assert_eq!(trailer(&f.repo, "Handoff-Action"), "add");
    let err = f.refused(&["remove", "artifact", "prd"]);
    assert!(
        err.contains("artifact `prd` is still referenced: `depends_on` of `runbook`"),
        "{err}"
    );
    f.ok(&["remove", "artifact", "runbook"]);
    assert_eq!(f.read("handoff.yaml"), INDEX);

    f.ok(&[
        "add",
        "role",
        "qa",
        "--title",
        "Quality",
        "--people",
        "qa@acme.example",
    ]);
    assert!(f.read("handoff.yaml").contains(
        "  analytics: { people: [] }\n  qa: { title: Quality, people: [qa@acme.example] }\nkinds:"
    ));
    f.ok(&["remove", "role", "qa"]);
    assert_eq!(f.read("handoff.yaml"), INDEX);
    let err = f.refused(&["remove", "role", "ops"]);
    assert!(
        err.contains("role `ops` is still referenced: `reviewers` of artifact `prd`; `reviewers` of artifact `trust-ux`"),
        "{err}"
    );
}

#[test]
fn add_kind_commits_the_policy_and_refuses_a_duplicate_or_a_bad_age() {
    let f = Fixture::new();
    let out = f.ok(&[
        "add",
        "kind",
        "adr",
        "--title",
        "Decision record",
        "--required-sections",
        "Status,Context,Decision",
        "--max-age",
        "1y",
    ]);
    assert!(out.contains("adds kind adr"), "{out}");
    assert_eq!(trailer(&f.repo, "Handoff-Kind"), "adr");
    let text = f.read("handoff.yaml");
    assert!(text.contains("# Who sits where."), "comments kept");
    let index = handoff::core::model::load::load_index("handoff.yaml", text.as_bytes()).unwrap();
    let kind = index.kind("adr").unwrap();
    assert_eq!(kind.required_sections, ["Status", "Context", "Decision"]);
    assert_eq!(kind.title.as_deref(), Some("Decision record"));
    assert!(
        f.refused(&["add", "kind", "prd"])
            .contains("already a kind `prd`")
    );
    assert!(
        !f.refused(&["add", "kind", "rfc", "--max-age", "soon"])
            .is_empty()
    );
}

#[test]
fn an_unknown_role_is_refused_with_the_known_ones() {
    let f = Fixture::new();
    let err = f.refused(&["set", "prd", "owner", "opps"]);
    assert!(
        err.contains("unknown role `opps` in `owner`, did you mean `ops`? (defined roles: pm, ops, designer, analytics)"),
        "{err}"
    );
    let err = f.refused(&["set", "prd", "reviewer", "+ops"]);
    assert!(
        err.contains("`reviewer` is not a field handoff edits (did you mean `reviewers`?)"),
        "{err}"
    );
    let err = f.refused(&["set", "prd", "reviewers", "+ops"]);
    assert!(
        err.contains("`ops` is already in `reviewers` of artifact `prd`"),
        "{err}"
    );
    let err = f.refused(&["add", "artifact", "x", "--path", "docs/prd.md"]);
    assert!(
        err.contains("path `docs/prd.md` is already the path of `prd`"),
        "{err}"
    );
    let err = f.refused(&["set", "--role", "ops", "people", "+not-an-email"]);
    assert!(
        err.contains("`not-an-email` is not an e-mail address"),
        "{err}"
    );
}

#[test]
fn an_id_over_the_length_limit_is_refused_saying_so() {
    let f = Fixture::new();
    let long = "x".repeat(101);
    let err = f.refused(&[
        "add",
        "artifact",
        &long,
        "--path",
        "docs/x.md",
        "--owner",
        "ops",
    ]);
    assert!(
        err.contains("is 101 characters long; at most 100 are allowed"),
        "{err}"
    );
    let err = f.refused(&["add", "role", &"r".repeat(300)]);
    assert!(
        err.contains("is 300 characters long; at most 100 are allowed"),
        "{err}"
    );
    // The characters are still the first thing named when they are wrong.
    let err = f.refused(&["add", "role", "q a"]);
    assert!(err.contains("`q a` is not a valid role name"), "{err}");
    assert_eq!(f.read("handoff.yaml"), INDEX);
}

#[test]
fn a_dirty_index_file_is_refused_and_left_alone() {
    let f = Fixture::new();
    std::fs::write(
        f.repo.abs("handoff.yaml"),
        format!("{INDEX}# a hand edit in progress\n"),
    )
    .unwrap();
    let err = f.refused(&["set", "prd", "owner", "ops"]);
    assert!(
        err.contains("handoff.yaml is modified and not committed: handoff commits only what it changes, and would sweep that into its commit. Commit it first (`git commit -- handoff.yaml`) or set it aside (`git stash push -- handoff.yaml`)"),
        "{err}"
    );
}

#[test]
fn a_broken_index_is_refused_with_its_location() {
    let f = Fixture::new();
    std::fs::write(
        f.repo.abs("handoff.yaml"),
        INDEX.replace(
            "    reviewers: [ops]\n    depends_on",
            "    reviewer: [ops]\n    depends_on",
        ),
    )
    .unwrap();
    let err = f.refused(&["set", "prd", "owner", "ops"]);
    assert!(
        err.contains("handoff.yaml:24:5: error: unknown key `reviewer`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Git states.

#[test]
fn a_held_index_lock_is_reported_and_nothing_is_written() {
    let f = Fixture::new();
    std::fs::write(f.repo.abs(".git/index.lock"), "").unwrap();
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(err.contains("the git index is locked"), "{err}");
    assert!(err.contains("Wait for it to finish and retry"), "{err}");
    assert!(
        !f.repo.abs(".handoff").exists(),
        "no ledger directory is left behind"
    );
    let err = f.refused(&["set", "prd", "owner", "ops"]);
    assert!(err.contains("the git index is locked"), "{err}");
    std::fs::remove_file(f.repo.abs(".git/index.lock")).unwrap();
    f.ok(&["sign", "prd", "--action", "approve", "--role", "ops"]);
}

#[test]
fn no_identity_says_how_to_set_one() {
    let f = Fixture::new();
    std::fs::remove_file(f.home.path().join(".gitconfig")).unwrap();
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(
        err.contains("git has no user identity here: run `git config user.name \"Your Name\"` and `git config user.email you@example.com`"),
        "{err}"
    );
    f.refused(&["set", "prd", "owner", "ops"]);
}

#[test]
fn a_detached_head_is_refused() {
    let f = Fixture::new();
    let head = f.repo.head();
    f.repo.checkout(&head);
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(
        err.contains("HEAD is detached: handoff commits only on a branch"),
        "{err}"
    );
    f.refused(&["remove", "role", "analytics"]);
}

#[test]
fn an_unborn_branch_is_read_but_not_written_until_the_index_is_committed() {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", INDEX);
    repo.write("docs/prd.md", "# PRD\n");
    repo.write("docs/framing.md", "# Framing\n");
    let f = Fixture {
        repo,
        home: {
            let home = tempfile::tempdir().unwrap();
            std::fs::write(
                home.path().join(".gitconfig"),
                "[user]\n\tname = Test User\n\temail = test@example.com\n",
            )
            .unwrap();
            home
        },
    };
    // A sign-off there could never count (its commit would hold no index): refused.
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(err.contains("handoff.yaml is not committed yet"), "{err}");
    // The index itself was never committed: editing it would commit all of it.
    let err = f.refused(&["set", "prd", "owner", "ops"]);
    assert!(err.contains("handoff.yaml is not committed yet"), "{err}");
}

#[test]
fn a_moved_head_is_refused_until_the_caller_refreshes() {
    let f = Fixture::new();
    f.repo.git(&["config", "user.name", "Test User"]);
    f.repo.git(&["config", "user.email", "test@example.com"]);
    let ws = workspace(&f.repo);
    let seen: git2::Oid = f.repo.head().parse().unwrap();
    f.repo.write("other.md", "someone else's commit\n");
    f.repo.commit("Meanwhile, in another terminal");
    let options = CommitOptions {
        base: BaseHead::Seen(Some(seen)),
        run_hooks: false,
        own_writes: None,
    };
    let request = SignRequest {
        artifact: "prd".into(),
        action: Action::Approve,
        role: "ops".into(),
        note: None,
    };
    let before = f.state();
    let err = sign(&ws, &request, now(), &options).unwrap_err();
    assert!(
        matches!(
            err,
            SignError::Write(WriteError::Commit(CommitError::HeadMoved { .. }))
        ),
        "{err}"
    );
    assert!(err.to_string().contains("refresh and try again"), "{err}");
    let edit = IndexEdit::Artifact {
        artifact: "prd".into(),
        field: ArtifactField::Owner,
        change: FieldChange::Set("ops".into()),
    };
    let err = apply_edit(&ws, &edit, &options).unwrap_err();
    assert!(
        matches!(err.to_string(), m if m.contains("HEAD moved")),
        "{err}"
    );
    assert_eq!(f.state(), before);

    // Asked again against the new HEAD, it goes through.
    let fresh = CommitOptions {
        base: BaseHead::Seen(Some(f.repo.head().parse().unwrap())),
        run_hooks: false,
        own_writes: None,
    };
    let outcome = sign(&ws, &request, now(), &fresh).unwrap();
    assert_eq!(outcome.commit.to_string(), f.repo.head());
    assert_eq!(outcome.summary, "handoff: Test User approves prd as ops");
    assert!(!outcome.signed_uncommitted);
    let outcome = apply_edit(&ws, &edit, &CommitOptions::default()).unwrap();
    assert_eq!(
        outcome.index.artifact("prd").unwrap().owner.as_deref(),
        Some("ops")
    );
}

// ---------------------------------------------------------------------------------------------
// Hooks.

fn install_hook(repo: &TestRepo, name: &str, script: &str) {
    let path = repo.abs(&format!(".git/hooks/{name}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("#!/bin/sh\n{script}")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn a_failing_pre_commit_hook_refuses_and_the_ledger_is_put_back() {
    let f = Fixture::new();
    f.ok(&["sign", "prd", "--action", "accept", "--role", "pm"]);
    install_hook(
        &f.repo,
        "pre-commit",
        "echo 'yamllint: line 3: too long' >&2\nexit 1\n",
    );
    let err = f.refused(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    assert!(err.contains("the repository's `pre-commit` hook refused the commit: it failed (exit status 1):\n  | yamllint: line 3: too long"), "{err}");
    assert!(err.contains("--no-verify"), "{err}");
    // A new ledger file goes again, with the directories made for it.
    let err = f.refused(&["sign", "trust-ux", "--action", "verify", "--role", "ops"]);
    assert!(err.contains("pre-commit"), "{err}");
    assert!(!f.repo.abs(".handoff/signoffs/trust-ux.yaml").exists());
    f.refused(&["set", "prd", "owner", "ops"]);
    f.ok(&[
        "sign",
        "prd",
        "--action",
        "approve",
        "--role",
        "ops",
        "--no-verify",
    ]);
}

#[test]
fn hooks_see_exactly_the_commit_and_may_amend_the_message() {
    let f = Fixture::new();
    f.repo.write("notes.txt", "staged by the user\n");
    f.repo.git(&["add", "notes.txt"]);
    let seen = f.repo.abs(".git/seen-by-hook");
    install_hook(
        &f.repo,
        "pre-commit",
        &format!("git diff --cached --name-only > '{}'\n", seen.display()),
    );
    install_hook(
        &f.repo,
        "commit-msg",
        "echo 'Reviewed-by: hook' >> \"$1\"\n",
    );
    f.ok(&["set", "prd", "owner", "ops"]);
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "handoff.yaml\n");
    assert_eq!(trailer(&f.repo, "Reviewed-by"), "hook");
    assert_eq!(
        f.repo.git(&["diff", "--cached", "--name-only"]),
        "notes.txt"
    );
    // Only the write lock stays (an advisory lock, empty, never removed: removing it would
    // let two writers lock two different files), and the scratch directory, empty.
    let mut left: Vec<_> = f
        .repo
        .abs(".git/handoff")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["tmp", "write.lock"]);
    let scratch = f.repo.abs(".git/handoff/tmp").read_dir().unwrap().count();
    assert_eq!(scratch, 0, "scratch files removed");
}

#[test]
fn a_commit_landing_between_the_checks_and_the_commit_is_refused_and_undone() {
    let f = Fixture::new();
    // Another process commits while handoff runs the hook: the branch moves under it.
    install_hook(
        &f.repo,
        "pre-commit",
        "env -u GIT_INDEX_FILE git commit -q --allow-empty --no-verify -m 'Meanwhile'\n",
    );
    let out = f.handoff(&["sign", "prd", "--action", "approve", "--role", "ops"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("HEAD moved from"), "{err}");
    assert_eq!(f.repo.git(&["log", "-1", "--format=%s"]), "Meanwhile");
    assert!(
        !f.repo.abs(".handoff").exists(),
        "the ledger file is gone again"
    );
    assert_eq!(f.repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_handoff_in_a_subdirectory_commits_repository_relative_paths() {
    let f = Fixture::new();
    f.repo.write("team/handoff.yaml", INDEX);
    f.repo.write("team/docs/prd.md", "# Team PRD\n");
    f.repo.write("team/docs/framing.md", "# Team framing\n");
    f.repo.commit("A second handoff in team/");
    f.ok(&[
        "sign", "prd", "--action", "approve", "--role", "ops", "team",
    ]);
    assert_eq!(
        f.repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "team/.handoff/signoffs/prd.yaml"
    );
    let prd = f.repo.head_object("team/docs/prd.md").unwrap();
    assert!(
        f.read("team/.handoff/signoffs/prd.yaml")
            .contains(&format!("fingerprint: {prd}"))
    );
    f.ok(&["set", "-C", "team", "prd", "owner", "ops"]);
    assert_eq!(
        f.repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "team/handoff.yaml"
    );
    assert_eq!(
        f.read("handoff.yaml"),
        INDEX,
        "the other handoff is untouched"
    );
}
