//! The one path matcher of handoff, pure: what a `path` glob matches in the work tree, which
//! files a `governs` entry covers, and which paths a commit's diff touches all go through it.
//!
//! Globs with git pathspec semantics: `*` and `?` also match `/` (git matches pathspecs
//! without `FNM_PATHNAME`), `[...]` is a class, `\` escapes, and `**/` may match no
//! directory at all (globset's reading, which is what people writing `docs/**/*.md` expect).

use globset::{GlobBuilder, GlobMatcher};

use crate::core::model::Target;
use crate::core::model::load::path_target;

/// Characters that make a glob more than a literal path.
const META: &[char] = &['*', '?', '[', ']', '{', '}', '\\', '!'];

#[derive(Debug, Clone)]
pub struct PathGlob {
    matcher: GlobMatcher,
    /// The directory every match lies under: the glob's literal leading components, without a
    /// trailing slash (`""` when the glob starts with a wildcard).
    literal_dir: String,
}

/// A pattern that is not a glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob `{pattern}`: {reason}")]
pub struct BadGlob {
    pattern: String,
    reason: String,
}

impl PathGlob {
    /// The glob, or why it is not one.
    pub fn new(pattern: &str) -> Result<PathGlob, BadGlob> {
        let pattern = normalize(pattern);
        if pattern.contains('\0') {
            return Err(BadGlob {
                pattern: pattern.escape_debug().to_string(),
                reason: "it contains a NUL byte".into(),
            });
        }
        let matcher = GlobBuilder::new(pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| BadGlob {
                pattern: pattern.to_string(),
                reason: e.kind().to_string(),
            })?
            .compile_matcher();
        Ok(PathGlob {
            matcher,
            literal_dir: literal_dir(pattern).to_string(),
        })
    }

    /// Whether a `/`-separated path, relative to the glob's base, matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }

    pub fn literal_dir(&self) -> &str {
        &self.literal_dir
    }
}

/// The directory every match of a (normalized) glob lies under: its literal leading
/// components, without a trailing slash (`""` when it starts with a wildcard).
pub fn literal_dir(pattern: &str) -> &str {
    let literal_end = pattern.find(META).unwrap_or(pattern.len());
    match pattern[..literal_end].rfind('/') {
        Some(slash) => &pattern[..slash],
        None => "",
    }
}

/// The glob as matched: a leading `./` means nothing to git and would never match.
pub fn normalize(pattern: &str) -> &str {
    let mut pattern = pattern;
    while let Some(rest) = pattern.strip_prefix("./") {
        pattern = rest;
    }
    pattern
}

/// A glob that matches `literal` exactly, for prefixing a glob with a directory name.
pub fn escape(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if META.contains(&c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// One `governs` entry as matched against paths relative to some base (the repository root,
/// or the index's directory with an empty prefix): a file or directory covers itself and
/// everything beneath it, a glob what it matches.
#[derive(Debug, Clone)]
pub enum GovernedPath {
    /// Relative to the base, without `./` or a trailing `/`; `""` is the whole base.
    Path(String),
    Glob(PathGlob),
}

impl GovernedPath {
    /// The entry as written in the index, seen from a base `prefix` levels above the index
    /// (`""`, or a directory ending in `/`); `None` for a glob that is not one (the loader
    /// reports it).
    pub fn new(prefix: &str, entry: &str) -> Option<GovernedPath> {
        match path_target(entry) {
            Target::Glob(pattern) => {
                PathGlob::new(&format!("{}{}", escape(prefix), normalize(&pattern)))
                    .ok()
                    .map(GovernedPath::Glob)
            }
            other => Some(GovernedPath::Path(match other.as_str() {
                "" | "." => prefix.trim_end_matches('/').to_string(),
                path => format!("{prefix}{path}"),
            })),
        }
    }

    /// Whether it covers a `/`-separated path relative to the base.
    pub fn is_match(&self, path: &str) -> bool {
        match self {
            GovernedPath::Path(p) => {
                p.is_empty()
                    || path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            GovernedPath::Glob(g) => g.is_match(path),
        }
    }

    /// The directory every match lies under.
    pub fn literal_dir(&self) -> &str {
        match self {
            GovernedPath::Path(p) => p,
            GovernedPath::Glob(g) => g.literal_dir(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_governed_path_covers_itself_and_what_lies_beneath() {
        let dir = GovernedPath::new("", "./src/reply/").unwrap();
        assert!(dir.is_match("src/reply"));
        assert!(dir.is_match("src/reply/draft.rs"));
        assert!(!dir.is_match("src/replying.rs"));
        let file = GovernedPath::new("app/", "src/policy.yaml").unwrap();
        assert!(file.is_match("app/src/policy.yaml"));
        assert!(!file.is_match("src/policy.yaml"));
        assert!(
            GovernedPath::new("", ".")
                .unwrap()
                .is_match("anything/at/all")
        );
    }

    #[test]
    fn a_governed_glob_is_matched_from_its_prefix() {
        let glob = GovernedPath::new("we*rd/", "src/*.rs").unwrap();
        assert!(glob.is_match("we*rd/src/a/b.rs"));
        assert!(!glob.is_match("weXrd/src/b.rs"));
        // An escaped wildcard ends the literal part too: a wider bound, never a narrower one.
        assert_eq!(glob.literal_dir(), "");
        let plain = GovernedPath::new("app/", "src/*.rs").unwrap();
        assert_eq!(plain.literal_dir(), "app/src");
        assert!(GovernedPath::new("", "src/[").is_none());
    }

    #[test]
    fn star_crosses_directories_like_a_git_pathspec() {
        let glob = PathGlob::new("docs/*.md").unwrap();
        assert!(glob.is_match("docs/a.md"));
        assert!(glob.is_match("docs/sub/b.md"));
        assert!(!glob.is_match("other/a.md"));
        assert_eq!(glob.literal_dir(), "docs");
    }

    #[test]
    fn double_star_may_match_no_directory() {
        let glob = PathGlob::new("./evals/**/*.yaml").unwrap();
        assert!(glob.is_match("evals/x.yaml"));
        assert!(glob.is_match("evals/a/b/x.yaml"));
        assert_eq!(glob.literal_dir(), "evals");
    }

    #[test]
    fn literal_dir_stops_at_the_first_wildcard() {
        assert_eq!(PathGlob::new("*.md").unwrap().literal_dir(), "");
        assert_eq!(PathGlob::new("a/b?/c/*.md").unwrap().literal_dir(), "a");
        assert_eq!(PathGlob::new("a/b/c.md").unwrap().literal_dir(), "a/b");
    }

    #[test]
    fn escaped_prefix_matches_itself_only() {
        let prefix = escape("we*rd[1]/");
        let glob = PathGlob::new(&format!("{prefix}*.md")).unwrap();
        assert!(glob.is_match("we*rd[1]/a.md"));
        assert!(!glob.is_match("weXrd1/a.md"));
    }
}
