//! Commits of exactly the paths handoff changed, on the current branch.
//!
//! The new tree is HEAD's tree with those paths replaced by their working-copy content, so
//! the user's other modified or staged files never enter the commit. Afterwards the user's
//! index is updated for those paths only; everything they had staged stays staged.

use std::path::Path;

use git2::{ErrorCode, Index, IndexEntry, IndexTime, ObjectType, Oid, Repository, Signature};

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
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CommitError::HeadMoved { .. }
                | CommitError::IndexLocked(_)
                | CommitError::BranchLocked(_)
        )
    }
}

/// The author and committer for a commit made on the user's behalf: git config, or the
/// `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` environment.
pub fn identity(repo: &Repository) -> Result<Signature<'static>, CommitError> {
    if let Ok(sig) = repo.signature() {
        return Ok(sig.to_owned());
    }
    let name = std::env::var("GIT_AUTHOR_NAME").ok();
    let email = std::env::var("GIT_AUTHOR_EMAIL")
        .or_else(|_| std::env::var("EMAIL"))
        .ok();
    match (name, email) {
        (Some(n), Some(e)) if !n.is_empty() && !e.is_empty() => Ok(Signature::now(&n, &e)?),
        _ => Err(CommitError::NoIdentity),
    }
}

/// What the commit should contain and who makes it.
pub struct CommitRequest<'a> {
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

fn entry_for(path: &str, id: Oid, mode: u32, size: u64) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: size as u32,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
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

/// The checks that need nothing written: no `index.lock`, HEAD on a branch, and at the commit
/// the change was computed against. Returns the branch's reference name and tip.
pub fn preflight(
    repo: &Repository,
    expected_head: Option<Oid>,
) -> Result<(String, Option<Oid>), CommitError> {
    let lock = repo.path().join("index.lock");
    if lock.exists() {
        return Err(CommitError::IndexLocked(lock.display().to_string()));
    }
    let (branch, tip) = current_branch(repo)?;
    if tip != expected_head {
        return Err(CommitError::HeadMoved {
            expected: expected_head.map_or("an unborn branch".into(), |o| o.to_string()),
            actual: tip.map_or("an unborn branch".into(), |o| o.to_string()),
        });
    }
    Ok((branch, tip))
}

/// The tip of the current branch (`None` on an unborn branch); a detached HEAD is refused.
pub fn branch_tip(repo: &Repository) -> Result<Option<Oid>, CommitError> {
    current_branch(repo).map(|(_, tip)| tip)
}

/// Commits the working-copy state of `req.paths` on the current branch and returns the new
/// commit. The user's index keeps everything it had staged. Runs no hooks.
pub fn commit_paths(repo: &Repository, req: &CommitRequest) -> Result<Oid, CommitError> {
    commit_paths_with(repo, req, Hooks::Skip).map(|c| c.id)
}

/// [`commit_paths`], running the repository's `pre-commit` and `commit-msg` hooks when asked.
pub fn commit_paths_with(
    repo: &Repository,
    req: &CommitRequest,
    hooks: Hooks,
) -> Result<Committed, CommitError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| CommitError::BadPath(".".into(), "the repository has no work tree".into()))?
        .to_path_buf();
    let (branch, tip) = preflight(repo, req.expected_head)?;
    let parent = tip.map(|t| repo.find_commit(t)).transpose()?;
    let base_tree = parent.as_ref().map(|p| p.tree()).transpose()?;

    // The user's index, fresh from disk: libgit2 caches it per Repository.
    let mut user_index = repo.index()?;
    user_index.read(true)?;

    let mut tree_index = Index::new()?;
    if let Some(tree) = &base_tree {
        tree_index.read_tree(tree)?;
    }
    let mut staged = Vec::new();
    for path in req.paths {
        let head_id = base_tree
            .as_ref()
            .and_then(|t| t.get_path(Path::new(path)).ok())
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .map(|e| e.id());
        let new = stage_from_workdir(repo, &workdir, path)?;
        let user_id = user_index.get_path(Path::new(path), 0).map(|e| e.id);
        let new_id = new.map(|(id, _, _)| id);
        if user_id != head_id && user_id != new_id {
            return Err(CommitError::PartlyStaged(path.clone()));
        }
        match new {
            Some((id, mode, size)) => tree_index.add(&entry_for(path, id, mode, size))?,
            None => {
                let _ = tree_index.remove_path(Path::new(path));
            }
        }
        staged.push((path, new));
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
    // Updating the branch ref (not "HEAD") lets libgit2 refuse if it moved meanwhile.
    let commit = repo
        .commit(
            Some(&branch),
            req.author,
            req.committer,
            &message,
            &tree,
            &parents,
        )
        .map_err(|e| match e.code() {
            // Another process committed between the checks above and this commit.
            ErrorCode::Modified => CommitError::HeadMoved {
                expected: tip.map_or("an unborn branch".into(), |o| o.to_string()),
                actual: branch_tip(repo)
                    .ok()
                    .flatten()
                    .map_or("another commit".into(), |o| o.to_string()),
            },
            // The branch's `.lock` file is held by another git process (or left by one that
            // was killed).
            ErrorCode::Locked => CommitError::BranchLocked(
                repo.commondir()
                    .join(format!("{branch}.lock"))
                    .display()
                    .to_string(),
            ),
            _ => e.into(),
        })?;
    super::own_writes::mark_current(&repo.commondir().join(&branch));

    // The commit is made: from here on a failure is reported, never undone.
    let index_not_updated = update_user_index(&mut user_index, &staged)
        .err()
        .map(|e| {
            let paths: Vec<&str> = staged.iter().map(|(p, _)| p.as_str()).collect();
            format!(
                "committed {}, but the git index could not be updated ({}): run `git reset -q -- {}` to bring it up to date",
                &commit.to_string()[..8],
                e.message(),
                paths.join(" ")
            )
        });
    if let Some(path) = user_index.path() {
        super::own_writes::mark_current(path);
    }
    Ok(Committed {
        id: commit,
        index_not_updated,
    })
}

/// How long the user's index may be locked by another git process before handoff gives up
/// updating it (the commit is made either way; the message says what to run).
const INDEX_UPDATE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// Records the committed paths in the user's index, leaving every other entry as it was.
///
/// The index is read again just before it is changed: another process (a `git add` in
/// another terminal, a concurrent `git commit`) may have changed it since the commit began,
/// and writing back the copy read then would undo what it staged. While another process holds
/// `index.lock`, this waits for it, briefly.
fn update_user_index(
    user_index: &mut Index,
    staged: &[(&String, Option<Recorded>)],
) -> Result<(), git2::Error> {
    let mut patience = super::patience::Patience::new(INDEX_UPDATE_PATIENCE);
    loop {
        user_index.read(true)?;
        for (path, new) in staged {
            match new {
                Some(_) => user_index.add_path(Path::new(path.as_str()))?,
                None => {
                    let _ = user_index.remove_path(Path::new(path.as_str()));
                }
            }
        }
        match user_index.write() {
            Err(e) if e.code() == ErrorCode::Locked && patience.wait() => {}
            result => return result,
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

/// Files the hooks work on, under `.git/handoff/`, removed when done.
struct Scratch {
    index: std::path::PathBuf,
    message: std::path::PathBuf,
}

impl Scratch {
    fn new(repo: &Repository) -> Result<Scratch, CommitError> {
        let dir = repo.path().join("handoff");
        std::fs::create_dir_all(&dir)
            .map_err(|e| CommitError::BadPath(dir.display().to_string(), e.to_string()))?;
        let id = std::process::id();
        Ok(Scratch {
            index: dir.join(format!("commit-index-{id}")),
            message: dir.join(format!("COMMIT_EDITMSG-{id}")),
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
pub fn signoff_message(
    person: &str,
    action: crate::model::Action,
    artifact: &str,
    role: &str,
    note: Option<&str>,
) -> String {
    let mut message = format!("handoff: {person} {} {artifact} as {role}\n", action.verb());
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        message.push('\n');
        message.push_str(note.trim());
        message.push('\n');
    }
    message.push_str(&format!(
        "\nHandoff-Action: {action}\nHandoff-Artifact: {artifact}\nHandoff-Role: {role}\n"
    ));
    message
}
