use super::helpers::{self, fit_name, model_fits, time_axis};
use crate::finding::Span;
use crate::model::{Fact, Tag};
use crate::rule::{Check, Context, Sink};
use std::collections::BTreeMap;

crate::rule::rule! {
    code: "SKEW008",
    name: "wall-clock-in-feature",
    family: "skew",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the lineage of every model fit's features: a named column that carries a wall-clock
/// fact (the model builder records one at `datetime.now()`, `pd.Timestamp.today()`,
/// `time.time()`, ...) and was computed from a column of the rows, in a file whose rows have a
/// time axis. One finding per clock read, at the read, naming the columns it reaches.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if !model.facts.iter().any(|f| f.tag == Tag::WallClock) {
        return;
    }
    // Without a timestamp on the rows there is no event time to measure from instead.
    let Some((time_column, time_span)) = time_axis(model) else {
        return;
    };
    let mut found: BTreeMap<usize, Found> = BTreeMap::new();
    for fit in &model_fits(model) {
        for lineage in model.facts_tagged(fit.x, Tag::WallClock) {
            // A named feature computed from the row's own values (`now - df["dob"]`); a
            // constant column (`df["run_date"] = today`) is the same for every row.
            let Some(column) = lineage.column else {
                continue;
            };
            if column.bases.is_empty() {
                continue;
            }
            let entry = found
                .entry(helpers::fact_index(model, lineage.fact))
                .or_insert_with(|| Found {
                    fact: lineage.fact,
                    columns: Vec::new(),
                    bases: Vec::new(),
                    fit_span: fit.span,
                    fit: fit_name(model, &ctx.file.text, fit),
                });
            if !entry.columns.contains(&column.name) {
                entry.columns.push(column.name.clone());
            }
            for base in &column.bases {
                if entry.bases.len() < 3 && !entry.bases.iter().any(|b| b == &**base) {
                    entry.bases.push(base.to_string());
                }
            }
        }
    }
    for found in found.values() {
        report(ctx, sink, found, &time_column, time_span);
    }
}

struct Found<'m> {
    fact: &'m Fact,
    /// The feature columns it reaches.
    columns: Vec<String>,
    /// Columns of the rows it is combined with (the first few).
    bases: Vec<String>,
    fit_span: Span,
    fit: String,
}

fn report(ctx: &Context, sink: &mut Sink, found: &Found, time_column: &str, time_span: Span) {
    let (columns, is) = helpers::columns_phrase(&found.columns, None);
    let clock = &found.fact.text;
    let bases = found
        .bases
        .iter()
        .map(|b| format!("`{b}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!(
        "{columns} {is} computed from `{clock}` ({}) and {bases}, and reach{} the features of \
         `{}` ({}): each training row measures from the day training runs, while serving \
         measures from the request time",
        ctx.describe(found.fact.span),
        if is == "is" { "es" } else { "" },
        found.fit,
        ctx.describe(found.fit_span),
    );
    let help = format!(
        "measure from each row's own time (`{time_column}`) instead of the clock, or pass the \
         reference time in as a parameter that training sets per row and serving sets to the \
         request time"
    );
    sink.report(&RULE, found.fact.span, message)
        .help(help)
        .related(found.fit_span, "the model learns from it here")
        .related(time_span, "the rows have their own time here");
}
