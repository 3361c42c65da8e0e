use crate::model::{Averaging, Event, FileModel, Kind, PredictMethod, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API015",
    name: "threshold-only-validation",
    family: "api",
    severity: Info,
    scope: File,
    check: Check::File(check),
}

/// Metrics that read the predicted class only, at the default threshold.
const THRESHOLD_METRICS: &[&str] = &[
    "accuracy_score",
    "balanced_accuracy_score",
    "f1_score",
    "fbeta_score",
    "precision_score",
    "recall_score",
    "confusion_matrix",
    "classification_report",
    "precision_recall_fscore_support",
];

/// The threshold metrics whose default `average="binary"` fails on more than two classes.
const BINARY_BY_DEFAULT: &[&str] = &["f1_score", "fbeta_score", "precision_score", "recall_score"];

/// Metrics, curves and displays that read scores across thresholds.
const RANKING_METRICS: &[&str] = &[
    "roc_auc_score",
    "average_precision_score",
    "log_loss",
    "brier_score_loss",
    "roc_curve",
    "precision_recall_curve",
    "det_curve",
    "auc",
    "top_k_accuracy_score",
    "calibration_curve",
    "RocCurveDisplay",
    "PrecisionRecallDisplay",
    "DetCurveDisplay",
    "CalibrationDisplay",
    "plot_roc_curve",
    "plot_precision_recall_curve",
];

/// `scoring=` names of ranking metrics (also inside lists and dicts of scorers).
const RANKING_SCORERS: &[&str] = &["roc_auc", "average_precision", "log_loss", "brier_score"];

/// Classifiers that always have `predict_proba` (SVC needs `probability=True`, SGDClassifier a
/// log loss: left out).
const PROBABILISTIC_CLASSIFIERS: &[&str] = &[
    "LogisticRegression",
    "LogisticRegressionCV",
    "RandomForestClassifier",
    "ExtraTreesClassifier",
    "GradientBoostingClassifier",
    "HistGradientBoostingClassifier",
    "DecisionTreeClassifier",
    "ExtraTreeClassifier",
    "AdaBoostClassifier",
    "BaggingClassifier",
    "KNeighborsClassifier",
    "GaussianNB",
    "MultinomialNB",
    "BernoulliNB",
    "ComplementNB",
    "CategoricalNB",
    "MLPClassifier",
    "LinearDiscriminantAnalysis",
    "QuadraticDiscriminantAnalysis",
    "GaussianProcessClassifier",
    "CalibratedClassifierCV",
    "XGBClassifier",
    "LGBMClassifier",
    "CatBoostClassifier",
];

/// A binary classifier that has `predict_proba`, evaluated in the file only by metrics of its
/// predicted classes. The task counts as binary only when a threshold metric keeps
/// `average="binary"` (its default for f1, precision and recall, which fails on more than two
/// classes) on the classifier's `predict` output. Silent when the file computes any ranking
/// metric, names a ranking scorer (`scoring="roc_auc"`), imports one, or reads the classifier's
/// scores at all (`predict_proba`, `decision_function`): the scores are then used somewhere.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if reads_scores(model) {
        return;
    }
    let mut proof = None;
    let mut used: Vec<&str> = Vec::new();
    for (index, event) in model.events.iter().enumerate() {
        let Event::Metric { function, args, span, .. } = event else {
            continue;
        };
        let name = last(function);
        if !THRESHOLD_METRICS.contains(&name) {
            continue;
        }
        let Some(classifier) = args.iter().find_map(|&a| predicted_by_classifier(model, a))
        else {
            continue;
        };
        if !used.contains(&name) {
            used.push(name);
        }
        let binary = BINARY_BY_DEFAULT.contains(&name)
            && model.metric_averages.iter().any(|m| {
                m.event == index && matches!(m.averaging, Averaging::Default | Averaging::Binary)
            });
        if binary && proof.is_none() {
            proof = Some((classifier, *span, name));
        }
    }
    let Some((classifier, span, name)) = proof else {
        return;
    };
    let class = model
        .estimator(classifier)
        .map_or("classifier", |e| e.short_name());
    let metrics: Vec<String> = used.iter().map(|m| format!("`{m}`")).collect();
    sink.report(
        &RULE,
        span,
        format!(
            "the binary `{class}` is evaluated only at its default threshold ({}): no ranking \
             metric (ROC AUC, average precision, log loss) says how well its probabilities \
             separate the classes or whether another threshold would serve better",
            metrics.join(", ")
        ),
    )
    .help(format!(
        "also report `roc_auc_score` or `average_precision_score` on `predict_proba(...)[:, 1]` \
         (and `log_loss` for calibration); `{name}` alone hides how the model ranks"
    ));
}

fn last(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// The file looks at scores or probabilities: a ranking metric is computed, imported or
/// named as a scorer, or some model's `predict_proba` / `decision_function` is read.
fn reads_scores(model: &FileModel) -> bool {
    let ranking_event = model.events.iter().any(|event| match event {
        Event::Metric { function, .. } => RANKING_METRICS.contains(&last(function)),
        Event::Predict { method, .. } => matches!(
            method,
            PredictMethod::PredictProba | PredictMethod::PredictLogProba | PredictMethod::DecisionFunction
        ),
        _ => false,
    });
    let ranking_import = model
        .imports
        .iter()
        .any(|(_, qualified)| RANKING_METRICS.contains(&last(qualified)));
    let ranking_scorer = model.values.iter().any(|v| match &v.kind {
        Kind::Str(text) => RANKING_SCORERS.iter().any(|s| text.contains(s)),
        _ => false,
    });
    ranking_event || ranking_import || ranking_scorer
}

/// The classifier whose `predict` output `value` derives from, when it always has
/// `predict_proba` (directly, or as the model of a pipeline or search).
fn predicted_by_classifier(model: &FileModel, value: ValueId) -> Option<ValueId> {
    let mut found = None;
    model.derives_from(value, |v| {
        if let Kind::Output {
            estimator,
            method: PredictMethod::Predict,
        } = model.value(v).kind
        {
            found = probabilistic_model(model, estimator);
        }
        found.is_some()
    });
    found
}

fn probabilistic_model(model: &FileModel, estimator: ValueId) -> Option<ValueId> {
    let models = model.composite_models(estimator)?;
    match models.as_slice() {
        [one] => model
            .estimator(*one)
            .is_some_and(|e| PROBABILISTIC_CLASSIFIERS.contains(&e.short_name()))
            .then_some(*one),
        _ => None,
    }
}
