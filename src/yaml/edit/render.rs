//! New values as text: scalars that read back as themselves, flow and block collections in
//! the document's layout.

use super::{Layout, NewValue};

/// A scalar written so that any YAML reader reads back exactly `s`, as a string: plain when
/// that is plainly a word under YAML 1.1 (PyYAML, yaml-language-server's default) and 1.2
/// rules alike, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// `s` in double quotes, escaping what a reader would otherwise fold, drop or refuse: line
/// breaks of either YAML version (`\x85`, `\u2028`, `\u2029`), control characters, and the
/// characters PyYAML's reader rejects even inside quotes (`\x7f`-`\x9f`, `\ufeff`, `\ufffe`,
/// `\uffff`).
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` reads back as itself, a string, when written plain, in block and in flow
/// context alike, by YAML 1.1 readers (PyYAML) as well as 1.2 ones.
fn is_plain_safe(s: &str) -> bool {
    !s.is_empty()
        && plain_chars(s)
        && starts_as_plain(s)
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !is_keyword(s)
        && !looks_like_number_or_time(s)
}

/// Every character may stand in a plain scalar where it stands: no flow indicators, quotes
/// of the other kind are fine inside, `: ` would start a value and ` #` a comment. `?`
/// ends a plain scalar inside a flow collection for PyYAML, so it is quoted too.
fn plain_chars(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len()).all(|i| {
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        match chars[i] {
            c if c.is_ascii_alphanumeric() => true,
            '@' | '.' | '_' | '+' | '-' | '/' | '(' | ')' | '\'' | '"' | '!' | '%' | '&' | '*'
            | '=' | '~' | '$' | '^' | ';' | '<' | '>' | ' ' => true,
            ':' => next.is_some_and(|n| n != ' '),
            '#' => prev.is_some_and(|p| p != ' '),
            c if !c.is_ascii() => {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(
                        c,
                        '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
                    )
            }
            _ => false,
        }
    })
}

/// Indicators (`-`, `?`, `:`, `,`, `[`, `]`, `{`, `}`, `#`, `&`, `*`, `!`, `|`, `>`, quotes,
/// `%`, `@`, `` ` ``) cannot start a plain scalar; `=`, `<`, `+`, `.` and `~` start YAML 1.1
/// values (`=`, `<<`, `+1`, `.inf`, `~`), so they are not left plain at the start either.
fn starts_as_plain(s: &str) -> bool {
    s.chars().next().is_some_and(|c| {
        c.is_alphanumeric()
            || matches!(c, '_' | '/' | '(' | '$' | '^' | ';')
            || (!c.is_ascii() && !c.is_whitespace())
    })
}

/// Booleans and nulls of YAML 1.1 and 1.2 in any case, the merge key and the value key.
fn is_keyword(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~" | "<<" | "="
    )
}

/// Whether a resolver of either version could read `s` as a number (any base, `_`
/// separators, sexagesimal `1:20`, exponents, infinities and NaN) or a timestamp or date.
/// A little wider than the union of the resolvers (`1.2.3` counts), never narrower.
fn looks_like_number_or_time(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let special = matches!(
        body.to_ascii_lowercase().as_str(),
        ".inf" | ".nan" | "inf" | "nan" | "infinity"
    );
    special || s.parse::<f64>().is_ok() || is_based_int(body) || is_decimal(body) || is_time(s)
}

/// `0x1F`, `0o17`, `0b1010` (with `_` separators, as YAML 1.1 allows).
fn is_based_int(body: &str) -> bool {
    let Some(digits) = ["0x", "0X", "0o", "0O", "0b", "0B"]
        .iter()
        .find_map(|prefix| body.strip_prefix(prefix))
    else {
        return false;
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit() || c == '_')
}

/// Digits with `_`, `.` and `:` anywhere (integers, 1.1 octals, floats, sexagesimals), led by a
/// digit or `.`, optionally followed by an exponent `e[+-]N`.
fn is_decimal(body: &str) -> bool {
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = mantissa.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | ':'));
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// A date (`2026-01-01`, `2026-1-1`) or timestamp of YAML 1.1: four digits and a dash, then
/// only what a timestamp holds (digits, `-`, `:`, `.`, `T`, `Z`, offsets, spaces).
fn is_time(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() >= 6
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5].is_ascii_digit()
        && s.chars()
            .all(|c| c.is_ascii_digit() || "-:.+ \ttTzZ".contains(c))
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
