use crate::project::index::{FileId, ProjectIndex};
use crate::project::summary::{ProducedColumn, Save, Training};
use crate::rule::{Check, ProjectSink};
use std::collections::BTreeSet;

crate::rule::rule! {
    code: "SKEW004",
    name: "duplicated-feature-logic",
    family: "skew",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// A feature column of a saved model that the training file computes (`df["age"] = ...`)
/// and that a serving or batch file loading the model computes again with another
/// expression, neither through a function of a module both import. Expressions are
/// compared as text without whitespace, with one kind of quotes and the frame's name left
/// out; an assignment of a bare value (`df["age"] = req.age`) computes nothing and is left
/// alone. One finding per serving file and column, at its assignment.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut reported: BTreeSet<(FileId, String)> = BTreeSet::new();
    for join in served_trainings(index) {
        for column in &join.training.columns {
            let Some((trained, served)) = duplicated(index, &join, &column.name) else {
                continue;
            };
            if reported.insert((join.loader, column.name.clone())) {
                report(index, sink, &join, &column.name, (trained, served));
            }
        }
    }
}

/// A saved training and a serving or batch file (not its own) that loads its artifact.
struct Join<'a> {
    trainer: FileId,
    save: &'a Save,
    training: &'a Training,
    loader: FileId,
}

fn served_trainings<'a>(index: &ProjectIndex<'a>) -> Vec<Join<'a>> {
    let mut out = Vec::new();
    for (trainer, file) in index.files.iter().enumerate() {
        if file.test {
            continue;
        }
        for (s, save) in file.saves.iter().enumerate() {
            let Some(training) = index.training_of(trainer, save) else {
                continue;
            };
            out.extend(
                index
                    .loaders_of(trainer, s)
                    .into_iter()
                    .filter(|&(loader, _)| {
                        let serving = index.files[loader];
                        loader != trainer
                            && !serving.test
                            && !(serving.entries.is_empty() && serving.scoring.is_empty())
                    })
                    .map(|(loader, _)| Join {
                        trainer,
                        save,
                        training,
                        loader,
                    }),
            );
        }
    }
    out
}

/// The first training and the first serving assignment of `column` when both files compute
/// it, no two of their expressions are the same, and none uses shared code.
fn duplicated<'a>(
    index: &ProjectIndex<'a>,
    join: &Join,
    column: &str,
) -> Option<(&'a ProducedColumn, &'a ProducedColumn)> {
    let trained = computed(&index.files[join.trainer].produced_expressions, column);
    let served = computed(&index.files[join.loader].produced_expressions, column);
    let (first_trained, first_served) = (*trained.first()?, *served.first()?);
    let same = trained
        .iter()
        .any(|t| served.iter().any(|s| s.expression == t.expression));
    let shared = trained
        .iter()
        .chain(&served)
        .any(|p| uses_shared_code(index, p, join.trainer, join.loader));
    (!same && !shared).then_some((first_trained, first_served))
}

fn report(
    index: &ProjectIndex,
    sink: &mut ProjectSink,
    join: &Join,
    column: &str,
    (trained, served): (&ProducedColumn, &ProducedColumn),
) {
    let artifact = join
        .save
        .path
        .as_deref()
        .unwrap_or("the model artifact")
        .trim_start_matches("*/");
    let message = format!(
        "`{column}`, a feature of the `{}` saved to `{artifact}`, is computed here and again \
         in `{}` ({}): two implementations of one feature; share one",
        join.training.model,
        index.path(join.trainer),
        trained.place.describe(),
    );
    sink.report(&RULE, join.loader, served.place, message)
        .help(
            "move the computation into a function of a module that both the training and the \
             serving code import, and call it from both",
        )
        .related(
            join.trainer,
            trained.place,
            format!("`{column}` computed here for training"),
        )
        .related(
            join.trainer,
            join.training.place,
            format!("`{}` trained here", join.training.model),
        );
}

/// The assignments of `column` that compute something (not a bare value or a conversion).
fn computed<'a>(produced: &'a [ProducedColumn], column: &str) -> Vec<&'a ProducedColumn> {
    produced
        .iter()
        .filter(|p| p.name == column && !is_bare(&p.expression))
        .collect()
}

/// A name, an attribute, a subscript by a literal key or a literal, possibly converted
/// (`float(req.age)`, `data["age"]`, `0`): a value passed on, not feature logic.
fn is_bare(expression: &str) -> bool {
    let mut inner = expression;
    for conversion in ["float(", "int(", "str(", "bool("] {
        if let Some(rest) = inner.strip_prefix(conversion)
            && let Some(rest) = rest.strip_suffix(')')
        {
            inner = rest;
        }
    }
    let mut quoted = false;
    inner.chars().all(|c| {
        if c == '"' {
            quoted = !quoted;
            return true;
        }
        quoted || c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')
    })
}

/// Whether an assignment calls or names a function of a project module that both files
/// import: shared feature code.
fn uses_shared_code(
    index: &ProjectIndex,
    produced: &ProducedColumn,
    trainer: FileId,
    loader: FileId,
) -> bool {
    produced.imported.iter().any(|name| {
        index.module_file(name).is_some_and(|module| {
            let importers = index.importers(module);
            (module == trainer || importers.contains(&trainer))
                && (module == loader || importers.contains(&loader))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::is_bare;

    #[test]
    fn passing_a_value_on_is_no_feature_logic() {
        assert!(is_bare("req.age"));
        assert!(is_bare("float(data[\"age\"])"));
        assert!(is_bare("0"));
        assert!(is_bare("\"a b\""));
        assert!(!is_bare("2024-_[\"birth_year\"]"));
        assert!(!is_bare("_[\"a\"].map({\"m\":0})"));
    }
}
