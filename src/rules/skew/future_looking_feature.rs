use super::helpers::{
    self, FitSite, applied_to_other_rows, fit_name, model_fits, operation, overlap, time_axis,
};
use crate::finding::{Severity, Span};
use crate::model::{Fact, FileModel, Lineage, Tag};
use crate::rule::{Check, Context, Sink};
use std::collections::BTreeMap;

crate::rule::rule! {
    code: "SKEW002",
    name: "future-looking-feature",
    family: "skew",
    severity: Error,
    also: [Warning],
    scope: File,
    check: Check::File(check),
}

/// Reads the lineage of every model fit's features: a column carrying a future-looking fact
/// (negative shift, centred window, back-fill) is an error; a group statistic over an
/// entity's whole history, on data with a time axis, a warning. One finding per operation,
/// at the operation, naming the columns it reaches.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let Some((time_column, time_span)) = time_axis(model) else {
        // Without a time axis, "later rows" are only neighbours in the file: the next token
        // of a sentence, the next sample of a spectrum, known when the model predicts.
        return;
    };
    let fits = model_fits(model);
    if fits.is_empty() {
        return;
    }
    let source = ctx.file.text.as_str();
    let evaluated = model.reaches_metric();
    let mut found: BTreeMap<usize, Found> = BTreeMap::new();
    let mut column_facts = None;
    for fit in &fits {
        for lineage in model.lineage(fit.x) {
            let fact = lineage.fact;
            if !matches!(fact.tag, Tag::Future | Tag::Agg)
                || (fact.tag == Tag::Agg && helpers::of_the_label(model, fit, fact))
            {
                continue;
            }
            // A shifted column may be the label (`df["next"] = df["y"].shift(-1)`): it is a
            // feature only if the features certainly hold it.
            if !helpers::certainly_in(model, fit.x, &lineage) {
                let named = column_facts.get_or_insert_with(|| helpers::column_facts(model));
                if helpers::fact_id(model, fact).is_some_and(|id| named.contains(&id)) {
                    continue;
                }
            }
            let severity = match fact.tag {
                Tag::Future => Severity::Error,
                Tag::Agg if whole_history(model, source, evaluated, fit, fact) => {
                    Severity::Warning
                }
                _ => continue,
            };
            let entry = found
                .entry(helpers::fact_index(model, fact))
                .or_insert_with(|| Found {
                    fact,
                    severity,
                    columns: Vec::new(),
                    fit_span: fit.span,
                    fit: fit_name(model, source, fit),
                });
            if let Some(name) = column_name(model, fit, &lineage)
                && !entry.columns.contains(&name)
            {
                entry.columns.push(name);
            }
        }
    }
    for found in found.values() {
        report(ctx, sink, found, &time_column, time_span);
    }
}

struct Found<'m> {
    fact: &'m Fact,
    severity: Severity,
    /// The feature columns it reaches.
    columns: Vec<String>,
    fit_span: Span,
    fit: String,
}

fn report(ctx: &Context, sink: &mut Sink, found: &Found, time_column: &str, time_span: Span) {
    let (span, op) = operation(&ctx.file.text, found.fact);
    let assigned: Vec<String> = if found.columns.is_empty() {
        helpers::assigned_name(ctx.model, &ctx.file.text, found.fact)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let named = if found.columns.is_empty() { &assigned } else { &found.columns };
    let (columns, is) = helpers::columns_phrase(named, helpers::frame_name(&ctx.file.text, found.fact));
    let fit = format!("`{}` ({})", found.fit, ctx.describe(found.fit_span));
    let reaches = if is == "is" { "reaches" } else { "reach" };
    let message = match found.severity {
        Severity::Error => format!(
            "{columns} {is} built with `{op}` ({}), which reads later rows, and {reaches} the \
             features of {fit}: when the model predicts, those rows do not exist yet",
            ctx.describe(span)
        ),
        _ => format!(
            "{columns} {is} `{op}` ({}), a statistic over each group's whole history, later \
             rows included, and {reaches} the features of {fit}: when the model predicts, only \
             the past is known",
            ctx.describe(span)
        ),
    };
    let help = match found.severity {
        Severity::Error => "build features from earlier rows only (`shift(k)` with k > 0, \
                            trailing windows, `ffill`); a negative shift belongs in the target"
            .to_string(),
        _ => format!(
            "bound the statistic in time: past rows only (`transform(lambda s: s.shift(1).expanding().mean())`) \
             or an earlier period mapped onto later rows; `{time_column}` orders the rows"
        ),
    };
    sink.report(&RULE, span, message)
        .severity(found.severity)
        .help(help)
        .related(found.fit_span, "the model learns from it here")
        .related(time_span, "the rows are ordered in time here");
}

/// A group statistic over whole entity histories: grouped by keys none of which is a time, a
/// statistic that is not past-only, put back on rows that include the rows the model learns
/// from.
/// Statistics that SKEW003 reports (computed before a split, then applied to the held-out
/// rows) are left to it: one finding for one line.
fn whole_history(
    model: &FileModel,
    source: &str,
    evaluated: &[bool],
    fit: &FitSite,
    fact: &Fact,
) -> bool {
    if fact.keys.is_empty()
        || fact.keys.iter().any(|k| {
            // A key the file uses as a time: parsed or converted to dates. Sorting by a key
            // alone does not make it a time (`sort_values(["customer_id", "ordered_at"])`).
            helpers::names_a_time(k)
                || model.temporal.iter().any(|(name, _, what)| {
                    name == k && !(what.starts_with("sorted") || what.starts_with("indexed"))
                })
        })
    {
        return false;
    }
    let Some(statistic) = helpers::statistic(source, fact) else {
        return false;
    };
    if helpers::past_only(&statistic)
        || helpers::ranks_time_forward(source, fact, &statistic)
        || !overlap(fact.rows, model.rows(fit.x))
    {
        return false;
    }
    // Broadcast back onto the rows it summarises (`transform`, a map or merge onto the same
    // table). A table of one row per group (`rfm = tx.groupby("customer").agg(...)`) is
    // learnt from as it is: its rows are the groups, each summarised as of the data's end.
    let rows_table = helpers::table_of(model, fit.x);
    if rows_table.is_none() || rows_table != helpers::table_of(model, fact.source) {
        return false;
    }
    let skew003 = helpers::row_statistic(source, fact).is_some()
        && applied_to_other_rows(model, evaluated, fit, fact).is_some();
    !skew003
}

/// The feature column that carries the fact: the frame's column, or the series' own name.
fn column_name(model: &FileModel, fit: &FitSite, lineage: &Lineage) -> Option<String> {
    if let Some(column) = lineage.column {
        return Some(column.name.clone());
    }
    model.column_name(fit.x).map(str::to_string)
}
