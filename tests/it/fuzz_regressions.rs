//! Every input the fuzzers kept, replayed by `cargo test` through the fuzz targets' own checks
//! (`fuzz/src/lib.rs`, included here as it is): the crashes they found
//! (`tests/fixtures/fuzz/<target>/`) and their corpora (`fuzz/corpus/<target>/`). A fix stays
//! fixed without cargo-fuzz or a nightly toolchain.

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::path::{Path, PathBuf};

/// The files of a directory, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|f| f.is_file());
    files.sort();
    files
}

/// Runs `check` on every crash input and corpus entry of `target`; returns how many it ran.
/// A failing input is named, with the command that replays it under the fuzzer.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crashes = inputs(&root.join("tests/fixtures/fuzz").join(target));
    let corpus = inputs(&root.join("fuzz/corpus").join(target));
    for input in crashes.iter().chain(&corpus) {
        let data = std::fs::read(input).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!(
                "{} fails the {target} check; replay with `cd fuzz && cargo fuzz run -s none {target} {}`",
                input.display(),
                input.display()
            );
        }
    }
    crashes.len() + corpus.len()
}

#[test]
fn index_loader_inputs_load_or_give_located_errors() {
    assert!(replay("index_loader", checks::index_loader) > 0);
}

#[test]
fn yaml_editor_inputs_keep_untouched_bytes_and_load_as_intended() {
    assert!(replay("yaml_editor", checks::yaml_editor) > 0);
}

#[test]
fn heading_scanner_inputs_find_what_requirements_match() {
    assert!(replay("heading_scanner", checks::heading_scanner) > 0);
}

#[test]
fn ledger_reader_inputs_read_back_what_is_written() {
    assert!(replay("ledger_reader", checks::ledger_reader) > 0);
}
