//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (ECOSYSTEM.md §4).
//!
//! One run; the driver lists the rules the results use (with their page as help); each result
//! has a relative `artifactLocation.uri` (against `%SRCROOT%`), a region, the related places and
//! `partialFingerprints` that do not depend on line numbers.

use super::{FilePlace, cell_message, file_place, files_by_path, fingerprints, place_of};
use crate::finding::Severity;
use crate::registry;
use crate::report::Report;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/mlready/mlready";

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report)).map_err(io::Error::from)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `problem.severity`: error, warning or recommendation.
fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "recommendation",
    }
}

/// The SARIF log of a report.
pub(crate) fn document(report: &Report) -> Value {
    // The rules the results use, in registry order; `ruleIndex` points into this list.
    let rules: Vec<&crate::rule::Rule> = registry::all()
        .filter(|rule| report.diagnostics.iter().any(|d| d.code == rule.code))
        .collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let summary = non_empty(rule.summary(), rule.name);
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": truncate(&summary, 1024)},
                "fullDescription": {"text": truncate(&summary, 1024)},
                "help": {"text": rule.doc, "markdown": rule.doc},
                "helpUri": rule.url(),
                "defaultConfiguration": {"level": level(rule.severity)},
                "properties": {
                    "tags": ["ml", rule.family],
                    "problem.severity": problem_severity(rule.severity),
                },
            })
        })
        .collect();

    let files = files_by_path(report);
    let prints = fingerprints(report);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(&prints)
        .map(|(d, print)| {
            let mut result = Map::new();
            result.insert("ruleId".into(), d.code.into());
            if let Some(index) = rules.iter().position(|rule| rule.code == d.code) {
                result.insert("ruleIndex".into(), index.into());
            }
            result.insert("level".into(), level(d.severity).into());
            let mut text = cell_message(&d.start, &d.message);
            if let Some(help) = &d.help {
                text.push_str("\nHelp: ");
                text.push_str(help);
            }
            result.insert("message".into(), json!({ "text": text }));
            result.insert(
                "locations".into(),
                json!([{ "physicalLocation": physical(&d.path, &file_place(d)) }]),
            );
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(id, r)| {
                    let file = r
                        .file
                        .as_deref()
                        .or_else(|| files.get(r.path.as_str()).copied());
                    let place = place_of(file, &r.location, &r.location);
                    // A one-point place: the column past it is the end.
                    let place = FilePlace {
                        columns: place.columns.map(|(start, _)| (start, start + 1)),
                        ..place
                    };
                    json!({
                        "id": id,
                        "physicalLocation": physical(&r.path, &place),
                        "message": {"text": cell_message(&r.location, &r.message)},
                    })
                })
                .collect();
            if !related.is_empty() {
                result.insert("relatedLocations".into(), related.into());
            }
            result.insert(
                "partialFingerprints".into(),
                json!({
                    // GitHub's key: a hash of the flagged line and its rank among equal ones.
                    "primaryLocationLineHash": format!("{}:{}", print.hash_hex(), print.occurrence + 1),
                    "mlready/v1": print.unique(),
                }),
            );
            Value::Object(result)
        })
        .collect();

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The directory mlready ran in."}}},
            "results": results,
        }],
    })
}

fn physical(path: &str, place: &FilePlace) -> Value {
    let mut region = Map::new();
    region.insert("startLine".into(), place.start_line.into());
    if let Some((start, _)) = place.columns {
        region.insert("startColumn".into(), start.into());
    }
    region.insert("endLine".into(), place.end_line.into());
    if let Some((start, end)) = place.columns {
        // An empty range (a finding at one point) still covers one character.
        let end = if place.end_line == place.start_line {
            end.max(start + 1)
        } else {
            end.max(1)
        };
        region.insert("endColumn".into(), end.into());
    }
    json!({
        "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
        "region": region,
    })
}

/// A display path as a relative URI reference: `/` separators, no `./`, and every byte outside
/// the unreserved set and `/` percent-encoded.
pub(crate) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn non_empty(text: String, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text
    }
}

/// At most `max` bytes, cut on a character boundary.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixtures;

    #[test]
    fn notebook_result_lands_on_the_ipynb_line_and_names_the_cell() {
        let doc = document(&fixtures::report());
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let leak = &results[1];
        assert_eq!(leak["ruleId"], "LEAK001");
        let location = &leak["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "nb/train.ipynb");
        // Cell 2's second source line is line 11 of the .ipynb file.
        assert_eq!(location["region"]["startLine"], 11);
        assert!(location["region"].get("startColumn").is_none());
        assert!(
            leak["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("cell 2: StandardScaler")
        );
        let related = leak["relatedLocations"].as_array().unwrap();
        assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 21);
        assert_eq!(related[2]["physicalLocation"]["region"]["startLine"], 3);
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./a b/c#1.py"), "a%20b/c%231.py");
        assert_eq!(uri("src/train.py"), "src/train.py");
    }
}
