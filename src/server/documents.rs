//! What the editor has open: text documents (scripts, and the cells of notebooks) and
//! notebooks, kept in step with the client's changes (LSP 3.17 text and notebook document
//! sync). Positions are the protocol's: 0-based lines, UTF-16 columns.

use lsp_types::{
    NotebookCell, NotebookCellKind, NotebookDocumentChangeEvent, Position,
    TextDocumentContentChangeEvent,
};
use std::collections::HashMap;

/// One open text document: a script, or the text of one notebook cell.
#[derive(Debug, Clone)]
pub struct TextDocument {
    pub text: String,
    pub version: i32,
    /// The editor's `languageId`: `python` for scripts and code cells; a notebook's raw cells
    /// are code cells of another language.
    pub language: String,
}

impl TextDocument {
    fn empty() -> TextDocument {
        TextDocument {
            text: String::new(),
            version: 0,
            language: "python".to_string(),
        }
    }
}

impl TextDocument {
    /// Applies the changes of one `didChange`, in order. A range that does not fit the text
    /// (a client out of step) is clamped to it, never a panic.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = offset_of(&self.text, range.start);
                    let end = offset_of(&self.text, range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
        self.version = version;
    }
}

/// One cell of an open notebook, in the notebook's order.
#[derive(Debug, Clone)]
pub struct CellEntry {
    /// The cell's text document.
    pub uri: String,
    pub code: bool,
    /// The cell's execution count in the editor, when it has run.
    pub execution_order: Option<u32>,
}

impl CellEntry {
    fn of(cell: &NotebookCell) -> CellEntry {
        CellEntry {
            uri: cell.document.as_str().to_string(),
            code: cell.kind == NotebookCellKind::Code,
            execution_order: cell.execution_summary.as_ref().map(|s| s.execution_order),
        }
    }
}

/// One open notebook: its cells in order (their texts are [`TextDocument`]s).
#[derive(Debug, Clone)]
pub struct NotebookDocument {
    pub cells: Vec<CellEntry>,
    pub version: i32,
}

/// Everything open in the editor.
#[derive(Debug, Default)]
pub struct Documents {
    pub texts: HashMap<String, TextDocument>,
    pub notebooks: HashMap<String, NotebookDocument>,
    /// Cell document → the notebook that holds it.
    pub owner: HashMap<String, String>,
}

impl Documents {
    /// Opens a notebook with its cells' texts.
    pub fn open_notebook(
        &mut self,
        uri: String,
        version: i32,
        cells: &[NotebookCell],
        texts: Vec<lsp_types::TextDocumentItem>,
    ) {
        for item in texts {
            let cell = item.uri.as_str().to_string();
            self.owner.insert(cell.clone(), uri.clone());
            let document = TextDocument {
                text: item.text,
                version: item.version,
                language: item.language_id,
            };
            self.texts.insert(cell, document);
        }
        let cells: Vec<CellEntry> = cells.iter().map(CellEntry::of).collect();
        for cell in &cells {
            self.owner.insert(cell.uri.clone(), uri.clone());
            self.texts
                .entry(cell.uri.clone())
                .or_insert_with(TextDocument::empty);
        }
        self.notebooks
            .insert(uri, NotebookDocument { cells, version });
    }

    /// Applies a `notebookDocument/didChange`: cells added, removed or moved, their
    /// execution summaries, and their texts.
    pub fn change_notebook(
        &mut self,
        uri: &str,
        version: i32,
        change: NotebookDocumentChangeEvent,
    ) {
        let Some(notebook) = self.notebooks.get_mut(uri) else {
            return;
        };
        notebook.version = version;
        let Some(cells) = change.cells else {
            return;
        };
        if let Some(structure) = cells.structure {
            let array = structure.array;
            let start = (array.start as usize).min(notebook.cells.len());
            let end = start
                .saturating_add(array.delete_count as usize)
                .min(notebook.cells.len());
            let added: Vec<CellEntry> = array
                .cells
                .unwrap_or_default()
                .iter()
                .map(CellEntry::of)
                .collect();
            // A cell removed without being closed is being moved: it comes back, in this change
            // or a later one, with its text as it was, so its text stays until it is closed.
            notebook.cells.splice(start..end, added);
            for cell in structure.did_close.unwrap_or_default() {
                let cell = cell.uri.as_str();
                if !notebook.cells.iter().any(|c| c.uri == cell) {
                    self.texts.remove(cell);
                    self.owner.remove(cell);
                }
            }
            for item in structure.did_open.unwrap_or_default() {
                let cell = item.uri.as_str().to_string();
                self.owner.insert(cell.clone(), uri.to_string());
                let document = TextDocument {
                    text: item.text,
                    version: item.version,
                    language: item.language_id,
                };
                self.texts.insert(cell, document);
            }
            for cell in &notebook.cells {
                self.owner.insert(cell.uri.clone(), uri.to_string());
                self.texts
                    .entry(cell.uri.clone())
                    .or_insert_with(TextDocument::empty);
            }
        }
        for data in cells.data.unwrap_or_default() {
            let changed = CellEntry::of(&data);
            if let Some(cell) = notebook.cells.iter_mut().find(|c| c.uri == changed.uri) {
                *cell = changed;
            }
        }
        for content in cells.text_content.unwrap_or_default() {
            if let Some(text) = self.texts.get_mut(content.document.uri.as_str()) {
                text.apply(content.changes, content.document.version);
            }
        }
    }

    /// Closes a notebook and its cells (those it has, and those removed but never closed);
    /// returns the cells it had.
    pub fn close_notebook(&mut self, uri: &str) -> Vec<String> {
        let Some(notebook) = self.notebooks.remove(uri) else {
            return Vec::new();
        };
        let orphans: Vec<String> = self
            .owner
            .iter()
            .filter(|(_, owner)| owner.as_str() == uri)
            .map(|(cell, _)| cell.clone())
            .collect();
        for cell in orphans {
            self.texts.remove(&cell);
            self.owner.remove(&cell);
        }
        notebook.cells.into_iter().map(|cell| cell.uri).collect()
    }
}

/// Where each line of a text starts, as the protocol counts lines: a line ends at `\n`,
/// `\r\n` or a lone `\r` (as the engine reads a lone `\r` too). Built once per text, so a
/// check with thousands of findings converts each position without rescanning the text.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    text: &'a str,
    /// Byte offset of each line's first byte.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Lines { text, starts }
    }

    /// How many lines the text has (an empty last line counts).
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// Line `line` (0-based) without its line break.
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = &self.text[start..end];
        let content = content.strip_suffix('\n').unwrap_or(content);
        Some(content.strip_suffix('\r').unwrap_or(content))
    }

    /// The byte offset of a protocol position (0-based line, UTF-16 column), clamped to the
    /// line's end (before its line break) and to the text's end.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(content) = self.line(line) else {
            return self.text.len();
        };
        let start = self.starts[line];
        let mut units = 0;
        for (index, c) in content.char_indices() {
            if units >= position.character as usize {
                return start + index;
            }
            units += c.len_utf16();
        }
        start + content.len()
    }

    /// The protocol position of a 1-based line and 1-based character column (as the engine
    /// counts them): the column becomes UTF-16 units; both are clamped to the text. The engine
    /// reads a file without its byte-order mark, so a mark the editor kept is counted back in.
    pub fn position(&self, line: usize, column: usize) -> Position {
        let line = line.max(1) - 1;
        let Some(content) = self.line(line) else {
            let last = self.count() - 1;
            let units = self.line(last).map_or(0, utf16_len);
            return Position::new(to_u32(last), to_u32(units));
        };
        let bom = usize::from(line == 0 && content.starts_with('\u{feff}'));
        let units: usize = content
            .chars()
            .skip(bom)
            .take(column.max(1) - 1)
            .map(char::len_utf16)
            .sum();
        Position::new(to_u32(line), to_u32(units + bom))
    }

    /// The line break the text uses (`\r\n` when its first line ends so), for inserted lines.
    pub fn newline(&self) -> &'static str {
        match self.starts.get(1) {
            Some(&next) if next >= 2 && &self.text[next - 2..next] == "\r\n" => "\r\n",
            _ => "\n",
        }
    }
}

/// The byte offset of a protocol position in `text` (see [`Lines::offset`]).
pub fn offset_of(text: &str, position: Position) -> usize {
    Lines::new(text).offset(position)
}

/// Line `line` (0-based) of `text`, without its line break.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    Lines::new(text).line(line as usize)
}

pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

pub fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Range;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_count_utf16_units() {
        let mut doc = TextDocument {
            text: "a = 'é😀x'\nb = 2\n".to_string(),
            version: 1,
            language: "python".to_string(),
        };
        // `😀` is two UTF-16 units: column 8 is just after it.
        doc.apply(vec![change(Some(((0, 8), (0, 9))), "y")], 2);
        assert_eq!(doc.text, "a = 'é😀y'\nb = 2\n");
        doc.apply(vec![change(Some(((1, 4), (1, 5))), "3")], 3);
        assert_eq!(doc.text, "a = 'é😀y'\nb = 3\n");
        assert_eq!(doc.version, 3);
        doc.apply(vec![change(None, "whole")], 4);
        assert_eq!(doc.text, "whole");
    }

    #[test]
    fn a_cell_moved_in_two_changes_keeps_its_text() {
        let cell = |uri: &str| serde_json::json!({"kind": 2, "document": uri});
        let item = |uri: &str, text: &str| {
            serde_json::from_value::<lsp_types::TextDocumentItem>(serde_json::json!(
                {"uri": uri, "languageId": "python", "version": 1, "text": text}
            ))
            .unwrap()
        };
        let change = |value: serde_json::Value| {
            serde_json::from_value::<NotebookDocumentChangeEvent>(value).unwrap()
        };
        let cells: Vec<NotebookCell> =
            serde_json::from_value(serde_json::json!([cell("nb#a"), cell("nb#b")])).unwrap();
        let mut documents = Documents::default();
        documents.open_notebook(
            "nb".into(),
            1,
            &cells,
            vec![item("nb#a", "import os"), item("nb#b", "x = 1")],
        );
        // Removed without a didClose: a move under way.
        documents.change_notebook(
            "nb",
            2,
            change(serde_json::json!({"cells": {"structure": {"array": {"start": 1, "deleteCount": 1}}}})),
        );
        documents.change_notebook(
            "nb",
            3,
            change(serde_json::json!({"cells": {"structure": {"array": {"start": 0, "deleteCount": 0, "cells": [cell("nb#b")]}}}})),
        );
        let order: Vec<&str> = documents.notebooks["nb"]
            .cells
            .iter()
            .map(|c| c.uri.as_str())
            .collect();
        assert_eq!(order, ["nb#b", "nb#a"]);
        assert_eq!(documents.texts["nb#b"].text, "x = 1");
        // Deleted and closed: gone. Closing the notebook takes every cell it had.
        documents.change_notebook(
            "nb",
            4,
            change(serde_json::json!({"cells": {"structure": {"array": {"start": 0, "deleteCount": 1}, "didClose": [{"uri": "nb#b"}]}}})),
        );
        assert!(!documents.texts.contains_key("nb#b"));
        documents.close_notebook("nb");
        assert!(documents.texts.is_empty() && documents.owner.is_empty());
    }

    #[test]
    fn joining_crlf_lines_leaves_no_stray_carriage_return() {
        let mut doc = TextDocument {
            text: "a = 1\r\nb = 2\r\n".to_string(),
            version: 1,
            language: "python".to_string(),
        };
        doc.apply(vec![change(Some(((0, 99), (1, 0))), "")], 2);
        assert_eq!(doc.text, "a = 1b = 2\r\n");
    }

    #[test]
    fn ranges_out_of_the_text_are_clamped() {
        let mut doc = TextDocument {
            text: "x = 1\n".to_string(),
            version: 1,
            language: "python".to_string(),
        };
        doc.apply(vec![change(Some(((0, 99), (7, 3))), "!")], 2);
        assert_eq!(doc.text, "x = 1!");
        // A range whose end is before its start inserts at the start.
        doc.apply(vec![change(Some(((0, 2), (0, 0))), "+")], 3);
        assert_eq!(doc.text, "x += 1!");
    }

    #[test]
    fn positions_turn_character_columns_into_utf16() {
        let text = "s = '😀'; t = 1\r\nu\n";
        let lines = Lines::new(text);
        // Column 11 (1-based characters) is `t`, after an emoji of two UTF-16 units.
        assert_eq!(lines.position(1, 11), Position::new(0, 11));
        assert_eq!(lines.position(2, 1), Position::new(1, 0));
        // Past the end: clamped to the last line.
        assert_eq!(lines.position(9, 4), Position::new(2, 0));
        assert_eq!(lines.line(0), Some("s = '😀'; t = 1"));
        assert_eq!(lines.newline(), "\r\n");
        // A byte-order mark the engine does not count.
        let marked = Lines::new("\u{feff}x = '/Users/a'\n");
        assert_eq!(marked.position(1, 5), Position::new(0, 5));
    }

    #[test]
    fn every_line_break_the_protocol_knows_ends_a_line() {
        let lines = Lines::new("a\rb\r\nc\nd");
        assert_eq!(lines.count(), 4);
        assert_eq!(
            (0..4).map(|l| lines.line(l).unwrap()).collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
        assert_eq!(lines.position(3, 1), Position::new(2, 0));
        // Past a line's end is its end, before `\r\n`, never between the two.
        assert_eq!(lines.offset(Position::new(1, 99)), 3);
        assert_eq!(lines.newline(), "\n");
    }
}
