use crate::ml::Category;
use crate::model::{Event, FileModel, ValueId};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API014",
    name: "scale-sensitive-model-unscaled",
    family: "api",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// scikit-learn models whose fit depends on the scale of each feature: kernels and margins
/// (SVMs), distances (nearest neighbours), gradient steps shared by all weights (MLPs, SGD).
const SENSITIVE: &[&str] = &[
    "SVC",
    "SVR",
    "NuSVC",
    "NuSVR",
    "LinearSVC",
    "LinearSVR",
    "KNeighborsClassifier",
    "KNeighborsRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "SGDClassifier",
    "SGDRegressor",
];

/// Reads the Fit and cross-validation events of a scale-sensitive scikit-learn model (itself,
/// not a pipeline or a search around it): one is flagged when its X is provably raw tabular
/// data (build/scaling.rs): read from a file and only selected, dropped, filled or converted
/// since, so no scaler, arithmetic or unknown call touched it.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    for event in &model.events {
        let (estimator, x, x_text, span) = match event {
            Event::Fit {
                estimator,
                x: Some(x),
                x_text,
                span,
                ..
            } => (*estimator, *x, Some(x_text.as_str()), *span),
            Event::CrossVal {
                estimator,
                x: Some(x),
                x_text,
                span,
                ..
            } => (*estimator, *x, x_text.as_deref(), *span),
            _ => continue,
        };
        let Some(class) = sensitive(model, estimator) else {
            continue;
        };
        if !model.is_raw_data(x) {
            continue;
        }
        let Some(read) = read_of(model, x) else {
            continue;
        };
        if prepared_file(model, read) {
            continue;
        }
        let data = x_text.map_or(String::from("its X"), |t| format!("`{t}`"));
        sink.report(
            &RULE,
            span,
            format!(
                "{class} is fitted on {data}, columns read from a file and never scaled: \
                 {class} compares features by their raw magnitudes, so the columns with the \
                 largest ranges dominate the fit"
            ),
        )
        .help(format!(
            "put a scaler before the model: `make_pipeline(StandardScaler(), {class}(...))` \
             (fitted on the training rows only)"
        ))
        .related(model.value(read).span, "read here");
    }
}

/// The class name of a scale-sensitive scikit-learn model.
fn sensitive(model: &FileModel, estimator: ValueId) -> Option<&str> {
    let estimator = model.estimator(estimator)?;
    let name = estimator.short_name();
    (estimator.category == Category::Model
        && estimator.class.starts_with("sklearn.")
        && SENSITIVE.contains(&name))
    .then_some(name)
}

/// Words in a file's path that say its columns were scaled or reduced already, or that it
/// holds pixels or vectors (all in one unit).
const PREPARED: &[&str] = &[
    "scal", "norm", "standard", "pca", "embed", "tfidf", "vector", "mnist", "pixel", "image",
    "digit",
];

/// True when the read at `read` opens a file whose path says it is prepared data.
fn prepared_file(model: &FileModel, read: ValueId) -> bool {
    model.io.iter().any(|io| {
        io.value == read
            && io.path.as_deref().is_some_and(|path| {
                let path = path.to_ascii_lowercase();
                PREPARED.iter().any(|word| path.contains(word))
            })
    })
}

/// The read the raw data `x` comes from: its earliest raw ancestor.
fn read_of(model: &FileModel, x: ValueId) -> Option<ValueId> {
    let mut earliest: Option<ValueId> = None;
    model.derives_from(x, |v| {
        if model.raw_data.raw.contains(&v) && earliest.is_none_or(|e| v < e) {
            earliest = Some(v);
        }
        false
    });
    earliest
}
