use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{Event, FileModel, Kind, Role, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "LEAK001",
    name: "preprocessing-before-split",
    family: "leakage",
    severity: Error,
    scope: File,
    check: Check::File(check),
}

/// A stateful transformer fitted on data that is not yet split, where a later split of that
/// data (or of the transformer's output) feeds a model that is fitted on the train part and
/// evaluated on the test part: the model pair of Yang et al. 2022.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    for (index, event) in model.events.iter().enumerate() {
        let Event::Fit {
            estimator,
            x: Some(x),
            output,
            x_text,
            span,
            scope,
            ..
        } = event
        else {
            continue;
        };
        let Some(transformer) = model.estimator(*estimator) else {
            continue;
        };
        if !transformer.category.is_stateful_transformer() || model.derives_from_split(*x) {
            continue;
        }
        let Some(leak) = find_leak(model, index, *estimator, *x, *output, *scope) else {
            continue;
        };
        let severity = match transformer.category {
            Category::SupervisedTransformer => Severity::Error,
            _ => Severity::Warning,
        };
        let name = transformer.short_name().to_string();
        let message = format!(
            "`{name}` is fitted on `{x_text}` before `{}` ({}) splits it into train and test: \
             the test rows' statistics leak into training and the evaluation is optimistic",
            leak.split_function,
            ctx.describe(leak.split_span)
        );
        sink.report(&RULE, *span, message)
            .severity(severity)
            .help(format!(
                "split first and fit `{name}` on the training part only, or put it in a \
                 Pipeline with the model"
            ))
            .related(leak.split_span, "split here")
            .related(leak.evaluation_span, "evaluated on the test part here");
    }
}

struct Leak {
    split_span: Span,
    split_function: String,
    evaluation_span: Span,
}

/// Follows the fit at `fit_index` forward: a split of its data or output, then a model fitted
/// on the train part and evaluated on a test part that carries the transformer's statistics.
fn find_leak(
    model: &FileModel,
    fit_index: usize,
    transformer: ValueId,
    x: ValueId,
    fit_output: Option<ValueId>,
    scope: usize,
) -> Option<Leak> {
    let later = &model.events[fit_index + 1..];
    // Until the transformer is fitted again, what it outputs carries this fit's statistics.
    let until = later
        .iter()
        .position(|e| matches!(e, Event::Fit { estimator, .. } if *estimator == transformer))
        .unwrap_or(later.len());
    let later = &later[..until];
    let mut transformed: Vec<ValueId> = fit_output.into_iter().collect();
    for (position, event) in later.iter().enumerate() {
        match event {
            Event::Transform {
                estimator, output, ..
            } if *estimator == transformer => transformed.push(*output),
            Event::Split {
                id,
                inputs,
                outputs,
                function,
                span,
                scope: split_scope,
            } if *split_scope == scope => {
                let carries_output = inputs
                    .iter()
                    .any(|&i| model.derives_from(i, |v| transformed.contains(&v)));
                let carries_data = inputs.iter().any(|&i| model.derives_from(i, |v| v == x));
                let after = &later[position + 1..];
                let test_side: Vec<ValueId> = if carries_output {
                    test_parts(model, outputs)
                } else if carries_data {
                    // Split first, but transformed afterwards with the statistics of all rows.
                    let tests = test_parts(model, outputs);
                    transformed_tests(model, after, transformer, &tests)
                } else {
                    continue;
                };
                if test_side.is_empty() {
                    continue;
                }
                if let Some(evaluation_span) = evaluation(model, after, *id, &test_side, transformer)
                {
                    return Some(Leak {
                        split_span: *span,
                        split_function: function.rsplit('.').next().unwrap_or(function).into(),
                        evaluation_span,
                    });
                }
            }
            _ => {}
        }
    }
    None
}

fn test_parts(model: &FileModel, outputs: &[ValueId]) -> Vec<ValueId> {
    outputs
        .iter()
        .copied()
        .filter(|&o| {
            matches!(
                model.value(o).kind,
                Kind::SplitPart {
                    role: Role::Test,
                    ..
                }
            )
        })
        .collect()
}

/// Outputs of `transformer.transform(...)` applied to data derived from a test part.
fn transformed_tests(
    model: &FileModel,
    events: &[Event],
    transformer: ValueId,
    tests: &[ValueId],
) -> Vec<ValueId> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Transform {
                estimator,
                input,
                output,
                ..
            } if *estimator == transformer
                && model.derives_from(*input, |v| tests.contains(&v)) =>
            {
                Some(*output)
            }
            _ => None,
        })
        .collect()
}

/// The first prediction or score, by a model fitted on the train part of split `split`, of
/// data derived from `test_side`.
fn evaluation(
    model: &FileModel,
    events: &[Event],
    split: usize,
    test_side: &[ValueId],
    transformer: ValueId,
) -> Option<Span> {
    events.iter().enumerate().find_map(|(position, event)| {
        let Event::Predict {
            estimator,
            input,
            span,
            ..
        } = event
        else {
            return None;
        };
        if *estimator == transformer || !model.derives_from(*input, |v| test_side.contains(&v)) {
            return None;
        }
        let trained_on_train_part = events[..position].iter().any(|e| {
            matches!(e, Event::Fit { estimator: fitted, x: Some(fit_x), .. }
                if fitted == estimator && model.derives_from(*fit_x, |v| {
                    matches!(model.value(v).kind, Kind::SplitPart { role: Role::Train, split: s } if s == split)
                }))
        });
        trained_on_train_part.then_some(*span)
    })
}
