use crate::finding::Severity;
use crate::ml::Category;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "LEAK001",
    name: "preprocessing-before-split",
    family: "leakage",
    severity: Error,
    also: [Warning],
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
    // Held-out rows that are only scored (a submission) are SKEW003's.
    for fit in model.statistic_fits().into_iter().filter(|f| f.held_out.evaluated) {
        let (leak, category, x_text, span) = (fit.held_out, fit.category, fit.x_text, &fit.span);
        let severity = match category {
            Category::SupervisedTransformer => Severity::Error,
            _ => Severity::Warning,
        };
        let name = fit.transformer.short_name().to_string();
        let split = super::evaluation::describe_split(ctx, leak.split);
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
            .related(leak.predict_span, "evaluated on the test part here");
    }
}

