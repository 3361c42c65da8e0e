//! The notebook loader and its cell map: any bytes either load or give a problem with a
//! message, and a loaded notebook's virtual text and cell map keep their invariants. Every
//! offset is mapped to (cell, line, column) and back to the same offset.
#![no_main]

use mlready::source::{LoadProblem, SourceFile, notebook};
use std::path::PathBuf;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match notebook::load(PathBuf::from("input.ipynb"), "input.ipynb".into(), data) {
        Ok(file) => cell_map_holds(&file, data),
        Err(
            LoadProblem::Unreadable(message)
            | LoadProblem::NotRegular(message)
            | LoadProblem::InvalidNotebook(message)
            | LoadProblem::Skipped(message)
            | LoadProblem::Missing(message)
            | LoadProblem::OverLimit(message),
        ) => assert!(!message.is_empty()),
        // Git's conflict markers in a notebook that is not JSON: named at the first marker's
        // line, which is in the file.
        Err(LoadProblem::MergeConflict(conflict)) => {
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!((1..=lines).contains(&conflict.line), "{conflict:?}");
            assert!(
                conflict.offset <= data.len() && conflict.count >= 1,
                "{conflict:?}"
            );
            assert!(!conflict.marker.is_empty(), "{conflict:?}");
        }
    }
});

fn cell_map_holds(file: &SourceFile, data: &[u8]) {
    let info = file
        .notebook
        .as_ref()
        .expect("a loaded notebook has its cell map");
    let (text, raw) = (file.text.as_str(), file.raw_text());
    assert_eq!(text.len(), raw.len(), "masking keeps every offset");
    assert!(info.cells.len() <= info.total_cells);
    // The virtual text is the code cells one after the other, each ending on a line end.
    let mut next = 0;
    let mut number = 0;
    for cell in &info.cells {
        assert!(
            cell.number > number && cell.number <= info.total_cells,
            "{cell:?}"
        );
        number = cell.number;
        assert_eq!(cell.offset, next, "cells are contiguous: {cell:?}");
        let end = cell.offset + cell.len;
        assert_eq!(
            raw.as_bytes().get(end),
            Some(&b'\n'),
            "{cell:?} ends a line"
        );
        assert_eq!(text.as_bytes()[end], b'\n', "masking keeps line ends");
        next = end + 1;
        let start = file.locate(cell.offset);
        assert_eq!(
            (start.cell, start.line, start.column),
            (Some(cell.number), 1, 1)
        );
    }
    assert_eq!(next, text.len(), "nothing follows the last cell");
    // Lines of the `.ipynb` file the cells' lines are said to stand on.
    let json_lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for offset in (0..=raw.len()).filter(|&i| raw.is_char_boundary(i)) {
        let location = file.locate(offset);
        let Some(number) = location.cell else {
            assert!(
                info.cells.is_empty() && offset == 0,
                "offset {offset} has no cell"
            );
            continue;
        };
        let cell = file.cell_at(offset).expect("located in a cell");
        assert_eq!(cell.number, number);
        assert!(location.line >= 1 && location.column >= 1);
        // Back: the cell's first line, `line - 1` lines down, `column - 1` characters in.
        let line = file.line_index(cell.offset) + location.line - 1;
        let line_start = file.line_start(line);
        let back = line_start
            + raw[line_start..]
                .chars()
                .take(location.column - 1)
                .map(char::len_utf8)
                .sum::<usize>();
        assert_eq!(
            back, offset,
            "{location:?} maps back to {back}, not {offset}"
        );
        let _ = file.line_text(offset);
        let row = file.file_line(&location);
        assert!(
            (1..=json_lines).contains(&row),
            "{location:?} is said to stand on line {row} of a {json_lines}-line file"
        );
    }
}
