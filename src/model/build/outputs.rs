//! Model outputs: the facts that mark predictions, the scores that are one number about a
//! model rather than predictions (and metrics written by the user), and predictions that fill
//! a column's gaps (model-based imputation) rather than add a feature.

use super::{Builder, merge_bases, merge_facts, short_text, span};
use crate::ml::{self, Category};
use crate::model::{Estimator, Event, Fact, FactId, Kind, Role, Tag, ThinVec, UNKNOWN, ValueId};
use std::rc::Rc;
use tree_sitter::Node;

impl Builder<'_> {
    /// Marks `output` as predictions of `estimator` (ModelOut, or LoadedOut for a model read
    /// from an artifact).
    pub(super) fn model_output_fact(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        output: ValueId,
        input: ValueId,
        event: usize,
        node: Node,
    ) {
        let tag = if estimator.category == Category::Loaded {
            Tag::LoadedOut
        } else {
            Tag::ModelOut
        };
        let fact = Fact {
            tag,
            span: span(node),
            text: short_text(self.text(node)),
            source: receiver,
            event: Some(event),
            rows: self.model.values[input].rows,
            column: None,
            keys: Vec::new(),
            scope: self.scope(),
        };
        self.add_fact(output, fact);
    }

    /// A score computed from predictions (a metric, `model.score`, a mean over all rows) is
    /// one number about the model, not predictions: what is chosen by comparing it (which
    /// columns to keep, which model wins) is not fed by the model's outputs. Drops the
    /// ModelOut and LoadedOut facts from `id`.
    pub(super) fn forget_predictions(&mut self, id: ValueId) {
        if id == UNKNOWN {
            return;
        }
        let facts = &self.model.facts;
        let kept: ThinVec<FactId> = self.model.values[id]
            .facts
            .iter()
            .copied()
            .filter(|&f| !matches!(facts[f].tag, Tag::ModelOut | Tag::LoadedOut))
            .collect();
        self.model.values[id].facts = kept;
    }

    /// Drops from `id` the ModelOut and LoadedOut facts that `kept` does not carry: what a
    /// fill of `kept`'s missing values brought in (model-based imputation).
    pub(super) fn forget_predictions_beyond(&mut self, id: ValueId, kept: ValueId) {
        if id == UNKNOWN {
            return;
        }
        let own = self.model.values[kept].facts.clone();
        let facts = &self.model.facts;
        let filter = |list: &[FactId]| -> ThinVec<FactId> {
            list.iter()
                .copied()
                .filter(|&f| {
                    own.contains(&f) || !matches!(facts[f].tag, Tag::ModelOut | Tag::LoadedOut)
                })
                .collect()
        };
        let value = &self.model.values[id];
        let kept_facts = filter(&value.facts);
        let columns = value.columns.as_deref().map(|columns| {
            let mut columns = columns.clone();
            columns.base_facts = filter(&columns.base_facts);
            for column in &mut columns.known {
                let column = Rc::make_mut(column);
                column.facts = filter(&column.facts);
            }
            Rc::new(columns)
        });
        let value = &mut self.model.values[id];
        value.facts = kept_facts;
        if columns.is_some() {
            value.columns = columns;
        }
    }

    /// Whether `frame` holds the rows where `column` is missing (`df[df["age"].isna()]`, and
    /// copies of it): predictions assigned to that column there fill its gaps.
    pub(super) fn missing_rows_of(&self, frame: ValueId, column: &str) -> bool {
        let key = (
            UNKNOWN,
            format!("{}\u{0}{column}\u{0}<missing>", self.scope().index()),
        );
        let Some(&split) = self.slices.get(&key) else {
            return false;
        };
        let mut current = frame;
        for _ in 0..4 {
            let value = &self.model.values[current];
            match value.kind {
                Kind::SplitPart {
                    role: Role::Test,
                    split: s,
                } => return s == split,
                Kind::Unknown if value.inputs.len() == 1 => current = value.inputs[0],
                _ => return false,
            }
        }
        false
    }

    /// `df.loc[df["age"].isna(), "age"] = v`: the rows of a column picked by a mask on that
    /// same column get new values (a fill of its missing values).
    pub(super) fn fills_missing(
        &self,
        rows: &[ValueId],
        rows_text: &str,
        names: &[String],
    ) -> bool {
        let ([mask], [column]) = (rows, names) else {
            return false;
        };
        // The mask's lineage names the column, or (on a frame the analysis has no columns
        // for, such as a function's parameter) its text reads it: `df.age`, `df["age"]`.
        let named = |quote: char| rows_text.contains(&format!("[{quote}{column}{quote}]"));
        let attribute = rows_text
            .match_indices(&format!(".{column}"))
            .any(|(at, m)| {
                !rows_text[at + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
        self.model.values[*mask]
            .bases
            .iter()
            .any(|b| &**b == column.as_str())
            || named('"')
            || named('\'')
            || attribute
    }

    /// The column a series holds: `df["age"]`, or a value made from that one column.
    pub(super) fn series_name(&self, id: ValueId) -> Option<String> {
        let value = &self.model.values[id];
        match &value.kind {
            Kind::Column { name } => Some(name.clone()),
            _ => match value.bases.as_slice() {
                [one] => Some(one.to_string()),
                _ => None,
            },
        }
    }

    /// After a fill of `column` in frame `id` (made from `old`), the column keeps the meaning
    /// it had: a model's predictions filling its gaps are an imputer's, not a feature of their
    /// own (model-based imputation, as IterativeImputer does), so they do not make the column
    /// model output.
    pub(super) fn keep_meaning(&mut self, id: ValueId, old: ValueId, column: &str) {
        let Some(columns) = self.model.values[id].columns.clone() else {
            return;
        };
        let before = self.columns_of(old);
        let previous = before.known.iter().find(|c| c.name == column);
        let mut columns = (*columns).clone();
        for c in columns.known.iter_mut().filter(|c| c.name == column) {
            let c = Rc::make_mut(c);
            let mut facts: ThinVec<FactId> = c
                .facts
                .iter()
                .copied()
                .filter(|&f| !matches!(self.model.facts[f].tag, Tag::ModelOut | Tag::LoadedOut))
                .collect();
            let (old_facts, old_bases) = match previous {
                Some(p) => (p.facts.clone(), p.bases.clone()),
                None => (
                    before.base_facts.clone(),
                    thin_vec::thin_vec![Rc::from(column)],
                ),
            };
            merge_facts(&mut facts, &old_facts);
            c.facts = facts;
            merge_bases(&mut c.bases, &old_bases);
        }
        let rows = self.model.values[id].rows;
        self.set_columns(id, Rc::new(columns));
        self.model.values[id].rows = rows;
    }

    /// A metric written by the user (`compute_mcrmse(y_va, preds)`, `normalized_gini(y_test, p)`):
    /// a function of the file or of the project, named as a metric, given predictions and the
    /// truth, is recorded as a Metric event like scikit-learn's.
    pub(super) fn user_metric(
        &mut self,
        function: Node,
        args: Vec<ValueId>,
        result: ValueId,
        node: Node,
    ) {
        let text = self.text(function);
        let name = text.rsplit('.').next().unwrap_or(text);
        if !ml::is_metric_name(name) || result == UNKNOWN {
            return;
        }
        // Library functions are judged by their qualified names elsewhere.
        let head = text.split('.').next().unwrap_or(text);
        if let Some(Kind::Import(qualified)) = self
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.names.get(head))
            .map(|&id| self.kind(id).clone())
            && ml::is_library(&qualified)
        {
            return;
        }
        // Given predictions, and data that is not made from them (the truth; a file name or
        // a number is not).
        let predicted = |arg: ValueId| {
            self.model.derives_from(arg, |v| {
                matches!(self.model.values[v].kind, Kind::Output { .. })
            })
        };
        let predictions = args.iter().any(|&arg| predicted(arg));
        let truth = args.iter().any(|&arg| {
            arg != UNKNOWN
                && !predicted(arg)
                && !matches!(
                    self.kind(arg),
                    Kind::Str(_)
                        | Kind::Number(_)
                        | Kind::NoneLiteral
                        | Kind::Import(_)
                        | Kind::Estimator(_)
                        | Kind::Function(_)
                )
                && (self.model.derives_from_split(arg) || self.model.values[arg].rows != 0)
        });
        if !predictions || !truth {
            return;
        }
        let scope = self.scope();
        self.push_event(Event::Metric {
            function: name.to_string(),
            args,
            output: result,
            span: span(node),
            scope,
        });
    }
}
