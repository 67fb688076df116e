//! `handoff diff`: the change behind a finding as a unified diff (text, coloured on a
//! terminal) or as JSON. Each section opens with a `#` line saying which sign-off it is
//! measured from; tools that read unified diffs skip such lines.

use super::style::Paint;
use crate::core::content_diff::{ArtifactDiff, DiffSection, FileStatus, LineKind};
use crate::core::text::sanitize;

/// The first eight characters of a fingerprint.
fn short(fp: Option<&str>) -> &str {
    fp.map_or("none", |f| &f[..f.len().min(8)])
}

/// The heading line of a section: cause, what it is measured from, and the two versions.
pub fn heading(artifact: &str, section: &DiffSection) -> String {
    sanitize(&format!(
        "{}: {} ({} → {})",
        section.cause.code(),
        section.cause.describe(artifact),
        short(Some(&section.from)),
        short(section.to.as_deref())
    ))
}

/// A unified diff per section.
pub(crate) fn text(diff: &ArtifactDiff, paint: Paint) -> String {
    let mut out = String::new();
    for (n, section) in diff.sections.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&paint.bold(&format!("# {}", heading(&diff.artifact, section))));
        out.push('\n');
        if section.files.is_empty() {
            out.push_str("# no file differs in content (only modes or empty directories)\n");
        }
        for file in &section.files {
            let path = sanitize(&file.path);
            let (old, new) = match file.status {
                FileStatus::Added => ("/dev/null".to_string(), format!("b/{path}")),
                FileStatus::Removed => (format!("a/{path}"), "/dev/null".to_string()),
                FileStatus::Modified => (format!("a/{path}"), format!("b/{path}")),
            };
            if file.binary {
                out.push_str(&format!("Binary files {old} and {new} differ\n"));
                continue;
            }
            out.push_str(&paint.bold(&format!("--- {old}")));
            out.push('\n');
            out.push_str(&paint.bold(&format!("+++ {new}")));
            out.push('\n');
            for hunk in &file.hunks {
                out.push_str(&paint.hunk(&hunk.header));
                out.push('\n');
                for line in &hunk.lines {
                    let text = format!("{}{}", line.kind.mark(), sanitize(&line.text));
                    out.push_str(&match line.kind {
                        LineKind::Added => paint.good(&text),
                        LineKind::Removed => paint.removed(&text),
                        LineKind::Context => text,
                    });
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// The diff as JSON: the artifact, and per section its cause, the versions compared and
/// each file's hunks with line numbers.
pub(crate) fn json(diff: &ArtifactDiff) -> String {
    let mut value = serde_json::to_value(diff).unwrap_or_default();
    if let Some(sections) = value.get_mut("sections").and_then(|s| s.as_array_mut()) {
        for (section, json) in diff.sections.iter().zip(sections) {
            json["summary"] = section.cause.describe(&diff.artifact).into();
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
