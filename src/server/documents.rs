//! What the editor has open: text documents (scripts, and the cells of notebooks) and
//! notebooks, kept in step with the client's changes (LSP 3.17 text and notebook document
//! sync). Positions are the protocol's: 0-based lines, UTF-16 columns.

use lsp_types::{
    NotebookCell, NotebookCellKind, NotebookDocumentChangeEvent, Position, Range,
    TextDocumentContentChangeEvent,
};
use std::collections::HashMap;

/// One open text document: a script, or the text of one notebook cell.
#[derive(Debug, Clone)]
pub struct TextDocument {
    pub text: String,
    pub version: i32,
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
        texts: Vec<(String, String, i32)>,
    ) {
        for (cell, text, version) in texts {
            self.owner.insert(cell.clone(), uri.clone());
            self.texts.insert(cell, TextDocument { text, version });
        }
        let cells: Vec<CellEntry> = cells.iter().map(CellEntry::of).collect();
        for cell in &cells {
            self.owner.insert(cell.uri.clone(), uri.clone());
            self.texts.entry(cell.uri.clone()).or_insert(TextDocument {
                text: String::new(),
                version: 0,
            });
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
            let removed: Vec<CellEntry> = notebook.cells.splice(start..end, added).collect();
            for cell in structure.did_close.unwrap_or_default() {
                let cell = cell.uri.as_str();
                self.texts.remove(cell);
                self.owner.remove(cell);
            }
            for item in structure.did_open.unwrap_or_default() {
                let cell = item.uri.as_str().to_string();
                self.owner.insert(cell.clone(), uri.to_string());
                self.texts.insert(
                    cell,
                    TextDocument {
                        text: item.text,
                        version: item.version,
                    },
                );
            }
            // A cell moved is removed and added again without being closed: keep its text.
            for cell in &notebook.cells {
                self.owner.insert(cell.uri.clone(), uri.to_string());
                self.texts.entry(cell.uri.clone()).or_insert(TextDocument {
                    text: String::new(),
                    version: 0,
                });
            }
            for cell in removed {
                if !notebook.cells.iter().any(|c| c.uri == cell.uri) {
                    self.texts.remove(&cell.uri);
                    self.owner.remove(&cell.uri);
                }
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

    /// Closes a notebook and its cells; returns the cells it had.
    pub fn close_notebook(&mut self, uri: &str) -> Vec<String> {
        let Some(notebook) = self.notebooks.remove(uri) else {
            return Vec::new();
        };
        notebook
            .cells
            .into_iter()
            .map(|cell| {
                self.texts.remove(&cell.uri);
                self.owner.remove(&cell.uri);
                cell.uri
            })
            .collect()
    }
}

/// The byte offset of a protocol position (0-based line, UTF-16 column) in `text`, clamped to
/// the line's end and to the text's end.
pub fn offset_of(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(newline) => line_start += newline + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let mut units = 0;
    for (index, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + index;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

/// The protocol position of a 1-based line and 1-based character column (as the engine
/// counts them) in `text`: the column becomes UTF-16 units; both are clamped to the text.
pub fn position_of(text: &str, line: usize, column: usize) -> Position {
    let line = line.max(1) - 1;
    let Some(content) = text.split('\n').nth(line) else {
        let last = text.split('\n').count().saturating_sub(1);
        let units = text.split('\n').next_back().map_or(0, utf16_len);
        return Position::new(to_u32(last), to_u32(units));
    };
    let content = content.strip_suffix('\r').unwrap_or(content);
    let units: usize = content
        .chars()
        .take(column.max(1) - 1)
        .map(char::len_utf16)
        .sum();
    Position::new(to_u32(line), to_u32(units))
}

/// The whole of line `line` (0-based) as a protocol range, without its line break.
pub fn line_range(text: &str, line: u32) -> Option<Range> {
    let content = text.split('\n').nth(line as usize)?;
    let content = content.strip_suffix('\r').unwrap_or(content);
    Some(Range::new(
        Position::new(line, 0),
        Position::new(line, to_u32(utf16_len(content))),
    ))
}

/// Line `line` (0-based) of `text`, without its line break.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    let content = text.split('\n').nth(line as usize)?;
    Some(content.strip_suffix('\r').unwrap_or(content))
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ranges_out_of_the_text_are_clamped() {
        let mut doc = TextDocument {
            text: "x = 1\n".to_string(),
            version: 1,
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
        // Column 11 (1-based characters) is `t`, after an emoji of two UTF-16 units.
        assert_eq!(position_of(text, 1, 11), Position::new(0, 11));
        assert_eq!(position_of(text, 2, 1), Position::new(1, 0));
        // Past the end: clamped to the last line.
        assert_eq!(position_of(text, 9, 4), Position::new(2, 0));
        assert_eq!(line_range(text, 0).unwrap().end, Position::new(0, 15));
    }
}
