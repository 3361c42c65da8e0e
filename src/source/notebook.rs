//! Notebooks: nbformat JSON to one virtual Python text with a cell map.
//!
//! Every code cell is placed in document order, each ending on its own line, so a byte offset
//! of the virtual text maps back to (cell, line, column) with [`SourceFile::locate`]. IPython
//! syntax that tree-sitter-python would choke on (`%magic`, `!shell`, `x = !cmd`, `obj?`,
//! `%%bash` cells) is blanked byte for byte in `text`: masking never moves an offset, and `raw`
//! keeps the unmasked text for rules that read magics (STYLE.md §2.6, E8).

use super::{
    Cell, CellOutput, LoadProblem, NotebookInfo, OUTPUT_TEXT_CAP, OUTPUT_TEXT_CAP_EACH, SourceFile,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;

/// Reads a `.ipynb` file. Never panics: anything that is not a notebook is a [`LoadProblem`].
pub fn load(path: PathBuf, display: String, bytes: &[u8]) -> Result<SourceFile, LoadProblem> {
    let json = decode(bytes)?;
    if json.trim().is_empty() {
        // An editor or a sync tool that crashed while saving leaves this.
        return Err(invalid(
            "the notebook file is empty, and a notebook is JSON: restore it from version \
             control, or delete it",
        ));
    }
    let notebook: RawNotebook =
        serde_json::from_str(json).map_err(|err| match super::conflict::find(json) {
            Some(conflict) => LoadProblem::MergeConflict(conflict),
            None => json_problem(err),
        })?;
    let RawNotebook {
        nbformat,
        cells,
        worksheets,
        metadata,
    } = notebook;
    let Some(nbformat) = nbformat else {
        return Err(invalid(
            "the file is not a Jupyter notebook: it has no `nbformat` field",
        ));
    };
    let cells = match (nbformat, cells, worksheets) {
        (4, Some(cells), _) => cells,
        (4, None, _) => return Err(invalid("the notebook (nbformat 4) has no `cells` list")),
        // nbformat's own v3 -> v4 upgrade concatenates the worksheets in order.
        (3, _, Some(worksheets)) => worksheets.into_iter().flat_map(|ws| ws.cells).collect(),
        (3, _, None) => {
            return Err(invalid(
                "the notebook (nbformat 3) has no `worksheets` list",
            ));
        }
        (other, _, _) => {
            return Err(invalid(format!(
                "nbformat {other} is not supported (mlready reads nbformat 3 and 4)"
            )));
        }
    };
    if let Some(language) = kernel_language(metadata.as_ref(), &cells, nbformat)
        && !is_python(&language)
    {
        return Err(LoadProblem::Skipped(format!(
            "notebook kernel is `{language}`, not Python; skipped"
        )));
    }

    // Only trusted when the walk found exactly the cells serde read.
    let mut lines = source_lines(json, nbformat);
    if lines.len() != cells.len() {
        lines.clear();
    }
    let mut raw = String::new();
    let mut text = String::new();
    let mut placed = Vec::new();
    let mut outputs = Vec::new();
    let mut output_budget = OUTPUT_TEXT_CAP;
    for (index, cell) in cells.iter().enumerate() {
        if cell.cell_type != "code" {
            continue;
        }
        let at = lines.get_mut(index).map(std::mem::take).unwrap_or_default();
        // nbformat 3 code cells keep their code in `input`; `source` is for the other types.
        let (source, json_line, json_rows) = match (&cell.input, &cell.source) {
            (Some(input), _) if nbformat == 3 => (input.0.as_str(), at.input, at.input_rows),
            (_, Some(source)) => (source.0.as_str(), at.source, at.source_rows),
            (Some(input), None) => (input.0.as_str(), at.input, at.input_rows),
            (None, None) => ("", None, Vec::new()),
        };
        // A lone `\r` ends a line, as in CPython (cells saved on old Macs or by odd tools):
        // made `\n` here, so the parser, the cell's lines and its `.ipynb` rows agree.
        let source = super::lone_cr_to_lf(source);
        let source = source.as_ref();
        // Trusted only when the list's lines are exactly the source's lines.
        let json_rows = if json_rows.len() == source.split_inclusive('\n').count() {
            json_rows
        } else {
            Vec::new()
        };
        let offset = raw.len();
        let plan = plan_cell(source, cell.foreign_language(nbformat));
        push_cell(source, &plan, &mut raw, &mut text);
        placed.push(Cell {
            number: index + 1,
            offset,
            // The cell always ends with a '\n' in the virtual text: the separator, or the
            // source's own final newline. `len` leaves it out.
            len: (raw.len() - offset).saturating_sub(1),
            execution_count: cell.execution_count(nbformat),
            magic: plan.magic,
            analyzed: plan.analyzed,
            json_line,
            json_rows,
            has_outputs: !cell.outputs.0.is_empty(),
            error_output: cell.error_output(),
            parameters: cell.is_parameters(),
        });
        keep_outputs(cell, placed.len() - 1, &mut output_budget, &mut outputs);
    }
    let info = NotebookInfo {
        cells: placed,
        total_cells: cells.len(),
        nbformat,
        outputs,
    };
    Ok(SourceFile::notebook(path, display, text, raw, info))
}

fn invalid(message: impl Into<String>) -> LoadProblem {
    LoadProblem::InvalidNotebook(message.into())
}

fn decode(bytes: &[u8]) -> Result<&str, LoadProblem> {
    let json = std::str::from_utf8(bytes).map_err(|err| {
        let line = bytes[..err.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        invalid(format!("the notebook is not valid UTF-8 (line {line})"))
    })?;
    // Jupyter never writes a BOM, but editors on Windows may add one; serde_json rejects it.
    Ok(json.strip_prefix('\u{feff}').unwrap_or(json))
}

fn json_problem(err: serde_json::Error) -> LoadProblem {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            invalid(format!("the notebook is not valid JSON: {err}"))
        }
        Category::Data => invalid(format!("the file is not a Jupyter notebook: {err}")),
    }
}

// ---------------------------------------------------------------------------------------------
// The nbformat JSON, typed. Only what the linter reads is kept: outputs (which can weigh tens of
// megabytes of base64 images) and most metadata are skipped by serde without being stored.

#[derive(Deserialize)]
#[serde(expecting = "a Jupyter notebook (a JSON object)")]
struct RawNotebook {
    nbformat: Option<u64>,
    cells: Option<Vec<RawCell>>,
    worksheets: Option<Vec<RawWorksheet>>,
    metadata: Option<RawMetadata>,
}

#[derive(Deserialize)]
struct RawWorksheet {
    #[serde(default)]
    cells: Vec<RawCell>,
}

/// Notebook metadata. Kernel fields are kept as loose JSON: a malformed kernelspec should not
/// make an otherwise readable notebook unreadable.
#[derive(Deserialize)]
struct RawMetadata {
    kernelspec: Option<Value>,
    language_info: Option<Value>,
}

#[derive(Deserialize)]
struct RawCell {
    cell_type: String,
    source: Option<Multiline>,
    /// nbformat 3 code cells.
    input: Option<Multiline>,
    execution_count: Option<Value>,
    /// nbformat 3 spelling of `execution_count`.
    prompt_number: Option<Value>,
    /// nbformat 3: the language of a code cell.
    language: Option<Value>,
    metadata: Option<RawCellMetadata>,
    /// The type, the exception of errors (NB003) and the text of streams and `text/plain`
    /// results (SEC001) of each output; anything malformed is skipped, never an error.
    #[serde(default)]
    outputs: Outputs,
}

/// Keeps the saved output text of a code cell within the notebook's budget.
fn keep_outputs(cell: &RawCell, index: usize, budget: &mut usize, out: &mut Vec<CellOutput>) {
    for text in cell.outputs.0.iter().flat_map(|o| &o.texts) {
        if *budget == 0 {
            return;
        }
        let mut end = text.len().min(OUTPUT_TEXT_CAP_EACH).min(*budget);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        *budget -= end;
        out.push(CellOutput {
            cell: index,
            text: text[..end].to_string(),
        });
    }
}

/// The texts kept from one JSON object.
struct OutputText(Vec<String>);

/// Reads a JSON object keeping the text of the keys in `.0` and descending once into the
/// objects under the keys in `.1` (`data` → `text/plain`); anything else is skipped.
struct TextsOf(&'static [&'static str], &'static [&'static str]);

impl<'de> Visitor<'de> for TextsOf {
    type Value = OutputText;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an output")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<OutputText, A::Error> {
        let mut texts = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if self.0.contains(&key.as_str()) {
                texts.extend(map.next_value::<LooseText>()?.0);
            } else if self.1.contains(&key.as_str()) {
                texts.extend(map.next_value::<DataTexts>()?.0);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(OutputText(texts))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OutputText, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(OutputText(Vec::new()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<OutputText, E> {
        Ok(OutputText(Vec::new()))
    }
}

/// `data` of a result: only `text/plain` is kept.
struct DataTexts(Vec<String>);

impl<'de> Deserialize<'de> for DataTexts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let texts = deserializer.deserialize_any(TextsOf(&["text/plain"], &[]))?;
        Ok(DataTexts(texts.0))
    }
}

/// A string or a list of strings; anything else is skipped.
struct LooseText(Option<String>);

impl<'de> Deserialize<'de> for LooseText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Loose;
        impl<'de> Visitor<'de> for Loose {
            type Value = LooseText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<LooseText, E> {
                // A long log is cut here, never copied whole.
                let mut end = value.len().min(OUTPUT_TEXT_CAP_EACH);
                while !value.is_char_boundary(end) {
                    end -= 1;
                }
                Ok(LooseText(Some(value[..end].to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LooseText, A::Error> {
                let mut joined = String::new();
                while let Some(part) = seq.next_element::<LooseText>()? {
                    if let Some(part) = part.0
                        && joined.len() < OUTPUT_TEXT_CAP_EACH
                    {
                        joined.push_str(&part);
                    }
                }
                Ok(LooseText(Some(joined)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<LooseText, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LooseText(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
        }
        deserializer.deserialize_any(Loose)
    }
}

#[derive(Deserialize)]
struct RawCellMetadata {
    vscode: Option<Value>,
    tags: Option<Value>,
}

/// A cell's saved outputs, read leniently: outputs are not code, so a malformed one never
/// makes the notebook unreadable; it only counts as an output.
#[derive(Default)]
struct Outputs(Vec<RawOutput>);

/// One saved output: its type, exception and plain text; images, HTML and tracebacks are
/// skipped without being stored.
#[derive(Default)]
struct RawOutput {
    output_type: Option<String>,
    ename: Option<String>,
    evalue: Option<String>,
    /// `text` of streams (and of nbformat 3 results) and `data["text/plain"]` of results,
    /// each cut at `OUTPUT_TEXT_CAP_EACH` while it is read.
    texts: Vec<String>,
}

impl<'de> Deserialize<'de> for Outputs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutputsVisitor;

        impl<'de> Visitor<'de> for OutputsVisitor {
            type Value = Outputs;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of outputs")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outputs, A::Error> {
                let mut outputs = Vec::new();
                while let Some(output) = seq.next_element::<RawOutput>()? {
                    outputs.push(output);
                }
                Ok(Outputs(outputs))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Outputs, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Outputs::default())
            }

            fn visit_unit<E: de::Error>(self) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<Outputs, E> {
                Ok(Outputs::default())
            }
        }

        deserializer.deserialize_any(OutputsVisitor)
    }
}

impl<'de> Deserialize<'de> for RawOutput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OutputVisitor;

        impl<'de> Visitor<'de> for OutputVisitor {
            type Value = RawOutput;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an output")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawOutput, A::Error> {
                let mut output = RawOutput::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let slot = match key.as_ref() {
                        "output_type" => &mut output.output_type,
                        "ename" => &mut output.ename,
                        "evalue" => &mut output.evalue,
                        "text" => {
                            output.texts.extend(map.next_value::<LooseText>()?.0);
                            continue;
                        }
                        "data" => {
                            output.texts.extend(map.next_value::<DataTexts>()?.0);
                            continue;
                        }
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value::<Value>()?.as_str().map(str::to_string);
                }
                Ok(output)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawOutput, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RawOutput::default())
            }

            fn visit_unit<E: de::Error>(self) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawOutput, E> {
                Ok(RawOutput::default())
            }
        }

        deserializer.deserialize_any(OutputVisitor)
    }
}

/// An exception value longer than this is cut (a `KeyError` can quote a whole row).
const MAX_EVALUE: usize = 80;

impl RawCell {
    /// The first `error` output (`pyerr` in nbformat 3): exception name and short value.
    fn error_output(&self) -> Option<(String, String)> {
        let error = self
            .outputs
            .0
            .iter()
            .find(|o| matches!(o.output_type.as_deref(), Some("error" | "pyerr")))?;
        let name = error.ename.as_deref().unwrap_or("").trim().to_string();
        let value = error.evalue.as_deref().unwrap_or("").trim();
        let value = match value.char_indices().nth(MAX_EVALUE) {
            Some((cut, _)) => format!("{}...", &value[..cut]),
            None => value.to_string(),
        };
        Some((name, value))
    }

    /// Tagged `parameters`, papermill's marker for the cell whose names it overrides.
    fn is_parameters(&self) -> bool {
        self.metadata
            .as_ref()
            .and_then(|m| m.tags.as_ref())
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some("parameters")))
    }

    fn execution_count(&self, nbformat: u64) -> Option<i64> {
        let count = if nbformat == 3 {
            &self.prompt_number
        } else {
            &self.execution_count
        };
        count.as_ref()?.as_i64()
    }

    /// The cell's own language when it says it is not Python: VS Code's per-cell
    /// `metadata.vscode.languageId`, or an nbformat 3 code cell's `language`.
    fn foreign_language(&self, nbformat: u64) -> bool {
        let vscode = self
            .metadata
            .as_ref()
            .and_then(|m| m.vscode.as_ref())
            .and_then(|v| v.get("languageId"))
            .and_then(Value::as_str);
        let v3 = (nbformat == 3)
            .then(|| self.language.as_ref().and_then(Value::as_str))
            .flatten();
        vscode
            .into_iter()
            .chain(v3)
            .any(|language| !language.is_empty() && !is_python(language))
    }
}

/// A cell source: nbformat writes a list of lines (each keeping its `\n`), but a single string
/// is valid too. Either way it is joined here.
struct Multiline(String);

impl<'de> Deserialize<'de> for Multiline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MultilineVisitor;

        impl<'de> Visitor<'de> for MultilineVisitor {
            type Value = Multiline;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Multiline, E> {
                Ok(Multiline(value.to_string()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Multiline, E> {
                Ok(Multiline(value))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Multiline, A::Error> {
                let mut joined = String::new();
                while seq.next_element_seed(AppendLine(&mut joined))?.is_some() {}
                Ok(Multiline(joined))
            }
        }

        deserializer.deserialize_any(MultilineVisitor)
    }
}

/// Appends one line of a list source to the joined text, without allocating it separately.
struct AppendLine<'a>(&'a mut String);

impl<'de> de::DeserializeSeed<'de> for AppendLine<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendLine<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string (one line of a cell source)")
    }

    fn visit_str<E: de::Error>(self, line: &str) -> Result<(), E> {
        self.0.push_str(line);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Kernel language.

/// The notebook's language as saved, if it says: `kernelspec.language`, then
/// `language_info.name`, then a `kernelspec.name` that is known to belong to another language
/// (a kernel name alone is often a user's environment name, so it only ever rules Python out).
/// nbformat 3 notebooks without kernel metadata fall back on their first code cell's `language`.
fn kernel_language(
    metadata: Option<&RawMetadata>,
    cells: &[RawCell],
    nbformat: u64,
) -> Option<String> {
    let kernelspec = metadata.and_then(|m| m.kernelspec.as_ref());
    let field = |value: Option<&Value>, key: &str| {
        value
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(language) = field(kernelspec, "language") {
        return Some(language);
    }
    if let Some(language) = field(metadata.and_then(|m| m.language_info.as_ref()), "name") {
        return Some(language);
    }
    if let Some(name) = field(kernelspec, "name")
        && is_foreign_kernel_name(&name)
    {
        return Some(name);
    }
    if nbformat != 3 {
        return None;
    }
    cells
        .iter()
        .filter(|cell| cell.cell_type == "code")
        .find_map(|cell| cell.language.as_ref()?.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Languages that are Python as far as the parser is concerned (PySpark and Sage kernels run
/// Python syntax; `ipython` is what old notebooks say).
fn is_python(language: &str) -> bool {
    let language = language.to_ascii_lowercase();
    language.contains("python") || matches!(language.as_str(), "py" | "pyspark" | "sage")
}

/// Kernel names of common non-Python kernels: IRkernel, IJulia, almond/spylon (Scala),
/// IJavascript/tslab/Deno, evcxr (Rust), xeus-cling (C++), bash, .NET Interactive, ...
fn is_foreign_kernel_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "ir",
        "bash",
        "javascript",
        "typescript",
        "deno",
        "tslab",
        "rust",
        "ruby",
        "sql",
        "octave",
        "matlab",
        "sas",
        "stata",
        "haskell",
        "powershell",
        "kotlin",
        "java",
        "go",
        "gophernotes",
        "elixir",
        "wolframlanguage",
        "apl",
    ];
    const PREFIXES: &[&str] = &[
        "julia",
        "scala",
        "spylon",
        "almond",
        "ijavascript",
        "evcxr",
        "xcpp",
        "xeus-cling",
        ".net-",
        "ijava",
        "imatlab",
        "ir-",
    ];
    EXACT.contains(&name.as_str()) || PREFIXES.iter().any(|p| name.starts_with(p))
}

// ---------------------------------------------------------------------------------------------
// Cells to virtual text.

/// Cell magics whose body is Python run in the notebook's namespace (ruff's list,
/// `ruff_notebook/src/cell.rs`): the body is analysed, only the `%%` line is masked.
const PYTHON_CELL_MAGICS: &[&str] = &[
    "capture", "debug", "ipytest", "prun", "pypy", "python", "python3", "time", "timeit",
];

/// How one code cell is placed: masked whole, or analysed with its first `skip` lines masked.
struct CellPlan {
    magic: Option<String>,
    analyzed: bool,
    /// Lines masked before line-by-line masking starts (the `%%magic` line and what precedes).
    skip: usize,
}

fn plan_cell(source: &str, foreign_language: bool) -> CellPlan {
    let first = source
        .split_inclusive('\n')
        .enumerate()
        .find(|(_, line)| !line.trim().is_empty());
    let magic = first.and_then(|(index, line)| {
        let name = line.trim_start().strip_prefix("%%")?;
        let name = name.split_whitespace().next().unwrap_or("");
        Some((index, name.to_string()))
    });
    match magic {
        Some((index, name)) => CellPlan {
            analyzed: !foreign_language && PYTHON_CELL_MAGICS.contains(&name.as_str()),
            magic: Some(name),
            skip: index + 1,
        },
        None => CellPlan {
            magic: None,
            analyzed: !foreign_language,
            skip: 0,
        },
    }
}

/// Appends the cell to both texts, line for line, and ends it with a newline if it has none.
fn push_cell(source: &str, plan: &CellPlan, raw: &mut String, text: &mut String) {
    let mut masker = Masker::default();
    for (index, line) in source.split_inclusive('\n').enumerate() {
        let mask = if !plan.analyzed || index < plan.skip {
            Mask::Whole
        } else {
            masker.line(line)
        };
        raw.push_str(line);
        match mask {
            Mask::Keep => text.push_str(line),
            Mask::Whole => blank_into(text, line),
            Mask::Prefix(n) => match (line.get(..n), line.get(n..)) {
                (Some(prefix), Some(rest)) => {
                    blank_into(text, prefix);
                    text.push_str(rest);
                }
                _ => blank_into(text, line),
            },
        }
    }
    if !source.ends_with('\n') {
        raw.push('\n');
        text.push('\n');
    }
}

/// One ASCII space per byte, line endings kept: offsets and line numbers survive, and the text
/// stays UTF-8 even when a masked line holds multi-byte characters.
fn blank_into(text: &mut String, masked: &str) {
    text.extend(masked.chars().flat_map(|c| {
        let keep = matches!(c, '\n' | '\r');
        std::iter::repeat_n(
            if keep { c } else { ' ' },
            if keep { 1 } else { c.len_utf8() },
        )
    }));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mask {
    Keep,
    Whole,
    /// The first n bytes: `%time ` before a statement that stays analysable.
    Prefix(usize),
}

/// Line magics that IPython's automagic runs without the `%` and that people do type that
/// way. Only masked when the line cannot be Python (see [`is_automagic`]).
const AUTOMAGICS: &[&str] = &[
    "pip",
    "conda",
    "mamba",
    "micromamba",
    "cd",
    "load_ext",
    "reload_ext",
    "autoreload",
    "matplotlib",
    "history",
    "who",
    "whos",
];

/// Shell commands IPython runs as aliases or magics when typed bare (`ls -l /kaggle/input`,
/// `cd ../data`, `mkdir -p out`): masked also when an option or a path follows, which Python
/// would read as arithmetic on names (`ls - l / kaggle / input`) no code writes.
const SHELL_AUTOMAGICS: &[&str] = &[
    "pip", "conda", "cd", "ls", "ll", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "history", "less",
    "more", "man",
];

/// Masks IPython syntax line by line, tracking just enough Python tokenization (strings,
/// brackets, backslash continuations) to know where a logical line starts: IPython only
/// recognises escapes there, and a `!foo` inside a triple-quoted string is text.
#[derive(Default)]
struct Masker {
    python: PyState,
    /// The previous line was masked and ended with a backslash: IPython joins the next one.
    masked_continuation: bool,
}

impl Masker {
    fn line(&mut self, line: &str) -> Mask {
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        if self.masked_continuation {
            self.masked_continuation = content.ends_with('\\');
            return Mask::Whole;
        }
        if !self.python.at_logical_start() {
            self.python.scan(content);
            return Mask::Keep;
        }
        let trimmed = content.trim_start();
        let indent = content.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Mask::Keep;
        }
        if let Some(prefix) = time_prefix(trimmed) {
            self.python.scan(&trimmed[prefix..]);
            return Mask::Prefix(indent + prefix);
        }
        // `%magic`, `!shell`, `?help`: no Python logical line starts with one of these.
        // (IPython's rare autocall escapes `/f x`, `,f a b` are left alone: if the tracker were
        // ever wrong about a continuation line, masking those would hide real code.)
        let escaped = trimmed.starts_with(['%', '!', '?']);
        let before = self.python;
        let masked = escaped || {
            let scan = self.python.scan(content);
            let code = content[..scan.code_end].trim_end();
            let help = code.ends_with('?') && !scan.ends_in_string;
            let assigned = scan
                .first_assign
                .is_some_and(|at| content[at + 1..].trim_start().starts_with(['!', '%']));
            help || assigned || is_automagic(trimmed)
        };
        if !masked {
            return Mask::Keep;
        }
        // A masked line is not Python: it must not leave a bracket or string open.
        self.python = before;
        self.masked_continuation = content.ends_with('\\');
        Mask::Whole
    }
}

/// For `%time stmt` and `%timeit [-n N -r R ...] stmt`: the byte length of what precedes the
/// statement, so only that is masked and the statement stays visible to the rules.
fn time_prefix(trimmed: &str) -> Option<usize> {
    let name_end = trimmed.find(char::is_whitespace)?;
    let name = &trimmed[..name_end];
    let timeit = match name {
        "%time" => false,
        "%timeit" => true,
        _ => return None,
    };
    let mut rest = trimmed[name_end..].trim_start();
    loop {
        // %timeit takes getopt-style options (`-n 10`, `-r3`, `-o`); %time only `--long` ones.
        let is_option = if timeit {
            rest.starts_with('-')
        } else {
            rest.starts_with("--")
        };
        if !is_option {
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let takes_value = timeit && matches!(&rest[..end], "-n" | "-r" | "-p");
        rest = rest[end..].trim_start();
        if takes_value {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest = rest[end..].trim_start();
        }
    }
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    Some(trimmed.len() - rest.len())
}

/// `pip install x`, `cd data`, `load_ext autoreload`: a known magic name followed by a word.
/// A name followed by another word, number or string is never valid Python, so this cannot hide
/// real code; an operator or keyword after the name (`cd = 1`, `pip in x`) keeps the line.
fn is_automagic(trimmed: &str) -> bool {
    let Some(name_end) = trimmed.find(char::is_whitespace) else {
        return false;
    };
    let name = &trimmed[..name_end];
    let rest = trimmed[name_end..].trim_start();
    // `ls -la`, `cd ../data`, `cat ~/.kaggle/kaggle.json`: an option (a dash and a letter)
    // or a path after a shell command.
    let mut after = rest.chars();
    let option_or_path = match (after.next(), after.next()) {
        (Some('-'), Some(c)) => c.is_ascii_alphabetic() || c == '-',
        (Some('/' | '.' | '~' | '$'), Some(c)) => !c.is_whitespace() && c != '=',
        _ => false,
    };
    if SHELL_AUTOMAGICS.contains(&name) && option_or_path {
        return true;
    }
    if !AUTOMAGICS.contains(&name) {
        return false;
    }
    let word = rest.split_whitespace().next().unwrap_or("");
    let starts_word = rest
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '~' | '"' | '\''));
    starts_word && !matches!(word, "in" | "is" | "and" | "or" | "not" | "if" | "else")
}

/// Tokenizer state carried from line to line.
#[derive(Debug, Default, Clone, Copy)]
struct PyState {
    string: Option<OpenString>,
    depth: usize,
    continued: bool,
}

#[derive(Debug, Clone, Copy)]
struct OpenString {
    quote: u8,
    triple: bool,
}

struct LineScan {
    /// Where a comment starts, or the line's length.
    code_end: usize,
    /// The first `=` at bracket depth 0 that is an assignment (not `==`, `<=`, `+=`, ...).
    first_assign: Option<usize>,
    /// The code part ended inside a string.
    ends_in_string: bool,
}

impl PyState {
    fn at_logical_start(&self) -> bool {
        self.string.is_none() && self.depth == 0 && !self.continued
    }

    /// Advances over one line (without its line ending). Approximate by design: string
    /// prefixes and f-string nesting are ignored, which only matters for pathological lines.
    fn scan(&mut self, content: &str) -> LineScan {
        let bytes = content.as_bytes();
        let mut scan = LineScan {
            code_end: bytes.len(),
            first_assign: None,
            ends_in_string: false,
        };
        self.continued = false;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if let Some(open) = self.string {
                i += match b {
                    // A backslash escapes the next byte, in raw strings too as far as finding
                    // the closing quote goes.
                    b'\\' => 2,
                    q if q == open.quote && !open.triple => {
                        self.string = None;
                        1
                    }
                    q if q == open.quote && bytes[i..].starts_with(&[q, q, q]) => {
                        self.string = None;
                        3
                    }
                    _ => 1,
                };
                continue;
            }
            match b {
                b'#' => {
                    scan.code_end = i;
                    break;
                }
                b'"' | b'\'' => {
                    let triple = bytes[i..].starts_with(&[b, b, b]);
                    self.string = Some(OpenString { quote: b, triple });
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                b'=' if self.depth == 0 && scan.first_assign.is_none() => {
                    let before = i.checked_sub(1).and_then(|j| bytes.get(j));
                    let compound = before.is_some_and(|p| b"=!<>+-*/%&|^@:".contains(p));
                    if bytes.get(i + 1) == Some(&b'=') {
                        i += 2;
                        continue;
                    }
                    if !compound {
                        scan.first_assign = Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        scan.ends_in_string = self.string.is_some();
        // A one-quote string ends with its line unless a backslash escaped the newline (then
        // the escape stepped past the end).
        if let Some(open) = self.string
            && !open.triple
            && i <= bytes.len()
        {
            self.string = None;
        }
        self.continued =
            self.string.is_none() && scan.code_end == bytes.len() && content.ends_with('\\');
        scan
    }
}

// ---------------------------------------------------------------------------------------------
// Where each cell's source sits in the .ipynb file.

/// The 1-based `.ipynb` lines of one cell's `source` and `input` values: the line of a string
/// source, or of a list source's first element (of the `[` when the list is empty); and for a
/// list source, the line of each of its source lines.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct SourceLines {
    source: Option<usize>,
    input: Option<usize>,
    source_rows: Vec<usize>,
    input_rows: Vec<usize>,
    /// Whether the last list element seen ended with a newline (the next one starts a line).
    source_ended: bool,
    input_ended: bool,
}

impl SourceLines {
    /// One element of a list source at `line`, whose JSON string contents are `contents`.
    fn element(&mut self, input: bool, line: usize, contents: &[u8]) {
        let (rows, ended) = if input {
            (&mut self.input_rows, &mut self.input_ended)
        } else {
            (&mut self.source_rows, &mut self.source_ended)
        };
        if contents.is_empty() {
            return;
        }
        // Count the line breaks: `\n` escapes, and `\r` escapes not followed by `\n` (a lone
        // CR ends a line, as in CPython). A JSON string holds no raw newline.
        let mut newlines = 0;
        let mut ends_line = false;
        let mut j = 0;
        while j < contents.len() {
            if contents[j] != b'\\' {
                ends_line = false;
                j += 1;
                continue;
            }
            ends_line = match contents.get(j + 1) {
                Some(b'n') => true,
                Some(b'r') => contents.get(j + 2..j + 4) != Some(b"\\n"),
                _ => false,
            };
            newlines += usize::from(ends_line);
            j += 2;
        }
        // A new source line starts here unless the previous element left its line unfinished.
        if rows.is_empty() || *ended {
            rows.push(line);
        }
        let inner = if ends_line { newlines - 1 } else { newlines };
        rows.extend(std::iter::repeat_n(line, inner));
        *ended = ends_line;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Cells,
    Worksheets,
    Source,
    Input,
    Other,
}

#[derive(Debug, Clone, Copy)]
enum Frame {
    Object { key: Key, expect_key: bool },
    Array(usize),
}

/// Walks the JSON text (already validated by serde) tracking the path of every value, and
/// records, per cell in document order, the line where its source starts. The cells are found
/// by path (`cells[i].source`, or `worksheets[w].cells[i].input` in nbformat 3), so a `source`
/// key elsewhere (metadata, outputs) is never mistaken for one. serde_json gives no positions
/// while deserializing, hence this second, allocation-light pass.
fn source_lines(json: &str, nbformat: u64) -> Vec<SourceLines> {
    let bytes = json.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut cells: Vec<SourceLines> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => line += 1,
            b'{' | b'[' => {
                on_value(&stack, nbformat, line, None, &mut cells);
                stack.push(if b == b'{' {
                    Frame::Object {
                        key: Key::Other,
                        expect_key: true,
                    }
                } else {
                    Frame::Array(0)
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                let end = string_end(bytes, start, &mut line);
                if let Some(Frame::Object { key, expect_key }) = stack.last_mut()
                    && *expect_key
                {
                    *key = match &bytes[start..end] {
                        b"cells" => Key::Cells,
                        b"worksheets" => Key::Worksheets,
                        b"source" => Key::Source,
                        b"input" => Key::Input,
                        _ => Key::Other,
                    };
                    *expect_key = false;
                } else {
                    let contents = &bytes[start..end.min(bytes.len())];
                    on_value(&stack, nbformat, line, Some(contents), &mut cells);
                }
                i = end + 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b':' => {}
            _ => {
                // A number, true, false or null.
                on_value(&stack, nbformat, line, None, &mut cells);
                while bytes
                    .get(i + 1)
                    .is_some_and(|c| !b",]}: \t\r\n".contains(c))
                {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    cells
}

/// The index of the closing quote of the string whose contents start at `start` (or the end of
/// the text), counting the newlines it crosses (none in valid JSON).
fn string_end(bytes: &[u8], start: usize, line: &mut usize) -> usize {
    let mut j = start;
    // memchr3 scans with SIMD: outputs hold long strings (base64 images, logs) that are
    // crossed here only to count lines.
    while let Some(offset) = bytes
        .get(j..)
        .and_then(|rest| memchr::memchr3(b'"', b'\\', b'\n', rest))
    {
        j += offset;
        match bytes[j] {
            b'"' => return j,
            b'\\' => j += 2,
            _ => {
                *line += 1;
                j += 1;
            }
        }
    }
    bytes.len()
}

/// A value starts at `line` with `stack` as its path: a new cell, or a cell's source.
/// `contents` is a string value's raw JSON contents (escapes kept).
fn on_value(
    stack: &[Frame],
    nbformat: u64,
    line: usize,
    contents: Option<&[u8]>,
    cells: &mut Vec<SourceLines>,
) {
    let is_key = |frame: &Frame, wanted: Key| matches!(frame, Frame::Object { key, expect_key: false } if *key == wanted);
    let base = match nbformat {
        4 => 1,
        _ => 3,
    };
    let Some(cells_path) = stack.get(..base) else {
        return;
    };
    let in_cells = match cells_path {
        [cells_key] => is_key(cells_key, Key::Cells),
        [worksheets, Frame::Array(_), cells_key] => {
            is_key(worksheets, Key::Worksheets) && is_key(cells_key, Key::Cells)
        }
        _ => false,
    };
    if !in_cells || !matches!(stack.get(base), Some(Frame::Array(_))) {
        return;
    }
    let record = |cells: &mut Vec<SourceLines>, frame: &Frame| {
        let Some(cell) = cells.last_mut() else {
            return;
        };
        if is_key(frame, Key::Source) {
            cell.source = Some(line);
        } else if is_key(frame, Key::Input) {
            cell.input = Some(line);
        }
    };
    match &stack[base + 1..] {
        // The cell itself.
        [] => cells.push(SourceLines::default()),
        // `"source": "..."` or the `[` of `"source": [...]`.
        [field] => record(cells, field),
        // The first line of a list source overrides the line of its `[`.
        [field, Frame::Array(index)] => {
            if *index == 0 {
                record(cells, field);
            }
            if let (Some(contents), Some(cell)) = (contents, cells.last_mut()) {
                if is_key(field, Key::Source) {
                    cell.element(false, line, contents);
                } else if is_key(field, Key::Input) {
                    cell.element(true, line, contents);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use serde_json::json;

    fn load_json(json: &str) -> Result<SourceFile, LoadProblem> {
        load("nb.ipynb".into(), "nb.ipynb".into(), json.as_bytes())
    }

    #[test]
    fn an_empty_file_is_named_as_such() {
        for empty in ["", "  \n"] {
            let Err(LoadProblem::InvalidNotebook(message)) = load_json(empty) else {
                panic!("an empty notebook loaded");
            };
            assert!(
                message.starts_with("the notebook file is empty"),
                "{message}"
            );
        }
    }

    #[test]
    fn outputs_keep_the_first_error_and_parameters_tags() {
        let long = "x".repeat(200);
        let file = load_json(
            &json!({"nbformat": 4, "metadata": {}, "cells": [
                {"cell_type": "code", "source": "a", "metadata": {"tags": ["parameters"]},
                 "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}]},
                {"cell_type": "code", "source": "b", "metadata": {}, "outputs": [
                    {"output_type": "error", "ename": "KeyError", "evalue": "'price'",
                     "traceback": ["..."]},
                    {"output_type": "error", "ename": "ValueError", "evalue": "later"}]},
                {"cell_type": "code", "source": "c", "metadata": {}, "outputs": [
                    {"output_type": "pyerr", "ename": "E", "evalue": long}]},
                {"cell_type": "code", "source": "d", "metadata": {}, "outputs": {"odd": 1}},
                {"cell_type": "code", "source": "e", "metadata": {}, "outputs": [3, null]},
            ]})
            .to_string(),
        )
        .expect("outputs of any shape never make a notebook unreadable");
        let cells = &file.notebook.as_ref().expect("a notebook").cells;
        assert!(cells[0].parameters && cells[0].has_outputs && cells[0].error_output.is_none());
        assert_eq!(
            cells[1].error_output,
            Some(("KeyError".to_string(), "'price'".to_string()))
        );
        let (_, value) = cells[2].error_output.clone().expect("an nbformat 3 error");
        assert_eq!(value.chars().count(), MAX_EVALUE + 3);
        assert!(!cells[3].has_outputs && !cells[1].parameters);
        assert!(cells[4].has_outputs && cells[4].error_output.is_none());
    }

    /// A Python nbformat 4 notebook with these cells (a string is a code cell's source).
    fn notebook(cells: Value) -> SourceFile {
        let cells: Vec<Value> = cells
            .as_array()
            .expect("test cells are a list")
            .iter()
            .map(|cell| match cell {
                Value::String(_) | Value::Array(_) => json!({
                    "cell_type": "code", "execution_count": null, "metadata": {},
                    "outputs": [], "source": cell
                }),
                other => other.clone(),
            })
            .collect();
        let nb = json!({
            "cells": cells,
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5
        });
        load_json(&serde_json::to_string_pretty(&nb).unwrap()).unwrap()
    }

    fn markdown(source: &str) -> Value {
        json!({"cell_type": "markdown", "metadata": {}, "source": source})
    }

    /// The masked text of one code cell (0-based among code cells), without its separator.
    fn masked(file: &SourceFile, code_cell: usize) -> &str {
        let cell = &file.notebook.as_ref().unwrap().cells[code_cell];
        &file.text[cell.offset..cell.offset + cell.len]
    }

    /// `source` with the given 0-based lines blanked.
    fn blanked(source: &str, lines: &[usize]) -> String {
        let mut out = String::new();
        for (index, line) in source.split_inclusive('\n').enumerate() {
            if lines.contains(&index) {
                blank_into(&mut out, line);
            } else {
                out.push_str(line);
            }
        }
        out
    }

    fn assert_same_shape(file: &SourceFile) {
        let raw = file.raw_text();
        assert_eq!(file.text.len(), raw.len());
        let breaks = |s: &str| -> Vec<usize> {
            s.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n' || b == b'\r')
                .map(|(i, _)| i)
                .collect()
        };
        assert_eq!(breaks(&file.text), breaks(raw));
    }

    fn assert_parses(file: &SourceFile) {
        let tree = crate::source::python::parse(&file.text).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "masked text does not parse:\n{}\n{}",
            file.text,
            tree.root_node().to_sexp()
        );
    }

    #[test]
    fn source_as_string_and_as_list() {
        let file = notebook(json!(["x = 1\ny = 2", ["a = 1\n", "b = 2\n"]]));
        assert_eq!(file.text, "x = 1\ny = 2\na = 1\nb = 2\n");
        assert_eq!(file.raw_text(), file.text);
        let cells = &file.notebook.as_ref().unwrap().cells;
        assert_eq!((cells[0].offset, cells[0].len), (0, 11));
        assert_eq!((cells[1].offset, cells[1].len), (12, 11));
    }

    #[test]
    fn markdown_and_raw_cells_count_in_numbering() {
        let raw_cell = json!({"cell_type": "raw", "metadata": {}, "source": "r"});
        let file = notebook(json!([markdown("# Title"), "x = 1", raw_cell, "y = 2"]));
        let info = file.notebook.as_ref().unwrap();
        let numbers: Vec<usize> = info.cells.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [2, 4]);
        assert_eq!(info.total_cells, 4);
        assert_eq!(info.nbformat, 4);
        assert_eq!(file.text, "x = 1\ny = 2\n");
    }

    #[test]
    fn empty_sources_still_take_a_line() {
        let file = notebook(json!(["", [], "x = 1"]));
        assert_eq!(file.text, "\n\nx = 1\n");
        let offsets: Vec<usize> = file
            .notebook
            .unwrap()
            .cells
            .iter()
            .map(|c| c.offset)
            .collect();
        assert_eq!(offsets, [0, 1, 2]);
    }

    #[test]
    fn empty_notebook_is_empty_text() {
        let file =
            load_json(r#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#)
                .unwrap();
        assert_eq!(file.text, "");
        assert!(file.notebook.unwrap().cells.is_empty());
    }

    #[test]
    fn line_magics_and_shell_escapes_are_blanked() {
        let source =
            "%matplotlib inline\n!pip install x\n  !!ls\nfiles = !ls\nx = %env HOME\nz = 1";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 2, 3, 4]));
        assert!(masked(&file, 0).starts_with("                  \n"));
        assert_same_shape(&file);
        assert_parses(&file);
    }

    #[test]
    fn help_is_blanked_outside_strings_and_comments() {
        let source = "df?\ndf.head??\n?df\ns = 'why?'\nt = 1  # why?";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 2]));
        assert_parses(&file);
    }

    #[test]
    fn time_magics_keep_their_statement() {
        let file = notebook(json!([
            "%time y = f()\n%timeit -n 10 -r3 -o z = g(y)\n%time\n%timeit --help"
        ]));
        let kept = format!("{}z = g(y)", " ".repeat("%timeit -n 10 -r3 -o ".len()));
        let lines: Vec<&str> = masked(&file, 0).lines().collect();
        assert_eq!(
            lines,
            ["      y = f()", kept.as_str(), "     ", "              "]
        );
        assert_parses(&file);
    }

    #[test]
    fn masked_backslash_lines_continue() {
        let source = "!pip install \\\n    numpy \\\n    pandas\nx = 1";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 2]));
    }

    #[test]
    fn escapes_inside_strings_and_brackets_are_python() {
        let source =
            "doc = \"\"\"\n!not shell\n%not magic\n\"\"\"\nx = (a\n  %b)\ns = 'it''s'\n!ls";
        let file = notebook(json!([source]));
        let expected = source.replace("!ls", "   ");
        assert_eq!(masked(&file, 0), expected);
        assert_parses(&file);
    }

    #[test]
    fn a_shell_line_with_quotes_does_not_open_a_string() {
        let source = "!echo \"\"\"\nx = 1\n!echo it's\ny = 2";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 2]));
    }

    #[test]
    fn automagics_are_blanked_only_when_not_python() {
        let source = "pip install x\ncd data\npip = 1\npip.main()\ncd in dirs\nload_ext autoreload";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 5]));
        // Shell commands with an option or a path; Python that merely starts with the name
        // (`ls = 3`, `ls - 1`, `cat.n`, `ls / 2`, `cd .. `) keeps its line.
        let source = "ls -l /kaggle/input/27-june\ncd ../data\nmkdir -p out\nhistory -n\n\
                      ls = 3\nx = ls - 1\nls - 1\ncat.n\nls / 2\nls -= 1";
        let file = notebook(json!([source]));
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 2, 3]));
    }

    #[test]
    fn magic_in_an_indented_block_parses() {
        let file = notebook(json!([
            "if IN_COLAB:\n    !pip install x\nfor i in range(3):\n    %time f(i)\n    g(i)"
        ]));
        assert_parses(&file);
    }

    #[test]
    fn non_python_cell_magic_masks_the_whole_cell() {
        let source = "%%bash\necho \"hi\" > out.txt\nls -la";
        let file = notebook(json!([source, "x = 1"]));
        let cell = &file.notebook.as_ref().unwrap().cells[0];
        assert_eq!(cell.magic.as_deref(), Some("bash"));
        assert!(!cell.analyzed);
        assert_eq!(masked(&file, 0), blanked(source, &[0, 1, 2]));
        assert_eq!(&file.raw_text()[..6], "%%bash");
        assert_same_shape(&file);
        assert_parses(&file);
    }

    #[test]
    fn unknown_and_other_language_cell_magics_are_masked() {
        for magic in [
            "%%sql",
            "%%writefile a.py",
            "%%cython",
            "%%R -i df",
            "%%!",
            "%%mystery",
        ] {
            let file = notebook(json!([format!("{magic}\nnot python at all\n")]));
            let cell = &file.notebook.as_ref().unwrap().cells[0];
            assert!(!cell.analyzed, "{magic}");
            assert!(file.text.trim().is_empty(), "{magic}");
        }
    }

    #[test]
    fn python_cell_magic_masks_only_its_line() {
        let source = "\n%%time\nX = load()\n%load_ext autoreload\nfit(X)";
        let file = notebook(json!([source]));
        let cell = &file.notebook.as_ref().unwrap().cells[0];
        assert_eq!(cell.magic.as_deref(), Some("time"));
        assert!(cell.analyzed);
        assert_eq!(masked(&file, 0), blanked(source, &[1, 3]));
        assert_parses(&file);
    }

    #[test]
    fn vscode_cell_language_other_than_python_is_masked() {
        let sql = json!({
            "cell_type": "code", "execution_count": null, "outputs": [],
            "metadata": {"vscode": {"languageId": "sql"}}, "source": "SELECT 1"
        });
        let file = notebook(json!([sql, "x = 1"]));
        let cells = &file.notebook.as_ref().unwrap().cells;
        assert!(!cells[0].analyzed);
        assert!(cells[1].analyzed);
        assert_eq!(file.text, "        \nx = 1\n");
    }

    #[test]
    fn crlf_inside_sources_is_kept() {
        let file = notebook(json!([["%matplotlib inline\r\n", "x = 1\r\n"], "y = 2"]));
        assert_eq!(file.raw_text(), "%matplotlib inline\r\nx = 1\r\ny = 2\n");
        assert_eq!(file.text, "                  \r\nx = 1\r\ny = 2\n");
        let cell = &file.notebook.as_ref().unwrap().cells[0];
        assert_eq!(cell.len, "%matplotlib inline\r\nx = 1\r".len());
        assert_same_shape(&file);
        assert_parses(&file);
        let y = file.text.find('y').unwrap();
        assert_eq!(file.locate(y).cell, Some(2));
    }

    #[test]
    fn lone_cr_ends_a_line_as_in_cpython() {
        let file = notebook(json!([
            [
                "%matplotlib inline\r",
                "x = 1\r",
                "y = (\r",
                "  2)\r\n",
                "z = 3"
            ],
            "a = 1\rb = 2"
        ]));
        assert_eq!(
            file.text,
            "                  \nx = 1\ny = (\n  2)\r\nz = 3\na = 1\nb = 2\n"
        );
        assert_parses(&file);
        // Each source line is a line of its cell, on its own `.ipynb` row.
        let z = file.text.find("z = 3").unwrap();
        let location = file.locate(z);
        assert_eq!((location.cell, location.line), (Some(1), 5));
        assert_eq!(file.notebook.as_ref().unwrap().cells[0].json_rows.len(), 5);
        let b = file.text.find("b = 2").unwrap();
        let location = file.locate(b);
        assert_eq!((location.cell, location.line), (Some(2), 2));
    }

    #[test]
    fn non_ascii_masked_line_stays_utf8_and_same_length() {
        let file = notebook(json!(["!echo \"données ✓\"\nx = 'é'"]));
        assert_eq!(
            masked(&file, 0),
            format!("{}\nx = 'é'", " ".repeat("!echo \"données ✓\"".len()))
        );
        assert_same_shape(&file);
        let x = file.text.find('x').unwrap();
        assert_eq!(file.locate(x).line, 2);
    }

    #[test]
    fn execution_counts_are_read() {
        let counted = json!({
            "cell_type": "code", "execution_count": 7, "metadata": {}, "outputs": [], "source": "x"
        });
        let file = notebook(json!([counted, "y"]));
        let counts: Vec<Option<i64>> = file
            .notebook
            .unwrap()
            .cells
            .iter()
            .map(|c| c.execution_count)
            .collect();
        assert_eq!(counts, [Some(7), None]);
    }

    #[test]
    fn output_text_is_kept_bounded_and_malformed_outputs_are_skipped() {
        let long = "k".repeat(OUTPUT_TEXT_CAP_EACH + 10);
        let cell = json!({
            "cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x",
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
                {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                 "data": {"text/plain": "'v'", "image/png": "iVBORw0KGgo="}},
                {"output_type": "stream", "name": "stdout", "text": long},
                {"output_type": "stream", "text": 7},
                3,
                ["odd"]
            ]
        });
        let odd = json!({
            "cell_type": "code", "execution_count": 2, "metadata": {}, "source": "y",
            "outputs": {"not": "a list"}
        });
        let info = notebook(json!([cell, odd])).notebook.unwrap();
        let texts: Vec<(usize, usize)> = info
            .outputs
            .iter()
            .map(|o| (o.cell, o.text.len()))
            .collect();
        assert_eq!(texts, [(0, 4), (0, 3), (0, OUTPUT_TEXT_CAP_EACH)]);
        assert_eq!(info.outputs[0].text, "a\nb\n");
    }

    #[test]
    fn locate_points_into_the_second_code_cell() {
        let file = notebook(json!([
            markdown("# Data"),
            "import pandas as pd",
            "x = 1\ndf = pd.read_csv(p)"
        ]));
        let offset = file.text.find("read_csv").unwrap();
        assert_eq!(
            file.locate(offset),
            Location {
                cell: Some(3),
                line: 2,
                column: 9
            }
        );
    }

    #[test]
    fn fixture_notebook_masks_parses_and_knows_json_lines() {
        let bytes = include_bytes!("../../tests/data/notebooks/magics.ipynb");
        let file = load("magics.ipynb".into(), "magics.ipynb".into(), bytes).unwrap();
        assert_same_shape(&file);
        assert_parses(&file);
        let info = file.notebook.as_ref().unwrap();
        assert_eq!(info.total_cells, 8);
        let numbers: Vec<usize> = info.cells.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [2, 3, 4, 6, 7, 8]);
        let json_lines: Vec<Option<usize>> = info.cells.iter().map(|c| c.json_line).collect();
        assert_eq!(
            json_lines,
            [Some(19), Some(31), Some(54), Some(74), Some(86), Some(94)]
        );
        // The statement after `%time` is still there for the rules.
        assert!(file.text.contains("      y = df.mean()\n"));
        assert!(file.text.contains("!not a shell escape"));
        assert!(!file.text.contains("pip install"));
        assert!(file.raw_text().contains("!pip install scikit-learn"));
    }

    #[test]
    fn every_source_line_knows_its_ipynb_line() {
        let bytes = include_bytes!("../../tests/data/notebooks/magics.ipynb");
        let file = load("magics.ipynb".into(), "magics.ipynb".into(), bytes).unwrap();
        let info = file.notebook.as_ref().unwrap();
        assert_eq!(info.cells[0].json_rows, [19, 20, 21]);
        let at = |cell: usize, line: usize| {
            file.file_line(&Location {
                cell: Some(cell),
                line,
                column: 1,
            })
        };
        assert_eq!(at(2, 3), 21);
        assert_eq!(at(3, 1), 31);
        assert_eq!(at(3, 4), 34);
        // An unknown cell falls back to line 1; a .py location is its own line.
        assert_eq!(at(1, 1), 1);
    }

    #[test]
    fn odd_list_layouts_map_lines_or_fall_back() {
        // Elements that hold two lines, end mid-line, or hold an escaped backslash before `n`.
        let text = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"source\": [\n\"a = 1\\nb = 2\\n\",\n\"c = \",\n\"'x\\\\n'\\n\",\n\"d = 4\"\n]}], \"metadata\": {}, \"nbformat\": 4}";
        let file = load_json(text).unwrap();
        assert_eq!(file.raw_text(), "a = 1\nb = 2\nc = 'x\\n'\nd = 4\n");
        let cell = &file.notebook.as_ref().unwrap().cells[0];
        assert_eq!(cell.json_rows, [2, 2, 3, 5]);
        // A string source: every line is on the key's line.
        let text = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {},\n\"source\": \"a = 1\\nb = 2\"}], \"metadata\": {}, \"nbformat\": 4}";
        let file = load_json(text).unwrap();
        let location = Location {
            cell: Some(1),
            line: 2,
            column: 1,
        };
        assert_eq!(file.file_line(&location), 2);
    }

    #[test]
    fn json_line_of_a_string_source_is_its_key_line() {
        let text = "{\n \"cells\": [\n  {\"cell_type\": \"markdown\", \"source\": \"# T\"},\n  {\n   \"cell_type\": \"code\",\n   \"metadata\": {\"source\": 1},\n   \"source\": \"x = 1\"\n  }\n ],\n \"metadata\": {},\n \"nbformat\": 4\n}\n";
        let file = load_json(text).unwrap();
        assert_eq!(file.notebook.unwrap().cells[0].json_line, Some(7));
    }

    #[test]
    fn nbformat_3_is_read() {
        let text = r#"{
 "metadata": {"name": "", "signature": "sha256:0"},
 "nbformat": 3,
 "nbformat_minor": 0,
 "worksheets": [
  {
   "cells": [
    {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Title"]},
    {
     "cell_type": "code",
     "collapsed": false,
     "input": [
      "%pylab inline\n",
      "x = 1"
     ],
     "language": "python",
     "metadata": {},
     "outputs": [],
     "prompt_number": 3
    }
   ],
   "metadata": {}
  }
 ]
}"#;
        let file = load_json(text).unwrap();
        assert_eq!(file.raw_text(), "%pylab inline\nx = 1\n");
        assert_eq!(file.text, "             \nx = 1\n");
        let info = file.notebook.unwrap();
        assert_eq!(info.nbformat, 3);
        assert_eq!(info.total_cells, 2);
        let cell = &info.cells[0];
        assert_eq!(
            (cell.number, cell.execution_count, cell.json_line),
            (2, Some(3), Some(13))
        );
    }

    #[test]
    fn non_python_kernels_are_skipped() {
        let cases = [
            json!({"kernelspec": {"language": "R", "name": "ir"}}),
            json!({"language_info": {"name": "julia"}}),
            json!({"kernelspec": {"name": "ir", "display_name": "R"}}),
            json!({"kernelspec": {"language": "scala"}, "language_info": {"name": "python"}}),
        ];
        for metadata in cases {
            let nb = json!({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5});
            let err = load_json(&nb.to_string()).unwrap_err();
            let LoadProblem::Skipped(message) = err else {
                panic!("expected Skipped for {metadata}, got {err:?}");
            };
            assert!(message.contains("not Python; skipped"), "{message}");
        }
        let r = json!({"cells": [], "metadata": {"kernelspec": {"language": "R"}}, "nbformat": 4});
        assert_eq!(
            load_json(&r.to_string()).unwrap_err(),
            LoadProblem::Skipped("notebook kernel is `R`, not Python; skipped".into())
        );
    }

    #[test]
    fn python_like_kernels_and_missing_metadata_are_python() {
        let cases = [
            json!({}),
            json!({"kernelspec": {"name": "my-project-env"}}),
            json!({"kernelspec": {"language": "Python", "name": "python3"}}),
            json!({"language_info": {"name": "pyspark"}}),
            json!({"kernelspec": null}),
        ];
        for metadata in cases {
            let nb = json!({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5});
            assert!(load_json(&nb.to_string()).is_ok(), "{metadata}");
        }
        assert!(load_json(r#"{"cells": [], "nbformat": 4}"#).is_ok());
    }

    #[test]
    fn broken_inputs_are_invalid_notebooks_with_a_position() {
        let invalid = |json: &[u8]| match load("a.ipynb".into(), "a.ipynb".into(), json) {
            Err(LoadProblem::InvalidNotebook(message)) => message,
            other => panic!("expected InvalidNotebook, got {other:?}"),
        };
        let message = invalid(b"{\n \"cells\": [\n  {,\n ]\n}");
        assert!(
            message.contains("not valid JSON") && message.contains("line 3"),
            "{message}"
        );
        assert!(invalid(b"").contains("the notebook file is empty"));
        assert!(invalid(b"\xff\xfe{}").contains("UTF-8"));
        assert!(invalid(b"[1, 2]").contains("not a Jupyter notebook"));
        assert!(invalid(b"{}").contains("`nbformat`"));
        assert!(invalid(br#"{"nbformat": 4}"#).contains("`cells`"));
        assert!(invalid(br#"{"nbformat": 3, "cells": []}"#).contains("`worksheets`"));
        assert!(invalid(br#"{"nbformat": 5, "cells": []}"#).contains("nbformat 5"));
        let message = invalid(br#"{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}"#);
        assert!(
            message.contains("a string or a list of strings"),
            "{message}"
        );
        assert!(invalid(br#"{"nbformat": 4, "cells": [{"source": "x"}]}"#).contains("cell_type"));
        assert!(
            invalid(br#"{"nbformat": 4, "cells": [{"cell_type": "code", "source": ["x", 1]}]}"#)
                .contains("line 1")
        );
    }

    #[test]
    fn bom_is_accepted() {
        let file = load_json(
            "\u{feff}{\"cells\": [{\"cell_type\": \"code\", \"source\": \"x\"}], \"nbformat\": 4}",
        );
        assert_eq!(file.unwrap().text, "x\n");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let valid = include_bytes!("../../tests/data/notebooks/magics.ipynb");
        // Every prefix of a real notebook, and a few byte flips in it.
        for end in (0..valid.len()).step_by(7) {
            let _ = load("a.ipynb".into(), "a".into(), &valid[..end]);
        }
        for at in (0..valid.len()).step_by(13) {
            let mut bytes = valid.to_vec();
            bytes[at] = b"\"\\[]{},:\n x%!?"[at % 14];
            let _ = load("a.ipynb".into(), "a".into(), &bytes);
        }
    }

    #[test]
    fn forty_megabytes_of_outputs_load() {
        let image = "iVBORw0KGgoAAAANSUhEUgAA".repeat(2_000_000 / 24);
        let mut cells = Vec::new();
        for i in 0..20 {
            cells.push(format!(
                r#"{{"cell_type": "code", "execution_count": {i}, "metadata": {{}},
 "outputs": [{{"data": {{"image/png": "{image}", "text/plain": ["<Figure>"]}},
 "metadata": {{"source": "not a cell"}}, "output_type": "display_data"}}],
 "source": ["plot({i})\n", "%matplotlib inline"]}}"#
            ));
        }
        let json = format!(
            "{{\"cells\": [{}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}",
            cells.join(",\n")
        );
        assert!(json.len() > 40_000_000);
        let file = load_json(&json).unwrap();
        let info = file.notebook.as_ref().unwrap();
        assert_eq!(info.cells.len(), 20);
        assert_eq!(info.cells[19].execution_count, Some(19));
        assert_eq!(info.cells[19].json_line, Some(20 * 4));
        assert!(
            file.text
                .starts_with("plot(0)\n                  \nplot(1)\n")
        );
    }
}
