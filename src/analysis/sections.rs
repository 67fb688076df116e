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
                    out.push(title.to_string());
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
            out.push(title.trim().to_string());
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
    out
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
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        yaml_keys(text)
    } else {
        markdown_headings(text)
    }
}

/// A heading or requirement reduced to what matching compares.
pub fn normalize(title: &str) -> String {
    let mut t = strip_section_number(title.trim()).to_lowercase();
    // Emphasis and inline code around a heading do not change what it names.
    let unwrap = |t: &str| {
        t.trim_matches(|c| matches!(c, '*' | '_' | '`'))
            .trim()
            .to_string()
    };
    t = unwrap(&t);
    t = t.trim_end_matches(':').trim_end().to_string();
    if let Some(stripped) = t.strip_suffix("(optional)") {
        t = stripped.trim_end().to_string();
    }
    t = unwrap(&t);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
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
    let have: std::collections::HashSet<String> = sections.iter().map(|s| normalize(s)).collect();
    required
        .iter()
        .filter(|req| !req.split('|').any(|alt| have.contains(&normalize(alt))))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
