use super::helpers::{SupervisedFit, frame_root, labels, supervised_fits};
use crate::finding::Span;
use crate::ml;
use crate::model::{
    Event, FactId, FileModel, Kind, Role, SplitId, Tag, UNKNOWN, ValueId, rows,
};
use crate::rule::{Check, Context, Sink};
use std::collections::HashSet;

crate::rule::rule! {
    code: "LEAK005",
    name: "target-encoding-outside-folds",
    family: "leakage",
    severity: Error,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// How many target-encoder fits a file is checked for (each costs one pass over the values).
const ENCODER_LIMIT: usize = 16;

/// A target encoding (a group statistic of the label, or a target encoder's output) in the
/// features of a model that is then evaluated on rows whose labels the encoding saw: by
/// cross-validation over the encoded rows, or on the held-out part of a split made after the
/// encoding (or of the data the encoding was computed on).
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let encoders = Encoders::new(model);
    let mut evaluated: Option<&[bool]> = None;
    let mut reported: HashSet<Source> = HashSet::new();
    for fit in supervised_fits(model) {
        let index = fit.event;
        let labels = labels(model, fit.y);
        let label_names: Vec<String> = labels.iter().map(|l| l.name.clone()).collect();
        let mut sources: Vec<(Source, Encoding)> = Vec::new();
        for lineage in model.facts_tagged(fit.x, Tag::Agg) {
            let fact = lineage.fact;
            let on_label = fact.column.as_ref().is_some_and(|c| {
                labels
                    .iter()
                    .any(|label| label.is_column_of(model, c, fact.source))
            });
            // The encoding is a column the code assigned (not the rows of a table aggregated
            // per group, whose key columns carry the statistic too), and a statistic of the
            // label's values (a count is the group's size).
            let Some(column) = lineage.column else {
                continue;
            };
            let Some(span) = column.span else {
                continue;
            };
            if fact.keys.is_empty() || !on_label || counts_rows(&fact.text) {
                continue;
            }
            let id = fact_id(model, fact);
            if sources.iter().any(|(s, _)| *s == Source::Fact(id)) {
                continue;
            }
            let name = Some(column.name.clone());
            sources.push((Source::Fact(id), Encoding::Statistic { fact: id, span, name }));
        }
        for (position, encoder) in encoders.fits.iter().enumerate() {
            let same_label = encoder.labels.is_empty()
                || label_names.is_empty()
                || encoder.labels.iter().any(|l| label_names.contains(l));
            if same_label && encoders.carries(position, fit.x) {
                sources.push((Source::Encoder(encoder.original), Encoding::Encoder(position)));
            }
        }
        sources.retain(|(source, _)| !reported.contains(source));
        if sources.is_empty() {
            continue;
        }
        let evaluated = evaluated.get_or_insert_with(|| model.reaches_metric());
        let Some(evaluation) = evaluation_of(model, index, &fit, evaluated) else {
            continue;
        };
        for (source, encoding) in sources {
            if !leaks(model, &encoders, &encoding, &evaluation) {
                continue;
            }
            reported.insert(source);
            report(ctx, sink, &encoders, &encoding, &evaluation, &label_names);
        }
    }
}

/// Whether a group statistic's text (`groupby("k")["y"].transform("count")`) counts rows
/// rather than summarising the label's values.
fn counts_rows(text: &str) -> bool {
    let operation = text.rsplit(']').next().unwrap_or(text);
    ["count", "size", "nunique", "cumcount"]
        .iter()
        .any(|op| operation.contains(op))
}

/// One encoding, for reporting each once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Source {
    Fact(FactId),
    /// A target encoder's fit event (the body's event for a replayed one).
    Encoder(usize),
}

enum Encoding {
    /// A group statistic of the label, carried by the column `name` assigned at `span`.
    Statistic {
        fact: FactId,
        span: Span,
        name: Option<String>,
    },
    /// The fit at this position of [`Encoders::fits`].
    Encoder(usize),
}

/// How a model is evaluated on rows an encoding may have seen.
enum Evaluation {
    /// Cross-validation over `x` (the encoded data itself).
    CrossVal { function: String, span: Span },
    /// The held-out part of split `split` (made of its inputs), predicted at `span`.
    HeldOut {
        split: SplitId,
        inputs: Vec<ValueId>,
        span: Span,
    },
}

fn fact_id(model: &FileModel, fact: &crate::model::Fact) -> FactId {
    FactId::new(
        model
            .facts
            .iter()
            .position(|f| std::ptr::eq(f, fact))
            .unwrap_or_default(),
    )
}

/// The evaluation of the model fitted at event `index`: a cross-validation, or a later
/// prediction of the same estimator, on the held-out part of the split whose training part
/// it was fitted on, that reaches a metric.
fn evaluation_of(
    model: &FileModel,
    index: usize,
    fit: &SupervisedFit,
    evaluated: &[bool],
) -> Option<Evaluation> {
    if let Event::CrossVal { function, span, .. } = &model.events[index] {
        return Some(Evaluation::CrossVal {
            function: function.rsplit('.').next().unwrap_or(function).to_string(),
            span: *span,
        });
    }
    let trained: Vec<SplitId> = model
        .split_parts_of(fit.x)
        .into_iter()
        .filter(|(_, role, _)| *role == Role::Train)
        .map(|(_, _, split)| split)
        .collect();
    if trained.is_empty() {
        return None;
    }
    model.events[index + 1..].iter().find_map(|event| {
        let Event::Predict {
            estimator,
            input,
            output,
            span,
            ..
        } = event
        else {
            return None;
        };
        let scored = evaluated[output.index()];
        if *estimator != fit.estimator || !scored {
            return None;
        }
        let split = model
            .split_parts_of(*input)
            .into_iter()
            .find(|(_, role, split)| *role != Role::Train && trained.contains(split))
            .map(|(_, _, split)| split)?;
        Some(Evaluation::HeldOut {
            split,
            inputs: model.splits[split].inputs.clone(),
            span: *span,
        })
    })
}

/// Whether the encoding saw the evaluation rows' labels: every encoding the cross-validated
/// data carries; for a held-out part, an encoding made before the split (the split's data
/// carries it) or computed on all rows of the same data.
fn leaks(
    model: &FileModel,
    encoders: &Encoders,
    encoding: &Encoding,
    evaluation: &Evaluation,
) -> bool {
    let Evaluation::HeldOut { inputs, .. } = evaluation else {
        return true;
    };
    let (carried, rows, data) = match encoding {
        Encoding::Statistic { fact, .. } => {
            let carried = inputs
                .iter()
                .any(|&i| model.value(i).facts.contains(fact) || carries_in_columns(model, i, *fact));
            let fact = model.fact(*fact);
            (carried, fact.rows, fact.source)
        }
        Encoding::Encoder(position) => {
            let carried = inputs.iter().any(|&i| encoders.carries(*position, i));
            let x = encoders.fits[*position].x;
            (carried, model.rows(x), x)
        }
    };
    if carried {
        return true;
    }
    let root = frame_root(model, data);
    rows & rows::FULL != 0
        && root.is_some()
        && inputs.iter().any(|&i| frame_root(model, i) == root)
}

fn carries_in_columns(model: &FileModel, id: ValueId, fact: FactId) -> bool {
    model.columns(id).is_some_and(|columns| {
        columns.base_facts.contains(&fact)
            || columns.joined_facts.contains(&fact)
            || columns.known.iter().any(|c| c.facts.contains(&fact))
    })
}

/// The target encoders fitted in the file, and which values their outputs reach.
struct Encoders {
    fits: Vec<EncoderFit>,
}

struct EncoderFit {
    /// The fit event, and the body's event when it is a replay.
    event: usize,
    original: usize,
    estimator: ValueId,
    x: ValueId,
    labels: Vec<String>,
    /// For each value, whether it derives from what this fit's encoder outputs.
    reaches: Vec<bool>,
}

impl Encoders {
    fn new(model: &FileModel) -> Self {
        let mut fits = Vec::new();
        for (index, event) in model.events.iter().enumerate() {
            let Event::Fit {
                estimator,
                x: Some(x),
                y: Some(y),
                output,
                ..
            } = event
            else {
                continue;
            };
            let Some(class) = model.estimator(*estimator).map(|e| e.class.as_str()) else {
                continue;
            };
            if !ml::is_target_encoder(class) || fits.len() >= ENCODER_LIMIT {
                continue;
            }
            let outputs = encoder_outputs(model, index, *estimator, *output);
            if outputs.is_empty() {
                continue;
            }
            fits.push(EncoderFit {
                event: index,
                original: model.replay_of(index).map_or(index, |(_, body)| body),
                estimator: *estimator,
                x: *x,
                labels: labels(model, *y).into_iter().map(|l| l.name).collect(),
                reaches: reaches(model, &outputs),
            });
        }
        Encoders { fits }
    }

    fn carries(&self, position: usize, id: ValueId) -> bool {
        self.fits[position].reaches.get(id.index()).copied().unwrap_or(false)
    }
}

/// What an encoder fitted at event `index` outputs until it is fitted again.
fn encoder_outputs(
    model: &FileModel,
    index: usize,
    estimator: ValueId,
    output: Option<ValueId>,
) -> HashSet<ValueId> {
    let mut outputs: HashSet<ValueId> = output.into_iter().collect();
    for event in &model.events[index + 1..] {
        match event {
            Event::Fit { estimator: e, .. } if *e == estimator => break,
            Event::Transform {
                estimator: e,
                output,
                ..
            } if *e == estimator => {
                outputs.insert(*output);
            }
            _ => {}
        }
    }
    outputs.remove(&UNKNOWN);
    outputs
}

/// One pass over the arena: the values derived from `sources` (not through estimators: a
/// model fitted on encoded data does not make its other inputs encoded).
fn reaches(model: &FileModel, sources: &HashSet<ValueId>) -> Vec<bool> {
    let start = sources
        .iter()
        .map(|id| id.index())
        .min()
        .unwrap_or(model.values.len());
    let mut marked = vec![false; model.values.len()];
    for id in model.value_ids().skip(start) {
        if sources.contains(&id) {
            marked[id.index()] = true;
            continue;
        }
        let value = model.value(id);
        if matches!(value.kind, Kind::Estimator(_)) {
            continue;
        }
        marked[id.index()] = value.inputs.iter().any(|&i| {
            marked[i.index()] && !matches!(model.value(i).kind, Kind::Estimator(_))
        });
    }
    marked
}

fn report(
    ctx: &Context,
    sink: &mut Sink,
    encoders: &Encoders,
    encoding: &Encoding,
    evaluation: &Evaluation,
    label_names: &[String],
) {
    let model = ctx.model;
    let mut evaluated_at = None;
    let (after, related_span, related_text) = match evaluation {
        Evaluation::CrossVal { function, span } => (
            format!(
                "on the rows that `{function}` ({}) then splits into folds: each fold's held-out \
                 labels leak into its training features",
                ctx.describe(*span)
            ),
            *span,
            "cross-validated here",
        ),
        Evaluation::HeldOut { split, span, .. } => {
            let split = &model.splits[*split];
            let function = split.function.rsplit('.').next().unwrap_or(&split.function);
            let function = function.strip_suffix(".split").unwrap_or(function);
            evaluated_at = Some(*span);
            (
                format!(
                    "on all rows, before `{function}` ({}) holds out the test rows: their labels \
                     leak into the training features and the evaluation is optimistic",
                    ctx.describe(split.span)
                ),
                split.span,
                "split here",
            )
        }
    };
    let label = label_names
        .first()
        .map(|l| format!("the label `{l}`"))
        .unwrap_or_else(|| "the label".to_string());
    let (span, message, help) = match encoding {
        Encoding::Statistic { fact, span, name } => {
            let fact = model.fact(*fact);
            let keys = fact
                .keys
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let what = match name {
                Some(name) => format!("`{name}` is a statistic of {label} per {keys}"),
                None => format!("A statistic of {label} per {keys}"),
            };
            (
                *span,
                format!("{what}, computed {after}"),
                "compute the encoding inside each training fold (or on the training part only \
                 and map it onto the test part), or use scikit-learn's `TargetEncoder` in a \
                 Pipeline"
                    .to_string(),
            )
        }
        Encoding::Encoder(position) => {
            let fit = &encoders.fits[*position];
            let name = model
                .estimator(fit.estimator)
                .map_or("the encoder", |e| e.short_name());
            let span = match &model.events[fit.event] {
                Event::Fit { span, .. } => *span,
                _ => return,
            };
            (
                span,
                format!("`{name}` learns per-category statistics of {label}, fitted {after}"),
                format!(
                    "split first and fit `{name}` on the training part only, or put it in a \
                     Pipeline with the model"
                ),
            )
        }
    };
    let finding = sink
        .report(&RULE, span, message)
        .help(help)
        .related(related_span, related_text);
    if let Some(at) = evaluated_at {
        finding.related(at, "evaluated on the held-out part here");
    }
}
