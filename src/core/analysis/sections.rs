//! Which required sections a document lacks.
//!
//! Markdown documents: ATX (`## Title`) and setext headings at any level, outside fenced code
//! blocks and front matter. YAML documents (`.yaml`, `.yml`): the top-level keys, so that a
//! prompt registry entry can require `model` or `changelog`.
//!
//! Matching is case-insensitive, ignores a trailing "(Optional)", surrounding whitespace and
//! a leading section number ("2.1 Rollout plan"); `A|B` in a requirement accepts either.

/// The headings of a Markdown document, in order, as written (trimmed).
pub fn markdown_headings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    visit_markdown_headings(text, &mut |title| out.push(title.to_string()));
    out
}

/// Calls `visit` with each heading of a Markdown document, in order, as written (trimmed),
/// without allocating.
fn visit_markdown_headings<'t>(text: &'t str, visit: &mut dyn FnMut(&'t str)) {
    let mut fence: Option<(char, usize)> = None;
    let mut previous: Option<&str> = None;
    let mut lines = text.lines().peekable();

    // Front matter: a first line of `---` up to the next `---` or `...`.
    if lines.peek().map(|l| l.trim_end()) == Some("---") {
        lines.next();
        for line in lines.by_ref() {
            if matches!(line.trim_end(), "---" | "...") {
                break;
            }
        }
    }

    for line in lines {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim();
        if let Some((ch, len)) = fence {
            let run = trimmed.chars().take_while(|c| *c == ch).count();
            if indent < 4 && run >= len && trimmed[run * ch.len_utf8()..].trim().is_empty() {
                fence = None;
            }
            previous = None;
            continue;
        }
        if indent < 4
            && let Some(open) = fence_opening(trimmed)
        {
            fence = Some(open);
            previous = None;
            continue;
        }
        if indent < 4 && trimmed.starts_with('#') {
            let level = trimmed.chars().take_while(|c| *c == '#').count();
            let rest = &trimmed[level..];
            if level <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
                let title = rest.trim().trim_end_matches('#').trim_end();
                if !title.is_empty() {
                    visit(title);
                }
                previous = None;
                continue;
            }
        }
        if indent < 4
            && !trimmed.is_empty()
            && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'))
            && let Some(title) = previous
        {
            visit(title.trim());
            previous = None;
            continue;
        }
        // Only a single-line paragraph directly above an underline becomes a setext heading
        // here; list items and block quotes never do.
        previous = if trimmed.is_empty()
            || indent >= 4
            || trimmed.starts_with(['-', '*', '+', '>', '|'])
        {
            None
        } else {
            Some(trimmed)
        };
    }
}

fn fence_opening(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    // A backtick fence's info string may not contain backticks.
    if ch == '`' && trimmed[len..].contains('`') {
        return None;
    }
    Some((ch, len))
}

/// The top-level keys of a YAML mapping document; empty when it is not one.
pub fn yaml_keys(text: &str) -> Vec<String> {
    match crate::yaml::parse(text) {
        Ok(Some(root)) => root
            .as_map()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e.key.as_scalar().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The sections of a document, chosen by its file name.
pub fn sections_of(path: &str, text: &str) -> Vec<String> {
    if is_yaml(path) {
        yaml_keys(text)
    } else {
        markdown_headings(text)
    }
}

/// Whether a document's sections are its top-level YAML keys.
fn is_yaml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// A heading or requirement reduced to what matching compares.
pub fn normalize(title: &str) -> String {
    let mut out = String::new();
    normalize_into(title, &mut String::new(), &mut out);
    out
}

/// [`normalize`] into `out`, using `lower` as scratch space: no allocation once both have
/// grown to fit, which matters when every heading of thousands of documents is compared.
fn normalize_into(title: &str, lower: &mut String, out: &mut String) {
    let numbered = strip_section_number(title.trim());
    lower.clear();
    if numbered.is_ascii() {
        lower.extend(numbered.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        // `str::to_lowercase`, not per character: it knows a word-final sigma.
        lower.push_str(&numbered.to_lowercase());
    }
    // Until nothing changes, so that a normalized title normalizes to itself ("**2. Goal:**",
    // "Goal: (Optional)", a colon after white space).
    let mut t = lower.as_str();
    loop {
        let before = t.len();
        t = strip_section_number(unwrap_emphasis(t));
        t = t.trim_end_matches(|c: char| c == ':' || c.is_whitespace());
        if let Some(stripped) = t.strip_suffix("(optional)") {
            t = stripped;
        }
        if t.len() == before {
            break;
        }
    }
    out.clear();
    for (i, word) in t.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Emphasis and inline code around a heading do not change what it names.
fn unwrap_emphasis(t: &str) -> &str {
    t.trim_matches(|c| matches!(c, '*' | '_' | '`')).trim()
}

/// Drops a leading section number such as "2.", "2.1" or "2)" followed by white space.
fn strip_section_number(t: &str) -> &str {
    let number_len = t
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    if number_len == 0 || !t.as_bytes()[0].is_ascii_digit() {
        return t;
    }
    let rest = t[number_len..]
        .strip_prefix(')')
        .unwrap_or(&t[number_len..]);
    if rest.starts_with(char::is_whitespace) {
        rest.trim_start()
    } else {
        t
    }
}

/// The requirements (as written) that none of `sections` satisfies.
pub fn missing_sections(required: &[String], sections: &[String]) -> Vec<String> {
    let requirements = Requirements::new(required);
    let mut satisfied = vec![false; required.len()];
    let mut scratch = Scratch::default();
    for section in sections {
        requirements.mark(section, &mut satisfied, &mut scratch);
    }
    requirements.unsatisfied(&satisfied)
}

/// A kind's required sections, normalized once, to check many documents against.
#[derive(Debug, Clone)]
pub(crate) struct Requirements {
    /// Each requirement as written, with its normalized alternatives.
    items: Vec<(String, Vec<String>)>,
}

/// Buffers reused across headings.
#[derive(Default)]
struct Scratch {
    lower: String,
    normalized: String,
}

impl Requirements {
    pub fn new(required: &[String]) -> Requirements {
        Requirements {
            items: required
                .iter()
                .map(|req| (req.clone(), req.split('|').map(normalize).collect()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The requirements (as written) the document at `path` lacks: what
    /// `missing_sections(required, &sections_of(path, text))` gives.
    pub(crate) fn missing_in(&self, path: &str, text: &str) -> Vec<String> {
        let mut satisfied = vec![false; self.items.len()];
        let mut scratch = Scratch::default();
        if is_yaml(path) {
            for key in yaml_keys(text) {
                self.mark(&key, &mut satisfied, &mut scratch);
            }
        } else {
            visit_markdown_headings(text, &mut |heading| {
                self.mark(heading, &mut satisfied, &mut scratch);
            });
        }
        self.unsatisfied(&satisfied)
    }

    /// Marks the requirements a section satisfies.
    fn mark(&self, section: &str, satisfied: &mut [bool], scratch: &mut Scratch) {
        normalize_into(section, &mut scratch.lower, &mut scratch.normalized);
        for ((_, alternatives), satisfied) in self.items.iter().zip(satisfied.iter_mut()) {
            *satisfied |= alternatives.contains(&scratch.normalized);
        }
    }

    fn unsatisfied(&self, satisfied: &[bool]) -> Vec<String> {
        self.items
            .iter()
            .zip(satisfied)
            .filter(|(_, satisfied)| !**satisfied)
            .map(|((req, _), _)| req.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `heading_scanner` fuzz target: a colon after white space survived one
    /// pass, so a normalized title normalized again to something else.
    #[test]
    fn normalizing_twice_changes_nothing() {
        for (title, once) in [
            ("Ru\u{b}pee: :", "ru pee"),
            ("**2. Goal:**", "goal"),
            ("Goal: (Optional)", "goal"),
            ("`Rollout plan` (optional) :", "rollout plan"),
            ("2) Failure cost", "failure cost"),
        ] {
            assert_eq!(normalize(title), once, "{title:?}");
            assert_eq!(normalize(once), once, "{title:?}");
        }
    }

    fn missing(required: &[&str], doc: &str) -> Vec<String> {
        let req: Vec<String> = required.iter().map(|s| s.to_string()).collect();
        missing_sections(&req, &markdown_headings(doc))
    }

    #[test]
    fn any_level_any_case() {
        let doc = "# PRD\n\n### success METRIC\n\ntext\n\n###### Rollout Plan ###\n";
        assert!(missing(&["Success metric", "Rollout plan"], doc).is_empty());
    }

    #[test]
    fn optional_suffix_is_ignored_on_both_sides() {
        assert!(missing(&["Rollout plan"], "## Rollout plan (Optional)\n").is_empty());
        assert!(missing(&["Rollout plan (optional)"], "## Rollout plan\n").is_empty());
    }

    #[test]
    fn alternatives() {
        assert!(missing(&["Failure cost|Cost of failure"], "## Cost of failure\n").is_empty());
        assert_eq!(
            missing(&["Failure cost|Cost of failure"], "## Costs\n"),
            vec!["Failure cost|Cost of failure"]
        );
    }

    #[test]
    fn headings_in_code_fences_do_not_count() {
        let doc = "# Doc\n\n```markdown\n## Success metric\n```\n\n~~~~\n## Rollout plan\n~~~\n## still fenced\n~~~~\n";
        assert_eq!(
            missing(&["Success metric", "Rollout plan"], doc),
            vec!["Success metric", "Rollout plan"]
        );
        assert_eq!(markdown_headings(doc), vec!["Doc"]);
    }

    #[test]
    fn setext_headings_count_but_lists_and_rules_do_not() {
        let doc = "Success metric\n==============\n\nRollout plan\n---\n\n- item\n---\n\n***\n";
        assert_eq!(
            markdown_headings(doc),
            vec!["Success metric", "Rollout plan"]
        );
    }

    #[test]
    fn front_matter_and_indented_code_are_skipped() {
        let doc = "---\ntitle: x\n# not a heading\n---\n    # indented code\n#NoSpace\n# Real\n";
        assert_eq!(markdown_headings(doc), vec!["Real"]);
    }

    #[test]
    fn numbering_and_emphasis_are_ignored() {
        assert!(missing(&["Success metric"], "## 2.1 Success metric\n").is_empty());
        assert!(missing(&["Success metric"], "## 2) **Success metric:**\n").is_empty());
        assert!(!missing(&["Success metric"], "## 2021 goals\n").is_empty());
    }

    #[test]
    fn yaml_documents_use_top_level_keys() {
        let keys = sections_of(
            "prompts/draft.yaml",
            "version: 3\nmodel: x\nchangelog:\n  - a\n",
        );
        assert_eq!(keys, vec!["version", "model", "changelog"]);
        assert!(sections_of("p.yml", "- not a mapping\n").is_empty());
    }
}
