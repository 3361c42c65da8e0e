use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API006",
    name: "chained-indexing-assignment",
    family: "api",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's assignments through two indexing steps on a known pandas object
/// (`df[a][b] = v`, `df.loc[i][c] = v`, `df[c].iloc[i] = v`).
fn check(ctx: &Context, sink: &mut Sink) {
    for assignment in &ctx.model.misuse.chained_assignments {
        sink.report(
            &RULE,
            assignment.span,
            format!(
                "`{}` assigns through chained indexing of `{}`: the first index may return a \
                 copy, and with copy-on-write (pandas 3) it always does, so `{}` is not changed",
                ctx.snippet(assignment.span),
                assignment.frame,
                assignment.frame
            ),
        )
        .help(format!(
            "index once: `{}.loc[rows, column] = value` (`.iloc` for positions)",
            assignment.frame
        ));
    }
}
