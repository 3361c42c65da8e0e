//! The first ten minutes (issue 16): what a new user meets first says what is wrong and how to
//! fix it. A misspelt rule gets a "did you mean", wherever it is written; `mlready rules` fits
//! the terminal and shows every severity a rule's findings can have; a merge conflict left in a
//! notebook or a script is named as such, at its line.

mod common;

use common::{Cell, TempDir, WARNING_PY, notebook};

/// The messages of the SUP001 findings of a `--format json` run, with their line.
fn sup001(run: &common::Run) -> Vec<(u64, String)> {
    run.json()["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .filter(|d| d["code"] == "SUP001")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_suppression_naming_a_misspelt_rule_suggests_the_rule() {
    let dir = TempDir::new("did-you-mean-suppression");
    dir.write(
        "t.py",
        "x = 1  # mlready: ignore[LAEK001]\n\
         y = 2  # mlready: ignore-file[preprocesing-before-split]\n\
         z = 3  # noqa: LAEK001\n\
         w = 4  # mlready: ignore[LAEK]\n\
         v = 5  # mlready: ignore[NOTHING999]\n\
         u = 6  # noqa: E501, B006, AIR001, NPY002\n",
    );
    let run = dir.run(&["check", "--format", "json", "t.py"]);
    assert_eq!(
        sup001(&run),
        [
            (
                1,
                "unknown rule `LAEK001`; did you mean `LEAK001`?".to_string()
            ),
            (
                2,
                "unknown rule `preprocesing-before-split`; did you mean \
                 `preprocessing-before-split`?"
                    .to_string()
            ),
            (
                3,
                "unknown rule `LAEK001`; did you mean `LEAK001`?".to_string()
            ),
            (4, "unknown rule `LAEK`; did you mean `LEAK`?".to_string()),
            // Nothing close: no guess.
            (
                5,
                "suppression names `NOTHING999`, which is not an mlready rule".to_string()
            ),
            // Codes of other tools in a `# noqa` are not ours, even one edit from ours.
        ]
    );
}

#[test]
fn a_suppression_in_a_notebook_cell_gets_the_suggestion_on_its_cell_and_line() {
    let dir = TempDir::new("did-you-mean-notebook");
    dir.write(
        "nb.ipynb",
        notebook(&[
            Cell::Markdown("# title\n"),
            Cell::Code(
                Some(1),
                "import pandas as pd\nx = 1  # mlready: ignore[REPOR006]\n",
            ),
        ]),
    );
    let run = dir.run(&["check", "--format", "json", "nb.ipynb"]);
    let json = run.json();
    let found: Vec<_> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "SUP001")
        .collect();
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["cell"], 2);
    assert_eq!(found[0]["line"], 2);
    assert_eq!(
        found[0]["message"],
        "unknown rule `REPOR006`; did you mean `REPRO006`?"
    );
}

#[test]
fn a_misspelt_selector_on_the_command_line_suggests_the_rule() {
    let dir = TempDir::new("did-you-mean-cli");
    dir.write("warn.py", WARNING_PY);
    for (flag, given, meant) in [
        ("--select", "LAEK001", "LEAK001"),
        ("--ignore", "REPOR006", "REPRO006"),
        ("--extend-select", "SKEWW", "SKEW"),
        (
            "--select",
            "preprocesing-before-split",
            "preprocessing-before-split",
        ),
    ] {
        let run = dir.run(&["check", flag, given, "warn.py"]);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains(&format!("`{given}` in `{flag}` matches no rule")),
            "{flag} {given}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("did you mean `{meant}`?")),
            "{flag} {given}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    let far = dir.run(&["check", "--select", "XYZ123", "warn.py"]);
    far.expect_code(2);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
    assert!(
        far.stderr.contains("`mlready rules` lists"),
        "{}",
        far.stderr
    );
}

#[test]
fn a_misspelt_selector_in_the_configuration_suggests_the_rule() {
    for (table, key, given, meant) in [
        ("select = [\"LAEK001\"]\n", "select", "LAEK001", "LEAK001"),
        ("ignore = [\"LAEK\"]\n", "ignore", "LAEK", "LEAK"),
        (
            "extend-select = [\"SKEWW\"]\n",
            "extend-select",
            "SKEWW",
            "SKEW",
        ),
        (
            "[tool.mlready.per-file-ignores]\n\"tests/*\" = [\"REPOR006\"]\n",
            "per-file-ignores",
            "REPOR006",
            "REPRO006",
        ),
        (
            "[tool.mlready.severity]\nLAEK001 = \"warning\"\n",
            "severity",
            "LAEK001",
            "LEAK001",
        ),
    ] {
        let dir = TempDir::new("did-you-mean-config");
        dir.write("warn.py", WARNING_PY);
        dir.write("pyproject.toml", format!("[tool.mlready]\n{table}"));
        let run = dir.run(&["check", "warn.py"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&format!(
                "pyproject.toml: `{given}` in `{key}` matches no rule"
            )),
            "{table}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("did you mean `{meant}`?")),
            "{table}: {}",
            run.stderr
        );
    }
}

#[test]
fn mlready_rule_with_a_misspelt_code_or_name_suggests_the_rule() {
    let dir = TempDir::new("did-you-mean-rule");
    let run = dir.run(&["rule", "LAEK001"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("unknown rule `LAEK001`; did you mean `LEAK001`?"),
        "{}",
        run.stderr
    );
    // A family prefix, valid in selectors, names the rules it covers.
    let family = dir.run(&["rule", "leak"]);
    family.expect_code(2);
    assert!(
        family.stderr.contains("`leak` is the prefix of")
            && family
                .stderr
                .contains("LEAK001 (preprocessing-before-split)"),
        "{}",
        family.stderr
    );
    assert!(!family.stderr.contains("SKEW001"), "{}", family.stderr);
    let by_name = dir.run(&["rule", "absolute-local-paht"]);
    by_name.expect_code(2);
    assert!(
        by_name
            .stderr
            .contains("did you mean `absolute-local-path`?"),
        "{}",
        by_name.stderr
    );
    // A long suggestion is wrapped whole, never cut at its hyphens, so it can be copied.
    let long = dir.run(&["rule", "preprocesing-before-split"]);
    long.expect_code(2);
    assert!(
        long.stderr.contains("`preprocessing-before-split`"),
        "{}",
        long.stderr
    );
    let far = dir.run(&["rule", "XYZ123"]);
    far.expect_code(2);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn mlready_rules_fits_columns_and_shows_every_severity() {
    let dir = TempDir::new("rules-width");
    for columns in ["60", "80", "120", "200"] {
        let run = dir.run_env(&["rules"], &[("COLUMNS", columns)]);
        run.expect_code(0);
        let width: usize = columns.parse().unwrap();
        for line in run.stdout.lines() {
            assert!(
                line.chars().count() <= width,
                "COLUMNS={columns}: {} characters: {line}",
                line.chars().count()
            );
        }
        // The row, and the line under it where the columns that do not fit go.
        let lines: Vec<&str> = run.stdout.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("LEAK001"))
            .expect("LEAK001 is listed");
        let leak001 = lines[at..lines.len().min(at + 2)].join("\n");
        assert!(leak001.contains("error/warning"), "{leak001}");
        assert!(run.stdout.contains('…'), "{}", run.stdout);
    }
    // Piped with no COLUMNS: whole lines, for grep.
    let whole = dir.run(&["rules"]);
    let leak001 = mlready::registry::find("LEAK001").unwrap();
    let line = whole
        .stdout
        .lines()
        .find(|l| l.starts_with("LEAK001"))
        .unwrap();
    assert!(line.ends_with(&leak001.summary()), "{line}");
    assert!(line.contains("error/warning"), "{line}");
    let sec002 = whole
        .stdout
        .lines()
        .find(|l| l.starts_with("SEC002"))
        .unwrap();
    assert!(sec002.contains("warning/error/info"), "{sec002}");
}

/// The text format's messages and help wrap to a terminal narrower than their usual 100
/// columns; source lines and the docs address are never wrapped.
#[test]
fn text_messages_wrap_to_a_narrow_terminal() {
    let dir = TempDir::new("text-width");
    dir.write(
        "leak.py",
        "import pandas as pd\n\
         from sklearn.preprocessing import StandardScaler\n\
         from sklearn.model_selection import train_test_split\n\
         from sklearn.linear_model import LogisticRegression\n\
         df = pd.read_csv(\"data/churn.csv\")\n\
         X = StandardScaler().fit_transform(df[[\"tenure\", \"monthly_charges\"]])\n\
         X_tr, X_te, y_tr, y_te = train_test_split(X, df[\"churned\"], random_state=0)\n\
         model = LogisticRegression().fit(X_tr, y_tr)\n\
         print(model.score(X_te, y_te))\n",
    );
    // The prose of a report: what is left once the source excerpt and its frame are gone.
    let widest_prose = |out: &str| {
        (out.lines())
            .filter(|line| !line.contains(['╭', '╰', '─', '·']))
            .filter(|line| !line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .filter(|line| !line.trim_start().starts_with("docs: "))
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0)
    };
    let wide = dir.run(&["check", "leak.py"]);
    wide.expect_code(1);
    assert!(wide.stdout.contains("LEAK001"), "{}", wide.stdout);
    assert!(widest_prose(&wide.stdout) > 60, "{}", wide.stdout);
    let narrow = dir.run_env(&["check", "leak.py"], &[("COLUMNS", "60")]);
    narrow.expect_code(1);
    assert!(widest_prose(&narrow.stdout) <= 60, "{}", narrow.stdout);
    assert!(
        narrow
            .stdout
            .contains("rules/LEAK001-preprocessing-before-split.md"),
        "the docs address is whole: {}",
        narrow.stdout
    );
    // A report written to a file keeps the usual width, whatever the terminal.
    let to_file = dir.run_env(
        &["check", "leak.py", "--output", "report.txt"],
        &[("COLUMNS", "60")],
    );
    to_file.expect_code(1);
    let written = std::fs::read_to_string(dir.join("report.txt")).unwrap();
    assert_eq!(
        widest_prose(&written),
        widest_prose(&wide.stdout),
        "{written}"
    );
}

#[test]
fn mlready_rules_json_and_rule_pages_give_every_severity() {
    let dir = TempDir::new("rules-severities");
    let json = dir.run(&["rules", "--format", "json"]).json();
    let leak001 = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "LEAK001")
        .unwrap();
    assert_eq!(leak001["severity"], "error");
    assert_eq!(
        leak001["severities"],
        serde_json::json!(["error", "warning"])
    );
    let one = dir.run(&["rule", "MON001", "--format", "json"]).json();
    assert_eq!(one["severities"], serde_json::json!(["warning", "info"]));
    let page = dir.run(&["rule", "LEAK001"]);
    let meta = page.stdout.lines().nth(2).unwrap_or("");
    assert!(
        meta.contains("error") && meta.contains("warning"),
        "{}",
        page.stdout
    );
}

/// (code, cell, line, message, help) of every diagnostic of a `--format json` run.
fn found(run: &common::Run) -> Vec<(String, Option<u64>, u64, String, String)> {
    run.json()["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["cell"].as_u64(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
                d["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const CONFLICTED_NOTEBOOK: &str = r#"{
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
<<<<<<< HEAD
   "source": ["x = 1\n"]}
=======
   "source": ["x = 2\n"]}
>>>>>>> feature/new-model
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

#[test]
fn a_merge_conflict_in_a_notebook_is_named_at_its_first_marker() {
    let dir = TempDir::new("conflict-notebook");
    dir.write("train.ipynb", CONFLICTED_NOTEBOOK);
    dir.write("warn.py", WARNING_PY);
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(1);
    let found = found(&run);
    assert_eq!(found.len(), 2, "{found:?}");
    let (code, cell, line, message, help) = &found[0];
    assert_eq!((code.as_str(), *cell, *line), ("PARSE003", None, 4));
    assert_eq!(
        message,
        "unresolved merge conflict: git's conflict marker `<<<<<<< HEAD` is still in the \
         notebook, so it is not valid JSON and no cell was checked"
    );
    assert!(help.contains("nbdime mergetool"), "{help}");
    assert!(
        help.contains("git checkout --ours -- train.ipynb"),
        "{help}"
    );
    assert!(!message.contains("key must be a string"), "{message}");
    // The other files are still checked.
    assert_eq!(found[1].0, "REPRO006");

    // Formats that name lines of files land on the marker's line of the .ipynb.
    let concise = dir.run(&["check", "--format", "concise", "train.ipynb"]);
    assert!(
        concise
            .stdout
            .starts_with("train.ipynb:4:1: PARSE003 [error] unresolved merge conflict"),
        "{}",
        concise.stdout
    );
    let github = dir.run(&["check", "--format", "github", "train.ipynb"]);
    assert!(
        github.stdout.contains("file=train.ipynb,line=4,"),
        "{}",
        github.stdout
    );
}

#[test]
fn merge_conflicts_in_a_script_and_in_a_cell_are_named_as_syntax_errors() {
    let dir = TempDir::new("conflict-code");
    dir.write(
        "train.py",
        "import pandas as pd\n\
         <<<<<<< HEAD\n\
         df = pd.read_csv(\"a.csv\")\n\
         =======\n\
         df = pd.read_csv(\"b.csv\")\n\
         >>>>>>> other\n\
         <<<<<<< HEAD\n\
         x = 1\n\
         =======\n\
         x = 2\n\
         >>>>>>> other\n",
    );
    // A notebook merge driver may leave the markers inside a cell's source: valid JSON.
    dir.write(
        "merged.ipynb",
        notebook(&[
            Cell::Markdown("# merged\n"),
            Cell::Code(
                Some(1),
                "import pandas as pd\n<<<<<<< local\nx = 1\n=======\nx = 2\n>>>>>>> remote\n",
            ),
        ]),
    );
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(1);
    let found = found(&run);
    assert_eq!(found.len(), 2, "{found:?}");
    let (code, cell, line, message, help) = &found[0];
    assert_eq!((code.as_str(), *cell, *line), ("PARSE001", Some(2), 2));
    assert!(
        message.starts_with(
            "syntax error: unresolved merge conflict, git's conflict marker `<<<<<<< local` is \
             still here"
        ),
        "{message}"
    );
    assert!(help.contains("nbdime mergetool"), "{help}");
    let (code, cell, line, message, help) = &found[1];
    assert_eq!((code.as_str(), *cell, *line), ("PARSE001", None, 2));
    assert!(
        message.contains("`<<<<<<< HEAD` is still here, one of 2 conflicts"),
        "{message}"
    );
    assert!(help.contains("git checkout --ours -- train.py"), "{help}");
}

/// Markers at odd places (first line, last line without a newline, inside JSON strings,
/// indented, CRLF) never crash a run: each file is a finding or clean, and the run exits 1.
#[test]
fn conflict_markers_at_odd_places_never_crash_a_run() {
    let dir = TempDir::new("conflict-odd");
    let valid = notebook(&[Cell::Code(Some(1), "x = 1\n")]);
    let cases = [
        ("first.ipynb", format!("<<<<<<< HEAD\n{valid}")),
        (
            "last.ipynb",
            format!("{}\n>>>>>>> theirs", valid.trim_end()),
        ),
        (
            "crlf.ipynb",
            format!("<<<<<<< HEAD\r\n{valid}\r\n=======\r\n>>>>>>> b\r\n"),
        ),
        ("only_sep.ipynb", format!("{valid}\n=======\n")),
        (
            "in_string.ipynb",
            notebook(&[Cell::Code(Some(1), "s = '<<<<<<< HEAD'\n")]),
        ),
        ("empty_marker.ipynb", "<<<<<<<".to_string()),
        ("first.py", "<<<<<<< HEAD".to_string()),
        ("last.py", "x = 1\n>>>>>>>".to_string()),
        (
            "string.py",
            "s = \"\"\"\n<<<<<<< HEAD\n\"\"\"\n".to_string(),
        ),
    ];
    for (name, text) in &cases {
        dir.write(name, text);
    }
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["files_checked"], cases.len());
    let mut by_file: Vec<(String, String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    by_file.sort();
    let last_line = valid.trim_end().lines().count() as u64 + 1;
    let expected: Vec<(String, String, u64)> = [
        ("crlf.ipynb", "PARSE003", 1),
        ("empty_marker.ipynb", "PARSE003", 1),
        ("first.ipynb", "PARSE003", 1),
        ("first.py", "PARSE001", 1),
        ("last.ipynb", "PARSE003", last_line),
        ("last.py", "PARSE001", 2),
        ("only_sep.ipynb", "PARSE003", 1),
    ]
    .iter()
    .map(|(p, c, l)| (p.to_string(), c.to_string(), *l))
    .collect();
    assert_eq!(by_file, expected, "{json:#}");
}
