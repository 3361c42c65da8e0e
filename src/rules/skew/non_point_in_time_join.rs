use super::helpers::{fit_name, model_fits, names_a_time};
use crate::model::{FileModel, Join, ValueId, WarehouseRead};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "SKEW009",
    name: "non-point-in-time-join",
    family: "skew",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the joins the model builder recorded: a merge or join on keys that include no time,
/// of a frame with a timestamp (the events) with a table read from a database or warehouse
/// that either is a whole table as it is now (`SELECT *`, `read_sql_table`) or carries a time
/// column of its own (a snapshot), whose result reaches a model fit. `merge_asof` matches in
/// time and is never reported.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if model.joins.is_empty() || model.warehouse_reads.is_empty() {
        return;
    }
    let fits = model_fits(model);
    if fits.is_empty() {
        return;
    }
    for join in &model.joins {
        let Some(keys) = join.keys.as_ref().filter(|_| !join.as_of) else {
            continue;
        };
        if keys.is_empty() || keys.iter().any(|k| is_time(model, k)) {
            continue;
        }
        let Some(read) = model
            .warehouse_reads
            .iter()
            .find(|r| model.derives_from(join.right, |v| v == r.value))
        else {
            continue;
        };
        // A table made from the events themselves (an aggregate merged back) is SKEW002's
        // and SKEW003's: one finding for one line.
        let left_root = model.root_of(join.left).unwrap_or(join.left);
        if model.derives_from(join.right, |v| v == left_root || v == join.left) {
            continue;
        }
        let right_time = right_time_column(model, join, read, keys);
        if !read.whole_table && right_time.is_none() {
            continue;
        }
        let Some(event_time) = left_time_column(model, join.left) else {
            continue;
        };
        let Some(fit) = fits
            .iter()
            .find(|f| model.derives_from(f.x, |v| v == join.output))
        else {
            continue;
        };
        report(ctx, sink, join, read, keys, &event_time, right_time, fit);
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    ctx: &Context,
    sink: &mut Sink,
    join: &Join,
    read: &WarehouseRead,
    keys: &[String],
    event_time: &str,
    right_time: Option<String>,
    fit: &super::helpers::FitSite,
) {
    let keys_text = keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let table = match (&right_time, read.whole_table) {
        (Some(time), _) => format!("a table with its own time column `{time}`"),
        (None, _) => "a whole table as it is when the code runs".to_string(),
    };
    let message = format!(
        "`{}` joins rows that have a time (`{event_time}`) with {table}, read by `{}` ({}), on \
         {keys_text} only, and the result reaches the features of `{}` ({}): each past row \
         gets the table's latest values, not those it had at the row's time",
        ctx.snippet(join.span),
        read.function
            .strip_prefix("pandas.")
            .unwrap_or(&read.function),
        ctx.describe(read.span),
        fit_name(ctx.model, &ctx.file.text, fit),
        ctx.describe(fit.span),
    );
    let right_on = right_time.as_deref().unwrap_or("valid_from");
    sink.report(&RULE, join.span, message)
        .help(format!(
            "join as of each row's time: `pd.merge_asof(left.sort_values(\"{event_time}\"), \
             right.sort_values(\"{right_on}\"), left_on=\"{event_time}\", \
             right_on=\"{right_on}\", by=\"{}\")`, or a feature store's point-in-time query",
            keys[0]
        ))
        .related(read.span, "the table is read here")
        .related(fit.span, "the model learns from the joined rows here");
}

/// A key that is a time: a column the file parses or converts to dates, or named as one.
fn is_time(model: &FileModel, name: &str) -> bool {
    names_a_time(name) || model.holds_dates(name)
}

/// The time column of the joined table that is not a key: one its query selects, or one of
/// its named columns.
fn right_time_column(
    model: &FileModel,
    join: &Join,
    read: &WarehouseRead,
    keys: &[String],
) -> Option<String> {
    let from_query = read.columns.iter().flatten();
    let named = model
        .columns(join.right)
        .into_iter()
        .flat_map(|c| c.known.iter().map(|c| &c.name));
    from_query
        .chain(named)
        .find(|name| !keys.contains(name) && is_time(model, name))
        .cloned()
}

/// The timestamp column of the events frame: a named column that is a time, or one parsed
/// when the frame was read (`read_csv(..., parse_dates=["ts"])`).
fn left_time_column(model: &FileModel, left: ValueId) -> Option<String> {
    if let Some(columns) = model.columns(left)
        && let Some(column) = columns.known.iter().find(|c| is_time(model, &c.name))
    {
        return Some(column.name.clone());
    }
    let root = model.root_of(left)?;
    let read_at = model.value(root).span;
    model
        .temporal
        .iter()
        .find(|(name, span, what)| {
            (*span == read_at && !what.starts_with("indexed"))
                || (model.holds_column(left, name, None) == Some(true) && is_time(model, name))
        })
        .map(|(name, _, _)| name.clone())
}
