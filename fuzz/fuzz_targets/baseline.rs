//! The baseline reader: the bytes as a `--baseline` file either give a baseline that filters a
//! report (each recorded finding hiding at most one finding), or an error with a message.
#![no_main]

use mlready::baseline;
use mlready::engine::{RunOptions, check_with};
use mlready::report::Diagnostic;
use mlready::settings::Settings;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A few findings to filter, made once from a small script with leakage in it.
const SCRIPT: &str = "\
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
X = np.load('/data/x.npy')
y = np.load('/data/y.npy')
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y)
";

fn diagnostics() -> &'static [Diagnostic] {
    static DIAGNOSTICS: OnceLock<Vec<Diagnostic>> = OnceLock::new();
    DIAGNOSTICS.get_or_init(|| {
        let path = PathBuf::from("/nonexistent-mlready-fuzz/train.py");
        let settings = Settings {
            select: vec!["ALL".to_string()],
            preview: true,
            ..Settings::default()
        };
        let options = RunOptions {
            stdin: Some((path.clone(), SCRIPT.as_bytes().to_vec())),
            ..RunOptions::default()
        };
        let report = check_with(&[path], &settings, &options).expect("the settings are valid");
        assert!(!report.diagnostics.is_empty(), "the script has findings");
        report.diagnostics
    })
}

fn file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::temp_dir().join(format!("mlready-fuzz-baseline-{}.json", std::process::id()))
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    std::fs::write(file(), data).expect("the temporary file can be written");
    match baseline::read(file()) {
        Ok(recorded) => {
            let mut kept = diagnostics().to_vec();
            // Its paths read as the file's version says: relative to its folder, or (format
            // 1) to the working directory.
            let anchor =
                baseline::Anchor::new(file(), recorded.version).expect("a working directory");
            baseline::filter(&mut kept, &recorded, &anchor);
            assert!(kept.len() + recorded.findings.len() >= diagnostics().len());
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
    // Removed after every input: libFuzzer ends its processes without running destructors.
    let _ = std::fs::remove_file(file());
});
