//! Configuration: `[tool.mlready]` in pyproject.toml, or the same keys at the top of
//! `mlready.toml` / `.mlready.toml`, found by walking up from the first path (like ruff).
//!
//! - [`find_config`] and [`load_config`] find and read one file into a [`FileConfig`];
//! - [`resolve`] layers the command line on top and validates every selector and glob, giving
//!   the run's [`Settings`] (with the project facts of `[tool.mlready.serving]` and
//!   `[tool.mlready.monitoring]`) plus the [`ResolvedExtras`] that `Settings` has no field for
//!   yet (severity overrides);
//! - [`rule_enabled`], [`ignored_for_file`] and [`CompiledSettings`] answer the engine's
//!   questions. Selection follows ruff: the most specific matching selector wins, and on a tie
//!   `ignore` wins over `select`.
//!
//! There is no merging across files: the closest configuration file wins.

use crate::error::{Error, ErrorKind};
use crate::files::NotRead;
use crate::finding::Severity;
use crate::project::facts::{MonitoringFacts, ProjectFacts, ServingFacts};
use crate::settings::{Selector, Settings};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use toml::{Table, Value};

pub mod groups;

/// Files that configure mlready on their own, in order of precedence within one folder.
const DEDICATED_FILES: [&str; 2] = [".mlready.toml", "mlready.toml"];

/// Every top-level key, kebab-case; the snake_case spelling is accepted too.
const KNOWN_KEYS: [&str; 13] = [
    "extend",
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "per-file-ignores",
    "fail-on",
    "preview",
    "severity",
    "serving",
    "monitoring",
    "max-file-size",
    "file-time-limit",
];

/// The values of one configuration file, before the command line is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileConfig {
    /// The file the values come from.
    pub path: PathBuf,
    /// `select`; `None` when the file does not set it.
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    pub extend_select: Vec<Selector>,
    pub exclude: Vec<String>,
    /// (glob, selectors), in key order.
    pub per_file_ignores: Vec<(String, Vec<Selector>)>,
    pub fail_on: Option<Severity>,
    /// `preview`: also run the rules (and heuristic branches) not yet in the default selection.
    pub preview: Option<bool>,
    /// (selector, severity): the severity to report the matching rules with.
    pub severity: Vec<(Selector, Severity)>,
    /// `max-file-size`: bytes of code beyond which a file is skipped (PARSE005).
    pub max_file_size: Option<u64>,
    /// `file-time-limit`: how long one file's parse and model build may take.
    pub file_time_limit: Option<std::time::Duration>,
    /// `[tool.mlready.serving]` and `[tool.mlready.monitoring]`.
    pub facts: ProjectFacts,
    /// `extend = "../base.toml"`: another configuration file this one builds on (resolved
    /// against this file's folder).
    pub extend: Option<PathBuf>,
    /// For each key set here or in an extended file, the files it came from (two for the
    /// tables an extending file merges into its base's).
    pub origins: BTreeMap<&'static str, Vec<PathBuf>>,
}

/// What the command line says about configuration; `None`/empty means "not given".
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    /// `--config FILE`: use this file instead of searching upward.
    pub config: Option<PathBuf>,
    /// `--select`: replaces the file's `select`.
    pub select: Option<Vec<Selector>>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<Selector>,
    /// `--extend-select`: added to the file's `extend-select`.
    pub extend_select: Vec<Selector>,
    /// `--exclude`: added to the file's `exclude`.
    pub exclude: Vec<String>,
    /// `--fail-on`: replaces the file's `fail-on`.
    pub fail_on: Option<Severity>,
    /// `--preview` / `--no-preview`: turns preview on or off whatever the file says.
    pub preview: Option<bool>,
    /// `--max-file-size`: replaces the file's `max-file-size`.
    pub max_file_size: Option<u64>,
    /// `--file-time-limit`: replaces the file's `file-time-limit`.
    pub file_time_limit: Option<std::time::Duration>,
}

/// The resolved configuration `Settings` has no field for (yet). Returned next to `Settings`
/// by [`resolve`] so `settings.rs` stays the plain selection it is; the engine applies these.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolvedExtras {
    /// (selector, severity) from the `severity` table, every selector validated.
    pub severity: Vec<(Selector, Severity)>,
    /// Where each configured key came from: a configuration file, or the command line.
    pub origins: BTreeMap<&'static str, String>,
}

impl ResolvedExtras {
    /// The overridden severity of a rule: the most specific matching selector wins
    /// (`severity = { REPRO = "info", REPRO001 = "error" }` makes REPRO001 an error).
    pub fn severity_for(&self, code: &str, name: &str) -> Option<Severity> {
        self.severity
            .iter()
            .filter_map(|(selector, severity)| {
                Some((specificity(selector, code, name)?, *severity))
            })
            .max_by_key(|&(rank, _)| rank)
            .map(|(_, severity)| severity)
    }
}

/// The configuration file for `start` (a file or a folder): walking up from it, the first of
/// `.mlready.toml`, `mlready.toml`, or a `pyproject.toml` with a `[tool.mlready]` table.
/// A `pyproject.toml` without that table is skipped and the search goes on upward. A candidate
/// that is a named pipe, a socket or a device is an error (never opened: reading one waits
/// forever), and so is a pyproject.toml that cannot be read: skipping it would drop its
/// selection silently.
pub fn find_config(start: &Path) -> Result<Option<PathBuf>, Error> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let start = absolute(start, &cwd);
    let first = if start.is_dir() {
        start.as_path()
    } else {
        match start.parent() {
            Some(parent) => parent,
            None => return Ok(None),
        }
    };
    for dir in first.ancestors() {
        if let Some(found) = config_in(dir)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The configuration file in the folder `dir` itself, if it holds one (see [`find_config`]).
pub fn config_in(dir: &Path) -> Result<Option<PathBuf>, Error> {
    for name in DEDICATED_FILES {
        let candidate = dir.join(name);
        if is_config_candidate(&candidate)? {
            return Ok(Some(candidate));
        }
    }
    let pyproject = dir.join("pyproject.toml");
    if is_config_candidate(&pyproject)? && configures_mlready(&pyproject)? {
        return Ok(Some(pyproject));
    }
    Ok(None)
}

/// Whether a configuration file stands at `path`: a regular file. Nothing there or a folder is
/// not one; a named pipe, socket or device, or a dangling symbolic link, is an error (passing
/// over it would drop the configuration it was meant to be).
fn is_config_candidate(path: &Path) -> Result<bool, Error> {
    match crate::files::regular(path) {
        Ok(_) => Ok(true),
        Err(NotRead::DanglingLink(target)) => Err(Error::at(
            path,
            ErrorKind::ConfigFile(format!(
                "a dangling symbolic link to `{}`; restore its target or remove the link",
                target.display()
            )),
        )),
        Err(NotRead::Special(kind)) => Err(Error::at(
            path,
            ErrorKind::ConfigFile(format!(
                "not a regular file ({kind}); mlready does not read it. Remove it, or name \
                 the configuration with --config"
            )),
        )),
        // Below something that is not a folder (`train.py/x.py`, a path under a dangling
        // link): nothing can stand there, as when nothing does.
        Err(NotRead::Io(err)) if err.kind() == std::io::ErrorKind::NotADirectory => Ok(false),
        Err(NotRead::Io(err)) => Err(unreadable_config(path, &NotRead::Io(err))),
        Err(_) => Ok(false),
    }
}

/// The error for a configuration file that exists but cannot be read.
fn unreadable_config(path: &Path, err: &NotRead) -> Error {
    Error::at(
        path,
        ErrorKind::ConfigFile(format!("cannot read the configuration file: {err}")),
    )
}

/// What is wrong with the path given to `--config`.
fn config_flag(err: &NotRead) -> String {
    match err {
        NotRead::Folder => "--config names a folder; give it the configuration file itself \
                            (mlready.toml, .mlready.toml, or a pyproject.toml with \
                            [tool.mlready])"
            .to_string(),
        NotRead::Missing => "--config names no file: no such file or directory".to_string(),
        NotRead::DanglingLink(target) => format!(
            "--config names a dangling symbolic link to `{}`",
            target.display()
        ),
        NotRead::Special(kind) => format!(
            "--config names {kind}, not a regular file; mlready never opens one (reading it \
             could wait forever)"
        ),
        NotRead::Io(err) => format!("--config cannot be read: {err}"),
    }
}

/// True when a pyproject.toml has a `[tool.mlready]` table. A pyproject that is not valid TOML
/// counts when it mentions mlready, so that loading it reports the syntax error to the user.
/// One that cannot be read is an error: whether it configures mlready cannot be known.
fn configures_mlready(pyproject: &Path) -> Result<bool, Error> {
    let text = crate::files::read_text(pyproject).map_err(|err| {
        Error::at(
            pyproject,
            ErrorKind::ConfigFile(format!(
                "cannot read the file: {err}; mlready cannot tell whether it has a \
                 [tool.mlready] table. Make it readable, or name the configuration with --config"
            )),
        )
    })?;
    Ok(match text.parse::<Table>() {
        Ok(doc) => doc
            .get("tool")
            .and_then(|tool| tool.get("mlready"))
            .is_some(),
        Err(_) => text.contains("mlready"),
    })
}

/// How many files an `extend` chain may hold. Real chains are two or three files long; a
/// longer one is generated or a mistake, and is refused at the file where it goes too deep.
pub const MAX_EXTEND_CHAIN: usize = 64;

/// Reads one configuration file: `[tool.mlready]` of a file named `pyproject.toml`, else the
/// top-level keys. A pyproject.toml without `[tool.mlready]` gives an empty configuration.
/// `extend` is applied: the extended file's values (themselves extended, up to
/// [`MAX_EXTEND_CHAIN`] files), with every key a file sets taking their place
/// (`per-file-ignores` and `severity` entries are merged by pattern and selector). A cycle is
/// an error that names the file.
pub fn load_config(path: &Path) -> Result<FileConfig, Error> {
    let text = crate::files::read_text(path).map_err(|err| unreadable_config(path, &err))?;
    let first = parse_config(path, &text)?;
    let mut seen = vec![normalize(&absolute(path, Path::new(".")))];
    let mut next = first.extend.clone();
    let mut chain = vec![first];
    // Followed in a loop, not by recursion: a chain of thousands of files must not overflow
    // the stack (issue 12).
    while let Some(base_path) = next {
        let by = chain.last().map(|c| c.path.clone()).unwrap_or_default();
        let identity = normalize(&absolute(&base_path, Path::new(".")));
        if seen.contains(&identity) {
            return Err(config_value(
                &by,
                "extend",
                format!(
                    "`{}` extends itself in a cycle",
                    normalize(&base_path).display()
                ),
            ));
        }
        if chain.len() >= MAX_EXTEND_CHAIN {
            return Err(config_value(
                &by,
                "extend",
                format!(
                    "the chain of `extend` files is longer than {MAX_EXTEND_CHAIN} files; \
                     make a file nearer the start extend the base configuration directly"
                ),
            ));
        }
        let text = crate::files::read_text(&base_path).map_err(|err| {
            config_value(
                &by,
                "extend",
                format!("`{}` cannot be read: {err}", base_path.display()),
            )
        })?;
        seen.push(identity);
        let base = parse_config(&base_path, &text)?;
        next = base.extend.clone();
        chain.push(base);
    }
    let mut merged = chain.pop().unwrap_or_default();
    while let Some(config) = chain.pop() {
        merged = merge(config, merged);
    }
    Ok(merged)
}

/// `config` on top of the configuration it extends.
fn merge(config: FileConfig, base: FileConfig) -> FileConfig {
    let set = |key: &str| config.origins.contains_key(key);
    let merged_entries = |base: Vec<(String, Vec<Selector>)>, own: Vec<(String, Vec<Selector>)>| {
        let mut out: Vec<(String, Vec<Selector>)> = base
            .into_iter()
            .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
            .collect();
        out.extend(own);
        out
    };
    let mut severity: Vec<(Selector, Severity)> = base
        .severity
        .into_iter()
        .filter(|(k, _)| !config.severity.iter().any(|(o, _)| o == k))
        .collect();
    severity.extend(config.severity.clone());
    let mut origins = base.origins;
    for (key, files) in config.origins.clone() {
        let merged = matches!(key, "per-file-ignores" | "severity");
        match origins.get_mut(key) {
            Some(before) if merged => before.extend(files),
            _ => {
                origins.insert(key, files);
            }
        }
    }
    FileConfig {
        path: config.path.clone(),
        select: if set("select") {
            config.select
        } else {
            base.select
        },
        ignore: if set("ignore") {
            config.ignore
        } else {
            base.ignore
        },
        extend_select: if set("extend-select") {
            config.extend_select
        } else {
            base.extend_select
        },
        exclude: if set("exclude") {
            config.exclude
        } else {
            base.exclude
        },
        per_file_ignores: merged_entries(base.per_file_ignores, config.per_file_ignores),
        fail_on: if set("fail-on") {
            config.fail_on
        } else {
            base.fail_on
        },
        preview: if set("preview") {
            config.preview
        } else {
            base.preview
        },
        max_file_size: if set("max-file-size") {
            config.max_file_size
        } else {
            base.max_file_size
        },
        file_time_limit: if set("file-time-limit") {
            config.file_time_limit
        } else {
            base.file_time_limit
        },
        severity,
        facts: ProjectFacts {
            serving: if set("serving") {
                config.facts.serving
            } else {
                base.facts.serving
            },
            monitoring: if set("monitoring") {
                config.facts.monitoring
            } else {
                base.facts.monitoring
            },
        },
        extend: config.extend,
        origins,
    }
}

fn parse_config(path: &Path, text: &str) -> Result<FileConfig, Error> {
    let doc: Table = text.parse().map_err(|err: toml::de::Error| {
        Error::at(path, ErrorKind::ConfigSyntax(err.to_string()))
    })?;
    let mut config = FileConfig {
        path: path.to_path_buf(),
        ..FileConfig::default()
    };
    let is_pyproject = path
        .file_name()
        .is_some_and(|name| name == "pyproject.toml");
    let table = if is_pyproject {
        match doc.get("tool").and_then(|tool| tool.get("mlready")) {
            None => return Ok(config),
            Some(Value::Table(table)) => table,
            Some(other) => return Err(wrong_type(path, "tool.mlready", "a table", other)),
        }
    } else {
        if doc
            .get("tool")
            .and_then(|tool| tool.get("mlready"))
            .is_some()
        {
            return Err(Error::at(
                path,
                ErrorKind::ConfigFile(
                    "has a `[tool.mlready]` table, which is how pyproject.toml holds the \
                     settings; in this file they go at the top level: remove the \
                     `[tool.mlready]` line (and write `[tool.mlready.serving]` as `[serving]`)"
                        .into(),
                ),
            ));
        }
        &doc
    };

    let mut seen: BTreeMap<&'static str, &str> = BTreeMap::new();
    for (key, value) in table {
        let Some(canonical) = canonical_key(key) else {
            return Err(Error::at(
                path,
                ErrorKind::ConfigUnknownKey {
                    key: key.clone(),
                    hint: closest_key(key),
                    known: KNOWN_KEYS.map(String::from).to_vec(),
                },
            ));
        };
        if let Some(first) = seen.insert(canonical, key) {
            return Err(config_value(
                path,
                canonical,
                format!("is given twice, as `{first}` and as `{key}`"),
            ));
        }
        match canonical {
            "select" => config.select = Some(strings(path, canonical, value)?),
            "ignore" => config.ignore = strings(path, canonical, value)?,
            "extend-select" => config.extend_select = strings(path, canonical, value)?,
            "exclude" => {
                config.exclude = strings(path, canonical, value)?;
                check_globs(&config.exclude, Some(path))?;
            }
            "per-file-ignores" => config.per_file_ignores = per_file_ignores(path, value)?,
            "fail-on" => config.fail_on = Some(severity(path, canonical, value)?),
            "preview" => {
                let Value::Boolean(on) = value else {
                    return Err(wrong_type(path, canonical, "true or false", value));
                };
                config.preview = Some(*on);
            }
            "max-file-size" => {
                config.max_file_size = Some(match value {
                    Value::Integer(bytes) if *bytes > 0 => *bytes as u64,
                    Value::Integer(_) => {
                        let message = "must be a positive number of bytes".to_string();
                        return Err(config_value(path, canonical, message));
                    }
                    Value::String(text) => crate::limits::parse_size(text)
                        .map_err(|message| config_value(path, canonical, message))?,
                    _ => {
                        let expected = "a size such as \"10MB\", or a number of bytes";
                        return Err(wrong_type(path, canonical, expected, value));
                    }
                });
            }
            "file-time-limit" => {
                let text = match value {
                    Value::Integer(seconds) => seconds.to_string(),
                    Value::Float(seconds) => seconds.to_string(),
                    Value::String(text) => text.clone(),
                    _ => {
                        let expected = "a number of seconds";
                        return Err(wrong_type(path, canonical, expected, value));
                    }
                };
                config.file_time_limit = Some(
                    crate::limits::parse_seconds(&text)
                        .map_err(|message| config_value(path, canonical, message))?,
                );
            }
            "severity" => config.severity = severity_table(path, value)?,
            "serving" => config.facts.serving = serving_table(path, value)?,
            "monitoring" => config.facts.monitoring = monitoring_table(path, value)?,
            "extend" => {
                let Value::String(target) = value else {
                    return Err(wrong_type(path, canonical, "a path", value));
                };
                let folder = path.parent().unwrap_or(Path::new("."));
                config.extend = Some(folder.join(target));
            }
            _ => unreachable!("every key of KNOWN_KEYS is handled"),
        }
        if canonical != "extend" {
            config.origins.insert(canonical, vec![path.to_path_buf()]);
        }
    }
    Ok(config)
}

/// The kebab-case name of a known key given in kebab or snake case.
fn canonical_key(key: &str) -> Option<&'static str> {
    KNOWN_KEYS
        .into_iter()
        .find(|known| *known == key || known.replace('-', "_") == key)
}

/// The known key closest to a misspelt one, when it is close enough to be a likely typo
/// (the suggester of misspelt rule codes: a swap of two letters is one edit).
fn closest_key(key: &str) -> Option<String> {
    let key = key.replace('_', "-");
    crate::suggest::closest(&key, KNOWN_KEYS).map(str::to_string)
}

/// An unknown key `table.key` of a table whose keys are `known`.
fn table_key_error(name: &str, known: &[&str]) -> ErrorKind {
    let (table, key) = name.split_once('.').unwrap_or(("", name));
    let known: Vec<String> = known.iter().map(|k| format!("{table}.{k}")).collect();
    let hint = crate::suggest::closest(
        &format!("{table}.{}", key.replace('_', "-")),
        known.iter().map(String::as_str),
    )
    .map(str::to_string);
    ErrorKind::ConfigUnknownKey {
        key: name.to_string(),
        hint,
        known,
    }
}

fn config_value(path: &Path, key: &str, message: String) -> Error {
    Error::at(
        path,
        ErrorKind::ConfigValue {
            key: key.to_string(),
            message,
        },
    )
}

fn wrong_type(path: &Path, key: &str, expected: &str, found: &Value) -> Error {
    config_value(
        path,
        key,
        format!(
            "must be {expected}, found {} {}",
            article(found),
            found.type_str()
        ),
    )
}

fn article(value: &Value) -> &'static str {
    match value {
        Value::Integer(_) | Value::Array(_) => "an",
        _ => "a",
    }
}

fn strings(path: &Path, key: &str, value: &Value) -> Result<Vec<String>, Error> {
    let expected = "a list of strings";
    let Value::Array(items) = value else {
        return Err(wrong_type(path, key, expected, value));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(text.clone()),
            other => Err(config_value(
                path,
                key,
                format!(
                    "must be {expected}, found {} {} in the list",
                    article(other),
                    other.type_str()
                ),
            )),
        })
        .collect()
}

fn severity(path: &Path, key: &str, value: &Value) -> Result<Severity, Error> {
    let expected = "one of \"error\", \"warning\", \"info\"";
    let Value::String(text) = value else {
        return Err(wrong_type(path, key, expected, value));
    };
    Severity::parse(text)
        .ok_or_else(|| config_value(path, key, format!("must be {expected}, found \"{text}\"")))
}

fn table_value(path: &Path, key: &str, value: &Value) -> Result<Table, Error> {
    match value {
        Value::Table(table) => Ok(table.clone()),
        other => Err(wrong_type(path, key, "a table", other)),
    }
}

/// A list of `file:function` declarations (`serve.py:app`, `jobs/*.py:score`): strings whose
/// file parts are valid globs.
fn file_functions(path: &Path, name: &str, value: &Value) -> Result<Vec<String>, Error> {
    let list = strings(path, name, value)?;
    let files: Vec<String> = list
        .iter()
        .map(|e| {
            e.rsplit_once(':')
                .map_or(e.as_str(), |(f, _)| f)
                .to_string()
        })
        .collect();
    check_globs(&files, Some(path))?;
    Ok(list)
}

/// `[tool.mlready.serving]`: `entry-points`, `available`, `unavailable`, `online`.
fn serving_table(path: &Path, value: &Value) -> Result<ServingFacts, Error> {
    let table = table_value(path, "serving", value)?;
    let mut facts = ServingFacts::default();
    for (key, value) in &table {
        let name = format!("serving.{key}");
        match key.replace('_', "-").as_str() {
            "entry-points" => facts.entry_points = file_functions(path, &name, value)?,
            "available" => facts.available = strings(path, &name, value)?,
            "unavailable" => {
                facts.unavailable = strings(path, &name, value)?;
                check_globs(&facts.unavailable, Some(path))?;
            }
            "online" => facts.online = file_functions(path, &name, value)?,
            _ => {
                return Err(Error::at(
                    path,
                    table_key_error(
                        &name,
                        &["entry-points", "available", "unavailable", "online"],
                    ),
                ));
            }
        }
    }
    Ok(facts)
}

/// `[tool.mlready.monitoring]`: `external`, `functions`.
fn monitoring_table(path: &Path, value: &Value) -> Result<MonitoringFacts, Error> {
    let table = table_value(path, "monitoring", value)?;
    let mut facts = MonitoringFacts::default();
    for (key, value) in &table {
        let name = format!("monitoring.{key}");
        match key.as_str() {
            "external" => match value {
                Value::String(text) if !text.trim().is_empty() => {
                    facts.external = Some(text.clone())
                }
                Value::String(_) => {}
                other => return Err(wrong_type(path, &name, "a string", other)),
            },
            "functions" | "modules" => facts.functions.extend(strings(path, &name, value)?),
            _ => {
                return Err(Error::at(
                    path,
                    table_key_error(&name, &["external", "functions"]),
                ));
            }
        }
    }
    Ok(facts)
}

fn per_file_ignores(path: &Path, value: &Value) -> Result<Vec<(String, Vec<Selector>)>, Error> {
    let table = table_value(path, "per-file-ignores", value)?;
    let mut entries = Vec::with_capacity(table.len());
    for (glob, selectors) in &table {
        check_globs(std::slice::from_ref(glob), Some(path))?;
        let key = format!("per-file-ignores.\"{glob}\"");
        entries.push((glob.clone(), strings(path, &key, selectors)?));
    }
    Ok(entries)
}

fn severity_table(path: &Path, value: &Value) -> Result<Vec<(Selector, Severity)>, Error> {
    let table = table_value(path, "severity", value)?;
    table
        .iter()
        .map(|(selector, level)| {
            let key = format!("severity.{selector}");
            Ok((selector.clone(), severity(path, &key, level)?))
        })
        .collect()
}

/// Builds the run's settings: the configuration file (`cli.config`, else the one found from
/// the first path, else the working directory), then the command line on top: `--select`
/// replaces `select`; `--ignore`, `--extend-select` and `--exclude` extend; `--fail-on`
/// replaces. `known` lists every rule as (code, name); each selector must match one of them.
/// `settings.root` is the configuration file's folder (else the working directory), absolute.
pub fn resolve(
    paths: &[PathBuf],
    cli: &CliOverrides,
    known: &[(&'static str, &'static str)],
) -> Result<(Settings, ResolvedExtras), Error> {
    let cwd = crate::error::working_dir()?;
    let found = match &cli.config {
        Some(_) => None,
        None => find_config(paths.first().unwrap_or(&cwd)).map_err(|mut err| {
            err.path = err.path.map(|path| relative_to(&path, &cwd));
            err
        })?,
    };
    resolve_found(found, cli, known)
}

/// [`resolve`] with the configuration file found already: `found` (`None` when there is
/// none), unless `--config` names another.
pub fn resolve_found(
    found: Option<PathBuf>,
    cli: &CliOverrides,
    known: &[(&'static str, &'static str)],
) -> Result<(Settings, ResolvedExtras), Error> {
    let cwd = crate::error::working_dir()?;
    let config_path = match &cli.config {
        Some(path) => {
            // Looked at before it is opened: a named pipe would wait forever.
            crate::files::regular(path)
                .map_err(|err| Error::at(path.clone(), ErrorKind::ConfigFile(config_flag(&err))))?;
            Some(path.clone())
        }
        None => found.map(|found| relative_to(&found, &cwd)),
    };
    let file = match &config_path {
        Some(path) => load_config(path)?,
        None => FileConfig::default(),
    };
    if let Some(path) = &config_path {
        validate_file_selectors(&file, path, known)?;
    }
    validate_cli(cli, known)?;

    let root = match &config_path {
        Some(path) => absolute(path, &cwd)
            .parent()
            .map_or_else(|| cwd.clone(), Path::to_path_buf),
        None => normalize(&cwd),
    };
    let mut origins: BTreeMap<&'static str, String> = file
        .origins
        .iter()
        .map(|(key, paths)| {
            let shown: Vec<String> = paths
                .iter()
                .map(|p| relative_to(p, &cwd).display().to_string())
                .collect();
            (*key, shown.join(", "))
        })
        .collect();
    for (key, given) in [
        ("select", cli.select.is_some()),
        ("ignore", !cli.ignore.is_empty()),
        ("extend-select", !cli.extend_select.is_empty()),
        ("exclude", !cli.exclude.is_empty()),
        ("fail-on", cli.fail_on.is_some()),
        ("preview", cli.preview.is_some()),
        ("max-file-size", cli.max_file_size.is_some()),
        ("file-time-limit", cli.file_time_limit.is_some()),
    ] {
        if given {
            let from = match origins.get(key) {
                Some(file)
                    if !matches!(
                        key,
                        "select" | "fail-on" | "preview" | "max-file-size" | "file-time-limit"
                    ) =>
                {
                    format!("{file} and the command line")
                }
                _ => "the command line".to_string(),
            };
            origins.insert(key, from);
        }
    }
    let settings = Settings {
        select: cli.select.clone().or(file.select).unwrap_or_default(),
        extend_select: [file.extend_select, cli.extend_select.clone()].concat(),
        // Command-line selection is a layer on top of the file's, as in ruff: rules named
        // with --select run even if the file ignores them.
        ignore: match &cli.select {
            Some(selected) => file
                .ignore
                .into_iter()
                .filter(|i| !selected.iter().any(|s| s.eq_ignore_ascii_case(i)))
                .chain(cli.ignore.iter().cloned())
                .collect(),
            None => [file.ignore, cli.ignore.clone()].concat(),
        },
        exclude: file.exclude,
        cli_exclude: cli.exclude.clone(),
        per_file_ignores: file.per_file_ignores,
        fail_on: cli.fail_on.or(file.fail_on).unwrap_or(Severity::Warning),
        preview: cli.preview.or(file.preview).unwrap_or(false),
        limits: crate::limits::Limits {
            max_file_size: cli
                .max_file_size
                .or(file.max_file_size)
                .unwrap_or(crate::limits::DEFAULT_MAX_FILE_SIZE),
            time: cli
                .file_time_limit
                .or(file.file_time_limit)
                .unwrap_or(crate::limits::DEFAULT_TIME_LIMIT),
        },
        root,
        config_file: config_path,
        facts: file.facts,
    };
    let extras = ResolvedExtras {
        severity: file.severity,
        origins,
    };
    Ok((settings, extras))
}

fn validate_file_selectors(
    file: &FileConfig,
    path: &Path,
    known: &[(&str, &str)],
) -> Result<(), Error> {
    let selectors = keyed("select", file.select.iter().flatten())
        .chain(keyed("ignore", &file.ignore))
        .chain(keyed("extend-select", &file.extend_select))
        .chain(keyed(
            "per-file-ignores",
            file.per_file_ignores.iter().flat_map(|(_, list)| list),
        ))
        .chain(keyed("severity", file.severity.iter().map(|(s, _)| s)));
    check_selectors(selectors, known).map_err(|kind| Error::at(path, kind))
}

fn validate_cli(cli: &CliOverrides, known: &[(&str, &str)]) -> Result<(), Error> {
    let selectors = keyed("--select", cli.select.iter().flatten())
        .chain(keyed("--ignore", &cli.ignore))
        .chain(keyed("--extend-select", &cli.extend_select));
    check_selectors(selectors, known).map_err(Error::new)?;
    check_globs(&cli.exclude, None)
}

/// Each selector with the flag or configuration key it was given in.
fn keyed<'a>(
    setting: &'static str,
    selectors: impl IntoIterator<Item = &'a Selector>,
) -> impl Iterator<Item = (&'static str, &'a Selector)> {
    selectors
        .into_iter()
        .map(move |selector| (setting, selector))
}

/// The first of the (setting, selector) pairs whose selector selects no rule, as an error.
fn check_selectors<'a>(
    selectors: impl Iterator<Item = (&'static str, &'a Selector)>,
    known: &[(&str, &str)],
) -> Result<(), ErrorKind> {
    for (setting, selector) in selectors {
        if !valid_selector(selector, known) {
            return Err(ErrorKind::UnknownSelector {
                selector: selector.clone(),
                setting,
            });
        }
    }
    Ok(())
}

/// True when `selector` selects at least one of the `known` (code, name) rules: `ALL`, a full
/// code, a rule name, or a code prefix that spells out the whole family (`LEAK`, `LEAK0`;
/// not `LEA`). Codes and `ALL` are matched case-insensitively.
pub fn valid_selector(selector: &str, known: &[(&str, &str)]) -> bool {
    is_all(selector)
        || known
            .iter()
            .any(|(code, name)| specificity(selector, code, name).is_some())
}

fn is_all(selector: &str) -> bool {
    selector.eq_ignore_ascii_case("ALL")
}

/// How specifically `selector` names the rule (code, name), or `None` when it does not:
/// 0 for `ALL`, the prefix length for a prefix, the code length for a full code or the name.
pub fn specificity(selector: &str, code: &str, name: &str) -> Option<usize> {
    if is_all(selector) {
        return Some(0);
    }
    if selector.eq_ignore_ascii_case(name) {
        return Some(code.len());
    }
    let family = code
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count()
        .max(1);
    let prefix = code.as_bytes().get(..selector.len())?;
    let matches = selector.len() >= family && prefix.eq_ignore_ascii_case(selector.as_bytes());
    matches.then_some(selector.len())
}

/// The specificity of the most specific selector of `selectors` that matches the rule.
fn best_match(selectors: &[Selector], code: &str, name: &str) -> Option<usize> {
    selectors
        .iter()
        .filter_map(|selector| specificity(selector, code, name))
        .max()
}

/// True when the rule runs: selected (by `select`, every rule when `select` is empty, or by
/// `extend-select`) by a selector more specific than any `ignore` selector that matches it.
/// `select = ["LEAK"], ignore = ["LEAK001"]` turns LEAK001 off; `select = ["LEAK001"],
/// ignore = ["LEAK"]` keeps it on; on a tie `ignore` wins.
///
/// A preview rule (not yet measured precise enough for the default selection) runs only in
/// preview mode, or when a selector names it exactly (its full code or its name): `--select
/// LEAK003` runs it, `--select LEAK` and `ALL` do not.
pub fn rule_enabled(settings: &Settings, code: &str, name: &str) -> bool {
    selects(settings, code, name, crate::registry::is_preview(code))
}

/// [`rule_enabled`] for a rule whose tier is given.
fn selects(settings: &Settings, code: &str, name: &str, preview_rule: bool) -> bool {
    // A file that could not be checked is reported whatever is selected (DESIGN.md: it
    // produces a diagnostic), so `--select REPRO` never passes an unread file as clean; only
    // `ignore` turns these off.
    let selected = if settings.select.is_empty() || code.starts_with("PARSE") {
        Some(0)
    } else {
        best_match(&settings.select, code, name)
    };
    let Some(selected) = selected.max(best_match(&settings.extend_select, code, name)) else {
        return false;
    };
    let exact = selected >= code.len();
    if !settings.preview && !exact && preview_rule {
        return false;
    }
    best_match(&settings.ignore, code, name).is_none_or(|ignored| selected > ignored)
}

/// The preview rules that an explicit `select` or `extend-select` selector matches but that do
/// not run, because the selector is a prefix or `ALL` and preview is off (`--select SKEW` runs
/// SKEW002, not the preview SKEW001): what `check` notes, so their absence is not a surprise.
/// Rules that `ignore` turns off are not listed.
pub fn preview_left_out(settings: &Settings) -> Vec<&'static crate::rule::Rule> {
    if settings.preview {
        return Vec::new();
    }
    let with_preview = Settings {
        preview: true,
        ..settings.clone()
    };
    crate::registry::all()
        .filter(|rule| rule.preview)
        .filter(|rule| {
            let mut explicit = settings.select.iter().chain(&settings.extend_select);
            explicit.any(|selector| specificity(selector, rule.code, rule.name).is_some())
        })
        .filter(|rule| !selects(settings, rule.code, rule.name, true))
        .filter(|rule| selects(&with_preview, rule.code, rule.name, true))
        .collect()
}

/// True when `per-file-ignores` turns the rule off for the file at `display_path` (relative to
/// the working directory, or absolute). Compiles the globs on every call: code that asks for
/// many files should build a [`CompiledSettings`] once and ask it instead.
pub fn ignored_for_file(settings: &Settings, display_path: &str, code: &str, name: &str) -> bool {
    let Ok(compiled) = CompiledSettings::new(settings) else {
        return false;
    };
    compiled.ignored_for_file(display_path, code, name)
}

/// [`Settings`] with its globs compiled once, for the engine's per-file and per-rule questions.
#[derive(Debug, Clone)]
pub struct CompiledSettings {
    settings: Settings,
    exclude: PathGlobs,
    per_file: PathGlobs,
}

impl CompiledSettings {
    /// Compiles `exclude` and `per-file-ignores`; an invalid glob is a `BadGlob` error.
    pub fn new(settings: &Settings) -> Result<CompiledSettings, Error> {
        let cwd = crate::error::working_dir()?;
        let per_file_globs: Vec<String> = settings
            .per_file_ignores
            .iter()
            .map(|(glob, _)| glob.clone())
            .collect();
        Ok(CompiledSettings {
            exclude: PathGlobs::excluded(settings, &cwd)?,
            per_file: PathGlobs::new(&per_file_globs, &settings.root, &cwd)?,
            settings: settings.clone(),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// See [`rule_enabled`].
    pub fn rule_enabled(&self, code: &str, name: &str) -> bool {
        rule_enabled(&self.settings, code, name)
    }

    /// Whether a diagnostic is reported: its rule is enabled, and it was not made by a preview
    /// heuristic branch outside preview mode.
    pub fn reports(&self, diagnostic: &crate::report::Diagnostic) -> bool {
        (self.settings.preview || !diagnostic.preview)
            && self.rule_enabled(diagnostic.code, diagnostic.name)
    }

    /// See [`ignored_for_file`].
    pub fn ignored_for_file(&self, display_path: &str, code: &str, name: &str) -> bool {
        if self.per_file.is_empty() {
            return false;
        }
        self.per_file
            .matching_path_or_ancestor(Path::new(display_path))
            .into_iter()
            .filter_map(|index| self.settings.per_file_ignores.get(index))
            .any(|(_, selectors)| best_match(selectors, code, name).is_some())
    }

    /// True when `exclude` matches the path itself (not its folders).
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(path)
    }
}

/// A set of globs matched against a path relative to a root folder and against its name, as
/// `exclude` and `per-file-ignores` are. `*` crosses `/` (globset's default, as in ruff).
#[derive(Debug, Clone)]
pub struct PathGlobs {
    set: GlobSet,
    root: PathBuf,
    cwd: PathBuf,
    /// More globs, matched from another folder (`--exclude`'s, from the working directory):
    /// a path matches when it matches either.
    also: Option<Box<PathGlobs>>,
}

impl PathGlobs {
    /// What `settings` excludes: `exclude` from its root, `--exclude` from `cwd`.
    pub fn excluded(settings: &Settings, cwd: &Path) -> Result<PathGlobs, Error> {
        let mut globs = PathGlobs::new(&settings.exclude, &settings.root, cwd)?;
        if !settings.cli_exclude.is_empty() {
            globs.also = Some(Box::new(PathGlobs::new(&settings.cli_exclude, cwd, cwd)?));
        }
        Ok(globs)
    }

    /// `root` may be relative to `cwd`; paths asked about later may be too.
    pub fn new(patterns: &[String], root: &Path, cwd: &Path) -> Result<PathGlobs, Error> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(compile_glob(pattern)?);
        }
        let set = builder.build().map_err(|err| {
            Error::new(ErrorKind::BadGlob {
                pattern: patterns.join(", "),
                message: err.to_string(),
            })
        })?;
        let cwd = normalize(cwd);
        Ok(PathGlobs {
            set,
            root: absolute(root, &cwd),
            cwd,
            also: None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.also.as_ref().is_none_or(|also| also.is_empty())
    }

    /// True when a glob matches the path (relative to root; absolute when outside the root)
    /// or its file name.
    pub fn is_match(&self, path: &Path) -> bool {
        (!self.set.is_empty() && !self.matching(path).is_empty())
            || self.also.as_ref().is_some_and(|also| also.is_match(path))
    }

    /// True when a glob matches the path or one of its folders below the root.
    pub fn matches_path_or_ancestor(&self, path: &Path) -> bool {
        self.also
            .as_ref()
            .is_some_and(|also| also.matches_path_or_ancestor(path))
            || (!self.set.is_empty()
                && (self.path_and_folders(path).iter())
                    .any(|candidate| self.set.is_match(candidate)))
    }

    /// Indices (in the order given to [`PathGlobs::new`]) of the globs matching the path.
    pub fn matching(&self, path: &Path) -> Vec<usize> {
        let path = absolute(path, &self.cwd);
        let relative = path.strip_prefix(&self.root).unwrap_or(&path);
        let mut indices = self.set.matches(relative);
        if let Some(name) = relative.file_name() {
            indices.extend(self.set.matches(Path::new(name)));
            indices.sort_unstable();
            indices.dedup();
        }
        indices
    }

    /// [`PathGlobs::matching`] for the path and its folders below the root: a glob naming a
    /// folder (`notebooks/scratch`, `tests`) covers the files in it, as in `exclude`.
    pub fn matching_path_or_ancestor(&self, path: &Path) -> Vec<usize> {
        let mut indices: Vec<usize> = (self.path_and_folders(path).iter())
            .flat_map(|candidate| self.set.matches(candidate))
            .collect();
        indices.sort_unstable();
        indices.dedup();
        indices
    }

    /// What the globs are matched against for a path and its folders: the path relative to the
    /// root and each of its folders below the root, with their names; a path outside the root
    /// as it is (absolute) and its name.
    fn path_and_folders(&self, path: &Path) -> Vec<PathBuf> {
        let path = absolute(path, &self.cwd);
        let with_name = |p: &Path| {
            let name = p.file_name().map(PathBuf::from);
            std::iter::once(p.to_path_buf()).chain(name)
        };
        match path.strip_prefix(&self.root) {
            Ok(relative) => (relative.ancestors())
                .filter(|ancestor| !ancestor.as_os_str().is_empty())
                .flat_map(with_name)
                .collect(),
            Err(_) => with_name(&path).collect(),
        }
    }
}

fn compile_glob(pattern: &str) -> Result<globset::Glob, Error> {
    let trimmed = pattern.strip_prefix("./").unwrap_or(pattern);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    GlobBuilder::new(trimmed)
        .literal_separator(false)
        .build()
        .map_err(|err| {
            Error::new(ErrorKind::BadGlob {
                pattern: pattern.to_string(),
                message: err.kind().to_string(),
            })
        })
}

fn check_globs(patterns: &[String], file: Option<&Path>) -> Result<(), Error> {
    for pattern in patterns {
        if let Err(mut err) = compile_glob(pattern) {
            err.path = file.map(Path::to_path_buf);
            return Err(err);
        }
    }
    Ok(())
}

/// `path` made absolute against `cwd`, with `.` and `..` removed lexically (no symlinks are
/// resolved: this is for matching and display, not for identity).
pub(crate) fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    normalize(&cwd.join(path))
}

/// Removes `.` and resolves `..` lexically; `..` above the root is dropped.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` when it lies below it, else unchanged.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    match path.strip_prefix(base) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    const KNOWN: &[(&str, &str)] = &[
        ("LEAK001", "preprocessing-before-split"),
        ("LEAK002", "train-test-overlap"),
        ("SKEW002", "future-looking-feature"),
        ("REPRO001", "unseeded-randomness"),
        ("NB001", "non-linear-execution"),
    ];

    fn parse(name: &str, text: &str) -> Result<FileConfig, Error> {
        parse_config(Path::new(name), text)
    }

    fn settings(select: &[&str], extend: &[&str], ignore: &[&str]) -> Settings {
        let own = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Settings {
            select: own(select),
            extend_select: own(extend),
            ignore: own(ignore),
            ..Settings::default()
        }
    }

    #[test]
    fn files_that_could_not_be_checked_are_reported_whatever_is_selected() {
        let only_repro = settings(&["REPRO"], &[], &[]);
        for code in ["PARSE001", "PARSE002", "PARSE005"] {
            assert!(rule_enabled(&only_repro, code, "x"), "{code}");
        }
        assert!(!rule_enabled(
            &only_repro,
            "LEAK001",
            "preprocessing-before-split"
        ));
        let ignored = settings(&["REPRO"], &[], &["PARSE002"]);
        assert!(!rule_enabled(&ignored, "PARSE002", "unreadable-file"));
        assert!(rule_enabled(&ignored, "PARSE005", "analysis-limit"));
        assert!(!rule_enabled(
            &settings(&[], &[], &["PARSE"]),
            "PARSE001",
            "syntax-error"
        ));
    }

    #[test]
    fn reads_every_key_in_both_spellings() {
        let config = parse(
            "mlready.toml",
            r#"
            select = ["LEAK"]
            ignore = ["LEAK002"]
            extend_select = ["NB001"]
            exclude = ["legacy"]
            fail-on = "error"
            [per-file-ignores]
            "tests/**" = ["REPRO"]
            [severity]
            REPRO001 = "info"
            [serving]
            entry-points = ["serve.py:app"]
            available = ["age"]
            unavailable = ["*_after_*"]
            online = ["learner/*.py", "app.py:update"]
            [monitoring]
            functions = ["my_drift_check"]
            external = "datadog:churn"
            "#,
        )
        .unwrap();
        assert_eq!(config.select, Some(vec!["LEAK".to_string()]));
        assert_eq!(config.ignore, ["LEAK002"]);
        assert_eq!(config.extend_select, ["NB001"]);
        assert_eq!(config.exclude, ["legacy"]);
        assert_eq!(config.fail_on, Some(Severity::Error));
        assert_eq!(
            config.per_file_ignores,
            [("tests/**".to_string(), vec!["REPRO".to_string()])]
        );
        assert_eq!(config.severity, [("REPRO001".to_string(), Severity::Info)]);
        assert_eq!(config.facts.serving.entry_points, ["serve.py:app"]);
        assert_eq!(config.facts.serving.available, ["age"]);
        assert_eq!(config.facts.serving.unavailable, ["*_after_*"]);
        assert_eq!(
            config.facts.serving.online,
            ["learner/*.py", "app.py:update"]
        );
        assert_eq!(config.facts.monitoring.functions, ["my_drift_check"]);
        assert_eq!(
            config.facts.monitoring.external.as_deref(),
            Some("datadog:churn")
        );
        let err = parse("mlready.toml", "[serving]\nschema = \"x\"\n").unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigUnknownKey { key, .. } if key == "serving.schema")
        );
        let err = parse("mlready.toml", "[monitoring]\nexternal = 1\n").unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "monitoring.external")
        );
    }

    #[test]
    fn pyproject_reads_tool_mlready_only() {
        let config = parse(
            "pyproject.toml",
            "[project]\nname = \"x\"\n[tool.ruff]\nselect = [\"E\"]\n[tool.mlready]\nselect = [\"SKEW\"]\n",
        )
        .unwrap();
        assert_eq!(config.select, Some(vec!["SKEW".to_string()]));
        let empty = parse("pyproject.toml", "[tool.ruff]\nselect = [\"E\"]\n").unwrap();
        assert_eq!(empty.select, None);
    }

    #[test]
    fn unknown_key_names_file_and_key_with_a_hint() {
        let err = parse("pyproject.toml", "[tool.mlready]\nselcet = [\"LEAK\"]\n").unwrap_err();
        assert_eq!(err.path.as_deref(), Some(Path::new("pyproject.toml")));
        let ErrorKind::ConfigUnknownKey { key, hint, .. } = &err.kind else {
            panic!("unexpected error {err:?}");
        };
        assert_eq!(key, "selcet");
        assert_eq!(hint.as_deref(), Some("select"));
        assert!(err.to_string().contains("pyproject.toml"));
        assert!(err.to_string().contains("`selcet`"));

        let err = parse("mlready.toml", "per_file_ignore = {}\n").unwrap_err();
        assert!(matches!(
            &err.kind,
            ErrorKind::ConfigUnknownKey { hint: Some(hint), .. } if hint == "per-file-ignores"
        ));
        // Far from every key: no guess, and the help lists every key.
        let err = parse("mlready.toml", "banana = 1\n").unwrap_err();
        assert!(matches!(
            &err.kind,
            ErrorKind::ConfigUnknownKey { hint: None, .. }
        ));
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        for key in KNOWN_KEYS {
            assert!(help.contains(key), "{key}: {help}");
        }
        // In a table: the table's keys, and one guess at a time.
        let err = parse("mlready.toml", "[serving]\nentry_point = []\n").unwrap_err();
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert_eq!(help, "did you mean `serving.entry-points`?");
        let err = parse("mlready.toml", "[monitoring]\nbanana = 1\n").unwrap_err();
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert_eq!(
            help,
            "known keys: monitoring.external, monitoring.functions"
        );
    }

    #[test]
    fn a_tool_mlready_table_in_a_dedicated_file_says_where_the_keys_go() {
        for name in ["mlready.toml", ".mlready.toml"] {
            let err = parse(name, "[tool.mlready]\nselect = [\"LEAK\"]\n").unwrap_err();
            assert!(matches!(err.kind, ErrorKind::ConfigFile(_)), "{err:?}");
            assert!(err.to_string().contains("go at the top level"), "{err}");
        }
        // Another tool's table is an unknown key, as before.
        let err = parse("mlready.toml", "[tool.ruff]\nline-length = 1\n").unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ConfigUnknownKey { key, .. } if key == "tool"));
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = parse("mlready.toml", "select = \"LEAK\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "mlready.toml: invalid value for `select`: must be a list of strings, found a string"
        );
        let err = parse("mlready.toml", "ignore = [\"LEAK\", 3]\n").unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "ignore"));
        let err = parse("mlready.toml", "fail-on = \"fatal\"\n").unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "fail-on"));
        let err = parse("mlready.toml", "serving = [1]\n").unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "serving"));
        let err = parse("mlready.toml", "[per-file-ignores]\n\"a.py\" = \"LEAK\"\n").unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "per-file-ignores.\"a.py\"")
        );
        let err = parse("mlready.toml", "select = []\nselect_ = 1\n").unwrap_err();
        assert!(matches!(err.kind, ErrorKind::ConfigUnknownKey { .. }));
        let err = parse("mlready.toml", "extend-select = []\nextend_select = []\n").unwrap_err();
        assert!(matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "extend-select"));
        let err = parse("mlready.toml", "exclude = [\"a[\"]\n").unwrap_err();
        assert!(matches!(err.kind, ErrorKind::BadGlob { .. }));
        assert_eq!(err.path.as_deref(), Some(Path::new("mlready.toml")));
    }

    #[test]
    fn malformed_toml_is_a_syntax_error_with_position() {
        let err = parse("mlready.toml", "select = [\"LEAK\"\nignore = 1\n").unwrap_err();
        let ErrorKind::ConfigSyntax(message) = &err.kind else {
            panic!("unexpected error {err:?}");
        };
        assert!(message.contains("line"), "{message}");
        assert_eq!(err.path.as_deref(), Some(Path::new("mlready.toml")));
    }

    #[test]
    fn find_config_skips_pyproject_without_tool_mlready() {
        let tmp = TempDir::new("find");
        let top = tmp.write("mlready.toml", "select = [\"LEAK\"]\n");
        tmp.write("proj/pyproject.toml", "[tool.ruff]\nline-length = 100\n");
        let script = tmp.write("proj/src/train.py", "x = 1\n");
        assert_eq!(find_config(&script).unwrap(), Some(top.clone()));
        assert_eq!(find_config(&tmp.0.join("proj")).unwrap(), Some(top));

        let own = tmp.write("proj/pyproject.toml", "[tool.mlready]\nselect = []\n");
        assert_eq!(find_config(&script).unwrap(), Some(own.clone()));
        // In one folder, the dedicated file wins over pyproject.toml.
        let dedicated = tmp.write("proj/.mlready.toml", "");
        assert_eq!(find_config(&script).unwrap(), Some(dedicated));
    }

    #[cfg(unix)]
    #[test]
    fn find_config_reports_what_it_cannot_read_and_never_opens_a_pipe() {
        let tmp = TempDir::new("find-special");
        let script = tmp.write("proj/train.py", "x = 1\n");
        let message = |tmp: &TempDir| {
            let err = find_config(&script).unwrap_err();
            let shown = err.to_string();
            shown.replace(&format!("{}/", tmp.0.display()), "")
        };
        std::fs::write(tmp.0.join("proj/pyproject.toml"), b"[tool.\xff]\n").unwrap();
        assert_eq!(
            message(&tmp),
            "proj/pyproject.toml: cannot read the file: stream did not contain valid UTF-8; \
             mlready cannot tell whether it has a [tool.mlready] table. Make it readable, or \
             name the configuration with --config"
        );
        std::fs::remove_file(tmp.0.join("proj/pyproject.toml")).unwrap();
        std::os::unix::fs::symlink("shared.toml", tmp.0.join("proj/mlready.toml")).unwrap();
        assert_eq!(
            message(&tmp),
            "proj/mlready.toml: a dangling symbolic link to `shared.toml`; restore its target \
             or remove the link"
        );
        std::fs::remove_file(tmp.0.join("proj/mlready.toml")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(tmp.0.join("proj/.mlready.toml"))
            .status();
        assert!(made.is_ok_and(|s| s.success()));
        assert_eq!(
            message(&tmp),
            "proj/.mlready.toml: not a regular file (a named pipe); mlready does not read it. \
             Remove it, or name the configuration with --config"
        );
        std::fs::remove_file(tmp.0.join("proj/.mlready.toml")).unwrap();
        // A folder named like a configuration file is passed over.
        std::fs::create_dir_all(tmp.0.join("proj/mlready.toml")).unwrap();
        assert_eq!(find_config(&script).unwrap(), None);
    }

    #[test]
    fn resolve_layers_cli_over_file() {
        let tmp = TempDir::new("resolve");
        tmp.write(
            "pyproject.toml",
            "[tool.mlready]\nselect = [\"LEAK\"]\nignore = [\"LEAK002\"]\nexclude = [\"legacy\"]\nfail-on = \"error\"\n[tool.mlready.severity]\nNB001 = \"info\"\n",
        );
        let script = tmp.write("src/train.py", "");

        let (file_only, extras) = resolve(
            std::slice::from_ref(&script),
            &CliOverrides::default(),
            KNOWN,
        )
        .unwrap();
        assert_eq!(file_only.select, ["LEAK"]);
        assert_eq!(file_only.fail_on, Severity::Error);
        assert_eq!(file_only.root, tmp.0);
        assert_eq!(
            file_only.config_file.as_deref(),
            Some(tmp.0.join("pyproject.toml").as_path())
        );
        assert_eq!(
            extras.severity_for("NB001", "non-linear-execution"),
            Some(Severity::Info)
        );

        let cli = CliOverrides {
            select: Some(vec!["SKEW".into()]),
            ignore: vec!["NB001".into()],
            extend_select: vec!["REPRO001".into()],
            exclude: vec!["old/*.py".into()],
            fail_on: Some(Severity::Info),
            ..CliOverrides::default()
        };
        let (both, _) = resolve(std::slice::from_ref(&script), &cli, KNOWN).unwrap();
        assert_eq!(both.select, ["SKEW"]);
        assert_eq!(both.ignore, ["LEAK002", "NB001"]);
        assert_eq!(both.extend_select, ["REPRO001"]);
        // The file's patterns are matched from its folder, the command line's from the
        // working directory.
        assert_eq!(both.exclude, ["legacy"]);
        assert_eq!(both.cli_exclude, ["old/*.py"]);
        assert_eq!(both.fail_on, Severity::Info);

        // --config wins over the file found upward; a missing --config is an error.
        let other = tmp.write("other.toml", "select = [\"NB\"]\n");
        let cli = CliOverrides {
            config: Some(other.clone()),
            ..CliOverrides::default()
        };
        let (explicit, _) = resolve(std::slice::from_ref(&script), &cli, KNOWN).unwrap();
        assert_eq!(explicit.select, ["NB"]);
        let cli = CliOverrides {
            config: Some(tmp.0.join("missing.toml")),
            ..CliOverrides::default()
        };
        let err = resolve(std::slice::from_ref(&script), &cli, KNOWN).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: --config names no file: no such file or directory",
                tmp.0.join("missing.toml").display()
            )
        );
        // A folder is named as such, not as missing (issue 12).
        let cli = CliOverrides {
            config: Some(tmp.0.clone()),
            ..CliOverrides::default()
        };
        let err = resolve(&[script], &cli, KNOWN).unwrap_err();
        assert!(
            err.to_string()
                .contains("--config names a folder; give it the configuration file"),
            "{err}"
        );
    }

    #[test]
    fn resolve_rejects_unknown_selectors_where_they_come_from() {
        let tmp = TempDir::new("selectors");
        let config = tmp.write("mlready.toml", "ignore = [\"LAEK001\"]\n");
        let err = resolve(
            std::slice::from_ref(&tmp.0),
            &CliOverrides::default(),
            KNOWN,
        )
        .unwrap_err();
        assert!(matches!(
            &err.kind,
            ErrorKind::UnknownSelector { selector, setting: "ignore" } if selector == "LAEK001"
        ));
        assert_eq!(err.path, Some(config));

        tmp.write("mlready.toml", "[severity]\nLEA = \"info\"\n");
        let err = resolve(
            std::slice::from_ref(&tmp.0),
            &CliOverrides::default(),
            KNOWN,
        )
        .unwrap_err();
        assert!(matches!(
            &err.kind,
            ErrorKind::UnknownSelector { selector, setting: "severity" } if selector == "LEA"
        ));

        tmp.write("mlready.toml", "");
        let cli = CliOverrides {
            select: Some(vec!["SKEWW".into()]),
            ..CliOverrides::default()
        };
        let err = resolve(std::slice::from_ref(&tmp.0), &cli, KNOWN).unwrap_err();
        assert!(matches!(
            &err.kind,
            ErrorKind::UnknownSelector { selector, setting: "--select" } if selector == "SKEWW"
        ));
        assert_eq!(err.path, None);
    }

    #[test]
    fn selector_validity() {
        for good in [
            "ALL",
            "LEAK",
            "LEAK0",
            "LEAK00",
            "LEAK001",
            "leak001",
            "REPRO",
            "train-test-overlap",
        ] {
            assert!(valid_selector(good, KNOWN), "{good} should be valid");
        }
        for bad in [
            "", "L", "LEA", "LEAK1", "LEAK0011", "LEAK003", "CHAIN", "test-set", "E501",
        ] {
            assert!(!valid_selector(bad, KNOWN), "{bad} should be invalid");
        }
    }

    #[test]
    fn rule_enabled_follows_specificity() {
        let leak1 = ("LEAK001", "preprocessing-before-split");
        let check = |s: &Settings| rule_enabled(s, leak1.0, leak1.1);
        assert!(check(&settings(&[], &[], &[])));
        assert!(check(&settings(&["LEAK"], &[], &[])));
        assert!(!check(&settings(&["SKEW"], &[], &[])));
        assert!(check(&settings(&["SKEW"], &["LEAK001"], &[])));
        assert!(!check(&settings(&["LEAK"], &[], &["LEAK001"])));
        assert!(check(&settings(&["LEAK001"], &[], &["LEAK"])));
        assert!(check(&settings(
            &["preprocessing-before-split"],
            &[],
            &["LEAK"]
        )));
        assert!(!check(&settings(&["LEAK"], &[], &["LEAK"])));
        assert!(!check(&settings(&[], &[], &["ALL"])));
        assert!(check(&settings(&[], &["LEAK0"], &["ALL"])));
        assert!(!check(&settings(
            &["ALL"],
            &[],
            &["preprocessing-before-split"]
        )));
        assert!(selects(
            &settings(&["LEAK"], &[], &["LEAK001"]),
            "LEAK002",
            "train-test-overlap",
            false
        ));
    }

    #[test]
    fn preview_rules_need_preview_mode_or_their_exact_code() {
        let rule = ("LEAK003", "test-set-reuse");
        let check = |s: &Settings| selects(s, rule.0, rule.1, true);
        let mut s = settings(&[], &[], &[]);
        assert!(!check(&s), "default selection leaves preview rules out");
        assert!(
            !check(&settings(&["LEAK"], &[], &[])),
            "a prefix is not enough"
        );
        assert!(!check(&settings(&["ALL"], &[], &[])), "ALL is not enough");
        assert!(check(&settings(&["LEAK003"], &[], &[])));
        assert!(check(&settings(&["test-set-reuse"], &[], &[])));
        assert!(check(&settings(&["SKEW"], &["LEAK003"], &[])));
        assert!(!check(&settings(&["LEAK003"], &[], &["LEAK003"])));
        s.preview = true;
        assert!(check(&s));
        s.ignore = vec!["LEAK".into()];
        assert!(!check(&s), "ignore still wins in preview mode");
        // A default rule is unaffected.
        assert!(selects(
            &settings(&["LEAK"], &[], &[]),
            rule.0,
            rule.1,
            false
        ));
    }

    #[test]
    fn preview_key_is_a_boolean() {
        assert_eq!(
            parse("mlready.toml", "preview = true\n").unwrap().preview,
            Some(true)
        );
        let err = parse("mlready.toml", "preview = \"yes\"\n").unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigValue { key, .. } if key == "preview"),
            "{err:?}"
        );
    }

    #[test]
    fn per_file_ignores_match_relative_paths_and_names() {
        let mut s = Settings {
            per_file_ignores: vec![
                ("tests/**".into(), vec!["LEAK".into()]),
                ("*.ipynb".into(), vec!["non-linear-execution".into()]),
                ("scratch.py".into(), vec!["ALL".into()]),
            ],
            ..Settings::default()
        };
        let compiled = CompiledSettings::new(&s).unwrap();
        assert!(compiled.ignored_for_file("tests/unit/test_a.py", "LEAK001", "x"));
        assert!(!compiled.ignored_for_file("tests/unit/test_a.py", "SKEW002", "x"));
        assert!(!compiled.ignored_for_file("src/tests.py", "LEAK001", "x"));
        assert!(compiled.ignored_for_file("notebooks/eda.ipynb", "NB001", "non-linear-execution"));
        assert!(!compiled.ignored_for_file("notebooks/eda.py", "NB001", "non-linear-execution"));
        assert!(compiled.ignored_for_file("deep/down/scratch.py", "REPRO001", "x"));
        assert!(ignored_for_file(
            &s,
            "./tests/a.py",
            "LEAK002",
            "train-test-overlap"
        ));

        // Globs are relative to the root, not to the working directory.
        s.root = PathBuf::from("sub");
        let compiled = CompiledSettings::new(&s).unwrap();
        assert!(compiled.ignored_for_file("sub/tests/a.py", "LEAK001", "x"));
        assert!(!compiled.ignored_for_file("tests/a.py", "LEAK001", "x"));
    }

    #[test]
    fn per_file_ignores_naming_a_folder_cover_its_files() {
        for folder in [
            "notebooks/scratch",
            "notebooks/scratch/",
            "./notebooks/scratch",
        ] {
            let s = Settings {
                per_file_ignores: vec![(folder.into(), vec!["REPRO006".into()])],
                ..Settings::default()
            };
            let compiled = CompiledSettings::new(&s).unwrap();
            for covered in [
                "notebooks/scratch/try.py",
                "notebooks/scratch/old/eda.ipynb",
            ] {
                assert!(
                    compiled.ignored_for_file(covered, "REPRO006", "x"),
                    "{folder}: {covered}"
                );
            }
            assert!(!compiled.ignored_for_file("notebooks/scratch/try.py", "LEAK001", "x"));
            for outside in [
                "notebooks/try.py",
                "notebooks/scratch.py",
                "src/scratch/x.py",
            ] {
                assert!(
                    !compiled.ignored_for_file(outside, "REPRO006", "x"),
                    "{folder}: {outside}"
                );
            }
        }
        // A folder's name alone covers every folder of that name, as in `exclude`.
        let s = Settings {
            per_file_ignores: vec![("tests".into(), vec!["LEAK".into()])],
            ..Settings::default()
        };
        let compiled = CompiledSettings::new(&s).unwrap();
        assert!(compiled.ignored_for_file("src/tests/test_a.py", "LEAK001", "x"));
        assert!(!compiled.ignored_for_file("src/tests.py", "LEAK001", "x"));
    }

    #[test]
    fn severity_overrides_prefer_the_most_specific_selector() {
        let extras = ResolvedExtras {
            severity: vec![
                ("REPRO".into(), Severity::Info),
                ("REPRO001".into(), Severity::Error),
            ],
            origins: BTreeMap::new(),
        };
        assert_eq!(extras.severity_for("REPRO001", "x"), Some(Severity::Error));
        assert_eq!(extras.severity_for("REPRO006", "y"), Some(Severity::Info));
        assert_eq!(extras.severity_for("LEAK001", "z"), None);
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../a/./b")), PathBuf::from("../a/b"));
    }

    #[test]
    fn extend_builds_on_another_file_and_says_where_each_value_came_from() {
        let dir = crate::testutil::TempDir::new("extend");
        dir.write(
            "pyproject.toml",
            "[tool.mlready]\nignore = [\"REPRO006\"]\nfail-on = \"error\"\n\
             [tool.mlready.severity]\nMON004 = \"warning\"\nREPRO001 = \"warning\"\n\
             [tool.mlready.per-file-ignores]\n\"a.py\" = [\"LEAK\"]\n",
        );
        let child = dir.write(
            "proj/mlready.toml",
            "extend = \"../pyproject.toml\"\nselect = [\"LEAK\"]\n\
             [severity]\nREPRO001 = \"info\"\n[per-file-ignores]\n\"b.py\" = [\"SKEW\"]\n",
        );
        let config = load_config(&child).unwrap();
        assert_eq!(config.select, Some(vec!["LEAK".to_string()]));
        assert_eq!(config.ignore, ["REPRO006"]);
        assert_eq!(config.fail_on, Some(Severity::Error));
        // Tables merge, the extending file's entries win.
        assert_eq!(
            config.severity,
            [
                ("MON004".to_string(), Severity::Warning),
                ("REPRO001".to_string(), Severity::Info)
            ]
        );
        assert_eq!(config.per_file_ignores.len(), 2);
        assert!(config.origins["select"][0].ends_with("proj/mlready.toml"));
        assert!(config.origins["ignore"][0].ends_with("pyproject.toml"));
        assert_eq!(config.origins["severity"].len(), 2);
    }

    #[test]
    fn extend_cycles_and_missing_files_are_errors() {
        let dir = crate::testutil::TempDir::new("extend-cycle");
        let a = dir.write("a/mlready.toml", "extend = \"../b/mlready.toml\"\n");
        dir.write("b/mlready.toml", "extend = \"../a/mlready.toml\"\n");
        let err = load_config(&a).unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigValue { key, message } if key == "extend" && message.contains("cycle")),
            "{err}"
        );
        let c = dir.write("c/mlready.toml", "extend = \"../missing.toml\"\n");
        let err = load_config(&c).unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::ConfigValue { key, message } if key == "extend" && message.contains("cannot be read: no such file or directory")),
            "{err}"
        );
    }
}
