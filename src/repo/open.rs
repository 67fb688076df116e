//! Opening the repository, and saying exactly why it cannot be opened.
//!
//! libgit2 (as vendored by git2) opens SHA-1 repositories with the extensions it knows; for a
//! SHA-256 repository, a reftable one or any other extension it lacks, `discover` fails with a
//! one-line error that callers used to turn into "not inside a git repository". When libgit2
//! fails, this module finds the repository the way git would (the nearest `.git`, or a bare
//! repository) and reads its configuration itself, so the message names the repository and
//! the format or extension it uses.

use std::path::{Path, PathBuf};

use git2::{Config, ConfigLevel, ErrorClass, ErrorCode, Repository};

/// Why no repository could be opened at or above a directory.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "{} is not inside a git repository: handoff reads its facts from git (run `git init` first)",
        start.display()
    )]
    NotARepository { start: PathBuf },
    #[error(
        "the repository at {} uses the {format} object format, which handoff (libgit2 {}) does \
         not support yet: it reads SHA-1 repositories only",
        repo.display(), libgit2()
    )]
    ObjectFormat { repo: PathBuf, format: String },
    #[error(
        "the repository at {} uses `{name} = {value}`, a git extension handoff (libgit2 {}) \
         does not support yet{}",
        repo.display(), libgit2(), extension_advice(name, value)
    )]
    Extension {
        repo: PathBuf,
        name: String,
        value: String,
    },
    #[error(
        "the repository at {} has repository format version {version}, which handoff (libgit2 \
         {}) does not read: it reads versions 0 and 1",
        repo.display(), libgit2()
    )]
    FormatVersion { repo: PathBuf, version: String },
    #[error(
        "the repository at {} belongs to another user, and like git, handoff does not open it \
         until you say it is safe: `git config --global --add safe.directory {}`",
        repo.display(), repo.display()
    )]
    NotOwned { repo: PathBuf },
    #[error("cannot open the git repository at {}: {}", repo.display(), source.message())]
    Other { repo: PathBuf, source: git2::Error },
}

/// The vendored libgit2's version, "1.9.7".
fn libgit2() -> String {
    let (major, minor, patch) = git2::Version::get().libgit2_version();
    format!("{major}.{minor}.{patch}")
}

/// What to do about an extension, where there is something to do.
fn extension_advice(name: &str, value: &str) -> &'static str {
    if name == "extensions.refstorage" && value.eq_ignore_ascii_case("reftable") {
        "; git 2.46 and later convert it back: `git refs migrate --ref-format=files`"
    } else {
        ""
    }
}

/// `Repository::discover`, with a precise reason when it fails.
pub fn discover(start: &Path) -> Result<Repository, OpenError> {
    Repository::discover(start).map_err(|e| explain(start, e))
}

/// `Repository::open` of a work tree's root, with a precise reason when it fails.
pub fn open(root: &Path) -> Result<Repository, OpenError> {
    Repository::open(root).map_err(|e| explain(root, e))
}

/// A repository found by walking up from a directory, without libgit2.
struct Found {
    /// The work tree's root, or the git directory of a bare repository: what messages name.
    shown: PathBuf,
    /// The directory of the repository's shared configuration (a linked worktree's is its
    /// main repository's).
    common_dir: PathBuf,
}

/// The nearest repository at or above `start` as git finds it: a directory holding `.git` (a
/// directory, or a file saying `gitdir: <path>`), or a git directory itself.
fn find(start: &Path) -> Option<Found> {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        let git_dir = if dot_git.is_dir() {
            Some(dot_git)
        } else if dot_git.is_file() {
            gitdir_file(&dot_git, dir)
        } else {
            None
        };
        if let Some(git_dir) = git_dir.filter(|d| looks_like_git_dir(d)) {
            return Some(Found {
                shown: dir.to_path_buf(),
                common_dir: common_dir(&git_dir),
            });
        }
        if looks_like_git_dir(dir) {
            return Some(Found {
                shown: dir.to_path_buf(),
                common_dir: common_dir(dir),
            });
        }
    }
    None
}

/// The git directory a `.git` file points at.
fn gitdir_file(file: &Path, dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    Some(dir.join(target))
}

/// What git requires of a git directory: `HEAD`, `objects/` and `refs/` (or a `commondir`
/// that holds the latter two).
fn looks_like_git_dir(dir: &Path) -> bool {
    let common = common_dir(dir);
    dir.join("HEAD").exists() && common.join("objects").is_dir() && common.join("refs").is_dir()
}

/// A linked worktree's git directory names the main one in `commondir`.
fn common_dir(git_dir: &Path) -> PathBuf {
    match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) if !text.trim().is_empty() => git_dir.join(text.trim()),
        _ => git_dir.to_path_buf(),
    }
}

/// Why libgit2 could not open a repository at or above `start`.
fn explain(start: &Path, error: git2::Error) -> OpenError {
    // libgit2 walks past directories that are not repositories: having found none is a
    // plain absence, whatever `.git` lies about.
    if error.code() == ErrorCode::NotFound {
        return OpenError::NotARepository {
            start: start.to_path_buf(),
        };
    }
    let Some(found) = find(start) else {
        return OpenError::Other {
            repo: start.to_path_buf(),
            source: error,
        };
    };
    let repo = found.shown;
    if error.code() == ErrorCode::Owner {
        return OpenError::NotOwned { repo };
    }
    let config = Config::open(&found.common_dir.join("config")).ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    // libgit2 built without SHA-256 refuses every object format but SHA-1.
    if let Some(format) = get("extensions.objectformat")
        && !format.eq_ignore_ascii_case("sha1")
    {
        return OpenError::ObjectFormat {
            repo,
            format: format.to_ascii_lowercase(),
        };
    }
    if error.class() == ErrorClass::Repository {
        let message = error.message();
        if let Some(name) = message.strip_prefix("unsupported extension name ") {
            let name = name.trim().to_string();
            let value = get(&name).unwrap_or_default();
            return OpenError::Extension { repo, name, value };
        }
        if message.starts_with("unsupported repository version") {
            let version = get("core.repositoryformatversion").unwrap_or_default();
            return OpenError::FormatVersion { repo, version };
        }
    }
    OpenError::Other {
        repo,
        source: error,
    }
}

/// Git's configuration as it applies at `start`: the repository's own (and its worktree's)
/// over the global and system files, as git layers them, even where libgit2 cannot open the
/// repository (its configuration file can still be read); the global and system files alone
/// outside any repository.
pub(crate) fn config_at(start: &Path) -> Result<Config, git2::Error> {
    if let Ok(repo) = Repository::discover(start) {
        return config_of(&repo);
    }
    let mut config = user_config()?;
    if let Some(found) = find(start) {
        let local = found.common_dir.join("config");
        if local.is_file() {
            config.add_file(&local, ConfigLevel::Local, false)?;
        }
    }
    Ok(config)
}

/// `repo`'s configuration as git reads it. libgit2 layers the same files but does not read
/// `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM` or `GIT_CONFIG_NOSYSTEM`, with which CI jobs and
/// test harnesses give git an identity of their own; where one is set, the layers are built
/// here so handoff signs as the person git would record.
pub(crate) fn config_of(repo: &Repository) -> Result<Config, git2::Error> {
    if !GitConfigEnv::from_process().overrides_files() {
        return repo.config();
    }
    let mut config = user_config()?;
    let local = repo.commondir().join("config");
    if local.is_file() {
        config.add_file(&local, ConfigLevel::Local, false)?;
    }
    let worktree = repo.path().join("config.worktree");
    if worktree.is_file() {
        config.add_file(&worktree, ConfigLevel::Worktree, false)?;
    }
    Ok(config)
}

/// The system, XDG and global files git would read, honouring its environment.
fn user_config() -> Result<Config, git2::Error> {
    let env = GitConfigEnv::from_process();
    if !env.overrides_files() {
        return Config::open_default();
    }
    let mut config = Config::new()?;
    let system = match (env.no_system, env.system) {
        (true, _) => None,
        (false, Some(path)) => Some(path),
        (false, None) => Config::find_system().ok(),
    };
    let user_files = match env.global {
        Some(path) => vec![(path, ConfigLevel::Global)],
        None => [
            Config::find_xdg().ok().map(|p| (p, ConfigLevel::XDG)),
            Config::find_global().ok().map(|p| (p, ConfigLevel::Global)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    for (path, level) in system
        .map(|p| (p, ConfigLevel::System))
        .into_iter()
        .chain(user_files)
    {
        if path.is_file() {
            config.add_file(&path, level, false)?;
        }
    }
    Ok(config)
}

/// git's variables that choose its configuration files.
struct GitConfigEnv {
    global: Option<PathBuf>,
    system: Option<PathBuf>,
    no_system: bool,
}

impl GitConfigEnv {
    fn from_process() -> GitConfigEnv {
        let path = |name| std::env::var_os(name).map(PathBuf::from);
        GitConfigEnv {
            global: path("GIT_CONFIG_GLOBAL"),
            system: path("GIT_CONFIG_SYSTEM"),
            // git reads it as a boolean: set and not false.
            no_system: std::env::var("GIT_CONFIG_NOSYSTEM").is_ok_and(|v| {
                !matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "" | "0" | "false" | "no" | "off"
                )
            }),
        }
    }

    fn overrides_files(&self) -> bool {
        self.global.is_some() || self.system.is_some() || self.no_system
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_repository_at_all_is_called_so() {
        let dir = tempfile::tempdir().unwrap();
        let err = discover(dir.path()).err().unwrap();
        assert!(
            matches!(err, OpenError::NotARepository { .. }),
            "{err:?}: {err}"
        );
    }

    #[test]
    fn a_linked_worktree_finds_its_common_configuration() {
        let main = tempfile::tempdir().unwrap();
        let git = main.path().join(".git");
        for d in ["objects", "refs", "worktrees/wt"] {
            std::fs::create_dir_all(git.join(d)).unwrap();
        }
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(git.join("worktrees/wt/HEAD"), "ref: refs/heads/wt\n").unwrap();
        std::fs::write(git.join("worktrees/wt/commondir"), "../..\n").unwrap();
        let wt = tempfile::tempdir().unwrap();
        std::fs::write(
            wt.path().join(".git"),
            format!("gitdir: {}\n", git.join("worktrees/wt").display()),
        )
        .unwrap();
        std::fs::create_dir(wt.path().join("sub")).unwrap();
        let found = find(&wt.path().join("sub")).unwrap();
        assert_eq!(found.shown, wt.path().canonicalize().unwrap());
        assert_eq!(
            found.common_dir.canonicalize().unwrap(),
            git.canonicalize().unwrap()
        );
    }
}
