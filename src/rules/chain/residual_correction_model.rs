use super::helpers::{self, SupervisedFit};
use crate::finding::Span;
use crate::model::{Anchor, Event, Fact, FileModel, RowAnchors, Tag, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "CHAIN003",
    name: "residual-correction-model",
    family: "chain",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// How the second model corrects the first.
enum Correction {
    /// Its target combines the first model's predictions with the label, row by row.
    Target,
    /// It is trained only on rows chosen by comparing the predictions with the label.
    Rows,
}

struct Found {
    how: Correction,
    label: String,
    labels: Vec<String>,
    predicted_at: Span,
}

/// For each supervised fit: a target that carries another model's predictions and the label
/// that model was trained on, on the same rows (`y - m.predict(X)`, `m.predict(X) != y`), or
/// training rows picked by a mask that does (`X[m.predict(X) != y]`). Models built at the same
/// site (a hand-written boosting loop) and stages inside an estimator class are one model.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if !model.facts.iter().any(|f| f.tag == Tag::ModelOut) {
        return;
    }
    let anchors = model.row_anchors();
    for fit in helpers::supervised_fits(model) {
        if helpers::in_estimator_class(model, fit.span) {
            continue;
        }
        let found = corrected_target(ctx, &anchors, &fit)
            .or_else(|| corrected_rows(ctx, &anchors, &fit));
        let Some(found) = found else {
            continue;
        };
        let second = helpers::fitted_label(ctx, &fit);
        let labels = found
            .labels
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>();
        let label_words = match labels.as_slice() {
            [] => "the label".to_string(),
            some => format!("the label {}", helpers::and_list(some)),
        };
        let (message, related) = match found.how {
            Correction::Target => (
                format!(
                    "{second} is trained to correct {}: its target is built from the \
                     predictions at {} and {label_words}",
                    found.label,
                    ctx.describe(found.predicted_at)
                ),
                format!("predictions of {} that the target corrects", found.label),
            ),
            Correction::Rows => (
                format!(
                    "{second} is trained to correct {}, only on the rows it gets wrong \
                     (predictions at {} compared with {label_words})",
                    found.label,
                    ctx.describe(found.predicted_at)
                ),
                format!("predictions of {} that pick the rows", found.label),
            ),
        };
        sink.report(&RULE, fit.span, message)
            .help(
                "train one model with the correcting model's features instead, or make both \
                 stages one estimator (a class with `fit` and `predict`) that is versioned and \
                 shipped as one",
            )
            .related(found.predicted_at, related);
    }
}

/// The target carries predictions of another model and that model's label, on the rows it
/// predicted.
fn corrected_target(ctx: &Context, anchors: &RowAnchors, fit: &SupervisedFit) -> Option<Found> {
    let model = ctx.model;
    let target = anchors.of(fit.y);
    for lineage in model.facts_tagged(fit.y, Tag::ModelOut) {
        let Some((first, labels)) = corrected_model(model, fit, lineage.fact, fit.y) else {
            continue;
        };
        let predicted = predicted_input(model, lineage.fact).and_then(|p| anchors.of(p));
        let same_rows = match (target, predicted) {
            (Some(t), Some(p)) => anchors.overlap(model, t, p) == Some(true),
            _ => false,
        };
        if same_rows {
            return Some(found(ctx, Correction::Target, first, labels, lineage.fact));
        }
    }
    None
}

/// The rows of x (or y) were picked by a mask that compares another model's predictions with
/// its label.
fn corrected_rows(ctx: &Context, anchors: &RowAnchors, fit: &SupervisedFit) -> Option<Found> {
    let model = ctx.model;
    for data in [fit.x, fit.y] {
        let Some(node) = anchors.of(data) else {
            continue;
        };
        for n in anchors.chain(node) {
            let Anchor::Filter(filtered) = anchors.anchor(n) else {
                continue;
            };
            let Some(&mask) = model.chain.row_changes.get(&filtered) else {
                continue;
            };
            for lineage in model.facts_tagged(mask, Tag::ModelOut) {
                if let Some((first, labels)) = corrected_model(model, fit, lineage.fact, mask) {
                    return Some(found(ctx, Correction::Rows, first, labels, lineage.fact));
                }
            }
        }
    }
    None
}

/// The model whose predictions `value` carries (`fact`), when it is another model fitted in
/// the file and `value` also derives from the label it was fitted on: (the model, the label's
/// columns).
fn corrected_model(
    model: &FileModel,
    fit: &SupervisedFit,
    fact: &Fact,
    value: ValueId,
) -> Option<(ValueId, Vec<String>)> {
    let first = fact.source;
    if first == fit.estimator {
        return None;
    }
    model.estimator(first)?;
    // A new model from the same constructor each round: gradient boosting by hand.
    if helpers::same_site(model, first, fit.estimator) {
        return None;
    }
    let event = fact.event?;
    if helpers::replayed_together(model, fit, event) {
        return None;
    }
    let Some(Event::Predict { .. }) = model.events.get(event) else {
        return None;
    };
    let (_, _, y) = helpers::latest_fit(model, first, event)?;
    let y = y?;
    let labels = model.label_columns(y);
    let bases = &model.value(value).bases;
    let with_label = if labels.is_empty() {
        model.derives_from(value, |v| v == y)
    } else {
        labels.iter().any(|l| bases.iter().any(|b| &**b == l.as_str()))
    };
    with_label.then_some((first, labels))
}

fn predicted_input(model: &FileModel, fact: &Fact) -> Option<ValueId> {
    match model.events.get(fact.event?)? {
        Event::Predict { input, .. } => Some(*input),
        _ => None,
    }
}

fn found(
    ctx: &Context,
    how: Correction,
    first: ValueId,
    labels: Vec<String>,
    fact: &Fact,
) -> Found {
    let method = match fact.event.and_then(|e| ctx.model.events.get(e)) {
        Some(Event::Predict { method, .. }) => method.as_str(),
        _ => "predict",
    };
    let name = helpers::receiver_name(ctx, fact.span, method);
    Found {
        how,
        label: helpers::model_label(ctx.model, first, name),
        labels,
        predicted_at: fact.span,
    }
}
