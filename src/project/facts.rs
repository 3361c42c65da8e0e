//! What the configuration declares about the project that the code cannot show
//! (`[tool.mlready.serving]`, `[tool.mlready.monitoring]`). Declarations override inference.

use globset::{Glob, GlobMatcher};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectFacts {
    pub serving: ServingFacts,
    pub monitoring: MonitoringFacts,
}

/// `[tool.mlready.serving]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServingFacts {
    /// `entry-points = ["app/main.py:predict", "serve/*.py"]`: serving handlers the code
    /// does not show by convention; a path alone declares every predicting function in it.
    pub entry_points: Vec<String>,
    /// `available = [...]`: feature names known at inference time. When given, the serving
    /// side counts as resolved.
    pub available: Vec<String>,
    /// `unavailable = ["refund_amount", "*_after_*"]`: names known only after the outcome;
    /// a model trained on one is reported even when the serving code builds it.
    pub unavailable: Vec<String>,
    /// `online = ["learner/*.py", "app.py:update"]`: online learners, which update a model
    /// on the data they serve by design (`partial_fit` on each request), in the format of
    /// `entry-points`.
    pub online: Vec<String>,
}

/// `[tool.mlready.monitoring]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitoringFacts {
    /// `external = "datadog:churn-dashboard"`: drift monitoring happens outside the repository.
    pub external: Option<String>,
    /// Functions or modules that count as drift monitoring (`ourlib.monitoring`).
    pub functions: Vec<String>,
}

impl ProjectFacts {
    /// Whether the configuration declares `function` of the file at `path` (display path)
    /// a serving entry point.
    pub fn declares_entry(&self, path: &str, root: &Path, function: &str) -> bool {
        declared(&self.serving.entry_points, path, root, function)
    }

    /// Whether the configuration declares `function` of the file at `path` (display path)
    /// an online learner (`[tool.mlready.serving] online`).
    pub fn declares_online(&self, path: &str, root: &Path, function: &str) -> bool {
        declared(&self.serving.online, path, root, function)
    }
}

/// Whether one of `declarations` (`"app/main.py:predict"`, `"serve/*.py"`) names `function`
/// of the file at `path`.
fn declared(declarations: &[String], path: &str, root: &Path, function: &str) -> bool {
    let relative = relative_display(path, root);
    declarations.iter().any(|declared| {
        let (file, name) = match declared.rsplit_once(':') {
            Some((file, name)) if !name.contains('/') => (file, Some(name)),
            _ => (declared.as_str(), None),
        };
        let file_matches = glob(file).is_some_and(|g| g.is_match(&relative) || g.is_match(path));
        file_matches && name.is_none_or(|n| n == function || function.ends_with(&format!(".{n}")))
    })
}

impl ProjectFacts {
    /// Whether a feature name is declared unavailable at inference.
    pub fn unavailable(&self, name: &str) -> Option<&str> {
        self.serving
            .unavailable
            .iter()
            .find(|pattern| glob(pattern).is_some_and(|g| g.is_match(name)))
            .map(String::as_str)
    }
}

fn glob(pattern: &str) -> Option<GlobMatcher> {
    Glob::new(pattern).ok().map(|g| g.compile_matcher())
}

/// A display path relative to the project root when it is below it (the root may be
/// absolute: it is the resolved folder of a project marker).
fn relative_display(path: &str, root: &Path) -> String {
    super::index::strip_root(path, root).unwrap_or_else(|| path.to_string())
}
