//! The result of a run, resolved to paths, cells, lines and columns: what renderers print.

use crate::finding::{Location, Severity, Span};
use crate::source::SourceFile;
use std::sync::Arc;
use std::time::Duration;

/// Another place that is part of a diagnostic, resolved.
#[derive(Debug, Clone)]
pub struct RelatedLocation {
    /// Display path (relative, `/` separated).
    pub path: String,
    pub location: Location,
    pub span: Span,
    pub message: String,
    /// The file, when it was kept: the line-based formats map a notebook place to its
    /// `.ipynb` line with it.
    pub file: Option<Arc<SourceFile>>,
}

/// A finding resolved against its file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Display path (relative to the working directory, `/` separated).
    pub path: String,
    /// Start of the flagged range (cell-relative in notebooks).
    pub start: Location,
    /// End of the flagged range (exclusive column, as in DESIGN.md's JSON).
    pub end: Location,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<RelatedLocation>,
    /// The file, when it could be loaded: renderers show its source.
    pub file: Option<Arc<SourceFile>>,
    /// Made by a preview heuristic branch of its rule: kept only in preview mode.
    pub preview: bool,
}

impl Diagnostic {
    /// The order of DESIGN.md: path, cell, line, column, code.
    pub fn sort_key(&self) -> (&str, Option<usize>, usize, usize, &str, &str) {
        (
            &self.path,
            self.start.cell,
            self.start.line,
            self.start.column,
            self.code,
            &self.message,
        )
    }
}

/// Everything one `mlready check` produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files_checked: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Files on which mlready itself failed (a bug): the run exits 2.
    pub internal_errors: Vec<String>,
    /// Files analysed in this run (given or in their projects), and how many of them were
    /// parsed rather than taken from the cache.
    pub files_analysed: usize,
    pub files_parsed: usize,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// How many diagnostics are at or above `threshold`.
    pub fn at_or_above(&self, threshold: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity >= threshold)
            .count()
    }
}
