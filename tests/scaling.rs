//! The project stage at scale (issue 12): sub-projects of train/serve pairs join pair by
//! pair, however many there are and however they are grouped into projects, and a serving
//! file that several trainings may feed gets one finding naming them all. Inputs are
//! generated here, small; `scripts/gen-monorepo.py` makes the same shapes at benchmark size.

mod common;

use common::{TempDir, run_in};
use serde_json::Value;
use std::collections::BTreeSet;

/// How many sub-projects the pair tests generate.
const PAIRS: usize = 30;

/// A training script that fits on `tickets_30d`, which no request below carries, and saves
/// the model to `artifact` (a Python expression).
fn train(artifact: &str, iterations: usize) -> String {
    format!(
        "import joblib\nimport pandas as pd\nfrom pathlib import Path\n\
         from sklearn.linear_model import LogisticRegression\n\
         df = pd.read_csv(\"customers.csv\")\n\
         df[\"tickets_30d\"] = df.groupby(\"user_id\")[\"ticket_id\"].transform(\"count\")\n\
         X = df[[\"plan_price\", \"tenure_months\", \"tickets_30d\"]]\n\
         model = LogisticRegression(max_iter={iterations}).fit(X, df[\"churned\"])\n\
         joblib.dump(model, {artifact})\n"
    )
}

/// The line of the `fit` in [`train`].
const FIT_LINE: u64 = 8;

/// A FastAPI service whose request has two of the three training columns.
fn serve(artifact: &str) -> String {
    format!(
        "import joblib\nimport pandas as pd\nfrom pathlib import Path\nfrom fastapi import FastAPI\n\
         from pydantic import BaseModel\n\
         app = FastAPI()\nmodel = joblib.load({artifact})\n\
         class ChurnRequest(BaseModel):\n    plan_price: float\n    tenure_months: int\n\
         @app.post(\"/predict\")\ndef predict(req: ChurnRequest):\n    \
         return {{\"churn\": float(model.predict(pd.DataFrame([req.dict()]))[0])}}\n"
    )
}

/// A service that predicts on a positional row of two values.
fn serve_positional(artifact: &str) -> String {
    format!(
        "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load({artifact})\n\
         @app.get(\"/score\")\ndef score(plan_price: float, tenure_months: int):\n    \
         return {{\"churn\": float(model.predict([[plan_price, tenure_months]])[0])}}\n"
    )
}

/// The SKEW001 diagnostics of `mlready check ARGS` run in `dir` (preview, no cache).
fn skew001(dir: &TempDir, args: &[&str]) -> Vec<Value> {
    let mut all = vec![
        "check",
        "--select",
        "SKEW001",
        "--format",
        "json",
        "--exit-zero",
        "--no-cache",
    ];
    all.extend_from_slice(args);
    let run = run_in(dir.path(), &all, &[]);
    run.expect_code(0);
    run.json()["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .filter(|d| d["code"] == "SKEW001")
        .cloned()
        .collect()
}

fn text(value: &Value) -> &str {
    value.as_str().expect("a string")
}

/// The folders (`p07`) of the related places of a finding whose message says `what`.
fn related_folders(diagnostic: &Value, what: &str) -> Vec<String> {
    diagnostic["related"]
        .as_array()
        .expect("related is an array")
        .iter()
        .filter(|r| text(&r["message"]).contains(what))
        .map(|r| folder_of(text(&r["path"])))
        .collect()
}

/// The sub-folder a path of the generated tree is in (`proj/p07/serve.py` → `p07`).
fn folder_of(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.pop().unwrap_or("").to_string()
}

/// `PAIRS` sub-folders of `dir/proj`, each with a train.py saving `artifact` and a serve.py
/// loading it, and a pyproject.toml each with `markers`.
fn pairs(dir: &TempDir, artifact: &str, markers: bool) {
    for i in 0..PAIRS {
        dir.write(&format!("proj/p{i:02}/train.py"), train(artifact, 100 + i));
        dir.write(&format!("proj/p{i:02}/serve.py"), serve(artifact));
        if markers {
            dir.write(
                &format!("proj/p{i:02}/pyproject.toml"),
                format!("[project]\nname = \"p{i:02}\"\n"),
            );
        }
    }
}

/// Every sub-folder's training is reported once, at its own `fit`, relating its own
/// handler and no other.
#[track_caller]
fn assert_pairwise(found: &[Value]) {
    assert_eq!(found.len(), PAIRS, "{found:#?}");
    let mut folders = BTreeSet::new();
    for diagnostic in found {
        let folder = folder_of(text(&diagnostic["path"]));
        assert!(
            text(&diagnostic["path"]).ends_with("/train.py"),
            "{diagnostic:#}"
        );
        assert_eq!(diagnostic["line"], FIT_LINE, "{diagnostic:#}");
        assert_eq!(
            related_folders(diagnostic, "serving handler"),
            std::slice::from_ref(&folder),
            "{diagnostic:#}"
        );
        folders.insert(folder);
    }
    assert_eq!(folders.len(), PAIRS);
}

#[test]
fn sub_folders_of_one_marker_less_project_join_pair_by_pair() {
    // A bare file name, and a path into a `models/` folder that is not on disk (made at run
    // time, ignored by git): each sub-folder's serve.py reads its own train.py's model. The
    // second gave every training all thirty handlers (900 related places) before the join
    // preferred the use's own folder; so did a path from the file's own folder
    // (`Path(__file__).parent`, an unknown prefix to the analysis).
    for artifact in [
        "\"model.pkl\"",
        "\"models/model.pkl\"",
        "Path(__file__).parent / \"models\" / \"model.pkl\"",
    ] {
        let dir = TempDir::new("scaling-pairs");
        pairs(&dir, artifact, false);
        assert_pairwise(&skew001(&dir, &["proj"]));
    }
}

#[test]
fn sub_projects_with_their_own_markers_join_pair_by_pair() {
    let dir = TempDir::new("scaling-marked");
    pairs(&dir, "\"models/model.pkl\"", true);
    assert_pairwise(&skew001(&dir, &["proj"]));
    // Naming one serving file reports what stands in it: nothing (the finding is at the fit).
    assert!(skew001(&dir, &["proj/p03/serve.py"]).is_empty());
    // Naming one training file reports its pair only.
    let one = skew001(&dir, &["proj/p03/train.py"]);
    assert_eq!(one.len(), 1, "{one:#?}");
    assert_eq!(related_folders(&one[0], "serving handler"), ["p03"]);
}

#[test]
fn a_service_at_the_root_reads_every_sub_folders_model() {
    // The root's app.py meets the sub-folders' saves only where `models/` would be at the
    // root: nothing nearer, so each of them may be what it serves.
    let dir = TempDir::new("scaling-root");
    for i in 0..3 {
        dir.write(
            &format!("proj/p{i}/train.py"),
            train("\"models/model.pkl\"", 100 + i),
        );
    }
    dir.write("proj/app.py", serve("\"models/model.pkl\""));
    let found = skew001(&dir, &["proj"]);
    assert_eq!(found.len(), 3, "{found:#?}");
    for diagnostic in &found {
        assert_eq!(related_folders(diagnostic, "serving handler"), ["proj"]);
    }
}

#[test]
fn a_positional_row_fed_by_several_trainings_is_one_finding_naming_them_all() {
    // Five training scripts save the same artifact; one handler predicts on two values per
    // row. Before, that was five identical findings at the handler, one per training.
    let dir = TempDir::new("scaling-positional");
    dir.write("proj/pyproject.toml", "[project]\nname = \"team\"\n");
    dir.write("proj/models/.gitkeep", "");
    for t in 0..5 {
        dir.write(
            &format!("proj/training/train_{t}.py"),
            train("\"../models/model.pkl\"", 100 + t),
        );
    }
    dir.write(
        "proj/serving/score.py",
        serve_positional("\"../models/model.pkl\""),
    );
    let found = skew001(&dir, &["proj/serving/score.py"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let finding = &found[0];
    assert_eq!(text(&finding["path"]), "proj/serving/score.py");
    assert_eq!(finding["line"], 7);
    assert_eq!(
        text(&finding["message"]),
        "the serving handler `score` passes 2 values per row to the model saved to \
         `../models/model.pkl` by 5 trainings, each fitted on 3 columns (`plan_price`, \
         `tenure_months`, `tickets_30d`)"
    );
    let trainers: Vec<(&str, u64)> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (text(&r["path"]), r["line"].as_u64().unwrap()))
        .collect();
    let expected: Vec<String> = (0..5)
        .map(|t| format!("proj/training/train_{t}.py"))
        .collect();
    assert_eq!(
        trainers,
        expected
            .iter()
            .map(|p| (p.as_str(), FIT_LINE))
            .collect::<Vec<_>>()
    );
    // With one training, the message names its model as before.
    let dir = TempDir::new("scaling-positional-one");
    dir.write("proj/pyproject.toml", "[project]\nname = \"team\"\n");
    dir.write("proj/models/.gitkeep", "");
    dir.write(
        "proj/training/train.py",
        train("\"../models/model.pkl\"", 100),
    );
    dir.write(
        "proj/serving/score.py",
        serve_positional("\"../models/model.pkl\""),
    );
    let found = skew001(&dir, &["proj"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        text(&found[0]["message"]),
        "the serving handler `score` passes 2 values per row to the `LogisticRegression` saved \
         to `../models/model.pkl`, which was fitted on 3 columns (`plan_price`, \
         `tenure_months`, `tickets_30d`)"
    );
}

#[test]
fn several_trainings_of_one_artifact_each_relate_the_handler_once() {
    // The missing column is reported at each training's fit (where the fix goes), each
    // naming the one handler that lacks it once.
    let dir = TempDir::new("scaling-trainers");
    dir.write("proj/pyproject.toml", "[project]\nname = \"team\"\n");
    dir.write("proj/models/.gitkeep", "");
    for t in 0..4 {
        dir.write(
            &format!("proj/training/train_{t}.py"),
            train("\"../models/model.pkl\"", 100 + t),
        );
    }
    dir.write("proj/serving/app.py", serve("\"../models/model.pkl\""));
    let found = skew001(&dir, &["proj"]);
    assert_eq!(found.len(), 4, "{found:#?}");
    for (t, diagnostic) in found.iter().enumerate() {
        assert_eq!(
            text(&diagnostic["path"]),
            format!("proj/training/train_{t}.py")
        );
        assert_eq!(related_folders(diagnostic, "serving handler"), ["serving"]);
    }
}

/// Found by review: every sub-folder saving to, and serving from, one absolute path relates
/// each training to every handler, and each message named them all: 1,000 pairs made 1,000
/// findings of 1,001 related places and messages naming 1,000 handlers (242 MB of JSON).
/// Now a message names five handlers and a finding lists at most fifty places.
#[test]
fn one_absolute_path_shared_by_every_pair_keeps_each_finding_bounded() {
    let dir = TempDir::new("scaling-absolute");
    let artifact = "\"/srv/models/model.pkl\"";
    for i in 0..60 {
        dir.write(&format!("proj/p{i:02}/train.py"), train(artifact, 100 + i));
        dir.write(&format!("proj/p{i:02}/serve.py"), serve(artifact));
    }
    let found = skew001(&dir, &["proj"]);
    assert_eq!(found.len(), 60, "{found:#?}");
    for diagnostic in &found {
        let message = text(&diagnostic["message"]);
        assert!(
            message.contains("`predict` (proj/p04/serve.py) and 55 more never build it")
                && message.ends_with("(50 of the 61 related places are listed)"),
            "{message}"
        );
        assert_eq!(diagnostic["related"].as_array().unwrap().len(), 50);
    }
}
