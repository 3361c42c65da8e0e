use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{Estimator, Event, FileModel, Kind, Role, ScopeId, UNKNOWN, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "LEAK001",
    name: "preprocessing-before-split",
    family: "leakage",
    severity: Error,
    scope: File,
    check: Check::File(check),
}

/// A stateful transformer (or a composite of them) fitted on data that is not a split part,
/// where a split of that data (or of the transformer's output) feeds a model that is fitted on
/// the train part and evaluated on a test part carrying the transformer's statistics: the model
/// pair of Yang et al. 2022. The split may come after the fit, or before it when the fitted
/// transformer is then applied to the test part.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let mut facts: Option<FileFacts> = None;
    for (index, event) in model.events.iter().enumerate() {
        let Event::Fit {
            estimator,
            x: Some(x),
            output,
            method,
            x_text,
            span,
            scope,
            ..
        } = event
        else {
            continue;
        };
        let Some(category) = model
            .estimator(*estimator)
            .and_then(|e| learned_category(e, method))
        else {
            continue;
        };
        if *x == UNKNOWN || model.derives_from_split(*x) {
            continue;
        }
        // Target encoders fitted on all rows are LEAK005's, whose message names the label.
        if model
            .estimator(*estimator)
            .is_some_and(|e| crate::ml::is_target_encoder(&e.class))
        {
            continue;
        }
        let fit = FitSite {
            index,
            transformer: *estimator,
            x: *x,
            output: *output,
            scope: *scope,
        };
        let facts = facts.get_or_insert_with(|| FileFacts::new(model));
        let Some(leak) = find_leak(model, facts, &fit) else {
            continue;
        };
        // A leak made entirely inside one call of a function defined in the file was found
        // in the function's body already.
        let calls: Vec<Option<Span>> = [index, leak.split_event, leak.evaluation_event]
            .iter()
            .map(|&e| model.replay_of(e).map(|(call, _)| call))
            .collect();
        if calls[0].is_some() && calls.iter().all(|c| *c == calls[0]) {
            continue;
        }
        let severity = match category {
            Category::SupervisedTransformer => Severity::Error,
            _ => Severity::Warning,
        };
        let name = model
            .estimator(*estimator)
            .map_or("", Estimator::short_name)
            .to_string();
        let split = format!(
            "`{}` ({})",
            leak.split_function,
            ctx.describe(leak.split_span)
        );
        let message = if leak.split_before_fit {
            format!(
                "`{name}` is fitted on all rows of `{x_text}`, test rows included, after {split} \
                 split them, and then transforms the test part: the test rows' statistics leak \
                 into training and the evaluation is optimistic"
            )
        } else {
            format!(
                "`{name}` is fitted on `{x_text}` before {split} splits it into train and test: \
                 the test rows' statistics leak into training and the evaluation is optimistic"
            )
        };
        sink.report(&RULE, *span, message)
            .severity(severity)
            .help(format!(
                "split first and fit `{name}` on the training part only, or put it in a \
                 Pipeline with the model"
            ))
            .related(leak.split_span, "split here")
            .related(leak.evaluation_span, "evaluated on the test part here");
    }
}

/// What a fit learns from the rows it sees, when that is more than the set of values present:
/// the class's category for a transformer; for a composite fitted as a transformer, the
/// category of its stateful steps.
fn learned_category(estimator: &Estimator, method: &str) -> Option<Category> {
    let as_transformer = matches!(method, "fit" | "fit_transform");
    let category = match estimator.category {
        Category::Composite if as_transformer => estimator.stateful_steps?,
        category => category,
    };
    category.learns_row_statistics().then_some(category)
}

struct FitSite {
    index: usize,
    transformer: ValueId,
    x: ValueId,
    output: Option<ValueId>,
    scope: ScopeId,
}

struct Leak {
    split_event: usize,
    evaluation_event: usize,
    split_span: Span,
    split_function: String,
    evaluation_span: Span,
    split_before_fit: bool,
}

/// Split ids a value derives from (through the parts of those splits), few and sorted.
type Splits = Vec<usize>;

/// Adds `more` to the sorted set `into`; sets stay small (a value rarely mixes the parts of
/// many splits), and are capped so a pathological file stays linear.
fn merge(into: &mut Splits, more: &[usize]) {
    for &split in more {
        if into.len() >= 8 {
            return;
        }
        if let Err(at) = into.binary_search(&split) {
            into.insert(at, split);
        }
    }
}

/// What the rule needs about the whole file, computed once.
struct FileFacts {
    /// For each value, the splits whose train part it derives from.
    train_of: Vec<Splits>,
    /// For each split id, the index of its event.
    split_events: HashMap<usize, usize>,
    /// For each estimator, the events that fit it: (event index, x).
    fits: HashMap<ValueId, Vec<(usize, ValueId)>>,
}

impl FileFacts {
    fn new(model: &FileModel) -> Self {
        let mut train_of: Vec<Splits> = vec![Vec::new(); model.values.len()];
        for id in 0..model.values.len() {
            let value = model.value(id);
            let mut splits = Vec::new();
            for &input in &value.inputs {
                merge(&mut splits, &train_of[input]);
            }
            if let Kind::SplitPart {
                role: Role::Train,
                split,
            } = value.kind
            {
                merge(&mut splits, &[split]);
            }
            train_of[id] = splits;
        }
        let mut split_events = HashMap::new();
        let mut fits: HashMap<ValueId, Vec<(usize, ValueId)>> = HashMap::new();
        for (index, event) in model.events.iter().enumerate() {
            match event {
                Event::Split { id, .. } => {
                    split_events.insert(*id, index);
                }
                Event::Fit {
                    estimator,
                    x: Some(x),
                    ..
                } => fits.entry(*estimator).or_default().push((index, *x)),
                _ => {}
            }
        }
        FileFacts {
            train_of,
            split_events,
            fits,
        }
    }

    /// Whether `estimator` was fitted, before event `before`, on the train part of `split`.
    fn trained_on(&self, estimator: ValueId, split: usize, before: usize) -> bool {
        self.fits.get(&estimator).is_some_and(|fits| {
            fits.iter()
                .any(|&(index, x)| index < before && self.train_of[x].binary_search(&split).is_ok())
        })
    }
}

/// Follows the fit forward: the test parts of a split that carry the fit's statistics (parts
/// of its output split after the fit, or parts of its data, split before or after the fit,
/// that the transformer then transforms), then a prediction on them by a model fitted on the
/// train part of the same split.
fn find_leak(model: &FileModel, facts: &FileFacts, fit: &FitSite) -> Option<Leak> {
    let events = &model.events;
    let later = &events[fit.index + 1..];
    // Until the transformer is fitted again, what it outputs carries this fit's statistics.
    let until = later
        .iter()
        .position(|e| matches!(e, Event::Fit { estimator, .. } if *estimator == fit.transformer))
        .unwrap_or(later.len());
    let outputs: HashSet<ValueId> = fit
        .output
        .into_iter()
        .chain(later[..until].iter().filter_map(|e| match e {
            Event::Transform {
                estimator, output, ..
            } if *estimator == fit.transformer => Some(*output),
            _ => None,
        }))
        .collect();
    if outputs.is_empty() {
        return None;
    }
    let leaky = leaky_values(model, facts, fit, &outputs);
    later.iter().enumerate().find_map(|(position, event)| {
        let Event::Predict {
            estimator,
            input,
            span,
            ..
        } = event
        else {
            return None;
        };
        if *estimator == fit.transformer {
            return None;
        }
        let index = fit.index + 1 + position;
        let split = leaky[*input]
            .iter()
            .copied()
            .find(|&split| facts.trained_on(*estimator, split, index))?;
        let split_index = *facts.split_events.get(&split)?;
        let Event::Split {
            function,
            span: split_span,
            ..
        } = &events[split_index]
        else {
            return None;
        };
        Some(Leak {
            split_event: split_index,
            evaluation_event: index,
            split_span: *split_span,
            split_function: function.rsplit('.').next().unwrap_or(function).into(),
            evaluation_span: *span,
            split_before_fit: split_index < fit.index,
        })
    })
}

/// For each value, the splits whose test part it derives from while carrying the fit's
/// statistics: the test part of a split input derived from the transformer's `outputs`, or the
/// transformer's output on the test part of a split input derived from the fitted data.
/// One pass over the values from the fitted data on (a value's inputs are older than it).
fn leaky_values(
    model: &FileModel,
    facts: &FileFacts,
    fit: &FitSite,
    outputs: &HashSet<ValueId>,
) -> Vec<Splits> {
    let count = model.values.len();
    let start = outputs.iter().copied().fold(fit.x, usize::min);
    let ancestors = ancestors(model, fit.x);
    let mut statistics = vec![false; count];
    let mut data = vec![false; count];
    let mut test_data: Vec<Splits> = vec![Vec::new(); count];
    let mut leaky: Vec<Splits> = vec![Vec::new(); count];
    let mut usable: HashMap<usize, bool> = HashMap::new();
    for id in start..count {
        let value = model.value(id);
        let mut carries_statistics = outputs.contains(&id);
        let mut carries_data = id == fit.x;
        let mut tests = Vec::new();
        let mut leaks = Vec::new();
        for &input in &value.inputs {
            carries_statistics |= statistics[input];
            carries_data |= data[input];
            merge(&mut tests, &test_data[input]);
            merge(&mut leaks, &leaky[input]);
        }
        if let Kind::SplitPart {
            role: Role::Test,
            split,
        } = value.kind
            && let Some(&input) = value.inputs.first()
            && *usable.entry(split).or_insert_with(|| {
                usable_split(model, facts, fit, split, &statistics, &data, &ancestors)
            })
        {
            if statistics[input] {
                merge(&mut leaks, &[split]);
            } else if data[input] {
                merge(&mut tests, &[split]);
            }
        }
        if outputs.contains(&id) {
            merge(&mut leaks, &tests);
        }
        statistics[id] = carries_statistics;
        data[id] = carries_data;
        test_data[id] = tests;
        leaky[id] = leaks;
    }
    leaky
}

/// Whether a split can carry this fit's leak: in the fit's scope, and not a split where the
/// fitted data was made from another of its inputs (a feature built from the label is not a
/// preprocessing step over the split's rows).
fn usable_split(
    model: &FileModel,
    facts: &FileFacts,
    fit: &FitSite,
    split: usize,
    statistics: &[bool],
    data: &[bool],
    ancestors: &HashSet<ValueId>,
) -> bool {
    let Some(Event::Split { inputs, scope, .. }) = facts
        .split_events
        .get(&split)
        .map(|&index| &model.events[index])
    else {
        return false;
    };
    *scope == fit.scope
        && !inputs
            .iter()
            .any(|&i| !statistics[i] && !data[i] && ancestors.contains(&i))
}

/// The values `id` derives from, itself excluded.
fn ancestors(model: &FileModel, id: ValueId) -> HashSet<ValueId> {
    let mut seen = HashSet::new();
    let mut stack = model.value(id).inputs.clone();
    while let Some(current) = stack.pop() {
        if seen.insert(current) {
            stack.extend(model.value(current).inputs.iter().copied());
        }
    }
    seen
}
