//! CODEOWNERS in the syntax GitHub, GitLab and Gitea share: `pattern owner...` lines in
//! gitignore-style patterns, where the last matching line wins; plus GitLab's sections
//! (`[Name]`, `^[Optional]`, `[Name][2]`, `[Name] @default-owner`), each of which answers on
//! its own, their answers combined in file order.

use globset::{GlobBuilder, GlobMatcher};

/// Where each forge looks for the file, in the order GitHub documents (then GitLab's and
/// Gitea's own folders): the first that exists is the one used.
pub const LOCATIONS: [&str; 5] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
    ".gitea/CODEOWNERS",
];

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    section: usize,
    matchers: Vec<GlobMatcher>,
    owners: Vec<String>,
}

/// A line that does not parse, with its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct CodeOwnersError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

impl CodeOwners {
    /// Parses `text`, read from `file` (named in errors). Every line must parse: a file that
    /// says something handoff does not understand imports nothing rather than half of it.
    pub fn parse(file: &str, text: &str) -> Result<CodeOwners, CodeOwnersError> {
        let mut rules = Vec::new();
        let mut section = 0;
        let mut section_owners: Vec<String> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let error = |problem: String| CodeOwnersError {
                file: file.to_string(),
                line: n + 1,
                problem,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') || line.starts_with("^[") {
                section_owners = section_header(line).map_err(error)?;
                section += 1;
                continue;
            }
            let mut words = split_words(line).into_iter();
            let pattern = words.next().unwrap_or_default();
            let mut owners = Vec::new();
            for word in words {
                if word.starts_with('#') {
                    break;
                }
                check_owner(&word).map_err(error)?;
                owners.push(word);
            }
            if owners.is_empty() {
                owners = section_owners.clone();
            }
            let matchers = matchers(&pattern).map_err(error)?;
            rules.push(Rule {
                section,
                matchers,
                owners,
            });
        }
        Ok(CodeOwners { rules })
    }

    /// The owners of a repository path, as written (`@org/team`, `@user`, an e-mail): in each
    /// section the last matching line's, sections in file order, each owner once.
    pub fn owners_of(&self, repo_path: &str) -> Vec<String> {
        let mut answer: Vec<(usize, &Rule)> = Vec::new();
        for rule in &self.rules {
            if rule.matchers.iter().any(|m| m.is_match(repo_path)) {
                match answer.iter_mut().find(|(s, _)| *s == rule.section) {
                    Some(slot) => slot.1 = rule,
                    None => answer.push((rule.section, rule)),
                }
            }
        }
        let mut out: Vec<String> = Vec::new();
        for (_, rule) in answer {
            for owner in &rule.owners {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(owner)) {
                    out.push(owner.clone());
                }
            }
        }
        out
    }

    /// Every owner named anywhere, in order of first mention.
    pub fn all_owners(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for owner in self.rules.iter().flat_map(|r| &r.owners) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(owner)) {
                out.push(owner.clone());
            }
        }
        out
    }
}

/// `[Name]`, `^[Name]`, `[Name][2]`, each optionally followed by default owners.
fn section_header(line: &str) -> Result<Vec<String>, String> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let Some(close) = rest.find(']') else {
        return Err(format!(
            "the section header `{line}` has no closing `]`: write `[Section name]`"
        ));
    };
    let mut after = rest[close + 1..].trim_start();
    if let Some(count) = after.strip_prefix('[') {
        let Some(end) = count.find(']') else {
            return Err(format!(
                "the approval count in `{line}` has no closing `]`: write `[Section name][2]`"
            ));
        };
        if count[..end].trim().parse::<u32>().is_err() {
            return Err(format!(
                "the approval count in `{line}` is not a number: write `[Section name][2]`"
            ));
        }
        after = count[end + 1..].trim_start();
    }
    let mut owners = Vec::new();
    for word in after.split_whitespace() {
        if word.starts_with('#') {
            break;
        }
        check_owner(word)?;
        owners.push(word.to_string());
    }
    Ok(owners)
}

/// Words separated by unescaped whitespace; `\ ` keeps a space in a pattern.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) if next.is_whitespace() || next == '#' => word.push(next),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => word.push('\\'),
            },
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// An owner is `@user`, `@org/team` (GitLab: `@group/subgroup`) or an e-mail address.
fn check_owner(word: &str) -> Result<(), String> {
    let handle_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let valid = if let Some(handle) = word.strip_prefix('@') {
        let handle = handle.strip_prefix('@').unwrap_or(handle);
        !handle.is_empty()
            && handle
                .split('/')
                .all(|part| !part.is_empty() && part.chars().all(handle_char))
    } else {
        crate::core::model::load::is_valid_email(word)
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{word}` is not an owner: write @user, @org/team or an e-mail address"
        ))
    }
}

/// The globs a gitignore-style pattern stands for: the path itself and everything under it.
fn matchers(pattern: &str) -> Result<Vec<GlobMatcher>, String> {
    if pattern.starts_with('!') {
        return Err(format!(
            "`{pattern}`: CODEOWNERS has no negation; a later line without the path overrides an earlier one"
        ));
    }
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let base = if body.is_empty() {
        "**".to_string()
    } else if anchored || body.starts_with("**") {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let mut globs = vec![format!("{base}/**")];
    if !dir_only {
        globs.push(base);
    }
    globs
        .iter()
        .map(|g| {
            GlobBuilder::new(g)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map(|glob| glob.compile_matcher())
                .map_err(|e| format!("`{pattern}` is not a pattern: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str, path: &str) -> Vec<String> {
        CodeOwners::parse("CODEOWNERS", text)
            .unwrap()
            .owners_of(path)
    }

    #[test]
    fn the_last_matching_line_wins() {
        let text =
            "* @acme/everyone\n/docs/ @acme/docs\ndocs/adr/*.md @acme/arch lee@acme.example\n";
        assert_eq!(owners(text, "src/main.rs"), ["@acme/everyone"]);
        assert_eq!(owners(text, "docs/guide.md"), ["@acme/docs"]);
        assert_eq!(
            owners(text, "docs/adr/0001-x.md"),
            ["@acme/arch", "lee@acme.example"]
        );
        assert_eq!(owners(text, "docs/adr/sub/0001-x.md"), ["@acme/docs"]);
    }

    #[test]
    fn unanchored_names_match_at_any_depth_and_directories_cover_their_contents() {
        let text = "*.md @writers\nrunbooks/ @ops\n/build/logs/ @ci\n";
        assert_eq!(owners(text, "a/b/c.md"), ["@writers"]);
        assert_eq!(
            owners(text, "x/runbooks/outage.md"),
            ["@ops"],
            "the later line wins"
        );
        assert_eq!(owners(text, "x/runbooks/outage.txt"), ["@ops"]);
        assert_eq!(owners(text, "build/logs/a/b.log"), ["@ci"]);
        assert!(owners(text, "x/build/logs/b.log").is_empty());
    }

    #[test]
    fn gitlab_sections_each_answer_and_default_owners_apply() {
        let text = "\
[Documentation] @acme/docs
docs/
docs/api/ @acme/api

^[Security][2] @acme/security
*.md

[Ops]
runbooks/ @rosa
";
        assert_eq!(
            owners(text, "docs/api/x.md"),
            ["@acme/api", "@acme/security"]
        );
        assert_eq!(owners(text, "docs/x.md"), ["@acme/docs", "@acme/security"]);
        assert_eq!(owners(text, "runbooks/a.txt"), ["@rosa"]);
    }

    #[test]
    fn a_line_that_does_not_parse_is_reported_with_its_line() {
        let err = CodeOwners::parse("CODEOWNERS", "* @ok\n\ndocs/ dana\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.to_string()
                .starts_with("CODEOWNERS:3: `dana` is not an owner")
        );
        let err = CodeOwners::parse("x", "[Docs\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(CodeOwners::parse("x", "!docs/ @a\n").is_err());
    }

    #[test]
    fn escapes_and_comments() {
        let text = "docs/My\\ File.md @a # trailing comment\n\\#notes.md @b\n";
        assert_eq!(owners(text, "docs/My File.md"), ["@a"]);
        assert_eq!(owners(text, "#notes.md"), ["@b"]);
    }
}
