//! load: turns a path on disk into a [`SourceFile`], the text the parser and rules read.
//!
//! A `.py` file is its text. A notebook becomes one virtual Python text made of all its code
//! cells in document order (see [`notebook`]), with IPython syntax masked byte for byte so every
//! offset stays valid, plus a cell map that turns an offset back into (cell, line, column).

pub mod conflict;
pub mod notebook;
pub mod python;

use crate::files::NotRead;
use crate::finding::Location;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Python,
    Notebook,
}

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        match path.extension()?.to_str()? {
            "py" | "pyi" => Some(FileKind::Python),
            "ipynb" => Some(FileKind::Notebook),
            _ => None,
        }
    }
}

/// One code cell of a notebook, as placed in the virtual text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// 1-based position among all cells of the notebook (markdown and raw cells count).
    pub number: usize,
    /// Byte offset of the cell's first byte in [`SourceFile::text`]; always a line start.
    pub offset: usize,
    /// Byte length of the cell's source in the virtual text (the separating newline excluded).
    pub len: usize,
    /// `execution_count` as saved, when the notebook has one for this cell.
    pub execution_count: Option<i64>,
    /// The cell magic on the first line (`"bash"` for `%%bash`), if any.
    pub magic: Option<String>,
    /// False when the whole cell is masked: a cell magic that runs another language.
    pub analyzed: bool,
    /// 1-based line of the `.ipynb` file that holds the cell's first source line, when known.
    pub json_line: Option<usize>,
    /// For a list source (as nbformat writes it): the 1-based `.ipynb` line of each source
    /// line of the cell, in order. Empty when unknown (a string source, or an odd layout).
    pub json_rows: Vec<usize>,
    /// Whether the cell has saved outputs of any kind.
    pub has_outputs: bool,
    /// The first error output saved with the cell: exception name and value (the value cut
    /// short; tracebacks are not kept).
    pub error_output: Option<(String, String)>,
    /// Tagged `parameters` (papermill): names in it are replaced at run time.
    pub parameters: bool,
}

/// What a notebook adds to its virtual text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotebookInfo {
    /// The code cells, in document order.
    pub cells: Vec<Cell>,
    /// How many cells the notebook has in all, markdown and raw included.
    pub total_cells: usize,
    /// nbformat major version as saved (3 or 4).
    pub nbformat: u64,
    /// The saved text outputs (streams and `text/plain` results) of code cells, in order, for
    /// rules that look for what a run printed (SEC001). Bounded: see [`OUTPUT_TEXT_CAP`].
    pub outputs: Vec<CellOutput>,
}

/// The most output text kept per notebook.
pub const OUTPUT_TEXT_CAP: usize = 256 * 1024;
/// The most text kept of one output (a long log keeps its start).
pub const OUTPUT_TEXT_CAP_EACH: usize = 16 * 1024;

/// The text of one saved output of a code cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellOutput {
    /// Index of the cell in [`NotebookInfo::cells`].
    pub cell: usize,
    pub text: String,
}

/// A file ready to parse: the analysed text, and for notebooks the unmasked text and cell map.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path on disk (as discovered).
    pub path: PathBuf,
    /// The path shown to users: relative to the working directory, with `/` separators.
    pub display: String,
    pub kind: FileKind,
    /// The text the parser sees. For notebooks, IPython syntax is blanked to spaces.
    pub text: String,
    /// For notebooks: the same virtual text before masking (same length, same offsets).
    raw: Option<String>,
    pub notebook: Option<NotebookInfo>,
    line_starts: Vec<usize>,
    /// The path relative to the file's project root, when the engine knows the root: what
    /// decides [`SourceFile::is_test_module`], so that the answer does not depend on where
    /// mlready runs or how the file was named on the command line.
    pub in_project: Option<PathBuf>,
}

/// Why a file produced no [`SourceFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// The file cannot be read, or is not UTF-8 (PARSE002).
    Unreadable(String),
    /// Not a regular file: a named pipe, socket or device, never opened (PARSE002).
    NotRegular(String),
    /// Nothing at the path, or a dangling symbolic link: a path named on the command line
    /// (PARSE002).
    Missing(String),
    /// The notebook JSON is not a notebook mlready can read (PARSE003).
    InvalidNotebook(String),
    /// The notebook is not JSON because git's merge-conflict markers are in it (PARSE003, at
    /// the line of the first marker).
    MergeConflict(conflict::Conflict),
    /// Deliberately not analysed, e.g. a notebook whose kernel is not Python (PARSE004, info).
    Skipped(String),
    /// Over one of the per-file limits (PARSE005): the message says which.
    OverLimit(String),
}

impl SourceFile {
    /// A Python file (or any text analysed as one).
    pub fn python(path: PathBuf, display: String, text: String) -> SourceFile {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        // Old Mac line endings (a lone `\r`) are line breaks to Python; make them `\n` for the
        // parser and the line index. Same byte length, so every offset stays.
        let text = if text.contains('\r') {
            normalize_lone_cr(text)
        } else {
            text
        };
        let line_starts = line_starts(&text);
        SourceFile {
            path,
            display,
            kind: FileKind::Python,
            text,
            raw: None,
            notebook: None,
            line_starts,
            in_project: None,
        }
    }

    /// A notebook's virtual text: `text` masked, `raw` unmasked, both the same length.
    pub fn notebook(
        path: PathBuf,
        display: String,
        text: String,
        raw: String,
        info: NotebookInfo,
    ) -> SourceFile {
        debug_assert_eq!(text.len(), raw.len(), "masking must keep every offset");
        let line_starts = line_starts(&text);
        SourceFile {
            path,
            display,
            kind: FileKind::Notebook,
            text,
            raw: Some(raw),
            notebook: Some(info),
            line_starts,
            in_project: None,
        }
    }

    /// Whether the file is a test module ([`is_test_module`]), judged on its path in its
    /// project when that is known.
    pub fn is_test_module(&self) -> bool {
        is_test_module(self.in_project.as_deref().unwrap_or(&self.path))
    }

    /// The text before IPython masking: magics and shell escapes are visible here.
    pub fn raw_text(&self) -> &str {
        self.raw.as_deref().unwrap_or(&self.text)
    }

    pub fn is_notebook(&self) -> bool {
        self.notebook.is_some()
    }

    /// The code cell holding `offset`, for notebooks.
    pub fn cell_at(&self, offset: usize) -> Option<&Cell> {
        let cells = &self.notebook.as_ref()?.cells;
        let index = cells.partition_point(|c| c.offset <= offset);
        cells.get(index.checked_sub(1)?)
    }

    /// 0-based line index (over the whole text) of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based line `index` starts (the text's end past the last line).
    pub fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of the line holding `offset`, without its line ending (from the raw text).
    pub fn line_text(&self, offset: usize) -> &str {
        let index = self.line_index(offset);
        let start = self.line_start(index);
        let end = self.line_start(index + 1).min(self.text.len());
        let raw = self.raw_text();
        raw.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// The 1-based line of the file on disk that holds `location`: its line in a `.py` file;
    /// in a notebook, the `.ipynb` line holding that source line of that cell (the line of the
    /// cell's source when the exact line is unknown, line 1 when even that is unknown).
    pub fn file_line(&self, location: &Location) -> usize {
        let (Some(info), Some(number)) = (&self.notebook, location.cell) else {
            return location.line;
        };
        let Some(cell) = info.cells.iter().find(|c| c.number == number) else {
            return 1;
        };
        location
            .line
            .checked_sub(1)
            .and_then(|index| cell.json_rows.get(index).copied())
            .or(cell.json_line)
            .unwrap_or(1)
    }

    /// Turns a byte offset into a 1-based (cell, line, column); columns count characters.
    pub fn locate(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let line_start = self.line_start(line);
        let raw = self.raw_text();
        let column = raw
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
        match self.cell_at(offset) {
            Some(cell) => Location {
                cell: Some(cell.number),
                line: line - self.line_index(cell.offset) + 1,
                column,
            },
            None => Location {
                cell: None,
                line: line + 1,
                column,
            },
        }
    }
}

fn normalize_lone_cr(text: String) -> String {
    match lone_cr_to_lf(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(changed) => changed,
    }
}

/// `text` with every lone `\r` (an old Mac line ending, a line break to Python's universal
/// newlines) made `\n`; `\r\n` is left alone. Same byte length, so every offset stays.
pub(crate) fn lone_cr_to_lf(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return std::borrow::Cow::Borrowed(text);
    }
    let out: Vec<u8> = (0..bytes.len())
        .map(|i| if lone(i) { b'\n' } else { bytes[i] })
        .collect();
    // Only ASCII bytes changed, so the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_default())
}

fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// Reads and prepares one file within `limits` (its size on disk and, once loaded, of its
/// code). Never panics; a problem is returned, not raised.
pub fn load(
    path: &Path,
    display: String,
    limits: &crate::limits::Limits,
) -> Result<SourceFile, LoadProblem> {
    let bytes = read_within(path, limits)?;
    let file = load_owned(path, display, bytes)?;
    let notebook = FileKind::of(path) == Some(FileKind::Notebook);
    check_size(file.text.len() as u64, limits, notebook, true)?;
    Ok(file)
}

/// The bytes of the file at `path`, when it is a regular file: a named pipe, a socket or a
/// device is never opened (reading one would wait forever or never end). A file larger than
/// `limits` allow is not read at all (PARSE005): a `.py`
/// file beyond `max-file-size`, a notebook beyond [`crate::limits::NOTEBOOK_FILE_FACTOR`]
/// times it (its outputs may be large; its code is held to the limit once loaded).
pub fn read_within(path: &Path, limits: &crate::limits::Limits) -> Result<Vec<u8>, LoadProblem> {
    let unreadable = |err: std::io::Error| {
        let what = if path.is_dir() { "folder" } else { "file" };
        LoadProblem::Unreadable(format!("cannot read the {what}: {err}"))
    };
    match crate::files::regular(path) {
        Ok(metadata) => {
            let notebook = FileKind::of(path) == Some(FileKind::Notebook);
            check_size(metadata.len(), limits, notebook, false)?;
            std::fs::read(path).map_err(unreadable)
        }
        // A folder reaches here when a walk could not read it: say why.
        Err(NotRead::Folder) => std::fs::read(path).map_err(unreadable),
        Err(NotRead::Special(kind)) => Err(LoadProblem::NotRegular(format!(
            "not a regular file ({kind}); skipped without reading it"
        ))),
        Err(missing @ (NotRead::Missing | NotRead::DanglingLink(_))) => {
            Err(LoadProblem::Missing(missing.to_string()))
        }
        Err(NotRead::Io(err)) => Err(unreadable(err)),
    }
}

/// PARSE005 when `bytes` is over the size limit: of the file on disk, or (`code`) of the code
/// it holds once loaded (a notebook's cells joined).
pub fn check_size(
    bytes: u64,
    limits: &crate::limits::Limits,
    notebook: bool,
    code: bool,
) -> Result<(), LoadProblem> {
    let limit = if notebook && !code {
        limits
            .max_file_size
            .saturating_mul(crate::limits::NOTEBOOK_FILE_FACTOR)
    } else {
        limits.max_file_size
    };
    if bytes <= limit {
        return Ok(());
    }
    // Sizes that round alike ("200 MB, over 200 MB") are given in bytes.
    let size = |n: u64| {
        if crate::limits::size(bytes) == crate::limits::size(limit) {
            format!("{n} bytes")
        } else {
            crate::limits::size(n)
        }
    };
    Err(LoadProblem::OverLimit(match (notebook, code) {
        (true, true) => format!(
            "skipped: the notebook's cells hold {} of code, over the {} limit (`max-file-size`)",
            size(bytes),
            size(limit)
        ),
        (true, false) => format!(
            "skipped without reading it: the notebook file is {}, over {} ({} times \
             `max-file-size`, {})",
            size(bytes),
            size(limit),
            crate::limits::NOTEBOOK_FILE_FACTOR,
            size(limits.max_file_size)
        ),
        (false, _) => format!(
            "skipped without reading it: the file is {}, over the {} limit (`max-file-size`)",
            size(bytes),
            size(limit)
        ),
    }))
}

/// The byte offset where the run of characters satisfying `keep` that ends `text` starts (the
/// identifier before a `(`, the scheme before `://`). Always a character boundary: the offset
/// after the last character that fails `keep` is that character's end, not its start plus one
/// byte, which fell inside a multi-byte character and made slicing panic (found by fuzzing).
pub fn trailing_run_start(text: &str, keep: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| !keep(c))
        .map_or(0, |(at, c)| at + c.len_utf8())
}

/// Whether `path` is a test module: `test_*.py` (a notebook named `test_set.ipynb` is not),
/// `conftest.py`, or any file in a `tests` or `test` folder. Its scores are asserted and its models are fixtures: rules and project roles
/// leave it alone. (`*_test.py` is left out: in ML projects that is as often a script such as
/// `train_test.py`.)
pub fn is_test_module(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let in_tests_folder = path.parent().is_some_and(|p| {
        p.components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test")))
    });
    in_tests_folder || (name.starts_with("test_") && name.ends_with(".py")) || name == "conftest.py"
}

/// Loads `bytes` as the file `path` would be (a notebook when `path` ends in `.ipynb`): for
/// text that does not come from disk (`--stdin-filename`).
pub fn load_bytes(path: &Path, display: String, bytes: &[u8]) -> Result<SourceFile, LoadProblem> {
    match FileKind::of(path) {
        Some(FileKind::Notebook) => notebook::load(path.to_path_buf(), display, bytes),
        _ => {
            let text = python::decode(bytes)?;
            Ok(SourceFile::python(path.to_path_buf(), display, text))
        }
    }
}

/// [`load_bytes`], taking the bytes: UTF-8 Python text becomes the file's text without a copy.
pub fn load_owned(path: &Path, display: String, bytes: Vec<u8>) -> Result<SourceFile, LoadProblem> {
    if FileKind::of(path) == Some(FileKind::Notebook) {
        return load_bytes(path, display, &bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::python(path.to_path_buf(), display, text)),
        Err(err) => load_bytes(path, display, err.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_run_starts_on_a_character_boundary() {
        let name = |c: char| c.is_alphanumeric() || c == '_';
        assert_eq!(trailing_run_start("df.mean", name), 3);
        assert_eq!(trailing_run_start("mean", name), 0);
        assert_eq!(
            trailing_run_start("x.\u{fffd}\u{fffd}", |c| c.is_ascii()),
            8
        );
        let text = "train[\"a\"].\u{fffd}agg";
        assert_eq!(
            &text[trailing_run_start(text, |c| c.is_ascii_alphanumeric())..],
            "agg"
        );
        assert_eq!(trailing_run_start("", name), 0);
    }

    #[test]
    fn test_modules_are_pytest_files_not_scripts_named_like_a_split() {
        for path in [
            "tests/models.py",
            "src/test/helpers.py",
            "test_train.py",
            "conftest.py",
        ] {
            assert!(is_test_module(Path::new(path)), "{path}");
        }
        for path in [
            "train_test.py",
            "train.py",
            "notebooks/test_set.ipynb",
            "latest/a.py",
        ] {
            assert!(!is_test_module(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn locate_counts_lines_and_characters() {
        let file = SourceFile::python("a.py".into(), "a.py".into(), "x = 1\ny = 'é' + z\n".into());
        let z = file.text.find('z').unwrap();
        assert_eq!(
            file.locate(z),
            Location {
                cell: None,
                line: 2,
                column: 11
            }
        );
        assert_eq!(file.locate(0).line, 1);
    }

    #[test]
    fn bom_is_dropped() {
        let file = SourceFile::python("a.py".into(), "a.py".into(), "\u{feff}x = 1\n".into());
        assert_eq!(file.text, "x = 1\n");
    }
}
