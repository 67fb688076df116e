//! What every rule decides with: the index, its artifacts and kinds found in constant time,
//! `now`, and the findings so far.

use std::collections::HashMap;

use jiff::Timestamp;

use super::{Finding, FindingAction, sections};
use crate::core::model::{Artifact, FindingCode, INDEX_FILE, Index, Kind, Pos, Severity};

/// "dana@acme.example, sam@acme.example" or "nobody".
pub(super) fn people_of(index: &Index, role: &str) -> String {
    match index.role(role) {
        Some(r) if !r.people.is_empty() => r.people.join(", "),
        _ => "nobody".to_string(),
    }
}

/// Kinds by id, with their required sections normalized once per analysis rather than once
/// per document.
pub(super) type KindTable<'a> = HashMap<&'a str, (&'a Kind, sections::Requirements)>;

pub(super) fn kind_table(index: &Index) -> KindTable<'_> {
    let mut kinds = KindTable::new();
    for kind in &index.kinds {
        // The first of a repeated id wins, as in `Index::kind`.
        kinds
            .entry(kind.id.as_str())
            .or_insert_with(|| (kind, sections::Requirements::new(&kind.required_sections)));
    }
    kinds
}

pub(super) struct Ctx<'a> {
    pub(super) index: &'a Index,
    /// Artifacts by id: lookups stay constant-time at thousands of artifacts.
    pub(super) by_id: HashMap<&'a str, &'a Artifact>,
    kinds: &'a KindTable<'a>,
    pub(super) now: Timestamp,
    pub(super) out: Vec<Finding>,
    /// Whether the last `push` kept its finding (an artifact's status may drop it), so that
    /// what follows a push never amends the finding before it.
    pushed: bool,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(index: &'a Index, kinds: &'a KindTable<'a>, now: Timestamp) -> Ctx<'a> {
        Ctx {
            index,
            by_id: index.artifacts.iter().map(|a| (a.id.as_str(), a)).collect(),
            kinds,
            now,
            out: Vec::new(),
            pushed: false,
        }
    }

    /// `Index::kind_of`, without a linear search.
    pub(super) fn kind_of(&self, artifact: &Artifact) -> Option<&'a Kind> {
        self.kind_entry(artifact).map(|(kind, _)| *kind)
    }

    pub(super) fn kind_entry(
        &self,
        artifact: &Artifact,
    ) -> Option<&'a (&'a Kind, sections::Requirements)> {
        artifact.kind.as_deref().and_then(|id| self.kinds.get(id))
    }

    /// The severity of `code` for an artifact: its kind's override, the index's, or the default.
    pub(super) fn severity_for(&self, code: FindingCode, artifact: &Artifact) -> Severity {
        self.kind_of(artifact)
            .and_then(|k| k.severity.get(&code))
            .or_else(|| self.index.severity.get(&code))
            .copied()
            .unwrap_or_else(|| code.default_severity())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push(
        &mut self,
        artifact: &Artifact,
        code: FindingCode,
        role: Option<&str>,
        related: Option<&str>,
        message: String,
        fix: String,
        since: Option<Timestamp>,
        at: (String, Pos),
    ) {
        // The artifact's status turns whole families of rules off (draft, frozen, superseded).
        self.pushed = artifact.status.applies(code);
        if !self.pushed {
            return;
        }
        self.out.push(Finding {
            code,
            severity: self.severity_for(code, artifact),
            artifact: artifact.id.clone(),
            rule: None,
            role: role.map(str::to_string),
            roles: role.map(str::to_string).into_iter().collect(),
            related: related.map(str::to_string),
            message,
            fix,
            action: None,
            since,
            file: at.0,
            pos: at.1,
        });
    }
}

impl Ctx<'_> {
    /// The finding the last `push` added, if it added one.
    pub(super) fn last_pushed(&mut self) -> Option<&mut Finding> {
        if self.pushed {
            self.out.last_mut()
        } else {
            None
        }
    }

    /// Gives the finding just pushed the command that fixes it, run by a member of `role`;
    /// none when nobody is in the role.
    pub(super) fn act(&mut self, role: &str, argv: &[&str]) {
        let who = self
            .index
            .role(role)
            .map(|r| r.members())
            .unwrap_or_default();
        if who.is_empty() {
            return;
        }
        if let Some(last) = self.last_pushed() {
            last.action = Some(FindingAction {
                argv: std::iter::once("handoff")
                    .chain(argv.iter().copied())
                    .map(str::to_string)
                    .collect(),
                who,
            });
        }
    }

    /// [`Ctx::act`] for `handoff sign ARTIFACT --action ACTION --role ROLE [extra…]`.
    pub(super) fn act_sign(&mut self, artifact: &str, action: &str, role: &str, extra: &[&str]) {
        let mut argv = vec!["sign", artifact, "--action", action, "--role", role];
        argv.extend_from_slice(extra);
        self.act(role, &argv);
    }
}

pub(super) fn in_index(artifact: &Artifact, field: &str) -> (String, Pos) {
    (INDEX_FILE.to_string(), artifact.pos_of(field))
}
