//! What the skew rules share: the model fits whose features they read, the file's evidence of
//! a time axis, the operation behind a fact as the user wrote it, and the test of whether a
//! statistic saw rows the model is then applied to.

use crate::finding::{Severity, Span};
use crate::ml::Category;
use crate::model::{
    Event, Fact, FileModel, Kind, Learned, Lineage, ModelFit, Role, Tag, UNKNOWN, ValueId, rows,
};
use crate::source::trailing_run_start;

/// A place where a model learns from features: `fit` of a model or of a pipeline, or a
/// cross-validation call (which fits and evaluates on folds of the same rows).
pub(super) type FitSite<'m> = ModelFit<'m>;

/// The model fits whose features the skew rules read, in execution order: a model given a
/// label (clustering or embedding the history is an analysis of it, not a prediction made
/// when the rows arrive), a pipeline by its `fit`, and cross-validations that score. The
/// transformers' fits are left out: their output reaches a model's fit, where it is read.
pub(super) fn model_fits(model: &FileModel) -> Vec<FitSite<'_>> {
    model
        .model_fits()
        .into_iter()
        .filter(|f| f.x != UNKNOWN)
        .filter(|f| match f.learned {
            Learned::CrossVal { predicts } => !predicts,
            learned => {
                f.y != UNKNOWN
                    && match f.category {
                        Category::Model => true,
                        Category::Composite => learned == Learned::Fit,
                        _ => false,
                    }
            }
        })
        .collect()
}

/// How the fit reads in a message: `model.fit` (the receiver as written), `Ridge(...).fit`,
/// or the cross-validation function.
pub(super) fn fit_name(model: &FileModel, source: &str, fit: &FitSite) -> String {
    let text = source.get(fit.span.start..fit.span.end).unwrap_or("");
    let text: String = text.split_whitespace().collect();
    let class = || {
        model
            .estimator(fit.estimator)
            .map_or("model", |e| e.short_name())
            .to_string()
    };
    if fit.cross_val() {
        let function = text.split('(').next().unwrap_or("");
        return function.rsplit('.').next().unwrap_or(function).to_string();
    }
    let Some(dot) = text.rfind(".fit(").or_else(|| text.rfind(".partial_fit(")) else {
        // A library's training function (`lgb.train(params, dtrain)`): the call as written.
        let callee = text.split('(').next().unwrap_or("");
        let written = !callee.is_empty()
            && callee.len() <= 40
            && callee
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if written && text.contains('(') {
            return callee.to_string();
        }
        return format!("{}.fit", class());
    };
    let receiver = &text[..dot];
    let method = text[dot + 1..].split('(').next().unwrap_or("fit");
    let simple = !receiver.is_empty()
        && receiver.len() <= 40
        && receiver
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if simple {
        format!("{receiver}.{method}")
    } else {
        format!("{}(...).{method}", class())
    }
}

/// The column a fact's operation is assigned to (`df["n"] = df.groupby(...)...`,
/// `assign(n=...)`), for messages when the features name no column. One pass over the frames
/// of the file; only called for a finding.
pub(super) fn assigned_name(model: &FileModel, source: &str, fact: &Fact) -> Option<String> {
    let index = fact_id(model, fact)?;
    let mut seen = std::collections::HashSet::new();
    let mut carrying = None;
    for value in &model.values {
        let Some(columns) = value.columns.as_deref() else {
            continue;
        };
        if !seen.insert(columns as *const _) {
            continue;
        }
        for column in &columns.known {
            let Some(span) = column.span else {
                continue;
            };
            if !column.facts.contains(&index) {
                continue;
            }
            let contains = span.start <= fact.span.start && fact.span.end <= span.end;
            let right_after = span.end <= fact.span.start
                && source.get(span.end..fact.span.start).is_some_and(|gap| {
                    gap.chars()
                        .all(|c| c.is_whitespace() || c == '=' || c == '(')
                });
            if contains || right_after {
                return Some(column.name.clone());
            }
            // Else the first column assigned from it (`df["t"] = df["t"].fillna(median)`).
            carrying.get_or_insert_with(|| column.name.clone());
        }
    }
    carrying
}

/// `column `a`` or `columns `a`, `b``, with the verb that agrees.
pub(super) fn columns_phrase(columns: &[String], frame: Option<String>) -> (String, &'static str) {
    match columns {
        [] => match frame {
            Some(frame) => (format!("the columns of `{frame}`"), "are"),
            None => ("a feature".to_string(), "is"),
        },
        [one] => (format!("column `{one}`"), "is"),
        many => (
            format!(
                "columns {}",
                many.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "are",
        ),
    }
}

/// Where the file shows that its rows are ordered in time: a column parsed or converted to
/// dates or used through `.dt`, rows sorted or indexed by a column whose name says it is a
/// time, a column named like a timestamp (`date`, `order_ts`, `created_at`), or market data
/// loaded from a library that returns a time index.
pub(super) fn time_axis(model: &FileModel) -> Option<(String, Span)> {
    let declared = model.temporal.iter().find(|(name, _, what)| {
        !(what.starts_with("sorted") || what.starts_with("indexed")) || names_a_time(name)
    });
    if let Some((name, span, _)) = declared {
        return Some((name.clone(), *span));
    }
    let named = model.values.iter().find_map(|v| match &v.kind {
        Kind::Column { name } if names_a_timestamp(name) => Some((name.clone(), v.span)),
        _ => None,
    });
    if named.is_some() {
        return named;
    }
    model.values.iter().find_map(|v| match &v.kind {
        Kind::Import(module)
            if ["yfinance", "pandas_datareader"]
                .iter()
                .any(|m| module == m || module.starts_with(&format!("{m}."))) =>
        {
            Some(("the index".to_string(), v.span))
        }
        _ => None,
    })
}

/// A column name that can only be a point in time (`date`, `timestamp`, `order_ts`,
/// `created_at`), unlike calendar parts (`hour`, `month`) that are often plain attributes.
fn names_a_timestamp(name: &str) -> bool {
    let words = split_words(name);
    let lower = name.to_ascii_lowercase();
    // `time` alone is a timestamp; `travel_time` is a duration.
    matches!(lower.as_str(), "ds" | "dt" | "ts" | "time")
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "date" | "datetime" | "timestamp" | "ts" | "dates"
            )
        })
        || (words.len() > 1 && words.last().is_some_and(|w| w == "at"))
}

/// Whether a column name says it holds a time (`date`, `order_ts`, `created_at`, `Month`).
pub(super) fn names_a_time(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "ds" | "dt" | "ts" | "t") {
        return true;
    }
    let words: Vec<String> = split_words(name);
    words.iter().enumerate().any(|(i, w)| {
        matches!(
            w.as_str(),
            "date"
                | "datetime"
                | "dates"
                | "time"
                | "timestamp"
                | "ts"
                | "day"
                | "week"
                | "month"
                | "year"
                | "hour"
                | "minute"
                | "period"
                | "quarter"
        ) || (w == "at" && i > 0 && i == words.len() - 1)
    })
}

/// Words of an identifier, split on `_`, digits and camelCase, lowercased.
fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphabetic() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The operation of a fact as written, and its span: the part of the call chain from the
/// method that makes the fact (`shift(-1)`, `rolling(24, center=True)`, `groupby("ip")["app"].transform("count")`).
pub(super) fn operation(source: &str, fact: &Fact) -> (Span, String) {
    let whole = source.get(fact.span.start..fact.span.end).unwrap_or("");
    let keywords: &[&str] = match fact.tag {
        Tag::Future => &[
            "shift(",
            "diff(",
            "bfill(",
            "backfill(",
            "fillna(",
            "rolling(",
        ],
        _ => &["groupby("],
    };
    let whole_fits = fact.tag == Tag::Agg && fact.keys.is_empty() && whole.len() <= 70;
    let start = keywords
        .iter()
        .filter_map(|k| last_method(whole, k))
        .max()
        .or_else(|| (!whole_fits).then(|| last_call(whole)).flatten())
        .unwrap_or(0);
    let end = match fact.tag {
        // The op is the call named by the keyword; what follows it is another statistic.
        Tag::Future => close_of(whole, start).map_or(whole.len(), |e| e + 1),
        _ => whole.len(),
    };
    let text = whole[start..end]
        .replace("\\\n", " ")
        .replace("\\\r\n", " ");
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" .", ".");
    let text = if text.chars().count() > 70 {
        let cut: String = text.chars().take(67).collect();
        format!("{cut}...")
    } else {
        text
    };
    (
        Span::new(fact.span.start + start, fact.span.start + end),
        text,
    )
}

/// The variable a statistic ran on, as written at its start (`loans` in
/// `loans["state"].value_counts()` and in `pd.qcut(loans["dti"], 10)`).
pub(super) fn frame_name(source: &str, fact: &Fact) -> Option<String> {
    let whole = source.get(fact.span.start..fact.span.end)?.trim_start();
    let whole = ["pd.", "pandas.", "np.", "numpy."]
        .iter()
        .find_map(|m| whole.strip_prefix(m))
        .and_then(|rest| rest.split_once('(').map(|(_, args)| args.trim_start()))
        .unwrap_or(whole);
    let name: String = whole
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// The offset of the last `.keyword` method call in `text` (after the dot).
fn last_method(text: &str, keyword: &str) -> Option<usize> {
    text.match_indices(keyword)
        .filter(|(at, _)| *at > 0 && text[..*at].trim_end().ends_with('.'))
        .map(|(at, _)| at)
        .last()
}

/// The offset of the name of the outermost call's method or function (`qcut` in
/// `pd.qcut(...)`, `value_counts` in `df[k].value_counts()`).
fn last_call(text: &str) -> Option<usize> {
    let open = open_of_last_call(text)?;
    let before = text[..open].trim_end();
    let name_start = trailing_run_start(before, is_name_char);
    // `pd.qcut(...)`: show the module too.
    let module_start = before[..name_start]
        .strip_suffix('.')
        .map(|head| trailing_run_start(head, is_name_char))
        .filter(|&m| {
            let module = &before[m..name_start - 1];
            matches!(module, "pd" | "pandas" | "np" | "numpy")
        });
    Some(module_start.unwrap_or(name_start))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The offset of the `(` that the final `)` of `text` closes.
fn open_of_last_call(text: &str) -> Option<usize> {
    let trimmed = text.trim_end();
    if !trimmed.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (at, c) in trimmed.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 && c == '(' {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The offset of the `)` closing the first `(` at or after `from`.
fn close_of(text: &str, from: usize) -> Option<usize> {
    let open = from + text.get(from..)?.find('(')?;
    let mut depth = 0usize;
    for (at, c) in text[open..].char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The statistic an aggregate fact computes, by the name of its function: `mean` for
/// `transform("mean")`, `agg(np.mean)` and `.mean()`; `value_counts`; `qcut`.
pub(super) fn statistic(source: &str, fact: &Fact) -> Option<String> {
    let whole = source.get(fact.span.start..fact.span.end)?;
    let open = open_of_last_call(whole)?;
    let before = whole[..open].trim_end();
    let name_start = trailing_run_start(before, is_name_char);
    let method = &before[name_start..];
    if !matches!(method, "transform" | "agg" | "aggregate" | "apply") {
        return Some(method.to_string());
    }
    // The function given to transform/agg: a string, `np.mean`, `max`.
    let close = whole.trim_end().len() - 1;
    let argument = whole[open + 1..close].split(',').next()?.trim();
    if argument.is_empty() || argument.contains('=') {
        // Named aggregation (`agg(n=("id", "count"))`): some statistic of the group.
        return Some(method.to_string());
    }
    let argument = argument.trim_matches(|c| c == '"' || c == '\'');
    Some(argument.rsplit('.').next().unwrap_or(argument).to_string())
}

/// Statistics of a group that only look at the rows before the current one, or at one row:
/// not an aggregate over the group's whole history.
pub(super) fn past_only(statistic: &str) -> bool {
    matches!(
        statistic,
        "cumsum"
            | "cumcount"
            | "cumprod"
            | "cummax"
            | "cummin"
            | "shift"
            | "diff"
            | "pct_change"
            | "ffill"
            | "pad"
            | "first"
            | "head"
            | "nth"
            | "ngroup"
            | "fillna"
            | "bfill"
            | "backfill"
    )
}

/// Whether an aggregate fact is a row statistic feature in the sense of SKEW003: a group's
/// statistic, a frequency, a rank, data-derived bins, or a share of a column's total or
/// extreme. Means, deviations and quantiles of a whole column are the parameters of scaling
/// and imputation (preprocessing, LEAK001), not features of their own.
pub(super) fn row_statistic(source: &str, fact: &Fact) -> Option<String> {
    let statistic = statistic(source, fact)?;
    if past_only(&statistic) || ranks_time_forward(source, fact, &statistic) {
        return None;
    }
    let grouped = !fact.keys.is_empty();
    // Of one named column: `df[c].value_counts()`, `df[c].rank()`, `df[c] / df[c].max()`.
    // A whole array's extreme (`X / X.max()` on pixels) is a scale, not a row statistic.
    let of_column = (fact.column.is_some() || reads_one_column(source, fact))
        && matches!(
            statistic.as_str(),
            "value_counts" | "rank" | "qcut" | "cut" | "max" | "min" | "sum" | "count" | "nunique"
        );
    (grouped || of_column).then_some(statistic)
}

/// An ascending rank of a time column (`groupby("user")["event_time"].rank()`): the row's
/// position in time, the number of rows at or before it, known when the row arrives like a
/// `cumcount`. Not a statistic of the other rows' values.
pub(super) fn ranks_time_forward(source: &str, fact: &Fact, statistic: &str) -> bool {
    if statistic != "rank" || !fact.column.as_deref().is_some_and(names_a_time) {
        return false;
    }
    let text: String = source
        .get(fact.span.start..fact.span.end)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    !text.contains("ascending=False") && !text.contains("pct=True")
}

/// The table a value's rows come from (`root_of`), looked up through the values it was
/// computed from when it is not a frame or a column itself (`frame[name]` with a computed
/// name). A short breadth-first search: the nearest table wins.
pub(super) fn table_of(model: &FileModel, value: ValueId) -> Option<ValueId> {
    let mut queue = std::collections::VecDeque::from([value]);
    let mut visited = 0;
    while let Some(v) = queue.pop_front() {
        if let Some(root) = model.root_of(v) {
            return Some(root);
        }
        visited += 1;
        if visited > 32 {
            return None;
        }
        queue.extend(model.value(v).inputs.iter().copied());
    }
    None
}

/// Whether the statistic's receiver is a frame subscripted by one key (`frame[col]`,
/// `df[name + "_x"]`), a column whose name the code computes; not a slice of an array
/// (`X[:, 2]`).
fn reads_one_column(source: &str, fact: &Fact) -> bool {
    let Some(whole) = source.get(fact.span.start..fact.span.end) else {
        return false;
    };
    let Some(open) = open_of_last_call(whole) else {
        return false;
    };
    let receiver = whole[..open].trim_end();
    let Some(receiver) = receiver
        .rfind('.')
        .map(|dot| receiver[..dot].trim_end())
        .filter(|r| r.ends_with(']'))
    else {
        return false;
    };
    let Some(start) = receiver.rfind('[') else {
        return false;
    };
    let index = &receiver[start + 1..receiver.len() - 1];
    !index.is_empty() && !index.contains([':', ',', '[', '('])
}

/// Whether the features `x` certainly hold the fact: on one of their named columns, or on
/// all of their columns (an operation on the whole frame). A fact that only rides on the value
/// (columns chosen by a list the analysis cannot read, an array) may belong to a column that
/// was left out.
pub(super) fn certainly_in(model: &FileModel, x: ValueId, lineage: &Lineage) -> bool {
    if lineage.column.is_some() {
        return true;
    }
    let Some(index) = fact_id(model, lineage.fact) else {
        return false;
    };
    model
        .columns(x)
        .is_some_and(|c| c.base_facts.contains(&index) || c.joined_facts.contains(&index))
}

/// Facts that were given to named columns (`df["next"] = df["price"].shift(-1)`) and not to
/// a whole frame: they reach a model only with their column. One pass over the frames.
pub(super) fn column_facts(model: &FileModel) -> std::collections::HashSet<crate::model::FactId> {
    let mut named = std::collections::HashSet::new();
    let mut whole = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    for value in &model.values {
        let Some(columns) = value.columns.as_deref() else {
            continue;
        };
        if !seen.insert(columns as *const _) {
            continue;
        }
        whole.extend(columns.base_facts.iter().copied());
        whole.extend(columns.joined_facts.iter().copied());
        for column in columns.known.iter().filter(|c| c.span.is_some()) {
            named.extend(column.facts.iter().copied());
        }
    }
    named.retain(|f| !whole.contains(f));
    named
}

/// A statistic of the label itself (`groupby("city")["defaulted"].transform("mean")`): target
/// encoding, which the target-leakage rules report.
pub(super) fn of_the_label(model: &FileModel, fit: &FitSite, fact: &Fact) -> bool {
    let Some(column) = fact.column.as_deref() else {
        return false;
    };
    fit.y != UNKNOWN && model.label_columns(fit.y).iter().any(|l| l == column)
}

/// Two row sets that may share rows: unknown sets may, the full data shares rows with every
/// part, parts share rows with themselves.
pub(super) fn overlap(a: u8, b: u8) -> bool {
    a == 0 || b == 0 || (a | b) & rows::FULL != 0 || a & b & rows::PARTS != 0
}

/// The index of a fact in `model.facts`.
pub(super) fn fact_index(model: &FileModel, fact: &Fact) -> usize {
    model
        .facts
        .iter()
        .position(|f| std::ptr::eq(f, fact))
        .unwrap_or(usize::MAX)
}

/// The id of a fact of the model, found by address.
pub(super) fn fact_id(model: &FileModel, fact: &Fact) -> Option<crate::model::FactId> {
    model
        .facts
        .iter()
        .position(|f| std::ptr::eq(f, fact))
        .map(crate::model::FactId::new)
}

/// Whether a value carries the fact, on any of its columns.
pub(super) fn carries(model: &FileModel, value: ValueId, fact: &Fact) -> bool {
    model
        .lineage(value)
        .iter()
        .any(|l: &Lineage| std::ptr::eq(l.fact, fact))
}

/// How a statistic computed on all rows (before a split) comes back to the rows the model is
/// applied to, for SKEW003.
pub(super) struct AppliedTo {
    pub severity: Severity,
    /// The evaluation (a metric, a score, cross-validation) or the prediction on other rows.
    pub span: Span,
}

/// For a statistic over rows that reaches the features of `fit`: whether it saw rows the
/// fitted model is then evaluated on (error) or only predicts for (warning). None when the
/// statistic saw only the rows the model learns from, or where it ran is unknown.
pub(super) fn applied_to_other_rows(
    model: &FileModel,
    evaluated: &[bool],
    fit: &FitSite,
    fact: &Fact,
) -> Option<AppliedTo> {
    // Computed before any split: on all rows, or on data of unknown origin that is split
    // afterwards (checked below: the held-out rows are a part of the same table).
    if fact.rows & (rows::TRAIN | rows::VALID | rows::TEST) != 0 {
        return None;
    }
    let source_root = table_of(model, fact.source)?;
    if fit.cross_val() {
        // Folds of the rows the statistic ran on.
        return (table_of(model, fit.x) == Some(source_root)).then_some(AppliedTo {
            severity: Severity::Error,
            span: fit.span,
        });
    }
    let fit_rows = model.rows(fit.x);
    if fit_rows & rows::FULL != 0 || fit_rows & rows::PARTS == 0 {
        return None;
    }
    let mut scored = None;
    for event in &model.events {
        let Event::Predict {
            estimator,
            input,
            output,
            span,
            ..
        } = event
        else {
            continue;
        };
        if *estimator != fit.estimator || *input == UNKNOWN {
            continue;
        }
        let input_rows = model.rows(*input);
        let other_rows = input_rows & (rows::TEST | rows::VALID) & !fit_rows;
        if other_rows == 0 || !carries(model, *input, fact) {
            continue;
        }
        // The held-out rows are rows of the table the statistic ran on (not of another table
        // whose statistic was mapped in).
        let split_of_statistic_rows =
            model
                .split_parts_of(*input)
                .iter()
                .any(|&(_, role, split)| {
                    role != Role::Train
                        && model.splits.get(split.index()).is_some_and(|s| {
                            s.inputs
                                .iter()
                                .any(|&i| table_of(model, i) == Some(source_root))
                        })
                });
        if !split_of_statistic_rows {
            continue;
        }
        // `reaches_metric` marks what `score`/`evaluate` return as well.
        let is_evaluated = evaluated.get(output.index()).copied().unwrap_or(false);
        if is_evaluated {
            return Some(AppliedTo {
                severity: Severity::Error,
                span: *span,
            });
        }
        scored.get_or_insert(AppliedTo {
            severity: Severity::Warning,
            span: *span,
        });
    }
    scored
}
