use crate::finding::Span;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "NB001",
    name: "non-linear-execution",
    family: "notebook",
    severity: Warning,
    scope: Notebook,
    check: Check::File(check),
}

/// Compares the saved `execution_count` of code cells in document order: a count lower than
/// one above it means the cells ran out of order. Cells that change no state (imports, shell
/// commands, display and plots) re-run harmlessly and are left out. One finding per notebook,
/// at the first such cell.
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let mut highest: Option<(i64, usize)> = None; // (count, index into cells)
    let mut first: Option<(usize, usize)> = None; // (offending cell, the cell that ran later)
    let mut out_of_order = 0;
    for (index, cell) in notebook.cells.iter().enumerate() {
        let Some(count) = cell.execution_count else {
            continue;
        };
        let (start, end) = (cell.offset, cell.offset + cell.len);
        let changes = ctx
            .model
            .state_changes
            .iter()
            .any(|span| span.start >= start && span.start < end);
        if !changes {
            continue;
        }
        match highest {
            Some((top, top_index)) if count < top => {
                out_of_order += 1;
                first.get_or_insert((index, top_index));
            }
            _ => highest = Some((count, index)),
        }
    }
    let Some((index, later)) = first else { return };
    let cell = &notebook.cells[index];
    let above = &notebook.cells[later];
    let first_line_end = ctx.file.text[cell.offset..cell.offset + cell.len]
        .find('\n')
        .map_or(cell.offset + cell.len, |n| cell.offset + n);
    let others = match out_of_order {
        1 => String::new(),
        2 => "; 1 more cell is out of order".to_string(),
        n => format!("; {} more cells are out of order", n - 1),
    };
    sink.report(
        &RULE,
        Span::new(cell.offset, first_line_end),
        format!(
            "cell {} ran as In [{}], before cell {} above it (In [{}]): the saved notebook was \
             not run top to bottom, so Restart & Run All may not reproduce its results{others}",
            cell.number,
            cell.execution_count.unwrap_or_default(),
            above.number,
            above.execution_count.unwrap_or_default(),
        ),
    )
    .help("restart the kernel and run all cells before committing, or strip outputs in pre-commit")
    .related(Span::new(above.offset, above.offset), "ran later");
}
