//! The first ten minutes (issue 16): what a new user meets first says what is wrong and how to
//! fix it. A misspelt rule gets a "did you mean", wherever it is written; `mlready rules` fits
//! the terminal and shows every severity a rule's findings can have.

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
            run.stderr.contains(&format!("`{given}` matches no rule")),
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
    for (table, meant) in [
        ("select = [\"LAEK001\"]\n", "LEAK001"),
        ("ignore = [\"LAEK\"]\n", "LEAK"),
        (
            "[tool.mlready.per-file-ignores]\n\"tests/*\" = [\"REPOR006\"]\n",
            "REPRO006",
        ),
        (
            "[tool.mlready.severity]\nLAEK001 = \"warning\"\n",
            "LEAK001",
        ),
    ] {
        let dir = TempDir::new("did-you-mean-config");
        dir.write("warn.py", WARNING_PY);
        dir.write("pyproject.toml", format!("[tool.mlready]\n{table}"));
        let run = dir.run(&["check", "warn.py"]);
        run.expect_code(2);
        assert!(run.stderr.contains("pyproject.toml"), "{}", run.stderr);
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
    let by_name = dir.run(&["rule", "absolute-local-paht"]);
    by_name.expect_code(2);
    assert!(
        by_name
            .stderr
            .contains("did you mean `absolute-local-path`?"),
        "{}",
        by_name.stderr
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
