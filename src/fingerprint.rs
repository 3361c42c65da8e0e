//! Fingerprints of findings that survive edits elsewhere in a file: a hash of the rule, the
//! file and the flagged line's code (whitespace folded), never its line number, plus which
//! occurrence of that hash it is. SARIF's `partialFingerprints`, GitLab's `fingerprint` and
//! baselines all use them.

use crate::report::Diagnostic;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// 64-bit FNV-1a hash of code, path and line text.
    pub hash: u64,
    /// 0-based rank among the findings with the same hash (in order).
    pub occurrence: usize,
}

impl Fingerprint {
    /// `hash` as 16 hex digits.
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }

    /// Unique per finding of a report: the hash and the occurrence.
    pub fn unique(&self) -> String {
        format!("{:016x}{:04x}", self.hash, self.occurrence)
    }
}

/// One [`Fingerprint`] per diagnostic, in order, each under its display path.
pub fn of(diagnostics: &[Diagnostic]) -> Vec<Fingerprint> {
    let paths: Vec<&str> = diagnostics.iter().map(|d| d.path.as_str()).collect();
    of_named(diagnostics, &paths)
}

/// One [`Fingerprint`] per diagnostic, in order, each under the name of its file in `paths`
/// (a baseline names files relative to itself).
pub fn of_named(diagnostics: &[Diagnostic], paths: &[impl AsRef<str>]) -> Vec<Fingerprint> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    diagnostics
        .iter()
        .zip(paths)
        .map(|(d, path)| {
            // The flagged line, with its whitespace folded (re-indenting keeps the print);
            // the message when the file is not at hand.
            let context = match &d.file {
                Some(file) => file
                    .line_text(d.span.start)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                None => d.message.clone(),
            };
            let hash = fnv1a(&[d.code, path.as_ref(), &context]);
            let count = seen.entry(hash).or_insert(0);
            let occurrence = *count;
            *count += 1;
            Fingerprint { hash, occurrence }
        })
        .collect()
}

/// 64-bit FNV-1a over the parts, each followed by a 0 byte: stable across builds and platforms
/// (std's hashers promise neither).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}
