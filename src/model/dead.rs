//! Facts for the configuration-debt and dead-code rules (CFG001, CFG003, DEAD001, DEAD002):
//! branches guarded by constants, module-level constants and how often each name is bound,
//! comments (and the runs of them that are code), and estimators built without
//! hyperparameters. Recorded by build/dead.rs.

use super::{Event, FileModel, Kind, ValueId};
use crate::finding::Span;
use std::collections::HashMap;

/// What the [`FileModel::dead`] rules read.
#[derive(Debug, Default)]
pub struct DeadFacts {
    /// `if`, `elif` and `while` whose condition is a literal or a bare name (possibly under
    /// `not`), in source order.
    pub guards: Vec<Guard>,
    /// Module-level statements `NAME = <bool or int literal>`, in source order.
    pub constants: Vec<Constant>,
    /// How many times each name is bound anywhere in the file: assignments, parameters, loop
    /// and `with` targets, imports, definitions, and `global NAME` declarations.
    pub bindings: HashMap<String, u32>,
    /// Assignments `name = <literal>` (a number, string or bool), at any scope: (name, the
    /// statement's span).
    pub literal_assignments: Vec<(String, Span)>,
    /// Comments alone on their line: the span of the comment, `#` to its end, in order.
    pub comment_lines: Vec<Span>,
    /// Runs of three or more comment lines that parse as Python and call ML code.
    pub code_comments: Vec<CodeComment>,
    /// Estimators built with no argument at all, and PyTorch optimizers built without a
    /// learning rate: (the value, the qualified class).
    pub bare_constructors: Vec<(ValueId, String)>,
    /// Estimators whose parameters are set after construction (`set_params`).
    pub params_set: Vec<ValueId>,
}

/// A branch or loop guarded by a constant condition.
#[derive(Debug, Clone)]
pub struct Guard {
    /// `if`, `elif` or `while`.
    pub keyword: &'static str,
    pub condition: Condition,
    /// The keyword and the condition (`if USE_NEW:`), for the finding.
    pub header: Span,
    /// The guarded body.
    pub body: Span,
    /// The whole statement (for `if`, with its `elif` and `else` clauses).
    pub statement: Span,
    /// Every statement of the body only shows something (`print`, plots, `pass`).
    pub shows_only: bool,
}

/// The condition of a [`Guard`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `True`, `False`, `0`, `1`: the literal's truth and its text.
    Literal { truthy: bool, text: String },
    /// `NAME` or `not NAME`.
    Name { name: String, negated: bool },
}

/// A module-level `NAME = literal` with a bool or integer literal.
#[derive(Debug, Clone)]
pub struct Constant {
    pub name: String,
    /// `True`/`False` (not an integer).
    pub boolean: bool,
    pub truthy: bool,
    /// The literal's text.
    pub text: String,
    /// The assignment statement.
    pub span: Span,
}

/// Comment lines that are commented-out ML code.
#[derive(Debug, Clone)]
pub struct CodeComment {
    /// From the first `#` to the end of the last comment.
    pub span: Span,
    pub lines: usize,
    /// The ML calls found in it (`fit`, `RandomForestClassifier`), at most a few.
    pub calls: Vec<String>,
}

impl DeadFacts {
    /// The constant `name` holds everywhere in the file: assigned once at module level from
    /// a literal and bound nowhere else.
    pub fn constant(&self, name: &str) -> Option<&Constant> {
        if self.bindings.get(name).copied().unwrap_or(0) != 1 || name == "TYPE_CHECKING" {
            return None;
        }
        self.constants.iter().find(|c| c.name == name)
    }

    /// Whether the guard's body never runs: a false literal, a name holding a false
    /// constant, or `not` a true one.
    pub fn never_runs(&self, guard: &Guard) -> bool {
        match &guard.condition {
            Condition::Literal { truthy, .. } => !truthy,
            Condition::Name { name, negated } => self
                .constant(name)
                .is_some_and(|constant| constant.truthy == *negated),
        }
    }
}

impl FileModel {
    /// The first model or feature code within `span`: a fit, transform, prediction, metric,
    /// split, write, training step, model save or load, data read, an estimator built, or a
    /// frame's columns changed. Calls of this file's functions count by their call site.
    pub fn ml_code_within(&self, span: Span) -> Option<Span> {
        let inside = |s: &Span| s.start >= span.start && s.end <= span.end;
        let event = self.events.iter().find_map(|event| match event {
            Event::Fit { span, .. }
            | Event::Transform { span, .. }
            | Event::Predict { span, .. }
            | Event::Metric { span, .. }
            | Event::CrossVal { span, .. }
            | Event::Write { span, .. }
            | Event::Split { span, .. }
            | Event::Backward { span, .. }
            | Event::OptimizerStep { span, .. }
                if inside(span) =>
            {
                Some(*span)
            }
            _ => None,
        });
        if event.is_some() {
            return event;
        }
        if let Some(io) = self.io.iter().find(|io| inside(&io.span)) {
            return Some(io.span);
        }
        self.values.iter().find_map(|value| {
            if inside(&value.span)
                && matches!(value.kind, Kind::Estimator(_) | Kind::Optimizer { .. })
            {
                return Some(value.span);
            }
            // A frame made there (`df.dropna()`, `df[cols]`).
            if inside(&value.span) && value.columns.is_some() {
                return Some(value.span);
            }
            // A column assigned there (`df["ratio"] = ...`).
            value.columns.as_ref().and_then(|columns| {
                columns
                    .known
                    .iter()
                    .find_map(|column| column.span.filter(|s| inside(s)))
            })
        })
    }
}
