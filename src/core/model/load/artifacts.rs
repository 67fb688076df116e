//! The `artifacts:` section of the index: each item decoded to an [`Artifact`], its references
//! to roles and kinds checked, its id and path claimed once.

use std::collections::{BTreeMap, HashMap};

use super::decode::Ctx;
use super::index::{check_role, role_list};
use super::keys::{ARTIFACT_KEYS, suggest};
use super::rules::{
    IdError, glob_problem, id_error, path_problem, path_target, too_long_message, url_problem,
};
use crate::core::model::{Artifact, Pos, Status, Target};
use crate::yaml::Node;

pub(super) fn decode_artifacts(
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
    let mut decoder = Decoder {
        role_ids,
        kind_ids,
        first_of_id: HashMap::new(),
        seen_paths: HashMap::new(),
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(n, item)| decoder.artifact(cx, n, item))
        .collect()
}

/// What the artifacts are decoded against: the roles and kinds defined, and the ids and paths
/// the artifacts before claimed.
struct Decoder<'k> {
    role_ids: &'k [&'k str],
    kind_ids: &'k [&'k str],
    /// Where each id was first defined: a linear search per artifact made 10,000 of them take
    /// a third of a second.
    first_of_id: HashMap<String, Pos>,
    /// Paths by their lowercase form, with the artifact that has it.
    seen_paths: HashMap<String, (String, Pos)>,
}

impl Decoder<'_> {
    /// The artifact of item `n`, or `None` when it has errors (they are in `cx`).
    fn artifact(&mut self, cx: &mut Ctx, n: usize, item: &Node) -> Option<Artifact> {
        let id_node = item.get("id");
        let what = match id_node.and_then(|v| v.as_scalar()) {
            Some(id) => format!("artifact `{id}`"),
            None => format!("artifact #{}", n + 1),
        };
        let fields = cx.mapping(item, &what, ARTIFACT_KEYS)?;
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
            status: Default::default(),
            superseded_by: None,
            required_sections: None,
            governs: Vec::new(),
            pos: item.span.start,
            field_pos: BTreeMap::new(),
        };
        let mut path: Option<(String, Pos)> = None;
        let mut url: Option<(String, Pos)> = None;
        for (key, value, _) in fields {
            field_pos.insert(key.to_string(), value.span.start);
            if key == "reviewers" {
                super::record_role_items(&mut field_pos, key, value);
            }
            match key {
                "path" => path = cx.text(value, "path").map(|p| (p, value.span.start)),
                "url" => url = cx.text(value, "url").map(|u| (u, value.span.start)),
                _ => self.field(cx, &mut a, key, value, &what),
            }
        }
        if id_node.is_none() {
            cx.error_help(
                item.span.start,
                format!("{what} has no `id`"),
                "give it a short unique name such as `id: prd`",
            );
        }
        check_superseded(cx, &a, &field_pos, &what);
        a.target = self.target(cx, item, &what, &a.id, path, url)?;
        a.field_pos = field_pos;
        if cx.errors.len() == errors_before && !a.id.is_empty() {
            self.first_of_id.entry(a.id.clone()).or_insert(a.pos);
            Some(a)
        } else {
            None
        }
    }

    /// Decodes one field other than `path` and `url` into `a`.
    fn field(&self, cx: &mut Ctx, a: &mut Artifact, key: &str, value: &Node, what: &str) {
        match key {
            "id" => {
                if let Some(id) = cx.text(value, "id") {
                    self.check_id(cx, &id, value.span.start);
                    a.id = id;
                }
            }
            "title" => a.title = cx.text(value, "title"),
            "description" => a.description = cx.text(value, "description"),
            "kind" => {
                if let Some(kind) = cx.text(value, "kind")
                    && self.check_kind(cx, &kind, value.span.start)
                {
                    a.kind = Some(kind);
                }
            }
            "owner" => {
                if value.as_seq().is_some() {
                    cx.error_help(
                        value.span.start,
                        format!(
                            "{what} has a list of owners: an artifact has exactly one owner role"
                        ),
                        "name one accountable role as `owner`, and the others as `reviewers`",
                    );
                } else if let Some(owner) = cx.text(value, "owner")
                    && check_role(cx, &owner, value.span.start, "owner", self.role_ids)
                {
                    a.owner = Some(owner);
                }
            }
            "reviewers" => a.reviewers = role_list(cx, value, "reviewers", self.role_ids),
            "consumers" => a.consumers = role_list(cx, value, "consumers", self.role_ids),
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
            "status" => {
                if let Some(text) = cx.text(value, "status") {
                    match text.parse() {
                        Ok(status) => a.status = status,
                        Err(_) => cx.error_help(
                            value.span.start,
                            format!("`status` `{text}` is not a status"),
                            "use active, draft, frozen or superseded",
                        ),
                    }
                }
            }
            "superseded_by" => a.superseded_by = cx.text(value, "superseded_by"),
            "required_sections" => {
                a.required_sections = Some(
                    cx.text_list(value, "required_sections", "\"Summary\"")
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect(),
                );
            }
            "governs" => a.governs = governs_list(cx, value, what),
            _ => unreachable!("mapping() admits only known keys"),
        }
    }

    fn check_id(&self, cx: &mut Ctx, id: &str, at: Pos) {
        let problem = id_error(id);
        if problem == Some(IdError::Characters) {
            cx.error(at, format!("`{id}` is not a valid artifact id: use letters, digits, `-`, `_` and `.`, starting with a letter or digit"));
        } else if let Some(IdError::TooLong { len }) = problem {
            cx.error(at, too_long_message("artifact id", id, len));
        } else if let Some(first) = self.first_of_id.get(id) {
            cx.error(
                at,
                format!(
                    "duplicate artifact id `{id}` (first at line {})",
                    first.line
                ),
            );
        }
    }

    /// Whether `kind` is defined, reporting it with the closest defined kind when it is not.
    fn check_kind(&self, cx: &mut Ctx, kind: &str, at: Pos) -> bool {
        let kind_ids = self.kind_ids;
        if kind_ids.contains(&kind) {
            return true;
        }
        let known = if kind_ids.is_empty() {
            "no kinds are defined: add them under `kinds:`".to_string()
        } else {
            format!("defined kinds: {}", kind_ids.join(", "))
        };
        match suggest(kind, kind_ids.iter().copied()) {
            Some(s) => cx.error_help(
                at,
                format!("unknown kind `{kind}`, did you mean `{s}`?"),
                known,
            ),
            None => cx.error_help(at, format!("unknown kind `{kind}`"), known),
        }
        false
    }

    /// Where the artifact lives: exactly one of `path` and `url`, usable, and a path no other
    /// artifact has. `None` leaves the artifact out.
    fn target(
        &mut self,
        cx: &mut Ctx,
        item: &Node,
        what: &str,
        id: &str,
        path: Option<(String, Pos)>,
        url: Option<(String, Pos)>,
    ) -> Option<Target> {
        match (path, url) {
            (Some(_), Some((_, at))) => {
                cx.error(at, format!("{what} has both `path` and `url`: give one"));
                None
            }
            (None, None) => {
                cx.error_help(
                    item.span.start,
                    format!("{what} has neither `path` nor `url`"),
                    "a file or directory in the repository takes `path:`, an external artifact `url: https://...`",
                );
                None
            }
            (Some((p, at)), None) => {
                if let Some(problem) = path_problem(&p) {
                    cx.error(at, format!("{what}: {problem}"));
                    return None;
                }
                let target = path_target(&p);
                let p = target.as_str();
                if let Some((other, _)) = self
                    .seen_paths
                    .get(&p.to_lowercase())
                    .filter(|_| !matches!(target, Target::Glob(_)))
                {
                    let other = other.clone();
                    cx.error(at, format!("{what}: path `{p}` is already the path of `{other}` (paths that differ only in case are the same on many file systems)"));
                }
                self.seen_paths
                    .insert(p.to_lowercase(), (id.to_string(), at));
                if let Target::Glob(glob) = &target
                    && let Some(problem) = glob_problem(glob)
                {
                    cx.error(at, format!("{what}: {problem}"));
                }
                Some(target)
            }
            (None, Some((u, at))) => {
                if let Some(problem) = url_problem(&u) {
                    cx.error(at, format!("{what}: {problem}"));
                    return None;
                }
                Some(Target::Url(u))
            }
        }
    }
}

/// The globs of a `governs` list, each judged as a `path` is (relative, inside the
/// repository, a valid glob) and written once, normalized as targets are.
pub(super) fn governs_list(cx: &mut Ctx, node: &Node, what: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (written, at) in cx.text_list(node, "governs", "src/reply/**") {
        if let Some(problem) = path_problem(&written) {
            cx.error(at, format!("{what}: `governs`: {problem}"));
            continue;
        }
        let target = path_target(&written);
        if let Target::Glob(glob) = &target
            && let Some(problem) = glob_problem(glob)
        {
            cx.error(at, format!("{what}: `governs`: {problem}"));
            continue;
        }
        let normalized = target.as_str().to_string();
        if out.contains(&normalized) {
            cx.error(at, format!("`{normalized}` is listed twice in `governs`"));
        } else {
            out.push(normalized);
        }
    }
    out
}

/// `superseded_by` goes with `status: superseded`, and names another artifact (whether it is
/// defined is a finding, like a dangling `depends_on`).
fn check_superseded(cx: &mut Ctx, a: &Artifact, field_pos: &BTreeMap<String, Pos>, what: &str) {
    let at = |key: &str| field_pos.get(key).copied().unwrap_or(a.pos);
    match (a.status, &a.superseded_by) {
        (Status::Superseded, None) => cx.error_help(
            at("status"),
            format!("{what} is superseded but names no successor"),
            "add `superseded_by: <id>` naming the artifact that replaces it",
        ),
        (Status::Superseded, Some(by)) if *by == a.id => cx.error(
            at("superseded_by"),
            format!("{what} cannot supersede itself"),
        ),
        (status, Some(_)) if status != Status::Superseded => cx.error_help(
            at("superseded_by"),
            format!(
                "{what} has `superseded_by` but its status is {}",
                status.as_str()
            ),
            "add `status: superseded`, or remove `superseded_by`",
        ),
        _ => {}
    }
}
