//! Relative links from an artifact's Markdown documents to files of the repository: the ones
//! that lead nowhere become `broken-link`, the ones that lead to another artifact make the two
//! related. Parsing is CommonMark's (pulldown-cmark), so links in code blocks and code spans
//! do not count, and reference-style links resolve as a forge renders them.

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::core::model::{Artifact, Facts, Index, Target};

/// One relative link in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// 1-based line of the link in the document.
    pub line: u32,
    /// The destination as written.
    pub written: String,
    /// The destination relative to the index's directory, `/`-separated, normalised.
    pub target: String,
}

/// Whether a document is Markdown, by its name.
pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".mdx"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The relative links of a Markdown document at `doc_path` (relative to the index's
/// directory). Links with a scheme (`https:`, `mailto:`), protocol-relative or root-relative
/// ones, pure anchors, and ones climbing above the index's directory are not judged.
pub fn relative_links(doc_path: &str, text: &str) -> Vec<Link> {
    let dir = doc_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset) as u32;
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        let dest = match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        if let Some(target) = resolve(dir, &dest) {
            out.push(Link {
                line: line_of(range.start),
                written: dest.to_string(),
                target,
            });
        }
    }
    out
}

/// A destination as a path relative to the index's directory, or `None` when it is not a
/// relative link to a file.
fn resolve(dir: &str, dest: &str) -> Option<String> {
    let path = dest.split(['#', '?']).next().unwrap_or_default().trim();
    let has_scheme = path.split_once(':').is_some_and(|(scheme, _)| {
        scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if path.is_empty() || has_scheme || path.starts_with('/') || path.starts_with('\\') {
        return None;
    }
    let decoded = percent_decode(path)?;
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `%20` and friends, as forges decode them; `None` on a malformed escape or bytes that are
/// not UTF-8 (such a link is not judged).
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The artifacts related to `artifact` by a link, either way: its documents link to theirs, or
/// theirs to its. A link that leads to something relates an artifact when it leads to the
/// artifact's file, into its directory, or to one of its glob's matches. In index order; not a dependency.
pub fn related_artifacts<'a>(index: &'a Index, facts: &Facts, artifact: &Artifact) -> Vec<&'a str> {
    index
        .artifacts
        .iter()
        .filter(|other| other.id != artifact.id)
        .filter(|other| links_to(facts, artifact, other) || links_to(facts, other, artifact))
        .map(|other| other.id.as_str())
        .collect()
}

/// Whether a document of `from` links to `to`.
fn links_to(facts: &Facts, from: &Artifact, to: &Artifact) -> bool {
    let Some(links) = facts.of(&from.id).map(|f| &f.links) else {
        return false;
    };
    links
        .iter()
        .filter(|l| l.exists)
        .any(|link| match &to.target {
            Target::Url(_) => false,
            Target::Path(p) => {
                let p = p.trim_start_matches("./").trim_end_matches('/');
                link.target == p
                    || link
                        .target
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            Target::Glob(_) => facts
                .of(&to.id)
                .is_some_and(|f| f.matches.contains(&link.target)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(doc: &str, text: &str) -> Vec<(u32, String)> {
        relative_links(doc, text)
            .into_iter()
            .map(|l| (l.line, l.target))
            .collect()
    }

    #[test]
    fn relative_links_resolve_from_the_documents_directory() {
        let text = "# RFC\n\nSee [the policy](20230303-linter-policy.md#scope) and\n\
                    [the ADR](../adr/0001.md), ![a chart](img/chart%20v2.png).\n\n\
                    [ref]: ./notes/ref.md \"Title\"\n\nUse [it][ref].\n";
        assert_eq!(
            targets("rfcs/0042-x.md", text),
            vec![
                (3, "rfcs/20230303-linter-policy.md".to_string()),
                (4, "adr/0001.md".to_string()),
                (4, "rfcs/img/chart v2.png".to_string()),
                (8, "rfcs/notes/ref.md".to_string()),
            ]
        );
    }

    #[test]
    fn what_is_not_a_relative_file_link_is_not_judged() {
        let text = "[web](https://example.com/x.md) [mail](mailto:a@b.example) \
                    [anchor](#goals) [root](/docs/x.md) [proto](//cdn.example/x) \
                    [up](../../outside.md)\n\n`[code](span.md)`\n\n```\n[fenced](block.md)\n```\n";
        assert!(
            targets("docs/prd.md", text).is_empty(),
            "{:?}",
            targets("docs/prd.md", text)
        );
    }

    #[test]
    fn markdown_by_name() {
        assert!(is_markdown("docs/PRD.MD"));
        assert!(!is_markdown("prompts/reply.yaml"));
    }
}
