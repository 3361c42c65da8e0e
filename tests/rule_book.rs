//! The rule book (`rules/*.md`) is part of the product: `mlready rule CODE` prints it. Every page
//! has the fixed sections, cites where the debt is described, and its examples are tests: the
//! `## Example` block fires the rule, the `## Use instead` block does not (STYLE.md §2.4 rule 5).

mod common;

use common::{TempDir, notebook_json};
use mlready::rule::{Check, Rule, Scope};
use mlready::settings::Settings;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
];

/// Words that show a page names where the problem is described: the paper the families come
/// from, other papers and tools, PEPs, links.
const SOURCES: [&str; 7] = [
    "Sculley",
    "et al.",
    "ML Test Score",
    "Pynblint",
    "PEP ",
    "https://",
    "http://",
];

/// The body of section `heading` (up to the next `## ` heading), if the page has it.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc
        .match_indices(heading)
        .find(|(at, _)| *at == 0 || doc.as_bytes()[at - 1] == b'\n')
        .map(|(at, _)| at + heading.len())?;
    let body = &doc[start..];
    let end = body.find("\n## ").unwrap_or(body.len());
    Some(&body[..end])
}

/// The first fenced block of `language` in `text`.
fn fenced_block<'a>(text: &'a str, language: &str) -> Option<&'a str> {
    let open = format!("```{language}\n");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find("\n```")?;
    Some(&text[start..start + end + 1])
}

/// Turns a `jupyter nbconvert --to script` text into an nbformat 4 notebook: `# In[N]:` starts
/// a code cell with execution count N (`# In[ ]:` a cell never run); code before the first
/// marker is a cell of its own, comments there (nbconvert's `#!` and coding header) are not.
fn script_to_notebook(script: &str) -> String {
    let mut cells: Vec<(Option<i64>, Vec<&str>)> = Vec::new();
    let mut current: (Option<i64>, Vec<&str>) = (None, Vec::new());
    let mut started = false;
    for line in script.lines() {
        let marker = line
            .trim()
            .strip_prefix("# In[")
            .and_then(|rest| rest.strip_suffix("]:"));
        match marker {
            Some(count) => {
                if started || has_code(&current.1) {
                    cells.push(std::mem::take(&mut current));
                }
                started = true;
                current = (count.trim().parse().ok(), Vec::new());
            }
            None => current.1.push(line),
        }
    }
    if started || has_code(&current.1) {
        cells.push(current);
    }
    let cells: Vec<Value> = cells
        .into_iter()
        .map(|(count, mut lines)| {
            while lines.first().is_some_and(|l| l.trim().is_empty()) {
                lines.remove(0);
            }
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
            // `# Error output: KeyError: 'price'` stands for an error the cell saved (NB003).
            let mut outputs = Vec::new();
            lines.retain(|line| {
                let Some(error) = line.trim().strip_prefix("# Error output: ") else {
                    return true;
                };
                let (ename, evalue) = error.split_once(": ").unwrap_or((error, ""));
                outputs.push(json!({"output_type": "error", "ename": ename,
                    "evalue": evalue, "traceback": []}));
                false
            });
            let source = common::source_lines(&lines.join("\n"));
            json!({
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": outputs,
                "source": source,
            })
        })
        .collect();
    notebook_json(cells)
}

fn has_code(lines: &[&str]) -> bool {
    lines.iter().any(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#')
    })
}

/// Checks `code` as a `.py` file, or as a notebook for notebook rules; every finding's code.
fn check_block(dir: &TempDir, rule: &Rule, label: &str, code: &str) -> Vec<String> {
    // A block of several files (project rules): `# file: app/main.py` starts each file, and
    // the folder they are written to is checked as one project.
    let path = if code.lines().any(|l| l.starts_with("# file: ")) {
        let project = format!("{}-{label}", rule.code);
        let mut current: Option<String> = None;
        let mut text = String::new();
        let mut files: Vec<(String, String)> = Vec::new();
        for line in code.lines() {
            if let Some(name) = line.strip_prefix("# file: ") {
                if let Some(previous) = current.replace(name.trim().to_string()) {
                    files.push((previous, std::mem::take(&mut text)));
                }
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        if let Some(last) = current {
            files.push((last, text));
        }
        for (name, text) in &files {
            let relative = format!("{project}/{name}");
            if name.ends_with(".ipynb") {
                dir.write(&relative, script_to_notebook(text));
            } else {
                dir.write(&relative, text);
            }
        }
        dir.join(&project)
    } else if rule.scope == Scope::Notebook {
        dir.write(
            &format!("{}-{label}.ipynb", rule.code),
            script_to_notebook(code),
        )
    } else {
        dir.write(&format!("{}-{label}.py", rule.code), code)
    };
    // Every page's example runs, the preview rules' too.
    let settings = Settings {
        preview: true,
        ..Settings::default()
    };
    let report = mlready::check(&[path], &settings).expect("the check runs");
    assert!(
        report.internal_errors.is_empty(),
        "{}: {:?}",
        rule.code,
        report.internal_errors
    );
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d.code, d.start.line, d.start.column, d.message
            )
        })
        .collect()
}

fn rule_codes(findings: &[String], code: &str) -> usize {
    findings
        .iter()
        .filter(|f| f.split(':').next() == Some(code))
        .count()
}

#[test]
fn every_page_has_the_fixed_sections_and_a_header() {
    let mut problems = Vec::new();
    for rule in mlready::registry::all() {
        let doc = rule.doc;
        let mut last = 0;
        for heading in SECTIONS {
            match section(doc, heading) {
                None => problems.push(format!("{}: no `{heading}`", rule.code)),
                Some(body) => {
                    if body.trim().is_empty() {
                        problems.push(format!("{}: `{heading}` is empty", rule.code));
                    }
                    let at = doc.find(heading).unwrap_or(0);
                    if at < last {
                        problems.push(format!("{}: `{heading}` is out of order", rule.code));
                    }
                    last = at;
                }
            }
        }
        let title = format!("# {} ({})", rule.name, rule.code);
        let mut lines = doc.lines().filter(|l| !l.trim().is_empty());
        if lines.next() != Some(title.as_str()) {
            problems.push(format!("{}: the first line is not `{title}`", rule.code));
        }
        let meta = lines.next().unwrap_or("");
        let family = format!("Family: {} · Severity: {}", rule.family, rule.severity);
        let scope = format!("Scope: {}", rule.scope.as_str());
        if !meta.starts_with(&family) || !meta.contains(&scope) {
            problems.push(format!(
                "{}: the second line `{meta}` does not say `{family} ... {scope}`",
                rule.code
            ));
        }
        // The page says every severity the rule's findings can have (`mlready rules`
        // shows the same list, from the registry).
        let said = meta.split(" · Scope:").next().unwrap_or(meta);
        for severity in rule.severities() {
            if !said.contains(severity.as_str()) {
                problems.push(format!(
                    "{}: the second line `{meta}` does not say that findings can be {}",
                    rule.code,
                    severity.as_str()
                ));
            }
        }
        if rule.summary().is_empty() {
            problems.push(format!("{}: no summary sentence", rule.code));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_page_cites_a_source() {
    let mut problems = Vec::new();
    for rule in mlready::registry::all() {
        // The engine's own rules (unreadable or unparsable files) describe mlready, not a
        // kind of technical debt: there is no paper to cite.
        if matches!(rule.check, Check::Engine) {
            continue;
        }
        if !SOURCES.iter().any(|source| rule.doc.contains(source)) {
            problems.push(format!(
                "{}: the page names no source (one of {SOURCES:?})",
                rule.code
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn examples_fire_and_fixes_are_clean() {
    let dir = TempDir::new("rule-book");
    let mut problems = Vec::new();
    for rule in mlready::registry::all() {
        if matches!(rule.check, Check::Engine) {
            continue;
        }
        let example = section(rule.doc, "## Example").and_then(|s| fenced_block(s, "python"));
        let fixed = section(rule.doc, "## Use instead").and_then(|s| fenced_block(s, "python"));
        let (Some(example), Some(fixed)) = (example, fixed) else {
            problems.push(format!(
                "{}: `## Example` and `## Use instead` need a ```python block each",
                rule.code
            ));
            continue;
        };
        let found = check_block(&dir, rule, "example", example);
        if rule_codes(&found, rule.code) == 0 {
            problems.push(format!(
                "{}: the Example does not fire the rule; findings: {found:?}",
                rule.code
            ));
        }
        let found_fixed = check_block(&dir, rule, "use-instead", fixed);
        if rule_codes(&found_fixed, rule.code) > 0 {
            problems.push(format!(
                "{}: the `Use instead` block fires the rule: {found_fixed:?}",
                rule.code
            ));
        }
        // An example that does not parse teaches nothing.
        for (label, findings) in [("Example", &found), ("Use instead", &found_fixed)] {
            let parse: Vec<_> = findings.iter().filter(|f| f.starts_with("PARSE")).collect();
            if !parse.is_empty() {
                problems.push(format!("{}: the {label} block: {parse:?}", rule.code));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn pages_and_rules_match_one_to_one() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let mut pages = BTreeSet::new();
    for entry in std::fs::read_dir(folder).expect("rules/ exists") {
        let path = entry.expect("a readable entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            pages.insert(stem);
        }
    }
    let mut problems = Vec::new();
    for page in &pages {
        let Some((code, name)) = page.split_once('-') else {
            problems.push(format!("rules/{page}.md is not named CODE-name.md"));
            continue;
        };
        match mlready::registry::find(code) {
            None => problems.push(format!("rules/{page}.md: no rule has code {code}")),
            Some(rule) if rule.name != name => problems.push(format!(
                "rules/{page}.md: rule {code} is named `{}`",
                rule.name
            )),
            Some(rule) => {
                let on_disk = std::fs::read_to_string(format!("{folder}/{page}.md")).unwrap();
                if on_disk != rule.doc {
                    problems.push(format!("rules/{page}.md differs from {code}'s doc"));
                }
            }
        }
    }
    for rule in mlready::registry::all() {
        let page = format!("{}-{}", rule.code, rule.name);
        if !pages.contains(&page) {
            problems.push(format!("{}: no page rules/{page}.md", rule.code));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn script_style_notebooks_convert_cell_by_cell() {
    let notebook = script_to_notebook(
        "#!/usr/bin/env python\n# coding: utf-8\n\n# In[3]:\n\n\nimport a\nb = 1\n\n\n# In[ ]:\n\n\nc = 2\n",
    );
    let value: Value = serde_json::from_str(&notebook).unwrap();
    let cells = value["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["execution_count"], 3);
    assert_eq!(cells[0]["source"], json!(["import a\n", "b = 1"]));
    assert_eq!(cells[1]["execution_count"], Value::Null);
    assert_eq!(cells[1]["source"], json!(["c = 2"]));
    let prelude = script_to_notebook("import a\n\n# In[1]:\nb = 1\n");
    let value: Value = serde_json::from_str(&prelude).unwrap();
    assert_eq!(value["cells"][0]["source"], json!(["import a"]));
    assert_eq!(value["cells"][1]["execution_count"], 1);
}
