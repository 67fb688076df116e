//! Where HEAD stands.

use git2::{ErrorCode, Repository};

use crate::core::model::HeadInfo;

/// The branch and commit HEAD points to. Works on an unborn branch (no commit yet: the branch
/// is named, the commit is `None`) and on a detached HEAD (no branch).
pub fn head_info(repo: &Repository) -> HeadInfo {
    let shallow = repo.is_shallow();
    let detached = repo.head_detached().unwrap_or(false);
    match repo.head() {
        Ok(head) => HeadInfo {
            branch: if !detached && head.is_branch() {
                head.shorthand().ok().map(str::to_string)
            } else {
                None
            },
            commit: head.peel_to_commit().ok().map(|c| c.id().to_string()),
            detached,
            shallow,
        },
        Err(e) if e.code() == ErrorCode::UnbornBranch => HeadInfo {
            branch: unborn_branch(repo),
            commit: None,
            detached: false,
            shallow,
        },
        Err(_) => HeadInfo {
            detached,
            shallow,
            ..HeadInfo::default()
        },
    }
}

/// The branch an unborn HEAD names (`main` for `ref: refs/heads/main`).
fn unborn_branch(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    let target = head.symbolic_target().ok()??;
    Some(
        target
            .strip_prefix("refs/heads/")
            .unwrap_or(target)
            .to_string(),
    )
}
