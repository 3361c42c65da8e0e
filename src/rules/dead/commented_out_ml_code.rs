use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "DEAD002",
    name: "commented-out-ml-code",
    family: "dead",
    severity: Info,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's code comments: runs of three or more consecutive comment lines that,
/// uncommented and dedented, parse as Python without a syntax error and call ML code (a fit
/// or predict method, a data reader, a splitter, an estimator class). One finding per run.
fn check(ctx: &Context, sink: &mut Sink) {
    for block in &ctx.model.dead.code_comments {
        let calls = block
            .calls
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.report(
            &RULE,
            block.span,
            format!(
                "{} commented-out lines of ML code (calling {calls}): an old experiment kept in \
                 the file, which no test runs and no reader can tell apart from the live path",
                block.lines
            ),
        )
        .help(
            "delete the block (version control keeps the history); an alternative worth keeping \
             belongs behind a config option, and an experiment's result in an experiment log",
        );
    }
}
