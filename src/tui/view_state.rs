//! Each view's own state: what it lists and where its cursor is. The lists are derived from
//! the snapshot, the filter and the mine switch by the app (`derive`); these types only hold
//! them and answer questions about positions.

use crate::core::analysis::Report;
use crate::core::analysis::agenda::PersonCards;
use crate::core::model::Severity;

/// A selection and the first visible line of a scrolled list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Keeps the selection inside a list of `len` items.
    pub(crate) fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }
}

/// The matrix: its visible artifacts, the row and role column under the cursor.
#[derive(Debug, Clone, Default)]
pub struct MatrixState {
    /// Visible artifacts (indices into the index), after filter and mine.
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    /// The role column under the cursor, and the first role column shown.
    pub col: usize,
    pub col_offset: usize,
    /// The widest visible artifact id, in columns (the matrix's first column).
    pub id_width: usize,
    /// The widest role id, in columns (the role columns' width).
    pub longest_role: usize,
}

/// The Gaps or the Stale list: visible findings (indices into the report), sorted.
#[derive(Debug, Clone, Default)]
pub struct FindingList {
    pub items: Vec<usize>,
    pub cursor: Cursor,
    /// The user moved in this list. Until then it stays on its first item as findings arrive
    /// and re-sort, instead of following whichever finding happened to be first at start.
    pub chosen: bool,
}

impl FindingList {
    /// The lines of item `pos`: a heading line opens each run of one severity, and each
    /// finding takes `height` lines. Returns its first line and one past its last line.
    pub(crate) fn lines_of(&self, report: &Report, pos: usize, height: u16) -> (usize, usize) {
        let h = height as usize;
        let mut headings = 0;
        let mut previous: Option<Severity> = None;
        let last = pos.min(self.items.len().saturating_sub(1));
        for &i in self.items.get(..=last).unwrap_or_default() {
            let s = report.finding(i).severity;
            if previous != Some(s) {
                headings += 1;
                previous = Some(s);
            }
        }
        let start = pos * h + headings;
        (start, start + h)
    }
}

/// Present mode's review agenda: every visible finding, one card at a time, grouped by the
/// person who must act (most waiting first), most severe first within a person.
#[derive(Debug, Clone, Default)]
pub struct AgendaState {
    /// The cards in order (indices into the findings): one per cause, under the first person
    /// who must act on it.
    pub items: Vec<usize>,
    /// The people, each with their cards.
    pub people: Vec<PersonCards>,
    /// For each card, the position of its person in `people`.
    pub person_of: Vec<usize>,
    /// The card shown.
    pub at: usize,
}

impl AgendaState {
    /// Lays the cards out person by person.
    pub(crate) fn set_people(&mut self, people: Vec<PersonCards>) {
        self.items.clear();
        self.person_of.clear();
        for (p, person) in people.iter().enumerate() {
            self.items.extend(&person.cards);
            self.person_of
                .extend(std::iter::repeat_n(p, person.cards.len()));
        }
        self.people = people;
    }

    /// The person of the card shown, and the card's place among theirs (from 0).
    pub fn person_at(&self) -> Option<(&PersonCards, usize)> {
        let p = *self.person_of.get(self.at)?;
        let first = self.person_of.iter().position(|&q| q == p)?;
        Some((&self.people[p], self.at - first))
    }
}
