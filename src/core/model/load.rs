//! Loading `handoff.yaml` and ledger files from text. Every problem is collected with its
//! `file:line:col` and, where one helps, a suggestion; nothing here reads the disk.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::index::{Artifact, Index, Kind, Role, Target};
use super::ledger::{Action, LedgerProblem, SignOff};
use super::{Duration, FindingCode, LoadError, LoadErrors, Pos, Severity};
use crate::yaml::{self, Node, Value};

/// The only contract version this build reads.
pub const SUPPORTED_VERSION: u32 = 1;

pub const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "roles",
    "kinds",
    "artifacts",
    "severity",
];
pub const ROLE_KEYS: &[&str] = &["title", "description", "people"];
pub const KIND_KEYS: &[&str] = &[
    "title",
    "description",
    "required_sections",
    "signoff",
    "max_age",
    "review_every",
    "verify_every",
    "severity",
];
pub const ARTIFACT_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "kind",
    "path",
    "url",
    "owner",
    "reviewers",
    "consumers",
    "depends_on",
    "verify_every",
];
pub const SIGNOFF_KEYS: &[&str] = &[
    "action",
    "by",
    "role",
    "at",
    "fingerprint",
    "upstream",
    "note",
];

/// Decodes text into UTF-8, locating the first invalid byte if it is not.
pub fn decode_utf8<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, LoadError> {
    // Editors on some systems save as UTF-16; say so rather than point at byte two.
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(LoadError::new(
            file,
            Pos::new(1, 1, 0),
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8",
        )
        .with_help("save it as UTF-8"));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        LoadError::new(file, end_pos(prefix), "the file is not valid UTF-8 text")
            .with_help("save it as UTF-8")
    })
}

/// The position just after `text`.
fn end_pos(text: &str) -> Pos {
    let line = text.matches('\n').count() + 1;
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    Pos::new(line, text[line_start..].chars().count() + 1, text.len())
}

/// Parses the document, mapping YAML errors to load errors. A leading byte-order mark is
/// skipped; positions stay those of the file.
fn parse_document(file: &str, text: &str) -> Result<Option<Node>, LoadError> {
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let mut node = yaml::parse(body).map_err(|e| LoadError::new(file, e.pos, e.message))?;
    if shift > 0
        && let Some(n) = node.as_mut()
    {
        shift_offsets(n, shift);
    }
    Ok(node)
}

fn shift_offsets(node: &mut Node, by: usize) {
    node.span.start.offset += by;
    node.span.end.offset += by;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Seq { items, .. } => items.iter_mut().for_each(|n| shift_offsets(n, by)),
        Value::Map { entries, .. } => entries.iter_mut().for_each(|e| {
            shift_offsets(&mut e.key, by);
            shift_offsets(&mut e.value, by);
        }),
    }
}

/// The closest of `candidates` to `word`, if any is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        let close = score >= 0.8 || strsim::levenshtein(word, c) <= 2;
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// Collects errors for one file while values are decoded.
struct Ctx<'f> {
    file: &'f str,
    errors: Vec<LoadError>,
}

impl<'f> Ctx<'f> {
    fn error(&mut self, at: Pos, message: impl Into<String>) {
        self.errors.push(LoadError::new(self.file, at, message));
    }

    fn error_help(&mut self, at: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.errors
            .push(LoadError::new(self.file, at, message).with_help(help));
    }

    /// The entries of a mapping, refusing unknown and duplicate keys. `what` names the
    /// mapping in messages ("artifact `prd`").
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Vec<(&'n str, &'n Node, Pos)>> {
        let Some(entries) = node.as_map() else {
            self.error(
                node.span.start,
                format!("{what} must be a mapping, found {}", node.describe()),
            );
            return None;
        };
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        let mut out = Vec::new();
        for e in entries {
            let Some(key) = e.key.as_scalar() else {
                self.error(
                    e.key.span.start,
                    format!("keys in {what} must be plain names"),
                );
                continue;
            };
            let at = e.key.span.start;
            if key == "<<" && e.key.style() == Some(yaml::Style::Plain) {
                self.error_help(
                    at,
                    format!("{what} uses a YAML merge key (`<<`), which handoff does not read"),
                    "write the keys out in full",
                );
                continue;
            }
            if let Some(first) = seen.get(key) {
                self.error(
                    at,
                    format!(
                        "duplicate key `{key}` in {what} (first at line {})",
                        first.line
                    ),
                );
                continue;
            }
            seen.insert(key, at);
            if !known.contains(&key) {
                let msg = format!("unknown key `{key}` in {what}");
                match suggest(key, known.iter().copied()) {
                    Some(s) => self.error_help(
                        at,
                        format!("{msg}, did you mean `{s}`?"),
                        format!("known keys: {}", known.join(", ")),
                    ),
                    None => self.error_help(at, msg, format!("known keys: {}", known.join(", "))),
                }
                continue;
            }
            out.push((key, &e.value, at));
        }
        Some(out)
    }

    /// A text value; `None` for null. Numbers and booleans are taken as written.
    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        if node.is_null() {
            return None;
        }
        match node.as_scalar() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    node.span.start,
                    format!("`{what}` must be text, found {}", node.describe()),
                );
                None
            }
        }
    }

    /// A list of text values; null is the empty list.
    fn text_list(&mut self, node: &Node, what: &str, example: &str) -> Vec<(String, Pos)> {
        if node.is_null() {
            return Vec::new();
        }
        let Some(items) = node.as_seq() else {
            self.error_help(
                node.span.start,
                format!("`{what}` must be a list, found {}", node.describe()),
                format!("write it as `{what}: [{example}]`"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_scalar() {
                Some(s) if !item.is_null() => out.push((s.to_string(), item.span.start)),
                _ => self.error(
                    item.span.start,
                    format!("items of `{what}` must be text, found {}", item.describe()),
                ),
            }
        }
        out
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.text(node, what)?;
        match text.parse::<Duration>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(node.span.start, format!("`{what}`: {e}"));
                None
            }
        }
    }

    fn severities(&mut self, node: &Node, what: &str) -> BTreeMap<FindingCode, Severity> {
        let mut out = BTreeMap::new();
        if node.is_null() {
            return out;
        }
        let codes: Vec<&str> = FindingCode::ALL.iter().map(|c| c.as_str()).collect();
        let Some(entries) = self.mapping(node, what, &codes) else {
            return out;
        };
        for (key, value, _) in entries {
            let code: FindingCode = key.parse().expect("mapping() admitted only known codes");
            if let Some(text) = self.text(value, key) {
                match text.parse::<Severity>() {
                    Ok(s) => {
                        out.insert(code, s);
                    }
                    Err(e) => self.error(value.span.start, e),
                }
            }
        }
        out
    }
}

/// Loads `handoff.yaml` from its bytes. `file` is the name used in messages.
pub fn load_index(file: &str, bytes: &[u8]) -> Result<Index, LoadErrors> {
    let text = decode_utf8(file, bytes)?;
    let empty = || {
        LoadError::new(file, Pos::new(1, 1, 0), "the index is empty")
            .with_help("start it with `version: 1`, then `roles:`, `kinds:` and `artifacts:` (`handoff init` writes one)")
    };
    let root = parse_document(file, text)?.ok_or_else(empty)?;
    // `---` alone, or `~`: a document that says nothing.
    if root.is_null() {
        return Err(empty().into());
    }
    let mut cx = Ctx {
        file,
        errors: Vec::new(),
    };
    let index = decode_index(&mut cx, &root);
    match index {
        Some(index) if cx.errors.is_empty() => Ok(index),
        _ => {
            cx.errors.sort_by_key(|e| e.pos);
            Err(LoadErrors(cx.errors))
        }
    }
}

fn decode_index(cx: &mut Ctx, root: &Node) -> Option<Index> {
    let entries = cx.mapping(root, "the index", TOP_KEYS)?;
    let get = |k: &str| {
        entries
            .iter()
            .find(|(key, _, _)| *key == k)
            .map(|(_, v, at)| (*v, *at))
    };

    let version = match get("version") {
        None => {
            cx.error_help(
                root.span.start,
                "the index has no `version`",
                "add `version: 1` as the first line",
            );
            None
        }
        Some((node, _)) => match node.as_scalar().map(str::parse::<u32>) {
            Some(Ok(SUPPORTED_VERSION)) => Some(SUPPORTED_VERSION),
            Some(Ok(v)) => {
                cx.error_help(
                    node.span.start,
                    format!("unsupported version {v}: this build of handoff reads version {SUPPORTED_VERSION}"),
                    "upgrade handoff, or write `version: 1`",
                );
                None
            }
            _ => {
                cx.error(
                    node.span.start,
                    format!("`version` must be the number {SUPPORTED_VERSION}"),
                );
                None
            }
        },
    };
    let name = get("name").and_then(|(n, _)| cx.text(n, "name"));
    let description = get("description").and_then(|(n, _)| cx.text(n, "description"));
    let severity = get("severity")
        .map(|(n, _)| cx.severities(n, "`severity`"))
        .unwrap_or_default();

    // When a whole section is malformed, references to it are not checked: one error says
    // more than a cascade of "unknown role" ones.
    let errors = cx.errors.len();
    let roles = get("roles")
        .map(|(n, _)| decode_roles(cx, n))
        .unwrap_or_default();
    let roles_usable = cx.errors.len() == errors || !roles.is_empty();
    let role_ids: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let errors = cx.errors.len();
    let kinds = get("kinds")
        .map(|(n, _)| decode_kinds(cx, n, &role_ids))
        .unwrap_or_default();
    let kinds_usable = cx.errors.len() == errors || !kinds.is_empty();
    let kind_ids: Vec<&str> = kinds.iter().map(|k| k.id.as_str()).collect();
    let errors = cx.errors.len();
    let artifacts = get("artifacts")
        .map(|(n, _)| decode_artifacts(cx, n, &role_ids, &kind_ids))
        .unwrap_or_default();
    if !roles_usable || !kinds_usable {
        let mut i = errors;
        while i < cx.errors.len() {
            let m = &cx.errors[i].message;
            let cascade = (!roles_usable && m.starts_with("unknown role"))
                || (!kinds_usable && m.starts_with("unknown kind"));
            if cascade {
                cx.errors.remove(i);
            } else {
                i += 1;
            }
        }
    }

    Some(Index {
        version: version?,
        name,
        description,
        roles,
        kinds,
        artifacts,
        severity,
    })
}

/// The most characters an id of a role, kind or artifact may have.
pub const MAX_ID_CHARS: usize = 100;

/// Why a text cannot be the id of a role, kind or artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    Characters,
    /// Well formed, but longer than [`MAX_ID_CHARS`]: `len` characters.
    TooLong { len: usize },
}

/// Why `id` cannot be an id, or `None` when it can. The characters are judged first: a
/// long id with a space in it is wrong for the space.
pub fn id_error(id: &str) -> Option<IdError> {
    let mut chars = id.chars();
    let well_formed = matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !well_formed {
        Some(IdError::Characters)
    } else if id.len() > MAX_ID_CHARS {
        // Well formed means ASCII, so bytes are characters.
        Some(IdError::TooLong { len: id.len() })
    } else {
        None
    }
}

pub fn is_valid_id(id: &str) -> bool {
    id_error(id).is_none()
}

/// Why an edit refuses `id` as the id of a new `what` ("artifact", "role"): the characters,
/// or the length.
pub fn invalid_id_message(id: &str, what: &str) -> String {
    match id_error(id) {
        Some(IdError::TooLong { len }) => {
            let noun = if what == "artifact" { "id" } else { "name" };
            too_long_message(&format!("{what} {noun}"), id, len)
        }
        _ => format!(
            "`{id}` is not a valid {what} name: use letters, digits, `-`, `_` and `.`, starting with a letter or digit"
        ),
    }
}

/// "the artifact id `aaaa…` is 140 characters long; at most 100 are allowed": the id cut
/// short, since quoting all of it would bury the point. `what` is "artifact id", "role name"…
pub fn too_long_message(what: &str, id: &str, len: usize) -> String {
    let shown: String = id.chars().take(32).collect();
    format!("the {what} `{shown}…` is {len} characters long; at most {MAX_ID_CHARS} are allowed")
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain, no
/// spaces or angle brackets.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

/// The entries of a section that maps names to definitions (`roles:`, `kinds:`): each name
/// checked (plain text, a valid name, defined once) and returned with its position and value.
fn named_entries<'n>(
    cx: &mut Ctx,
    node: &'n Node,
    section: &str,
    noun: &str,
) -> Vec<(&'n str, Pos, &'n Node)> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(entries) = node.as_map() else {
        cx.error(
            node.span.start,
            format!(
                "`{section}` must be a mapping of {noun} names, found {}",
                node.describe()
            ),
        );
        return Vec::new();
    };
    let mut out: Vec<(&str, Pos, &Node)> = Vec::new();
    for e in entries {
        let Some(id) = e.key.as_scalar() else {
            cx.error(e.key.span.start, format!("{noun} names must be plain text"));
            continue;
        };
        let at = e.key.span.start;
        match id_error(id) {
            Some(IdError::Characters) => {
                cx.error(
                    at,
                    format!(
                        "`{id}` is not a valid {noun} name: use letters, digits, `-`, `_` and `.`"
                    ),
                );
                continue;
            }
            Some(IdError::TooLong { len }) => {
                cx.error(at, too_long_message(&format!("{noun} name"), id, len));
                continue;
            }
            None => {}
        }
        if let Some((_, first, _)) = out.iter().find(|(other, _, _)| *other == id) {
            cx.error(
                at,
                format!(
                    "{noun} `{id}` is defined twice (first at line {})",
                    first.line
                ),
            );
            continue;
        }
        out.push((id, at, &e.value));
    }
    out
}

fn decode_roles(cx: &mut Ctx, node: &Node) -> Vec<Role> {
    let mut roles: Vec<Role> = Vec::new();
    for (id, at, value) in named_entries(cx, node, "roles", "role") {
        let what = format!("role `{id}`");
        let mut role = Role {
            id: id.to_string(),
            title: None,
            people: Vec::new(),
            pos: at,
        };
        if !value.is_null()
            && let Some(fields) = cx.mapping(value, &what, ROLE_KEYS)
        {
            for (key, value, _) in fields {
                match key {
                    "title" => role.title = cx.text(value, "title"),
                    "description" => {
                        cx.text(value, "description");
                    }
                    "people" => {
                        for (person, pos) in cx.text_list(value, "people", "dana@acme.example") {
                            if !is_valid_email(&person) {
                                cx.error_help(
                                    pos,
                                    format!("`{person}` in {what} is not an e-mail address"),
                                    "people are named by their git e-mail address, as in `git config user.email`",
                                );
                            } else if role.people.iter().any(|p| p.eq_ignore_ascii_case(&person)) {
                                cx.error(pos, format!("`{person}` is listed twice in {what}"));
                            } else {
                                role.people.push(person);
                            }
                        }
                    }
                    _ => unreachable!("mapping() admits only known keys"),
                }
            }
        }
        roles.push(role);
    }
    roles
}

/// Checks a role reference, reporting an unknown one with the closest defined role.
fn check_role(cx: &mut Ctx, role: &str, at: Pos, field: &str, role_ids: &[&str]) -> bool {
    if role_ids.contains(&role) {
        return true;
    }
    let known = if role_ids.is_empty() {
        "no roles are defined yet: add them under `roles:`".to_string()
    } else {
        format!("defined roles: {}", role_ids.join(", "))
    };
    match suggest(role, role_ids.iter().copied()) {
        Some(s) => cx.error_help(
            at,
            format!("unknown role `{role}` in `{field}`, did you mean `{s}`?"),
            known,
        ),
        None => cx.error_help(at, format!("unknown role `{role}` in `{field}`"), known),
    }
    false
}

fn role_list(cx: &mut Ctx, node: &Node, field: &str, role_ids: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (role, at) in cx.text_list(node, field, "ai-eng") {
        if out.contains(&role) {
            cx.error(at, format!("role `{role}` is listed twice in `{field}`"));
        } else if check_role(cx, &role, at, field, role_ids) {
            out.push(role);
        }
    }
    out
}

fn decode_kinds(cx: &mut Ctx, node: &Node, role_ids: &[&str]) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = Vec::new();
    for (id, at, value) in named_entries(cx, node, "kinds", "kind") {
        let what = format!("kind `{id}`");
        let mut kind = Kind {
            id: id.to_string(),
            title: None,
            required_sections: Vec::new(),
            signoff: Vec::new(),
            max_age: None,
            review_every: None,
            verify_every: None,
            severity: BTreeMap::new(),
            pos: at,
        };
        if !value.is_null()
            && let Some(fields) = cx.mapping(value, &what, KIND_KEYS)
        {
            for (key, value, _) in fields {
                match key {
                    "title" => kind.title = cx.text(value, "title"),
                    "description" => {
                        cx.text(value, "description");
                    }
                    "required_sections" => {
                        kind.required_sections = cx
                            .text_list(
                                value,
                                "required_sections",
                                "\"Success metric\", \"Rollout plan\"",
                            )
                            .into_iter()
                            .map(|(s, _)| s)
                            .collect()
                    }
                    "signoff" => kind.signoff = role_list(cx, value, "signoff", role_ids),
                    "max_age" => kind.max_age = cx.duration(value, "max_age"),
                    "review_every" => kind.review_every = cx.duration(value, "review_every"),
                    "verify_every" => kind.verify_every = cx.duration(value, "verify_every"),
                    "severity" => {
                        kind.severity = cx.severities(value, &format!("the severity of {what}"))
                    }
                    _ => unreachable!("mapping() admits only known keys"),
                }
            }
        }
        kinds.push(kind);
    }
    kinds
}

/// Why a path written in the index cannot be used, if it cannot.
pub fn path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the path is empty: name a file or directory, such as `docs/prd.md`".into());
    }
    if path.starts_with('/') || path.starts_with('\\') || path.chars().nth(1) == Some(':') {
        return Some(format!(
            "`{path}` is absolute: paths are relative to the directory of handoff.yaml"
        ));
    }
    if path.contains('\\') {
        return Some(format!(
            "`{path}` contains `\\`: separate directories with `/`"
        ));
    }
    if path.chars().any(char::is_control) {
        return Some("the path contains control characters: remove them".into());
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if parts.contains(&"..") {
        return Some(format!(
            "`{path}` climbs out with `..`: paths must stay inside the handoff's directory"
        ));
    }
    if parts.iter().any(|p| p.eq_ignore_ascii_case(".git")) {
        return Some(format!(
            "`{path}` points into `.git`: artifacts live in the work tree"
        ));
    }
    None
}

/// Why a URL written in the index cannot be used, if it cannot: only http and https, with a
/// host, and nothing a terminal or a browser would read differently from what is shown.
pub fn url_problem(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Some(format!("`{url}` is not an http or https URL"));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "`{url}` contains a space or a control character: percent-encode it (a space is `%20`)"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Some(format!(
            "`{url}` has no host: write the whole address, such as `https://figma.example/file/flows`"
        ));
    }
    None
}

fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

fn decode_artifacts(
    cx: &mut Ctx,
    node: &Node,
    role_ids: &[&str],
    kind_ids: &[&str],
) -> Vec<Artifact> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(items) = node.as_seq() else {
        cx.error_help(
            node.span.start,
            format!("`artifacts` must be a list, found {}", node.describe()),
            "write each artifact as an item starting with `- id: ...`",
        );
        return Vec::new();
    };
    let mut artifacts: Vec<Artifact> = Vec::new();
    // Where each id was first defined: a linear search per artifact made 10,000 of them take
    // a third of a second.
    let mut first_of_id: HashMap<String, Pos> = HashMap::new();
    let mut seen_paths: HashMap<String, (String, Pos)> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        let fallback = format!("artifact #{}", n + 1);
        let id_node = item.get("id");
        let id = id_node.and_then(|v| v.as_scalar()).map(str::to_string);
        let what = match &id {
            Some(id) => format!("artifact `{id}`"),
            None => fallback,
        };
        let Some(fields) = cx.mapping(item, &what, ARTIFACT_KEYS) else {
            continue;
        };
        let errors_before = cx.errors.len();
        let mut field_pos = BTreeMap::new();
        let mut a = Artifact {
            id: String::new(),
            title: None,
            description: None,
            kind: None,
            target: Target::Path(String::new()),
            owner: None,
            reviewers: Vec::new(),
            consumers: Vec::new(),
            depends_on: Vec::new(),
            verify_every: None,
            pos: item.span.start,
            field_pos: BTreeMap::new(),
        };
        let mut path: Option<(String, Pos)> = None;
        let mut url: Option<(String, Pos)> = None;
        for (key, value, at) in fields {
            field_pos.insert(key.to_string(), value.span.start);
            match key {
                "id" => {
                    if let Some(id) = cx.text(value, "id") {
                        let problem = id_error(&id);
                        if problem == Some(IdError::Characters) {
                            cx.error(value.span.start, format!("`{id}` is not a valid artifact id: use letters, digits, `-`, `_` and `.`, starting with a letter or digit"));
                        } else if let Some(IdError::TooLong { len }) = problem {
                            cx.error(value.span.start, too_long_message("artifact id", &id, len));
                        } else if let Some(first) = first_of_id.get(&id) {
                            cx.error(
                                value.span.start,
                                format!(
                                    "duplicate artifact id `{id}` (first at line {})",
                                    first.line
                                ),
                            );
                        }
                        a.id = id;
                    }
                }
                "title" => a.title = cx.text(value, "title"),
                "description" => a.description = cx.text(value, "description"),
                "kind" => {
                    if let Some(kind) = cx.text(value, "kind") {
                        if kind_ids.contains(&kind.as_str()) {
                            a.kind = Some(kind);
                        } else {
                            let known = if kind_ids.is_empty() {
                                "no kinds are defined: add them under `kinds:`".to_string()
                            } else {
                                format!("defined kinds: {}", kind_ids.join(", "))
                            };
                            match suggest(&kind, kind_ids.iter().copied()) {
                                Some(s) => cx.error_help(
                                    value.span.start,
                                    format!("unknown kind `{kind}`, did you mean `{s}`?"),
                                    known,
                                ),
                                None => cx.error_help(
                                    value.span.start,
                                    format!("unknown kind `{kind}`"),
                                    known,
                                ),
                            }
                        }
                    }
                }
                "path" => path = cx.text(value, "path").map(|p| (p, value.span.start)),
                "url" => url = cx.text(value, "url").map(|u| (u, value.span.start)),
                "owner" => {
                    if value.as_seq().is_some() {
                        cx.error_help(
                            value.span.start,
                            format!("{what} has a list of owners: an artifact has exactly one owner role"),
                            "name one accountable role as `owner`, and the others as `reviewers`",
                        );
                    } else if let Some(owner) = cx.text(value, "owner")
                        && check_role(cx, &owner, value.span.start, "owner", role_ids)
                    {
                        a.owner = Some(owner);
                    }
                }
                "reviewers" => a.reviewers = role_list(cx, value, "reviewers", role_ids),
                "consumers" => a.consumers = role_list(cx, value, "consumers", role_ids),
                "depends_on" => {
                    for (dep, pos) in cx.text_list(value, "depends_on", "prd") {
                        if a.depends_on.contains(&dep) {
                            cx.error(pos, format!("`{dep}` is listed twice in `depends_on`"));
                        } else {
                            a.depends_on.push(dep);
                        }
                    }
                }
                "verify_every" => a.verify_every = cx.duration(value, "verify_every"),
                _ => unreachable!("mapping() admits only known keys {at:?}"),
            }
        }
        if id_node.is_none() {
            cx.error_help(
                item.span.start,
                format!("{what} has no `id`"),
                "give it a short unique name such as `id: prd`",
            );
        }
        a.target = match (path, url) {
            (Some(_), Some((_, at))) => {
                cx.error(at, format!("{what} has both `path` and `url`: give one"));
                continue;
            }
            (None, None) => {
                cx.error_help(
                    item.span.start,
                    format!("{what} has neither `path` nor `url`"),
                    "a file or directory in the repository takes `path:`, an external artifact `url: https://...`",
                );
                continue;
            }
            (Some((p, at)), None) => match path_problem(&p) {
                Some(problem) => {
                    cx.error(at, format!("{what}: {problem}"));
                    continue;
                }
                None => {
                    let p = p.trim_end_matches('/').trim_start_matches("./").to_string();
                    if let Some((other, _)) = seen_paths
                        .get(&p.to_lowercase())
                        .filter(|(_, _)| !is_glob(&p))
                    {
                        let other = other.clone();
                        cx.error(at, format!("{what}: path `{p}` is already the path of `{other}` (paths that differ only in case are the same on many file systems)"));
                    }
                    seen_paths.insert(p.to_lowercase(), (a.id.clone(), at));
                    if is_glob(&p) {
                        if let Err(e) = globset::Glob::new(&p) {
                            cx.error(
                                at,
                                format!("{what}: `{p}` is not a valid glob: {}", e.kind()),
                            );
                        }
                        Target::Glob(p)
                    } else {
                        Target::Path(p)
                    }
                }
            },
            (None, Some((u, at))) => {
                if let Some(problem) = url_problem(&u) {
                    cx.error(at, format!("{what}: {problem}"));
                    continue;
                }
                Target::Url(u)
            }
        };
        a.field_pos = field_pos;
        if cx.errors.len() == errors_before && !a.id.is_empty() {
            first_of_id.entry(a.id.clone()).or_insert(a.pos);
            artifacts.push(a);
        }
    }
    artifacts
}

/// Loads one ledger file. Records that cannot be trusted become problems, never errors: the
/// index still opens and the problems are reported as findings.
pub fn load_ledger_file(
    artifact: &str,
    file: &str,
    bytes: &[u8],
) -> (Vec<SignOff>, Vec<LedgerProblem>) {
    let problem = |pos: Pos, message: String| LedgerProblem {
        artifact: artifact.to_string(),
        file: file.to_string(),
        pos,
        message: format!("the ledger file cannot be read as sign-off records: {message}"),
    };
    let text = match decode_utf8(file, bytes) {
        Ok(t) => t,
        Err(e) => return (Vec::new(), vec![problem(e.pos, e.message)]),
    };
    let root = match parse_document(file, text) {
        Ok(Some(root)) => root,
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(e) => return (Vec::new(), vec![problem(e.pos, e.message)]),
    };
    let Some(items) = root.as_seq() else {
        return (
            Vec::new(),
            vec![problem(
                root.span.start,
                format!(
                    "a ledger file must be a list of sign-off records, found {}",
                    root.describe()
                ),
            )],
        );
    };
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        let mut cx = Ctx {
            file,
            errors: Vec::new(),
        };
        if let Some(record) = decode_signoff(&mut cx, item)
            && cx.errors.is_empty()
        {
            records.push(record);
        }
        problems.extend(cx.errors.into_iter().map(|e| LedgerProblem {
            artifact: artifact.to_string(),
            file: file.to_string(),
            pos: e.pos,
            message: format!("a sign-off record is malformed: {}", e.message),
        }));
    }
    (records, problems)
}

fn decode_signoff(cx: &mut Ctx, item: &Node) -> Option<SignOff> {
    let fields = cx.mapping(item, "a sign-off record", SIGNOFF_KEYS)?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _, _)| *key == k)
            .map(|(_, v, _)| *v)
    };
    let start = item.span.start;
    let required = |cx: &mut Ctx, k: &str| -> Option<String> {
        match get(k) {
            Some(v) => cx.text(v, k),
            None => {
                cx.error(start, format!("the sign-off record has no `{k}`"));
                None
            }
        }
    };
    let action = required(cx, "action");
    let by = required(cx, "by");
    let role = required(cx, "role");
    let at = required(cx, "at");
    let action = action.and_then(|a| match a.parse::<Action>() {
        Ok(a) => Some(a),
        Err(e) => {
            cx.error(get("action").map_or(start, |n| n.span.start), e);
            None
        }
    });
    let at = at.and_then(|t| match t.parse::<Timestamp>() {
        Ok(t) => Some(t),
        Err(_) => {
            cx.error(
                get("at").map_or(start, |n| n.span.start),
                format!("`{t}` is not an RFC 3339 time such as 2026-05-01T10:00:00Z"),
            );
            None
        }
    });
    if let Some(by) = &by
        && !is_valid_email(by)
    {
        cx.error(
            get("by").map_or(start, |n| n.span.start),
            format!("`{by}` is not an e-mail address"),
        );
    }
    let fingerprint = get("fingerprint").and_then(|n| cx.text(n, "fingerprint"));
    if let Some(fp) = &fingerprint
        && !is_object_id(fp)
    {
        cx.error(
            get("fingerprint").map_or(start, |n| n.span.start),
            format!("`{fp}` is not a fingerprint (a hex object id)"),
        );
    }
    let mut upstream = BTreeMap::new();
    if let Some(node) = get("upstream").filter(|n| !n.is_null()) {
        match node.as_map() {
            Some(entries) => {
                for e in entries {
                    let (Some(k), v) = (e.key.as_scalar(), &e.value) else {
                        cx.error(e.key.span.start, "upstream ids must be text");
                        continue;
                    };
                    let fp = cx.text(v, "upstream fingerprint");
                    if let Some(fp) = &fp
                        && !is_object_id(fp)
                    {
                        cx.error(
                            v.span.start,
                            format!("`{fp}` is not a fingerprint (a hex object id)"),
                        );
                    }
                    upstream.insert(k.to_string(), fp);
                }
            }
            None => cx.error(
                node.span.start,
                format!(
                    "`upstream` must map artifact ids to fingerprints, found {}",
                    node.describe()
                ),
            ),
        }
    }
    let note = get("note").and_then(|n| cx.text(n, "note"));
    Some(SignOff {
        action: action?,
        by: by?,
        role: role?,
        at: at?,
        fingerprint,
        upstream,
        note,
        pos: start,
    })
}

/// A SHA-1 or SHA-256 object id in lowercase hex.
pub fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64)
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
version: 1
name: Support reply drafting
roles:
  pm: { title: Product Manager, people: [dana@acme.example] }
  ai-eng: { title: AI Engineer, people: [lee@acme.example] }
  domain-expert: { people: [] }
kinds:
  prd:
    required_sections: [\"Success metric\", \"Failure cost\", \"Rollout plan\"]
    signoff: [domain-expert]
    max_age: 180d
    review_every: 90d
artifacts:
  - id: prd
    title: PRD
    kind: prd
    path: docs/prd.md          # or: url: https://...
    owner: pm
    reviewers: [ai-eng]
    consumers: [pm]
    depends_on: [framing]
  - id: flows
    url: https://figma.example/flows
    owner: pm
";

    fn errors(src: &str) -> Vec<String> {
        match load_index("handoff.yaml", src.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn loads_the_brief_example() {
        let index = load_index("handoff.yaml", GOOD.as_bytes()).unwrap();
        assert_eq!(index.roles.len(), 3);
        assert_eq!(index.kinds[0].max_age.as_ref().unwrap().days, 180);
        let prd = index.artifact("prd").unwrap();
        assert_eq!(prd.target, Target::Path("docs/prd.md".into()));
        assert_eq!(prd.depends_on, vec!["framing"]);
        assert_eq!(prd.pos.line, 14);
        assert_eq!(
            index.artifact("flows").unwrap().target,
            Target::Url("https://figma.example/flows".into())
        );
    }

    #[test]
    fn unknown_key_names_place_and_suggestion() {
        let src = GOOD.replace("    reviewers: [ai-eng]", "    reviewer: [ai-eng]");
        let errs = errors(&src);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].starts_with("handoff.yaml:19:5: error: unknown key `reviewer` in artifact `prd`, did you mean `reviewers`?"), "{}", errs[0]);
    }

    #[test]
    fn unknown_role_suggests_the_closest() {
        let errs = errors(&GOOD.replace("owner: pm\n    reviewers", "owner: pn\n    reviewers"));
        assert!(
            errs[0].contains("unknown role `pn` in `owner`, did you mean `pm`?"),
            "{errs:?}"
        );
        assert!(errs[0].contains("defined roles: pm, ai-eng, domain-expert"));
    }

    #[test]
    fn version_is_checked() {
        assert!(
            errors(&GOOD.replace("version: 1", "version: 2"))[0].contains("unsupported version 2")
        );
        assert!(errors(&GOOD.replace("version: 1\n", ""))[0].contains("no `version`"));
    }

    #[test]
    fn bad_duration_is_located() {
        let errs = errors(&GOOD.replace("max_age: 180d", "max_age: 6 months"));
        assert!(errs[0].starts_with("handoff.yaml:11:14:"), "{errs:?}");
    }

    #[test]
    fn dangling_dependencies_and_cycles_are_not_load_errors() {
        let src = GOOD.replace("depends_on: [framing]", "depends_on: [nowhere, prd]");
        assert!(load_index("handoff.yaml", src.as_bytes()).is_ok());
    }

    #[test]
    fn paths_that_leave_the_tree_are_refused() {
        for bad in ["../x.md", "/etc/passwd", ".git/config", "a/../../b"] {
            let errs = errors(&GOOD.replace("docs/prd.md", bad));
            assert!(
                errs.iter().any(|e| e.starts_with("handoff.yaml:17:11:")),
                "{bad}: {errs:?}"
            );
        }
    }

    #[test]
    fn duplicate_ids_and_keys() {
        let dup_id = GOOD.replace("id: flows", "id: prd");
        assert!(errors(&dup_id)[0].contains("duplicate artifact id `prd` (first at line 14)"));
        let dup_key = GOOD.replace("    title: PRD\n", "    title: PRD\n    title: Again\n");
        assert!(errors(&dup_key)[0].contains("duplicate key `title`"));
    }

    #[test]
    fn a_committee_of_owners_is_refused() {
        let errs = errors(&GOOD.replace(
            "owner: pm\n    reviewers",
            "owner: [pm, ai-eng]\n    reviewers",
        ));
        assert!(errs[0].contains("exactly one owner role"), "{errs:?}");
    }

    #[test]
    fn bom_keeps_positions() {
        let src = format!(
            "\u{feff}{}",
            GOOD.replace("    reviewers: [ai-eng]", "    reviewer: [ai-eng]")
        );
        assert!(errors(&src)[0].starts_with("handoff.yaml:19:5:"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let mut bytes = b"version: 1\nname: caf".to_vec();
        bytes.push(0xff);
        let err = load_index("handoff.yaml", &bytes).unwrap_err();
        assert_eq!(err.first().location(), "handoff.yaml:2:10");
    }

    #[test]
    fn ledger_problems_are_reported_not_fatal() {
        let src = "\
- action: approve
  by: lee@acme.example
  role: ai-eng
  at: 2026-05-01T10:00:00Z
  fingerprint: 3b18e512dba79e4c8300dd08aeb37f8e728b8dad
  upstream: { framing: 9f1c0e512dba79e4c8300dd08aeb37f8e728b8da }
- action: aprove
  by: lee@acme.example
  role: ai-eng
  at: yesterday
";
        let (records, problems) =
            load_ledger_file("prd", ".handoff/signoffs/prd.yaml", src.as_bytes());
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].upstream.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].pos.line, 7);
    }
}
