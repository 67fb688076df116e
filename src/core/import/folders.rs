//! Document folders by convention: which family a file belongs to, which file is a family's
//! template, and the sections a template asks for.

/// A family of documents and the kind its artifacts get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Adr,
    Rfc,
    Runbook,
    Design,
    Prompt,
    EvalSet,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Adr,
        Family::Rfc,
        Family::Runbook,
        Family::Design,
        Family::Prompt,
        Family::EvalSet,
    ];

    /// The kind's id in the index.
    pub fn kind(self) -> &'static str {
        match self {
            Family::Adr => "adr",
            Family::Rfc => "rfc",
            Family::Runbook => "runbook",
            Family::Design => "design-doc",
            Family::Prompt => "prompt",
            Family::EvalSet => "eval-set",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Family::Adr => "Architecture decision record",
            Family::Rfc => "Proposal (RFC)",
            Family::Runbook => "Runbook",
            Family::Design => "Design doc",
            Family::Prompt => "Prompt",
            Family::EvalSet => "Eval set",
        }
    }

    /// Folder names (lower case) that hold the family's documents.
    fn folders(self) -> &'static [&'static str] {
        match self {
            Family::Adr => &["adr", "adrs", "decisions", "architecture-decisions"],
            Family::Rfc => &["rfcs", "rfc", "keps", "kep", "oteps", "otep"],
            Family::Runbook => &["runbooks", "runbook", "playbooks", "playbook"],
            Family::Design => &["design", "designs", "design-docs", "design_docs"],
            Family::Prompt => &["prompts"],
            Family::EvalSet => &["evals", "eval-sets", "evalsets", "eval_sets"],
        }
    }

    /// Whether a file is one of the family's documents (Markdown, except prompts and eval
    /// sets, which are data as often as prose).
    fn takes(self, file_name: &str) -> bool {
        let lower = file_name.to_ascii_lowercase();
        match self {
            Family::Prompt | Family::EvalSet => {
                !lower.starts_with('.') && !lower.ends_with(".lock")
            }
            _ => lower.ends_with(".md") || lower.ends_with(".markdown"),
        }
    }
}

/// A file of a family: its family, the folder it was found under, and whether it is the
/// template rather than a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub family: Family,
    /// The family's folder, `/`-separated, without a trailing slash.
    pub folder: String,
    pub template: bool,
}

/// Where `path` sits by convention, if it is a family's document or template. A folder's own
/// README or index is its introduction, not a document.
pub fn place(path: &str) -> Option<Placed> {
    let parts: Vec<&str> = path.split('/').collect();
    let (file, dirs) = parts.split_last()?;
    for (depth, dir) in dirs.iter().enumerate() {
        let lower = dir.to_ascii_lowercase();
        let Some(family) = Family::ALL
            .into_iter()
            .find(|f| f.folders().contains(&lower.as_str()))
        else {
            continue;
        };
        if !family.takes(file) {
            return None;
        }
        let folder = dirs[..=depth].join("/");
        let stem = file.rsplit_once('.').map_or(*file, |(s, _)| s);
        let stem = stem.to_ascii_lowercase();
        let in_root = depth + 1 == dirs.len();
        if in_root && matches!(stem.as_str(), "readme" | "index" | "_index") {
            return None;
        }
        let template = stem.contains("template")
            || dirs[depth + 1..]
                .iter()
                .any(|d| d.to_ascii_lowercase().contains("template"));
        return Some(Placed {
            family,
            folder,
            template,
        });
    }
    None
}

/// The sections a template asks for: its headings at the top level below the title (a
/// single leading `#` heading is the title; where there are several, they are the sections),
/// without placeholders such as `[short title]` or `{{name}}`.
pub fn template_sections(text: &str) -> Vec<String> {
    let headings = atx_headings(text);
    let mut body: &[(usize, String)] = &headings;
    let top_level = headings.iter().filter(|(l, _)| *l == 1).count();
    if top_level == 1 && headings.first().is_some_and(|(l, _)| *l == 1) {
        body = &headings[1..];
    }
    let Some(level) = body.iter().map(|(l, _)| *l).min() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for (_, title) in body.iter().filter(|(l, _)| *l == level) {
        let placeholder = title.starts_with(['[', '<']) || title.contains("{{");
        if !placeholder && !out.iter().any(|t| t.eq_ignore_ascii_case(title)) {
            out.push(title.clone());
        }
    }
    out
}

/// `#`-headings with their level, outside fenced code and front matter.
fn atx_headings(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut lines = text.lines().peekable();
    if let Some(first) = lines.peek().map(|l| l.trim_end())
        && (first == "---" || first == "+++")
    {
        lines.next();
        for line in lines.by_ref() {
            if line.trim_end() == first {
                break;
            }
        }
    }
    for line in lines {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() >= 4 {
            continue;
        }
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    Some(open) if open == marker => None,
                    None => Some(marker),
                    other => other,
                };
            }
        }
        if fence.is_some() || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            continue;
        }
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&level) {
            let rest = &trimmed[level..];
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                let title = rest.trim().trim_end_matches('#').trim();
                if !title.is_empty() {
                    out.push((level, title.to_string()));
                }
            }
        }
    }
    out
}

/// The first `#` heading of a Markdown document: its title.
pub fn first_title(text: &str) -> Option<String> {
    atx_headings(text)
        .into_iter()
        .find(|(level, _)| *level == 1)
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_by_folder() {
        let p = |path: &str| place(path).map(|p| (p.family, p.folder, p.template));
        assert_eq!(
            p("docs/adr/0001-use-postgres.md"),
            Some((Family::Adr, "docs/adr".into(), false))
        );
        assert_eq!(
            p("doc/architecture/decisions/0000-template.md"),
            Some((Family::Adr, "doc/architecture/decisions".into(), true))
        );
        assert_eq!(
            p("keps/sig-node/1234-swap/README.md"),
            Some((Family::Rfc, "keps".into(), false))
        );
        assert_eq!(
            p("keps/NNNN-kep-template/README.md").map(|x| x.2),
            Some(true)
        );
        assert_eq!(p("runbooks/README.md"), None);
        assert_eq!(p("runbooks/deploy.sh"), None);
        assert_eq!(
            p("prompts/reply.yaml"),
            Some((Family::Prompt, "prompts".into(), false))
        );
        assert_eq!(p("src/main.rs"), None);
    }

    #[test]
    fn template_sections_are_the_level_below_the_title() {
        let nygard = "# 1. [Title]\n\n## Status\n\n## Context\n\n### Detail\n\n## Decision\n\n```\n## Not this\n```\n## Consequences\n";
        assert_eq!(
            template_sections(nygard),
            ["Status", "Context", "Decision", "Consequences"]
        );
        let rust_rfc =
            "- Feature Name: (fill me in)\n\n# Summary\n\n# Motivation\n\n## Sub\n\n# Drawbacks\n";
        assert_eq!(
            template_sections(rust_rfc),
            ["Summary", "Motivation", "Drawbacks"]
        );
    }
}
