//! Inline suppressions (DESIGN.md): the filter stage between the rules and the renderers.
//!
//! - `# mlready: ignore[CODE, name, PREFIX]` at the end of the flagged line, or alone on the
//!   line above it;
//! - `# mlready: ignore-file[...]` anywhere in a file; in a notebook it covers its own cell;
//! - `# noqa: CODE[, CODE]` at the end of the flagged line, and a blanket `# noqa`, as ruff.
//!
//! Directives are read from the comments of the parse tree, so text inside strings never
//! counts. A finding is matched by the line its range starts on (cell-relative in notebooks).
//! A directive item that suppresses nothing, names no rule, or a directive that cannot be read
//! is reported as SUP001 (info). SUP001 itself is never suppressed by the directives it reports
//! on, except by an item that names it explicitly (`ignore[SUP001]`), which is never reported:
//! one pass, no loop.

use crate::config::specificity;
use crate::finding::{Location, Span};
use crate::registry::{self, engine_rules::UNUSED_SUPPRESSION};
use crate::report::Diagnostic;
use crate::rule::Rule;
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tree_sitter::Tree;

/// Which findings a directive covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Coverage {
    /// Findings that start on this line (cell-relative in notebooks, 1-based).
    Line { cell: Option<usize>, line: usize },
    /// Findings anywhere in the file or, in a notebook, anywhere in this cell.
    File { cell: Option<usize> },
}

/// How a directive is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Syntax {
    Mlready,
    Noqa,
}

/// One selector of a directive, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The selector (code, prefix, rule name or `ALL`); empty for a blanket `# noqa`.
    pub text: String,
    /// True when the selector names at least one mlready rule.
    pub known: bool,
    /// Set when the item suppressed a finding.
    pub used: bool,
}

impl Item {
    fn new(text: &str) -> Item {
        Item {
            text: text.to_string(),
            known: text.is_empty() || names_a_rule(text),
            used: false,
        }
    }

    fn is_blanket(&self) -> bool {
        self.text.is_empty()
    }

    /// True when the item covers the rule (code, name). A blanket `# noqa` covers every rule
    /// but SUP001.
    pub fn matches(&self, code: &str, name: &str) -> bool {
        if self.is_blanket() {
            return code != UNUSED_SUPPRESSION.code;
        }
        specificity(&self.text, code, name).is_some()
    }

    fn names_sup(&self) -> bool {
        !self.is_blanket() && self.matches(UNUSED_SUPPRESSION.code, UNUSED_SUPPRESSION.name)
    }
}

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    pub syntax: Syntax,
    pub coverage: Coverage,
    /// The directive's text in the file (from its `#`).
    pub span: Span,
    /// Where that text starts and ends, resolved (the end moved to the start when it falls in
    /// another cell), so that SUP001 can be reported without the file.
    pub start: Location,
    pub end: Location,
    pub items: Vec<Item>,
    /// Why the directive cannot be read, when it cannot (then it has no items).
    pub malformed: Option<String>,
}

impl Directive {
    /// True when a finding starting at `start` is in the directive's reach.
    pub fn covers(&self, start: Location) -> bool {
        match self.coverage {
            Coverage::Line { cell, line } => start.cell == cell && start.line == line,
            Coverage::File { cell: None } => true,
            Coverage::File { cell } => start.cell == cell,
        }
    }
}

/// The suppressions of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    /// The file, kept only when it has directives (to show SUP001 findings); a cached
    /// file's is attached later, when a finding in it is reported.
    pub file: Option<Arc<SourceFile>>,
    pub directives: Vec<Directive>,
}

impl Suppressions {
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }
}

/// Reads the suppression directives from the comments of a parsed file.
pub fn collect(file: &Arc<SourceFile>, tree: &Tree) -> Suppressions {
    let text = &file.text;
    let mut directives = Vec::new();
    if !text.contains('#') || !mentions_a_directive(text) {
        return Suppressions::default();
    }
    let root = tree.root_node();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        if !(contains_ignore_case(line, "mlready") || contains_ignore_case(line, "noqa")) {
            continue;
        }
        for (i, _) in line.match_indices('#') {
            let at = start + i;
            let Some(node) = root.descendant_for_byte_range(at, at + 1) else {
                continue;
            };
            if node.kind() != "comment" || node.start_byte() != at {
                continue;
            }
            let end = node
                .end_byte()
                .min(start + line.trim_end_matches(['\n', '\r']).len());
            let own_line = line[..i].trim().is_empty();
            parse_comment(file, at, &text[at..end], own_line, &mut directives);
            break;
        }
    }
    if directives.is_empty() {
        return Suppressions::default();
    }
    for directive in &mut directives {
        directive.start = file.locate(directive.span.start);
        directive.end = file.locate(directive.span.end);
        if directive.end.cell != directive.start.cell {
            directive.end = directive.start;
        }
    }
    Suppressions {
        file: Some(Arc::clone(file)),
        directives,
    }
}

/// Whether `text` names `mlready` or `noqa` anywhere, in any case: one pass of a
/// case-insensitive automaton, so that the many files without a directive skip the
/// line-by-line reading.
fn mentions_a_directive(text: &str) -> bool {
    static WORDS: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    let automaton = WORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["mlready", "noqa"])
            .ok()
    });
    automaton
        .as_ref()
        .is_none_or(|automaton| automaton.is_match(text))
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads the directives of one comment (`at` is the offset of its `#`). A comment may hold
/// several `#`-separated parts: `# mlready: ignore[LEAK001]  # noqa: E501`.
fn parse_comment(
    file: &SourceFile,
    at: usize,
    comment: &str,
    own_line: bool,
    out: &mut Vec<Directive>,
) {
    let location = file.locate(at);
    let mut offset = 0;
    for part in comment.split('#') {
        let part_start = at + offset;
        offset += part.len() + 1;
        if part_start == at && part.is_empty() {
            continue;
        }
        // `part_start` is one byte past this part's `#`.
        let hash = part_start.saturating_sub(1);
        let span = Span::new(hash, part_start + part.trim_end().len());
        let body = part.trim_start();
        if let Some(rest) = strip_prefix_ignore_case(body, "mlready:") {
            out.push(parse_mlready(rest, span, location, own_line));
        } else if let Some(rest) = strip_prefix_ignore_case(body, "noqa")
            && (rest.is_empty() || rest.starts_with(':') || rest.starts_with(char::is_whitespace))
        {
            out.extend(parse_noqa(rest, span, location));
        }
    }
}

fn parse_mlready(rest: &str, span: Span, location: Location, own_line: bool) -> Directive {
    let rest = rest.trim_start();
    let (coverage, rest) = if let Some(rest) = rest.strip_prefix("ignore-file") {
        (
            Coverage::File {
                cell: location.cell,
            },
            rest,
        )
    } else if let Some(rest) = rest.strip_prefix("ignore") {
        let line = if own_line {
            location.line + 1
        } else {
            location.line
        };
        (
            Coverage::Line {
                cell: location.cell,
                line,
            },
            rest,
        )
    } else {
        return malformed(
            span,
            location,
            "unknown directive: write `mlready: ignore[CODE]` or `mlready: ignore-file[CODE]`",
        );
    };
    let rest = rest.trim_start();
    let inside = rest
        .strip_prefix('[')
        .and_then(|r| r.find(']').map(|end| &r[..end]));
    let Some(inside) = inside else {
        return malformed(
            span,
            location,
            "the rules to ignore go in brackets: `ignore[CODE, ...]`",
        );
    };
    let items: Vec<Item> = inside
        .split([',', ' ', '\t'])
        .filter(|s| !s.is_empty())
        .map(Item::new)
        .collect();
    if items.is_empty() {
        return malformed(span, location, "the brackets name no rule");
    }
    Directive {
        syntax: Syntax::Mlready,
        coverage,
        span,
        start: Location::default(),
        end: Location::default(),
        items,
        malformed: None,
    }
}

fn malformed(span: Span, location: Location, why: &str) -> Directive {
    Directive {
        syntax: Syntax::Mlready,
        coverage: Coverage::Line {
            cell: location.cell,
            line: location.line,
        },
        span,
        start: Location::default(),
        end: Location::default(),
        items: Vec::new(),
        malformed: Some(why.to_string()),
    }
}

/// `# noqa` (blanket) or `# noqa: CODE, CODE`. Codes of other tools (`E501`) are left out;
/// a `# noqa` that names only those is not an mlready directive at all.
fn parse_noqa(rest: &str, span: Span, location: Location) -> Option<Directive> {
    let coverage = Coverage::Line {
        cell: location.cell,
        line: location.line,
    };
    let codes = rest.trim_start().strip_prefix(':').map(|codes| {
        codes
            .split([',', ' ', '\t'])
            .filter(|s| !s.is_empty())
            .take_while(|s| {
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .collect::<Vec<_>>()
    });
    let items = match codes {
        Some(codes) if !codes.is_empty() => {
            let items: Vec<Item> = codes
                .into_iter()
                .filter(|code| {
                    names_a_rule(code) || looks_like_our_code(code) || misspells_our_code(code)
                })
                .map(Item::new)
                .collect();
            if items.is_empty() {
                return None;
            }
            items
        }
        _ => vec![Item::new("")],
    };
    Some(Directive {
        syntax: Syntax::Noqa,
        coverage,
        span,
        start: Location::default(),
        end: Location::default(),
        items,
        malformed: None,
    })
}

/// True when the selector names at least one registered rule.
fn names_a_rule(selector: &str) -> bool {
    registry::all().any(|r| specificity(selector, r.code, r.name).is_some())
}

/// `LEAK999`: a code of an mlready family that is not a rule (a typo, a removed rule).
fn looks_like_our_code(code: &str) -> bool {
    let letters = code.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (prefix, digits) = code.split_at(letters);
    !prefix.is_empty()
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && registry::all().any(|r| {
            r.code.len() > letters
                && r.code[..letters].eq_ignore_ascii_case(prefix)
                && r.code.as_bytes()[letters].is_ascii_digit()
        })
}

/// `LAEK001`: a code whose letters are one edit from a family of four letters or more (a
/// typo of ours, reported with "did you mean"). Shorter families are left alone: `B006`
/// (flake8-bugbear) is one edit from `NB006`, `AIR001` (ruff) from `API001`.
fn misspells_our_code(code: &str) -> bool {
    let letters = code.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (prefix, digits) = code.split_at(letters);
    letters >= 4
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && registry::all().any(|r| {
            let family = &r.code[..r.code.len() - 3];
            family.len() >= 4 && crate::suggest::distance(&prefix.to_ascii_uppercase(), family) == 1
        })
}

/// Drops the diagnostics that a directive of their file covers, then adds a SUP001 finding for
/// each directive item that suppressed nothing (when a rule it names is enabled for the file),
/// names no rule, or cannot be read. `enabled(rule, path)` says whether the rule runs on the
/// file at display path `path` (`--select`, `--ignore`, `per-file-ignores`).
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    files: &mut HashMap<String, Suppressions>,
    enabled: impl Fn(&Rule, &str) -> bool,
) {
    if files.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let Some(suppressions) = files.get_mut(&d.path) else {
            return true;
        };
        let mut suppressed = false;
        for directive in &mut suppressions.directives {
            if !directive.covers(d.start) {
                continue;
            }
            for item in &mut directive.items {
                if item.matches(d.code, d.name) {
                    item.used = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    for (path, suppressions) in files.iter() {
        if !enabled(&UNUSED_SUPPRESSION, path) {
            continue;
        }
        diagnostics.extend(unused(
            path,
            suppressions.file.as_ref(),
            &suppressions.directives,
            &enabled,
        ));
    }
}

fn unused(
    path: &str,
    file: Option<&Arc<SourceFile>>,
    directives: &[Directive],
    enabled: &impl Fn(&Rule, &str) -> bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for directive in directives {
        let mut messages = Vec::new();
        if let Some(why) = &directive.malformed {
            messages.push(format!("unreadable suppression: {why}"));
        }
        for item in &directive.items {
            if item.used || item.is_blanket() || item.names_sup() {
                continue;
            }
            if !item.known {
                messages.push(match crate::suggest::rule(&item.text) {
                    Some(close) => {
                        format!("unknown rule `{}`; did you mean `{close}`?", item.text)
                    }
                    None => format!(
                        "suppression names `{}`, which is not an mlready rule",
                        item.text
                    ),
                });
                continue;
            }
            let relevant = registry::all().any(|rule| {
                rule.code != UNUSED_SUPPRESSION.code
                    && item.matches(rule.code, rule.name)
                    && enabled(rule, path)
            });
            if relevant {
                let where_ = match directive.coverage {
                    Coverage::Line { .. } => "on this line",
                    Coverage::File { cell: Some(_) } => "in this cell",
                    Coverage::File { cell: None } => "in this file",
                };
                messages.push(format!(
                    "unused suppression: `{}` suppresses no finding {where_}",
                    item.text
                ));
            }
        }
        if messages.is_empty() {
            continue;
        }
        let start = directive.start;
        let silenced = directive.items.iter().any(Item::names_sup)
            || directives
                .iter()
                .any(|other| other.covers(start) && other.items.iter().any(Item::names_sup));
        if silenced {
            continue;
        }
        let end = directive.end;
        for message in messages {
            out.push(Diagnostic {
                code: UNUSED_SUPPRESSION.code,
                name: UNUSED_SUPPRESSION.name,
                severity: UNUSED_SUPPRESSION.severity,
                path: path.to_string(),
                start,
                end,
                span: directive.span,
                message,
                help: Some("remove the stale suppression or correct the rule it names".to_string()),
                related: Vec::new(),
                file: file.cloned(),
                preview: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::testutil::TempDir;

    const PATH: &str = "pd.read_csv(\"/home/alice/data.csv\")";

    /// (code, cell, line) of every finding of `check` over one file.
    fn run(name: &str, text: &str, settings: &Settings) -> Vec<(String, Option<usize>, usize)> {
        let dir = TempDir::new("suppress");
        let path = dir.write(name, text);
        let report = crate::check(&[path], settings).expect("the check runs");
        report
            .diagnostics
            .iter()
            .map(|d| (d.code.to_string(), d.start.cell, d.start.line))
            .collect()
    }

    fn py(text: &str) -> Vec<(String, Option<usize>, usize)> {
        run("t.py", text, &Settings::default())
    }

    fn at(code: &str, line: usize) -> (String, Option<usize>, usize) {
        (code.to_string(), None, line)
    }

    fn notebook(cells: &[&str]) -> String {
        crate::testutil::notebook_json(cells)
    }

    #[test]
    fn a_directive_covers_its_line_or_the_line_below_it() {
        let text = format!(
            "import pandas as pd\n\
             a = {PATH}  # mlready: ignore[REPRO006]\n\
             # mlready: ignore[REPRO006]\n\
             b = {PATH}\n\
             c = {PATH}\n"
        );
        assert_eq!(py(&text), vec![at("REPRO006", 5)]);
        // Only the line directly below: a blank line in between breaks it.
        let text = format!("import pandas as pd\n# mlready: ignore[REPRO006]\n\nb = {PATH}\n");
        assert_eq!(py(&text), vec![at("SUP001", 2), at("REPRO006", 4)]);
    }

    #[test]
    fn ignore_file_covers_the_whole_file() {
        let text = format!(
            "import pandas as pd\na = {PATH}\nb = {PATH}\n# mlready: ignore-file[REPRO006]\n"
        );
        assert_eq!(py(&text), vec![]);
    }

    #[test]
    fn noqa_with_codes_blanket_and_foreign_codes() {
        let text = format!(
            "import pandas as pd\n\
             a = {PATH}  # noqa: REPRO006\n\
             b = {PATH}  # noqa\n\
             c = {PATH}  # NoQA:E501, REPRO006\n\
             d = {PATH}  # noqa: E501\n\
             e = 1  # noqa: E501, W291\n\
             f = 1  # noqa\n\
             # noqa: REPRO006\n\
             g = {PATH}\n"
        );
        // A `# noqa` covers its own line only, as in ruff and flake8.
        assert_eq!(
            py(&text),
            vec![at("REPRO006", 5), at("SUP001", 8), at("REPRO006", 9)]
        );
    }

    #[test]
    fn codes_names_and_prefixes_select_rules() {
        let text = format!(
            "import pandas as pd\n\
             a = {PATH}  # mlready: ignore[absolute-local-path]\n\
             b = {PATH}  # mlready: ignore[REPRO]\n\
             c = {PATH}  # mlready: ignore[repro006]\n\
             d = {PATH}  # mlready: ignore[LEAK, REPRO0]\n\
             e = {PATH}  # mlready: ignore[LEAK001]\n"
        );
        assert_eq!(
            py(&text),
            vec![at("SUP001", 5), at("REPRO006", 6), at("SUP001", 6)]
        );
    }

    #[test]
    fn text_inside_strings_is_not_a_directive() {
        let text = format!(
            "import pandas as pd\n\
             a = pd.read_csv(\"/home/alice/x.csv  # mlready: ignore[REPRO006]\")\n\
             s = \"\"\"\n# mlready: ignore-file[REPRO006]\n\"\"\"\n\
             b = {PATH}\n"
        );
        assert_eq!(py(&text), vec![at("REPRO006", 2), at("REPRO006", 6)]);
    }

    #[test]
    fn in_a_notebook_a_directive_covers_its_own_cell() {
        let nb = notebook(&[
            &format!("import pandas as pd\n# mlready: ignore-file[REPRO006]\na = {PATH}"),
            &format!("b = {PATH}\n# mlready: ignore[REPRO006]"),
            &format!("c = {PATH}  # noqa: REPRO006\nd = {PATH}"),
        ]);
        let found = run("n.ipynb", &nb, &Settings::default());
        assert_eq!(
            found,
            vec![
                ("REPRO006".to_string(), Some(2), 1),
                // The last line of cell 2 does not reach into cell 3.
                ("SUP001".to_string(), Some(2), 2),
                ("REPRO006".to_string(), Some(3), 2),
            ]
        );
    }

    #[test]
    fn unused_unknown_and_unreadable_directives_are_reported() {
        let dir = TempDir::new("suppress");
        let path = dir.write(
            "t.py",
            "x = 1  # mlready: ignore[REPRO006]\n\
             y = 2  # mlready: ignore[LAEK001]\n\
             z = 3  # noqa: REPRO999\n\
             w = 4  # mlready: ignore REPRO006\n\
             v = 5  # mlready: ignore[]\n",
        );
        let report = crate::check(&[path], &Settings::default()).unwrap();
        let found: Vec<(usize, &str, Severity)> = report
            .diagnostics
            .iter()
            .map(|d| (d.start.line, d.message.as_str(), d.severity))
            .collect();
        use crate::finding::Severity;
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(found.iter().all(|(_, _, s)| *s == Severity::Info));
        assert!(
            found[0]
                .1
                .contains("`REPRO006` suppresses no finding on this line")
        );
        assert!(
            found[1]
                .1
                .contains("unknown rule `LAEK001`; did you mean `LEAK001`?")
        );
        assert!(
            found[2]
                .1
                .contains("`REPRO999`, which is not an mlready rule")
        );
        assert!(found[3].1.contains("brackets"));
        assert!(found[4].1.contains("brackets name no rule"));
        assert_eq!(report.diagnostics[0].start.column, 8);
    }

    #[test]
    fn nothing_is_reported_for_a_rule_that_is_not_enabled() {
        let text = "x = 1  # mlready: ignore[REPRO006]\ny = 2  # noqa: REPRO006\n\
                    z = 3  # mlready: ignore[LAEK001]\n";
        let ignored = Settings {
            ignore: vec!["REPRO006".into()],
            ..Settings::default()
        };
        // An unknown rule is still reported; the disabled one is not "unused".
        assert_eq!(run("t.py", text, &ignored), vec![at("SUP001", 3)]);
        let selected = Settings {
            select: vec!["LEAK".into()],
            ..Settings::default()
        };
        assert_eq!(run("t.py", text, &selected), vec![]);
        let per_file = Settings {
            per_file_ignores: vec![("t.py".into(), vec!["REPRO".into()])],
            ..Settings::default()
        };
        assert_eq!(run("t.py", text, &per_file), vec![at("SUP001", 3)]);
    }

    #[test]
    fn sup001_is_silenced_only_by_naming_it() {
        let text = "x = 1  # mlready: ignore[REPRO006, SUP001]\n\
                    y = 2  # mlready: ignore[REPRO006]  # noqa\n\
                    # mlready: ignore[unused-suppression]\n\
                    z = 3  # mlready: ignore[REPRO006]\n";
        assert_eq!(py(text), vec![at("SUP001", 2)]);
    }

    #[test]
    fn directives_are_read_from_comments() {
        let file = Arc::new(SourceFile::python(
            "t.py".into(),
            "t.py".into(),
            "a = 1  # expect: X  # mlready: ignore[LEAK001, SKEW]\n# mlready: ignore-file[NB]\n"
                .into(),
        ));
        let tree = crate::source::python::parse(&file.text).unwrap();
        let found = collect(&file, &tree);
        assert_eq!(found.directives.len(), 2);
        let first = &found.directives[0];
        assert_eq!(
            first.coverage,
            Coverage::Line {
                cell: None,
                line: 1
            }
        );
        let items: Vec<&str> = first.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(items, ["LEAK001", "SKEW"]);
        assert_eq!(
            &file.text[first.span.start..first.span.end],
            "# mlready: ignore[LEAK001, SKEW]"
        );
        assert_eq!(found.directives[1].coverage, Coverage::File { cell: None });
    }
}
