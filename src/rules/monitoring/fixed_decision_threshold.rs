use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, FileModel, Kind, PredictMethod, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "MON004",
    name: "fixed-decision-threshold",
    family: "monitoring",
    severity: Info,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's comparisons: one side a model's score output (predict_proba,
/// decision_function, ...; a regression-style `predict` only against a fractional number),
/// the other a number written in the code, directly or through a constant.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    // One finding per comparison: a chain (`0.2 < p < 0.8`) is one event per operator.
    let mut found: Vec<(Span, ValueId, PredictMethod, Vec<Threshold>)> = Vec::new();
    for event in &model.events {
        let Event::Compare {
            left,
            right,
            op,
            in_assert,
            constants: [left_name, right_name],
            span,
            ..
        } = event
        else {
            continue;
        };
        if !matches!(op.as_str(), "<" | "<=" | ">" | ">=") {
            continue;
        }
        let (output, threshold, constant) =
            match (score_output(model, *left), score_output(model, *right)) {
                (Some(output), None) => (output, *right, right_name),
                (None, Some(output)) => (output, *left, left_name),
                _ => continue,
            };
        let Kind::Number(value) = model.value(threshold).kind else {
            continue;
        };
        let (estimator, method) = output;
        // Comparisons inside `assert` check a property of the scores; they decide nothing.
        if is_default_decision(method, value) || *in_assert {
            continue;
        }
        let threshold = Threshold {
            value: threshold,
            constant: constant.as_deref(),
        };
        match found.last_mut() {
            Some((last, _, _, thresholds)) if last == span => thresholds.push(threshold),
            _ => found.push((*span, estimator, method, vec![threshold])),
        }
    }
    for (span, estimator, method, thresholds) in found {
        report(ctx, sink, span, estimator, method, &thresholds);
    }
}

/// The number side of a comparison, and the name it is assigned to (`THRESH` in
/// `THRESH = 0.35`), if it is the right side of a simple assignment to a name.
struct Threshold<'m> {
    value: ValueId,
    constant: Option<&'m str>,
}

fn report(
    ctx: &Context,
    sink: &mut Sink,
    span: Span,
    estimator: ValueId,
    method: PredictMethod,
    thresholds: &[Threshold],
) {
    let model = ctx.model;
    let name = match model.estimator(estimator) {
        Some(e) if e.category == Category::Loaded => {
            format!("the model loaded by `{}`", e.class)
        }
        Some(e) => format!("`{}`", e.short_name()),
        None => "the model".to_string(),
    };
    let mut shown = Vec::new();
    let mut set_elsewhere = Vec::new();
    for threshold in thresholds {
        let defined = model.value(threshold.value).span;
        let outside = defined.start < span.start || defined.end > span.end;
        let literal = ctx.snippet(defined);
        shown.push(match threshold.constant.filter(|_| outside) {
            Some(constant) => format!("`{constant}` = {literal}"),
            None => format!("`{literal}`"),
        });
        if outside {
            set_elsewhere.push(defined);
        }
    }
    let shown = match shown.as_slice() {
        [one] => format!("the fixed threshold {one}"),
        many => format!("the fixed thresholds {}", many.join(" and ")),
    };
    let finding = sink
        .report(
            &RULE,
            span,
            format!(
                "`{}` output of {name} is compared with {shown}: as the data drifts the \
                 best cut-off moves, and a fixed one does not",
                method.as_str()
            ),
        )
        .help(
            "tune the threshold on validation data at each retrain, store it with the model and \
             load it from there (or from configuration)",
        );
    for defined in set_elsewhere {
        finding.related(defined, "threshold set here");
    }
}

/// The (estimator, method) of a model score, if `id` is one.
fn score_output(model: &FileModel, id: ValueId) -> Option<(ValueId, PredictMethod)> {
    match model.value(id).kind {
        Kind::Output { estimator, method } if method != PredictMethod::FitPredict => {
            Some((estimator, method))
        }
        _ => None,
    }
}

/// Thresholds that reproduce the model's own decision (0.5 on a probability or a sigmoid
/// output, 0 on a margin), the bounds of a probability (range checks, not cut-offs), and
/// integer comparisons with class labels are not tuned cut-offs.
fn is_default_decision(method: PredictMethod, value: f64) -> bool {
    match method {
        PredictMethod::PredictProba => value == 0.5 || value == 0.0 || value == 1.0,
        PredictMethod::PredictLogProba => value == 0.0,
        PredictMethod::DecisionFunction => value == 0.0,
        PredictMethod::ScoreSamples => false,
        // `predict` of a classifier returns labels: only a fractional number is a cut-off on
        // a score (a regressor or a Keras sigmoid output), and 0.5 is a sigmoid's default.
        _ => value.fract() == 0.0 || value == 0.5,
    }
}
