//! Each file is checked under the configuration nearest to it, whatever else a run is given
//! and in whatever order: a monorepo's services keep their own settings in pre-commit (which
//! passes staged files of several services at once), in `mlready check .` at the root, and
//! in the editor.

mod common;

use common::TempDir;

/// A script with a REPRO006 warning (a home-folder path) and a LEAK001 warning (a scaler
/// fitted before the split).
const TWO_FINDINGS: &str = "import pandas as pd\n\
from sklearn.linear_model import LogisticRegression\n\
from sklearn.model_selection import train_test_split\n\
from sklearn.preprocessing import StandardScaler\n\
df = pd.read_csv(\"/Users/ana/data/churn.csv\")\n\
X = StandardScaler().fit_transform(df[[\"tenure\"]])\n\
X_tr, X_te, y_tr, y_te = train_test_split(X, df[\"churned\"], random_state=0)\n\
model = LogisticRegression().fit(X_tr, y_tr)\n\
print(model.score(X_te, y_te))\n";

/// (path, code) of each finding of a JSON report.
fn found(run: &common::Run) -> Vec<(String, String)> {
    let report = run.json();
    (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| {
            let field = |key: &str| d[key].as_str().unwrap().to_string();
            (field("path"), field("code"))
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    (expected.iter())
        .map(|(path, code)| (path.to_string(), code.to_string()))
        .collect()
}

/// Two services, each with its own `pyproject.toml`.
fn monorepo(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    dir.write(
        "a/pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\"]\n",
    );
    dir.write("b/pyproject.toml", "[tool.mlready]\nselect = [\"LEAK\"]\n");
    dir.write("a/train.py", TWO_FINDINGS);
    dir.write("b/train.py", TWO_FINDINGS);
    dir
}

#[test]
fn each_file_gets_its_own_configuration_whatever_the_order_of_the_paths() {
    let dir = monorepo("nearest-order");
    let expected = pairs(&[("a/train.py", "REPRO006"), ("b/train.py", "LEAK001")]);
    for args in [
        &["a/train.py", "b/train.py"][..],
        &["b/train.py", "a/train.py"],
        &["a", "b"],
        &["."],
        &[],
    ] {
        let mut command = vec!["check", "--format", "json"];
        command.extend(args);
        let run = dir.run(&command);
        run.expect_code(1);
        assert_eq!(found(&run), expected, "{args:?}");
        assert_eq!(run.json()["files_checked"], 2, "{args:?}");
    }
    // On its own, each service is checked as before.
    let a = dir.run(&["check", "--format", "json", "a/train.py"]);
    assert_eq!(found(&a), pairs(&[("a/train.py", "REPRO006")]));
}

#[test]
fn one_services_exclude_never_drops_another_services_files() {
    let dir = monorepo("nearest-exclude");
    dir.write(
        "a/pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\"]\nexclude = [\"train.py\"]\n",
    );
    for args in [&["a/train.py", "b/train.py"][..], &["."]] {
        let mut command = vec!["check", "--format", "json"];
        command.extend(args);
        let run = dir.run(&command);
        assert_eq!(found(&run), pairs(&[("b/train.py", "LEAK001")]), "{args:?}");
    }
}

#[test]
fn a_nested_configuration_governs_its_folder_below_the_roots() {
    let dir = TempDir::new("nearest-nested");
    dir.write("mlready.toml", "ignore = [\"LEAK001\"]\n");
    dir.write("train.py", TWO_FINDINGS);
    // Not a project marker: the nested configuration is a dedicated file.
    dir.write(
        "experiments/mlready.toml",
        "select = [\"LEAK\"]\nexclude = [\"scratch\"]\n",
    );
    dir.write("experiments/train.py", TWO_FINDINGS);
    dir.write("experiments/scratch/try.py", TWO_FINDINGS);
    let expected = pairs(&[
        ("experiments/train.py", "LEAK001"),
        ("train.py", "REPRO006"),
    ]);
    let root = dir.run(&["check", "--format", "json", "."]);
    assert_eq!(found(&root), expected);
    // The same files named one by one, as pre-commit passes them.
    let named = dir.run(&[
        "check",
        "--format",
        "json",
        "train.py",
        "experiments/train.py",
        "experiments/scratch/try.py",
    ]);
    assert_eq!(found(&named), expected);
}

#[test]
fn config_names_the_one_configuration_of_every_file() {
    let dir = monorepo("nearest-flag");
    let run = dir.run(&["check", "--format", "json", "--config", "b/pyproject.toml"]);
    assert_eq!(
        found(&run),
        pairs(&[("a/train.py", "LEAK001"), ("b/train.py", "LEAK001")])
    );
}

#[test]
fn each_configurations_fail_on_decides_for_its_own_files() {
    let dir = monorepo("nearest-fail-on");
    dir.write(
        "a/pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\"]\nfail-on = \"error\"\n",
    );
    // a's warning does not fail a's run; b's warning fails any run that checks b.
    dir.run(&["check", "a"]).expect_code(0);
    dir.run(&["check", "a", "b"]).expect_code(1);
    dir.run(&["check", "b"]).expect_code(1);
    // Severities are the file's own configuration's too.
    dir.write(
        "b/pyproject.toml",
        "[tool.mlready]\nselect = [\"LEAK\"]\n[tool.mlready.severity]\nLEAK001 = \"info\"\n",
    );
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(0);
    let report = run.json();
    let severities: Vec<&str> = (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["warning", "info"], "{report}");
}

#[test]
fn show_settings_shows_each_configuration_of_the_run() {
    let dir = monorepo("nearest-settings");
    let run = dir.run(&["check", "--show-settings", "."]);
    run.expect_code(0);
    let out = &run.stdout;
    assert!(
        out.contains("# configuration file: a/pyproject.toml"),
        "{out}"
    );
    assert!(
        out.contains("# configuration file: b/pyproject.toml"),
        "{out}"
    );
    assert!(out.contains("select = [\"REPRO006\"]"), "{out}");
    assert!(out.contains("select = [\"LEAK\"]"), "{out}");
    // One configuration: shown as before, without a count of files.
    let one = dir.run(&["check", "--show-settings", "a"]);
    assert!(!one.stdout.contains("file(s) under it"), "{}", one.stdout);
    assert!(!one.stdout.contains("b/pyproject.toml"), "{}", one.stdout);
}

#[test]
fn a_files_exclusion_is_decided_by_its_own_configuration() {
    let dir = TempDir::new("nearest-own-exclude");
    // The root's exclude names a folder that a nested configuration governs.
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n[tool.mlready]\nexclude = [\"svc/tests\"]\n",
    );
    dir.write("svc/mlready.toml", "fail-on = \"warning\"\n");
    dir.write("svc/m.py", common::WARNING_PY);
    dir.write("svc/tests/t.py", common::WARNING_PY);
    let expected = pairs(&[("svc/m.py", "REPRO006"), ("svc/tests/t.py", "REPRO006")]);
    for args in [&["."][..], &["svc"], &["svc/m.py", "svc/tests/t.py"]] {
        let mut command = vec!["check", "--format", "json"];
        command.extend(args);
        assert_eq!(found(&dir.run(&command)), expected, "{args:?}");
    }
    // Even a folder the root excludes as a whole is its own configuration's to exclude, as
    // when pre-commit names a file of it; the command line's --exclude still holds.
    dir.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\n[tool.mlready]\nexclude = [\"svc\"]\n",
    );
    let run = dir.run(&["check", "--format", "json", "."]);
    assert_eq!(found(&run), expected);
    let named = dir.run(&["check", "--format", "json", "svc/m.py", "svc/tests/t.py"]);
    assert_eq!(found(&named), expected);
    let flag = dir.run(&["check", "--format", "json", "--exclude", "svc", "."]);
    assert_eq!(found(&flag), pairs(&[]));
}

#[cfg(unix)]
#[test]
fn a_file_reached_through_a_symlinked_folder_is_checked_once() {
    let dir = TempDir::new("nearest-symlink");
    dir.write("train/mlready.toml", "select = [\"REPRO006\"]\n");
    dir.write("train/train.py", common::WARNING_PY);
    std::os::unix::fs::symlink("train", dir.join("link")).unwrap();
    for args in [
        &["link", "train"][..],
        &["."],
        &["link/train.py", "train/train.py"],
    ] {
        let mut command = vec!["check", "--format", "json"];
        command.extend(args);
        let run = dir.run(&command);
        assert_eq!(found(&run).len(), 1, "{args:?}: {}", run.stdout);
        assert_eq!(run.json()["files_checked"], 1, "{args:?}");
    }
}

#[test]
fn a_broken_configuration_below_is_reported_and_the_rest_is_checked() {
    let dir = monorepo("nearest-broken");
    dir.write("b/pyproject.toml", "[tool.mlready]\nselcet = [\"LEAK\"]\n");
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(2);
    assert_eq!(found(&run), pairs(&[("a/train.py", "REPRO006")]));
    assert!(
        run.stderr.contains("unknown configuration key `selcet`")
            && run.stderr.contains("b/pyproject.toml")
            && run.stderr.contains("the files under `b` are not checked"),
        "{}",
        run.stderr
    );
    // The configuration of a path named on the command line is still an error of the run.
    let named = dir.run(&["check", "b/train.py"]);
    named.expect_code(2);
    assert!(named.stdout.is_empty(), "{}", named.stdout);
}

#[cfg(unix)]
#[test]
fn a_dangling_configuration_link_below_leaves_the_rest_checked() {
    let dir = TempDir::new("nearest-dangling");
    dir.write("pyproject.toml", "[project]\nname = \"x\"\n");
    dir.write("main.py", common::WARNING_PY);
    dir.write("vendor/pkg/mod.py", common::WARNING_PY);
    std::os::unix::fs::symlink(
        "../../nowhere/pyproject.toml",
        dir.join("vendor/pkg/pyproject.toml"),
    )
    .unwrap();
    let run = dir.run(&["check", "--format", "json", "."]);
    run.expect_code(2);
    assert_eq!(found(&run), pairs(&[("main.py", "REPRO006")]));
    assert!(
        run.stderr.contains("dangling symbolic link"),
        "{}",
        run.stderr
    );
}

#[test]
fn exclude_on_the_command_line_is_matched_from_the_working_directory() {
    let dir = TempDir::new("nearest-cli-exclude");
    dir.write("pyproject.toml", "[project]\nname = \"x\"\n");
    dir.write("top.py", common::WARNING_PY);
    dir.write("b/mlready.toml", "fail-on = \"warning\"\n");
    dir.write("b/home.py", common::WARNING_PY);
    dir.write("b/c/mlready.toml", "fail-on = \"warning\"\n");
    dir.write("b/c/deep.py", common::WARNING_PY);
    for (pattern, left) in [
        ("b/home.py", &["b/c/deep.py", "top.py"][..]),
        ("./b/home.py", &["b/c/deep.py", "top.py"]),
        ("b/c", &["b/home.py", "top.py"]),
        ("b", &["top.py"]),
    ] {
        for args in [
            &["."][..],
            &["b", "top.py"],
            &["b/home.py", "b/c/deep.py", "top.py"],
        ] {
            let mut command = vec!["check", "--format", "json", "--exclude", pattern];
            command.extend(args);
            let run = dir.run(&command);
            let paths: Vec<String> = found(&run).into_iter().map(|(path, _)| path).collect();
            assert_eq!(paths, left, "--exclude {pattern} {args:?}");
        }
    }
    // From a sub-folder, the pattern is read from there.
    let run = common::run_in(
        &dir.join("b"),
        &["check", "--format", "json", "--exclude", "home.py", "."],
        &[],
    );
    let paths: Vec<String> = found(&run).into_iter().map(|(path, _)| path).collect();
    assert_eq!(paths, ["c/deep.py"]);
}

#[cfg(unix)]
#[test]
fn a_file_named_through_a_link_gets_one_configuration_whatever_the_order() {
    let dir = TempDir::new("nearest-file-link");
    dir.write("serve/mlready.toml", "select = [\"REPRO006\"]\n");
    dir.write("serve/serve.py", TWO_FINDINGS);
    dir.write("train/mlready.toml", "select = [\"LEAK\"]\n");
    std::os::unix::fs::symlink("../serve/serve.py", dir.join("train/serve_link.py")).unwrap();
    let one = dir.run(&[
        "check",
        "--format",
        "json",
        "train/serve_link.py",
        "serve/serve.py",
    ]);
    let other = dir.run(&[
        "check",
        "--format",
        "json",
        "serve/serve.py",
        "train/serve_link.py",
    ]);
    assert_eq!(found(&one), found(&other));
    assert_eq!(one.json()["files_checked"], 1);
}

#[cfg(unix)]
#[test]
fn links_between_configured_folders_end_and_check_each_file_once() {
    let dir = TempDir::new("nearest-link-loop");
    dir.write("mlready.toml", "select = [\"REPRO006\"]\n");
    dir.write(
        "a/mlready.toml",
        "select = [\"REPRO006\"]\nfail-on = \"error\"\n",
    );
    dir.write(
        "a/b/mlready.toml",
        "select = [\"REPRO006\"]\nfail-on = \"info\"\n",
    );
    dir.write("a/m.py", common::WARNING_PY);
    dir.write("a/b/n.py", common::WARNING_PY);
    // Each configured folder links back to the ones above it and across to the other.
    std::os::unix::fs::symlink("../..", dir.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("a/up")).unwrap();
    std::os::unix::fs::symlink("a", dir.join("c")).unwrap();
    let run = dir.run(&["check", "--format", "json", ".", "a", "c/b"]);
    assert_eq!(run.json()["files_checked"], 2, "{}", run.stdout);
    assert_eq!(found(&run).len(), 2, "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn a_path_below_a_file_or_a_dangling_link_is_missing_not_a_configuration_error() {
    let dir = TempDir::new("nearest-not-a-folder");
    dir.write("train.py", common::WARNING_PY);
    std::os::unix::fs::symlink("nowhere", dir.join("gone")).unwrap();
    let run = dir.run(&[
        "check",
        "--format",
        "json",
        "train.py/x.py",
        "gone/y.py",
        "train.py",
    ]);
    run.expect_code(1);
    let report = run.json();
    let codes: Vec<(&str, &str)> = (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("gone/y.py", "PARSE002"),
            ("train.py", "REPRO006"),
            ("train.py/x.py", "PARSE002")
        ],
        "{}",
        run.stderr
    );
}
