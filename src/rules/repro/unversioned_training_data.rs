use crate::finding::Span;
use crate::model::{IoOp, ValueId};
use crate::rule::{Check, Context, Sink};
use std::collections::HashMap;

crate::rule::rule! {
    code: "REPRO004",
    name: "unversioned-training-data",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Data read from a source that changes (a `latest` path, an unversioned URL, a query with no
/// date or snapshot predicate) that provably reaches the fit of a model the file saves, in a
/// script that records no version of its data. Notebooks are exploratory (the catalog's `explore` profile) and
/// left alone.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    if ctx.file.is_notebook()
        || ctx.file.is_test_module()
        || !model.repro.data_versions.is_empty()
    {
        return;
    }
    // The mutable reads: value → (site, what is read, why it changes).
    let mut mutable: HashMap<ValueId, (Span, String, &'static str)> = HashMap::new();
    for io in &model.io {
        if io.op != IoOp::Read {
            continue;
        }
        if let Some(path) = io.path.as_deref()
            && let Some(why) = mutable_path(path)
        {
            mutable.insert(io.value, (io.span, path.to_string(), why));
        }
    }
    for read in &model.warehouse_reads {
        if let Some(query) = read.query.as_deref()
            && let Some(why) = mutable_query(query, read.whole_table)
        {
            let shown: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
            mutable.insert(read.value, (read.span, shown, why));
        }
    }
    if mutable.is_empty() {
        return;
    }
    // The debt is a kept model that cannot be rebuilt: a model only scored or printed (a
    // tutorial, a homework) keeps nothing. The saves of the file, to find the model's.
    let saves: Vec<&crate::model::Io> = model.io.iter().filter(|io| io.op == IoOp::Save).collect();
    if saves.is_empty() {
        return;
    }
    let mut reported: Vec<ValueId> = Vec::new();
    for fit in model.model_fits() {
        // A cross-validation trains copies and keeps none of them.
        if fit.cross_val() {
            continue;
        }
        let Some(estimator) = model.estimator(fit.estimator) else {
            continue;
        };
        // The model saved itself, or inside what is saved (a pipeline, a search, a dict).
        let Some(save) = saves
            .iter()
            .find(|io| model.derives_from(io.value, |v| v == fit.estimator))
        else {
            continue;
        };
        let mut reached: Vec<ValueId> = Vec::new();
        for data in [fit.x, fit.y] {
            model.derives_from(data, |v| {
                if mutable.contains_key(&v) && !reached.contains(&v) {
                    reached.push(v);
                }
                false
            });
        }
        reached.sort();
        for read in reached {
            if reported.contains(&read) {
                continue;
            }
            reported.push(read);
            let (span, source, why) = &mutable[&read];
            sink.report(
                &RULE,
                *span,
                format!(
                    "`{}` is trained on `{}`, {why}, and saved, and this file records no \
                     version of the data: the kept model cannot be retrained on the same rows",
                    estimator.short_name(),
                    shorten(source),
                ),
            )
            .help(
                "read a fixed snapshot (a dated partition such as `dt=2024-06-01`, a URL pinned \
                 to a commit or release, Delta `versionAsOf`, a DVC-tracked file) and record \
                 which one with the run (`mlflow.log_input`, `mlflow.log_param(\"data_version\", \
                 ...)`)",
            )
            .related(fit.span, "the fit")
            .related(save.span, "the model is saved here");
        }
    }
}

/// Why data at `path` changes under the same name, if it does: a `latest` folder or file,
/// or an HTTP(S) URL that names no version.
pub(crate) fn mutable_path(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let latest = lower.split(['/', '\\']).any(|segment| {
        let stem = segment.split('.').next().unwrap_or(segment);
        stem == "latest"
            || stem.ends_with("_latest")
            || stem.ends_with("-latest")
            || stem.starts_with("latest_")
            || stem.starts_with("latest-")
    });
    if latest {
        return Some("a `latest` location that is overwritten by each new export");
    }
    let url = lower.starts_with("http://") || lower.starts_with("https://");
    if url && !lower.contains('*') && !versioned_url(&lower) {
        return Some("a URL whose content can change without notice");
    }
    None
}

/// Whether a URL names one version of its content: a commit hash, a release or tag, a
/// version or date in the path, a revision parameter, a DOI or archive record.
fn versioned_url(url: &str) -> bool {
    if ["/releases/download/", "/tags/", "zenodo.org/record", "doi.org/", "?version=", "&version="]
        .iter()
        .any(|m| url.contains(m))
    {
        return true;
    }
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if query
        .split('&')
        .any(|p| p.starts_with("rev=") || p.starts_with("ref=") || p.starts_with("sha="))
        && !query.contains("=main") && !query.contains("=master")
    {
        return true;
    }
    path.split(['/', '@', '_', '-', '.', '=']).any(|part| {
        let hex = part.len() >= 7 && part.chars().all(|c| c.is_ascii_hexdigit())
            && part.chars().any(|c| c.is_ascii_digit())
            && part.chars().any(|c| c.is_ascii_alphabetic());
        let version = part
            .strip_prefix('v')
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()));
        let date = part.len() >= 6 && part.chars().all(|c| c.is_ascii_digit()) && {
            let year: u32 = part[..4].parse().unwrap_or(0);
            (1990..=2100).contains(&year)
        };
        hex || version || date
    }) || has_dashed_date(path)
}

/// `2024-06-01` or `2024_06_01` somewhere in `text`.
fn has_dashed_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(10).any(|w| {
        w[..4].iter().all(u8::is_ascii_digit)
            && matches!(w[4], b'-' | b'_')
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == w[4]
            && w[8..10].iter().all(u8::is_ascii_digit)
    })
}

/// Why a query's rows change from run to run, if they do: it reads a live table with no
/// predicate on a date, a partition or a snapshot.
fn mutable_query(query: &str, whole_table: bool) -> Option<&'static str> {
    let lower = query.to_ascii_lowercase();
    if lower.contains('{') || lower.contains('%') || lower.contains(':') && !lower.contains(' ') {
        return None;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let select = words.first().is_some_and(|w| *w == "select") || whole_table;
    if !select || words.len() > 200 {
        return None;
    }
    let pinned = words.iter().any(|w| {
        matches!(
            *w,
            "date" | "dt" | "ds" | "day" | "time" | "timestamp" | "snapshot" | "version"
                | "partition" | "year" | "month" | "week" | "between" | "of" | "interval"
                | "period" | "as_of" | "asof"
        ) || w.ends_with("_at")
            || w.ends_with("_date")
            || w.ends_with("_dt")
            || w.ends_with("_ts")
            || w.ends_with("_time")
            || w.starts_with("date_")
            || w.starts_with("snapshot")
            || w.chars().all(|c| c.is_ascii_digit()) && w.len() >= 4
    });
    (!pinned).then_some("a live table read without a date or snapshot predicate")
}

/// Long sources keep their start and end.
fn shorten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 70 {
        return text.to_string();
    }
    let head: String = chars[..45].iter().collect();
    let tail: String = chars[chars.len() - 20..].iter().collect();
    format!("{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::{mutable_path, mutable_query};

    #[test]
    fn mutable_paths() {
        for path in [
            "s3://bucket/events/latest/part.parquet",
            "data/latest.csv",
            "exports/churn_latest.parquet",
            "https://raw.githubusercontent.com/user/repo/master/data.csv",
            "https://example.com/data/train.csv",
        ] {
            assert!(mutable_path(path).is_some(), "{path}");
        }
        for path in [
            "data/train.csv",
            "https://raw.githubusercontent.com/user/repo/3f2a9c1d/data.csv",
            "https://github.com/o/r/releases/download/v1.2/data.csv",
            "https://example.com/v2/data.csv",
            "https://example.com/exports/2024-06-01/data.csv",
            "https://example.com/exports/data_20240601.csv",
            "https://zenodo.org/record/123/files/x.csv",
            "https://example.com/*.csv",
            "s3://bucket/events/dt=2024-06-01/",
            "data/latency.csv",
        ] {
            assert!(mutable_path(path).is_none(), "{path}");
        }
    }

    #[test]
    fn mutable_queries() {
        assert!(mutable_query("SELECT * FROM events", true).is_some());
        assert!(mutable_query("select user_id, spend from orders where status = 'ok'", false).is_some());
        assert!(mutable_query("SELECT * FROM events WHERE event_date < '2024-06-01'", true).is_none());
        assert!(mutable_query("SELECT * FROM events FOR SYSTEM_TIME AS OF t", true).is_none());
        assert!(mutable_query("SELECT * FROM events WHERE created_at < :cutoff", false).is_none());
        assert!(mutable_query("SELECT * FROM t WHERE d > {start}", false).is_none());
    }
}
