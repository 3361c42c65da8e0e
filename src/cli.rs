//! The command line: `mlready check`, `mlready rule`, `mlready rules`, and the one place that
//! turns a run into an exit code (0 clean, 1 findings at or above `--fail-on`, 2 errors).

use crate::config::{self, CliOverrides};
use crate::error::{Error, ErrorKind};
use crate::finding::Severity;
use crate::registry;
use crate::render::statistics::StatisticsFormat;
use crate::render::{self, Format, RuleFormat, Style};
use crate::report::Report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const LONG_ABOUT: &str = "\
mlready flags the hidden technical debt that makes machine-learning code fail in production:
leakage between training and test data, features that will not exist at inference time,
models chained on other models' outputs, served models nobody watches for drift,
unreproducible training and configuration baked into code.

It reads Python scripts and Jupyter notebooks and never runs them.

Examples:
  mlready check                          check the current directory
  mlready check train.py notebooks/      check a file and a folder
  mlready check --select LEAK,SKEW002    only leakage rules and SKEW002
  mlready check --format json -o report.json
  mlready rule LEAK001                   explain a rule
  mlready rules                          list every rule
  mlready audit --format html -o audit.html   the hand-off report
  mlready server                         the language server, for editors";

const CHECK_LONG_ABOUT: &str = "\
Check Python files and notebooks for ML technical debt.

Exit status: 0 when nothing is at or above --fail-on, 1 when something is
(a file that cannot be read and a path that does not exist count: PARSE002),
2 when mlready could not run (bad flags or configuration, internal error).

Examples:
  mlready check
  mlready check src/ notebooks/train.ipynb
  mlready check --ignore REPRO --fail-on error
  mlready check --format concise | grep LEAK
  cat train.py | mlready check -                        (standard input, shown as `-`)
  mlready check --stdin-filename nb/eda.ipynb < nb/eda.ipynb
  mlready check --format json --output mlready.json
  mlready check --format sarif --output mlready.sarif   (GitHub code scanning)
  mlready check --format github                         (pull request annotations)
  mlready check --format gitlab --output gl-code-quality-report.json";

const AUDIT_LONG_ABOUT: &str = "\
Write the hand-off report a data scientist gives an ML engineer: what is ready for
production and what is not.

It runs the same analysis as `check` (same configuration and suppressions), with the
preview rules included and marked as such, and reports, in order: a readiness summary per
debt family with a fix-first list; the model lineage (data -> training -> artifacts ->
entry points -> monitoring); the inventory of models and entry points; a static estimate
of the ML Test Score (Breck et al. 2017); every finding with why and how to fix it; and
the questions no static analysis can answer.

The report is the same, byte for byte, for the same repository. It exits 0 once the
report is written, 2 when mlready could not run.

Examples:
  mlready audit                                   Markdown to standard output
  mlready audit --format html -o audit.html       one self-contained page
  mlready audit --summary > comment.md            short enough for a pull-request comment
  mlready audit path/to/project --format json";

const SERVER_LONG_ABOUT: &str = "\
Run the language server: an editor starts `mlready server` and talks to it over standard
input and output (the Language Server Protocol). It checks each open script and notebook
with the same rules and configuration as `mlready check`, as you type and on save, and
shows the findings on their line and notebook cell. Hover on a finding shows its rule's
page; its code actions suppress it on the line, in the cell or file, or open the page.

Notebooks are read through LSP 3.17 notebook document sync (VS Code); JupyterLab sends a
notebook's code cells joined into one Python text, checked as a script.
The README, \"Editors\", has the settings for VS Code, JupyterLab and Neovim.

It is not meant to be run by hand: it waits for an editor's messages.";

/// A linter for the hidden technical debt of machine-learning code.
#[derive(Debug, Parser)]
#[command(name = "mlready", version, about, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files and notebooks for ML technical debt
    #[command(long_about = CHECK_LONG_ABOUT)]
    Check(Box<CheckArgs>),
    /// Print a rule's reference page
    #[command(
        long_about = "Print a rule's reference page: what it flags, why it hurts in production, \
                      an example and the fix.\n\nExamples:\n  mlready rule LEAK001\n  \
                      mlready rule preprocessing-before-split\n  mlready rule LEAK001 --format json"
    )]
    Rule(RuleArgs),
    /// List every rule
    #[command(
        long_about = "List every rule with its code, name, severities (the default first), scope, \
                      tier, measured precision and summary. On a terminal the list fits its \
                      width (COLUMNS when set); piped, every line is whole.\n\n\
                      Examples:\n  mlready rules\n  mlready rules --format json"
    )]
    Rules(RulesArgs),
    /// Write the hand-off report: readiness, model lineage, inventory, ML Test Score estimate
    #[command(long_about = AUDIT_LONG_ABOUT)]
    Audit(Box<AuditArgs>),
    /// Run the language server (LSP over stdio) for editors: findings as you type, in scripts
    /// and notebook cells
    #[command(long_about = SERVER_LONG_ABOUT)]
    Server,
    /// Print the per-file summaries the project rules join, as JSON (for debugging)
    #[command(hide = true)]
    Summaries(SummariesArgs),
}

#[derive(Debug, Args)]
pub struct SummariesArgs {
    /// Files or folders
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders to check [default: .]; `-` alone reads one Python script from
    /// standard input, shown as `-` (name it with --stdin-filename)
    // No clap default: a path given with --stdin-filename is told from none given.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format (given twice, the last wins: `args: [--format, text]` in a pre-commit
    /// configuration overrides the hook's concise format)
    #[arg(long, value_enum, default_value_t = Format::Text, overrides_with = "format")]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Rules to run, replacing the configured selection: codes, prefixes or names (LEAK,SKEW002)
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Option<Vec<String>>,

    /// Rules never to run: codes, prefixes or names
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Rules to run on top of the configured selection
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub extend_select: Vec<String>,

    /// Skip files and folders matching GLOB (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Configuration file for every file [default: each file's nearest pyproject.toml
    /// [tool.mlready] or mlready.toml, found upward]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Lowest severity that makes the exit status 1 [default: warning]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Also run the preview rules and heuristic branches, not yet measured precise enough for
    /// the default selection (see `mlready rules`)
    #[arg(long, conflicts_with = "no_preview")]
    pub preview: bool,

    /// Turn preview off, even if the configuration sets `preview = true`: preview rules run
    /// only when selected by their code or name
    #[arg(long)]
    pub no_preview: bool,

    /// Exit 0 even when there are findings (2 still means mlready failed)
    #[arg(long, conflicts_with = "fail_on")]
    pub exit_zero: bool,

    /// Skip files with more code than this, reporting them as PARSE005 (`10MB`, `500KB`, or
    /// bytes) [default: 10MB]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    /// Stop analysing a file whose parse and model build take longer than this many seconds,
    /// reporting it as PARSE005 [default: 30]
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub file_time_limit: Option<std::time::Duration>,

    /// Never colour the output (NO_COLOR is honoured too)
    #[arg(long)]
    pub no_color: bool,
    /// Print the findings and nothing else: no summary line, no warnings or notes on standard
    /// error (errors are still printed there)
    #[arg(short, long)]
    pub quiet: bool,
    /// Report only findings not recorded in this baseline (see --write-baseline)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in FILE (matched later by rule, file and code context, not by
    /// line number) and exit 0, without a report
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "output", "format"])]
    pub write_baseline: Option<PathBuf>,
    /// Print the resolved configuration, and where each value came from, instead of checking
    #[arg(long, conflicts_with_all = ["format", "baseline", "write_baseline"])]
    pub show_settings: bool,
    /// Print how many findings each rule has instead of the findings, most frequent first
    /// (as `ruff check --statistics`); with `--format json`, an array of {code, name, count}
    #[arg(long, conflicts_with_all = ["write_baseline", "show_settings"])]
    pub statistics: bool,
    /// Read the file to check from standard input, as if it were PATH: its name decides
    /// notebook or script, its folder the configuration and the project it is checked with
    /// (`-` may be given too; other paths may not)
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Check the given files alone. By default the project rules see the whole project of
    /// each given file (read from the cache), so a file's findings are the same whether it
    /// is checked alone or with the rest of its project
    #[arg(long)]
    pub no_project: bool,
    /// Neither read nor write the cache of per-file results (wins over --cache-dir)
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the cache in DIR instead of `.mlready_cache/` at each project's root
    #[arg(long, value_name = "DIR", env = "MLREADY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The project (a folder) or file to audit
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Output format
    #[arg(long, value_enum, default_value_t = crate::audit::AuditFormat::Markdown)]
    pub format: crate::audit::AuditFormat,

    /// Only the summary, the fix-first list and the counts: short enough for a
    /// pull-request comment (Markdown)
    #[arg(long)]
    pub summary: bool,

    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Configuration file [default: pyproject.toml [tool.mlready] or mlready.toml, found upward]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Skip files and folders matching GLOB (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Say in the report when it was made (the report is otherwise the same for the same
    /// repository, byte for byte)
    #[arg(long)]
    pub timestamp: bool,

    /// Neither read nor write the cache of per-file results
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the cache in DIR instead of `.mlready_cache/` at each project's root
    #[arg(long, value_name = "DIR", env = "MLREADY_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (LEAK001) or name (preprocessing-before-split)
    #[arg(value_name = "CODE_OR_NAME")]
    pub rule: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

/// The values of `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    /// `warn` too, as the configuration's `fail-on` accepts.
    #[value(alias = "warn")]
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Severity {
        match value {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// Runs one command; the exit code says whether findings reached `--fail-on`.
pub fn run(args: Cli) -> Result<ExitCode, Error> {
    match args.command {
        Command::Check(check) => run_check(*check),
        Command::Rule(rule) => run_rule(rule),
        Command::Rules(rules) => run_rules(rules),
        Command::Audit(audit) => run_audit(*audit),
        Command::Server => crate::server::run(),
        Command::Summaries(args) => {
            let summaries =
                crate::engine::summaries(&args.paths, &crate::settings::Settings::default())?;
            let json = serde_json::to_string_pretty(&summaries)
                .map_err(|err| Error::new(ErrorKind::Internal(err.to_string())))?;
            write_output(None, |out| writeln!(out, "{json}"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn parse_size(text: &str) -> Result<u64, String> {
    crate::limits::parse_size(text)
}

fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    crate::limits::parse_seconds(text)
}

fn run_check(args: CheckArgs) -> Result<ExitCode, Error> {
    let overrides = CliOverrides {
        config: args.config,
        select: args.select,
        ignore: args.ignore,
        extend_select: args.extend_select,
        exclude: args.exclude,
        fail_on: args.fail_on.map(Severity::from),
        preview: match (args.preview, args.no_preview) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        max_file_size: args.max_file_size,
        file_time_limit: args.file_time_limit,
    };
    let known: Vec<(&'static str, &'static str)> =
        registry::all().map(|rule| (rule.code, rule.name)).collect();
    let input = match crate::inputs::resolve(&args.paths, args.stdin_filename.as_deref()) {
        Ok(input) => input,
        Err(message) => return Ok(crate::inputs::usage_error(&message)),
    };
    let statistics = match (args.statistics, StatisticsFormat::of(args.format)) {
        (false, _) => None,
        (true, Some(format)) => Some(format),
        (true, None) => {
            let message = format!(
                "`--statistics` prints a table (`--format text` or `concise`) or JSON \
                 (`--format json`), and `--format {}` has no place for it; leave out \
                 `--format` or use `--format json`",
                args.format
                    .to_possible_value()
                    .map_or_else(String::new, |v| v.get_name().to_string())
            );
            return Ok(crate::inputs::usage_error(&message));
        }
    };
    // Each file is checked under its nearest configuration: one group of files per
    // configuration. Standard input is one file, under the configuration of its name.
    // A configuration met below a walked folder that cannot be used is reported, the files
    // it governs are left out and the rest is checked; the run then exits 2.
    let mut broken = Vec::new();
    let groups: Vec<config::groups::Part> = match &input {
        crate::inputs::Input::Stdin(_) => {
            let (settings, extras) = config::resolve(&input.config_paths(), &overrides, &known)?;
            vec![(settings, extras, None)]
        }
        crate::inputs::Input::Paths(paths) => {
            let run = config::groups::groups(paths, &overrides, &known)?;
            broken = run.broken;
            (run.groups.into_iter())
                .map(|group| (group.settings, group.extras, Some(group.files)))
                .collect()
        }
    };
    let broken_configurations = broken.len();
    for err in broken {
        let folder = (err.path.as_deref())
            .and_then(Path::parent)
            .map_or_else(|| ".".to_string(), |folder| folder.display().to_string());
        let _ = writeln!(io::stderr(), "{:?}", miette::Report::new(err));
        let _ = writeln!(
            io::stderr(),
            "note: the files under `{folder}` are not checked; the others are\n"
        );
    }
    let mut left_out: Vec<&'static crate::rule::Rule> = Vec::new();
    for (settings, _, _) in &groups {
        for rule in config::preview_left_out(settings) {
            if !left_out.iter().any(|known| known.code == rule.code) {
                left_out.push(rule);
            }
        }
    }
    if !left_out.is_empty() && !args.quiet && !args.show_settings {
        let mut codes: Vec<&str> = left_out.iter().take(5).map(|rule| rule.code).collect();
        if left_out.len() > codes.len() {
            codes.push("...");
        }
        let _ = writeln!(
            io::stderr(),
            "note: the selection matches {} preview rule(s) that do not run ({}): add \
             `--preview`, or select them by code",
            left_out.len(),
            codes.join(", ")
        );
    }
    if args.show_settings {
        let texts: Vec<String> = (groups.iter())
            .map(|(settings, extras, files)| {
                let text = show_settings(settings, extras);
                match files {
                    Some(files) if groups.len() > 1 => {
                        format!("# for {} file(s) under it\n{text}", files.len())
                    }
                    _ => text,
                }
            })
            .collect();
        let text = texts.join("\n");
        write_output(args.output.as_deref(), |out| write!(out, "{text}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    // What the report depends on is checked before the analysis, which may take minutes: a
    // baseline that cannot be read, a report that cannot be written.
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(path), None) => {
            let baseline = crate::baseline::read(path)?;
            if let Some(warning) = baseline.version_warning(path).filter(|_| !args.quiet) {
                let _ = writeln!(io::stderr(), "warning: {warning}");
            }
            Some(baseline)
        }
        _ => None,
    };
    let baseline_file = args
        .write_baseline
        .as_deref()
        .map(ReportFile::open)
        .transpose()?;
    let output = args.output.as_deref().map(ReportFile::open).transpose()?;
    let stdin = match input.stdin_name() {
        Some(path) => {
            // Read no further than the size limit allows: what is piped may never end
            // (`< /dev/zero`), and a file over the limit is reported, not analysed.
            let notebook =
                crate::source::FileKind::of(path) == Some(crate::source::FileKind::Notebook);
            let settings = &groups[0].0;
            let cap = if notebook {
                settings
                    .limits
                    .max_file_size
                    .saturating_mul(crate::limits::NOTEBOOK_FILE_FACTOR)
            } else {
                settings.limits.max_file_size
            };
            let mut bytes = Vec::new();
            io::stdin()
                .take(cap.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|err| {
                    // `mlready check --stdin-filename a.py < folder` is a mistake of the caller's,
                    // not a bug of mlready's.
                    let what = if err.kind() == io::ErrorKind::IsADirectory {
                        "is a folder, not the text of a file".to_string()
                    } else {
                        format!("cannot be read: {err}")
                    };
                    let message =
                        format!("standard input (checked as `{}`) {what}", path.display());
                    Error::new(ErrorKind::Stdin(message))
                })?;
            // `cat nb.ipynb | mlready check -`: read as Python, a notebook's JSON is one dict
            // literal and would pass as clean.
            if path.as_os_str() == crate::inputs::STDIN
                && crate::inputs::looks_like_notebook(&bytes)
            {
                return Ok(crate::inputs::usage_error(
                    "standard input is a Jupyter notebook, and `-` reads a Python script; \
                     name it so it is read as a notebook: \
                     `mlready check --stdin-filename NAME.ipynb -`",
                ));
            }
            Some((path.to_path_buf(), bytes))
        }
        None => None,
    };
    // Configurations that say the same thing are run as one (their files analysed once).
    let groups = config::groups::merge_alike(groups);
    let mut options = crate::engine::RunOptions {
        project: !args.no_project,
        cache: match (&args.cache_dir, args.no_cache) {
            (_, true) => None,
            (Some(dir), false) => Some(crate::engine::CacheLocation::Dir(dir.clone())),
            (None, false) => Some(crate::engine::CacheLocation::ProjectRoots),
        },
        stdin,
        without_sources: (statistics.is_some()
            || matches!(args.format, Format::Json | Format::Concise))
            && args.baseline.is_none()
            && args.write_baseline.is_none(),
        keep_projects: false,
        files: None,
    };
    let paths = match input {
        crate::inputs::Input::Paths(paths) => paths,
        // Standard input is checked within the current folder's project, as it always was.
        crate::inputs::Input::Stdin(_) => vec![PathBuf::from(".")],
    };
    let started = std::time::Instant::now();
    let mut report = Report::default();
    // Whether a group has a finding at or above its own `fail-on`.
    let mut failing = false;
    let anchor = match &baseline {
        Some(baseline) => Some(crate::baseline::Anchor::new(
            args.baseline.as_deref().unwrap_or(Path::new("")),
            baseline.version,
        )?),
        None => None,
    };
    for (settings, extras, files) in groups {
        options.files = files;
        // The paths, not only the group's files, say what the projects are: the same projects
        // whichever configuration governs a file.
        let mut part = crate::engine::check_with(&paths, &settings, &options)?;
        for diagnostic in &mut part.diagnostics {
            if let Some(severity) = extras.severity_for(diagnostic.code, diagnostic.name) {
                diagnostic.severity = severity;
            }
        }
        if let (Some(baseline), Some(anchor)) = (&baseline, &anchor) {
            let before = part.diagnostics.len();
            crate::baseline::filter(&mut part.diagnostics, baseline, anchor);
            report.hidden_by_baseline += before - part.diagnostics.len();
        }
        failing |= part.at_or_above(settings.fail_on) > 0;
        report.merge(part);
    }
    report.sort();
    report.elapsed = started.elapsed();
    if report.files_checked == 0 && !args.quiet && broken_configurations == 0 {
        // "Checked 0 files" alone reads as a pass; say why nothing was checked (ruff warns too).
        let why = match &options.stdin {
            Some((name, _)) => format!(
                "`{}` is excluded by the configuration's `exclude`, so standard input, checked \
                 as that file, is not checked",
                name.display()
            ),
            None => "no Python file or notebook to check under the given path(s): mlready \
                     checks `.py` and `.ipynb` files (and scripts named with a Python shebang), \
                     and leaves out what `exclude` and `.gitignore` match"
                .to_string(),
        };
        let _ = writeln!(io::stderr(), "warning: {why}");
    }
    if let Some(file) = baseline_file {
        let anchor = crate::baseline::Anchor::new(&file.path, crate::baseline::FORMAT)?;
        let json = crate::baseline::to_json(&report.diagnostics, &anchor)?;
        let shown = file.path.display().to_string();
        file.write(|out| out.write_all(json.as_bytes()))?;
        if !args.quiet {
            let _ = writeln!(
                io::stderr(),
                "wrote {} finding(s) to the baseline {shown}",
                report.diagnostics.len(),
            );
        }
        // A baseline written without some files' findings is written, but not a success.
        return Ok(ExitCode::from(if broken_configurations > 0 {
            2
        } else {
            0
        }));
    }
    for message in &report.internal_errors {
        let _ = writeln!(io::stderr(), "error: {message}");
    }

    let style = Style {
        color: wants_color(args.no_color, args.output.is_none()),
        width: args
            .output
            .is_none()
            .then(render::rules_table::width)
            .flatten(),
    };
    let render = |out: &mut dyn Write| match statistics {
        Some(format) => render::statistics::render(&report, format, out),
        None if args.quiet => render::render_findings(&report, args.format, out, &style),
        None => render::render(&report, args.format, out, &style),
    };
    match output {
        Some(file) => file.write(render)?,
        None => write_output(None, render)?,
    }

    if !report.internal_errors.is_empty() || broken_configurations > 0 {
        Ok(ExitCode::from(2))
    } else if args.exit_zero || !failing {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

/// `check --show-settings`: every setting with its value and where it came from (a
/// configuration file, the command line, or the default), as TOML with comments.
fn show_settings(settings: &crate::settings::Settings, extras: &config::ResolvedExtras) -> String {
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let from = |key: &str| {
        extras
            .origins
            .get(key)
            .map_or("default".to_string(), |origin| origin.clone())
    };
    let mut out = String::new();
    let file = settings
        .config_file
        .as_ref()
        .map_or("none (defaults)".to_string(), |f| f.display().to_string());
    out.push_str(&format!("# configuration file: {file}\n"));
    out.push_str(&format!(
        "# globs are matched from: {}\n",
        settings.root.display()
    ));
    // What the selection keys below add up to, so an empty `select` (the default selection)
    // or a prefix that leaves preview rules out is not a puzzle.
    let mut running: Vec<&str> = crate::registry::all()
        .filter(|rule| config::rule_enabled(settings, rule.code, rule.name))
        .map(|rule| rule.code)
        .collect();
    running.sort_unstable();
    out.push_str(&format!(
        "# rules that run: {} of {} (per-file-ignores may turn some off for some files)\n",
        running.len(),
        crate::registry::all().count()
    ));
    for codes in running.chunks(10) {
        out.push_str(&format!("#   {}\n", codes.join(" ")));
    }
    let mut line = |key: &str, value: String| {
        out.push_str(&format!("{key} = {value}  # {}\n", from(key)));
    };
    line("select", list(&settings.select));
    line("extend-select", list(&settings.extend_select));
    line("ignore", list(&settings.ignore));
    line(
        "exclude",
        list(&[settings.exclude.clone(), settings.cli_exclude.clone()].concat()),
    );
    line("fail-on", format!("{:?}", settings.fail_on.as_str()));
    line("preview", settings.preview.to_string());
    line(
        "max-file-size",
        format!(
            "{:?}",
            crate::limits::size(settings.limits.max_file_size).replace(' ', "")
        ),
    );
    line(
        "file-time-limit",
        settings.limits.time.as_secs_f64().to_string(),
    );
    out.push_str(&format!(
        "\n[per-file-ignores]  # {}\n",
        from("per-file-ignores")
    ));
    for (glob, selectors) in &settings.per_file_ignores {
        out.push_str(&format!("{glob:?} = {}\n", list(selectors)));
    }
    out.push_str(&format!("\n[severity]  # {}\n", from("severity")));
    for (selector, severity) in &extras.severity {
        out.push_str(&format!("{selector} = {:?}\n", severity.as_str()));
    }
    let serving = &settings.facts.serving;
    out.push_str(&format!("\n[serving]  # {}\n", from("serving")));
    out.push_str(&format!("entry-points = {}\n", list(&serving.entry_points)));
    out.push_str(&format!("available = {}\n", list(&serving.available)));
    out.push_str(&format!("unavailable = {}\n", list(&serving.unavailable)));
    let monitoring = &settings.facts.monitoring;
    out.push_str(&format!("\n[monitoring]  # {}\n", from("monitoring")));
    if let Some(external) = &monitoring.external {
        out.push_str(&format!("external = {external:?}\n"));
    }
    out.push_str(&format!("functions = {}\n", list(&monitoring.functions)));
    out
}

fn run_audit(args: AuditArgs) -> Result<ExitCode, Error> {
    if args.summary && args.format != crate::audit::AuditFormat::Markdown {
        let message = "`--summary` is a Markdown report for pull-request comments; \
                       leave out `--format` or use `--format markdown`";
        let report =
            miette::Report::new(miette::MietteDiagnostic::new(message).with_code("mlready::usage"));
        let _ = writeln!(io::stderr(), "{report:?}");
        return Ok(ExitCode::from(2));
    }
    if std::fs::symlink_metadata(&args.path).is_err() {
        // A report on nothing would read as a clean project.
        let message = format!(
            "no such file or folder: `{}`; `mlready audit` takes the project's folder (`.` by default)",
            args.path.display()
        );
        let report =
            miette::Report::new(miette::MietteDiagnostic::new(message).with_code("mlready::usage"));
        let _ = writeln!(io::stderr(), "{report:?}");
        return Ok(ExitCode::from(2));
    }
    let overrides = CliOverrides {
        config: args.config,
        exclude: args.exclude,
        preview: Some(true),
        ..CliOverrides::default()
    };
    let known: Vec<(&'static str, &'static str)> =
        registry::all().map(|rule| (rule.code, rule.name)).collect();
    let paths = vec![args.path.clone()];
    let (settings, extras) = config::resolve(&paths, &overrides, &known)?;
    let output = args.output.as_deref().map(ReportFile::open).transpose()?;
    let options = crate::engine::RunOptions {
        project: true,
        cache: match (&args.cache_dir, args.no_cache) {
            (_, true) => None,
            (Some(dir), false) => Some(crate::engine::CacheLocation::Dir(dir.clone())),
            (None, false) => Some(crate::engine::CacheLocation::ProjectRoots),
        },
        keep_projects: true,
        ..crate::engine::RunOptions::default()
    };
    let mut report = crate::engine::check_with(&paths, &settings, &options)?;
    for diagnostic in &mut report.diagnostics {
        if let Some(severity) = extras.severity_for(diagnostic.code, diagnostic.name) {
            diagnostic.severity = severity;
        }
    }
    for message in &report.internal_errors {
        let _ = writeln!(io::stderr(), "error: {message}");
    }
    let mut audit = crate::audit::build(&args.path, &report, &settings);
    if args.timestamp {
        audit.generated_at = Some(crate::audit::now_rfc3339());
    }
    let render = |out: &mut dyn Write| crate::audit::render(&audit, args.format, args.summary, out);
    match output {
        Some(file) => file.write(render)?,
        None => write_output(None, render)?,
    }
    if report.internal_errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(2))
    }
}

fn run_rule(args: RuleArgs) -> Result<ExitCode, Error> {
    let Some(rule) = registry::find(&args.rule) else {
        // A usage error, reported like clap's own (exit 2); `Error` has no variant for it yet.
        let known: Vec<(&'static str, &'static str)> =
            registry::all().map(|rule| (rule.code, rule.name)).collect();
        let prefix = args.rule.trim().to_ascii_uppercase();
        let family: Vec<String> = if prefix != "ALL" && config::valid_selector(&prefix, &known) {
            (registry::all())
                .filter(|rule| rule.code.starts_with(&prefix))
                .map(|rule| format!("{} ({})", rule.code, rule.name))
                .collect()
        } else {
            Vec::new()
        };
        let message = match crate::suggest::rule(&args.rule) {
            _ if !family.is_empty() => format!(
                "`{}` is the prefix of {} rules, and `mlready rule` prints one rule's page: {}",
                args.rule,
                family.len(),
                family.join(", ")
            ),
            Some(close) => format!(
                "unknown rule `{}`; did you mean `{close}`? `mlready rules` lists them",
                args.rule
            ),
            None => format!("unknown rule `{}`; `mlready rules` lists them", args.rule),
        };
        let report =
            miette::Report::new(miette::MietteDiagnostic::new(message).with_code("mlready::usage"));
        let _ = writeln!(io::stderr(), "{report:?}");
        return Ok(ExitCode::from(2));
    };
    write_output(None, |out| render::render_rule(rule, args.format, out))?;
    Ok(ExitCode::SUCCESS)
}

fn run_rules(args: RulesArgs) -> Result<ExitCode, Error> {
    let rules: Vec<_> = registry::all().collect();
    let width = render::rules_table::width();
    write_output(None, |out| {
        render::render_rules(&rules, args.format, width, out)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Colour only on an interactive standard output, unless `--no-color` or `NO_COLOR` say no.
fn wants_color(no_color: bool, to_stdout: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && !no_color_env && to_stdout && io::stdout().is_terminal()
}

/// A report file (`--output`, `--write-baseline`) opened before the analysis, so that a path
/// that cannot be written is an error at once, not after minutes of checking. It is not
/// truncated until the report is written (a run that fails keeps the old report), and a file
/// the run created is removed when the run fails before writing it.
struct ReportFile {
    path: PathBuf,
    file: Option<File>,
    created: bool,
}

impl ReportFile {
    fn open(path: &Path) -> Result<ReportFile, Error> {
        let created = std::fs::symlink_metadata(path).is_err();
        let file = File::options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|err| Error::at(path, ErrorKind::Output(err)))?;
        Ok(ReportFile {
            path: path.to_path_buf(),
            file: Some(file),
            created,
        })
    }

    /// Replaces the file's contents with what `write` writes.
    fn write(mut self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Error> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        self.created = false;
        // Only a regular file is truncated: `--output /dev/stdout` or a pipe cannot be.
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        let result = if regular { file.set_len(0) } else { Ok(()) }.and_then(|()| {
            let mut out = BufWriter::new(file);
            write(&mut out).and_then(|()| out.flush())
        });
        result.map_err(|err| Error::at(&self.path, ErrorKind::Output(err)))
    }
}

impl Drop for ReportFile {
    fn drop(&mut self) {
        if self.created && self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Runs `write` against `path` (created or truncated) or standard output, buffered.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let output_error = |err: io::Error| match path {
        Some(path) => Error::at(path, ErrorKind::Output(err)),
        None => Error::new(ErrorKind::Output(err)),
    };
    match path {
        Some(path) => {
            let file = File::create(path).map_err(output_error)?;
            let mut out = BufWriter::new(file);
            write(&mut out).and_then(|()| out.flush())
        }
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            write(&mut out).and_then(|()| out.flush())
        }
    }
    .map_err(output_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_flags_parse() {
        let cli = Cli::try_parse_from([
            "mlready",
            "check",
            "a.py",
            "nb",
            "--format",
            "json",
            "--select",
            "LEAK,SKEW002",
            "--ignore",
            "REPRO001",
            "--exclude",
            "data/**",
            "--exclude",
            "{a,b}.py",
            "--fail-on",
            "error",
            "--no-color",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            panic!("expected check");
        };
        assert_eq!(args.paths, [PathBuf::from("a.py"), PathBuf::from("nb")]);
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.select, Some(vec!["LEAK".into(), "SKEW002".into()]));
        assert_eq!(args.ignore, ["REPRO001"]);
        assert_eq!(args.exclude, ["data/**", "{a,b}.py"]);
        assert_eq!(args.fail_on, Some(FailOn::Error));
        assert!(args.no_color && !args.exit_zero);
        // --exit-zero would make --fail-on say nothing: the two conflict.
        let both = Cli::try_parse_from(["mlready", "check", "--exit-zero", "--fail-on", "info"]);
        assert_eq!(
            both.unwrap_err().kind(),
            clap::error::ErrorKind::ArgumentConflict
        );
    }

    #[test]
    fn check_defaults_to_the_current_directory() {
        let cli = Cli::try_parse_from(["mlready", "check"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("expected check");
        };
        // No path given: crate::inputs::resolve reads the current folder.
        assert!(args.paths.is_empty());
        assert_eq!(
            crate::inputs::resolve(&args.paths, None),
            Ok(crate::inputs::Input::Paths(vec![PathBuf::from(".")]))
        );
        assert_eq!(args.format, Format::Text);
        assert_eq!(args.select, None);
        assert_eq!(args.fail_on, None);
    }

    #[test]
    fn fail_on_takes_warn_as_the_configuration_does() {
        let cli = Cli::try_parse_from(["mlready", "check", "--fail-on", "warn"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!("expected check");
        };
        assert_eq!(args.fail_on, Some(FailOn::Warning));
        assert_eq!(Severity::parse("warn"), Some(Severity::Warning));
    }

    #[test]
    fn usage_errors_exit_2() {
        let err = Cli::try_parse_from(["mlready", "check", "--format", "xml"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let help = Cli::try_parse_from(["mlready", "--help"]).unwrap_err();
        assert_eq!(help.exit_code(), 0);
    }
}
