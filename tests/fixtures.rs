//! The fixture harness: every file under fixtures/ carries its expectations inline as
//! `# expect: CODE` comments (DESIGN.md, STYLE.md §2.4), and the findings must match them
//! exactly: every finding expected, every expectation found.
//!
//! Grammar: `# expect: CODE`, `# expect: CODE, CODE`, or `# expect: COL CODE "message part"`.
//! A trailing comment applies to its own line; a comment alone on its line applies to the
//! next line that is not an expectation. In notebooks, expectations live inside the cells and
//! lines count from the top of their cell. Findings about a whole notebook (line 1, no cell)
//! are listed in its top-level `"mlready_expect": ["# expect: CODE"]` key, and a `.ipynb` that
//! is not JSON carries its expectations as text, like a `.py` file.

use mlready::report::Diagnostic;
use mlready::settings::Settings;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    cell: Option<usize>,
    line: usize,
    code: String,
    column: Option<usize>,
    message: Option<String>,
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixture_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("py" | "ipynb")
        ) {
            out.push(path);
        }
    }
}

/// Parses the expectations of one source text (a file, or one notebook cell).
fn parse_expectations(text: &str, cell: Option<usize>, out: &mut Vec<Expectation>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut pending: Vec<Expectation> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(at) = line.find("# expect:") else {
            for mut e in pending.drain(..) {
                e.line = index + 1;
                out.push(e);
            }
            continue;
        };
        let own_line = line[..at].trim().is_empty();
        let spec = &line[at + "# expect:".len()..];
        let parsed = parse_spec(spec, cell);
        if own_line {
            pending.extend(parsed);
        } else {
            for mut e in pending.drain(..) {
                e.line = index + 1;
                out.push(e);
            }
            for mut e in parsed {
                e.line = index + 1;
                out.push(e);
            }
        }
    }
    assert!(
        pending.is_empty(),
        "an `# expect:` comment has no line below it"
    );
}

fn parse_spec(spec: &str, cell: Option<usize>) -> Vec<Expectation> {
    let spec = spec.trim();
    let (spec, message) = match spec.find('"') {
        Some(q) => {
            let rest = &spec[q + 1..];
            let end = rest.find('"').unwrap_or(rest.len());
            (spec[..q].trim(), Some(rest[..end].to_string()))
        }
        None => (spec, None),
    };
    let mut column = None;
    let mut codes = Vec::new();
    for word in spec.split([',', ' ']).filter(|w| !w.is_empty()) {
        if let Ok(n) = word.parse::<usize>() {
            column = Some(n);
        } else {
            codes.push(word.to_string());
        }
    }
    codes
        .into_iter()
        .map(|code| Expectation {
            cell,
            line: 0,
            code,
            column,
            message: message.clone(),
        })
        .collect()
}

fn expectations(path: &Path) -> Vec<Expectation> {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let mut out = Vec::new();
    if path.extension().and_then(|e| e.to_str()) != Some("ipynb") {
        parse_expectations(&text, None, &mut out);
        return out;
    }
    // A file that is not JSON (a merge conflict, a truncated save) carries its expectations
    // as text, with line numbers of the file itself: `{  # expect: PARSE003`.
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        parse_expectations(&text, None, &mut out);
        return out;
    };
    // Findings about the whole notebook (PARSE003, PARSE004) sit at line 1 with no cell; the
    // notebook lists them in a top-level key: `"mlready_expect": ["# expect: PARSE004"]`.
    for spec in json["mlready_expect"].as_array().into_iter().flatten() {
        let spec = spec.as_str().unwrap_or_default();
        let spec = spec.split_once("# expect:").map_or(spec, |(_, rest)| rest);
        for mut e in parse_spec(spec, None) {
            e.line = 1;
            out.push(e);
        }
    }
    let cells = json["cells"].as_array().cloned().unwrap_or_default();
    for (index, cell) in cells.iter().enumerate() {
        if cell["cell_type"] != "code" {
            continue;
        }
        let source = match &cell["source"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(parts) => {
                parts.iter().filter_map(|p| p.as_str()).collect::<String>()
            }
            _ => String::new(),
        };
        parse_expectations(&source, Some(index + 1), &mut out);
    }
    out
}

fn matches(expected: &Expectation, found: &Diagnostic) -> bool {
    expected.code == found.code
        && expected.cell == found.start.cell
        && expected.line == found.start.line
        && expected.column.is_none_or(|c| c == found.start.column)
        && expected
            .message
            .as_ref()
            .is_none_or(|m| found.message.contains(m.as_str()))
}

/// A finding at a severity its rule does not declare (`severity` and `also` in its `rule!`):
/// the declaration, which `mlready rules` and the README show, must say what the code does.
fn undeclared_severity(found: &Diagnostic) -> Option<String> {
    let Some(rule) = mlready::registry::find(found.code) else {
        return Some(format!("{} is not a registered rule", found.code));
    };
    let declared = rule.severities();
    (!declared.contains(&found.severity)).then(|| {
        format!(
            "{} at {}:{} has severity {}, but the rule declares only {}: add it to `also` in {}",
            found.code,
            found.path,
            found.start.line,
            found.severity.as_str(),
            rule.severity_label(),
            rule.source
        )
    })
}

/// The findings of one file fixture: what every rule finds, preview rules and branches
/// included.
fn check_fixture(file: &Path) -> mlready::report::Report {
    let settings = Settings {
        preview: true,
        ..Settings::default()
    };
    mlready::check(&[file.to_path_buf()], &settings)
        .unwrap_or_else(|err| panic!("{}: {err}", file.display()))
}

/// The findings of one project fixture, checked with its own configuration.
fn check_project(project: &Path) -> mlready::report::Report {
    let known = mlready::registry::known();
    let (settings, _) = mlready::config::resolve(
        &[project.to_path_buf()],
        &mlready::config::CliOverrides {
            preview: Some(true),
            ..Default::default()
        },
        &known,
    )
    .unwrap_or_else(|err| panic!("{}: {err}", project.display()));
    mlready::check(&[project.to_path_buf()], &settings)
        .unwrap_or_else(|err| panic!("{}: {err}", project.display()))
}

/// Every severity a rule declares is shown by a fixture: a declaration the code no longer
/// makes true is as wrong as a finding the declaration leaves out.
#[test]
fn every_declared_severity_is_found_in_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    let mut reports: Vec<mlready::report::Report> = files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "projects"))
        .map(|f| check_fixture(f))
        .collect();
    let projects = std::fs::read_dir(root.join("projects")).expect("fixtures/projects");
    for project in projects.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        reports.push(check_project(&project));
    }
    let seen: BTreeSet<(&str, &str)> = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| (d.code, d.severity.as_str()))
        .collect();
    let mut missing = Vec::new();
    for rule in mlready::registry::all().filter(|r| !r.also.is_empty()) {
        for severity in rule.severities() {
            if !seen.contains(&(rule.code, severity.as_str())) {
                missing.push(format!(
                    "{} declares {} but no fixture has such a finding",
                    rule.code,
                    severity.as_str()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}

#[test]
fn undeclared_severities_are_named() {
    use mlready::finding::{Location, Severity, Span};
    let finding = |code: &'static str, severity: Severity| Diagnostic {
        code,
        name: "",
        severity,
        path: "t.py".into(),
        start: Location::default(),
        end: Location::default(),
        span: Span::new(0, 0),
        message: String::new(),
        help: None,
        related: Vec::new(),
        file: None,
        preview: false,
    };
    assert_eq!(
        undeclared_severity(&finding("LEAK001", Severity::Warning)),
        None
    );
    let info = undeclared_severity(&finding("LEAK001", Severity::Info)).unwrap();
    assert!(info.contains("declares only error/warning"), "{info}");
    assert!(undeclared_severity(&finding("NOPE001", Severity::Info)).is_some());
}

#[test]
fn fixtures_match_their_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    assert!(
        !files.is_empty(),
        "no fixtures found under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in &files {
        if file.components().any(|c| c.as_os_str() == "projects") {
            continue;
        }
        let report = check_fixture(file);
        checked += 1;
        let expected = expectations(file);
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        failures.extend(report.diagnostics.iter().filter_map(undeclared_severity));
        let mut unmatched: BTreeSet<usize> = (0..report.diagnostics.len()).collect();
        for e in &expected {
            let hit = unmatched
                .iter()
                .copied()
                .find(|&i| matches(e, &report.diagnostics[i]));
            match hit {
                Some(i) => {
                    unmatched.remove(&i);
                }
                None => failures.push(format!("{name}: missing {e:?}")),
            }
        }
        for i in unmatched {
            let d = &report.diagnostics[i];
            failures.push(format!(
                "{name}: unexpected {} at cell {:?} line {} col {}: {}",
                d.code, d.start.cell, d.start.line, d.start.column, d.message
            ));
        }
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Project fixtures: every folder under fixtures/projects/ is one project, checked as a
/// whole with its own configuration (a pyproject.toml or mlready.toml in the folder). The
/// expectations of all its files must match the findings exactly, file by file.
#[test]
fn projects_match_their_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    let mut projects: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let mut failures = Vec::new();
    for project in &projects {
        let name = project.file_name().unwrap().to_string_lossy().to_string();
        let report = check_project(project);
        let mut files = Vec::new();
        fixture_files(project, &mut files);
        let mut expected: Vec<(String, Expectation)> = Vec::new();
        for file in &files {
            let relative = file
                .strip_prefix(project)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/");
            for e in expectations(file) {
                expected.push((relative.clone(), e));
            }
        }
        failures.extend(report.diagnostics.iter().filter_map(undeclared_severity));
        let mut unmatched: BTreeSet<usize> = (0..report.diagnostics.len()).collect();
        for (file, e) in &expected {
            let hit = unmatched.iter().copied().find(|&i| {
                let d = &report.diagnostics[i];
                d.path.ends_with(&format!("/{file}")) && matches(e, d)
            });
            match hit {
                Some(i) => {
                    unmatched.remove(&i);
                }
                None => failures.push(format!("{name}/{file}: missing {e:?}")),
            }
        }
        for i in unmatched {
            let d = &report.diagnostics[i];
            failures.push(format!(
                "{name}: unexpected {} in {} at cell {:?} line {} col {}: {}",
                d.code, d.path, d.start.cell, d.start.line, d.start.column, d.message
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every broken project fixture `NAME` has a clean twin `NAME-fixed` that differs only in the
/// fix: the broken one expects at least one finding of a project rule, and the twin expects
/// none of the project-rule findings the broken one does. `NAME-negative` projects are
/// look-alikes that expect no project-rule finding at all.
#[test]
fn project_fixtures_come_in_broken_and_fixed_twins() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    let project_codes: Vec<&str> = mlready::registry::all()
        .filter(|r| r.check.project().is_some())
        .map(|r| r.code)
        .collect();
    let codes_in = |dir: &Path| -> BTreeSet<String> {
        let mut files = Vec::new();
        fixture_files(dir, &mut files);
        files
            .iter()
            .flat_map(|f| expectations(f))
            .map(|e| e.code)
            .filter(|c| project_codes.contains(&c.as_str()))
            .collect()
    };
    let mut problems = Vec::new();
    let dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        // A look-alike project the project rules must leave alone (research code, no serving).
        if name.ends_with("-negative") {
            if !codes_in(dir).is_empty() {
                problems.push(format!("{name} is a negative but expects project findings"));
            }
            continue;
        }
        if let Some(broken) = name.strip_suffix("-fixed") {
            if !root.join(broken).is_dir() {
                problems.push(format!("{name} has no broken twin `{broken}`"));
            }
            continue;
        }
        let twin = root.join(format!("{name}-fixed"));
        if !twin.is_dir() {
            problems.push(format!("{name} has no clean twin `{name}-fixed`"));
            continue;
        }
        let broken = codes_in(dir);
        if broken.is_empty() {
            problems.push(format!("{name} expects no project-rule finding"));
        }
        let fixed = codes_in(&twin);
        let left: Vec<&String> = fixed.intersection(&broken).collect();
        if !left.is_empty() {
            problems.push(format!("{name}-fixed still expects {left:?}"));
        }
    }
    let broken = dirs
        .iter()
        .filter(|d| {
            let name = d.file_name().unwrap().to_string_lossy();
            !name.ends_with("-fixed") && !name.ends_with("-negative")
        })
        .count();
    assert!(broken >= 12, "only {broken} broken project fixtures");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
