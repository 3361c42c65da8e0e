use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Accumulation, Event, FileModel, ScopeId, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::HashSet;

crate::rule::rule! {
    code: "API004",
    name: "memory-not-freed",
    family: "api",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's accumulations (`total += loss`, `losses.append(loss)`) in PyTorch files:
/// one is flagged when what it adds is a loss that a backward pass in the same loop (same
/// function body) ran on: that tensor carries the graph of its iteration, and the running
/// total or the list keeps every iteration's graph alive. A value whose backward pass the
/// analysis does not see is not judged (it may be a plain number).
fn check(ctx: &Context, sink: &mut Sink) {
    losses(ctx, sink);
    keras_models(ctx, sink);
}

fn losses(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    for accumulation in &model.memory.accumulations {
        let Some(backward) = backward_of(model, accumulation) else {
            continue;
        };
        let Accumulation {
            target,
            append,
            text,
            span,
            ..
        } = accumulation;
        let verb = if *append { "append" } else { "add" };
        let what = if *append {
            format!("`{target}.append({text})` keeps")
        } else {
            format!("`{target} += {text}` keeps")
        };
        let fix = if accumulation.scaled {
            format!("{verb} the loss as a number")
        } else {
            format!("{verb} `{text}.item()` instead")
        };
        sink.report(
            &RULE,
            *span,
            format!(
                "{what} the loss tensor of every iteration, and with it each iteration's \
                 autograd graph: memory grows with every iteration of the training loop"
            ),
        )
        .help(format!(
            "{fix}: `.item()` (or `.detach()`, `float(...)`) keeps the number without its \
             graph"
        ))
        .related(backward, "the loss backpropagated here carries a graph");
    }
}

/// The span of a backward pass, in the loop around `accumulation` (same function body), on
/// the loss it adds.
fn backward_of(model: &FileModel, accumulation: &Accumulation) -> Option<Span> {
    let &lp = model.loops_around(accumulation.block).first()?;
    let added = model.value(accumulation.value);
    model.events.iter().find_map(|event| match event {
        Event::Backward {
            loss,
            span,
            scope,
            block,
            ..
        } if *scope == accumulation.scope
            && model.block_within(*block, lp)
            && (*loss == accumulation.value
                || (accumulation.scaled && added.inputs.contains(loss))) =>
        {
            Some(*span)
        }
        _ => None,
    })
}

/// Reads the Fit events of Keras models: one is flagged when the model is bound to a name in
/// a loop, built there (its construction is in the loop, or in a function of the file the
/// loop calls), and fitted in that loop, while nothing in the loop clears Keras' global
/// state. A `clear_session()` (or `reset_default_graph()`) in any function of the file counts
/// as clearing, since the loop may call it.
fn keras_models(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let memory = &model.memory;
    let mut reported = HashSet::new();
    for event in &model.events {
        let Event::Fit {
            estimator,
            span: fit,
            ..
        } = event
        else {
            continue;
        };
        let Some(keras) = model.estimator(*estimator) else {
            continue;
        };
        if keras.category != Category::Model || !is_keras(&keras.class) {
            continue;
        }
        let made = model.value(*estimator).span;
        for (name, _, at) in bindings_of(model, *estimator) {
            let Some(lp) = memory
                .loops
                .iter()
                .filter(|l| within(at, **l))
                .min_by_key(|l| l.end - l.start)
            else {
                continue;
            };
            let built = within(made, *lp)
                || model.functions.iter().any(|(_, def)| within(made, *def));
            if !within(*fit, *lp) || !built {
                continue;
            }
            let cleared = memory.session_resets.iter().any(|(reset, scope)| {
                *scope != ScopeId::MODULE
                    || memory
                        .loops
                        .iter()
                        .any(|l| within(at, *l) && within(*reset, *l))
            });
            if cleared || !reported.insert(at) {
                continue;
            }
            let class = keras.short_name();
            sink.report(
                &RULE,
                at,
                format!(
                    "Keras model `{name}` ({class}) is built and fitted anew in each iteration \
                     of this loop, which never calls `keras.backend.clear_session()`: every \
                     model stays in Keras' global state, so memory grows with each fold or trial"
                ),
            )
            .help(
                "call `keras.backend.clear_session()` (`tf.keras.backend.clear_session()`) at the \
                 start of each iteration, before the model is built",
            )
            .related(*fit, "fitted here, in the same loop");
        }
    }
}

/// The names `value` is bound to, with the identifier's span.
fn bindings_of(model: &FileModel, value: ValueId) -> impl Iterator<Item = (&str, ValueId, Span)> {
    model
        .model_bindings
        .iter()
        .filter(move |(_, bound, _)| *bound == value)
        .map(|(name, bound, at)| (name.as_str(), *bound, *at))
}

/// A Keras (or `tf.keras`) class.
fn is_keras(class: &str) -> bool {
    ["keras.", "tensorflow.keras.", "tensorflow.python.keras.", "tf_keras."]
        .iter()
        .any(|prefix| class.starts_with(prefix))
}

fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}
