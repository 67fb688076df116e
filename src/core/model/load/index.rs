//! The index: `handoff.yaml` as text to an [`Index`], its roles and kinds decoded here, its
//! artifacts in `artifacts`.

use std::collections::BTreeMap;

use super::artifacts::{decode_artifacts, governs_list};
use super::decode::Ctx;
use super::keys::{KIND_KEYS, ROLE_KEYS, SUPPORTED_VERSION, TOP_KEYS, suggest};
use super::rules::{IdError, id_error, is_valid_email, too_long_message};
use super::scorecard::{allocation, decode_scorecard};
use super::{decode_utf8, parse_document};
use std::sync::Arc;

use crate::core::model::{
    Directory, Handle, Index, Kind, LoadError, LoadErrors, Pos, Role, is_handle,
};
use crate::yaml::Node;

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
    let mechanical_commit_files =
        get("mechanical_commit_files").and_then(|(n, _)| cx.count(n, "mechanical_commit_files"));

    let handles = get("handles")
        .map(|(n, _)| decode_handles(cx, n))
        .unwrap_or_default();

    // When a whole section is malformed, references to it are not checked: one error says
    // more than a cascade of "unknown role" ones.
    let errors = cx.errors.len();
    let mut roles = get("roles")
        .map(|(n, _)| decode_roles(cx, n))
        .unwrap_or_default();
    let directory = Arc::new(Directory::new(Default::default(), &handles));
    for role in &mut roles {
        role.directory = Arc::clone(&directory);
    }
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
    let scorecard = get("scorecard")
        .map(|(n, _)| decode_scorecard(cx, n, &role_ids, &kind_ids))
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
        mechanical_commit_files,
        scorecard,
        handles,
        field_pos: entries
            .iter()
            .map(|(key, value, _)| (key.to_string(), value.span.start))
            .collect(),
    })
}

/// `handles:`: each `@handle` or `@org/team` with the e-mail addresses behind it.
fn decode_handles(cx: &mut Ctx, node: &Node) -> Vec<Handle> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(entries) = node.as_map() else {
        cx.error_help(
            node.span.start,
            format!(
                "`handles` must be a mapping of handles to e-mail addresses, found {}",
                node.describe()
            ),
            "write it as `handles: { \"@dana\": [dana@acme.example] }`",
        );
        return Vec::new();
    };
    let mut out: Vec<Handle> = Vec::new();
    for e in entries {
        let at = e.key.span.start;
        let Some(handle) = e.key.as_scalar().filter(|h| is_handle(h)) else {
            let written = e.key.as_scalar().unwrap_or_default();
            cx.error_help(
                at,
                format!("`{written}` in `handles` is not a handle"),
                "write a handle as CODEOWNERS does, quoted: `\"@dana\"` or `\"@acme/sre\"`",
            );
            continue;
        };
        if let Some(first) = out.iter().find(|h| h.handle.eq_ignore_ascii_case(handle)) {
            cx.error(
                at,
                format!(
                    "handle `{handle}` is mapped twice (first at line {})",
                    first.pos.line
                ),
            );
            continue;
        }
        let what = format!("handle `{handle}`");
        let mut people: Vec<String> = Vec::new();
        for (person, pos) in cx.text_list(&e.value, &what, "dana@acme.example") {
            if !is_valid_email(&person) {
                cx.error_help(
                    pos,
                    format!("`{person}` for {what} is not an e-mail address"),
                    "a handle maps to git e-mail addresses, as in `git config user.email`",
                );
            } else if people.iter().any(|p| p.eq_ignore_ascii_case(&person)) {
                cx.error(pos, format!("`{person}` is listed twice for {what}"));
            } else {
                people.push(person);
            }
        }
        out.push(Handle {
            handle: handle.to_string(),
            people,
            pos: at,
        });
    }
    out
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
            allocation: None,
            pos: at,
            directory: Default::default(),
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
                            if !is_valid_email(&person) && !is_handle(&person) {
                                cx.error_help(
                                    pos,
                                    format!("`{person}` in {what} is not an e-mail address or a handle"),
                                    "people are named by their git e-mail address, as in `git config user.email`, or by a quoted `\"@handle\"` or `\"@org/team\"` mapped under `handles:`",
                                );
                            } else if role.people.iter().any(|p| p.eq_ignore_ascii_case(&person)) {
                                cx.error(pos, format!("`{person}` is listed twice in {what}"));
                            } else {
                                role.people.push(person);
                            }
                        }
                    }
                    "allocation" => role.allocation = allocation(cx, value),
                    _ => unreachable!("mapping() admits only known keys"),
                }
            }
        }
        roles.push(role);
    }
    roles
}

/// Checks a role reference, reporting an unknown one with the closest defined role.
pub(super) fn check_role(
    cx: &mut Ctx,
    role: &str,
    at: Pos,
    field: &str,
    role_ids: &[&str],
) -> bool {
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

pub(super) fn role_list(cx: &mut Ctx, node: &Node, field: &str, role_ids: &[&str]) -> Vec<String> {
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

/// A kind's `schema:`, refused when it could not name a file of the repository.
fn schema_path(cx: &mut Ctx, node: &Node, what: &str) -> Option<String> {
    let path = cx.text(node, "schema")?;
    if let Some(problem) = super::rules::path_problem(&path) {
        cx.error(node.span.start, format!("the schema of {what}: {problem}"));
        return None;
    }
    Some(path)
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
            signoff_within: None,
            severity: BTreeMap::new(),
            governs: Vec::new(),
            drift_after: None,
            schema: None,
            version_field: None,
            changelog_field: None,
            pos: at,
            field_pos: BTreeMap::new(),
        };
        if !value.is_null()
            && let Some(fields) = cx.mapping(value, &what, KIND_KEYS)
        {
            for (key, value, _) in fields {
                kind.field_pos.insert(key.to_string(), value.span.start);
                if key == "signoff" {
                    super::record_role_items(&mut kind.field_pos, key, value);
                }
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
                    "signoff_within" => kind.signoff_within = cx.duration(value, "signoff_within"),
                    "severity" => {
                        kind.severity = cx.severities(value, &format!("the severity of {what}"))
                    }
                    "governs" => kind.governs = governs_list(cx, value, &what),
                    "drift_after" => kind.drift_after = cx.drift_threshold(value, "drift_after"),
                    "schema" => kind.schema = schema_path(cx, value, &what),
                    "version_field" => kind.version_field = cx.text(value, "version_field"),
                    "changelog_field" => kind.changelog_field = cx.text(value, "changelog_field"),
                    _ => unreachable!("mapping() admits only known keys"),
                }
            }
        }
        kinds.push(kind);
    }
    kinds
}
