use crate::finding::Severity;
use crate::project::index::{EntryRef, FileId, ProjectIndex};
use crate::project::summary::{Place, Save, Training};
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "SKEW007",
    name: "positional-feature-vector",
    family: "skew",
    severity: Warning,
    also: [Error],
    scope: Project,
    check: Check::Project(check),
    preview: false,
}

/// A serving handler that predicts on a positional row (`model.predict([[a, b, c]])`) with a
/// model it loads from an artifact the project trains on named columns (catalog §3.1, step
/// 6). An error when the row's length differs from the number of training columns; a
/// warning otherwise, which names the values out of the training's order when the row's
/// values are read through names that are training columns (at least two of them).
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    for entry in index.entries() {
        if entry.entry.positional.is_none() && entry.entry.values_row.is_none() {
            continue;
        }
        let Some(trainings) = trainings_served(index, entry) else {
            continue;
        };
        let Some(&(saver, save, training)) = trainings.first() else {
            continue;
        };
        if let Some(count) = entry.entry.positional {
            // Every training the artifact may come from was fitted on the same named columns.
            if training.columns.is_empty()
                || trainings
                    .iter()
                    .any(|(_, _, t)| !same_columns(t, training) || t.open != training.open)
            {
                continue;
            }
            report(sink, entry, count, (saver, save, training));
        } else if let Some(mapping) = &entry.entry.values_row {
            report_values(sink, entry, mapping, (saver, save, training));
        }
    }
}

/// The trainings whose saves the handler's one loaded artifact reads (not in test modules),
/// each once. None when the handler loads several models: which one the row goes to cannot
/// be told.
fn trainings_served<'a>(
    index: &ProjectIndex<'a>,
    entry: EntryRef<'a>,
) -> Option<Vec<(FileId, &'a Save, &'a Training)>> {
    let [load] = entry.entry.loads.as_slice() else {
        return None;
    };
    let mut trainings: Vec<(FileId, &Save, &Training)> = Vec::new();
    for (saver, save) in index.savers_of(entry.file, *load) {
        if index.is_test(saver) {
            continue;
        }
        let Some(training) = index.training_of(saver, save) else {
            continue;
        };
        if !trainings
            .iter()
            .any(|(f, _, t)| *f == saver && t.place == training.place)
        {
            trainings.push((saver, save, training));
        }
    }
    Some(trainings)
}

/// A handler that predicts on the values of a request's mapping, in the order the client
/// sent them (`[float(v) for v in request.form.values()]`): the HTML form's field order or
/// the JSON's key order decides which value is which feature.
fn report_values(
    sink: &mut ProjectSink,
    entry: EntryRef,
    mapping: &str,
    (saver, save, training): (FileId, &Save, &Training),
) {
    let artifact = artifact_name(save);
    let handler = &entry.entry.name;
    let message = format!(
        "the serving handler `{handler}` predicts with the `{}` saved to `{artifact}` on the \
         values of `{mapping}` in the order the request lists them: the model was trained on \
         {} in a fixed order, and nothing ties the request's order (the form's fields, the \
         JSON's keys) to it",
        training.model,
        trained_on(training),
    );
    let place = predicted_at(entry);
    sink.report(&RULE, entry.file, place, message)
        .help(
            "read each feature by name in the training's order (`[float(data[name]) for name \
             in FEATURES]`, with `FEATURES` imported from the training code), or build a frame \
             and select the training's feature list",
        )
        .related(saver, training.place, trained_here(training));
}

fn same_columns(a: &Training, b: &Training) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().zip(&b.columns).all(|(x, y)| x.name == y.name)
}

fn report(
    sink: &mut ProjectSink,
    entry: EntryRef,
    count: usize,
    (saver, save, training): (FileId, &Save, &Training),
) {
    let artifact = artifact_name(save);
    let columns = &training.columns;
    let handler = &entry.entry.name;
    let differ = !training.open && columns.len() != count;
    let swapped = if training.open {
        Vec::new()
    } else {
        misplaced(&entry.entry.positional_names, training)
    };
    let values = if count == 1 { "value" } else { "values" };
    let message = if differ {
        format!(
            "the serving handler `{handler}` predicts on a positional row of {count} {values} \
             with the `{}` saved to `{artifact}`, which was trained on {} named columns: \
             nothing says which value is which feature",
            training.model,
            columns.len(),
        )
    } else if !swapped.is_empty() {
        format!(
            "the serving handler `{handler}` builds its positional row for the `{}` saved to \
             `{artifact}` in another order than the training's columns: {}",
            training.model,
            swapped.join("; "),
        )
    } else if !training.open && in_order(&entry.entry.positional_names, training) {
        format!(
            "the serving handler `{handler}` predicts on a positional row of {count} {values} \
             with the `{}` saved to `{artifact}`: its values are in the order of the training's \
             named columns ({}) today, but nothing checks that they stay so",
            training.model,
            list(training),
        )
    } else {
        format!(
            "the serving handler `{handler}` predicts on a positional row of {count} {values} \
             with the `{}` saved to `{artifact}`, which was trained on {}: nothing checks \
             that the values come in the training's order",
            training.model,
            trained_on(training),
        )
    };
    let place = predicted_at(entry);
    let finding = sink
        .report(&RULE, entry.file, place, message)
        .help(
            "build a named frame from the request and select the training's feature list \
             (`pd.DataFrame([payload])[FEATURES]`, with `FEATURES` imported from the training \
             code), so the order is the training's by construction",
        )
        .related(saver, training.place, trained_here(training));
    if differ {
        finding.severity(Severity::Error);
    }
}

/// The artifact as messages name it.
fn artifact_name(save: &Save) -> &str {
    save.path
        .as_deref()
        .unwrap_or("the model artifact")
        .trim_start_matches("*/")
}

/// Where the handler predicts (its definition when the call cannot be placed).
fn predicted_at(entry: EntryRef) -> Place {
    entry
        .entry
        .predicts
        .first()
        .copied()
        .unwrap_or(entry.entry.place)
}

/// The related place's message at the training.
fn trained_here(training: &Training) -> String {
    format!("`{}` is trained here on {}", training.model, trained_on(training))
}

/// What the model was trained on, for messages: its columns (the first eight), or the
/// frame when more columns than those known may be in it (read from a file).
fn trained_on(training: &Training) -> String {
    if training.columns.is_empty() {
        format!("the columns of `{}`", training.x_text)
    } else if training.open {
        format!("the named columns of `{}`", training.x_text)
    } else {
        format!("named columns ({})", list(training))
    }
}

/// The training's columns as a list for messages (the first eight).
fn list(training: &Training) -> String {
    let mut names: Vec<String> = training
        .columns
        .iter()
        .take(8)
        .map(|c| format!("`{}`", c.name))
        .collect();
    if training.columns.len() > 8 {
        names.push(format!("and {} more", training.columns.len() - 8));
    }
    names.join(", ")
}

/// The values of a row whose names are training columns at another position, when the row
/// has the training's length and at least two of its values are known columns out of the
/// training's relative order: "`writing_score` is at position 3 but the model was trained
/// with it at position 4". Empty when the order cannot be told or is the training's.
fn misplaced(names: &[Option<String>], training: &Training) -> Vec<String> {
    let columns: Vec<&str> = training.columns.iter().map(|c| c.name.as_str()).collect();
    if names.len() != columns.len() {
        return Vec::new();
    }
    let known: Vec<(usize, usize, &str)> = names
        .iter()
        .enumerate()
        .filter_map(|(at, name)| {
            let name = name.as_deref()?;
            Some((at, column_of(name, &columns)?, name))
        })
        .collect();
    if known.len() < 2 {
        return Vec::new();
    }
    // Two values read as one column: the names say nothing certain.
    let mut targets: Vec<usize> = known.iter().map(|&(_, c, _)| c).collect();
    targets.sort_unstable();
    targets.dedup();
    if targets.len() != known.len() {
        return Vec::new();
    }
    let inverted = known
        .windows(2)
        .any(|pair| pair[0].1 > pair[1].1);
    if !inverted {
        return Vec::new();
    }
    known
        .iter()
        .filter(|&&(at, column, _)| at != column)
        .map(|&(at, column, name)| {
            let shown = if name == columns[column] {
                format!("`{name}`")
            } else {
                format!("`{name}` (the training's `{}`)", columns[column])
            };
            format!(
                "{shown} is at position {} but the model was trained with it at position {}",
                at + 1,
                column + 1
            )
        })
        .collect()
}

/// Whether every value of the row is read through the name of the training column at its
/// position.
fn in_order(names: &[Option<String>], training: &Training) -> bool {
    let columns: Vec<&str> = training.columns.iter().map(|c| c.name.as_str()).collect();
    names.len() == columns.len()
        && names
            .iter()
            .enumerate()
            .all(|(at, name)| name.as_deref().and_then(|n| column_of(n, &columns)) == Some(at))
}

/// The training column a value's name stands for: the column of that name (ignoring case,
/// spaces and dashes), or, for a one-hot flag built by hand (`is_male`), the one dummy
/// column of a one-hot group that ends in its level (`sex_male` beside `sex_female`).
fn column_of(name: &str, columns: &[&str]) -> Option<usize> {
    let name = normalize(name);
    let normalized: Vec<String> = columns.iter().map(|c| normalize(c)).collect();
    let exact: Vec<usize> = (0..columns.len()).filter(|&i| normalized[i] == name).collect();
    if let [only] = exact.as_slice() {
        return Some(*only);
    }
    if !exact.is_empty() {
        return None;
    }
    let level = name
        .strip_prefix("is_")
        .or_else(|| name.strip_prefix("has_"))?;
    if level.is_empty() {
        return None;
    }
    let suffix = format!("_{level}");
    let dummies: Vec<usize> = (0..columns.len())
        .filter(|&i| normalized[i].len() > suffix.len() && normalized[i].ends_with(&suffix))
        .collect();
    let [only] = dummies.as_slice() else {
        return None;
    };
    // The column belongs to a one-hot group: another column shares its prefix.
    let prefix = &normalized[*only][..normalized[*only].len() - suffix.len() + 1];
    let group = normalized.iter().filter(|c| c.starts_with(prefix)).count();
    (group >= 2).then_some(*only)
}

/// Lower case, with runs of anything but letters and digits written `_`.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::summary::TrainColumn;

    fn training(columns: &[&str]) -> Training {
        Training {
            columns: columns
                .iter()
                .map(|c| TrainColumn {
                    name: c.to_string(),
                    ..TrainColumn::default()
                })
                .collect(),
            ..Training::default()
        }
    }

    fn names(names: &[Option<&str>]) -> Vec<Option<String>> {
        names.iter().map(|n| n.map(str::to_string)).collect()
    }

    #[test]
    fn swapped_scores_are_named_with_their_positions() {
        let t = training(&["gender", "lunch", "reading_score", "writing_score"]);
        let found = misplaced(
            &names(&[Some("gender"), None, Some("writing_score"), Some("reading score")]),
            &t,
        );
        assert_eq!(
            found,
            [
                "`writing_score` is at position 3 but the model was trained with it at position 4",
                "`reading score` (the training's `reading_score`) is at position 4 but the model was trained with it at position 3",
            ]
        );
    }

    #[test]
    fn hand_made_dummies_map_to_their_one_hot_columns() {
        let t = training(&["age", "sex_female", "sex_male"]);
        let found = misplaced(&names(&[Some("age"), Some("is_male"), Some("is_female")]), &t);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("`is_male` (the training's `sex_male`) is at position 2"));
    }

    #[test]
    fn unknown_or_single_names_say_nothing() {
        let t = training(&["a", "b", "c"]);
        assert!(misplaced(&names(&[Some("b"), None, None]), &t).is_empty());
        assert!(misplaced(&names(&[Some("x"), Some("y"), Some("a")]), &t).is_empty());
        assert!(misplaced(&names(&[Some("a"), Some("x"), Some("c")]), &t).is_empty());
        // A flag that is no dummy of a group.
        let t = training(&["age", "is_male", "income"]);
        assert!(misplaced(&names(&[Some("income"), Some("is_male"), Some("age")]), &t).len() == 2);
        let t = training(&["age", "sex_male", "income"]);
        assert!(misplaced(&names(&[Some("is_male"), Some("age"), None]), &t).is_empty());
    }
}
