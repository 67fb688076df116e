//! New values as text: scalars that read back as themselves, flow and block collections in
//! the document's layout.

use super::{Layout, NewValue};

/// A scalar written so that any YAML reader reads back exactly `s`: plain when that is
/// unambiguous, double-quoted (with JSON escapes, which YAML shares) otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("strings serialise")
    }
}

/// Whether `s` reads back as itself when written plain, in block and in flow context alike,
/// by YAML 1.1 readers (PyYAML) as well as 1.2 ones.
fn is_plain_safe(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let safe_char = |i: usize| {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        match c {
            c if c.is_ascii_alphanumeric() => true,
            '@' | '.' | '_' | '+' | '-' | '/' | '(' | ')' | '\'' | '"' | '!' | '?' | '%' | '&'
            | '*' | '=' | '~' | '$' | '^' | ';' | '<' | '>' => true,
            ' ' => true,
            // `: ` starts a value and ` #` a comment; inside a word both are plain text.
            ':' => next.is_some_and(|n| n != ' '),
            '#' => prev.is_some_and(|p| p != ' '),
            c if !c.is_ascii() => {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
            }
            _ => false,
        }
    };
    // Indicators (`-`, `?`, `:`, `[`, `{`, `#`, `&`, `*`, `!`, `|`, `>`, quotes, `%`, `@`, `` ` ``)
    // cannot start a plain scalar.
    let starts_well = chars.first().is_some_and(|c| {
        c.is_alphanumeric()
            || matches!(c, '_' | '/' | '(' | '$' | '^' | '+' | '=' | ';')
            || (!c.is_ascii() && !c.is_whitespace())
    });
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | ':' | '+' | '-'))
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.starts_with('.');
    let spaced = s.starts_with(' ') || s.ends_with(' ') || s.contains("  ");
    !s.is_empty()
        && (0..chars.len()).all(safe_char)
        && starts_well
        && !keyword
        && !numeric
        && !spaced
}

pub(super) fn flow_list(items: &[String], padded: bool) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let inner = items
        .iter()
        .map(|s| scalar(s))
        .collect::<Vec<_>>()
        .join(", ");
    if padded {
        format!("[ {inner} ]")
    } else {
        format!("[{inner}]")
    }
}

/// A value in flow style, on one line.
pub(crate) fn render_flow(value: &NewValue, layout: &Layout) -> String {
    match value {
        NewValue::Scalar(s) => scalar(s),
        NewValue::List(items) => flow_list(items, layout.padded_lists),
        NewValue::Map(entries) if entries.is_empty() => "{}".into(),
        NewValue::Map(entries) => {
            let inner = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), render_flow(v, layout)))
                .collect::<Vec<_>>()
                .join(", ");
            if layout.padded_maps {
                format!("{{ {inner} }}")
            } else {
                format!("{{{inner}}}")
            }
        }
    }
}

/// Whether a value is written on the line of its key (`key: value`) in this layout.
pub(super) fn fits_on_key_line(value: &NewValue, layout: &Layout) -> bool {
    match value {
        NewValue::Scalar(_) => true,
        NewValue::List(items) => layout.flow_lists || items.is_empty(),
        NewValue::Map(entries) => layout.flow_maps || entries.is_empty(),
    }
}

/// The lines under a key whose value does not fit on the key's line, for a key at `key_col`.
pub(super) fn block_lines(value: &NewValue, key_col: usize, layout: &Layout) -> Vec<String> {
    match value {
        NewValue::Scalar(_) => Vec::new(),
        NewValue::List(items) => {
            let pad = " ".repeat(key_col + layout.seq_indent);
            items
                .iter()
                .map(|s| format!("{pad}- {}", scalar(s)))
                .collect()
        }
        NewValue::Map(entries) => entries
            .iter()
            .flat_map(|(k, v)| entry_lines(k, v, key_col + layout.indent, layout))
            .collect(),
    }
}

/// `key: value` as whole lines, the key at `key_col`.
pub(crate) fn entry_lines(
    key: &str,
    value: &NewValue,
    key_col: usize,
    layout: &Layout,
) -> Vec<String> {
    let pad = " ".repeat(key_col);
    if fits_on_key_line(value, layout) {
        vec![format!(
            "{pad}{}: {}",
            scalar(key),
            render_flow(value, layout)
        )]
    } else {
        let mut lines = vec![format!("{pad}{}:", scalar(key))];
        lines.extend(block_lines(value, key_col, layout));
        lines
    }
}
