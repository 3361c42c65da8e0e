//! The resolved settings of one run: configuration file values with command-line flags on top.

use crate::finding::Severity;
use crate::project::facts::ProjectFacts;
use std::path::PathBuf;

/// A rule selector: a full code (`LEAK001`), a prefix (`LEAK`, `LEAK0`), a rule name
/// (`preprocessing-before-split`) or `ALL`.
pub type Selector = String;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Rules to run; empty means every rule.
    pub select: Vec<Selector>,
    /// Added to `select` (or to the default set).
    pub extend_select: Vec<Selector>,
    /// Rules never to run.
    pub ignore: Vec<Selector>,
    /// Extra glob patterns of files and folders to skip, matched against paths relative to
    /// `root` and against file names.
    pub exclude: Vec<String>,
    /// `--exclude`: the same, matched from the working directory (the command line's patterns
    /// mean the same files whichever configuration governs them).
    pub cli_exclude: Vec<String>,
    /// (glob, selectors): rules to ignore in the files that match the glob.
    pub per_file_ignores: Vec<(String, Vec<Selector>)>,
    /// Lowest severity that makes the exit code 1.
    pub fail_on: Severity,
    /// Run the preview rules and heuristic branches too (`--preview`, `preview = true`).
    pub preview: bool,
    /// What one file may cost: its size, the time and memory of its analysis.
    pub limits: crate::limits::Limits,
    /// Folder that relative globs are matched against (the config file's folder, else cwd).
    pub root: PathBuf,
    /// The configuration file the values came from, if any.
    pub config_file: Option<PathBuf>,
    /// What the configuration declares about serving and monitoring.
    pub facts: ProjectFacts,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: Vec::new(),
            exclude: Vec::new(),
            cli_exclude: Vec::new(),
            per_file_ignores: Vec::new(),
            fail_on: Severity::Warning,
            preview: false,
            limits: crate::limits::Limits::default(),
            root: PathBuf::from("."),
            config_file: None,
            facts: ProjectFacts::default(),
        }
    }
}
