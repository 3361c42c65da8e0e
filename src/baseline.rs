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
    pub version: u32,
    pub findings: Vec<Entry>,
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
        version: 1,
        findings,
    }
}

/// Writes the baseline of `diagnostics` to `path`.
pub fn write(path: &Path, diagnostics: &[Diagnostic]) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(&of(diagnostics))
        .map_err(|err| Error::new(ErrorKind::Internal(err.to_string())))?;
    std::fs::write(path, json + "\n").map_err(|err| Error::at(path, ErrorKind::Output(err)))
}

/// Reads a baseline file; a missing or malformed one is a configuration error.
pub fn read(path: &Path) -> Result<Baseline, Error> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Error::at(
            path,
            ErrorKind::ConfigSyntax(format!("cannot read the baseline: {err}")),
        )
    })?;
    serde_json::from_str(&text).map_err(|err| {
        Error::at(
            path,
            ErrorKind::ConfigSyntax(format!("not a baseline written by --write-baseline: {err}")),
        )
    })
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
