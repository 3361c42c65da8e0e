use super::helpers::{
    Label, SupervisedFit, frame_root, labels, supervised_fits,
};
use crate::model::{Column, FileModel, Kind, Selection, Tag};
use crate::rule::{Check, Context, Sink};
use std::collections::HashSet;

crate::rule::rule! {
    code: "LEAK004",
    name: "target-in-features",
    family: "leakage",
    severity: Error,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// At each supervised fit, the label columns are those of `y`; a column of `x` that is a label
/// column, or whose raw columns include one (not through a positive shift, which the lineage
/// already cuts), is the label in the features. Target encodings (group statistics of the
/// label) are LEAK005's.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let mut reported: HashSet<usize> = HashSet::new();
    for fit in supervised_fits(model) {
        let index = fit.event;
        let original = model.replay_of(index).map_or(index, |(_, body)| body);
        if reported.contains(&original) {
            continue;
        }
        let labels = labels(model, fit.y);
        let Some(leak) = find_leak(model, &fit, &labels) else {
            continue;
        };
        reported.insert(original);
        report(ctx, sink, &fit, &leak);
    }
}

/// A label column found in the features.
struct Leak<'m> {
    label: Label,
    /// The label's own column, when `label` is the raw column it was computed from.
    computed: Option<Label>,
    /// The feature column computed from the label (None: the label column itself).
    column: Option<&'m Column>,
}

fn find_leak<'m>(model: &'m FileModel, fit: &SupervisedFit, labels: &[Label]) -> Option<Leak<'m>> {
    // A pipeline that starts with a column transformer dropping the remainder sees only the
    // columns it names.
    let selected = match model.column_selection(fit.estimator) {
        Selection::All => None,
        Selection::Only(names) => Some(names),
        Selection::Unknown => return None,
    };
    let passes = |name: &str| selected.is_none_or(|names| names.iter().any(|n| n == name));
    let Some(columns) = model.columns(fit.x) else {
        selected.is_none().then_some(())?;
        // One column read from a frame (`data["X"]` beside the label `data["y"]`) holds that
        // column only.
        if model.column_name(fit.x).is_some() {
            return None;
        }
        // A parameter used as a frame: all of its columns, none dropped.
        let root = frame_root(model, fit.x)?;
        let label = labels.iter().find(|l| l.root == Some(root))?;
        matches!(model.value(root).kind, Kind::Param { .. }).then_some(())?;
        return Some(Leak {
            label: label.clone(),
            computed: None,
            column: None,
        });
    };
    let direct = labels.iter().find(|l| l.direct).cloned();
    let computed_from = |label: &Label| (!label.direct).then(|| direct.clone()).flatten();
    for label in labels.iter().filter(|l| passes(&l.name)) {
        let named = selected.is_some() || columns.known.iter().any(|c| c.name == label.name);
        let unnamed = columns.open
            && !columns.dropped.contains(&label.name)
            && label.root.is_some_and(|root| root == columns.root);
        if named || unnamed {
            return Some(Leak {
                label: label.clone(),
                computed: computed_from(label),
                column: None,
            });
        }
    }
    for column in columns.known.iter().filter(|c| passes(&c.name)) {
        if labels.iter().any(|l| l.name == column.name) {
            continue;
        }
        let Some(label) = labels
            .iter()
            .find(|l| column.bases.iter().any(|b| **b == *l.name))
        else {
            continue;
        };
        // A group statistic of the label is a target encoding: LEAK005.
        let encoded = column.facts.iter().any(|&f| {
            let fact = model.fact(f);
            fact.tag == Tag::Agg
                && !fact.keys.is_empty()
                && fact.column.as_deref() == Some(label.name.as_str())
        });
        if encoded {
            continue;
        }
        return Some(Leak {
            label: label.clone(),
            computed: computed_from(label),
            column: Some(column),
        });
    }
    None
}

fn report(ctx: &Context, sink: &mut Sink, fit: &SupervisedFit, leak: &Leak) {
    let model = ctx.model;
    let estimator = model
        .estimator(fit.estimator)
        .map_or("the model", |e| e.short_name());
    let x = match fit.x_text {
        Some(text) => text.to_string(),
        None => ctx.snippet(model.value(fit.x).span),
    };
    let label = &leak.label.name;
    let what = match &leak.computed {
        Some(own) => format!("`{label}`, the column the label `{}` is computed from", own.name),
        None => format!("the label `{label}`"),
    };
    let message = match leak.column {
        None => format!(
            "`{estimator}` is fitted on `{x}`, which still holds {what}: the model is given the \
             answer it should predict"
        ),
        Some(column) => {
            let at = column
                .span
                .map(|span| format!(" ({})", ctx.describe(span)))
                .unwrap_or_default();
            format!(
                "`{estimator}` is fitted on `{x}`, whose column `{}` is computed from {what}{at}: \
                 the model is given the answer it should predict",
                column.name
            )
        }
    };
    let dropped = leak.column.map_or(label.as_str(), |c| c.name.as_str());
    let finding = sink
        .report(&RULE, fit.span, message)
        .help(format!(
            "drop `{dropped}` from the features, with every column computed from the label"
        ))
        .related(model.value(leak.label.read).span, "the label is taken from here");
    if let Some(span) = leak.column.and_then(|c| c.span) {
        finding.related(span, "computed from the label here");
    }
}
