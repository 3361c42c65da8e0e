use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API016",
    name: "log-of-unclipped-probability",
    family: "api",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's logs of probabilities: `np.log`, `torch.log`, `tf.math.log`, `math.log`
/// or `.log()` applied to a softmax, sigmoid or `predict_proba` output (or a slice of one)
/// with nothing in between; an added epsilon or a clip makes a new value and is not flagged.
fn check(ctx: &Context, sink: &mut Sink) {
    // Tests compare against the naive formula on purpose (`np.log(proba)` next to
    // `predict_log_proba`).
    if ctx.file.is_test_module() {
        return;
    }
    for log in &ctx.model.misuse.unclipped_logs {
        let activation = log.source.activation.as_str();
        let fix = match log.source.activation {
            crate::model::misuse::Activation::PredictProba => {
                "clip first (`np.log(np.clip(p, 1e-15, 1))`) or use `predict_log_proba`"
            }
            crate::model::misuse::Activation::Softmax => {
                "use `log_softmax` on the logits, or clip first (`p.clamp_min(1e-7)`)"
            }
            crate::model::misuse::Activation::Sigmoid => {
                "use `logsigmoid` on the logits (or `BCEWithLogitsLoss`), or clip first"
            }
        };
        sink.report(
            &RULE,
            log.span,
            format!(
                "`{}` takes the log of a {activation} output: a probability that underflows \
                 to 0 gives `-inf`, then NaN in the loss or the metric",
                log.function
            ),
        )
        .help(fix)
        .related(log.source.span, format!("the {activation} output is made here"));
    }
}
