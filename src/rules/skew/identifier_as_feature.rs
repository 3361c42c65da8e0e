use super::helpers::{fit_name, model_fits};
use crate::ml;
use crate::model::{Selection, Tag};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "SKEW010",
    name: "identifier-as-feature",
    family: "skew",
    severity: Info,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the named columns of every tree or linear model fit's features: a column named as an
/// identifier (`customer_id`, `ID`, `PassengerId`, the `index` that `reset_index()` adds) that
/// the model sees, unless a pipeline routes it through an encoder of categories or the code
/// declares it a category (`astype("category")`, `categorical_feature=`). Open frames
/// say nothing about their unnamed columns, so only columns the model knows are judged. One
/// finding per column, at the first fit it reaches.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let mut reported: Vec<&str> = Vec::new();
    for fit in &model_fits(model) {
        if !model.tree_or_linear_model(fit.estimator) {
            continue;
        }
        let Some(columns) = model.columns(fit.x) else {
            continue;
        };
        let label = model.label_columns(fit.y);
        let selection = model.column_selection(fit.estimator);
        // Ids that key the features' lags and group statistics (`groupby("item_id")["sales"]
        // .shift(7)`): the model forecasts those series, and every id it serves is one it saw.
        let series: Vec<&str> = columns
            .known
            .iter()
            .flat_map(|c| c.facts.iter())
            .map(|&f| model.fact(f))
            .filter(|f| matches!(f.tag, Tag::Lag | Tag::Agg | Tag::Future))
            .flat_map(|f| f.keys.iter().map(String::as_str))
            .collect();
        for column in &columns.known {
            let name = column.name.as_str();
            if !ml::is_identifier_name(name)
                || reported.contains(&name)
                || label.iter().any(|l| l == name)
                || model.encodes_column(fit.estimator, name)
                || model.categorical.iter().any(|c| c == name)
                || series.contains(&name)
            {
                continue;
            }
            match selection {
                Selection::All => {}
                Selection::Only(names) if names.iter().any(|n| n == name) => {}
                _ => continue,
            }
            reported.push(name);
            let fit_text = fit_name(model, &ctx.file.text, fit);
            let at = ctx.describe(fit.span);
            // The positions `reset_index()` made a column of: the model learns the row order.
            let positions = name == "index" && column.span.is_some();
            let (message, help) = if positions {
                (
                    format!(
                        "`index`, the row positions `reset_index()` kept as a column, is a \
                         feature of `{fit_text}` ({at}): the model learns the order the rows \
                         were loaded in, which rows at serving time do not have"
                    ),
                    "use `reset_index(drop=True)`, or drop `index` from the features".to_string(),
                )
            } else {
                (
                    format!(
                        "`{name}` identifies rows, and is a feature of `{fit_text}` ({at}): the \
                         model learns which ids had which outcome, and ids it has not seen, \
                         which is every new one at serving time, match nothing it learnt"
                    ),
                    format!(
                        "drop `{name}` from the features; an id with few levels used on purpose \
                         goes through an encoder that handles unknown values \
                         (`OneHotEncoder(handle_unknown=\"ignore\")`)"
                    ),
                )
            };
            let finding = sink.report(&RULE, fit.span, message).help(help);
            if let Some(span) = column.span {
                finding.related(span, "the column is made here");
            }
        }
    }
}
