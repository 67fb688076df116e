//! How matrix cells are written, shared by the CLI exports and the workbench: a relation
//! letter and a state glyph, so no state is carried by colour alone.

use crate::core::analysis::{Cell, CellState};

/// The state glyph; `ascii` for terminals and fonts without the Unicode ones.
pub(crate) fn state_glyph(state: CellState, ascii: bool) -> &'static str {
    match (state, ascii) {
        (CellState::Unrelated, _) => " ",
        (CellState::Current, false) => "✓",
        (CellState::Current, true) => "+",
        (CellState::ChangedSinceSignoff, false) => "Δ",
        (CellState::ChangedSinceSignoff, true) => "~",
        (CellState::UpstreamChanged, false) => "↑",
        (CellState::UpstreamChanged, true) => "^",
        (CellState::NeverSigned, false) => "✗",
        (CellState::NeverSigned, true) => "!",
        (CellState::NotRequired, false) => "·",
        (CellState::NotRequired, true) => ".",
    }
}

/// What a state means, in words (help screens, detail panes, reports, tooltips).
pub(crate) fn state_words(state: CellState) -> &'static str {
    match state {
        CellState::Unrelated => "no relation",
        CellState::Current => "signed and current",
        CellState::ChangedSinceSignoff => "changed since sign-off",
        CellState::UpstreamChanged => "upstream changed since sign-off",
        CellState::NeverSigned => "never signed",
        CellState::NotRequired => "sign-off not required",
    }
}

/// A cell as two characters: relation letter and state glyph ("O✓", "R✗", "C·"), or blank.
pub(crate) fn cell_text(cell: &Cell, ascii: bool) -> String {
    if cell.state == CellState::Unrelated {
        return String::new();
    }
    format!(
        "{}{}",
        cell.relation_letter(),
        state_glyph(cell.state, ascii)
    )
}

/// What each letter and glyph means, in one line.
pub(crate) fn legend(ascii: bool) -> String {
    let g = |s| state_glyph(s, ascii);
    let dot = if ascii { "," } else { "·" };
    format!(
        "O owner {dot} R reviewer/sign-off {dot} C consumer   {} signed & current {dot} {} changed since sign-off {dot} {} upstream changed {dot} {} never signed {dot} {} not required",
        g(CellState::Current),
        g(CellState::ChangedSinceSignoff),
        g(CellState::UpstreamChanged),
        g(CellState::NeverSigned),
        g(CellState::NotRequired),
    )
}

/// The non-ASCII characters handoff writes, or often meets in repository text, with their
/// stand-ins for `--ascii`: one column (a cell of the workbench), and in text outputs.
const STAND_INS: &[(char, &str, &str)] = &[
    ('—', "-", "-"),
    ('–', "-", "-"),
    ('‐', "-", "-"),
    ('─', "-", "-"),
    ('━', "-", "-"),
    ('═', "=", "="),
    ('“', "\"", "\""),
    ('”', "\"", "\""),
    ('„', "\"", "\""),
    ('«', "\"", "\""),
    ('»', "\"", "\""),
    ('‘', "'", "'"),
    ('’', "'", "'"),
    ('…', ".", "..."),
    ('·', ".", "-"),
    ('•', ".", "*"),
    ('×', "x", "x"),
    ('✓', "+", "+"),
    ('✔', "+", "+"),
    ('✗', "x", "x"),
    ('✘', "x", "x"),
    ('Δ', "~", "~"),
    ('→', ">", "->"),
    ('⇒', ">", "=>"),
    ('▸', ">", ">"),
    ('←', "<", "<-"),
    ('◂', "<", "<"),
    ('↔', "-", "<->"),
    ('↑', "^", "^"),
    ('↓', "v", "v"),
    ('≥', ">", ">="),
    ('≤', "<", "<="),
    ('⟨', "<", "<"),
    ('⟩', ">", ">"),
    ('│', "|", "|"),
    ('┃', "|", "|"),
    ('▏', "|", "|"),
    ('┌', "+", "+"),
    ('┐', "+", "+"),
    ('└', "+", "+"),
    ('┘', "+", "+"),
    ('├', "+", "+"),
    ('┤', "+", "+"),
    ('┬', "+", "+"),
    ('┴', "+", "+"),
    ('┼', "+", "+"),
    ('\u{a0}', " ", " "),
];

/// Latin letters with marks, and the letter without them.
const LETTERS: [(&str, &str); 2] = [
    (
        "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ",
        "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy",
    ),
    (
        "ĀāĂăĄąĆćČčĎďĒēĘęĚěĞğĪīıŁłŃńŇňŌōŐőŘřŚśŞşŠšŤťŪūŮůŰűŹźŻżŽž",
        "AaAaAaCcCcDdEeEeEeGgIiiLlNnNnOoOoRrSsSsSsTtUuUuUuZzZzZz",
    ),
];

/// A character's stand-in: one column wide (`wide` false) or as text outputs write it; `?`
/// for a character neither table knows.
fn stand_in(c: char, one_column: bool) -> std::borrow::Cow<'static, str> {
    if let Some(&(_, cell, text)) = STAND_INS.iter().find(|(k, _, _)| *k == c) {
        return (if one_column { cell } else { text }).into();
    }
    for (marked, plain) in LETTERS {
        if let Some(i) = marked.chars().position(|m| m == c) {
            return plain[i..=i].to_string().into();
        }
    }
    if c == 'ß' && !one_column {
        return "ss".into();
    }
    "?".into()
}

/// One column of ASCII for a non-ASCII symbol of the workbench's screen (the second column
/// of a wide one is already blank).
pub(crate) fn ascii_cell(symbol: &str) -> std::borrow::Cow<'static, str> {
    let mut chars = symbol.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => stand_in(c, true),
        _ => "?".into(),
    }
}

/// `text` made pure ASCII for `--ascii` (every byte below 0x80): handoff's glyphs and the
/// punctuation of repository text by their stand-ins, anything else as `?`.
pub(crate) fn ascii_text(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&stand_in(c, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_keeps_meaning_and_is_pure_ascii() {
        let text = "PRD — Reply Assist · “v4” ✓ → ✗ … Łódź Zoë ⟨NAME_1⟩ 日本";
        let plain = ascii_text(text);
        assert_eq!(
            plain,
            "PRD - Reply Assist - \"v4\" + -> x ... Lodz Zoe <NAME_1> ??"
        );
        assert!(plain.bytes().all(|b| b < 0x80));
        assert_eq!(ascii_cell("…"), ".");
        assert_eq!(ascii_cell("→"), ">");
        assert_eq!(ascii_cell("日"), "?");
    }

    #[test]
    fn letter_tables_pair_up() {
        for (marked, plain) in LETTERS {
            assert_eq!(marked.chars().count(), plain.len(), "{marked}");
        }
    }
}
