//! Which columns a composite estimator passes to its model: a `ColumnTransformer` whose
//! remainder is dropped passes only the columns its transformers name.

use super::{Args, Builder};
use crate::model::{Kind, ValueId};

impl Builder<'_> {
    /// Records the columns `estimator` (built by `qualified` with `args`) lets through, when
    /// it selects some: a column transformer that drops the remainder, or a pipeline, search or
    /// wrapper whose first step is one.
    pub(super) fn record_column_selection(
        &mut self,
        qualified: &str,
        args: &Args,
        estimator: ValueId,
    ) {
        let name = qualified.rsplit('.').next().unwrap_or(qualified);
        self.record_routes(name, args, estimator);
        let selection = match name {
            "ColumnTransformer" => {
                let specs = args
                    .get(0, &["transformers"])
                    .map(|(v, _)| self.elements(v))
                    .unwrap_or_default();
                self.transformer_columns(args, &specs, 1, 2)
            }
            "make_column_transformer" => {
                let specs: Vec<ValueId> = args.positional.iter().map(|(v, _)| *v).collect();
                self.transformer_columns(args, &specs, 0, 1)
            }
            "Pipeline" => {
                let first = args
                    .get(0, &["steps"])
                    .map(|(v, _)| self.elements(v))
                    .and_then(|steps| steps.first().copied())
                    .map(|step| self.elements(step))
                    .and_then(|step| step.get(1).copied());
                first.and_then(|step| self.selection_of(step))
            }
            "make_pipeline" => args
                .positional
                .first()
                .and_then(|&(step, _)| self.selection_of(step)),
            _ => args
                .get(0, &["estimator", "regressor", "classifier"])
                .and_then(|(inner, _)| self.selection_of(inner)),
        };
        if let Some(selection) = selection {
            self.model.column_selections.push((estimator, selection));
        }
    }

    /// The columns a column transformer gives each of its transformers
    /// (`("oh", OneHotEncoder(), ["store_id"])`).
    fn record_routes(&mut self, name: &str, args: &Args, estimator: ValueId) {
        let (specs, at, columns_at) = match name {
            "ColumnTransformer" => (
                args.get(0, &["transformers"])
                    .map(|(v, _)| self.elements(v))
                    .unwrap_or_default(),
                1,
                2,
            ),
            "make_column_transformer" => (args.positional.iter().map(|(v, _)| *v).collect(), 0, 1),
            _ => return,
        };
        for spec in specs {
            let parts = self.elements(spec);
            let (Some(&transformer), Some(&columns)) = (parts.get(at), parts.get(columns_at))
            else {
                continue;
            };
            if !matches!(self.kind(transformer), Kind::Estimator(_)) {
                continue;
            }
            if let Some(names) = self.names_of(columns) {
                self.model
                    .routed_columns
                    .push((estimator, transformer, names));
            }
        }
    }

    fn selection_of(&self, estimator: ValueId) -> Option<Option<Vec<String>>> {
        self.model
            .column_selections
            .iter()
            .find(|(e, _)| *e == estimator)
            .map(|(_, selection)| selection.clone())
    }

    fn elements(&self, id: ValueId) -> Vec<ValueId> {
        match self.kind(id) {
            Kind::Tuple(elements) => elements.clone(),
            _ => Vec::new(),
        }
    }

    /// The columns named by transformer specs (tuples with the transformer at `at` and the
    /// columns at `columns_at`): None inside when some spec's columns cannot be read; the
    /// outer None when the remainder is passed on (every column reaches the model).
    fn transformer_columns(
        &self,
        args: &Args,
        specs: &[ValueId],
        at: usize,
        columns_at: usize,
    ) -> Option<Option<Vec<String>>> {
        if args.splat {
            return Some(None);
        }
        if let Some((remainder, _)) = args.keyword("remainder")
            && !matches!(self.kind(remainder), Kind::Str(s) if s == "drop")
        {
            return None;
        }
        if specs.is_empty() {
            return Some(None);
        }
        let mut names = Vec::new();
        for &spec in specs {
            let parts = self.elements(spec);
            let (Some(&transformer), Some(&columns)) = (parts.get(at), parts.get(columns_at))
            else {
                return Some(None);
            };
            if matches!(self.kind(transformer), Kind::Str(s) if s == "drop") {
                continue;
            }
            match self.names_of(columns) {
                Some(more) => names.extend(more),
                None => return Some(None),
            }
        }
        Some(Some(names))
    }
}
