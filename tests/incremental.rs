//! Project-aware runs and the cache (issue 11): a file's findings do not depend on which
//! other files are on the command line, and cached results are never stale.

mod common;

use common::{TempDir, copy_tree, run_in, run_with_stdin};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Copies `from` into `to`, folders included.
/// The `.py` and `.ipynb` files under `dir`, relative to it, `/`-separated.
fn sources(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !name.starts_with('.') {
                    walk(&path, base, out);
                }
            } else if name.ends_with(".py") || name.ends_with(".ipynb") {
                let relative = path.strip_prefix(base).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Each diagnostic of a `--format json` run, as comparable text, grouped by file.
fn by_file(run: &common::Run) -> BTreeMap<String, Vec<String>> {
    let json = run.json();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for diagnostic in json["diagnostics"].as_array().unwrap() {
        let path = diagnostic["path"].as_str().unwrap().to_string();
        out.entry(path).or_default().push(diagnostic.to_string());
    }
    for list in out.values_mut() {
        list.sort();
    }
    out
}

fn check(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["check", "--format", "json", "--exit-zero", "--preview"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all, &[]);
    run.expect_code(0);
    run
}

/// How many SKEW001 findings checking `file` in `dir` gives (preview, default cache).
fn skew_in(dir: &Path, file: &str) -> usize {
    check(dir, &[file])
        .codes()
        .iter()
        .filter(|c| *c == "SKEW001")
        .count()
}

fn codes_of(found: &BTreeMap<String, Vec<String>>) -> BTreeSet<String> {
    found
        .values()
        .flatten()
        .map(|d| {
            let value: Value = serde_json::from_str(d).unwrap();
            value["code"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Every project fixture, as its own repository: each file checked alone, with every other
/// file of its project, and in the run over the whole project gives the same findings, cold
/// and from the cache. Between them the fixtures make every project rule fire.
#[test]
fn a_file_has_the_same_findings_alone_in_a_group_and_in_its_whole_project() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let temp = TempDir::new("same-findings");
    let mut fired = BTreeSet::new();
    let mut failures = Vec::new();
    for project in &projects {
        let name = project.file_name().unwrap().to_string_lossy().to_string();
        let dir = temp.join(&name);
        copy_tree(project, &dir);
        // A repository of its own, whatever markers the fixture has.
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        let cold = by_file(&check(&dir, &["--no-cache", "."]));
        let whole = by_file(&check(&dir, &["."]));
        let warm = by_file(&check(&dir, &["."]));
        assert_eq!(
            cold, whole,
            "{name}: the first cached run differs from --no-cache"
        );
        assert_eq!(cold, warm, "{name}: the run from the cache differs");
        fired.extend(codes_of(&whole));
        let files = sources(&dir);
        for file in &files {
            let alone = by_file(&check(&dir, &[file]));
            let expected: BTreeMap<String, Vec<String>> = whole
                .get(file)
                .map(|d| BTreeMap::from([(file.clone(), d.clone())]))
                .unwrap_or_default();
            if alone != expected {
                failures.push(format!(
                    "{name}/{file}: alone {alone:#?}\nwhole {expected:#?}"
                ));
            }
        }
        // Every other file, named one by one, and from the project's parent folder.
        let group: Vec<String> = files
            .iter()
            .step_by(2)
            .map(|f| format!("{name}/{f}"))
            .collect();
        let args: Vec<&str> = group.iter().map(String::as_str).collect();
        let grouped = by_file(&check(temp.path(), &args));
        // Run from the parent folder, paths (in messages too) start with the project's name.
        for file in files.iter().step_by(2) {
            let mine = whole.get(file).cloned().unwrap_or_default();
            let mut theirs: Vec<String> = grouped
                .get(&format!("{name}/{file}"))
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.replace(&format!("{name}/"), ""))
                .collect();
            theirs.sort();
            if mine != theirs {
                failures.push(format!(
                    "{name}/{file} in a group: {theirs:#?}\nwhole {mine:#?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let project_rules: BTreeSet<String> = mlready::registry::all()
        .filter(|rule| rule.check.project().is_some())
        .map(|rule| rule.code.to_string())
        .collect();
    let missing: Vec<&String> = project_rules.difference(&fired).collect();
    assert!(
        missing.is_empty(),
        "no project fixture makes these project rules fire: {missing:?}"
    );
}

/// A notebook that trains the model an app serves: NB005 is a project finding, so it shows
/// when the notebook is checked alone, but not with `--no-project`.
const NOTEBOOK_SAVE: &str = r#"{"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": ["import joblib\n", "import pandas as pd\n", "from sklearn.linear_model import LogisticRegression\n", "df = pd.read_csv(\"data/train.csv\")\n", "model = LogisticRegression().fit(df[[\"age\"]], df[\"churned\"])\n", "joblib.dump(model, \"model.joblib\")\n"]}], "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}"#;

const SERVE: &str = "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load(\"model.joblib\")\n\n\n@app.post(\"/predict\")\ndef predict(age: float):\n    return {\"churn\": float(model.predict([[age]])[0])}\n";

fn notebook_project() -> TempDir {
    let dir = TempDir::new("notebook-project");
    dir.write("pyproject.toml", "[project]\nname = \"churn\"\n");
    dir.write("train.ipynb", NOTEBOOK_SAVE);
    dir.write("serve.py", SERVE);
    dir
}

fn has(run: &common::Run, code: &str) -> bool {
    run.codes().iter().any(|c| c == code)
}

#[test]
fn a_file_checked_alone_sees_its_project_unless_no_project() {
    let dir = notebook_project();
    let whole = check(dir.path(), &["."]);
    assert!(has(&whole, "NB005"), "{}", whole.stdout);
    let alone = check(dir.path(), &["train.ipynb"]);
    assert!(has(&alone, "NB005"), "{}", alone.stdout);
    assert_eq!(alone.json()["files_checked"], 1);
    let sub = dir.write("sub/other.py", "x = 1\n");
    let from_elsewhere = check(sub.parent().unwrap(), &["../train.ipynb"]);
    assert!(has(&from_elsewhere, "NB005"), "{}", from_elsewhere.stdout);
    let isolated = check(dir.path(), &["--no-project", "train.ipynb"]);
    assert!(!has(&isolated, "NB005"), "{}", isolated.stdout);
    // A folder below the project root: its files, seen with the whole project, whose
    // serving code lives elsewhere.
    std::fs::remove_file(dir.join("train.ipynb")).unwrap();
    std::fs::remove_file(dir.join("serve.py")).unwrap();
    let nested = |text: &str| text.replace("model.joblib", "models/model.joblib");
    dir.write("notebooks/train.ipynb", nested(NOTEBOOK_SAVE));
    dir.write("app/serve.py", nested(SERVE));
    let whole = check(dir.path(), &["."]);
    assert!(has(&whole, "NB005"), "{}", whole.stdout);
    let folder = check(dir.path(), &["notebooks"]);
    assert!(has(&folder, "NB005"), "{}", folder.stdout);
    assert_eq!(folder.json()["files_checked"], 1);
    let folder_alone = check(dir.path(), &["--no-project", "notebooks"]);
    assert!(!has(&folder_alone, "NB005"), "{}", folder_alone.stdout);
}

#[test]
fn the_standard_input_stands_in_for_its_file_within_the_project() {
    let dir = notebook_project();
    // The same selection as `check` (preview rules included), so that the two runs compare.
    let args = [
        "check",
        "--format",
        "json",
        "--exit-zero",
        "--preview",
        "--stdin-filename",
        "train.ipynb",
    ];
    let piped = run_with_stdin(dir.path(), &args, NOTEBOOK_SAVE.as_bytes());
    piped.expect_code(0);
    assert!(has(&piped, "NB005"), "{}", piped.stdout);
    assert_eq!(
        by_file(&piped),
        by_file(&check(dir.path(), &["train.ipynb"]))
    );
    // What is piped is checked, not what is on disk: without the save there is no NB005.
    let unsaved = NOTEBOOK_SAVE.replace("joblib.dump(model, \\\"model.joblib\\\")\\n", "");
    assert_ne!(unsaved, NOTEBOOK_SAVE);
    let piped = run_with_stdin(dir.path(), &args, unsaved.as_bytes());
    assert!(!has(&piped, "NB005"), "{}", piped.stdout);
    let mut isolated = args.to_vec();
    isolated.push("--no-project");
    let piped = run_with_stdin(dir.path(), &isolated, NOTEBOOK_SAVE.as_bytes());
    piped.expect_code(0);
    assert!(!has(&piped, "NB005"), "{}", piped.stdout);
}

/// The pack files under a cache folder.
fn packs(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(builds) = std::fs::read_dir(cache) {
        for build in builds.flatten().filter(|b| b.path().is_dir()) {
            for pack in std::fs::read_dir(build.path()).unwrap().flatten() {
                if pack.path().extension().is_some_and(|e| e == "pack") {
                    out.push(pack.path());
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_cache_lives_at_the_project_root_or_where_it_is_told() {
    let dir = notebook_project();
    dir.write("src/helpers.py", "x = 1\n");
    check(&dir.join("src"), &["helpers.py"]);
    let cache = dir.join(".mlready_cache");
    assert_eq!(packs(&cache).len(), 1, "a pack at the project root");
    let ignore = std::fs::read_to_string(cache.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "*"), "{ignore}");
    assert!(!dir.join("src/.mlready_cache").exists());

    let other = notebook_project();
    check(other.path(), &["--no-cache", "."]);
    assert!(
        !other.join(".mlready_cache").exists(),
        "--no-cache writes nothing"
    );
    let elsewhere = TempDir::new("cache-dir");
    check(
        other.path(),
        &["--cache-dir", elsewhere.path().to_str().unwrap(), "."],
    );
    assert!(!other.join(".mlready_cache").exists());
    assert_eq!(packs(elsewhere.path()).len(), 1);
    let from_env = TempDir::new("cache-env");
    let run = run_in(
        other.path(),
        &["check", "--format", "json", "--exit-zero", "."],
        &[("MLREADY_CACHE_DIR", from_env.path().to_str().unwrap())],
    );
    run.expect_code(0);
    assert_eq!(packs(from_env.path()).len(), 1);
    assert!(!other.join(".mlready_cache").exists());
}

#[test]
fn a_content_change_gives_fresh_results() {
    let dir = TempDir::new("content-change");
    dir.write("pyproject.toml", "");
    dir.write("train.py", common::CLEAN_PY);
    assert!(check(dir.path(), &["train.py"]).codes().is_empty());
    dir.write("train.py", common::WARNING_PY);
    assert_eq!(check(dir.path(), &["train.py"]).codes(), ["REPRO006"]);
    dir.write("train.py", common::CLEAN_PY);
    assert!(check(dir.path(), &["train.py"]).codes().is_empty());
}

#[test]
fn a_configuration_change_gives_fresh_results() {
    let dir = TempDir::new("config-change");
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO001\"]\n",
    );
    dir.write(
        "train.py",
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split\ndf = pd.read_csv(\"/Users/ana/data.csv\")\ntrain, test = train_test_split(df)\n",
    );
    let run = run_in(
        dir.path(),
        &["check", "--format", "json", "--exit-zero", "train.py"],
        &[],
    );
    assert_eq!(run.codes(), ["REPRO001"]);
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\"]\n",
    );
    let run = run_in(
        dir.path(),
        &["check", "--format", "json", "--exit-zero", "train.py"],
        &[],
    );
    assert_eq!(run.codes(), ["REPRO006"]);
    dir.write(
        "pyproject.toml",
        "[tool.mlready]\nselect = [\"REPRO006\", \"REPRO001\"]\n[tool.mlready.per-file-ignores]\n\"train.py\" = [\"REPRO006\"]\n",
    );
    let run = run_in(
        dir.path(),
        &["check", "--format", "json", "--exit-zero", "train.py"],
        &[],
    );
    assert_eq!(run.codes(), ["REPRO001"]);
}

/// A copy of the binary is another build (its stamp differs): it never reads what the first
/// one wrote, and writes its own pack beside it.
#[test]
fn another_build_does_not_read_the_cache_of_this_one() {
    let dir = notebook_project();
    let first = check(dir.path(), &["."]);
    let cache = dir.join(".mlready_cache");
    assert_eq!(packs(&cache).len(), 1);
    let copy = TempDir::new("other-build");
    let binary = copy.join("mlready");
    std::fs::copy(common::binary(), &binary).unwrap();
    // The owner may set the times through a read-only handle; a handle open for writing
    // could be inherited by a process another test forks meanwhile.
    std::fs::File::open(&binary)
        .unwrap()
        .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(7))
        .unwrap();
    // Still, `copy` wrote it: a test running in parallel may have forked while it was open
    // ("text file busy" until that child execs), so try again for a moment.
    let mut tries = 0;
    let output = loop {
        match std::process::Command::new(&binary)
            .args(["check", "--format", "json", "--exit-zero", "--preview", "."])
            .current_dir(dir.path())
            .output()
        {
            Err(err) if err.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(packs(&cache).len(), 2, "the other build keeps its own pack");
    let second: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(second["diagnostics"], first.json()["diagnostics"]);
}

/// SKEW001 on train.py depends on serve.py and on the feature list in features.py: checking
/// train.py alone, from a warm cache, follows changes to either.
#[test]
fn a_project_finding_follows_changes_in_other_files() {
    let dir = TempDir::new("other-file");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-features");
    copy_tree(&fixture, dir.path());
    let skew = |dir: &TempDir| skew_in(dir.path(), "train.py");
    assert_eq!(skew(&dir), 1);
    assert_eq!(skew(&dir), 1, "from the cache");
    // The feature list no longer names the column the app fails to build.
    let features = dir.join("features.py");
    let original = std::fs::read_to_string(&features).unwrap();
    std::fs::write(&features, "FEATURES = [\"plan_price\", \"tenure_days\"]\n").unwrap();
    assert_eq!(
        skew(&dir),
        0,
        "train.py read its feature list from features.py"
    );
    std::fs::write(&features, &original).unwrap();
    assert_eq!(skew(&dir), 1);
    // The serving side builds the column now.
    let app = dir.join("app/main.py");
    let text = std::fs::read_to_string(&app).unwrap();
    let line = "    X = pd.DataFrame([customer.dict()])\n";
    assert!(text.contains(line));
    let builds = format!("{line}    X[\"tenure_years\"] = X[\"tenure_days\"] / 365\n");
    std::fs::write(&app, text.replace(line, &builds)).unwrap();
    let after = skew(&dir);
    std::fs::write(&app, &text).unwrap();
    assert_eq!(skew(&dir), 1);
    assert_eq!(after, 0, "SKEW001 saw the serving file change");
}

#[test]
fn a_damaged_cache_is_ignored_and_rewritten() {
    let dir = notebook_project();
    let expected = by_file(&check(dir.path(), &["."]));
    let pack = packs(&dir.join(".mlready_cache")).pop().unwrap();
    let whole = std::fs::read(&pack).unwrap();
    for damaged in [
        whole[..whole.len() / 2].to_vec(),
        b"garbage".to_vec(),
        Vec::new(),
        {
            let mut flipped = whole.clone();
            let at = flipped.len() - 10;
            flipped[at] ^= 0xff;
            flipped
        },
    ] {
        std::fs::write(&pack, &damaged).unwrap();
        assert_eq!(by_file(&check(dir.path(), &["."])), expected);
        assert_eq!(
            std::fs::read(&pack).unwrap(),
            whole,
            "the pack is rewritten"
        );
    }
}

#[test]
fn runs_at_the_same_time_leave_a_usable_cache() {
    let dir = notebook_project();
    for i in 0..20 {
        dir.write(&format!("lib/module_{i}.py"), format!("VALUE_{i} = {i}\n"));
    }
    let expected = by_file(&check(dir.path(), &["--no-cache", "."]));
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(common::binary())
                .args(["check", "--format", "json", "--exit-zero", "--preview", "."])
                .current_dir(dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let run = common::Run::from_output(output);
        assert_eq!(by_file(&run), expected);
    }
    assert_eq!(by_file(&check(dir.path(), &["."])), expected);
    let leftovers: Vec<_> =
        std::fs::read_dir(packs(&dir.join(".mlready_cache"))[0].parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");
}

/// After one file changes, a run parses that file (and the files whose analysis read it),
/// and takes every other file from the cache.
#[test]
fn a_run_after_one_change_parses_only_what_changed() {
    use mlready::engine::{CacheLocation, RunOptions, check_with};
    let dir = TempDir::new("parses-one");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-features");
    copy_tree(&fixture, dir.path());
    for i in 0..8 {
        dir.write(
            &format!("lib/helper_{i}.py"),
            format!("def helper_{i}(x):\n    return x\n"),
        );
    }
    let cache = TempDir::new("parses-one-cache");
    let options = RunOptions {
        project: true,
        cache: Some(CacheLocation::Dir(cache.path().to_path_buf())),
        ..RunOptions::default()
    };
    let settings = mlready::settings::Settings::default();
    let train = vec![dir.join("train.py")];
    let run = || check_with(&train, &settings, &options).unwrap();
    let first = run();
    let total = sources(dir.path()).len();
    assert_eq!(first.files_checked, 1);
    assert_eq!(first.files_analysed, total);
    assert_eq!(first.files_parsed, total);
    let second = run();
    assert_eq!(second.files_parsed, 0);
    assert_eq!(
        second.diagnostics.len(),
        first.diagnostics.len(),
        "the same findings from the cache"
    );
    dir.write("lib/helper_3.py", "def helper_3(x):\n    return x + 1\n");
    assert_eq!(run().files_parsed, 1);
    // features.py is read by train.py and app/main.py: both are analysed again with it.
    dir.write(
        "features.py",
        "FEATURES = [\"plan_price\", \"tenure_days\"]\n",
    );
    assert_eq!(run().files_parsed, 3);
    assert_eq!(run().files_parsed, 0);
}

/// MON001 speaks once per project, at the first place a model is served or promoted: that
/// place must not move to whichever file is named first on the command line.
#[test]
fn a_once_per_project_finding_stays_where_the_whole_project_puts_it() {
    let dir = TempDir::new("once-per-project");
    dir.write("pyproject.toml", "");
    dir.write(
        "a_promote.py",
        "import mlflow\n\nmlflow.register_model(\"runs:/abc/model\", \"churn\")\n",
    );
    dir.write(
        "b_promote.py",
        "import mlflow\n\nmlflow.register_model(\"runs:/def/model\", \"ltv\")\n",
    );
    let whole = by_file(&check(dir.path(), &["."]));
    assert_eq!(codes_of(&whole), BTreeSet::from(["MON001".to_string()]));
    assert!(whole.contains_key("a_promote.py"), "{whole:#?}");
    for file in ["b_promote.py", "a_promote.py"] {
        let alone = by_file(&check(dir.path(), &[file]));
        let expected: BTreeMap<String, Vec<String>> = whole
            .get(file)
            .map(|d| BTreeMap::from([(file.to_string(), d.clone())]))
            .unwrap_or_default();
        assert_eq!(alone, expected, "{file}");
    }
    let reversed = by_file(&check(dir.path(), &["b_promote.py", "a_promote.py"]));
    assert_eq!(reversed, whole);
}

/// The codes a `--format json` run reports for `file` (a path as the run shows it).
fn codes_for(run: &common::Run, file: &str) -> Vec<String> {
    let mut codes: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == file)
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes
}

const UNSEEDED: &str = "import numpy as np\nfrom sklearn.model_selection import train_test_split\nX = np.random.rand(10, 3)\ny = np.random.rand(10)\nX_train, X_test, y_train, y_test = train_test_split(X, y)\n";

const PROMOTE_A: &str = "import mlflow\n\nmlflow.register_model(\"runs:/abc/model\", \"churn\")\n";
const PROMOTE_B: &str = "import mlflow\n\nmlflow.register_model(\"runs:/def/model\", \"ltv\")\n";

/// Regressions found by review: each is a way the same file got different findings, or a
/// stale result from the cache, depending on how and from where it was named.
#[test]
fn the_working_directory_and_the_spelling_of_a_path_change_nothing() {
    // A test module and a script with the same name and content: the cache keeps them apart
    // whichever folder they are checked from.
    let dir = TempDir::new("same-name");
    dir.write("pyproject.toml", "");
    dir.write("x.py", UNSEEDED);
    dir.write("tests/x.py", UNSEEDED);
    assert!(check(&dir.join("tests"), &["x.py"]).codes().is_empty());
    assert_eq!(
        check(dir.path(), &["x.py"]).codes(),
        ["REPRO001", "REPRO001"]
    );
    assert!(check(dir.path(), &["tests/x.py"]).codes().is_empty());
    assert!(
        check(dir.path(), &["--no-project", "tests/x.py"])
            .codes()
            .is_empty()
    );
    assert!(
        check(dir.path(), &["--no-project", "tests"])
            .codes()
            .is_empty()
    );

    // Once-per-project MON001 stays on a/promote.py seen from a/, from b/ or from the root.
    let dir = TempDir::new("cwd-order");
    dir.write("pyproject.toml", "");
    dir.write("a/promote.py", PROMOTE_A);
    dir.write("b/promote.py", PROMOTE_B);
    let whole = check(dir.path(), &["."]);
    assert_eq!(codes_for(&whole, "a/promote.py"), ["MON001"]);
    assert!(codes_for(&whole, "b/promote.py").is_empty());
    assert_eq!(check(&dir.join("a"), &["promote.py"]).codes(), ["MON001"]);
    assert!(check(&dir.join("b"), &["promote.py"]).codes().is_empty());

    // Through a symlinked folder, the file is the same file (not a second member).
    let dir = TempDir::new("symlinked");
    dir.write("real/pyproject.toml", "");
    dir.write("real/a.py", PROMOTE_A);
    dir.write("real/b.py", PROMOTE_B);
    std::os::unix::fs::symlink(dir.join("real"), dir.join("zlink")).unwrap();
    assert_eq!(check(dir.path(), &["real/a.py"]).codes(), ["MON001"]);
    assert_eq!(check(dir.path(), &["zlink/a.py"]).codes(), ["MON001"]);

    // Two spellings of one folder without a marker are one project.
    let dir = TempDir::new("spellings");
    dir.write("sub/a.py", PROMOTE_A);
    dir.write("sub/b.py", PROMOTE_B);
    assert_eq!(
        check(dir.path(), &["sub/a.py", "sub/b.py"]).codes(),
        ["MON001"]
    );
    assert_eq!(
        check(dir.path(), &["./sub/a.py", "sub/b.py"]).codes(),
        ["MON001"]
    );
}

#[test]
fn declared_entry_points_and_imported_lists_resolve_from_any_folder() {
    let dir = TempDir::new("declared-entry");
    dir.write(
        "pyproject.toml",
        "[tool.mlready.serving]\nentry-points = [\"app/handler.py:handle\"]\n",
    );
    dir.write(
        "app/handler.py",
        "import joblib\nimport pandas as pd\n\nmodel = joblib.load(\"models/churn.joblib\")\n\n\ndef handle(payload):\n    X = pd.DataFrame([payload])\n    return model.predict(X)\n",
    );
    dir.write(
        "train.py",
        "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ndf = pd.read_csv(\"data.csv\")\nmodel = LogisticRegression().fit(df[[\"a\"]], df[\"y\"])\njoblib.dump(model, \"models/churn.joblib\")\n",
    );
    let from_root = codes_for(&check(dir.path(), &["."]), "app/handler.py");
    assert!(from_root.contains(&"MON001".to_string()), "{from_root:?}");
    assert_eq!(
        codes_for(&check(&dir.join("app"), &["handler.py"]), "handler.py"),
        from_root
    );

    // A feature list imported from the project root, by a script in src/, run from src/.
    let dir = TempDir::new("import-from-src");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-features");
    copy_tree(&fixture, dir.path());
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::rename(dir.join("train.py"), dir.join("src/train.py")).unwrap();
    let from_root = check(dir.path(), &["src/train.py"]).codes();
    assert!(from_root.contains(&"SKEW001".to_string()), "{from_root:?}");
    assert_eq!(check(&dir.join("src"), &["train.py"]).codes(), from_root);
}

#[test]
fn imported_modules_that_appear_or_shadow_later_are_seen() {
    let dir = TempDir::new("module-appears");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-features");
    copy_tree(&fixture, dir.path());
    let skew = |dir: &TempDir, file: &str| skew_in(dir.path(), file);
    let features = std::fs::read_to_string(dir.join("features.py")).unwrap();
    std::fs::remove_file(dir.join("features.py")).unwrap();
    assert_eq!(skew(&dir, "train.py"), 0, "no feature list to read");
    dir.write("features.py", &features);
    assert_eq!(skew(&dir, "train.py"), 1, "the module appeared");

    // A nearer module shadows the one the cached result read.
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::rename(dir.join("train.py"), dir.join("pkg/train.py")).unwrap();
    assert_eq!(skew(&dir, "pkg/train.py"), 1);
    dir.write(
        "pkg/features.py",
        "FEATURES = [\"plan_price\", \"tenure_days\"]\n",
    );
    assert_eq!(skew(&dir, "pkg/train.py"), 0, "pkg/features.py is nearer");
}

/// A file whose model read a function of another module is checked again when that module
/// changes: its cached result depends on the body it read.
#[test]
fn a_change_in_an_imported_helper_gives_its_callers_fresh_results() {
    let dir = TempDir::new("helper-changes");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/imported-helpers");
    copy_tree(&fixture, dir.path());
    let leak = |dir: &TempDir| {
        check(dir.path(), &["train.py"])
            .codes()
            .iter()
            .filter(|c| *c == "LEAK003")
            .count()
    };
    assert_eq!(
        leak(&dir),
        1,
        "selection on test scores inside utils.evaluate_models"
    );
    assert_eq!(leak(&dir), 1, "the same from the cache");
    // The helper now scores on the training part only: no selection on the test part.
    let utils = std::fs::read_to_string(dir.join("src/utils.py")).unwrap();
    dir.write(
        "src/utils.py",
        utils.replace(
            "r2_score(y_test, model.predict(X_test))",
            "r2_score(y_train, model.predict(X_train))",
        ),
    );
    assert_eq!(
        leak(&dir),
        0,
        "train.py was checked again with the new helper"
    );
}

/// What is piped in for a module never leaks into the cached results of its importers.
#[test]
fn the_standard_input_does_not_poison_the_cache_of_other_files() {
    let dir = TempDir::new("stdin-poison");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects/shared-features");
    copy_tree(&fixture, dir.path());
    let skew = || skew_in(dir.path(), "train.py");
    let piped = run_with_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--preview",
            "--stdin-filename",
            "features.py",
        ],
        b"FEATURES = [\"plan_price\", \"tenure_days\"]\n",
    );
    piped.expect_code(0);
    assert_eq!(skew(), 1, "train.py is checked against features.py on disk");
    assert_eq!(skew(), 1);
}

/// A file that the walk of its project does not reach (ignored by git) may be checked by
/// name, but it does not join the project of the others.
#[test]
fn naming_an_ignored_file_does_not_change_the_others() {
    let dir = TempDir::new("ignored-member");
    dir.write("pyproject.toml", "");
    dir.write(".gitignore", "a_promote.py\n");
    dir.write("a_promote.py", PROMOTE_A);
    dir.write("b_promote.py", PROMOTE_B);
    let whole = check(dir.path(), &["."]);
    assert_eq!(codes_for(&whole, "b_promote.py"), ["MON001"]);
    let both = check(dir.path(), &["a_promote.py", "b_promote.py"]);
    assert_eq!(codes_for(&both, "b_promote.py"), ["MON001"]);
}

/// Without any project marker, a folder named on the command line is one project, its
/// sub-folders included.
#[test]
fn a_folder_without_a_marker_is_one_project() {
    let dir = TempDir::new("markerless");
    let nested = |text: &str| text.replace("model.joblib", "models/model.joblib");
    dir.write("loose/notebooks/train.ipynb", nested(NOTEBOOK_SAVE));
    dir.write("loose/app/serve.py", nested(SERVE));
    let run = check(dir.path(), &["loose"]);
    // REPRO005 too: the notebook saves the model it trained and records nothing about it.
    assert_eq!(
        codes_for(&run, "loose/notebooks/train.ipynb"),
        ["NB005", "REPRO005"],
        "{}",
        run.stdout
    );
    let run = check(&dir.join("loose"), &["."]);
    assert_eq!(
        codes_for(&run, "notebooks/train.ipynb"),
        ["NB005", "REPRO005"]
    );
}
