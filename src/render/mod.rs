//! render: one renderer per output format over the same [`Report`].
//!
//! Human-readable formats (`text`, `concise`) end with a summary line; machine formats
//! (`json`, `sarif`, `github`, `gitlab`, `junit`) never print one.
//!
//! The formats that can only name a line of a file (`sarif`, `github`, `gitlab`, `junit`) share
//! [`file_place`], [`cell_message`] and [`fingerprints`]: a notebook finding lands on the line of
//! the `.ipynb` file that holds its source line, and its message names the cell.

mod concise;
mod github;
mod gitlab;
mod json;
mod junit;
pub mod rules_table;
pub(crate) mod sarif;
pub mod statistics;
mod text;

use crate::finding::Location;
use crate::report::{Diagnostic, Report};
use crate::rule::Rule;
use crate::source::SourceFile;
use std::collections::HashMap;
use std::io::{self, Write};

/// The output formats of `mlready check --format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Each finding with its source snippet, help and rule link.
    Text,
    /// One line per finding: `path:line:col: CODE [severity] message`.
    Concise,
    /// A stable, versioned JSON document for tools and CI.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// GitLab Code Quality JSON, for the merge request widget.
    Gitlab,
    /// JUnit XML: one test suite per file, one failed test case per finding.
    Junit,
}

impl Format {
    /// Whether the format is read by people (and so ends with a summary line).
    pub fn is_human_readable(self) -> bool {
        match self {
            Format::Text | Format::Concise => true,
            Format::Json | Format::Sarif | Format::Github | Format::Gitlab | Format::Junit => false,
        }
    }
}

/// The output formats of `mlready rule` and `mlready rules`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RuleFormat {
    /// The rule page as written (`rule`), an aligned table (`rules`).
    #[default]
    Text,
    /// JSON: one object (`rule`) or an array of objects (`rules`).
    Json,
}

/// How human-readable output looks; the caller decides (terminal, `NO_COLOR`, `--no-color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// The terminal's width, when the report goes to one (or `COLUMNS` says): the text format
    /// wraps its messages to it when it is narrower than the usual width.
    pub width: Option<usize>,
}

/// Writes `report` to `out` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    out: &mut dyn Write,
    style: &Style,
) -> io::Result<()> {
    render_findings(report, format, out, style)?;
    if format.is_human_readable() {
        writeln!(out, "{}", summary_line(report))?;
    }
    Ok(())
}

/// [`render`] without the summary line of the human-readable formats (`check --quiet`).
pub fn render_findings(
    report: &Report,
    format: Format,
    out: &mut dyn Write,
    style: &Style,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, out, style)?,
        Format::Concise => concise::render(report, out)?,
        Format::Json => json::render(report, out)?,
        Format::Sarif => sarif::render(report, out)?,
        Format::Github => github::render(report, out)?,
        Format::Gitlab => gitlab::render(report, out)?,
        Format::Junit => junit::render(report, out)?,
    }
    Ok(())
}

/// Writes one rule: its page as is (text) or its metadata and page (JSON).
pub fn render_rule(rule: &Rule, format: RuleFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        RuleFormat::Text => {
            out.write_all(rule.doc.as_bytes())?;
            if !rule.doc.ends_with('\n') {
                writeln!(out)?;
            }
            Ok(())
        }
        RuleFormat::Json => json::render_rule(rule, out),
    }
}

/// Writes every rule: an aligned table (text) no wider than `width` columns when it is given
/// (see [`rules_table::width`]), or an array of objects (JSON).
pub fn render_rules(
    rules: &[&Rule],
    format: RuleFormat,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        RuleFormat::Text => rules_table::write(rules, width, out),
        RuleFormat::Json => json::render_rules(rules, out),
    }
}

/// `path:LINE:COL`, or `path:cell N:LINE:COL` in a notebook.
pub(crate) fn location_label(path: &str, location: &Location) -> String {
    // A file name may hold control characters (an escape sequence, a newline): shown escaped,
    // so a name cannot drive the terminal or split a finding over two lines.
    let path = crate::report::printable(path.to_string());
    match location.cell {
        Some(cell) => format!("{path}:cell {cell}:{}:{}", location.line, location.column),
        None => format!("{path}:{}:{}", location.line, location.column),
    }
}

/// Where a finding lands in its file on disk, for the formats that name lines of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FilePlace {
    /// 1-based line of the file on disk (of the `.ipynb` JSON for a notebook).
    pub start_line: usize,
    pub end_line: usize,
    /// 1-based start and exclusive end columns; `None` in a notebook, where the source columns
    /// are not columns of the JSON line.
    pub columns: Option<(usize, usize)>,
}

/// Where `location` (of the file at `path`) lands in the file on disk. `file` is that file when
/// it was loaded; without it a notebook location falls back to line 1.
pub(crate) fn place_of(file: Option<&SourceFile>, start: &Location, end: &Location) -> FilePlace {
    match (start.cell, file) {
        (None, _) => FilePlace {
            start_line: start.line,
            end_line: end.line.max(start.line),
            columns: Some((start.column, end.column)),
        },
        (Some(_), Some(file)) => {
            let start_line = file.file_line(start);
            let end_line = if end.cell == start.cell {
                file.file_line(end).max(start_line)
            } else {
                start_line
            };
            FilePlace {
                start_line,
                end_line,
                columns: None,
            }
        }
        (Some(_), None) => FilePlace {
            start_line: 1,
            end_line: 1,
            columns: None,
        },
    }
}

/// [`place_of`] for a diagnostic's flagged range.
pub(crate) fn file_place(diagnostic: &Diagnostic) -> FilePlace {
    place_of(
        diagnostic.file.as_deref(),
        &diagnostic.start,
        &diagnostic.end,
    )
}

/// The message, prefixed with `cell N: ` when the finding is in a notebook cell.
pub(crate) fn cell_message(location: &Location, message: &str) -> String {
    match location.cell {
        Some(cell) => format!("cell {cell}: {message}"),
        None => message.to_string(),
    }
}

/// Every loaded file a report's diagnostics carry, by display path, so that related places in
/// other files can be mapped to lines of those files too.
pub(crate) fn files_by_path(report: &Report) -> HashMap<&str, &SourceFile> {
    report
        .diagnostics
        .iter()
        .filter_map(|d| d.file.as_deref())
        .map(|file| (file.display.as_str(), file))
        .collect()
}

/// One [`crate::fingerprint::Fingerprint`] per diagnostic of `report`, in order.
pub(crate) fn fingerprints(report: &Report) -> Vec<crate::fingerprint::Fingerprint> {
    crate::fingerprint::of(&report.diagnostics)
}

/// `Checked 12 files in 0.08s: 2 errors, 3 warnings, 1 info` (or `: no findings`), followed by
/// ` (12 hidden by the baseline)` when `--baseline` left findings out.
pub(crate) fn summary_line(report: &Report) -> String {
    use crate::finding::Severity;
    let files = match report.files_checked {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let counts: Vec<String> = [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "info"),
    ]
    .into_iter()
    .filter_map(|(severity, one, many)| match report.count(severity) {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    })
    .collect();
    let findings = if counts.is_empty() {
        "no findings".to_string()
    } else {
        counts.join(", ")
    };
    let hidden = match report.hidden_by_baseline {
        0 => String::new(),
        n => format!(" ({n} hidden by the baseline)"),
    };
    format!(
        "Checked {files} in {:.2}s: {findings}{hidden}",
        report.elapsed.as_secs_f64()
    )
}

/// Hand-built reports shared by the renderers' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::finding::{Location, Severity, Span};
    use crate::report::{Diagnostic, RelatedLocation, Report};
    use crate::source::{Cell, NotebookInfo, SourceFile};
    use std::sync::Arc;
    use std::time::Duration;

    pub fn python_file() -> Arc<SourceFile> {
        Arc::new(SourceFile::python(
            "src/train.py".into(),
            "src/train.py".into(),
            "import numpy as np\nx = np.random.rand(3)\ny = x * 2\n".into(),
        ))
    }

    /// Two code cells (numbers 2 and 4 among four cells); cell 4 starts with a magic.
    pub fn notebook_file() -> Arc<SourceFile> {
        let cell2 = "from sklearn.preprocessing import StandardScaler\ns = StandardScaler().fit(X)";
        let cell4_raw = "%time split(X)\nX_tr, X_te = train_test_split(X)";
        let cell4_masked = "              \nX_tr, X_te = train_test_split(X)";
        let raw = format!("{cell2}\n{cell4_raw}\n");
        let text = format!("{cell2}\n{cell4_masked}\n");
        let info = NotebookInfo {
            cells: vec![
                Cell {
                    number: 2,
                    offset: 0,
                    len: cell2.len(),
                    execution_count: Some(1),
                    magic: None,
                    analyzed: true,
                    json_line: Some(10),
                    json_rows: vec![10, 11],
                    has_outputs: false,
                    error_output: None,
                    parameters: false,
                },
                Cell {
                    number: 4,
                    offset: cell2.len() + 1,
                    len: cell4_raw.len(),
                    execution_count: Some(2),
                    magic: None,
                    analyzed: true,
                    json_line: Some(20),
                    json_rows: vec![20, 21],
                    has_outputs: false,
                    error_output: None,
                    parameters: false,
                },
            ],
            total_cells: 4,
            nbformat: 4,
            outputs: Vec::new(),
        };
        Arc::new(SourceFile::notebook(
            "nb/train.ipynb".into(),
            "nb/train.ipynb".into(),
            text,
            raw,
            info,
        ))
    }

    fn diagnostic(
        file: &Arc<SourceFile>,
        code: &'static str,
        name: &'static str,
        severity: Severity,
        span: Span,
        message: &str,
    ) -> Diagnostic {
        Diagnostic {
            code,
            name,
            severity,
            path: file.display.clone(),
            start: file.locate(span.start),
            end: file.locate(span.end),
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            file: Some(file.clone()),
            preview: false,
        }
    }

    fn related(file: &Arc<SourceFile>, span: Span, message: &str) -> RelatedLocation {
        RelatedLocation {
            path: file.display.clone(),
            location: file.locate(span.start),
            span,
            message: message.into(),
            file: Some(file.clone()),
        }
    }

    fn span_of(file: &SourceFile, needle: &str) -> Span {
        let start = file
            .text
            .find(needle)
            .expect("fixture text holds the needle");
        Span::new(start, start + needle.len())
    }

    /// A .py warning, a notebook error with related places in its cell, another cell and
    /// another file, and an unreadable file without source.
    pub fn report() -> Report {
        let py = python_file();
        let nb = notebook_file();
        let mut repro = diagnostic(
            &py,
            "REPRO001",
            "unseeded-randomness",
            Severity::Warning,
            span_of(&py, "np.random.rand(3)"),
            "`np.random.rand` draws from an unseeded generator",
        );
        repro.help = Some("Seed it: `np.random.default_rng(0)`".into());

        let mut leak = diagnostic(
            &nb,
            "LEAK001",
            "preprocessing-before-split",
            Severity::Error,
            span_of(&nb, "StandardScaler().fit(X)"),
            "StandardScaler is fitted on all rows of `X` before train_test_split",
        );
        leak.help = Some("Split first, then fit the scaler on the training split only".into());
        leak.related = vec![
            related(&nb, span_of(&nb, "from sklearn"), "imported here"),
            related(&nb, span_of(&nb, "train_test_split(X)"), "split here"),
            related(&py, span_of(&py, "y = x"), "used here"),
        ];

        let unreadable = Diagnostic {
            code: "PARSE002",
            name: "unreadable-file",
            severity: Severity::Error,
            path: "data/broken.py".into(),
            start: Location {
                cell: None,
                line: 1,
                column: 1,
            },
            end: Location {
                cell: None,
                line: 1,
                column: 1,
            },
            span: Span::default(),
            message: "cannot read the file: permission denied".into(),
            help: None,
            related: Vec::new(),
            file: None,
            preview: false,
        };
        Report {
            files_checked: 3,
            diagnostics: vec![unreadable, leak, repro],
            elapsed: Duration::from_millis(80),
            ..Report::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_and_pluralizes() {
        let report = fixtures::report();
        assert_eq!(
            summary_line(&report),
            "Checked 3 files in 0.08s: 2 errors, 1 warning"
        );
        let empty = Report {
            files_checked: 1,
            ..Report::default()
        };
        assert_eq!(summary_line(&empty), "Checked 1 file in 0.00s: no findings");
        let hidden = Report {
            hidden_by_baseline: 12,
            ..empty
        };
        assert_eq!(
            summary_line(&hidden),
            "Checked 1 file in 0.00s: no findings (12 hidden by the baseline)"
        );
        let some = Report {
            hidden_by_baseline: 1,
            ..report
        };
        assert_eq!(
            summary_line(&some),
            "Checked 3 files in 0.08s: 2 errors, 1 warning (1 hidden by the baseline)"
        );
    }

    #[test]
    fn machine_formats_have_no_summary() {
        let mut out = Vec::new();
        render(
            &fixtures::report(),
            Format::Json,
            &mut out,
            &Style::default(),
        )
        .unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("Checked"));
    }

    #[test]
    fn notebook_locations_name_the_cell() {
        let report = fixtures::report();
        let leak = &report.diagnostics[1];
        assert_eq!(
            location_label(&leak.path, &leak.start),
            "nb/train.ipynb:cell 2:2:5"
        );
    }
}
