use super::*;
use crate::yaml::Node;
use crate::yaml::parse;

fn root(text: &str) -> Node {
    parse(text).unwrap().unwrap()
}

fn edit(text: &str, f: impl FnOnce(&Source, &Node) -> Result<Splice, EditError>) -> String {
    let src = Source::new(text);
    let node = root(text);
    let splice = f(&src, &node).unwrap();
    let out = splice.apply(text);
    parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
    out
}

#[test]
fn scalars_read_back_as_written() {
    for s in [
        "dana@acme.example",
        "ai-eng",
        "Checked: the failure cost table",
        "yes",
        "123",
        "1e5",
        "",
        " padded",
        "line\nbreak",
        "quote \" and \\",
        "# not a comment",
        "- not a list",
        "日本語",
        "tab\there",
        "https://docs.example/prd?a=1#top",
        "Prompt: reply-draft",
        "PRD — Reply Assist",
        "Dana's PRD (v2)",
        "a,b",
        "[x]",
        "{x}",
        "ends with:",
        "has #hash",
        "2026-01-01",
        "12:30",
        "-x",
        "*alias",
        "&anchor",
        "!tag",
        "%directive",
        "@at",
        "`tick",
        "|pipe",
        ">fold",
        "?q",
        "~",
        ".5",
        "0x1F",
        "é",
    ] {
        let text = format!("k: {}\nl: [{}, x]\n", scalar(s), scalar(s));
        let root = crate::yaml::parse(&text).unwrap().unwrap();
        assert_eq!(root.get("k").unwrap().as_scalar(), Some(s), "{text}");
        let flow = root.get("l").unwrap().as_seq().unwrap();
        assert_eq!(flow[0].as_scalar(), Some(s), "{text}");
    }
    assert_eq!(scalar("dana@acme.example"), "dana@acme.example");
    assert_eq!(scalar("https://x.example/a#b"), "https://x.example/a#b");
    assert_eq!(scalar("PRD — Reply Assist"), "PRD — Reply Assist");
}

/// Asserts each value is written double-quoted and reads back as itself.
fn assert_quoted(class: &str, values: &[&str]) {
    for s in values {
        let written = scalar(s);
        assert!(
            written.starts_with('"'),
            "{class}: {s:?} written plain as {written}"
        );
        let text = format!("k: {written}\nl: [{written}, x]\n");
        let root = crate::yaml::parse(&text).unwrap().unwrap();
        assert_eq!(
            root.get("k").unwrap().as_scalar(),
            Some(*s),
            "{class}: {text}"
        );
    }
}

#[test]
fn booleans_and_nulls_of_yaml_1_1_and_1_2_are_quoted_in_every_case() {
    assert_quoted(
        "booleans",
        &[
            "yes", "Yes", "YES", "yEs", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
            "y", "Y", "n", "N", "true", "True", "TRUE", "false", "False", "FALSE",
        ],
    );
    assert_quoted("nulls", &["~", "null", "Null", "NULL", ""]);
}

#[test]
fn numbers_in_every_base_and_form_are_quoted() {
    assert_quoted(
        "numbers",
        &[
            "0",
            "7",
            "-7",
            "+7",
            "007",
            "1_000",
            "1e5",
            "1E-5",
            "3.14",
            "-.5",
            ".5",
            "1.",
            "0x1F",
            "0X1f",
            "-0x1F",
            "0o17",
            "017",
            "0b1010",
            "-0b1",
            "1:20",
            "190:20:30",
            "1:20.5",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            "NaN",
            "inf",
            "-Infinity",
            "1.0.0",
        ],
    );
}

#[test]
fn timestamps_and_dates_are_quoted() {
    assert_quoted(
        "timestamps",
        &[
            "2026-01-01",
            "2026-1-1",
            "2026-01-01T00:00:00Z",
            "2026-01-01t00:00:00z",
            "2026-01-01 10:00:00",
            "2001-12-14 21:59:43.10 -5",
            "2001-12-14T21:59:43.10-05:00",
            "12:30",
        ],
    );
}

#[test]
fn yaml_1_1_value_and_merge_keys_and_leading_indicators_are_quoted() {
    assert_quoted("value and merge", &["=", "<<", "=x", "<x"]);
    assert_quoted(
        "leading indicators",
        &[
            "-", "- x", "-x", "?", "? x", ":x", ",x", "[x", "]x", "{x", "}x", "#x", "&a", "*a",
            "!t", "|x", ">x", "'x", "\"x", "%x", "@x", "`x", "+x", ".x",
        ],
    );
}

#[test]
fn spaces_comments_separators_and_breaks_are_quoted() {
    assert_quoted(
        "spaces",
        &[" x", "x ", " ", "a  b", "\tx", "x\t", "a\u{a0}b"],
    );
    assert_quoted(
        "comments and separators",
        &["a #b", "a: b", "a:", "a?b", "a,b", "a[b"],
    );
    assert_quoted(
        "breaks and controls",
        &[
            "a\nb",
            "a\rb",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{7f}b",
            "a\u{9f}b",
            "\u{feff}x",
            "a\u{fffe}b",
            "a\u{ffff}b",
            "a\u{1b}[31mb",
        ],
    );
    assert_eq!(scalar("a\u{85}b"), "\"a\\u0085b\"");
}

#[test]
fn plain_words_stay_plain() {
    for s in [
        "dana@acme.example",
        "ai-eng",
        "Product Manager",
        "PRD — Reply Assist",
        "Dana's PRD (v2)",
        "v1.2",
        "2nd draft",
        "10%",
        "a:b",
        "a#b",
        "yesterday",
        "null-safe",
        "日本語",
        "https://x.example/a#b",
        "3b18e512dba79e4c8300dd08aeb37f8e728b8dad",
    ] {
        assert_eq!(scalar(s), s);
    }
}

const ORDER: &[&str] = &["id", "title", "kind", "path", "owner", "reviewers"];

/// Sets a scalar `key` in the mapping `pick` finds in `text`.
fn set_scalar(text: &str, pick: fn(&Node) -> &Node, key: &str, value: &str) -> String {
    edit(text, |s, r| {
        set_entry(
            s,
            pick(r),
            key,
            &NewValue::Scalar(value.into()),
            &Layout::default(),
            ORDER,
        )
    })
}

fn push_reviewer(text: &str, who: &str) -> String {
    edit(text, |s, r| {
        list_push(s, under_a(r), "reviewers", who, &Layout::default(), ORDER)
    })
}

fn remove_reviewer(text: &str, position: usize) -> String {
    edit(text, |s, r| {
        list_remove(s, under_a(r), "reviewers", position)
    })
}

fn under_a(root: &Node) -> &Node {
    root.get("a").unwrap()
}

fn first_item(root: &Node) -> &Node {
    &root.as_seq().unwrap()[0]
}

#[test]
fn replaces_a_value_keeping_its_comment() {
    let text = "a:\n  title: Old   # keep: this\n  path: x\n";
    let out = set_scalar(text, under_a, "title", "New: x");
    assert_eq!(out, "a:\n  title: \"New: x\"   # keep: this\n  path: x\n");
}

#[test]
fn fills_an_empty_value_before_its_comment() {
    let text = "a:\n  owner:     # decide on Thursday\n  path: x\n";
    let out = set_scalar(text, under_a, "owner", "ops");
    assert_eq!(
        out,
        "a:\n  owner: ops     # decide on Thursday\n  path: x\n"
    );
}

#[test]
fn inserts_a_key_in_conventional_order() {
    let text = "- id: a\n  path: x   # p\n  owner: pm\n";
    let out = set_scalar(text, first_item, "title", "T");
    assert_eq!(out, "- id: a\n  title: T\n  path: x   # p\n  owner: pm\n");
    let flow = "- { id: a, path: x }\n";
    let out = set_scalar(flow, first_item, "title", "T");
    assert_eq!(out, "- { id: a, title: T, path: x }\n");
}

#[test]
fn crlf_and_missing_final_newline() {
    let text = "a:\r\n  id: a\r\n  path: x";
    let out = set_scalar(text, under_a, "owner", "pm");
    assert_eq!(out, "a:\r\n  id: a\r\n  path: x\r\n  owner: pm");
}

#[test]
fn block_lists_stay_block() {
    let text = "a:\n  reviewers:   # who\n    - pm  # first\n    - ops\n  owner: pm\n";
    let add = push_reviewer(text, "qa");
    assert_eq!(
        add,
        "a:\n  reviewers:   # who\n    - pm  # first\n    - ops\n    - qa\n  owner: pm\n"
    );
    let remove = remove_reviewer(text, 1);
    assert_eq!(
        remove,
        "a:\n  reviewers:   # who\n    - pm  # first\n  owner: pm\n"
    );
    let last = remove_reviewer(&remove, 0);
    assert_eq!(last, "a:\n  reviewers: []   # who\n  owner: pm\n");
}

#[test]
fn flow_lists_stay_flow() {
    let text = "a: { reviewers: [ pm , ops ] }  # c\n";
    let add = push_reviewer(text, "qa");
    assert_eq!(add, "a: { reviewers: [ pm , ops, qa ] }  # c\n");
    let first = remove_reviewer(text, 0);
    assert_eq!(first, "a: { reviewers: [ ops ] }  # c\n");
    let second = remove_reviewer(text, 1);
    assert_eq!(second, "a: { reviewers: [ pm ] }  # c\n");
}

#[test]
fn block_scalars_are_replaced_whole() {
    let text = "a:\n  description: >\n    folded\n    text\n\n  # about the owner\n  owner: pm\n";
    let out = set_scalar(text, under_a, "description", "short");
    assert_eq!(
        out,
        "a:\n  description: short\n\n  # about the owner\n  owner: pm\n"
    );
}

#[test]
fn removes_an_entry_and_its_trailing_item_comments() {
    let text = "a:\n  title: T\n  reviewers:\n    - pm\n    # more later\n  owner: pm\n";
    let src = Source::new(text);
    let r = root(text);
    let out = remove_entry(&src, r.get("a").unwrap(), "reviewers", false)
        .unwrap()
        .unwrap()
        .apply(text);
    assert_eq!(out, "a:\n  title: T\n  owner: pm\n");
    let first = remove_entry(&src, r.get("a").unwrap(), "title", false)
        .unwrap()
        .unwrap()
        .apply(text);
    assert!(first.starts_with("a:\n  reviewers:"));
}

#[test]
fn appends_items_in_the_style_of_the_last() {
    let text =
        "artifacts:\n  - id: a\n    path: x\n\n  - id: b\n    path: y\n    # trailing\nkinds: {}\n";
    let out = edit(text, |s, r| {
        seq_append_map(
            s,
            r,
            "artifacts",
            &[
                ("id".into(), NewValue::Scalar("c".into())),
                ("path".into(), NewValue::Scalar("z".into())),
            ],
            &Layout::default(),
        )
    });
    assert_eq!(
        out,
        "artifacts:\n  - id: a\n    path: x\n\n  - id: b\n    path: y\n    # trailing\n\n  - id: c\n    path: z\nkinds: {}\n"
    );
}

#[test]
fn removes_an_item_with_its_comments_and_one_blank_line() {
    let text = "artifacts:\n  - id: a\n\n  # about b\n  - id: b\n    path: y\n\n  - id: c\n";
    let src = Source::new(text);
    let r = root(text);
    let out = seq_remove(&src, r.get("artifacts").unwrap(), 1)
        .unwrap()
        .apply(text);
    assert_eq!(out, "artifacts:\n  - id: a\n\n  - id: c\n");
    let first = seq_remove(&src, r.get("artifacts").unwrap(), 0)
        .unwrap()
        .apply(text);
    assert_eq!(
        first,
        "artifacts:\n  # about b\n  - id: b\n    path: y\n\n  - id: c\n"
    );
}

#[test]
fn appends_aligned_map_entries() {
    let text = "roles:\n  pm:      { title: PM, people: [] }\n  ai-eng:  { title: AI, people: [] }   # c\n";
    let out = edit(text, |s, r| {
        map_append(
            s,
            r,
            "roles",
            "ops",
            &NewValue::Map(vec![
                ("title".into(), NewValue::Scalar("Ops".into())),
                ("people".into(), NewValue::List(vec![])),
            ]),
            &Layout::default(),
        )
    });
    assert_eq!(
        out,
        "roles:\n  pm:      { title: PM, people: [] }\n  ai-eng:  { title: AI, people: [] }   # c\n  ops:     { title: Ops, people: [] }\n"
    );
}

/// Found by the `yaml_editor` fuzz target: the last line of a folded scalar held only
/// spaces, more than its indentation, so it was content; a new section went above it.
#[test]
fn a_line_of_spaces_in_a_block_scalar_stays_with_it() {
    for text in [
        "note: >\n  text\n   ",
        "note: |\n  text\n   \n",
        "note: >\n  a\n   \n  b\n",
    ] {
        let out = edit(text, |s, r| {
            map_append(
                s,
                r,
                "roles",
                "pm",
                &NewValue::List(vec![]),
                &Layout::default(),
            )
        });
        let note = |t: &str| parse(t).unwrap().unwrap().get("note").cloned().unwrap();
        assert_eq!(note(&out).value, note(text).value, "{out:?}");
        assert!(out.starts_with(text.trim_end_matches('\n')), "{out:?}");
    }
}

/// Found by the `yaml_editor` fuzz target: `roles:` followed by a tag alone on the next
/// line is an empty value the parser places after the tag; new lines went above the tag.
#[test]
fn an_empty_value_with_a_tag_or_anchor_is_refused() {
    for text in ["roles:\n !tag\n", "roles: &a\n", "roles: !t # c\n"] {
        let src = Source::new(text);
        let node = root(text);
        let appended = map_append(
            &src,
            &node,
            "roles",
            "pm",
            &NewValue::List(vec![]),
            &Layout::default(),
        );
        assert!(
            matches!(appended, Err(EditError::Unsupported { .. })),
            "{text:?}: {appended:?}"
        );
    }
    // A comment is not a decoration.
    let out = edit("roles:   # none yet\n", |s, r| {
        map_append(
            s,
            r,
            "roles",
            "pm",
            &NewValue::List(vec![]),
            &Layout::default(),
        )
    });
    assert_eq!(out, "roles:   # none yet\n  pm: []\n");
}
