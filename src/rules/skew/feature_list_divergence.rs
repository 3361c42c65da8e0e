use crate::finding::Severity;
use crate::project::index::{EntryRef, FileId, ProjectIndex};
use crate::project::summary::{Save, Training};
use crate::rule::{Check, ProjectSink};
use std::collections::BTreeSet;

crate::rule::rule! {
    code: "SKEW011",
    name: "feature-list-divergence",
    family: "skew",
    severity: Error,
    also: [Warning],
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
        let lists = serving_lists(index, entry);
        if lists.is_empty() {
            continue;
        }
        for (saver, save, training) in served_trainings(index, entry) {
            let Some(divergence) = diverging(index, entry, &lists, (saver, save, training)) else {
                continue;
            };
            if reported.insert((entry.file, divergence.name.to_string())) {
                report(index, sink, entry, &divergence);
            }
        }
    }
}

/// The lists of the serving file that the handler names and that are, in order, the columns
/// its model predicts on; for a positional row, any list it names.
fn serving_lists<'a>(index: &ProjectIndex<'a>, entry: EntryRef<'a>) -> Vec<&'a (String, Vec<String>)> {
    index.files[entry.file]
        .feature_lists
        .iter()
        .filter(|(name, list)| {
            entry.entry.constants.contains(name)
                && (*list == entry.entry.predict_columns || entry.entry.positional.is_some())
        })
        .collect()
}

/// The trainings of other files whose artifact the handler loads.
fn served_trainings<'a>(
    index: &ProjectIndex<'a>,
    entry: EntryRef<'a>,
) -> Vec<(FileId, &'a Save, &'a Training)> {
    let mut out = Vec::new();
    for &load in &entry.entry.loads {
        for (saver, save) in index.savers_of(entry.file, load) {
            if saver == entry.file || index.is_test(saver) {
                continue;
            }
            if let Some(training) = index.training_of(saver, save) {
                out.push((saver, save, training));
            }
        }
    }
    out
}

/// A serving list that differs from the training's list of the same model's columns.
struct Divergence<'a> {
    name: &'a str,
    list: &'a [String],
    saver: FileId,
    save: &'a Save,
    training: &'a Training,
    trained_name: &'a str,
    only_serving: Vec<&'a String>,
    only_training: Vec<&'a String>,
}

/// The serving list meant for the training's model (the one sharing most names with the
/// training's list) when it differs: in its names, or, for a positional row, only in order.
/// Lists sharing fewer than half of their names describe different things.
fn diverging<'a>(
    index: &ProjectIndex<'a>,
    entry: EntryRef<'a>,
    lists: &[&'a (String, Vec<String>)],
    (saver, save, training): (FileId, &'a Save, &'a Training),
) -> Option<Divergence<'a>> {
    let (trained_name, trained) = training_list(index, saver, training)?;
    let shared = |list: &[String]| list.iter().filter(|c| trained.contains(c)).count();
    let (name, list) = lists.iter().max_by_key(|(_, list)| shared(list))?;
    if list == trained || shared(list) * 2 < list.len().max(trained.len()) {
        return None;
    }
    let only_serving: Vec<&String> = list.iter().filter(|c| !trained.contains(c)).collect();
    let only_training: Vec<&String> = trained.iter().filter(|c| !list.contains(c)).collect();
    let same_set = only_serving.is_empty() && only_training.is_empty();
    // Names select the columns: the order of either list does not matter. A positional row
    // names no list's columns: only the same names in another order say the list is the
    // model's.
    if same_set == entry.entry.positional.is_none() {
        return None;
    }
    Some(Divergence {
        name,
        list,
        saver,
        save,
        training,
        trained_name,
        only_serving,
        only_training,
    })
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

fn report(index: &ProjectIndex, sink: &mut ProjectSink, entry: EntryRef, d: &Divergence) {
    let artifact = d
        .save
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
    if !d.only_training.is_empty() {
        differences.push(format!("only the training's has {}", quoted(&d.only_training)));
    }
    if !d.only_serving.is_empty() {
        differences.push(format!("only the serving one has {}", quoted(&d.only_serving)));
    }
    let (name, model, trained_name) = (d.name, &d.training.model, d.trained_name);
    let message = if differences.is_empty() {
        format!(
            "`{name}` ({} names) lists the features of the `{model}` saved to `{artifact}` in \
             another order than the training's `{trained_name}`, and the handler predicts on \
             a positional row",
            d.list.len(),
        )
    } else {
        format!(
            "`{name}` and the training's `{trained_name}` are two lists of the features of the \
             `{model}` saved to `{artifact}`, and they differ: {}",
            differences.join("; "),
        )
    };
    let serving = index.files[entry.file];
    let place = serving
        .feature_lists
        .iter()
        .position(|(n, _)| n == name)
        .and_then(|at| serving.feature_list_places.get(at).copied())
        .unwrap_or(entry.entry.place);
    let finding = sink
        .report(&RULE, entry.file, place, message)
        .help(
            "keep one feature list in a module both training and serving import, and build \
             the serving input with it",
        )
        .related(
            d.saver,
            d.training.place,
            format!("`{model}` is trained here on `{trained_name}`"),
        );
    if differences.is_empty() {
        finding.severity(Severity::Warning);
    }
}
