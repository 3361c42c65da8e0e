//! `--format junit`: JUnit XML for CI test tabs (Jenkins, Azure, GitLab's test report).
//!
//! `<testsuites>`, one `<testsuite>` per file (relative path), one failed `<testcase>` per
//! finding, named `mlready.CODE`, with the file's line (the `.ipynb` line in a notebook).

use super::{cell_message, file_place};
use crate::report::{Diagnostic, Report};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &report.diagnostics {
        by_file.entry(d.path.as_str()).or_default().push(d);
    }
    let total = report.diagnostics.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="mlready" tests="{total}" failures="{total}" errors="0">"#
    )?;
    for (path, diagnostics) in &by_file {
        let count = diagnostics.len();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{count}" failures="{count}" errors="0" skipped="0">"#,
            escape(path)
        )?;
        let classname = path
            .rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty() && !stem.ends_with('/'))
            .map_or(*path, |(stem, _)| stem)
            .replace('/', ".");
        for d in diagnostics {
            let place = file_place(d);
            let column = place.columns.map(|(start, _)| start);
            let message = cell_message(&d.start, &d.message);
            write!(
                out,
                r#"    <testcase name="mlready.{}" classname="{}" file="{}" line="{}""#,
                escape(d.code),
                escape(&classname),
                escape(path),
                place.start_line
            )?;
            if let Some(column) = column {
                write!(out, r#" column="{column}""#)?;
            }
            writeln!(out, ">")?;
            let mut body = match column {
                Some(column) => format!("{path}:{}:{column}: {}", place.start_line, message),
                None => format!("{path}:{}: {}", place.start_line, message),
            };
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&message),
                d.severity,
                escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Text safe in XML 1.0 content and double-quoted attributes: markup characters as entities,
/// line breaks and tabs as character references (attributes would normalize them away), and
/// characters XML 1.0 forbids replaced by U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn suites_per_file_and_cases_per_finding() {
        let mut out = Vec::new();
        render(&fixtures::report(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r#"<testsuites name="mlready" tests="3" failures="3""#));
        assert!(text.contains(r#"<testsuite name="nb/train.ipynb" tests="1""#));
        assert!(text.contains(
            r#"<testcase name="mlready.LEAK001" classname="nb.train" file="nb/train.ipynb" line="11">"#
        ));
        assert!(text.contains(r#"message="cell 2: StandardScaler is fitted on all rows of `X` before train_test_split""#));
        assert!(text.contains(r#"classname="src.train" file="src/train.py" line="2" column="5""#));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\"\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&#10;\u{fffd}"
        );
    }
}
