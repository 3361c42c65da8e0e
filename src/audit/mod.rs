//! `mlready audit`: the hand-off report a data scientist gives an ML engineer. It runs the
//! same analysis as `check` (with the preview rules), keeps every project's summaries, and
//! turns findings and the project index into one [`model::Audit`]: a readiness summary, the
//! model lineage, the inventory behind it, a static ML Test Score estimate, every finding
//! with why and how to fix it, and the questions no static analysis can answer. Each format
//! renders that one structure.

mod build;
mod html;
mod markdown;
pub mod mlts;
pub mod model;
mod questions;
mod svg;

use crate::project::index::ProjectIndex;
use crate::report::Report;
use std::io::{self, Write};
use std::path::Path;

pub use build::build;

/// Lineages with more nodes than this are listed, not drawn: past a few dozen nodes a
/// drawing stops being readable.
pub const DRAW_LIMIT: usize = 40;

/// At most this many findings in the "fix these first" list.
pub const FIX_FIRST: usize = 7;

/// What the audit is built from: the run's findings (suppressions and configuration
/// applied) and the index of each project under the audited path.
pub struct Input<'a> {
    /// The audited path as given.
    pub path: &'a Path,
    pub report: &'a Report,
    pub projects: &'a [ProjectIndex<'a>],
}

/// The formats of `mlready audit --format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AuditFormat {
    /// GitHub/GitLab-flavoured Markdown, with the lineage as a Mermaid flowchart.
    #[default]
    Markdown,
    /// One self-contained HTML page (inline CSS and SVG, no scripts), printable.
    Html,
    /// The same content as a versioned JSON document (docs/audit-json.md).
    Json,
}

/// Writes `audit` in `format`; `summary` keeps only what fits a pull-request comment
/// (Markdown: the summary, the fix-first list and the counts).
pub fn render(
    audit: &model::Audit,
    format: AuditFormat,
    summary: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        AuditFormat::Markdown if summary => markdown::render_summary(audit, out),
        AuditFormat::Markdown => markdown::render(audit, out),
        AuditFormat::Html => html::render(audit, out),
        AuditFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, audit).map_err(io::Error::from)?;
            writeln!(out)
        }
    }
}

/// `1 model`, `3 models`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Points as the rubric writes them: `1`, `0.5`, `2.5`.
fn points(value: f32) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The time now as RFC 3339 UTC (`2026-12-06T17:30:00Z`), for `--timestamp`.
pub fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (seconds / 86_400) as i64;
    let of_day = seconds % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}
