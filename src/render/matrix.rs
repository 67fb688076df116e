//! The ownership matrix in the formats `handoff matrix` prints: aligned text, Markdown, CSV
//! and JSON.

use serde::Serialize;

use crate::core::text::{pad, sanitize, width};
use crate::engine::Snapshot;
use crate::render::glyphs::{cell_text, legend};

fn worst_text(row: &crate::core::analysis::MatrixRow) -> &'static str {
    row.worst.map_or("ok", |s| s.as_str())
}

pub(crate) fn text(s: &Snapshot, ascii: bool) -> String {
    let m = &s.report.matrix;
    let id_width = m
        .rows
        .iter()
        .map(|r| width(&sanitize(&r.artifact)))
        .max()
        .unwrap_or(8)
        .clamp(8, 32);
    let col_widths: Vec<usize> = m.roles.iter().map(|r| width(r).clamp(3, 16)).collect();
    let mut out = pad("artifact", id_width);
    for (role, w) in m.roles.iter().zip(&col_widths) {
        out.push_str(&format!("  {}", pad(role, *w)));
    }
    out.push_str("  worst\n");
    for row in &m.rows {
        out.push_str(&pad(&sanitize(&row.artifact), id_width));
        for (cell, w) in row.cells.iter().zip(&col_widths) {
            out.push_str(&format!("  {}", pad(&cell_text(cell, ascii), *w)));
        }
        out.push_str(&format!("  {}\n", worst_text(row)));
    }
    out.push_str(&format!("\n{}\n", legend(ascii)));
    out
}

pub(crate) fn markdown(s: &Snapshot, ascii: bool) -> String {
    let title = s
        .index
        .name
        .as_deref()
        .map(|n| {
            format!(
                "### Ownership matrix — {}\n\n",
                crate::render::escape::md(n)
            )
        })
        .unwrap_or_default();
    format!(
        "{title}{}",
        crate::render::report_markdown::matrix_table(s, ascii)
    )
}

/// A CSV field, quoted when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    let s = sanitize(s);
    // A leading = + - @ would be run as a formula by spreadsheets.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub(crate) fn csv(s: &Snapshot) -> String {
    let m = &s.report.matrix;
    let mut out = String::from("artifact");
    for role in &m.roles {
        out.push(',');
        out.push_str(&csv_field(role));
    }
    out.push_str(",worst\n");
    for row in &m.rows {
        out.push_str(&csv_field(&row.artifact));
        for cell in &row.cells {
            out.push(',');
            if !cell.relation().is_empty() {
                out.push_str(&csv_field(&format!(
                    "{}:{}",
                    cell.relation(),
                    cell.state.as_str()
                )));
            }
        }
        out.push_str(&format!(",{}\n", worst_text(row)));
    }
    out
}

// `handoff mcp`'s output schema for the matrix is derived from these types, so the two cannot
// drift apart.
/// The role × artifact matrix: the roles, and a row per artifact.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct JsonMatrix<'a> {
    roles: &'a [String],
    rows: Vec<JsonRow<'a>>,
}

/// An artifact's row: its related roles' cells.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonRow<'a> {
    artifact: &'a str,
    /// The severity of the artifact's most severe finding, `null` when it has none.
    #[schemars(extend("enum" = ["error", "warning", "info", null]))]
    worst: Option<&'static str>,
    /// The roles related to the artifact; unrelated roles have no cell.
    cells: Vec<JsonCell<'a>>,
}

/// How one role relates to an artifact, and where its sign-off stands.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct JsonCell<'a> {
    role: &'a str,
    /// "owner", "reviewer", "owner+reviewer" or "consumer".
    relation: String,
    #[schemars(schema_with = "cell_state_schema")]
    state: &'static str,
}

/// A cell's `state`: one of the states of a related role.
fn cell_state_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let states: Vec<&str> = crate::core::analysis::CellState::LEGEND
        .iter()
        .map(|s| s.as_str())
        .collect();
    schemars::json_schema!({ "type": "string", "enum": states })
}

pub(crate) fn json(s: &Snapshot) -> String {
    let doc = json_rows(s, 0..s.report.matrix.rows.len());
    let mut out = serde_json::to_string_pretty(&doc).expect("the matrix serialises");
    out.push('\n');
    out
}

/// The matrix with the rows at positions `range` (every role), as typed data: `handoff mcp`
/// serves it in pages.
pub(crate) fn json_rows(s: &Snapshot, range: std::ops::Range<usize>) -> JsonMatrix<'_> {
    let m = &s.report.matrix;
    JsonMatrix {
        roles: &m.roles,
        rows: m.rows[range]
            .iter()
            .map(|row| JsonRow {
                artifact: &row.artifact,
                worst: row.worst.map(|w| w.as_str()),
                cells: row
                    .cells
                    .iter()
                    .zip(&m.roles)
                    .filter(|(c, _)| !c.relation().is_empty())
                    .map(|(c, role)| JsonCell {
                        role,
                        relation: c.relation(),
                        state: c.state.as_str(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
