//! Contracts: an artifact's YAML, JSON and JSONL documents checked against its kind's JSON
//! Schema. Every failure is located at the failing value (the YAML layer keeps positions; JSON
//! is YAML); a schema that is missing, does not parse or is no JSON Schema, and a document that
//! does not parse, are issues too, never errors of the whole read.
//!
//! Files are read from the work tree (through the fence) or, for the handoff as of a past
//! commit, from that commit's tree. `$ref`s resolve to files of the same place only; a
//! reference that leaves it, or names the network, is a problem of the schema.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository};
use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value as Json;

use crate::core::model::{
    ArtifactFacts, ContractFacts, ContractIssue, ContractRequest, Document, Pos,
};
use crate::repo::fence::{self, Refused};
use crate::repo::workspace::Workspace;
use crate::yaml::{self, json::at_pointer, json::to_json};

const MIB: u64 = 1 << 20;
/// A schema file (or one it references) larger than this is refused.
const MAX_SCHEMA_BYTES: u64 = 4 * MIB;
/// A data file the work-tree reader left without text (over its 1 MiB) is read again here,
/// up to this size: an eval set's JSONL is often larger than a document.
const MAX_DATA_BYTES: u64 = 64 * MIB;
/// Failures listed per YAML or JSON document; the rest are counted.
const MAX_LISTED: usize = 20;
/// Failing lines of a JSONL file named in its one finding; the rest are counted.
const JSONL_SHOWN: usize = 5;
/// Messages quote failing values; long ones (a whole prompt) are cut.
const MESSAGE_CHARS: usize = 200;

/// Checks documents against schemas, compiling each schema once per read, and reads the
/// content approvals were given to.
pub(crate) struct Contracts<'a> {
    repo: &'a Repository,
    workspace: &'a Workspace,
    /// The commit tree every file is read from; `None`: the work tree.
    tree: Option<Oid>,
    compiled: RefCell<HashMap<String, Rc<Result<Validator, ContractIssue>>>>,
}

impl<'a> Contracts<'a> {
    pub(crate) fn new(repo: &'a Repository, workspace: &'a Workspace) -> Contracts<'a> {
        Contracts {
            repo,
            workspace,
            tree: None,
            compiled: RefCell::default(),
        }
    }

    /// Checks against a commit's tree (`tree` is its id) instead of the work tree.
    pub(crate) fn in_tree(
        repo: &'a Repository,
        workspace: &'a Workspace,
        tree: Oid,
    ) -> Contracts<'a> {
        Contracts {
            tree: Some(tree),
            ..Contracts::new(repo, workspace)
        }
    }

    /// A file at a repository-relative path, from the work tree or the commit's tree.
    fn read(&self, repo_path: &str, limit: u64) -> Result<Vec<u8>, Refused> {
        let root = &self.workspace.repo_root;
        match self.tree {
            None => fence::read_inside(root, &root.join(repo_path), limit),
            Some(tree) => read_in_tree(self.repo, tree, repo_path, limit),
        }
    }

    /// What an artifact's work-tree facts owe its contract.
    pub(crate) fn check(&self, asked: &ContractRequest, facts: &ArtifactFacts) -> ContractFacts {
        let issues = match &asked.schema {
            Some(schema) => self.check_schema(schema, &facts.documents),
            None => Vec::new(),
        };
        let approved = asked
            .approved
            .iter()
            .map(|fingerprint| (fingerprint.clone(), self.blob_text(fingerprint)))
            .collect();
        ContractFacts { issues, approved }
    }

    /// The text of a blob git has, within the size of a document.
    fn blob_text(&self, fingerprint: &str) -> Option<String> {
        let oid = Oid::from_str(fingerprint).ok()?;
        let odb = self.repo.odb().ok()?;
        let (size, kind) = odb.read_header(oid).ok()?;
        if kind != ObjectType::Blob || size as u64 > MAX_DATA_BYTES {
            return None;
        }
        let blob = self.repo.find_blob(oid).ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }

    /// What `documents` owe `schema` (a path relative to the index's directory).
    fn check_schema(&self, schema: &str, documents: &[Document]) -> Vec<ContractIssue> {
        let compiled = self.validator(schema);
        match &*compiled {
            Err(issue) => vec![issue.clone()],
            Ok(validator) => documents
                .iter()
                .flat_map(|document| self.check_document(validator, document))
                .collect(),
        }
    }

    fn validator(&self, schema: &str) -> Rc<Result<Validator, ContractIssue>> {
        if let Some(found) = self.compiled.borrow().get(schema) {
            return found.clone();
        }
        let compiled = Rc::new(self.compile(schema));
        self.compiled
            .borrow_mut()
            .insert(schema.to_string(), compiled.clone());
        compiled
    }

    fn compile(&self, schema: &str) -> Result<Validator, ContractIssue> {
        let root = &self.workspace.repo_root;
        let abs = root.join(self.workspace.repo_path(schema));
        let shown = schema.to_string();
        let text = match self.read(&self.workspace.repo_path(schema), MAX_SCHEMA_BYTES) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| ContractIssue {
                at: Some((shown.clone(), Pos::new(1, 1, 0))),
                message: format!("the schema `{schema}` is not UTF-8 text"),
            })?,
            Err(Refused::Missing) => {
                return Err(ContractIssue {
                    at: None,
                    message: format!("the schema `{schema}` does not exist"),
                });
            }
            Err(refused) => {
                return Err(ContractIssue {
                    at: None,
                    message: format!("the schema `{schema}` cannot be read: {refused}"),
                });
            }
        };
        let (value, tree) = parse_schema(&text).map_err(|(pos, problem)| ContractIssue {
            at: Some((shown.clone(), pos)),
            message: format!("the schema `{schema}` does not parse: {problem}"),
        })?;
        jsonschema::options()
            .with_base_uri(file_uri(&abs))
            .with_retriever(RepoFiles {
                root: root.clone(),
                tree: self.tree.map(|tree| (self.repo.path().to_path_buf(), tree)),
            })
            .build(&value)
            .map_err(|error| {
                let pos = tree
                    .as_ref()
                    .map(|tree| at_pointer(tree, error.instance_path.as_str()).span.start)
                    .unwrap_or(Pos::new(1, 1, 0));
                ContractIssue {
                    at: Some((shown, pos)),
                    message: format!(
                        "the schema `{schema}` is not a usable JSON Schema: {}",
                        cut(&error.to_string())
                    ),
                }
            })
    }

    fn check_document(&self, validator: &Validator, document: &Document) -> Vec<ContractIssue> {
        let Some(format) = Format::of(&document.path) else {
            return Vec::new();
        };
        let text = match self.text_of(document) {
            Ok(text) => text,
            Err(problem) => {
                return vec![ContractIssue {
                    at: Some((document.path.clone(), Pos::new(1, 1, 0))),
                    message: format!(
                        "`{}` cannot be checked against the schema: {problem}",
                        document.path
                    ),
                }];
            }
        };
        match format {
            Format::Lines => check_lines(validator, &document.path, &text)
                .into_iter()
                .collect(),
            Format::Json | Format::Yaml => check_tree(validator, &document.path, &text, format),
        }
    }

    fn text_of(&self, document: &Document) -> Result<String, String> {
        if let Some(text) = &document.text {
            return Ok(text.clone());
        }
        let bytes = self
            .read(&self.workspace.repo_path(&document.path), MAX_DATA_BYTES)
            .map_err(|refused| refused.to_string())?;
        String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
    /// JSON Lines: one document per line.
    Lines,
}

impl Format {
    fn of(path: &str) -> Option<Format> {
        let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Lines),
            _ => None,
        }
    }
}

/// One YAML or JSON document: each failure at the node the failing value is written at.
fn check_tree(validator: &Validator, path: &str, text: &str, format: Format) -> Vec<ContractIssue> {
    let at = |pos: Pos| Some((path.to_string(), pos));
    let tree = match yaml::parse(text) {
        Ok(tree) => tree,
        Err(error) => {
            // JSON the YAML parser refuses (a rare escape) is still JSON: check it, unlocated.
            if format == Format::Json
                && let Ok(value) = serde_json::from_str::<Json>(text)
            {
                return failures(validator, &value)
                    .map(|(_, message)| ContractIssue {
                        at: at(Pos::new(1, 1, 0)),
                        message: format!("`{path}`: {message}"),
                    })
                    .collect();
            }
            return vec![ContractIssue {
                at: at(error.pos),
                message: format!("`{path}` does not parse: {}", error.message),
            }];
        }
    };
    let value = tree.as_ref().map(to_json).unwrap_or(Json::Null);
    let mut issues: Vec<ContractIssue> = Vec::new();
    let mut count = 0;
    for (pointer, message) in failures(validator, &value) {
        count += 1;
        if issues.len() == MAX_LISTED {
            continue;
        }
        let pos = tree
            .as_ref()
            .map(|tree| at_pointer(tree, &pointer).span.start)
            .unwrap_or(Pos::new(1, 1, 0));
        issues.push(ContractIssue {
            at: at(pos),
            message: format!("`{path}`{}: {message}", where_in(&pointer)),
        });
    }
    if count > MAX_LISTED
        && let Some(last) = issues.last_mut()
    {
        last.message.push_str(&format!(
            " ({} more failures not listed)",
            count - MAX_LISTED
        ));
    }
    issues
}

/// A JSONL file: every line checked, one issue naming the first few failing lines and the count.
fn check_lines(validator: &Validator, path: &str, text: &str) -> Option<ContractIssue> {
    let mut shown: Vec<(Pos, String)> = Vec::new();
    let mut failing = 0usize;
    let mut lines = 0usize;
    let mut offset = 0usize;
    for (number, line) in text.split('\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        let failure = match serde_json::from_str::<Json>(line) {
            Err(error) => Some((error.column(), format!("not JSON: {error}"))),
            Ok(value) => failures(validator, &value)
                .next()
                .map(|(pointer, message)| {
                    let place = if pointer.is_empty() {
                        String::new()
                    } else {
                        format!("`{pointer}`: ")
                    };
                    (column_of(line, &pointer), format!("{place}{message}"))
                }),
        };
        let Some((column, message)) = failure else {
            continue;
        };
        failing += 1;
        if shown.len() < JSONL_SHOWN {
            let column = column.max(1);
            shown.push((Pos::new(number + 1, column, start + column - 1), message));
        }
    }
    let first = shown.first()?.0;
    let listed = shown
        .iter()
        .map(|(pos, message)| format!("line {}: {message}", pos.line))
        .collect::<Vec<_>>()
        .join("; ");
    Some(ContractIssue {
        at: Some((path.to_string(), first)),
        message: format!(
            "`{path}`: {failing} of {lines} line{} fail{} the schema; {listed}{}",
            if lines == 1 { "" } else { "s" },
            if failing == 1 { "s" } else { "" },
            if failing > shown.len() { "; ..." } else { "" }
        ),
    })
}

/// The column of the value a pointer names in a one-line JSON document.
fn column_of(line: &str, pointer: &str) -> usize {
    match yaml::parse(line) {
        Ok(Some(tree)) => at_pointer(&tree, pointer).span.start.col,
        _ => 1,
    }
}

/// Each failure of `value`: the JSON pointer of the failing value and what is wrong.
fn failures<'v>(
    validator: &'v Validator,
    value: &'v Json,
) -> impl Iterator<Item = (String, String)> + 'v {
    validator.iter_errors(value).map(|error| {
        (
            error.instance_path.as_str().to_string(),
            cut(&error.to_string()),
        )
    })
}

fn where_in(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!(" at `{pointer}`")
    }
}

fn cut(message: &str) -> String {
    let message = message.replace('\n', " ");
    match message.char_indices().nth(MESSAGE_CHARS) {
        Some((at, _)) => format!("{}...", &message[..at]),
        None => message,
    }
}

/// A schema as JSON, with its YAML tree to locate problems by (absent when only the JSON
/// parser read it). Schemas may be written in YAML too.
fn parse_schema(text: &str) -> Result<(Json, Option<yaml::Node>), (Pos, String)> {
    let tree = yaml::parse(text);
    match serde_json::from_str::<Json>(text) {
        Ok(value) => Ok((value, tree.ok().flatten())),
        Err(json_error) => match tree {
            Ok(Some(tree)) if !text.trim_start().starts_with('{') => {
                Ok((to_json(&tree), Some(tree)))
            }
            _ => Err((
                Pos::new(json_error.line().max(1), json_error.column().max(1), 0),
                json_error.to_string(),
            )),
        },
    }
}

/// Where `$ref`s lead: files of the work tree, read through the fence, or of the commit's
/// tree (its repository's git directory and the tree's id). Nothing else.
struct RepoFiles {
    root: PathBuf,
    tree: Option<(PathBuf, Oid)>,
}

impl RepoFiles {
    fn read(&self, path: &Path) -> Result<Vec<u8>, Refused> {
        let Some((git_dir, tree)) = &self.tree else {
            return fence::read_inside(&self.root, path, MAX_SCHEMA_BYTES);
        };
        let relative = path
            .strip_prefix(&self.root)
            .map_err(|_| Refused::Outside)?;
        let relative = relative.to_string_lossy().replace('\\', "/");
        // The validator asks from threads of its own: a handle of its own, opened per file.
        let repo = Repository::open(git_dir).map_err(|e| Refused::Io(e.message().to_string()))?;
        read_in_tree(&repo, *tree, &relative, MAX_SCHEMA_BYTES)
    }
}

/// The blob at a repository-relative path of a tree, as the work tree of a clone reset to
/// it would read it (a symbolic link is not followed).
fn read_in_tree(repo: &Repository, tree: Oid, path: &str, limit: u64) -> Result<Vec<u8>, Refused> {
    let io = |e: git2::Error| Refused::Io(e.message().to_string());
    let tree = repo.find_tree(tree).map_err(io)?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Err(Refused::Missing),
        Err(e) => return Err(io(e)),
    };
    match entry.kind() {
        Some(ObjectType::Blob) if entry.filemode() as u32 == super::treehash::MODE_SYMLINK => {
            return Err(Refused::NotRegular("a symbolic link"));
        }
        Some(ObjectType::Blob) => {}
        Some(ObjectType::Tree) => return Err(Refused::NotRegular("a directory")),
        _ => return Err(Refused::NotRegular("a submodule")),
    }
    let blob = repo.find_blob(entry.id()).map_err(io)?;
    let size = blob.size() as u64;
    if size > limit {
        return Err(Refused::TooLarge { size, limit });
    }
    Ok(blob.content().to_vec())
}

impl Retrieve for RepoFiles {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() != "file" {
            return Err(format!(
                "`{uri}` is not a file of the repository (handoff does not fetch schemas over the network)"
            )
            .into());
        }
        let path = PathBuf::from(percent_decode(uri.path().as_str()));
        let shown = path
            .strip_prefix(&self.root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let bytes = self
            .read(&path)
            .map_err(|refused| format!("the referenced schema `{shown}`: {refused}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the referenced schema `{shown}` is not UTF-8 text"))?;
        parse_schema(&text)
            .map(|(value, _)| value)
            .map_err(|(pos, problem)| {
                format!(
                    "the referenced schema `{shown}` does not parse at {}:{}: {problem}",
                    pos.line, pos.col
                )
                .into()
            })
    }
}

/// `file://` and the path, each byte outside the unreserved set and `/` percent-encoded.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    let text = path.to_string_lossy();
    if !text.starts_with('/') {
        // A Windows path: `file:///C:/...`.
        uri.push('/');
    }
    for byte in text.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8_lossy(&out).into_owned();
    // `/C:/x` on Windows is `C:/x`.
    match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => decoded[1..].to_string(),
        _ => decoded,
    }
}
