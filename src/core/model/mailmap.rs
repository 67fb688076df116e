//! git's `.mailmap`: which e-mail addresses belong to one person. handoff compares people by
//! address (role members, signers, the user); with a mailmap, an old or personal address of
//! someone counts as them, as `git shortlog` and `git log --use-mailmap` count it.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Commit address → proper address, both lowercase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailmap {
    proper: BTreeMap<String, String>,
    /// Proper address → the name written beside it, lower case (for `@handle` look-ups).
    names: BTreeMap<String, String>,
}

impl Mailmap {
    /// Reads mailmap text. Each line maps the last `<address>` on it to the first, whatever
    /// names stand beside them: git's name-specific form (`Proper <p@x> Commit Name <c@x>`)
    /// narrows a mapping to one commit name, but handoff compares addresses only, so the
    /// address decides. Lines with one address only rename a person, which changes no
    /// address; comments (`#`) and lines that are not mailmap entries are passed over, as git
    /// does.
    pub fn parse(text: &str) -> Mailmap {
        let mut proper = BTreeMap::new();
        let mut names = BTreeMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let addresses: Vec<&str> = line
                .split('<')
                .skip(1)
                .filter_map(|part| part.split_once('>').map(|(address, _)| address.trim()))
                .collect();
            if let [first, .., last] = addresses[..]
                && !first.is_empty()
                && !last.is_empty()
            {
                proper.insert(last.to_lowercase(), first.to_lowercase());
            }
            let name = line.split('<').next().unwrap_or_default().trim();
            if let Some(first) = addresses.first().filter(|a| !a.is_empty())
                && !name.is_empty()
            {
                names
                    .entry(first.to_lowercase())
                    .or_insert_with(|| name.to_lowercase());
            }
        }
        Mailmap { proper, names }
    }

    /// The one proper address whose local part or name (spaces dropped) is `name`, ignoring
    /// case: how the mailmap resolves a person's `@handle`. `None` when none or several are.
    pub fn by_name(&self, name: &str) -> Option<String> {
        let name = name.to_lowercase();
        let mut found: Vec<&String> = self
            .proper
            .values()
            .chain(self.names.keys())
            .filter(|address| {
                address.split('@').next() == Some(name.as_str())
                    || self
                        .names
                        .get(*address)
                        .is_some_and(|n| n.replace(' ', "") == name)
            })
            .collect();
        found.sort();
        found.dedup();
        match found[..] {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.proper.is_empty()
    }

    /// The person's proper address, lowercase.
    pub fn canonical<'a>(&self, address: &'a str) -> Cow<'a, str> {
        let lower = address.trim().to_lowercase();
        match self.proper.get(&lower) {
            Some(proper) => Cow::Owned(proper.clone()),
            None if lower == address => Cow::Borrowed(address),
            None => Cow::Owned(lower),
        }
    }

    /// Whether two addresses are one person: equal ignoring case, or mapped to one address.
    pub fn same_person(&self, a: &str, b: &str) -> bool {
        a.trim().eq_ignore_ascii_case(b.trim()) || self.canonical(a) == self.canonical(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_git_documents() {
        let map = Mailmap::parse(
            "# people who changed address\n\
             <dana@acme.example> <dana@old.example>\n\
             Dana Reyes <dana@acme.example> <DANA@Personal.example>\n\
             Sam Achebe <sam@acme.example> Sam <sam@laptop.local>   # name-specific\n\
             Rosa Delgado <rosa@acme.example>\n\
             not an entry\n",
        );
        assert!(map.same_person("dana@old.example", "dana@acme.example"));
        assert!(map.same_person("dana@personal.example", "Dana@Old.Example"));
        assert!(map.same_person("sam@laptop.local", "sam@acme.example"));
        assert!(!map.same_person("rosa@acme.example", "dana@acme.example"));
        assert_eq!(map.canonical("ROSA@acme.example"), "rosa@acme.example");
        assert_eq!(map.canonical("dana@old.example"), "dana@acme.example");
        assert_eq!(map.by_name("Dana").as_deref(), Some("dana@acme.example"));
        assert_eq!(
            map.by_name("rosadelgado").as_deref(),
            Some("rosa@acme.example")
        );
        assert_eq!(map.by_name("nobody"), None);
    }

    #[test]
    fn without_a_mailmap_only_case_is_ignored() {
        let map = Mailmap::default();
        assert!(map.same_person("A@x.example", "a@X.example"));
        assert!(!map.same_person("a@x.example", "b@x.example"));
        assert!(map.is_empty());
    }
}
