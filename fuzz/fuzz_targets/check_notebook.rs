//! `mlready check` of one notebook, from its bytes (see common/check.rs). Bytes that are not
//! JSON are checked a second way too, as the code of a notebook's cells (split at blank
//! lines), so that mutated Python and IPython reach the masking and the notebook rules
//! rather than stopping at the JSON parser.
#![no_main]

#[path = "common/check.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    check::check("input.ipynb", data);
    if serde_json::from_slice::<serde_json::Value>(data).is_err() {
        check::check("input.ipynb", &as_cells(&String::from_utf8_lossy(data)));
    }
});

/// A notebook whose code cells hold `code`, one cell per blank-line-separated part, with a
/// markdown cell first so that cell numbers and code cell positions differ.
fn as_cells(code: &str) -> Vec<u8> {
    let mut cells = vec![serde_json::json!({
        "cell_type": "markdown", "metadata": {}, "source": ["# Notes\n"]
    })];
    for (count, source) in code.split("\n\n").enumerate() {
        let lines: Vec<&str> = source.split_inclusive('\n').collect();
        cells.push(serde_json::json!({
            "cell_type": "code", "metadata": {}, "execution_count": count + 1,
            "outputs": [], "source": lines
        }));
    }
    let notebook = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5, "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}}
    });
    serde_json::to_vec_pretty(&notebook).expect("a JSON value serialises")
}
