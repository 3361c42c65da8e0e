//! Each rule's measured precision, read from docs/precision.md (written by the review harness
//! in scripts/review/ from verdicts on real code), so that `mlready rules` and the rule pages
//! say what the review found and can never disagree with it.

use crate::finding::Severity;
use serde::Serialize;

/// The measurement page, carried by the binary.
const PAGE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/precision.md"));

/// What the review found for one severity of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub severity: Severity,
    /// Findings on the whole review corpus.
    pub findings: usize,
    /// Findings judged (a sample, or all of them).
    pub judged: usize,
    pub tp: usize,
    pub fp: usize,
    pub debatable: usize,
    /// TP / (TP + FP), in percent; None when nothing was judged TP or FP.
    pub precision: Option<f64>,
}

/// The measures of the rule with this code, one per severity it reported on the corpus; empty
/// when it reported nothing there.
pub fn measures(code: &str) -> Vec<Measure> {
    parse(PAGE)
        .into_iter()
        .filter(|(c, _)| c == code)
        .map(|(_, m)| m)
        .collect()
}

/// The bar a severity's findings must meet for the default selection, in percent.
pub fn bar(severity: Severity) -> f64 {
    match severity {
        Severity::Error => 95.0,
        Severity::Warning | Severity::Info => 85.0,
    }
}

/// The tier the review earns the rule: `Some(false)` (default) when every severity it
/// reported on the corpus was judged enough (15 findings, or all of them) and meets its bar;
/// `Some(true)` (preview) when a severity judged enough falls short; None when the review
/// cannot tell (no findings, or too few judged).
pub fn measured_preview(code: &str) -> Option<bool> {
    tier_of(&measures(code))
}

/// [`measured_preview`] without the severities that are declared preview branches of the
/// rule: they are measured on their own, and the rest decides the rule's tier.
pub fn measured_preview_except(code: &str, branches: &[Severity]) -> Option<bool> {
    let rows: Vec<Measure> = measures(code)
        .into_iter()
        .filter(|m| !branches.contains(&m.severity))
        .collect();
    tier_of(&rows)
}

fn tier_of(measures: &[Measure]) -> Option<bool> {
    let enough = |m: &Measure| m.judged >= 15 || (m.findings > 0 && m.judged >= m.findings);
    let meets = |m: &Measure| m.precision.is_some_and(|p| p >= bar(m.severity));
    if measures.iter().any(|m| enough(m) && !meets(m)) {
        return Some(true);
    }
    if !measures.is_empty() && measures.iter().all(|m| enough(m) && meets(m)) {
        return Some(false);
    }
    None
}

/// The lowest measured precision of the rule, for the rules table: "97%", or "-" when none.
pub fn short(code: &str) -> String {
    let lowest = measures(code)
        .iter()
        .filter_map(|m| m.precision)
        .fold(None, |low: Option<f64>, p| {
            Some(low.map_or(p, |l| l.min(p)))
        });
    lowest.map_or_else(|| "-".to_string(), |p| format!("{p:.0}%"))
}

/// The rows of the page's table `| rule | severity | findings | sampled | TP | FP | debatable |
/// precision | tier |`; rows that do not read as numbers are skipped.
fn parse(page: &str) -> Vec<(String, Measure)> {
    page.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .map(|c| c.trim().trim_matches('`'))
                .collect();
            let [
                code,
                severity,
                findings,
                judged,
                tp,
                fp,
                debatable,
                precision,
                ..,
            ] = cells.as_slice()
            else {
                return None;
            };
            let number = |s: &str| s.parse::<usize>().ok();
            Some((
                code.to_string(),
                Measure {
                    severity: Severity::parse(severity)?,
                    findings: number(findings)?,
                    judged: number(judged)?,
                    tp: number(tp)?,
                    fp: number(fp)?,
                    debatable: number(debatable)?,
                    precision: precision.trim_end_matches('%').trim().parse::<f64>().ok(),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_follow_the_bars() {
        let row = |severity, findings, judged, precision| Measure {
            severity,
            findings,
            judged,
            tp: 0,
            fp: 0,
            debatable: 0,
            precision,
        };
        let good_error = row(Severity::Error, 40, 15, Some(100.0));
        let weak_error = row(Severity::Error, 40, 15, Some(93.3));
        let good_warning = row(Severity::Warning, 3, 3, Some(85.0));
        let few_judged = row(Severity::Warning, 40, 5, Some(100.0));
        assert_eq!(tier_of(std::slice::from_ref(&good_error)), Some(false));
        assert_eq!(tier_of(std::slice::from_ref(&weak_error)), Some(true));
        assert_eq!(tier_of(&[good_error.clone(), good_warning]), Some(false));
        assert_eq!(tier_of(&[good_error.clone(), few_judged.clone()]), None);
        assert_eq!(tier_of(&[weak_error, few_judged]), Some(true));
        assert_eq!(tier_of(&[row(Severity::Info, 2, 2, None)]), Some(true));
        assert_eq!(tier_of(&[]), None);
    }

    /// `mlready rules` and the rule pages say what docs/precision.md measured: a rule the
    /// review puts below the bar is preview, one it puts above is in the default selection,
    /// and a preview rule's page says so.
    #[test]
    fn rules_agree_with_the_measurement() {
        for rule in crate::registry::all() {
            if let Some(preview) = measured_preview_except(rule.code, rule.preview_at) {
                assert_eq!(
                    rule.preview,
                    preview,
                    "{}: docs/precision.md measures it {}, the registry says {}",
                    rule.code,
                    if preview { "preview" } else { "default" },
                    rule.tier()
                );
            }
            assert_eq!(
                rule.doc.contains("**Preview.**"),
                rule.preview,
                "{}: a preview rule's page starts its text with **Preview.**, a default one's does not",
                rule.code
            );
            assert_eq!(
                rule.doc.contains("**Preview branch.**"),
                !rule.preview_at.is_empty(),
                "{}: a rule with a preview branch says so on its page",
                rule.code
            );
        }
    }

    #[test]
    fn reads_the_table_rows_and_skips_the_rest() {
        let page = "# t\n\n| rule | severity | findings | sampled | TP | FP | debatable | precision | tier |\n\
                    | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n\
                    | LEAK001 | error | 40 | 15 | 14 | 1 | 0 | 93.3% | preview |\n\
                    | LEAK001 | warning | 3 | 3 | 2 | 0 | 1 | 100.0% | preview |\n\
                    | SKEW001 | error | 2 | 2 | 0 | 0 | 2 | n/a | preview |\n";
        let rows = parse(page);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, "LEAK001");
        assert_eq!(rows[0].1.severity, Severity::Error);
        assert_eq!(rows[0].1.findings, 40);
        assert_eq!(rows[0].1.fp, 1);
        assert_eq!(rows[0].1.precision, Some(93.3));
        assert_eq!(rows[2].1.precision, None);
    }
}
