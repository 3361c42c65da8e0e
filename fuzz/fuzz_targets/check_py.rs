//! `mlready check` of one Python file, from its bytes (see common/check.rs).
#![no_main]

#[path = "common/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check("input.py", data));
