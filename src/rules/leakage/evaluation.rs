//! What train-test-overlap, test-set-reuse and preprocessing-outside-cv ask of a file: which
//! held-out parts and which scores a value derives from, which splits are validation splits
//! by name, and whether two values hold the same rows. Each table is one forward pass over
//! the value arena (a value's inputs are older than it), so it is linear in the file.

use crate::finding::Span;
use crate::model::{Event, FileModel, Kind, Role, SplitId, UNKNOWN, ValueId, rows};
use crate::rule::Context;
use std::collections::{HashMap, HashSet};

/// A small sorted set of ids (splits, events), capped so a pathological file stays linear.
pub(super) type Ids<I = usize> = Vec<I>;

pub(super) use crate::model::merge_capped as merge;

/// For each value, the splits whose part of `role` it holds rows of. Cross-validation folds
/// count only when `folds` is set: a fold's held-out part is validation data by design.
pub(super) fn parts_of(model: &FileModel, role: Role, folds: bool) -> Vec<Ids<SplitId>> {
    let mut out: Vec<Ids<SplitId>> = vec![Vec::new(); model.values.len()];
    for id in model.value_ids() {
        let value = model.value(id);
        let mut ids = Vec::new();
        // A part of a split of mixed rows (train and test glued together, then filtered
        // apart again) holds some of them, and which ones is unknown.
        let mixed = |input: ValueId| {
            (model.rows(input) & (rows::TRAIN | rows::VALID | rows::TEST)).count_ones() > 1
        };
        let part = matches!(value.kind, Kind::SplitPart { .. });
        // The validation part of a split of a held-out part holds none of the rows of the
        // test part beside it: the two are disjoint, whatever the parent part was.
        let carved = matches!(
            value.kind,
            Kind::SplitPart {
                role: Role::Valid,
                ..
            }
        ) && role == Role::Test;
        for &input in &value.inputs {
            if !(part && (mixed(input) || carved)) {
                merge(&mut ids, &out[input.index()]);
            }
        }
        if let Kind::SplitPart { role: r, split } = value.kind
            && r == role
            && (folds || model.splits.get(split.index()).is_some_and(|s| !s.folds))
        {
            merge(&mut ids, &[split]);
        }
        out[id.index()] = ids;
    }
    out
}

/// For each value, the score events it derives from: `Metric` events (what the metric
/// returned) and the `score`/`evaluate` of an estimator. What a selection chose (an index, a
/// setting) is not a score, and neither is what is computed from it.
pub(super) fn scores_of(model: &FileModel) -> Vec<Ids> {
    let chosen: HashSet<ValueId> = model
        .choices
        .selections
        .iter()
        .flat_map(|s| s.chosen.iter().copied())
        .collect();
    let mut out: Vec<Ids> = vec![Vec::new(); model.values.len()];
    for (index, event) in model.events.iter().enumerate() {
        if let Some(result) = score_result(event)
            && result != UNKNOWN
        {
            merge(&mut out[result.index()], &[index]);
        }
    }
    for id in model.value_ids() {
        if chosen.contains(&id) {
            out[id.index()].clear();
            continue;
        }
        let mut ids = std::mem::take(&mut out[id.index()]);
        for &input in &model.value(id).inputs {
            merge(&mut ids, &out[input.index()]);
        }
        out[id.index()] = ids;
    }
    out
}

/// For each value, the selections whose choice it derives from (what a selection chose, and
/// everything computed from it: the winner's predictions, `scores[best]`, a cut-off applied);
/// and whether it is read after it was made (some other value is made from it, or a bare
/// expression statement shows it).
pub(super) fn chosen_by(model: &FileModel) -> (Vec<Ids>, Vec<bool>) {
    let mut chosen_by: Vec<Ids> = vec![Vec::new(); model.values.len()];
    for (index, selection) in model.choices.selections.iter().enumerate() {
        for &chosen in &selection.chosen {
            if chosen != UNKNOWN {
                merge(&mut chosen_by[chosen.index()], &[index]);
            }
        }
    }
    let mut consumed = vec![false; model.values.len()];
    for id in model.value_ids() {
        let mut ids = std::mem::take(&mut chosen_by[id.index()]);
        for &input in &model.value(id).inputs {
            merge(&mut ids, &chosen_by[input.index()]);
            consumed[input.index()] = true;
        }
        chosen_by[id.index()] = ids;
    }
    for &shown in &model.choices.displayed {
        if let Some(read) = consumed.get_mut(shown.index()) {
            *read = true;
        }
    }
    (chosen_by, consumed)
}

/// Whether `span` lies in a test function (`def test_...` in a module that imports pytest or
/// unittest): scores there are asserted, not reported, and fitting and scoring the same rows is
/// how such tests check an estimator. (Elsewhere `def test_model(model, X_test)` is more often
/// the evaluation itself.)
pub(super) fn in_test_function(model: &FileModel, span: Span) -> bool {
    let testing = model
        .imports
        .iter()
        .any(|(_, q)| q.starts_with("pytest") || q.starts_with("unittest"));
    testing
        && model.functions.iter().any(|(name, at)| {
            (name.starts_with("test") || name.starts_with("_test"))
                && at.start <= span.start
                && span.end <= at.end
        })
}

/// Whether the file is a test module (see [`crate::source::is_test_module`]).
pub(super) fn is_test_module(ctx: &Context) -> bool {
    ctx.file.is_test_module()
}

/// Whether a finding at `span` is to be reported: not in a test function, not reported yet.
pub(super) fn first_report(model: &FileModel, reported: &mut HashSet<Span>, span: Span) -> bool {
    !in_test_function(model, span) && reported.insert(span)
}

/// What a score event returned.
pub(super) fn score_result(event: &Event) -> Option<ValueId> {
    match event {
        Event::Metric { output, .. } => Some(*output),
        Event::Predict { method, output, .. } if method.is_scoring() => Some(*output),
        _ => None,
    }
}

/// The data a score or prediction event looked at: a metric's arguments, a prediction's
/// input and truth.
pub(super) fn event_data(event: &Event) -> Vec<ValueId> {
    match event {
        Event::Metric { args, .. } => args.clone(),
        Event::Predict { input, truth, .. } => std::iter::once(*input).chain(*truth).collect(),
        _ => Vec::new(),
    }
}

/// Whether a metric is a curve over thresholds (`roc_curve`, `precision_recall_curve`).
pub(super) fn is_curve(event: &Event) -> bool {
    matches!(event, Event::Metric { function, .. } if function.ends_with("_curve"))
}

/// Whether a name says validation data: `X_val`, `valid_df`, `dvalid`, `X_dev`, `x_validate`,
/// `cv_x` (a Kaggle "CV" holdout beside the leaderboard's test set).
pub(super) fn is_validation_name(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|token| {
            if token == "eval" {
                return false;
            }
            let core = match token.len() {
                // `xval`, `dvalid`, `yvalid`: one letter for the array, then the word.
                4.. if !token.starts_with("val") && !token.starts_with("dev") => &token[1..],
                _ => token,
            };
            matches!(
                core,
                "val" | "valid" | "validate" | "validation" | "dev" | "va" | "vl"
            ) || token == "cv"
        })
}

/// The splits whose held-out part is named as validation data, and the replays of those
/// splits at calls of the function that made them.
pub(super) fn validation_splits(model: &FileModel) -> HashSet<SplitId> {
    let mut found = HashSet::new();
    // A split made inside an optimiser's objective is that objective's tuning holdout,
    // unless a split outside it cuts the same data with the same seed: then its rows are the
    // test part the code reports on.
    let fold = |text: &str| text.split_whitespace().collect::<String>();
    let cut = |split: &crate::model::Split, id: usize| match (&split.data_text, &split.seed) {
        (Some(data), Some(seed)) => format!("{}\u{0}{}", fold(data), fold(seed)),
        // Unseeded: no two calls cut the same rows.
        _ => format!("\u{0}{id}"),
    };
    let inside = |span: Span| {
        model
            .choices
            .objectives
            .iter()
            .any(|o| o.start <= span.start && span.end <= o.end)
    };
    let home_span = |split: &crate::model::Split| {
        model
            .replay_of(split.event)
            .and_then(|(_, original)| match model.events.get(original) {
                Some(Event::Split { span, .. }) => Some(*span),
                _ => None,
            })
            .unwrap_or(split.span)
    };
    let outside: HashSet<String> = model
        .splits
        .iter()
        .enumerate()
        .filter(|(_, split)| !inside(home_span(split)))
        .map(|(id, split)| cut(split, id))
        .collect();
    for (id, split) in model.splits.iter().enumerate() {
        if inside(home_span(split)) && !outside.contains(&cut(split, id)) {
            found.insert(SplitId::new(id));
        }
    }
    for (id, value) in model.values_with_ids() {
        if let Kind::SplitPart {
            role: Role::Test,
            split,
        } = value.kind
            && model.names_of(id).iter().any(|n| is_validation_name(n))
        {
            found.insert(split);
        }
    }
    for (id, split) in model.splits.iter().enumerate() {
        if let Some((_, original)) = model.replay_of(split.event)
            && let Some(Event::Split { id: from, .. }) = model.events.get(original)
            && found.contains(from)
        {
            found.insert(SplitId::new(id));
        }
    }
    found
}

/// Replayed events by (call site, the body event they repeat).
pub(super) fn replays(model: &FileModel) -> HashMap<(Span, usize), usize> {
    (0..model.events.len())
        .filter_map(|i| model.replay_of(i).map(|(at, original)| ((at, original), i)))
        .collect()
}

/// The source text of a value's span.
pub(super) fn text<'a>(ctx: &'a Context, id: ValueId) -> &'a str {
    let span = ctx.model.value(id).span;
    ctx.file.text.get(span.start..span.end).unwrap_or("")
}

/// Whether two values hold the same rows: the same value, or made the same way from the same
/// values (`df[FEATS]` or `oof.reshape(-1, 1)` written twice, with no rebinding in between;
/// each literal written is a value of its own, so literals are left out of the comparison).
pub(super) fn same_rows(ctx: &Context, a: ValueId, b: ValueId) -> bool {
    if a == b {
        return a != UNKNOWN;
    }
    let model = ctx.model;
    let (va, vb) = (model.value(a), model.value(b));
    let plain = |k: &Kind| matches!(k, Kind::Unknown | Kind::Column { .. });
    let made_from = |inputs: &[ValueId]| -> Vec<ValueId> {
        inputs
            .iter()
            .copied()
            .filter(|&i| {
                !matches!(
                    model.value(i).kind,
                    Kind::Number(_) | Kind::Str(_) | Kind::NoneLiteral
                )
            })
            .collect()
    };
    let from = made_from(&va.inputs);
    plain(&va.kind) && plain(&vb.kind) && !from.is_empty() && from == made_from(&vb.inputs) && {
        let (ta, tb) = (text(ctx, a), text(ctx, b));
        !ta.is_empty() && ta == tb
    }
}

/// The first name of a value, in backticks, or the fallback.
pub(super) fn name_or(model: &FileModel, id: ValueId, fallback: &str) -> String {
    model
        .names_of(id)
        .first()
        .map_or_else(|| fallback.to_string(), |n| n.to_string())
}

/// What to call an estimator in a message: its variable, or its class.
pub(super) fn estimator_name(model: &FileModel, id: ValueId) -> String {
    let class = model
        .estimator(id)
        .map_or("the model", |e| e.short_name())
        .to_string();
    name_or(model, id, &class)
}

/// Which rows a value holds, restricted to the partition bits.
pub(super) fn parts(model: &FileModel, id: ValueId) -> u8 {
    model.rows(id) & rows::PARTS
}

/// The span to report an event of a function body at: the body's own event when `index` was
/// replayed at a call (the problem is in the body; the call only supplied the data).
pub(super) fn home(model: &FileModel, index: usize) -> usize {
    model
        .replay_of(index)
        .map_or(index, |(_, original)| original)
}

/// The span of an event this family reports at (fits, transforms, predictions, metrics,
/// cross-validations, splits, comparisons); other events have no span of interest here.
pub(super) fn event_span(event: &Event) -> Span {
    match event {
        Event::Fit { span, .. }
        | Event::Transform { span, .. }
        | Event::Predict { span, .. }
        | Event::Metric { span, .. }
        | Event::CrossVal { span, .. }
        | Event::Split { span, .. }
        | Event::Compare { span, .. } => *span,
        _ => Span::default(),
    }
}

/// The name of a test part of `split`, for messages: one of its held-out parts' names (the
/// features first), or the name in the function whose call replayed it.
pub(super) fn held_out_name(model: &FileModel, split: SplitId) -> Option<String> {
    let mut best: Option<String> = None;
    for (id, value) in model.values_with_ids() {
        if let Kind::SplitPart { role, split: s } = value.kind
            && s == split
            && role != Role::Train
            && let Some(name) = model.names_of(id).first()
        {
            best = Some(name.to_string());
            break;
        }
    }
    best.or_else(|| {
        let event = model.splits.get(split.index())?.event;
        let (_, original) = model.replay_of(event)?;
        match model.events.get(original)? {
            Event::Split { id, .. } if *id != split => held_out_name(model, *id),
            _ => None,
        }
    })
}

/// "`train_test_split` (line 12)": a split for messages.
pub(super) fn describe_split(ctx: &Context, split: SplitId) -> String {
    let Some(info) = ctx.model.splits.get(split.index()) else {
        return "the split".to_string();
    };
    let function = info.function.rsplit('.').next().unwrap_or(&info.function);
    let function = match info.function.as_str() {
        "mask" => "a filter".to_string(),
        "slice" => "a slice".to_string(),
        _ if info.folds => format!(
            "the folds of `{}`",
            info.function
                .trim_end_matches(".split")
                .rsplit('.')
                .next()
                .unwrap_or(function)
        ),
        _ => format!("`{function}`"),
    };
    format!("{function} ({})", ctx.describe(info.span))
}

#[cfg(test)]
mod tests {
    use super::is_validation_name;

    #[test]
    fn validation_names() {
        for name in [
            "X_val",
            "valid_df",
            "dvalid",
            "X_dev",
            "x_validate",
            "cv_x",
            "xgb_cv",
        ] {
            assert!(is_validation_name(name), "{name}");
        }
        for name in ["X_test", "eval_set", "cvs", "X_train", "preds", "scv"] {
            assert!(!is_validation_name(name), "{name}");
        }
    }
}
