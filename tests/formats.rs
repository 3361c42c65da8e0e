//! The machine formats for CI: `sarif`, `github`, `gitlab` and `junit`, run through the binary
//! and parsed back. A notebook finding must land on the `.ipynb` line holding its source line and
//! name its cell; fingerprints must be unique and survive lines added above.

mod common;

use common::{Cell, TempDir, WARNING_PY, notebook};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A notebook whose cell 5 has the REPRO006 warning on its line 2.
fn warning_notebook(extra_line: bool) -> String {
    let first = if extra_line {
        "import os\nimport pandas as pd\n"
    } else {
        "import pandas as pd\n"
    };
    notebook(&[
        Cell::Markdown("# Train\n"),
        Cell::Code(Some(1), first),
        Cell::Code(Some(2), "x = 1\n"),
        Cell::Markdown("Load the data."),
        Cell::Code(Some(3), "y = 2\nd = pd.read_csv(\"/Users/ana/d.csv\")"),
    ])
}

/// LEAK001 (with related places) and the same REPRO006 twice on identical lines.
const PROJECT_PY: &str = r#"import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

df = pd.read_csv("/Users/ana/data.csv")
df = pd.read_csv("/Users/ana/data.csv")
X = df.drop(columns=["y"])
y = df["y"]
X = StandardScaler().fit_transform(X)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
clf = LogisticRegression().fit(X_tr, y_tr)
print(clf.score(X_te, y_te))
"#;

/// A folder with a notebook, a Python file with several findings, and a file whose name needs
/// escaping in every format.
fn project(extra_line: bool) -> TempDir {
    let dir = TempDir::new("formats");
    dir.write("notebooks/train.ipynb", warning_notebook(extra_line));
    let py = if extra_line {
        format!("import os\n{PROJECT_PY}")
    } else {
        PROJECT_PY.to_string()
    };
    dir.write("src/train.py", py);
    dir.write("odd, name & 100%.py", WARNING_PY);
    dir
}

/// The 1-based line of the file holding `needle`.
fn line_of(dir: &TempDir, path: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(path)).unwrap();
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

fn output(dir: &TempDir, format: &str) -> String {
    dir.run(&["check", "--format", format]).expect_code(1);
    let run = dir.run(&["check", "--format", format]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.stdout
}

// ---------------------------------------------------------------------------------------------
// SARIF

fn sarif(dir: &TempDir) -> Value {
    serde_json::from_str(&output(dir, "sarif")).expect("SARIF output is JSON")
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/schemas/sarif-2.1.0.json"
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let dir = project(false);
    let log = sarif(&dir);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");

    // The schema catches a broken log (the validator is not vacuous).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_rules_with_help_relative_uris_and_fingerprints() {
    let dir = project(false);
    let log = sarif(&dir);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "mlready");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"LEAK001") && ids.contains(&"REPRO006"),
        "{ids:?}"
    );
    for rule in rules {
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## What it does")
        );
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(uri.starts_with("https://") && uri.contains(rule["id"].as_str().unwrap()));
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 4, "{results:#?}");
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.starts_with('/') && !uri.starts_with("./") && !uri.contains(':'),
            "{uri}"
        );
        assert!(!uri.contains(' '), "{uri}");
        assert!(
            result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .is_some()
        );
    }
    let uris: BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains("odd%2C%20name%20%26%20100%25.py"), "{uris:?}");
    let leak = results.iter().find(|r| r["ruleId"] == "LEAK001").unwrap();
    assert!(!leak["relatedLocations"].as_array().unwrap().is_empty());
    let region = &leak["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region["startLine"].as_u64().unwrap() as usize,
        line_of(&dir, "src/train.py", "StandardScaler().fit_transform")
    );
    assert!(region["startColumn"].as_u64().unwrap() >= 1);
}

// ---------------------------------------------------------------------------------------------
// Notebooks: the .ipynb line, and the cell in the message

#[test]
fn a_notebook_finding_lands_on_its_ipynb_line_in_every_format() {
    let dir = project(false);
    let path = "notebooks/train.ipynb";
    let expected = line_of(&dir, path, "/Users/ana/d.csv");
    // The source line is line 2 of cell 5; the file line is far below that.
    assert!(expected > 20, "{expected}");

    let log = sarif(&dir);
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path)
        .expect("a SARIF result in the notebook");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        expected
    );
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("cell 5: ")
    );

    let annotation = github(&dir)
        .into_iter()
        .find(|a| a.properties["file"] == path)
        .expect("a GitHub annotation in the notebook");
    assert_eq!(annotation.properties["line"], expected.to_string());
    assert!(!annotation.properties.contains_key("col"));
    assert!(
        annotation.message.contains("cell 5: "),
        "{}",
        annotation.message
    );

    let issues = gitlab(&dir);
    let issue = issues
        .iter()
        .find(|i| i["location"]["path"] == path)
        .expect("a GitLab issue in the notebook");
    assert_eq!(issue["location"]["lines"]["begin"], expected);
    assert!(issue["description"].as_str().unwrap().contains("cell 5: "));

    let cases = junit(&dir);
    let case = cases
        .iter()
        .find(|c| c.attributes["file"] == path)
        .expect("a JUnit test case in the notebook");
    assert_eq!(case.attributes["line"], expected.to_string());
    assert!(
        case.failure_message.starts_with("cell 5: "),
        "{}",
        case.failure_message
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

struct Annotation {
    command: String,
    properties: BTreeMap<String, String>,
    message: String,
}

fn unescape(text: &str) -> String {
    text.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Parses `::command k=v,k=v::message` lines; panics on anything else.
fn github(dir: &TempDir) -> Vec<Annotation> {
    output(dir, "github")
        .lines()
        .map(|line| {
            let rest = line.strip_prefix("::").unwrap_or_else(|| panic!("{line}"));
            let (head, message) = rest.split_once("::").unwrap_or_else(|| panic!("{line}"));
            let (command, properties) = head.split_once(' ').unwrap_or_else(|| panic!("{line}"));
            assert!(["error", "warning", "notice"].contains(&command), "{line}");
            assert!(!message.contains(['\n', '\r']));
            let properties = properties
                .split(',')
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
                    assert!(!value.contains(':'), "unescaped `:` in {line}");
                    (key.to_string(), unescape(value))
                })
                .collect();
            Annotation {
                command: command.to_string(),
                properties,
                message: unescape(message),
            }
        })
        .collect()
}

#[test]
fn github_annotations_name_file_line_and_columns() {
    let dir = project(false);
    let annotations = github(&dir);
    assert!(annotations.len() >= 4);
    let odd = annotations
        .iter()
        .find(|a| a.properties["file"] == "odd, name & 100%.py")
        .expect("the oddly named file, escaped and read back");
    assert_eq!(odd.command, "warning");
    assert_eq!(odd.properties["title"], "mlready (REPRO006)");
    assert_eq!(odd.properties["line"], "2");
    assert_eq!(odd.properties["col"], "18");
    assert_eq!(odd.properties["endLine"], "2");
    assert!(odd.properties["endColumn"].parse::<usize>().unwrap() > 18);
    assert!(odd.message.starts_with("REPRO006: "));
    for a in &annotations {
        let keys: Vec<&str> = a.properties.keys().map(String::as_str).collect();
        assert!(keys.contains(&"title") && keys.contains(&"line") && keys.contains(&"endLine"));
    }
}

// ---------------------------------------------------------------------------------------------
// GitLab Code Quality

fn gitlab(dir: &TempDir) -> Vec<Value> {
    let text = output(dir, "gitlab");
    assert!(!text.starts_with('\u{feff}'));
    serde_json::from_str::<Value>(&text)
        .expect("Code Quality output is JSON")
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn gitlab_issues_have_unique_fingerprints_and_relative_paths() {
    let dir = project(false);
    let issues = gitlab(&dir);
    let fingerprints: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), issues.len(), "{issues:#?}");
    // The two identical `read_csv` lines are two findings with two fingerprints.
    let twins = issues
        .iter()
        .filter(|i| i["location"]["path"] == "src/train.py" && i["check_name"] == "REPRO006")
        .count();
    assert_eq!(twins, 2);
    for issue in &issues {
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with("./") && !path.starts_with('/') && !path.contains('\\'));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        let severity = issue["severity"].as_str().unwrap();
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
        assert!(!issue["description"].as_str().unwrap().is_empty());
        assert!(!issue["check_name"].as_str().unwrap().is_empty());
    }
}

#[test]
fn fingerprints_survive_a_line_added_above() {
    let before = project(false);
    let after = project(true);

    let gitlab_prints = |dir: &TempDir| -> (BTreeSet<String>, Vec<u64>) {
        let issues = gitlab(dir);
        (
            issues
                .iter()
                .map(|i| i["fingerprint"].as_str().unwrap().to_string())
                .collect(),
            issues
                .iter()
                .map(|i| i["location"]["lines"]["begin"].as_u64().unwrap())
                .collect(),
        )
    };
    let (prints_before, lines_before) = gitlab_prints(&before);
    let (prints_after, lines_after) = gitlab_prints(&after);
    assert_ne!(lines_before, lines_after, "the findings moved");
    assert_eq!(prints_before, prints_after);

    let sarif_prints = |dir: &TempDir| -> BTreeSet<String> {
        sarif(dir)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(sarif_prints(&before), sarif_prints(&after));
}

// ---------------------------------------------------------------------------------------------
// JUnit

struct TestCase {
    attributes: BTreeMap<String, String>,
    failure_message: String,
}

/// Reads the whole document with an XML parser (well-formedness, matching end tags, entities)
/// and returns the test cases.
fn junit(dir: &TempDir) -> Vec<TestCase> {
    use quick_xml::events::Event;
    let text = output(dir, "junit");
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut cases = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0;
    let attributes = |e: &quick_xml::events::BytesStart| -> BTreeMap<String, String> {
        e.attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                let key = a.key.as_ref().to_string();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("a well-formed value")
                    .into_owned();
                (key, value)
            })
            .collect()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) => {
                if depth == 0 {
                    roots += 1;
                    assert_eq!(e.name().as_ref(), "testsuites");
                }
                depth += 1;
                let attrs = attributes(&e);
                match e.name().as_ref() {
                    "testcase" => cases.push(TestCase {
                        attributes: attrs,
                        failure_message: String::new(),
                    }),
                    "failure" => {
                        cases
                            .last_mut()
                            .expect("failure inside a testcase")
                            .failure_message = attrs["message"].clone();
                    }
                    _ => {}
                }
            }
            Event::End(_) => depth -= 1,
            Event::GeneralRef(r) => {
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&r.as_ref());
                assert!(
                    known
                        || r.resolve_char_ref()
                            .expect("a valid character reference")
                            .is_some(),
                    "unknown entity"
                );
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    assert_eq!(roots, 1);
    cases
}

#[test]
fn junit_is_well_formed_with_a_case_per_finding() {
    let dir = project(false);
    let cases = junit(&dir);
    let json = dir.run(&["check", "--format", "json"]).json();
    assert_eq!(cases.len(), json["diagnostics"].as_array().unwrap().len());
    let odd = cases
        .iter()
        .find(|c| c.attributes["file"] == "odd, name & 100%.py")
        .expect("the oddly named file, escaped and read back");
    assert_eq!(odd.attributes["name"], "mlready.REPRO006");
    assert_eq!(odd.attributes["line"], "2");
    assert_eq!(odd.attributes["column"], "18");
}

#[test]
fn a_clean_run_is_still_a_valid_document_in_every_format() {
    let dir = TempDir::new("formats-clean");
    dir.write("train.py", common::CLEAN_PY);
    let run = |format: &str| {
        dir.run(&["check", "--format", format])
            .expect_code(0)
            .stdout
            .clone()
    };
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/schemas/sarif-2.1.0.json"
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let log: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert!(jsonschema::is_valid(&schema, &log), "{log:#}");
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(run("github"), "");
    assert_eq!(
        serde_json::from_str::<Value>(&run("gitlab")).unwrap(),
        serde_json::json!([])
    );
    let junit = run("junit");
    let mut reader = quick_xml::Reader::from_str(&junit);
    while reader.read_event().expect("well-formed XML") != quick_xml::events::Event::Eof {}
    assert!(junit.contains(r#"<testsuites name="mlready" tests="0" failures="0""#));
}
