//! The facts as they were at a past commit: each artifact read from that commit's tree (what
//! a clone reset to it would have in its work tree), its last change and last change of
//! content as `git log` run at that commit answers, the ledger files' history up to it, and
//! what HEAD's read also gives the contracts and the scorecard (schemas, `$ref`s, approved
//! content, CI configuration), all from that tree.
//!
//! Many points cost about one history walk, not one walk each: [`PastFacts`] keeps the
//! answers of the point it read last, and a walk from the next (newer) point ends every path's
//! chain as soon as it reaches that point (see [`super::history::KnownAt`]); the ledger's
//! history is likewise read only for the commits since the previous point. Read points oldest
//! first to get that saving; any order gives the same answers.

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use super::ci::scorecard_facts_in;
use super::content::{FollowMemo, Mechanical, content_changes_in};
use super::contract::Contracts;
use super::governed::{governed_changes_at, governed_matches_by};
use super::history::{KnownAt, PathSpec, walk_from};
use super::ledger_history::{ledger_history_at, ledger_history_between, removed_roles_at};
use super::treehash::{MODE_GITLINK, glob_fingerprint};
use super::{FactsError, Limits, path_spec};
use crate::core::analysis::links;
use crate::core::glob::{self, PathGlob};
use crate::core::model::{
    ArtifactFacts, ContentChange, ContentRules, ContractRequest, Document, DocumentLink, Facts,
    HeadInfo, History, LedgerHistory, Moved, Target,
};
use crate::repo::workspace::Workspace;

/// What to read at a past point, as that commit's index says it (the same as HEAD's read
/// asks: see [`super::FactsRequest`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct PastRequest<'a> {
    pub targets: &'a [(String, Target)],
    /// What counts as a change of content.
    pub rules: ContentRules,
    /// The `governs` entries of the artifacts that govern something, by artifact id.
    pub governs: &'a [(String, Vec<String>)],
    /// The paths the scorecard's `in-ci` rules name.
    pub ci_paths: &'a [String],
    /// What each artifact under a contract needs checked, by artifact id.
    pub contracts: &'a [(String, ContractRequest)],
    /// Whether to date the lines of `handoff.yaml` as committed then.
    pub index_lines: bool,
}

/// Reads the facts of past commits of one repository, reusing what the previous read found.
pub struct PastFacts<'r> {
    repo: &'r Repository,
    workspace: &'r Workspace,
    /// The last changes known at the point read last.
    histories: Option<(Oid, HashMap<PathSpec, History>)>,
    /// The ledger's history at the point read last.
    ledger: Option<(Oid, LedgerHistory)>,
    /// Commits walked for last changes so far (to show the saving in tests).
    commits_walked: usize,
    /// What following renames and mechanical commits found, by mechanical-commit limit (with
    /// the rules, read once): the points of one run share most last changes.
    follows: HashMap<Option<u32>, (Mechanical, FollowMemo)>,
}

impl<'r> PastFacts<'r> {
    pub fn new(repo: &'r Repository, workspace: &'r Workspace) -> Self {
        PastFacts {
            repo,
            workspace,
            histories: None,
            ledger: None,
            commits_walked: 0,
            follows: HashMap::new(),
        }
    }

    /// Commits whose trees the last-change walks compared, over every point read so far.
    pub fn commits_walked(&self) -> usize {
        self.commits_walked
    }

    /// The facts `request` asks for at `point`.
    pub fn facts_at(&mut self, point: Oid, request: &PastRequest) -> Result<Facts, FactsError> {
        let PastRequest {
            targets,
            rules,
            governs,
            ..
        } = *request;
        let tree = self
            .repo
            .find_commit(point)
            .and_then(|c| c.tree())
            .map_err(FactsError::git(format!("reading the tree of {point}")))?;
        let view = TreeView::new(self.repo, self.workspace, &tree);
        let mut facts = Facts {
            head: HeadInfo {
                branch: None,
                commit: Some(point.to_string()),
                detached: true,
                shallow: self.repo.is_shallow(),
            },
            ..Facts::default()
        };
        let contracts = Contracts::in_tree(self.repo, self.workspace, tree.id());
        let asked: HashMap<&str, &ContractRequest> = request
            .contracts
            .iter()
            .map(|(id, asked)| (id.as_str(), asked))
            .collect();
        for (id, target) in targets {
            let mut found = view.facts(target);
            if let Some(asked) = asked.get(id.as_str()) {
                found.contract = Some(contracts.check(asked, &found));
            }
            facts.artifacts.insert(id.clone(), found);
        }
        facts.scorecard = Some(scorecard_facts_in(
            self.repo,
            &tree,
            self.workspace,
            request.ci_paths,
        ));
        self.read_histories(point, &tree, targets, rules, &mut facts)?;
        facts.ledger_history = self.ledger_at(point)?;
        if request.index_lines {
            facts.index_lines = Some(super::index_lines::index_lines_at(
                self.repo,
                self.workspace,
                point,
            )?);
        }
        let changes = governed_changes_at(self.repo, self.workspace, governs, Some(point))?;
        for ((id, entries), (changes, truncated)) in governs.iter().zip(changes) {
            if let Some(f) = facts.artifacts.get_mut(id) {
                f.governed = Some(crate::core::model::GovernedFacts {
                    globs: governed_matches_by(&|t| view.facts(t), entries),
                    changes: Some(changes),
                    truncated,
                });
            }
        }
        Ok(facts)
    }

    /// Last changes and last changes of content at `point`, ending chains at the previous
    /// point's answers.
    fn read_histories(
        &mut self,
        point: Oid,
        tree: &Tree<'_>,
        targets: &[(String, Target)],
        rules: ContentRules,
        facts: &mut Facts,
    ) -> Result<(), FactsError> {
        let mut specs = Vec::new();
        let mut owners = Vec::new();
        for (id, target) in targets {
            if let Some(spec) = path_spec(self.workspace, target) {
                specs.push(spec);
                owners.push(id);
            }
        }
        let known: Vec<KnownAt> = self
            .histories
            .iter()
            .map(|(commit, answers)| KnownAt {
                commit: *commit,
                answers: specs.iter().map(|s| answers.get(s).cloned()).collect(),
            })
            .collect();
        let outcome = walk_from(self.repo, Some(point), &specs, &known, &mut |_, _| {})?;
        self.commits_walked += outcome.commits_visited;
        let repo = self.repo;
        let (mechanical, memo) = self
            .follows
            .entry(rules.mechanical_files)
            .or_insert_with(|| (Mechanical::read(repo, &rules), FollowMemo::new()));
        let found = content_changes_in(
            self.repo,
            &specs,
            &outcome.histories,
            mechanical,
            Some(tree),
            memo,
        )?;
        let local = |path: String| match path.strip_prefix(self.workspace.prefix.as_str()) {
            Some(rest) => rest.to_string(),
            None => path,
        };
        for ((id, history), found) in owners.iter().zip(&outcome.histories).zip(found) {
            if let Some(f) = facts.artifacts.get_mut(*id) {
                f.history = history.clone();
                f.content = found.change.map(|(change, path)| ContentChange {
                    change,
                    path: path.map(local),
                });
                f.moved = found.moved.map(|(path, commit)| Moved {
                    path: local(path),
                    commit,
                });
            }
        }
        let answers = specs.into_iter().zip(outcome.histories).collect();
        self.histories = Some((point, answers));
        Ok(())
    }

    /// The ledger's history at `point`, from the previous point's when that is an ancestor.
    fn ledger_at(&mut self, point: Oid) -> Result<LedgerHistory, FactsError> {
        let since_previous = match &self.ledger {
            Some((base, known))
                if *base == point
                    || self.repo.graph_descendant_of(point, *base).unwrap_or(false) =>
            {
                ledger_history_between(self.repo, self.workspace, Some(point), *base, known)?
            }
            _ => None,
        };
        let mut history = match since_previous {
            Some(history) => history,
            None => ledger_history_at(self.repo, self.workspace, Some(point))?,
        };
        history.removed_roles = Default::default();
        self.ledger = Some((point, history.clone()));
        history.removed_roles = removed_roles_at(self.repo, self.workspace, &history, point);
        Ok(history)
    }
}

/// One commit's tree as the work tree a clone reset to it would have.
struct TreeView<'a, 'r> {
    repo: &'r Repository,
    workspace: &'a Workspace,
    tree: &'a Tree<'r>,
    limits: Limits,
}

impl<'a, 'r> TreeView<'a, 'r> {
    fn new(repo: &'r Repository, workspace: &'a Workspace, tree: &'a Tree<'r>) -> Self {
        TreeView {
            repo,
            workspace,
            tree,
            limits: Limits::default(),
        }
    }

    fn facts(&self, target: &Target) -> ArtifactFacts {
        let mut facts = match target {
            Target::Url(_) => ArtifactFacts::default(),
            Target::Path(path) => self.path_facts(path),
            Target::Glob(pattern) => self.glob_facts(pattern),
        };
        facts.links = self.links(&facts.documents);
        facts
    }

    /// The entry at a workspace-relative path: (mode, id).
    fn entry(&self, relative: &str) -> Option<(u32, Oid)> {
        let repo_path = self.workspace.repo_path(relative);
        if repo_path.is_empty() {
            return Some((super::treehash::MODE_TREE, self.tree.id()));
        }
        let entry = self.tree.get_path(Path::new(&repo_path)).ok()?;
        Some((entry.filemode() as u32, entry.id()))
    }

    fn path_facts(&self, path: &str) -> ArtifactFacts {
        let relative = glob::normalize(path).trim_end_matches('/').to_string();
        let mut facts = ArtifactFacts::default();
        let Some((mode, id)) = self.entry(&relative) else {
            return facts;
        };
        facts.exists = true;
        facts.fingerprint = Some(id.to_string());
        if mode == MODE_GITLINK {
            facts.is_dir = true;
        } else if let Ok(dir) = self.repo.find_tree(id) {
            facts.is_dir = true;
            facts.documents.extend(self.readme(&dir, &relative));
        } else if mode != super::treehash::MODE_SYMLINK {
            facts.documents.push(Document {
                path: relative.clone(),
                text: self.text(id),
            });
        }
        facts
    }

    fn glob_facts(&self, pattern: &str) -> ArtifactFacts {
        let pattern = glob::normalize(pattern);
        let mut facts = ArtifactFacts::default();
        let Ok(glob) = PathGlob::new(pattern) else {
            return facts;
        };
        let mut matches = self.matches(&glob);
        matches.sort_by(|a, b| a.0.cmp(&b.0));
        facts.exists = !matches.is_empty();
        if facts.exists {
            let fingerprint = glob_fingerprint(&mut matches.clone()).unwrap_or(Oid::ZERO_SHA1);
            facts.fingerprint = Some(fingerprint.to_string());
        }
        for (path, mode, id) in matches.iter().take(self.limits.max_documents) {
            if *mode != super::treehash::MODE_SYMLINK {
                facts.documents.push(Document {
                    path: path.clone(),
                    text: self.text(*id),
                });
            }
        }
        facts.matches = matches.into_iter().map(|(path, _, _)| path).collect();
        facts
    }

    /// The files a glob matches, workspace-relative, with mode and id.
    fn matches(&self, glob: &PathGlob) -> Vec<(String, u32, Oid)> {
        let mut found = Vec::new();
        let literal = glob.literal_dir();
        let Some((_, dir_id)) = self.entry(literal) else {
            return found;
        };
        let Ok(dir) = self.repo.find_tree(dir_id) else {
            return found;
        };
        let base = if literal.is_empty() {
            String::new()
        } else {
            format!("{literal}/")
        };
        let _ = dir.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() != Some(ObjectType::Tree) {
                let path = format!(
                    "{base}{parent}{}",
                    String::from_utf8_lossy(entry.name_bytes())
                );
                if glob.is_match(&path) {
                    found.push((path, entry.filemode() as u32, entry.id()));
                }
            }
            git2::TreeWalkResult::Ok
        });
        found
    }

    /// A directory's `README.md` (any case, the exact spelling first), as the work tree reads it.
    fn readme(&self, dir: &Tree<'_>, relative_dir: &str) -> Option<Document> {
        let mut names: Vec<(String, Oid)> = dir
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .filter_map(|e| Some((e.name().ok()?.to_string(), e.id())))
            .filter(|(name, _)| name.eq_ignore_ascii_case("README.md"))
            .collect();
        names.sort_by_key(|(name, _)| (name != "README.md", name.clone()));
        let (name, id) = names.into_iter().next()?;
        let path = if relative_dir.is_empty() {
            name
        } else {
            format!("{relative_dir}/{name}")
        };
        Some(Document {
            path,
            text: self.text(id),
        })
    }

    fn text(&self, blob: Oid) -> Option<String> {
        let blob = self.repo.find_blob(blob).ok()?;
        if blob.size() as u64 > self.limits.max_document_bytes {
            return None;
        }
        String::from_utf8(blob.content().to_vec()).ok()
    }

    fn links(&self, documents: &[Document]) -> Vec<DocumentLink> {
        let mut out = Vec::new();
        for document in documents.iter().filter(|d| links::is_markdown(&d.path)) {
            let Some(text) = &document.text else { continue };
            for link in links::relative_links(&document.path, text) {
                let exists = self.entry(&link.target).is_some();
                out.push(DocumentLink {
                    document: document.path.clone(),
                    line: link.line,
                    written: link.written,
                    target: link.target,
                    exists,
                });
            }
        }
        out
    }
}
