use super::*;

const INDEX: &str = "\
version: 1
name: Support reply drafting
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ai-eng: { title: AI Engineer, people: [lee@acme.example] }   # two soon
  ops:
kinds:
  prd:
    signoff: [ops]
artifacts:
  # --- Product
  - id: prd
    title: PRD
    kind: prd
    path: docs/prd.md          # or: url: https://...
    owner: pm
    reviewers: [ai-eng]
    depends_on: [framing]

  - id: framing
    path: docs/framing.md
    owner:                     # pm or ai-eng? decide on Thursday
";

fn apply(text: &str, edit: IndexEdit) -> String {
    let edited = edit_text(text, &edit).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        &edited.text[..edited.replaced.start],
        &text[..edited.replaced.start]
    );
    edited.text
}

fn set(artifact: &str, field: ArtifactField, change: FieldChange) -> IndexEdit {
    IndexEdit::Artifact {
        artifact: artifact.into(),
        field,
        change,
    }
}

#[test]
fn sets_a_title_in_place() {
    let out = apply(
        INDEX,
        set(
            "prd",
            ArtifactField::Title,
            FieldChange::Set("Renamed".into()),
        ),
    );
    assert_eq!(out, INDEX.replace("title: PRD", "title: Renamed"));
}

#[test]
fn fills_the_empty_owner_keeping_its_comment() {
    let out = apply(
        INDEX,
        set(
            "framing",
            ArtifactField::Owner,
            FieldChange::Set("pm".into()),
        ),
    );
    assert!(
        out.ends_with("    owner: pm                     # pm or ai-eng? decide on Thursday\n"),
        "{out}"
    );
}

#[test]
fn switches_path_to_url_on_the_same_line() {
    let out = apply(
        INDEX,
        set(
            "prd",
            ArtifactField::Url,
            FieldChange::Set("https://docs.example/prd".into()),
        ),
    );
    assert!(
        out.contains("    url: https://docs.example/prd          # or: url"),
        "{out}"
    );
}

#[test]
fn unknown_role_is_refused_with_the_known_ones() {
    let err = edit_text(
        INDEX,
        &set(
            "prd",
            ArtifactField::Reviewers,
            FieldChange::List(ListChange::Add("opps".into())),
        ),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown role `opps` in `reviewers`, did you mean `ops`? (defined roles: pm, ai-eng, ops)"
    );
}

#[test]
fn people_of_an_empty_role() {
    let out = apply(
        INDEX,
        IndexEdit::People {
            role: "ops".into(),
            change: ListChange::Add("rosa@acme.example".into()),
        },
    );
    assert!(
        out.contains("  ops: { people: [rosa@acme.example] }\n"),
        "{out}"
    );
}

#[test]
fn adds_a_role_in_the_flow_style() {
    let out = apply(
        INDEX,
        IndexEdit::AddRole(NewRole {
            id: "designer".into(),
            title: Some("Designer".into()),
            people: vec![],
        }),
    );
    assert!(
        out.contains("  ops:\n  designer: { title: Designer, people: [] }\nkinds:"),
        "{out}"
    );
}

#[test]
fn removes_an_artifact_with_its_comment() {
    let out = apply(
        INDEX,
        IndexEdit::RemoveArtifact {
            artifact: "prd".into(),
        },
    );
    assert!(out.contains("artifacts:\n  - id: framing\n"), "{out}");
    let err = edit_text(
        INDEX,
        &IndexEdit::RemoveArtifact {
            artifact: "framing".into(),
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "artifact `framing` is still referenced: `depends_on` of `prd`. Change those first"
    );
    let err = edit_text(INDEX, &IndexEdit::RemoveRole { role: "pm".into() }).unwrap_err();
    assert!(
        err.to_string().contains("`owner` of artifact `prd`"),
        "{err}"
    );
}

#[test]
fn adds_an_artifact_after_the_last() {
    let mut new = NewArtifact::new("evals", Target::Path("./evals/".into()));
    new.owner = Some("ai-eng".into());
    new.reviewers = vec!["pm".into()];
    let out = apply(INDEX, IndexEdit::AddArtifact(new));
    assert!(
        out.ends_with("decide on Thursday\n\n  - id: evals\n    path: evals\n    owner: ai-eng\n    reviewers: [pm]\n"),
        "{out}"
    );
}

#[test]
fn crlf_and_bom_survive() {
    let text = format!("\u{feff}{}", INDEX.replace('\n', "\r\n"));
    let out = apply(
        &text,
        set(
            "prd",
            ArtifactField::Consumers,
            FieldChange::List(ListChange::Add("ops".into())),
        ),
    );
    assert!(out.starts_with('\u{feff}'));
    assert!(
        out.contains("    reviewers: [ai-eng]\r\n    consumers: [ops]\r\n    depends_on"),
        "{out:?}"
    );
    assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
}
