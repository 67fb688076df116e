#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| handoff_fuzz::ledger_reader(data));
