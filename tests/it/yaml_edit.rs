//! The surgical editor of `handoff.yaml`, property-tested over generated indexes with comments.
//!
//! Documents are generated from a sequence of choices (each a small number; 0 is always the
//! simplest option), so proptest shrinks a failure towards a simpler document. They mix flow
//! and block styles for roles, items and lists, indentless and indented sequences, comments on
//! their own lines and after values, blank lines, every quoting style, block scalars, empty
//! values, CRLF, a byte-order mark and a missing final newline.
//!
//! After any generated edit, either the edit is refused for a reason a form would show, or:
//! (a) the result loads to exactly the intended index, and (b) every byte outside the region
//! the edit addresses (computed here from the original text, independently of the editor) is
//! unchanged.

use std::ops::Range;

use handoff::core::edit::{
    ArtifactField, FieldChange, HandoffField, IndexEdit, IndexTextError, ListChange, NewArtifact,
    NewRole, edit_text, intended, same_meaning,
};
use handoff::core::model::load::load_index;
use handoff::core::model::{Index, Target};
use handoff::yaml::edit::scalar;
use handoff::yaml::{self, Node};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

// ---------------------------------------------------------------------------------------------
// Choices.

/// Reads choices in order; past the end every choice is 0, the simplest.
struct Choices<'c> {
    values: &'c [u8],
    next: usize,
}

impl Choices<'_> {
    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        let v = self.values.get(self.next).copied().unwrap_or(0) as usize;
        self.next += 1;
        v % n.max(1)
    }

    /// True with probability about 1/`n`, and never for choice 0.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == n - 1
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ROLE_IDS: &[&str] = &[
    "pm",
    "ai-eng",
    "ops",
    "designer",
    "domain-expert",
    "qa.lead",
    "r_9",
];
const PEOPLE: &[&str] = &[
    "dana@acme.example",
    "lee@acme.example",
    "Rosa.M@acme.example",
    "tom+ops@acme.example",
    "sam@x.example",
];
const TEXTS: &[&str] = &[
    "PRD",
    "Runbook: kill switch",
    "Ops #2",
    "a # b",
    "x:y",
    "Cost & latency",
    "Étude — été",
    "100",
    "yes",
    "it's quoted",
    "\"double\"",
    "https://x.example/a#b",
    "[not a list]",
    "trailing colon:",
    " padded ",
];
const PATHS: &[&str] = &[
    "docs/prd.md",
    "docs/flows.md",
    "evals",
    "prompts/*.yaml",
    "./runbooks/a.md",
    "docs/x y.md",
];
const URLS: &[&str] = &["https://figma.example/file/1", "http://flags.example/f?x=1"];
const COMMENTS: &[&str] = &[
    "# note",
    "# owner: ops? decide later",
    "#",
    "# - not an item",
    "# key: value",
];
const KIND_IDS: &[&str] = &["prd", "runbook"];
const DURATIONS: &[&str] = &["30d", "12w", "6m", "1y"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Quote {
    Plain,
    Single,
    Double,
}

fn quoted(text: &str, quote: Quote) -> String {
    match quote {
        Quote::Plain if scalar(text) == text => text.to_string(),
        Quote::Single if !text.contains('\n') => format!("'{}'", text.replace('\'', "''")),
        _ => serde_json::to_string(text).unwrap(),
    }
}

/// A document under construction: lines joined by the chosen line ending at the end.
struct Writer<'c, 'v> {
    choices: &'c mut Choices<'v>,
    lines: Vec<String>,
}

impl Writer<'_, '_> {
    fn line(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Maybe a blank line, maybe a comment line at `col`.
    fn filler(&mut self, col: usize) {
        if self.choices.one_in(4) {
            self.lines.push(String::new());
        }
        if self.choices.one_in(4) {
            let c = self.choices.pick(COMMENTS);
            self.lines.push(format!("{}{c}", " ".repeat(col)));
        }
    }

    /// Maybe a comment after a value.
    fn trailing(&mut self) -> String {
        if self.choices.one_in(3) {
            format!(
                "{}{}",
                " ".repeat(1 + self.choices.below(4)),
                self.choices.pick(COMMENTS)
            )
        } else {
            String::new()
        }
    }

    fn text(&mut self, text: &str) -> String {
        let quote = *self
            .choices
            .pick(&[Quote::Plain, Quote::Single, Quote::Double]);
        quoted(text, quote)
    }

    fn flow_list(&mut self, items: &[String]) -> String {
        let rendered: Vec<String> = items.iter().map(|i| self.text(i)).collect();
        if self.choices.one_in(3) && !items.is_empty() {
            format!("[ {} ]", rendered.join(" , "))
        } else {
            format!("[{}]", rendered.join(", "))
        }
    }

    /// `key: list` at `col`, flow or block (indentless or indented).
    fn list(&mut self, col: usize, key: &str, items: &[String], indent: usize) {
        let style = self.choices.below(3);
        if style == 0 && items.len() > 1 && self.choices.one_in(5) {
            // A flow list over several lines.
            let pad = " ".repeat(col + indent);
            self.line(format!("{}{key}: [", " ".repeat(col)));
            for (n, item) in items.iter().enumerate() {
                let v = self.text(item);
                let comma = if n + 1 < items.len() { "," } else { "" };
                self.line(format!("{pad}{v}{comma}"));
            }
            self.line(format!("{}]", " ".repeat(col)));
        } else if style == 0 || items.is_empty() {
            let list = self.flow_list(items);
            let t = self.trailing();
            self.line(format!("{}{key}: {list}{t}", " ".repeat(col)));
        } else {
            let t = self.trailing();
            self.line(format!("{}{key}:{t}", " ".repeat(col)));
            let dash = if style == 1 { col } else { col + indent };
            for item in items {
                self.filler(dash);
                let v = self.text(item);
                let t = self.trailing();
                self.line(format!("{}- {v}{t}", " ".repeat(dash)));
            }
        }
    }
}

#[derive(Debug, Clone)]
struct GenArtifact {
    id: String,
    title: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    target: Target,
    owner: Option<String>,
    reviewers: Vec<String>,
    consumers: Vec<String>,
    depends_on: Vec<String>,
    verify_every: Option<String>,
}

/// Generates a document; returns its text.
fn generate(values: &[u8]) -> String {
    let mut choices = Choices { values, next: 0 };
    let crlf = choices.one_in(4);
    let bom = choices.one_in(6);
    let final_newline = !choices.one_in(6);
    let indent = *choices.pick(&[2usize, 4]);
    let roles: Vec<String> = ROLE_IDS[..1 + choices.below(ROLE_IDS.len())]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut w = Writer {
        choices: &mut choices,
        lines: Vec::new(),
    };
    if w.choices.one_in(3) {
        w.line("# The handoff index".into());
    }
    if w.choices.one_in(6) {
        w.line("---".into());
    }
    w.line("version: 1".into());
    if w.choices.one_in(2) {
        let name = w.choices.pick(TEXTS).to_string();
        let v = w.text(&name);
        let t = w.trailing();
        w.line(format!("name: {v}{t}"));
    }
    w.filler(0);

    // Roles.
    let t = w.trailing();
    let roles = if w.choices.one_in(12) {
        w.line(format!("roles: {{}}{t}"));
        Vec::new()
    } else {
        w.line(format!("roles:{t}"));
        roles
    };
    let align = w.choices.one_in(3);
    for role in &roles {
        w.filler(indent);
        let title = (!w.choices.one_in(3)).then(|| w.choices.pick(TEXTS).to_string());
        let mut people: Vec<String> = Vec::new();
        for _ in 0..w.choices.below(3) {
            let p = w.choices.pick(PEOPLE).to_string();
            if !people.iter().any(|q| q.eq_ignore_ascii_case(&p)) {
                people.push(p);
            }
        }
        let pad = " ".repeat(indent);
        let key_pad = if align {
            " ".repeat(15 - role.len())
        } else {
            " ".to_string()
        };
        match w.choices.below(3) {
            0 => {
                let mut parts = Vec::new();
                if let Some(t) = &title {
                    parts.push(format!("title: {}", w.text(t)));
                }
                parts.push(format!("people: {}", w.flow_list(&people)));
                let t = w.trailing();
                w.line(format!(
                    "{pad}{role}:{key_pad}{{ {} }}{t}",
                    parts.join(", ")
                ));
            }
            1 => {
                let t = w.trailing();
                w.line(format!("{pad}{role}:{t}"));
                if let Some(title) = &title {
                    let v = w.text(title);
                    let t = w.trailing();
                    w.line(format!("{pad}{pad}title: {v}{t}"));
                }
                w.filler(indent * 2);
                w.list(indent * 2, "people", &people, indent);
            }
            _ => {
                let t = w.trailing();
                w.line(format!("{pad}{role}:{t}"));
            }
        }
    }
    w.filler(0);

    // Kinds.
    if w.choices.one_in(2) {
        w.line("kinds:".into());
        for kind in KIND_IDS {
            w.line(format!("{}{kind}:", " ".repeat(indent)));
            let signoff: Vec<String> = roles.iter().take(w.choices.below(2)).cloned().collect();
            w.list(indent * 2, "signoff", &signoff, indent);
        }
        w.filler(0);
    }

    // Artifacts.
    // At least one artifact, except now and then none at all.
    let count = (1 + w.choices.below(6)) % 6;
    let mut artifacts: Vec<GenArtifact> = Vec::new();
    let mut used_paths: Vec<String> = Vec::new();
    for n in 0..count {
        let id = format!("a{n}");
        let target = if w.choices.one_in(3) {
            Target::Url(w.choices.pick(URLS).to_string())
        } else {
            let p = w.choices.pick(PATHS).to_string();
            let normal = p.trim_start_matches("./").to_lowercase();
            if used_paths.contains(&normal) {
                Target::Path(format!("extra/{id}.md"))
            } else {
                used_paths.push(normal);
                Target::Path(p)
            }
        };
        let pick_roles = |w: &mut Writer| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for _ in 0..w.choices.below(3).min(roles.len()) {
                let r = roles[w.choices.below(roles.len())].clone();
                if !out.contains(&r) {
                    out.push(r);
                }
            }
            out
        };
        let reviewers = pick_roles(&mut w);
        let consumers = pick_roles(&mut w);
        let mut depends_on = Vec::new();
        if n > 0 && w.choices.one_in(2) {
            depends_on.push(format!("a{}", w.choices.below(n)));
        }
        if w.choices.one_in(5) {
            depends_on.push("dangling".to_string());
        }
        artifacts.push(GenArtifact {
            id,
            title: w
                .choices
                .one_in(2)
                .then(|| w.choices.pick(TEXTS).to_string()),
            description: w
                .choices
                .one_in(3)
                .then(|| w.choices.pick(TEXTS).to_string()),
            kind: (w.choices.one_in(3) && w.lines.iter().any(|l| l == "kinds:"))
                .then(|| w.choices.pick(KIND_IDS).to_string()),
            target,
            owner: (!w.choices.one_in(4) && !roles.is_empty())
                .then(|| roles[w.choices.below(roles.len())].clone()),
            reviewers,
            consumers,
            depends_on,
            verify_every: w
                .choices
                .one_in(4)
                .then(|| w.choices.pick(DURATIONS).to_string()),
        });
    }
    if artifacts.is_empty() && w.choices.one_in(3) {
        let t = w.trailing();
        w.line(format!("artifacts: []{t}"));
    } else if !artifacts.is_empty() || w.choices.one_in(2) {
        let t = w.trailing();
        w.line(format!("artifacts:{t}"));
        let dash_col = if w.choices.one_in(2) { 0 } else { indent };
        for a in &artifacts {
            w.filler(dash_col);
            write_artifact(&mut w, a, dash_col, indent);
        }
    }
    w.filler(0);

    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = w.lines.join(eol);
    if final_newline {
        text.push_str(eol);
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    text
}

fn write_artifact(w: &mut Writer, a: &GenArtifact, dash_col: usize, indent: usize) {
    let target_key = if a.target.is_url() { "url" } else { "path" };
    let mut fields: Vec<(&str, Field)> = vec![("id", Field::Text(a.id.clone()))];
    for (key, value) in [
        ("title", &a.title),
        ("description", &a.description),
        ("kind", &a.kind),
    ] {
        if let Some(v) = value {
            fields.push((key, Field::Text(v.clone())));
        }
    }
    fields.push((target_key, Field::Text(a.target.as_str().to_string())));
    match &a.owner {
        Some(o) => fields.push(("owner", Field::Text(o.clone()))),
        None if w.choices.one_in(2) => fields.push(("owner", Field::Empty)),
        None => {}
    }
    for (key, list) in [
        ("reviewers", &a.reviewers),
        ("consumers", &a.consumers),
        ("depends_on", &a.depends_on),
    ] {
        if !list.is_empty() || w.choices.one_in(4) {
            fields.push((key, Field::List(list.clone())));
        }
    }
    if let Some(d) = &a.verify_every {
        fields.push(("verify_every", Field::Text(d.clone())));
    }
    // Sometimes the keys come in an unusual order; rarely the id is not first.
    if w.choices.one_in(4) {
        let last = fields.len() - 1;
        fields[1..].rotate_left(w.choices.below(last.max(1)));
    }
    if w.choices.one_in(8) {
        fields.swap(0, 1);
    }

    let dash = " ".repeat(dash_col);
    if w.choices.one_in(4) {
        // A flow item on one line.
        let parts: Vec<String> = fields
            .iter()
            .map(|(k, f)| match f {
                Field::Text(t) => format!("{k}: {}", w.text(t)),
                Field::Empty => format!("{k}: ~"),
                Field::List(items) => format!("{k}: {}", w.flow_list(items)),
            })
            .collect();
        let t = w.trailing();
        w.line(format!("{dash}- {{ {} }}{t}", parts.join(", ")));
        return;
    }
    let key_col = dash_col + if w.choices.one_in(5) { 4 } else { 2 };
    for (n, (key, field)) in fields.iter().enumerate() {
        let quoted_key = match w.choices.below(8) {
            6 => format!("\"{key}\""),
            7 => format!("'{key}'"),
            _ => key.to_string(),
        };
        let key = &quoted_key.as_str();
        let lead = if n == 0 {
            format!("{dash}-{}", " ".repeat(key_col - dash_col - 1))
        } else {
            w.filler(key_col);
            " ".repeat(key_col)
        };
        match field {
            Field::Text(text) if key.contains("description") && w.choices.one_in(3) => {
                let t = w.trailing();
                let style = *w.choices.pick(&["|", ">"]);
                w.line(format!("{lead}{key}: {style}{t}"));
                w.line(format!("{}{text}", " ".repeat(key_col + indent)));
                if w.choices.one_in(2) {
                    w.line(String::new());
                }
            }
            Field::Text(text) => {
                let v = w.text(text);
                let t = w.trailing();
                w.line(format!("{lead}{key}: {v}{t}"));
            }
            Field::Empty => {
                let t = w.trailing();
                w.line(format!("{lead}{key}:{t}"));
            }
            Field::List(items) if n == 0 => {
                let list = w.flow_list(items);
                w.line(format!("{lead}{key}: {list}"));
            }
            Field::List(items) => w.list(key_col, key, items, indent),
        }
    }
}

enum Field {
    Text(String),
    Empty,
    List(Vec<String>),
}

// ---------------------------------------------------------------------------------------------
// Edits.

fn generate_edit(index: &Index, values: &[u8]) -> IndexEdit {
    let mut c = Choices { values, next: 0 };
    let role_ids: Vec<String> = index.roles.iter().map(|r| r.id.clone()).collect();
    let artifact_ids: Vec<String> = index.artifacts.iter().map(|a| a.id.clone()).collect();
    let any_role = |c: &mut Choices| -> String {
        if c.one_in(8) || role_ids.is_empty() {
            c.pick(ROLE_IDS).to_string()
        } else {
            c.pick(&role_ids).clone()
        }
    };
    let artifact = |c: &mut Choices| -> String {
        if artifact_ids.is_empty() {
            "a0".to_string()
        } else {
            c.pick(&artifact_ids).clone()
        }
    };
    match c.below(10) {
        0 => {
            let field = *c.pick(&[
                ArtifactField::Title,
                ArtifactField::Description,
                ArtifactField::Kind,
                ArtifactField::Path,
                ArtifactField::Url,
                ArtifactField::Owner,
                ArtifactField::VerifyEvery,
            ]);
            let value = match field {
                ArtifactField::Kind => c.pick(KIND_IDS).to_string(),
                ArtifactField::Path => format!("new/{}.md", c.below(100)),
                ArtifactField::Url => c.pick(URLS).to_string(),
                ArtifactField::Owner => any_role(&mut c),
                ArtifactField::VerifyEvery => c.pick(DURATIONS).to_string(),
                _ => c.pick(TEXTS).to_string(),
            };
            IndexEdit::Artifact {
                artifact: artifact(&mut c),
                field,
                change: FieldChange::Set(value),
            }
        }
        1 => IndexEdit::Artifact {
            artifact: artifact(&mut c),
            field: *c.pick(&ArtifactField::ALL),
            change: FieldChange::Unset,
        },
        2 => {
            let field = *c.pick(&[
                ArtifactField::Reviewers,
                ArtifactField::Consumers,
                ArtifactField::DependsOn,
            ]);
            let target = artifact(&mut c);
            let item = |c: &mut Choices| {
                if field == ArtifactField::DependsOn {
                    artifact(c)
                } else {
                    any_role(c)
                }
            };
            let change = match c.below(3) {
                0 => ListChange::Add(item(&mut c)),
                1 => {
                    let current = index.artifact(&target).map(|a| match field {
                        ArtifactField::Reviewers => a.reviewers.clone(),
                        ArtifactField::Consumers => a.consumers.clone(),
                        _ => a.depends_on.clone(),
                    });
                    match current.filter(|l| !l.is_empty()) {
                        Some(list) => ListChange::Remove(c.pick(&list).clone()),
                        None => ListChange::Remove(item(&mut c)),
                    }
                }
                _ => {
                    let mut items: Vec<String> = Vec::new();
                    for _ in 0..c.below(4) {
                        let i = item(&mut c);
                        if !items.contains(&i) {
                            items.push(i);
                        }
                    }
                    ListChange::Replace(items)
                }
            };
            IndexEdit::Artifact {
                artifact: target,
                field,
                change: FieldChange::List(change),
            }
        }
        3 => {
            let target = if c.one_in(3) {
                Target::Url(c.pick(URLS).to_string())
            } else {
                Target::Path(format!("added/{}.md", c.below(50)))
            };
            let mut new = NewArtifact::new(format!("new{}", c.below(3)), target);
            new.title = c.one_in(2).then(|| c.pick(TEXTS).to_string());
            new.owner = c.one_in(2).then(|| any_role(&mut c));
            if c.one_in(2) {
                new.reviewers = vec![any_role(&mut c)];
            }
            if c.one_in(3) && !artifact_ids.is_empty() {
                new.depends_on = vec![artifact(&mut c)];
            }
            new.verify_every = c.one_in(4).then(|| c.pick(DURATIONS).to_string());
            IndexEdit::AddArtifact(new)
        }
        4 => IndexEdit::RemoveArtifact {
            artifact: artifact(&mut c),
        },
        5 => IndexEdit::AddRole(NewRole {
            id: format!("new-role{}", c.below(3)),
            title: c.one_in(2).then(|| c.pick(TEXTS).to_string()),
            people: if c.one_in(2) {
                vec![c.pick(PEOPLE).to_string()]
            } else {
                Vec::new()
            },
        }),
        6 => IndexEdit::RemoveRole {
            role: any_role(&mut c),
        },
        7 => IndexEdit::RoleTitle {
            role: any_role(&mut c),
            title: (!c.one_in(3)).then(|| c.pick(TEXTS).to_string()),
        },
        8 => IndexEdit::Handoff {
            field: *c.pick(&HandoffField::ALL),
            value: (!c.one_in(3)).then(|| c.pick(TEXTS).to_string()),
        },
        _ => {
            let role = any_role(&mut c);
            let current = index
                .role(&role)
                .map(|r| r.people.clone())
                .unwrap_or_default();
            let change = match c.below(3) {
                0 => ListChange::Add(c.pick(PEOPLE).to_string()),
                1 if !current.is_empty() => ListChange::Remove(c.pick(&current).clone()),
                1 => ListChange::Remove(c.pick(PEOPLE).to_string()),
                _ => ListChange::Replace(
                    PEOPLE[..c.below(3)].iter().map(|s| s.to_string()).collect(),
                ),
            };
            IndexEdit::People { role, change }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The region an edit may touch, computed from the original text.

struct Parsed<'t> {
    body: &'t str,
    shift: usize,
    root: Node,
}

fn parsed(text: &str) -> Parsed<'_> {
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let root = yaml::parse(body).unwrap().unwrap();
    Parsed { body, shift, root }
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// Where the top-level entry after `key` starts (the end of the text if none).
fn next_top_level(p: &Parsed, key: &str) -> usize {
    let entries = p.root.as_map().unwrap();
    let i = entries.iter().position(|e| e.key.as_scalar() == Some(key));
    i.and_then(|i| entries.get(i + 1))
        .map_or(p.body.len(), |e| {
            line_start(p.body, e.key.span.start.offset)
        })
}

fn top_level_start(p: &Parsed, key: &str) -> Option<usize> {
    p.root
        .entry(key)
        .map(|e| line_start(p.body, e.key.span.start.offset))
}

/// The byte range of the original an edit may change.
fn allowed_region(p: &Parsed, edit: &IndexEdit) -> Range<usize> {
    let whole = 0..p.body.len();
    let region = match edit {
        IndexEdit::Artifact {
            artifact, field, ..
        } => field_region(p, artifact, *field)
            .or_else(|| item_region(p, artifact))
            .unwrap_or(whole),
        IndexEdit::RemoveArtifact { artifact } => item_region(p, artifact).unwrap_or(whole),
        IndexEdit::AddArtifact(_) => match p.root.get("artifacts") {
            Some(seq) => {
                let last = seq.as_seq().and_then(|items| items.last());
                let start = match last {
                    Some(item) => line_start(p.body, item.span.start.offset),
                    None => top_level_start(p, "artifacts").unwrap(),
                };
                start..next_top_level(p, "artifacts")
            }
            None => last_top_level_region(p),
        },
        IndexEdit::AddRole(_) => match p.root.entry("roles") {
            Some(roles) => {
                let start = roles
                    .value
                    .as_map()
                    .and_then(|m| m.last())
                    .map_or(line_start(p.body, roles.key.span.start.offset), |e| {
                        line_start(p.body, e.key.span.start.offset)
                    });
                start..next_top_level(p, "roles")
            }
            None => last_top_level_region(p),
        },
        IndexEdit::AddKind(_) => match p.root.entry("kinds") {
            Some(kinds) => {
                let start = kinds
                    .value
                    .as_map()
                    .and_then(|m| m.last())
                    .map_or(line_start(p.body, kinds.key.span.start.offset), |e| {
                        line_start(p.body, e.key.span.start.offset)
                    });
                start..next_top_level(p, "kinds")
            }
            None => last_top_level_region(p),
        },
        IndexEdit::Kind { .. } => match top_level_start(p, "kinds") {
            Some(start) => start..next_top_level(p, "kinds"),
            None => whole,
        },
        IndexEdit::RemoveRole { role }
        | IndexEdit::RoleTitle { role, .. }
        | IndexEdit::People { role, .. } => role_region(p, role).unwrap_or(whole),
        // The key's own lines, or where a missing key goes: after the last key before it in
        // the conventional order.
        IndexEdit::Handoff { field, .. } => {
            let order = ["version", "name", "description"];
            let at = order.iter().position(|k| *k == field.key()).unwrap();
            order[..=at]
                .iter()
                .rev()
                .find_map(|k| top_level_start(p, k).map(|start| start..next_top_level(p, k)))
                .unwrap_or(whole)
        }
        IndexEdit::Handle { .. } => match top_level_start(p, "handles") {
            Some(start) => start..next_top_level(p, "handles"),
            None => last_top_level_region(p),
        },
    };
    region.start + p.shift..region.end + p.shift
}

fn last_top_level_region(p: &Parsed) -> Range<usize> {
    let last = p.root.as_map().unwrap().last().unwrap();
    line_start(p.body, last.key.span.start.offset)..p.body.len()
}

/// From the end of the previous item's first line to the start of the next item.
fn item_region(p: &Parsed, id: &str) -> Option<Range<usize>> {
    let items = p.root.get("artifacts")?.as_seq()?;
    let i = items
        .iter()
        .position(|it| it.get("id").and_then(Node::as_scalar) == Some(id))?;
    let start = match i {
        0 => top_level_start(p, "artifacts")?,
        _ => line_start(p.body, items[i - 1].span.start.offset),
    };
    let end = items
        .get(i + 1)
        .map_or(next_top_level(p, "artifacts"), |n| {
            line_start(p.body, n.span.start.offset)
        });
    Some(start..end)
}

fn artifact_item<'p>(p: &'p Parsed, id: &str) -> Option<&'p Node> {
    p.root
        .get("artifacts")?
        .as_seq()?
        .iter()
        .find(|it| it.get("id").and_then(Node::as_scalar) == Some(id))
}

/// The keys an edit of `field` may rewrite: the field's own, and for `path` and `url` the other.
fn field_keys(field: ArtifactField) -> &'static [&'static str] {
    match field {
        ArtifactField::Path | ArtifactField::Url => &["path", "url"],
        _ => std::slice::from_ref(match field {
            ArtifactField::Title => &"title",
            ArtifactField::Description => &"description",
            ArtifactField::Kind => &"kind",
            ArtifactField::Owner => &"owner",
            ArtifactField::VerifyEvery => &"verify_every",
            ArtifactField::Reviewers => &"reviewers",
            ArtifactField::Consumers => &"consumers",
            _ => &"depends_on",
        }),
    }
}

/// The lines of a field written on lines of its own in a block item: from its key to the next
/// key of the item (or the item's end).
fn field_region(p: &Parsed, id: &str, field: ArtifactField) -> Option<Range<usize>> {
    let item = artifact_item(p, id)?;
    let entries = item.as_map()?;
    let i = entries.iter().position(|e| {
        e.key
            .as_scalar()
            .is_some_and(|k| field_keys(field).contains(&k))
    })?;
    let key = entries[i].key.span.start.offset;
    let start = line_start(p.body, key);
    if !p.body[start..key].bytes().all(|b| b == b' ') {
        return None;
    }
    let end = match entries.get(i + 1) {
        Some(next) => line_start(p.body, next.key.span.start.offset),
        None => item_region(p, id)?.end,
    };
    // Removing the last line of a text without a final line ending takes the one before it.
    let start = if end == p.body.len() && !p.body.ends_with('\n') {
        p.body[..start]
            .strip_suffix("\r\n")
            .or_else(|| p.body[..start].strip_suffix('\n'))
            .map_or(start, str::len)
    } else {
        start
    };
    Some(start..end)
}

fn role_region(p: &Parsed, id: &str) -> Option<Range<usize>> {
    let entries = p.root.get("roles")?.as_map()?;
    let i = entries.iter().position(|e| e.key.as_scalar() == Some(id))?;
    let start = match i {
        0 => top_level_start(p, "roles")?,
        _ => line_start(p.body, entries[i - 1].key.span.start.offset),
    };
    let end = entries.get(i + 1).map_or(next_top_level(p, "roles"), |n| {
        line_start(p.body, n.key.span.start.offset)
    });
    Some(start..end)
}

// ---------------------------------------------------------------------------------------------
// The properties.

fn assert_only_region_changed(old: &str, new: &str, region: &Range<usize>) -> Result<(), String> {
    let prefix = &old[..region.start];
    let suffix = &old[region.end..];
    if !new.starts_with(prefix) {
        return Err(format!("bytes before {} changed", region.start));
    }
    if !new.ends_with(suffix) || new.len() < prefix.len() + suffix.len() {
        return Err(format!("bytes after {} changed", region.end));
    }
    Ok(())
}

fn check_edit(text: &str, edit: &IndexEdit) -> Result<&'static str, String> {
    let old = load_index("handoff.yaml", text.as_bytes())
        .map_err(|e| format!("the generated document does not load: {e}"))?;
    match edit_text(text, edit) {
        Err(IndexTextError::Refused(_)) => Ok("refused"),
        Err(e) => Err(format!("the edit failed: {e}")),
        Ok(edited) => {
            // (a) the result loads to exactly the intended index.
            let loaded = load_index("handoff.yaml", edited.text.as_bytes())
                .map_err(|e| format!("the result does not load: {e}\n{}", edited.text))?;
            if !same_meaning(&loaded, &intended(&old, edit)) {
                return Err("the result means something else".into());
            }
            // (b) only the addressed region changed, and the splice reported says where.
            let region = allowed_region(&parsed(text), edit);
            assert_only_region_changed(text, &edited.text, &region)?;
            let spliced = format!(
                "{}{}{}",
                &text[..edited.replaced.start],
                edited.replacement,
                &text[edited.replaced.end..]
            );
            if spliced != edited.text {
                return Err("the reported splice is not the change".into());
            }
            // A field that was not written is added without touching a byte.
            if let IndexEdit::Artifact {
                artifact, field, ..
            } = edit
            {
                let p = parsed(text);
                let written = artifact_item(&p, artifact)
                    .is_some_and(|item| field_keys(*field).iter().any(|k| item.get(k).is_some()));
                if !written && !edited.replaced.is_empty() {
                    return Err(format!(
                        "adding `{field}` replaced {:?}",
                        &text[edited.replaced.clone()]
                    ));
                }
            }
            if text.contains("\r\n") != edited.text.contains("\r\n")
                || edited.text.replace("\r\n", "").contains('\r')
            {
                return Err("line endings changed".into());
            }
            if text.starts_with('\u{feff}') != edited.text.starts_with('\u{feff}') {
                return Err("the byte-order mark changed".into());
            }
            // Removing what was just added to a section with items gives back the original,
            // byte for byte. (A section that was created or empty stays, empty.)
            let undo = match edit {
                IndexEdit::AddArtifact(new) if !old.artifacts.is_empty() => {
                    Some(IndexEdit::RemoveArtifact {
                        artifact: new.id.clone(),
                    })
                }
                IndexEdit::AddRole(new) if !old.roles.is_empty() => Some(IndexEdit::RemoveRole {
                    role: new.id.clone(),
                }),
                _ => None,
            };
            if let Some(undo) = undo {
                let undone = edit_text(&edited.text, &undo)
                    .map_err(|e| format!("undoing failed: {e}\n{}", edited.text))?;
                if undone.text != text {
                    return Err(format!(
                        "adding then removing changed the text:\n{}",
                        undone.text
                    ));
                }
            }
            Ok("applied")
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_edit_keeps_every_other_byte_and_means_what_was_asked(
        doc in prop::collection::vec(any::<u8>(), 0..400),
        op in prop::collection::vec(any::<u8>(), 0..24),
    ) {
        let text = generate(&doc);
        let index = load_index("handoff.yaml", text.as_bytes());
        prop_assert!(index.is_ok(), "generated document does not load: {:?}\n{}", index.err(), text);
        let edit = generate_edit(&index.unwrap(), &op);
        if let Err(problem) = check_edit(&text, &edit) {
            prop_assert!(false, "{}\nedit: {:?}\ndocument:\n{}", problem, edit, text);
        }
    }
}

/// Most generated edits must apply, or the property says little.
#[test]
fn most_generated_edits_apply() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut applied = 0;
    let total = 600;
    for _ in 0..total {
        let doc = prop::collection::vec(any::<u8>(), 0..400)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let op = prop::collection::vec(any::<u8>(), 0..24)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let text = generate(&doc);
        let index = load_index("handoff.yaml", text.as_bytes()).unwrap();
        let edit = generate_edit(&index, &op);
        if check_edit(&text, &edit).unwrap() == "applied" {
            applied += 1;
        }
    }
    assert!(
        applied * 3 >= total,
        "only {applied} of {total} edits applied"
    );
}

// ---------------------------------------------------------------------------------------------
// Hand-written tricky files.

fn edited(text: &str, edit: IndexEdit) -> String {
    match check_edit(text, &edit) {
        Ok("applied") => edit_text(text, &edit).unwrap().text,
        other => panic!("{other:?} for {edit:?}"),
    }
}

fn field(artifact: &str, field: ArtifactField, change: FieldChange) -> IndexEdit {
    IndexEdit::Artifact {
        artifact: artifact.into(),
        field,
        change,
    }
}

const TRICKY: &str = "\
version: 1   # contract version
\"name\": 'Support: replies # drafts'
roles:
  pm: {title: \"PM: product\", people: [dana@acme.example]}   # owner of the PRD
  'ai-eng':
    title: AI # engineer
    people:
      - lee@acme.example   # lead
      # - marta@acme.example (on leave)
  ops: &ops_role { people: [] }
kinds:
  prd: { signoff: [ops] }
artifacts:
  - id: prd
    \"title\": \"PRD: v2 #final\"   # keep: this comment
    path: docs/prd.md
    owner: pm
    reviewers:
    - ai-eng   # indentless
    depends_on: [ framing ]
  # framing comes first in reading order
  - id: framing
    description: |
      Why we build it:
      # not a comment, part of the text
    url: https://docs.example/framing#v1
    owner: pm";

#[test]
fn inline_comments_hash_and_colon_values_survive_a_title_change() {
    let out = edited(
        TRICKY,
        field(
            "prd",
            ArtifactField::Title,
            FieldChange::Set("Renamed: now #1".into()),
        ),
    );
    assert_eq!(
        out,
        TRICKY.replace(
            "\"title\": \"PRD: v2 #final\"   # keep",
            "\"title\": \"Renamed: now #1\"   # keep"
        )
    );
}

#[test]
fn block_list_under_a_quoted_role_key_keeps_its_comment_lines() {
    let out = edited(
        TRICKY,
        IndexEdit::People {
            role: "ai-eng".into(),
            change: ListChange::Add("marta@acme.example".into()),
        },
    );
    assert!(
        out.contains("      - lee@acme.example   # lead\n      - marta@acme.example\n      # - marta@acme.example (on leave)\n"),
        "{out}"
    );
}

#[test]
fn indentless_list_and_padded_flow_list() {
    let out = edited(
        TRICKY,
        field(
            "prd",
            ArtifactField::Reviewers,
            FieldChange::List(ListChange::Add("ops".into())),
        ),
    );
    assert!(
        out.contains("    - ai-eng   # indentless\n    - ops\n    depends_on"),
        "{out}"
    );
    let out = edited(
        TRICKY,
        field(
            "prd",
            ArtifactField::DependsOn,
            FieldChange::List(ListChange::Remove("framing".into())),
        ),
    );
    assert!(out.contains("    depends_on: []\n"), "{out}");
}

#[test]
fn last_item_without_final_newline() {
    let out = edited(
        TRICKY,
        field(
            "framing",
            ArtifactField::Consumers,
            FieldChange::List(ListChange::Add("ops".into())),
        ),
    );
    assert!(
        out.ends_with("    owner: pm\n    consumers: [ ops ]"),
        "{out}"
    );
    let mut new = NewArtifact::new("flows", Target::Path("docs/flows.md".into()));
    new.owner = Some("pm".into());
    let out = edited(TRICKY, IndexEdit::AddArtifact(new));
    assert!(
        out.ends_with("    owner: pm\n  - id: flows\n    path: docs/flows.md\n    owner: pm"),
        "{out}"
    );
}

#[test]
fn a_block_scalar_with_a_hash_line_is_replaced_whole() {
    let out = edited(
        TRICKY,
        field(
            "framing",
            ArtifactField::Description,
            FieldChange::Set("Short.".into()),
        ),
    );
    assert!(
        out.contains(
            "  - id: framing\n    description: Short.\n    url: https://docs.example/framing#v1\n"
        ),
        "{out}"
    );
}

#[test]
fn removing_an_artifact_takes_the_comment_above_it() {
    let text = TRICKY.replace("    depends_on: [ framing ]\n", "");
    let out = edited(
        &text,
        IndexEdit::RemoveArtifact {
            artifact: "framing".into(),
        },
    );
    assert!(out.ends_with("    - ai-eng   # indentless"), "{out:?}");
}

#[test]
fn crlf_and_bom_are_kept() {
    // Each edit applies to the text the one before left, so that every one of them lands.
    let mut text = format!("\u{feff}{}", TRICKY.replace('\n', "\r\n"));
    for edit in [
        field("prd", ArtifactField::Kind, FieldChange::Set("prd".into())),
        field("prd", ArtifactField::Owner, FieldChange::Unset),
        IndexEdit::AddRole(NewRole {
            id: "qa".into(),
            title: Some("QA".into()),
            people: vec![],
        }),
        IndexEdit::RemoveRole { role: "qa".into() },
        IndexEdit::RoleTitle {
            role: "ops".into(),
            title: Some("Ops".into()),
        },
    ] {
        let out = edit_text(&text, &edit).unwrap_or_else(|e| panic!("{edit:?}: {e}"));
        assert!(out.text.starts_with('\u{feff}'));
        assert_eq!(
            out.text.matches('\n').count(),
            out.text.matches("\r\n").count(),
            "{edit:?}"
        );
        check_edit(&text, &edit).unwrap();
        text = out.text;
    }
}

#[test]
fn an_anchored_value_used_elsewhere_is_not_edited_through() {
    let text = "\
version: 1
roles:
  pm: { people: [dana@acme.example] }
artifacts:
  - id: a
    path: a.md
    reviewers: &team [pm]
  - id: b
    path: b.md
    reviewers: *team
";
    // Adding to the anchored list would change `b` too: refused, nothing returned.
    let err = edit_text(
        text,
        &field(
            "a",
            ArtifactField::Consumers,
            FieldChange::List(ListChange::Add("pm".into())),
        ),
    );
    assert!(err.is_ok(), "an edit next to the anchor is fine: {err:?}");
    let err = edit_text(
        text,
        &field(
            "a",
            ArtifactField::Reviewers,
            FieldChange::List(ListChange::Replace(vec![])),
        ),
    )
    .unwrap_err();
    assert!(matches!(err, IndexTextError::Verification { .. }), "{err}");
    let err = edit_text(
        text,
        &field(
            "b",
            ArtifactField::Reviewers,
            FieldChange::List(ListChange::Replace(vec![])),
        ),
    )
    .unwrap_err();
    assert!(err.to_string().contains("alias"), "{err}");
}

#[test]
fn a_broken_index_is_not_edited() {
    let err = edit_text(
        "version: 1\nartifacts:\n  - id: a\n    path: a.md\n    reviewer: [pm]\n",
        &field("a", ArtifactField::Title, FieldChange::Set("A".into())),
    )
    .unwrap_err();
    assert!(err.to_string().contains("handoff.yaml:5:5"), "{err}");
}
