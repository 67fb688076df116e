//! What every decoder shares: the errors of one file, collected as values are decoded, and the
//! shapes values must have (mappings without unknown or duplicate keys, texts, lists,
//! durations, severities).

use std::collections::{BTreeMap, HashMap};

use super::keys::suggest;
use crate::core::model::{DriftThreshold, Duration, FindingCode, LoadError, Pos, Severity};
use crate::yaml::{self, Node};

/// Collects errors for one file while values are decoded.
pub(super) struct Ctx<'f> {
    pub(super) file: &'f str,
    pub(super) errors: Vec<LoadError>,
}

impl<'f> Ctx<'f> {
    pub(super) fn error(&mut self, at: Pos, message: impl Into<String>) {
        self.errors.push(LoadError::new(self.file, at, message));
    }

    pub(super) fn error_help(
        &mut self,
        at: Pos,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors
            .push(LoadError::new(self.file, at, message).with_help(help));
    }

    /// The entries of a mapping, refusing unknown and duplicate keys. `what` names the
    /// mapping in messages ("artifact `prd`").
    pub(super) fn mapping<'n>(
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
    pub(super) fn text(&mut self, node: &Node, what: &str) -> Option<String> {
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
    pub(super) fn text_list(
        &mut self,
        node: &Node,
        what: &str,
        example: &str,
    ) -> Vec<(String, Pos)> {
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

    /// A whole number of at least 1; null is none.
    pub(super) fn count(&mut self, node: &Node, what: &str) -> Option<u32> {
        let text = self.text(node, what)?;
        match text.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                self.error_help(
                    node.span.start,
                    format!("`{what}` must be a whole number of files, at least 1, found `{text}`"),
                    format!("write it as `{what}: 30`, or leave it out to count every commit"),
                );
                None
            }
        }
    }

    pub(super) fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.text(node, what)?;
        match text.parse::<Duration>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(node.span.start, format!("`{what}`: {e}"));
                None
            }
        }
    }

    pub(super) fn drift_threshold(&mut self, node: &Node, what: &str) -> Option<DriftThreshold> {
        let text = self.text(node, what)?;
        match text.parse::<DriftThreshold>() {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(node.span.start, format!("`{what}`: {e}"));
                None
            }
        }
    }

    pub(super) fn severities(
        &mut self,
        node: &Node,
        what: &str,
    ) -> BTreeMap<FindingCode, Severity> {
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
                    Err(e) => self.error(value.span.start, e.to_string()),
                }
            }
        }
        out
    }
}
