use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API003",
    name: "forward-called-directly",
    family: "api",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's direct `forward` calls: `module.forward(x)` where the receiver is known
/// to be a PyTorch module. `self.forward(x)` and `super().forward(x)` (a module's own code)
/// have no known module as receiver and are never recorded.
fn check(ctx: &Context, sink: &mut Sink) {
    for call in &ctx.model.misuse.forward_calls {
        let name = ctx.snippet(call.name);
        sink.report(
            &RULE,
            call.span,
            format!(
                "`{name}.forward(...)` calls the forward pass of `{name}` ({class}) directly: \
                 its forward and backward hooks do not run",
                class = call.class
            ),
        )
        .help(format!(
            "call the module itself: `{}(...)` runs `forward` with its hooks",
            name
        ));
    }
}
