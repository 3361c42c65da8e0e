//! `--format json`: the stable, versioned document of DESIGN.md. Field order is the contract's.

use crate::finding::Severity;
use crate::report::{Diagnostic, RelatedLocation, Report};
use crate::rule::{Rule, Scope};
use serde::Serialize;
use std::io::{self, Write};

/// Bumped on any incompatible change to the document's shape.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    files_checked: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    path: &'a str,
    cell: Option<usize>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    cell: Option<usize>,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            code: d.code,
            name: d.name,
            severity: d.severity,
            path: &d.path,
            cell: d.start.cell,
            line: d.start.line,
            column: d.start.column,
            end_line: d.end.line,
            end_column: d.end.column,
            message: &d.message,
            help: d.help.as_deref(),
            related: d.related.iter().map(JsonRelated::from).collect(),
        }
    }
}

impl<'a> From<&'a RelatedLocation> for JsonRelated<'a> {
    fn from(r: &'a RelatedLocation) -> Self {
        JsonRelated {
            path: &r.path,
            cell: r.location.cell,
            line: r.location.line,
            column: r.location.column,
            message: &r.message,
        }
    }
}

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let document = JsonReport {
        version: VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        files_checked: report.files_checked,
        diagnostics: report
            .diagnostics
            .iter()
            .map(JsonDiagnostic::from)
            .collect(),
        summary: Summary {
            error: report.count(Severity::Error),
            warning: report.count(Severity::Warning),
            info: report.count(Severity::Info),
        },
    };
    write_pretty(out, &document)
}

/// A rule as `mlready rules --format json` lists it.
#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    name: &'a str,
    family: &'a str,
    /// The default severity.
    severity: Severity,
    /// Every severity its findings can have, the default first.
    severities: Vec<Severity>,
    scope: Scope,
    summary: String,
    url: String,
    source: &'a str,
    /// Not in the default selection (runs with `--preview` or when selected by code).
    preview: bool,
    /// Severities at which the rule's findings are a preview branch.
    preview_severities: &'a [Severity],
    /// The measured precision per severity (docs/precision.md); empty when not measured.
    precision: Vec<crate::precision::Measure>,
    /// Only in `mlready rule CODE --format json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    doc: Option<&'a str>,
}

impl<'a> JsonRule<'a> {
    fn new(rule: &'a Rule, with_doc: bool) -> Self {
        JsonRule {
            code: rule.code,
            name: rule.name,
            family: rule.family,
            severity: rule.severity,
            severities: rule.severities(),
            scope: rule.scope,
            summary: rule.summary(),
            url: rule.url(),
            source: rule.source,
            preview: rule.preview,
            preview_severities: rule.preview_at,
            precision: crate::precision::measures(rule.code),
            doc: with_doc.then_some(rule.doc),
        }
    }
}

pub(super) fn render_rule(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    write_pretty(out, &JsonRule::new(rule, true))
}

pub(super) fn render_rules(rules: &[&Rule], out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<JsonRule> = rules
        .iter()
        .map(|rule| JsonRule::new(rule, false))
        .collect();
    write_pretty(out, &rules)
}

/// Pretty-printed, with a trailing newline.
fn write_pretty(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::render::{Format, Style, fixtures, render};
    use serde_json::{Value, json};

    fn rendered() -> (String, Value) {
        let mut out = Vec::new();
        render(
            &fixtures::report(),
            Format::Json,
            &mut out,
            &Style::default(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let value = serde_json::from_str(&text).unwrap();
        (text, value)
    }

    #[test]
    fn document_has_the_contract_shape() {
        let (text, value) = rendered();
        assert!(text.ends_with("}\n"));
        assert_eq!(value["version"], 1);
        assert_eq!(value["tool"]["name"], "mlready");
        assert_eq!(value["tool"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(value["files_checked"], 3);
        assert_eq!(
            value["summary"],
            json!({"error": 2, "warning": 1, "info": 0})
        );
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 5);
    }

    #[test]
    fn diagnostics_carry_cells_related_and_nulls() {
        let (text, value) = rendered();
        let diagnostics = value["diagnostics"].as_array().unwrap();
        assert_eq!(diagnostics.len(), 3);

        let parse = &diagnostics[0];
        assert_eq!(parse["code"], "PARSE002");
        assert!(parse["cell"].is_null());
        assert!(parse["help"].is_null());
        assert_eq!(parse["related"], json!([]));

        let leak = &diagnostics[1];
        assert_eq!(
            leak,
            &json!({
                "code": "LEAK001",
                "name": "preprocessing-before-split",
                "severity": "error",
                "path": "nb/train.ipynb",
                "cell": 2,
                "line": 2, "column": 5, "end_line": 2, "end_column": 28,
                "message": "StandardScaler is fitted on all rows of `X` before train_test_split",
                "help": "Split first, then fit the scaler on the training split only",
                "related": [
                    {"path": "nb/train.ipynb", "cell": 2, "line": 1, "column": 1, "message": "imported here"},
                    {"path": "nb/train.ipynb", "cell": 4, "line": 2, "column": 14, "message": "split here"},
                    {"path": "src/train.py", "cell": null, "line": 3, "column": 1, "message": "used here"}
                ]
            })
        );

        let repro = &diagnostics[2];
        assert!(repro["cell"].is_null());
        assert_eq!(repro["line"], 2);
        assert_eq!(repro["column"], 5);

        // Field order is part of the contract: check it in the text itself.
        let order = [
            "\"code\"",
            "\"name\"",
            "\"severity\"",
            "\"path\"",
            "\"cell\"",
            "\"line\"",
            "\"column\"",
            "\"end_line\"",
            "\"end_column\"",
            "\"message\"",
            "\"help\"",
            "\"related\"",
        ];
        let start = text.find("\"LEAK001\"").unwrap() - "\"code\": ".len();
        let positions: Vec<usize> = order
            .iter()
            .map(|key| start + text[start..].find(key).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }
}
