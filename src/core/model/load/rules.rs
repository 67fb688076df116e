//! What an id, an e-mail address, a path, a URL and an object id must be: one rule each, for
//! the loaders and the edits alike.

use crate::core::model::Target;

/// The most characters an id of a role, kind or artifact may have.
pub(crate) const MAX_ID_CHARS: usize = 100;

/// Why a text cannot be the id of a role, kind or artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdError {
    /// Not letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    Characters,
    /// Well formed, but longer than [`MAX_ID_CHARS`]: `len` characters.
    TooLong { len: usize },
}

/// Why `id` cannot be an id, or `None` when it can. The characters are judged first: a
/// long id with a space in it is wrong for the space.
pub(crate) fn id_error(id: &str) -> Option<IdError> {
    let mut chars = id.chars();
    let well_formed = matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !well_formed {
        Some(IdError::Characters)
    } else if id.len() > MAX_ID_CHARS {
        // Well formed means ASCII, so bytes are characters.
        Some(IdError::TooLong { len: id.len() })
    } else {
        None
    }
}

/// Whether `id` can be the id of a role, kind or artifact.
pub(crate) fn is_valid_id(id: &str) -> bool {
    id_error(id).is_none()
}

/// Why an edit refuses `id` as the id of a new `what` ("artifact", "role"): the characters,
/// or the length.
pub(crate) fn invalid_id_message(id: &str, what: &str) -> String {
    match id_error(id) {
        Some(IdError::TooLong { len }) => {
            let noun = if what == "artifact" { "id" } else { "name" };
            too_long_message(&format!("{what} {noun}"), id, len)
        }
        _ => format!(
            "`{id}` is not a valid {what} name: use letters, digits, `-`, `_` and `.`, starting with a letter or digit"
        ),
    }
}

/// "the artifact id `aaaa…` is 140 characters long; at most 100 are allowed": the id cut
/// short, since quoting all of it would bury the point. `what` is "artifact id", "role name"…
pub(crate) fn too_long_message(what: &str, id: &str, len: usize) -> String {
    let shown: String = id.chars().take(32).collect();
    format!("the {what} `{shown}…` is {len} characters long; at most {MAX_ID_CHARS} are allowed")
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain, no
/// spaces or angle brackets.
pub(crate) fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

/// Why a path written in the index cannot be used, if it cannot.
pub fn path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the path is empty: name a file or directory, such as `docs/prd.md`".into());
    }
    if path.starts_with('/') || path.starts_with('\\') || path.chars().nth(1) == Some(':') {
        return Some(format!(
            "`{path}` is absolute: paths are relative to the directory of handoff.yaml"
        ));
    }
    if path.contains('\\') {
        return Some(format!(
            "`{path}` contains `\\`: separate directories with `/`"
        ));
    }
    if path.chars().any(char::is_control) {
        return Some("the path contains control characters: remove them".into());
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if parts.contains(&"..") {
        return Some(format!(
            "`{path}` climbs out with `..`: paths must stay inside the handoff's directory"
        ));
    }
    if parts.iter().any(|p| p.eq_ignore_ascii_case(".git")) {
        return Some(format!(
            "`{path}` points into `.git`: artifacts live in the work tree"
        ));
    }
    None
}

/// Why a URL written in the index cannot be used, if it cannot: only http and https, with a
/// host, and nothing a terminal or a browser would read differently from what is shown.
pub(crate) fn url_problem(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Some(format!("`{url}` is not an http or https URL"));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "`{url}` contains a space or a control character: percent-encode it (a space is `%20`)"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Some(format!(
            "`{url}` has no host: write the whole address, such as `https://figma.example/file/flows`"
        ));
    }
    None
}

fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// The target a path written in the index names: without `./` in front or `/` behind, and a
/// glob when it has wildcards. Judge it with [`path_problem`] first.
pub(crate) fn path_target(path: &str) -> Target {
    let p = path
        .trim_end_matches('/')
        .trim_start_matches("./")
        .to_string();
    if is_glob(&p) {
        Target::Glob(p)
    } else {
        Target::Path(p)
    }
}

/// Why a glob cannot be used, if it cannot.
pub(crate) fn glob_problem(glob: &str) -> Option<String> {
    globset::Glob::new(glob)
        .err()
        .map(|e| format!("`{glob}` is not a valid glob: {}", e.kind()))
}

/// A SHA-1 or SHA-256 object id in lowercase hex.
pub(crate) fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64)
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
