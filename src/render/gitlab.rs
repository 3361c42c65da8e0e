//! `--format gitlab`: GitLab Code Quality JSON (a CodeClimate subset) for the merge request
//! widget: `description`, `check_name`, `fingerprint` (unique per finding, independent of line
//! numbers), `severity`, and `location.path` (relative, `/`) with `location.lines`.

use super::{cell_message, file_place, fingerprints};
use crate::finding::Severity;
use crate::report::Report;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's scale is info < minor < major < critical < blocker. mlready errors are correctness
/// bugs (leakage, skew) that make the model's numbers wrong: critical. Warnings fail the run by
/// default (`--fail-on warning`): major. Info is info.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let prints = fingerprints(report);
    let issues: Vec<Issue> = report
        .diagnostics
        .iter()
        .zip(&prints)
        .map(|(d, print)| {
            let place = file_place(d);
            Issue {
                description: format!("{}: {}", d.code, cell_message(&d.start, &d.message)),
                check_name: d.code,
                fingerprint: print.unique(),
                severity: severity(d.severity),
                location: IssueLocation {
                    path: d
                        .path
                        .replace('\\', "/")
                        .trim_start_matches("./")
                        .to_string(),
                    lines: Lines {
                        begin: place.start_line,
                        end: place.end_line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;
    use serde_json::{Value, json};

    #[test]
    fn issues_have_the_code_quality_fields() {
        let mut out = Vec::new();
        render(&fixtures::report(), &mut out).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        let issues = value.as_array().unwrap();
        assert_eq!(issues.len(), 3);
        let leak = &issues[1];
        assert_eq!(leak["check_name"], "LEAK001");
        assert_eq!(leak["severity"], "critical");
        assert_eq!(
            leak["location"],
            json!({"path": "nb/train.ipynb", "lines": {"begin": 11, "end": 11}})
        );
        assert!(
            leak["description"]
                .as_str()
                .unwrap()
                .starts_with("LEAK001: cell 2: ")
        );
        assert_eq!(issues[2]["severity"], "major");
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(prints.len(), 3);
    }
}
