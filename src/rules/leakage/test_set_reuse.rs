use super::evaluation::{chosen_by, first_report, is_test_module, text,
    Ids, describe_split, estimator_name, event_data, event_span, held_out_name, home, is_curve,
    is_validation_name, merge, parts, parts_of, replays, scores_of, validation_splits,
};
use super::preprocessing_outside_cv::is_search;
use crate::finding::{Severity, Span};
use crate::model::{Event, FileModel, Kind, Role, SplitId, UNKNOWN, ValueId, rows};
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "LEAK003",
    name: "test-set-reuse",
    family: "leakage",
    severity: Error,
    also: [Warning],
    scope: File,
    check: Check::File(check),
}

/// Finds the places where a test part (the held-out side of a split that is not a validation
/// split by position or by name, nor a cross-validation fold) is used to choose: early stopping
/// and best checkpoints on it, a search fitted on it, a threshold picked from its scores and
/// scored on it again, and a selection among several scores on it.
fn check(ctx: &Context, sink: &mut Sink) {
    if is_test_module(ctx) {
        return;
    }
    let model = ctx.model;
    if model.splits.is_empty() {
        return;
    }
    let facts = Facts::new(ctx);
    if facts.evaluated.is_empty() {
        return;
    }
    let mut reported: HashSet<Span> = HashSet::new();
    early_stopping(ctx, &facts, sink, &mut reported);
    searches(ctx, &facts, sink, &mut reported);
    let thresholds = thresholds(ctx, &facts, sink, &mut reported);
    selections(ctx, &facts, &thresholds, sink, &mut reported);
}

/// What the checks share, computed once per file.
struct Facts {
    /// For each value, the splits whose test part (not a fold) it holds rows of.
    held: Vec<Ids<SplitId>>,
    /// For each value, the score events it derives from.
    scores: Vec<Ids>,
    validation: HashSet<SplitId>,
    /// Test splits some metric or score looks at.
    evaluated: HashSet<SplitId>,
    /// By fit event, the test splits scores of that fit's model look at; under None, those
    /// of models with no fit in sight (a best checkpoint loaded back).
    evaluated_by_fit: HashMap<Option<usize>, Ids<SplitId>>,
    /// Replayed events by (call, body event); and the replays of each body event.
    replayed_at: HashMap<(Span, usize), usize>,
    replays_of: HashMap<usize, Vec<usize>>,
    /// For each value, the selections whose choice it derives from.
    chosen_by: Vec<Ids>,
    /// Values some other value is made from (read after they were made).
    consumed: Vec<bool>,
}

impl Facts {
    fn new(ctx: &Context) -> Self {
        let model = ctx.model;
        let held = parts_of(model, Role::Test, false);
        let scores = scores_of(model);
        let validation = validation_splits(model);
        let mut evaluated = HashSet::new();
        for event in &model.events {
            let scored = match event {
                Event::Metric { .. } => true,
                Event::Predict { method, .. } => method.is_scoring(),
                _ => false,
            };
            if scored {
                for data in event_data(event) {
                    evaluated.extend(held[data.index()].iter().copied());
                }
            }
        }
        let mut evaluated_by_fit: HashMap<Option<usize>, Ids<SplitId>> = HashMap::new();
        for (fit, data) in model.scored_by_fit() {
            let tests = evaluated_by_fit.entry(fit).or_default();
            for value in data {
                merge(tests, &held[value.index()]);
            }
        }
        let replayed_at = replays(model);
        let mut replays_of: HashMap<usize, Vec<usize>> = HashMap::new();
        for (&(_, original), &replay) in &replayed_at {
            replays_of.entry(original).or_default().push(replay);
        }
        for list in replays_of.values_mut() {
            list.sort_unstable();
        }
        let (chosen_by, consumed) = chosen_by(model);
        Facts {
            evaluated_by_fit,
            chosen_by,
            consumed,
            held,
            scores,
            validation,
            evaluated,
            replayed_at,
            replays_of,
        }
    }

    /// Whether the model of fit `fit` is scored on the test part of `split`: by its own
    /// scores (a later refit under the same name, or another model, scoring that part does not
    /// count), or by a model loaded back from a file (a best checkpoint). In a function body,
    /// whose data are parameters, a score of the fit's model on rows unknown there counts when
    /// the split is scored anywhere.
    fn scored_after(&self, model: &FileModel, fit: usize, split: SplitId) -> bool {
        let home = home(model, fit);
        let found = |key: Option<usize>| self.evaluated_by_fit.get(&key);
        if [Some(fit), Some(home), None]
            .into_iter()
            .any(|key| found(key).is_some_and(|e| e.contains(&split)))
        {
            return true;
        }
        model.replay_of(fit).is_some()
            && [fit, home]
                .into_iter()
                .any(|key| found(Some(key)).is_some_and(Vec::is_empty))
            && self.evaluated.contains(&split)
    }

    /// The test splits (not validation splits) a value holds rows of.
    fn tests(&self, value: ValueId) -> Ids<SplitId> {
        self.held[value.index()]
            .iter()
            .copied()
            .filter(|s| !self.validation.contains(s))
            .collect()
    }

    /// The test splits an event's data holds rows of. For an event of a function body whose
    /// data is the function's parameters (rows unknown there): those of its replay at `call`
    /// when given; else those of `carrier`, a value that came out of one call of the function
    /// and holds that call's rows; else those of all its replays (the choice is made in the body
    /// itself, at every call).
    fn event_tests(
        &self,
        model: &FileModel,
        index: usize,
        call: Option<Span>,
        carrier: ValueId,
    ) -> Ids<SplitId> {
        let own = |i: usize| {
            let mut out = Vec::new();
            for data in event_data(&model.events[i]) {
                merge(&mut out, &self.tests(data));
            }
            out
        };
        let known = event_data(&model.events[index])
            .iter()
            .any(|&d| parts(model, d) != 0);
        if known {
            return own(index);
        }
        if let Some(call) = call {
            return self
                .replayed_at
                .get(&(call, index))
                .map_or_else(Vec::new, |&r| own(r));
        }
        if parts(model, carrier) != 0 {
            return self.tests(carrier);
        }
        let mut out = Vec::new();
        for &replay in self.replays_of.get(&index).into_iter().flatten() {
            merge(&mut out, &own(replay));
        }
        out
    }
}

/// (b), (c): early stopping, best checkpoints and learning-rate schedules driven by the test
/// part given as `eval_set`, `validation_data`, `evals` or `valid_sets`.
fn early_stopping(ctx: &Context, facts: &Facts, sink: &mut Sink, reported: &mut HashSet<Span>) {
    let model = ctx.model;
    for (index, event) in model.events.iter().enumerate() {
        let Event::Fit { keywords, .. } = event else {
            continue;
        };
        let origin = home(model, index);
        let Event::Fit {
            estimator,
            keywords: origin_keywords,
            span: fit_span,
            ..
        } = &model.events[origin]
        else {
            continue;
        };
        if !stops_early(model, *estimator, keywords) {
            continue;
        }
        for (keyword, value) in keywords {
            let Some(&(_, origin_value)) = origin_keywords.iter().find(|(k, _)| k == keyword)
            else {
                continue;
            };
            let data = validation_data(model, keyword, *value);
            let origin_data = validation_data(model, keyword, origin_value);
            for (position, &d) in data.iter().enumerate() {
                let named = origin_data.get(position).copied().unwrap_or(d);
                let Some(split) = test_part(model, facts, d, named, Some(index)) else {
                    continue;
                };
                let here = model.value(origin_value).span;
                let span = if fit_span.start <= here.start && here.end <= fit_span.end {
                    here
                } else {
                    *fit_span
                };
                if !first_report(model, reported, span) {
                    continue;
                }
                let data_name = data_name(model, named, d, split);
                let chosen = if keyword == "validation_data" {
                    "epoch, checkpoint or learning rate"
                } else {
                    "best boosting round"
                };
                sink.report(
                    &RULE,
                    span,
                    format!(
                        "`{}` watches `{data_name}`, the test part of {}, to pick its {chosen}, \
                         and the model is then scored on that test part: the test set took part \
                         in training",
                        estimator_name(model, *estimator),
                        describe_split(ctx, split),
                    ),
                )
                .help(
                    "split a validation part off the training part for early stopping and \
                     keep the test part for the final score",
                )
                .related(model.splits[split].span, "split here");
            }
        }
    }
}

/// Whether a fit picks an iteration by the score on its validation data: early stopping set
/// on the estimator or in `fit`, a selecting callback, or CatBoost's default `use_best_model`.
fn stops_early(model: &FileModel, estimator: ValueId, keywords: &[(String, ValueId)]) -> bool {
    let choices = &model.choices;
    let given = |name: &str| {
        keywords
            .iter()
            .any(|(k, v)| k == name && !matches!(model.value(*v).kind, Kind::NoneLiteral))
    };
    let callback = keywords.iter().any(|(k, v)| {
        k == "callbacks"
            && match &model.value(*v).kind {
                Kind::Tuple(elements) => elements.iter().any(|e| choices.stops_early.contains(e)),
                _ => choices.stops_early.contains(v),
            }
    });
    let catboost_default = model
        .estimator(estimator)
        .is_some_and(|e| e.class.starts_with("catboost"))
        && !choices.keeps_last.contains(&estimator)
        && !keywords.iter().any(|(k, _)| k == "use_best_model")
        && given("eval_set");
    given("early_stopping_rounds")
        || callback
        || choices.stops_early.contains(&estimator)
        || catboost_default
}

/// The data sets of a validation keyword: the `X` of each `(X, y)` pair, or each data set.
fn validation_data(model: &FileModel, keyword: &str, value: ValueId) -> Vec<ValueId> {
    if !matches!(
        keyword,
        "eval_set" | "validation_data" | "evals" | "valid_sets"
    ) || value == UNKNOWN
    {
        return Vec::new();
    }
    let Kind::Tuple(elements) = &model.value(value).kind else {
        return vec![value];
    };
    let pairs = elements
        .iter()
        .all(|&e| matches!(model.value(e).kind, Kind::Tuple(_)));
    if pairs {
        return elements
            .iter()
            .filter_map(|&e| match &model.value(e).kind {
                Kind::Tuple(pair) => pair.first().copied(),
                _ => None,
            })
            .collect();
    }
    match keyword {
        // `eval_set=(X, y)` (CatBoost), `validation_data=(X, y)`: one pair.
        "eval_set" | "validation_data" => elements.first().copied().into_iter().collect(),
        _ => elements.clone(),
    }
}

/// The test split `data` holds rows of, when it is a test part (and nothing but) that is
/// also evaluated somewhere, and neither it nor `named` (its name at the report site) says
/// validation.
fn test_part(
    model: &FileModel,
    facts: &Facts,
    data: ValueId,
    named: ValueId,
    scored_by: Option<usize>,
) -> Option<SplitId> {
    if parts(model, data) != rows::TEST {
        return None;
    }
    let validation_named = [data, named]
        .iter()
        .any(|&v| model.names_of(v).iter().any(|n| is_validation_name(n)));
    if validation_named {
        return None;
    }
    let evaluated = |s: &SplitId| match scored_by {
        Some(fit) => facts.scored_after(model, fit, *s),
        None => facts.evaluated.contains(s),
    };
    facts.tests(data).into_iter().find(evaluated)
}

fn data_name(model: &FileModel, named: ValueId, data: ValueId, split: SplitId) -> String {
    model
        .names_of(named)
        .first()
        .or_else(|| model.names_of(data).first())
        .map(|n| n.to_string())
        .or_else(|| held_out_name(model, split))
        .unwrap_or_else(|| "the test part".to_string())
}

/// (d): a hyperparameter search fitted on a test part.
fn searches(ctx: &Context, facts: &Facts, sink: &mut Sink, reported: &mut HashSet<Span>) {
    let model = ctx.model;
    for (index, event) in model.events.iter().enumerate() {
        let Event::Fit {
            estimator,
            x: Some(x),
            ..
        } = event
        else {
            continue;
        };
        if !model.estimator(*estimator).is_some_and(is_search) {
            continue;
        }
        let origin = home(model, index);
        let Event::Fit {
            x: Some(origin_x),
            span,
            ..
        } = &model.events[origin]
        else {
            continue;
        };
        let Some(split) = test_part(model, facts, *x, *origin_x, None) else {
            continue;
        };
        if !first_report(model, reported, *span) {
            continue;
        }
        let data = data_name(model, *origin_x, *x, split);
        sink.report(
            &RULE,
            *span,
            format!(
                "`{}` searches hyperparameters on `{data}`, the test part of {}, which is also \
                 used to report the score: the test set chose the model",
                estimator_name(model, *estimator),
                describe_split(ctx, split),
            ),
        )
        .help("fit the search on the training part and score the chosen model on the test part once")
        .related(model.splits[split].span, "split here");
    }
}

/// (e): a threshold chosen from the scores of a test part (`thresholds[np.argmax(f1)]`, a
/// best-so-far sweep) and compared with predictions, then scored on the same test part.
/// Returns the selections reported here, which the model-selection check then skips.
fn thresholds(
    ctx: &Context,
    facts: &Facts,
    sink: &mut Sink,
    reported: &mut HashSet<Span>,
) -> HashSet<usize> {
    let model = ctx.model;
    let selections = &model.choices.selections;
    let mut used = HashSet::new();
    if selections.is_empty() {
        return used;
    }
    let chosen_by = &facts.chosen_by;
    // Chosen values compared with something that was not chosen: cut-offs. By selection,
    // the name of the cut-off.
    let mut cutoffs: HashMap<usize, String> = HashMap::new();
    for event in &model.events {
        let Event::Compare { left, right, .. } = event else {
            continue;
        };
        for (side, other) in [(*left, *right), (*right, *left)] {
            for &selection in &chosen_by[side.index()] {
                if !chosen_by[other.index()].contains(&selection) && other != UNKNOWN {
                    let name = model
                        .names_of(side)
                        .first()
                        .map_or_else(|| "the threshold".to_string(), |n| n.to_string());
                    cutoffs.entry(selection).or_insert(name);
                }
            }
        }
    }
    if cutoffs.is_empty() {
        return used;
    }
    for (index, event) in model.events.iter().enumerate() {
        let Event::Metric { args, .. } = event else {
            continue;
        };
        if is_curve(event) {
            continue;
        }
        let call = model.replay_of(index).map(|(at, _)| at);
        let mut tests = Vec::new();
        let mut through = Vec::new();
        for &arg in args {
            merge(&mut tests, &facts.tests(arg));
            merge(&mut through, &chosen_by[arg.index()]);
        }
        for selection in through.into_iter().filter(|s| cutoffs.contains_key(s)) {
            let tuned_on = selection_tests(model, facts, selection, call);
            let Some(&split) = tuned_on.iter().find(|s| tests.contains(s)) else {
                continue;
            };
            used.insert(selection);
            let span = event_span(&model.events[home(model, index)]);
            if !first_report(model, reported, span) {
                continue;
            }
            let cutoff = &cutoffs[&selection];
            let chooser = &selections[selection];
            sink.report(
                &RULE,
                span,
                format!(
                    "`{cutoff}` was tuned on the test part of {} ({} at {}), and this metric \
                     scores the same test rows with it: the reported score is optimistic",
                    describe_split(ctx, split),
                    chooser.how,
                    ctx.describe(chooser.span),
                ),
            )
            .help(
                "tune the threshold on a validation part (or with TunedThresholdClassifierCV on \
                 the training part) and apply it to the test part once",
            )
            .related(chooser.span, "tuned here")
            .related(model.splits[split].span, "split here");
        }
    }
    used
}

/// The test splits whose scores a selection chose among, resolved at `call` for a selection
/// in a function body.
fn selection_tests(
    model: &FileModel,
    facts: &Facts,
    selection: usize,
    call: Option<Span>,
) -> Ids<SplitId> {
    let mut out = Vec::new();
    for &over in &model.choices.selections[selection].over {
        for &event in &facts.scores[over.index()] {
            merge(&mut out, &facts.event_tests(model, event, call, over));
        }
    }
    out
}

/// (a): the best of several models or settings picked by their scores on a test part.
fn selections(
    ctx: &Context,
    facts: &Facts,
    thresholds: &HashSet<usize>,
    sink: &mut Sink,
    reported: &mut HashSet<Span>,
) {
    let model = ctx.model;
    for (index, selection) in model.choices.selections.iter().enumerate() {
        if thresholds.contains(&index) {
            continue;
        }
        let mut events = Vec::new();
        for &over in &selection.over {
            merge(&mut events, &facts.scores[over.index()]);
        }
        // Choosing a point on a curve (a threshold) is not choosing a model.
        let Some(&scored) = events.iter().find(|&&e| !is_curve(&model.events[e])) else {
            continue;
        };
        let mut tests = Vec::new();
        // The data is named after a score that looked at a test part: the candidates' training
        // scores may be gathered with their test scores.
        let mut on_test = None;
        for &over in &selection.over {
            for &event in &facts.scores[over.index()] {
                let found = facts.event_tests(model, event, None, over);
                if on_test.is_none() && !found.is_empty() && !is_curve(&model.events[event]) {
                    on_test = Some(event);
                }
                merge(&mut tests, &found);
            }
        }
        let Some(&split) = tests.first() else {
            continue;
        };
        let keeps_winner = selection.picks_key
            || selection.how == "a best-so-far comparison"
            || (is_optimiser(&selection.how) && !selection.chosen.is_empty());
        if keeps_winner && !winner_reported(ctx, facts, index, &tests) {
            continue;
        }
        if !first_report(model, reported, selection.span) {
            continue;
        }
        let data = scored_data_name(model, on_test.unwrap_or(scored)).unwrap_or_else(|| {
            held_out_name(model, split).unwrap_or_else(|| "the test part".to_string())
        });
        sink.report(
            &RULE,
            selection.span,
            format!(
                "{} picks the best of several models or settings by their score on `{data}`, the \
                 test part of {}: the winner's test score is the maximum of several noisy ones \
                 and is optimistic",
                capitalize(&selection.how),
                describe_split(ctx, split),
            ),
        )
        .severity(Severity::Warning)
        .help(
            "choose on a validation part or by cross-validation on the training part, then score \
             the chosen model on the test part once",
        )
        .related(model.splits[split].span, "split here");
    }
}

/// Whether a selection that keeps a winner (a key, an index, the best-so-far) lets the
/// winner's score on the test part `tests` out: a value derived from the choice that holds
/// such a score (`scores[best]`, the chosen model scored again on the test part, the kept
/// `best_auc` once it is read), or the largest or
/// smallest of the very scores chosen among (`max(accuracies)` next to their `argmax`). A
/// winner only refitted, saved or used for predictions with no metric, and metrics of other
/// models or without the chosen threshold, leave the choice unreported.
fn winner_reported(ctx: &Context, facts: &Facts, index: usize, tests: &Ids<SplitId>) -> bool {
    let model = ctx.model;
    let selection = &model.choices.selections[index];
    let on_tests = |v: ValueId| {
        facts.scores[v.index()].iter().any(|&e| {
            facts
                .event_tests(model, e, None, v)
                .iter()
                .any(|s| tests.contains(s))
        })
    };
    let kept = model.value_ids().any(|v| {
        if !facts.chosen_by[v.index()].contains(&index) {
            return false;
        }
        // A best-so-far keeps the candidate's score under its own name (`best_auc = auc`),
        // which counts once it is read; what a selection chose is otherwise no score (see
        // `scores_of`), and what derives from it holds a score only when it reads one back.
        on_tests(v)
            || (!selection.picks_key
                && facts.consumed[v.index()]
                && selection.chosen.contains(&v)
                && model.value(v).inputs.first().is_some_and(|&c| on_tests(c)))
    });
    // The kept winner scored on the test part after the choice.
    let rescored = !selection.models.is_empty()
        && model.events.iter().enumerate().skip(selection.after).any(|(i, event)| {
            let by_winner = |predict: usize| {
                matches!(&model.events[predict], Event::Predict { estimator, .. }
                    if selection.models.contains(estimator))
            };
            let winner = match event {
                Event::Predict { method, .. } => {
                    method.is_scoring() && by_winner(i)
                }
                Event::Metric { args, .. } => args.iter().any(|&a| {
                    model
                        .facts_tagged(a, crate::model::Tag::ModelOut)
                        .iter()
                        .any(|l| l.fact.event.is_some_and(|p| p >= selection.after && by_winner(p)))
                }),
                _ => false,
            };
            winner
                && event_data(event)
                    .iter()
                    .any(|&d| facts.tests(d).iter().any(|s| tests.contains(s)))
        });
    // An optimiser's best value read back (`study.best_value`, `res.fun`): the winner's score.
    let best_value = is_optimiser(&selection.how)
        && model.value_ids().any(|v| {
            facts.chosen_by[v.index()].contains(&index)
                && facts.consumed[v.index()]
                && text(ctx, v)
                    .rsplit('.')
                    .next()
                    .is_some_and(|attr| {
                        matches!(
                            attr.trim(),
                            "best_value" | "best_score" | "best_trial" | "best_trials" | "fun"
                        )
                    })
        });
    kept || rescored || best_value || model.values.iter().any(|value| {
        matches!(&value.kind, Kind::Call { function } if matches!(
            function.as_str(),
            "max" | "min" | "numpy.max" | "numpy.min" | "numpy.amax" | "numpy.amin"
                | "numpy.nanmax" | "numpy.nanmin"
        )) && value.inputs.iter().any(|i| selection.over.contains(i))
    })
}

/// Whether a selection is an optimiser maximising what a function returns.
fn is_optimiser(how: &str) -> bool {
    matches!(
        how.trim_matches('`'),
        "optimize" | "fmin" | "gp_minimize" | "forest_minimize" | "gbrt_minimize" | "dummy_minimize"
    )
}

/// The name of the data a score looked at: the input of the prediction behind a metric, or
/// of `score`/`evaluate`.
fn scored_data_name(model: &FileModel, event: usize) -> Option<String> {
    let input = match &model.events[event] {
        Event::Predict { input, .. } => Some(*input),
        Event::Metric { args, .. } => args.iter().find_map(|&a| {
            model
                .facts_tagged(a, crate::model::Tag::ModelOut)
                .into_iter()
                .find_map(|l| match l.fact.event.map(|e| &model.events[e]) {
                    Some(Event::Predict { input, .. }) => Some(*input),
                    _ => None,
                })
        }),
        _ => None,
    }?;
    model.names_of(input).first().map(|n| n.to_string())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
