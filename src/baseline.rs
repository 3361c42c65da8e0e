//! Baselines, for adopting mlready on an existing repository: `--write-baseline FILE` records
//! today's findings, `--baseline FILE` reports only the others. A finding is recognised by its
//! rule, its file and a fingerprint of its code context (the flagged line's text, whitespace
//! folded, and which occurrence of that text it is), never by its line number: code added or
//! moved elsewhere in the file does not bring old findings back.
//!
//! Files are named relative to the folder the baseline is in (format 2), so one baseline
//! matches whether mlready runs from the repository's root (CI) or from a sub-folder (a
//! developer). Format 1, written before, named them relative to the working directory of the
//! run that wrote it, and is still read that way.

use crate::error::{Error, ErrorKind};
use crate::report::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The baseline file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    /// The file format ([`FORMAT`]).
    pub version: u32,
    /// The mlready that wrote the file: fingerprints and findings may change between versions.
    /// Absent from files written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlready: Option<String>,
    pub findings: Vec<Entry>,
}

/// The baseline format this mlready writes; it reads this one and [`FORMAT_CWD`].
pub const FORMAT: u32 = 2;

/// The first format, whose paths are relative to the working directory of the run that
/// wrote it.
pub const FORMAT_CWD: u32 = 1;

/// How a baseline names the files of findings.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The working directory, absolute.
    cwd: PathBuf,
    /// The folder the baseline is in, absolute; `None` for format 1 (display paths as they
    /// are).
    base: Option<PathBuf>,
}

impl Anchor {
    /// For the baseline at `file` (as given on the command line), of format `version`.
    pub fn new(file: &Path, version: u32) -> Result<Anchor, Error> {
        let cwd = crate::error::working_dir()?;
        let base = (version != FORMAT_CWD).then(|| {
            let folder = file.parent().unwrap_or(Path::new(""));
            crate::config::normalize(&cwd.join(folder))
        });
        Ok(Anchor { cwd, base })
    }

    /// The name the baseline gives a finding's file (its display path, relative to the working
    /// directory), `/`-separated.
    pub fn name(&self, display: &str) -> String {
        let Some(base) = &self.base else {
            return display.to_string();
        };
        let file = crate::config::normalize(&self.cwd.join(display));
        let relative = relative_path(base, &file);
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    }
}

/// `to` relative to the folder `from` (both absolute and normalized), with `..` where `to`
/// is outside it; `to` itself when they share no root (another Windows drive).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part);
    }
    out
}

/// This mlready's version, as baselines record it.
pub const MLREADY: &str = env!("CARGO_PKG_VERSION");

impl Baseline {
    /// A warning when the file was written by another mlready than this one: it is still
    /// applied, but findings whose fingerprints changed come back, and findings of changed
    /// rules may differ.
    pub fn version_warning(&self, path: &Path) -> Option<String> {
        let written_by = match self.mlready.as_deref() {
            Some(version) if version == MLREADY => return None,
            // The file is the user's to edit: what it says is shown, never obeyed by the terminal.
            Some(version) => crate::report::printable(format!("mlready {version}")),
            None => "an earlier mlready that did not record its version".to_string(),
        };
        Some(format!(
            "the baseline {} was written by {written_by}, and this is mlready {MLREADY}: it is \
             applied, but findings whose fingerprints changed between the versions are reported \
             again; regenerate it with `mlready check --write-baseline {}`",
            path.display(),
            path.display()
        ))
    }
}

/// One recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Entry {
    pub code: String,
    pub path: String,
    pub fingerprint: String,
}

/// The baseline entries of `diagnostics`, in order: each file named as `anchor` names it, and
/// fingerprinted under that name (see [`crate::fingerprint`]).
fn entries(diagnostics: &[Diagnostic], anchor: &Anchor) -> Vec<Entry> {
    let names: Vec<String> = diagnostics.iter().map(|d| anchor.name(&d.path)).collect();
    crate::fingerprint::of_named(diagnostics, &names)
        .iter()
        .zip(diagnostics.iter().zip(names))
        .map(|(print, (d, path))| Entry {
            code: d.code.to_string(),
            path,
            fingerprint: print.unique(),
        })
        .collect()
}

/// The baseline of `diagnostics`, to be written at the place `anchor` was made for.
pub fn of(diagnostics: &[Diagnostic], anchor: &Anchor) -> Baseline {
    let findings = entries(diagnostics, anchor);
    Baseline {
        version: FORMAT,
        mlready: Some(MLREADY.to_string()),
        findings,
    }
}

/// The baseline file of `diagnostics`, as written to disk.
pub fn to_json(diagnostics: &[Diagnostic], anchor: &Anchor) -> Result<String, Error> {
    let json = serde_json::to_string_pretty(&of(diagnostics, anchor))
        .map_err(|err| Error::new(ErrorKind::Internal(err.to_string())))?;
    Ok(json + "\n")
}

/// Reads a baseline file. A missing or malformed one, one that is not a regular file (never
/// opened: a named pipe would wait forever), or one of another format is an error.
pub fn read(path: &Path) -> Result<Baseline, Error> {
    let baseline_error = |message: String| Error::at(path, ErrorKind::Baseline(message));
    let text = crate::files::read_text(path).map_err(|err| match err {
        crate::files::NotRead::Missing => Error::at(path, ErrorKind::BaselineMissing),
        crate::files::NotRead::Io(err) if err.kind() == std::io::ErrorKind::InvalidData => {
            let malformed = ErrorKind::BaselineMalformed {
                line: None,
                column: None,
                message: "it is not UTF-8 text".to_string(),
            };
            Error::at(path, malformed)
        }
        err => baseline_error(format!("cannot read the baseline: {err}")),
    })?;
    // Valid JSON of another shape (`[]`, a report) is named for what it is, not in serde's
    // words ("invalid length 0, expected struct Baseline with 3 elements").
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| Error::at(path, malformed(&err)))?;
    if !value.is_object() {
        let found = match value {
            serde_json::Value::Array(_) => "an array",
            serde_json::Value::String(_) => "a string",
            serde_json::Value::Number(_) => "a number",
            serde_json::Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(Error::at(
            path,
            ErrorKind::BaselineMalformed {
                line: None,
                column: None,
                message: format!(
                    "it is {found}, not a baseline (a JSON object with `version` and \
                     `findings`, as `--write-baseline` writes it)"
                ),
            },
        ));
    }
    // A report given where its baseline was meant is a likely mix-up: say which it is.
    let report = if value.get("diagnostics").is_some() && value.get("tool").is_some() {
        Some("an mlready report (`--format json`)")
    } else if value.get("runs").is_some() {
        Some("a SARIF report")
    } else {
        None
    };
    if let Some(report) = report.filter(|_| value.get("findings").is_none()) {
        return Err(Error::at(
            path,
            ErrorKind::BaselineMalformed {
                line: None,
                column: None,
                message: format!("it is {report}, not a baseline"),
            },
        ));
    }
    // The format first, so that a future file says so rather than failing on a field.
    let format = (value.get("version"))
        .and_then(serde_json::Value::as_u64)
        .and_then(|version| u32::try_from(version).ok());
    if let Some(version) = format.filter(|&v| v != FORMAT && v != FORMAT_CWD) {
        return Err(baseline_error(format!(
            "the baseline has format version {version}, and mlready {MLREADY} reads versions \
             {FORMAT_CWD} and {FORMAT}"
        )));
    }
    serde_json::from_str(&text).map_err(|err| Error::at(path, malformed(&err)))
}

/// What serde_json says of a file that is not a baseline, with its place apart from its words
/// (serde_json ends its message with ` at line L column C`; line 0 means it has no place).
fn malformed(err: &serde_json::Error) -> ErrorKind {
    let (line, column) = (err.line(), err.column());
    let text = err.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
    ErrorKind::BaselineMalformed {
        line: (line > 0).then_some(line),
        // serde_json counts columns from 1, and says 0 before the first character of a line.
        column: (line > 0).then_some(column.max(1)),
        message: crate::report::printable(message),
    }
}

/// Drops the findings the baseline records; each recorded finding hides one finding. `anchor`
/// is the baseline's ([`Anchor::new`] with its file and version).
pub fn filter(diagnostics: &mut Vec<Diagnostic>, baseline: &Baseline, anchor: &Anchor) {
    let mut known: HashMap<&Entry, usize> = HashMap::new();
    for entry in &baseline.findings {
        *known.entry(entry).or_insert(0) += 1;
    }
    let mut keep = Vec::with_capacity(diagnostics.len());
    for entry in entries(diagnostics, anchor) {
        match known.get_mut(&entry) {
            Some(count) if *count > 0 => {
                *count -= 1;
                keep.push(false);
            }
            _ => keep.push(true),
        }
    }
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn paths_are_named_from_the_baseline_folder() {
        let rel = |from: &str, to: &str| relative_path(Path::new(from), Path::new(to));
        assert_eq!(rel("/r", "/r/src/a.py"), PathBuf::from("src/a.py"));
        assert_eq!(
            rel("/r/.mlready", "/r/src/a.py"),
            PathBuf::from("../src/a.py")
        );
        assert_eq!(rel("/r/a/b", "/r/c.py"), PathBuf::from("../../c.py"));
        assert_eq!(rel("/", "/x.py"), PathBuf::from("x.py"));
        let anchor = Anchor {
            cwd: PathBuf::from("/r/src"),
            base: Some(PathBuf::from("/r/.mlready")),
        };
        assert_eq!(anchor.name("train.py"), "../src/train.py");
        assert_eq!(anchor.name("../lib/x.py"), "../lib/x.py");
        let first = Anchor {
            cwd: PathBuf::from("/r/src"),
            base: None,
        };
        assert_eq!(first.name("train.py"), "train.py");
    }

    #[test]
    fn a_missing_and_a_malformed_baseline_are_told_apart() {
        let tmp = TempDir::new("baseline-read");
        let missing = read(&tmp.0.join("none.json")).unwrap_err();
        assert!(
            matches!(missing.kind, ErrorKind::BaselineMissing),
            "{missing:?}"
        );
        let cut = tmp.write("cut.json", "{\"version\": 1,\n");
        let err = read(&cut).unwrap_err();
        let ErrorKind::BaselineMalformed {
            line,
            column,
            message,
        } = &err.kind
        else {
            panic!("{err:?}");
        };
        assert_eq!((*line, *column), (Some(2), Some(1)));
        assert_eq!(message, "EOF while parsing a value");
        let wrong = tmp.write(
            "wrong.json",
            "{\"version\": 1, \"findings\": [{\"code\": 1}]}",
        );
        let err = read(&wrong).unwrap_err();
        assert!(
            matches!(&err.kind, ErrorKind::BaselineMalformed { line: Some(1), message, .. }
                if message.starts_with("invalid type: integer `1`, expected a string")),
            "{err:?}"
        );
        let binary = tmp.0.join("binary.json");
        std::fs::write(&binary, b"\xff\xfe").unwrap();
        let err = read(&binary).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "baseline file `{}` cannot be parsed: it is not UTF-8 text",
                binary.display()
            )
        );
        // A folder is neither: it cannot be read.
        let folder = read(&tmp.0).unwrap_err();
        assert!(matches!(folder.kind, ErrorKind::Baseline(_)), "{folder:?}");
    }

    #[test]
    fn json_that_is_not_a_baseline_is_named_for_what_it_is() {
        let tmp = TempDir::new("baseline-shape");
        for (text, found) in [("[]", "an array"), ("\"x\"", "a string"), ("null", "null")] {
            let file = tmp.write("b.json", text);
            let err = read(&file).unwrap_err();
            assert!(
                matches!(&err.kind, ErrorKind::BaselineMalformed { line: None, message, .. }
                    if message.starts_with(&format!("it is {found}, not a baseline"))),
                "{text}: {err:?}"
            );
        }
        let report = tmp.write(
            "b.json",
            "{\"version\": 1, \"tool\": {\"name\": \"mlready\"}, \"diagnostics\": []}",
        );
        let err = read(&report).unwrap_err().to_string();
        assert!(
            err.ends_with("it is an mlready report (`--format json`), not a baseline"),
            "{err}"
        );
        let sarif = tmp.write("b.json", "{\"version\": \"2.1.0\", \"runs\": []}");
        let err = read(&sarif).unwrap_err().to_string();
        assert!(
            err.ends_with("it is a SARIF report, not a baseline"),
            "{err}"
        );
        let future = tmp.write("b.json", "{\"version\": 7, \"findings\": []}");
        let err = read(&future).unwrap_err().to_string();
        assert!(
            err.contains(&format!("reads versions {FORMAT_CWD} and {FORMAT}")),
            "{err}"
        );
        // Both formats this mlready reads are read.
        for version in [FORMAT_CWD, FORMAT] {
            let file = tmp.write(
                "b.json",
                &format!("{{\"version\": {version}, \"findings\": []}}"),
            );
            assert_eq!(read(&file).unwrap().version, version);
        }
    }

    #[test]
    fn another_version_is_named_with_this_one() {
        let path = Path::new("b.json");
        let mut baseline = of(&[], &Anchor::new(path, FORMAT).unwrap());
        assert_eq!(baseline.mlready.as_deref(), Some(MLREADY));
        assert_eq!(baseline.version_warning(path), None);
        baseline.mlready = Some("0.0.1".into());
        let warning = baseline.version_warning(path).unwrap();
        assert!(warning.contains("written by mlready 0.0.1"), "{warning}");
        assert!(
            warning.contains(&format!("this is mlready {MLREADY}")),
            "{warning}"
        );
        assert!(warning.contains("--write-baseline b.json"), "{warning}");
        baseline.mlready = None;
        let warning = baseline.version_warning(path).unwrap();
        assert!(warning.contains("did not record its version"), "{warning}");
    }
}
