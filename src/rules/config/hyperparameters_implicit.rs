use crate::finding::Span;
use crate::model::{FileModel, Kind, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::HashSet;

crate::rule::rule! {
    code: "CFG001",
    name: "hyperparameters-implicit",
    family: "config",
    severity: Info,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// The estimators whose defaults decide the model (capacity, regularisation, the number of
/// clusters), with the hyperparameters to set, by class name.
const KEY_ESTIMATORS: &[(&str, &str)] = &[
    ("RandomForestClassifier", "n_estimators, max_depth, min_samples_leaf"),
    ("RandomForestRegressor", "n_estimators, max_depth, min_samples_leaf"),
    ("ExtraTreesClassifier", "n_estimators, max_depth, min_samples_leaf"),
    ("ExtraTreesRegressor", "n_estimators, max_depth, min_samples_leaf"),
    ("DecisionTreeClassifier", "max_depth, min_samples_leaf"),
    ("DecisionTreeRegressor", "max_depth, min_samples_leaf"),
    ("GradientBoostingClassifier", "n_estimators, learning_rate, max_depth"),
    ("GradientBoostingRegressor", "n_estimators, learning_rate, max_depth"),
    ("HistGradientBoostingClassifier", "max_iter, learning_rate, max_leaf_nodes"),
    ("HistGradientBoostingRegressor", "max_iter, learning_rate, max_leaf_nodes"),
    ("AdaBoostClassifier", "n_estimators, learning_rate"),
    ("AdaBoostRegressor", "n_estimators, learning_rate"),
    ("XGBClassifier", "n_estimators, max_depth, learning_rate"),
    ("XGBRegressor", "n_estimators, max_depth, learning_rate"),
    ("XGBRanker", "n_estimators, max_depth, learning_rate"),
    ("LGBMClassifier", "n_estimators, num_leaves, learning_rate"),
    ("LGBMRegressor", "n_estimators, num_leaves, learning_rate"),
    ("LGBMRanker", "n_estimators, num_leaves, learning_rate"),
    ("CatBoostClassifier", "iterations, depth, learning_rate"),
    ("CatBoostRegressor", "iterations, depth, learning_rate"),
    ("KMeans", "n_clusters, n_init"),
    ("MiniBatchKMeans", "n_clusters, n_init"),
    ("AgglomerativeClustering", "n_clusters or distance_threshold"),
    ("DBSCAN", "eps, min_samples"),
    ("GaussianMixture", "n_components"),
    ("SVC", "C, kernel, gamma"),
    ("SVR", "C, kernel, gamma, epsilon"),
    ("NuSVC", "nu, kernel, gamma"),
    ("KNeighborsClassifier", "n_neighbors, weights"),
    ("KNeighborsRegressor", "n_neighbors, weights"),
    ("MLPClassifier", "hidden_layer_sizes, alpha, learning_rate_init"),
    ("MLPRegressor", "hidden_layer_sizes, alpha, learning_rate_init"),
    // PyTorch optimizers built without `lr` (the model records only those). Adam, AdamW and
    // the other adaptive optimizers are left out on purpose: their default step size (1e-3)
    // is the one their authors recommend and most code relies on.
    ("SGD", "lr"),
];

/// Composites whose steps keep their own hyperparameters: an estimator in a pipeline is
/// judged by where the pipeline goes.
const PIPELINES: &[&str] = &["Pipeline", "make_pipeline"];

/// Reads the model's bare constructors: a key estimator built with no argument at all, or a
/// `torch.optim.SGD` built without a learning rate. Exempt: an estimator whose parameters are
/// set afterwards (`set_params`), one handed to a composite that is not a pipeline (a search,
/// whose grid sets its parameters, or an ensemble or wrapper, which decides them), directly or
/// through the pipeline it is a step of, and estimators listed in a collection for a
/// comparison (`models = [SVC(), KMeans()]`). Baselines (`DummyClassifier`) and models
/// without influential defaults are not in the list, and test modules are skipped. One
/// finding per file, at the first such constructor, with the others as related places.
fn check(ctx: &Context, sink: &mut Sink) {
    if ctx.file.is_test_module() {
        return; // tests build models with defaults on purpose
    }
    let model = ctx.model;
    let dead = &model.dead;
    let mut seen: HashSet<Span> = HashSet::new();
    let mut found: Vec<(Span, &str, &str)> = Vec::new();
    for (value, class) in &dead.bare_constructors {
        let short = class.rsplit('.').next().unwrap_or(class);
        let Some((_, params)) = KEY_ESTIMATORS.iter().find(|(name, _)| *name == short) else {
            continue;
        };
        if short == "SGD" && !class.starts_with("torch.optim") {
            continue;
        }
        let span = model.value(*value).span;
        if !seen.insert(span)
            || dead.params_set.contains(value)
            || tuned_elsewhere(model, *value, 0)
            || (!in_composite(model, *value) && in_collection(model, *value))
        {
            continue;
        }
        found.push((span, short, params));
    }
    found.sort_by_key(|(span, _, _)| span.start);
    // One finding per file, at the first constructor: the fix is one decision (where the
    // hyperparameters come from), and a notebook that builds many models gets one note.
    let Some(&(first, short, params)) = found.first() else {
        return;
    };
    let text = ctx.file.text.get(first.start..first.end).unwrap_or(short);
    let shown = if text.chars().count() > 60 {
        format!("{short}(...)")
    } else {
        text.to_string()
    };
    let others = match found.len() {
        1 => String::new(),
        2 => " (and 1 more model below)".to_string(),
        n => format!(" (and {} more models below)", n - 1),
    };
    let message = if short == "SGD" {
        format!(
            "`{shown}` has no learning rate{others}: training runs at whatever PyTorch's default \
             is (older versions have none and refuse the call), not at a value chosen for this \
             model"
        )
    } else {
        format!(
            "`{shown}` sets no hyperparameter{others}: the model is whatever this library \
             version's defaults make it ({params}), not a configuration chosen for this data"
        )
    };
    let finding = sink.report(&RULE, first, message).help(format!(
        "pass the hyperparameters that matter explicitly ({params}), from a config or a tuning \
         run, so they are recorded with the model"
    ));
    for &(span, short, _) in found.iter().skip(1) {
        finding.related(span, format!("`{short}` with defaults"));
    }
}

fn in_composite(model: &FileModel, value: ValueId) -> bool {
    model
        .composite_members
        .iter()
        .any(|(_, members)| members.contains(&value))
}

/// Whether the estimator is a member of a composite that sets or decides its parameters: a
/// search or an ensemble, directly or through the pipelines it is a step of.
fn tuned_elsewhere(model: &FileModel, value: ValueId, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    model
        .composite_members
        .iter()
        .filter(|(_, members)| members.contains(&value))
        .any(|(composite, _)| {
            let pipeline = model.estimator(*composite).is_some_and(|e| {
                PIPELINES.contains(&e.class.rsplit('.').next().unwrap_or(&e.class))
            });
            !pipeline
                || model.dead.params_set.contains(composite)
                || tuned_elsewhere(model, *composite, depth + 1)
        })
}

/// Whether the estimator is an element of a list, tuple or dict literal that holds another
/// estimator, directly or in a sibling pair (`[("rf", RandomForestClassifier()), ("svc",
/// SVC())]`): a zoo of models to compare.
fn in_collection(model: &FileModel, value: ValueId) -> bool {
    let elements = |v: &crate::model::Value| -> Vec<ValueId> {
        match &v.kind {
            Kind::Tuple(elements) => elements.clone(),
            Kind::Dict(entries) => entries.iter().map(|(_, id)| *id).collect(),
            _ => Vec::new(),
        }
    };
    let parents: Vec<ValueId> = model
        .values_with_ids()
        .filter(|(_, v)| elements(v).contains(&value))
        .map(|(id, _)| id)
        .collect();
    let holds_estimator = |id: ValueId, except: ValueId| {
        id != except
            && (model.estimator(id).is_some()
                || elements(model.value(id))
                    .iter()
                    .any(|e| *e != value && model.estimator(*e).is_some()))
    };
    parents.iter().any(|&parent| {
        elements(model.value(parent))
            .iter()
            .any(|&e| e != value && model.estimator(e).is_some())
            || model.values.iter().any(|v| {
                let siblings = elements(v);
                siblings.contains(&parent) && siblings.iter().any(|&s| holds_estimator(s, parent))
            })
    })
}
