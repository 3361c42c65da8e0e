//! The first ten minutes with `mlready check` (issue 16, point 2): what a new user types first
//! and what they get back. Each test runs the binary.

mod common;

use common::{CLEAN_PY, Run, TempDir, WARNING_PY, run_with_stdin};

/// `mlready check does/not/exist.py train.py`: the missing path is a PARSE002 finding that
/// names it and says how to fix it, train.py is checked all the same, and the run fails (exit
/// 1 at the default --fail-on). The same with the missing path alone.
#[test]
fn a_missing_path_is_a_finding_and_the_other_paths_are_checked() {
    let dir = TempDir::new("ftm-missing");
    dir.write("train.py", WARNING_PY);

    let text = dir.run(&["check", "does/not/exist.py", "train.py", "--no-color"]);
    text.expect_code(1);
    let shown = common::unwrapped(&text.stdout);
    for expected in [
        "does/not/exist.py:1:1: PARSE002 [error] unreadable-file",
        "no such file or directory: `does/not/exist.py`",
        "help: check the spelling of the path, or leave it out",
        "train.py:2:18: REPRO006",
        "Checked 2 files",
    ] {
        assert!(shown.contains(expected), "{expected}\n{}", text.stdout);
    }

    let json = dir.run(&["check", "does/not/exist.py", "train.py", "--format", "json"]);
    json.expect_code(1);
    let report = json.json();
    assert_eq!(report["files_checked"], 2);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 2, "{}", json.stdout);
    let missing = &diagnostics[0];
    assert_eq!(missing["code"], "PARSE002");
    assert_eq!(missing["path"], "does/not/exist.py");
    assert_eq!(
        missing["message"],
        "no such file or directory: `does/not/exist.py`"
    );
    assert!(
        missing["help"]
            .as_str()
            .unwrap()
            .starts_with("check the spelling")
    );
    assert_eq!(
        (missing["line"].as_u64(), missing["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(diagnostics[1]["code"], "REPRO006");
    assert_eq!(diagnostics[1]["path"], "train.py");

    let sarif = dir.run(&[
        "check",
        "does/not/exist.py",
        "train.py",
        "--format",
        "sarif",
    ]);
    sarif.expect_code(1);
    let sarif = sarif.json();
    let schema: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/schemas/sarif-2.1.0.json"
    )))
    .unwrap();
    assert!(jsonschema::is_valid(&schema, &sarif), "{sarif:#}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "PARSE002");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "does/not/exist.py");
    assert_eq!(location["region"]["startLine"], 1);
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("`does/not/exist.py`")
    );

    // The missing path alone: reported, exit 1, not a usage error.
    let alone = dir.run(&["check", "does/not/exist.py", "--format", "concise"]);
    alone.expect_code(1);
    assert_eq!(
        alone.stdout.lines().next(),
        Some(
            "does/not/exist.py:1:1: PARSE002 [error] no such file or directory: \
             `does/not/exist.py`"
        ),
        "{}",
        alone.stdout
    );
    assert!(alone.stderr.is_empty(), "{}", alone.stderr);
    // --exit-zero treats it as a finding like any other.
    dir.run(&["check", "does/not/exist.py", "--exit-zero"])
        .expect_code(0);
}

/// `mlready check -` reads standard input, as in ruff: a Python script shown as `-`, or the
/// file `--stdin-filename` names. `-` among other paths is a usage error.
#[test]
fn a_dash_reads_standard_input() {
    let dir = TempDir::new("ftm-dash");
    dir.write("train.py", CLEAN_PY);

    let piped = run_with_stdin(
        dir.path(),
        &["check", "-", "--format", "json"],
        WARNING_PY.as_bytes(),
    );
    piped.expect_code(1);
    let report = piped.json();
    assert_eq!(report["files_checked"], 1);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{}", piped.stdout);
    assert_eq!(diagnostics[0]["code"], "REPRO006");
    assert_eq!(diagnostics[0]["path"], "-");
    assert_eq!(
        (
            diagnostics[0]["line"].as_u64(),
            diagnostics[0]["column"].as_u64()
        ),
        (Some(2), Some(18))
    );

    // The text report shows the piped source under `-`.
    let text = run_with_stdin(
        dir.path(),
        &["check", "-", "--no-color"],
        WARNING_PY.as_bytes(),
    );
    text.expect_code(1);
    assert!(
        text.stdout.starts_with("-:2:18: REPRO006 [warning]"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("/Users/ana/data.csv"),
        "{}",
        text.stdout
    );
    let clean = run_with_stdin(dir.path(), &["check", "-"], CLEAN_PY.as_bytes());
    clean.expect_code(0);
    assert!(
        clean.stdout.contains("Checked 1 file in"),
        "{}",
        clean.stdout
    );

    // With --stdin-filename the piped text is that file: a notebook here.
    let notebook = common::notebook(&[common::Cell::Code(Some(1), WARNING_PY)]);
    let named = run_with_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "nb/eda.ipynb",
            "--format",
            "concise",
        ],
        notebook.as_bytes(),
    );
    named.expect_code(1);
    assert!(
        named
            .stdout
            .starts_with("nb/eda.ipynb:cell 1:2:18: REPRO006"),
        "{}",
        named.stdout
    );

    // Unnamed, a notebook's JSON would be read as one Python dict literal and pass as clean:
    // a usage error that says how to name it.
    let unnamed = run_with_stdin(dir.path(), &["check", "-"], notebook.as_bytes());
    unnamed.expect_code(2);
    assert!(unnamed.stdout.is_empty(), "{}", unnamed.stdout);
    assert!(
        unnamed.stderr.contains("--stdin-filename NAME.ipynb"),
        "{}",
        unnamed.stderr
    );
    // Nor is a folder a name for the piped text.
    let folder = run_with_stdin(
        dir.path(),
        &["check", "--stdin-filename", "."],
        WARNING_PY.as_bytes(),
    );
    folder.expect_code(2);
    assert!(folder.stderr.contains("is a folder"), "{}", folder.stderr);

    // `-` is one file checked alone: mixed with other paths it is a usage error that says so,
    // and nothing is checked.
    for args in [
        &["check", "-", "train.py"][..],
        &["check", "train.py", "-"][..],
    ] {
        let mixed = run_with_stdin(dir.path(), args, WARNING_PY.as_bytes());
        mixed.expect_code(2);
        assert!(mixed.stdout.is_empty(), "{}", mixed.stdout);
        assert!(
            mixed.stderr.contains(
                "error: `-` reads one file from standard input and cannot be mixed with other \
                 paths; give either `-` alone or the paths to check"
            ),
            "{}",
            mixed.stderr
        );
        assert!(
            mixed.stderr.contains("Usage: mlready check"),
            "{}",
            mixed.stderr
        );
    }
}

/// Contradictory arguments are a usage error (exit 2) that says why, not one of them silently
/// winning: `--stdin-filename a.py train.py` used to check standard input and drop train.py.
#[test]
fn contradictory_arguments_are_usage_errors() {
    let dir = TempDir::new("ftm-conflicts");
    dir.write("train.py", WARNING_PY);

    let both = run_with_stdin(
        dir.path(),
        &["check", "--stdin-filename", "a.py", "train.py"],
        CLEAN_PY.as_bytes(),
    );
    both.expect_code(2);
    assert!(both.stdout.is_empty(), "{}", both.stdout);
    assert!(
        both.stderr.contains(
            "error: `--stdin-filename` reads the file to check from standard input and cannot \
             be used with paths (`train.py`); give either the paths to check, or \
             `--stdin-filename` alone (or with `-`) and the file's text on standard input"
        ),
        "{}",
        both.stderr
    );
    // `.` named explicitly is a path too.
    run_with_stdin(
        dir.path(),
        &["check", "--stdin-filename", "a.py", "."],
        CLEAN_PY.as_bytes(),
    )
    .expect_code(2);
    // `--stdin-filename a.py -` and `--stdin-filename a.py` alone stay valid: the piped text is
    // checked as a.py.
    for args in [
        &[
            "check",
            "--stdin-filename",
            "a.py",
            "-",
            "--format",
            "concise",
        ][..],
        &["check", "--stdin-filename", "a.py", "--format", "concise"][..],
    ] {
        let run = run_with_stdin(dir.path(), args, WARNING_PY.as_bytes());
        run.expect_code(1);
        assert!(
            run.stdout.starts_with("a.py:2:18: REPRO006"),
            "{args:?}: {}",
            run.stdout
        );
    }

    // Flags of which one would silently win are clap conflicts that name both.
    for (args, first, second) in [
        (
            &["--baseline", "b.json", "--write-baseline", "c.json"][..],
            "--baseline <FILE>",
            "--write-baseline <FILE>",
        ),
        (
            &["--write-baseline", "b.json", "--output", "report.txt"][..],
            "--write-baseline <FILE>",
            "--output <FILE>",
        ),
        (
            &["--write-baseline", "b.json", "--format", "json"][..],
            "--write-baseline <FILE>",
            "--format <FORMAT>",
        ),
        (
            &["--show-settings", "--format", "json"][..],
            "--show-settings",
            "--format <FORMAT>",
        ),
        (
            &["--show-settings", "--baseline", "b.json"][..],
            "--show-settings",
            "--baseline <FILE>",
        ),
        (
            &["--exit-zero", "--fail-on", "error"][..],
            "--exit-zero",
            "--fail-on <SEVERITY>",
        ),
    ] {
        let run = dir.run(&[&["check", "train.py"], args].concat());
        run.expect_code(2);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        let said = format!("'{first}' cannot be used with '{second}'");
        let said_reversed = format!("'{second}' cannot be used with '{first}'");
        assert!(
            run.stderr.contains(&said) || run.stderr.contains(&said_reversed),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!dir.join("b.json").exists() && !dir.join("c.json").exists());
        assert!(!dir.join("report.txt").exists());
    }
    // Each flag alone still works.
    dir.run(&["check", "train.py", "--write-baseline", "b.json"])
        .expect_code(0);
    dir.run(&["check", "train.py", "--baseline", "b.json"])
        .expect_code(0);
    dir.run(&[
        "check",
        "train.py",
        "--show-settings",
        "--output",
        "settings.toml",
    ])
    .expect_code(0);
}

/// `--statistics` prints the count of each rule instead of the findings, as ruff does: most
/// frequent first, `COUNT<TAB>CODE<TAB>name`; `--format json` makes it an array of {code,
/// name, count}; `--output` is honoured and the exit code is the usual one.
#[test]
fn statistics_count_the_findings_per_rule() {
    let dir = TempDir::new("ftm-statistics");
    dir.write(
        "paths.py",
        "import pandas as pd\ndf = pd.read_csv(\"/Users/ana/data.csv\")\n\
         other = pd.read_csv(\"/home/bob/other.csv\")\n",
    );
    dir.write("clean.py", CLEAN_PY);
    let args = [
        "check",
        "paths.py",
        "clean.py",
        "missing.py",
        "--statistics",
    ];

    let text = dir.run(&args);
    text.expect_code(1);
    assert_eq!(
        text.stdout,
        "2\tREPRO006\tabsolute-local-path\n1\tPARSE002\tunreadable-file\n"
    );
    // The same table in the concise format; no summary line, no findings.
    let concise = dir.run(&[&args[..], &["--format", "concise"]].concat());
    assert_eq!(concise.stdout, text.stdout);

    let json = dir.run(&[&args[..], &["--format", "json"]].concat());
    json.expect_code(1);
    assert_eq!(
        json.json(),
        serde_json::json!([
            {"code": "REPRO006", "name": "absolute-local-path", "count": 2},
            {"code": "PARSE002", "name": "unreadable-file", "count": 1},
        ])
    );

    let to_file = dir.run(&[&args[..], &["--output", "stats.txt"]].concat());
    to_file.expect_code(1);
    assert!(to_file.stdout.is_empty(), "{}", to_file.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.join("stats.txt")).unwrap(),
        text.stdout
    );

    // Nothing found: nothing printed (as ruff), `[]` in JSON, exit 0.
    let clean = dir.run(&["check", "clean.py", "--statistics"]);
    clean.expect_code(0);
    assert_eq!(clean.stdout, "");
    let clean = dir.run(&["check", "clean.py", "--statistics", "--format", "json"]);
    clean.expect_code(0);
    assert_eq!(clean.stdout, "[]\n");
    // --exit-zero and --fail-on act as usual.
    dir.run(&["check", "paths.py", "--statistics", "--fail-on", "error"])
        .expect_code(0);

    // The formats made for other tools have no place for counts: a usage error.
    let sarif = dir.run(&[&args[..], &["--format", "sarif"]].concat());
    sarif.expect_code(2);
    assert!(sarif.stdout.is_empty(), "{}", sarif.stdout);
    assert!(
        sarif.stderr.contains(
            "`--format sarif` has no place for it; leave out `--format` or use `--format json`"
        ),
        "{}",
        sarif.stderr
    );
}

/// `--quiet` (`-q`) prints the findings and nothing else, as ruff's: no summary line (so a clean
/// run prints nothing), no notes or warnings on standard error; errors are still printed.
#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let dir = TempDir::new("ftm-quiet");
    dir.write("warn.py", WARNING_PY);
    dir.write("clean.py", CLEAN_PY);

    let loud = dir.run(&["check", "warn.py", "--format", "concise"]);
    let quiet = dir.run(&["check", "warn.py", "--format", "concise", "-q"]);
    quiet.expect_code(1);
    let finding = loud.stdout.lines().next().unwrap();
    assert!(
        finding.starts_with("warn.py:2:18: REPRO006"),
        "{}",
        loud.stdout
    );
    assert!(loud.stdout.contains("Checked 1 file"), "{}", loud.stdout);
    assert_eq!(quiet.stdout, format!("{finding}\n"));
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);

    let text = dir.run(&["check", "warn.py", "--quiet", "--no-color"]);
    text.expect_code(1);
    assert!(
        text.stdout.starts_with("warn.py:2:18: REPRO006"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("Checked"), "{}", text.stdout);

    let clean = dir.run(&["check", "clean.py", "-q"]);
    clean.expect_code(0);
    assert_eq!((clean.stdout.as_str(), clean.stderr.as_str()), ("", ""));

    // The note of --write-baseline and the warning of a baseline from another version are not
    // printed.
    let wrote = dir.run(&["check", "warn.py", "--write-baseline", "b.json"]);
    assert!(
        wrote
            .stderr
            .contains("wrote 1 finding(s) to the baseline b.json"),
        "{}",
        wrote.stderr
    );
    let wrote = dir.run(&["check", "warn.py", "--write-baseline", "b.json", "-q"]);
    wrote.expect_code(0);
    assert_eq!((wrote.stdout.as_str(), wrote.stderr.as_str()), ("", ""));
    let mut older: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    older["mlready"] = "0.0.1".into();
    dir.write("b.json", older.to_string());
    let loud = dir.run(&["check", "warn.py", "--baseline", "b.json"]);
    assert!(
        loud.stderr.contains("warning: the baseline b.json"),
        "{}",
        loud.stderr
    );
    let applied = dir.run(&["check", "warn.py", "--baseline", "b.json", "-q"]);
    applied.expect_code(0);
    assert_eq!((applied.stdout.as_str(), applied.stderr.as_str()), ("", ""));

    // Errors still reach standard error.
    let error = dir.run(&["check", "warn.py", "-q", "--select", "NOPE123"]);
    error.expect_code(2);
    assert!(error.stderr.contains("NOPE123"), "{}", error.stderr);
}

/// A run with `--baseline` says in its summary line how many findings the baseline hid; the
/// JSON report is the same as before (DESIGN.md's document has no place for it).
#[test]
fn the_summary_line_counts_what_the_baseline_hid() {
    let dir = TempDir::new("ftm-hidden");
    dir.write(
        "paths.py",
        "import pandas as pd\ndf = pd.read_csv(\"/Users/ana/data.csv\")\n\
         other = pd.read_csv(\"/home/bob/other.csv\")\n",
    );
    dir.write("warn.py", WARNING_PY);
    dir.run(&["check", ".", "--write-baseline", "b.json"])
        .expect_code(0);

    let summary = |run: &Run| run.stdout.lines().last().unwrap_or_default().to_string();
    for format in ["text", "concise"] {
        let run = dir.run(&["check", ".", "--baseline", "b.json", "--format", format]);
        run.expect_code(0);
        let line = summary(&run);
        assert!(
            line.starts_with("Checked 2 files in ")
                && line.ends_with("s: no findings (3 hidden by the baseline)"),
            "{format}: {}",
            run.stdout
        );
    }
    // A new finding is reported, the recorded ones are counted.
    dir.write(
        "new.py",
        "import pandas as pd\ndf = pd.read_csv(\"/home/eve/new.csv\")\n",
    );
    let run = dir.run(&["check", ".", "--baseline", "b.json", "--format", "concise"]);
    run.expect_code(1);
    assert!(
        run.stdout.starts_with("new.py:2:18: REPRO006"),
        "{}",
        run.stdout
    );
    assert!(
        summary(&run).ends_with("s: 1 warning (3 hidden by the baseline)"),
        "{}",
        run.stdout
    );
    // Without a baseline, or with one that hides nothing, the line is as it always was.
    let plain = dir.run(&["check", "new.py", "--format", "concise"]);
    assert!(
        summary(&plain).ends_with("s: 1 warning"),
        "{}",
        plain.stdout
    );
    let none_hidden = dir.run(&[
        "check",
        "new.py",
        "--baseline",
        "b.json",
        "--format",
        "concise",
    ]);
    assert!(
        summary(&none_hidden).ends_with("s: 1 warning"),
        "{}",
        none_hidden.stdout
    );
    // JSON: the same document as before, with no field added.
    let json = dir.run(&["check", ".", "--baseline", "b.json", "--format", "json"]);
    let report = json.json();
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["diagnostics", "files_checked", "summary", "tool", "version"]
    );
    assert_eq!(
        report["summary"],
        serde_json::json!({"error": 0, "warning": 1, "info": 0})
    );
}

/// A missing baseline and a malformed one are distinct errors (exit 2), each saying what to do:
/// create it, or regenerate it; the malformed one says where the parser stopped.
#[test]
fn a_missing_and_a_malformed_baseline_are_distinct_errors() {
    let dir = TempDir::new("ftm-baseline-errors");
    dir.write("warn.py", WARNING_PY);

    let missing = dir.run(&["check", "warn.py", "--baseline", "nope.json"]);
    missing.expect_code(2);
    assert!(missing.stdout.is_empty(), "{}", missing.stdout);
    let said = common::unwrapped(&missing.stderr);
    for expected in [
        "mlready::baseline::missing",
        "baseline file `nope.json` does not exist",
        "help: create it with `mlready check --write-baseline nope.json`",
    ] {
        assert!(said.contains(expected), "{expected}\n{}", missing.stderr);
    }
    assert!(!said.contains("configuration"), "{}", missing.stderr);

    dir.write("cut.json", "{\n  \"version\": 1,\n  \"findings\": [\n");
    let cut = dir.run(&["check", "warn.py", "--baseline", "cut.json"]);
    cut.expect_code(2);
    let said = common::unwrapped(&cut.stderr);
    for expected in [
        "mlready::baseline::malformed",
        "baseline file `cut.json` cannot be parsed at line 4, column 1: EOF while parsing",
        "regenerate it with `mlready check --write-baseline cut.json`",
    ] {
        assert!(said.contains(expected), "{expected}\n{}", cut.stderr);
    }

    dir.write(
        "edited.json",
        "{\"version\": 1, \"findings\": [{\"code\": 7}]}",
    );
    let edited = dir.run(&["check", "warn.py", "--baseline", "edited.json"]);
    edited.expect_code(2);
    assert!(
        common::unwrapped(&edited.stderr).contains(
            "baseline file `edited.json` cannot be parsed at line 1, column 38: invalid type: \
             integer `7`, expected a string"
        ),
        "{}",
        edited.stderr
    );

    // What the help says to run makes the error go away.
    dir.run(&["check", "warn.py", "--write-baseline", "nope.json"])
        .expect_code(0);
    dir.run(&["check", "warn.py", "--baseline", "nope.json"])
        .expect_code(0);
}
