//! Content: the path exists, can be read, and has the sections its kind requires.

use super::super::ago;
use super::super::context::{Ctx, in_index};
use super::super::sections::Requirements;
use crate::core::model::{Artifact, ArtifactFacts, FindingCode, Pos, Target};

pub(super) fn content_findings(cx: &mut Ctx, artifact: &Artifact, f: &ArtifactFacts) {
    if artifact.target.is_url() {
        return;
    }
    if let Some(problem) = &f.problem {
        cx.push(
            artifact,
            FindingCode::Unreadable,
            artifact.owner.as_deref(),
            None,
            format!("`{}` cannot be read: {problem}", artifact.target.as_str()),
            "make it a regular file or directory inside the repository, within handoff's limits (narrow a glob; split a huge directory)".to_string(),
            None,
            in_index(artifact, "path"),
        );
        return;
    }
    if !f.exists {
        let what = match &artifact.target {
            Target::Glob(g) => format!("no file matches `{g}`"),
            other => format!("`{}` does not exist", other.as_str()),
        };
        let deleted = f
            .history
            .last_change()
            .map(|c| {
                format!(
                    " (last touched by {} {})",
                    &c.commit[..8.min(c.commit.len())],
                    ago(cx.now, c.time)
                )
            })
            .unwrap_or_default();
        let (moved, fix) = match &f.moved {
            Some(moved) => (
                match &moved.commit {
                    Some(commit) => format!(
                        "; the same content was renamed to `{}` in {}",
                        moved.path,
                        &commit[..8.min(commit.len())]
                    ),
                    None => format!(
                        "; the same content is at `{}` in the working copy",
                        moved.path
                    ),
                },
                format!(
                    "point the index at the new path: `handoff set {} path {}`",
                    artifact.id, moved.path
                ),
            ),
            None => (
                String::new(),
                match &artifact.target {
                    // A glob is not a file to create.
                    Target::Glob(g) => format!(
                        "add a file that matches `{g}`, or correct the path: `handoff set {} path <path>`",
                        artifact.id
                    ),
                    other => format!(
                        "create `{}`, or correct the path: `handoff set {} path <path>`",
                        other.as_str(),
                        artifact.id
                    ),
                },
            ),
        };
        cx.push(
            artifact,
            FindingCode::Missing,
            artifact.owner.as_deref(),
            None,
            format!("{what}{deleted}{moved}"),
            fix,
            None,
            in_index(artifact, "path"),
        );
        if let (Some(moved), Some(owner)) = (&f.moved, artifact.owner.as_deref()) {
            cx.act(owner, &["set", &artifact.id, "path", &moved.path]);
        }
        return;
    }
    link_findings(cx, artifact, f);
    // The artifact's own list, when it has one, replaces its kind's (legacy documents that
    // predate a template can require fewer sections, or none).
    let own;
    let (sections, requirements) = match (&artifact.required_sections, cx.kind_entry(artifact)) {
        (Some(list), _) => {
            own = Requirements::new(list);
            (list, &own)
        }
        (None, Some((kind, requirements))) => (&kind.required_sections, requirements),
        (None, None) => return,
    };
    if requirements.is_empty() {
        return;
    }
    if f.is_dir && f.documents.is_empty() {
        cx.push(
            artifact,
            FindingCode::MissingSections,
            artifact.owner.as_deref(),
            None,
            format!(
                "the directory has no README.md to hold the required sections: {}",
                sections.join(", ")
            ),
            format!(
                "add {}/README.md with those headings",
                artifact.target.as_str()
            ),
            None,
            in_index(artifact, "path"),
        );
        return;
    }
    for doc in &f.documents {
        let Some(text) = &doc.text else {
            continue;
        };
        let missing = requirements.missing_in(&doc.path, text);
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ");
        cx.push(
            artifact,
            FindingCode::MissingSections,
            artifact.owner.as_deref(),
            None,
            format!(
                "`{}` lacks required section{} {list}",
                doc.path,
                if missing.len() == 1 { "" } else { "s" }
            ),
            format!(
                "add the heading{} to `{}`",
                if missing.len() == 1 { "" } else { "s" },
                doc.path
            ),
            None,
            (doc.path.clone(), Pos::new(1, 1, 0)),
        );
    }
}

/// One `broken-link` per relative link that leads to nothing, at the link's line: a link to a
/// renamed RFC is the spec pointing readers at nothing.
fn link_findings(cx: &mut Ctx, artifact: &Artifact, f: &ArtifactFacts) {
    for link in f.links.iter().filter(|l| !l.exists) {
        cx.push(
            artifact,
            FindingCode::BrokenLink,
            artifact.owner.as_deref(),
            None,
            format!(
                "`{}` links to `{}` (line {}), which does not exist",
                link.document, link.written, link.line
            ),
            format!(
                "correct the link in `{}`, or restore `{}`",
                link.document, link.target
            ),
            None,
            (link.document.clone(), Pos::new(link.line as usize, 1, 0)),
        );
    }
}
