//! The artifact index, `handoff.yaml`, as loaded. Order is kept as written: the matrix shows
//! roles and artifacts in the order their authors chose.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{
    Allocation, Directory, DriftThreshold, Duration, FindingCode, Handle, Mailmap, Pos,
    ScorecardRule, Severity,
};
use crate::core::glob::GovernedPath;

/// The index's file name, in the directory it describes.
pub(crate) const INDEX_FILE: &str = "handoff.yaml";

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Index {
    pub version: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub roles: Vec<Role>,
    pub kinds: Vec<Kind>,
    pub artifacts: Vec<Artifact>,
    /// Index-wide severity overrides; a kind's own overrides win over these.
    pub severity: BTreeMap<FindingCode, Severity>,
    /// A commit touching more than this many files is mechanical: it does not count as a
    /// change of content for the age rules. Off when `None`.
    pub mechanical_commit_files: Option<u32>,
    /// Rules about the handoff as a whole (`scorecard:`), in the order written.
    pub scorecard: Vec<ScorecardRule>,
    /// `handles:`: the addresses behind the `@handle`s and `@org/team`s roles name.
    pub handles: Vec<Handle>,
    /// Where each top-level key's value is written.
    pub field_pos: BTreeMap<String, Pos>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Role {
    pub id: String,
    pub title: Option<String>,
    /// The people who staff the role, as written: git e-mail addresses, `@handle`s and
    /// `@org/team`s.
    pub people: Vec<String>,
    /// The time the role states it gives the handoff (`allocation: 2h/week`).
    pub allocation: Option<Allocation>,
    pub pos: Pos,
    /// The index's handles and the repository's mailmap, so that a handle counts as its
    /// addresses and another address of a member as them. Set by the loader and
    /// [`Index::use_mailmap`].
    #[serde(skip)]
    pub directory: Arc<Directory>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kind {
    pub id: String,
    pub title: Option<String>,
    /// Headings the document must contain; `A|B` accepts either.
    pub required_sections: Vec<String>,
    /// Roles whose approval every artifact of this kind needs, besides its reviewers.
    pub signoff: Vec<String>,
    pub max_age: Option<Duration>,
    pub review_every: Option<Duration>,
    pub verify_every: Option<Duration>,
    /// How long an open sign-off may wait after the change that required it.
    pub signoff_within: Option<Duration>,
    pub severity: BTreeMap<FindingCode, Severity>,
    /// What artifacts of this kind govern when they name nothing themselves.
    pub governs: Vec<String>,
    /// Churn of governed paths below this stays quiet; without it any change is drift.
    pub drift_after: Option<DriftThreshold>,
    /// A JSON Schema (relative to the index's directory) every YAML, JSON or JSONL document of
    /// the kind must satisfy.
    pub schema: Option<String>,
    /// The top-level key holding a document's version, which must move when its content does.
    pub version_field: Option<String>,
    /// The top-level list of changes, which must have an entry for the current version.
    pub changelog_field: Option<String>,
    pub pos: Pos,
    /// Where each field's value is written.
    pub field_pos: BTreeMap<String, Pos>,
}

impl Kind {
    /// Position of a field if written, else of the kind.
    pub(crate) fn pos_of(&self, field: &str) -> Pos {
        self.field_pos.get(field).copied().unwrap_or(self.pos)
    }
}

/// What the facts reader checks of an artifact for its kind's contract.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContractRequest {
    /// The JSON Schema, relative to the index's directory.
    pub schema: Option<String>,
    /// Fingerprints from the ledger's approvals whose content to read.
    pub approved: Vec<String>,
}

/// Where an artifact lives.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Target {
    /// A file or directory, relative to the index's directory, `/`-separated.
    Path(String),
    /// A glob over paths relative to the index's directory (`*`, `?`, `[...]`, `**`).
    Glob(String),
    /// An external artifact (http or https).
    Url(String),
}

impl Target {
    /// The path or glob as written, or the URL.
    pub fn as_str(&self) -> &str {
        match self {
            Target::Path(s) | Target::Glob(s) | Target::Url(s) => s,
        }
    }

    pub fn is_url(&self) -> bool {
        matches!(self, Target::Url(_))
    }
}

/// Where an artifact stands in its life, which decides the rules that apply to it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every rule applies.
    #[default]
    Active,
    /// Being written: no sign-off findings yet.
    Draft,
    /// Final: age and review rules are off, and a change to it is a finding.
    Frozen,
    /// Replaced by another artifact (`superseded_by`): age, review and section rules are off.
    Superseded,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Active,
        Status::Draft,
        Status::Frozen,
        Status::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Draft => "draft",
            Status::Frozen => "frozen",
            Status::Superseded => "superseded",
        }
    }

    /// Whether findings of `code` are decided for an artifact with this status.
    pub fn applies(self, code: FindingCode) -> bool {
        use FindingCode as C;
        match self {
            Status::Active => true,
            Status::Draft => !matches!(
                code,
                C::OwnerNotAccepted
                    | C::Unsigned
                    | C::ChangedSinceSignoff
                    | C::UpstreamChanged
                    | C::AtRisk
                    | C::ReviewOverdue
                    | C::Unverified
                    | C::CodeDrift
            ),
            Status::Frozen => !matches!(
                code,
                C::Aged | C::ReviewOverdue | C::Unverified | C::ChangedSinceSignoff
            ),
            Status::Superseded => !matches!(
                code,
                C::Aged
                    | C::ReviewOverdue
                    | C::Unverified
                    | C::MissingSections
                    | C::BrokenLink
                    | C::Unsigned
                    | C::ChangedSinceSignoff
                    | C::UpstreamChanged
                    | C::AtRisk
                    | C::FrozenChanged
                    | C::CodeDrift
                    | C::GovernsNothing
            ),
        }
    }
}

/// A word that is not a [`Status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a status: use active, draft, frozen or superseded")]
pub struct UnknownStatus(pub String);

impl std::str::FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// An artifact of the index. `Every` is how `verify_every` is held: a [`Duration`] once
/// loaded, the text as typed in one still to be added (`core::edit::NewArtifact`), so that an
/// edit checks it before reading it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Artifact<Every = Duration> {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub target: Target,
    pub owner: Option<String>,
    pub reviewers: Vec<String>,
    pub consumers: Vec<String>,
    pub depends_on: Vec<String>,
    pub verify_every: Option<Every>,
    pub status: Status,
    /// The artifact that replaces this one (with `status: superseded`).
    pub superseded_by: Option<String>,
    /// Overrides the kind's `required_sections` (an empty list: none).
    pub required_sections: Option<Vec<String>>,
    /// Globs (or paths) of the code, configuration or data it specifies, as normalized by
    /// the loader; empty: its kind's.
    pub governs: Vec<String>,
    /// Where the artifact's entry starts (its `- ` item) and where each field is.
    pub pos: Pos,
    pub field_pos: BTreeMap<String, Pos>,
}

impl<Every> Artifact<Every> {
    /// The title if it has one, else the id.
    pub(crate) fn display_name(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }

    /// Position of a field if written, else of the entry.
    pub(crate) fn pos_of(&self, field: &str) -> Pos {
        self.field_pos.get(field).copied().unwrap_or(self.pos)
    }

    /// The same artifact with `verify_every` read by `read`. Every field is named here, so
    /// that a field added to artifacts cannot be forgotten on the way.
    pub(crate) fn read_every<Read>(
        self,
        read: impl FnOnce(Every) -> Option<Read>,
    ) -> Artifact<Read> {
        let Artifact {
            id,
            title,
            description,
            kind,
            target,
            owner,
            reviewers,
            consumers,
            depends_on,
            verify_every,
            status,
            superseded_by,
            required_sections,
            governs,
            pos,
            field_pos,
        } = self;
        Artifact {
            id,
            title,
            description,
            kind,
            target,
            owner,
            reviewers,
            consumers,
            depends_on,
            verify_every: verify_every.and_then(read),
            status,
            superseded_by,
            required_sections,
            governs,
            pos,
            field_pos,
        }
    }
}

impl Index {
    /// Position of a top-level field's value if written, else the start of the file.
    pub(crate) fn pos_of(&self, field: &str) -> Pos {
        self.field_pos
            .get(field)
            .copied()
            .unwrap_or(Pos::new(1, 1, 0))
    }

    /// What the history walk counts as a change of content.
    pub fn content_rules(&self) -> super::ContentRules {
        super::ContentRules {
            mechanical_files: self.mechanical_commit_files,
        }
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn kind(&self, id: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.id == id)
    }

    pub fn artifact(&self, id: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.id == id)
    }

    pub(crate) fn kind_of(&self, artifact: &Artifact) -> Option<&Kind> {
        artifact.kind.as_deref().and_then(|k| self.kind(k))
    }

    /// What the artifact governs: its own `governs`, else its kind's.
    pub fn governs_of<'a>(&'a self, artifact: &'a Artifact) -> &'a [String] {
        if !artifact.governs.is_empty() {
            return &artifact.governs;
        }
        self.kind_of(artifact)
            .map(|k| k.governs.as_slice())
            .unwrap_or(&[])
    }

    /// The artifacts whose `governs` covers `path` (relative to the index's directory).
    pub fn governing(&self, path: &str) -> Vec<&Artifact> {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        self.artifacts
            .iter()
            .filter(|a| {
                self.governs_of(a).iter().any(|entry| {
                    GovernedPath::new("", entry).is_some_and(|governed| governed.is_match(path))
                })
            })
            .collect()
    }

    /// Every artifact that governs something, with what it governs (for the facts read).
    pub fn governed_entries(&self) -> Vec<(String, Vec<String>)> {
        self.artifacts
            .iter()
            .map(|a| (a.id.clone(), self.governs_of(a).to_vec()))
            .filter(|(_, entries)| !entries.is_empty())
            .collect()
    }

    /// The paths the scorecard's `in-ci` rules name (for the facts read).
    pub fn ci_paths(&self) -> Vec<String> {
        self.scorecard
            .iter()
            .filter_map(|r| match &r.check {
                super::RuleCheck::InCi { path } => Some(path.clone()),
                _ => None,
            })
            .collect()
    }

    /// What to read for each artifact whose kind states a contract: the schema to check its
    /// documents against, and (with a `version_field`) the content it had at each approved
    /// fingerprint in the ledger, to tell whether its version moved since.
    pub fn contract_requests(&self, ledger: &super::Ledger) -> Vec<(String, ContractRequest)> {
        let mut out = Vec::new();
        for artifact in &self.artifacts {
            let Some(kind) = self.kind_of(artifact) else {
                continue;
            };
            let mut approved: Vec<String> = Vec::new();
            if kind.version_field.is_some() {
                for record in ledger.of(&artifact.id) {
                    if let (super::Action::Approve, Some(fingerprint)) =
                        (record.action, &record.fingerprint)
                        && !approved.contains(fingerprint)
                    {
                        approved.push(fingerprint.clone());
                    }
                }
            }
            if kind.schema.is_some() || !approved.is_empty() {
                let request = ContractRequest {
                    schema: kind.schema.clone(),
                    approved,
                };
                out.push((artifact.id.clone(), request));
            }
        }
        out
    }

    /// Roles whose approval the artifact needs: its reviewers, then its kind's sign-off
    /// roles, each once, in that order.
    pub fn required_signers(&self, artifact: &Artifact) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let from_kind = self
            .kind_of(artifact)
            .map(|k| k.signoff.as_slice())
            .unwrap_or(&[]);
        for role in artifact.reviewers.iter().chain(from_kind) {
            if !out.contains(role) {
                out.push(role.clone());
            }
        }
        out
    }

    /// Whether a kind sets `signoff_within`: only then are the index's lines dated (a
    /// `git blame` of `handoff.yaml`) to time the sign-offs nobody ever gave.
    pub fn dates_first_signoffs(&self) -> bool {
        self.kinds.iter().any(|k| k.signoff_within.is_some())
    }

    /// The lines of `handoff.yaml` that make `role` owe `artifact` a sign-off: the `owner:`
    /// line for its owner's acceptance; the line naming it in `reviewers`; else the line naming
    /// it in the kind's `signoff` and the artifact's `kind:` line. Empty when it owes none.
    pub fn obligation_lines(&self, artifact: &Artifact, role: &str, owner: bool) -> Vec<usize> {
        let line =
            |positions: &BTreeMap<String, Pos>, key: &str| positions.get(key).map(|p| p.line);
        if owner {
            return line(&artifact.field_pos, "owner").into_iter().collect();
        }
        if artifact.reviewers.iter().any(|r| r == role) {
            let item = format!("reviewers.{role}");
            return line(&artifact.field_pos, &item)
                .or_else(|| line(&artifact.field_pos, "reviewers"))
                .into_iter()
                .collect();
        }
        match self.kind_of(artifact) {
            Some(kind) if kind.signoff.iter().any(|r| r == role) => {
                let item = format!("signoff.{role}");
                line(&kind.field_pos, &item)
                    .or_else(|| line(&kind.field_pos, "signoff"))
                    .into_iter()
                    .chain(line(&artifact.field_pos, "kind"))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The roles an e-mail address belongs to.
    pub(crate) fn roles_of(&self, email: &str) -> Vec<&Role> {
        self.roles.iter().filter(|r| r.has_member(email)).collect()
    }

    /// Lets every role recognise its members by any address the repository's `.mailmap`
    /// gives them, and by the addresses behind the handles it names.
    pub fn use_mailmap(&mut self, mailmap: Mailmap) {
        let directory = Arc::new(Directory::new(mailmap, &self.handles));
        for role in &mut self.roles {
            role.directory = Arc::clone(&directory);
        }
    }

    /// Artifacts that list `id` in their depends_on.
    pub(crate) fn downstream_of<'a>(
        &'a self,
        id: &'a str,
    ) -> impl Iterator<Item = &'a Artifact> + 'a {
        self.artifacts
            .iter()
            .filter(move |a| a.depends_on.iter().any(|d| d == id))
    }
}

impl Role {
    pub(crate) fn has_member(&self, email: &str) -> bool {
        self.members()
            .iter()
            .any(|p| self.directory.same_person(p, email))
    }

    /// The addresses of the people in the role, each handle resolved, each address once.
    pub fn members(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in &self.people {
            for address in self.directory.resolve(entry) {
                if !out.iter().any(|a| a.eq_ignore_ascii_case(&address)) {
                    out.push(address);
                }
            }
        }
        out
    }

    /// The handles the role names that resolve to nobody.
    pub fn unresolved_handles(&self) -> impl Iterator<Item = &str> {
        self.people
            .iter()
            .filter(|p| p.starts_with('@') && self.directory.resolve(p).is_empty())
            .map(String::as_str)
    }
}
