//! Globs with git pathspec semantics: `*` and `?` also match `/` (git matches pathspecs
//! without `FNM_PATHNAME`), `[...]` is a class, `\` escapes, and `**/` may match no
//! directory at all (globset's reading, which is what people writing `docs/**/*.md` expect).

use globset::{GlobBuilder, GlobMatcher};

/// Characters that make a glob more than a literal path.
const META: &[char] = &['*', '?', '[', ']', '{', '}', '\\', '!'];

#[derive(Debug, Clone)]
pub(crate) struct PathGlob {
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
    pub(crate) fn new(pattern: &str) -> Result<PathGlob, BadGlob> {
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
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }

    pub(crate) fn literal_dir(&self) -> &str {
        &self.literal_dir
    }
}

/// The directory every match of a (normalized) glob lies under: its literal leading
/// components, without a trailing slash (`""` when it starts with a wildcard).
pub(crate) fn literal_dir(pattern: &str) -> &str {
    let literal_end = pattern.find(META).unwrap_or(pattern.len());
    match pattern[..literal_end].rfind('/') {
        Some(slash) => &pattern[..slash],
        None => "",
    }
}

/// The glob as matched: a leading `./` means nothing to git and would never match.
pub(crate) fn normalize(pattern: &str) -> &str {
    let mut pattern = pattern;
    while let Some(rest) = pattern.strip_prefix("./") {
        pattern = rest;
    }
    pattern
}

/// A glob that matches `literal` exactly, for prefixing a glob with a directory name.
pub(crate) fn escape(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if META.contains(&c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

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
