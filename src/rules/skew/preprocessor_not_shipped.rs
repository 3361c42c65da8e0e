use crate::project::index::{FileId, ProjectIndex};
use crate::finding::Span;
use crate::project::FileSummary;
use crate::project::summary::{Preprocessor, Saved, Unfitted};
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "SKEW005",
    name: "preprocessor-not-shipped",
    family: "skew",
    severity: Error,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// A saved model whose training inputs went through stateful transformers fitted in the same
/// file that are neither saved nor inside the saved object (`training.unsaved_preprocessors`;
/// the extraction leaves out transformers that are saved, put in a container, passed on or
/// whose learned statistics are read). One finding per training, at its first save. Silent
/// when a consumer of the artifact also loads something the project does not save as a
/// model: that may be the preprocessor, shipped another way.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    for (id, file) in index.files.iter().enumerate() {
        if file.test {
            continue;
        }
        let mut reported: Vec<usize> = Vec::new();
        for (s, save) in file.saves.iter().enumerate() {
            if let Some(unfitted) = &save.unfitted {
                report_unfitted(index, sink, id, s, unfitted);
                continue;
            }
            // The first model the saved object holds that was trained behind an unsaved
            // transformer (a dict of models may hold several).
            let Some((t, training)) = save
                .trainings
                .iter()
                .filter_map(|&t| file.trainings.get(t).map(|training| (t, training)))
                .find(|(t, training)| {
                    !training.unsaved_preprocessors.is_empty() && !reported.contains(t)
                })
            else {
                continue;
            };
            // Another file that loads the model shows that it ships alone. A model the
            // notebook that saved it only reloads beside the scaler it still holds is not
            // shipped; one that no code of the project loads is a preview branch (a Kaggle
            // fold dump is saved the same way as a model handed to a server elsewhere).
            let all_loaders = index.loaders_of(id, s);
            let loaders: Vec<_> = all_loaders
                .iter()
                .copied()
                .filter(|&(loader, _)| loader != id)
                .collect();
            if loaders.is_empty() && !all_loaders.is_empty() {
                continue;
            }
            let unconsumed = loaders.is_empty();
            // A preview finding (no file loads this save) leaves the training to a later save
            // that another file does load.
            if !unconsumed {
                reported.push(t);
            }
            let preprocessors = &training.unsaved_preprocessors;
            // A transformer saved through the name the model's was rebound to is the wrong
            // one: loading it beside the model ships nothing the model was trained behind.
            let wrong: Vec<Span> = preprocessors
                .iter()
                .filter_map(|p| p.rebound_save.map(|place| place.span))
                .collect();
            if loaders
                .iter()
                .any(|&(loader, load)| loads_something_else(index, loader, load, (id, &wrong)))
            {
                continue;
            }
            let names: Vec<String> = preprocessors.iter().map(|p| describe(file, p)).collect();
            let target = save
                .path
                .as_deref()
                .map_or_else(String::new, |p| format!(" to `{p}`"));
            let rebound: Vec<String> = preprocessors
                .iter()
                .filter_map(|p| {
                    let saved = p.rebound_save?;
                    Some(format!(
                        "; the `{}` saved at {} is another `{}`, not the one the model was \
                         trained behind",
                        p.name,
                        saved.describe(),
                        p.class
                    ))
                })
                .collect();
            let message = format!(
                "`{}` is saved{target} ({}) without {}, which transformed its training \
                 inputs: whatever loads the model gets raw features, unless the serving code \
                 rebuilds {} from other statistics{}",
                training.model,
                save.place.describe(),
                and_list(&names),
                if preprocessors.len() == 1 {
                    "that transformation"
                } else {
                    "those transformations"
                },
                rebound.concat(),
            );
            let finding = sink
                .report(&RULE, id, save.place, message)
                .help(
                    "put the transformer and the model in one Pipeline and save that, or save \
                     the fitted transformer too and load it wherever the model is loaded",
                )
                .related(id, training.place, format!("`{}` trained here", training.model));
            if unconsumed {
                finding.preview();
            }
            for p in preprocessors {
                finding.related(
                    id,
                    p.place,
                    match file.called_at(&p.place) {
                        Some(called) => format!("`{}` fitted inside {called}, never saved", p.class),
                        None if p.name.is_empty() || p.name.contains('(') => {
                            format!("`{}` fitted here, never saved", p.class)
                        }
                        None => format!("`{}` fitted here, never saved", p.name),
                    },
                );
                if let Some(saved) = p.rebound_save {
                    finding.related(id, saved, format!("another `{}` saved here", p.class));
                }
            }
            for (loader, load) in loaders {
                let place = index.files[loader].loads[load].place;
                finding.related(loader, place, "the model is loaded here, alone");
            }
        }
    }
}

/// A model saved without ever being fitted: whatever loads it has nothing to predict with.
/// A preview finding when no other file loads the artifact.
fn report_unfitted(
    index: &ProjectIndex,
    sink: &mut ProjectSink,
    id: FileId,
    s: usize,
    unfitted: &Unfitted,
) {
    let file = index.files[id];
    let save = &file.saves[s];
    let all_loaders = index.loaders_of(id, s);
    let loaders: Vec<_> = all_loaders
        .iter()
        .copied()
        .filter(|&(loader, _)| loader != id)
        .collect();
    let target = save
        .path
        .as_deref()
        .map_or_else(String::new, |p| format!(" to `{p}`"));
    let message = format!(
        "`{}` is saved{target} ({}) but never fitted: it is the `{}` made at {}, which is not \
         fitted in this file (searches and cross-validation fit copies of what they are \
         given), so whatever loads the artifact gets an estimator with no learned parameters",
        unfitted.name,
        save.place.describe(),
        unfitted.class,
        unfitted.made.describe(),
    );
    let finding = sink
        .report(&RULE, id, save.place, message)
        .help(
            "save the fitted model (`search.best_estimator_`, or the object `fit` was called \
             on), not a new instance of its class",
        )
        .related(id, unfitted.made, format!("`{}` made here, never fitted", unfitted.class));
    if loaders.is_empty() {
        finding.preview();
    }
    for (loader, load) in loaders {
        let place = index.files[loader].loads[load].place;
        finding.related(loader, place, "the unfitted model is loaded here");
    }
}

/// `StandardScaler` `scaler`, a `LabelEncoder` made inline, or a `StandardScaler` fitted
/// inside a helper of another module.
fn describe(file: &FileSummary, p: &Preprocessor) -> String {
    if let Some(called) = file.called_at(&p.place) {
        format!(
            "a `{}` fitted inside {called} (called at {})",
            p.class,
            p.place.describe()
        )
    } else if p.name.contains('(') || p.name.is_empty() {
        format!("a `{}` ({})", p.class, p.place.describe())
    } else {
        format!("`{}` (`{}`, {})", p.name, p.class, p.place.describe())
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether the file that loads the model (`load`) also loads another artifact that the
/// project does not save as a model: a preprocessor saved elsewhere, or something unknown.
/// An artifact the file is seen applying only before other loaded models does not count.
/// Saves of the wrong transformer (`wrong`: their spans in the training's file) ship nothing.
fn loads_something_else(
    index: &ProjectIndex,
    file: FileId,
    load: usize,
    wrong: (FileId, &[Span]),
) -> bool {
    let loads = &index.files[file].loads;
    (0..loads.len()).filter(|&l| l != load).any(|l| {
        // Seen applied before other models' predictions only, never before this one's: it
        // is their preprocessor, not this model's.
        let applied_to = &loads[l].applied_to;
        if !applied_to.is_empty() && !applied_to.contains(&load) {
            return false;
        }
        let savers = index.savers_of(file, l);
        savers.is_empty()
            || savers.iter().any(|(saver, save)| {
                save.saved != Saved::Model
                    && !(*saver == wrong.0 && wrong.1.contains(&save.place.span))
            })
    })
}
