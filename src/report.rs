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
    /// Findings left out because `--baseline` records them (the summary line says how many).
    pub hidden_by_baseline: usize,
    /// Files analysed in this run (given or in their projects), and how many of them were
    /// parsed rather than taken from the cache.
    pub files_analysed: usize,
    pub files_parsed: usize,
    /// Each project's file summaries, in the order of their paths, when the run was asked to
    /// keep them ([`crate::engine::RunOptions::keep_projects`]).
    pub projects: Vec<ProjectFiles>,
}

/// One project of a run: its root and its files' summaries.
#[derive(Debug, Clone, Default)]
pub struct ProjectFiles {
    pub root: std::path::PathBuf,
    pub files: Vec<crate::project::summary::FileSummary>,
    /// What the project stage's index joined, so that the index can be built again cheaply.
    pub joins: crate::project::index::Joins,
}

impl Report {
    /// Adds the report of another part of the same run (the files of another configuration):
    /// its counts and findings. The findings are appended: [`Report::sort`] them once all
    /// parts are in.
    pub fn merge(&mut self, part: Report) {
        self.files_checked += part.files_checked;
        self.diagnostics.extend(part.diagnostics);
        self.internal_errors.extend(part.internal_errors);
        self.hidden_by_baseline += part.hidden_by_baseline;
        self.files_analysed += part.files_analysed;
        self.files_parsed += part.files_parsed;
        self.projects.extend(part.projects);
    }

    /// Puts the findings in report order (by path, cell, line, column, code, message).
    pub fn sort(&mut self) {
        self.diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

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

/// `message` with its control characters escaped (`\0`, `\t`, `\n`, `\r`, `\x1b`, and the
/// bidirectional overrides as `\u{202e}`): messages quote the user's code, and a zero-filled
/// file or a terminal escape sequence must not reach a terminal, a CI log or a JSON consumer
/// raw. Messages stay one line.
pub fn printable(message: String) -> String {
    let escaped =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !message.chars().any(escaped) {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 8);
    for c in message.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x80 && escaped(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if escaped(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("near `x = 1`".into()), "near `x = 1`");
        assert_eq!(printable("near `\0\0a\tb`".into()), "near `\\0\\0a\\tb`");
        assert_eq!(
            printable("\u{1b}[31m\r\n\u{7f}".into()),
            "\\x1b[31m\\r\\n\\x7f"
        );
        assert_eq!(printable("\u{85}é\u{202e}".into()), "\\u{85}é\\u{202e}");
    }
}
