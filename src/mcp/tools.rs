//! The tools of `handoff mcp`: what each takes (input schemas, written out), what each gives
//! (output schemas, derived from the answers' own types so they cannot drift apart), the check
//! of arguments against the input schema, and the answers.

use std::path::{Component, Path};
use std::sync::Arc;

use rmcp::model::ToolAnnotations;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};

use crate::core::analysis::Finding;
use crate::core::model::{FindingCode, Severity};
use crate::engine::Snapshot;

// No answer grows with the whole index: large ones come in pages, each built from typed data
// and serialised once. (Answering `list_findings` by parsing the whole check report into a
// `serde_json::Value` took 2 GB at 50,000 artifacts.)
/// Findings per `list_findings` answer unless `limit` asks for fewer; the most it gives.
const FINDINGS_PAGE: usize = 100;
const FINDINGS_PAGE_MAX: usize = 1_000;
/// Matrix rows per `get_matrix` answer unless `limit` asks for fewer; the most it gives.
const MATRIX_PAGE: usize = 1_000;
const MATRIX_PAGE_MAX: usize = 5_000;

/// A page of `list_findings`: its `structuredContent`, and the source of its output schema.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct FindingsPage<'a> {
    /// How many findings match, over all pages.
    count: usize,
    findings: Vec<crate::render::check::JsonFinding<'a>>,
    /// Pass it back as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// A page of `get_matrix`: the matrix's JSON with the rows of this page.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct MatrixPage<'a> {
    #[serde(flatten)]
    matrix: crate::render::matrix::JsonMatrix<'a>,
    /// How many rows the matrix has, over all pages.
    count: usize,
    /// Pass it back as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

fn schema(value: Value) -> Arc<JsonObject> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(JsonObject::new()),
    }
}

/// The `limit` and `cursor` properties of a paged tool.
fn page_properties(what: &str, default: usize, max: usize) -> [(String, Value); 2] {
    [
        (
            "limit".into(),
            json!({
                "type": "integer", "minimum": 1, "maximum": max,
                "description": format!("{what} per answer (default {default}).")
            }),
        ),
        (
            "cursor".into(),
            json!({
                "type": "string",
                "description": "The `next_cursor` of the previous answer, for the next page."
            }),
        ),
    ]
}

/// Every tool, as `tools/list` gives them.
pub(super) fn tools() -> Vec<Tool> {
    let codes: Vec<&str> = FindingCode::ALL.iter().map(|c| c.as_str()).collect();
    let read_only = ToolAnnotations::new().read_only(true);
    let mut findings_input = json!({
        "type": "object",
        "properties": {
            "severity": {
                "type": "string",
                "enum": ["error", "warning", "info"],
                "description": "The least severe level to include: `warning` gives errors and warnings."
            },
            "code": { "type": "string", "enum": codes, "description": "Only findings with this code." },
            "artifact": { "type": "string", "description": "Only findings about this artifact id." }
        },
        "additionalProperties": false
    });
    findings_input["properties"]
        .as_object_mut()
        .expect("properties are an object")
        .extend(page_properties(
            "Findings",
            FINDINGS_PAGE,
            FINDINGS_PAGE_MAX,
        ));
    let list = Tool::new(
        "list_findings",
        "The open findings of the handoff (gaps and stale items), each with its code, severity, \
         artifact, the role that must act, a message and a fix. Filters are optional. `count` is \
         how many match; they come in pages: pass `next_cursor` back as `cursor` for the next.",
        schema(findings_input),
    )
    .with_title("List the handoff's findings")
    .with_output_schema::<FindingsPage<'static>>()
    .with_annotations(read_only.clone());
    // Markdown for a person or a model to read: text content, so no output schema.
    let context = Tool::new(
        "get_context",
        "Everything to read before touching one artifact, as Markdown: what it is for, owner, \
         reviewers and consumers, the upstream chain with the relevant sections of each upstream \
         document, open findings with fixes, and the latest sign-offs.",
        schema(json!({
            "type": "object",
            "properties": {
                "artifact": { "type": "string", "description": "The artifact's id, as in handoff.yaml." }
            },
            "required": ["artifact"],
            "additionalProperties": false
        })),
    )
    .with_title("Get an artifact's context")
    .with_annotations(read_only.clone());
    let for_path = Tool::new(
        "context_for_path",
        "Everything to read before changing one file, as Markdown: the context page of every \
         artifact that governs it (owner, open findings, newest sign-offs and notes, the \
         relevant upstream sections).",
        schema(json!({
            "type": "object",
            "properties": {
                "path": { "type": "string", "description": "The file, relative to handoff.yaml's directory." }
            },
            "required": ["path"],
            "additionalProperties": false
        })),
    )
    .with_title("Get the context of a file")
    .with_annotations(read_only.clone());
    let matrix_input = json!({
        "type": "object",
        "properties": JsonObject::from_iter(page_properties("Rows", MATRIX_PAGE, MATRIX_PAGE_MAX)),
        "additionalProperties": false
    });
    let matrix = Tool::new(
        "get_matrix",
        "The role × artifact ownership matrix as JSON: per artifact and role, the relation \
         (owner, reviewer, consumer) and where that role's sign-off stands. `count` is the \
         number of rows; they come in pages: pass `next_cursor` back as `cursor` for the next.",
        schema(matrix_input),
    )
    .with_title("Get the ownership matrix")
    .with_output_schema::<MatrixPage<'static>>()
    .with_annotations(read_only.clone());
    let impact = Tool::new(
        "impact",
        "What a revision range (a pull request) means for the handoff, as `handoff impact \
         BASE..HEAD --format json`: the artifacts it changes, the governed code it touches and \
         which artifacts govern it, the sign-offs it records and invalidates, the findings it \
         opens and closes, and who must act before it merges (`to_do`, `must_act`).",
        schema(json!({
            "type": "object",
            "properties": {
                "range": {
                    "type": "string",
                    "description": "BASE..HEAD: two revisions (ids, branches, tags, HEAD~3), BASE an ancestor of HEAD."
                },
                "dir": {
                    "type": "string",
                    "description": "A handoff in a directory below the server's, relative to it (default: the server's)."
                }
            },
            "required": ["range"],
            "additionalProperties": false
        })),
    )
    .with_title("Get the impact of a revision range")
    .with_output_schema::<crate::render::impact::JsonImpact<'static>>()
    .with_annotations(read_only);
    vec![list, context, for_path, matrix, impact]
}

/// Why a tool gave no answer: said to the agent as the tool's error result.
#[derive(Debug, thiserror::Error)]
pub(super) enum ToolError {
    #[error("{}", match .0 {
        crate::engine::LoadError::Workspace(e) => crate::engine::describe(e),
        other => format!("error: {other}"),
    })]
    Load(#[from] crate::engine::LoadError),
    #[error("no artifact `{0}` in handoff.yaml")]
    NoArtifact(String),
    #[error("{0}")]
    BadArgument(String),
    #[error("{0}")]
    UnknownSeverity(#[from] crate::core::model::finding::UnknownSeverity),
    #[error("{0}")]
    UnknownCode(#[from] crate::core::model::finding::UnknownFindingCode),
    #[error("{0}")]
    Context(#[from] crate::render::context::ContextError),
    #[error("{0}")]
    Ungoverned(#[from] crate::render::context::UngovernedPath),
    #[error("{0}")]
    Impact(#[from] crate::engine::impact::ImpactError),
    #[error("cannot write the answer: {0}")]
    Json(#[from] serde_json::Error),
}

impl ToolError {
    pub(super) fn into_response(self) -> CallToolResponse {
        CallToolResult::error(vec![ContentBlock::text(self.to_string())]).into()
    }
}

/// Holds `args` to what `tool`'s input schema promises: no argument it does not name, every
/// one it requires, and a string where it wants one (the tool itself checks values: enums,
/// ranges, cursors).
pub(super) fn check_arguments(tool: &Tool, args: &JsonObject) -> Result<(), ToolError> {
    let empty = JsonObject::new();
    let properties = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let known = || {
        properties
            .keys()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(unknown) = args.keys().find(|k| !properties.contains_key(*k)) {
        let takes = match properties.len() {
            0 => "no arguments".to_string(),
            _ => format!("only {}", known()),
        };
        return Err(ToolError::BadArgument(format!(
            "`{}` is not an argument of {}: it takes {takes}",
            crate::core::text::sanitize(unknown),
            tool.name
        )));
    }
    let required = tool.input_schema.get("required").and_then(Value::as_array);
    for key in required.into_iter().flatten().filter_map(Value::as_str) {
        if !args.contains_key(key) {
            return Err(ToolError::BadArgument(format!("`{key}` is required")));
        }
    }
    for (key, value) in args {
        if properties[key]["type"] == "string" && !value.is_string() {
            return Err(ToolError::BadArgument(format!(
                "`{key}` must be a string, not {}",
                describe_value(value)
            )));
        }
    }
    Ok(())
}

/// A JSON value as an error message names it: short values in full, others by their kind.
fn describe_value(value: &Value) -> String {
    match value {
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

/// An optional text argument, after [`check_arguments`].
fn text_arg<'a>(args: &'a JsonObject, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

/// Where a page starts (`cursor`) and how long it is (`limit`, at most `max`).
fn page_args(args: &JsonObject, default: usize, max: usize) -> Result<(usize, usize), ToolError> {
    let offset = cursor_offset(text_arg(args, "cursor"))?;
    let limit = match args.get("limit") {
        None => default,
        Some(value) => match value.as_u64() {
            Some(n) if (1..=max as u64).contains(&n) => n as usize,
            _ => {
                return Err(ToolError::BadArgument(format!(
                    "`limit` must be a whole number from 1 to {max}, not {}",
                    describe_value(value)
                )));
            }
        },
    };
    Ok((offset, limit))
}

/// The position a cursor stands for. Cursors are what `next_cursor` (`nextCursor`) gave: a
/// position in the list, in decimal.
pub(super) fn cursor_offset(cursor: Option<&str>) -> Result<usize, ToolError> {
    match cursor {
        None => Ok(0),
        Some(c) => c.parse().map_err(|_| {
            ToolError::BadArgument(format!(
                "`cursor` must be a cursor an earlier answer gave (its `next_cursor`), not `{}`",
                crate::core::text::sanitize(c)
            ))
        }),
    }
}

/// The cursor of the page after one of `shown` items from `offset`, when items remain.
pub(super) fn next_cursor(offset: usize, shown: usize, count: usize) -> Option<String> {
    let next = offset.saturating_add(shown);
    (shown > 0 && next < count).then(|| next.to_string())
}

/// The answer of `list_findings` to checked `args`.
pub(super) fn list_findings(snapshot: &Snapshot, args: &JsonObject) -> Result<Value, ToolError> {
    let least: Option<Severity> = text_arg(args, "severity").map(str::parse).transpose()?;
    let code: Option<FindingCode> = text_arg(args, "code").map(str::parse).transpose()?;
    let artifact = text_arg(args, "artifact");
    let (offset, limit) = page_args(args, FINDINGS_PAGE, FINDINGS_PAGE_MAX)?;
    // Without an artifact, the handoff's own findings (`scorecard-unmet`) are listed too.
    let pool: Box<dyn Iterator<Item = &Finding>> = match artifact {
        Some(id) if snapshot.artifact(id).is_none() => {
            return Err(ToolError::NoArtifact(id.to_string()));
        }
        Some(id) => Box::new(snapshot.report.findings_of(id).iter()),
        None => Box::new(snapshot.report.all_findings()),
    };
    let mut count = 0;
    let mut findings = Vec::new();
    for f in
        pool.filter(|f| least.is_none_or(|l| f.severity >= l) && code.is_none_or(|c| f.code == c))
    {
        if count >= offset && findings.len() < limit {
            findings.push(crate::render::check::json_finding(f));
        }
        count += 1;
    }
    let page = FindingsPage {
        next_cursor: next_cursor(offset, findings.len(), count),
        count,
        findings,
    };
    Ok(serde_json::to_value(page)?)
}

/// The answer of `get_matrix` to checked `args`.
pub(super) fn get_matrix(snapshot: &Snapshot, args: &JsonObject) -> Result<Value, ToolError> {
    let (offset, limit) = page_args(args, MATRIX_PAGE, MATRIX_PAGE_MAX)?;
    let count = snapshot.report.matrix.rows.len();
    let range = offset.min(count)..offset.saturating_add(limit).min(count);
    let shown = range.len();
    let page = MatrixPage {
        matrix: crate::render::matrix::json_rows(snapshot, range),
        count,
        next_cursor: next_cursor(offset, shown, count),
    };
    Ok(serde_json::to_value(page)?)
}

/// The answer of `get_context` to checked `args`.
pub(super) fn get_context(snapshot: &Snapshot, args: &JsonObject) -> Result<String, ToolError> {
    let id = text_arg(args, "artifact").unwrap_or_default();
    Ok(crate::render::context::render(snapshot, id)?)
}

/// The answer of `context_for_path` to checked `args`.
pub(super) fn context_for_path(
    snapshot: &Snapshot,
    args: &JsonObject,
) -> Result<String, ToolError> {
    let path = text_arg(args, "path").unwrap_or_default();
    Ok(crate::render::context::render_for_path(snapshot, path)?)
}

/// The answer of `impact` to checked `args`, for a server serving `server_dir`: a `dir`
/// argument names a handoff below it, never one elsewhere on the machine.
pub(super) fn impact(server_dir: &Path, args: &JsonObject) -> Result<Value, ToolError> {
    let range = text_arg(args, "range").unwrap_or_default();
    let dir = match text_arg(args, "dir") {
        None => server_dir.to_path_buf(),
        Some(dir) => {
            let below = Path::new(dir)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if !below {
                return Err(ToolError::BadArgument(format!(
                    "`dir` must be a directory below the server's, relative to it, not `{}`",
                    crate::core::text::sanitize(dir)
                )));
            }
            server_dir.join(dir)
        }
    };
    let ws = crate::engine::locate(Some(&dir)).map_err(crate::engine::LoadError::Workspace)?;
    let impact = crate::engine::impact::impact(&ws, range)?;
    let doc = crate::render::impact::json_doc(&impact, Severity::Error);
    Ok(serde_json::to_value(doc)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    fn refusal(tool: &str, value: Value) -> String {
        let tool = tools().into_iter().find(|t| t.name == tool).unwrap();
        check_arguments(&tool, &args(value))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn arguments_the_input_schema_forbids_are_refused_by_name() {
        assert_eq!(
            refusal("get_context", json!({ "artifact": 5 })),
            "`artifact` must be a string, not 5"
        );
        assert_eq!(refusal("get_context", json!({})), "`artifact` is required");
        assert_eq!(
            refusal("list_findings", json!({ "cursor": null })),
            "`cursor` must be a string, not null"
        );
        assert_eq!(
            refusal("get_matrix", json!({ "rows": 3 })),
            "`rows` is not an argument of get_matrix: it takes only `cursor`, `limit`"
        );
        let tool = tools()
            .into_iter()
            .find(|t| t.name == "list_findings")
            .unwrap();
        check_arguments(&tool, &args(json!({ "severity": "info", "limit": 3 }))).unwrap();
    }

    #[test]
    fn impact_reads_no_handoff_outside_the_servers_directory() {
        for dir in ["/etc", "../other", "sub/../../other"] {
            let refused = impact(
                Path::new("/nonexistent"),
                &args(json!({ "range": "a..b", "dir": dir })),
            )
            .unwrap_err()
            .to_string();
            assert!(
                refused.starts_with("`dir` must be a directory below the server's"),
                "{refused}"
            );
        }
    }
}
