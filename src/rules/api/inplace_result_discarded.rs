use crate::finding::Severity;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API007",
    name: "inplace-result-discarded",
    family: "api",
    severity: Error,
    also: [Warning, Info],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's discarded results: an expression statement that calls a pandas method
/// returning a new object on a known frame or series (without `inplace=True`), or `np.clip`
/// without `out=`. In a notebook it is a warning, and info when it ends its cell at the top
/// level: there Jupyter shows the result, which may be all the line meant to do.
fn check(ctx: &Context, sink: &mut Sink) {
    for call in &ctx.model.misuse.discarded {
        let receiver = ctx.snippet(call.receiver);
        let notebook = ctx.file.is_notebook();
        let shown = notebook && call.top_level && ends_cell(ctx, call.span.start);
        let severity = match (notebook, shown) {
            (false, _) => Severity::Error,
            (true, false) => Severity::Warning,
            (true, true) => Severity::Info,
        };
        let (what, fix) = if call.method == "np.clip" {
            (
                "`np.clip` returns a new array".to_string(),
                format!(
                    "assign the result (`{r} = np.clip({r}, ...)`) or pass `out={r}`",
                    r = receiver
                ),
            )
        } else {
            (
                format!("`{receiver}.{}(...)` returns a new object", call.method),
                format!(
                    "assign the result: `{receiver} = {receiver}.{}(...)`",
                    call.method
                ),
            )
        };
        let shown_note = if shown {
            " (the cell shows it, so this may only be a look)"
        } else {
            ""
        };
        sink.report(
            &RULE,
            call.span,
            format!(
                "{what} and leaves `{receiver}` unchanged, but the result is thrown away{shown_note}"
            ),
        )
        .help(fix)
        .severity(severity);
    }
}

/// Whether no top-level statement follows `start` in its notebook cell.
fn ends_cell(ctx: &Context, start: usize) -> bool {
    let cell = ctx.file.locate(start).cell;
    let model = ctx.model;
    !model
        .state_changes
        .iter()
        .chain(&model.displays)
        .any(|s| s.start > start && ctx.file.locate(s.start).cell == cell)
}
