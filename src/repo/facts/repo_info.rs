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
    let repo = Repository::open(&ws.repo_root).ok()?;
    let config = crate::repo::open::config_of(&repo).ok()?;
    crate::repo::identity::resolve(Some(&config), crate::repo::identity::Part::Author)
        .email
        .map(|e| e.value)
}

/// The URL of the repository's remote, as a URI without credentials: the current branch's
/// remote (`branch.<name>.remote`), else `origin`, else the only remote. `None` when no remote
/// is configured. For SARIF's `versionControlProvenance`, which code scanning maps paths with.
pub fn remote_url(ws: &Workspace) -> Option<String> {
    let repo = open_repo(ws).ok()?;
    let config = repo.config().ok()?;
    let branch_remote = head_info(&repo)
        .branch
        .and_then(|b| config.get_string(&format!("branch.{b}.remote")).ok());
    let remotes = repo.remotes().ok()?;
    let names: Vec<&str> = (0..remotes.len())
        .filter_map(|i| remotes.get(i).ok().flatten())
        .collect();
    let name = branch_remote
        .filter(|r| names.contains(&r.as_str()))
        .or_else(|| names.contains(&"origin").then(|| "origin".to_string()))
        .or_else(|| (names.len() == 1).then(|| names[0].to_string()))?;
    let url = repo.find_remote(&name).ok()?.url().ok()?.to_string();
    shareable_uri(&url)
}

/// `url` as an absolute URI that is safe to publish: scp-like `git@host:path` becomes
/// `ssh://host/path`, and user names and passwords (tokens in CI clones) are dropped. A local
/// path is not a repository URI anyone else can use: `None`.
fn shareable_uri(url: &str) -> Option<String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest.to_string()),
        None => {
            let (host, path) = url.split_once(':')?;
            if host.contains('/') || path.starts_with("//") {
                return None;
            }
            ("ssh".to_string(), format!("{host}/{path}"))
        }
    };
    if scheme == "file"
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return None;
    }
    let (authority, path) = rest.split_once('/').unwrap_or((&rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.is_empty() || url.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    Some(format!("{scheme}://{host}/{path}"))
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

#[cfg(test)]
mod tests {
    use super::shareable_uri;

    #[test]
    fn remote_urls_lose_credentials_and_become_uris() {
        let cases = [
            (
                "https://github.com/acme/x.git",
                Some("https://github.com/acme/x.git"),
            ),
            (
                "https://x-access-token:ghs_secret@github.com/acme/x.git",
                Some("https://github.com/acme/x.git"),
            ),
            (
                "git@github.com:acme/x.git",
                Some("ssh://github.com/acme/x.git"),
            ),
            ("ssh://git@host:2222/x", Some("ssh://host:2222/x")),
            ("/srv/git/x.git", None),
            ("file:///srv/git/x.git", None),
            ("../x", None),
        ];
        for (url, want) in cases {
            assert_eq!(shareable_uri(url).as_deref(), want, "{url}");
        }
    }
}
