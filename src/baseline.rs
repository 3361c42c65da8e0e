//! Baselines, for adopting mlready on an existing repository: `--write-baseline FILE` records
//! today's findings, `--baseline FILE` reports only the others. A finding is recognised by its
//! rule, its file and a fingerprint of its code context (the flagged line's text, whitespace
//! folded, and which occurrence of that text it is), never by its line number: code added or
//! moved elsewhere in the file does not bring old findings back.

use crate::error::{Error, ErrorKind};
use crate::report::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

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

/// The baseline format this mlready writes and reads.
pub const FORMAT: u32 = 1;

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

/// The fingerprints of `diagnostics`, in order (see [`crate::fingerprint`]).
pub fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    crate::fingerprint::of(diagnostics)
        .iter()
        .map(|f| f.unique())
        .collect()
}

/// The baseline of `diagnostics`.
pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
    let findings = diagnostics
        .iter()
        .zip(fingerprints(diagnostics))
        .map(|(d, fingerprint)| Entry {
            code: d.code.to_string(),
            path: d.path.clone(),
            fingerprint,
        })
        .collect();
    Baseline {
        version: FORMAT,
        mlready: Some(MLREADY.to_string()),
        findings,
    }
}

/// The baseline file of `diagnostics`, as written to disk.
pub fn to_json(diagnostics: &[Diagnostic]) -> Result<String, Error> {
    let json = serde_json::to_string_pretty(&of(diagnostics))
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
    #[derive(Deserialize)]
    struct Format {
        version: Option<u32>,
    }
    // The format first, so that a future file says so rather than failing on a field.
    let format = serde_json::from_str::<Format>(&text)
        .ok()
        .and_then(|f| f.version);
    if let Some(version) = format.filter(|&v| v != FORMAT) {
        return Err(baseline_error(format!(
            "the baseline has format version {version}, and mlready {MLREADY} reads version \
             {FORMAT}"
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

/// Drops the findings the baseline records; each recorded finding hides one finding.
pub fn filter(diagnostics: &mut Vec<Diagnostic>, baseline: &Baseline) {
    let mut known: HashMap<&Entry, usize> = HashMap::new();
    for entry in &baseline.findings {
        *known.entry(entry).or_insert(0) += 1;
    }
    let prints = fingerprints(diagnostics);
    let mut keep = Vec::with_capacity(diagnostics.len());
    for (d, fingerprint) in diagnostics.iter().zip(prints) {
        let entry = Entry {
            code: d.code.to_string(),
            path: d.path.clone(),
            fingerprint,
        };
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
    fn another_version_is_named_with_this_one() {
        let path = Path::new("b.json");
        let mut baseline = of(&[]);
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
