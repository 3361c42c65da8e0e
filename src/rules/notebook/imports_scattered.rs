use crate::finding::Span;
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "NB004",
    name: "imports-scattered",
    family: "notebook",
    severity: Info,
    scope: Notebook,
    check: Check::File(check),
}

/// The notebook's import block is its first code cell (the first with a Python statement:
/// cells of magics, shell commands and comments only do not count) and the cells right after
/// it that only import. An import at top level in any later cell is scattered: one finding
/// per notebook, at the first, counting the others. Imports in function bodies are not
/// counted.
fn check(ctx: &Context, sink: &mut Sink) {
    if ctx.file.notebook.is_none() {
        return;
    }
    let names = &ctx.model.names;
    let cell_of = |span: &Span| ctx.file.cell_at(span.start).map_or(0, |c| c.number);
    // The cells with statements, in order, and whether each holds only imports.
    let mut cells: Vec<(usize, bool)> = Vec::new();
    for (span, import) in &names.statements {
        let cell = cell_of(span);
        match cells.last_mut() {
            Some((last, only_imports)) if *last == cell => *only_imports &= *import,
            _ => cells.push((cell, *import)),
        }
    }
    let Some(&(first_code, _)) = cells.first() else {
        return;
    };
    let header_end = cells
        .iter()
        .skip(1)
        .take_while(|(_, only_imports)| *only_imports)
        .last()
        .map_or(first_code, |(cell, _)| *cell);
    let scattered: Vec<&Span> = names
        .imports
        .iter()
        .filter(|span| cell_of(span) > header_end)
        .collect();
    let Some(first) = scattered.first() else {
        return;
    };
    // The cells of the other scattered imports, the first's own cell included when it has
    // more: "2 more imports in cells 2, 3" counts every one of them where it is.
    let mut more_cells: Vec<usize> = scattered[1..].iter().map(|s| cell_of(s)).collect();
    more_cells.dedup();
    let more = match scattered.len() - 1 {
        0 => String::new(),
        n => {
            let plural = if n == 1 { "import" } else { "imports" };
            if more_cells == [cell_of(first)] {
                format!("; {n} more {plural} in the same cell")
            } else {
                let listed: Vec<String> = more_cells.iter().take(5).map(|c| c.to_string()).collect();
                let tail = if more_cells.len() > 5 { ", ..." } else { "" };
                let cells = if more_cells.len() == 1 { "cell" } else { "cells" };
                format!("; {n} more {plural} in {cells} {}{tail}", listed.join(", "))
            }
        }
    };
    let statement = ctx
        .file
        .raw_text()
        .get(first.start..first.end)
        .and_then(|text| text.lines().next())
        .unwrap_or("")
        .trim();
    let statement = match statement.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &statement[..cut]),
        None => statement.to_string(),
    };
    sink.report(
        &RULE,
        **first,
        format!(
            "cell {} imports (`{statement}`) after the notebook's code began in cell \
             {first_code}{more}",
            cell_of(first)
        ),
    )
    .help(
        "hoist the imports into the first code cell, so the notebook's dependencies show at \
         the top and no cell depends on an import further down",
    );
}
