//! The change behind a finding: which sign-off it is measured from (the analysis decides)
//! and the files that differ since (read from git and the work tree).

use crate::core::analysis::diff_basis::{DiffBasisError, diff_bases};
use crate::core::content_diff::{ArtifactDiff, DiffSection};
pub use crate::repo::content_diff::ContentDiffError;
use crate::repo::content_diff::content_diff;

use super::{Snapshot, Workspace};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Basis(#[from] DiffBasisError),
    #[error(transparent)]
    Content(#[from] ContentDiffError),
}

/// The diff of `artifact` since the sign-offs its `changed-since-signoff` and
/// `upstream-changed` findings are measured from; with `role`, since that role's.
pub fn artifact_diff(
    ws: &Workspace,
    snap: &Snapshot,
    artifact: &str,
    role: Option<&str>,
) -> Result<ArtifactDiff, DiffError> {
    let bases = diff_bases(
        &snap.index,
        &snap.ledger,
        &snap.facts,
        snap.now,
        artifact,
        role,
    )?;
    let mut sections = Vec::with_capacity(bases.len());
    for basis in bases {
        let files = content_diff(ws, &basis)?;
        sections.push(DiffSection {
            cause: basis.cause,
            artifact: basis.artifact,
            path: basis.path,
            from: basis.from,
            to: basis.to,
            files,
        });
    }
    Ok(ArtifactDiff {
        artifact: artifact.to_string(),
        sections,
    })
}
