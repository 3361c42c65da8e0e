use crate::ml;
use crate::model::{Event, FileModel, Kind, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "MON004",
    name: "fixed-decision-threshold",
    family: "monitoring",
    severity: Info,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's comparisons: one side a model's score output (predict_proba,
/// decision_function, ...; a regression-style `predict` only against a fractional number),
/// the other a number written in the code, directly or through a constant.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    for event in &model.events {
        let Event::Compare {
            left,
            right,
            op,
            span,
            ..
        } = event
        else {
            continue;
        };
        if !matches!(op.as_str(), "<" | "<=" | ">" | ">=") {
            continue;
        }
        let (output, threshold) = match (score_output(model, *left), score_output(model, *right)) {
            (Some(output), None) => (output, *right),
            (None, Some(output)) => (output, *left),
            _ => continue,
        };
        let Kind::Number(value) = model.value(threshold).kind else {
            continue;
        };
        let (estimator, method) = output;
        if is_default_decision(method, value) {
            continue;
        }
        let name = model
            .estimator(estimator)
            .map_or("the model".to_string(), |e| format!("`{}`", e.short_name()));
        let literal = ctx.snippet(model.value(threshold).span);
        let finding = sink
            .report(
                &RULE,
                *span,
                format!(
                    "`{method}` output of {name} is compared with the fixed threshold `{literal}`: \
                     as the data drifts the best cut-off moves, and this one will not"
                ),
            )
            .help(
                "tune the threshold on validation data at each retrain, store it with the model \
                 and load it from there (or from configuration)",
            );
        let defined = model.value(threshold).span;
        if defined.start < span.start || defined.end > span.end {
            finding.related(defined, "threshold set here");
        }
    }
}

/// The (estimator, method) of a model score, if `id` is one.
fn score_output(model: &FileModel, id: ValueId) -> Option<(ValueId, &'static str)> {
    match model.value(id).kind {
        Kind::Output { estimator, method } if method != "fit_predict" => Some((estimator, method)),
        _ => None,
    }
}

/// Thresholds that reproduce the model's own decision (0.5 on a probability, 0 on a margin),
/// and integer comparisons with class labels, are not tuned cut-offs.
fn is_default_decision(method: &str, value: f64) -> bool {
    match method {
        "predict_proba" => value == 0.5,
        "decision_function" => value == 0.0,
        _ if ml::is_score_method(method) => false,
        // `predict` of a classifier returns labels: only a fractional number is a cut-off on
        // a score (a regressor or a Keras sigmoid output).
        _ => value.fract() == 0.0,
    }
}
