//! Who the people are: `.mailmap` (each author's canonical e-mail and name) and
//! MAINTAINERS/OWNERS files (lines pairing a name or `@handle` with an e-mail), so that the
//! owners CODEOWNERS names by handle can be staffed with git e-mail addresses.

use std::collections::BTreeMap;

use crate::core::model::load::is_valid_email;

/// File names read for people, matched case-insensitively at any depth.
pub fn is_people_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == ".mailmap"
        || name == "maintainers"
        || name == "maintainers.md"
        || name == "maintainers.txt"
        || name == "owners"
        || name == "owners.md"
        || name == "codeowners.md"
}

/// What the repository says about people.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Any e-mail (lower case) → the canonical one.
    canonical: BTreeMap<String, String>,
    /// Handles and names (lower case) → an e-mail.
    by_name: BTreeMap<String, String>,
}

impl People {
    /// Reads `.mailmap` lines: `Name <canonical> [Other name] [<alias>]`.
    pub fn read_mailmap(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let emails = emails_in(line);
            let Some(canonical) = emails.first() else {
                continue;
            };
            for alias in &emails[1..] {
                self.canonical
                    .entry(alias.to_ascii_lowercase())
                    .or_insert_with(|| canonical.clone());
            }
            let name = line.split('<').next().unwrap_or_default().trim();
            self.name(name, canonical);
            self.name(local_part(canonical), canonical);
        }
    }

    /// Reads MAINTAINERS/OWNERS lines that name an e-mail with a name or a `@handle`.
    pub fn read_maintainers(&mut self, text: &str) {
        for line in text.lines() {
            let Some(email) = emails_in(line).into_iter().next() else {
                continue;
            };
            for word in line.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',')) {
                if let Some(handle) = word.strip_prefix('@') {
                    self.name(handle, &email);
                }
            }
            let name = line
                .split('<')
                .next()
                .unwrap_or_default()
                .trim_start_matches(['-', '*', '|', ' ', 'M', ':'])
                .trim();
            if !name.contains('@') {
                self.name(name, &email);
            }
            self.name(local_part(&email), &email);
        }
    }

    fn name(&mut self, name: &str, email: &str) {
        let name = name.trim().to_ascii_lowercase();
        if !name.is_empty() {
            self.by_name
                .entry(name)
                .or_insert_with(|| email.to_string());
        }
    }

    /// The canonical form of an author's e-mail.
    pub fn canonical(&self, email: &str) -> String {
        self.canonical
            .get(&email.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| email.to_string())
    }

    /// The e-mail of a person named by `@handle`, name or e-mail (`None` for a team, or a
    /// handle nothing resolves).
    pub fn resolve(&self, who: &str) -> Option<String> {
        if is_valid_email(who) {
            return Some(self.canonical(who));
        }
        let handle = who.trim_start_matches('@');
        if handle.contains('/') {
            return None;
        }
        self.by_name
            .get(&handle.to_ascii_lowercase())
            .map(|e| self.canonical(e))
    }
}

/// The e-mail addresses in `<...>` on a line, in order, or a bare one.
fn emails_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let email = rest[open + 1..open + close].trim();
        if is_valid_email(email) {
            out.push(email.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    if out.is_empty() {
        out.extend(
            line.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';'))
                .filter(|w| !w.starts_with('@') && is_valid_email(w))
                .map(str::to_string)
                .take(1),
        );
    }
    out
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailmap_gives_canonical_addresses_and_names() {
        let mut people = People::default();
        people.read_mailmap(
            "# comment\nDana Whitfield <dana@acme.example> <dana@old.example>\n<lee@acme.example> Lee <lee@laptop.local>\n",
        );
        assert_eq!(people.canonical("DANA@old.example"), "dana@acme.example");
        assert_eq!(people.canonical("lee@laptop.local"), "lee@acme.example");
        assert_eq!(
            people.resolve("@dana").as_deref(),
            Some("dana@acme.example")
        );
        assert_eq!(
            people.resolve("Dana Whitfield").as_deref(),
            Some("dana@acme.example")
        );
        assert_eq!(people.resolve("@acme/sre"), None);
    }

    #[test]
    fn maintainers_pair_handles_with_addresses() {
        let mut people = People::default();
        people.read_maintainers(
            "Rosa Diaz <rosa@acme.example> (@rdiaz)\n- kofi@acme.example @kofi-a\n",
        );
        assert_eq!(
            people.resolve("@rdiaz").as_deref(),
            Some("rosa@acme.example")
        );
        assert_eq!(
            people.resolve("@kofi-a").as_deref(),
            Some("kofi@acme.example")
        );
        assert_eq!(people.resolve("@nobody"), None);
    }
}
