//! `--format concise`: one line per finding, for grep, editors and CI logs.

use super::location_label;
use crate::report::Report;
use std::io::{self, Write};

/// `path:LINE:COL: CODE [severity] message`, or `path:cell N:LINE:COL: ...` in a notebook.
pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &report.diagnostics {
        writeln!(
            out,
            "{}: {} [{}] {}",
            location_label(&diagnostic.path, &diagnostic.start),
            diagnostic.code,
            diagnostic.severity,
            one_line(&diagnostic.message),
        )?;
    }
    Ok(())
}

/// Keeps a finding on one line even if a message spans several.
fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    if message.contains(['\n', '\r']) {
        message
            .replace("\r\n", " ")
            .replace(['\n', '\r'], " ")
            .into()
    } else {
        message.into()
    }
}

#[cfg(test)]
mod tests {
    use crate::render::{Format, Style, fixtures, render};

    #[test]
    fn one_line_per_finding_then_the_summary() {
        let mut out = Vec::new();
        render(
            &fixtures::report(),
            Format::Concise,
            &mut out,
            &Style::default(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "data/broken.py:1:1: PARSE002 [error] cannot read the file: permission denied",
                "nb/train.ipynb:cell 2:2:5: LEAK001 [error] StandardScaler is fitted on all rows of `X` before train_test_split",
                "src/train.py:2:5: REPRO001 [warning] `np.random.rand` draws from an unseeded generator",
                "Checked 3 files in 0.08s: 2 errors, 1 warning",
            ]
        );
        assert!(text.ends_with('\n'));
    }
}
