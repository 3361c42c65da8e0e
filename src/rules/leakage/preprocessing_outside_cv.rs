use super::evaluation::{first_report, is_test_module, Ids, estimator_name, event_span, home, merge, same_rows};
use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{Estimator, Event, FileModel, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "LEAK008",
    name: "preprocessing-outside-cv",
    family: "leakage",
    severity: Error,
    also: [Warning],
    scope: File,
    check: Check::File(check),
    // The supervised branch (a selector or target encoder fitted outside the folds) has not
    // yet met the bar on real code (docs/precision.md).
    preview_at: [Error],
}

/// Marks the outputs of stateful transformers applied to the rows they were fitted on, follows
/// them forward through the arena, and reports cross-validation (`cross_val_*`, the `fit` of a
/// hyperparameter search) whose data carries one.
fn check(ctx: &Context, sink: &mut Sink) {
    if is_test_module(ctx) {
        return;
    }
    let model = ctx.model;
    let validations: Vec<(usize, ValueId)> = model
        .events
        .iter()
        .enumerate()
        .filter_map(|(index, event)| cross_validated_data(model, event).map(|x| (index, x)))
        .collect();
    if validations.is_empty() {
        return;
    }
    let transforms = leaky_transforms(ctx);
    if transforms.is_empty() {
        return;
    }
    let carried = carried_transforms(model, &transforms);
    let mut reported: HashSet<Span> = HashSet::new();
    for (index, x) in validations {
        let Some(source) = worst_source(&carried[x.index()], &transforms) else {
            continue;
        };
        // A tree model cross-validates the same on any increasing rescaling of its features.
        let validated = match &model.events[index] {
            Event::CrossVal { estimator, .. } | Event::Fit { estimator, .. } => Some(*estimator),
            _ => None,
        };
        if validated.is_some_and(|e| {
            carried[x.index()]
                .iter()
                .all(|t| model.rescaling_changes_nothing(transforms[t].transformer, e))
        })
        {
            continue;
        }
        let span = event_span(&model.events[home(model, index)]);
        if !first_report(model, &mut reported, span) {
            continue;
        }
        let step = &transforms[&source];
        let severity = if step.supervised {
            Severity::Error
        } else {
            Severity::Warning
        };
        let what = match &model.events[index] {
            Event::CrossVal { function, .. } => {
                format!("`{}`", function.rsplit('.').next().unwrap_or(function))
            }
            Event::Fit { estimator, .. } => {
                let class = model.estimator(*estimator).map_or("", Estimator::short_name);
                let name = estimator_name(model, *estimator);
                if name == class {
                    format!("`{class}`")
                } else {
                    format!("`{name}` ({class})")
                }
            }
            _ => "cross-validation".to_string(),
        };
        let name = &step.name;
        let fitted_on = &step.fitted_on;
        let learns = if step.supervised {
            "the labels of every fold"
        } else {
            "statistics of every fold"
        };
        sink.report(
            &RULE,
            span,
            format!(
                "{what} cross-validates on the output of `{name}`, which was fitted on \
                 `{fitted_on}` ({}) before the folds were cut: it learned {learns}, the held-out \
                 ones included, so the cross-validated score is optimistic",
                ctx.describe(step.fit_span)
            ),
        )
        .severity(severity)
        .help(format!(
            "put `{name}` in a Pipeline with the model and cross-validate the pipeline on the raw data"
        ))
        .related(step.fit_span, "fitted here");
    }
}

/// The data a cross-validation event validates on: the `X` of `cross_val_score` and its
/// siblings, or of a hyperparameter search's `fit`.
fn cross_validated_data(model: &FileModel, event: &Event) -> Option<ValueId> {
    match event {
        Event::CrossVal { x: Some(x), .. } => Some(*x),
        Event::Fit {
            estimator, x: Some(x), ..
        } if model.estimator(*estimator).is_some_and(is_search) => Some(*x),
        _ => None,
    }
}

/// A hyperparameter search that cross-validates every candidate on the data it is fitted on.
pub(super) fn is_search(estimator: &Estimator) -> bool {
    matches!(
        estimator.short_name(),
        "GridSearchCV" | "RandomizedSearchCV" | "HalvingGridSearchCV" | "HalvingRandomSearchCV"
    )
}

/// A transform that applies statistics learned from the rows it transforms.
struct Leaky {
    /// The transformer's class (or variable) name.
    name: String,
    fitted_on: String,
    fit_span: Span,
    supervised: bool,
    /// The fitted transformer.
    transformer: ValueId,
}

/// Transform events (by index) whose transformer learns row statistics and was fitted, in its
/// fit in effect, on the very rows it transforms.
fn leaky_transforms(ctx: &Context) -> HashMap<usize, Leaky> {
    let model = ctx.model;
    let mut fits: HashMap<ValueId, usize> = HashMap::new();
    let mut out = HashMap::new();
    for (index, event) in model.events.iter().enumerate() {
        match event {
            Event::Fit { estimator, .. } => {
                fits.insert(*estimator, index);
            }
            Event::Transform {
                estimator, input, ..
            } => {
                let Some(&fit) = fits.get(estimator) else {
                    continue;
                };
                let Event::Fit {
                    x: Some(x),
                    method,
                    x_text,
                    ..
                } = &model.events[fit]
                else {
                    continue;
                };
                let Some(category) = model
                    .estimator(*estimator)
                    .and_then(|e| e.learned_category(*method))
                else {
                    continue;
                };
                if !same_rows(ctx, *x, *input) {
                    continue;
                }
                let class = model
                    .estimator(*estimator)
                    .map_or("the transformer", Estimator::short_name);
                out.insert(
                    index,
                    Leaky {
                        name: class.to_string(),
                        fitted_on: x_text.clone(),
                        fit_span: event_span(&model.events[home(model, fit)]),
                        supervised: category == Category::SupervisedTransformer,
                        transformer: *estimator,
                    },
                );
            }
            _ => {}
        }
    }
    out
}

/// For each value, the leaky transforms whose output it derives from.
fn carried_transforms(model: &FileModel, transforms: &HashMap<usize, Leaky>) -> Vec<Ids> {
    let mut out: Vec<Ids> = vec![Vec::new(); model.values.len()];
    for &index in transforms.keys() {
        if let Event::Transform { output, .. } = &model.events[index]
            && *output != crate::model::UNKNOWN
        {
            merge(&mut out[output.index()], &[index]);
        }
    }
    for id in model.value_ids() {
        let mut ids = std::mem::take(&mut out[id.index()]);
        for &input in &model.value(id).inputs {
            merge(&mut ids, &out[input.index()]);
        }
        out[id.index()] = ids;
    }
    out
}

/// The transform to name: a supervised one if any, else the latest.
fn worst_source(carried: &Ids, transforms: &HashMap<usize, Leaky>) -> Option<usize> {
    carried
        .iter()
        .copied()
        .filter(|t| transforms.contains_key(t))
        .max_by_key(|t| (transforms[t].supervised, *t))
}
