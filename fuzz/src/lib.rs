//! The checks the fuzz targets run, one function per target. A library of the fuzz package,
//! and included by the main suite's `tests/fuzz_regressions.rs`, so that every input a fuzzer
//! ever kept is replayed by `cargo test` through exactly the same assertions.

use handoff::core::analysis::sections::{
    markdown_headings, missing_sections, normalize, sections_of, yaml_keys,
};
use handoff::core::edit::{
    ArtifactField, FieldChange, IndexEdit, IndexTextError, ListChange, NewArtifact, NewRole,
    edit_text, intended, same_meaning,
};
use handoff::core::model::ledger::appended;
use handoff::core::model::ledger_history::record_key;
use handoff::core::model::load::{load_index, load_ledger_file};
use handoff::core::model::{Facts, Index, Ledger, Target};

/// Any bytes as `handoff.yaml`: the loader returns an index or located errors, never panics,
/// never hangs, and its messages carry no control character. A loaded index goes through the
/// whole analysis (with no facts and no ledger), which must not panic either.
pub fn index_loader(data: &[u8]) {
    match load_index("handoff.yaml", data) {
        Ok(index) => {
            let now = jiff::Timestamp::from_second(1_790_000_000).unwrap();
            let _ = handoff::core::analysis::analyze(
                &index,
                &Ledger::default(),
                &Facts::default(),
                now,
            );
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error without a message");
            let text = errors.to_string();
            assert!(
                text.chars().all(|c| c == '\n' || !c.is_control()),
                "a control character reached a message: {text:?}"
            );
            for error in &errors.0 {
                assert!(error.pos.line >= 1 && error.pos.col >= 1, "{error:?}");
            }
        }
    }
}

/// Values worth writing: plain words, and text YAML reads differently unless quoted.
const TEXT: &[&str] = &[
    "PRD",
    "Product requirements, v2",
    "a: b",
    "#not a comment",
    "x # y",
    "'quoted'",
    "\"double\"",
    "- dash",
    "[flow]",
    "{map}",
    "yes",
    "null",
    "~",
    "0x1F",
    "1.5",
    "  padded  ",
    "two\nlines",
    "tab\there",
    "ünïcödé ✓ 日本",
    "emoji 🚀",
    "back\\slash",
    "*alias",
    "&anchor",
    "!tag",
    "%percent",
    "@at",
    "`tick`",
    "trailing:",
    "key: value # comment",
];

const PATHS: &[&str] = &[
    "docs/new.md",
    "docs/*.md",
    "evals",
    "a b/c.md",
    "./x/y.md",
    "prompts/**/*.yaml",
];
const URLS: &[&str] = &["https://figma.example/file/1", "http://a.example/b?c=d#e"];
const DURATIONS: &[&str] = &["30d", "12w", "6m", "1y"];
const EMAILS: &[&str] = &["new@acme.example", "o'neil@acme.example", "x+y@a.example"];

fn pick<'a>(items: &[&'a str], byte: u8) -> &'a str {
    items[byte as usize % items.len()]
}

fn role(index: &Index, byte: u8) -> Option<String> {
    (!index.roles.is_empty()).then(|| index.roles[byte as usize % index.roles.len()].id.clone())
}

fn artifact(index: &Index, byte: u8) -> Option<String> {
    (!index.artifacts.is_empty()).then(|| {
        index.artifacts[byte as usize % index.artifacts.len()]
            .id
            .clone()
    })
}

fn kind(index: &Index, byte: u8) -> Option<String> {
    (!index.kinds.is_empty()).then(|| index.kinds[byte as usize % index.kinds.len()].id.clone())
}

/// The edit the control bytes choose, for this index.
fn edit_for(index: &Index, c: &[u8; 8]) -> Option<IndexEdit> {
    let field = ArtifactField::ALL[c[1] as usize % ArtifactField::ALL.len()];
    Some(match c[0] % 9 {
        0 | 1 => {
            let value = match field {
                ArtifactField::Kind => kind(index, c[3])?,
                ArtifactField::Owner => role(index, c[3])?,
                ArtifactField::Path => pick(PATHS, c[3]).to_string(),
                ArtifactField::Url => pick(URLS, c[3]).to_string(),
                ArtifactField::VerifyEvery => pick(DURATIONS, c[3]).to_string(),
                ArtifactField::Reviewers | ArtifactField::Consumers => role(index, c[3])?,
                ArtifactField::DependsOn => artifact(index, c[3])?,
                _ => pick(TEXT, c[3]).to_string(),
            };
            let change = if field.is_list() {
                match c[4] % 3 {
                    0 => FieldChange::List(ListChange::Add(value)),
                    1 => FieldChange::List(ListChange::Remove(value)),
                    _ => FieldChange::List(ListChange::Replace(vec![value])),
                }
            } else if c[0] % 9 == 1 {
                FieldChange::Unset
            } else {
                FieldChange::Set(value)
            };
            IndexEdit::Artifact {
                artifact: artifact(index, c[2])?,
                field,
                change,
            }
        }
        2 => {
            let target = match c[3] % 3 {
                0 => Target::Path(pick(PATHS, c[4]).to_string()),
                1 => Target::Glob("notes/*.md".to_string()),
                _ => Target::Url(pick(URLS, c[4]).to_string()),
            };
            let mut new = NewArtifact::new(format!("fuzz-{}", c[5]), target);
            if c[6] & 1 != 0 {
                new.title = Some(pick(TEXT, c[7]).to_string());
            }
            if c[6] & 2 != 0 {
                new.owner = role(index, c[7]);
            }
            if c[6] & 4 != 0 {
                new.reviewers = role(index, c[5]).into_iter().collect();
            }
            if c[6] & 8 != 0 {
                new.depends_on = artifact(index, c[5]).into_iter().collect();
            }
            if c[6] & 16 != 0 {
                new.kind = kind(index, c[5]);
            }
            IndexEdit::AddArtifact(new)
        }
        3 => IndexEdit::RemoveArtifact {
            artifact: artifact(index, c[2])?,
        },
        4 => IndexEdit::AddRole(NewRole {
            id: format!("role-{}", c[5]),
            title: (c[6] & 1 != 0).then(|| pick(TEXT, c[7]).to_string()),
            people: if c[6] & 2 != 0 {
                vec![pick(EMAILS, c[7]).to_string()]
            } else {
                Vec::new()
            },
        }),
        5 => IndexEdit::RemoveRole {
            role: role(index, c[2])?,
        },
        6 => IndexEdit::RoleTitle {
            role: role(index, c[2])?,
            title: (c[6] & 1 != 0).then(|| pick(TEXT, c[7]).to_string()),
        },
        7 => IndexEdit::People {
            role: role(index, c[2])?,
            change: ListChange::Add(pick(EMAILS, c[7]).to_string()),
        },
        _ => {
            let role = role(index, c[2])?;
            let person = index.role(&role)?.people.first()?.clone();
            IndexEdit::People {
                role,
                change: ListChange::Remove(person),
            }
        }
    })
}

/// The surgical editor on any index it can load, with any edit the forms and the command line
/// can ask for: when it returns a text, every byte outside the replaced range is the
/// original's, and the text loads to exactly the index the edit should produce. It may refuse
/// (a refusal, a layout it does not edit), but it may never return a wrong text, nor need its
/// own last-line check to catch one (`Verification` means the splice was wrong).
///
/// Input: eight bytes choosing the edit, then the text of `handoff.yaml`.
pub fn yaml_editor(data: &[u8]) {
    if data.len() < 8 {
        return;
    }
    let control: [u8; 8] = data[..8].try_into().unwrap();
    let Ok(text) = std::str::from_utf8(&data[8..]) else {
        return;
    };
    let Ok(index) = load_index("handoff.yaml", text.as_bytes()) else {
        return;
    };
    let Some(edit) = edit_for(&index, &control) else {
        return;
    };
    match edit_text(text, &edit) {
        Ok(edited) => {
            let range = edited.replaced.clone();
            assert_eq!(
                edited.text,
                format!(
                    "{}{}{}",
                    &text[..range.start],
                    edited.replacement,
                    &text[range.end..]
                ),
                "bytes outside the replaced range changed"
            );
            let reloaded = load_index("handoff.yaml", edited.text.as_bytes())
                .unwrap_or_else(|e| panic!("the edited text does not load: {e}\n{}", edited.text));
            assert!(
                same_meaning(&reloaded, &intended(&index, &edit)),
                "{edit:?} loads differently from what was asked:\n{}",
                edited.text
            );
        }
        Err(IndexTextError::Verification { problem }) => {
            panic!("{edit:?}: the splice was wrong ({problem}); text:\n{text}")
        }
        Err(_) => {}
    }
}

/// Any text as a document: the heading scanners (Markdown headings, YAML top-level keys, the
/// context command's sections) never panic, and every heading they find satisfies a
/// requirement naming it.
pub fn heading_scanner(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let headings = markdown_headings(text);
    let _ = yaml_keys(text);
    let _ = handoff::render::context::markdown_sections(text);
    let _ = handoff::render::context::yaml_sections(text);
    for path in ["doc.md", "doc.yaml"] {
        let sections = sections_of(path, text);
        // A heading the scanner found is a section a kind may require. (`|` separates
        // alternatives in a requirement, so such headings are left out.)
        for heading in sections.iter().filter(|h| !h.contains('|')).take(16) {
            let missing = missing_sections(std::slice::from_ref(heading), &sections);
            assert!(
                missing.is_empty(),
                "{heading:?} found but missing from {sections:?}"
            );
        }
    }
    for heading in headings.iter().take(16) {
        let once = normalize(heading);
        assert_eq!(
            normalize(&once),
            once,
            "normalize is not idempotent on {heading:?}"
        );
    }
}

/// Any bytes as a ledger file: the reader returns records and problems, never panics. Every
/// record it accepts, written back the way handoff appends records, reads back as the same
/// record: the writer's quoting holds for anything the reader lets through.
pub fn ledger_reader(data: &[u8]) {
    let (records, problems) = load_ledger_file("prd", ".handoff/signoffs/prd.yaml", data);
    for problem in &problems {
        assert!(problem.pos.line >= 1, "{problem:?}");
    }
    for record in records.iter().take(8) {
        let written = appended("prd", None, record);
        let (read, problems) = load_ledger_file("prd", "x", &written);
        assert!(
            problems.is_empty(),
            "{problems:?} in\n{}",
            String::from_utf8_lossy(&written)
        );
        assert_eq!(read.len(), 1, "{}", String::from_utf8_lossy(&written));
        assert_eq!(
            record_key(&read[0]),
            record_key(record),
            "written as\n{}",
            String::from_utf8_lossy(&written)
        );
    }
}
