//! Every link in the project's Markdown leads somewhere: a relative link names a file of the
//! checkout, and an anchor names a heading of its file (as a forge numbers and spells them).
//! With the docs split into `docs/`, a moved section is a broken link waiting to happen; this
//! test finds it before a reader does. The mdBook's `docs/SUMMARY.md` must list every page.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pages the docs test runs (README.md and `docs/**/*.md`) and the top-level guides.
fn markdown_files() -> Vec<PathBuf> {
    let mut out = crate::docs::documents();
    out.extend(
        ["ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md"]
            .iter()
            .map(|name| root().join(name))
            .filter(|path| path.exists()),
    );
    out
}

/// A heading's anchor as GitHub spells it: lower case, punctuation other than `-` and `_`
/// dropped, spaces as `-`.
fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

struct Page {
    anchors: BTreeSet<String>,
    /// Link targets with the line they are on.
    links: Vec<(usize, String)>,
}

fn read_page(path: &Path) -> Page {
    let text = std::fs::read_to_string(path).unwrap();
    let mut anchors = BTreeSet::new();
    let mut links = Vec::new();
    let mut heading: Option<String> = None;
    for (event, range) in Parser::new(&text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let base = slug(&heading.take().unwrap_or_default());
                let mut anchor = base.clone();
                let mut n = 0;
                while !anchors.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("{base}-{n}");
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            // `<someone@example.com>` is a mail link, not a path.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                let line = text[..range.start].lines().count().max(1);
                links.push((line, dest_url.to_string()));
            }
            _ => {}
        }
    }
    Page { anchors, links }
}

#[test]
fn every_relative_link_and_anchor_in_the_docs_resolves() {
    let mut broken = Vec::new();
    for path in markdown_files() {
        let page = read_page(&path);
        let shown = path.strip_prefix(root()).unwrap().display().to_string();
        for (line, target) in &page.links {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if file.is_empty() {
                path.clone()
            } else {
                path.parent().unwrap().join(file)
            };
            if !linked.exists() {
                broken.push(format!("{shown}:{line}: {target}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor
                && linked.extension().is_some_and(|e| e == "md")
                && !read_page(&linked).anchors.contains(anchor)
            {
                broken.push(format!("{shown}:{line}: {target}: no such heading"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_book_summary_lists_every_page() {
    let summary_path = root().join("docs/SUMMARY.md");
    if !summary_path.exists() {
        // Before the docs have a book there is nothing to list.
        assert!(
            !root().join("docs/guide").exists(),
            "docs/ has pages but no SUMMARY.md"
        );
        return;
    };
    let listed: BTreeSet<String> = read_page(&summary_path)
        .links
        .into_iter()
        .map(|(_, target)| target)
        .collect();
    let missing: Vec<String> = markdown_files()
        .into_iter()
        .filter_map(|path| {
            let page = path.strip_prefix(root().join("docs")).ok()?;
            let page = page.to_string_lossy().into_owned();
            (page != "SUMMARY.md" && !listed.contains(&page)).then_some(page)
        })
        .collect();
    assert!(missing.is_empty(), "pages the book leaves out: {missing:?}");
}
