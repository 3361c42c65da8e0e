//! Helpers for the crate's unit tests.

use std::fs;
use std::path::PathBuf;

/// A fresh folder under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mlready-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("the temp dir is writable");
        TempDir(dir)
    }

    pub(crate) fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("the temp dir is writable");
        }
        fs::write(&path, text).expect("the temp dir is writable");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The semantic model of a small program, as a `.py` file named `t.py`.
pub(crate) fn model_of(code: &str) -> crate::model::FileModel {
    let file = crate::source::SourceFile::python("t.py".into(), "t.py".into(), code.to_string());
    let tree = crate::source::python::parse(&file.text).expect("the parser starts");
    crate::model::build(&file, &tree)
}

/// The JSON of a Python notebook whose code cells have the sources `cells`, never run.
pub(crate) fn notebook_json(cells: &[&str]) -> String {
    let cells: Vec<serde_json::Value> = cells
        .iter()
        .map(|source| {
            serde_json::json!({"cell_type": "code", "execution_count": null,
                "metadata": {}, "outputs": [], "source": source})
        })
        .collect();
    serde_json::json!({"cells": cells, "metadata": {"kernelspec": {"language": "python",
        "name": "python3", "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 5})
    .to_string()
}
