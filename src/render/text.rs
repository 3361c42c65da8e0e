//! `--format text`: each finding as a miette report with its source snippet. The only file that
//! uses miette's report handlers.
//!
//! A notebook finding shows only its cell, named `path.ipynb [cell N]`, with spans rebased to
//! the cell's start (STYLE.md E7); the raw text is shown, so magics read as written.

use super::{Style, location_label};
use crate::finding::Severity;
use crate::registry;
use crate::report::{Diagnostic, RelatedLocation, Report};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

/// The longest source excerpt shown under a finding, in bytes.
const MAX_EXCERPT: usize = 8_000;

/// Messages and help wrap at this width, or at the terminal's when it is narrower (but not
/// below [`MIN_WIDTH`]); source lines are never wrapped.
const WIDTH: usize = 100;
const MIN_WIDTH: usize = 40;

pub(super) fn render(report: &Report, out: &mut dyn Write, style: &Style) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Urls are printed by us, below the report: miette would put them in the header line,
    // as terminal hyperlink escapes when links are on.
    let width = style.width.map_or(WIDTH, |w| w.clamp(MIN_WIDTH, WIDTH));
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_urls(false)
        .with_width(width)
        .without_syntax_highlighting();
    // Related places wrap like the message, under its text; a long path is never split.
    let related_lines = textwrap::Options::new(width)
        .initial_indent("  related: ")
        .subsequent_indent("    ")
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for diagnostic in &report.diagnostics {
        let view = View::new(diagnostic);
        let mut block = String::new();
        handler
            .render_report(&mut block, &view)
            .map_err(|_| io::Error::other("cannot format a diagnostic"))?;
        for related in &view.elsewhere {
            let line = format!(
                "{}: {}",
                location_label(&related.path, &related.location),
                related.message
            );
            for part in textwrap::wrap(&line, &related_lines) {
                block.push_str(&part);
                block.push('\n');
            }
        }
        if let Some(rule) = registry::find(diagnostic.code) {
            block.push_str(&format!("  docs: {}\n", rule.url()));
        }
        writeln!(out, "{block}")?;
    }
    Ok(())
}

/// One diagnostic as miette sees it.
#[derive(Debug)]
struct View<'a> {
    diagnostic: &'a Diagnostic,
    /// `path:cell N:LINE:COL: CODE [severity] name`.
    header: String,
    snippet: Option<Snippet<'a>>,
    labels: Vec<LabeledSpan>,
    /// Related places outside the snippet (another cell or file): listed below the report.
    elsewhere: Vec<&'a RelatedLocation>,
}

impl<'a> View<'a> {
    fn new(diagnostic: &'a Diagnostic) -> View<'a> {
        let header = format!(
            "{}: {} [{}] {}",
            location_label(&diagnostic.path, &diagnostic.start),
            diagnostic.code,
            diagnostic.severity,
            diagnostic.name
        );
        // A source excerpt is shown when it is of a size to read: a minified or generated file
        // of one long line would otherwise be printed whole for every finding on it.
        let snippet = Snippet::of(diagnostic).filter(|s| s.text.len() <= MAX_EXCERPT);
        let mut labels = Vec::new();
        let mut elsewhere = Vec::new();
        match &snippet {
            Some(snippet) => {
                labels.push(LabeledSpan::new_primary_with_span(
                    None,
                    snippet.rebase(diagnostic.span.start, diagnostic.span.end),
                ));
                for related in &diagnostic.related {
                    if related.path == diagnostic.path && related.location.cell == snippet.cell {
                        labels.push(LabeledSpan::new_with_span(
                            Some(related.message.clone()),
                            snippet.rebase(related.span.start, related.span.end),
                        ));
                    } else {
                        elsewhere.push(related);
                    }
                }
            }
            None => elsewhere.extend(&diagnostic.related),
        }
        View {
            diagnostic,
            header,
            snippet,
            labels,
            elsewhere,
        }
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.header))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.diagnostic.help.as_ref()?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.snippet.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The source shown with a diagnostic: a whole `.py` file, or one notebook cell.
#[derive(Debug)]
struct Snippet<'a> {
    name: String,
    /// The source shown, with control characters made `?` (see [`shown`]).
    text: std::borrow::Cow<'a, str>,
    /// Offset of `text` in the file's virtual text.
    base: usize,
    /// The cell shown, for notebooks.
    cell: Option<usize>,
    /// Lines of the file before `text` (0 for a notebook cell, numbered from its start).
    first_line: usize,
}

impl<'a> Snippet<'a> {
    fn of(diagnostic: &'a Diagnostic) -> Option<Snippet<'a>> {
        let file = diagnostic.file.as_deref()?;
        let raw = file.raw_text();
        let Some(notebook) = &file.notebook else {
            return Some(Snippet::window(diagnostic, raw));
        };
        let cell = diagnostic
            .start
            .cell
            .and_then(|number| notebook.cells.iter().find(|c| c.number == number))
            .or_else(|| file.cell_at(diagnostic.span.start))?;
        let start = floor_char_boundary(raw, cell.offset);
        let mut end = floor_char_boundary(raw, cell.offset.saturating_add(cell.len)).max(start);
        // A cell saved with CRLF endings ends with the `\r` of its last line (the `\n` separates
        // it from the next cell). miette reads a lone `\r` as a line break of its own, which
        // would number the cell's last line like the line before it.
        if raw[start..end].ends_with('\r') {
            end -= 1;
        }
        Some(Snippet {
            name: crate::report::printable(format!("{} [cell {}]", diagnostic.path, cell.number)),
            text: shown(&raw[start..end]),
            base: start,
            cell: Some(cell.number),
            first_line: 0,
        })
    }

    /// The lines of a `.py` file that the diagnostic and its related places in the same file
    /// cover, with a few lines around: miette then scans only those, not the whole file for
    /// every finding.
    fn window(diagnostic: &'a Diagnostic, raw: &'a str) -> Snippet<'a> {
        const AROUND: usize = 4;
        let same_file = diagnostic
            .related
            .iter()
            .filter(|r| r.path == diagnostic.path);
        let low = same_file
            .clone()
            .map(|r| (r.span.start, r.location.line))
            .chain([(diagnostic.span.start, diagnostic.start.line)])
            .min()
            .unwrap_or((0, 1));
        let high = same_file
            .map(|r| r.span.end)
            .chain([diagnostic.span.end])
            .max()
            .unwrap_or(0);
        let mut start = floor_char_boundary(raw, low.0);
        let mut first_line = low.1.max(1);
        // Back to the start of the line, then `AROUND` lines more.
        start = raw[..start].rfind('\n').map_or(0, |at| at + 1);
        for _ in 0..AROUND {
            if start == 0 {
                break;
            }
            start = raw[..start - 1].rfind('\n').map_or(0, |at| at + 1);
            first_line = first_line.saturating_sub(1).max(1);
        }
        let mut end = floor_char_boundary(raw, high.max(start));
        for _ in 0..=AROUND {
            match raw[end..].find('\n') {
                Some(at) => end += at + 1,
                None => {
                    end = raw.len();
                    break;
                }
            }
        }
        Snippet {
            name: crate::report::printable(diagnostic.path.clone()),
            text: shown(&raw[start..end]),
            base: start,
            cell: None,
            first_line: first_line - 1,
        }
    }

    /// A byte range of the file's virtual text, as a span of this snippet, clamped to it.
    fn rebase(&self, start: usize, end: usize) -> SourceSpan {
        let text = self.text.as_ref();
        let start = floor_char_boundary(text, start.saturating_sub(self.base));
        let end = floor_char_boundary(text, end.saturating_sub(self.base)).max(start);
        SourceSpan::new(start.into(), end - start)
    }
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        // miette counts columns in bytes; the header must agree with ours, which count
        // characters (`é` or an emoji before the span is one column).
        let column = match self.text.get(..span.offset()) {
            Some(before) if inner.column() > 0 && inner.column() <= before.len() => {
                before[before.len() - inner.column()..].chars().count()
            }
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// `source` with its ASCII control characters other than tab and line endings made `?`: a
/// zero-filled file or an escape sequence in a comment must not reach the terminal raw. One
/// byte for one, so offsets and columns stay.
fn shown(source: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |b: u8| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r');
    if !source.bytes().any(hidden) {
        return std::borrow::Cow::Borrowed(source);
    }
    let bytes: Vec<u8> = source
        .bytes()
        .map(|b| if hidden(b) { b'?' } else { b })
        .collect();
    // Only ASCII bytes changed, so the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
}

/// The largest char boundary of `text` at or before `offset` (clamped to the text's length).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use crate::finding::Span;
    use crate::render::{Format, Style, fixtures, render};
    use crate::report::Report;

    fn text(report: &Report, color: bool) -> String {
        let mut out = Vec::new();
        render(
            report,
            Format::Text,
            &mut out,
            &Style { color, width: None },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn headers_name_file_cell_line_and_column() {
        let out = text(&fixtures::report(), false);
        assert!(
            out.contains("nb/train.ipynb:cell 2:2:5: LEAK001 [error] preprocessing-before-split"),
            "{out}"
        );
        assert!(out.contains("src/train.py:2:5: REPRO001 [warning] unseeded-randomness"));
        assert!(out.contains("data/broken.py:1:1: PARSE002 [error] unreadable-file"));
        assert!(out.ends_with("Checked 3 files in 0.08s: 2 errors, 1 warning\n"));
    }

    #[test]
    fn notebook_snippet_is_the_cell_alone() {
        let out = text(&fixtures::report(), false);
        assert!(out.contains("[nb/train.ipynb [cell 2]:2:5]"), "{out}");
        assert!(out.contains("s = StandardScaler().fit(X)"));
        // Related place in the same cell is a label; elsewhere it is a footer line.
        assert!(out.contains("imported here"));
        assert!(out.contains("  related: nb/train.ipynb:cell 4:2:14: split here"));
        assert!(out.contains("  related: src/train.py:3:1: used here"));
        // Cell 4 is never shown as source, so its magic is not either.
        assert!(!out.contains("%time"));
        assert!(out.contains("help: Split first"));
    }

    #[test]
    fn related_places_wrap_like_the_message() {
        let mut report = fixtures::report();
        let leak = (report.diagnostics.iter_mut())
            .find(|d| d.code == "LEAK001")
            .unwrap();
        let used = leak.related.last_mut().unwrap();
        used.message = "the scaled columns `tenure`, `monthly_charges` and `contract_length` \
                        are used here to train the model"
            .into();
        for (width, widest) in [(None, 100), (Some(60), 60)] {
            let mut out = Vec::new();
            let style = Style {
                color: false,
                width,
            };
            render(&report, Format::Text, &mut out, &style).unwrap();
            let out = String::from_utf8(out).unwrap();
            let start = out.find("  related: src/train.py:3:1: the scaled").unwrap();
            let lines: Vec<&str> = out[start..]
                .lines()
                .take_while(|l| !l.contains("docs:"))
                .collect();
            assert!(lines.len() > 1, "{out}");
            for line in &lines {
                assert!(line.chars().count() <= widest, "{line:?} in {out}");
            }
            assert!(
                lines[1..].iter().all(|l| l.starts_with("    ")),
                "{lines:?}"
            );
            assert!(lines.concat().contains("`contract_length`"), "{lines:?}");
        }
    }

    #[test]
    fn a_file_without_source_prints_no_snippet() {
        let out = text(&fixtures::report(), false);
        let block = out
            .split("\n\n")
            .skip_while(|b| !b.contains("PARSE002"))
            .take(2)
            .collect::<Vec<_>>()
            .join("\n\n");
        assert!(block.contains("cannot read the file"), "{block}");
        assert!(!block.contains('╭'), "{block}");
    }

    #[test]
    fn magics_show_as_written() {
        let mut report = fixtures::report();
        let nb = fixtures::notebook_file();
        let leak = &mut report.diagnostics[1];
        let at = nb.raw_text().find("X_tr").unwrap();
        leak.span = Span::new(at, at + 4);
        leak.start = nb.locate(at);
        leak.related.clear();
        let out = text(&report, false);
        assert!(out.contains("nb/train.ipynb:cell 4:2:1: LEAK001"), "{out}");
        assert!(out.contains("%time split(X)"), "{out}");
        assert!(out.contains("[nb/train.ipynb [cell 4]:2:1]"), "{out}");
    }

    #[test]
    fn no_escape_codes_without_color() {
        let out = text(&fixtures::report(), false);
        assert!(!out.contains('\u{1b}'), "{out}");
        let colored = text(&fixtures::report(), true);
        assert!(colored.contains('\u{1b}'));
    }

    #[test]
    fn snippet_columns_count_characters() {
        let mut report = fixtures::report();
        let py = std::sync::Arc::new(crate::source::SourceFile::python(
            "e.py".into(),
            "e.py".into(),
            "s = \"😀é\"; p = 1\n".into(),
        ));
        let at = py.text.find('p').unwrap();
        let repro = &mut report.diagnostics[2];
        repro.span = Span::new(at, at + 1);
        repro.start = py.locate(at);
        repro.path = "e.py".into();
        repro.file = Some(py);
        let out = text(&report, false);
        assert!(out.contains("e.py:1:11: REPRO001"), "{out}");
        assert!(out.contains("[e.py:1:11]"), "{out}");
    }

    #[test]
    fn crlf_cells_number_their_last_line() {
        use crate::source::{Cell, NotebookInfo, SourceFile};
        let source = "a = 1\r\nb = 2\r\nc = 3\r";
        let raw = format!("{source}\n");
        let info = NotebookInfo {
            cells: vec![Cell {
                number: 1,
                offset: 0,
                len: source.len(),
                execution_count: Some(1),
                magic: None,
                analyzed: true,
                json_line: None,
                json_rows: Vec::new(),
                has_outputs: false,
                error_output: None,
                parameters: false,
            }],
            total_cells: 1,
            nbformat: 4,
            outputs: Vec::new(),
        };
        let nb = std::sync::Arc::new(SourceFile::notebook(
            "n.ipynb".into(),
            "n.ipynb".into(),
            raw.clone(),
            raw,
            info,
        ));
        let mut report = fixtures::report();
        let at = nb.text.find("b = 2").unwrap();
        let leak = &mut report.diagnostics[1];
        leak.span = Span::new(at, at + 5);
        leak.start = nb.locate(at);
        leak.path = "n.ipynb".into();
        leak.related.clear();
        leak.file = Some(nb);
        let out = text(&report, false);
        assert!(out.contains(" 2 │ b = 2"), "{out}");
        assert!(out.contains(" 3 │ c = 3"), "{out}");
    }

    #[test]
    fn spans_out_of_range_do_not_panic() {
        let mut report = fixtures::report();
        for diagnostic in &mut report.diagnostics {
            diagnostic.span = Span::new(10_000, 20_000);
            for related in &mut diagnostic.related {
                related.span = Span::new(usize::MAX - 1, usize::MAX);
            }
        }
        let out = text(&report, false);
        assert!(out.contains("LEAK001"));
        // Mid-character offsets are clamped to a boundary.
        let mut report = fixtures::report();
        let py = std::sync::Arc::new(crate::source::SourceFile::python(
            "é.py".into(),
            "é.py".into(),
            "x = 'é'\n".into(),
        ));
        report.diagnostics[2].file = Some(py);
        report.diagnostics[2].span = Span::new(6, 7);
        let out = text(&report, false);
        assert!(out.contains("x = 'é'"), "{out}");
    }
}
