//! Moving the current branch to a new commit the way git does (lock the ref, check its value
//! under the lock, append to the reflogs, rename the lock over the ref), with the lock taken
//! through [`super::git_lock`] so that a killed handoff's leftover lock can be recognised and
//! removed by the next one instead of blocking every git command.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature};

use super::commit::CommitError;
use super::git_lock::{GitLock, LockFileError};
use super::scratch;

/// The commit a branch (`refs/heads/...`) points to, read from disk now: the loose ref, else
/// `packed-refs`. `None`: the branch does not exist (unborn).
pub fn read(repo: &Repository, branch: &str) -> std::io::Result<Option<Oid>> {
    let common = repo.commondir();
    match fs::read_to_string(common.join(branch)) {
        Ok(text) => {
            let text = text.trim();
            return Oid::from_str(text).map(Some).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{branch} holds `{text}`, not a commit id"),
                )
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let packed = match fs::read_to_string(common.join("packed-refs")) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(packed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .filter_map(|l| l.split_once(' '))
        .find(|(_, name)| *name == branch)
        .and_then(|(id, _)| Oid::from_str(id).ok()))
}

/// Moves `branch` from `expected` to `new`, refusing if it is elsewhere; the ref written is
/// marked in `own_writes`.
pub(crate) fn update_branch(
    repo: &Repository,
    branch: &str,
    expected: Option<Oid>,
    new: Oid,
    committer: &Signature,
    message: &str,
    own_writes: Option<&super::own_writes::OwnWrites>,
) -> Result<(), CommitError> {
    let ref_path = repo.commondir().join(branch);
    let lock_path = PathBuf::from(format!("{}.lock", ref_path.display()));
    let bad = |e: std::io::Error| CommitError::BadPath(branch.to_string(), e.to_string());
    let lock = match GitLock::acquire(
        &lock_path,
        &scratch::path(repo, "ref-lock"),
        format!("{new}\n").as_bytes(),
    ) {
        Ok(lock) => lock,
        Err(LockFileError::Held(path)) => {
            return Err(CommitError::BranchLocked(path.display().to_string()));
        }
        Err(LockFileError::Io { source, .. }) => return Err(bad(source)),
    };
    let actual = read(repo, branch).map_err(bad)?;
    if actual != expected {
        return Err(CommitError::HeadMoved {
            expected: expected.map_or("an unborn branch".into(), |o| o.to_string()),
            actual: actual.map_or("an unborn branch".into(), |o| o.to_string()),
        });
    }
    let line = reflog_line(expected, new, committer, message);
    if logs_updates(repo) {
        append(&repo.commondir().join("logs").join(branch), &line).map_err(bad)?;
        append(&repo.path().join("logs").join("HEAD"), &line).map_err(bad)?;
    }
    lock.commit(&ref_path).map_err(bad)?;
    if let Some(own) = own_writes {
        own.mark_current(&ref_path);
    }
    Ok(())
}

/// Whether ref updates are logged: `core.logAllRefUpdates`, true by default in a repository
/// with a work tree, as in git.
fn logs_updates(repo: &Repository) -> bool {
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_string("core.logAllRefUpdates").ok());
    match configured
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("false" | "no" | "off" | "0") => false,
        Some(_) => true,
        None => !repo.is_bare(),
    }
}

/// One reflog line as git writes it.
fn reflog_line(old: Option<Oid>, new: Oid, who: &Signature, message: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r' | '\0'))
            .collect::<String>()
    };
    let when = who.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    let summary: String = message.lines().next().unwrap_or_default().to_string();
    let kind = if old.is_none() {
        "commit (initial)"
    } else {
        "commit"
    };
    format!(
        "{} {new} {} <{}> {} {sign}{:02}{:02}\t{kind}: {}\n",
        old.unwrap_or(Oid::ZERO_SHA1),
        clean(who.name().unwrap_or_default()),
        clean(who.email().unwrap_or_default()),
        when.seconds(),
        offset.abs() / 60,
        offset.abs() % 60,
        clean(&summary).replace('\t', " "),
    )
}

fn append(log: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut file = OpenOptions::new().create(true).append(true).open(log)?;
    file.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reflog_line_reads_as_gits() {
        let who = Signature::new(
            "Rosa",
            "rosa@acme.example",
            &git2::Time::new(1_700_000_000, -90),
        )
        .unwrap();
        let new = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        assert_eq!(
            reflog_line(None, new, &who, "handoff: Rosa\tapproves prd\n\nbody"),
            "0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 Rosa <rosa@acme.example> 1700000000 -0130\tcommit (initial): handoff: Rosa approves prd\n"
        );
    }
}
