//! The handoff's domain as plain values: the index (`handoff.yaml`), the sign-off ledger,
//! the facts read from git, and the finding vocabulary. Nothing here touches git, the
//! terminal or the file system except the loaders, which take text and return values.

pub(crate) mod duration;
pub mod facts;
pub mod finding;
pub mod handles;
pub mod index;
pub mod ledger;
pub mod ledger_history;
pub mod load;
pub mod location;
pub mod mailmap;
pub mod review_points;
pub mod schema;
pub mod scorecard;

pub use duration::{DriftThreshold, Duration};
pub use facts::{
    ArtifactFacts, ContentChange, ContentRules, ContractFacts, ContractIssue, Document,
    DocumentLink, Facts, GovernedFacts, HeadInfo, History, IndexLines, LastChange, Moved,
    ScorecardFacts,
};
pub use finding::{FindingCode, Severity};
pub use handles::{Directory, Handle, is_handle};
pub(crate) use index::INDEX_FILE;
pub use index::{Artifact, ContractRequest, Index, Kind, Role, Status, Target};
pub use ledger::{Action, Ledger, LedgerProblem, SignOff};
pub use ledger_history::LedgerHistory;
pub use location::{LoadError, LoadErrors, Pos};
pub use mailmap::Mailmap;
pub use review_points::{REVIEWS_FILE, ReviewPoint};
pub use scorecard::{Allocation, GovernsCondition, RuleCheck, ScorecardRule};
