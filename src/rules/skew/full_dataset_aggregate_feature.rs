use super::helpers::{
    self, AppliedTo, applied_to_other_rows, fit_name, model_fits, operation, row_statistic,
};
use crate::finding::{Severity, Span};
use crate::model::{Fact, Tag};
use crate::rule::{Check, Context, Sink};
use std::collections::BTreeMap;

crate::rule::rule! {
    code: "SKEW003",
    name: "full-dataset-aggregate-feature",
    family: "skew",
    severity: Error,
    also: [Warning],
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the lineage of every model fit's features: a row statistic (group statistic,
/// frequency, rank, data-derived bins, share of a total) computed on rows that were not split
/// yet, where the fitted model is then evaluated (error) or scored (warning) on a held-out
/// part of those rows. One finding per statistic, at the statistic.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let fits = model_fits(model);
    if fits.is_empty() {
        return;
    }
    let source = ctx.file.text.as_str();
    let evaluated = model.reaches_metric();
    let mut found: BTreeMap<usize, Found> = BTreeMap::new();
    for fit in &fits {
        for lineage in model.lineage(fit.x) {
            let fact = lineage.fact;
            if fact.tag != Tag::Agg
                || row_statistic(source, fact).is_none()
                || helpers::of_the_label(model, fit, fact)
            {
                continue;
            }
            // Not certainly a feature, and part of the label: a target encoding or a label
            // built from counts, the concern of the target rules.
            if !helpers::certainly_in(model, fit.x, &lineage)
                && fit.y != crate::model::UNKNOWN
                && helpers::carries(model, fit.y, fact)
            {
                continue;
            }
            let Some(applied) = applied_to_other_rows(model, evaluated, fit, fact) else {
                continue;
            };
            let entry = found
                .entry(helpers::fact_index(model, fact))
                .or_insert_with(|| Found {
                    fact,
                    columns: Vec::new(),
                    fit_span: fit.span,
                    fit: fit_name(model, source, fit),
                    applied: AppliedTo {
                        severity: applied.severity,
                        span: applied.span,
                    },
                });
            if applied.severity == Severity::Error && entry.applied.severity != Severity::Error {
                entry.applied = applied;
                entry.fit_span = fit.span;
                entry.fit = fit_name(model, source, fit);
            }
            let name = lineage
                .column
                .map(|c| c.name.clone())
                .or_else(|| model.column_name(fit.x).map(str::to_string));
            if let Some(name) = name
                && !entry.columns.contains(&name)
            {
                entry.columns.push(name);
            }
        }
    }
    for found in found.values() {
        report(ctx, sink, found);
    }
    transformers_over_scored_rows(ctx, sink);
}

/// A stateful transformer (scaler, imputer, PCA) fitted on rows that include rows a model then
/// only predicts for, with no evaluation on them: train.csv and test.csv concatenated for
/// preprocessing and taken apart again for a submission. The statistic is transductive, like
/// the row statistics above; when the held-out rows are evaluated it is LEAK001's.
fn transformers_over_scored_rows(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    // The rows to score were glued to the training rows for the fit (train.csv and test.csv
    // concatenated): a split of one labelled table whose held-out part goes unscored is
    // another matter.
    let fits = model
        .statistic_fits()
        .into_iter()
        .filter(|f| !f.held_out.evaluated && model.holds_glued_rows(f.x));
    for fit in fits {
        let (held_out, x_text, span) = (fit.held_out, fit.x_text, &fit.span);
        let name = fit.transformer.short_name();
        let predicted = ctx.describe(held_out.predict_span);
        let split = ctx.describe(held_out.split_span);
        sink.report(
            &RULE,
            *span,
            format!(
                "`{name}` is fitted on `{x_text}`, which holds the rows taken apart again at \
                 {split} and then only predicted for ({predicted}): fine for a leaderboard, \
                 not reproducible at inference, where new rows arrive one at a time without \
                 the others"
            ),
        )
        .severity(Severity::Warning)
        .help(format!(
            "fit `{name}` on the training rows only and apply it to the rows to predict (and \
             ship the fitted `{name}` with the model)"
        ))
        .related(held_out.split_span, "taken apart here")
        .related(held_out.predict_span, "predicts for rows the statistic saw");
    }
}

struct Found<'m> {
    fact: &'m Fact,
    columns: Vec<String>,
    fit_span: Span,
    fit: String,
    applied: AppliedTo,
}

fn report(ctx: &Context, sink: &mut Sink, found: &Found) {
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
    let applied = ctx.describe(found.applied.span);
    let frame = helpers::frame_name(&ctx.file.text, found.fact)
        .map(|f| format!(" of `{f}`"))
        .unwrap_or_default();
    let message = match found.applied.severity {
        Severity::Error => format!(
            "{columns} {is} `{op}` over all rows{frame}, held-out rows included, and the model \
             of {fit} is evaluated on those rows ({applied}): they are not unseen, and the score \
             does not carry over to new rows"
        ),
        _ => format!(
            "{columns} {is} `{op}` over all rows{frame}, including the rows the model of {fit} \
             predicts for ({applied}): fine for a leaderboard, not reproducible at inference, \
             where one new row arrives without the others"
        ),
    };
    sink.report(&RULE, span, message)
        .severity(found.applied.severity)
        .help(
            "compute the statistic on the training rows only and map it onto the other rows \
             (and ship the table with the model)",
        )
        .related(found.fit_span, "the model learns from it here")
        .related(
            found.applied.span,
            match found.applied.severity {
                Severity::Error => "evaluated on rows the statistic saw",
                _ => "predicts for rows the statistic saw",
            },
        );
}
