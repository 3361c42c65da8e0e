use crate::model::{BlockId, Event, Kind, ScopeId};
use crate::rule::{Check, Context, Sink};
use std::collections::HashSet;

crate::rule::rule! {
    code: "API002",
    name: "missing-zero-grad",
    family: "api",
    severity: Error,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's PyTorch events: an optimizer step in a loop that also runs a backward
/// pass, where nothing in that loop (nested blocks and helpers of this file included) resets
/// gradients. A helper of this file that steps is checked in the loops it is called from. A reset anywhere in the loop counts, so gradient accumulation (`zero_grad()`
/// next to a `step()` taken every k batches) is fine; so is passing the optimizer to a
/// function the analysis cannot see.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let mut reported = HashSet::new();
    for event in &model.events {
        let Event::OptimizerStep {
            optimizer,
            receiver,
            name,
            span,
            scope,
            block,
            site,
        } = event
        else {
            continue;
        };
        let Kind::Optimizer { class } = &model.value(*optimizer).kind else {
            continue;
        };
        let Some(&lp) = model.loops_around(*block).first() else {
            continue;
        };
        let inside = |s: ScopeId, b: BlockId| s == *scope && model.block_within(b, lp);
        let backward = model.events.iter().find_map(|e| match e {
            // The backward call itself, also when a helper of the loop makes it.
            Event::Backward {
                span, scope, block, ..
            } if inside(*scope, *block) => Some(*span),
            _ => None,
        });
        let Some(backward) = backward else {
            continue;
        };
        let reset = model.events.iter().any(|e| {
            matches!(e, Event::GradReset { target, certain, scope, block, .. }
                if inside(*scope, *block)
                    && (*certain || target == optimizer || target == receiver))
        });
        // A helper's step is checked in its own loop and in the loop of each call: one
        // finding per step.
        if reset || !reported.insert(*span) {
            continue;
        }
        let finding = sink
            .report(
                &RULE,
                *span,
                format!(
                    "`{name}` ({class}) steps in a loop that never resets the gradients: each \
                     `backward()` adds to the gradients of every earlier iteration, so each \
                     step follows their running sum"
                ),
            )
            .help(format!(
                "call `{name}.zero_grad()` at the start of each iteration (or right after \
                 `{name}.step()` when accumulating gradients over several batches)"
            ))
            .related(backward, "gradients accumulate here");
        if let Some(site) = site {
            finding.related(site.span, "called here, in the loop");
        }
        let made = model.value(*optimizer).span;
        if made != *span {
            finding.related(made, "optimizer created here");
        }
    }
}
