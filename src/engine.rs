//! The pipeline, end to end: discover → load → parse → analyze → file rules → project rules →
//! filter (configuration, then inline suppressions) → sort.
//! Files are independent until the project stage, so everything up to the rules runs in
//! parallel; a file that fails in any way becomes a finding and never stops the others.

use crate::config::CompiledSettings;
use crate::discover::{Discovered, discover};
use crate::error::{Error, ErrorKind};
use crate::finding::{Finding, Location, Span};
use crate::model;
use crate::project::index::{ProjectIndex, project_root};
use crate::project::{self, FileSummary};
use crate::registry::{self, engine_rules};
use crate::report::{Diagnostic, RelatedLocation, Report};
use crate::rule::{Context, ProjectSink, Rule, Scope, Sink};
use crate::settings::Settings;
use crate::source::{self, LoadProblem, SourceFile, python};
use crate::suppress::{self, Suppressions};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Analysis threads get a large stack: tree-sitter trees of deeply nested code are walked
/// with a depth limit, and this leaves a wide margin under it.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Runs `mlready check` over `paths`.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Result<Report, Error> {
    let started = Instant::now();
    let compiled = CompiledSettings::new(settings)?;
    let files = discover(paths, settings)?;
    let rules: Vec<&'static Rule> = registry::all()
        .filter(|r| compiled.rule_enabled(r.code, r.name))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build()
        .map_err(|err| Error::new(ErrorKind::Internal(format!("thread pool: {err}"))))?;
    let summarize = rules
        .iter()
        .any(|r| r.check.project().is_some())
        .then_some(project::Options {
            declared_entries: !settings.facts.serving.entry_points.is_empty(),
        });
    let results: Vec<FileResult> = pool.install(|| {
        files
            .par_iter()
            .map(|file| check_one(file, &rules, &compiled, summarize))
            .collect()
    });
    let mut report = Report {
        files_checked: files.len(),
        ..Report::default()
    };
    let mut analysed = Vec::new();
    let mut suppressions: HashMap<String, Suppressions> = HashMap::new();
    for (file, result) in files.iter().zip(results) {
        report.diagnostics.extend(result.diagnostics);
        if !result.suppressions.is_empty() {
            suppressions.insert(file.display.clone(), result.suppressions);
        }
        report.internal_errors.extend(result.internal_error);
        if let Some(summary) = result.summary {
            analysed.push((file, summary));
        }
    }
    if summarize.is_some() {
        let project = catch_unwind(AssertUnwindSafe(|| {
            project_stage(paths, &analysed, &rules, settings)
        }));
        match project {
            Ok(diagnostics) => {
                for (diagnostic, amends) in diagnostics {
                    if !compiled.rule_enabled(diagnostic.code, diagnostic.name)
                        || compiled.ignored_for_file(
                            &diagnostic.path,
                            diagnostic.code,
                            diagnostic.name,
                        )
                    {
                        continue;
                    }
                    if amends {
                        amend(&mut report.diagnostics, diagnostic);
                    } else {
                        report.diagnostics.push(diagnostic);
                    }
                }
            }
            Err(_) => report
                .internal_errors
                .push("mlready failed in the project stage".to_string()),
        }
    }
    suppress::apply(&mut report.diagnostics, &mut suppressions, |rule, path| {
        compiled.rule_enabled(rule.code, rule.name)
            && !compiled.ignored_for_file(path, rule.code, rule.name)
    });
    // Preview branches are dropped only now, so a suppression of one counts as used.
    report.diagnostics.retain(|d| compiled.reports(d));
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Adds the related places of a project finding to the file finding of the same rule at the
/// same place; without one (the file rule did not fire there, or it was suppressed) the
/// amendment is dropped.
fn amend(diagnostics: &mut [Diagnostic], amendment: Diagnostic) {
    let Some(target) = diagnostics
        .iter_mut()
        .find(|d| d.code == amendment.code && d.path == amendment.path && d.span == amendment.span)
    else {
        return;
    };
    for related in amendment.related {
        if !target
            .related
            .iter()
            .any(|r| r.path == related.path && r.span == related.span)
        {
            target.related.push(related);
        }
    }
}

/// Checks `bytes` as the file `path` (`--stdin-filename`): the file rules only, since the
/// rest of its project is not read; the configuration's selection and per-file ignores apply.
pub fn check_stdin(
    path: &std::path::Path,
    bytes: &[u8],
    settings: &Settings,
) -> Result<Report, Error> {
    let started = Instant::now();
    let compiled = CompiledSettings::new(settings)?;
    let cwd = std::env::current_dir().map_err(|err| {
        Error::new(ErrorKind::Internal(format!(
            "cannot read the working directory: {err}"
        )))
    })?;
    let display = crate::discover::display_path(path, &cwd);
    let rules: Vec<&'static Rule> = registry::all()
        .filter(|r| compiled.rule_enabled(r.code, r.name))
        .collect();
    let file = Discovered {
        path: path.to_path_buf(),
        display: display.clone(),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        match source::load_bytes(path, display.clone(), bytes) {
            Ok(source) => {
                let (diagnostics, _, suppressions) = analyze(Arc::new(source), &rules, None);
                (diagnostics, suppressions)
            }
            Err(problem) => (load_problem(&file, problem), Suppressions::default()),
        }
    }));
    let mut report = Report {
        files_checked: 1,
        ..Report::default()
    };
    match outcome {
        Ok((diagnostics, found)) => {
            report.diagnostics = diagnostics
                .into_iter()
                .filter(|d| compiled.rule_enabled(d.code, d.name))
                .filter(|d| !compiled.ignored_for_file(&d.path, d.code, d.name))
                .collect();
            let mut suppressions = HashMap::from([(display.clone(), found)]);
            suppress::apply(&mut report.diagnostics, &mut suppressions, |rule, path| {
                compiled.rule_enabled(rule.code, rule.name)
                    && !compiled.ignored_for_file(path, rule.code, rule.name)
            });
            report.diagnostics.retain(|d| compiled.reports(d));
        }
        Err(_) => report
            .internal_errors
            .push(format!("{display}: mlready failed on this file")),
    }
    report
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The project summaries of the files under `paths` (the hidden `summaries` command).
pub fn summaries(paths: &[PathBuf], settings: &Settings) -> Result<Vec<FileSummary>, Error> {
    let files = discover(paths, settings)?;
    Ok(files
        .iter()
        .filter_map(|file| {
            catch_unwind(AssertUnwindSafe(|| {
                load_and_analyze(file, &[], Some(project::Options::default()))
            }))
            .ok()
            .and_then(|(_, summary, _)| summary.map(|(s, _)| s))
        })
        .collect())
}

/// Checks one text as if it were the file `display` (for tests and editors), inline
/// suppressions applied with `rules` as the enabled rules.
pub fn check_source(display: &str, file: SourceFile, rules: &[&'static Rule]) -> Vec<Diagnostic> {
    let path = file.display.clone();
    let (mut diagnostics, _, found) = analyze(Arc::new(file), rules, None);
    let mut suppressions = HashMap::from([(path, found)]);
    suppress::apply(&mut diagnostics, &mut suppressions, |rule, _| {
        rule.code == engine_rules::UNUSED_SUPPRESSION.code
            || rules.iter().any(|r| r.code == rule.code)
    });
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let _ = display;
    diagnostics
}

#[derive(Default)]
struct FileResult {
    diagnostics: Vec<Diagnostic>,
    internal_error: Option<String>,
    /// The file's summary for the project stage, with the file for rendering.
    summary: Option<Summarised>,
    /// The file's inline suppressions, applied after the project stage.
    suppressions: Suppressions,
}

/// Groups the files' summaries into projects, joins each into an index and runs the
/// project rules over it.
fn project_stage(
    paths: &[PathBuf],
    analysed: &[(&Discovered, Summarised)],
    rules: &[&'static Rule],
    settings: &Settings,
) -> Vec<(Diagnostic, bool)> {
    let mut projects: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (i, (file, _)) in analysed.iter().enumerate() {
        projects
            .entry(project_root(&file.path, paths))
            .or_default()
            .push(i);
    }
    let mut diagnostics = Vec::new();
    for (root, members) in projects {
        let summaries: Vec<&FileSummary> = members.iter().map(|&i| &analysed[i].1.0).collect();
        let index = ProjectIndex::new(root, summaries, &settings.facts);
        let mut sink = ProjectSink::default();
        for rule in rules {
            if let Some(check) = rule.check.project() {
                check(&index, &mut sink);
            }
        }
        for finding in sink.findings {
            let amends = finding.amends;
            let source = |file: usize| &analysed[members[file]].1;
            let (summary, source_file) = source(finding.file);
            let end = source_file
                .as_ref()
                .map_or(finding.place.start, |f| f.locate(finding.place.span.end));
            let start = finding.place.start;
            diagnostics.push((
                Diagnostic {
                    code: finding.code,
                    name: finding.name,
                    severity: finding.severity,
                    path: summary.path.clone(),
                    start,
                    end: if end.cell == start.cell { end } else { start },
                    span: finding.place.span,
                    message: finding.message,
                    help: finding.help,
                    related: finding
                        .related
                        .into_iter()
                        .map(|(file, place, message)| RelatedLocation {
                            path: source(file).0.path.clone(),
                            location: place.start,
                            span: place.span,
                            message,
                            file: source(file).1.clone(),
                        })
                        .collect(),
                    file: source_file.clone(),
                    preview: finding.preview || preview_branch(finding.code, finding.severity),
                },
                amends,
            ));
        }
    }
    diagnostics
}

fn check_one(
    file: &Discovered,
    rules: &[&'static Rule],
    settings: &CompiledSettings,
    summarize: Option<project::Options>,
) -> FileResult {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        load_and_analyze(file, rules, summarize)
    }));
    match outcome {
        Ok((diagnostics, summary, suppressions)) => FileResult {
            diagnostics: diagnostics
                .into_iter()
                .filter(|d| settings.rule_enabled(d.code, d.name))
                .filter(|d| !settings.ignored_for_file(&d.path, d.code, d.name))
                .collect(),
            internal_error: None,
            summary,
            suppressions,
        },
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            FileResult {
                diagnostics: Vec::new(),
                summary: None,
                suppressions: Suppressions::default(),
                internal_error: Some(format!(
                    "{}: mlready failed on this file: {message}",
                    file.display
                )),
            }
        }
    }
}

/// A file's summary, with the file itself when a project finding may point into it.
type Summarised = (FileSummary, Option<Arc<SourceFile>>);

/// A file's diagnostics, its summary (when asked for) and its inline suppressions.
type Analysed = (Vec<Diagnostic>, Option<Summarised>, Suppressions);

fn load_and_analyze(
    file: &Discovered,
    rules: &[&'static Rule],
    summarize: Option<project::Options>,
) -> Analysed {
    match source::load(&file.path, file.display.clone()) {
        Ok(source) => analyze(Arc::new(source), rules, summarize),
        Err(problem) => (load_problem(file, problem), None, Suppressions::default()),
    }
}

/// The finding about a file that could not be loaded.
fn load_problem(file: &Discovered, problem: LoadProblem) -> Vec<Diagnostic> {
    let (rule, message, help) = match problem {
        LoadProblem::Unreadable(message) => (
            &engine_rules::UNREADABLE_FILE,
            message,
            "save the file as UTF-8 (or declare its encoding); mlready checks the other files meanwhile",
        ),
        LoadProblem::InvalidNotebook(message) => (
            &engine_rules::INVALID_NOTEBOOK,
            message,
            "open and re-save the notebook in Jupyter, or resolve the merge conflict with nbdime",
        ),
        LoadProblem::Skipped(message) => (
            &engine_rules::SKIPPED_NOTEBOOK,
            message,
            "nothing to fix; ignore PARSE004 if this notice is not wanted",
        ),
    };
    vec![file_level(rule, &file.display, message, help)]
}

/// Whether a finding of `code` at `severity` (the rule's own, before configured overrides)
/// is a preview branch of its rule.
fn preview_branch(code: &str, severity: crate::finding::Severity) -> bool {
    registry::find(code).is_some_and(|rule| rule.preview_at.contains(&severity))
}

/// A diagnostic about a whole file that could not be loaded.
fn file_level(rule: &'static Rule, path: &str, message: String, help: &str) -> Diagnostic {
    let start = Location {
        cell: None,
        line: 1,
        column: 1,
    };
    Diagnostic {
        code: rule.code,
        name: rule.name,
        severity: rule.severity,
        path: path.to_string(),
        start,
        end: start,
        span: Span::default(),
        message,
        help: Some(help.to_string()),
        related: Vec::new(),
        file: None,
        preview: false,
    }
}

/// Parses, models and runs the file rules over one loaded file.
fn analyze(
    file: Arc<SourceFile>,
    rules: &[&'static Rule],
    summarize: Option<project::Options>,
) -> Analysed {
    let Some(tree) = python::parse(&file.text) else {
        let diagnostic = file_level(
            &engine_rules::SYNTAX_ERROR,
            &file.display,
            "the Python parser could not be started".into(),
            "this is a bug in mlready; please report it",
        );
        return (vec![diagnostic], None, Suppressions::default());
    };
    let model = model::build(&file, &tree);
    let mut sink = Sink::default();
    if let Some((span, message)) = model.syntax_errors.first() {
        let more = match model.syntax_errors.len() {
            1 => String::new(),
            n => format!(" ({} more syntax errors in this file)", n - 1),
        };
        sink.report(
            &engine_rules::SYNTAX_ERROR,
            *span,
            format!("syntax error: {message}{more}"),
        )
        .help("fix the syntax (Python 2 code must be ported to Python 3); the rest of the file was still checked");
    }
    let context = Context {
        file: &file,
        model: &model,
    };
    for rule in rules {
        let Some(check) = rule.check.file() else {
            continue;
        };
        if rule.scope == Scope::Notebook && !file.is_notebook() {
            continue;
        }
        check(&context, &mut sink);
    }
    let summary = summarize.map(|options| {
        let summary = project::extract(&file, &tree, &model, options);
        let keep = (!summary.is_inert()).then(|| Arc::clone(&file));
        (summary, keep)
    });
    let diagnostics = sink
        .findings
        .into_iter()
        .map(|finding| resolve(&file, finding))
        .collect();
    let suppressions = suppress::collect(&file, &tree);
    (diagnostics, summary, suppressions)
}

fn resolve(file: &Arc<SourceFile>, finding: Finding) -> Diagnostic {
    let start = file.locate(finding.span.start);
    let mut end = file.locate(finding.span.end);
    if end.cell != start.cell {
        end = start;
    }
    let related = finding
        .related
        .iter()
        .map(|r| RelatedLocation {
            path: file.display.clone(),
            location: file.locate(r.span.start),
            span: r.span,
            message: r.message.clone(),
            file: Some(Arc::clone(file)),
        })
        .collect();
    Diagnostic {
        code: finding.code,
        name: finding.name,
        severity: finding.severity,
        path: file.display.clone(),
        start,
        end,
        span: finding.span,
        message: finding.message,
        help: finding.help,
        related,
        file: Some(Arc::clone(file)),
        preview: finding.preview || preview_branch(finding.code, finding.severity),
    }
}

#[cfg(test)]
mod tests {
    use super::preview_branch;
    use crate::finding::Severity;

    #[test]
    fn findings_at_a_declared_severity_are_preview_branches() {
        for rule in crate::registry::all() {
            for severity in [Severity::Info, Severity::Warning, Severity::Error] {
                assert_eq!(
                    preview_branch(rule.code, severity),
                    rule.preview_at.contains(&severity),
                    "{} at {severity}",
                    rule.code
                );
            }
        }
        assert!(preview_branch("MON001", Severity::Info));
        assert!(!preview_branch("MON001", Severity::Warning));
        assert!(!preview_branch("NOPE999", Severity::Info));
    }
}
