//! One check of one open document, by the same engine and configuration as `mlready check`:
//! the editor's text stands in for the file on disk (as `--stdin-filename` does), the rest of
//! its project comes from the cache, and the findings become protocol diagnostics on the
//! script, or on each notebook cell.

use super::documents::Lines;
use crate::config::{self, CliOverrides};
use crate::engine::{self, CacheLocation, RunOptions};
use crate::finding::Severity;
use crate::registry;
use crate::report;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The text of one document to check, taken when its debounce ran out.
#[derive(Debug, Clone)]
pub enum Snapshot {
    Script {
        uri: String,
        path: PathBuf,
        text: String,
        version: i32,
    },
    Notebook {
        path: PathBuf,
        cells: Vec<CellSnapshot>,
    },
}

/// One cell of a notebook snapshot.
#[derive(Debug, Clone)]
pub struct CellSnapshot {
    pub uri: String,
    pub code: bool,
    pub text: String,
    pub version: i32,
    pub execution_order: Option<u32>,
}

impl Snapshot {
    /// The documents this snapshot publishes diagnostics on: the script, or every code cell.
    pub fn uris(&self) -> Vec<String> {
        match self {
            Snapshot::Script { uri, .. } => vec![uri.clone()],
            Snapshot::Notebook { cells, .. } => cells
                .iter()
                .filter(|c| c.code)
                .map(|c| c.uri.clone())
                .collect(),
        }
    }

    /// The lines of each document of the snapshot, indexed once for all its findings.
    fn lines(&self) -> HashMap<&str, Lines<'_>> {
        match self {
            Snapshot::Script { uri, text, .. } => HashMap::from([(uri.as_str(), Lines::new(text))]),
            Snapshot::Notebook { cells, .. } => cells
                .iter()
                .map(|cell| (cell.uri.as_str(), Lines::new(&cell.text)))
                .collect(),
        }
    }

    fn path(&self) -> &Path {
        match self {
            Snapshot::Script { path, .. } | Snapshot::Notebook { path, .. } => path,
        }
    }

    /// The bytes the engine reads in place of the file: the script's text, or the notebook
    /// rebuilt as nbformat 4 JSON from its cells.
    fn bytes(&self) -> Vec<u8> {
        match self {
            Snapshot::Script { text, .. } => text.clone().into_bytes(),
            Snapshot::Notebook { cells, .. } => {
                let cells: Vec<serde_json::Value> = cells
                    .iter()
                    .map(|cell| {
                        if cell.code {
                            json!({
                                "cell_type": "code",
                                "execution_count": cell.execution_order,
                                "metadata": {},
                                "outputs": [],
                                "source": cell.text,
                            })
                        } else {
                            json!({"cell_type": "markdown", "metadata": {}, "source": cell.text})
                        }
                    })
                    .collect();
                let notebook = json!({
                    "cells": cells,
                    "metadata": {"language_info": {"name": "python"}},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                });
                notebook.to_string().into_bytes()
            }
        }
    }

    /// The document and range of an engine place: the script, or the cell it is in (a
    /// finding on the whole notebook goes on its first code cell).
    fn place(
        &self,
        lines: &HashMap<&str, Lines<'_>>,
        start: crate::finding::Location,
        end: crate::finding::Location,
    ) -> (String, Range) {
        let uri = match self {
            Snapshot::Script { uri, .. } => uri.as_str(),
            Snapshot::Notebook { cells, .. } => {
                let cell = start
                    .cell
                    .and_then(|number| cells.get(number.saturating_sub(1)))
                    .or_else(|| cells.iter().find(|c| c.code))
                    .or_else(|| cells.first());
                cell.map_or("", |cell| cell.uri.as_str())
            }
        };
        let Some(text) = lines.get(uri) else {
            let at = Position::new(0, 0);
            return (uri.to_string(), Range::new(at, at));
        };
        let from = text.position(start.line, start.column);
        let to = if end.cell == start.cell && (end.line, end.column) >= (start.line, start.column) {
            text.position(end.line, end.column)
        } else {
            from
        };
        (uri.to_string(), Range::new(from, to))
    }
}

/// What one check found: the diagnostics of each document of the snapshot (empty for a
/// document without findings, so the editor clears what it showed).
pub type Published = BTreeMap<String, Vec<Diagnostic>>;

/// Checks a snapshot. `Err` is a message for the editor's log: a configuration that cannot be
/// read, or mlready failing on the file.
pub fn check(snapshot: &Snapshot) -> Result<Published, String> {
    let path = snapshot.path().to_path_buf();
    let known = registry::known();
    let (settings, extras) = config::resolve(
        std::slice::from_ref(&path),
        &CliOverrides::default(),
        &known,
    )
    .map_err(plain)?;
    let cache = match std::env::var_os("MLREADY_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => CacheLocation::Dir(PathBuf::from(dir)),
        _ => CacheLocation::ProjectRoots,
    };
    let options = RunOptions {
        project: true,
        cache: Some(cache),
        stdin: Some((path.clone(), snapshot.bytes())),
        without_sources: true,
        keep_projects: false,
        files: None,
    };
    let report =
        engine::check_with(std::slice::from_ref(&path), &settings, &options).map_err(plain)?;
    if let Some(error) = report.internal_errors.first() {
        return Err(error.clone());
    }
    let mut published: Published = snapshot
        .uris()
        .into_iter()
        .map(|u| (u, Vec::new()))
        .collect();
    let lines = snapshot.lines();
    for mut finding in report.diagnostics {
        if let Some(severity) = extras.severity_for(finding.code, finding.name) {
            finding.severity = severity;
        }
        let (uri, diagnostic) = to_lsp(snapshot, &lines, &finding);
        if let Some(list) = published.get_mut(&uri) {
            list.push(diagnostic);
        }
    }
    Ok(published)
}

/// An error as one plain paragraph for the editor's message line: what, where, and how to
/// fix it (the command line draws it with boxes and colours instead).
fn plain(err: crate::error::Error) -> String {
    use miette::Diagnostic as _;
    let mut text = err.to_string();
    if let Some(help) = err.help() {
        text.push_str(&format!(" (help: {help})"));
    }
    text
}

/// One engine finding as a protocol diagnostic, and the document it is on.
fn to_lsp(
    snapshot: &Snapshot,
    lines: &HashMap<&str, Lines<'_>>,
    finding: &report::Diagnostic,
) -> (String, Diagnostic) {
    let (uri, range) = snapshot.place(lines, finding.start, finding.end);
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let rule = registry::find(finding.code);
    let related = finding
        .related
        .iter()
        .filter_map(|related| related_location(snapshot, lines, finding, related))
        .collect::<Vec<_>>();
    let diagnostic = Diagnostic {
        range,
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: rule
            .and_then(|rule| Uri::from_str(&rule.url()).ok())
            .map(|href| CodeDescription { href }),
        source: Some("mlready".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(json!({"code": finding.code, "name": finding.name})),
    };
    (uri, diagnostic)
}

/// A related place ("split here"): in the snapshot's own document (a notebook's cell), or in
/// another file of the project.
fn related_location(
    snapshot: &Snapshot,
    lines: &HashMap<&str, Lines<'_>>,
    finding: &report::Diagnostic,
    related: &report::RelatedLocation,
) -> Option<DiagnosticRelatedInformation> {
    let location = if related.path == finding.path {
        let (uri, range) = snapshot.place(lines, related.location, related.location);
        Location::new(Uri::from_str(&uri).ok()?, range)
    } else {
        // Another file: its display path is relative to the working directory.
        let path = std::env::current_dir().ok()?.join(&related.path);
        let line = u32::try_from(related.location.line.saturating_sub(1)).unwrap_or(0);
        let at = Position::new(line, 0);
        Location::new(Uri::from_str(&file_uri(&path)).ok()?, Range::new(at, at))
    };
    Some(DiagnosticRelatedInformation {
        location,
        message: related.message.clone(),
    })
}

/// The path of a `file:` URI, percent-decoded; `None` for other schemes.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///home/x` (empty host) or `file://localhost/home/x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    let path = String::from_utf8(decoded).ok()?;
    // `file:///C:/x` on Windows.
    #[cfg(windows)]
    let path = path.strip_prefix('/').map(str::to_string).unwrap_or(path);
    Some(PathBuf::from(path))
}

/// The `file:` URI of an absolute path, percent-encoded as SARIF's artifact URIs are.
pub fn file_uri(path: &Path) -> String {
    let encoded = crate::render::sarif::uri(&path.to_string_lossy());
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        // A Windows path, `C:\x`: `file:///C%3A/x`, as VS Code writes it.
        format!("file:///{encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/my project/naïve #1.py");
        let uri = file_uri(path);
        assert_eq!(uri, "file:///tmp/my%20project/na%C3%AFve%20%231.py");
        assert_eq!(uri_path(&uri).unwrap(), path);
        assert_eq!(
            uri_path("file://localhost/a/b.py").unwrap(),
            Path::new("/a/b.py")
        );
        assert_eq!(uri_path("untitled:Untitled-1"), None);
        // A stray `%` is kept as it is, not a panic.
        assert_eq!(uri_path("file:///a/100%").unwrap(), Path::new("/a/100%"));
    }

    #[test]
    fn a_notebook_snapshot_is_an_nbformat_4_notebook() {
        let snapshot = Snapshot::Notebook {
            path: PathBuf::from("/p/nb.ipynb"),
            cells: vec![
                CellSnapshot {
                    uri: "cell-1".into(),
                    code: false,
                    text: "# Title".into(),
                    version: 1,
                    execution_order: None,
                },
                CellSnapshot {
                    uri: "cell-2".into(),
                    code: true,
                    text: "import pandas as pd\ndf = pd.read_csv('x.csv')".into(),
                    version: 1,
                    execution_order: Some(3),
                },
            ],
        };
        let file = crate::source::load_bytes(
            Path::new("/p/nb.ipynb"),
            "nb.ipynb".into(),
            &snapshot.bytes(),
        )
        .unwrap();
        let info = file.notebook.as_ref().unwrap();
        assert_eq!(info.total_cells, 2);
        assert_eq!(info.cells.len(), 1);
        assert_eq!(info.cells[0].number, 2);
        assert_eq!(info.cells[0].execution_count, Some(3));
        let start = crate::finding::Location {
            cell: Some(2),
            line: 2,
            column: 6,
        };
        let (uri, range) = snapshot.place(&snapshot.lines(), start, start);
        assert_eq!(uri, "cell-2");
        assert_eq!(range.start, Position::new(1, 5));
    }
}
