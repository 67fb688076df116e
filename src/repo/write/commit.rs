//! Commits of exactly the paths handoff changed, on the current branch.
//!
//! The new tree is HEAD's tree with those paths replaced by their working-copy content, so
//! the user's other modified or staged files never enter the commit. Afterwards the user's
//! index is updated for those paths only; everything they had staged stays staged.

use std::path::Path;

use git2::{ErrorCode, Index, ObjectType, Oid, Repository, Signature};

use crate::repo::identity::{self, Part};

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(
        "HEAD is detached: handoff commits only on a branch. Check out a branch (`git switch <branch>`) and try again"
    )]
    Detached,
    #[error(
        "HEAD moved from {expected} to {actual} since the data on screen was read: refresh and try again"
    )]
    HeadMoved { expected: String, actual: String },
    #[error(
        "the git index is locked ({0} exists): another git process is running. Wait for it to finish and retry; if none is running, remove the lock file yourself"
    )]
    IndexLocked(String),
    #[error(
        "the branch is locked ({0} exists): another git process is updating it. Wait for it to finish and retry; if none is running, remove the lock file yourself"
    )]
    BranchLocked(String),
    #[error(
        "`{0}` has staged changes that differ from the working copy: commit or unstage them first, so handoff does not commit a version you did not mean"
    )]
    PartlyStaged(String),
    #[error(
        "git has no user identity here: run `git config user.name \"Your Name\"` and `git config user.email you@example.com` in this repository"
    )]
    NoIdentity,
    #[error(
        "{what} is in progress: git allows no commit of some paths meanwhile, so handoff waits for it. Finish it ({finish}) or abort it ({abort}), then try again"
    )]
    InProgress {
        what: &'static str,
        finish: &'static str,
        abort: &'static str,
    },
    #[error(
        "`{link}` is a symbolic link{}: handoff writes `{path}` only at its own path, and committing it there would replace the link in the commit. Make `{link}` a directory of its own, or keep the file where the link points and not behind it",
        target.as_deref().map(|t| format!(" (to `{t}`)")).unwrap_or_default()
    )]
    ThroughLink {
        path: String,
        link: String,
        target: Option<String>,
    },
    #[error("{0}")]
    Signing(String),
    #[error(transparent)]
    Journal(#[from] super::journal::JournalError),
    #[error("nothing to commit: the files are already as in HEAD")]
    NothingToCommit,
    #[error("`{0}` cannot be committed: {1}")]
    BadPath(String, String),
    #[error(
        "the repository's `{hook}` hook refused the commit: {detail}\nFix what it reports and try again, or skip the hooks (`--no-verify`)"
    )]
    Hook { hook: String, detail: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

impl CommitError {
    /// Whether another process may have caused this for a moment (it moved the branch, or
    /// holds the index or branch lock), so that the same commit, rebuilt on the branch as it
    /// is now, may go through a little later.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(
            self,
            CommitError::HeadMoved { .. }
                | CommitError::IndexLocked(_)
                | CommitError::BranchLocked(_)
        )
    }
}

/// The author and committer of a commit made on the user's behalf, as git would resolve them
/// (see [`crate::repo::identity`]).
pub struct Who {
    pub author: Signature<'static>,
    pub committer: Signature<'static>,
}

impl Who {
    pub fn of(repo: &Repository) -> Result<Who, CommitError> {
        let config = crate::repo::open::config_of(repo).ok();
        let now = |part| -> Result<Signature<'static>, CommitError> {
            let id = identity::resolve(config.as_ref(), part);
            let email = id.email.map(|e| e.value).ok_or(CommitError::NoIdentity)?;
            // git refuses a commit without a name; a sign-off needs only the address.
            let name = id.name.map_or_else(|| email.clone(), |n| n.value);
            Ok(Signature::now(&name, &email)?)
        };
        Ok(Who {
            author: now(Part::Author)?,
            committer: now(Part::Committer)?,
        })
    }

    /// The author's e-mail: the person a sign-off is recorded for.
    pub fn email(&self) -> String {
        self.author.email().unwrap_or_default().to_string()
    }

    pub fn name(&self) -> String {
        self.author.name().unwrap_or_default().to_string()
    }
}

/// What the commit should contain and who makes it.
pub(crate) struct CommitRequest<'a> {
    /// Repository-relative paths, `/`-separated, whose working-copy state is committed (a
    /// path that no longer exists is removed).
    pub paths: &'a [String],
    pub message: &'a str,
    pub author: &'a Signature<'a>,
    pub committer: &'a Signature<'a>,
    /// The HEAD commit the change was computed against (`None`: an unborn branch). The
    /// commit is refused if HEAD is elsewhere now.
    pub expected_head: Option<Oid>,
}

/// The current branch's reference name and tip, refusing a detached HEAD.
fn current_branch(repo: &Repository) -> Result<(String, Option<Oid>), CommitError> {
    match repo.head() {
        Ok(head) if head.is_branch() => {
            let name = head.name().unwrap_or("HEAD").to_string();
            Ok((name, head.target()))
        }
        Ok(_) => Err(CommitError::Detached),
        Err(e) if e.code() == ErrorCode::UnbornBranch => {
            // The symbolic HEAD names the branch to be born.
            let target = repo
                .find_reference("HEAD")
                .ok()
                .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
                .unwrap_or_else(|| "refs/heads/main".to_string());
            Ok((target, None))
        }
        Err(e) => Err(e.into()),
    }
}

/// A file as git records it: the blob's id, the file mode and the size.
type Recorded = (Oid, u32, u64);

/// The working copy of `path` as a blob in the object database, with its git file mode;
/// `None` when the path does not exist.
fn stage_from_workdir(
    repo: &Repository,
    workdir: &Path,
    path: &str,
) -> Result<Option<Recorded>, CommitError> {
    let full = workdir.join(path);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CommitError::BadPath(path.to_string(), e.to_string())),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&full)
            .map_err(|e| CommitError::BadPath(path.to_string(), e.to_string()))?;
        let bytes = target.to_string_lossy().into_owned().into_bytes();
        let id = repo.blob(&bytes)?;
        return Ok(Some((id, 0o120000, bytes.len() as u64)));
    }
    if !meta.is_file() {
        return Err(CommitError::BadPath(
            path.to_string(),
            "not a regular file".into(),
        ));
    }
    #[cfg(unix)]
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    };
    #[cfg(not(unix))]
    let executable = false;
    let id = repo.blob_path(&full)?;
    Ok(Some((
        id,
        if executable { 0o100755 } else { 0o100644 },
        meta.len(),
    )))
}

/// Whether the repository's hooks run for a commit (see [`super::hooks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hooks {
    Run,
    Skip,
}

/// A commit that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub id: Oid,
    /// Set when the commit was made but the user's index could not be brought up to date for
    /// the committed paths: what happened and what to run.
    pub index_not_updated: Option<String>,
}

/// The checks that need nothing written: no `index.lock`, no merge (or other operation) in
/// progress, HEAD on a branch, and at the commit the change was computed against. Returns the
/// branch's reference name and tip.
pub(crate) fn preflight(
    repo: &Repository,
    expected_head: Option<Oid>,
) -> Result<(String, Option<Oid>), CommitError> {
    let lock = repo.path().join("index.lock");
    if lock.exists() {
        return Err(CommitError::IndexLocked(lock.display().to_string()));
    }
    refuse_operation_in_progress(repo)?;
    let (branch, tip) = current_branch(repo)?;
    if tip != expected_head {
        return Err(CommitError::HeadMoved {
            expected: expected_head.map_or("an unborn branch".into(), |o| o.to_string()),
            actual: tip.map_or("an unborn branch".into(), |o| o.to_string()),
        });
    }
    Ok((branch, tip))
}

/// git refuses a commit of selected paths while a merge, cherry-pick, revert or rebase is
/// under way; so does handoff, saying how to finish or abort it.
fn refuse_operation_in_progress(repo: &Repository) -> Result<(), CommitError> {
    use git2::RepositoryState as S;
    let (what, finish, abort) = match repo.state() {
        S::Clean | S::Bisect => return Ok(()),
        S::Merge => ("a merge", "`git commit`", "`git merge --abort`"),
        S::Revert | S::RevertSequence => (
            "a revert",
            "`git revert --continue`",
            "`git revert --abort`",
        ),
        S::CherryPick | S::CherryPickSequence => (
            "a cherry-pick",
            "`git cherry-pick --continue`",
            "`git cherry-pick --abort`",
        ),
        S::Rebase | S::RebaseInteractive | S::RebaseMerge => (
            "a rebase",
            "`git rebase --continue`",
            "`git rebase --abort`",
        ),
        S::ApplyMailbox | S::ApplyMailboxOrRebase => {
            ("a `git am`", "`git am --continue`", "`git am --abort`")
        }
    };
    Err(CommitError::InProgress {
        what,
        finish,
        abort,
    })
}

/// Refuses a path whose parent directories include a symbolic link, in the work tree or in
/// HEAD: the commit would hold the file at the link's path, replacing the link (and with it
/// every file it led to) in the tree.
pub(crate) fn refuse_through_links(repo: &Repository, repo_path: &str) -> Result<(), CommitError> {
    let workdir = repo.workdir().unwrap_or(repo.path());
    let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let parts: Vec<&str> = repo_path.split('/').collect();
    for depth in 1..parts.len() {
        let link = parts[..depth].join("/");
        let on_disk = workdir.join(&link);
        let is_link = on_disk
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        let in_head = head_tree
            .as_ref()
            .and_then(|t| t.get_path(Path::new(&link)).ok())
            .is_some_and(|e| e.kind() != Some(ObjectType::Tree));
        if is_link || in_head {
            return Err(CommitError::ThroughLink {
                path: repo_path.to_string(),
                link,
                target: std::fs::read_link(&on_disk)
                    .ok()
                    .map(|t| t.display().to_string()),
            });
        }
    }
    Ok(())
}

/// The tip of the current branch (`None` on an unborn branch); a detached HEAD is refused.
pub(crate) fn branch_tip(repo: &Repository) -> Result<Option<Oid>, CommitError> {
    current_branch(repo).map(|(_, tip)| tip)
}

/// Commits the working-copy state of `req.paths` on the current branch and returns the new
/// commit. The user's index keeps everything it had staged. Runs no hooks.
pub(crate) fn commit_paths(repo: &Repository, req: &CommitRequest) -> Result<Oid, CommitError> {
    commit_paths_with(repo, req, Hooks::Skip, None, None).map(|c| c.id)
}

/// One path of a commit: what HEAD has, what is committed.
struct PathChange<'a> {
    path: &'a str,
    head: Option<Oid>,
    new: Option<Recorded>,
}

/// [`commit_paths`], running the repository's `pre-commit` and `commit-msg` hooks when asked,
/// and recording the commit in `journal` (see [`super::journal`] for why the steps come in
/// this order). The branch and index it writes are marked in `own_writes`.
pub(crate) fn commit_paths_with(
    repo: &Repository,
    req: &CommitRequest,
    hooks: Hooks,
    journal: Option<&mut super::journal::Journal>,
    own_writes: Option<&super::own_writes::OwnWrites>,
) -> Result<Committed, CommitError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| CommitError::BadPath(".".into(), "the repository has no work tree".into()))?
        .to_path_buf();
    let (branch, tip) = preflight(repo, req.expected_head)?;
    let parent = tip.map(|t| repo.find_commit(t)).transpose()?;
    let base_tree = parent.as_ref().map(|p| p.tree()).transpose()?;

    // A first look at the user's index, fresh from disk (libgit2 caches it per Repository):
    // refuse early what the check under the lock would refuse anyway.
    let mut user_index = repo.index()?;
    user_index.read(true)?;

    let mut tree_index = Index::new()?;
    if let Some(tree) = &base_tree {
        tree_index.read_tree(tree)?;
    }
    let mut changes = Vec::new();
    for path in req.paths {
        refuse_through_links(repo, path)?;
        let head = base_tree
            .as_ref()
            .and_then(|t| t.get_path(Path::new(path)).ok())
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .map(|e| e.id());
        let new = stage_from_workdir(repo, &workdir, path)?;
        let staged = user_index.get_path(Path::new(path), 0).map(|e| e.id);
        if staged != head && staged != new.map(|(id, _, _)| id) {
            return Err(CommitError::PartlyStaged(path.clone()));
        }
        match new {
            Some((id, mode, size)) => {
                tree_index.add(&super::git_index::entry(path, id, mode, size, None))?
            }
            None => {
                let _ = tree_index.remove_path(Path::new(path));
            }
        }
        changes.push(PathChange { path, head, new });
    }
    let mut tree_id = tree_index.write_tree_to(repo)?;
    if base_tree.as_ref().is_some_and(|t| t.id() == tree_id) {
        return Err(CommitError::NothingToCommit);
    }
    let mut message = req.message.to_string();
    if hooks == Hooks::Run {
        (tree_id, message) = run_hooks(repo, tree_id, message)?;
    }
    let tree = repo.find_tree(tree_id)?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let commit = create_commit(repo, req, &message, &tree, &parents)?;
    if let Some(journal) = journal {
        journal.set_commit(commit)?;
    }

    // 1. The user's index with the committed entries, held in `index.lock`.
    let expected: Vec<[Option<Oid>; 2]> = changes
        .iter()
        .map(|c| [c.head, c.new.map(|(id, _, _)| id)])
        .collect();
    let entry_changes: Vec<super::git_index::EntryChange> = changes
        .iter()
        .zip(&expected)
        .map(|(c, expected)| super::git_index::EntryChange {
            path: c.path,
            expected,
            new: committed_entry(&tree, &workdir, c),
        })
        .collect();
    let prepared = match super::git_index::prepare(repo, &entry_changes) {
        Ok(prepared) => prepared,
        // Another commit got in first and staged its own version: that is the branch moving
        // (the caller may rebuild on it), not the user's staging.
        Err(CommitError::PartlyStaged(_)) if branch_moved(repo, &branch, tip) => {
            return Err(moved(repo, &branch, tip));
        }
        Err(e) => return Err(e),
    };
    // 2. The branch moves (refused if it moved meanwhile; the lock is then released).
    super::refs::update_branch(
        repo,
        &branch,
        tip,
        commit,
        req.committer,
        &message,
        own_writes,
    )?;
    // 3. The index takes effect. The commit is made: from here on a failure is reported.
    let index_not_updated = prepared.commit(own_writes).err().map(|e| {
        let paths: Vec<&str> = changes.iter().map(|c| c.path).collect();
        format!(
            "committed {}, but the git index could not be updated ({e}): run `git reset -q -- {}` to bring it up to date",
            &commit.to_string()[..8],
            paths.join(" ")
        )
    });
    Ok(Committed {
        id: commit,
        index_not_updated,
    })
}

/// The index entry for a committed path: the committed blob, with the work-tree file's stat
/// data when the file holds exactly that blob (a `pre-commit` hook may have committed another
/// version than the one on disk).
fn committed_entry(
    tree: &git2::Tree,
    workdir: &Path,
    change: &PathChange,
) -> Option<git2::IndexEntry> {
    let committed = tree
        .get_path(Path::new(change.path))
        .ok()
        .filter(|e| e.kind() == Some(ObjectType::Blob))?;
    let id = committed.id();
    let on_disk = change.new.filter(|(disk, _, _)| *disk == id);
    let full = workdir.join(change.path);
    Some(super::git_index::entry(
        change.path,
        id,
        committed.filemode() as u32,
        on_disk.map_or(0, |(_, _, size)| size),
        on_disk.map(|_| full.as_path()),
    ))
}

fn branch_moved(repo: &Repository, branch: &str, tip: Option<Oid>) -> bool {
    super::refs::read(repo, branch).is_ok_and(|now| now != tip)
}

fn moved(repo: &Repository, branch: &str, tip: Option<Oid>) -> CommitError {
    let now = super::refs::read(repo, branch).ok().flatten();
    CommitError::HeadMoved {
        expected: tip.map_or("an unborn branch".into(), |o| o.to_string()),
        actual: now.map_or("an unborn branch".into(), |o| o.to_string()),
    }
}

/// The commit object, signed when the repository's configuration asks for it; no reference
/// moves yet.
fn create_commit(
    repo: &Repository,
    req: &CommitRequest,
    message: &str,
    tree: &git2::Tree,
    parents: &[&git2::Commit],
) -> Result<Oid, CommitError> {
    match super::signing::configured(repo, req.committer)? {
        None => Ok(repo.commit(None, req.author, req.committer, message, tree, parents)?),
        Some(signer) => {
            let buffer =
                repo.commit_create_buffer(req.author, req.committer, message, tree, parents)?;
            let content = buffer
                .as_str()
                .map_err(|_| CommitError::Signing("the commit is not valid UTF-8".into()))?;
            let signature = signer.sign(content.as_bytes())?;
            Ok(repo.commit_signed(content, &signature, None)?)
        }
    }
}

/// Runs `pre-commit` and `commit-msg` against a temporary index holding the tree to commit;
/// returns the tree (as `pre-commit` left it) and the message (as `commit-msg` left it).
fn run_hooks(
    repo: &Repository,
    tree_id: Oid,
    message: String,
) -> Result<(Oid, String), CommitError> {
    let pre_commit = super::hooks::find(repo, "pre-commit");
    let commit_msg = super::hooks::find(repo, "commit-msg");
    if pre_commit.is_none() && commit_msg.is_none() {
        return Ok((tree_id, message));
    }
    let scratch = Scratch::new(repo)?;
    let mut index = Index::open(&scratch.index)?;
    index.read_tree(&repo.find_tree(tree_id)?)?;
    index.write()?;
    let mut tree_id = tree_id;
    if let Some(hook) = pre_commit {
        super::hooks::run(repo, &hook, "pre-commit", &[], &scratch.index)?;
        index.read(true)?;
        tree_id = index.write_tree_to(repo)?;
    }
    let mut message = message;
    if let Some(hook) = commit_msg {
        std::fs::write(&scratch.message, &message).map_err(|e| {
            CommitError::BadPath(scratch.message.display().to_string(), e.to_string())
        })?;
        super::hooks::run(
            repo,
            &hook,
            "commit-msg",
            &[&scratch.message],
            &scratch.index,
        )?;
        message = std::fs::read_to_string(&scratch.message).map_err(|e| {
            CommitError::BadPath(scratch.message.display().to_string(), e.to_string())
        })?;
        if message.trim().is_empty() {
            return Err(CommitError::Hook {
                hook: "commit-msg".into(),
                detail: "it left the commit message empty".into(),
            });
        }
    }
    Ok((tree_id, message))
}

/// Files the hooks work on, in handoff's scratch directory, removed when done.
struct Scratch {
    index: std::path::PathBuf,
    message: std::path::PathBuf,
}

impl Scratch {
    fn new(repo: &Repository) -> Result<Scratch, CommitError> {
        let dir = super::scratch::dir(repo);
        std::fs::create_dir_all(&dir)
            .map_err(|e| CommitError::BadPath(dir.display().to_string(), e.to_string()))?;
        Ok(Scratch {
            index: super::scratch::path(repo, "commit-index"),
            message: super::scratch::path(repo, "COMMIT_EDITMSG"),
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.index);
        let _ = std::fs::remove_file(&self.message);
    }
}

/// The message of a sign-off commit: a summary line a person reads in `git log`, and
/// trailers a script greps.
pub(crate) fn signoff_message(
    person: &str,
    action: crate::core::model::Action,
    artifact: &str,
    role: &str,
    note: Option<&str>,
) -> String {
    // Escape sequences in a name or a note would reach every terminal showing `git log`.
    let person = crate::core::text::sanitize(person);
    let mut message = format!("handoff: {person} {} {artifact} as {role}\n", action.verb());
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        message.push('\n');
        let lines: Vec<String> = note
            .trim()
            .lines()
            .map(crate::core::text::sanitize)
            .collect();
        message.push_str(&lines.join("\n"));
        message.push('\n');
    }
    message.push_str(&format!(
        "\nHandoff-Action: {action}\nHandoff-Artifact: {artifact}\nHandoff-Role: {role}\n"
    ));
    message
}
