use crate::finding::Span;
use crate::rule::{Check, Context, Sink};
use crate::source::Cell;

crate::rule::rule! {
    code: "NB003",
    name: "committed-error-or-stale-output",
    family: "notebook",
    severity: Info,
    scope: Notebook,
    check: Check::File(check),
    preview: true,
}

/// Reads the outputs the loader kept: cells saved with an error output (the run that produced
/// the saved results failed there), and, in a notebook that was run, cells saved with outputs
/// but no execution count (still running or queued when saved, or outputs pasted in by a
/// tool). One finding per notebook, at the first such cell, counting the others.
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let errors: Vec<&Cell> = notebook
        .cells
        .iter()
        .filter(|c| c.error_output.is_some())
        .collect();
    // Colab and some exporters save no counts at all: only a notebook with counts says that
    // a cell without one did not finish.
    let counted = notebook
        .cells
        .iter()
        .any(|c| c.execution_count.is_some_and(|n| n > 0));
    let stale: Vec<&Cell> = if counted {
        notebook
            .cells
            .iter()
            .filter(|c| c.has_outputs && c.execution_count.is_none_or(|n| n <= 0))
            .filter(|c| c.error_output.is_none())
            .collect()
    } else {
        Vec::new()
    };
    let stale_note = match stale.len() {
        0 => String::new(),
        1 => format!(
            "; cell {} shows outputs without an execution count",
            stale[0].number
        ),
        n => format!("; {n} cells show outputs without an execution count"),
    };
    let (cell, message) = if let Some(first) = errors.first() {
        let (name, value) = first.error_output.clone().unwrap_or_default();
        let exception = match (name.is_empty(), value.is_empty()) {
            (true, _) => "error".to_string(),
            (false, true) => name,
            (false, false) => format!("{name}: {value}"),
        };
        let more = match errors.len() {
            1 => String::new(),
            2 => "; 1 more cell has an error output".to_string(),
            n => format!("; {} more cells have error outputs", n - 1),
        };
        (
            *first,
            format!(
                "cell {} has a committed {exception}: the saved run failed there, so the \
                 outputs below it are not what the code produces{more}{stale_note}",
                first.number
            ),
        )
    } else if let Some(first) = stale.first() {
        let more = match stale.len() {
            1 => String::new(),
            2 => "; 1 more cell too".to_string(),
            n => format!("; {} more cells too", n - 1),
        };
        (
            *first,
            format!(
                "cell {} shows outputs but has no execution count, in a notebook whose other \
                 cells have one: it was still running when saved, or its outputs were edited, \
                 so they may not come from the code as it stands{more}",
                first.number
            ),
        )
    } else {
        return;
    };
    let line_end = ctx.file.text[cell.offset..cell.offset + cell.len]
        .find('\n')
        .map_or(cell.offset + cell.len, |n| cell.offset + n);
    sink.report(&RULE, Span::new(cell.offset, line_end), message).help(
        "restart the kernel and run all cells so the notebook finishes cleanly, or clear \
         outputs before committing (nbstripout)",
    );
}
