use crate::finding::Severity;
use crate::model::Event;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API008",
    name: "merge-parameters-implicit",
    family: "api",
    severity: Info,
    also: [Warning],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's merges without join keys (`pd.merge(a, b)`, `a.merge(b)` on a known
/// frame); a warning when the merged frame reaches a model's `fit`.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    for merge in &model.misuse.implicit_merges {
        let fit = model.events.iter().find_map(|event| match event {
            Event::Fit { x, y, span, .. } => [*x, *y]
                .into_iter()
                .flatten()
                .any(|v| model.derives_from(v, |d| d == merge.output))
                .then_some(*span),
            _ => None,
        });
        let finding = sink
            .report(
                &RULE,
                merge.span,
                format!(
                    "`{}` merges on whatever columns the two frames happen to share: a new \
                     shared column changes the keys, and duplicated keys multiply rows silently",
                    ctx.snippet(merge.span)
                ),
            )
            .help(
                "name the keys and the expected cardinality: `a.merge(b, on=\"id\", \
                 how=\"left\", validate=\"many_to_one\")`",
            );
        if let Some(fit) = fit {
            finding
                .severity(Severity::Warning)
                .related(fit, "the merged rows are fitted here");
        }
    }
}
