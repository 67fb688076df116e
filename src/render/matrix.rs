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

#[derive(Serialize)]
pub(crate) struct JsonMatrix<'a> {
    roles: &'a [String],
    rows: Vec<JsonRow<'a>>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    artifact: &'a str,
    worst: Option<&'static str>,
    cells: Vec<JsonCell<'a>>,
}

#[derive(Serialize)]
struct JsonCell<'a> {
    role: &'a str,
    relation: String,
    state: &'static str,
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
