//! The `scorecard:` section of the index: each item decoded to a [`ScorecardRule`], its rule
//! type's parameters checked (and no other), its references to roles and kinds checked.

use std::collections::HashMap;

use super::decode::Ctx;
use super::index::check_role;
use super::keys::{SCORECARD_KEYS, suggest};
use super::rules::{id_error, path_problem};
use crate::core::model::scorecard::RULE_TYPES;
use crate::core::model::{Allocation, GovernsCondition, Pos, RuleCheck, ScorecardRule, Severity};
use crate::yaml::Node;

/// The parameters each rule type takes, besides `name`, `description`, `severity`, `rule`.
fn parameters(rule: &str) -> &'static [&'static str] {
    match rule {
        "at-least" => &["count", "kind", "governs", "depends_on"],
        "sections-present" => &["kind"],
        "role-staffed" => &["role", "allocation"],
        "in-ci" => &["path"],
        _ => &[],
    }
}

const COMMON_KEYS: &[&str] = &["name", "description", "severity", "rule"];

pub(super) fn decode_scorecard(
    cx: &mut Ctx,
    node: &Node,
    role_ids: &[&str],
    kind_ids: &[&str],
) -> Vec<ScorecardRule> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(items) = node.as_seq() else {
        cx.error_help(
            node.span.start,
            format!("`scorecard` must be a list, found {}", node.describe()),
            "write each rule as an item starting with `- name: ...`",
        );
        return Vec::new();
    };
    let mut names: HashMap<String, Pos> = HashMap::new();
    let mut rules = Vec::new();
    for (n, item) in items.iter().enumerate() {
        if let Some(rule) = decode_rule(cx, n, item, role_ids, kind_ids) {
            if let Some(first) = names.get(&rule.name) {
                cx.error(
                    rule.pos,
                    format!(
                        "scorecard rule `{}` is defined twice (first at line {})",
                        rule.name, first.line
                    ),
                );
                continue;
            }
            names.insert(rule.name.clone(), rule.pos);
            rules.push(rule);
        }
    }
    rules
}

/// The rule of item `n`, or `None` when it has errors (they are in `cx`).
fn decode_rule(
    cx: &mut Ctx,
    n: usize,
    item: &Node,
    role_ids: &[&str],
    kind_ids: &[&str],
) -> Option<ScorecardRule> {
    let what = match item.get("name").and_then(|v| v.as_scalar()) {
        Some(name) => format!("scorecard rule `{name}`"),
        None => format!("scorecard rule #{}", n + 1),
    };
    let fields = cx.mapping(item, &what, SCORECARD_KEYS)?;
    let errors_before = cx.errors.len();
    let get = |k: &str| fields.iter().find(|(key, _, _)| *key == k).map(|f| f.1);
    let at = item.span.start;

    let name = match get("name").and_then(|n| cx.text(n, "name")) {
        Some(name) if id_error(&name).is_none() => Some(name),
        Some(name) => {
            cx.error(
                get("name").map_or(at, |n| n.span.start),
                format!("`{name}` is not a valid rule name: use letters, digits, `-`, `_` and `.`"),
            );
            None
        }
        None => {
            cx.error_help(
                at,
                format!("{what} has no `name`"),
                "name it, as in `- name: evals-in-ci`: `scorecard-unmet` findings say it",
            );
            None
        }
    };
    let description = get("description").and_then(|n| cx.text(n, "description"));
    let severity = match get("severity").and_then(|n| cx.text(n, "severity").map(|t| (n, t))) {
        None => Severity::Warning,
        Some((node, text)) => match text.parse::<Severity>() {
            Ok(s) => s,
            Err(e) => {
                cx.error(node.span.start, e.to_string());
                Severity::Warning
            }
        },
    };
    let rule_type = match get("rule") {
        None => {
            cx.error_help(
                at,
                format!("{what} has no `rule`"),
                format!("rule types: {}", RULE_TYPES.join(", ")),
            );
            None
        }
        Some(node) => rule_type(cx, node, &what),
    };
    // Parameters the rule type does not take: a typo or a misplaced key would be ignored.
    if let Some(rule) = rule_type {
        let takes = parameters(rule);
        for (key, _, key_at) in &fields {
            if !COMMON_KEYS.contains(key) && !takes.contains(key) {
                let takes_text = if takes.is_empty() {
                    "it takes no parameters".to_string()
                } else {
                    format!("it takes: {}", takes.join(", "))
                };
                cx.error_help(
                    *key_at,
                    format!("`{key}` does not apply to rule type `{rule}` in {what}"),
                    takes_text,
                );
            }
        }
    }
    let params = Params {
        get: &get,
        at,
        what: &what,
        role_ids,
        kind_ids,
    };
    let check = rule_type.and_then(|rule| params.check(cx, rule));
    if cx.errors.len() > errors_before {
        return None;
    }
    Some(ScorecardRule {
        name: name?,
        description,
        severity,
        check: check?,
        pos: at,
    })
}

fn rule_type(cx: &mut Ctx, node: &Node, what: &str) -> Option<&'static str> {
    let text = cx.text(node, "rule")?;
    if let Some(known) = RULE_TYPES.iter().find(|t| **t == text) {
        return Some(known);
    }
    let help = format!("rule types: {}", RULE_TYPES.join(", "));
    match suggest(&text, RULE_TYPES.iter().copied()) {
        Some(s) => cx.error_help(
            node.span.start,
            format!("unknown rule type `{text}` in {what}, did you mean `{s}`?"),
            help,
        ),
        None => cx.error_help(
            node.span.start,
            format!("unknown rule type `{text}` in {what}"),
            help,
        ),
    }
    None
}

/// The parameters of one rule, read for its type.
struct Params<'p, 'n> {
    get: &'p dyn Fn(&str) -> Option<&'n Node>,
    at: Pos,
    what: &'p str,
    role_ids: &'p [&'p str],
    kind_ids: &'p [&'p str],
}

impl Params<'_, '_> {
    fn check(&self, cx: &mut Ctx, rule: &str) -> Option<RuleCheck> {
        Some(match rule {
            "owned-and-accepted" => RuleCheck::OwnedAndAccepted,
            "at-least" => RuleCheck::AtLeast {
                count: match (self.get)("count") {
                    None => 1,
                    Some(node) => self.count(cx, node)?,
                },
                kind: self.kind(cx, "kind")?,
                governs: match (self.get)("governs") {
                    None => None,
                    Some(node) => Some(self.governs(cx, node)?),
                },
                depends_on: match (self.get)("depends_on") {
                    None => None,
                    Some(_) => Some(self.kind(cx, "depends_on")?),
                },
            },
            "sections-present" => RuleCheck::SectionsPresent {
                kind: self.kind(cx, "kind")?,
            },
            "role-staffed" => RuleCheck::RoleStaffed {
                role: self.role(cx)?,
                minimum: match (self.get)("allocation") {
                    None => None,
                    Some(node) => Some(allocation(cx, node)?),
                },
            },
            "in-ci" => RuleCheck::InCi {
                path: self.path(cx)?,
            },
            _ => unreachable!("rule_type() admits only known rule types"),
        })
    }

    /// A required text parameter.
    fn required(&self, cx: &mut Ctx, key: &str, example: &str) -> Option<(String, Pos)> {
        let Some(node) = (self.get)(key) else {
            cx.error_help(
                self.at,
                format!("{} needs `{key}`", self.what),
                format!("write it as `{key}: {example}`"),
            );
            return None;
        };
        cx.text(node, key).map(|t| (t, node.span.start))
    }

    fn kind(&self, cx: &mut Ctx, key: &str) -> Option<String> {
        let (kind, at) = self.required(cx, key, "prd")?;
        if self.kind_ids.contains(&kind.as_str()) {
            return Some(kind);
        }
        let known = format!("defined kinds: {}", self.kind_ids.join(", "));
        match suggest(&kind, self.kind_ids.iter().copied()) {
            Some(s) => cx.error_help(
                at,
                format!(
                    "unknown kind `{kind}` in `{key}` of {}, did you mean `{s}`?",
                    self.what
                ),
                known,
            ),
            None => cx.error_help(
                at,
                format!("unknown kind `{kind}` in `{key}` of {}", self.what),
                known,
            ),
        }
        None
    }

    fn role(&self, cx: &mut Ctx) -> Option<String> {
        let (role, at) = self.required(cx, "role", "domain-expert")?;
        check_role(cx, &role, at, "role", self.role_ids).then_some(role)
    }

    fn path(&self, cx: &mut Ctx) -> Option<String> {
        let (path, at) = self.required(cx, "path", "evals/")?;
        if let Some(problem) = path_problem(&path) {
            cx.error(at, format!("`path` of {}: {problem}", self.what));
            return None;
        }
        Some(
            path.trim_start_matches("./")
                .trim_end_matches('/')
                .to_string(),
        )
    }

    fn count(&self, cx: &mut Ctx, node: &Node) -> Option<u32> {
        let text = cx.text(node, "count")?;
        match text.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                cx.error_help(
                    node.span.start,
                    format!("`count` must be a whole number of at least 1, found `{text}`"),
                    "write it as `count: 1`",
                );
                None
            }
        }
    }

    fn governs(&self, cx: &mut Ctx, node: &Node) -> Option<GovernsCondition> {
        let text = cx.text(node, "governs")?;
        if text == "true" {
            return Some(GovernsCondition::Anything);
        }
        if let Some(problem) = path_problem(&text).filter(|_| text != "false") {
            cx.error(
                node.span.start,
                format!("`governs` of {}: {problem}", self.what),
            );
            return None;
        }
        if text == "false" {
            cx.error_help(
                node.span.start,
                format!("`governs: false` in {} asks nothing", self.what),
                "write `governs: true` (governs something) or the path it must govern, or leave it out",
            );
            return None;
        }
        Some(GovernsCondition::Path(
            text.trim_start_matches("./")
                .trim_end_matches('/')
                .to_string(),
        ))
    }
}

/// A role's `allocation` or a rule's minimum one.
pub(super) fn allocation(cx: &mut Ctx, node: &Node) -> Option<Allocation> {
    let text = cx.text(node, "allocation")?;
    match text.parse::<Allocation>() {
        Ok(a) => Some(a),
        Err(e) => {
            cx.error(node.span.start, format!("`allocation`: {e}"));
            None
        }
    }
}
