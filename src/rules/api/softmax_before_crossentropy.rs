use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API019",
    name: "softmax-before-crossentropy",
    family: "api",
    severity: Error,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's cross-entropy losses given a softmax output: an `nn.CrossEntropyLoss`
/// instance or `F.cross_entropy` called on `softmax(...)`, on an `nn.Softmax` module's
/// output, or on the output of an `nn.Sequential` that ends with one.
fn check(ctx: &Context, sink: &mut Sink) {
    for loss in &ctx.model.misuse.softmax_losses {
        sink.report(
            &RULE,
            loss.span,
            format!(
                "`{}` is given softmax probabilities, but it applies log-softmax itself and \
                 expects logits: the loss is softmax of softmax, its gradients shrink and \
                 training stalls",
                loss.loss
            ),
        )
        .help("pass the logits (drop the softmax); apply softmax only to report probabilities")
        .related(loss.softmax, "softmax applied here");
    }
}
