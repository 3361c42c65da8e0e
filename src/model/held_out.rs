//! Following a stateful transformer's fit forward to the held-out rows that carry what it
//! learned: the question behind preprocessing-before-split (the held-out part is evaluated)
//! and the transductive full-dataset statistic (it is only scored). One definition, read by
//! both rules.

use super::{
    Estimator, Event, FileModel, Kind, Role, ScopeId, SplitId, UNKNOWN, ValueId, merge_capped,
};
use crate::finding::Span;
use crate::ml::Category;
use std::collections::{HashMap, HashSet};

/// A fit of a transformer that learns statistics of the rows (a scaler, an imputer, PCA, a
/// selector; not a target encoder, whose leak is LEAK005's), with the held-out rows that
/// carry what it learned.
#[derive(Debug, Clone, Copy)]
pub struct StatisticFit<'m> {
    /// The Fit event.
    pub index: usize,
    pub transformer: &'m Estimator,
    /// What fitting it learns ([`Estimator::learned_category`]).
    pub category: Category,
    pub x: ValueId,
    pub x_text: &'m str,
    pub span: Span,
    pub held_out: HeldOutUse,
}

impl FileModel {
    /// Every fit of a row-statistics transformer whose statistics reach held-out rows that a
    /// model fitted on the rest then predicts ([`FileModel::held_out_use`]), in event order.
    /// A fit, split and prediction all made inside one call of a function of the file are
    /// left out: the function's body shows them already.
    pub fn statistic_fits(&self) -> Vec<StatisticFit<'_>> {
        self.statistic_fits
            .get_or_init(|| self.find_statistic_fits())
            .iter()
            .filter_map(|&(index, held_out)| {
                let Event::Fit {
                    estimator,
                    x: Some(x),
                    method,
                    x_text,
                    span,
                    ..
                } = &self.events[index]
                else {
                    return None;
                };
                let transformer = self.estimator(*estimator)?;
                Some(StatisticFit {
                    index,
                    transformer,
                    category: transformer.learned_category(*method)?,
                    x: *x,
                    x_text,
                    span: *span,
                    held_out,
                })
            })
            .collect()
    }

    /// The Fit events of [`FileModel::statistic_fits`] with their held-out use, computed once.
    fn find_statistic_fits(&self) -> Vec<(usize, HeldOutUse)> {
        let mut out = Vec::new();
        for (index, event) in self.events.iter().enumerate() {
            let Event::Fit {
                estimator,
                x: Some(_),
                method,
                ..
            } = event
            else {
                continue;
            };
            let learns = self
                .estimator(*estimator)
                .filter(|e| !crate::ml::is_target_encoder(&e.class))
                .is_some_and(|e| e.learned_category(*method).is_some());
            if !learns {
                continue;
            }
            let Some(held_out) = self.held_out_use(index) else {
                continue;
            };
            let calls: Vec<Option<Span>> = [index, held_out.split_event, held_out.predict_event]
                .iter()
                .map(|&e| self.replay_of(e).map(|(call, _)| call))
                .collect();
            if calls[0].is_some() && calls.iter().all(|c| *c == calls[0]) {
                continue;
            }
            out.push((index, held_out));
        }
        out
    }

    /// For the Fit event `index` of a stateful transformer on data that is not a split part:
    /// the held-out part of a later (or earlier) split that carries the fit's statistics and
    /// is predicted by a model trained on that split's training part; an evaluation when there
    /// is one. None when the event is no such fit, or nothing carries its statistics there.
    pub fn held_out_use(&self, index: usize) -> Option<HeldOutUse> {
        let Some(Event::Fit {
            estimator,
            x: Some(x),
            output,
            scope,
            ..
        }) = self.events.get(index)
        else {
            return None;
        };
        let facts = self.held_out.get_or_init(|| HeldOutFacts::new(self));
        if *x == UNKNOWN || facts.split_derived[x.index()] {
            return None;
        }
        let fit = FitSite {
            index,
            transformer: *estimator,
            x: *x,
            output: *output,
            scope: *scope,
        };
        find_use(self, facts, &fit)
    }
}

/// The fit of a stateful transformer, as followed forward.
struct FitSite {
    index: usize,
    transformer: ValueId,
    x: ValueId,
    output: Option<ValueId>,
    scope: ScopeId,
}

/// A held-out part of a split that carries what a transformer learned at a fit, and the
/// prediction made on it by a model fitted on the training part of the same split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldOutUse {
    /// The split (an id of [`FileModel::splits`]) and its event.
    pub split: SplitId,
    pub split_event: usize,
    /// The Predict event on the held-out part.
    pub predict_event: usize,
    pub split_span: Span,
    pub predict_span: Span,
    /// The prediction is an evaluation ([`FileModel::is_evaluation`]): its output reaches a
    /// metric. Otherwise the held-out rows are only scored (a submission, stacking features).
    pub evaluated: bool,
    /// The split came before the fit (the fitted transformer is then applied to the test part).
    pub split_before_fit: bool,
}

/// Split ids a value derives from (through the parts of those splits), few and sorted.
type Splits = Vec<SplitId>;

/// At most this many values are visited following fits forward in one file: each fit visits
/// only what derives from it, and this bounds pathological files.
const VISIT_BUDGET: usize = 4_000_000;

/// What following fits forward needs about the whole file, computed once per file.
#[derive(Debug)]
pub struct HeldOutFacts {
    /// For each value, the splits whose train part it derives from.
    train_of: Vec<Splits>,
    /// For each split id, the index of its event.
    split_events: HashMap<SplitId, usize>,
    /// For each estimator, the events that fit it: (event index, x).
    fits: HashMap<ValueId, Vec<(usize, ValueId)>>,
    /// For each estimator, its transforms: (event index, output).
    transforms: HashMap<ValueId, Vec<(usize, ValueId)>>,
    /// For each value, the Predict events made on it.
    predicts_on: HashMap<ValueId, Vec<usize>>,
    /// For each event, whether it is a Predict that is an evaluation.
    evaluations: Vec<bool>,
    /// For each value, whether it derives from a part of a split.
    split_derived: Vec<bool>,
    /// For each value, the values made from it.
    children: Vec<Vec<ValueId>>,
    /// What is left of [`VISIT_BUDGET`].
    budget: std::cell::Cell<usize>,
}

impl HeldOutFacts {
    fn new(model: &FileModel) -> Self {
        let mut train_of: Vec<Splits> = vec![Vec::new(); model.values.len()];
        let mut children: Vec<Vec<ValueId>> = vec![Vec::new(); model.values.len()];
        let mut split_derived = vec![false; model.values.len()];
        for id in model.value_ids() {
            let value = model.value(id);
            let mut splits = Vec::new();
            split_derived[id.index()] = matches!(value.kind, Kind::SplitPart { .. });
            for &input in &value.inputs {
                merge_capped(&mut splits, &train_of[input.index()]);
                children[input.index()].push(id);
                split_derived[id.index()] |= split_derived[input.index()];
            }
            if let Kind::SplitPart {
                role: Role::Train,
                split,
            } = value.kind
            {
                merge_capped(&mut splits, &[split]);
            }
            train_of[id.index()] = splits;
        }
        let mut split_events = HashMap::new();
        let mut fits: HashMap<ValueId, Vec<(usize, ValueId)>> = HashMap::new();
        let mut transforms: HashMap<ValueId, Vec<(usize, ValueId)>> = HashMap::new();
        let mut predicts_on: HashMap<ValueId, Vec<usize>> = HashMap::new();
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
                Event::Transform {
                    estimator, output, ..
                } => transforms
                    .entry(*estimator)
                    .or_default()
                    .push((index, *output)),
                Event::Predict { input, .. } => predicts_on.entry(*input).or_default().push(index),
                _ => {}
            }
        }
        let evaluations = (0..model.events.len())
            .map(|i| model.is_evaluation(i))
            .collect();
        HeldOutFacts {
            split_derived,
            evaluations,
            train_of,
            split_events,
            fits,
            transforms,
            predicts_on,
            children,
            budget: std::cell::Cell::new(VISIT_BUDGET),
        }
    }

    /// Whether `estimator`, as fitted last before event `before`, was fitted on the train part
    /// of `split` (a refit under the same name on other rows is another model).
    fn trained_on(&self, estimator: ValueId, split: SplitId, before: usize) -> bool {
        self.fits.get(&estimator).is_some_and(|fits| {
            fits.iter()
                .rev()
                .find(|&&(index, _)| index < before)
                .is_some_and(|&(_, x)| self.train_of[x.index()].binary_search(&split).is_ok())
        })
    }

    /// The values that derive from `roots` (them included), in arena order; None when the
    /// file's visit budget is spent.
    fn descendants(&self, roots: impl Iterator<Item = ValueId>) -> Option<Vec<ValueId>> {
        let mut seen = HashSet::new();
        let mut stack: Vec<ValueId> = roots.collect();
        let mut out = Vec::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let left = self.budget.get().checked_sub(1)?;
            self.budget.set(left);
            out.push(id);
            stack.extend(self.children[id.index()].iter().copied());
        }
        out.sort_unstable();
        Some(out)
    }
}

/// Follows the fit forward: the test parts of a split that carry the fit's statistics (parts
/// of its output split after the fit, or parts of its data, split before or after the fit,
/// that the transformer then transforms), then a prediction on them by a model fitted on the
/// train part of the same split: the first evaluation, in event order, or else the first
/// prediction.
fn find_use(model: &FileModel, facts: &HeldOutFacts, fit: &FitSite) -> Option<HeldOutUse> {
    let events = &model.events;
    // Until the transformer is fitted again, what it outputs carries this fit's statistics.
    let until = facts
        .fits
        .get(&fit.transformer)
        .and_then(|fits| fits.iter().map(|&(i, _)| i).find(|&i| i > fit.index))
        .unwrap_or(events.len());
    let outputs: HashSet<ValueId> = fit
        .output
        .into_iter()
        .chain(
            facts
                .transforms
                .get(&fit.transformer)
                .into_iter()
                .flatten()
                .filter(|&&(i, _)| i > fit.index && i < until)
                .map(|&(_, output)| output),
        )
        .collect();
    if outputs.is_empty() {
        return None;
    }
    let leaky = leaky_values(model, facts, fit, &outputs)?;
    // (evaluated, index, split) of the best prediction: evaluations first, then event order.
    let mut best: Option<(bool, usize, SplitId)> = None;
    let better = |candidate: (bool, usize), best: Option<(bool, usize, SplitId)>| {
        best.is_none_or(|(e, i, _)| (candidate.0 && !e) || (candidate.0 == e && candidate.1 < i))
    };
    for (value, splits) in &leaky {
        if splits.is_empty() {
            continue;
        }
        for &index in facts.predicts_on.get(value).into_iter().flatten() {
            let evaluated = facts.evaluations.get(index).copied().unwrap_or(false);
            if index <= fit.index || !better((evaluated, index), best) {
                continue;
            }
            let Event::Predict { estimator, .. } = &events[index] else {
                continue;
            };
            // A clusterer or outlier detector assigning the test rows is not an evaluation:
            // no label of the test part is compared with anything.
            if *estimator == fit.transformer
                || model.learns_without_label(*estimator)
                || model.rescaling_changes_nothing(fit.transformer, *estimator)
            {
                continue;
            }
            if let Some(split) = splits
                .iter()
                .copied()
                .find(|&split| facts.trained_on(*estimator, split, index))
            {
                best = Some((evaluated, index, split));
            }
        }
    }
    let (evaluated, index, split) = best?;
    let Event::Predict { span, .. } = &events[index] else {
        return None;
    };
    let split_index = *facts.split_events.get(&split)?;
    let Event::Split {
        span: split_span, ..
    } = &events[split_index]
    else {
        return None;
    };
    Some(HeldOutUse {
        split,
        split_event: split_index,
        predict_event: index,
        split_span: *split_span,
        predict_span: *span,
        evaluated,
        split_before_fit: split_index < fit.index,
    })
}

/// The state of one value while a fit is followed forward.
#[derive(Default, Clone)]
struct State {
    statistics: bool,
    data: bool,
    tests: Splits,
    leaks: Splits,
}

/// For each value that derives from the fit, the splits whose test part it derives from while
/// carrying the fit's statistics: the test part of a split input derived from the
/// transformer's `outputs`, or the transformer's output on the test part of a split input
/// derived from the fitted data. One pass over the fit's descendants in arena order (a
/// value's inputs are older than it); None when the file's visit budget is spent.
fn leaky_values(
    model: &FileModel,
    facts: &HeldOutFacts,
    fit: &FitSite,
    outputs: &HashSet<ValueId>,
) -> Option<HashMap<ValueId, Splits>> {
    let order = facts.descendants(std::iter::once(fit.x).chain(outputs.iter().copied()))?;
    let mut states: HashMap<ValueId, State> = HashMap::with_capacity(order.len());
    let mut usable: HashMap<SplitId, bool> = HashMap::new();
    let mut ancestors: Option<HashSet<ValueId>> = None;
    let empty = State::default();
    for id in order {
        let value = model.value(id);
        let mut state = State {
            statistics: outputs.contains(&id),
            data: id == fit.x,
            ..State::default()
        };
        for input in &value.inputs {
            let from = states.get(input).unwrap_or(&empty);
            state.statistics |= from.statistics;
            state.data |= from.data;
            merge_capped(&mut state.tests, &from.tests);
            merge_capped(&mut state.leaks, &from.leaks);
        }
        // A held-out part: the test part, or a validation part (the held-out side of a split
        // of a training part), both scored as unseen rows.
        if let Kind::SplitPart {
            role: Role::Test | Role::Valid,
            split,
        } = value.kind
            && let Some(&input) = value.inputs.first()
            && *usable.entry(split).or_insert_with(|| {
                let ancestors = ancestors.get_or_insert_with(|| self::ancestors(model, fit.x));
                usable_split(model, facts, fit, split, &states, ancestors)
            })
        {
            let from = states.get(&input).unwrap_or(&empty);
            if from.statistics {
                merge_capped(&mut state.leaks, &[split]);
            } else if from.data {
                merge_capped(&mut state.tests, &[split]);
            }
        }
        if outputs.contains(&id) {
            let tests = state.tests.clone();
            merge_capped(&mut state.leaks, &tests);
        }
        states.insert(id, state);
    }
    Some(
        states
            .into_iter()
            .filter(|(_, s)| !s.leaks.is_empty())
            .map(|(id, s)| (id, s.leaks))
            .collect(),
    )
}

/// Whether a split can carry this fit's leak: in the fit's scope, and not a split where the
/// fitted data was made from another of its inputs (a feature built from the label is not a
/// preprocessing step over the split's rows).
fn usable_split(
    model: &FileModel,
    facts: &HeldOutFacts,
    fit: &FitSite,
    split: SplitId,
    states: &HashMap<ValueId, State>,
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
        && !inputs.iter().any(|&i| {
            let carries = states.get(&i).is_some_and(|s| s.statistics || s.data);
            !carries && ancestors.contains(&i)
        })
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
