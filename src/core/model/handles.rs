//! People named as CODEOWNERS names them: `@dana` (a person) and `@acme/sre` (a team). The
//! index's `handles:` maps each handle to the git e-mail addresses behind it; a person's
//! handle may also be resolved by the repository's `.mailmap`. Wherever handoff compares
//! people (role members, signers, "mine"), a handle counts as its addresses.

use std::collections::BTreeMap;

use super::{Mailmap, Pos};

/// One entry of `handles:`: a handle and the addresses it stands for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Handle {
    /// As written, `@` included.
    pub handle: String,
    pub people: Vec<String>,
    pub pos: Pos,
}

/// Whether `s` is a handle: `@name` or `@org/team`, with letters, digits, `-`, `_` and `.`.
pub fn is_handle(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('@') else {
        return false;
    };
    let word = |w: &str| {
        !w.is_empty()
            && w.len() <= 100
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match rest.split_once('/') {
        Some((org, team)) => word(org) && word(team),
        None => word(rest),
    }
}

/// Who is who: the repository's mailmap and the index's handles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    pub mailmap: Mailmap,
    /// Handle (lower case, `@` included) → addresses.
    handles: BTreeMap<String, Vec<String>>,
}

impl Directory {
    pub fn new(mailmap: Mailmap, handles: &[Handle]) -> Directory {
        Directory {
            mailmap,
            handles: handles
                .iter()
                .map(|h| (h.handle.to_ascii_lowercase(), h.people.clone()))
                .collect(),
        }
    }

    /// The addresses a role entry stands for: an address itself; a handle its `handles:`
    /// addresses, else (a person's handle) the one address the mailmap gives that name.
    /// Empty for a handle that resolves to nobody.
    pub fn resolve(&self, entry: &str) -> Vec<String> {
        if !entry.starts_with('@') {
            return vec![entry.to_string()];
        }
        if let Some(people) = self.handles.get(&entry.to_ascii_lowercase()) {
            return people.clone();
        }
        if entry.contains('/') {
            return Vec::new();
        }
        self.mailmap.by_name(&entry[1..]).into_iter().collect()
    }

    /// Whether two addresses are one person.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        self.mailmap.same_person(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_people_and_teams_as_codeowners_writes_them() {
        assert!(is_handle("@dana"));
        assert!(is_handle("@acme/sre-team"));
        assert!(!is_handle("dana"));
        assert!(!is_handle("@"));
        assert!(!is_handle("@acme/"));
        assert!(!is_handle("@a/b/c"));
        assert!(!is_handle("dana@acme.example"));
    }

    #[test]
    fn a_handle_resolves_by_the_index_then_the_mailmap() {
        let handles = [Handle {
            handle: "@acme/SRE".into(),
            people: vec!["lee@acme.example".into(), "sam@acme.example".into()],
            pos: Pos::default(),
        }];
        let mailmap = Mailmap::parse("Dana Reyes <dana@acme.example> <dana@old.example>\n");
        let dir = Directory::new(mailmap, &handles);
        assert_eq!(dir.resolve("@acme/sre").len(), 2);
        assert_eq!(dir.resolve("@dana"), ["dana@acme.example"]);
        assert!(dir.resolve("@nobody").is_empty());
        assert!(dir.resolve("@acme/web").is_empty());
        assert_eq!(dir.resolve("x@acme.example"), ["x@acme.example"]);
    }
}
