//! The rule framework: a rule is a plain constant built by [`rule!`]; a family lists its rules
//! with [`rules!`]. Rules read the per-file [`FileModel`] and report through a [`Sink`].

use crate::finding::{Finding, Related, Severity, Span};
use crate::model::FileModel;
use crate::project::index::{FileId, ProjectIndex};
use crate::project::summary::Place;
use crate::source::SourceFile;
use serde::Serialize;

/// Where a rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One `.py` file or notebook.
    File,
    /// Notebooks only.
    Notebook,
    /// The whole project (needs every file's summary).
    Project,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::File => "file",
            Scope::Notebook => "notebook",
            Scope::Project => "project",
        }
    }
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reads one file's model.
    File(fn(&Context, &mut Sink)),
    /// Reads the project index (every file's summary).
    Project(fn(&ProjectIndex, &mut ProjectSink)),
    /// Reads one file's model, and also the project index for what crosses files.
    FileAndProject(fn(&Context, &mut Sink), fn(&ProjectIndex, &mut ProjectSink)),
    /// Reported by the engine itself (files that cannot be read or parsed).
    Engine,
}

impl Check {
    /// The per-file check, if the rule has one.
    pub fn file(self) -> Option<fn(&Context, &mut Sink)> {
        match self {
            Check::File(check) | Check::FileAndProject(check, _) => Some(check),
            _ => None,
        }
    }

    /// The project check, if the rule has one.
    pub fn project(self) -> Option<fn(&ProjectIndex, &mut ProjectSink)> {
        match self {
            Check::Project(check) | Check::FileAndProject(_, check) => Some(check),
            _ => None,
        }
    }
}

/// Static description of one rule. Every rule file exports exactly one `RULE`.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    /// The default severity of its findings.
    pub severity: Severity,
    /// The other severities its findings can have (see [`Rule::severities`]).
    pub also: &'static [Severity],
    pub scope: Scope,
    pub check: Check,
    /// The rule's reference page, `rules/<CODE>-<name>.md`.
    pub doc: &'static str,
    /// Where the rule is declared, for `mlready rules --format json`.
    pub source: &'static str,
    /// Not yet measured precise enough for the default selection (docs/precision.md): runs
    /// with `--preview`, `preview = true`, or when selected by its exact code or name.
    pub preview: bool,
    /// Severities at which the rule's findings are a preview branch: measured below the bar
    /// while the rule's other severities meet it. Its findings at these severities are
    /// reported only in preview mode.
    pub preview_at: &'static [Severity],
}

impl Rule {
    /// The first paragraph of prose under a heading of the page (`## Why is this bad?`).
    pub fn section(&self, heading: &str) -> String {
        doc_section(self.doc, heading)
    }

    /// The first sentence under "What it does", for rule lists.
    pub fn summary(&self) -> String {
        let paragraph = self.section("## What it does");
        match paragraph.find(". ") {
            Some(stop) => paragraph[..=stop].to_string(),
            None => paragraph,
        }
    }

    /// Every severity the rule's findings can have: the default first, then the others as
    /// declared (`also`).
    pub fn severities(&self) -> Vec<Severity> {
        let mut all = vec![self.severity];
        all.extend(self.also.iter().filter(|s| **s != self.severity));
        all
    }

    /// The severities as `mlready rules` shows them: `error/warning`.
    pub fn severity_label(&self) -> String {
        let names: Vec<&str> = self.severities().iter().map(|s| s.as_str()).collect();
        names.join("/")
    }

    /// `preview` or `default`: whether the rule is in the default selection.
    pub fn tier(&self) -> &'static str {
        if self.preview { "preview" } else { "default" }
    }

    /// The tier as `mlready rules` shows it: `default`, `preview`, or `default, info preview`
    /// when a severity of the rule is a preview branch.
    pub fn tier_label(&self) -> String {
        if self.preview || self.preview_at.is_empty() {
            return self.tier().to_string();
        }
        let branches: Vec<&str> = self.preview_at.iter().map(|s| s.as_str()).collect();
        format!("default, {} preview", branches.join("/"))
    }

    /// The page's address in the repository, printed with findings.
    pub fn url(&self) -> String {
        format!(
            "https://github.com/mlready/mlready/blob/main/rules/{}-{}.md",
            self.code, self.name
        )
    }
}

/// The first paragraph of prose under `heading` in a rule page, on one line; code blocks
/// are skipped. Empty when the page has no such section.
pub fn doc_section(doc: &str, heading: &str) -> String {
    let Some(at) = doc.find(heading) else {
        return String::new();
    };
    let body = &doc[at + heading.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end]
        .trim()
        .split("\n\n")
        .find(|p| !p.trim_start().starts_with("```"))
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Declares a rule constant. Only removes repetition: the page path is derived from code and
/// name, so a missing page is a compile error and the two can never drift apart.
///
/// `also: [Warning, Info]` lists the severities the rule's findings can have besides its
/// default one (set with `.severity(..)` by the check); the fixture harness fails on a
/// finding whose severity the rule does not declare.
macro_rules! rule {
    (@or $value:literal $default:literal) => { $value };
    (@or $default:literal) => { $default };
    (code: $code:literal, name: $name:literal, family: $family:literal,
     severity: $sev:ident, $(also: [$($also:ident),* $(,)?],)? scope: $scope:ident,
     check: $check:expr
     $(, preview: $preview:literal)?
     $(, preview_at: [$($branch:ident),* $(,)?])? $(,)?) => {
        pub const RULE: $crate::rule::Rule = $crate::rule::Rule {
            code: $code,
            name: $name,
            family: $family,
            severity: $crate::finding::Severity::$sev,
            also: &[$($($crate::finding::Severity::$also),*)?],
            scope: $crate::rule::Scope::$scope,
            check: $check,
            doc: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/rules/",
                $code,
                "-",
                $name,
                ".md"
            )),
            source: concat!(file!(), ":", line!()),
            preview: $crate::rule::rule!(@or $($preview)? false),
            preview_at: &[$($($crate::finding::Severity::$branch),*)?],
        };
    };
}
pub(crate) use rule;

/// Declares a family's rule modules and its `RULES` slice, one token per rule.
macro_rules! rules {
    ($($module:ident),+ $(,)?) => {
        $(pub mod $module;)+
        pub const RULES: &[&$crate::rule::Rule] = &[$(&$module::RULE),+];
    };
}
pub(crate) use rules;

/// What a file rule reads.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub model: &'a FileModel,
}

/// Collects a rule's findings.
#[derive(Default)]
pub struct Sink {
    pub findings: Vec<Finding>,
}

impl Sink {
    /// Starts a finding of `rule` at `span`; finish it with the builder's methods.
    pub fn report(&mut self, rule: &Rule, span: Span, message: impl Into<String>) -> &mut Finding {
        self.findings.push(Finding {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            preview: false,
        });
        self.findings
            .last_mut()
            .expect("a finding was pushed just above")
    }
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Finding {
        self.help = Some(help.into());
        self
    }

    pub fn related(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Finding {
        self.severity = severity;
        self
    }

    /// Marks the finding as made by a heuristic branch that is still preview (not yet
    /// measured precise enough): it is reported only in preview mode.
    pub fn preview(&mut self) -> &mut Finding {
        self.preview = true;
        self
    }
}

impl Context<'_> {
    /// Where `span` is, for a message: "line 12", or "cell 8" in a notebook.
    pub fn describe(&self, span: Span) -> String {
        let location = self.file.locate(span.start);
        match location.cell {
            Some(cell) => format!("cell {cell}"),
            None => format!("line {}", location.line),
        }
    }

    /// The source text of `span`, on one line and shortened for a message.
    pub fn snippet(&self, span: Span) -> String {
        let text = self.file.raw_text().get(span.start..span.end).unwrap_or("");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 40 {
            let short: String = flat.chars().take(37).collect();
            format!("{short}...")
        } else {
            flat
        }
    }
}

/// A finding of a project rule: a place in one of the project's files, and related places
/// that may be in others.
#[derive(Debug, Clone)]
pub struct ProjectFinding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub place: Place,
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<(FileId, Place, String)>,
    /// Adds its related places to the file-stage finding of the same rule at the same place
    /// instead of being a finding of its own (dropped when there is none).
    pub amends: bool,
    /// Made by a heuristic branch that is still preview (see [`Finding::preview`]).
    pub preview: bool,
}

/// Collects a project rule's findings.
#[derive(Default)]
pub struct ProjectSink {
    pub findings: Vec<ProjectFinding>,
}

impl ProjectSink {
    /// Starts a finding of `rule` at `place` in `file`; finish it with the builder's methods.
    pub fn report(
        &mut self,
        rule: &Rule,
        file: FileId,
        place: Place,
        message: impl Into<String>,
    ) -> &mut ProjectFinding {
        self.findings.push(ProjectFinding {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file,
            place,
            message: message.into(),
            help: None,
            related: Vec::new(),
            amends: false,
            preview: false,
        });
        self.findings
            .last_mut()
            .expect("a finding was pushed just above")
    }
}

impl ProjectFinding {
    /// Marks the finding as made by a heuristic branch that is still preview.
    pub fn preview(&mut self) -> &mut ProjectFinding {
        self.preview = true;
        self
    }

    /// Makes the finding an amendment of the file rule's finding at the same place: only its
    /// related places are kept, added to that finding.
    pub fn amends(&mut self) -> &mut ProjectFinding {
        self.amends = true;
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut ProjectFinding {
        self.help = Some(help.into());
        self
    }

    pub fn related(
        &mut self,
        file: FileId,
        place: Place,
        message: impl Into<String>,
    ) -> &mut ProjectFinding {
        self.related.push((file, place, message.into()));
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut ProjectFinding {
        self.severity = severity;
        self
    }
}
