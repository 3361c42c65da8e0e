use crate::finding::Span;
use crate::model::{Event, FileModel, FitMethod, ValueId, rows};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "GLUE001",
    name: "manual-preprocessing-chain",
    family: "glue",
    severity: Info,
    scope: File,
    check: Check::File(check),
}

/// Encoders of the label, not of features: fitted on `y` and applied to `y_test` by design.
const LABEL_ENCODERS: &[&str] = &["LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"];

/// One stateful transformer fitted on training rows and applied by hand to held-out rows.
struct Manual {
    transformer: ValueId,
    fit_span: Span,
    /// What its fit and its transforms returned.
    outputs: Vec<ValueId>,
}

/// Two or more stateful transformers (scalers, imputers, encoders, PCA, selectors), each fitted
/// on its own on training rows and applied by hand to held-out rows, whose training outputs
/// all feed one model's fit: the chain a Pipeline or ColumnTransformer would hold and apply
/// the same way everywhere. One finding per file, at the first transformer's fit. Files whose
/// preprocessing is framework-native (Keras layers fitted with `adapt`, tokenizers fitted with
/// `fit_on_texts`) are exempt.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let native = model.events.iter().any(|event| {
        matches!(
            event,
            Event::Fit {
                method: FitMethod::Adapt | FitMethod::FitOnTexts,
                ..
            }
        )
    });
    if native {
        return;
    }
    let manual = manual_transformers(model);
    if manual.len() < 2 {
        return;
    }
    // The transformers whose training outputs together feed one model.
    let Some(chain) = model.model_fits().iter().find_map(|fit| {
        let feeding: Vec<&Manual> = manual
            .iter()
            .filter(|m| model.derives_from(fit.x, |v| m.outputs.contains(&v)))
            .collect();
        (feeding.len() >= 2).then_some(feeding)
    }) else {
        return;
    };
    let Some(first) = chain.iter().min_by_key(|m| m.fit_span.start) else {
        return;
    };
    let names: Vec<String> = chain
        .iter()
        .map(|m| {
            let class = model
                .estimator(m.transformer)
                .map_or("transformer", |e| e.short_name());
            format!("`{class}`")
        })
        .collect();
    let finding = sink
        .report(
            &RULE,
            first.fit_span,
            format!(
                "{} are fitted one by one on the training rows and applied by hand to the \
                 held-out rows: every place that prepares data (evaluation, serving) must repeat \
                 the same sequence with the same fitted objects, and one missed or reordered \
                 step changes the features silently",
                and_list(&names)
            ),
        )
        .help(
            "chain the transformers and the model in one `Pipeline` (a `ColumnTransformer` for \
             per-column steps), fit it once and call `predict` on raw data everywhere",
        );
    for m in chain.iter().filter(|m| m.fit_span != first.fit_span) {
        finding.related(m.fit_span, "fitted separately here");
    }
}

/// The stateful transformers fitted on training rows that are also applied, by `transform`,
/// to held-out rows; not steps of a composite, not label encoders.
fn manual_transformers(model: &FileModel) -> Vec<Manual> {
    let mut manual: Vec<Manual> = Vec::new();
    for event in &model.events {
        let Event::Fit {
            estimator,
            x: Some(x),
            output,
            method: FitMethod::Fit | FitMethod::FitTransform,
            span,
            ..
        } = event
        else {
            continue;
        };
        let Some(found) = model.estimator(*estimator) else {
            continue;
        };
        if !found.category.is_stateful_transformer()
            || LABEL_ENCODERS.contains(&found.short_name())
            || is_member(model, *estimator)
            || model.rows(*x) & rows::PARTS != rows::TRAIN
            || manual.iter().any(|m| m.transformer == *estimator)
        {
            continue;
        }
        manual.push(Manual {
            transformer: *estimator,
            fit_span: *span,
            outputs: output.iter().copied().collect(),
        });
    }
    let mut applied = vec![false; manual.len()];
    for event in &model.events {
        let Event::Transform {
            estimator,
            input,
            output,
            ..
        } = event
        else {
            continue;
        };
        let Some(at) = manual.iter().position(|m| m.transformer == *estimator) else {
            continue;
        };
        manual[at].outputs.push(*output);
        let held_out = model.rows(*input) & rows::PARTS;
        if held_out != 0 && held_out & (rows::TRAIN | rows::FULL) == 0 {
            applied[at] = true;
        }
    }
    manual
        .into_iter()
        .zip(applied)
        .filter_map(|(m, applied)| applied.then_some(m))
        .collect()
}

/// Whether an estimator is a step or member of a composite built in the file.
fn is_member(model: &FileModel, estimator: ValueId) -> bool {
    model
        .composite_members
        .iter()
        .any(|(_, members)| members.contains(&estimator))
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

