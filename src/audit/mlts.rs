//! The static ML Test Score estimate (Breck et al., "The ML Test Score: A Rubric for ML
//! Production Readiness and Technical Debt Reduction", IEEE Big Data 2017).
//!
//! The rubric has 28 tests in four sections of seven (Data, Model, Infrastructure,
//! Monitoring). A test scores 0.5 when it is done by hand with its results documented and 1
//! when it is automated and run repeatedly; a section scores the sum of its tests, and the
//! final score is the minimum over the four sections.
//!
//! What the code shows decides each test's [`Evidence`], precision first:
//!
//! - A finding that shows the test is not met makes it [`Evidence::Against`] (0 points),
//!   whatever else is seen; the notes name the findings (`MON001 at serve.py:22: ...`). The
//!   rules each test listens to ([`AGAINST`]) are those of the rule catalog's coverage
//!   matrix (§5.2), with the tests each rule's own catalog entry names as its source (NB005:
//!   Model 1, Infra 1 and 3; MON001: Monitor 3 and 7; MON002: Monitor 3, 6 and 7), and for
//!   Infra 1 the notebook and path findings that stop a training from being rerun elsewhere
//!   (NB001, NB006, REPRO006), counted only in files that train. An ML library the models
//!   use that no manifest pins, with no lockfile, is against Infra 1 and Monitor 1: the pins
//!   read by the manifest reader REPRO003 shares (project/manifests.rs), so REPRO003's own
//!   finding is not listened to again.
//! - Otherwise the strongest evidence seen decides, by where it stands:
//!   - in a script of the project (not a notebook, not a test): [`Evidence::Automated`], 1
//!     point, since it runs each time the pipeline runs;
//!   - in a test module: [`Evidence::Automated`] when a CI configuration of the repository
//!     (`.github/workflows/*.yml`, `.gitlab-ci.yml`, ...) runs a Python test runner, else
//!     [`Evidence::Manual`], 0.5 (the tests exist but are run by hand);
//!   - only in a notebook: [`Evidence::Manual`], 0.5;
//!   - evidence that covers only part of a test (a request schema that types serving inputs
//!     but says nothing of training data; a model version registry that makes a rollback
//!     possible but shows none) counts half, as [`Evidence::Manual`].
//! - Nothing seen either way: [`Evidence::None`], with a note of what was looked for
//!   ([`LOOKS_FOR`]).
//! - Infra 1 is at most [`Evidence::Manual`]: seeds and pins make a training reproducible by
//!   construction, but no test is seen to train twice and compare.
//! - The tests no code can show (the catalog's "no" rows, §7) are [`Evidence::NotStatic`]
//!   with a note "needs process review".
//!
//! Besides the run's findings and the project index, the estimate reads a few known files
//! at each project root and the repository root above it (the first ancestor holding
//! `.git`, at most a few levels up): CI configurations, Dependabot and Renovate
//! configurations, lockfiles. Each is read only when it is a regular file under 1 MB, at
//! most [`MAX_WORKFLOWS`] workflow files per folder; no folder is walked.

use super::Input;
use super::model::{Evidence, Inventory, MlTestScore, MltsSection, MltsTest};
use crate::project::index::{FileId, ProjectIndex};
use crate::project::summary::FileSummary;
use crate::report::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The label every estimate carries.
pub const LABEL: &str = "Static estimate from code alone: process, infrastructure and tests \
                         outside this repository are not seen; the real score may be higher";

/// The 28 tests: id and title as the paper words them, in the paper's order.
pub const TESTS: [(&str, &str); 28] = [
    ("Data 1", "Feature expectations are captured in a schema"),
    ("Data 2", "All features are beneficial"),
    ("Data 3", "No feature's cost is too much"),
    ("Data 4", "Features adhere to meta-level requirements"),
    (
        "Data 5",
        "The data pipeline has appropriate privacy controls",
    ),
    ("Data 6", "New features can be added quickly"),
    ("Data 7", "All input feature code is tested"),
    ("Model 1", "Model specs are reviewed and submitted"),
    ("Model 2", "Offline and online metrics correlate"),
    ("Model 3", "All hyperparameters have been tuned"),
    ("Model 4", "The impact of model staleness is known"),
    ("Model 5", "A simpler model is not better"),
    (
        "Model 6",
        "Model quality is sufficient on important data slices",
    ),
    (
        "Model 7",
        "The model is tested for considerations of inclusion",
    ),
    ("Infra 1", "Training is reproducible"),
    ("Infra 2", "Model specs are unit tested"),
    ("Infra 3", "The ML pipeline is integration tested"),
    ("Infra 4", "Model quality is validated before serving"),
    ("Infra 5", "The model is debuggable"),
    ("Infra 6", "Models are canaried before serving"),
    ("Infra 7", "Serving models can be rolled back"),
    ("Monitor 1", "Dependency changes result in notification"),
    ("Monitor 2", "Data invariants hold for inputs"),
    ("Monitor 3", "Training and serving are not skewed"),
    ("Monitor 4", "Models are not too stale"),
    ("Monitor 5", "Models are numerically stable"),
    ("Monitor 6", "Computing performance has not regressed"),
    ("Monitor 7", "Prediction quality has not regressed"),
];

/// The sections, in order, seven tests each.
pub const SECTIONS: [&str; 4] = ["Data", "Model", "Infrastructure", "Monitoring"];

/// At most this many notes of one kind (findings against, evidence) per test.
const MAX_NOTES: usize = 6;

/// At most this many workflow files read per folder.
pub const MAX_WORKFLOWS: usize = 50;

/// Files larger than this are not read.
const MAX_BYTES: u64 = 1 << 20;

/// How many folders above a project root are searched for the repository root.
const MAX_ASCENT: usize = 4;

/// The points of a test with this evidence.
pub fn points(evidence: Evidence) -> f32 {
    match evidence {
        Evidence::Automated => 1.0,
        Evidence::Manual => 0.5,
        Evidence::Against | Evidence::None | Evidence::NotStatic => 0.0,
    }
}

/// The tests no code can show, with why (catalog §5.2 "no" rows, §7).
pub const NOT_STATIC: &[(&str, &str)] = &[
    (
        "Data 2",
        "whether each feature is beneficial needs ablation experiments on data",
    ),
    (
        "Data 3",
        "a feature's cost (latency, memory, upkeep) needs measurement",
    ),
    (
        "Data 6",
        "how fast a new feature reaches production is a team process",
    ),
    (
        "Model 2",
        "whether offline metrics track online impact needs live experiments",
    ),
    (
        "Model 4",
        "the impact of staleness needs experiments with models of different ages",
    ),
    (
        "Infra 5",
        "whether a model can be stepped through on one example is a tooling question",
    ),
    (
        "Infra 6",
        "canarying lives in the deployment infrastructure",
    ),
    (
        "Monitor 4",
        "staleness alerts live in the production infrastructure",
    ),
];

/// Findings that show a test is not met: (test, rule codes or code prefixes ending in `*`).
/// Only rules that exist are listed (a test checks it): the catalog's matrix (§5.2) names
/// more for Data 1, Data 7, Infra 2, 4 and 7, Monitor 2 and 5 (monitoring rules not written
/// yet, evaluation on training data only, prediction exports without a version), to add here
/// as they are written. Monitor 1's REPRO003 is read through
/// the pins (see the module comment).
pub const AGAINST: &[(&str, &[&str])] = &[
    ("Data 1", &["SKEW001"]),
    ("Model 1", &["NB005", "REPRO005"]),
    ("Model 3", &["LEAK003", "CFG001"]),
    (
        "Infra 1",
        &[
            "REPRO001", "REPRO002", "REPRO004", "REPRO006", "NB001", "NB002", "NB005", "NB006",
        ],
    ),
    ("Infra 3", &["NB005"]),
    ("Infra 7", &["REPRO005"]),
    ("Monitor 3", &["SKEW*", "MON001", "MON002"]),
    ("Monitor 5", &["API016"]),
    ("Monitor 6", &["MON002"]),
    ("Monitor 7", &["MON001", "MON002"]),
];

/// Rules whose findings against Infrastructure 1 count only in files that train.
const TRAINING_ONLY: &[&str] = &["REPRO001", "REPRO006", "NB001", "NB002", "NB006"];

/// What each test looks for, said when nothing was seen.
pub const LOOKS_FOR: &[(&str, &str)] = &[
    (
        "Data 1",
        "a data validation library (pandera, great_expectations, tensorflow_data_validation, \
         deepchecks, soda, jsonschema) or a request schema on an entry point",
    ),
    (
        "Data 4",
        "no rule reads feature deny-lists or meta-level requirements yet",
    ),
    (
        "Data 5",
        "no rule checks privacy controls (anonymisation, access) yet",
    ),
    (
        "Data 7",
        "a test module importing each module that builds features for a training or an entry point",
    ),
    (
        "Model 1",
        "a model trained in a checked-in script or notebook",
    ),
    (
        "Model 3",
        "a hyperparameter search (GridSearchCV, RandomizedSearchCV, optuna, hyperopt, ray.tune, \
         keras_tuner, skopt)",
    ),
    (
        "Model 5",
        "a baseline model to compare with (sklearn.dummy DummyClassifier, DummyRegressor)",
    ),
    (
        "Model 6",
        "metrics per data slice (fairlearn MetricFrame); grouped metrics written by hand are \
         not recognised",
    ),
    ("Model 7", "a fairness toolkit (fairlearn, aif360)"),
    ("Infra 1", "a training seeded, with its ML libraries pinned"),
    (
        "Infra 2",
        "a test module importing a training module or the model code it imports",
    ),
    (
        "Infra 3",
        "a test module importing both a training module and a serving or scoring module",
    ),
    (
        "Infra 4",
        "model validation against thresholds before registration (mlflow MetricThreshold)",
    ),
    (
        "Infra 7",
        "served models versioned in a model registry (models:/ references, registration calls)",
    ),
    (
        "Monitor 1",
        "Dependabot (pip) or Renovate configured for the repository",
    ),
    (
        "Monitor 2",
        "input validation in training or serving (a validation library, a request schema)",
    ),
    (
        "Monitor 3",
        "drift monitoring comparing serving data with training data",
    ),
    (
        "Monitor 5",
        "NaN guards in training loops (TerminateOnNaN, clip_grad_norm_, detect_anomaly)",
    ),
    (
        "Monitor 6",
        "a metrics or tracing library in a serving file (prometheus_client, opentelemetry, \
         ddtrace, statsd)",
    ),
    (
        "Monitor 7",
        "drift or quality monitoring of the served model's predictions",
    ),
];

/// What one test gathered.
#[derive(Default)]
struct Gathered {
    against: BTreeSet<String>,
    automated: BTreeSet<String>,
    manual: BTreeSet<String>,
    /// Context that decides nothing (a promotion whose gate cannot be seen).
    info: BTreeSet<String>,
}

/// What the repository around a project shows: CI, dependency bots, lockfiles.
#[derive(Default, Clone)]
struct Repository {
    /// The CI configuration that runs a Python test runner, as a path from its folder.
    ci_tests: Option<String>,
    /// The Dependabot or Renovate configuration.
    dependency_bot: Option<String>,
    /// A lockfile.
    lockfile: Option<String>,
}

/// Where a piece of evidence stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Script,
    Notebook,
    Test,
}

fn kind(summary: &FileSummary) -> Kind {
    if summary.test {
        Kind::Test
    } else if summary.notebook {
        Kind::Notebook
    } else {
        Kind::Script
    }
}

struct Estimate {
    tests: BTreeMap<&'static str, Gathered>,
}

impl Estimate {
    fn test(&mut self, id: &'static str) -> &mut Gathered {
        self.tests.entry(id).or_default()
    }

    /// Evidence `what` for test `id` in `summary`'s file, weighed by where it stands.
    fn seen(&mut self, id: &'static str, summary: &FileSummary, repo: &Repository, what: &str) {
        let path = &summary.path;
        let test = self.test(id);
        match kind(summary) {
            Kind::Script => {
                test.automated.insert(format!("{path}: {what}"));
            }
            Kind::Notebook => {
                test.manual
                    .insert(format!("{path}: {what} (a notebook: counts as manual)"));
            }
            Kind::Test => match &repo.ci_tests {
                Some(ci) => {
                    test.automated
                        .insert(format!("{path}: {what} (a test; CI runs the tests: {ci})"));
                }
                None => {
                    test.manual.insert(format!(
                        "{path}: {what} (a test; no CI configuration seen to run the tests: \
                         counts as manual)"
                    ));
                }
            },
        }
    }

    fn partial(&mut self, id: &'static str, what: String) {
        self.test(id).manual.insert(what);
    }

    fn info(&mut self, id: &'static str, what: String) {
        self.test(id).info.insert(what);
    }

    fn against(&mut self, id: &'static str, what: String) {
        self.test(id).against.insert(what);
    }
}

/// Estimates the 28 tests from what the code shows (see the module's documentation).
pub fn estimate(input: &Input, inventory: &Inventory) -> MlTestScore {
    let mut estimate = Estimate {
        tests: BTreeMap::new(),
    };
    findings_against(&mut estimate, input);
    let mut repositories: BTreeMap<PathBuf, Repository> = BTreeMap::new();
    let mut serves = false;
    for index in input.projects {
        let repo = repositories
            .entry(index.root.clone())
            .or_insert_with(|| repository(&index.root))
            .clone();
        serves |= project(&mut estimate, index, &repo);
    }
    serves |= !inventory.entry_points.is_empty();
    let any_repo = |pick: fn(&Repository) -> &Option<String>| {
        repositories.values().find_map(|r| pick(r).clone())
    };
    // Monitoring 1, and the pins of Infrastructure 1.
    if let Some(bot) = any_repo(|r| &r.dependency_bot) {
        estimate.test("Monitor 1").automated.insert(format!(
            "{bot}: dependency updates arrive as reviewed pull requests"
        ));
    }
    let lockfile = any_repo(|r| &r.lockfile);
    let mut pinned = Vec::new();
    for pin in &inventory.pins {
        match (&pin.version, &lockfile) {
            (Some(version), _) => pinned.push(format!(
                "{}{version}{}",
                pin.library,
                pin.manifest
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            )),
            (None, Some(_)) => {}
            (None, None) => {
                let why = match &pin.manifest {
                    Some(manifest) => format!(
                        "{} is listed in {manifest} without a pinned version, and no lockfile \
                         is seen",
                        pin.library
                    ),
                    None => format!("{} is in no dependency manifest", pin.library),
                };
                estimate.against("Infra 1", why.clone());
                estimate.against("Monitor 1", why);
            }
        }
    }
    if let Some(lockfile) = &lockfile {
        estimate.info(
            "Infra 1",
            format!("dependency versions locked in {lockfile}"),
        );
    }
    // Infrastructure 1: trainings with nothing against them are reproducible by
    // construction (seeds, pins), which no test checks: manual at best.
    let trainings: BTreeSet<&str> = inventory
        .models
        .iter()
        .map(|m| m.trained_at.path.as_str())
        .collect();
    if !trainings.is_empty() && estimate.test("Infra 1").against.is_empty() {
        let mut what = format!(
            "no unseeded randomness or unpinned ML library seen in {}",
            trainings.iter().copied().collect::<Vec<_>>().join(", ")
        );
        if !pinned.is_empty() {
            what.push_str(&format!("; pinned: {}", pinned.join(", ")));
        }
        what.push_str(" (no test seen to train twice and compare: counts as manual)");
        estimate.partial("Infra 1", what);
    }
    // Drift monitoring declared outside the repository.
    if let Some(external) = &inventory.monitoring.declared_external {
        for id in ["Monitor 3", "Monitor 7"] {
            estimate.partial(
                id,
                format!(
                    "drift monitoring declared external in the configuration: {external} \
                     (not seen in code)"
                ),
            );
        }
    }
    if !serves {
        for id in ["Monitor 3", "Monitor 6", "Monitor 7"] {
            estimate.info(
                id,
                "no model is served here (no route, handler, app or batch job loads one)"
                    .to_string(),
            );
        }
    }
    finish(estimate)
}

/// Findings that show tests are not met.
fn findings_against(estimate: &mut Estimate, input: &Input) {
    // Files that train, for the rules that speak to Infrastructure 1 only there.
    let training_files: BTreeSet<&str> = input
        .projects
        .iter()
        .flat_map(|index| index.files.iter())
        .filter(|f| !f.test && !f.trainings.is_empty())
        .map(|f| f.path.as_str())
        .collect();
    for d in &input.report.diagnostics {
        for (id, codes) in AGAINST {
            if !codes.iter().any(|c| matches(c, d.code)) {
                continue;
            }
            if *id == "Infra 1"
                && TRAINING_ONLY.contains(&d.code)
                && !training_files.contains(d.path.as_str())
            {
                continue;
            }
            estimate.against(id, finding_note(d));
        }
        if d.code == "LEAK006" {
            estimate.info(
                "Model 4",
                format!(
                    "{}: a random split of time-ordered rows hides how the model ages",
                    finding_note(d)
                ),
            );
        }
    }
}

fn matches(pattern: &str, code: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => code.starts_with(prefix),
        None => pattern == code,
    }
}

/// `MON001 at serve.py:22: no drift monitoring`.
fn finding_note(d: &Diagnostic) -> String {
    let at = match d.start.cell {
        Some(cell) => format!("{} cell {cell}, line {}", d.path, d.start.line),
        None => format!("{}:{}", d.path, d.start.line),
    };
    format!("{} at {at}: {}", d.code, d.name.replace('-', " "))
}

/// The top-level module of a qualified import.
fn top(qualified: &str) -> &str {
    qualified.split('.').next().unwrap_or(qualified)
}

fn last(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// The first of `summary`'s imports (sorted) that `hit` accepts.
fn imported(summary: &FileSummary, hit: impl Fn(&str) -> bool) -> Option<&str> {
    summary
        .imports
        .iter()
        .map(|(_, qualified)| qualified.as_str())
        .filter(|q| hit(q))
        .min()
}

const VALIDATION: &[&str] = &[
    "great_expectations",
    "gx",
    "pandera",
    "tensorflow_data_validation",
    "deepchecks",
    "soda",
    "jsonschema",
];

const SEARCH_CLASSES: &[&str] = &[
    "GridSearchCV",
    "RandomizedSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "BayesSearchCV",
    "TuneSearchCV",
    "TuneGridSearchCV",
];

const SEARCH_MODULES: &[&str] = &[
    "optuna",
    "hyperopt",
    "keras_tuner",
    "kerastuner",
    "skopt",
    "flaml",
    "nevergrad",
    "smac",
];

const TRACKING: &[&str] = &[
    "mlflow", "wandb", "neptune", "comet_ml", "clearml", "dvclive", "aim", "sacred",
];

const PERFORMANCE_METRICS: &[&str] = &[
    "prometheus_client",
    "prometheus_fastapi_instrumentator",
    "starlette_exporter",
    "opentelemetry",
    "ddtrace",
    "statsd",
    "datadog",
    "newrelic",
    "aws_xray_sdk",
];

const NAN_GUARDS: &[&str] = &[
    "TerminateOnNaN",
    "clip_grad_norm_",
    "clip_grad_value_",
    "detect_anomaly",
    "check_numerics",
];

const REGISTRY_CALLS: &[&str] = &[
    "register_model",
    "create_model_version",
    "set_registered_model_alias",
    "transition_model_version_stage",
];

/// Evidence from one project's files; whether it serves a model.
fn project(estimate: &mut Estimate, index: &ProjectIndex, repo: &Repository) -> bool {
    let files = &index.files;
    let training = |id: FileId| !files[id].test && !files[id].trainings.is_empty();
    let mut serving: BTreeSet<FileId> = index.entries().iter().map(|e| e.file).collect();
    serving.extend(index.scoring().into_iter().map(|(file, _)| file));

    for summary in files.iter() {
        let summary: &FileSummary = summary;
        // Data 1, Monitoring 2: data validation.
        if let Some(library) = imported(summary, |q| VALIDATION.contains(&top(q))) {
            let what = format!("data validation with `{}`", top(library));
            estimate.seen("Data 1", summary, repo, &what);
            if !summary.test {
                estimate.seen("Monitor 2", summary, repo, &what);
            }
        }
        if summary.test {
            continue;
        }
        // Model 1: the model spec is checked in; tracked runs record it each time.
        if !summary.trainings.is_empty() {
            let tracker = imported(summary, |q| TRACKING.contains(&top(q)));
            match (kind(summary), tracker) {
                (Kind::Script, Some(tracker)) => estimate.seen(
                    "Model 1",
                    summary,
                    repo,
                    &format!(
                        "model spec checked in and each run recorded with `{}`",
                        top(tracker)
                    ),
                ),
                (Kind::Script, None) => estimate.partial(
                    "Model 1",
                    format!(
                        "{}: model spec checked in; whether it is reviewed is not seen, and no \
                         experiment tracker records its runs (counts as manual)",
                        summary.path
                    ),
                ),
                _ => estimate.seen(
                    "Model 1",
                    summary,
                    repo,
                    "model spec checked in; whether it is reviewed is not seen",
                ),
            }
        }
        // Model 3: hyperparameter search.
        let search = imported(summary, |q| {
            SEARCH_CLASSES.contains(&last(q))
                || SEARCH_MODULES.contains(&top(q))
                || q.starts_with("ray.tune")
        })
        .map(str::to_string)
        .or_else(|| {
            summary
                .trainings
                .iter()
                .map(|t| t.model.as_str())
                .filter(|m| SEARCH_CLASSES.contains(m))
                .min()
                .map(str::to_string)
        });
        if let Some(search) = search {
            estimate.seen(
                "Model 3",
                summary,
                repo,
                &format!("hyperparameter search with `{search}`"),
            );
        }
        // Model 5: a baseline model.
        let baseline = imported(summary, |q| {
            q.starts_with("sklearn.dummy") && last(q).starts_with("Dummy")
        })
        .map(str::to_string)
        .or_else(|| {
            summary
                .trainings
                .iter()
                .map(|t| t.model.as_str())
                .filter(|m| m.starts_with("Dummy"))
                .min()
                .map(str::to_string)
        });
        if let Some(baseline) = baseline {
            estimate.seen(
                "Model 5",
                summary,
                repo,
                &format!("baseline model `{baseline}`"),
            );
        }
        // Model 6 and 7: slices and inclusion.
        if let Some(frame) = imported(summary, |q| q == "fairlearn.metrics.MetricFrame") {
            estimate.seen(
                "Model 6",
                summary,
                repo,
                &format!("metrics per slice with `{frame}`"),
            );
        }
        if let Some(toolkit) = imported(summary, |q| matches!(top(q), "fairlearn" | "aif360")) {
            estimate.seen(
                "Model 7",
                summary,
                repo,
                &format!("fairness toolkit `{}`", top(toolkit)),
            );
        }
        // Infrastructure 4: validation against thresholds before registration.
        if let Some(threshold) = imported(summary, |q| last(q) == "MetricThreshold") {
            estimate.seen(
                "Infra 4",
                summary,
                repo,
                &format!("model validated against thresholds with `{threshold}`"),
            );
        }
        for deployment in &summary.deployments {
            estimate.info(
                "Infra 4",
                format!(
                    "`{}` at {}:{} promotes a model: whether a metric gate controls it is not seen",
                    deployment.function, summary.path, deployment.place.start.line
                ),
            );
            if REGISTRY_CALLS.contains(&last(&deployment.function)) && !summary.notebook {
                estimate.partial(
                    "Infra 7",
                    format!(
                        "{}: model versions kept in a registry (`{}`): a rollback target \
                         exists; whether rollbacks work is not seen",
                        summary.path, deployment.function
                    ),
                );
            }
        }
        // Monitoring 5: NaN guards.
        if let Some(guard) = imported(summary, |q| NAN_GUARDS.contains(&last(q))) {
            estimate.seen(
                "Monitor 5",
                summary,
                repo,
                &format!("numerical guard `{}`", last(guard)),
            );
        }
        // Monitoring 3 and 7: drift monitoring.
        for evidence in &summary.monitoring {
            let what = format!(
                "drift monitoring `{}` (line {})",
                evidence.what, evidence.place.start.line
            );
            estimate.seen("Monitor 3", summary, repo, &what);
            estimate.seen("Monitor 7", summary, repo, &what);
        }
    }

    // Serving: request schemas (Data 1, Monitoring 2 partial), performance metrics
    // (Monitoring 6), registry loads (Infrastructure 7).
    for entry in index.entries() {
        let summary = files[entry.file];
        let at = format!(
            "`{}` ({}:{})",
            entry.entry.name, summary.path, entry.entry.place.start.line
        );
        let schemas: Vec<&str> = entry
            .entry
            .schema_types
            .iter()
            .filter(|t| index.schema(entry.file, t).is_some())
            .map(String::as_str)
            .collect();
        if schemas.is_empty() {
            if entry.entry.open {
                estimate.info(
                    "Monitor 2",
                    format!("{at} takes its request without a schema"),
                );
            }
        } else {
            let schemas = schemas.join(", ");
            estimate.partial(
                "Data 1",
                format!(
                    "requests to {at} are typed by the schema {schemas}; no expectations of \
                     training data seen (counts as half)"
                ),
            );
            estimate.partial(
                "Monitor 2",
                format!(
                    "requests to {at} are validated against the schema {schemas}; training \
                     inputs are not seen validated (counts as half)"
                ),
            );
        }
    }
    for &file in &serving {
        let summary = files[file];
        if let Some(library) = imported(summary, |q| PERFORMANCE_METRICS.contains(&top(q))) {
            estimate.seen(
                "Monitor 6",
                summary,
                repo,
                &format!("serving metrics with `{}`", top(library)),
            );
        }
        for load in &summary.loads {
            if let Some(path) = load.path.as_deref().filter(|p| p.starts_with("models:/")) {
                estimate.partial(
                    "Infra 7",
                    format!(
                        "{} serves a registry version ({path}): a rollback target exists; \
                         whether rollbacks work is not seen",
                        summary.path
                    ),
                );
            }
        }
    }

    // Tests: which project modules each test imports.
    let imports_of = |id: FileId| -> BTreeSet<FileId> {
        files[id]
            .imports
            .iter()
            .filter_map(|(_, q)| index.module_file(q))
            .filter(|&m| m != id && !files[m].test)
            .collect()
    };
    let tests: Vec<(FileId, BTreeSet<FileId>)> = (0..files.len())
        .filter(|&id| files[id].test && !files[id].notebook)
        .map(|id| (id, imports_of(id)))
        .filter(|(_, imports)| !imports.is_empty())
        .collect();
    let tested_by = |module: FileId| -> Vec<FileId> {
        tests
            .iter()
            .filter(|(_, imports)| imports.contains(&module))
            .map(|(id, _)| *id)
            .collect()
    };

    // Data 7: every module that builds features for a training or an entry point.
    let users = |id: FileId| training(id) || serving.contains(&id);
    let feature_modules: Vec<FileId> = (0..files.len())
        .filter(|&id| {
            let f = files[id];
            !f.test
                && !f.notebook
                && !f.produced_columns.is_empty()
                && index.importers(id).iter().any(|&i| i != id && users(i))
        })
        .collect();
    let untested: Vec<&str> = feature_modules
        .iter()
        .filter(|&&m| tested_by(m).is_empty())
        .map(|&m| files[m].path.as_str())
        .collect();
    if feature_modules.is_empty() {
        let inline: BTreeSet<&str> = (0..files.len())
            .filter(|&id| users(id) && !files[id].produced_columns.is_empty())
            .map(|id| files[id].path.as_str())
            .collect();
        if !inline.is_empty() {
            estimate.info(
                "Data 7",
                format!(
                    "features are built inline in {}: no feature module a test could import",
                    inline.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    } else if untested.is_empty() {
        for &module in &feature_modules {
            for test in tested_by(module) {
                estimate.seen(
                    "Data 7",
                    files[test],
                    repo,
                    &format!("feature code {} imported", files[module].path),
                );
            }
        }
    } else {
        estimate.info(
            "Data 7",
            format!(
                "feature code no test imports: {} (of {} feature module(s))",
                untested.join(", "),
                feature_modules.len()
            ),
        );
    }

    // Infrastructure 2: model code (training modules, and the modules with ML code they
    // import) imported by a test.
    let model_modules: BTreeSet<FileId> = (0..files.len())
        .filter(|&id| !files[id].notebook && !files[id].test)
        .filter(|&id| {
            training(id)
                || (imported(files[id], |q| crate::ml::model_library(q).is_some()).is_some()
                    && index.importers(id).iter().any(|&i| i != id && training(i)))
        })
        .collect();
    for &module in &model_modules {
        for test in tested_by(module) {
            estimate.seen(
                "Infra 2",
                files[test],
                repo,
                &format!("model code {} imported", files[module].path),
            );
        }
    }
    // Infrastructure 3: one test reaching both a training and a serving or scoring module.
    for (test, imports) in &tests {
        let trains = imports.iter().find(|&&m| training(m));
        let serves = imports.iter().find(|&&m| serving.contains(&m));
        if let (Some(&t), Some(&s)) = (trains, serves) {
            estimate.seen(
                "Infra 3",
                files[*test],
                repo,
                &format!(
                    "training {} and serving {} imported together",
                    files[t].path, files[s].path
                ),
            );
        }
    }
    !serving.is_empty()
}

/// What the repository around `root` shows: known CI, bot and lockfile paths only.
fn repository(root: &Path) -> Repository {
    let mut repo = Repository::default();
    for folder in folders(root) {
        if repo.ci_tests.is_none() {
            repo.ci_tests = ci_running_tests(&folder);
        }
        if repo.dependency_bot.is_none() {
            repo.dependency_bot = dependency_bot(&folder);
        }
        if repo.lockfile.is_none() {
            repo.lockfile = [
                "uv.lock",
                "poetry.lock",
                "pdm.lock",
                "Pipfile.lock",
                "conda-lock.yml",
            ]
            .iter()
            .find(|name| read(&folder.join(name)).is_some())
            .map(|name| (*name).to_string());
        }
    }
    repo
}

/// The project root, then the folders above it up to the repository root (the first that
/// holds `.git`); the root alone when no repository root is found close above.
fn folders(root: &Path) -> Vec<PathBuf> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    for folder in root.ancestors().take(MAX_ASCENT + 1) {
        out.push(folder.to_path_buf());
        if folder.join(".git").exists() {
            return out;
        }
    }
    vec![root]
}

/// The text of `path` when it is a regular file under [`MAX_BYTES`].
fn read(path: &Path) -> Option<String> {
    let metadata = crate::files::regular(path).ok()?;
    if metadata.len() > MAX_BYTES {
        return None;
    }
    crate::files::read_text(path).ok()
}

/// The first CI configuration in `folder` that runs a Python test runner.
fn ci_running_tests(folder: &Path) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder.join(".github/workflows")) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
            .collect();
        names.sort();
        names.truncate(MAX_WORKFLOWS);
        candidates.extend(names.into_iter().map(|n| format!(".github/workflows/{n}")));
    }
    candidates.extend(
        [
            ".gitlab-ci.yml",
            ".circleci/config.yml",
            "azure-pipelines.yml",
            "bitbucket-pipelines.yml",
            ".travis.yml",
            "Jenkinsfile",
        ]
        .iter()
        .map(|s| (*s).to_string()),
    );
    candidates
        .into_iter()
        .find(|c| read(&folder.join(c)).is_some_and(|text| runs_tests(&text)))
}

/// Whether a CI configuration runs a Python test runner (comments and install lines aside).
fn runs_tests(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        if line.starts_with('#') || line.contains("install") {
            return false;
        }
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .filter(|w| !w.is_empty())
            .collect();
        words
            .iter()
            .any(|w| matches!(*w, "pytest" | "py.test" | "unittest" | "tox" | "nox"))
            || words.windows(2).any(|w| w == ["make", "test"])
    })
}

/// The Dependabot configuration (for Python packages) or Renovate configuration in `folder`.
fn dependency_bot(folder: &Path) -> Option<String> {
    for name in [".github/dependabot.yml", ".github/dependabot.yaml"] {
        if let Some(text) = read(&folder.join(name)) {
            let python = text.lines().any(|line| {
                let line = line.trim().trim_start_matches('-').trim_start();
                line.starts_with("package-ecosystem")
                    && ["pip", "uv", "conda"]
                        .iter()
                        .any(|e| line.contains(&format!("\"{e}\"")) || line.ends_with(e))
            });
            if python {
                return Some(name.to_string());
            }
        }
    }
    [
        "renovate.json",
        "renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
        ".github/renovate.json",
        ".github/renovate.json5",
        ".gitlab/renovate.json",
    ]
    .iter()
    .find(|name| read(&folder.join(name)).is_some())
    .map(|name| (*name).to_string())
}

/// The tests in order, each with its evidence, points and notes; the sections and the
/// final score.
fn finish(mut estimate: Estimate) -> MlTestScore {
    let mut sections: Vec<MltsSection> = SECTIONS
        .iter()
        .map(|name| MltsSection {
            name,
            tests: Vec::new(),
            score: 0.0,
        })
        .collect();
    for (i, (id, title)) in TESTS.iter().enumerate() {
        let gathered = estimate.tests.remove(id).unwrap_or_default();
        let not_static = NOT_STATIC.iter().find(|(t, _)| t == id).map(|(_, why)| why);
        let evidence = if not_static.is_some() {
            Evidence::NotStatic
        } else if !gathered.against.is_empty() {
            Evidence::Against
        } else if !gathered.automated.is_empty() {
            Evidence::Automated
        } else if !gathered.manual.is_empty() {
            Evidence::Manual
        } else {
            Evidence::None
        };
        let mut notes = Vec::new();
        if let Some(why) = not_static {
            notes.push(format!("needs process review: {why}"));
        }
        for group in [
            &gathered.against,
            &gathered.automated,
            &gathered.manual,
            &gathered.info,
        ] {
            notes.extend(group.iter().take(MAX_NOTES).cloned());
            if group.len() > MAX_NOTES {
                notes.push(format!("and {} more", group.len() - MAX_NOTES));
            }
        }
        if evidence == Evidence::None
            && let Some((_, looks_for)) = LOOKS_FOR.iter().find(|(t, _)| t == id)
        {
            notes.push(format!("not seen: {looks_for}"));
        }
        let points = points(evidence);
        let section = &mut sections[i / 7];
        section.score += points;
        section.tests.push(MltsTest {
            id,
            title,
            evidence,
            points,
            notes,
        });
    }
    let final_score = sections
        .iter()
        .map(|s| s.score)
        .fold(f32::INFINITY, f32::min);
    MlTestScore {
        label: LABEL.to_string(),
        sections,
        final_score: if final_score.is_finite() {
            final_score
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::{RunOptions, check_with};
    use crate::settings::Settings;
    use crate::testutil::TempDir;

    /// Every code a test listens to is a rule of the registry (a prefix, a family's), so a
    /// misspelt or not yet written rule never silently counts for nothing.
    #[test]
    fn every_rule_a_test_listens_to_exists() {
        for (test, codes) in AGAINST {
            for code in *codes {
                let known = match code.strip_suffix('*') {
                    Some(prefix) => crate::registry::all().any(|r| r.code.starts_with(prefix)),
                    None => crate::registry::find(code).is_some(),
                };
                assert!(known, "{test} listens to {code}, which is no rule");
            }
        }
        for code in TRAINING_ONLY {
            assert!(crate::registry::find(code).is_some(), "{code}");
        }
    }

    /// The estimate of the real analysis of `dir`, preview rules on, as `mlready audit` runs it.
    fn score(dir: &TempDir) -> MlTestScore {
        let settings = Settings {
            preview: true,
            root: dir.0.clone(),
            ..Settings::default()
        };
        let options = RunOptions {
            project: true,
            keep_projects: true,
            ..RunOptions::default()
        };
        let report = check_with(std::slice::from_ref(&dir.0), &settings, &options)
            .expect("the analysis runs");
        crate::audit::build(&dir.0, &report, &settings).ml_test_score
    }

    fn test<'a>(score: &'a MlTestScore, id: &str) -> &'a MltsTest {
        score
            .sections
            .iter()
            .flat_map(|s| s.tests.iter())
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("{id} is estimated"))
    }

    /// The rubric's arithmetic and shape, which every estimate must keep.
    fn check_shape(score: &MlTestScore) {
        assert_eq!(score.label, LABEL);
        assert!(score.label.starts_with("Static estimate from code alone"));
        let names: Vec<&str> = score.sections.iter().map(|s| s.name).collect();
        assert_eq!(names, SECTIONS);
        let ids: Vec<&str> = score
            .sections
            .iter()
            .flat_map(|s| s.tests.iter().map(|t| t.id))
            .collect();
        let expected: Vec<&str> = TESTS.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, expected);
        for (section, prefix) in score
            .sections
            .iter()
            .zip(["Data", "Model", "Infra", "Monitor"])
        {
            assert_eq!(section.tests.len(), 7);
            for (n, t) in section.tests.iter().enumerate() {
                assert_eq!(t.id, format!("{prefix} {}", n + 1));
                assert_eq!(t.points, points(t.evidence), "{}", t.id);
                let mut sorted_within = true;
                for pair in t.notes.windows(2) {
                    // Notes come in groups, each sorted; a finding note never follows an
                    // evidence note.
                    if pair[0].contains(" at ") && pair[1].contains(" at ") {
                        sorted_within &= pair[0] <= pair[1];
                    }
                }
                assert!(sorted_within, "{}: {:?}", t.id, t.notes);
                if t.evidence == Evidence::NotStatic {
                    assert!(t.notes[0].starts_with("needs process review"), "{}", t.id);
                }
            }
            let sum: f32 = section.tests.iter().map(|t| t.points).sum();
            assert_eq!(section.score, sum);
        }
        let min = score
            .sections
            .iter()
            .map(|s| s.score)
            .fold(f32::INFINITY, f32::min);
        assert_eq!(score.final_score, min);
    }

    #[test]
    fn points_follow_the_paper() {
        assert_eq!(points(Evidence::Automated), 1.0);
        assert_eq!(points(Evidence::Manual), 0.5);
        assert_eq!(points(Evidence::Against), 0.0);
        assert_eq!(points(Evidence::None), 0.0);
        assert_eq!(points(Evidence::NotStatic), 0.0);
    }

    #[test]
    fn sections_sum_their_tests_and_the_final_score_is_the_minimum() {
        let mut estimate = Estimate {
            tests: BTreeMap::new(),
        };
        // Data: 1, 4, 5, 7 automated (2, 3, 6 cannot be shown): 4.
        for id in ["Data 1", "Data 4", "Data 5", "Data 7"] {
            estimate.test(id).automated.insert("x".into());
        }
        // Model: 1 and 3 manual, 5 against despite evidence: 1.
        estimate.test("Model 1").manual.insert("x".into());
        estimate.test("Model 3").manual.insert("x".into());
        estimate.test("Model 5").automated.insert("x".into());
        estimate
            .test("Model 5")
            .against
            .insert("LEAK003 at t.py:1: x".into());
        // Infrastructure: 1 automated, 2 manual: 1.5. Monitoring: 1, 2, 3 automated: 3.
        estimate.test("Infra 1").automated.insert("x".into());
        estimate.test("Infra 2").manual.insert("x".into());
        for id in ["Monitor 1", "Monitor 2", "Monitor 3"] {
            estimate.test(id).automated.insert("x".into());
        }
        // A test code cannot show stays so whatever is gathered.
        estimate.test("Data 2").automated.insert("x".into());
        let score = finish(estimate);
        check_shape(&score);
        let scores: Vec<f32> = score.sections.iter().map(|s| s.score).collect();
        assert_eq!(scores, [4.0, 1.0, 1.5, 3.0]);
        assert_eq!(score.final_score, 1.0);
        assert_eq!(test(&score, "Model 5").evidence, Evidence::Against);
        assert_eq!(test(&score, "Data 2").evidence, Evidence::NotStatic);
        assert_eq!(test(&score, "Model 1").points, 0.5);
    }

    #[test]
    fn notes_are_capped_per_group() {
        let mut estimate = Estimate {
            tests: BTreeMap::new(),
        };
        for n in 0..10 {
            estimate
                .test("Infra 1")
                .against
                .insert(format!("REPRO001 at t.py:{n}: x"));
        }
        let score = finish(estimate);
        let notes = &test(&score, "Infra 1").notes;
        assert_eq!(notes.len(), MAX_NOTES + 1);
        assert_eq!(notes.last().map(String::as_str), Some("and 4 more"));
    }

    #[test]
    fn an_empty_project_scores_nothing() {
        let dir = TempDir::new("mlts-empty");
        dir.write("util.py", "def add(a, b):\n    return a + b\n");
        let score = score(&dir);
        check_shape(&score);
        for t in score.sections.iter().flat_map(|s| s.tests.iter()) {
            assert!(
                matches!(t.evidence, Evidence::None | Evidence::NotStatic),
                "{}: {:?} {:?}",
                t.id,
                t.evidence,
                t.notes
            );
        }
        let not_static: Vec<&str> = score
            .sections
            .iter()
            .flat_map(|s| s.tests.iter())
            .filter(|t| t.evidence == Evidence::NotStatic)
            .map(|t| t.id)
            .collect();
        assert_eq!(
            not_static,
            [
                "Data 2",
                "Data 3",
                "Data 6",
                "Model 2",
                "Model 4",
                "Infra 5",
                "Infra 6",
                "Monitor 4"
            ]
        );
        assert_eq!(score.final_score, 0.0);
    }

    const FEATURES: &str = "\
import pandas as pd


def build_features(df):
    df[\"charges_per_call\"] = df[\"monthly_charges\"] / (df[\"support_calls\"] + 1)
    return df
";

    const TRAIN: &str = "\
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

from features import build_features

FEATURES = [\"monthly_charges\", \"support_calls\", \"charges_per_call\"]

df = build_features(pd.read_csv(\"data/customers.csv\"))
model = LogisticRegression(random_state=0)
model.fit(df[FEATURES], df[\"churned\"])
joblib.dump(model, \"models/churn.joblib\")
";

    const TEST_FEATURES: &str = "\
import pandas as pd

from features import build_features


def test_charges_per_call():
    df = build_features(pd.DataFrame({\"monthly_charges\": [10.0], \"support_calls\": [1]}))
    assert df[\"charges_per_call\"][0] == 5.0
";

    const CI: &str = "\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt pytest
      - run: python -m pytest -q
";

    fn tested_project(tag: &str) -> TempDir {
        let dir = TempDir::new(tag);
        dir.write("requirements.txt", "pandas==2.2.2\nscikit-learn==1.5.2\n");
        dir.write("features.py", FEATURES);
        dir.write("train.py", TRAIN);
        dir.write("tests/test_features.py", TEST_FEATURES);
        dir
    }

    #[test]
    fn a_test_of_the_feature_code_run_by_ci_is_automated() {
        let dir = tested_project("mlts-ci");
        dir.write(".github/workflows/ci.yml", CI);
        let score = score(&dir);
        check_shape(&score);
        let data7 = test(&score, "Data 7");
        assert_eq!(data7.evidence, Evidence::Automated, "{:?}", data7.notes);
        assert!(
            data7.notes.iter().any(|n| n.contains("test_features.py")
                && n.contains("features.py imported")
                && n.contains(".github/workflows/ci.yml")),
            "{:?}",
            data7.notes
        );
        // Seeded and pinned: reproducible by construction, which no test checks.
        let infra1 = test(&score, "Infra 1");
        assert_eq!(infra1.evidence, Evidence::Manual, "{:?}", infra1.notes);
        assert!(infra1.notes[0].contains("scikit-learn==1.5.2"));
        // No model is served: nothing against the monitoring tests.
        assert_eq!(test(&score, "Monitor 7").evidence, Evidence::None);
        assert_eq!(test(&score, "Monitor 1").evidence, Evidence::None);
    }

    #[test]
    fn a_test_no_ci_runs_counts_as_manual() {
        let dir = tested_project("mlts-no-ci");
        // A workflow that runs no test runner is no evidence.
        dir.write(
            ".github/workflows/lint.yml",
            "jobs:\n  lint:\n    steps:\n      - run: pip install ruff pytest\n      - run: ruff check .\n      # - run: pytest\n",
        );
        let score = score(&dir);
        check_shape(&score);
        let data7 = test(&score, "Data 7");
        assert_eq!(data7.evidence, Evidence::Manual, "{:?}", data7.notes);
        assert!(data7.notes[0].contains("no CI configuration"));
        assert_eq!(data7.points, 0.5);
    }

    #[test]
    fn untested_feature_code_is_not_evidence() {
        let dir = TempDir::new("mlts-untested");
        dir.write("features.py", FEATURES);
        dir.write("train.py", TRAIN);
        dir.write(".github/workflows/ci.yml", CI);
        let score = score(&dir);
        let data7 = test(&score, "Data 7");
        assert_eq!(data7.evidence, Evidence::None, "{:?}", data7.notes);
        assert!(data7.notes.iter().any(|n| n.contains("no test imports")));
        // In no manifest: against reproducibility and dependency notification.
        for id in ["Infra 1", "Monitor 1"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Against, "{id}");
            assert!(t.notes.iter().any(|n| n.contains("scikit-learn")), "{id}");
        }
    }

    const SERVE: &str = "\
import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
model = joblib.load(\"models/churn.joblib\")


class Customer(BaseModel):
    monthly_charges: float
    support_calls: int
    charges_per_call: float


@app.post(\"/predict\")
def predict(customer: Customer):
    X = pd.DataFrame([customer.dict()])
    return {\"p\": float(model.predict_proba(X)[0, 1])}
";

    #[test]
    fn a_served_model_without_drift_monitoring_is_against_monitoring() {
        let dir = tested_project("mlts-serve");
        dir.write("serve.py", SERVE);
        let score = score(&dir);
        check_shape(&score);
        for id in ["Monitor 3", "Monitor 7"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Against, "{id}: {:?}", t.notes);
            assert!(
                t.notes
                    .iter()
                    .any(|n| n.starts_with("MON001 at ") && n.contains("serve.py:")),
                "{id}: {:?}",
                t.notes
            );
        }
        // The request schema is half of Monitoring 2 and Data 1.
        for id in ["Monitor 2", "Data 1"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Manual, "{id}: {:?}", t.notes);
            assert!(t.notes[0].contains("Customer"), "{id}");
        }
        assert_eq!(test(&score, "Monitor 4").evidence, Evidence::NotStatic);
        // Monitoring: the schema's half of Monitoring 2 only.
        assert_eq!(score.sections[3].score, 0.5);
    }

    #[test]
    fn drift_monitoring_in_a_script_is_automated() {
        let dir = tested_project("mlts-drift");
        let serve = SERVE
            .replace(
                "import joblib\n",
                "import joblib\nfrom prometheus_client import Histogram\n",
            )
            .replace(
                "app = FastAPI()\n",
                "app = FastAPI()\nSCORES = Histogram(\"churn_score\", \"predicted churn\")\n",
            )
            .replace(
                "    return {\"p\": float(model.predict_proba(X)[0, 1])}\n",
                "    p = float(model.predict_proba(X)[0, 1])\n    SCORES.observe(p)\n    return {\"p\": p}\n",
            );
        dir.write("serve.py", &serve);
        dir.write(
            "monitor.py",
            "import pandas as pd\nfrom evidently.report import Report\nfrom evidently.metric_preset import DataDriftPreset\n\n\ndef drift(reference, current):\n    report = Report(metrics=[DataDriftPreset()])\n    report.run(reference_data=reference, current_data=current)\n    return report\n",
        );
        let score = score(&dir);
        check_shape(&score);
        for id in ["Monitor 3", "Monitor 7"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Automated, "{id}: {:?}", t.notes);
            assert!(
                t.notes[0].contains("monitor.py: drift monitoring `evidently`"),
                "{id}: {:?}",
                t.notes
            );
        }
        // Prometheus metrics in the serving file: computing performance is watched.
        let t = test(&score, "Monitor 6");
        assert_eq!(t.evidence, Evidence::Automated, "{:?}", t.notes);
        assert!(t.notes[0].contains("prometheus_client"));
    }

    #[test]
    fn a_test_of_training_and_serving_is_unit_and_integration_evidence() {
        let dir = tested_project("mlts-pipeline");
        dir.write("serve.py", SERVE);
        dir.write(".gitlab-ci.yml", "test:\n  script:\n    - pytest\n");
        dir.write(
            "tests/test_pipeline.py",
            "import serve\nimport train\n\n\ndef test_model_serves():\n    assert serve.model is not None\n",
        );
        let score = score(&dir);
        check_shape(&score);
        for id in ["Infra 2", "Infra 3"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Automated, "{id}: {:?}", t.notes);
            assert!(t.notes[0].contains("test_pipeline.py"), "{id}");
            assert!(t.notes[0].contains(".gitlab-ci.yml"), "{id}");
        }
    }

    #[test]
    fn tuning_and_a_baseline_in_a_script_are_automated() {
        let dir = TempDir::new("mlts-tuning");
        dir.write(
            "train.py",
            "import pandas as pd\nfrom sklearn.dummy import DummyClassifier\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import GridSearchCV\n\ndf = pd.read_csv(\"data.csv\")\nX, y = df[[\"a\", \"b\"]], df[\"y\"]\nbaseline = DummyClassifier().fit(X, y)\nsearch = GridSearchCV(LogisticRegression(), {\"C\": [0.1, 1.0]})\nsearch.fit(X, y)\n",
        );
        let score = score(&dir);
        check_shape(&score);
        for id in ["Model 3", "Model 5"] {
            let t = test(&score, id);
            assert_eq!(t.evidence, Evidence::Automated, "{id}: {:?}", t.notes);
        }
        assert!(test(&score, "Model 3").notes[0].contains("GridSearchCV"));
        assert!(test(&score, "Model 5").notes[0].contains("DummyClassifier"));
        // A model spec checked in as a script, with no tracker: half.
        assert_eq!(test(&score, "Model 1").evidence, Evidence::Manual);
    }

    #[test]
    fn ci_configurations_are_read_for_test_runners_only() {
        assert!(runs_tests("steps:\n  - run: pytest -q\n"));
        assert!(runs_tests("script:\n  - python -m unittest discover\n"));
        assert!(runs_tests("  - run: make test\n"));
        assert!(runs_tests("  - run: uv run tox -e py312\n"));
        assert!(!runs_tests("  - run: pip install pytest\n"));
        assert!(!runs_tests("# - run: pytest\n"));
        assert!(!runs_tests(
            "  - run: ruff check .\n  - run: pytest-benchmark-compare\n"
        ));
        assert!(!runs_tests(""));
    }

    #[test]
    fn dependency_bots_and_repository_files() {
        let dir = TempDir::new("mlts-bots");
        assert!(dependency_bot(&dir.0).is_none());
        dir.write(
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: \"github-actions\"\n    directory: \"/\"\n",
        );
        assert!(dependency_bot(&dir.0).is_none());
        dir.write(
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: \"pip\"\n    directory: \"/\"\n",
        );
        assert_eq!(
            dependency_bot(&dir.0).as_deref(),
            Some(".github/dependabot.yml")
        );
        dir.write("uv.lock", "version = 1\n");
        dir.write(".gitlab-ci.yml", "test:\n  script:\n    - pytest\n");
        let repo = repository(&dir.0);
        assert_eq!(repo.lockfile.as_deref(), Some("uv.lock"));
        assert_eq!(repo.ci_tests.as_deref(), Some(".gitlab-ci.yml"));
        // A folder where a file is expected, and a missing root, are no evidence and no panic.
        std::fs::create_dir_all(dir.0.join("poetry.lock/x")).expect("writable");
        let missing = repository(&dir.0.join("missing"));
        assert!(missing.ci_tests.is_none() && missing.lockfile.is_none());
    }
}
