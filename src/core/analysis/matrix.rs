//! The role × artifact ownership matrix: per cell, how the role relates to the artifact and
//! where that role's sign-off stands.

use std::ops::Range;

use super::Finding;
use crate::core::model::{Artifact, FindingCode, Index, Severity};

/// Where a role's sign-off on an artifact stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellState {
    /// The role has no relation to the artifact.
    Unrelated,
    /// The role's sign-off stands for the current content and upstream.
    Current,
    /// The role approved content that has changed since.
    ChangedSinceSignoff,
    /// The role's approval stands, but an upstream artifact changed since.
    UpstreamChanged,
    /// The role must sign (accept as owner, approve as reviewer) and never has.
    NeverSigned,
    /// The role relates to the artifact but its sign-off is not required (a consumer).
    NotRequired,
}

impl CellState {
    /// The states of a related role, in the order legends list them.
    pub(crate) const LEGEND: [CellState; 5] = [
        CellState::Current,
        CellState::ChangedSinceSignoff,
        CellState::UpstreamChanged,
        CellState::NeverSigned,
        CellState::NotRequired,
    ];
}

impl CellState {
    pub fn as_str(self) -> &'static str {
        match self {
            CellState::Unrelated => "unrelated",
            CellState::Current => "current",
            CellState::ChangedSinceSignoff => "changed-since-signoff",
            CellState::UpstreamChanged => "upstream-changed",
            CellState::NeverSigned => "never-signed",
            CellState::NotRequired => "not-required",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub owner: bool,
    /// The role's approval is required (a reviewer, or a sign-off role of the kind).
    pub signer: bool,
    pub consumer: bool,
    pub state: CellState,
}

impl Cell {
    /// The relation as one letter: O(wner), R(eviewer), C(onsumer), or a space.
    pub(crate) fn relation_letter(&self) -> char {
        if self.owner {
            'O'
        } else if self.signer {
            'R'
        } else if self.consumer {
            'C'
        } else {
            ' '
        }
    }

    /// The relations, spelled out: "owner", "owner+reviewer", "consumer", "".
    pub(crate) fn relation(&self) -> String {
        let mut parts = Vec::new();
        if self.owner {
            parts.push("owner");
        }
        if self.signer {
            parts.push("reviewer");
        }
        if self.consumer && !self.owner && !self.signer {
            parts.push("consumer");
        }
        parts.join("+")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub artifact: String,
    pub cells: Vec<Cell>,
    /// The artifact's most severe finding.
    pub worst: Option<Severity>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub roles: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

/// Builds the matrix from the findings, so a cell can never disagree with them, and from
/// each role's own standing record. `ranges[i]` is where the findings of the artifact at
/// position `i` sit in `findings`; `behind[i]` the roles whose own record predates an
/// upstream change.
pub(super) fn build(
    index: &Index,
    findings: &[Finding],
    ranges: &[Range<usize>],
    behind: &[Vec<String>],
) -> Matrix {
    let roles: Vec<String> = index.roles.iter().map(|r| r.id.clone()).collect();
    let rows = index
        .artifacts
        .iter()
        .zip(ranges)
        .zip(behind)
        .map(|((artifact, range), behind)| {
            build_row(index, artifact, &findings[range.clone()], behind)
        })
        .collect();
    Matrix { roles, rows }
}

/// One artifact's row, from its findings and the roles behind an upstream change. Each
/// role's cell is that role's own state: one role's acknowledgement never settles another's.
pub(super) fn build_row(
    index: &Index,
    artifact: &Artifact,
    mine: &[Finding],
    behind: &[String],
) -> MatrixRow {
    let has = |code: FindingCode, role: Option<&str>| {
        mine.iter().any(|f| {
            f.code == code
                && (role.is_none()
                    || f.role.as_deref() == role
                    || f.roles.iter().any(|r| Some(r.as_str()) == role))
        })
    };
    let upstream_changed = |role: &str| behind.iter().any(|r| r == role);
    let owner_unsigned =
        has(FindingCode::OwnerNotAccepted, None) || has(FindingCode::OwnerUnstaffed, None);
    let signers = index.required_signers(artifact);
    let cells = index
        .roles
        .iter()
        .map(|role| {
            let role = role.id.as_str();
            let owner = artifact.owner.as_deref() == Some(role);
            let signer = signers.iter().any(|s| s == role);
            let consumer = artifact.consumers.iter().any(|c| c == role);
            let state = if signer {
                if has(FindingCode::Unsigned, Some(role)) {
                    CellState::NeverSigned
                } else if has(FindingCode::ChangedSinceSignoff, Some(role)) {
                    CellState::ChangedSinceSignoff
                } else if upstream_changed(role)
                    || (owner && has(FindingCode::UpstreamChanged, None))
                {
                    CellState::UpstreamChanged
                } else {
                    CellState::Current
                }
            } else if owner {
                if owner_unsigned {
                    CellState::NeverSigned
                } else if upstream_changed(role) || has(FindingCode::UpstreamChanged, None) {
                    CellState::UpstreamChanged
                } else {
                    CellState::Current
                }
            } else if consumer {
                CellState::NotRequired
            } else {
                CellState::Unrelated
            };
            Cell {
                owner,
                signer,
                consumer,
                state,
            }
        })
        .collect();
    MatrixRow {
        artifact: artifact.id.clone(),
        cells,
        worst: mine.iter().map(|f| f.severity).max(),
    }
}
