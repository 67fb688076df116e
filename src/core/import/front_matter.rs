//! Front matter of a Markdown document: YAML between `---` fences or TOML between `+++`
//! fences, read for the keys that say who owns it and where it stands. Read line by line
//! rather than as YAML: real front matter writes `owner: @dana`, which YAML rejects.

use crate::core::model::Status;

/// What a document's front matter says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// From `owner`, `owners`, `author`, `authors`, in that order of preference.
    pub owners: Vec<String>,
    pub reviewers: Vec<String>,
    /// `status:` when it names one of the artifact statuses.
    pub status: Option<Status>,
}

const OWNER_KEYS: [&str; 4] = ["owner", "owners", "author", "authors"];
const REVIEWER_KEYS: [&str; 3] = ["reviewers", "reviewer", "approvers"];

/// The front matter of `text`, if it opens with a fence.
pub fn front_matter(text: &str) -> Option<FrontMatter> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    let fence = lines.next()?.trim_end();
    let toml = match fence {
        "---" => false,
        "+++" => true,
        _ => return None,
    };
    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed == fence || (!toml && trimmed == "...") {
            return Some(read_entries(&entries));
        }
        if let Some(item) = trimmed.trim_start().strip_prefix("- ") {
            // A YAML block list continues the key above it.
            if line.starts_with([' ', '-'])
                && let Some((_, values)) = entries.last_mut()
            {
                values.extend(values_of(item));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let separator = if toml { '=' } else { ':' };
        if let Some((key, value)) = trimmed.split_once(separator) {
            entries.push((key.trim().to_ascii_lowercase(), values_of(value)));
        }
    }
    None
}

fn read_entries(entries: &[(String, Vec<String>)]) -> FrontMatter {
    let values = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|k| entries.iter().find(|(key, v)| key == k && !v.is_empty()))
            .map(|(_, v)| v.clone())
            .next()
            .unwrap_or_default()
    };
    let first = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.first().cloned())
    };
    FrontMatter {
        title: first("title"),
        owners: values(&OWNER_KEYS),
        reviewers: values(&REVIEWER_KEYS),
        status: first("status").and_then(|s| {
            Status::ALL
                .into_iter()
                .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
        }),
    }
}

/// A value as a list of items: `[a, "b"]`, `a, b`, or one scalar; quotes removed.
fn values_of(value: &str) -> Vec<String> {
    let value = strip_comment(value.trim());
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    let unquote = |s: &str| {
        let s = s.trim();
        s.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
            .unwrap_or(s)
            .trim()
            .to_string()
    };
    // A quoted title may hold commas; only lists and unquoted values split.
    if !value.starts_with('[') && value.starts_with(['"', '\'']) {
        return Some(unquote(value))
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect();
    }
    inner
        .split(',')
        .map(unquote)
        .filter(|s| !s.is_empty())
        .collect()
}

/// `value # comment` without the comment (a `#` after whitespace, outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in value.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return value[..i].trim_end(),
            None => {}
        }
        previous = c;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"Payments outage, EU\"\nowner: @rosa   # on call\nreviewers:\n  - lee@acme.example\n  - \"@acme/sre\"\nstatus: Draft\n---\n# Body\n";
        let fm = front_matter(text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Payments outage, EU"));
        assert_eq!(fm.owners, ["@rosa"]);
        assert_eq!(fm.reviewers, ["lee@acme.example", "@acme/sre"]);
        assert_eq!(fm.status, Some(Status::Draft));
    }

    #[test]
    fn toml_front_matter_and_author_lists() {
        let text = "+++\ntitle = 'Cache design'\nauthors = [\"dana@acme.example\", \"kofi@acme.example\"]\nstatus = \"accepted\"\n+++\nbody\n";
        let fm = front_matter(text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Cache design"));
        assert_eq!(fm.owners, ["dana@acme.example", "kofi@acme.example"]);
        assert_eq!(fm.status, None, "accepted is not an artifact status");
    }

    #[test]
    fn owner_is_preferred_to_author_and_unclosed_fences_are_not_front_matter() {
        let fm = front_matter("---\nauthor: a@x.example\nowner: ops\n---\n").unwrap();
        assert_eq!(fm.owners, ["ops"]);
        assert_eq!(front_matter("---\nowner: ops\n"), None);
        assert_eq!(front_matter("# Title\nowner: ops\n"), None);
    }
}
