//! The command line as users and CI see it: exit codes, configuration, output formats, the rule
//! book commands and discovery. Every test runs the built binary in a folder of its own.

mod common;

use common::{CLEAN_PY, Cell, TempDir, WARNING_PY, notebook};
use serde_json::Value;
use std::collections::BTreeSet;

/// A notebook whose cell 5 (markdown cells count) has the REPRO006 warning on its line 2,
/// column 17.
fn warning_notebook() -> String {
    notebook(&[
        Cell::Markdown("# Train\n"),
        Cell::Code(Some(1), "import pandas as pd\n"),
        Cell::Code(Some(2), "x = 1\n"),
        Cell::Markdown("Load the data."),
        Cell::Code(Some(3), "y = 2\nd = pd.read_csv(\"/Users/ana/d.csv\")"),
    ])
}

/// LEAK001 with two related places (the split and the evaluation).
const LEAK_PY: &str = r#"import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

df = pd.read_csv("data.csv")
X = df.drop(columns=["y"])
y = df["y"]
X = StandardScaler().fit_transform(X)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
clf = LogisticRegression().fit(X_tr, y_tr)
print(clf.score(X_te, y_te))
"#;

/// A Python 3 notebook whose kernel is R: skipped with a PARSE004 info.
fn r_notebook() -> String {
    r#"{
 "cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": ["library(dplyr)\n"]}],
 "metadata": {"kernelspec": {"display_name": "R", "language": "R", "name": "ir"},
              "language_info": {"name": "R"}},
 "nbformat": 4, "nbformat_minor": 5
}"#
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn a_clean_file_exits_0() {
    let dir = TempDir::new("cli-clean");
    dir.write("clean.py", CLEAN_PY);
    let run = dir.run(&["check", "clean.py"]);
    run.expect_code(0);
    assert!(run.stdout.contains("no findings"), "{}", run.stdout);
}

#[test]
fn a_warning_exits_1() {
    let dir = TempDir::new("cli-warning");
    dir.write("warn.py", WARNING_PY);
    let run = dir.run(&["check", "warn.py"]);
    run.expect_code(1);
    assert!(run.stdout.contains("REPRO006"), "{}", run.stdout);
}

#[test]
fn no_path_checks_the_working_directory() {
    let dir = TempDir::new("cli-default-path");
    dir.write("sub/warn.py", WARNING_PY);
    let run = dir.run(&["check", "--format", "concise"]);
    run.expect_code(1);
    assert!(
        run.stdout.starts_with("sub/warn.py:2:18: REPRO006"),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_sets_the_lowest_failing_severity() {
    let dir = TempDir::new("cli-fail-on");
    dir.write("warn.py", WARNING_PY);
    dir.write("r.ipynb", r_notebook());

    dir.run(&["check", "warn.py", "--fail-on", "error"])
        .expect_code(0);
    dir.run(&["check", "warn.py", "--fail-on", "warning"])
        .expect_code(1);

    // An info finding alone passes by default and fails with --fail-on info.
    let info = dir.run(&["check", "r.ipynb", "--format", "json"]);
    info.expect_code(0);
    assert_eq!(info.codes(), ["PARSE004"]);
    assert_eq!(info.json()["diagnostics"][0]["severity"], "info");
    dir.run(&["check", "r.ipynb", "--fail-on", "info"])
        .expect_code(1);

    // fail-on from the configuration, and the command line over it.
    dir.write("mlready.toml", "fail-on = \"error\"\n");
    dir.run(&["check", "warn.py"]).expect_code(0);
    dir.run(&["check", "warn.py", "--fail-on", "warning"])
        .expect_code(1);
}

#[test]
fn exit_zero_reports_but_passes() {
    let dir = TempDir::new("cli-exit-zero");
    dir.write("warn.py", WARNING_PY);
    let run = dir.run(&["check", "warn.py", "--exit-zero", "--format", "concise"]);
    run.expect_code(0);
    assert!(run.stdout.contains("REPRO006"), "{}", run.stdout);
    // A missing path is a finding like any other (PARSE002), so it passes too...
    let missing = dir.run(&["check", "warn.py", "missing.py", "--exit-zero"]);
    missing.expect_code(0);
    assert!(missing.stdout.contains("PARSE002"), "{}", missing.stdout);
    // ...but not a usage error.
    dir.run(&["check", "warn.py", "--select", "NOPE123", "--exit-zero"])
        .expect_code(2);
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new("cli-usage");
    dir.write("warn.py", WARNING_PY);

    let bad_flag = dir.run(&["check", "--no-such-flag", "warn.py"]);
    bad_flag.expect_code(2);
    assert!(
        bad_flag.stderr.contains("--no-such-flag"),
        "{}",
        bad_flag.stderr
    );
    assert!(bad_flag.stdout.is_empty());

    dir.run(&["check", "--format", "xml", "warn.py"])
        .expect_code(2);
    dir.run(&["check", "--fail-on", "fatal", "warn.py"])
        .expect_code(2);

    let unknown_code = dir.run(&["check", "--select", "NOPE123", "warn.py"]);
    unknown_code.expect_code(2);
    assert!(
        unknown_code.stderr.contains("NOPE123"),
        "{}",
        unknown_code.stderr
    );
    assert!(unknown_code.stdout.is_empty(), "{}", unknown_code.stdout);

    let unknown_ignore = dir.run(&["check", "--ignore", "LEAK999", "warn.py"]);
    unknown_ignore.expect_code(2);
    assert!(
        unknown_ignore.stderr.contains("LEAK999"),
        "{}",
        unknown_ignore.stderr
    );

    // A path that does not exist is not a usage error any more (issue 12): it is reported as
    // PARSE002 and the other paths are checked (tests/robustness.rs).
    let missing = dir.run(&[
        "check",
        "warn.py",
        "nowhere/missing.py",
        "--format",
        "concise",
    ]);
    missing.expect_code(1);
    assert!(
        missing
            .stdout
            .contains("nowhere/missing.py:1:1: PARSE002 [error] no such file or directory"),
        "{}",
        missing.stdout
    );
}

/// A pyproject.toml that cannot be read is an error, like an unreadable mlready.toml: passing
/// over it would drop its `[tool.mlready]` selection without a word.
#[test]
fn an_unreadable_pyproject_exits_2_and_names_the_file() {
    let dir = TempDir::new("cli-unreadable-pyproject");
    dir.write("proj/warn.py", WARNING_PY);
    dir.write(
        "proj/pyproject.toml",
        b"[tool.mlready]\nignore = [\"REPRO\xff\"]\n",
    );
    let run = dir.run(&["check", "proj/warn.py"]);
    run.expect_code(2);
    assert!(
        common::unwrapped(&run.stderr).contains(
            "proj/pyproject.toml: cannot read the file: stream did not contain valid UTF-8; \
             mlready cannot tell whether it has a [tool.mlready] table"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        dir.write(
            "proj/pyproject.toml",
            "[tool.mlready]\nignore = [\"REPRO\"]\n",
        );
        let mode = |m| std::fs::Permissions::from_mode(m);
        std::fs::set_permissions(dir.join("proj/pyproject.toml"), mode(0o000)).unwrap();
        let run = dir.run(&["check", "proj/warn.py"]);
        std::fs::set_permissions(dir.join("proj/pyproject.toml"), mode(0o644)).unwrap();
        if common::is_root() {
            eprintln!("running as root, who can read mode-000 files: permissions not checked");
        } else {
            run.expect_code(2);
            assert!(
                common::unwrapped(&run.stderr)
                    .contains("proj/pyproject.toml: cannot read the file: Permission denied"),
                "{}",
                run.stderr
            );
        }
    }
}

/// `--config` on a folder says so (it used to say "no such file or directory").
#[test]
fn config_on_a_folder_is_named_as_a_folder() {
    let dir = TempDir::new("cli-config-folder");
    dir.write("conf/mlready.toml", "");
    dir.write("warn.py", WARNING_PY);
    let run = dir.run(&["check", "warn.py", "--config", "conf"]);
    run.expect_code(2);
    assert!(
        common::unwrapped(&run.stderr).contains(
            "conf: --config names a folder; give it the configuration file itself \
             (mlready.toml, .mlready.toml, or a pyproject.toml with [tool.mlready])"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_malformed_pyproject_exits_2_and_names_the_file() {
    let dir = TempDir::new("cli-bad-toml");
    dir.write("proj/src/warn.py", WARNING_PY);
    dir.write(
        "proj/pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.mlready]\nselect = [\"REPRO\"\n",
    );
    let run = dir.run(&["check", "proj/src/warn.py"]);
    run.expect_code(2);
    assert!(run.stderr.contains("pyproject.toml"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn an_unknown_config_key_exits_2_and_names_file_and_key() {
    let dir = TempDir::new("cli-unknown-key");
    dir.write("proj/warn.py", WARNING_PY);
    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nselekt = [\"REPRO\"]\n",
    );
    let run = dir.run(&["check", "proj"]);
    run.expect_code(2);
    assert!(run.stderr.contains("pyproject.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("selekt"), "{}", run.stderr);

    dir.write("other/warn.py", WARNING_PY);
    dir.write("other/mlready.toml", "colour = true\n");
    let run = dir.run(&["check", "other"]);
    run.expect_code(2);
    assert!(run.stderr.contains("mlready.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("colour"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn pyproject_config_is_found_walking_up_from_the_checked_path() {
    let dir = TempDir::new("cli-pyproject");
    dir.write("proj/src/deep/warn.py", WARNING_PY);
    dir.write("proj/src/deep/leak.py", LEAK_PY);

    // Without configuration both rules report.
    let run = dir.run(&["check", "proj/src/deep", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["LEAK001", "REPRO006"]);

    dir.write(
        "proj/pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.mlready]\nignore = [\"REPRO006\"]\n",
    );
    let run = dir.run(&["check", "proj/src/deep", "--format", "json"]);
    assert_eq!(run.codes(), ["LEAK001"]);
    let run = dir.run(&["check", "proj/src/deep/warn.py"]);
    run.expect_code(0);

    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO\"]\n",
    );
    let run = dir.run(&["check", "proj/src/deep", "--format", "json"]);
    assert_eq!(run.codes(), ["REPRO006"]);

    // Selection by rule name works in the file too.
    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nselect = [\"preprocessing-before-split\"]\n",
    );
    let run = dir.run(&["check", "proj/src/deep", "--format", "json"]);
    assert_eq!(run.codes(), ["LEAK001"]);
}

#[test]
fn a_pyproject_without_tool_mlready_is_passed_over() {
    let dir = TempDir::new("cli-pyproject-skip");
    dir.write("outer/mlready.toml", "ignore = [\"REPRO006\"]\n");
    dir.write("outer/inner/pyproject.toml", "[project]\nname = \"demo\"\n");
    dir.write("outer/inner/warn.py", WARNING_PY);
    dir.run(&["check", "outer/inner/warn.py"]).expect_code(0);
}

#[test]
fn per_file_ignores_and_exclude_from_the_config() {
    let dir = TempDir::new("cli-per-file");
    dir.write("proj/legacy/old.py", WARNING_PY);
    dir.write("proj/src/new.py", WARNING_PY);
    dir.write("proj/scratch/try.py", WARNING_PY);
    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nexclude = [\"scratch\"]\n\n[tool.mlready.per-file-ignores]\n\"legacy/*.py\" = [\"REPRO006\"]\n",
    );
    // Run from outside the project: globs are relative to the configuration file's folder.
    let run = dir.run(&["check", "proj", "--format", "json"]);
    run.expect_code(1);
    let value = run.json();
    assert_eq!(value["files_checked"], 2, "{}", run.stdout);
    let paths: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["proj/src/new.py"]);
}

#[test]
fn mlready_toml_configures_with_top_level_keys() {
    let dir = TempDir::new("cli-mlready-toml");
    dir.write("proj/a/warn.py", WARNING_PY);
    dir.write("proj/a/leak.py", LEAK_PY);
    dir.write("proj/mlready.toml", "select = [\"LEAK\"]\n");
    let run = dir.run(&["check", "proj/a", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["LEAK001"]);

    // --config names the file explicitly.
    dir.write("elsewhere.toml", "select = [\"REPRO\"]\n");
    let run = dir.run(&[
        "check",
        "proj/a",
        "--config",
        "elsewhere.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.codes(), ["REPRO006"]);
}

#[test]
fn command_line_selection_overrides_the_config() {
    let dir = TempDir::new("cli-override");
    dir.write("proj/warn.py", WARNING_PY);
    dir.write("proj/leak.py", LEAK_PY);
    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nselect = [\"LEAK\"]\n",
    );

    let run = dir.run(&["check", "proj", "--select", "REPRO006", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(run.codes(), ["REPRO006"]);

    let run = dir.run(&["check", "proj", "--ignore", "LEAK001", "--format", "json"]);
    run.expect_code(0);
    assert_eq!(run.codes(), Vec::<String>::new());

    dir.write(
        "proj/pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO\", \"LEAK\"]\n",
    );
    let run = dir.run(&["check", "proj", "--ignore", "REPRO", "--format", "json"]);
    assert_eq!(run.codes(), ["LEAK001"]);
    let run = dir.run(&[
        "check",
        "proj",
        "--select",
        "LEAK,REPRO006",
        "--ignore",
        "LEAK001",
        "--format",
        "json",
    ]);
    assert_eq!(run.codes(), ["REPRO006"]);
}

// ---------------------------------------------------------------------------------------------
// Output formats

const DIAGNOSTIC_KEYS: [&str; 12] = [
    "code",
    "name",
    "severity",
    "path",
    "cell",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "help",
    "related",
];

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn sort_key(d: &Value) -> (String, Option<u64>, u64, u64, String) {
    (
        d["path"].as_str().unwrap().to_string(),
        d["cell"].as_u64(),
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap(),
        d["code"].as_str().unwrap().to_string(),
    )
}

#[test]
fn json_has_the_documented_shape() {
    let dir = TempDir::new("cli-json");
    dir.write("src/train/leak.py", LEAK_PY);
    dir.write("notebooks/explore.ipynb", warning_notebook());
    dir.write("src/clean.py", CLEAN_PY);
    let run = dir.run(&["check", "src", "notebooks", "--format", "json"]);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let value = run.json();

    assert_eq!(
        keys(&value),
        BTreeSet::from(["version", "tool", "files_checked", "diagnostics", "summary"])
    );
    assert_eq!(value["version"], 1);
    assert_eq!(value["tool"]["name"], "mlready");
    assert_eq!(value["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(keys(&value["tool"]), BTreeSet::from(["name", "version"]));
    assert_eq!(value["files_checked"], 3);
    assert_eq!(
        keys(&value["summary"]),
        BTreeSet::from(["error", "warning", "info"])
    );

    let diagnostics = value["diagnostics"].as_array().unwrap();
    let mut counts = [0u64; 3];
    for d in diagnostics {
        assert_eq!(keys(d), BTreeSet::from(DIAGNOSTIC_KEYS), "{d}");
        for key in ["code", "name", "severity", "path", "message"] {
            assert!(d[key].is_string(), "{key} in {d}");
        }
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(d[key].as_u64().is_some_and(|n| n >= 1), "{key} in {d}");
        }
        assert!(d["help"].is_string() || d["help"].is_null(), "{d}");
        let path = d["path"].as_str().unwrap();
        assert!(!path.contains('\\') && !path.starts_with("./") && !path.starts_with('/'));
        if path.ends_with(".ipynb") {
            assert!(d["cell"].as_u64().is_some_and(|n| n >= 1), "{d}");
        } else {
            assert!(d["cell"].is_null(), "{d}");
        }
        let rule = mlready::registry::find(d["code"].as_str().unwrap()).expect("a known code");
        assert_eq!(d["name"], rule.name);
        for related in d["related"].as_array().unwrap() {
            assert_eq!(
                keys(related),
                BTreeSet::from(["path", "cell", "line", "column", "message"]),
                "{related}"
            );
        }
        match d["severity"].as_str().unwrap() {
            "error" => counts[0] += 1,
            "warning" => counts[1] += 1,
            "info" => counts[2] += 1,
            other => panic!("severity {other}"),
        }
    }
    assert_eq!(value["summary"]["error"], counts[0]);
    assert_eq!(value["summary"]["warning"], counts[1]);
    assert_eq!(value["summary"]["info"], counts[2]);

    // The two findings, exactly where they are.
    let codes: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("notebooks/explore.ipynb", "REPRO006"),
            ("src/train/leak.py", "LEAK001")
        ]
    );
    let nb = &diagnostics[0];
    assert_eq!(
        (
            &nb["cell"],
            &nb["line"],
            &nb["column"],
            &nb["end_line"],
            &nb["end_column"]
        ),
        (
            &Value::from(5),
            &Value::from(2),
            &Value::from(17),
            &Value::from(2),
            &Value::from(35)
        )
    );
    let leak = &diagnostics[1];
    assert!(leak["cell"].is_null());
    assert_eq!(
        (&leak["line"], &leak["column"]),
        (&Value::from(9), &Value::from(5))
    );
    let related = leak["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{leak}");
    assert_eq!(related[0]["path"], "src/train/leak.py");
    assert!(related[0]["cell"].is_null());
    assert_eq!(related[0]["line"], 10);
    assert_eq!(related[0]["column"], 26);
}

#[test]
fn json_diagnostics_are_sorted_and_deterministic() {
    let dir = TempDir::new("cli-sorted");
    let many = "import numpy as np\nimport pandas as pd\n\
                a = pd.read_csv(\"/Users/ana/b.csv\"); b = pd.read_csv(\"/Users/ana/a.csv\")\n\
                x = np.random.rand(3)\n";
    for name in ["b.py", "a.py", "z/c.py", "A.py", "m/n/o.py"] {
        dir.write(name, many);
    }
    dir.write("nb/one.ipynb", warning_notebook());
    dir.write(
        "nb/two.ipynb",
        notebook(&[
            Cell::Code(Some(1), "import numpy as np\nx = np.random.rand(3)\n"),
            Cell::Code(
                Some(2),
                "import pandas as pd\npd.read_csv(\"/Users/ana/z.csv\")\n",
            ),
        ]),
    );
    dir.write("leak.py", LEAK_PY);
    dir.write("pyproject.toml", "[tool.mlready]\npreview = true\n");

    let first = dir.run(&["check", "--format", "json"]);
    first.expect_code(1);
    let value = first.json();
    let diagnostics = value["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 15, "{}", first.stdout);
    let keys: Vec<_> = diagnostics.iter().map(sort_key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    // Two findings on one line come in column order.
    let line3: Vec<u64> = diagnostics
        .iter()
        .filter(|d| d["path"] == "a.py" && d["line"] == 3)
        .map(|d| d["column"].as_u64().unwrap())
        .collect();
    assert_eq!(line3.len(), 2, "{}", first.stdout);
    assert!(line3[0] < line3[1]);

    for _ in 0..3 {
        let again = dir.run(&["check", "--format", "json"]);
        assert_eq!(again.stdout, first.stdout);
    }
    let concise = dir.run(&["check", "--format", "concise"]);
    let again = dir.run(&["check", "--format", "concise"]);
    // The summary line holds the elapsed time; everything above it must be identical.
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("Checked "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&concise.stdout), strip(&again.stdout));
}

#[test]
fn concise_lines_name_path_cell_line_and_column() {
    let dir = TempDir::new("cli-concise");
    dir.write("src/warn.py", WARNING_PY);
    dir.write("nb/explore.ipynb", warning_notebook());
    let run = dir.run(&["check", "--format", "concise"]);
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("nb/explore.ipynb:cell 5:2:17: REPRO006 [warning] `/Users/ana/d.csv`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("src/warn.py:2:18: REPRO006 [warning] `/Users/ana/data.csv`"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("Checked 2 files in ") && lines[2].ends_with(": 2 warnings"),
        "{}",
        lines[2]
    );
}

#[test]
fn output_writes_the_report_to_a_file_and_nothing_to_stdout() {
    let dir = TempDir::new("cli-output");
    dir.write("warn.py", WARNING_PY);
    for (format, extra) in [
        ("json", None),
        ("concise", None),
        ("text", None),
        ("json", Some("-o")),
    ] {
        let flag = extra.unwrap_or("--output");
        let out = format!("report-{format}-{}.out", flag.trim_start_matches('-'));
        let run = dir.run(&["check", "warn.py", "--format", format, flag, &out]);
        run.expect_code(1);
        assert!(run.stdout.is_empty(), "{format}: {}", run.stdout);
        let written = std::fs::read_to_string(dir.join(&out)).expect("the report file exists");
        assert!(written.contains("REPRO006"), "{format}: {written}");
        if format == "json" {
            let value: Value = serde_json::from_str(&written).expect("valid JSON");
            assert_eq!(value["diagnostics"][0]["code"], "REPRO006");
        }
        // Colour never goes to a file.
        assert!(!written.contains('\x1b'), "{format}: {written:?}");
    }
    // A folder that does not exist cannot hold the report: an error, exit 2.
    let run = dir.run(&["check", "warn.py", "--output", "no/such/dir/report.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("report.json"), "{}", run.stderr);
}

#[test]
fn text_format_ends_with_the_summary_and_has_no_colour_when_piped() {
    let dir = TempDir::new("cli-text");
    dir.write("warn.py", WARNING_PY);
    dir.write("clean.py", CLEAN_PY);
    let run = dir.run(&["check", "."]);
    run.expect_code(1);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(
        run.stdout
            .contains("warn.py:2:18: REPRO006 [warning] absolute-local-path")
    );
    assert!(run.stdout.contains("rules/REPRO006-absolute-local-path.md"));
    let last = run.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("Checked 2 files in ") && last.ends_with(": 1 warning"),
        "{last}"
    );
    let clean = dir.run(&["check", "clean.py"]);
    assert!(
        clean.stdout.trim_end().ends_with(": no findings"),
        "{}",
        clean.stdout
    );
}

/// Runs the binary under a pseudo-terminal (util-linux `script`), so that colour is on unless
/// something turns it off. `None` when no `script` is available.
fn run_in_terminal(dir: &TempDir, args: &str, no_color: bool) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let mut command = std::process::Command::new(script);
    command
        .args(["-qec", &format!("{} {args}", common::binary()), "/dev/null"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let dir = TempDir::new("cli-color");
    dir.write("warn.py", WARNING_PY);
    let piped = dir.run_env(&["check", "warn.py"], &[("NO_COLOR", "1")]);
    assert!(!piped.stdout.contains('\x1b'));
    let Some(coloured) = run_in_terminal(&dir, "check warn.py", false) else {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    };
    if !coloured.contains("REPRO006") {
        eprintln!("skipped: `script` did not run the binary: {coloured}");
        return;
    }
    assert!(
        coloured.contains('\x1b'),
        "a terminal gets colour: {coloured:?}"
    );
    let plain = run_in_terminal(&dir, "check warn.py", true).unwrap();
    assert!(plain.contains("REPRO006"), "{plain}");
    assert!(!plain.contains('\x1b'), "NO_COLOR is honoured: {plain:?}");
    let flag = run_in_terminal(&dir, "check warn.py --no-color", false).unwrap();
    assert!(!flag.contains('\x1b'), "--no-color is honoured: {flag:?}");
}

// ---------------------------------------------------------------------------------------------
// The rule book

#[test]
fn rule_prints_the_page_by_code_or_name() {
    let dir = TempDir::new("cli-rule");
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/LEAK001-preprocessing-before-split.md"
    ))
    .unwrap();
    let by_code = dir.run(&["rule", "LEAK001"]);
    by_code.expect_code(0);
    assert_eq!(by_code.stdout.trim_end(), page.trim_end());
    assert!(by_code.stdout.contains("## What it does"));

    let by_name = dir.run(&["rule", "preprocessing-before-split"]);
    by_name.expect_code(0);
    assert_eq!(by_name.stdout, by_code.stdout);

    let lower = dir.run(&["rule", "leak001"]);
    lower.expect_code(0);
    assert_eq!(lower.stdout, by_code.stdout);

    let unknown = dir.run(&["rule", "NOPE"]);
    unknown.expect_code(2);
    assert!(unknown.stdout.is_empty(), "{}", unknown.stdout);
    assert!(unknown.stderr.contains("NOPE"), "{}", unknown.stderr);

    dir.run(&["rule"]).expect_code(2);
}

#[test]
fn rules_lists_every_rule() {
    let dir = TempDir::new("cli-rules");
    let registered: Vec<_> = mlready::registry::all().collect();
    assert!(!registered.is_empty());

    let text = dir.run(&["rules"]);
    text.expect_code(0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert!(lines[0].starts_with("CODE"), "{}", text.stdout);
    assert_eq!(lines.len(), registered.len() + 1, "{}", text.stdout);
    for (line, rule) in lines[1..].iter().zip(&registered) {
        assert!(line.starts_with(rule.code), "{line}");
        assert!(line.contains(rule.name), "{line}");
    }

    let json = dir.run(&["rules", "--format", "json"]);
    json.expect_code(0);
    let value = json.json();
    let array = value.as_array().expect("an array");
    assert_eq!(array.len(), registered.len());
    for (item, rule) in array.iter().zip(&registered) {
        assert_eq!(
            keys(item),
            BTreeSet::from([
                "code",
                "name",
                "family",
                "severity",
                "severities",
                "scope",
                "summary",
                "url",
                "source",
                "preview",
                "preview_severities",
                "precision"
            ]),
            "{item}"
        );
        assert_eq!(item["code"], rule.code);
        assert_eq!(item["preview"], rule.preview);
        assert_eq!(
            item["precision"].as_array().map(Vec::len),
            Some(mlready::precision::measures(rule.code).len()),
            "{item}"
        );
        assert_eq!(item["name"], rule.name);
        assert_eq!(item["family"], rule.family);
        assert_eq!(item["severity"], rule.severity.as_str());
        let severities: Vec<&str> = rule.severities().iter().map(|s| s.as_str()).collect();
        assert_eq!(item["severities"], serde_json::json!(severities), "{item}");
        assert_eq!(item["severities"][0], item["severity"], "{item}");
        assert_eq!(item["scope"], rule.scope.as_str());
        let summary = item["summary"].as_str().unwrap();
        assert!(!summary.is_empty() && !summary.contains('\n'), "{item}");
        let url = item["url"].as_str().unwrap();
        assert!(
            url.ends_with(&format!("rules/{}-{}.md", rule.code, rule.name)),
            "{url}"
        );
        let source = item["source"].as_str().unwrap();
        assert!(
            source.starts_with("src/rules/") && source.contains(".rs:"),
            "{source}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery

#[test]
fn gitignored_files_and_virtualenvs_are_skipped() {
    let dir = TempDir::new("cli-discover");
    dir.write("proj/.gitignore", "generated.py\nscratch/\n");
    dir.write("proj/generated.py", WARNING_PY);
    dir.write("proj/scratch/try.py", WARNING_PY);
    dir.write("proj/.venv/lib/site.py", WARNING_PY);
    dir.write("proj/venv/lib/site.py", WARNING_PY);
    dir.write("proj/__pycache__/x.py", WARNING_PY);
    dir.write(
        "proj/.ipynb_checkpoints/nb-checkpoint.ipynb",
        warning_notebook(),
    );
    dir.write("proj/notes.txt", WARNING_PY);
    dir.write("proj/src/kept.py", WARNING_PY);
    let run = dir.run(&["check", "proj", "--format", "json"]);
    run.expect_code(1);
    let value = run.json();
    assert_eq!(value["files_checked"], 1, "{}", run.stdout);
    assert_eq!(value["diagnostics"][0]["path"], "proj/src/kept.py");

    // The working directory as the root: same result, shorter paths.
    let run = common::run_in(&dir.join("proj"), &["check", "--format", "json"], &[]);
    assert_eq!(run.json()["files_checked"], 1, "{}", run.stdout);
    assert_eq!(run.json()["diagnostics"][0]["path"], "src/kept.py");
}

#[test]
fn exclude_flag_skips_matching_files_and_folders() {
    let dir = TempDir::new("cli-exclude");
    dir.write("proj/a.py", WARNING_PY);
    dir.write("proj/experiments/b.py", WARNING_PY);
    dir.write("proj/src/c_test.py", WARNING_PY);
    let run = dir.run(&[
        "check",
        "proj",
        "--exclude",
        "experiments",
        "--exclude",
        "*_test.py",
        "--format",
        "json",
    ]);
    run.expect_code(1);
    let value = run.json();
    assert_eq!(value["files_checked"], 1, "{}", run.stdout);
    assert_eq!(value["diagnostics"][0]["path"], "proj/a.py");

    // Excluding the only file: nothing to check, exit 0.
    let run = dir.run(&[
        "check",
        "proj/a.py",
        "--exclude",
        "a.py",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["files_checked"], 0);
}

#[test]
fn severity_overrides_change_the_report_and_the_exit_code() {
    let dir = TempDir::new("cli-severity");
    dir.write("proj/warn.py", WARNING_PY);
    dir.write("proj/mlready.toml", "[severity]\nREPRO006 = \"error\"\n");
    let run = dir.run(&["check", "proj", "--fail-on", "error", "--format", "json"]);
    run.expect_code(1);
    let value = run.json();
    assert_eq!(value["diagnostics"][0]["severity"], "error");
    assert_eq!(value["summary"]["error"], 1);
    assert_eq!(value["summary"]["warning"], 0);

    // The most specific selector wins.
    dir.write(
        "proj/mlready.toml",
        "severity = { REPRO = \"error\", REPRO006 = \"info\" }\n",
    );
    let run = dir.run(&["check", "proj", "--format", "concise"]);
    run.expect_code(0);
    assert!(run.stdout.contains("REPRO006 [info]"), "{}", run.stdout);
}

#[test]
fn selectors_accept_prefixes_and_names() {
    let dir = TempDir::new("cli-selectors");
    dir.write("warn.py", WARNING_PY);
    dir.write("leak.py", LEAK_PY);
    for (selector, expected) in [
        ("LEAK0", vec!["LEAK001"]),
        ("REPRO", vec!["REPRO006"]),
        ("absolute-local-path", vec!["REPRO006"]),
        ("ALL", vec!["LEAK001", "REPRO006"]),
    ] {
        let run = dir.run(&["check", ".", "--select", selector, "--format", "json"]);
        assert_eq!(run.codes(), expected, "--select {selector}");
    }
}

#[test]
fn a_missing_config_file_exits_2() {
    let dir = TempDir::new("cli-missing-config");
    dir.write("warn.py", WARNING_PY);
    let run = dir.run(&["check", "warn.py", "--config", "nope.toml"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nope.toml"), "{}", run.stderr);
}

#[test]
fn rule_json_carries_the_page() {
    let dir = TempDir::new("cli-rule-json");
    let run = dir.run(&["rule", "REPRO006", "--format", "json"]);
    run.expect_code(0);
    let value = run.json();
    assert_eq!(value["code"], "REPRO006");
    assert_eq!(value["name"], "absolute-local-path");
    let rule = mlready::registry::find("REPRO006").unwrap();
    assert_eq!(value["doc"], rule.doc);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = TempDir::new("cli-pipe");
    // Enough findings to overflow any pipe buffer.
    let mut text = String::from("import pandas as pd\n");
    for i in 0..3000 {
        text.push_str(&format!("df{i} = pd.read_csv(\"/Users/ana/d{i}.csv\")\n"));
    }
    dir.write("many.py", text);
    let mut child = Command::new(common::binary())
        .args(["check", "many.py", "--format", "concise"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("many.py:2:19: REPRO006"), "{first}");
    // The reader is gone (stdout dropped above), like `mlready check | head -1`.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?}",
        output.status
    );
}

#[test]
fn text_and_concise_agree_on_columns_after_non_ascii_text() {
    let dir = TempDir::new("cli-columns");
    dir.write("é.py", "s = \"😀é\"; p = \"/Users/ana/x.csv\"\n");
    let concise = dir.run(&["check", "é.py", "--format", "concise"]);
    assert!(
        concise.stdout.starts_with("é.py:1:15: REPRO006"),
        "{}",
        concise.stdout
    );
    let text = dir.run(&["check", "é.py"]);
    assert!(
        text.stdout.starts_with("é.py:1:15: REPRO006"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("[é.py:1:15]"), "{}", text.stdout);
}

/// The README's demo command: the shipped demo project shows every rule of this release, each
/// at the place the README describes.
#[test]
fn demo_project_shows_its_debts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = common::run_in(
        root,
        &["check", "examples/churn-demo", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, Some(1), "the demo has findings");
    let json = run.json();
    let found: BTreeSet<(String, String, Option<u64>, u64)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["path"].as_str().unwrap_or("").to_string(),
                d["cell"].as_u64(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let nb = "examples/churn-demo/explore.ipynb";
    for (code, path, cell, line) in [
        ("NB006", nb, Some(2), 1),
        ("LEAK001", nb, Some(6), 3),
        ("NB001", nb, Some(7), 1),
        // `sns` is never imported: the notebook fails Restart & Run All.
        ("NB002", nb, Some(10), 1),
        ("LEAK001", "examples/churn-demo/train.py", None, 17),
        ("REPRO001", "examples/churn-demo/train.py", None, 21),
        ("REPRO006", "examples/churn-demo/train.py", None, 12),
        ("MON004", "examples/churn-demo/serve.py", None, 25),
        ("SKEW003", "examples/churn-demo/ltv.py", None, 13),
        ("SKEW002", "examples/churn-demo/ltv.py", None, 14),
        ("LEAK006", "examples/churn-demo/ltv.py", None, 22),
        ("CHAIN002", "examples/churn-demo/ltv.py", None, 25),
        // Project-wide: the API never builds a training feature, the scaler is not shipped
        // with the model, and nothing watches or logs the served model.
        ("SKEW001", "examples/churn-demo/train.py", None, 22),
        ("SKEW005", "examples/churn-demo/train.py", None, 25),
        ("MON001", "examples/churn-demo/serve.py", None, 22),
        ("MON002", "examples/churn-demo/serve.py", None, 22),
    ] {
        assert!(
            found.contains(&(code.to_string(), path.to_string(), cell, line)),
            "{code} at {path} cell {cell:?} line {line} missing from {found:?}"
        );
    }
}

/// Files given one by one still make one project (their nearest folder with a
/// pyproject.toml): the training script and the API are joined, the finding sits at the
/// training fit and its related place is the handler in the other file.
#[test]
fn file_arguments_join_their_project_and_findings_point_across_files() {
    let dir = TempDir::new("project-files");
    dir.write("pyproject.toml", "[project]\nname = \"churn\"\n");
    dir.write(
        "train.py",
        "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
         df = pd.read_csv(\"data/customers.csv\")\n\
         df[\"tickets\"] = df[\"ticket_count\"] * 2\n\
         model = LogisticRegression(random_state=0).fit(df[[\"age\", \"tickets\"]], df[\"churned\"])\n\
         joblib.dump(model, \"models/churn.joblib\")\n",
    );
    dir.write(
        "app/main.py",
        "import logging\nimport joblib\nimport pandas as pd\nfrom fastapi import FastAPI\nfrom pydantic import BaseModel\n\
         app = FastAPI()\nmodel = joblib.load(\"models/churn.joblib\")\n\
         class Request(BaseModel):\n    age: int\n\
         @app.post(\"/predict\")\ndef predict(req: Request):\n    p = model.predict_proba(pd.DataFrame([req.dict()]))[0, 1]\n    logging.info(\"scored %s: %s\", req.dict(), p)\n    return {\"p\": p}\n",
    );
    let run = dir.run(&[
        "check",
        "train.py",
        "app/main.py",
        "--format",
        "json",
        "--select",
        "SKEW001",
    ]);
    let json = run.json();
    let diagnostics = json["diagnostics"].as_array().expect("an array");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let finding = &diagnostics[0];
    assert_eq!(finding["code"], "SKEW001");
    assert_eq!(finding["path"], "train.py");
    assert_eq!(finding["line"], 6);
    assert!(finding["message"].as_str().unwrap().contains("`tickets`"));
    let related = finding["related"].as_array().expect("related places");
    assert!(
        related
            .iter()
            .any(|r| r["path"] == "app/main.py" && r["line"] == 11),
        "{related:?}"
    );
    // Each file alone is no project that serves the model: nothing to compare.
    let alone = dir.run(&[
        "check",
        "app/main.py",
        "--select",
        "SKEW001",
        "--format",
        "json",
    ]);
    assert_eq!(alone.json()["diagnostics"], serde_json::json!([]));
}

/// `--stdin-filename`: editors and notebook front ends pipe the unsaved text; it is checked as
/// that file (a notebook when the name says so), under the configuration of its folder, and
/// nothing is read from disk.
/// A run that checks no file says why on standard error, so "Checked 0 files" is not read as
/// a pass; `--quiet` leaves the warning out.
#[test]
fn a_run_that_checks_nothing_says_why() {
    let dir = TempDir::new("checks-nothing");
    dir.write("notes.txt", "train the model\n");
    dir.write("docs/index.md", "# Churn\n");
    for args in [&["check", "notes.txt"][..], &["check", "docs"]] {
        let run = dir.run(args);
        run.expect_code(0);
        assert!(run.stdout.contains("Checked 0 files"), "{}", run.stdout);
        assert!(
            run.stderr
                .contains("warning: no Python file or notebook to check under the given path(s)"),
            "{args:?}: {}",
            run.stderr
        );
        let mut quiet = args.to_vec();
        quiet.push("--quiet");
        let run = dir.run(&quiet);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
    // A run that checks a file says nothing of the kind.
    dir.write("train.py", common::CLEAN_PY);
    let run = dir.run(&["check", "."]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

/// `--stdin-filename` checks standard input as if the named file held it: a file that the
/// configuration excludes is not checked (what an editor sends for an excluded file).
#[test]
fn stdin_named_as_an_excluded_file_is_not_checked() {
    let dir = TempDir::new("stdin-excluded");
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nexclude = [\"notebooks/scratch\"]\n",
    );
    let named = |name: &str| {
        common::run_with_stdin(
            dir.path(),
            &["check", "--stdin-filename", name, "--format", "json"],
            common::WARNING_PY.as_bytes(),
        )
    };
    let excluded = named("notebooks/scratch/try.py");
    assert_eq!(excluded.code, Some(0), "{}", excluded.stderr);
    assert_eq!(excluded.json()["files_checked"], 0);
    assert_eq!(excluded.json()["diagnostics"], serde_json::json!([]));
    assert!(
        excluded.stderr.contains(
            "warning: `notebooks/scratch/try.py` is excluded by the configuration's `exclude`"
        ),
        "{}",
        excluded.stderr
    );
    // The same text under a name the configuration keeps is checked.
    let kept = named("notebooks/try.py");
    assert_eq!(kept.code, Some(1), "{}", kept.stderr);
    assert_eq!(kept.json()["files_checked"], 1);
    assert_eq!(kept.json()["diagnostics"][0]["code"], "REPRO006");
}

#[test]
fn stdin_is_checked_as_the_named_file() {
    let dir = TempDir::new("stdin");
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nignore = [\"REPRO006\"]\n",
    );
    let run = common::run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "src/train.py",
            "--format",
            "json",
        ],
        common::WARNING_PY.as_bytes(),
    );
    // WARNING_PY has one REPRO006, which this folder's configuration ignores.
    assert_eq!(
        run.json()["diagnostics"],
        serde_json::json!([]),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(0));
    let leak = "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n\
                from sklearn.model_selection import train_test_split\n\
                from sklearn.linear_model import LogisticRegression\n\
                df = pd.read_csv(\"data.csv\")\nX = StandardScaler().fit_transform(df[[\"a\"]])\n\
                X_tr, X_te, y_tr, y_te = train_test_split(X, df[\"y\"], random_state=0)\n\
                m = LogisticRegression().fit(X_tr, y_tr)\nprint(m.score(X_te, y_te))\n";
    let notebook = common::notebook_json(vec![serde_json::json!({
        "cell_type": "code",
        "execution_count": null,
        "metadata": {},
        "outputs": [],
        "source": leak,
    })]);
    let run = common::run_with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "nb/explore.ipynb",
            "--format",
            "json",
        ],
        notebook.as_bytes(),
    );
    let json = run.json();
    let diagnostics = json["diagnostics"].as_array().expect("an array");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "LEAK001" && d["path"] == "nb/explore.ipynb" && d["cell"] == 1),
        "{diagnostics:?}"
    );
    assert!(!dir.join("nb/explore.ipynb").exists());
}

/// A folder on standard input is the caller's mistake, said as such, not an internal error.
#[cfg(unix)]
#[test]
fn a_folder_on_standard_input_is_named_as_such() {
    let dir = TempDir::new("stdin-folder");
    let output = std::process::Command::new(common::binary())
        .args(["check", "--stdin-filename", "train.py", "--no-color"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path()).unwrap())
        .output()
        .unwrap();
    let run = common::Run::from_output(output);
    run.expect_code(2);
    assert!(
        common::unwrapped(&run.stderr)
            .contains("standard input (checked as `train.py`) is a folder, not the text of a file"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
}

/// `check --show-settings` prints the resolved configuration with the origin of each value,
/// and checks nothing.
#[test]
fn show_settings_prints_each_value_and_its_origin() {
    let dir = TempDir::new("show-settings");
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nignore = [\"REPRO006\"]\n[tool.mlready.monitoring]\nexternal = \"datadog:churn\"\n",
    );
    dir.write(
        "proj/mlready.toml",
        "extend = \"../pyproject.toml\"\nselect = [\"LEAK\"]\n",
    );
    dir.write("proj/train.py", common::WARNING_PY);
    let run = common::run_in(
        &dir.join("proj"),
        &["check", ".", "--show-settings", "--fail-on", "info"],
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("# configuration file: mlready.toml"), "{out}");
    assert!(out.contains("select = [\"LEAK\"]  # mlready.toml"), "{out}");
    assert!(
        out.contains("ignore = [\"REPRO006\"]  # ../pyproject.toml"),
        "{out}"
    );
    assert!(
        out.contains("fail-on = \"info\"  # the command line"),
        "{out}"
    );
    assert!(out.contains("external = \"datadog:churn\""), "{out}");
    assert!(
        !out.contains("REPRO006 [warning]"),
        "nothing is checked: {out}"
    );
    // What the keys add up to: `select = ["LEAK"]` runs the LEAK rules out of preview, and the
    // PARSE rules, which run whatever is selected.
    let rules = dir.run(&["rules", "--format", "json"]).json();
    let mut expected: Vec<&str> = (rules.as_array().unwrap().iter())
        .filter(|rule| {
            let code = rule["code"].as_str().unwrap();
            code.starts_with("PARSE") || (code.starts_with("LEAK") && rule["preview"] == false)
        })
        .map(|rule| rule["code"].as_str().unwrap())
        .collect();
    expected.sort_unstable();
    let header = format!(
        "# rules that run: {} of {} ",
        expected.len(),
        rules.as_array().unwrap().len()
    );
    assert!(out.contains(&header), "{header}: {out}");
    let listed: Vec<&str> = (out.lines())
        .filter_map(|line| line.strip_prefix("#   "))
        .flat_map(str::split_whitespace)
        .collect();
    assert_eq!(listed, expected, "{out}");
}

/// Baselines: findings recorded with --write-baseline stay hidden when code is added above
/// them or moved; a new finding shows; a fixed one drops out of a rewritten baseline.
#[test]
fn baselines_hide_recorded_findings_wherever_the_code_moves() {
    let dir = TempDir::new("baseline");
    let unseeded = "from sklearn.ensemble import RandomForestClassifier\n\
                    from sklearn.model_selection import train_test_split\n\
                    def split(X, y):\n    return train_test_split(X, y)\n\
                    model = RandomForestClassifier()\n";
    dir.write("train.py", unseeded);
    // REPRO001 is a preview rule: this test is about baselines, so it runs the preview
    // rules, of the REPRO family only (CFG001 would also note the default forest).
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\npreview = true\nselect = [\"REPRO\"]\n",
    );
    let first = dir.run(&["check", ".", "--format", "json"]);
    let recorded = first.json()["diagnostics"].as_array().unwrap().len();
    assert_eq!(recorded, 2, "two REPRO001 to start from: {}", first.stdout);
    let wrote = dir.run(&["check", ".", "--write-baseline", "mlready-baseline.json"]);
    assert_eq!(wrote.code, Some(0), "{}", wrote.stderr);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("mlready-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    let quiet = |dir: &TempDir| {
        let run = dir.run(&[
            "check",
            ".",
            "--format",
            "json",
            "--baseline",
            "mlready-baseline.json",
        ]);
        run.json()["diagnostics"].as_array().unwrap().clone()
    };
    assert!(quiet(&dir).is_empty());
    // Lines added above, and the function moved below the model.
    let moved = "\"\"\"Training.\"\"\"\nimport os\n\n\
                 from sklearn.ensemble import RandomForestClassifier\n\
                 from sklearn.model_selection import train_test_split\n\
                 model = RandomForestClassifier()\n\n\n\
                 def split(X, y):\n    return train_test_split(X, y)\n";
    dir.write("train.py", moved);
    assert!(quiet(&dir).is_empty(), "{:?}", quiet(&dir));
    // A new finding is reported, the recorded ones are not.
    dir.write(
        "train.py",
        format!("{moved}other = RandomForestClassifier()\n"),
    );
    let new = quiet(&dir);
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["line"], 11);
    // The model gets its seed: the rewritten baseline records one finding fewer.
    dir.write(
        "train.py",
        moved.replace(
            "RandomForestClassifier()",
            "RandomForestClassifier(random_state=0)",
        ),
    );
    dir.run(&["check", ".", "--write-baseline", "mlready-baseline.json"]);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("mlready-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 1);
    // A file that is not a baseline is a usage error.
    dir.write("bad.json", "{");
    let bad = dir.run(&["check", ".", "--baseline", "bad.json"]);
    assert_eq!(bad.code, Some(2));
}

/// A baseline that cannot be read and a report that cannot be written are errors before the
/// analysis (which may take minutes), not after it: no cache is written, nothing is checked.
#[test]
fn a_missing_baseline_or_an_unwritable_report_fails_before_the_analysis() {
    let dir = TempDir::new("cli-early");
    dir.write("pyproject.toml", "");
    dir.write("warn.py", WARNING_PY);
    let cache = dir.join(".mlready_cache");
    for (args, message) in [
        (
            &["--baseline", "missing.json"][..],
            "baseline file `missing.json` does not exist",
        ),
        (
            &["--output", "nowhere/report.json"][..],
            "nowhere/report.json: cannot write the report",
        ),
        (&["--output", "."][..], ".: cannot write the report"),
        (
            &["--write-baseline", "nowhere/baseline.json"][..],
            "nowhere/baseline.json: cannot write the report",
        ),
    ] {
        let run = dir.run(&[&["check", "warn.py", "--no-color"], args].concat());
        run.expect_code(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(!cache.exists(), "{args:?}: the analysis ran");
    }
    // The same run with a writable report analyses (and caches) as usual; an old report is
    // kept until the new one is written.
    dir.write("report.json", "old");
    dir.run(&[
        "check",
        "warn.py",
        "--output",
        "report.json",
        "--format",
        "json",
    ])
    .expect_code(1);
    assert!(cache.exists());
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert!(
        report.starts_with('{') && report.contains("REPRO006"),
        "{report}"
    );
    // A report file the failed run created is not left behind.
    dir.run(&[
        "check", "warn.py", "--select", "NOPE1", "--output", "new.json",
    ])
    .expect_code(2);
    assert!(!dir.join("new.json").exists());
}

/// A baseline written by another mlready is applied, with a warning that names both versions
/// and says how to regenerate it; a baseline of another format is refused.
#[test]
fn a_baseline_from_another_version_is_applied_with_a_warning() {
    let dir = TempDir::new("cli-baseline-version");
    dir.write("warn.py", WARNING_PY);
    dir.run(&["check", "warn.py", "--write-baseline", "b.json"])
        .expect_code(0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(written["mlready"], version);
    let same = dir.run(&["check", "warn.py", "--baseline", "b.json"]);
    same.expect_code(0);
    assert!(same.stderr.is_empty(), "{}", same.stderr);

    let mut older = written.clone();
    older["mlready"] = "0.0.1".into();
    dir.write("b.json", older.to_string());
    let run = dir.run(&["check", "warn.py", "--baseline", "b.json"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "warning: the baseline b.json was written by mlready 0.0.1, and this is mlready \
             {version}: it is applied"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("regenerate it with `mlready check --write-baseline b.json`"),
        "{}",
        run.stderr
    );

    let mut future = written;
    future["version"] = 3.into();
    dir.write("b.json", future.to_string());
    let run = dir.run(&["check", "warn.py", "--baseline", "b.json", "--no-color"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("b.json: the baseline has format version 3"),
        "{}",
        run.stderr
    );
}

/// A baseline names files relative to the folder it is in: written by CI at the repository's
/// root, it hides the same findings for a developer in a sub-folder, and the other way round.
/// A baseline of the first format (paths relative to the working directory of the run that
/// wrote it) is still read as it was written.
#[test]
fn a_baseline_matches_from_any_working_directory() {
    let dir = TempDir::new("cli-baseline-anchor");
    dir.write("proj/pyproject.toml", "");
    dir.write("proj/src/train.py", WARNING_PY);
    dir.write("proj/.mlready/keep", "");
    let proj = dir.join("proj");
    let src = dir.join("proj/src");
    common::run_in(
        &proj,
        &["check", ".", "--write-baseline", ".mlready/b.json"],
        &[],
    )
    .expect_code(0);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("proj/.mlready/b.json")).unwrap())
            .unwrap();
    assert_eq!(written["version"], 2);
    assert_eq!(written["findings"][0]["path"], "../src/train.py");
    for (cwd, args) in [
        (&proj, &["check", ".", "--baseline", ".mlready/b.json"][..]),
        (
            &src,
            &["check", ".", "--baseline", "../.mlready/b.json"][..],
        ),
        (
            &src,
            &["check", "train.py", "--baseline", "../.mlready/b.json"][..],
        ),
        (
            &dir.path().to_path_buf(),
            &["check", "proj", "--baseline", "proj/.mlready/b.json"][..],
        ),
    ] {
        let run = common::run_in(cwd, args, &[]);
        run.expect_code(0);
        assert!(
            run.stdout
                .contains("no findings (1 hidden by the baseline)"),
            "{args:?} in {}: {}",
            cwd.display(),
            run.stdout
        );
    }
    // A new finding in the same file is still reported.
    dir.write(
        "proj/src/train.py",
        format!("{WARNING_PY}other = pd.read_csv(\"/home/bo/x.csv\")\n"),
    );
    let run = common::run_in(
        &src,
        &["check", ".", "--baseline", "../.mlready/b.json"],
        &[],
    );
    run.expect_code(1);
    assert!(
        run.stdout.contains("(1 hidden by the baseline)"),
        "{}",
        run.stdout
    );

    // The first format: written from proj/ with its paths as proj/ saw them, then moved.
    dir.write("proj/src/train.py", WARNING_PY);
    common::run_in(&proj, &["check", ".", "--write-baseline", "b.json"], &[]).expect_code(0);
    let mut first: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("proj/b.json")).unwrap()).unwrap();
    assert_eq!(first["findings"][0]["path"], "src/train.py");
    first["version"] = 1.into();
    dir.write("proj/old/b1.json", first.to_string());
    let run = common::run_in(&proj, &["check", ".", "--baseline", "old/b1.json"], &[]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("(1 hidden by the baseline)"),
        "{}",
        run.stdout
    );
}

/// A prefix or `ALL` does not bring preview rules in: `check` says which it left out, so a user
/// who selected `SKEW` knows why SKEW001 is silent, and says nothing when none is left out.
#[test]
fn a_selection_says_which_preview_rules_it_leaves_out() {
    let dir = TempDir::new("cli-preview-note");
    dir.write("warn.py", WARNING_PY);
    let prefix = dir.run(&["check", "warn.py", "--select", "SKEW"]);
    assert!(
        prefix.stderr.contains("note: the selection matches")
            && prefix
                .stderr
                .contains("preview rule(s) that do not run (SKEW001, ")
            && prefix.stderr.contains("add `--preview`"),
        "{}",
        prefix.stderr
    );
    // Ignored rules are not listed.
    let ignored = dir.run(&[
        "check", "warn.py", "--select", "SKEW", "--ignore", "SKEW001",
    ]);
    assert!(!ignored.stderr.contains("SKEW001"), "{}", ignored.stderr);
    for quiet in [
        &["check", "warn.py"][..],
        &["check", "warn.py", "--select", "SKEW", "--preview"][..],
        &["check", "warn.py", "--select", "SKEW001"][..],
        &["check", "warn.py", "--select", "SKEW", "-q"][..],
    ] {
        let run = dir.run(quiet);
        assert!(
            !run.stderr.contains("preview rule"),
            "{quiet:?}: {}",
            run.stderr
        );
    }
}

/// A heuristic branch that is still preview (SKEW005 on a model no file of the project loads)
/// reports only in preview mode: `--preview` or `preview = true`.
#[test]
fn preview_branches_report_only_in_preview_mode() {
    let dir = TempDir::new("cli-preview-branch");
    dir.write("requirements.txt", "scikit-learn\n");
    dir.write(
        "train.py",
        "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
         from sklearn.preprocessing import StandardScaler\n\
         df = pd.read_csv('data.csv')\n\
         scaler = StandardScaler().fit(df[['a', 'b']])\n\
         model = LogisticRegression().fit(scaler.transform(df[['a', 'b']]), df['y'])\n\
         joblib.dump(model, 'model.joblib')\n",
    );
    let codes = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json", "--select", "SKEW005", "."];
        all.extend_from_slice(args);
        dir.run(&all).codes()
    };
    assert!(codes(&[]).is_empty(), "hidden by default");
    assert_eq!(codes(&["--preview"]), vec!["SKEW005"]);
    dir.write("pyproject.toml", "[tool.mlready]\npreview = true\n");
    assert_eq!(
        codes(&[]),
        vec!["SKEW005"],
        "preview = true in the configuration"
    );
    assert!(
        codes(&["--no-preview"]).is_empty(),
        "--no-preview wins over the file"
    );
    // A file of the project that loads the model makes the finding a default one.
    dir.write("pyproject.toml", "[tool.mlready]\n");
    dir.write(
        "serve.py",
        "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\n\
         model = joblib.load('model.joblib')\n\
         @app.post('/predict')\ndef predict(a: float, b: float):\n    return model.predict([[a, b]]).tolist()\n",
    );
    assert_eq!(codes(&[]), vec!["SKEW005"]);
}

/// Preview rules are listed as such and run only in preview mode or when selected by their
/// exact code or name; a prefix or ALL does not bring them in.
#[test]
fn preview_rules_run_with_preview_or_their_code() {
    let rule = mlready::registry::find("REPRO001").expect("REPRO001 exists");
    let dir = TempDir::new("cli-preview-rule");
    dir.write(
        "draws.py",
        "import numpy as np\nnoise = np.random.rand(3)\n",
    );
    let found = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json", "draws.py"];
        all.extend_from_slice(args);
        dir.run(&all).codes().contains(&"REPRO001".to_string())
    };
    // By default the rule runs exactly when it is not preview.
    assert_eq!(found(&[]), !rule.preview);
    assert_eq!(found(&["--select", "REPRO"]), !rule.preview);
    assert_eq!(found(&["--select", "ALL"]), !rule.preview);
    assert!(found(&["--preview"]));
    assert!(found(&["--select", "REPRO001"]));
    assert!(found(&["--select", "unseeded-randomness"]));
    assert!(found(&["--extend-select", "REPRO001"]));
    assert!(!found(&["--preview", "--ignore", "REPRO001"]));

    let listed = dir.run(&["rules"]);
    let line = listed
        .stdout
        .lines()
        .find(|l| l.starts_with(rule.code))
        .expect("the rule is listed");
    assert!(line.contains(rule.tier()), "{line}");
    let page = dir.run(&["rule", rule.code]);
    assert_eq!(
        page.stdout.contains("Preview"),
        rule.preview,
        "{}",
        page.stdout
    );
    let settings = dir.run(&["check", "--show-settings", "--preview"]);
    assert!(
        settings.stdout.contains("preview = true"),
        "{}",
        settings.stdout
    );
}

/// A suppression of a finding that a preview branch makes is used, in preview mode or not: it
/// is not reported as unused (SUP001) when the finding is hidden.
#[test]
fn suppressing_a_preview_branch_is_not_unused() {
    let dir = TempDir::new("cli-preview-suppressed");
    dir.write(
        "cv.py",
        "import pandas as pd\nfrom sklearn.feature_selection import SelectKBest\n\
         from sklearn.linear_model import LogisticRegression\n\
         from sklearn.model_selection import cross_val_score\n\
         df = pd.read_csv('d.csv')\nX, y = df.drop(columns='y'), df['y']\n\
         X_sel = SelectKBest(k=5).fit_transform(X, y)\n\
         print(cross_val_score(LogisticRegression(), X_sel, y, cv=5))  # mlready: ignore[LEAK008]\n",
    );
    let codes = |args: &[&str]| {
        let mut all = vec![
            "check",
            "--format",
            "json",
            "--select",
            "LEAK008,SUP001",
            "cv.py",
        ];
        all.extend_from_slice(args);
        dir.run(&all).codes()
    };
    assert!(codes(&[]).is_empty(), "{:?}", codes(&[]));
    assert!(codes(&["--preview"]).is_empty());
    // Without the suppression, the finding shows in preview mode only.
    let text = std::fs::read_to_string(dir.join("cv.py")).unwrap();
    dir.write("cv.py", text.replace("  # mlready: ignore[LEAK008]", ""));
    assert!(codes(&[]).is_empty());
    assert_eq!(codes(&["--preview"]), vec!["LEAK008"]);
}
