use crate::finding::Severity;
use crate::project::index::{FileId, ProjectIndex};
use crate::project::summary::{Place, Save, Training};
use crate::rule::{Check, ProjectSink};
use std::collections::BTreeSet;

crate::rule::rule! {
    code: "SKEW011",
    name: "feature-list-divergence",
    family: "skew",
    severity: Error,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// Two literal feature lists, one in the training module (the list the model's columns are,
/// in order) and one in the serving module (a list of its own file that the handler names),
/// joined by the artifact the training saves and the handler loads. An error when their
/// names differ; a warning when only the order differs and the handler predicts on a
/// positional row. A list imported from a shared module is one list, never reported.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut reported: BTreeSet<(FileId, String)> = BTreeSet::new();
    for entry in index.entries() {
        let serving_file = index.files[entry.file];
        // A list of the serving file that the handler names and that is, in order, the
        // columns its model predicts on; or, for a positional row, any list it names.
        let lists: Vec<&(String, Vec<String>)> = serving_file
            .feature_lists
            .iter()
            .filter(|(name, list)| {
                entry.entry.constants.contains(name)
                    && (*list == entry.entry.predict_columns || entry.entry.positional.is_some())
            })
            .collect();
        if lists.is_empty() {
            continue;
        }
        for &load in &entry.entry.loads {
            for (saver, save) in index.savers_of(entry.file, load) {
                if saver == entry.file || index.is_test(saver) {
                    continue;
                }
                let Some(training) = index.training_of(saver, save) else {
                    continue;
                };
                let Some((trained_name, trained)) = training_list(index, saver, training) else {
                    continue;
                };
                // The serving list meant for this model: the one sharing most names with it.
                let Some((name, list)) = lists.iter().max_by_key(|(_, list)| {
                    list.iter().filter(|c| trained.contains(c)).count()
                }) else {
                    continue;
                };
                if list == trained || !reported.insert((entry.file, name.clone())) {
                    continue;
                }
                let only_serving: Vec<&String> =
                    list.iter().filter(|c| !trained.contains(c)).collect();
                let only_training: Vec<&String> =
                    trained.iter().filter(|c| !list.contains(c)).collect();
                // Most names shared: a list of the same features, not another model's.
                let shared = list.iter().filter(|c| trained.contains(c)).count();
                if shared * 2 < list.len().max(trained.len()) {
                    continue;
                }
                let same_set = only_serving.is_empty() && only_training.is_empty();
                if same_set == entry.entry.positional.is_none() {
                    // Names select the columns: the order of either list does not matter. A
                    // positional row names no list's columns: only the same names in
                    // another order say that the list is the model's.
                    continue;
                }
                report(
                    sink,
                    (entry.file, name, list),
                    (saver, save, training, trained_name),
                    (&only_serving, &only_training),
                    serving_file
                        .feature_lists
                        .iter()
                        .position(|(n, _)| n == name)
                        .and_then(|at| serving_file.feature_list_places.get(at).copied())
                        .unwrap_or(entry.entry.place),
                );
            }
        }
    }
}

/// The feature list of the training's file whose names are the model's columns, in order.
fn training_list<'a>(
    index: &ProjectIndex<'a>,
    file: FileId,
    training: &Training,
) -> Option<(&'a str, &'a Vec<String>)> {
    if training.open || training.columns.is_empty() {
        return None;
    }
    index.files[file]
        .feature_lists
        .iter()
        .find(|(_, list)| {
            list.len() == training.columns.len()
                && list.iter().zip(&training.columns).all(|(a, b)| *a == b.name)
        })
        .map(|(name, list)| (name.as_str(), list))
}

fn report(
    sink: &mut ProjectSink,
    (file, name, list): (FileId, &String, &[String]),
    (saver, save, training, trained_name): (FileId, &Save, &Training, &str),
    (only_serving, only_training): (&[&String], &[&String]),
    at: Place,
) {
    let artifact = save
        .path
        .as_deref()
        .unwrap_or("the model artifact")
        .trim_start_matches("*/");
    let quoted = |names: &[&String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut differences = Vec::new();
    if !only_training.is_empty() {
        differences.push(format!("only the training's has {}", quoted(only_training)));
    }
    if !only_serving.is_empty() {
        differences.push(format!("only the serving one has {}", quoted(only_serving)));
    }
    let same_set = differences.is_empty();
    let message = if same_set {
        format!(
            "`{name}` ({} names) lists the features of the `{}` saved to `{artifact}` in \
             another order than the training's `{trained_name}`, and the handler predicts on \
             a positional row",
            list.len(),
            training.model,
        )
    } else {
        format!(
            "`{name}` and the training's `{trained_name}` are two lists of the features of the \
             `{}` saved to `{artifact}`, and they differ: {}",
            training.model,
            differences.join("; "),
        )
    };
    let finding = sink
        .report(&RULE, file, at, message)
        .help(
            "keep one feature list in a module both training and serving import, and build \
             the serving input with it",
        )
        .related(
            saver,
            training.place,
            format!("`{}` is trained here on `{trained_name}`", training.model),
        );
    if same_set {
        finding.severity(Severity::Warning);
    }
}
