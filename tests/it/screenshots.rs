//! The pictures in `docs/images/` are what `cargo run --example screenshots` draws today:
//! the example is included here and its matrix compared with the committed file, so a change
//! of the views or the demo that is not followed by regenerating the pictures fails.

#[allow(dead_code)]
#[path = "../../examples/screenshots.rs"]
mod example;

use std::path::Path;

#[test]
fn the_committed_matrix_picture_is_what_the_example_draws() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = example::build_demo(tmp.path()).unwrap();
    let drawn = example::screenshot(&demo, "matrix").unwrap();
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/images/matrix.svg");
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        drawn == committed,
        "{} is out of date: run `cargo run --example screenshots` and commit docs/images/",
        committed_path.display()
    );
}

#[test]
fn every_view_is_drawn_as_an_svg_of_text_without_script() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = example::build_demo(tmp.path()).unwrap();
    for (view, expected) in [
        ("matrix", "runbook-provider-outage"),
        ("gaps", "Gaps"),
        ("detail", "signed and current"),
        ("agenda", "Item 1 of "),
    ] {
        let svg = example::screenshot(&demo, view).unwrap();
        assert!(
            svg.starts_with(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"540\""
            )
        );
        assert!(svg.contains(expected), "{view}: no `{expected}` in\n{svg}");
        assert!(!svg.to_lowercase().contains("<script"), "{view}");
        assert!(
            svg.contains("font-weight=\"bold\""),
            "{view} shows bold text"
        );
    }
}
