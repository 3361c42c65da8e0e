use crate::finding::Span;
use crate::ml;
use crate::model::{Event, FileModel, Kind, SplitKind, Tag, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "LEAK006",
    name: "random-split-on-temporal-data",
    family: "leakage",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// How many values a walk down one split input's ancestry visits at most.
const WALK_LIMIT: usize = 4096;
/// How many random splits of a file are checked.
const SPLIT_LIMIT: usize = 64;

/// A shuffling split (`train_test_split`, `KFold(shuffle=True)`, `ShuffleSplit`, `df.sample`)
/// of rows that are a time series the model forecasts: derived from a frame with a parsed date
/// column, sorted or indexed by a date and carrying lag or rolling features of those ordered
/// rows, or holding a later value of the series (`shift(-1)`, usually the target). A date
/// that is only an attribute of each row (trips, transactions, loans scored one by one) does
/// not make the rows a time series, sorted or not; an aggregation per entity
/// (`groupby(...).agg(...)`) makes new rows, and the walk does not go through it.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let dates: HashSet<&str> = model
        .temporal
        .iter()
        .filter(|(_, _, what)| is_date_evidence(what))
        .map(|(name, _, _)| name.as_str())
        .collect();
    if dates.is_empty() {
        return;
    }
    let mut evidence: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (index, (_, span, _)) in model.temporal.iter().enumerate() {
        evidence.entry((span.start, span.end)).or_default().push(index);
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut reported: HashSet<usize> = HashSet::new();
    for candidate in random_splits(model).into_iter().take(SPLIT_LIMIT) {
        if reported.contains(&candidate.event)
            || !seen.insert((candidate.span.start, candidate.span.end))
        {
            continue;
        }
        let inputs: Vec<ValueId> = candidate.inputs.iter().take(2).copied().collect();
        let found = time_order(model, &inputs, &evidence, &dates);
        if let Some(order) = found {
            reported.insert(candidate.event);
            report(ctx, sink, &candidate, &order);
        }
    }
}

fn is_date_evidence(what: &str) -> bool {
    what.starts_with("parsed") || what.starts_with("converted") || what == "used as a date"
}

/// A split that shuffles rows.
struct RandomSplit<'m> {
    /// `train_test_split`, `KFold(shuffle=True)`, ...
    splitter: String,
    inputs: Vec<ValueId>,
    span: Span,
    /// The source text of the data argument of the call at `span`.
    data_text: Option<&'m str>,
    /// The event that splits (the body's event for a replayed one).
    event: usize,
}

fn random_splits(model: &FileModel) -> Vec<RandomSplit<'_>> {
    let mut out = Vec::new();
    for split in &model.splits {
        if !split.shuffled
            || split.grouped
            || !matches!(split.kind, SplitKind::Function | SplitKind::Sample)
        {
            continue;
        }
        let function = split.function.strip_suffix(".split").unwrap_or(&split.function);
        let short = function.rsplit('.').next().unwrap_or(function);
        let splitter = match short {
            "KFold" | "StratifiedKFold" => format!("{short}(shuffle=True)"),
            "sample" => "sample".to_string(),
            _ => short.to_string(),
        };
        out.push(RandomSplit {
            splitter,
            inputs: split.inputs.clone(),
            span: split.span,
            data_text: split.data_text.as_deref(),
            event: model.replay_of(split.event).map_or(split.event, |(_, body)| body),
        });
    }
    for &(event, cv) in &model.cross_val_cv {
        let Event::CrossVal {
            x: Some(x),
            y,
            x_text,
            span,
            ..
        } = &model.events[event]
        else {
            continue;
        };
        let Some(splitter) = model.estimator(cv) else {
            continue;
        };
        let Some(info) = ml::splitter_info(&splitter.class) else {
            continue;
        };
        let shuffled = info.always_shuffled || (info.shuffle_flag && splitter.shuffled);
        if !shuffled || info.grouped {
            continue;
        }
        let name = splitter.short_name();
        out.push(RandomSplit {
            splitter: if info.shuffle_flag {
                format!("{name}(shuffle=True)")
            } else {
                name.to_string()
            },
            inputs: std::iter::once(*x).chain(*y).collect(),
            span: *span,
            data_text: x_text.as_deref(),
            event: model.replay_of(event).map_or(event, |(_, body)| body),
        });
    }
    out
}

/// Why a value's rows are a time series the model forecasts: entries of
/// `FileModel::temporal`, and a lag of the ordered rows or a later value of the series.
struct TimeOrder {
    /// The date column's evidence (parsed, converted, used as a date).
    date: usize,
    /// Sorted or indexed by a date column.
    order: Option<usize>,
    /// A lag or rolling feature of the ordered rows (its column name if known).
    lag: Option<(Option<String>, Span)>,
    /// A later value of the series (`shift(-1)`), the usual forecasting target.
    ahead: Option<(Option<String>, Span)>,
}

/// Walks down the values `input` derives from (not through group aggregations, which make one
/// row per group, nor through estimators) and looks for a parsed date, then for the evidence
/// that the rows are one series (or one series per entity) the model forecasts: the rows are
/// sorted or indexed by the date and carry lag or rolling features computed after that order,
/// or the data holds a later value of the series (`shift(-1)`). A date alone, an order alone
/// (transactions sorted for a plot), or the gap between an entity's events (`diff` of the
/// timestamp itself) describe independent records, not a series.
fn time_order(
    model: &FileModel,
    inputs: &[ValueId],
    evidence: &HashMap<(usize, usize), Vec<usize>>,
    dates: &HashSet<&str>,
) -> Option<TimeOrder> {
    let mut visited: HashSet<ValueId> = HashSet::new();
    let mut stack: Vec<ValueId> = inputs.to_vec();
    let mut date: Option<usize> = None;
    let mut order: Option<usize> = None;
    let mut ordered: HashSet<ValueId> = HashSet::new();
    let mut dated: Vec<usize> = Vec::new();
    while let Some(current) = stack.pop() {
        if !visited.insert(current) || visited.len() > WALK_LIMIT {
            continue;
        }
        let value = model.value(current);
        if matches!(
            value.kind,
            Kind::GroupBy { .. } | Kind::Estimator(_) | Kind::Import(_) | Kind::Function(_)
        ) {
            continue;
        }
        if let Some(entries) = evidence.get(&(value.span.start, value.span.end)) {
            for &entry in entries {
                let (name, _, what) = &model.temporal[entry];
                if is_date_evidence(what) {
                    date.get_or_insert(entry);
                    dated.push(entry);
                } else if dates.contains(name.as_str()) {
                    order.get_or_insert(entry);
                    ordered.insert(current);
                }
            }
        }
        stack.extend(value.inputs.iter().copied());
    }
    let date = date?;
    let facts = |tag: Tag| {
        inputs
            .iter()
            .flat_map(move |&input| model.facts_tagged(input, tag))
            .filter(|l| visited.contains(&l.fact.source))
    };
    let lag = facts(Tag::Lag)
        .find(|l| {
            is_lag_operation(&l.fact.text)
                && !l.fact.column.as_deref().is_some_and(|c| dates.contains(c))
                && model.derives_from(l.fact.source, |v| ordered.contains(&v))
        })
        .map(|l| (l.column.map(|c| c.name.clone()), l.fact.span));
    let ahead = facts(Tag::Future)
        .find(|l| {
            is_lead_operation(&l.fact.text)
                && !l.fact.column.as_deref().is_some_and(|c| dates.contains(c))
        })
        .map(|l| (l.fact.column.clone(), l.fact.span));
    if lag.is_none() && ahead.is_none() {
        return None;
    }
    // Name the date column the rows are ordered by, with its own date evidence (on these
    // rows when the walk met it).
    let date = order
        .and_then(|o| {
            let column = &model.temporal[o].0;
            dated
                .iter()
                .copied()
                .find(|&d| &model.temporal[d].0 == column)
                .or_else(|| {
                    model
                        .temporal
                        .iter()
                        .position(|(name, _, what)| name == column && is_date_evidence(what))
                })
        })
        .unwrap_or(date);
    Some(TimeOrder {
        date,
        order,
        lag,
        ahead,
    })
}

/// A later value of a series: `shift(-k)`, `diff(-k)`, `pct_change(-k)`.
fn is_lead_operation(text: &str) -> bool {
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    [".shift(-", ".diff(-", ".pct_change(-", "periods=-"]
        .iter()
        .any(|op| flat.contains(op))
}

/// Lags, differences and windows over earlier rows; not forward fills and running totals,
/// which are common on data that is not a time series.
fn is_lag_operation(text: &str) -> bool {
    [
        ".shift(",
        ".diff(",
        ".pct_change(",
        ".rolling(",
        ".ewm(",
        ".expanding(",
    ]
    .iter()
    .any(|op| text.contains(op))
}

fn report(ctx: &Context, sink: &mut Sink, split: &RandomSplit, order: &TimeOrder) {
    let model = ctx.model;
    let data = split.data_text.unwrap_or("the data");
    let (column, date_at, what) = &model.temporal[order.date];
    let mut why = vec![format!("`{column}` {what}, {}", ctx.describe(*date_at))];
    if let Some(o) = order.order {
        let (by, at, how) = &model.temporal[o];
        why.push(format!("{how} `{by}`, {}", ctx.describe(*at)));
    }
    if let Some((name, at)) = &order.lag {
        why.push(match name {
            Some(name) => format!("lag features such as `{name}`, {}", ctx.describe(*at)),
            None => format!("lag features, {}", ctx.describe(*at)),
        });
    }
    if let Some((name, at)) = &order.ahead {
        why.push(match name {
            Some(name) => format!("a later value of `{name}`, {}", ctx.describe(*at)),
            None => format!("a later value of the series, {}", ctx.describe(*at)),
        });
    }
    let message = format!(
        "`{}` shuffles `{data}`, whose rows are ordered in time ({}): the model is trained on \
         rows that come after the ones it is tested on",
        split.splitter,
        why.join("; "),
    );
    let finding = sink
        .report(&RULE, split.span, message)
        .help(
            "split by time: `TimeSeriesSplit`, `train_test_split(..., shuffle=False)` on sorted \
             rows, or a cut-off date",
        )
        .related(*date_at, "the time column");
    if let Some((_, at)) = order.lag {
        finding.related(at, "lag feature computed here");
    }
    if let Some((_, at)) = order.ahead {
        finding.related(at, "later value of the series taken here");
    }
}
