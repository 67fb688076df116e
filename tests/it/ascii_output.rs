//! `--ascii` on the text outputs of `check`, `report`, `context` and `org`: every byte of the
//! demo's output is ASCII, repository text (titles with dashes, quotes, `⟨NAME_1⟩`) included.

use std::path::Path;

use crate::common;

fn stdout(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = common::handoff_command(dir, common::NOW)
        .args(args)
        .output()
        .unwrap();
    // `check` exits 1: the demo has errors.
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn text_outputs_are_pure_ascii_with_ascii() {
    let (_tmp, dir) = common::sample_repo();
    let commands: [&[&str]; 7] = [
        &["check"],
        &["report"],
        &["report", "--format", "html"],
        &["context", "prd"],
        &["context", "--path", "src/reply/draft.rs"],
        &["org", ".", "--format", "text"],
        &["org", ".", "--format", "markdown"],
    ];
    for args in commands {
        // Without the switch the same output is not ASCII, so the test below can fail.
        let unicode = stdout(&dir, args);
        assert!(!unicode.is_ascii(), "{args:?} is ASCII already");
        let ascii = stdout(&dir, &[args, &["--ascii"]].concat());
        let text = String::from_utf8_lossy(&ascii);
        let odd: String = text.chars().filter(|c| !c.is_ascii()).collect();
        assert!(
            ascii.iter().all(|&b| b < 0x80),
            "{args:?} --ascii: {odd:?}\n{text}"
        );
        // Same lines, glyphs replaced: nothing dropped.
        assert_eq!(
            String::from_utf8_lossy(&unicode).lines().count(),
            text.lines().count(),
            "{args:?}"
        );
    }
    let check = String::from_utf8(stdout(&dir, &["check", "--ascii"])).unwrap();
    assert!(
        check.contains("Reply Assist - support reply drafting"),
        "{check}"
    );
    assert!(check.contains("  -> "), "{check}");
}
