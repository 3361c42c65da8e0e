//! The semantic model on small programs: roles, columns and their lineage, folds, masks,
//! slices and function summaries.

use super::*;
use crate::source::SourceFile;

use crate::testutil::model_of as model;

/// The x and y of the last fit.
fn last_fit(m: &FileModel) -> (ValueId, Option<ValueId>) {
    m.events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Fit { x: Some(x), y, .. } => Some((*x, *y)),
            _ => None,
        })
        .expect("a fit")
}

const HEAD: &str = "import pandas as pd\nfrom sklearn.model_selection import train_test_split, KFold\nfrom sklearn.linear_model import LogisticRegression\n";

#[test]
fn split_parts_hold_their_roles_and_columns() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\nX = df.drop(columns=['y'])\nX_tr, X_te, y_tr, y_te = train_test_split(X, df['y'], random_state=0)\nLogisticRegression().fit(X_tr, y_tr)\n"
    ));
    let (x, y) = last_fit(&m);
    assert_eq!(m.rows(x), rows::TRAIN);
    assert_eq!(m.rows(y.unwrap()), rows::TRAIN);
    assert_eq!(m.holds_column(x, "y", y), Some(false));
    assert_eq!(m.label_columns(y.unwrap()), vec!["y".to_string()]);
}

#[test]
fn a_frame_keeps_the_target_unless_dropped() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\ny = df['churned']\nX = df.drop(columns=['id'])\nLogisticRegression().fit(X, y)\n"
    ));
    let (x, y) = last_fit(&m);
    assert_eq!(m.holds_column(x, "churned", y), Some(true));
    assert_eq!(m.rows(x), rows::FULL);
}

#[test]
fn assigned_columns_carry_their_lineage() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\ndf['ratio'] = df['t'] / df['n']\ndf['next'] = df.groupby('user')['spend'].shift(-1)\ndf['avg'] = df.groupby('user')['spend'].transform('mean')\nFEATS = ['ratio', 'next']\nLogisticRegression().fit(df[FEATS + ['avg']], df['label'])\n"
    ));
    let (x, _) = last_fit(&m);
    let columns = m.columns(x).expect("a frame");
    assert!(!columns.open);
    let names: Vec<&str> = columns.known.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ratio", "next", "avg"]);
    let ratio = &columns.known[0];
    assert!(ratio.bases.iter().any(|b| &**b == "t"));
    let future = m.facts_tagged(x, Tag::Future);
    assert_eq!(future.len(), 1);
    assert_eq!(future[0].column.unwrap().name, "next");
    let agg = m.facts_tagged(x, Tag::Agg);
    assert_eq!(agg.len(), 1);
    assert_eq!(agg[0].fact.keys, ["user"]);
    assert_eq!(agg[0].fact.column.as_deref(), Some("spend"));
    assert_eq!(agg[0].fact.rows, rows::FULL);
}

#[test]
fn fold_indices_take_rows() {
    let m = model(&format!(
        "{HEAD}X = pd.read_csv('a.csv')\nkf = KFold(5, shuffle=True, random_state=0)\nfor i, (tr, va) in enumerate(kf.split(X)):\n    LogisticRegression().fit(X.iloc[tr], y[tr])\n"
    ));
    let (x, _) = last_fit(&m);
    assert_eq!(m.rows(x), rows::TRAIN);
    let split = m.split_of(x).expect("a part");
    assert!(split.folds && split.shuffled);
}

#[test]
fn masks_and_slices_split_only_with_their_complement() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\nadults = df[df['age'] > 30]\ntrain = df[df['date'] < '2020']\ntest = df[df['date'] >= '2020']\nLogisticRegression().fit(train[['a']], train['y'])\nX = df[['a']]\nX_tr, X_te = X[:n], X[n:]\n"
    ));
    let (x, _) = last_fit(&m);
    assert_eq!(m.rows(x), rows::TRAIN);
    let complete: Vec<SplitKind> = (0..m.splits.len())
        .map(SplitId::new)
        .filter(|&s| m.complete(s))
        .map(|s| m.splits[s].kind)
        .collect();
    assert_eq!(complete, [SplitKind::Mask, SplitKind::Slice]);
    assert!(
        m.values
            .iter()
            .filter(|v| matches!(v.kind, Kind::SplitPart { .. }))
            .count()
            == 4
    );
}

#[test]
fn predictions_carry_the_model_that_made_them() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\nfirst = LogisticRegression().fit(df[['a']], df['y'])\ndf['score'] = first.predict_proba(df[['a']])[:, 1]\nLogisticRegression().fit(df[['a', 'score']], df['y'])\n"
    ));
    let (x, _) = last_fit(&m);
    let out = m.facts_tagged(x, Tag::ModelOut);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].column.unwrap().name, "score");
    assert!(m.estimator(out[0].fact.source).is_some());
}

#[test]
fn a_function_summary_replays_fits_on_the_arguments() {
    let m = model(&format!(
        "{HEAD}def train(features, labels):\n    model = LogisticRegression()\n    model.fit(features, labels)\n    return model\n\ndf = pd.read_csv('a.csv')\nX_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'], random_state=0)\nclf = train(X_tr, y_tr)\nclf.predict(X_te)\n"
    ));
    let (x, _) = last_fit(&m);
    assert_eq!(m.rows(x), rows::TRAIN);
    let fit = m
        .events
        .iter()
        .rposition(|e| matches!(e, Event::Fit { .. }))
        .unwrap();
    assert!(m.replay_of(fit).is_some());
    let Event::Fit { estimator, .. } = m.events[fit] else {
        unreachable!()
    };
    // The returned model is the one the replayed fit trained.
    let predicted = m.events.iter().find_map(|e| match e {
        Event::Predict { estimator, .. } => Some(*estimator),
        _ => None,
    });
    assert_eq!(predicted, Some(estimator));
}

#[test]
fn a_function_summary_adds_the_columns_its_body_assigns() {
    let m = model(&format!(
        "{HEAD}def add_features(frame):\n    frame['lead'] = frame['price'].shift(-1)\n    return frame\n\ndf = pd.read_csv('a.csv')\ndf = add_features(df)\nLogisticRegression().fit(df[['lead', 'volume']], df['y'])\n"
    ));
    let (x, _) = last_fit(&m);
    let future = m.facts_tagged(x, Tag::Future);
    assert_eq!(future.len(), 1, "{:?}", m.columns(x));
    assert_eq!(future[0].column.unwrap().name, "lead");
    assert_eq!(m.rows(x), rows::FULL);
}

#[test]
fn metrics_mark_what_is_evaluated() {
    let m = model(&format!(
        "{HEAD}from sklearn.metrics import accuracy_score\nX_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)\nclf = LogisticRegression().fit(X_tr, y_tr)\npred = clf.predict(X_te)\nsub = clf.predict(other)\naccuracy_score(y_te, pred)\n"
    ));
    let evaluated = m.reaches_metric();
    let outputs: Vec<bool> = m
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Predict { output, .. } => Some(evaluated[output.index()]),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, [true, false]);
}

#[test]
fn predictions_read_only_as_features_are_not_evaluated() {
    // Out-of-fold predictions become the meta-model's feature; only the meta-model's
    // predictions are scored.
    let m = model(&format!(
        "{HEAD}from sklearn.metrics import accuracy_score\nbase = LogisticRegression().fit(X, y)\noof = base.predict(X)\nmeta = LogisticRegression().fit(oof, y)\nfinal = meta.predict(oof)\naccuracy_score(y, final)\n"
    ));
    let evaluated = m.reaches_metric();
    let outputs: Vec<bool> = m
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Predict { output, .. } => Some(evaluated[output.index()]),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, [false, true]);
}

#[test]
fn each_score_belongs_to_the_fit_before_it() {
    let m = model(&format!(
        "{HEAD}from sklearn.metrics import accuracy_score\nclf = LogisticRegression()\nclf.fit(X, y)\nfirst = clf.predict(X2)\nclf.fit(X3, y3)\naccuracy_score(y2, first)\nclf.predict(X4)\n"
    ));
    let fits: Vec<usize> = m
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Fit { .. }))
        .map(|(i, _)| i)
        .collect();
    let scored = m.scored_by_fit();
    assert!(
        scored.contains_key(&Some(fits[0])),
        "the metric scores the first fit"
    );
    assert!(
        !scored.contains_key(&Some(fits[1])),
        "the refit only predicts"
    );
}

#[test]
fn feature_lists_imported_from_the_project_name_columns() {
    let dir = crate::testutil::TempDir::new("model-constants");
    dir.write("features.py", "FEATURES = ['age', 'ratio']\n");
    let code = format!(
        "{HEAD}from features import FEATURES\ndf = pd.read_csv('a.csv')\ndf['ratio'] = df['churned'] / df['n']\nLogisticRegression().fit(df[FEATURES + ['plan']], df['churned'])\n"
    );
    let path = dir.write("train.py", &code);
    let file = SourceFile::python(path, "train.py".into(), code);
    let tree = crate::source::python::parse(&file.text).expect("parses");
    let m = build(&file, &tree);
    let (x, _) = last_fit(&m);
    let columns = m.columns(x).expect("a frame");
    let names: Vec<&str> = columns.known.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["age", "ratio", "plan"]);
    assert!(columns.known[1].bases.iter().any(|b| &**b == "churned"));
}

#[test]
fn a_loop_over_models_binds_one_estimator_for_all() {
    let m = model(&format!(
        "{HEAD}from sklearn.svm import SVC\nmodels = {{'lr': LogisticRegression(), 'svc': SVC()}}\nfor name, clf in models.items():\n    clf.fit(X_tr, y_tr)\n    clf.predict(X_te)\nfrom sklearn.preprocessing import StandardScaler\nfor scaler in [StandardScaler()]:\n    scaler.fit(X_tr)\n"
    ));
    let fitted: Vec<ValueId> = m
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Fit { estimator, .. } => Some(*estimator),
            _ => None,
        })
        .collect();
    let predicted = m.events.iter().find_map(|e| match e {
        Event::Predict { estimator, .. } => Some(*estimator),
        _ => None,
    });
    assert_eq!(predicted, Some(fitted[0]));
    let estimator = m
        .estimator(fitted[0])
        .expect("the loop variable is an estimator");
    assert_eq!(estimator.short_name(), "LogisticRegression / SVC");
    assert_eq!(estimator.seeded, None);
    // Only models and composites: the variable of a loop over transformers stays unknown,
    // so its fit is no estimator's.
    assert_eq!(fitted.len(), 1);
}

#[test]
fn the_wall_clock_is_a_fact_carried_by_what_is_computed_from_it() {
    let m = model(&format!(
        "{HEAD}from datetime import datetime as dt\nimport datetime\nimport time\nimport numpy as np\ndf = pd.read_csv('a.csv', parse_dates=['dob', 'seen'])\nnow = dt.now()\ndf['age'] = (now - df['dob']).dt.days\ndf['d1'] = datetime.date.today().year - df['born']\ndf['d2'] = time.time() - df['epoch']\ndf['d3'] = np.datetime64('now') - df['seen']\ndf['d4'] = pd.Timestamp.today() - df['seen']\ndf['d5'] = pd.to_datetime('today') - df['seen']\ndf['plain'] = pd.to_datetime(df['seen']) - df['dob']\ndf['stamp'] = np.datetime64('2024-01-01') - df['seen']\nLogisticRegression().fit(df[['age', 'd1', 'd2', 'd3', 'd4', 'd5', 'plain', 'stamp']], df['y'])\n"
    ));
    let (x, _) = last_fit(&m);
    let mut clocked: Vec<&str> = m
        .facts_tagged(x, Tag::WallClock)
        .iter()
        .filter_map(|l| l.column.map(|c| c.name.as_str()))
        .collect();
    clocked.sort_unstable();
    assert_eq!(clocked, ["age", "d1", "d2", "d3", "d4", "d5"]);
    let age = m
        .facts_tagged(x, Tag::WallClock)
        .into_iter()
        .find(|l| l.column.is_some_and(|c| c.name == "age"))
        .expect("age carries the clock");
    assert_eq!(age.fact.text, "dt.now()");
    assert!(age.column.unwrap().bases.iter().any(|b| &**b == "dob"));
}

#[test]
fn joins_record_their_keys_and_warehouse_reads_their_query() {
    let m = model(&format!(
        "{HEAD}import sqlalchemy\ncon = sqlalchemy.create_engine('sqlite://')\nev = pd.read_csv('e.csv', parse_dates=['ts'])\np = pd.read_sql('SELECT * FROM profile', con)\nq = pd.read_sql_query('select user_id, plan, updated_at from plans', con)\na = ev.merge(p, on='user_id')\nb = pd.merge(a, q, left_on='uid', right_on='user_id')\nc = pd.merge_asof(ev, q, left_on='ts', right_on='updated_at', by='user_id')\nd = ev.join(p, how='left')\nu = pd.read_csv('u.csv', usecols=['user_id', 'x'])\n"
    ));
    let keys: Vec<(Option<Vec<String>>, bool)> =
        m.joins.iter().map(|j| (j.keys.clone(), j.as_of)).collect();
    let names = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        keys,
        [
            (names(&["user_id"]), false),
            (names(&["uid", "user_id"]), false),
            (names(&["ts", "updated_at", "user_id"]), true),
            (None, false),
        ]
    );
    let reads: Vec<(bool, Option<Vec<String>>)> = m
        .warehouse_reads
        .iter()
        .map(|r| (r.whole_table, r.columns.clone()))
        .collect();
    assert_eq!(
        reads,
        [
            (true, None),
            (false, names(&["user_id", "plan", "updated_at"]))
        ]
    );
    let usecols = m
        .values
        .iter()
        .rev()
        .find_map(|v| v.columns.as_ref().filter(|c| !c.open))
        .expect("usecols closes the frame");
    let listed: Vec<&str> = usecols.known.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(listed, ["user_id", "x"]);
}

#[test]
fn reset_index_adds_the_positions_as_a_column_named_index() {
    let fitted_on = |code: &str| {
        let m = model(&format!(
            "{HEAD}df = pd.read_csv('a.csv', usecols=['k', 'a', 'y'])\n{code}LogisticRegression().fit(r.drop(columns=['y']), r['y'])\n"
        ));
        let (x, _) = last_fit(&m);
        m.holds_column(x, "index", None)
    };
    assert_eq!(fitted_on("r = df.dropna().reset_index()\n"), Some(true));
    assert_eq!(fitted_on("r = df.reset_index(drop=True)\n"), Some(false));
    // The keys come back, not the positions.
    assert_ne!(
        fitted_on("r = df.set_index('k').reset_index()\n"),
        Some(true)
    );
    assert_ne!(
        fitted_on("r = df.groupby('k').sum().reset_index()\n"),
        Some(true)
    );
}

#[test]
fn the_clock_given_as_a_range_to_a_loader_is_not_in_the_rows() {
    let m = model(&format!(
        "{HEAD}import yfinance as yf\nfrom datetime import date, timedelta\nimport sqlalchemy\ntoday = date.today()\nstart = (today - timedelta(days=365)).strftime('%Y-%m-%d')\ndata = yf.download('NFLX', start=start, end=today.strftime('%Y-%m-%d'))\ncon = sqlalchemy.create_engine('sqlite://')\nrows = pd.read_sql('select * from t where ts < ?', con, params=[today])\ndata['x'] = data['Open'] + rows['v']\nLogisticRegression().fit(data[['x', 'Open']], data['up'])\n"
    ));
    let (x, _) = last_fit(&m);
    assert!(m.facts_tagged(x, Tag::WallClock).is_empty());
}

#[test]
fn columns_declared_as_categories() {
    let m = model(&format!(
        "{HEAD}import lightgbm as lgb\ndf = pd.read_csv('a.csv', usecols=['store_id', 'item_id', 'x', 'y'])\ndf['store_id'] = df['store_id'].astype('category')\nds = lgb.Dataset(df[['item_id', 'x']], df['y'], categorical_feature=['item_id'])\nn = df['x'].astype('int32')\nfor c in ['dept_id', 'cat_id']:\n    df[c] = df[c].astype('category')\ndf['shop_id'] = df['shop_id'].astype('category').cat.codes\n"
    ));
    // Category codes (`.cat.codes`) are numbers again: not declared categories.
    assert_eq!(m.categorical, ["store_id", "item_id", "dept_id", "cat_id"]);
}

#[test]
fn the_clock_as_a_parameter_default_is_read_only_by_calls_that_leave_it_out() {
    let clocked = |call: &str| {
        let m = model(&format!(
            "{HEAD}from datetime import datetime\ndef f(df, as_of=None):\n    as_of = as_of or datetime.now()\n    df['age'] = (as_of - df['dob']).dt.days\n    return df\nraw = pd.read_csv('a.csv', parse_dates=['dob', 'ts'])\nt = {call}\nLogisticRegression().fit(t[['age']], t['y'])\n"
        ));
        let (x, _) = last_fit(&m);
        !m.facts_tagged(x, Tag::WallClock).is_empty()
    };
    assert!(!clocked("f(raw, as_of=raw['ts'])"));
    assert!(!clocked("f(raw, raw['ts'])"));
    assert!(clocked("f(raw)"));
    assert!(clocked("f(raw, as_of=None)"));
}

/// The model of `main` in a project whose other modules are `modules` (path, code).
fn project_model(name: &str, modules: &[(&str, &str)], main: (&str, &str)) -> FileModel {
    let dir = crate::testutil::TempDir::new(name);
    for (path, code) in modules {
        dir.write(path, code);
    }
    let path = dir.write(main.0, main.1);
    let file = SourceFile::python(path, main.0.into(), main.1.to_string());
    let tree = crate::source::python::parse(&file.text).expect("parses");
    build(&file, &tree)
}

#[test]
fn a_helper_of_another_module_fits_and_saves_at_the_call_with_its_arguments() {
    let helper = "import joblib\n\ndef evaluate_and_save_model(model, X, y, filename):\n    model.fit(X, y)\n    joblib.dump(model, filename)\n    return model\n";
    let main = format!(
        "{HEAD}from src.utils import evaluate_and_save_model\ndf = pd.read_csv('a.csv')\nX_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'], random_state=0)\nm = evaluate_and_save_model(LogisticRegression(), X_tr, y_tr, 'models/lr.pkl')\nm.predict(X_te)\n"
    );
    let m = project_model(
        "foreign-save",
        &[("src/__init__.py", ""), ("src/utils.py", helper)],
        ("train.py", &main),
    );
    let (x, _) = last_fit(&m);
    assert_eq!(m.rows(x), rows::TRAIN);
    let save = m.io.iter().find(|io| io.op == IoOp::Save).expect("a save");
    assert_eq!(save.path.as_deref(), Some("models/lr.pkl"));
    // Placed at the call in train.py.
    let call = main
        .find("evaluate_and_save_model(LogisticRegression")
        .unwrap();
    assert_eq!(save.span.start, call);
    // The returned model is the one fitted: its predictions are of a fitted estimator.
    assert!(m.events.iter().any(|e| matches!(e, Event::Predict { .. })));
    // The helper module's imports are not the file's.
    assert!(!m.imports.iter().any(|(local, _)| local == "joblib"));
}

#[test]
fn a_project_class_loads_in_its_methods_and_predicts_through_self() {
    let utils = "import pickle\n\ndef load_object(file_path):\n    with open(file_path, 'rb') as f:\n        return pickle.load(f)\n";
    let pipeline = "import os\nfrom src.utils import load_object\n\nclass PredictPipeline:\n    def __init__(self):\n        self.scaler_path = os.path.join('artifacts', 'preprocessor.pkl')\n\n    def predict(self, features):\n        model = load_object(file_path=os.path.join('artifacts', 'model.pkl'))\n        preprocessor = load_object(file_path=self.scaler_path)\n        scaled = preprocessor.transform(features)\n        return model.predict(scaled)\n\nclass CustomData:\n    def __init__(self, gender, score):\n        self.gender = gender\n        self.score = score\n\n    def as_frame(self):\n        return pd.DataFrame({'gender': [self.gender], 'score': [self.score]})\n";
    let app = "import pandas as pd\nfrom flask import Flask, request\nfrom src.pipeline.predict_pipeline import PredictPipeline, CustomData\napp = Flask(__name__)\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n    data = CustomData(gender=request.form.get('gender'), score=request.form.get('score'))\n    df = data.as_frame()\n    return str(PredictPipeline().predict(df))\n";
    let m = project_model(
        "foreign-class",
        &[
            ("src/__init__.py", ""),
            ("src/utils.py", utils),
            ("src/pipeline/__init__.py", ""),
            (
                "src/pipeline/predict_pipeline.py",
                &format!("import pandas as pd\n{pipeline}"),
            ),
        ],
        ("app.py", app),
    );
    let loads: Vec<Option<&str>> =
        m.io.iter()
            .filter(|io| io.op == IoOp::Load)
            .map(|io| io.path.as_deref())
            .collect();
    assert!(loads.contains(&Some("artifacts/model.pkl")), "{loads:?}");
    assert!(
        loads.contains(&Some("artifacts/preprocessor.pkl")),
        "{loads:?}"
    );
    let predict = m
        .events
        .iter()
        .find_map(|e| match e {
            Event::Predict { input, span, .. } => Some((*input, *span)),
            _ => None,
        })
        .expect("the pipeline's prediction, at the call in app.py");
    let call = app.find("PredictPipeline().predict(df)").unwrap();
    assert!(predict.1.start >= call && predict.1.start < call + 40);
    // The frame built from the request's fields reaches the model through the scaler.
    let frame = m
        .values_with_ids()
        .find_map(|(id, v)| {
            v.columns
                .as_ref()
                .filter(|c| c.known.len() == 2)
                .map(|_| id)
        })
        .expect("the frame of CustomData");
    let names: Vec<String> = m
        .columns(frame)
        .unwrap()
        .known
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(names, ["gender", "score"]);
    assert!(m.derives_from(predict.0, |v| v == frame));
}

#[test]
fn imported_bodies_are_bounded_and_a_module_script_is_not_run() {
    // A helper that calls itself, a module whose top level trains, and a cycle of imports.
    let a = "import joblib\nfrom b import g\nfrom sklearn.linear_model import LinearRegression\nimport pandas as pd\ndf = pd.read_csv('x.csv')\nLinearRegression().fit(df[['a']], df['y'])\n\ndef f(x):\n    return g(f(x))\n";
    let b = "from a import f\n\ndef g(x):\n    return f(x).fit(x)\n";
    let main = "from a import f\nout = f(1)\n";
    let m = project_model(
        "foreign-bounds",
        &[("a.py", a), ("b.py", b)],
        ("main.py", main),
    );
    assert!(
        !m.events.iter().any(|e| matches!(e, Event::Fit { .. })),
        "importing a does not train its model"
    );
}

#[test]
fn an_instance_made_at_the_import_of_its_module_loads_and_predicts_at_the_call() {
    let predictor = "import joblib\n\nclass Predictor:\n    def __init__(self):\n        self.model = joblib.load('models/churn.joblib')\n\n    def predict(self, rows):\n        return self.model.predict(rows)\n\npredictor = Predictor()\n";
    let app = "from fastapi import FastAPI\nfrom service.model import predictor\napp = FastAPI()\n\n@app.post('/predict')\ndef predict(rows: list):\n    return predictor.predict(rows).tolist()\n";
    let m = project_model(
        "foreign-instance",
        &[("service/__init__.py", ""), ("service/model.py", predictor)],
        ("app.py", app),
    );
    assert!(
        m.io.iter()
            .any(|io| io.op == IoOp::Load && io.path.as_deref() == Some("models/churn.joblib"))
    );
    let call = app.find("predictor.predict(rows)").unwrap();
    assert!(
        m.events
            .iter()
            .any(|e| matches!(e, Event::Predict { span, .. } if span.start == call))
    );
}

#[test]
fn helpers_resolve_through_module_aliases_and_relative_imports() {
    let io = "import joblib\n\ndef save_model(model, path):\n    joblib.dump(model, path)\n";
    let saved = |main: &str| {
        let m = project_model(
            "foreign-imports",
            &[("pkg/__init__.py", ""), ("pkg/io.py", io)],
            ("pkg/train.py", main),
        );
        m.io.iter()
            .filter(|io| io.op == IoOp::Save)
            .filter_map(|io| io.path.clone())
            .collect::<Vec<_>>()
    };
    let fit = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit([[0]], [0])\n";
    assert_eq!(
        saved(&format!(
            "import pkg.io as io\n{fit}io.save_model(m, 'a.pkl')\n"
        )),
        ["a.pkl"]
    );
    assert_eq!(
        saved(&format!(
            "from . import io\n{fit}io.save_model(m, 'b.pkl')\n"
        )),
        ["b.pkl"]
    );
    assert_eq!(
        saved(&format!(
            "from .io import save_model\n{fit}save_model(m, 'c.pkl')\n"
        )),
        ["c.pkl"]
    );
    // A name the module does not define stays a call the analysis cannot see into.
    assert!(
        saved(&format!(
            "from .io import missing\n{fit}missing(m, 'd.pkl')\n"
        ))
        .is_empty()
    );
}

#[test]
fn a_call_read_from_another_folder_names_the_module_relative_to_the_caller() {
    let m = project_model(
        "foreign-name",
        &[
            ("src/__init__.py", ""),
            (
                "src/io.py",
                "import joblib\n\ndef save(m, p):\n    joblib.dump(m, p)\n",
            ),
        ],
        (
            "notebooks/train.py",
            "from src.io import save\nsave(1, 'a.pkl')\n",
        ),
    );
    let described: Vec<&str> = m.read_at.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(described, ["`save` in `../src/io.py`"]);
}
