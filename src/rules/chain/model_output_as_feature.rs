use super::helpers::{self, SupervisedFit};
use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{Event, FileModel, FitMethod, Lineage, PredictMethod, RowAnchors, Tag, ValueId};
use crate::project::index::ProjectIndex;
use crate::rule::{Check, Context, ProjectSink, Sink};

crate::rule::rule! {
    code: "CHAIN001",
    name: "model-output-as-feature",
    family: "chain",
    severity: Error,
    also: [Warning, Info],
    scope: File,
    check: Check::FileAndProject(check, check_project),
    // The warning branch (predictions of another model on other rows) has not yet met the bar
    // on real code (docs/precision.md).
    preview_at: [Warning],
}

/// How the first model's predictions were made, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Made {
    /// On rows the first model was fitted on.
    InSample,
    /// On other rows, or rows the analysis cannot relate to the fit.
    OtherRows,
    /// Out of fold: `cross_val_predict`, or the held-out fold of a fold loop.
    OutOfFold,
    /// By a model that learns without a label.
    Unsupervised,
}

impl Made {
    fn severity(self) -> Severity {
        match self {
            Made::InSample => Severity::Error,
            Made::OtherRows => Severity::Warning,
            Made::OutOfFold | Made::Unsupervised => Severity::Info,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Made::InSample => "in-sample predictions of",
            Made::OtherRows => "predictions of",
            Made::OutOfFold => "out-of-fold predictions of",
            Made::Unsupervised => "output of the unsupervised",
        }
    }
}

/// One first model whose predictions reach the fit.
struct Source {
    made: Made,
    model: ValueId,
    label: String,
    column: Option<String>,
    predicted_at: Span,
    fitted_at: Option<Span>,
}

/// For each supervised fit, the ModelOut facts its features carry (column lineage keeps a
/// dropped score column out): predictions of another model fitted in the file. How they were
/// made sets the severity: the row anchors of the first model's fit and of the predicted data
/// tell in-sample from other rows and from the held-out folds of a fold loop.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if !model.facts.iter().any(|f| f.tag == Tag::ModelOut) {
        return;
    }
    let anchors = model.row_anchors();
    for fit in helpers::supervised_fits(model) {
        let mut sources: Vec<Source> = Vec::new();
        for lineage in model.facts_tagged(fit.x, Tag::ModelOut) {
            if let Some(source) = classify(ctx, &anchors, &fit, &lineage)
                && !sources
                    .iter()
                    .any(|s| s.model == source.model && s.column == source.column)
            {
                sources.push(source);
            }
        }
        let Some(worst) = sources.iter().map(|s| s.made).min() else {
            continue;
        };
        // A class with `fit` and `predict` ships its stages as one estimator; only in-sample
        // scores, a modelling error, are still worth saying there.
        if worst != Made::InSample && helpers::in_estimator_class(model, fit.span) {
            continue;
        }
        report(ctx, sink, &fit, &sources, worst);
    }
}

/// How the predictions of one ModelOut fact reaching `fit` were made; None when they are not
/// another fitted model's predictions used as a feature.
fn classify(
    ctx: &Context,
    anchors: &RowAnchors,
    fit: &SupervisedFit,
    lineage: &Lineage,
) -> Option<Source> {
    let model = ctx.model;
    let fact = lineage.fact;
    let first = fact.source;
    // A model refitted on its own earlier predictions is one model, not a chain; so is a
    // new model each round of a loop fed the previous round's predictions.
    if first == fit.estimator || helpers::same_site(model, first, fit.estimator) {
        return None;
    }
    let estimator = model.estimator(first)?;
    // An autoencoder's reconstructions are a learned transform of the rows, like PCA's.
    if !matches!(estimator.category, Category::Model | Category::Composite)
        || model.reproduces_input(first)
    {
        return None;
    }
    let event = fact.event?;
    if helpers::replayed_together(model, fit, event) {
        return None;
    }
    // The first model's fit, the data it predicted, and the method (for its name).
    let (fitted, predicted, method) = match model.events.get(event)? {
        Event::Predict { input, method, .. } => {
            let (index, x, y) = helpers::latest_fit(model, first, event)?;
            (Some((index, x, y)), Some(*input), *method)
        }
        Event::CrossVal { .. } => (None, None, PredictMethod::CrossValPredict),
        Event::Fit { x, y, method, .. } => {
            let method = if *method == FitMethod::FitPredict {
                PredictMethod::FitPredict
            } else {
                PredictMethod::Labels
            };
            (Some((event, *x, *y)), *x, method)
        }
        _ => return None,
    };
    let column = lineage.column.map(|c| c.name.clone());
    // Predictions written into the column the first model was trained to predict fill its
    // missing values: model-based imputation, as IterativeImputer does.
    if let (Some(column), Some((_, _, Some(y)))) = (&column, fitted)
        && model.label_columns(y).contains(column)
    {
        return None;
    }
    let made = if model.learns_without_label(first) {
        Made::Unsupervised
    } else if matches!(model.events.get(event), Some(Event::CrossVal { .. })) {
        Made::OutOfFold
    } else {
        rows_made(model, anchors, fit, fitted.and_then(|f| f.1), predicted)
    };
    let name = helpers::receiver_name(ctx, fact.span, method.as_str());
    let fitted_at = fitted.and_then(|(index, _, _)| event_span(model, index));
    Some(Source {
        made,
        model: first,
        label: helpers::model_label(model, first, name),
        column,
        predicted_at: fact.span,
        fitted_at,
    })
}

/// In-sample when the predicted rows share rows with the first model's fit (and the second
/// model is not trained on the other side of a split from that fit); out of fold when they
/// are the held-out fold of the fit's fold; other rows otherwise.
fn rows_made(
    model: &FileModel,
    anchors: &RowAnchors,
    fit: &SupervisedFit,
    fitted_x: Option<ValueId>,
    predicted: Option<ValueId>,
) -> Made {
    let (Some(fitted), Some(predicted)) = (
        fitted_x.and_then(|x| anchors.of(x)),
        predicted.and_then(|p| anchors.of(p)),
    ) else {
        return Made::OtherRows;
    };
    if anchors.out_of_fold(model, fitted, predicted) {
        return Made::OutOfFold;
    }
    let second_apart = anchors
        .of(fit.x)
        .is_some_and(|second| anchors.overlap(model, fitted, second) == Some(false));
    if anchors.overlap(model, fitted, predicted) == Some(true) && !second_apart {
        Made::InSample
    } else {
        Made::OtherRows
    }
}

fn event_span(model: &FileModel, index: usize) -> Option<Span> {
    match model.events.get(index)? {
        Event::Fit { span, .. } => Some(*span),
        _ => None,
    }
}

fn report(ctx: &Context, sink: &mut Sink, fit: &SupervisedFit, sources: &[Source], worst: Made) {
    let worst_sources: Vec<&Source> = sources.iter().filter(|s| s.made == worst).collect();
    let mut labels: Vec<String> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for source in &worst_sources {
        if !labels.contains(&source.label) {
            labels.push(source.label.clone());
        }
        if let Some(column) = &source.column
            && !columns.contains(column)
        {
            columns.push(column.clone());
        }
    }
    let first = worst_sources[0];
    let message = format!(
        "{} is trained on {}, {} {} at {}",
        helpers::fitted_label(ctx, fit),
        helpers::feature_label(&columns, fit.x_text.unwrap_or_default()),
        worst.words(),
        helpers::and_list(&labels),
        ctx.describe(first.predicted_at),
    );
    let help = match worst {
        Made::InSample => {
            "score the rows out of fold (`cross_val_predict`) or use `StackingClassifier`, \
             and ship both models as one artifact"
        }
        Made::OtherRows => {
            "ship both models as one artifact or record the first model's version with the \
             second; better, train the second model on the signals the first one uses"
        }
        Made::OutOfFold => {
            "version the two levels together: retraining the first model changes the \
             second one's inputs"
        }
        Made::Unsupervised => {
            "ship the unsupervised model with this one: refitting it renumbers clusters and \
             rescales scores"
        }
    };
    let finding = sink
        .report(&RULE, fit.span, message)
        .severity(worst.severity())
        .help(help);
    for source in worst_sources {
        let made = match &source.column {
            Some(column) => format!(
                "{} {} become column `{column}`",
                if worst == Made::Unsupervised {
                    "outputs of"
                } else {
                    "predictions of"
                },
                source.label
            ),
            None => format!("{} {} made here", worst.words(), source.label),
        };
        finding.related(source.predicted_at, made);
        if let Some(at) = source.fitted_at {
            let label = if worst == Made::InSample {
                "fitted here, on the rows it then predicts"
            } else {
                "fitted here"
            };
            finding.related(at, label);
        }
    }
}

/// Across files: file A writes a model's predictions (`write.predictions`), file B reads that
/// file and fits a model whose X holds one of those columns (named in X, or X is open and the
/// column is not dropped; `*` when the file is the predictions themselves). Reported at B's
/// fit as a warning: A's predictions were made on rows the analysis cannot relate to B's.
/// A column B's own analysis already traces to a model output is left to the file half.
fn check_project(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut reported: Vec<(usize, usize, String)> = Vec::new();
    for edge in &index.data_edges {
        let (writer, w) = edge.write;
        let (reader, r) = edge.read;
        if writer == reader || index.is_test(writer) || index.is_test(reader) {
            continue;
        }
        let write = &index.files[writer].writes[w];
        if write.predictions.is_empty() {
            continue;
        }
        let read = &index.files[reader].reads[r];
        // The file names must be spelled out on both sides: a glob or an f-string part in
        // the name (`prices/*.csv`) may be any file.
        let name = |p: Option<&str>| {
            p.and_then(|p| p.rsplit(['/', '\\']).next())
                .filter(|n| !n.contains('*'))
                .map(str::to_string)
        };
        let written_name = name(write.path.as_deref());
        if written_name.is_none() || written_name != name(read.path.as_deref()) {
            continue;
        }
        for (t, training) in index.files[reader].trainings.iter().enumerate() {
            // Clustering or anomaly detection on top of scores is analysis, not a chain of
            // predictors (the file half leaves it alone too).
            if !training.reads.contains(&r) || training.unsupervised {
                continue;
            }
            let held: Vec<&String> = write
                .predictions
                .iter()
                .filter(|column| holds(training, column))
                .collect();
            let Some(column) = held.first() else { continue };
            let key = (reader, t, (*column).clone());
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            let (model, short) = upstream_model(index, writer, write);
            let path = read.path.as_deref().or(write.path.as_deref()).unwrap_or("the file");
            let what = if column.as_str() == "*" {
                format!("`{path}`")
            } else {
                format!("column `{column}` of `{path}`")
            };
            let message = format!(
                "`{}` is trained on {what}, predictions of {model} written by `{}`: \
                 retraining that model silently changes this one's inputs, and the two can \
                 only be versioned and rolled back together",
                training.model,
                index.path(writer),
            );
            let finding = sink
                .report(&RULE, reader, training.place, message)
                .severity(Severity::Warning)
                .help(
                    "train on the signals the first model used instead of its scores, or ship \
                     both models as one artifact that records the first model's version",
                )
                .related(reader, read.place, "read here")
                .related(writer, write.place, format!("predictions of {short} written here"));
            if let Some(at) = write.predicted_at {
                finding.related(writer, at, format!("{short} predicts here"));
            }
        }
    }
}

/// The model whose predictions a file wrote, as named in messages, and shorter for labels. A
/// loaded model is named by where it was loaded from, and by the training that saved it when
/// the project has one.
fn upstream_model(
    index: &ProjectIndex,
    writer: usize,
    write: &crate::project::summary::DataWrite,
) -> (String, String) {
    let Some(model) = write.model.as_deref() else {
        return ("a model".to_string(), "the model".to_string());
    };
    let file = index.files[writer];
    let loads: Vec<usize> = (0..file.loads.len())
        .filter(|&l| {
            let function = &file.loads[l].function;
            function.rsplit('.').next() == Some(model) || function == model
        })
        .collect();
    let [load] = loads.as_slice() else {
        return (format!("`{model}`"), format!("`{model}`"));
    };
    let path = file.loads[*load].path.as_deref();
    let trained = index
        .savers_of(writer, *load)
        .into_iter()
        .find_map(|(saver, save)| index.training_of(saver, save).map(|t| (saver, t)));
    match (trained, path) {
        (Some((saver, training)), Some(path)) => (
            format!(
                "`{}` (loaded from `{path}`, trained in `{}`)",
                training.model,
                index.path(saver)
            ),
            format!("`{}`", training.model),
        ),
        (None, Some(path)) => (
            format!("the model loaded from `{path}`"),
            "the loaded model".to_string(),
        ),
        _ => ("a loaded model".to_string(), "the loaded model".to_string()),
    }
}

/// Whether a training's X holds a written prediction column.
fn holds(training: &crate::project::summary::Training, column: &str) -> bool {
    if column == "*" {
        return true;
    }
    match training.columns.iter().find(|c| c.name == column) {
        // Its own file traces the column to a model: the file half reports it.
        Some(known) => !known.model_output,
        None => training.open && !training.dropped.iter().any(|d| d == column),
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::finding::Severity;
    use crate::rules::chain::helpers::run;

    fn severities(code: &str) -> Vec<Severity> {
        run(&RULE, code).iter().map(|f| f.severity).collect()
    }

    #[test]
    fn severity_follows_how_the_predictions_were_made() {
        let fixtures = [
            (include_str!("../../../fixtures/chain/CHAIN001_in_sample.py"), Severity::Error, 5),
            (include_str!("../../../fixtures/chain/CHAIN001_other_rows.py"), Severity::Warning, 4),
            (include_str!("../../../fixtures/chain/CHAIN001_out_of_fold.py"), Severity::Info, 3),
            (include_str!("../../../fixtures/chain/CHAIN001_unsupervised.py"), Severity::Info, 4),
        ];
        for (code, severity, count) in fixtures {
            assert_eq!(severities(code), vec![severity; count]);
        }
    }

    #[test]
    fn sizes_and_index_labels_carry_no_predictions() {
        // `np.zeros(len(train))` after score columns were added to `train` holds no scores.
        let code = include_str!("../../../fixtures/chain/CHAIN001_out_of_fold.py");
        let findings = run(&RULE, code);
        let level2 = findings
            .iter()
            .find(|f| f.message.contains("`level2`"))
            .expect("the fold-loop finding");
        assert!(!level2.message.contains("`rf`"), "{}", level2.message);
        let code = include_str!("../../../fixtures/chain/CHAIN001_unsupervised.py");
        let findings = run(&RULE, code);
        let soft = findings.last().expect("the mixture finding");
        assert!(!soft.message.contains("`segments`"), "{}", soft.message);
    }

    #[test]
    fn the_prediction_site_is_a_related_location() {
        let code = include_str!("../../../fixtures/chain/CHAIN001_unsupervised.py");
        let findings = run(&RULE, code);
        let detector = findings
            .iter()
            .find(|f| f.message.contains("`detector`"))
            .expect("the isolation forest finding");
        let labels: Vec<&str> = detector.related.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(
            labels,
            [
                "outputs of `detector` (IsolationForest) become column `anomaly_score`",
                "fitted here"
            ]
        );
    }

    #[test]
    fn a_model_fitted_on_all_rows_predicts_its_training_rows() {
        let code = "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression, Ridge\nfrom sklearn.model_selection import train_test_split\ndf = pd.read_csv('a.csv')\nm = LogisticRegression().fit(df[['a']], df['y'])\ntr, te = train_test_split(df, random_state=0)\ntr['s'] = m.predict(tr[['a']])\nRidge().fit(tr[['b', 's']], tr['z'])\n";
        assert_eq!(severities(code), [Severity::Error]);
        // Fitted on the training part, the second model trained on the test part: honest.
        let code = code
            .replace("m = LogisticRegression().fit(df[['a']], df['y'])\n", "")
            .replace(
                "tr['s'] = m.predict(tr[['a']])\nRidge().fit(tr[['b', 's']], tr['z'])",
                "m = LogisticRegression().fit(tr[['a']], tr['y'])\nte['s'] = m.predict(te[['a']])\nRidge().fit(te[['b', 's']], te['z'])",
            );
        assert_eq!(severities(&code), [Severity::Warning]);
    }
}
