//! What the chained-model rules share: the fits they look at, the names of the models in
//! messages, and the exemption for estimator classes.

use crate::finding::Span;
use crate::model::{Event, FileModel, Learned, ModelFit, ValueId};
use crate::rule::Context;

/// A supervised fit of a model: the sink of the chained-model rules.
pub(super) type SupervisedFit<'m> = ModelFit<'m>;

/// Fits of models (and pipelines, searches, loaded models refitted) that are given a target.
/// A fit without a target (clustering, an outlier detector) learns no label to be entangled
/// with, and repeated readings of a loop body give one fit per site.
pub(super) fn supervised_fits(model: &FileModel) -> Vec<SupervisedFit<'_>> {
    let mut fits: Vec<SupervisedFit> = Vec::new();
    for fit in model.model_fits() {
        let learns_a_label = fit.labelled
            && matches!(fit.learned, Learned::Fit | Learned::PartialFit)
            && !model.learns_without_label(fit.estimator);
        if learns_a_label && !fits.iter().any(|f| f.span == fit.span) {
            fits.push(fit);
        }
    }
    fits
}

/// Whether the fit and the event that made the predictions it learns from are both replays
/// of one call of a function defined in the file: the function's body already shows them.
pub(super) fn replayed_together(model: &FileModel, fit: &SupervisedFit, event: usize) -> bool {
    match (model.replay_of(fit.event), model.replay_of(event)) {
        (Some((a, _)), Some((b, _))) => a == b,
        _ => false,
    }
}

/// Whether two estimators were built by the same constructor call of the same class: a new
/// model each round of a loop (hand-written boosting, recursive forecasting, self-training)
/// is one procedure, not a chain of models.
pub(super) fn same_site(model: &FileModel, first: ValueId, second: ValueId) -> bool {
    model.value(first).span == model.value(second).span
        && model.estimator(first) == model.estimator(second)
}

/// The last fit of `estimator` before event `before`: (event index, x, y).
pub(super) fn latest_fit(
    model: &FileModel,
    estimator: ValueId,
    before: usize,
) -> Option<(usize, Option<ValueId>, Option<ValueId>)> {
    model.events[..before.min(model.events.len())]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(index, event)| match event {
            Event::Fit {
                estimator: fitted,
                x,
                y,
                ..
            } if *fitted == estimator => Some((index, *x, *y)),
            _ => None,
        })
}

/// The variable a call's receiver is (`churn` in `churn.predict_proba(X)`, `rf` in
/// `cross_val_predict(rf, X, y)`), when it is a plain name.
pub(super) fn receiver_name(ctx: &Context, span: Span, method: &str) -> Option<String> {
    let text = ctx.file.text.get(span.start..span.end)?;
    let receiver = match method {
        "__call__" => text.split('(').next()?,
        "cross_val_predict" => text.split_once('(')?.1.split([',', ')']).next()?,
        _ => {
            let at = text.find(&format!(".{method}"))?;
            &text[..at]
        }
    };
    let receiver = receiver.trim();
    let plain = !receiver.is_empty()
        && receiver
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !receiver.starts_with(|c: char| c.is_ascii_digit());
    plain.then(|| receiver.to_string())
}

/// How a message names a model: "`churn` (GradientBoostingClassifier)", or
/// "`LogisticRegression(...)`" when it has no name of its own.
pub(super) fn model_label(model: &FileModel, estimator: ValueId, name: Option<String>) -> String {
    let class = model
        .estimator(estimator)
        .map_or("model", |e| e.short_name())
        .to_string();
    match name {
        Some(name) if name != class => format!("`{name}` ({class})"),
        _ => format!("`{class}(...)`"),
    }
}

/// The name a fit's receiver has (`ltv` in `ltv.fit(X, y)`), as a message label.
pub(super) fn fitted_label(ctx: &Context, fit: &SupervisedFit) -> String {
    let name = receiver_name(ctx, fit.span, "fit")
        .or_else(|| receiver_name(ctx, fit.span, "partial_fit"))
        .or_else(|| assigned_name(ctx, fit.span));
    model_label(ctx.model, fit.estimator, name)
}

/// The plain name a call's result is assigned to on its own line (`reg` in
/// `reg = LinearRegression().fit(X, y)`).
fn assigned_name(ctx: &Context, span: Span) -> Option<String> {
    let text = &ctx.file.text;
    let line_start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..span.start)?.trim();
    let name = before.strip_suffix('=')?.trim_end();
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    plain.then(|| name.to_string())
}

/// What a fit is trained on, for a message: "column `churn_score`", "columns `a`, `b`", or
/// the fit's argument.
pub(super) fn feature_label(columns: &[String], x_text: &str) -> String {
    match columns {
        [] => {
            let flat = x_text.split_whitespace().collect::<Vec<_>>().join(" ");
            if flat.chars().count() > 40 {
                let short: String = flat.chars().take(37).collect();
                format!("`{short}...`")
            } else {
                format!("`{flat}`")
            }
        }
        [one] => format!("column `{one}`"),
        many => format!(
            "columns {}",
            many.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Joins labels as "a", "a and b", "a, b and c".
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether `span` lies in a class that defines both `fit` and `predict`: a user estimator,
/// trained, saved and served as one object.
pub(super) fn in_estimator_class(model: &FileModel, span: Span) -> bool {
    model.chain.classes.iter().any(|(_, class)| {
        let inside = |s: &Span| class.start <= s.start && s.end <= class.end;
        let has = |prefix: &str| {
            model
                .functions
                .iter()
                .any(|(name, at)| inside(at) && name.trim_start_matches('_').starts_with(prefix))
        };
        inside(&span) && has("fit") && has("predict")
    })
}

/// Runs one rule on a Python text (for the family's unit tests).
#[cfg(test)]
pub(super) fn run(rule: &crate::rule::Rule, code: &str) -> Vec<crate::finding::Finding> {
    let file = crate::source::SourceFile::python("t.py".into(), "t.py".into(), code.to_string());
    let tree = crate::source::python::parse(&file.text).expect("parses");
    let model = crate::model::build(&file, &tree);
    let ctx = Context {
        file: &file,
        model: &model,
    };
    let mut sink = crate::rule::Sink::default();
    if let Some(check) = rule.check.file() {
        check(&ctx, &mut sink);
    }
    sink.findings
}

#[cfg(test)]
mod tests {
    use super::{and_list, feature_label, receiver_name};

    #[test]
    fn lists_and_features_read_as_prose() {
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(feature_label(&["s".into()], "X"), "column `s`");
        assert_eq!(feature_label(&[], "meta_tr"), "`meta_tr`");
    }

    #[test]
    fn receivers_are_plain_names_only() {
        let code = "churn.predict_proba(X)\nLogisticRegression(C=1).predict(X)\ncvp(rf, X, y)\nenc(**batch)\n";
        let file = crate::source::SourceFile::python("t.py".into(), "t.py".into(), code.into());
        let tree = crate::source::python::parse(&file.text).expect("parses");
        let model = crate::model::build(&file, &tree);
        let ctx = super::Context {
            file: &file,
            model: &model,
        };
        let line = |n: usize| {
            let start: usize = code.lines().take(n).map(|l| l.len() + 1).sum();
            let len = code.lines().nth(n).unwrap().len();
            crate::finding::Span::new(start, start + len)
        };
        assert_eq!(
            receiver_name(&ctx, line(0), "predict_proba").as_deref(),
            Some("churn")
        );
        assert_eq!(receiver_name(&ctx, line(1), "predict"), None);
        assert_eq!(
            receiver_name(&ctx, line(2), "cross_val_predict").as_deref(),
            Some("rf")
        );
        assert_eq!(
            receiver_name(&ctx, line(3), "__call__").as_deref(),
            Some("enc")
        );
    }
}
