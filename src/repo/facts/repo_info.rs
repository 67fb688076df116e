//! Small questions about a workspace's repository, answered without handing out a repository:
//! the faces ask them and never hold a git2 value themselves.

use std::path::PathBuf;

use git2::{ObjectType, Oid, Repository};

use super::{head_info, open_repo};
use crate::core::model::HeadInfo;
use crate::repo::workspace::Workspace;

/// Where HEAD stands now; `None` when the repository cannot be opened.
pub fn read_head(ws: &Workspace) -> Option<HeadInfo> {
    open_repo(ws).ok().map(|repo| head_info(&repo))
}

/// The e-mail git would record as the author here (environment, `git -c`, configuration),
/// if any: the person whose roles "mine" means.
pub fn git_email(ws: &Workspace) -> Option<String> {
    let config = Repository::open(&ws.repo_root).ok()?.config().ok()?;
    crate::repo::identity::resolve(Some(&config), crate::repo::identity::Part::Author)
        .email
        .map(|e| e.value)
}

/// handoff's directory inside the git directory (`.git/handoff`): what is kept there never
/// shows in the work tree. Always known (an `Option` for the workbench, which runs without
/// one in tests).
pub fn handoff_git_dir(ws: &Workspace) -> Option<PathBuf> {
    Some(ws.git_dir.join("handoff"))
}

/// git's object id of `bytes` as a blob, in hex: a file's content as git names it.
pub fn blob_id(bytes: &[u8]) -> Option<String> {
    Oid::hash_object(ObjectType::Blob, bytes)
        .ok()
        .map(|oid| oid.to_string())
}
