use super::evaluation::{first_report, is_test_module, 
    Ids, describe_split, estimator_name, event_span, home, merge, name_or, parts,
    parts_of, same_rows, text,
};
use super::preprocessing_outside_cv::is_search;
use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, FileModel, Kind, Role, SplitId, Tag, UNKNOWN, ValueId, rows};
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "LEAK002",
    name: "train-test-overlap",
    family: "leakage",
    severity: Error,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Two checks. Rows duplicated before a split (or before cross-validation) whose held-out side
/// is evaluated: found from the RESAMPLED rows of split inputs. And a model evaluated on rows
/// it was fitted on: for each evaluation, the fit in effect of the same estimator, compared by
/// the split parts both sides derive from and by value identity.
fn check(ctx: &Context, sink: &mut Sink) {
    if is_test_module(ctx) {
        return;
    }
    let mut reported = HashSet::new();
    resampled_before_split(ctx, sink, &mut reported);
    evaluated_on_fitted_rows(ctx, sink, &mut reported);
}

// ----- rows duplicated before the split -----

fn resampled_before_split(ctx: &Context, sink: &mut Sink, reported: &mut HashSet<Span>) {
    let model = ctx.model;
    let resampled = |v: ValueId| model.rows(v) & rows::RESAMPLED != 0;
    let mut sites: Vec<(ValueId, String, Span)> = Vec::new();
    let candidates: Vec<SplitId> = model
        .splits
        .iter()
        .enumerate()
        .filter(|(_, s)| s.has_train && s.has_test && s.inputs.iter().any(|&i| resampled(i)))
        .map(|(id, _)| SplitId::new(id))
        .collect();
    if !candidates.is_empty() {
        let evaluated = model.reaches_metric();
        let mut held_out_evaluated: HashSet<SplitId> = HashSet::new();
        for (id, value) in model.values_with_ids() {
            if let Kind::SplitPart { role, split } = value.kind
                && role != Role::Train
                && evaluated[id.index()]
            {
                held_out_evaluated.insert(split);
            }
        }
        for split in candidates {
            if !held_out_evaluated.contains(&split) {
                continue;
            }
            let info = &model.splits[split];
            if let Some(&input) = info.inputs.iter().find(|&&i| resampled(i)) {
                sites.push((input, describe_split(ctx, split), info.span));
            }
        }
    }
    for event in &model.events {
        let (x, what) = match event {
            Event::CrossVal {
                function, x: Some(x), ..
            } => (*x, function.rsplit('.').next().unwrap_or(function).to_string()),
            Event::Fit {
                estimator,
                x: Some(x),
                ..
            } if model.estimator(*estimator).is_some_and(is_search) => {
                (*x, estimator_name(model, *estimator))
            }
            _ => continue,
        };
        if resampled(x) {
            let span = event_span(event);
            sites.push((x, format!("`{what}` ({}) cuts its folds", ctx.describe(span)), span));
        }
    }
    for (input, when, split_span) in sites {
        let origin = origin(model, input);
        let span = model.value(origin).span;
        if !first_report(model, reported, span) {
            continue;
        }
        let what = describe_resampling(ctx, origin);
        let when = if when.ends_with("cuts its folds") {
            when
        } else {
            format!("{when} splits them")
        };
        sink.report(
            &RULE,
            span,
            format!(
                "{what} before {when}: copies of held-out rows (or points interpolated from them) \
                 end up in the training part, so the evaluation is optimistic"
            ),
        )
        .help(
            "split first and resample the training part only (or put the sampler in an \
             imbalanced-learn Pipeline)",
        )
        .related(split_span, "split here");
    }
}

/// The value where rows were first duplicated, walking back from `value`.
fn origin(model: &FileModel, value: ValueId) -> ValueId {
    let mut current = value;
    while let Some(&earlier) = model
        .value(current)
        .inputs
        .iter()
        .find(|&&i| model.rows(i) & rows::RESAMPLED != 0)
    {
        current = earlier;
    }
    current
}

/// "`SMOTE` oversamples `X`", "`resample` draws `minority` with replacement".
fn describe_resampling(ctx: &Context, origin: ValueId) -> String {
    let model = ctx.model;
    let inputs = &model.value(origin).inputs;
    let data = inputs
        .iter()
        .copied()
        .find(|&i| model.estimator(i).is_none() && !model.names_of(i).is_empty())
        .map(|i| name_or(model, i, "the data"))
        .unwrap_or_else(|| "the data".to_string());
    if let Some(sampler) = inputs.iter().find_map(|&i| model.estimator(i)) {
        return format!("`{}` oversamples `{data}`", sampler.short_name());
    }
    let call = text(ctx, origin);
    let callee = call
        .split('(')
        .next()
        .unwrap_or("")
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim();
    match callee {
        "resample" => format!("`resample` draws rows of `{data}` with replacement"),
        "sample" => format!("`sample(replace=True)` draws rows of `{data}` twice"),
        "" => format!("rows of `{data}` are duplicated"),
        other => format!("`{other}` stacks rows of `{data}` with copies of themselves"),
    }
}

// ----- evaluated on rows it was fitted on -----

/// What the evaluation checks share, computed once per file.
struct Facts<'m> {
    held: Vec<Ids<SplitId>>,
    train: Vec<Ids<SplitId>>,
    reaches: &'m [bool],
    /// For each body or module Predict event, the first metric that consumes its output.
    metric_of: HashMap<usize, usize>,
    /// Estimators also evaluated on held-out rows.
    held_out_evaluated: HashSet<ValueId>,
    /// Values the code labels as training scores.
    labelled: HashSet<ValueId>,
    /// String literals that say "train", with their text.
    train_strings: Vec<String>,
    /// The estimator and data of every cross-validation.
    cross_validations: Vec<(ValueId, ValueId)>,
}

fn evaluated_on_fitted_rows(ctx: &Context, sink: &mut Sink, reported: &mut HashSet<Span>) {
    let model = ctx.model;
    let has_prediction = model
        .events
        .iter()
        .any(|e| matches!(e, Event::Predict { .. }));
    if !has_prediction {
        return;
    }
    let facts = Facts::new(ctx);
    let mut fits: HashMap<ValueId, usize> = HashMap::new();
    for (index, event) in model.events.iter().enumerate() {
        match event {
            Event::Fit { estimator, .. } => {
                fits.insert(*estimator, index);
            }
            Event::Predict {
                estimator,
                input,
                output,
                method,
                ..
            } => {
                let evaluation = method.is_scoring() || facts.reaches[output.index()];
                let Some(&fit) = fits.get(estimator) else {
                    continue;
                };
                if !evaluation || !supervised_model(model, &model.events[fit]) {
                    continue;
                }
                let Event::Fit { x: Some(x), .. } = &model.events[fit] else {
                    continue;
                };
                let prediction = Prediction {
                    index,
                    estimator: *estimator,
                    input: *input,
                    output: *output,
                    fit,
                    fitted: *x,
                };
                // Scored on the very data it was fitted on, which glues no held-out part back
                // in (out-of-fold predictions assembled into one column): a training score.
                let in_sample = same_rows(ctx, *input, *x)
                    && parts(model, *x) & (rows::TEST | rows::VALID) == 0;
                if let Some(split) =
                    (!in_sample).then(|| fitted_on_held_out(ctx, &facts, &prediction)).flatten()
                {
                    report_fit(ctx, sink, reported, &facts, &prediction, split);
                } else if let Some(fitted_rows) = scored_on_fitted(ctx, &facts, &prediction)
                    && !excused(ctx, &facts, &prediction)
                {
                    report_evaluation(ctx, sink, reported, &facts, &prediction, fitted_rows);
                }
            }
            _ => {}
        }
    }
}

struct Prediction {
    index: usize,
    estimator: ValueId,
    input: ValueId,
    output: ValueId,
    fit: usize,
    fitted: ValueId,
}

impl<'m> Facts<'m> {
    fn new(ctx: &Context<'m>) -> Self {
        let model = ctx.model;
        let mut held = parts_of(model, Role::Test, true);
        let valid = parts_of(model, Role::Valid, true);
        for (ids, more) in held.iter_mut().zip(&valid) {
            merge(ids, more);
        }
        let train = parts_of(model, Role::Train, true);
        let reaches = model.reaches_metric();
        let mut metric_of = HashMap::new();
        for (index, event) in model.events.iter().enumerate() {
            let Event::Metric { args, .. } = event else {
                continue;
            };
            for &arg in args {
                for lineage in model.facts_tagged(arg, Tag::ModelOut) {
                    if let Some(predict) = lineage.fact.event {
                        metric_of.entry(predict).or_insert(home(model, index));
                    }
                }
            }
        }
        let mut held_out_evaluated = HashSet::new();
        for event in &model.events {
            if let Event::Predict {
                estimator,
                input,
                output,
                method,
                ..
            } = event
                && (method.is_scoring() || reaches[output.index()])
                && parts(model, *input) & (rows::TEST | rows::VALID) != 0
            {
                held_out_evaluated.insert(*estimator);
            }
        }
        let (labelled, train_strings) = training_labels(ctx);
        let cross_validations = model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::CrossVal {
                    estimator, x: Some(x), ..
                } => Some((*estimator, *x)),
                _ => None,
            })
            .collect();
        Facts {
            cross_validations,
            held,
            train,
            reaches,
            metric_of,
            held_out_evaluated,
            labelled,
            train_strings,
        }
    }
}

/// A predictive model fitted with labels (clusterers and outlier detectors are scored on
/// their own input by design).
fn supervised_model(model: &FileModel, fit: &Event) -> bool {
    let Event::Fit {
        estimator,
        y: Some(y),
        ..
    } = fit
    else {
        return false;
    };
    *y != UNKNOWN
        && !matches!(model.value(*y).kind, Kind::NoneLiteral)
        && model
            .estimator(*estimator)
            .is_some_and(|e| matches!(e.category, Category::Model | Category::Composite))
}

/// The held-out split whose rows the fit saw and the evaluation scores: the model was fitted
/// on data derived from that held-out part (train and test glued back together), or on the
/// very data that was split. Not when a later split separates them again: fitted on its
/// training part and scored on its held-out part (out-of-fold encodings written into every row,
/// then a train-test split), the two hold different rows.
fn fitted_on_held_out(ctx: &Context, facts: &Facts, p: &Prediction) -> Option<SplitId> {
    let model = ctx.model;
    let separated = |split: SplitId| {
        facts.train[p.fitted.index()]
            .iter()
            .any(|&later| later != split && facts.held[p.input.index()].contains(&later))
    };
    facts.held[p.input.index()].iter().copied().find(|&split| {
        (!separated(split) && facts.held[p.fitted.index()].contains(&split))
            || model.splits[split]
                .inputs
                .iter()
                .any(|&i| same_rows(ctx, i, p.fitted))
    })
}

/// Whether the evaluation scores rows the model was fitted on, with no split in between:
/// the same data (not a training part, whose score is a known diagnostic), or all the rows of
/// a split whose training part it was fitted on. Returns the fitted value to name.
fn scored_on_fitted(ctx: &Context, facts: &Facts, p: &Prediction) -> Option<ValueId> {
    let model = ctx.model;
    if same_rows(ctx, p.input, p.fitted) {
        let split_part = parts(model, p.input) & (rows::TRAIN | rows::VALID | rows::TEST) != 0;
        return (!split_part).then_some(p.fitted);
    }
    let includes_training_rows = facts.train[p.fitted.index()].iter().any(|&split| {
        model.splits[split]
            .inputs
            .iter()
            .any(|&i| same_rows(ctx, i, p.input))
    });
    includes_training_rows.then_some(p.fitted)
}

/// A score on training rows that the code does not pass off as an evaluation: it also scores
/// held-out rows, cross-validates the same data, monitors validation data while fitting, is a
/// search (with its own cross-validated score), or labels the score as a training score.
fn excused(ctx: &Context, facts: &Facts, p: &Prediction) -> bool {
    let model = ctx.model;
    if facts.held_out_evaluated.contains(&p.estimator)
        || model.estimator(p.estimator).is_some_and(is_search)
    {
        return true;
    }
    if let Event::Fit { keywords, .. } = &model.events[p.fit]
        && keywords.iter().any(|(k, _)| {
            matches!(
                k.as_str(),
                "validation_split" | "validation_data" | "eval_set" | "valid_sets" | "evals"
            )
        })
    {
        return true;
    }
    let cross_validated = facts
        .cross_validations
        .iter()
        .any(|&(estimator, x)| estimator == p.estimator || same_rows(ctx, x, p.fitted));
    if cross_validated || scored_elsewhere(ctx, facts, p) {
        return true;
    }
    let result = match &model.events[p.index] {
        Event::Predict { method, output, .. } if method.is_scoring() => *output,
        _ => match facts.metric_of.get(&home(model, p.index)) {
            Some(&metric) => match &model.events[metric] {
                Event::Metric { output, .. } => *output,
                _ => p.output,
            },
            None => p.output,
        },
    };
    // `train_pred = model.predict(xtrain)`: the predictions are named as the training rows',
    // so the score is known to be a training score. (Data named `X_train` with no test part
    // beside it is not: that is just what the data is called.)
    labelled_as_training(model, facts, result)
        || [p.output].iter().any(|&v| {
            model
                .names_of(v)
                .iter()
                .any(|n| says_training(n) && !n.to_ascii_lowercase().contains("test"))
        })
}

/// Whether the same fitted model is also scored on rows that are not known to be training
/// rows (`def report(m, X_fit, y_fit, X_other, y_other)` scoring both): the training score
/// then stands next to another score, and whether that one is held out is unknown.
fn scored_elsewhere(ctx: &Context, facts: &Facts, p: &Prediction) -> bool {
    let model = ctx.model;
    model.events.iter().enumerate().any(|(index, event)| {
        let Event::Predict {
            estimator,
            input,
            output,
            method,
            ..
        } = event
        else {
            return false;
        };
        if index == p.index
            || *estimator != p.estimator
            || !(method.is_scoring() || facts.reaches[output.index()])
            || *input == UNKNOWN
            || parts(model, *input) & rows::TRAIN != 0
        {
            return false;
        }
        let other = Prediction {
            index,
            input: *input,
            output: *output,
            ..*p
        };
        scored_on_fitted(ctx, facts, &other).is_none()
    })
}

fn labelled_as_training(model: &FileModel, facts: &Facts, result: ValueId) -> bool {
    if facts.labelled.contains(&result) {
        return true;
    }
    let names = model.names_of(result);
    if names.iter().any(|n| says_training(n)) {
        return true;
    }
    // `print(f"train accuracy: {acc:.3f}")`
    names.iter().any(|name| {
        facts
            .train_strings
            .iter()
            .any(|s| s.contains(&format!("{{{name}}}")) || s.contains(&format!("{{{name}:")))
    })
}

fn says_training(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("train") || lower.contains("in_sample") || lower.contains("in-sample")
        || lower.contains("insample") || lower.contains("in sample")
}

/// Values labelled by a string that says "train" on the line where they are made or printed,
/// and those strings.
fn training_labels(ctx: &Context) -> (HashSet<ValueId>, Vec<String>) {
    let model = ctx.model;
    let mut lines = HashSet::new();
    let mut strings = Vec::new();
    for value in &model.values {
        if let Kind::Str(text) = &value.kind
            && says_training(text)
        {
            lines.insert(ctx.file.locate(value.span.start).line);
            strings.push(text.clone());
        }
    }
    let mut labelled = HashSet::new();
    if lines.is_empty() {
        return (labelled, strings);
    }
    for (id, value) in model.values_with_ids() {
        if !lines.contains(&ctx.file.locate(value.span.start).line) {
            continue;
        }
        labelled.insert(id);
        // `print("train:", acc)`, `print("train: %.3f" % acc)`: two levels of arguments.
        if matches!(&value.kind, Kind::Call { function } if function == "print") {
            for &input in &value.inputs {
                labelled.insert(input);
                labelled.extend(model.value(input).inputs.iter().copied());
            }
        }
    }
    (labelled, strings)
}

fn report_fit(
    ctx: &Context,
    sink: &mut Sink,
    reported: &mut HashSet<Span>,
    facts: &Facts,
    p: &Prediction,
    split: SplitId,
) {
    let model = ctx.model;
    let Event::Fit {
        x_text,
        span,
        estimator,
        ..
    } = &model.events[home(model, p.fit)]
    else {
        return;
    };
    if !first_report(model, reported, *span) {
        return;
    }
    let name = estimator_name(model, *estimator);
    let evaluation = evaluation_span(model, facts, p);
    sink.report(
        &RULE,
        *span,
        format!(
            "`{name}` is fitted on `{x_text}`, which holds the held-out rows of {}, and is then \
             evaluated on those rows ({}): the score measures memory, not generalisation",
            describe_split(ctx, split),
            ctx.describe(evaluation),
        ),
    )
    .help("fit on the training part only; refit on all rows only after the evaluation, for shipping")
    .related(evaluation, "evaluated here")
    .related(model.splits[split].span, "split here");
}

fn report_evaluation(
    ctx: &Context,
    sink: &mut Sink,
    reported: &mut HashSet<Span>,
    facts: &Facts,
    p: &Prediction,
    fitted: ValueId,
) {
    let model = ctx.model;
    let span = evaluation_span(model, facts, p);
    if !first_report(model, reported, span) {
        return;
    }
    let Event::Fit {
        x_text,
        span: fit_span,
        estimator,
        ..
    } = &model.events[home(model, p.fit)]
    else {
        return;
    };
    let name = estimator_name(model, *estimator);
    let input = match &model.events[home(model, p.index)] {
        Event::Predict { input, .. } => name_or(model, *input, text(ctx, *input)),
        _ => name_or(model, p.input, "its input"),
    };
    let fitted_name = name_or(model, fitted, x_text);
    let how = if fitted_name == input {
        "the rows it was fitted on".to_string()
    } else {
        format!("which holds the rows it was fitted on (`{fitted_name}`)")
    };
    sink.report(
        &RULE,
        span,
        format!(
            "`{name}` is evaluated on `{input}`, {how} ({}), and on no held-out rows: the score \
             measures memory, not generalisation",
            ctx.describe(*fit_span),
        ),
    )
    .help("evaluate on a held-out part (train_test_split) or with cross_val_score")
    .related(*fit_span, "fitted here");
}

/// Where an evaluation is reported: the metric that consumes the predictions, or the
/// `score`/`evaluate` call.
fn evaluation_span(model: &FileModel, facts: &Facts, p: &Prediction) -> Span {
    let index = home(model, p.index);
    match &model.events[index] {
        Event::Predict { method, span, .. } if method.is_scoring() => *span,
        event => facts
            .metric_of
            .get(&index)
            .map_or_else(|| event_span(event), |&m| event_span(&model.events[m])),
    }
}
