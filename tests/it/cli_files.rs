//! The command line's own help and files: exit statuses, environment variables and
//! configuration files in `--help` and the man page, the presets `--theme` and `--keymap`
//! accept (offered by help and completions, anything else refused by name), and `doctor` on a
//! broken user configuration.

use std::path::Path;
use std::process::Output;

use crate::common::{self, TestRepo};

const NOW: &str = "2026-11-22T12:00:00Z";

fn handoff(cwd: &Path, args: &[&str]) -> Output {
    common::handoff_command(cwd, NOW)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_and_man_page_name_exit_statuses_environment_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&handoff(dir.path(), &["--help"]));
    let man = stdout(&handoff(dir.path(), &["man"]));
    let man = man.replace("\\-", "-");
    for text in [&help, &man] {
        for needle in [
            "Exit status:",
            "1  check: a finding reaches --fail-on",
            "2  handoff.yaml does not load",
            "HANDOFF_NOW",
            "HANDOFF_THREADS",
            "NO_COLOR",
            "XDG_CONFIG_HOME",
            "~/.config/handoff/keymap.yaml",
            "~/.config/handoff/theme.yaml",
        ] {
            assert!(text.contains(needle), "no {needle:?} in\n{text}");
        }
    }
}

#[test]
fn theme_and_keymap_offer_their_presets_in_help_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&handoff(dir.path(), &["--help"]));
    assert!(
        help.contains("[possible values: default, light, high-contrast, mono]"),
        "{help}"
    );
    assert!(help.contains("[possible values: default, vim]"), "{help}");
    let bash = stdout(&handoff(dir.path(), &["completions", "bash"]));
    assert!(bash.contains("compgen -W \"default light high-contrast mono\""));
    assert!(bash.contains("compgen -W \"default vim\""));
    let zsh = stdout(&handoff(dir.path(), &["completions", "zsh"]));
    assert!(zsh.contains(":NAME:(default light high-contrast mono)"));
}

#[test]
fn an_unknown_theme_or_keymap_is_refused_by_name_without_a_location() {
    let repo = TestRepo::new();
    repo.write("handoff.yaml", "version: 1\n");
    repo.commit("An empty handoff");
    let theme = handoff(repo.path(), &["--theme", "nosuch"]);
    assert_eq!(theme.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&theme.stderr),
        "error: no theme `nosuch` (themes: default, light, high-contrast, mono)\n"
    );
    let keymap = handoff(repo.path(), &["demo", "--no-open", "--keymap", "emacs"]);
    assert_eq!(keymap.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&keymap.stderr),
        "error: no keymap preset `emacs` (presets: default, vim)\n"
    );
    assert_eq!(
        handoff(repo.path(), &["--theme", "light"]).status.code(),
        Some(0)
    );
}

#[test]
fn doctor_reports_a_broken_user_keymap_and_theme() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dana@acme.example"]);
    repo.write(
        "handoff.yaml",
        "version: 1\nroles:\n  pm: { people: [dana@acme.example] }\n",
    );
    repo.commit("A handoff");
    // handoff_command points XDG_CONFIG_HOME at `.no-config` in the directory it runs in.
    let config = repo.abs(".no-config/handoff");
    std::fs::create_dir_all(&config).unwrap();
    assert_eq!(handoff(repo.path(), &["doctor"]).status.code(), Some(0));

    std::fs::write(config.join("keymap.yaml"), "matrix:\n  next-findng: [x]\n").unwrap();
    std::fs::write(config.join("theme.yaml"), "error: { fg: nosuchcolour }\n").unwrap();
    let out = handoff(repo.path(), &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let keymap = format!(
        "✗ {}:2:3: unknown action `next-findng`, did you mean `next-finding`?",
        config.join("keymap.yaml").display()
    );
    let theme = format!(
        "✗ {}:1:14: `nosuchcolour` is not a colour",
        config.join("theme.yaml").display()
    );
    assert!(text.contains(&keymap), "no {keymap:?} in\n{text}");
    assert!(text.contains(&theme), "no {theme:?} in\n{text}");

    // A theme.yaml that exists but cannot be read is a problem too, not silently skipped.
    std::fs::remove_file(config.join("theme.yaml")).unwrap();
    std::fs::create_dir(config.join("theme.yaml")).unwrap();
    let text = stdout(&handoff(repo.path(), &["doctor"]));
    let unreadable = format!("✗ {}: cannot be read:", config.join("theme.yaml").display());
    assert!(text.contains(&unreadable), "no {unreadable:?} in\n{text}");
}
