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
