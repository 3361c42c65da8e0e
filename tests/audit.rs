//! `mlready audit`: the report's order and content, its formats, and that it is the same
//! analysis as `check`, byte for byte the same on every run.

mod common;

use common::{TempDir, copy_tree, run_in};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// A copy of `name` (a folder of the repository) in a throwaway folder.
fn copy(name: &str) -> TempDir {
    let dir = TempDir::new("audit");
    copy_tree(&fixture(name), dir.path());
    dir
}

fn audit_json(dir: &TempDir, extra: &[&str]) -> Value {
    let mut args = vec!["audit", "--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    let run = dir.run(&args);
    run.expect_code(0);
    serde_json::from_str(&run.stdout).expect("the audit is JSON")
}

#[test]
fn markdown_report_has_every_part_in_order() {
    let dir = copy("examples/churn-demo");
    let run = dir.run(&["audit", "--no-cache"]);
    run.expect_code(0);
    let text = &run.stdout;
    let order = [
        "# mlready audit",
        "## Readiness",
        "| Training/serving skew |",
        "### Fix these first",
        "## Model lineage",
        "```mermaid\nflowchart LR",
        "## Inventory",
        "### Models",
        "### Entry points",
        "### Monitoring",
        "## ML Test Score (static estimate)",
        "## Findings",
        "## Questions for the reviewer",
        "- [ ] **Hidden feedback loops.**",
    ];
    let mut at = 0;
    for part in order {
        let found = text[at..]
            .find(part)
            .unwrap_or_else(|| panic!("`{part}` missing or out of order in:\n{text}"));
        at += found + part.len();
    }
    // The served model's skew is first to fix, ahead of findings off the served path, and
    // says what it reaches.
    let fix_first =
        &text[text.find("### Fix these first").unwrap()..text.find("## Model lineage").unwrap()];
    let first = fix_first.lines().find(|l| l.starts_with("1. ")).unwrap();
    assert!(first.contains("**SKEW"), "{fix_first}");
    assert!(first.contains("served by serve.py"), "{first}");
    // Each finding links to its rule page and has an excerpt with the flagged line marked.
    assert!(text.contains("[Rule LEAK001](https://github.com/mlready/mlready/blob/main/rules/LEAK001-preprocessing-before-split.md)"));
    assert!(
        text.contains("`explore.ipynb cell 6, line 3`"),
        "notebook findings name cell and line"
    );
    assert!(text.contains("> 3 | X_best = SelectKBest("), "{text}");
    assert!(text.contains("**Why it matters:**") && text.contains("**How to fix:**"));
}

#[test]
fn lineage_draws_training_artifacts_serving_and_the_chain() {
    let dir = copy("examples/churn-demo");
    let audit = audit_json(&dir, &[]);
    let nodes = audit["lineage"]["nodes"].as_array().unwrap();
    let id = |label: &str| {
        nodes
            .iter()
            .find(|n| n["label"] == label)
            .unwrap_or_else(|| panic!("no node `{label}` in {nodes:#?}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let edges = audit["lineage"]["edges"].as_array().unwrap();
    let edge = |from: &str, to: &str, kind: &str| {
        edges
            .iter()
            .any(|e| e["from"] == id(from) && e["to"] == id(to) && e["kind"] == kind)
    };
    assert!(
        edge("train.py", "models/churn.joblib", "saves"),
        "{edges:#?}"
    );
    assert!(
        edge("models/churn.joblib", "serve.py", "loads"),
        "{edges:#?}"
    );
    // ltv.py trains on the churn model's predictions: the chain is drawn and marked.
    assert!(edge("models/churn.joblib", "ltv.py", "feeds"), "{edges:#?}");
    let ltv = nodes.iter().find(|n| n["label"] == "ltv.py").unwrap();
    assert!(ltv["marks"].as_array().unwrap().contains(&"chained".into()));
    // Nothing watches the served model: the gap is drawn.
    let serve = nodes.iter().find(|n| n["label"] == "serve.py").unwrap();
    assert!(
        serve["marks"]
            .as_array()
            .unwrap()
            .contains(&"unmonitored".into())
    );
    assert!(
        nodes
            .iter()
            .any(|n| n["kind"] == "monitoring" && n["label"] == "none found")
    );
}

#[test]
fn notebook_only_training_and_declared_monitoring_are_in_the_lineage() {
    let dir = copy("fixtures/projects/notebook-only-training");
    let audit = audit_json(&dir, &[]);
    let nodes = audit["lineage"]["nodes"].as_array().unwrap();
    let train = nodes
        .iter()
        .find(|n| n["label"] == "notebooks/train.ipynb")
        .unwrap();
    assert!(
        train["marks"]
            .as_array()
            .unwrap()
            .contains(&"notebook-only".into())
    );
    let declared = nodes.iter().find(|n| n["kind"] == "monitoring").unwrap();
    assert_eq!(declared["detail"], "declared external");
    let monitoring = &audit["summary"]["families"][3];
    assert_eq!(monitoring["family"], "monitoring");
    assert!(
        monitoring["note"]
            .as_str()
            .unwrap()
            .contains("declared external")
    );
}

#[test]
fn inventory_says_what_each_model_needs_at_serving() {
    let dir = copy("examples/churn-demo");
    let audit = audit_json(&dir, &[]);
    let models = audit["inventory"]["models"].as_array().unwrap();
    let churn = models
        .iter()
        .find(|m| m["class"] == "MLPClassifier")
        .unwrap_or_else(|| panic!("{models:#?}"));
    let features: Vec<&str> = churn["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(features.contains(&"charges_per_call"), "{features:?}");
    let built = churn["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "charges_per_call")
        .unwrap();
    assert_eq!(built["built_at"]["path"], "train.py");
    assert_eq!(churn["saved"][0]["artifact"], "models/churn.joblib");
    let loaded: Vec<&str> = churn["saved"][0]["loaded_at"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(loaded.contains(&"serve.py"), "{loaded:?}");
    let served = churn["served_by"][0].as_u64().unwrap() as usize;
    assert_eq!(
        audit["inventory"]["entry_points"][served]["name"],
        "predict"
    );
    assert_eq!(
        churn["unshipped_preprocessors"][0]["class"],
        "StandardScaler"
    );
    assert!(churn["seeds"].as_str().unwrap().starts_with("unseeded"));
}

#[test]
fn fix_first_puts_the_served_path_before_severity() {
    let dir = copy("examples/churn-demo");
    // The unserved lifetime-value model's errors wait behind the served model's warnings.
    dir.write(
        "serve.py",
        std::fs::read_to_string(dir.join("serve.py")).unwrap(),
    );
    let audit = audit_json(&dir, &[]);
    let fix_first = audit["summary"]["fix_first"].as_array().unwrap();
    let served: Vec<bool> = fix_first
        .iter()
        .map(|f| f["reach"] != "not on a served path")
        .collect();
    assert!(served.iter().any(|s| *s), "{fix_first:#?}");
    let first_off = served.iter().position(|s| !s).unwrap_or(served.len());
    assert!(served[first_off..].iter().all(|s| !s), "{fix_first:#?}");
    let warning_on_path = fix_first
        .iter()
        .any(|f| f["severity"] == "warning" && f["reach"] != "not on a served path");
    assert!(warning_on_path);
    assert!(
        !fix_first.iter().any(|f| f["code"] == "SKEW002"),
        "the unserved model's error is not ahead of the served model's warnings"
    );
}

#[test]
fn audit_is_the_same_analysis_as_check_with_preview() {
    let dir = copy("examples/churn-demo");
    let audit = audit_json(&dir, &[]);
    let check = dir.run(&["check", "--preview", "--format", "json", "--no-cache"]);
    let check: Value = serde_json::from_str(&check.stdout).unwrap();
    let mut from_check: Vec<(String, String, u64)> = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut from_audit: Vec<(String, String, u64)> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap().iter())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    from_check.sort();
    from_audit.sort();
    assert!(!from_audit.is_empty());
    assert_eq!(from_audit, from_check);
    // Preview rules' findings are marked.
    let preview = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["findings"].as_array().unwrap().iter())
        .find(|f| f["code"] == "SKEW001")
        .unwrap();
    assert_eq!(preview["preview"], true);
    assert_eq!(audit["preview_included"], true);
}

#[test]
fn configuration_and_suppressions_apply_as_in_check() {
    let dir = copy("examples/churn-demo");
    let before = audit_json(&dir, &[]);
    let count = |audit: &Value, code: &str| {
        audit["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["findings"].as_array().unwrap().iter())
            .filter(|f| f["code"] == code)
            .count()
    };
    assert!(count(&before, "LEAK006") > 0 && count(&before, "REPRO006") > 0);
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let pyproject = if pyproject.contains("[tool.mlready]") {
        pyproject.replace("[tool.mlready]", "[tool.mlready]\nignore = [\"REPRO006\"]")
    } else {
        format!("{pyproject}\n[tool.mlready]\nignore = [\"REPRO006\"]\n")
    };
    dir.write("pyproject.toml", pyproject);
    let ltv = std::fs::read_to_string(dir.join("ltv.py")).unwrap();
    let split = ltv
        .lines()
        .position(|l| l.contains("train_test_split("))
        .unwrap();
    let mut lines: Vec<String> = ltv.lines().map(str::to_string).collect();
    lines[split].push_str("  # mlready: ignore[LEAK006]");
    dir.write("ltv.py", lines.join("\n") + "\n");
    let after = audit_json(&dir, &[]);
    assert_eq!(count(&after, "REPRO006"), 0);
    assert_eq!(count(&after, "LEAK006"), count(&before, "LEAK006") - 1);
}

#[test]
fn the_same_repository_gives_the_same_report_byte_for_byte() {
    let dir = copy("examples/churn-demo");
    for format in ["markdown", "html", "json"] {
        let cold = dir.run(&["audit", "--format", format, "--no-cache"]);
        // A second run reads the cache the first one did not write; a third reads it warm.
        let first = dir.run(&["audit", "--format", format]);
        let warm = dir.run(&["audit", "--format", format]);
        cold.expect_code(0);
        assert_eq!(
            cold.stdout, first.stdout,
            "{format}: cold and cached runs differ"
        );
        assert_eq!(first.stdout, warm.stdout, "{format}: warm run differs");
        assert!(!cold.stdout.is_empty());
    }
    // And written to a file, the same bytes as on standard output.
    let out = dir.join("audit.md");
    dir.run(&["audit", "--output", out.to_str().unwrap()])
        .expect_code(0);
    let printed = dir.run(&["audit"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), printed.stdout);
}

#[test]
fn a_timestamp_only_when_asked_for() {
    let dir = copy("examples/churn-demo");
    let plain = audit_json(&dir, &[]);
    assert!(plain.get("generated_at").is_none());
    let stamped = audit_json(&dir, &["--timestamp"]);
    let at = stamped["generated_at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );
    let markdown = dir.run(&["audit", "--no-cache", "--timestamp"]);
    assert!(markdown.stdout.contains(at.split('T').next().unwrap()));
}

#[test]
fn summary_fits_a_pull_request_comment() {
    let dir = copy("examples/churn-demo");
    let full = dir.run(&["audit", "--no-cache"]);
    let run = dir.run(&["audit", "--summary", "--no-cache"]);
    run.expect_code(0);
    let text = &run.stdout;
    assert!(text.contains("## Readiness") && text.contains("### Fix these first"));
    // The counts are those of the whole report.
    let audit = audit_json(&dir, &[]);
    let counts = &audit["summary"]["counts"];
    let line = format!(
        "{} errors, {} warnings, {} info",
        counts["error"], counts["warning"], counts["info"]
    );
    assert!(text.contains(&line), "`{line}` not in:\n{text}");
    assert!(text.contains("ML Test Score"));
    for long_part in ["## Model lineage", "## Findings", "## Inventory", "```"] {
        assert!(
            !text.contains(long_part),
            "`{long_part}` in the summary:\n{text}"
        );
    }
    // GitHub's comment limit is 65,536 characters; the summary is a small part of it.
    assert!(
        text.len() < 8_000 && text.len() * 4 < full.stdout.len(),
        "{}",
        text.len()
    );
    // The summary's links would point into a report that is not there: it has none.
    assert!(!text.contains("](#f"), "{text}");
}

#[test]
fn summary_is_markdown_only_and_bad_paths_are_errors() {
    let dir = copy("examples/churn-demo");
    let run = dir.run(&["audit", "--summary", "--format", "json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--summary"), "{}", run.stderr);
    let run = dir.run(&["audit", "--output", "no/such/folder/audit.md"]);
    run.expect_code(2);
    // A path that is not there is an error, not a clean report on nothing.
    let run = dir.run(&["audit", "no/such/project"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("no such file or folder"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn a_project_without_models_says_so() {
    let dir = TempDir::new("audit-empty");
    dir.write("util.py", "def add(a, b):\n    return a + b\n");
    let run = dir.run(&["audit", "--no-cache"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("No model training, saved artifact or serving entry point was found.")
    );
    assert!(run.stdout.contains("No model is fitted in the code."));
    let audit = audit_json(&dir, &[]);
    let monitoring = &audit["summary"]["families"][3];
    assert_eq!(monitoring["status"], "not-applicable");
    let root = run_in(
        dir.path(),
        &["audit", ".", "--format", "json", "--no-cache"],
        &[],
    );
    assert_eq!(root.json(), audit);
}

#[test]
fn large_lineages_are_listed_not_drawn() {
    let dir = TempDir::new("audit-large");
    for i in 0..30 {
        dir.write(
            &format!("train_{i:02}.py"),
            format!(
                "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
                 df = pd.read_csv(\"data/d{i}.csv\")\nmodel = LogisticRegression(random_state=0)\n\
                 model.fit(df[[\"a\", \"b\"]], df[\"y\"])\njoblib.dump(model, \"models/m{i}.joblib\")\n"
            ),
        );
    }
    let audit = audit_json(&dir, &[]);
    assert!(audit["lineage"]["nodes"].as_array().unwrap().len() > 40);
    let run = dir.run(&["audit", "--no-cache"]);
    assert!(!run.stdout.contains("```mermaid"));
    assert!(run.stdout.contains("too many to draw readably"));
    assert!(
        run.stdout
            .contains("- `train_07.py` (LogisticRegression): saves `models/m7.joblib`"),
        "{}",
        run.stdout
    );
}

/// Every key the JSON document uses is documented in docs/audit-json.md.
#[test]
fn every_json_key_is_documented() {
    fn keys(value: &Value, out: &mut std::collections::BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    out.insert(key.clone());
                    keys(value, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let doc = std::fs::read_to_string(fixture("docs/audit-json.md")).unwrap();
    let mut all = std::collections::BTreeSet::new();
    for project in [
        "examples/churn-demo",
        "fixtures/projects/notebook-only-training",
    ] {
        let dir = copy(project);
        keys(&audit_json(&dir, &["--timestamp"]), &mut all);
    }
    let missing: Vec<&String> = all
        .iter()
        .filter(|key| {
            let forms = [
                format!("`{key}`"),
                format!(".{key}`"),
                format!("`{key}["),
                format!(".{key}["),
                format!("\"{key}\""),
            ];
            !forms.iter().any(|form| doc.contains(form.as_str()))
        })
        .collect();
    assert!(missing.is_empty(), "not in docs/audit-json.md: {missing:?}");
}

#[test]
fn a_save_the_analysis_cannot_tie_to_a_model_is_listed_with_the_last_fit_as_untraced() {
    let dir = TempDir::new("audit-untraced");
    dir.write(
        "train.py",
        "import joblib\nimport pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n\
         from sklearn.model_selection import GridSearchCV\n\
         df = pd.read_csv(\"data/train.csv\")\nX = df[[\"a\", \"b\"]]\n\
         search = GridSearchCV(RandomForestClassifier(random_state=0), {\"max_depth\": [2, 4]})\n\
         search.fit(X, df[\"y\"])\nbest = search.best_estimator_\n\
         joblib.dump(best, \"models/model.pkl\")\njoblib.dump(0.3, \"models/threshold.pkl\")\n\
         reloaded = joblib.load(\"models/model.pkl\")\nprint(reloaded.score(X, df[\"y\"]))\n",
    );
    dir.write(
        "serve.py",
        "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\n\
         model = joblib.load(\"models/model.pkl\")\n\n@app.post(\"/predict\")\n\
         def predict(a: float, b: float):\n    return {\"y\": int(model.predict([[a, b]])[0])}\n",
    );
    let audit = audit_json(&dir, &[]);
    let models = audit["inventory"]["models"].as_array().unwrap();
    assert_eq!(models.len(), 1, "{models:#?}");
    // The threshold saved after it is a number, not the model.
    assert_eq!(
        models[0]["saved"].as_array().unwrap().len(),
        1,
        "{models:#?}"
    );
    let saved = &models[0]["saved"][0];
    assert_eq!(saved["artifact"], "models/model.pkl");
    assert_eq!(saved["traced"], false, "{saved:#?}");
    assert_eq!(models[0]["served_by"].as_array().unwrap().len(), 1);
    // Reloading its own artifact to score it is not a chain.
    let edges = audit["lineage"]["edges"].as_array().unwrap();
    assert!(edges.iter().all(|e| e["kind"] != "feeds"), "{edges:#?}");
    let nodes = audit["lineage"]["nodes"].as_array().unwrap();
    assert!(
        nodes
            .iter()
            .all(|n| !n["marks"].as_array().unwrap().contains(&"chained".into()))
    );
    let markdown = dir.run(&["audit", "--no-cache"]);
    assert!(
        markdown
            .stdout
            .contains("the analysis cannot tell that it is this one")
    );
}

#[test]
fn a_model_fitted_in_a_helper_is_listed_once() {
    let dir = TempDir::new("audit-helper");
    dir.write("pyproject.toml", "[project]\nname = \"x\"\n");
    dir.write(
        "src/model.py",
        "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n\
         def train(X, y, path):\n    model = LogisticRegression(random_state=0)\n    \
         model.fit(X, y)\n    joblib.dump(model, path)\n    return model\n",
    );
    dir.write(
        "pipeline.py",
        "import pandas as pd\nfrom src.model import train\n\n\
         df = pd.read_csv(\"data/train.csv\")\ntrain(df[[\"a\", \"b\"]], df[\"y\"], \"models/m.pkl\")\n",
    );
    let audit = audit_json(&dir, &[]);
    let models = audit["inventory"]["models"].as_array().unwrap();
    let fits: Vec<String> = models
        .iter()
        .map(|m| format!("{} {}", m["class"], m["trained_at"]["path"]))
        .collect();
    assert_eq!(fits.len(), 1, "{fits:?}");
    // Listed where it is called, with the path it is saved to there.
    assert!(fits[0].contains("pipeline.py"), "{fits:?}");
    assert_eq!(models[0]["saved"][0]["artifact"], "models/m.pkl");
    assert!(
        models[0]["through"]
            .as_str()
            .unwrap()
            .contains("src/model.py")
    );
}

#[test]
fn unpinned_model_libraries_are_said_under_reproducibility() {
    let dir = TempDir::new("audit-pins");
    dir.write(
        "train.py",
        "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
         df = pd.read_csv(\"data/train.csv\")\nmodel = LogisticRegression(random_state=0)\n\
         model.fit(df[[\"a\", \"b\"]], df[\"y\"])\njoblib.dump(model, \"models/m.pkl\")\n",
    );
    let repro = |audit: &Value| audit["summary"]["families"][4].clone();
    dir.write("requirements.txt", "pandas\nscikit-learn>=1.2\n");
    let loose = audit_json(&dir, &[]);
    assert_eq!(repro(&loose)["family"], "repro");
    let note = repro(&loose)["note"].as_str().unwrap().to_string();
    assert!(
        note.contains("scikit-learn (`scikit-learn>=1.2` in requirements.txt line 2)"),
        "{note}"
    );
    assert_eq!(loose["inventory"]["pins"][0]["library"], "scikit-learn");
    dir.write("requirements.txt", "pandas==2.2.0\nscikit-learn==1.5.2\n");
    let pinned = audit_json(&dir, &[]);
    assert!(
        repro(&pinned).get("note").is_none(),
        "{:#?}",
        repro(&pinned)
    );
    assert_eq!(pinned["inventory"]["pins"][0]["version"], "==1.5.2");
}

#[test]
fn hostile_files_get_their_findings_and_the_report_is_still_written() {
    let dir = TempDir::new("audit-hostile");
    dir.write("broken.ipynb", "{\"cells\": [");
    dir.write("bad.py", b"x = \xff\xfe\n".as_slice());
    dir.write("syntax.py", "def f(:\n  pass\n");
    dir.write(
        "minified.py",
        format!(
            "import pandas as pd\ndf = pd.read_csv(\"/Users/ana/data.csv\"); {}\n",
            "z = 1; ".repeat(10_000)
        ),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    for format in ["markdown", "html", "json"] {
        let run = dir.run(&["audit", "--no-cache", "--format", format]);
        run.expect_code(0);
        assert!(run.stdout.contains("PARSE003") && run.stdout.contains("PARSE002"));
        assert!(run.stdout.contains("REPRO006"));
        // The 70 KB line is shown around the finding, not whole.
        assert!(
            run.stdout.len() < 60_000,
            "{format}: {} bytes",
            run.stdout.len()
        );
    }
    let audit = audit_json(&dir, &[]);
    assert_eq!(audit["files"]["unreadable"], 3);
    let families = audit["summary"]["families"].as_array().expect("families");
    let code_health = families
        .iter()
        .find(|f| f["family"] == "code-health")
        .expect("a code-health family");
    assert_eq!(code_health["status"], "blocking");
}

/// The Markdown report parsed as GitHub-flavoured Markdown: every table keeps its columns in
/// every row, the lineage is one `mermaid` code block, the reviewer's questions are task
/// list items, and each finding's anchor is there for the fix-first links.
#[test]
fn markdown_parses_as_github_flavoured_markdown() {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    let dir = copy("examples/churn-demo");
    let text = dir.run(&["audit", "--no-cache"]).stdout;
    let options = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let (mut tables, mut mermaid, mut tasks) = (0, 0, 0);
    let (mut head_cells, mut row_cells, mut in_head) = (0, 0, false);
    for event in Parser::new_ext(&text, options) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) => {
                in_head = true;
                head_cells = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => row_cells = 0,
            Event::Start(Tag::TableCell) if in_head => head_cells += 1,
            Event::Start(Tag::TableCell) => row_cells += 1,
            Event::End(TagEnd::TableRow) => {
                assert_eq!(
                    row_cells, head_cells,
                    "a table row has other columns than its head"
                )
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "mermaid" => {
                mermaid += 1
            }
            Event::TaskListMarker(checked) => {
                assert!(!checked);
                tasks += 1;
            }
            _ => {}
        }
    }
    // Readiness, entry points, pins, the score's summary and its four sections.
    assert!(tables >= 8, "{tables} tables");
    assert_eq!(mermaid, 1);
    assert_eq!(tasks, 12);
    let audit = audit_json(&dir, &[]);
    for fix in audit["summary"]["fix_first"].as_array().unwrap() {
        let id = fix["id"].as_str().unwrap();
        assert!(text.contains(&format!("](#{id})")));
        assert!(text.contains(&format!("<a id=\"{id}\"></a>")));
    }
}

#[test]
fn a_served_artifact_two_scripts_write_is_marked() {
    let dir = TempDir::new("audit-writers");
    let train = "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
                 df = pd.read_csv(\"data/train.csv\")\nmodel = LogisticRegression(random_state=0)\n\
                 model.fit(df[[\"a\", \"b\"]], df[\"y\"])\njoblib.dump(model, \"model.pkl\")\n\
                 joblib.dump(0.3, \"threshold.pkl\")\n";
    dir.write("train.py", train);
    dir.write(
        "tune_threshold.py",
        "import joblib\njoblib.dump(0.65, \"threshold.pkl\")\n",
    );
    dir.write(
        "serve.py",
        "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\n\
         model = joblib.load(\"model.pkl\")\nthreshold = joblib.load(\"threshold.pkl\")\n\n\
         @app.post(\"/predict\")\ndef predict(a: float, b: float):\n    \
         return {\"y\": bool(model.predict_proba([[a, b]])[0][1] > threshold)}\n",
    );
    let marked = |audit: &Value| -> Vec<String> {
        audit["lineage"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| {
                n["marks"]
                    .as_array()
                    .unwrap()
                    .contains(&"several-writers".into())
            })
            .map(|n| n["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(marked(&audit_json(&dir, &[])), ["threshold.pkl"]);
    // One writer left: nothing to mark.
    dir.write(
        "tune_threshold.py",
        "import joblib\nprint(joblib.load(\"threshold.pkl\"))\n",
    );
    assert!(marked(&audit_json(&dir, &[])).is_empty());
}

#[test]
fn a_save_inside_a_function_is_not_given_to_a_model_fitted_outside_it() {
    let dir = TempDir::new("audit-scope");
    dir.write(
        "train_models.py",
        "import joblib\nimport pandas as pd\nfrom xgboost import XGBRegressor\n\
         df = pd.read_csv(\"data/train.csv\")\nmodel = XGBRegressor(random_state=0)\n\
         model.fit(df[[\"a\", \"b\"]], df[\"y\"])\n\n\
         def save_model(model, name):\n    joblib.dump(model, f\"../models/{name}.pkl\")\n",
    );
    let audit = audit_json(&dir, &[]);
    let models = audit["inventory"]["models"].as_array().unwrap();
    assert_eq!(models.len(), 1);
    assert!(
        models[0]["saved"].as_array().unwrap().is_empty(),
        "{:#?}",
        models[0]
    );
}

#[test]
fn sub_projects_reading_files_of_one_name_are_drawn_apart() {
    let dir = TempDir::new("audit-monorepo");
    for project in ["churn", "fraud"] {
        dir.write(
            &format!("{project}/pyproject.toml"),
            "[project]\nname = \"x\"\n",
        );
        dir.write(
            &format!("{project}/train.py"),
            "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\
             df = pd.read_csv(\"data/train.csv\")\nmodel = LogisticRegression(random_state=0)\n\
             model.fit(df[[\"a\", \"b\"]], df[\"y\"])\njoblib.dump(model, \"models/model.pkl\")\n",
        );
    }
    let audit = audit_json(&dir, &[]);
    let nodes = audit["lineage"]["nodes"].as_array().unwrap();
    let count = |kind: &str| nodes.iter().filter(|n| n["kind"] == kind).count();
    assert_eq!(count("data"), 2, "{nodes:#?}");
    assert_eq!(count("artifact"), 2, "{nodes:#?}");
    assert_eq!(count("training"), 2);
    // Each data file is read by its own project's training only.
    for edge in audit["lineage"]["edges"].as_array().unwrap() {
        if edge["kind"] == "reads" {
            let from = nodes.iter().find(|n| n["id"] == edge["from"]).unwrap();
            let to = nodes.iter().find(|n| n["id"] == edge["to"]).unwrap();
            assert_eq!(from["kind"], "data");
            assert!(to["path"].as_str().unwrap().ends_with("train.py"));
        }
    }
    let reads = audit["lineage"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "reads")
        .count();
    assert_eq!(reads, 2);
}
