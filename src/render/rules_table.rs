//! `mlready rules` as text: one aligned row per rule, fitted to the terminal's width.
//!
//! Without a width (standard output is not a terminal and `COLUMNS` is not set) every row is
//! written whole, for `grep`. With one, no line is wider: when the summary fits beside the
//! other columns with at least [`MIN_SUMMARY`] characters it is cut there with an ellipsis,
//! else it goes on a line of its own under the row, after the columns that do not fit on the
//! row's line (`default · 100% · Flags ...`), cut the same way.

use crate::rule::Rule;
use std::io::{self, IsTerminal, Write};

/// Below this many characters beside the other columns, a summary gets its own line.
const MIN_SUMMARY: usize = 30;

/// Where a summary on its own line starts: under the NAME column.
const INDENT: usize = 10;

/// The width to fit the table to: `COLUMNS` when it is a positive number, else the width of
/// the terminal when standard output is one, else none.
pub fn width() -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok();
    width_from(columns.as_deref(), || {
        if !io::stdout().is_terminal() {
            return None;
        }
        terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
    })
}

fn width_from(columns: Option<&str>, terminal: impl FnOnce() -> Option<usize>) -> Option<usize> {
    match columns.and_then(|c| c.trim().parse::<usize>().ok()) {
        Some(columns) if columns > 0 => Some(columns),
        _ => terminal().filter(|w| *w > 0),
    }
}

pub(super) fn write(rules: &[&Rule], width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let header = [
        "CODE",
        "NAME",
        "SEVERITY",
        "SCOPE",
        "TIER",
        "PRECISION",
        "SUMMARY",
    ]
    .map(str::to_string);
    let rows: Vec<[String; 7]> = rules
        .iter()
        .map(|rule| {
            [
                rule.code.to_string(),
                rule.name.to_string(),
                rule.severity_label(),
                rule.scope.as_str().to_string(),
                rule.tier_label(),
                crate::precision::short(rule.code),
                rule.summary(),
            ]
        })
        .collect();
    let mut widths = [0; 6];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // The columns that fit on the row's line; the others go on the line below, before the
    // summary: `default · 100% · Flags ...`.
    let mut shown = widths.len();
    if let Some(width) = width {
        while shown > 1 && widths[..shown].iter().map(|w| w + 2).sum::<usize>() - 2 > width {
            shown -= 1;
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut columns = String::new();
        for (cell, width) in row[..shown].iter().zip(widths) {
            columns.push_str(cell);
            columns.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
        let Some(width) = width else {
            writeln!(out, "{}", format!("{columns}{}", row[6]).trim_end())?;
            continue;
        };
        let beside = width.saturating_sub(columns.chars().count());
        if shown == widths.len() && beside >= MIN_SUMMARY {
            writeln!(out, "{}{}", columns, cut(&row[6], beside))?;
            continue;
        }
        writeln!(out, "{}", cut(columns.trim_end(), width))?;
        let rest: Vec<&str> = row[shown..6]
            .iter()
            .map(|cell| cell.trim())
            .filter(|cell| !cell.is_empty())
            .collect();
        let indent = INDENT.min(width / 4);
        let room = width - indent;
        let others = rest.join(" · ");
        let summary = row[6].trim();
        // The summary follows the other columns when at least MIN_SUMMARY of it fits there;
        // else it has a line of its own, rather than a stub of a few letters.
        let lines = if others.is_empty() {
            vec![cut(summary, room)]
        } else if others.chars().count() + " · ".len() + MIN_SUMMARY <= room {
            vec![cut(&format!("{others} · {summary}"), room)]
        } else {
            vec![cut(&others, room), cut(summary, room)]
        };
        for line in lines.iter().filter(|line| !line.is_empty()) {
            writeln!(out, "{}{line}", " ".repeat(indent))?;
        }
    }
    Ok(())
}

/// `text` on at most `width` characters: cut with an ellipsis when longer.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let kept: String = text.chars().take(width - 1).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(width: Option<usize>) -> String {
        let rules: Vec<&Rule> = crate::registry::all().collect();
        let mut out = Vec::new();
        write(&rules, width, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cut_keeps_short_text_and_ends_long_text_with_an_ellipsis() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("ab cd", 4), "ab…");
        assert_eq!(cut("abcd", 1), "…");
        assert_eq!(cut("abcd", 0), "");
        assert_eq!(cut("été à", 4), "été…");
    }

    #[test]
    fn no_line_is_wider_than_the_width() {
        for width in [1, 5, 20, 40, 80, 100, 120, 160, 250] {
            let text = table(Some(width));
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
            let first = text.lines().next().unwrap();
            assert!(first.starts_with('C') || width == 1, "{width}: {first}");
        }
    }

    #[test]
    fn a_narrow_table_puts_each_summary_under_its_row() {
        let text = table(Some(120));
        let lines: Vec<&str> = text.lines().collect();
        let rules = crate::registry::all().count();
        assert_eq!(lines.len(), 2 * (rules + 1), "{text}");
        assert!(lines[0].starts_with("CODE"), "{text}");
        assert_eq!(lines[1].trim(), "SUMMARY");
        assert!(lines[2].starts_with("LEAK001"), "{text}");
        assert!(lines[2].contains("error/warning"), "{text}");
        assert!(lines[3].starts_with("          Flags a preprocessing step"));
        assert!(lines[3].ends_with('…'), "{}", lines[3]);
        // At 80 columns the tier and the precision move down to the summary's line.
        let text = table(Some(80));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].split_whitespace().last(), Some("SCOPE"), "{text}");
        assert_eq!(lines[1].trim(), "TIER · PRECISION · SUMMARY");
        assert!(
            lines[3].starts_with("          default · 100% · Flags a"),
            "{text}"
        );
    }

    #[test]
    fn a_summary_never_shrinks_to_a_stub() {
        // At 60 columns the severities, scope, tier and precision fill the line below the
        // row; the summary then has a line of its own.
        let text = table(Some(60));
        let lines: Vec<&str> = text.lines().collect();
        let leak = lines.iter().position(|l| l.starts_with("LEAK001")).unwrap();
        assert!(lines[leak + 1].contains("error/warning"), "{text}");
        assert!(
            lines[leak + 2]
                .trim_start()
                .starts_with("Flags a preprocessing step"),
            "{text}"
        );
        // Every summary line shows at least MIN_SUMMARY characters of its summary.
        for line in lines.iter().filter(|l| l.contains("Flags ")) {
            let shown = &line[line.find("Flags ").unwrap()..];
            assert!(shown.chars().count() >= MIN_SUMMARY, "{line:?}");
        }
    }

    #[test]
    fn a_wide_table_cuts_the_summary_beside_the_row() {
        let text = table(Some(200));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), crate::registry::all().count() + 1);
        assert!(lines[1].starts_with("LEAK001"));
        assert!(
            lines[1].contains("Flags a preprocessing step"),
            "{}",
            lines[1]
        );
        assert_eq!(lines[1].chars().count(), 200);
        assert!(lines[1].ends_with('…'));
    }

    #[test]
    fn without_a_width_rows_are_whole() {
        let text = table(None);
        for (line, rule) in text.lines().skip(1).zip(crate::registry::all()) {
            assert!(line.starts_with(rule.code), "{line}");
            assert!(line.ends_with(&rule.summary()), "{line}");
        }
    }

    #[test]
    fn columns_wins_and_nonsense_is_ignored() {
        assert_eq!(width_from(Some("80"), || Some(120)), Some(80));
        assert_eq!(width_from(Some(" 90 "), || None), Some(90));
        assert_eq!(width_from(Some("wide"), || Some(120)), Some(120));
        assert_eq!(width_from(Some("0"), || None), None);
        assert_eq!(width_from(None, || Some(0)), None);
        assert_eq!(width_from(None, || None), None);
    }
}
