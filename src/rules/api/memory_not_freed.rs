use crate::model::{Accumulation, Event, FileModel};
use crate::rule::{Check, Context, Sink};

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
    let model = ctx.model;
    for accumulation in &model.accumulations {
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
fn backward_of(model: &FileModel, accumulation: &Accumulation) -> Option<crate::finding::Span> {
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
