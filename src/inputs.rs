//! What `mlready check` reads: the paths named on the command line, or one file from standard
//! input (`-`, as in ruff, or `--stdin-filename PATH`).
//!
//! `-` alone reads standard input as a Python script shown as `-` (ruff's name for it);
//! `--stdin-filename PATH` gives it a name, which decides notebook or script, the configuration
//! and the project it is checked with. `-` among other paths is a usage error (ruff would look
//! for a file named `-` there), and so are paths given with `--stdin-filename` (ruff warns
//! that it ignores them): standard input is one file, checked alone.

use std::path::{Path, PathBuf};

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// What one `mlready check` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Files and folders (the current folder when none is named).
    Paths(Vec<PathBuf>),
    /// One file read from standard input, checked as if it were at this path.
    Stdin(PathBuf),
}

impl Input {
    /// The paths the configuration is looked up from.
    pub fn config_paths(&self) -> Vec<PathBuf> {
        match self {
            Input::Paths(paths) => paths.clone(),
            Input::Stdin(name) => vec![name.clone()],
        }
    }

    /// The name standard input is checked under, when it is read.
    pub fn stdin_name(&self) -> Option<&Path> {
        match self {
            Input::Stdin(name) => Some(name),
            Input::Paths(_) => None,
        }
    }
}

/// Decides what is read from the `PATH` arguments and `--stdin-filename`; the error is a usage
/// error's message (what is wrong and how to fix it).
pub fn resolve(paths: &[PathBuf], stdin_filename: Option<&Path>) -> Result<Input, String> {
    let is_stdin = |path: &PathBuf| path.as_os_str() == STDIN;
    if paths.iter().any(is_stdin) && paths.len() > 1 {
        return Err(format!(
            "`{STDIN}` reads one file from standard input and cannot be mixed with other paths; \
             give either `{STDIN}` alone or the paths to check"
        ));
    }
    match (stdin_filename, paths) {
        (Some(_), [first, ..]) if !is_stdin(first) => Err(format!(
            "`--stdin-filename` reads the file to check from standard input and cannot be used \
             with paths (`{}`); give either the paths to check, or `--stdin-filename` alone \
             (or with `-`) and the file's text on standard input",
            first.display()
        )),
        (Some(name), _) if name.is_dir() || name.to_string_lossy().ends_with(['/', '\\']) => {
            Err(format!(
                "`--stdin-filename` names the file the piped text stands for, and `{}` is a \
                 folder; give the file's path, e.g. `--stdin-filename {}`",
                name.display(),
                name.join("train.py").display()
            ))
        }
        (Some(name), _) => Ok(Input::Stdin(name.to_path_buf())),
        (None, [only]) if is_stdin(only) => Ok(Input::Stdin(PathBuf::from(STDIN))),
        (None, []) => Ok(Input::Paths(vec![PathBuf::from(".")])),
        (None, paths) => Ok(Input::Paths(paths.to_vec())),
    }
}

/// Whether text piped in is a Jupyter notebook: a JSON object with `cells` or `nbformat`.
pub fn looks_like_notebook(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    if start.map(|i| bytes[i]) != Some(b'{') {
        return false;
    }
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|object| object.contains_key("nbformat") || object.contains_key("cells"))
}

/// Prints a usage error of `mlready check` as clap prints its own (the message, the usage line
/// and a pointer to `--help`) and returns clap's exit code for it (2).
pub fn usage_error(message: &str) -> std::process::ExitCode {
    use clap::CommandFactory;
    let mut command = crate::cli::Cli::command();
    let mut check = command
        .find_subcommand_mut("check")
        .map_or_else(crate::cli::Cli::command, |check| check.clone())
        .bin_name("mlready check");
    let err = check.error(clap::error::ErrorKind::ArgumentConflict, message);
    let _ = err.print();
    std::process::ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(names: &[&str]) -> Vec<PathBuf> {
        names.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn a_folder_is_not_a_name_for_standard_input() {
        let dir = std::env::temp_dir();
        assert!(
            resolve(&[], Some(&dir))
                .unwrap_err()
                .contains("is a folder")
        );
        assert!(
            resolve(&[], Some(Path::new("src/")))
                .unwrap_err()
                .contains("is a folder")
        );
        assert!(resolve(&[], Some(Path::new("src/new.py"))).is_ok());
    }

    #[test]
    fn a_notebook_is_told_from_a_script_on_standard_input() {
        assert!(looks_like_notebook(b"  {\"cells\": [], \"nbformat\": 4}"));
        assert!(looks_like_notebook(
            b"{\n \"nbformat\": 3, \"worksheets\": []}"
        ));
        // A dict literal is a Python script; so is anything that is not a JSON object.
        assert!(!looks_like_notebook(b"{'cells': 1}"));
        assert!(!looks_like_notebook(b"{\"a\": 1}"));
        assert!(!looks_like_notebook(b"import json\n"));
        assert!(!looks_like_notebook(b""));
    }

    #[test]
    fn a_dash_alone_reads_standard_input() {
        assert_eq!(resolve(&paths(&["-"]), None), Ok(Input::Stdin("-".into())));
        assert_eq!(
            resolve(&paths(&["-"]), Some(Path::new("nb/a.ipynb"))),
            Ok(Input::Stdin("nb/a.ipynb".into()))
        );
        assert_eq!(
            resolve(&[], Some(Path::new("a.py"))),
            Ok(Input::Stdin("a.py".into()))
        );
    }

    #[test]
    fn paths_are_read_as_named_and_default_to_the_current_folder() {
        assert_eq!(resolve(&[], None), Ok(Input::Paths(paths(&["."]))));
        assert_eq!(
            resolve(&paths(&["a.py", "src"]), None),
            Ok(Input::Paths(paths(&["a.py", "src"])))
        );
        // A file whose name merely starts with a dash is a path.
        assert_eq!(
            resolve(&paths(&["-x.py"]), None),
            Ok(Input::Paths(paths(&["-x.py"])))
        );
    }

    #[test]
    fn stdin_filename_with_paths_is_refused() {
        let err = resolve(&paths(&["train.py"]), Some(Path::new("a.py"))).unwrap_err();
        assert!(
            err.contains("cannot be used with paths (`train.py`)"),
            "{err}"
        );
        assert!(resolve(&paths(&["."]), Some(Path::new("a.py"))).is_err());
        assert!(resolve(&paths(&["-", "b.py"]), Some(Path::new("a.py"))).is_err());
    }

    #[test]
    fn a_dash_among_other_paths_is_refused() {
        let err = resolve(&paths(&["a.py", "-"]), None).unwrap_err();
        assert!(err.contains("cannot be mixed with other paths"), "{err}");
        assert!(resolve(&paths(&["-", "-"]), None).is_err());
    }
}
