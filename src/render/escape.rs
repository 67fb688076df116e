//! Escaping repository text for each output format. Everything from the repository (titles,
//! ids, paths, messages that quote them, notes, document text) is untrusted: it is first
//! neutralised with [`sanitize`] (control characters, escape sequences, bidi overrides) and
//! then escaped for the format it lands in.

use crate::core::text::sanitize;

/// Text for HTML element content and quoted attribute values.
pub(crate) fn html(s: &str) -> String {
    let s = sanitize(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for XML content and attributes. Same as HTML: `sanitize` has already removed every
/// character XML 1.0 forbids (C0 controls other than white space).
pub(crate) fn xml(s: &str) -> String {
    html(s)
}

/// Several lines for XML element content, line breaks kept.
pub(crate) fn xml_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    lines.into_iter().map(xml).collect::<Vec<_>>().join("\n")
}

/// Inline Markdown text: the characters that would start emphasis, links, inline HTML, code,
/// entities or table cells are backslash-escaped, so repository text renders as written.
pub(crate) fn md(s: &str) -> String {
    let s = sanitize(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An inline code span holding `s` exactly (ids, paths, codes), safe inside a table cell.
pub(crate) fn md_code(s: &str) -> String {
    let s = sanitize(s).replace('|', "\\|");
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A finding's message or fix for Markdown: the engine writes ids, paths and commands between
/// backticks, which become code spans; everything else is escaped text. Unbalanced backticks
/// leave the whole text escaped.
pub(crate) fn md_message(s: &str) -> String {
    styled_message(s, md, md_code)
}

/// A finding's message or fix for HTML, with the engine's backtick spans as `<code>`.
pub(crate) fn html_message(s: &str) -> String {
    styled_message(s, html, |code| format!("<code>{}</code>", html(code)))
}

fn styled_message(s: &str, text: fn(&str) -> String, code: impl Fn(&str) -> String) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return text(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { text(part) })
        .collect()
}

/// A value for a GitHub workflow command's message (after the `::`).
pub(crate) fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A value for a GitHub workflow command's property (`file=`, `title=`).
pub(crate) fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_xml_escape_markup_and_controls() {
        assert_eq!(
            html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(xml("a\x1b[31mb\x07"), "a^[[31mb^G");
        assert_eq!(xml_lines(["<a>", "b"]), "&lt;a&gt;\nb");
    }

    #[test]
    fn markdown_text_renders_as_written() {
        assert_eq!(
            md("a|b *c* [x](y) <img>"),
            "a\\|b \\*c\\* \\[x\\](y) \\<img\\>"
        );
        assert_eq!(md_code("docs/prd.md"), "`docs/prd.md`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(md_message("add `a|b` <now>"), "add `a\\|b` \\<now\\>");
        assert_eq!(md_message("odd ` tick"), "odd \\` tick");
        assert_eq!(html_message("run `x <y>`"), "run <code>x &lt;y&gt;</code>");
    }

    #[test]
    fn github_commands_cannot_be_broken_out_of() {
        assert_eq!(
            github_data("50% done\r\n::error::x"),
            "50%25 done%0D%0A::error::x"
        );
        assert_eq!(github_property("docs/a,b:c.md"), "docs/a%2Cb%3Ac.md");
    }
}
