//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error title=mlready (CODE),file=PATH,line=L,col=C,endLine=L,endColumn=C::message`.
//! Columns are left out when the range spans lines (GitHub rejects them there) and in notebooks
//! (a source column is not a column of the `.ipynb` line).

use super::{cell_message, file_place};
use crate::finding::Severity;
use crate::report::Report;
use std::io::{self, Write};

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let place = file_place(d);
        let mut properties = vec![
            format!(
                "title={}",
                escape_property(&format!("mlready ({})", d.code))
            ),
            format!(
                "file={}",
                escape_property(&crate::report::printable(d.path.clone()))
            ),
            format!("line={}", place.start_line),
        ];
        let columns = place.columns.filter(|_| place.start_line == place.end_line);
        if let Some((start, _)) = columns {
            properties.push(format!("col={start}"));
        }
        properties.push(format!("endLine={}", place.end_line));
        if let Some((start, end)) = columns {
            properties.push(format!("endColumn={}", end.max(start)));
        }
        let mut message = format!("{}: {}", d.code, cell_message(&d.start, &d.message));
        if let Some(help) = &d.help {
            message.push_str("\nHelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// The message part: `%`, `\r` and `\n` percent-encoded.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    fn lines() -> Vec<String> {
        let mut out = Vec::new();
        render(&fixtures::report(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn one_command_per_finding() {
        assert_eq!(
            lines(),
            [
                "::error title=mlready (PARSE002),file=data/broken.py,line=1,col=1,endLine=1,endColumn=1::PARSE002: cannot read the file: permission denied",
                "::error title=mlready (LEAK001),file=nb/train.ipynb,line=11,endLine=11::LEAK001: cell 2: StandardScaler is fitted on all rows of `X` before train_test_split%0AHelp: Split first, then fit the scaler on the training split only",
                "::warning title=mlready (REPRO001),file=src/train.py,line=2,col=5,endLine=2,endColumn=22::REPRO001: `np.random.rand` draws from an unseeded generator%0AHelp: Seed it: `np.random.default_rng(0)`",
            ]
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
