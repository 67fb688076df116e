//! Which artifacts a change of files reaches: the watcher names changed paths, and only the
//! work-tree facts of the artifacts they reach are read again.

use std::path::PathBuf;

use crate::core::model::{Index, Target};
use crate::repo::facts;
use crate::repo::workspace::Workspace;

/// The targets whose work-tree facts a change at `paths` (repository-relative) can change: a
/// path at or under one of them, or a directory above one of them renamed or removed whole
/// (the watcher names only the directory). Every match of a glob lies under its literal
/// leading directory, so a save elsewhere leaves the globs alone. A change in the directory
/// of a kind's schema (the schema, or a file its `$ref`s may name) reaches the kind's
/// artifacts: their documents are checked again.
pub(crate) fn reached_by(
    ws: &Workspace,
    index: &Index,
    paths: &[PathBuf],
) -> Vec<(String, Target)> {
    let changed: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let reaches = |path: &str| {
        !changed.is_empty() && path.is_empty()
            || changed.iter().any(|c| {
                c.strip_prefix(path)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                    || path
                        .strip_prefix(c.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    };
    let schema_changed = |kind: Option<&str>| {
        kind.and_then(|k| index.kind(k))
            .and_then(|k| k.schema.as_deref())
            .is_some_and(|schema| reaches(schema.rsplit_once('/').map_or("", |(dir, _)| dir)))
    };
    index
        .artifacts
        .iter()
        .filter(|a| match &a.target {
            Target::Path(p) => reaches(&ws.repo_path(p)) || schema_changed(a.kind.as_deref()),
            Target::Glob(pattern) => {
                reaches(&facts::glob_scope(ws, pattern)) || schema_changed(a.kind.as_deref())
            }
            Target::Url(_) => false,
        })
        .map(|a| (a.id.clone(), a.target.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(prefix: &str, changed: &[&str]) -> Vec<String> {
        let ws = Workspace {
            repo_root: PathBuf::from("/repo"),
            dir: PathBuf::from("/repo").join(prefix),
            prefix: prefix.to_string(),
            git_dir: PathBuf::from("/repo/.git"),
            common_dir: PathBuf::from("/repo/.git"),
        };
        let index = crate::core::model::load::load_index(
            "handoff.yaml",
            b"version: 1\nroles: {pm: {}}\nkinds: {doc: {schema: schemas/doc.schema.json}}\nartifacts:\n  - {id: prd, kind: doc, owner: pm, path: docs/prd.md}\n  - {id: flows, kind: doc, owner: pm, path: design/flows}\n  - {id: evals, kind: doc, owner: pm, path: evals/*.yaml}\n  - {id: anywhere, kind: doc, owner: pm, path: ./**/*.adr.md}\n  - {id: dash, kind: doc, owner: pm, url: https://example.com/d}\n",
        )
        .expect("the test index loads");
        let paths: Vec<PathBuf> = changed.iter().map(PathBuf::from).collect();
        reached_by(&ws, &index, &paths)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn a_save_reaches_its_file_and_the_globs_that_may_match_it() {
        assert_eq!(reached("", &["docs/prd.md"]), ["prd", "anywhere"]);
        assert_eq!(reached("", &["evals/new.yaml"]), ["evals", "anywhere"]);
        assert_eq!(
            reached("", &["design/flows/checkout.md"]),
            ["flows", "anywhere"]
        );
        assert!(reached("", &[]).is_empty());
    }

    #[test]
    fn a_change_beside_a_kind_schema_reaches_the_kind_artifacts() {
        assert_eq!(
            reached("", &["schemas/doc.schema.json"]),
            ["prd", "flows", "evals", "anywhere"]
        );
        assert_eq!(
            reached("", &["schemas/defs/model.json"]),
            ["prd", "flows", "evals", "anywhere"]
        );
        // Only the glob that may match anywhere is reached by a path outside the schemas.
        assert_eq!(reached("", &["other/doc.schema.json"]), ["anywhere"]);
    }

    #[test]
    fn a_directory_renamed_or_removed_whole_reaches_what_lies_under_it() {
        assert_eq!(reached("", &["docs"]), ["prd", "anywhere"]);
        assert_eq!(reached("", &["evals"]), ["evals", "anywhere"]);
    }

    #[test]
    fn paths_are_read_under_the_workspace_prefix() {
        assert_eq!(reached("team/", &["team/docs/prd.md"]), ["prd", "anywhere"]);
        assert_eq!(reached("team/", &["docs/prd.md"]), Vec::<String>::new());
        assert_eq!(reached("team/", &["team"]).len(), 4);
    }
}
