//! `check --format sarif`: SARIF 2.1.0, which code-scanning views (GitHub code scanning among
//! them) read. One rule per finding code, one result per finding, sorted.

use std::path::Path;

use serde_json::{Value, json};

use super::{LOAD_ERROR_RULE, Located, load_error_text, located_findings, located_load_errors};
use crate::core::model::finding::Category;
use crate::core::model::{FindingCode, LoadErrors, Pos, Severity};
use crate::core::text::sanitize;
use crate::engine::Snapshot;

pub(crate) const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Where SARIF readers learn about handoff, and the documentation page that explains each code.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn docs_page(page_and_anchor: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/{page_and_anchor}")
}

/// A rule's friendly name (PascalCase, SARIF's convention, and never the id in another case,
/// which the SARIF Multitool warns about) and, in general terms, what fixes its findings.
fn rule_help(code: FindingCode) -> (&'static str, &'static str) {
    use FindingCode::*;
    match code {
        NoOwner => (
            "ArtifactHasNoOwner",
            "Name one owning role: `handoff set ID owner ROLE`.",
        ),
        OwnerUnstaffed => (
            "OwnerRoleHasNobody",
            "Add the owner's git e-mail to the role: `handoff set --role ROLE people +EMAIL`.",
        ),
        OwnerNotAccepted => (
            "OwnershipNotAccepted",
            "A member of the owner role accepts it: `handoff sign ID --action accept --role ROLE`.",
        ),
        Missing => (
            "ArtifactPathMissing",
            "Write the document at its path, or point the index where it moved: `handoff set ID path NEW`.",
        ),
        Unreadable => (
            "ArtifactPathUnreadable",
            "Make the path a regular file or directory inside the repository, under the size limit.",
        ),
        MissingSections => (
            "RequiredSectionsMissing",
            "Add the headings the artifact's kind requires, or set `required_sections` on the artifact.",
        ),
        Unsigned => (
            "RequiredApprovalMissing",
            "The role approves the content: `handoff sign ID --action approve --role ROLE`.",
        ),
        BrokenLink => (
            "DocumentLinkBroken",
            "Correct the link in the document, or restore the file it points to.",
        ),
        DanglingDependency => (
            "DependencyNotDefined",
            "Define the artifact, or drop the dependency: `handoff set ID depends_on -DEP`.",
        ),
        DependencyCycle => (
            "CircularDependency",
            "Drop one `depends_on` link of the loop.",
        ),
        InvalidSignoff => (
            "SignoffRecordInvalid",
            "Sign again, as yourself, in a role you hold; never edit past records.",
        ),
        ChangedSinceSignoff => (
            "ChangedAfterApproval",
            "The roles that approved review the change and approve again: `handoff sign ID --action approve --role ROLE`.",
        ),
        UpstreamChanged => (
            "UpstreamChangedAfterSignoff",
            "The owner reads the upstream change and updates the artifact, or acknowledges it: `handoff sign ID --action acknowledge --role ROLE --note WHY`.",
        ),
        PlaceholderDescription => (
            "DescriptionIsTemplatePlaceholder",
            "Say what it is in a sentence or two: `handoff set ID description TEXT` (the handoff's own: `handoff set --handoff description TEXT`).",
        ),
        UnresolvedHandle => (
            "RoleHandleResolvesToNobody",
            "Map the handle to e-mails: `handoff set --handle HANDLE people +EMAIL`, or give it a `.mailmap` entry.",
        ),
        GovernsNothing => (
            "GovernedPathsMatchNothing",
            "Correct the glob, or drop it: `handoff set ID governs -GLOB`.",
        ),
        CodeDrift => (
            "GovernedCodeChangedAfterApproval",
            "The owner reviews the spec against the change and updates it, or acknowledges it: `handoff sign ID --action acknowledge --role ROLE --note WHY`.",
        ),
        ContractViolation => (
            "ContractViolated",
            "Make the document satisfy its kind's JSON Schema, or correct the schema.",
        ),
        UnversionedChange => (
            "VersionNotBumped",
            "Bump the document's version field when its content changes, and add a changelog entry for it.",
        ),
        AtRisk => (
            "DownstreamOfUpstreamChange",
            "Settle the upstream-changed artifact this one depends on.",
        ),
        Aged => (
            "ContentOlderThanMaxAge",
            "Review the content and commit what changed, or raise the kind's `max_age`.",
        ),
        ReviewOverdue => (
            "ApprovalOlderThanReviewInterval",
            "A reviewer reviews it again and approves: `handoff sign ID --action approve --role ROLE`.",
        ),
        SignoffOverdue => (
            "SignoffWaitedBeyondTurnaround",
            "The roles it names sign it (`handoff sign ID --action approve --role ROLE`), or the kind allows longer: `handoff set --kind KIND signoff_within DURATION`.",
        ),
        Unverified => (
            "ExternalArtifactUnverified",
            "Check the external artifact and record it: `handoff sign ID --action verify --role ROLE`.",
        ),
        Uncommitted => (
            "WorkingCopyUncommitted",
            "Commit the change, or discard it.",
        ),
        SupersededDependency => (
            "DependsOnSupersededArtifact",
            "Point `depends_on` at the successor: `handoff set ID depends_on -OLD +NEW`.",
        ),
        InertPolicy => (
            "PolicyCanNeverApply",
            "Remove the policy, or move it where it applies (verify_every belongs to URL artifacts).",
        ),
        FrozenChanged => (
            "FrozenArtifactChanged",
            "Put the frozen content back, or make it `status: active` and have it approved again.",
        ),
        ScorecardUnmet => (
            "ScorecardRuleUnmet",
            "Do what the rule asks (`handoff scorecard` says what would make it pass), or change the rule in `scorecard:`.",
        ),
    }
}

/// "the path does not exist" → "The path does not exist."
fn sentence(summary: &str) -> String {
    let mut chars = summary.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// `help` (plain text and Markdown: what it means, the fix, the documentation page) and `helpUri`.
fn help(summary: &str, fix: &str, page: &str) -> (Value, String) {
    let uri = docs_page(page);
    let summary = sentence(summary);
    let help = json!({
        "text": format!("{summary} Fix: {fix} See {uri}"),
        "markdown": format!("**{summary}**\n\n{fix}\n\nSee [handoff's documentation]({uri}).")
    });
    (help, uri)
}

fn rules() -> Vec<Value> {
    FindingCode::ALL
        .iter()
        .map(|&code| {
            let category = match code.category() {
                Category::Gap => "gap",
                Category::Stale => "stale",
            };
            let what = match code.category() {
                Category::Gap => "A gap: something the handoff lacks.",
                Category::Stale => "Stale: something that was right and no longer is.",
            };
            let (name, fix) = rule_help(code);
            let (help, help_uri) = help(code.summary(), fix, "reference/findings.md#findings");
            json!({
                "id": code.as_str(),
                "name": name,
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": format!("{} {what}", sentence(code.summary())) },
                "help": help,
                "helpUri": help_uri,
                "defaultConfiguration": { "level": level(code.default_severity()) },
                "properties": { "tags": ["handoff", category] }
            })
        })
        .collect()
}

/// A repository path as a SARIF URI reference: bytes outside RFC 3986's unreserved and
/// path characters are percent-encoded, so `%`, `#`, `?`, spaces and non-ASCII survive.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in sanitize(path).bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A file and, when known, the line and column in it.
fn physical_location(file: &str, pos: Pos) -> Value {
    let mut region = serde_json::Map::new();
    if pos.line > 0 {
        region.insert("startLine".into(), json!(pos.line));
        if pos.col > 0 {
            region.insert("startColumn".into(), json!(pos.col));
        }
    }
    let mut physical = json!({
        "artifactLocation": { "uri": uri_path(file), "uriBaseId": "%SRCROOT%" }
    });
    if !region.is_empty() {
        physical["region"] = Value::Object(region);
    }
    physical
}

fn result(located: &Located) -> Value {
    let f = located.finding;
    let rule_index = FindingCode::ALL
        .iter()
        .position(|c| *c == f.code)
        .unwrap_or_default();
    let physical = physical_location(&located.file, f.pos);
    // A handoff-level finding is about a scorecard rule, not an artifact.
    let logical = match &f.rule {
        Some(rule) => json!({ "name": sanitize(rule), "kind": "scorecard-rule" }),
        None => json!({ "name": sanitize(&f.artifact), "kind": "artifact" }),
    };
    // Stable across runs and line moves, so code scanning tracks one alert per problem.
    let identity = format!(
        "{}/{}/{}/{}",
        f.code,
        f.rule.as_deref().unwrap_or(&f.artifact),
        f.role.as_deref().unwrap_or(""),
        f.related.as_deref().unwrap_or("")
    );
    json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {
            "text": format!("{}: {} Fix: {}", sanitize(f.subject()), sanitize(&f.message), sanitize(&f.fix))
        },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [logical]
        }],
        "partialFingerprints": { "handoffFinding/v1": sanitize(&identity) },
        "properties": {
            "artifact": (!f.artifact.is_empty()).then(|| sanitize(&f.artifact)),
            "rule": f.rule.as_deref().map(sanitize),
            "severity": f.severity.as_str(),
            "role": f.role.as_deref().map(sanitize),
            "related": f.related.as_deref().map(sanitize),
            "fix": sanitize(&f.fix),
        }
    })
}

/// Which code a log describes and where its paths are rooted: facts the engine read from the
/// repository, never looked up by the renderer.
pub(crate) struct Origin<'a> {
    /// The workspace's place in the repository (`""` or `"sub/dir/"`).
    pub repo_prefix: &'a str,
    /// The work tree's root, absolute: `%SRCROOT%`.
    pub repo_root: &'a Path,
    /// The remote's URL without credentials, when one is configured.
    pub remote: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
}

/// The SARIF log of a snapshot. File URIs are relative to the repository root.
pub(crate) fn sarif(s: &Snapshot, origin: &Origin) -> String {
    let results: Vec<Value> = located_findings(s, origin.repo_prefix)
        .iter()
        .map(result)
        .collect();
    log(rules(), results, origin)
}

/// `%SRCROOT%` as a `file:` URI of the work tree's root, ending in `/` as SARIF requires.
fn srcroot_uri(root: &Path) -> String {
    let path = root.to_string_lossy().replace('\\', "/");
    let path = uri_path(path.trim_end_matches('/'));
    let slash = if path.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{path}/")
}

/// `versionControlProvenance`: the repository's URL (required by SARIF, so none without a
/// remote), HEAD's commit and its branch.
fn provenance(origin: &Origin) -> Option<Value> {
    let mut details = serde_json::Map::new();
    details.insert("repositoryUri".into(), json!(origin.remote.as_deref()?));
    if let Some(commit) = &origin.commit {
        details.insert("revisionId".into(), json!(commit));
    }
    if let Some(branch) = &origin.branch {
        details.insert("branch".into(), json!(sanitize(branch)));
    }
    details.insert("mappedTo".into(), json!({ "uriBaseId": "%SRCROOT%" }));
    Some(json!([details]))
}

/// The SARIF log of an index that does not load: one rule, a result at each load error.
pub(crate) fn sarif_load_errors(errors: &LoadErrors, origin: &Origin) -> String {
    let (load_help, load_help_uri) = help(
        "handoff.yaml does not load",
        "Fix each error at its line and column; the message says what is wrong and what to do.",
        "reference/handoff-yaml.md#the-index-handoffyaml",
    );
    let rule = json!({
        "id": LOAD_ERROR_RULE,
        "name": "IndexDoesNotLoad",
        "shortDescription": { "text": "handoff.yaml does not load" },
        "fullDescription": {
            "text": "handoff.yaml does not load, so nothing else could be checked: fix the error at its line and column."
        },
        "help": load_help,
        "helpUri": load_help_uri,
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["handoff"] }
    });
    let results = located_load_errors(errors, origin.repo_prefix)
        .into_iter()
        .map(|(file, e)| {
            json!({
                "ruleId": LOAD_ERROR_RULE,
                "ruleIndex": 0,
                "level": "error",
                "message": { "text": load_error_text(e) },
                "locations": [{ "physicalLocation": physical_location(&file, e.pos) }],
                "partialFingerprints": {
                    "handoffFinding/v1": sanitize(&format!("{LOAD_ERROR_RULE}/{file}/{}", e.message))
                }
            })
        })
        .collect();
    log(vec![rule], results, origin)
}

fn log(rules: Vec<Value>, results: Vec<Value>, origin: &Origin) -> String {
    let mut log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "handoff",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": {
                    "uri": srcroot_uri(origin.repo_root),
                    "description": { "text": "The root of the repository's work tree." }
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    if let Some(provenance) = provenance(origin) {
        log["runs"][0]["versionControlProvenance"] = provenance;
    }
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("docs/prd.md"), "docs/prd.md");
        assert_eq!(uri_path("docs/a b#1%?.md"), "docs/a%20b%231%25%3F.md");
        assert_eq!(uri_path("docs/é.md"), "docs/%C3%A9.md");
    }

    #[test]
    fn rule_names_are_pascal_case_and_never_the_id_in_another_case() {
        for &code in FindingCode::ALL {
            let (name, fix) = rule_help(code);
            assert!(name.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
            assert_ne!(
                name.to_ascii_lowercase(),
                code.as_str().replace('-', ""),
                "{code}"
            );
            assert!(!fix.is_empty());
        }
    }

    #[test]
    fn srcroot_is_a_file_uri_ending_in_a_slash() {
        assert_eq!(
            srcroot_uri(Path::new("/tmp/a b/repo")),
            "file:///tmp/a%20b/repo/"
        );
        assert_eq!(srcroot_uri(Path::new("/tmp/repo/")), "file:///tmp/repo/");
    }
}
