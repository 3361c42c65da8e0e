//! What each file hands the project stage (SEMANTICS.md, "What each file hands the project
//! stage"): plain data, serde, so a later cache can store it. Built once per file from its
//! tree and model ([`super::extract`]); the project stage only joins these.

use crate::finding::{Location, Span};
use crate::model::FitMethod;
use serde::{Deserialize, Serialize};

/// A place in the file a summary belongs to: the span for rendering, the resolved position
/// for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Place {
    pub span: Span,
    pub start: Location,
}

impl Place {
    /// "line 12", or "cell 3, line 2" in a notebook.
    pub fn describe(&self) -> String {
        match self.start.cell {
            Some(cell) => format!("cell {cell}, line {}", self.start.line),
            None => format!("line {}", self.start.line),
        }
    }
}

/// One file's summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileSummary {
    /// The display path (relative to the working directory, `/` separators).
    pub path: String,
    pub notebook: bool,
    /// A test module (see [`crate::source::is_test_module`]): never a role.
    pub test: bool,
    /// Local name → qualified name, for every import.
    pub imports: Vec<(String, String)>,
    /// Models fitted in the file (not transformers), in order.
    pub trainings: Vec<Training>,
    /// Models and objects saved to an artifact.
    pub saves: Vec<Save>,
    /// Models loaded from an artifact.
    pub loads: Vec<ArtifactUse>,
    /// Data written to files.
    pub writes: Vec<DataWrite>,
    /// Data read from files.
    pub reads: Vec<ArtifactUse>,
    /// Serving entry points: route handlers, handler conventions, pyfunc models, apps.
    pub entries: Vec<Entry>,
    /// Top-level functions that predict but are not recognised entry points: the
    /// configuration may declare them (`[tool.mlready.serving] entry-points`).
    pub candidates: Vec<Entry>,
    /// Predictions of loaded models outside any entry point, when the file also writes data
    /// and fits nothing: a batch scoring job.
    pub scoring: Vec<Place>,
    /// In a batch scoring job: transformers fitted on the data the job predicts on
    /// (method, class, place).
    pub scoring_fits: Vec<(FitMethod, String, Place)>,
    /// Request schemas defined in the file: pydantic models, dataclasses, TypedDicts.
    pub schemas: Vec<Schema>,
    /// Upper-case list constants of strings (feature lists), by name.
    pub feature_lists: Vec<(String, Vec<String>)>,
    /// Where each of `feature_lists` is assigned, in the same order.
    #[serde(default)]
    pub feature_list_places: Vec<Place>,
    /// Column names the file's functions create (`df["x"] = ...`, `assign(x=...)`): what
    /// shared feature code can build.
    pub produced_columns: Vec<String>,
    /// How the file computes the columns it assigns (`df["age"] = ...`), one per
    /// assignment: two files that compute one feature each their own way.
    #[serde(default)]
    pub produced_expressions: Vec<ProducedColumn>,
    /// Columns the file one-hot encodes, as (prefix of the dummy columns, input column):
    /// `pd.get_dummies(df, columns=["color"])` and a `OneHotEncoder` fitted on
    /// `df[["color"]]` give `("color", "color")`, `prefix={"region": "reg"}` gives
    /// `("reg", "region")`. A training column `color_red` is the encoding of `color`, which
    /// is what serving must build.
    #[serde(default)]
    pub encoded_columns: Vec<(String, String)>,
    /// The file's functions read data from somewhere the analysis cannot see (a database,
    /// an HTTP call, a feature store): columns they return may be anything.
    pub opaque_sources: bool,
    /// Drift monitoring and other monitoring evidence.
    pub monitoring: Vec<Evidence>,
    /// Notebooks the file runs as a pipeline step (`papermill.execute_notebook("train.ipynb",
    /// ...)`, `jupyter nbconvert --execute train.ipynb` in a subprocess), as written.
    pub executed_notebooks: Vec<String>,
    /// Imports from prototype folders or modules (`notebooks/`, `sandbox/`, `scratch/`,
    /// `experiments/`, `prototype*`), notebook importers (`import_ipynb`, `nbimporter`) and
    /// calls that run notebooks: (the statement or call, shortened; its place).
    #[serde(default)]
    pub prototype_uses: Vec<(String, Place)>,
    /// Module-level upper-case constants assigned a literal setting: a number, a string, a
    /// bool, a dict literal, or a list or tuple of three or more literals that are not all
    /// strings (lists of strings are `feature_lists`): (name, value normalised for
    /// comparison, place).
    #[serde(default)]
    pub config_constants: Vec<(String, String, Place)>,
    /// Model promotion or deployment calls (`mlflow.register_model`, `Model.deploy`).
    pub deployments: Vec<Deployment>,
    /// Top-level functions and classes whose bodies send data to a log or metrics sink: a
    /// handler in another file that calls one logs.
    pub logging_functions: Vec<String>,
    /// Top-level functions that call another service over HTTP and predict nothing
    /// themselves (`def predict(x): return requests.post(API_URL, json=x).json()`): a
    /// client of a prediction API.
    #[serde(default)]
    pub http_functions: Vec<String>,
    /// Middleware and request hooks the file registers on a web app.
    pub middleware: Vec<Middleware>,
    /// Calls of functions and classes of other project modules whose bodies the model read
    /// at the call (`` `Preprocess.preprocess` in `preprocess.py` ``): what they fit, save or
    /// load is placed at the call, and messages name the helper.
    #[serde(default)]
    pub read_at: Vec<(Place, String)>,
    /// The model libraries the file imports at its top level (by distribution,
    /// `scikit-learn`), each at its first import (REPRO003).
    #[serde(default)]
    pub ml_imports: Vec<(String, Place)>,
}

impl FileSummary {
    /// What was called at `place`, when it is a call whose imported body was read.
    pub fn called_at(&self, place: &Place) -> Option<&str> {
        self.read_at
            .iter()
            .find(|(p, _)| p.span == place.span)
            .map(|(_, called)| called.as_str())
    }
}

/// A column assignment (`df["age"] = 2024 - df["birth_year"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducedColumn {
    pub name: String,
    /// The assigned expression, normalized: no whitespace, one kind of quotes, and the
    /// frame assigned to written `_` (`2024-_["birth_year"]`).
    pub expression: String,
    /// Functions and classes of other modules the expression calls or names, qualified.
    pub imported: Vec<String>,
    /// The assignment.
    pub place: Place,
}

/// A middleware or request hook (`@app.middleware("http")`, `app.add_middleware(Cls)`,
/// `@app.after_request`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Middleware {
    /// The function or class registered, qualified when it is imported.
    pub name: String,
    /// Its body in this file logs request or response data, or it is a known logging
    /// middleware. An imported one from the project is resolved by the project stage.
    pub logs: bool,
    pub place: Place,
}

/// A model fitted in a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Training {
    /// The estimator class as named in messages (`LogisticRegression`, `Pipeline`).
    pub model: String,
    /// For a composite or a search, the model inside it (`LogisticRegression` in a
    /// `Pipeline`, the estimator a `GridSearchCV` tunes), when it is seen.
    #[serde(default)]
    pub inner: Option<String>,
    /// The function body the fit is in, numbered per file (0: the module or notebook).
    #[serde(default)]
    pub scope: u32,
    /// A clusterer or outlier detector (learns without a label).
    #[serde(default)]
    pub unsupervised: bool,
    /// The fit call.
    pub place: Place,
    /// The source text of the X argument.
    pub x_text: String,
    /// Named columns of X, each with how it was built.
    pub columns: Vec<TrainColumn>,
    /// X may hold more columns than `columns` (a frame read from a file, not narrowed).
    pub open: bool,
    /// Column names dropped from an open X: certainly absent.
    pub dropped: Vec<String>,
    /// Indexes into [`FileSummary::reads`] of the data X was read from.
    pub reads: Vec<usize>,
    /// Stateful transformers fitted in the file whose output reaches X, and that are
    /// neither saved nor inside the saved model.
    pub unsaved_preprocessors: Vec<Preprocessor>,
    /// Predictions of a loaded model that reach X: indexes into [`FileSummary::loads`].
    pub loaded_outputs: Vec<usize>,
}

/// A column of a training matrix.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainColumn {
    pub name: String,
    /// How the file built it (`groupby("user_id")["ticket_id"].transform("count")`), when
    /// it was assigned in this file.
    pub how: Option<String>,
    /// Where it was assigned.
    pub place: Option<Place>,
    /// Derived from a model's predictions.
    pub model_output: bool,
}

/// A fitted transformer that is not shipped with the model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Preprocessor {
    /// The class (`StandardScaler`).
    pub class: String,
    /// The variable as written at its fit (`scaler`); empty when it was fitted inside a
    /// helper of another module (its `place` is then the helper's call).
    pub name: String,
    pub place: Place,
    /// The name was rebound to another transformer of the same class that is saved (the
    /// wrong object shipped): where that one is saved.
    #[serde(default)]
    pub rebound_save: Option<Place>,
}

/// What a save persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Saved {
    /// A model fitted in the file ([`Save::training`] says which).
    Model,
    /// A fitted transformer alone.
    Transformer,
    /// Something else, or unknown.
    #[default]
    Other,
}

/// A save of a model or object to an artifact.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Save {
    /// The artifact path (see [`crate::model::Io::path`]), None when it cannot be folded.
    pub path: Option<String>,
    /// `joblib.dump`, `mlflow.sklearn.log_model`, `<model>.save`.
    pub function: String,
    pub place: Place,
    pub saved: Saved,
    /// The training whose model is saved: index into [`FileSummary::trainings`].
    pub training: Option<usize>,
    /// Every training whose model the saved object holds (a dict or list of models), the
    /// one in `training` first.
    pub trainings: Vec<usize>,
    /// The saved object is a model that is never fitted: a new estimator the file makes,
    /// fits nowhere and hands to nothing that could fit it (a search fits clones of it).
    #[serde(default)]
    pub unfitted: Option<Unfitted>,
    /// The function body the save is in, numbered per file (0: the module or notebook).
    #[serde(default)]
    pub scope: u32,
    /// The saved value is one the analysis cannot tell (an attribute of a fitted search, a
    /// function's result, a parameter), not a constant, a frame or a collection it knows.
    #[serde(default)]
    pub opaque: bool,
}

/// A model saved without ever being fitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Unfitted {
    /// The estimator class (`LogisticRegression`).
    pub class: String,
    /// The variable saved, as the save names it (`model`).
    pub name: String,
    /// Where the estimator was made.
    pub made: Place,
}

/// A load of an artifact or a read of a data file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArtifactUse {
    pub path: Option<String>,
    pub function: String,
    pub place: Place,
    /// For a load: the loads (indexes into [`FileSummary::loads`]) whose model predicts on
    /// data this loaded object was applied to (`scaler.transform(row)` before
    /// `model.predict`). Empty when it is seen feeding no loaded model's predictions.
    #[serde(default)]
    pub applied_to: Vec<usize>,
}

/// Data written to a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataWrite {
    pub path: Option<String>,
    pub function: String,
    pub place: Place,
    /// Columns of the written data that hold a model's predictions; `*` when the written
    /// value is the predictions themselves.
    pub predictions: Vec<String>,
    /// The model whose predictions they are, as named in messages.
    pub model: Option<String>,
    /// Where the model predicted.
    pub predicted_at: Option<Place>,
}

/// What kind of entry point a handler is, which decides what the rules may expect of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recognised {
    /// A route or view of a web framework, or an app's callback (Gradio).
    #[default]
    Route,
    /// A serving library's handler (MLflow pyfunc, KServe, TorchServe, Seldon, SageMaker
    /// `predict_fn`, AzureML `run`, LitServe): it serves a model by definition.
    Handler,
    /// A model loader whose requests the platform handles (SageMaker `model_fn` alone): it
    /// serves a model, but no code of the project sees the requests.
    LoaderOnly,
    /// A script that serves from its top level (a Streamlit app).
    Script,
    /// Only its name says it serves (`predict` in `predict.py`).
    Convention,
    /// Declared in `[tool.mlready.serving] entry-points`.
    Declared,
}

impl Recognised {
    /// Whether the handler serves a model even when no prediction is visible in it.
    pub fn serves_by_definition(self) -> bool {
        matches!(self, Recognised::Handler | Recognised::LoaderOnly)
    }
}

/// How a serving entry point was recognised.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    /// The handler (`predict`, `ChurnModel.predict`).
    pub name: String,
    /// The framework or convention, as named in messages (`FastAPI route`, `MLflow pyfunc`,
    /// `` `predict` in a serving module``).
    pub framework: String,
    /// What kind of entry point it is (rules read this, not the name above).
    #[serde(default)]
    pub recognised: Recognised,
    /// The handler's definition (its name).
    pub place: Place,
    /// Loads in the file whose model the handler predicts with: indexes into
    /// [`FileSummary::loads`]; empty when it cannot be told.
    pub loads: Vec<usize>,
    /// Predictions made by the handler (or the file's functions it calls).
    pub predicts: Vec<Place>,
    /// Feature names the handler can build: request fields, literal keys, assigned columns,
    /// feature-store reads.
    pub available: Vec<String>,
    /// Request schema types named in the handler's parameters, as written or qualified.
    pub schema_types: Vec<String>,
    /// The request is used whole (a dict or JSON body with no schema) or features come from
    /// somewhere the analysis cannot see: the serving columns are unknown.
    pub open: bool,
    /// `model.predict([[a, b, c]])`: the number of values of a positional feature vector.
    pub positional: Option<usize>,
    /// The model's input is the values of a request's mapping in the order the client sent
    /// them (`[float(v) for v in request.form.values()]`): the mapping, as written.
    #[serde(default)]
    pub values_row: Option<String>,
    /// For a positional row, the name each value is read through, in row order: the
    /// request field, form field or variable (`request.form["reading_score"]`,
    /// `float(req.age)`, `tenure`); None where it cannot be told (`features[0]`, `x * 2`).
    #[serde(default)]
    pub positional_names: Vec<Option<String>>,
    /// Upper-case names the handler's bodies mention (`FEATURES`): those that are feature
    /// lists of its file are the lists it builds its input with.
    #[serde(default)]
    pub constants: Vec<String>,
    /// The columns of the frame the handler's model predicts on, in order, when every one
    /// is known (`model.predict(frame[FEATURES])`); empty otherwise.
    #[serde(default)]
    pub predict_columns: Vec<String>,
    /// Inputs or predictions reach a log or metrics sink.
    pub logged: bool,
    /// Fits in the serving path: (method, class, place).
    pub fits: Vec<(FitMethod, String, Place)>,
    /// Which of `fits` (indexes) the module makes at its top level, outside the handler,
    /// of transformers the handler applies.
    #[serde(default)]
    pub top_level_fits: Vec<usize>,
    /// Functions of other project modules the handler calls, qualified.
    pub shared_calls: Vec<String>,
    /// The model's input was traced back to the request through names: fields of a
    /// request schema, named parameters, literal dict keys, keyed reads, closed columns or
    /// feature-store reads. False when nothing could be told (the serving columns are unknown).
    pub resolved: bool,
    /// Functions of other modules (qualified, not pandas or numpy) whose results reach the
    /// model's input: project modules build features there; any other is a source the
    /// analysis cannot see.
    pub input_calls: Vec<String>,
    /// In a file that loads no model, when every prediction of the handler is a call of an
    /// imported `predict*` helper: those helpers, qualified. If each is a function of the
    /// project that only calls an API over HTTP, the handler serves no model.
    #[serde(default)]
    pub predict_helpers: Vec<String>,
}

/// A request schema class.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    pub fields: Vec<String>,
    /// A field holds a sequence (`features: List[float]`): the request is a vector, not
    /// named features.
    #[serde(default)]
    pub vector: bool,
}

/// What kind of monitoring evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A drift-monitoring library or managed monitor is used.
    #[default]
    Library,
    /// A two-sample statistic or a PSI-like function on data.
    Statistic,
    /// A function or module the configuration declares as monitoring.
    Declared,
}

/// Monitoring evidence in a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// What was found (`evidently`, `scipy.stats.ks_2samp`, `psi()`).
    pub what: String,
    pub place: Place,
}

/// A promotion or deployment call.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Deployment {
    pub function: String,
    pub place: Place,
}
