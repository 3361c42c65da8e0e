use crate::model::FitMethod;
use crate::project::summary::Recognised;
use crate::project::index::ProjectIndex;
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "SKEW006",
    name: "fit-in-serving-path",
    family: "skew",
    severity: Error,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// Handler names of training endpoints: a fit there is the endpoint's purpose.
const TRAINING_WORDS: &[&str] = &[
    "train", "retrain", "fit", "refit", "learn", "feedback", "update", "finetune",
];

/// Fits reachable from a serving entry point (`entry.fits`: the handler and the functions of
/// its file it calls), and fits of a batch scoring job on the data it scores
/// (`scoring_fits`). Online learners are exempt: `partial_fit` in a file that imports river,
/// and handlers named as training endpoints (`/retrain`, `feedback`).
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut seen = Vec::new();
    for entry in index.entries() {
        // A Streamlit script runs top to bottom on every interaction, and the analysis cannot
        // tell a model trained at startup on a training table (usually cached) from one fitted
        // on what the user entered: left alone.
        if entry.entry.recognised == Recognised::Script {
            continue;
        }
        let file = index.files[entry.file];
        let words: Vec<String> = entry
            .entry
            .name
            .to_ascii_lowercase()
            .split(['_', '.'])
            .map(str::to_string)
            .collect();
        if words.iter().any(|w| TRAINING_WORDS.contains(&w.as_str())) {
            continue;
        }
        let online = imports_river(file);
        for (method, class, place) in &entry.entry.fits {
            let method = *method;
            if online && method == FitMethod::PartialFit {
                continue;
            }
            if seen.contains(&(entry.file, place.span)) {
                continue;
            }
            seen.push((entry.file, place.span));
            let message = format!(
                "`{class}.{}` runs in the serving path of `{}` ({}): what it learns \
                 comes from the request data, not from the training data the model learned \
                 with, so the same input is transformed differently at training and at \
                 serving time",
                method.as_str(),
                entry.entry.name,
                entry.entry.framework,
            );
            let finding = sink
                .report(&RULE, entry.file, *place, message)
                .help(
                    "fit the transformer at training time, save it with the model (a \
                     Pipeline), and only call `transform` or `predict` when serving",
                )
                .related(entry.file, entry.entry.place, "serving entry point");
            if let Some(first) = entry.entry.predicts.first() {
                finding.related(entry.file, *first, "predicts here");
            }
        }
    }
    for (id, file) in index.files.iter().enumerate() {
        if file.test || file.scoring.is_empty() {
            continue;
        }
        let online = imports_river(file);
        for (method, class, place) in &file.scoring_fits {
            let method = *method;
            if online && method == FitMethod::PartialFit || seen.contains(&(id, place.span)) {
                continue;
            }
            seen.push((id, place.span));
            let message = format!(
                "`{class}.{}` is fitted on the data this batch job scores: the \
                 transformation learns the statistics of each new batch instead of those \
                 the model was trained with",
                method.as_str()
            );
            sink.report(&RULE, id, *place, message)
                .help(
                    "load the transformer fitted at training time (or a Pipeline holding it) \
                     and only call `transform` here",
                )
                .related(id, file.scoring[0], "the loaded model predicts here");
        }
    }
}

fn imports_river(file: &crate::project::FileSummary) -> bool {
    file.imports
        .iter()
        .any(|(_, q)| q == "river" || q.starts_with("river."))
}
