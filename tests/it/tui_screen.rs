//! The workbench on a shared screen and at 80 columns (issue 16, part 3): where each list
//! opens, where the selection goes after a commit, how the detail wraps, what the footer
//! keeps, the help's end, text fields, `--ascii`, and a form kept over a changed index.

use crate::support::workbench;

use handoff::tui::action::Action;
use handoff::tui::app::View;
use workbench::{app, key};

#[test]
fn the_stale_view_opens_on_its_first_item() {
    let mut a = app(false);
    key(&mut a, "Tab");
    key(&mut a, "Tab");
    assert_eq!(a.view, View::Stale);
    assert_eq!(a.stale.cursor.selected, 0, "the Stale list opens on its first item");
    // So does Gaps.
    a.handle(Action::PrevView);
    assert_eq!(a.view, View::Gaps);
    assert_eq!(a.gaps.cursor.selected, 0);
}
