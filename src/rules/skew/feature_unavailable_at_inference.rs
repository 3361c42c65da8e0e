use crate::project::index::{EntryRef, FileId, ProjectIndex};
use crate::project::summary::{Place, Save, TrainColumn, Training};
use crate::rule::{Check, ProjectSink};
use std::collections::{BTreeMap, HashSet};

crate::rule::rule! {
    code: "SKEW001",
    name: "feature-unavailable-at-inference",
    family: "skew",
    severity: Error,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// Types of handler parameters that come from a library and are not a request schema
/// (`db: Session = Depends(get_db)`, `tasks: BackgroundTasks`).
const NOT_SCHEMAS: &[&str] = &[
    "fastapi",
    "starlette",
    "sqlalchemy",
    "sqlmodel",
    "redis",
    "typing",
    "datetime",
    "uuid",
    "pathlib",
    "logging",
    "aiohttp",
    "httpx",
    "flask",
    "django",
    "bentoml",
    "mlflow",
];

/// For every serving entry point, follows the artifacts it loads back to the training that
/// saved them (catalog §3.1, Evidence A): each training column the handler cannot build is
/// reported once, at the training's fit, with every handler that lacks it. A handler whose
/// columns cannot be told (a raw body used whole, a source the analysis cannot see) is left
/// alone unless the configuration declares what is available. Columns the configuration
/// declares unavailable are reported for every saved model, served or not.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut found: BTreeMap<(FileId, usize, String), Missing> = BTreeMap::new();
    let mut rows: BTreeMap<(FileId, usize), Positional> = BTreeMap::new();
    for entry in index.entries() {
        let serving = serving_columns(index, entry);
        for &load in &entry.entry.loads {
            for (saver, save) in index.savers_of(entry.file, load) {
                let Some(position) = save.training else {
                    continue;
                };
                let Some(training) = index.training_of(saver, save) else {
                    continue;
                };
                if index.is_test(saver) {
                    continue;
                }
                if let Some(count) = entry.entry.positional {
                    if entry.entry.loads.len() == 1 && mismatched(training, count) {
                        let row = rows
                            .entry((entry.file, entry.entry.place.span.start))
                            .or_insert_with(|| Positional {
                                entry,
                                count,
                                trainings: Vec::new(),
                            });
                        if !row
                            .trainings
                            .iter()
                            .any(|(f, _, t)| *f == saver && t.place == training.place)
                        {
                            row.trainings.push((saver, save, training));
                        }
                    }
                    continue;
                }
                let Some(serving) = &serving else {
                    continue;
                };
                let encoded = &index.files[saver].encoded_columns;
                for column in &training.columns {
                    if serving.contains(column.name.as_str())
                        || encoded_input(&column.name, encoded).is_some_and(|e| serving.contains(e))
                        || (encoded.iter().any(|(prefix, _)| prefix == "*")
                            && serving
                                .iter()
                                .any(|s| is_dummy_of(&column.name, s)))
                    {
                        continue;
                    }
                    let missing = found
                        .entry((saver, position, column.name.clone()))
                        .or_insert_with(|| Missing::new(saver, training, column, save));
                    if !missing
                        .handlers
                        .iter()
                        .any(|h| h.file == entry.file && h.entry.name == entry.entry.name)
                    {
                        missing.handlers.push(entry);
                    }
                }
            }
        }
    }
    declared_unavailable(index, &mut found);
    for missing in found.values() {
        report(index, sink, missing);
    }
    for row in rows.values() {
        positional(sink, row);
    }
}

/// The one-hot encoded column a training column is a dummy of (`color_red` of `color`,
/// `reg_north` of `region` encoded with the prefix `reg`): serving builds the encoder's
/// input, not its outputs.
fn encoded_input<'a>(column: &str, encoded: &'a [(String, String)]) -> Option<&'a str> {
    encoded
        .iter()
        .filter(|(prefix, _)| {
            column.len() > prefix.len()
                && column.starts_with(prefix.as_str())
                && column[prefix.len()..].starts_with(['_', '=', '.', '-', ' '])
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, input)| input.as_str())
}

/// Whether a column is a dummy of `input` with the default separator (`color_red`).
fn is_dummy_of(column: &str, input: &str) -> bool {
    column.len() > input.len() + 1
        && column.starts_with(input)
        && column[input.len()..].starts_with('_')
}

/// A training column the serving side lacks.
struct Missing<'a> {
    file: FileId,
    training: &'a Training,
    column: &'a TrainColumn,
    artifact: String,
    /// The handlers that cannot build it.
    handlers: Vec<EntryRef<'a>>,
    /// The `[tool.mlready.serving] unavailable` pattern it matches.
    declared: Option<String>,
}

impl<'a> Missing<'a> {
    fn new(file: FileId, training: &'a Training, column: &'a TrainColumn, save: &Save) -> Self {
        Missing {
            file,
            training,
            column,
            artifact: artifact_name(save),
            handlers: Vec::new(),
            declared: None,
        }
    }
}

/// Columns of saved models that the configuration declares known only after the outcome.
fn declared_unavailable<'a>(
    index: &ProjectIndex<'a>,
    found: &mut BTreeMap<(FileId, usize, String), Missing<'a>>,
) {
    if index.facts.serving.unavailable.is_empty() {
        return;
    }
    for (file, summary) in index.files.iter().enumerate() {
        if summary.test {
            continue;
        }
        for save in &summary.saves {
            let Some(position) = save.training else {
                continue;
            };
            let Some(training) = index.training_of(file, save) else {
                continue;
            };
            for column in &training.columns {
                let Some(pattern) = index.facts.unavailable(&column.name) else {
                    continue;
                };
                let missing = found
                    .entry((file, position, column.name.clone()))
                    .or_insert_with(|| Missing::new(file, training, column, save));
                missing.declared = Some(pattern.to_string());
            }
        }
    }
}

/// The feature names a handler can build, or None when they cannot be told: its own names,
/// the fields of its request schemas, what the project's feature code it calls produces, and
/// what the configuration declares available (which also settles an unresolved handler).
fn serving_columns<'a>(index: &ProjectIndex<'a>, entry: EntryRef<'a>) -> Option<HashSet<&'a str>> {
    let declared = &index.facts.serving.available;
    let mut names: HashSet<&str> = declared.iter().map(String::as_str).collect();
    names.extend(entry.entry.available.iter().map(String::as_str));
    let mut open = entry.entry.open;
    for name in &entry.entry.schema_types {
        match index.schema(entry.file, name) {
            // A vector in a field (`features: List[float]`) names no feature.
            Some(schema) if schema.vector => open = true,
            Some(schema) => names.extend(schema.fields.iter().map(String::as_str)),
            None => {
                let top = name.split('.').next().unwrap_or(name);
                if !(name.contains('.') && NOT_SCHEMAS.contains(&top)) {
                    open = true;
                }
            }
        }
    }
    let mut feature_code: Vec<FileId> = index.shared_modules(&entry.entry.shared_calls);
    for call in &entry.entry.input_calls {
        match index.module_file(call.trim_start_matches('.')) {
            Some(module) if module != entry.file => {
                if !feature_code.contains(&module) {
                    feature_code.push(module);
                }
            }
            // A function of a module outside the project builds the input.
            _ => open = true,
        }
    }
    for module in feature_code {
        let file = index.files[module];
        open |= file.opaque_sources;
        names.extend(file.produced_columns.iter().map(String::as_str));
        for (_, list) in &file.feature_lists {
            names.extend(list.iter().map(String::as_str));
        }
    }
    if !declared.is_empty() {
        return Some(names);
    }
    (entry.entry.resolved && !open).then_some(names)
}

/// A serving handler's positional rows and the trainings of the model it loads that were
/// fitted on another number of columns (every training whose save the load may read).
struct Positional<'a> {
    entry: EntryRef<'a>,
    /// Values per row.
    count: usize,
    /// (file, save, training), in the order of the join.
    trainings: Vec<(FileId, &'a Save, &'a Training)>,
}

/// Whether a training's known columns differ in number from a positional row's values.
fn mismatched(training: &Training, count: usize) -> bool {
    !training.open && !training.columns.is_empty() && training.columns.len() != count
}

/// A positional row (`model.predict([[a, b]])`) whose length differs from the number of
/// columns the model was fitted on: one finding at the handler's prediction, relating every
/// training the loaded artifact may come from.
fn positional(sink: &mut ProjectSink, row: &Positional) {
    let Some(&(_, save, first)) = row.trainings.first() else {
        return;
    };
    let count = row.count;
    let entry = row.entry;
    let names = |training: &Training| {
        training
            .columns
            .iter()
            .map(|c| format!("`{}`", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let values = format!(
        "the serving handler `{}` passes {count} value{} per row",
        entry.entry.name,
        if count == 1 { "" } else { "s" },
    );
    let message = match row.trainings.as_slice() {
        [_] => format!(
            "{values} to the `{}` saved to `{}`, which was fitted on {} columns ({})",
            first.model,
            artifact_name(save),
            first.columns.len(),
            names(first),
        ),
        several => {
            let fitted = if several.iter().all(|(_, _, t)| names(t) == names(first)) {
                format!("each fitted on {} columns ({})", first.columns.len(), names(first))
            } else {
                let sizes = several.iter().map(|(_, _, t)| t.columns.len());
                let (low, high) = (sizes.clone().min(), sizes.max());
                match (low, high) {
                    (Some(low), Some(high)) if low != high => {
                        format!("fitted on {low} to {high} columns")
                    }
                    _ => format!("fitted on {} columns", first.columns.len()),
                }
            };
            format!(
                "{values} to the model saved to `{}` by {} trainings, {fitted}",
                artifact_name(save),
                several.len(),
            )
        }
    };
    let place: Place = entry
        .entry
        .predicts
        .first()
        .copied()
        .unwrap_or(entry.entry.place);
    let finding = sink
        .report(&RULE, entry.file, place, message)
        .help("build the serving row from the training's feature list, in the same order (`X[FEATURES]`), or refit on the values serving has");
    for (saver, _, training) in &row.trainings {
        finding.related(
            *saver,
            training.place,
            format!(
                "`{}` is fitted here on {} columns",
                training.model,
                training.columns.len()
            ),
        );
    }
}

fn report(index: &ProjectIndex, sink: &mut ProjectSink, missing: &Missing) {
    let column = &missing.column.name;
    let built = match (&missing.column.how, &missing.column.place) {
        (Some(how), Some(place)) => format!(", built with `{how}` ({})", place.describe()),
        (Some(how), None) => format!(", built with `{how}`"),
        _ => String::new(),
    };
    let head = format!(
        "`{column}` is a feature of the `{}` saved to `{}`{built}",
        missing.training.model, missing.artifact
    );
    let (message, help) = match &missing.declared {
        Some(pattern) => (
            format!(
                "{head}, but `[tool.mlready.serving] unavailable` declares it known only after the outcome (`{pattern}`)"
            ),
            format!(
                "drop `{column}` from the features, or replace it with a value that exists when the prediction is made"
            ),
        ),
        None => (
            format!(
                "{head}, but {} never build{} it",
                handlers(index, &missing.handlers),
                if missing.handlers.len() == 1 { "s" } else { "" }
            ),
            format!(
                "build `{column}` in feature code that training and serving both import, or drop it from the features; if it reaches the model some other way, list it in `[tool.mlready.serving] available`"
            ),
        ),
    };
    let finding = sink
        .report(&RULE, missing.file, missing.training.place, message)
        .help(help);
    for handler in &missing.handlers {
        finding.related(
            handler.file,
            handler.entry.place,
            format!(
                "serving handler `{}` ({}) has no `{column}`",
                handler.entry.name, handler.entry.framework
            ),
        );
    }
    if let Some(place) = missing.column.place {
        finding.related(missing.file, place, format!("`{column}` is built here"));
    }
}

/// "the serving handler `predict` (app/main.py)", or a list of handlers.
fn handlers(index: &ProjectIndex, handlers: &[EntryRef]) -> String {
    // A model served by hundreds of handlers (one absolute path in every service) names a
    // few: the message must not grow with the project.
    const NAMED: usize = 5;
    let mut named: Vec<String> = handlers
        .iter()
        .take(NAMED)
        .map(|h| format!("`{}` ({})", h.entry.name, index.path(h.file)))
        .collect();
    if handlers.len() > NAMED {
        named.push(format!("{} more", handlers.len() - NAMED));
    }
    match named.as_slice() {
        [one] => format!("the serving handler {one}"),
        [rest @ .., last] => format!("the serving handlers {} and {last}", rest.join(", ")),
        [] => "the serving code".to_string(),
    }
}

/// The artifact as written at its save, without the parts that cannot be known.
fn artifact_name(save: &Save) -> String {
    let path = save.path.as_deref().unwrap_or("the model artifact");
    path.trim_start_matches("*/").to_string()
}

#[cfg(test)]
mod tests {
    use crate::project::facts::ProjectFacts;
    use crate::settings::Settings;
    use crate::testutil::TempDir;

    const TRAIN: &str = "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\ndf = pd.read_csv('data/c.csv')\ndf['tickets_30d'] = df.groupby('user_id')['ticket_id'].transform('count')\nm = LogisticRegression().fit(df[['plan_price', 'tickets_30d']], df['churned'])\njoblib.dump(m, 'models/churn.joblib')\n";

    const HEAD: &str = "import joblib\nimport pandas as pd\nfrom fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\nmodel = joblib.load('models/churn.joblib')\nclass Req(BaseModel):\n    plan_price: float\n";

    /// SKEW001's findings on a project of `files`: (path, line, message, related messages).
    fn skew001(
        files: &[(&str, &str)],
        facts: ProjectFacts,
    ) -> Vec<(String, usize, String, Vec<String>)> {
        let dir = TempDir::new("skew001");
        for (name, text) in files {
            dir.write(name, text);
        }
        let settings = Settings {
            select: vec!["SKEW001".into()],
            facts,
            ..Settings::default()
        };
        let report = crate::check(std::slice::from_ref(&dir.0), &settings).expect("the check runs");
        report
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "SKEW001")
            .map(|d| {
                let file = d.path.rsplit('/').next().unwrap_or("").to_string();
                let related = d.related.iter().map(|r| r.message.clone()).collect();
                (file, d.start.line, d.message, related)
            })
            .collect()
    }

    fn serving(body: &str) -> String {
        format!("{HEAD}{body}")
    }

    #[test]
    fn a_column_two_handlers_lack_is_reported_once_with_both() {
        let found = skew001(
            &[
                ("train.py", TRAIN),
                (
                    "app/main.py",
                    &serving("@app.post('/a')\ndef predict(req: Req):\n    return {'p': model.predict(pd.DataFrame([req.dict()]))[0]}\n@app.post('/b')\ndef predict_b(req: Req):\n    return {'p': model.predict(pd.DataFrame([req.model_dump()]))[0]}\n"),
                ),
            ],
            ProjectFacts::default(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let (file, line, message, related) = &found[0];
        assert_eq!((file.as_str(), *line), ("train.py", 6));
        assert!(
            message.contains("the serving handlers `predict` (")
                && message.contains("and `predict_b` ("),
            "{message}"
        );
        assert_eq!(related.len(), 3, "{related:?}");
    }

    #[test]
    fn a_declared_list_settles_a_raw_body_and_covers_what_it_names() {
        let raw = serving(
            "@app.post('/a')\ndef predict(payload: dict):\n    return {'p': model.predict(pd.DataFrame([payload]))[0]}\n",
        );
        let files = [("train.py", TRAIN), ("app/main.py", raw.as_str())];
        assert!(skew001(&files, ProjectFacts::default()).is_empty());
        let mut facts = ProjectFacts::default();
        facts.serving.available = vec!["plan_price".into()];
        let found = skew001(&files, facts.clone());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.starts_with("`tickets_30d`"), "{}", found[0].2);
        facts.serving.available.push("tickets_30d".into());
        assert!(skew001(&files, facts).is_empty());
    }

    #[test]
    fn sources_the_analysis_cannot_see_leave_the_handler_alone() {
        for body in [
            // A function of a package outside the project builds the input.
            "from company_features import build\n@app.post('/a')\ndef predict(req: Req):\n    return {'p': model.predict(build(req.dict()))[0]}\n",
            // A database read.
            "@app.post('/a')\ndef predict(req: Req):\n    X = pd.read_sql('select * from f', 'sqlite://')\n    return {'p': model.predict(X)[0]}\n",
            // A schema type from outside the project.
            "from company.schemas import Customer\n@app.post('/a')\ndef predict(req: Customer):\n    return {'p': model.predict(pd.DataFrame([req.dict()]))[0]}\n",
            // The Flask request used whole.
            "from flask import request\n@app.post('/a')\ndef predict():\n    return {'p': model.predict(pd.DataFrame(request.get_json(), index=[0]))[0]}\n",
            // A star import, and an object of a class of the file, build the input.
            "from features import *\n@app.post('/a')\ndef predict(req: Req):\n    return {'p': model.predict(build(req.dict()))[0]}\n",
            "class Featurizer:\n    def run(self, x):\n        return x\nfeaturizer = Featurizer()\n@app.post('/a')\ndef predict(req: Req):\n    return {'p': model.predict(featurizer.run(pd.DataFrame([req.dict()])))[0]}\n",
            // Nothing reaches the input that the analysis knows.
            "@app.post('/a')\ndef predict(req: Req):\n    return {'p': model.predict(app.state.features)[0]}\n",
        ] {
            let found = skew001(
                &[("train.py", TRAIN), ("app/main.py", &serving(body))],
                ProjectFacts::default(),
            );
            assert!(found.is_empty(), "{body}\n{found:?}");
        }
    }

    #[test]
    fn keys_of_the_response_are_not_features() {
        let found = skew001(
            &[
                ("train.py", TRAIN),
                (
                    "app/main.py",
                    &serving("@app.post('/a')\ndef predict(req: Req):\n    p = model.predict(pd.DataFrame([req.dict()]))[0]\n    return {'tickets_30d': p}\n"),
                ),
            ],
            ProjectFacts::default(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn keyed_reads_of_a_raw_body_name_the_features() {
        let found = skew001(
            &[
                ("train.py", TRAIN),
                (
                    "app/main.py",
                    &serving("@app.post('/a')\ndef predict(payload: dict):\n    row = {'plan_price': payload.get('plan_price', 0.0), 'tickets_30d': payload['tickets']}\n    return {'p': model.predict(pd.DataFrame([row]))[0]}\n"),
                ),
            ],
            ProjectFacts::default(),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_model_served_without_knowing_which_of_two_is_not_compared() {
        let two = "import joblib\nimport pandas as pd\nfrom fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\napp.state.a = joblib.load('models/churn.joblib')\napp.state.b = joblib.load('models/ltv.joblib')\nclass Req(BaseModel):\n    plan_price: float\n@app.post('/a')\ndef predict(req: Req):\n    return {'p': app.state.a.predict(pd.DataFrame([req.dict()]))[0]}\n";
        let found = skew001(
            &[("train.py", TRAIN), ("app/main.py", two)],
            ProjectFacts::default(),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_positional_row_of_the_right_length_is_silent() {
        let found = skew001(
            &[
                ("train.py", TRAIN),
                (
                    "app/main.py",
                    &serving("@app.post('/a')\ndef predict(plan_price: float, tickets: int):\n    return {'p': model.predict([[plan_price, tickets]])[0]}\n"),
                ),
            ],
            ProjectFacts::default(),
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
