//! `mlready check` of one notebook, from its bytes (see common/check.rs).
#![no_main]

#[path = "common/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check("input.ipynb", data));
