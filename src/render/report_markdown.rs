//! The one-page handoff status as Markdown, for a wiki page or a weekly-review e-mail.

use super::escape::{md, md_code, md_message};
use super::{Status, counts_text, head_text, role_title};
use crate::core::analysis::{Finding, date};
use crate::engine::Snapshot;
use crate::render::glyphs::{cell_text, legend};

/// The ownership matrix as a Markdown table with its legend: role titles across, artifact
/// titles down, and each artifact's worst severity in words.
pub(crate) fn matrix_table(s: &Snapshot, ascii: bool) -> String {
    let m = &s.report.matrix;
    let mut out = String::from("| Artifact |");
    for role in &m.roles {
        out.push_str(&format!(" {} |", md(role_title(s, role))));
    }
    out.push_str(" Worst |\n|---|");
    out.push_str(&":-:|".repeat(m.roles.len()));
    out.push_str("---|\n");
    for row in &m.rows {
        let title = s
            .artifact(&row.artifact)
            .map_or(row.artifact.as_str(), |a| a.display_name());
        out.push_str(&format!("| {} |", md(title)));
        for cell in &row.cells {
            out.push_str(&format!(" {} |", cell_text(cell, ascii)));
        }
        out.push_str(&format!(" {} |\n", row.worst.map_or("ok", |w| w.as_str())));
    }
    out.push_str(&format!("\n{}\n", legend(ascii)));
    out
}

fn findings_table(findings: &[&Finding]) -> String {
    if findings.is_empty() {
        return "None.\n".to_string();
    }
    let mut out = String::from(
        "| Severity | Artifact | Finding | What is wrong | Fix |\n|---|---|---|---|---|\n",
    );
    for f in findings {
        let severity = match f.severity {
            crate::core::model::Severity::Error => "**error**".to_string(),
            other => other.as_str().to_string(),
        };
        out.push_str(&format!(
            "| {severity} | {} | {} | {} | {} |\n",
            md_code(f.subject()),
            md_code(f.code.as_str()),
            md_message(&f.message),
            md_message(&f.fix)
        ));
    }
    out
}

/// The whole report, of everything or for one person ([`Status::for_person`]).
pub(crate) fn report(s: &Snapshot, status: &Status) -> String {
    let name = s.index.name.as_deref().unwrap_or("handoff");
    let mut out = format!("# Handoff status: {}\n\n", md(name));
    if let Some((email, roles)) = &status.person {
        out.push_str(&format!(
            "For {} ({}): what these roles must do.\n\n",
            md(email),
            md(&roles.join(", "))
        ));
    }
    out.push_str(&format!(
        "{} · {} · {} · {}\n\n",
        md(&head_text(s)),
        date(s.now),
        crate::core::text::count(s.index.artifacts.len(), "artifact"),
        counts_text(s)
    ));
    if let Some(d) = &s.index.description {
        out.push_str(&format!("{}\n\n", md(d.trim())));
    }
    out.push_str("## Ownership matrix\n\n");
    out.push_str(&matrix_table(s, false));
    if !s.report.scorecard.results.is_empty() {
        out.push_str(&format!(
            "\n## Scorecard ({})\n\nThe team's checklist, rule by rule.\n\n",
            s.report.scorecard.score()
        ));
        out.push_str(&super::scorecard::table(&s.report.scorecard));
    }
    out.push_str(&format!(
        "\n## Gaps ({})\n\nWhat the handoff lacks.\n\n",
        status.gaps.len()
    ));
    out.push_str(&findings_table(&status.gaps));
    out.push_str(&format!(
        "\n## Stale ({})\n\nWhat was right and no longer is.\n\n",
        status.stale.len()
    ));
    out.push_str(&findings_table(&status.stale));
    out.push_str("\n## Recent sign-offs\n\n");
    if status.recent_signoffs.is_empty() {
        out.push_str("None recorded yet.\n");
    } else {
        out.push_str(
            "| When | Artifact | Who | Role | Action | Note |\n|---|---|---|---|---|---|\n",
        );
        for (artifact, r) in &status.recent_signoffs {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                date(r.at),
                md_code(artifact),
                md(&r.by),
                md_code(&r.role),
                r.action,
                r.note.as_deref().map(md).unwrap_or_default()
            ));
        }
    }
    out
}
