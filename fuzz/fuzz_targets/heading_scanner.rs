#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| handoff_fuzz::heading_scanner(data));
