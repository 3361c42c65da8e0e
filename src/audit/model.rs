//! The audit's content, built once ([`super::build`]) and rendered by each format: the
//! Markdown and HTML reports draw it, and `--format json` is this structure as it stands
//! (versioned by [`AUDIT_VERSION`]; docs/audit-json.md documents it).
//!
//! Everything is in a fixed order (sorted vectors, never maps), so the same repository gives
//! the same report byte for byte.

use crate::finding::Severity;
use serde::Serialize;

/// The version of the audit's JSON document. Bumped when a field changes meaning or goes
/// away; fields may be added within a version.
pub const AUDIT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub version: u32,
    pub tool: Tool,
    /// The audited path as given (`.` by default).
    pub path: String,
    /// Python files and notebooks analysed.
    pub files: FileCounts,
    /// Preview rules run in an audit; their findings carry `preview: true`.
    pub preview_included: bool,
    pub summary: Summary,
    pub lineage: Lineage,
    pub inventory: Inventory,
    pub ml_test_score: MlTestScore,
    pub findings: Vec<FamilyFindings>,
    /// The questions static analysis cannot answer, for the reviewer to tick by hand.
    pub questions: Vec<Question>,
    /// Only when asked for (`--timestamp`): when the report was made, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FileCounts {
    pub scripts: usize,
    pub notebooks: usize,
    /// Files mlready could not read or parse (PARSE findings).
    pub unreadable: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Counts {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.info
    }
}

/// The one-screen readiness summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// One line per debt family, in the report's order.
    pub families: Vec<FamilyStatus>,
    /// The findings to fix first, most urgent first (at most [`super::FIX_FIRST`]).
    pub fix_first: Vec<FixFirst>,
    /// Every finding.
    pub counts: Counts,
    /// Of which made by preview rules.
    pub preview: usize,
    /// Models trained, entry points serving, artifacts saved or loaded (the lineage's
    /// artifact nodes): the project at a glance.
    pub models: usize,
    pub entry_points: usize,
    pub artifacts: usize,
}

/// How a family stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// An error-level finding: fix before production.
    Blocking,
    /// Warnings only.
    Attention,
    /// Findings of preview rules only: to review.
    Review,
    /// Info findings only, or none.
    Clear,
    /// The family does not apply (no served model: monitoring).
    NotApplicable,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Blocking => "blocking",
            Status::Attention => "needs attention",
            Status::Review => "preview findings to review",
            Status::Clear => "no findings",
            Status::NotApplicable => "not applicable",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyStatus {
    /// The family key: `leakage`, `skew`, `chain`, `monitoring`, `repro`, `notebook`,
    /// `code-health`.
    pub family: &'static str,
    /// As shown: `Training/serving skew`.
    pub title: &'static str,
    pub status: Status,
    pub counts: Counts,
    /// Findings of preview rules among `counts`.
    pub preview: usize,
    /// The section of Sculley et al. (2015) the family answers to: `§4 Feedback loops ...`.
    pub sculley: &'static str,
    /// Why the status is what it is when the counts do not say (`no model is served: the
    /// monitoring rules do not apply`; `drift monitoring declared external: datadog:x`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A finding to fix first, and why it ranks where it does.
#[derive(Debug, Clone, Serialize)]
pub struct FixFirst {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Made by a preview rule.
    pub preview: bool,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub line: usize,
    pub message: String,
    /// What it reaches: `breaks the served model models/churn.pkl (serve.py)`, or
    /// `training only`.
    pub reach: String,
    /// The id of the finding in [`FamilyFindings`] (`f12`): the HTML and Markdown link to it.
    pub id: String,
}

/// The model lineage: data → training → artifacts → entry points → monitoring.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lineage {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// The columns of the lineage drawing, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A data file or source read for training.
    Data,
    /// A script or notebook that trains a model.
    Training,
    /// A saved model or preprocessor.
    Artifact,
    /// A route, handler, app or batch job that loads an artifact.
    Entry,
    /// Drift monitoring found or declared.
    Monitoring,
}

impl NodeKind {
    pub const ALL: [NodeKind; 5] = [
        NodeKind::Data,
        NodeKind::Training,
        NodeKind::Artifact,
        NodeKind::Entry,
        NodeKind::Monitoring,
    ];

    pub fn title(self) -> &'static str {
        match self {
            NodeKind::Data => "Data",
            NodeKind::Training => "Training",
            NodeKind::Artifact => "Artifacts",
            NodeKind::Entry => "Entry points",
            NodeKind::Monitoring => "Monitoring",
        }
    }
}

/// What marks a node in the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// A model trained on another model's outputs (CHAIN).
    Chained,
    /// A served model trained only in a notebook (NB005).
    NotebookOnly,
    /// An entry point or artifact with an error-level finding against it.
    Blocking,
    /// A served model no drift monitoring watches.
    Unmonitored,
    /// Training that ships a model without a preprocessor it was trained behind (SKEW005).
    PreprocessorMissing,
    /// An artifact that more than one file writes, which an entry point loads: which one it
    /// gets depends on which script ran last.
    SeveralWriters,
}

impl Mark {
    pub fn label(self) -> &'static str {
        match self {
            Mark::Chained => "chained model",
            Mark::NotebookOnly => "trained only in a notebook",
            Mark::Blocking => "blocking finding",
            Mark::Unmonitored => "not monitored",
            Mark::PreprocessorMissing => "preprocessor not shipped",
            Mark::SeveralWriters => "written by several files",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Stable within a report: `n0`, `n1`, ... in the order of [`Lineage::nodes`], which is
    /// sorted by kind, then path, then label.
    pub id: String,
    pub kind: NodeKind,
    /// Short, for the drawing: a file name, `models/churn.pkl`, `POST /predict`.
    pub label: String,
    /// One more line for the drawing: `RandomForestClassifier`, `FastAPI route`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The file it stands for, when it is one (training, entry points, monitoring).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub marks: Vec<Mark>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// Data read by a training.
    Reads,
    /// A training saves an artifact.
    Saves,
    /// An entry point loads an artifact.
    Loads,
    /// A model's predictions written to data, or a loaded model's outputs, feed another
    /// training: the chain.
    Feeds,
    /// Monitoring watches an entry point or the project.
    Watches,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Node ids.
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

/// The inventory behind the lineage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    pub models: Vec<ModelInfo>,
    pub entry_points: Vec<EntryInfo>,
    pub monitoring: MonitoringInfo,
    /// What the dependency manifests pin of the ML libraries the models use.
    pub pins: Vec<Pin>,
}

/// A place in the project, as reports print it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub line: usize,
}

impl Place {
    /// `train.py:12`, `explore.ipynb cell 3, line 2`.
    pub fn display(&self) -> String {
        match self.cell {
            Some(cell) => format!("{} cell {cell}, line {}", self.path, self.line),
            None => format!("{}:{}", self.path, self.line),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// The estimator class as written (`RandomForestClassifier`, `Pipeline`).
    pub class: String,
    /// For a composite or a search, the model inside it (`RandomForestClassifier` in a
    /// `Pipeline` or tuned by a `GridSearchCV`), when the analysis sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<String>,
    /// A clusterer or outlier detector.
    pub unsupervised: bool,
    /// The fit.
    pub trained_at: Place,
    /// When the fit is inside a helper of another module read at this call: what was
    /// called (`` `train` in `src/model.py` ``).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
    /// Trained in a notebook.
    pub notebook: bool,
    /// The training matrix as written (`X_train`).
    pub x: String,
    /// Named features, each with where it is built.
    pub features: Vec<Feature>,
    /// The matrix may hold more columns than those named (a frame read whole).
    pub features_open: bool,
    /// Data files the training reads.
    pub data: Vec<String>,
    /// Where the model is saved: artifact paths (`?` when not folded) with the save.
    pub saved: Vec<Saved>,
    /// Entry points that load one of its artifacts (ids into [`Inventory::entry_points`]).
    pub served_by: Vec<usize>,
    /// Stateful preprocessors it is trained behind that do not ship with it (SKEW005's
    /// evidence; the analysis lists only these). Empty: every one seen ships, or none is
    /// used.
    pub unshipped_preprocessors: Vec<PreprocessorInfo>,
    /// Models whose outputs are among its inputs (chained): a description each.
    pub chained_on: Vec<String>,
    /// Whether its training file seeds its randomness: `seeded`, `unseeded` (REPRO001
    /// findings in the file), or `no randomness seen`.
    pub seeds: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    pub name: String,
    /// How it is built, when the file builds it (`df["a"] / df["b"]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_at: Option<Place>,
    /// Derived from a model's predictions.
    pub model_output: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// The artifact path as the code names it; None when it cannot be told.
    pub artifact: Option<String>,
    pub function: String,
    pub at: Place,
    /// Places that load it.
    pub loaded_at: Vec<Place>,
    /// The analysis tied the save to this model. False for a save of its file that it could
    /// not tie to any model (`joblib.dump(search.best_estimator_, ...)`), listed with the
    /// last model fitted before it.
    pub traced: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreprocessorInfo {
    pub class: String,
    pub at: Place,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryInfo {
    /// The handler (`predict`, `ChurnModel.predict`), or the file for a batch job.
    pub name: String,
    /// `FastAPI route`, `Streamlit app`, `batch scoring job`.
    pub kind: String,
    pub at: Place,
    /// Artifacts it loads.
    pub artifacts: Vec<String>,
    /// Whether its inputs or predictions reach a log or metrics sink.
    pub logs: bool,
    /// Its serving columns are traced to the request (SKEW001 can compare them).
    pub inputs_known: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MonitoringInfo {
    /// Drift monitoring found in code: what and where.
    pub found: Vec<(String, Place)>,
    /// `[tool.mlready.monitoring] external`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_external: Option<String>,
    /// `[tool.mlready.monitoring] functions`.
    pub declared_functions: Vec<String>,
    /// Drift libraries named in dependency manifests: (manifest, distribution).
    pub in_manifests: Vec<(String, String)>,
}

/// What a manifest says about an ML library's version.
#[derive(Debug, Clone, Serialize)]
pub struct Pin {
    /// The distribution (`scikit-learn`).
    pub library: String,
    /// `==1.3.2` as written; None when not pinned to one version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The manifest that lists it; None when no manifest does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// A static estimate of the ML Test Score (Breck et al. 2017).
#[derive(Debug, Clone, Serialize)]
pub struct MlTestScore {
    /// Always says it is an estimate from code alone.
    pub label: String,
    pub sections: Vec<MltsSection>,
    /// The minimum over the sections' scores, as the rubric computes it.
    pub final_score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MltsSection {
    /// `Data`, `Model`, `Infrastructure`, `Monitoring`.
    pub name: &'static str,
    pub tests: Vec<MltsTest>,
    /// The sum of the tests' points.
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// Automated evidence in the repository (1 point).
    Automated,
    /// Evidence that it is done by hand, or only in a notebook (0.5 points).
    Manual,
    /// A finding shows it is not done (0 points).
    Against,
    /// The code shows nothing either way (0 points).
    None,
    /// Code cannot show it (0 points; a process question).
    NotStatic,
}

#[derive(Debug, Clone, Serialize)]
pub struct MltsTest {
    /// `Data 1`.
    pub id: &'static str,
    /// The test as the paper words it.
    pub title: &'static str,
    pub evidence: Evidence,
    pub points: f32,
    /// What was seen, or the finding against it (`MON001 at serve.py:12`).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyFindings {
    pub family: &'static str,
    pub title: &'static str,
    pub findings: Vec<AuditFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditFinding {
    /// `f0`, `f1`, ... in report order.
    pub id: String,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Made by a preview rule (or a rule's preview branch).
    pub preview: bool,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    /// The source lines around it (cell-relative in notebooks), the flagged ones marked.
    pub excerpt: Vec<ExcerptLine>,
    /// Why it matters in production (the rule page's "Why is this bad?", first paragraph).
    pub why: String,
    /// How to fix it: the finding's own help, else the rule page's advice.
    pub fix: String,
    pub rule_url: String,
    /// Other places that are part of it.
    pub related: Vec<Related>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExcerptLine {
    /// The line number as reports print it (cell-relative in notebooks).
    pub line: usize,
    pub text: String,
    /// Part of the flagged range.
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// What it is about (`Hidden feedback loops`).
    pub topic: &'static str,
    /// The question to answer by hand.
    pub question: &'static str,
    /// Where it comes from (`Sculley et al. §4`, `ML Test Score Model 2`).
    pub source: &'static str,
}
