//! The JSON Schema (draft-07) of `handoff.yaml` and of ledger files, for editors.
//!
//! The schema is built from the loader's own key lists ([`TOP_KEYS`], [`ROLE_KEYS`],
//! [`KIND_KEYS`], [`ARTIFACT_KEYS`], [`SIGNOFF_KEYS`]) plus one table per mapping saying each
//! key's shape and what it means. A unit test fails when a key is in a list but not in its
//! table or the other way round, so the schema cannot drift from what the loader accepts.
//!
//! The schema is never stricter than the loader: everything the loader reads validates. It
//! catches what is structural — unknown keys, wrong types, a missing `version`, malformed
//! names, durations, e-mail addresses and URLs. What needs the whole index (an unknown role in
//! `owner`, duplicate ids, paths that collide) stays with the loader.

use serde_json::{Map, Value, json};

use super::load::{
    ARTIFACT_KEYS, KIND_KEYS, ROLE_KEYS, SCORECARD_KEYS, SIGNOFF_KEYS, SUPPORTED_VERSION, TOP_KEYS,
};
use super::{Action, FindingCode, Severity, Status};

pub(crate) const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// What a key's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The contract version.
    Version,
    /// Any scalar: the loader takes numbers and booleans as written; null means absent.
    Text,
    /// An artifact id.
    ArtifactId,
    /// One role name (or null: no owner yet).
    RoleName,
    /// A unique list of role names.
    RoleList,
    /// A unique list of artifact ids.
    ArtifactIdList,
    /// A list of headings.
    SectionList,
    /// A unique list of e-mail addresses.
    People,
    /// `90d`, `12w`, `6m`, `1y`.
    Duration,
    /// A relative path or glob.
    Path,
    /// A whole number of at least 1.
    Count,
    /// An artifact's lifecycle status.
    Status,
    /// A unique list of relative paths or globs.
    PathList,
    /// `20 commits` or a duration.
    DriftThreshold,
    /// An artifact id or null.
    OptionalArtifactId,
    /// An http or https URL.
    Url,
    /// Finding code → severity.
    Severities,
    /// Role name → role.
    Roles,
    /// Kind name → kind.
    Kinds,
    /// Handle → e-mail addresses.
    Handles,
    /// A list of artifacts.
    Artifacts,
    /// A ledger action.
    Action,
    Email,
    Timestamp,
    /// A fingerprint (object id) or null.
    Fingerprint,
    /// Artifact id → fingerprint.
    Upstream,
    /// A list of scorecard rules.
    Scorecard,
    /// `2h/week`.
    Allocation,
    /// A scorecard rule type.
    RuleType,
    Severity,
    /// `true` or a path.
    Governs,
}

/// One key of a mapping: its shape and its description for editor hovers.
struct Field {
    key: &'static str,
    shape: Shape,
    description: &'static str,
}

const fn field(key: &'static str, shape: Shape, description: &'static str) -> Field {
    Field {
        key,
        shape,
        description,
    }
}

const TOP_FIELDS: &[Field] = &[
    field(
        "version",
        Shape::Version,
        "The contract version of this file. This build of handoff reads version 1.",
    ),
    field(
        "name",
        Shape::Text,
        "The name of the feature or product this handoff is for.",
    ),
    field(
        "description",
        Shape::Text,
        "What the feature does, in a sentence or two. The placeholder `handoff init` writes (\"One or two sentences: ...\") is reported as placeholder-description until it is replaced.",
    ),
    field(
        "roles",
        Shape::Roles,
        "The seats in the handoff (pm, designer, ai-eng, ...), each staffed by git e-mail addresses.",
    ),
    field(
        "kinds",
        Shape::Kinds,
        "Policies shared by artifacts of one type: required sections, sign-off roles, maximum age, review interval.",
    ),
    field(
        "artifacts",
        Shape::Artifacts,
        "The deliverables of the handoff, each with exactly one owner role.",
    ),
    field(
        "severity",
        Shape::Severities,
        "Index-wide severity overrides by finding code; a kind's own overrides win over these.",
    ),
    field(
        "mechanical_commit_files",
        Shape::Count,
        "A commit touching more than this many files is mechanical (a rename of a term across the repository): it does not count as a change of content for `aged`. Off when absent. Commits listed in git's `blame.ignoreRevsFile` are always mechanical.",
    ),
    field(
        "scorecard",
        Shape::Scorecard,
        "Named rules about the handoff as a whole, each with a severity; `check` reports each failing rule as `scorecard-unmet`.",
    ),
    field(
        "handles",
        Shape::Handles,
        "The git e-mail addresses behind each `@handle` or `@org/team` that roles name (as CODEOWNERS writes them; quote them in YAML: \"@dana\"). A handle not mapped here is resolved by the repository's .mailmap, else reported as unresolved-handle.",
    ),
];

const SCORECARD_FIELDS: &[Field] = &[
    field(
        "name",
        Shape::Text,
        "The rule's name, unique in the scorecard: `scorecard-unmet` names it.",
    ),
    field(
        "description",
        Shape::Text,
        "What the rule asks, in a sentence.",
    ),
    field(
        "severity",
        Shape::Severity,
        "The severity of its `scorecard-unmet` finding (default: warning).",
    ),
    field(
        "rule",
        Shape::RuleType,
        "owned-and-accepted (every artifact owned, its owner accepted), at-least (count artifacts of kind), sections-present (every artifact of kind has its sections), role-staffed (role has people and an allocation), in-ci (path exists and CI configuration names it).",
    ),
    field(
        "count",
        Shape::Count,
        "at-least: how many artifacts (default 1).",
    ),
    field("kind", Shape::Text, "at-least, sections-present: the kind."),
    field(
        "governs",
        Shape::Governs,
        "at-least: each counted artifact governs something (`true`) or this path.",
    ),
    field(
        "depends_on",
        Shape::Text,
        "at-least: each counted artifact depends on an artifact of this kind.",
    ),
    field("role", Shape::Text, "role-staffed: the role."),
    field(
        "allocation",
        Shape::Allocation,
        "role-staffed: the least allocation the role must state.",
    ),
    field(
        "path",
        Shape::Path,
        "in-ci: the path that must exist and be named by `.github/workflows/*.yml`, `.gitlab-ci.yml` or `.ci/*`.",
    ),
];

const ROLE_FIELDS: &[Field] = &[
    field(
        "title",
        Shape::Text,
        "The role's name as people say it: \"Product Manager\".",
    ),
    field(
        "description",
        Shape::Text,
        "What the role is responsible for in this handoff.",
    ),
    field(
        "people",
        Shape::People,
        "The git e-mail addresses (`git config user.email`) of the people in this role, or quoted `@handle`s and `@org/team`s mapped under `handles:`. Empty means nobody: artifacts it owns are reported as owner-unstaffed.",
    ),
    field(
        "allocation",
        Shape::Allocation,
        "The time the role gives the handoff: hours (h) or minutes (m) per day, week or month, such as `2h/week`.",
    ),
];

const KIND_FIELDS: &[Field] = &[
    field(
        "title",
        Shape::Text,
        "The kind's name as people say it: \"Product requirements\".",
    ),
    field(
        "description",
        Shape::Text,
        "What artifacts of this kind are for.",
    ),
    field(
        "required_sections",
        Shape::SectionList,
        "Headings every document of this kind must contain (any level, case-insensitive; `A|B` accepts either). For YAML documents, top-level keys.",
    ),
    field(
        "signoff",
        Shape::RoleList,
        "Roles whose approval every artifact of this kind needs, besides its reviewers.",
    ),
    field(
        "max_age",
        Shape::Duration,
        "Reported as `aged` when no commit touched the artifact for longer than this.",
    ),
    field(
        "review_every",
        Shape::Duration,
        "Reported as `review-overdue` when the newest approval is older than this.",
    ),
    field(
        "verify_every",
        Shape::Duration,
        "For external (url) artifacts: reported as `unverified` when the newest `verify` is older than this.",
    ),
    field(
        "signoff_within",
        Shape::Duration,
        "Reported as `signoff-overdue` when a sign-off the artifact needs has waited longer than this since the change that required it (the content change, or the upstream change).",
    ),
    field(
        "severity",
        Shape::Severities,
        "Severity overrides by finding code for artifacts of this kind.",
    ),
    field(
        "governs",
        Shape::PathList,
        "What artifacts of this kind govern when they name nothing themselves: globs or paths of code, configuration or data, as `path` is written.",
    ),
    field(
        "drift_after",
        Shape::DriftThreshold,
        "Reported as `code-drift` only when more than this many commits (`20 commits`) changed governed paths since the newest approval, or the oldest such change is older than this duration (`30d`). Without it, any change counts.",
    ),
    field(
        "schema",
        Shape::Path,
        "A JSON Schema file, relative to the directory of handoff.yaml, that the kind's YAML, JSON and JSONL documents must satisfy: each violation is a `contract-violation`.",
    ),
    field(
        "version_field",
        Shape::Text,
        "The top-level key holding a document's version: a change of content since the newest approval that keeps it is an `unversioned-change`.",
    ),
    field(
        "changelog_field",
        Shape::Text,
        "The top-level list of changes (with `version_field`): it must have an entry whose `version` is the document's current version.",
    ),
];

const ARTIFACT_FIELDS: &[Field] = &[
    field(
        "id",
        Shape::ArtifactId,
        "A short unique name: letters, digits, `-`, `_` and `.`. Sign-offs are filed under it.",
    ),
    field(
        "title",
        Shape::Text,
        "The artifact's name as people say it.",
    ),
    field(
        "description",
        Shape::Text,
        "What the artifact is for. A template's placeholder (\"One or two sentences: ...\") is reported as placeholder-description.",
    ),
    field(
        "kind",
        Shape::Text,
        "The kind (defined under `kinds:`) whose policy applies.",
    ),
    field(
        "path",
        Shape::Path,
        "A file, directory or glob, relative to this file's directory, separated by `/`. Give `path` or `url`, not both.",
    ),
    field(
        "url",
        Shape::Url,
        "An external artifact (a design file, a flag, a dashboard): http or https. Give `path` or `url`, not both.",
    ),
    field(
        "owner",
        Shape::RoleName,
        "The one accountable role. Exactly one: name the others as reviewers or consumers.",
    ),
    field(
        "reviewers",
        Shape::RoleList,
        "Roles whose approval of this content is required.",
    ),
    field(
        "consumers",
        Shape::RoleList,
        "Roles that read the artifact.",
    ),
    field(
        "depends_on",
        Shape::ArtifactIdList,
        "Upstream artifact ids: when one changes after sign-off, this artifact is reported as upstream-changed.",
    ),
    field(
        "verify_every",
        Shape::Duration,
        "For external artifacts: overrides the kind's verify interval.",
    ),
    field(
        "status",
        Shape::Status,
        "active (default: every rule applies), draft (being written: no sign-off findings yet), frozen (final: no age or review findings; a change to it is reported as frozen-changed), superseded (replaced by `superseded_by`: no age, review, sign-off or section findings).",
    ),
    field(
        "superseded_by",
        Shape::OptionalArtifactId,
        "With `status: superseded`: the id of the artifact that replaces this one; readers are pointed there.",
    ),
    field(
        "required_sections",
        Shape::SectionList,
        "Overrides the kind's `required_sections` for this artifact; `[]` requires none (a legacy document that predates the template).",
    ),
    field(
        "governs",
        Shape::PathList,
        "Globs or paths (relative, as `path` is written) of the code, configuration or data this artifact specifies. A change to them after the newest approval is reported as code-drift; one that matches nothing as governs-nothing. Replaces the kind's `governs`.",
    ),
];

const SIGNOFF_FIELDS: &[Field] = &[
    field(
        "action",
        Shape::Action,
        "accept (the owner agrees to own it), approve (this content), acknowledge (an upstream change needs no change here), verify (an external artifact still holds), revoke (withdraws the role's earlier records).",
    ),
    field("by", Shape::Email, "The signer's git e-mail address."),
    field("role", Shape::Text, "The role the signer signed for."),
    field("at", Shape::Timestamp, "When, as an RFC 3339 time."),
    field(
        "fingerprint",
        Shape::Fingerprint,
        "The artifact's fingerprint (git object id of its content) when signed.",
    ),
    field(
        "upstream",
        Shape::Upstream,
        "The fingerprints of the artifact's upstream artifacts when signed, by id.",
    ),
    field("note", Shape::Text, "Why, in a sentence."),
];

/// Role, kind and artifact names (the loader's `is_valid_id`).
const NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";
/// A whole, non-zero number of days, weeks, months or years (the loader trims spaces).
/// A whole number of at most six significant digits (the loader's `MAX_UNITS`) and a unit.
const DURATION_PATTERN: &str = "^\\s*0*[1-9][0-9]{0,5}[dwmy]\\s*$";
/// What makes a written path unusable, as `load::rules::path_problem` decides: absolute (`/`,
/// `\`, a drive letter), a `\`, a control character, a `..` or `.git` segment (any case).
const BAD_PATH_PATTERN: &str = concat!(
    r"^/|^.:|\\|(^|/)\.\.(/|$)|(^|/)\.[Gg][Ii][Tt](/|$)|",
    "[\u{0}-\u{1f}\u{7f}-\u{9f}]"
);
/// One `@`, something before it, a dotted domain after it, no spaces or `<>,;`.
/// What `is_handle` accepts.
const HANDLE_PATTERN: &str = "^@[A-Za-z0-9._-]{1,100}(/[A-Za-z0-9._-]{1,100})?$";
const EMAIL_PATTERN: &str = "^[^@\\s<>,;]+@[^@\\s<>,;.][^@\\s<>,;]*\\.[^@\\s<>,;]*[^@\\s<>,;.]$";
const URL_PATTERN: &str = "^[Hh][Tt][Tt][Pp][Ss]?://\\S+$";
/// Hours or minutes per day, week or month (the loader's `Allocation`).
const ALLOCATION_PATTERN: &str = "^\\s*[0-9]{1,4}[hm]\\s*/\\s*(day|week|month)\\s*$";
const FINGERPRINT_PATTERN: &str = "^([0-9a-f]{40}|[0-9a-f]{64})$";

fn scalar_types() -> Value {
    json!(["string", "number", "boolean"])
}

/// The schema of one shape. Names refer to `definitions` where a shape is shared.
fn shape_schema(shape: Shape) -> Value {
    let unique_list =
        |items: Value| json!({ "type": ["array", "null"], "items": items, "uniqueItems": true });
    match shape {
        // The loader reads the scalar's text as a number: `"1"` is version 1, `1.0` is not.
        Shape::Version => json!({ "enum": [SUPPORTED_VERSION, SUPPORTED_VERSION.to_string()] }),
        Shape::Text => json!({ "type": ["string", "number", "boolean", "null"] }),
        // `id: 2024` is the id `2024`: YAML reads a number, the loader its text.
        Shape::ArtifactId => json!({
            "anyOf": [{ "$ref": "#/definitions/name" }, { "type": "number", "minimum": 0 }]
        }),
        Shape::RoleName => json!({
            "anyOf": [{ "$ref": "#/definitions/name" }, { "type": "null" }]
        }),
        Shape::RoleList | Shape::ArtifactIdList => {
            unique_list(json!({ "$ref": "#/definitions/name" }))
        }
        Shape::SectionList => json!({
            "type": ["array", "null"],
            "items": { "type": scalar_types() },
            "examples": [["Success metric", "Failure cost|Cost of failure", "Rollout plan"]]
        }),
        Shape::People => unique_list(json!({
            "anyOf": [{ "$ref": "#/definitions/email" }, { "$ref": "#/definitions/handle" }]
        })),
        Shape::Handles => json!({
            "type": ["object", "null"],
            "propertyNames": { "$ref": "#/definitions/handle" },
            "additionalProperties": unique_list(json!({ "$ref": "#/definitions/email" })),
            "examples": [{ "@dana": ["dana@acme.example"], "@acme/sre": ["lee@acme.example"] }]
        }),
        Shape::Duration => json!({ "$ref": "#/definitions/duration" }),
        Shape::Status => json!({
            "enum": Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()
        }),
        Shape::OptionalArtifactId => json!({
            "anyOf": [{ "$ref": "#/definitions/name" }, { "type": "null" }]
        }),
        Shape::Count => json!({
            "anyOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": "^[0-9]*[1-9][0-9]*$" },
                { "type": "null" }
            ]
        }),
        // A number is a name too (`path: 2024`); `path: ~` names nothing.
        Shape::Path => json!({
            "anyOf": [
                { "type": "number" },
                { "type": "string", "minLength": 1, "not": { "pattern": BAD_PATH_PATTERN } }
            ],
            "examples": ["docs/prd.md", "evals", "prompts/*.yaml"]
        }),
        Shape::PathList => json!({
            "type": ["array", "null"],
            "items": { "type": ["string", "number"] },
            "uniqueItems": true,
            "examples": [["src/reply/**", "prompts/support-draft.yaml"]]
        }),
        Shape::DriftThreshold => json!({
            "anyOf": [
                { "$ref": "#/definitions/duration" },
                { "type": "string", "pattern": "^\\s*[1-9][0-9]*\\s*commits?\\s*$" }
            ],
            "examples": ["20 commits", "30d"]
        }),
        Shape::Url => json!({
            "anyOf": [{ "type": "string", "pattern": URL_PATTERN }, { "type": "null" }],
            "examples": ["https://figma.example/file/..."]
        }),
        Shape::Severities => json!({ "$ref": "#/definitions/severities" }),
        Shape::Roles => json!({
            "type": ["object", "null"],
            "propertyNames": { "$ref": "#/definitions/name" },
            "additionalProperties": { "$ref": "#/definitions/role" }
        }),
        Shape::Kinds => json!({
            "type": ["object", "null"],
            "propertyNames": { "$ref": "#/definitions/name" },
            "additionalProperties": { "$ref": "#/definitions/kind" }
        }),
        Shape::Artifacts => json!({
            "type": ["array", "null"],
            "items": { "$ref": "#/definitions/artifact" }
        }),
        Shape::Action => {
            json!({ "enum": Action::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>() })
        }
        Shape::Email => json!({ "$ref": "#/definitions/email" }),
        Shape::Timestamp => json!({
            "type": "string",
            "format": "date-time",
            "examples": ["2026-05-01T10:00:00Z"]
        }),
        Shape::Fingerprint => json!({
            "anyOf": [{ "type": "string", "pattern": FINGERPRINT_PATTERN }, { "type": "null" }]
        }),
        Shape::Scorecard => json!({
            "type": ["array", "null"],
            "items": { "$ref": "#/definitions/scorecard_rule" }
        }),
        Shape::Allocation => json!({
            "type": "string",
            "pattern": ALLOCATION_PATTERN,
            "examples": ["2h/week", "30m/day"]
        }),
        Shape::RuleType => json!({ "enum": crate::core::model::scorecard::RULE_TYPES }),
        Shape::Severity => json!({
            "enum": Severity::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()
        }),
        Shape::Governs => json!({
            "anyOf": [
                { "const": true },
                { "type": "string", "minLength": 1, "not": { "pattern": BAD_PATH_PATTERN } }
            ],
            "examples": [true, "evals/score.py"]
        }),
        Shape::Upstream => json!({
            "type": ["object", "null"],
            "additionalProperties": {
                "anyOf": [{ "type": "string", "pattern": FINGERPRINT_PATTERN }, { "type": "null" }]
            }
        }),
    }
}

/// A mapping whose keys are exactly `keys` (the loader's list), described by `fields`.
/// A key missing from `fields` is left out here and caught by the drift test.
fn mapping(keys: &[&str], fields: &[Field], nullable: bool) -> Value {
    let mut properties = Map::new();
    for key in keys {
        if let Some(f) = fields.iter().find(|f| f.key == *key) {
            let mut schema = shape_schema(f.shape);
            if let Value::Object(map) = &mut schema {
                map.insert("description".into(), Value::from(f.description));
            }
            properties.insert((*key).to_string(), schema);
        }
    }
    json!({
        "type": if nullable { json!(["object", "null"]) } else { json!("object") },
        "properties": properties,
        "additionalProperties": false
    })
}

fn severities() -> Value {
    let levels: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
    let properties: Map<String, Value> = FindingCode::ALL
        .iter()
        .map(|code| {
            (
                code.as_str().to_string(),
                json!({
                    "enum": levels,
                    "description": format!(
                        "{} (default: {})",
                        code.summary(),
                        code.default_severity()
                    )
                }),
            )
        })
        .collect();
    json!({
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false
    })
}

fn definitions() -> Value {
    let mut artifact = mapping(ARTIFACT_KEYS, ARTIFACT_FIELDS, false);
    if let Value::Object(map) = &mut artifact {
        map.insert("required".into(), json!(["id"]));
        // Exactly one of `path` and `url`.
        map.insert(
            "oneOf".into(),
            json!([
                { "required": ["path"], "not": { "required": ["url"] } },
                { "required": ["url"], "not": { "required": ["path"] } }
            ]),
        );
    }
    let mut scorecard_rule = mapping(SCORECARD_KEYS, SCORECARD_FIELDS, false);
    if let Value::Object(map) = &mut scorecard_rule {
        map.insert("required".into(), json!(["name", "rule"]));
    }
    let mut signoff = mapping(SIGNOFF_KEYS, SIGNOFF_FIELDS, false);
    if let Value::Object(map) = &mut signoff {
        map.insert("required".into(), json!(["action", "by", "role", "at"]));
    }
    json!({
        "name": {
            "type": "string",
            "pattern": NAME_PATTERN,
            "description": "Letters, digits, `-`, `_` and `.`, starting with a letter or digit."
        },
        "email": {
            "type": "string",
            "pattern": EMAIL_PATTERN,
            "examples": ["dana@acme.example"]
        },
        "handle": {
            "type": "string",
            "pattern": HANDLE_PATTERN,
            "description": "A handle as CODEOWNERS writes it: `@dana` or `@org/team`.",
            "examples": ["@dana", "@acme/sre"]
        },
        "duration": {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A whole number followed by d (days), w (weeks), m (30 days) or y (365 days).",
            "examples": ["90d", "12w", "6m", "1y"]
        },
        "severities": severities(),
        "role": mapping(ROLE_KEYS, ROLE_FIELDS, true),
        "kind": mapping(KIND_KEYS, KIND_FIELDS, true),
        "artifact": artifact,
        "scorecard_rule": scorecard_rule,
        "signoff": signoff,
    })
}

/// The schema of `handoff.yaml`.
pub(crate) fn index_schema() -> Value {
    let mut top = mapping(TOP_KEYS, TOP_FIELDS, false);
    if let Value::Object(map) = &mut top {
        let mut head = Map::new();
        head.insert("$schema".into(), Value::from(DRAFT_07));
        head.insert("title".into(), Value::from("handoff.yaml"));
        head.insert(
            "description".into(),
            Value::from(
                "The artifact index of a handoff: roles, kinds and artifacts (contract version 1).",
            ),
        );
        head.append(map);
        head.insert("required".into(), json!(["version"]));
        head.insert("definitions".into(), definitions());
        *map = head;
    }
    top
}

/// The schema of a ledger file, `.handoff/signoffs/<artifact-id>.yaml`.
pub(crate) fn ledger_schema() -> Value {
    json!({
        "$schema": DRAFT_07,
        "title": "handoff sign-off ledger",
        "description": "The sign-offs of one artifact, appended in time order and never rewritten.",
        "type": ["array", "null"],
        "items": { "$ref": "#/definitions/signoff" },
        "definitions": definitions(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn keys(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn table(fields: &[Field]) -> BTreeSet<String> {
        fields.iter().map(|f| f.key.to_string()).collect()
    }

    #[test]
    fn every_loader_key_is_described_and_nothing_else() {
        let pairs: [(&str, &[&str], &[Field]); 6] = [
            ("SCORECARD_KEYS", SCORECARD_KEYS, SCORECARD_FIELDS),
            ("TOP_KEYS", TOP_KEYS, TOP_FIELDS),
            ("ROLE_KEYS", ROLE_KEYS, ROLE_FIELDS),
            ("KIND_KEYS", KIND_KEYS, KIND_FIELDS),
            ("ARTIFACT_KEYS", ARTIFACT_KEYS, ARTIFACT_FIELDS),
            ("SIGNOFF_KEYS", SIGNOFF_KEYS, SIGNOFF_FIELDS),
        ];
        for (name, list, fields) in pairs {
            assert_eq!(
                keys(list),
                table(fields),
                "{name} and the schema's table of its fields disagree"
            );
        }
    }

    #[test]
    fn the_schemas_properties_are_the_loaders_keys() {
        let schema = index_schema();
        let props = |v: &Value| -> BTreeSet<String> {
            v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let defs = &schema["definitions"];
        assert_eq!(props(&schema), keys(TOP_KEYS));
        assert_eq!(props(&defs["role"]), keys(ROLE_KEYS));
        assert_eq!(props(&defs["kind"]), keys(KIND_KEYS));
        assert_eq!(props(&defs["artifact"]), keys(ARTIFACT_KEYS));
        assert_eq!(props(&defs["signoff"]), keys(SIGNOFF_KEYS));
        let codes: BTreeSet<String> = FindingCode::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        assert_eq!(props(&defs["severities"]), codes);
    }

    #[test]
    fn the_schemas_are_draft_07() {
        assert_eq!(index_schema()["$schema"], DRAFT_07);
        assert!(jsonschema::draft7::meta::is_valid(&index_schema()));
        assert!(jsonschema::draft7::meta::is_valid(&ledger_schema()));
    }

    fn as_json(text: &str) -> Option<Value> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        crate::yaml::parse(text)
            .ok()
            .flatten()
            .map(|n| crate::yaml::to_json(&n))
    }

    fn manifest(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    #[test]
    fn the_sample_index_and_ledger_validate() {
        let validator = jsonschema::draft7::new(&index_schema()).unwrap();
        let text = std::fs::read_to_string(manifest("sample-repo/handoff.yaml")).unwrap();
        let doc = as_json(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");

        let ledger = jsonschema::draft7::new(&ledger_schema()).unwrap();
        let record = "- action: approve\n  by: sam@acme.example\n  role: domain-expert\n  at: 2026-07-27T10:00:00Z\n  fingerprint: fefe868d6b0ea6a1c47fb7e23b7dc8c1ba2a0e52\n  upstream:\n    framing: ce81ae3c05ddb9b1e855b424a39898b8670079fc\n  note: Checked.\n";
        assert!(ledger.is_valid(&as_json(record).unwrap()));
        let bad = record.replace("approve", "aprove");
        assert!(!ledger.is_valid(&as_json(&bad).unwrap()));
    }

    /// Invalid fixtures whose problem the schema sees on its own. The others are either not
    /// YAML the schema can read (syntax errors, bombs, encodings, empty files) or need the
    /// whole index to judge (an undefined role, a duplicate id, colliding or escaping paths).
    const SCHEMA_DETECTABLE: &[&str] = &[
        "artifact-bad-id",
        "artifact-depends-on-duplicate",
        "artifact-depends-on-scalar",
        "artifact-id-too-long",
        "artifact-no-id",
        "artifact-no-path-or-url",
        "artifact-null",
        "artifact-owner-list",
        "artifact-path-absolute",
        "artifact-path-and-url",
        "artifact-path-backslash",
        "artifact-path-control",
        "artifact-path-dotdot",
        "artifact-path-drive-letter",
        "artifact-path-empty",
        "artifact-path-git-uppercase",
        "artifact-path-into-git",
        "artifact-reviewer-repeated",
        "artifact-reviewers-scalar",
        "artifact-title-mapping",
        "artifact-unknown-key",
        "artifact-url-file",
        "artifact-url-javascript",
        "artifact-url-no-host",
        "artifact-url-not-http",
        "artifact-url-whitespace",
        "artifact-verify-every-bad",
        "artifact-verify-every-no-unit",
        "artifacts-item-scalar",
        "artifacts-mapping",
        "bom-unknown-key",
        "complex-key",
        "crlf-unknown-key",
        "handles-key-not-a-handle",
        "handles-person-not-an-email",
        "hostile-escape-in-key",
        "hostile-escape-in-role",
        "kind-bad-duration",
        "kind-duration-negative",
        "kind-duration-overflow",
        "kind-required-sections-mapping",
        "kind-severity-bad-level",
        "kind-severity-unknown-code",
        "kind-unknown-key",
        "kind-zero-duration",
        "kinds-list",
        "merge-key",
        "only-document-marker",
        "role-bad-email",
        "role-email-display-name",
        "role-invalid-name",
        "role-name-too-long",
        "role-people-item-mapping",
        "role-people-not-list",
        "role-unknown-key",
        "roles-list",
        "severity-not-mapping",
        "severity-top-unknown-code",
        "top-level-list",
        "top-level-scalar",
        "top-unknown-key",
        "version-missing",
        "version-not-a-number",
        "version-unsupported",
    ];

    /// Invalid fixtures that are YAML the schema reads and accepts: what JSON Schema cannot
    /// express (docs/reference/handoff-yaml.md, "Editors: `handoff schema`", lists the kinds).
    const SCHEMA_CANNOT_SEE: &[&str] = &[
        // Duplicates: a repeated key is gone once YAML is read as JSON; a person or id
        // repeated across entries (in any case) is a relation between values.
        "artifact-duplicate-id",
        "artifact-duplicate-key",
        "flow-mapping-duplicate-key",
        "kind-defined-twice",
        "role-defined-twice",
        "role-duplicate-person",
        "people-duplicate-across-case",
        // References to names defined elsewhere in the file.
        "artifact-owner-typo",
        "artifact-owner-unknown-role",
        "artifact-unknown-kind",
        "kind-signoff-unknown-role",
        // Paths that collide in case, and globs that do not compile.
        "artifact-case-collision",
        "artifact-bad-glob",
        // `version: 1.0`: YAML reads the number 1, and to JSON Schema 1.0 is 1.
        "version-float",
    ];

    #[test]
    fn the_schema_rejects_exactly_the_structural_fixtures() {
        let validator = jsonschema::draft7::new(&index_schema()).unwrap();
        let mut rejected = BTreeSet::new();
        let mut accepted = BTreeSet::new();
        let mut files: Vec<_> = std::fs::read_dir(manifest("tests/fixtures/invalid"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        assert!(files.len() >= 50, "fixtures not found");
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue; // not UTF-8: no document for a schema to see
            };
            let Some(doc) = as_json(&text) else {
                continue;
            };
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if validator.is_valid(&doc) {
                accepted.insert(name);
            } else {
                rejected.insert(name);
            }
        }
        let expected: BTreeSet<String> = SCHEMA_DETECTABLE.iter().map(|s| s.to_string()).collect();
        assert_eq!(rejected, expected);
        let expected: BTreeSet<String> = SCHEMA_CANNOT_SEE.iter().map(|s| s.to_string()).collect();
        assert_eq!(accepted, expected, "invalid fixtures the schema accepts");
    }

    /// The edge cases where schema and loader once disagreed: each is accepted by both or
    /// refused by both.
    #[test]
    fn the_schema_and_the_loader_agree_on_ids_versions_paths_and_durations() {
        let validator = jsonschema::draft7::new(&index_schema()).unwrap();
        let index = |version: &str, id: &str, path: &str, max_age: &str| {
            format!(
                "version: {version}\nroles:\n  pm: {{ people: [dana@acme.example] }}\nkinds:\n  \
                 doc: {{ max_age: {max_age} }}\nartifacts:\n  - id: {id}\n    kind: doc\n    \
                 path: {path}\n    owner: pm\n"
            )
        };
        let cases = [
            (index("1", "prd", "docs/prd.md", "90d"), true),
            (index("\"1\"", "prd", "docs/prd.md", "90d"), true),
            (index("1", "2024", "docs/prd.md", "90d"), true),
            (index("1", "prd", "2024", "90d"), true),
            (index("1", "prd", "docs/prd.md", "999999y"), true),
            (index("1", "prd", "~", "90d"), false),
            (index("1", "prd", "docs/.Git/x", "90d"), false),
            (index("1", "prd", "\"a\\u0007b\"", "90d"), false),
            (index("1", "prd", "docs/prd.md", "1000000d"), false),
        ];
        for (text, valid) in cases {
            let doc = as_json(&text).unwrap();
            let loaded = crate::core::model::load::load_index("handoff.yaml", text.as_bytes());
            assert_eq!(validator.is_valid(&doc), valid, "schema: {text}");
            assert_eq!(loaded.is_ok(), valid, "loader: {text} {:?}", loaded.err());
        }
        // `version: 1.0` is not version 1 (versions are whole numbers), but JSON Schema sees
        // the number YAML reads, and 1.0 is 1 to it: one of the documented disagreements.
        let text = index("1.0", "prd", "docs/prd.md", "90d");
        assert!(validator.is_valid(&as_json(&text).unwrap()));
        assert!(crate::core::model::load::load_index("handoff.yaml", text.as_bytes()).is_err());
    }

    #[test]
    fn durations_and_emails_follow_the_loader() {
        let validator = jsonschema::draft7::new(&definitions()["duration"]).unwrap();
        for good in ["90d", "12w", "6m", "1y", "007d"] {
            assert!(validator.is_valid(&json!(good)), "{good}");
            assert!(good.parse::<crate::core::model::Duration>().is_ok());
        }
        for bad in ["0d", "90", "9.5d", "-3d", "90 days", "3h", "1 d"] {
            assert!(!validator.is_valid(&json!(bad)), "{bad}");
        }
        let email = jsonschema::draft7::new(&definitions()["email"]).unwrap();
        for good in ["dana@acme.example", "a.b+c@x.y.z"] {
            assert!(email.is_valid(&json!(good)));
            assert!(crate::core::model::load::is_valid_email(good));
        }
        for bad in ["lee at acme", "a@b", "a@.b", "a@b.", "<a@b.c>", "a@b@c.d"] {
            assert!(!email.is_valid(&json!(bad)), "{bad}");
            assert!(!crate::core::model::load::is_valid_email(bad), "{bad}");
        }
    }
}
