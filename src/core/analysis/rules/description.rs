//! Descriptions: the placeholder sentence handoff's templates write (`handoff init` puts one
//! at the top of the index) is reported until a person replaces it.

use super::super::Finding;
use super::super::context::{Ctx, in_index};
use crate::core::model::{Artifact, FindingCode, INDEX_FILE, Index};

/// How every placeholder description in `assets/init/` begins.
const PLACEHOLDER_START: &str = "One or two sentences:";

/// Whether `text` is still a template's placeholder rather than a person's words.
pub(crate) fn is_placeholder(text: &str) -> bool {
    text.trim_start().starts_with(PLACEHOLDER_START)
}

pub(super) fn description_findings(cx: &mut Ctx, artifact: &Artifact) {
    if !artifact.description.as_deref().is_some_and(is_placeholder) {
        return;
    }
    cx.push(
        artifact,
        FindingCode::PlaceholderDescription,
        artifact.owner.as_deref(),
        None,
        "its description is still a template's placeholder".to_string(),
        format!(
            "say what it is for in a sentence or two: `handoff set {} description \"...\"`",
            artifact.id
        ),
        None,
        in_index(artifact, "description"),
    );
}

/// The finding about the handoff's own description, when it is still the placeholder
/// `handoff init` wrote.
pub(crate) fn handoff_description_finding(index: &Index) -> Option<Finding> {
    let code = FindingCode::PlaceholderDescription;
    index
        .description
        .as_deref()
        .is_some_and(is_placeholder)
        .then(|| Finding {
            code,
            severity: index
                .severity
                .get(&code)
                .copied()
                .unwrap_or_else(|| code.default_severity()),
            artifact: String::new(),
            rule: None,
            role: None,
            roles: Vec::new(),
            related: None,
            message: "the handoff's description is still the placeholder `handoff init` wrote"
                .to_string(),
            fix: "say what this handoff is for in a sentence or two: `handoff set --handoff description \"...\"`".to_string(),
            action: None,
            since: None,
            file: INDEX_FILE.to_string(),
            pos: index.pos_of("description"),
        })
}
