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
/// one above it means the cells ran out of order. Only pairs that can change what the saved
/// notebook shows count: a cell that changes state (binds or changes a name, fits, writes)
/// against any cell that changes or shows state. Cells that do neither (imports, shell
/// commands) re-run harmlessly, and two cells that only show something (`df.head()`, a plot)
/// ran on the same state unless a state-changing cell ran between them, which is a pair of its
/// own. One finding per notebook, at the first such cell.
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let model = ctx.model;
    let holds = |spans: &[Span], start: usize, end: usize| {
        spans.iter().any(|s| s.start >= start && s.start < end)
    };
    // (count, index into cells) of the highest count so far among cells that change state,
    // and among cells that change or show state.
    let mut highest_state: Option<(i64, usize)> = None;
    let mut highest_any: Option<(i64, usize)> = None;
    let mut first: Option<(usize, usize)> = None; // (offending cell, the cell that ran later)
    let mut out_of_order = 0;
    for (index, cell) in notebook.cells.iter().enumerate() {
        // Colab exports cells it did not number as `In [0]`: no count.
        let Some(count) = cell.execution_count.filter(|&c| c > 0) else {
            continue;
        };
        let (start, end) = (cell.offset, cell.offset + cell.len);
        let changes = holds(&model.state_changes, start, end);
        let shows = holds(&model.displays, start, end);
        if !changes && !shows {
            continue;
        }
        let above = if changes { highest_any } else { highest_state };
        if let Some((top, top_index)) = above
            && count < top
        {
            out_of_order += 1;
            first.get_or_insert((index, top_index));
        }
        let raise = |h: &mut Option<(i64, usize)>| {
            if h.is_none_or(|(top, _)| count > top) {
                *h = Some((count, index));
            }
        };
        raise(&mut highest_any);
        if changes {
            raise(&mut highest_state);
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
