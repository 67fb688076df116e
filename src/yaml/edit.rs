//! Surgical edits: new text spliced into the original bytes, so that comments, key order,
//! quoting and blank lines outside the edit stay byte-for-byte.

/// A scalar written so that any YAML reader reads back exactly `s`: plain when that is
/// unambiguous, double-quoted (with JSON escapes, which YAML shares) otherwise.
pub fn scalar(s: &str) -> String {
    let safe_chars = s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '+' | '-' | '/' | ' '));
    let starts_well = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '/');
    let keyword = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    let spaced = s.starts_with(' ') || s.ends_with(' ') || s.contains("  ");
    if !s.is_empty() && safe_chars && starts_well && !keyword && !numeric && !spaced {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("strings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "dana@acme.example",
            "ai-eng",
            "Checked: the failure cost table",
            "yes",
            "123",
            "1e5",
            "",
            " padded",
            "line\nbreak",
            "quote \" and \\",
            "# not a comment",
            "- not a list",
            "日本語",
            "tab\there",
        ] {
            let text = format!("k: {}\n", scalar(s));
            let root = crate::yaml::parse(&text).unwrap().unwrap();
            assert_eq!(root.get("k").unwrap().as_scalar(), Some(s), "{text}");
        }
        assert_eq!(scalar("dana@acme.example"), "dana@acme.example");
    }
}
