//! `check --statistics`: how many findings each rule has, instead of the findings, as
//! `ruff check --statistics` prints them: most frequent first (ties by code), one rule a line,
//! `COUNT<TAB>CODE<TAB>name` with the counts right-aligned and the codes padded; or, with
//! `--format json`, an array of `{"code", "name", "count"}` (ruff's `--output-format json`).
//! No findings print nothing in text (as in ruff) and `[]` in JSON.

use crate::report::Report;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The formats statistics are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsFormat {
    /// The aligned table (`--format text` or `concise`).
    Table,
    /// A JSON array (`--format json`).
    Json,
}

impl StatisticsFormat {
    /// The statistics format of a report format; `None` for the formats made for other tools
    /// (SARIF, GitHub, GitLab, JUnit), which have no place for counts.
    pub fn of(format: super::Format) -> Option<StatisticsFormat> {
        match format {
            super::Format::Text | super::Format::Concise => Some(StatisticsFormat::Table),
            super::Format::Json => Some(StatisticsFormat::Json),
            _ => None,
        }
    }
}

/// One rule's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistic {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
}

/// The count of each rule with findings in `report`, most frequent first, ties by code.
pub fn of(report: &Report) -> Vec<Statistic> {
    let mut counts: BTreeMap<&'static str, Statistic> = BTreeMap::new();
    for diagnostic in &report.diagnostics {
        counts
            .entry(diagnostic.code)
            .or_insert(Statistic {
                code: diagnostic.code,
                name: diagnostic.name,
                count: 0,
            })
            .count += 1;
    }
    let mut statistics: Vec<Statistic> = counts.into_values().collect();
    // Stable: the codes' order stays among equal counts.
    statistics.sort_by_key(|s| std::cmp::Reverse(s.count));
    statistics
}

/// Writes the statistics of `report` in `format`.
pub fn render(report: &Report, format: StatisticsFormat, out: &mut dyn Write) -> io::Result<()> {
    let statistics = of(report);
    match format {
        StatisticsFormat::Json => {
            let json = serde_json::to_string_pretty(&statistics).map_err(io::Error::other)?;
            writeln!(out, "{json}")
        }
        StatisticsFormat::Table => {
            let count_width = statistics
                .iter()
                .map(|s| s.count.to_string().len())
                .max()
                .unwrap_or(0);
            let code_width = statistics.iter().map(|s| s.code.len()).max().unwrap_or(0);
            for statistic in &statistics {
                writeln!(
                    out,
                    "{:>count_width$}\t{:<code_width$}\t{}",
                    statistic.count, statistic.code, statistic.name
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn most_frequent_first_then_by_code() {
        let mut report = fixtures::report();
        // Ten more REPRO001, so that counts of two digits are aligned with counts of one.
        let repro = report.diagnostics[2].clone();
        report.diagnostics.extend(std::iter::repeat_n(repro, 10));
        let mut out = Vec::new();
        render(&report, StatisticsFormat::Table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "11\tREPRO001\tunseeded-randomness\n \
              1\tLEAK001 \tpreprocessing-before-split\n \
              1\tPARSE002\tunreadable-file\n"
        );
        let mut out = Vec::new();
        render(&report, StatisticsFormat::Json, &mut out).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"code": "REPRO001", "name": "unseeded-randomness", "count": 11},
                {"code": "LEAK001", "name": "preprocessing-before-split", "count": 1},
                {"code": "PARSE002", "name": "unreadable-file", "count": 1},
            ])
        );
    }

    #[test]
    fn no_findings_print_nothing_or_an_empty_array() {
        let report = Report::default();
        let mut out = Vec::new();
        render(&report, StatisticsFormat::Table, &mut out).unwrap();
        assert!(out.is_empty());
        render(&report, StatisticsFormat::Json, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[]\n");
    }
}
