//! Text from the repository is data: it is neutralised before it reaches a terminal or a
//! report, and measured by display width, never by bytes.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Replaces control characters (escape sequences included) with visible stand-ins: C0
/// controls in caret notation (`^[` for ESC), tabs as a space, DEL and C1 controls as `�`.
/// Line breaks become spaces too: callers that keep lines split them first.
pub(crate) fn sanitize(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from_u32(c as u32 + 0x40).unwrap_or('?'));
            }
            c if needs_escape(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        // Bidirectional overrides can make text read differently from what it is.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A count with its noun, singular for one: "1 artifact", "3 artifacts", "0 roles".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The number of terminal columns `s` occupies.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with `…` when it was cut.
pub fn truncate(s: &str, max: usize) -> String {
    truncate_with(s, max, "…")
}

/// Cuts `s` to at most `max` columns, ending with `ellipsis` (`…`, or `...` for ASCII-only
/// output) when it was cut.
pub fn truncate_with(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mark = width(ellipsis);
    if max < mark {
        return ".".repeat(max);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - mark {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(ellipsis);
    out
}

/// Pads `s` with spaces to exactly `cols` columns (cutting it first if longer).
pub fn pad(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cols.saturating_sub(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        assert_eq!(sanitize("PRD\x1b]0;pwned\x07 v2"), "PRD^[]0;pwned^G v2");
        assert_eq!(sanitize("a\u{9b}31mb"), "a\u{fffd}31mb");
        assert_eq!(sanitize("evil\u{202e}txt"), "evil\u{fffd}txt");
        assert_eq!(sanitize("plain ✓ 日本"), "plain ✓ 日本");
    }

    #[test]
    fn widths_count_columns_not_bytes() {
        assert_eq!(width("日本"), 4);
        assert_eq!(truncate("日本語のタイトル", 7), "日本語…");
        assert_eq!(pad("🚀x", 5), "🚀x  ");
        assert_eq!(width(&pad("日本語のタイトル", 6)), 6);
    }
}

/// Word-wraps `s` to `cols` columns; every line after the first starts with `indent` spaces.
/// A word longer than a line (a path, a command) is broken across lines rather than cut, so
/// nothing is lost. Widths are display widths.
pub(crate) fn wrap(s: &str, cols: usize, indent: usize) -> Vec<String> {
    let cols = cols.max(indent + 8);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split_whitespace() {
        let w = width(word);
        let room = cols - if lines.is_empty() { 0 } else { indent };
        if used > 0 && used + 1 + w > room {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        if w > room {
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                let room = cols - if lines.is_empty() { 0 } else { indent };
                if used + cw > room {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
            continue;
        }
        line.push_str(word);
        used += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l
            } else {
                format!("{}{l}", " ".repeat(indent))
            }
        })
        .collect()
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn wraps_with_a_hanging_indent() {
        let lines = wrap(
            "changed 24 days ago, after sam approved it on 2026-07-27",
            24,
            4,
        );
        assert_eq!(
            lines,
            vec![
                "changed 24 days ago,",
                "    after sam approved",
                "    it on 2026-07-27"
            ]
        );
        assert!(lines.iter().all(|l| width(l) <= 24));
        assert_eq!(wrap("", 10, 2), vec![""]);
        let long = wrap("see a-very-long-word-that-does-not-fit-anywhere", 12, 2);
        assert!(long.iter().all(|l| width(l) <= 12), "{long:?}");
        assert_eq!(
            long.iter().map(|l| l.trim()).collect::<String>(),
            "seea-very-long-word-that-does-not-fit-anywhere",
            "a long word is broken across lines, not cut"
        );
    }
}
