use crate::model::FitMethod;
use crate::project::index::ProjectIndex;
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "SKEW006",
    name: "fit-in-serving-path",
    family: "skew",
    severity: Error,
    scope: Project,
    check: Check::Project(check),
    preview: false,
}

/// Handler names of training endpoints: a fit there is the endpoint's purpose.
const TRAINING_WORDS: &[&str] = &[
    "train", "retrain", "fit", "refit", "learn", "feedback", "update", "finetune",
];

/// Fits reachable from a serving entry point (`entry.fits`: the handler, the functions of
/// its file and the helpers of other modules it calls, transformers the module fits at its
/// top level on made-up rows that the handler applies, what a Streamlit app fits on the
/// user's input), and fits of a batch scoring job on the data it scores (`scoring_fits`).
/// Online learners are exempt: `partial_fit` in a file that imports river or in a handler
/// the configuration declares online, and handlers named as training endpoints (`/retrain`,
/// `feedback`).
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut seen = Vec::new();
    for entry in index.entries() {
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
        let online = imports_river(file)
            || index
                .facts
                .declares_online(&file.path, &index.root, &entry.entry.name);
        for (n, (method, class, place)) in entry.entry.fits.iter().enumerate() {
            let method = *method;
            if online && method == FitMethod::PartialFit {
                continue;
            }
            if seen.contains(&(entry.file, place.span)) {
                continue;
            }
            seen.push((entry.file, place.span));
            let inside = file
                .called_at(place)
                .map_or_else(String::new, |called| format!(", inside {called}"));
            let at = if entry.entry.top_level_fits.contains(&n) {
                format!(
                    " at the top of the serving module ({}), on rows made up in the code, \
                     and applied by",
                    place.describe()
                )
            } else {
                format!(" ({}{inside}) runs in the serving path of", place.describe())
            };
            let learns = if method == FitMethod::PartialFit {
                "the model is updated on the data it serves, with no check of what it \
                 learns, and drifts away from the model that was validated"
            } else {
                "what it learns comes from the data served, not from the training data the \
                 model learned with, so the same input is transformed differently at \
                 training and at serving time"
            };
            let message = format!(
                "`{class}.{}`{at} `{}` ({}): {learns}",
                method.as_str(),
                entry.entry.name,
                entry.entry.framework,
            );
            let help = if method == FitMethod::PartialFit {
                "update the model offline on labelled data and ship the result; if the \
                 service is an online learner by design, declare it in \
                 `[tool.mlready.serving] online`"
            } else {
                "fit the transformer at training time and ship it with the model (a \
                 Pipeline, or its own artifact loaded here); when serving, only call \
                 `transform` (a loaded transformer already holds training's statistics)"
            };
            let finding = sink
                .report(&RULE, entry.file, *place, message)
                .help(help)
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
