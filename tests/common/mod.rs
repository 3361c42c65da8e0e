//! Helpers shared by the integration tests: throwaway folders, notebook JSON, running the binary.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A Python file with one REPRO006 warning (line 2, column 18) and nothing else.
pub const WARNING_PY: &str = "import pandas as pd\ndf = pd.read_csv(\"/Users/ana/data.csv\")\n";

/// A Python file with no finding.
pub const CLEAN_PY: &str = "import pandas as pd\ndf = pd.read_csv(\"data/train.csv\")\n";

/// A folder under the system temp dir, unique to this test, removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "mlready-test-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("the temp dir is writable");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, relative: &str) -> PathBuf {
        self.path.join(relative)
    }

    /// Writes `contents` to `relative`, creating its folders; returns the full path.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("the temp dir is writable");
        }
        std::fs::write(&path, contents).expect("the temp dir is writable");
        path
    }

    /// Runs `mlready ARGS` with this folder as the working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.path, args, &[])
    }

    /// Like [`TempDir::run`], with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_in(&self.path, args, env)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Files a test made unreadable must be readable again to be removed by a non-root user.
        restore_permissions(&self.path);
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(unix)]
fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            continue;
        }
        let mode = if kind.is_dir() { 0o755 } else { 0o644 };
        let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode));
        if kind.is_dir() {
            restore_permissions(&entry.path());
        }
    }
}

#[cfg(not(unix))]
fn restore_permissions(_dir: &Path) {}

/// What one run of the binary produced.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the run's output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not JSON ({err})\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The `code` of every diagnostic of a `--format json` run.
    #[track_caller]
    pub fn codes(&self) -> Vec<String> {
        self.json()["diagnostics"]
            .as_array()
            .expect("diagnostics is an array")
            .iter()
            .map(|d| d["code"].as_str().expect("code is a string").to_string())
            .collect()
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_mlready")
}

pub fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    // The caller's terminal must not shape the output (`mlready rules` fits COLUMNS).
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
    for (key, value) in env {
        command.env(key, value);
    }
    Run::from_output(command.output().expect("the mlready binary runs"))
}

/// A notebook cell: `code(count, source)` or `markdown(source)`.
pub enum Cell<'a> {
    Code(Option<i64>, &'a str),
    Markdown(&'a str),
}

/// Splits a cell source the way nbformat stores it: a list of lines, each keeping its `\n`.
pub fn source_lines(source: &str) -> Vec<String> {
    source.split_inclusive('\n').map(str::to_string).collect()
}

/// A minimal nbformat 4 notebook with a Python 3 kernel, indented like Jupyter writes it.
pub fn notebook(cells: &[Cell]) -> String {
    let cells: Vec<Value> = cells
        .iter()
        .map(|cell| match cell {
            Cell::Code(count, source) => json!({
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": [],
                "source": source_lines(source),
            }),
            Cell::Markdown(source) => json!({
                "cell_type": "markdown",
                "metadata": {},
                "source": source_lines(source),
            }),
        })
        .collect();
    notebook_json(cells)
}

/// A notebook document around already-built cell objects.
pub fn notebook_json(cells: Vec<Value>) -> String {
    let document = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5
    });
    serde_json::to_string_pretty(&document).expect("a JSON value serializes")
}

/// True when the tests run as root (who can read a file with mode 000).
#[cfg(unix)]
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Runs `mlready ARGS` in `dir` with `input` on standard input, which a run that stops on a
/// usage error never reads (the pipe it leaves unread is not the test's failure).
pub fn run_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mlready binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let _ = stdin.write_all(input);
    drop(stdin);
    Run::from_output(child.wait_with_output().expect("the mlready binary runs"))
}

/// miette's report with its line wrapping undone, for matching whole messages.
pub fn unwrapped(stderr: &str) -> String {
    stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
