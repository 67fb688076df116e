//! The layers of `src/`, enforced: each top-level folder (or file) is a layer, and a layer may
//! name only the layers below it. The rules are those of ARCHITECTURE.md's "Code map":
//!
//! ```text
//!   cli ─┬─> tui, mcp          (the faces: argument parsing, the MCP server, the workbench)
//!        └─> engine, render, core, yaml, repo::write
//!   render ─> engine, core, yaml
//!   engine ─> repo, core, yaml
//!   repo   ─> core, yaml       (every git2 and file-system call)
//!   core   ─> yaml             (pure domain: no git2, files, terminal, watcher or threads)
//!   yaml                       (pure: text in, trees and text out)
//! ```
//!
//! The check reads the source as text: every `crate::<layer>` path names a dependency, and
//! a few crates and `std` modules are banned outright in the pure layers and the faces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each layer may name (besides itself).
fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "yaml" => &[],
        "core" => &["yaml"],
        "repo" => &["core", "yaml"],
        "engine" => &["repo", "core", "yaml"],
        "render" => &["engine", "core", "yaml"],
        "mcp" | "tui" => &["engine", "render", "core", "yaml", "repo::write"],
        "cli" => &[
            "engine",
            "render",
            "core",
            "yaml",
            "repo::write",
            "tui",
            "mcp",
        ],
        "lib" | "main" => &["*"],
        _ => &[],
    }
}

/// Text that must not appear in a layer's code (a crate or module it must not use).
fn banned(layer: &str) -> &'static [&'static str] {
    const PURE: &[&str] = &[
        "git2::",
        "std::fs",
        "fs::read",
        "notify::",
        "ratatui",
        "crossterm",
        "std::thread",
        "std::process",
        "std::env",
    ];
    match layer {
        "yaml" | "core" => PURE,
        "render" => &["git2::", "notify::", "ratatui"],
        "cli" | "mcp" | "tui" => &["git2"],
        _ => &[],
    }
}

/// The layer a source file belongs to: its folder under `src/`, or its name for a file.
fn layer_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without comments (doc comments name other layers freely) and without
/// its unit tests (which may read fixtures).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a` or `crate::a::b` named in `code`, as `a` and `a::b`.
fn named_layers(code: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let first: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let second: String = after[first.len()..]
            .strip_prefix("::")
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            })
            .unwrap_or_default();
        found.push((first, second));
        rest = after;
    }
    found
}

/// The violations in one file's code.
fn violations(layer: &str, code: &str) -> Vec<String> {
    let allowed = allowed(layer);
    let mut out = Vec::new();
    if !allowed.contains(&"*") {
        for (first, second) in named_layers(code) {
            let ok = first == layer
                || allowed.contains(&first.as_str())
                || allowed.contains(&format!("{first}::{second}").as_str());
            if !ok {
                out.push(format!("names crate::{first}::{second}"));
            }
        }
    }
    for ban in banned(layer) {
        if code.contains(ban) {
            out.push(format!("uses `{ban}`"));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_layer_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().to_path_buf();
        let layer = layer_of(&relative);
        let text = std::fs::read_to_string(&file).unwrap();
        let found = violations(&layer, &code_of(&text));
        if !found.is_empty() {
            problems.insert(relative.display().to_string(), found);
        }
    }
    assert!(
        problems.is_empty(),
        "layer rules broken (see ARCHITECTURE.md, Code map):\n{problems:#?}"
    );
}

#[test]
fn the_check_catches_a_face_using_git2_and_core_naming_repo() {
    assert_eq!(
        violations("tui", "use git2::Oid;\nuse crate::engine::Snapshot;"),
        ["uses `git2`"]
    );
    assert_eq!(
        violations("core", "use crate::repo::fence;\nuse crate::yaml::Node;"),
        ["names crate::repo::fence"]
    );
    assert_eq!(
        violations("core", "let bytes = std::fs::read(path);"),
        ["uses `fs::read`", "uses `std::fs`"]
    );
    assert_eq!(
        violations(
            "cli",
            "use crate::repo::write::sign;\nuse crate::repo::facts;"
        ),
        ["names crate::repo::facts"]
    );
    assert!(
        violations(
            "repo",
            &code_of("use crate::core::model::Index; // crate::tui")
        )
        .is_empty()
    );
}
