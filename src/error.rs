//! Operational errors: bad flags, bad configuration, mlready's own failures (exit code 2).
//! Problems with a user's file are findings, never errors.

use std::fmt;
use std::path::PathBuf;

/// An operational error, with the file it concerns when there is one.
#[derive(Debug)]
pub struct Error {
    pub path: Option<PathBuf>,
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
pub enum ErrorKind {
    /// A configuration file cannot be read or is not valid TOML.
    ConfigSyntax(String),
    /// A configuration file cannot be used at all: `--config` names a folder or nothing, a
    /// file found is a named pipe or cannot be read. The message says what and how to fix it.
    ConfigFile(String),
    /// A configuration file has a key mlready does not know: `key` (`serving.schema` in a
    /// table), the known key it is likely a typo of, and the keys known where it stands.
    ConfigUnknownKey {
        key: String,
        hint: Option<String>,
        known: Vec<String>,
    },
    /// A configuration value has the wrong type or an invalid value.
    ConfigValue { key: String, message: String },
    /// A rule selector names no rule and no family; `setting` is where it was written
    /// (`--select`, or a configuration key such as `per-file-ignores`).
    UnknownSelector {
        selector: String,
        setting: &'static str,
    },
    /// A glob pattern does not compile.
    BadGlob { pattern: String, message: String },
    /// The report could not be written.
    Output(std::io::Error),
    /// `--stdin-filename`: the standard input cannot be read (it is a folder, ...).
    Stdin(String),
    /// The `--baseline` file cannot be read (a folder, a special file, no permission) or is
    /// of a format this mlready does not read.
    Baseline(String),
    /// Nothing is at the `--baseline` path: the baseline was never written there.
    BaselineMissing,
    /// The `--baseline` file is not valid JSON or not a baseline: where the parser stopped
    /// (1-based line and column, when it says) and why.
    BaselineMalformed {
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// `mlready server`: the editor's side of the conversation broke off or cannot be read.
    Server(String),
    /// mlready itself failed.
    Internal(String),
}

/// The working directory, or the error that it cannot be read (removed under the run).
pub fn working_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|err| {
        Error::new(ErrorKind::Internal(format!(
            "cannot read the working directory: {err}"
        )))
    })
}

impl Error {
    pub fn new(kind: ErrorKind) -> Error {
        Error { path: None, kind }
    }

    pub fn at(path: impl Into<PathBuf>, kind: ErrorKind) -> Error {
        Error {
            path: Some(path.into()),
            kind,
        }
    }

    /// The path the error concerns, as shown to the user (empty when there is none).
    fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map(|path| crate::report::printable(path.display().to_string()))
            .unwrap_or_default()
    }

    /// True when the error is a closed pipe on output (`mlready check | head`): exit quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(&self.kind, ErrorKind::Output(err) if err.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self
            .path
            .as_ref()
            .map(|p| format!("{}: ", p.display()))
            .unwrap_or_default();
        match &self.kind {
            ErrorKind::ConfigSyntax(message) => write!(f, "{at}invalid configuration: {message}"),
            ErrorKind::ConfigFile(message) => write!(f, "{at}{message}"),
            ErrorKind::ConfigUnknownKey { key, .. } => {
                write!(f, "{at}unknown configuration key `{key}`")
            }
            ErrorKind::ConfigValue { key, message } => {
                write!(f, "{at}invalid value for `{key}`: {message}")
            }
            ErrorKind::UnknownSelector { selector, setting } => {
                write!(
                    f,
                    "{at}`{selector}` in `{setting}` matches no rule code, prefix or name"
                )
            }
            ErrorKind::BadGlob { pattern, message } => {
                write!(f, "{at}invalid glob `{pattern}`: {message}")
            }
            ErrorKind::Output(err) => write!(f, "{at}cannot write the report: {err}"),
            ErrorKind::Baseline(message) => write!(f, "{at}{message}"),
            ErrorKind::BaselineMissing => {
                write!(f, "baseline file `{}` does not exist", self.shown_path())
            }
            ErrorKind::BaselineMalformed {
                line,
                column,
                message,
            } => {
                write!(f, "baseline file `{}` cannot be parsed", self.shown_path())?;
                match (line, column) {
                    (Some(line), Some(column)) => write!(f, " at line {line}, column {column}")?,
                    (Some(line), None) => write!(f, " at line {line}")?,
                    _ => {}
                }
                write!(f, ": {message}")
            }
            ErrorKind::Stdin(message) => write!(f, "{at}{message}"),
            ErrorKind::Server(message) => write!(f, "{at}mlready server: {message}"),
            ErrorKind::Internal(message) => write!(f, "{at}internal error: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.kind {
            ErrorKind::ConfigSyntax(_)
            | ErrorKind::ConfigFile(_)
            | ErrorKind::ConfigUnknownKey { .. }
            | ErrorKind::ConfigValue { .. } => "mlready::config",
            ErrorKind::UnknownSelector { .. } | ErrorKind::BadGlob { .. } => "mlready::usage",
            ErrorKind::Output(_) => "mlready::output",
            ErrorKind::Baseline(_) => "mlready::baseline",
            ErrorKind::BaselineMissing => "mlready::baseline::missing",
            ErrorKind::BaselineMalformed { .. } => "mlready::baseline::malformed",
            ErrorKind::Stdin(_) => "mlready::stdin",
            ErrorKind::Server(_) => "mlready::server",
            ErrorKind::Internal(_) => "mlready::internal",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help: String = match &self.kind {
            ErrorKind::ConfigUnknownKey {
                hint: Some(hint), ..
            } => format!("did you mean `{hint}`?"),
            ErrorKind::ConfigUnknownKey { known, .. } => {
                format!("known keys: {}", known.join(", "))
            }
            ErrorKind::UnknownSelector { selector, .. } => match crate::suggest::rule(selector) {
                Some(close) => {
                    format!("did you mean `{close}`? `mlready rules` lists every code and name")
                }
                None => "`mlready rules` lists every code and name".into(),
            },
            ErrorKind::Baseline(_) => {
                "write the baseline with `mlready check --write-baseline FILE`, then pass it \
                 with `--baseline FILE`"
                    .into()
            }
            ErrorKind::BaselineMissing => format!(
                "create it with `mlready check --write-baseline {}` (it records today's \
                 findings), then pass it with `--baseline`",
                self.shown_path()
            ),
            ErrorKind::BaselineMalformed { .. } => format!(
                "the baseline is written by mlready, not by hand: regenerate it with \
                 `mlready check --write-baseline {}`, or restore it from version control",
                self.shown_path()
            ),
            ErrorKind::Stdin(_) => "--stdin-filename checks the text piped in as that file: \
                 `mlready check --stdin-filename PATH < PATH`"
                .into(),
            ErrorKind::Output(_) => {
                "check that the file's folder exists and can be written, and that the path is \
                 not a folder"
                    .into()
            }
            ErrorKind::Server(_) => "`mlready server` is started by an editor, which talks to it \
                 over standard input and output (the Language Server Protocol); the README, \
                 \"Editors\", has the settings"
                .into(),
            ErrorKind::Internal(_) => {
                "this is a bug in mlready; please report it with the file that caused it".into()
            }
            _ => return None,
        };
        Some(Box::new(help))
    }
}
