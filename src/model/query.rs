//! Questions rules ask of a [`FileModel`], answered from what the one traversal recorded.

use super::{
    Column, Columns, Event, Fact, FileModel, FitMethod, Kind, Rows, Split, SplitId, Tag, UNKNOWN,
    ValueId,
};
use crate::finding::Span;
use std::collections::HashMap;

/// A fact carried by a value, and the column of that value that carries it (None when the
/// value is not a frame with named columns, or the fact rides on its unnamed columns).
#[derive(Debug, Clone, Copy)]
pub struct Lineage<'m> {
    pub column: Option<&'m Column>,
    pub fact: &'m Fact,
}

impl FileModel {
    /// Which rows a value holds (see [`super::rows`]); 0 when unknown.
    pub fn rows(&self, id: ValueId) -> Rows {
        self.values.get(id.index()).map_or(0, |v| v.rows)
    }

    /// The columns of a frame value, if it is one.
    pub fn columns(&self, id: ValueId) -> Option<&Columns> {
        self.values.get(id.index())?.columns.as_deref()
    }

    /// The facts a value carries, each with the column that carries it when known.
    pub fn lineage(&self, id: ValueId) -> Vec<Lineage<'_>> {
        let Some(value) = self.values.get(id.index()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(columns) = value.columns.as_deref() {
            for column in &columns.known {
                for &fact in &column.facts {
                    out.push(Lineage {
                        column: Some(column),
                        fact: self.fact(fact),
                    });
                }
            }
            for &fact in columns.base_facts.iter().chain(&columns.joined_facts) {
                if !out.iter().any(|l| std::ptr::eq(l.fact, self.fact(fact))) {
                    out.push(Lineage {
                        column: None,
                        fact: self.fact(fact),
                    });
                }
            }
        }
        for &fact in &value.facts {
            if !out.iter().any(|l| std::ptr::eq(l.fact, self.fact(fact))) {
                out.push(Lineage {
                    column: None,
                    fact: self.fact(fact),
                });
            }
        }
        out
    }

    /// The facts with `tag` a value carries.
    pub fn facts_tagged(&self, id: ValueId, tag: Tag) -> Vec<Lineage<'_>> {
        self.lineage(id)
            .into_iter()
            .filter(|l| l.fact.tag == tag)
            .collect()
    }

    /// Whether frame `x` holds column `name`: Some(true) when it is named there, or `x` has
    /// open columns from the same source as `from` and did not drop it; None when unknown.
    pub fn holds_column(&self, x: ValueId, name: &str, from: Option<ValueId>) -> Option<bool> {
        let columns = self.columns(x)?;
        if columns.known.iter().any(|c| c.name == name) {
            return Some(true);
        }
        if columns.dropped.iter().any(|d| d == name) || !columns.open {
            return Some(false);
        }
        let same_root = from.and_then(|f| self.root_of(f));
        match same_root {
            Some(root) if root == columns.root => Some(true),
            _ => None,
        }
    }

    /// Where the unnamed columns of a frame (or the frame a column was read from) come from.
    pub fn root_of(&self, id: ValueId) -> Option<ValueId> {
        if let Some(columns) = self.columns(id) {
            return Some(columns.root);
        }
        let value = self.values.get(id.index())?;
        match value.kind {
            Kind::Column { .. } | Kind::SplitPart { .. } => self.root_of(*value.inputs.first()?),
            _ => None,
        }
    }

    /// The name of the column a value reads (`df["price"]`), if it is one.
    pub fn column_name(&self, id: ValueId) -> Option<&str> {
        match &self.values.get(id.index())?.kind {
            Kind::Column { name } => Some(name),
            _ => None,
        }
    }

    /// The split a value is a part of, if it is one.
    pub fn split_of(&self, id: ValueId) -> Option<&Split> {
        match self.values.get(id.index())?.kind {
            Kind::SplitPart { split, .. } => self.splits.get(split.index()),
            _ => None,
        }
    }

    /// Whether a split has both a training and a held-out part.
    pub fn complete(&self, split: SplitId) -> bool {
        self.splits
            .get(split.index())
            .is_some_and(|s| s.has_train && s.has_test)
    }

    /// For each value, whether it flows into a metric: a `Metric` event's arguments, the
    /// `score`/`evaluate` of an estimator, or a hand-written one (`preds == y_test`, an
    /// equality with a held-out part). The evaluation side of S5. One backward pass, computed
    /// once per file.
    pub fn reaches_metric(&self) -> &[bool] {
        self.metric_reach
            .get_or_init(|| self.compute_metric_reach())
    }

    /// Whether event `index` is an evaluation: a prediction whose output reaches a metric, or
    /// `score`/`evaluate`. Predictions that reach no metric (a submission file, out-of-fold
    /// stacking features) are scoring, not evaluation. A prediction replayed at a call of a
    /// function of the file is an evaluation when it is one in the body: a metric the body
    /// computes from it (`compute_mcrmse(y_valid, fold_preds[name])` after
    /// `fold_preds[name][:, i] = model.predict(X_valid)`) is computed at every call, though
    /// the replayed metric's arguments stand for the body's values, not the replayed ones.
    pub fn is_evaluation(&self, index: usize) -> bool {
        match self.events.get(index) {
            Some(Event::Predict { method, output, .. }) => {
                method.is_scoring()
                    || (*output != UNKNOWN
                        && self.reaches_metric().get(output.index()) == Some(&true))
                    || self
                        .replay_of(index)
                        .is_some_and(|(_, body)| body < index && self.is_evaluation(body))
            }
            _ => false,
        }
    }

    /// The values that flow into a metric (see [`FileModel::reaches_metric`]).
    ///
    /// Predictions that reach a metric only as the input of another model (out-of-fold
    /// predictions kept as stacking features, then fed to a meta-model that is scored) are
    /// not an evaluation of the model that made them: they are not marked, and neither is
    /// what only they were made from. The data a scored prediction was made from is marked.
    fn compute_metric_reach(&self) -> Vec<bool> {
        let n = self.values.len();
        // What each prediction's output was made from.
        let mut predicted_from: HashMap<ValueId, ValueId> = HashMap::new();
        for event in &self.events {
            if let Event::Predict {
                method,
                output,
                input,
                ..
            } = event
                && !method.is_scoring()
            {
                predicted_from.insert(*output, *input);
            }
        }
        // Scored, or only read as the features of a scored prediction.
        let mut score_outputs: std::collections::HashSet<ValueId> = Default::default();
        let mut scored = vec![false; n];
        let mut feature = vec![false; n];
        for event in &self.events {
            match event {
                Event::Metric { args, .. } => {
                    for &a in args {
                        if a.index() < n {
                            scored[a.index()] = true;
                        }
                    }
                }
                Event::Predict {
                    method,
                    output,
                    input,
                    truth,
                    ..
                } if method.is_scoring() => {
                    // The score itself, the truth it compares with, and the data the scored
                    // model read.
                    for v in std::iter::once(*output).chain(*truth) {
                        if v.index() < n {
                            scored[v.index()] = true;
                        }
                    }
                    if input.index() < n {
                        feature[input.index()] = true;
                    }
                    score_outputs.insert(*output);
                }
                _ => {}
            }
        }
        for id in self.hand_written_metrics() {
            scored[id.index()] = true;
        }
        for id in self.value_ids().skip(1).rev() {
            if score_outputs.contains(&id) {
                continue;
            }
            if let Some(&input) = predicted_from.get(&id) {
                // A prediction: its input is what the scored model read. A prediction read
                // only as features goes no further.
                if scored[id.index()] && input.index() < n {
                    feature[input.index()] = true;
                }
                continue;
            }
            if scored[id.index()] || feature[id.index()] {
                let scored_here = scored[id.index()];
                for &input in &self.values[id].inputs {
                    if scored_here {
                        scored[input.index()] = true;
                    } else {
                        feature[input.index()] = true;
                    }
                }
            }
        }
        let mut marked: Vec<bool> = self
            .value_ids()
            .map(|id| {
                scored[id.index()] || (feature[id.index()] && !predicted_from.contains_key(&id))
            })
            .collect();
        marked[UNKNOWN.index()] = false;
        marked
    }

    /// For each event, the fit of its estimator in effect when it happened: the last `Fit` of
    /// the same estimator before it. A prediction or a score belongs to that fit only; a later
    /// refit under the same name is another model. None for events that use no estimator and
    /// for models fitted out of sight.
    pub fn fit_in_effect(&self) -> Vec<Option<usize>> {
        let mut current: HashMap<ValueId, usize> = HashMap::new();
        let mut out = vec![None; self.events.len()];
        for (index, event) in self.events.iter().enumerate() {
            match event {
                Event::Fit { estimator, .. } => {
                    current.insert(*estimator, index);
                    out[index] = Some(index);
                }
                Event::Predict { estimator, .. } => out[index] = current.get(estimator).copied(),
                _ => {}
            }
        }
        out
    }

    /// For each fit, the data that scores of its model looked at: the input and truth of its
    /// `score`/`evaluate`, and the arguments of every metric of its predictions. Predictions
    /// that reach no metric (written to a submission, kept as out-of-fold features) are not
    /// scores. Under None, the scores of models with no fit in sight (loaded from a file, such
    /// as a best checkpoint, or fitted elsewhere).
    pub fn scored_by_fit(&self) -> HashMap<Option<usize>, Vec<ValueId>> {
        let fits = self.fit_in_effect();
        let mut out: HashMap<Option<usize>, Vec<ValueId>> = HashMap::new();
        for (index, event) in self.events.iter().enumerate() {
            match event {
                Event::Predict {
                    method,
                    input,
                    truth,
                    ..
                } if method.is_scoring() => {
                    let data = out.entry(fits[index]).or_default();
                    data.push(*input);
                    data.extend(*truth);
                }
                Event::Metric { args, .. } => {
                    let mut scored: Vec<Option<usize>> = Vec::new();
                    for &arg in args {
                        let lineage = self
                            .facts_tagged(arg, Tag::ModelOut)
                            .into_iter()
                            .chain(self.facts_tagged(arg, Tag::LoadedOut));
                        for lineage in lineage {
                            let Some(predict) = lineage.fact.event else {
                                continue;
                            };
                            let fit = fits.get(predict).copied().flatten();
                            if !scored.contains(&fit) {
                                scored.push(fit);
                            }
                        }
                    }
                    for fit in scored {
                        out.entry(fit).or_default().extend(args.iter().copied());
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Values computed from predictions together with the held-out labels they are compared
    /// with: a metric written by hand (`gini(y_test, preds)`, `np.mean((preds - y_va) ** 2)`,
    /// `(preds == y_test).mean()`). Held-out labels are the held-out parts of the data (not a
    /// frame of features) whose training part the `y` of a fit comes from (`y_test` beside
    /// `y_train`, `y[va]` beside `y[tr]`, `test_idx` beside `train_idx`), and the label column
    /// read from a held-out part of the frame whose training part gave the label
    /// (`valid_df["target"]` beside `train_df["target"]`). What predictions were made from does
    /// not count as labels beside them. One forward pass.
    fn hand_written_metrics(&self) -> Vec<ValueId> {
        use super::Role;
        let is_frame = |id: ValueId| {
            self.values[id]
                .columns
                .as_deref()
                .is_some_and(|c| c.open || c.known.len() > 1)
        };
        // What the fits' labels are made from: one backward pass over the arena (a value's
        // inputs are older than it), marking every ancestor of every fit's `y`.
        let mut ancestor = vec![false; self.values.len()];
        for event in &self.events {
            if let Event::Fit { y: Some(y), .. } = event
                && *y != UNKNOWN
            {
                ancestor[y.index()] = true;
            }
        }
        for id in self.value_ids().skip(1).rev() {
            if ancestor[id.index()] {
                for &input in &self.values[id].inputs {
                    ancestor[input.index()] = true;
                }
            }
        }
        let mut label_sources = std::collections::HashSet::new();
        let mut label_columns: Vec<(String, SplitId)> = Vec::new();
        for id in self.value_ids().skip(1).filter(|id| ancestor[id.index()]) {
            let value = &self.values[id];
            match &value.kind {
                Kind::SplitPart {
                    role: Role::Train, ..
                } if !is_frame(id) => label_sources.extend(value.inputs.first().copied()),
                Kind::Column { name } => {
                    if let Some(&frame) = value.inputs.first()
                        && let Kind::SplitPart {
                            role: Role::Train,
                            split,
                        } = self.values[frame].kind
                    {
                        label_columns.push((name.clone(), split));
                    }
                }
                _ => {}
            }
        }
        if label_sources.is_empty() && label_columns.is_empty() {
            return Vec::new();
        }
        let held_out = |id: ValueId| match self.values[id].kind {
            Kind::SplitPart {
                role: Role::Test | Role::Valid,
                split,
            } => Some(split),
            _ => None,
        };
        let mut predicted = vec![false; self.values.len()];
        for event in &self.events {
            if let Event::Predict { method, output, .. } = event
                && !method.is_scoring()
                && *output != UNKNOWN
            {
                predicted[output.index()] = true;
            }
        }
        let mut truth = vec![false; self.values.len()];
        let mut found = Vec::new();
        for id in self.value_ids().skip(1) {
            let value = &self.values[id];
            let held_out_label = match &value.kind {
                Kind::SplitPart { .. } => {
                    held_out(id).is_some()
                        && !is_frame(id)
                        && value
                            .inputs
                            .first()
                            .is_some_and(|source| label_sources.contains(source))
                }
                Kind::Column { name } => value.inputs.first().is_some_and(|&frame| {
                    held_out(frame).is_some_and(|split| {
                        label_columns.iter().any(|(n, s)| n == name && *s == split)
                    })
                }),
                _ => false,
            };
            let is_prediction = predicted[id.index()];
            let mut from_predictions = false;
            let mut from_labels = false;
            for &input in &value.inputs {
                from_predictions |= predicted[input.index()];
                from_labels |= truth[input.index()] && !predicted[input.index()];
            }
            predicted[id.index()] |= from_predictions;
            // A size taken of the labels (`len(y_test)`, `np.zeros(len(y_test))`) holds none of
            // them: the labels stop where the rows are forgotten.
            truth[id.index()] = held_out_label || (from_labels && value.rows != 0);
            if from_predictions && from_labels && !is_prediction {
                found.push(id);
            }
        }
        found
    }

    /// Whether an estimator is wrapped, directly or through a pipeline, by a hyperparameter
    /// search whose grid sets the seed or replaces the step with seeded estimators: the
    /// constructor's missing seed is a placeholder.
    pub fn seeded_by_search(&self, estimator: ValueId) -> bool {
        if self.seeding_searches.is_empty() {
            return false;
        }
        let mut holders = vec![estimator];
        for _ in 0..3 {
            let mut next = Vec::new();
            for (composite, members) in &self.composite_members {
                if members.iter().any(|m| holders.contains(m)) {
                    if self.seeding_searches.contains(composite) {
                        return true;
                    }
                    next.push(*composite);
                }
            }
            if next.is_empty() {
                return false;
            }
            holders = next;
        }
        false
    }

    /// Whether a value holds rows glued together from two or more frames or arrays
    /// (`pd.concat([train, test])`, `np.vstack((X, X_test))`).
    pub fn holds_glued_rows(&self, id: ValueId) -> bool {
        if self.row_concats.is_empty() {
            return false;
        }
        let glued = self.glued.get_or_init(|| {
            let mut glued = vec![false; self.values.len()];
            for &id in &self.row_concats {
                glued[id.index()] = true;
            }
            for id in self.value_ids() {
                if self.values[id].inputs.iter().any(|i| glued[i.index()]) {
                    glued[id.index()] = true;
                }
            }
            glued
        });
        glued.get(id.index()).copied().unwrap_or(false)
    }

    /// Whether an estimator learns without a label: a clusterer, an outlier detector or an
    /// embedding by its class, or an autoencoder ([`FileModel::reproduces_input`]: fitted with
    /// its input as its target, never with a label). A model fitted with no target argument at
    /// all is not one: its labels may be inside the data it is given.
    pub fn learns_without_label(&self, estimator: ValueId) -> bool {
        let Some(class) = self.estimator(estimator).map(|e| e.class.as_str()) else {
            return false;
        };
        crate::ml::is_unsupervised_model(class) || self.reproduces_input(estimator)
    }

    /// Whether a model is fitted with its input as its target (`autoencoder.fit(X, X)`) and
    /// never with a label: what it predicts is a reconstruction of its input, a learned
    /// transform like PCA's, not labels or scores. (A model fitted with no target argument at
    /// all, such as Keras on a dataset that holds the labels, is not one.)
    pub fn reproduces_input(&self, estimator: ValueId) -> bool {
        if !self.autoencoders.contains(&estimator) {
            return false;
        }
        let mut fits = self.events.iter().filter_map(|event| match event {
            Event::Fit {
                estimator: fitted,
                y,
                method,
                ..
            } if *fitted == estimator
                && matches!(method, FitMethod::Fit | FitMethod::PartialFit) =>
            {
                Some(y.is_none_or(|y| y == UNKNOWN))
            }
            _ => None,
        });
        let first = fits.next();
        first == Some(true) && fits.all(|unlabelled| unlabelled)
    }

    /// The estimator the call at `span` built, if any. One lookup table per file.
    pub fn estimator_built_at(&self, span: Span) -> Option<&super::Estimator> {
        let table = self.estimators_by_span.get_or_init(|| {
            let mut table = std::collections::HashMap::new();
            for (id, value) in self.values_with_ids() {
                if matches!(value.kind, Kind::Estimator(_)) {
                    // The first estimator made at a span, as a scan in arena order finds it.
                    table.entry(value.span).or_insert(id);
                }
            }
            table
        });
        table.get(&span).and_then(|&id| self.estimator(id))
    }

    /// Whether where `transformer` learned its statistics changes nothing `model` learns or
    /// predicts: an increasing rescaling of each feature in front of a tree model.
    pub fn rescaling_changes_nothing(&self, transformer: ValueId, model: ValueId) -> bool {
        self.estimator(transformer)
            .is_some_and(|e| crate::ml::is_monotone_scaler(&e.class))
            && self.ignores_feature_scaling(model)
    }

    /// Whether what an estimator learns and predicts is unchanged by an increasing function of
    /// each feature ([`crate::ml::is_monotone_scaler`]): a tree model, or a hyperparameter
    /// search or ensemble whose every model is one.
    pub fn ignores_feature_scaling(&self, estimator: ValueId) -> bool {
        let Some(found) = self.estimator(estimator) else {
            return false;
        };
        if crate::ml::is_tree_model(&found.class) {
            return true;
        }
        if found.category != crate::ml::Category::Composite {
            return false;
        }
        let Some((_, members)) = self
            .composite_members
            .iter()
            .find(|(composite, _)| *composite == estimator)
        else {
            return false;
        };
        // Every model among the members ignores scaling, and every other step is itself an
        // increasing rescaling (a PCA in front of a forest depends on the scale).
        let is_model = |m: ValueId| {
            self.estimator(m).is_some_and(|e| {
                matches!(
                    e.category,
                    crate::ml::Category::Model | crate::ml::Category::Composite
                )
            })
        };
        let steps_keep_order = members.iter().filter(|&&m| !is_model(m)).all(|&m| {
            self.estimator(m)
                .is_some_and(|e| crate::ml::is_monotone_scaler(&e.class))
        });
        let mut models = members.iter().filter(|&&m| is_model(m)).peekable();
        steps_keep_order
            && models.peek().is_some()
            && models.all(|&m| m != estimator && self.ignores_feature_scaling(m))
    }

    /// Whether an estimator is a tree or a linear model, or a composite (a pipeline, a search)
    /// whose models are: a model that takes each column's values as numbers or categories,
    /// not an embedding.
    pub fn tree_or_linear_model(&self, estimator: ValueId) -> bool {
        self.composite_models(estimator).is_some_and(|models| {
            !models.is_empty()
                && models.iter().all(|&m| {
                    self.estimator(m).is_some_and(|e| {
                        crate::ml::is_tree_model(&e.class) || crate::ml::is_linear_model(&e.class)
                    })
                })
        })
    }

    /// The models inside an estimator: itself when it is a model, the models among a
    /// composite's members (nested composites opened); None when it is not an estimator.
    pub fn composite_models(&self, estimator: ValueId) -> Option<Vec<ValueId>> {
        let found = self.estimator(estimator)?;
        if found.category != crate::ml::Category::Composite {
            return Some(
                (found.category == crate::ml::Category::Model)
                    .then_some(estimator)
                    .into_iter()
                    .collect(),
            );
        }
        let mut models = Vec::new();
        for member in self.members_within(estimator) {
            if self
                .estimator(member)
                .is_some_and(|e| e.category == crate::ml::Category::Model)
            {
                models.push(member);
            }
        }
        Some(models)
    }

    /// Every estimator inside a composite, nested composites opened (bounded).
    fn members_within(&self, composite: ValueId) -> Vec<ValueId> {
        let mut out = Vec::new();
        let mut stack = vec![composite];
        while let Some(current) = stack.pop() {
            if out.len() > 64 {
                break;
            }
            for (c, members) in &self.composite_members {
                if *c == current {
                    for &m in members {
                        if m != current && !out.contains(&m) {
                            out.push(m);
                            stack.push(m);
                        }
                    }
                }
            }
        }
        out
    }

    /// Whether a composite estimator routes column `name` through an encoder of categories
    /// (`ColumnTransformer([("oh", OneHotEncoder(handle_unknown="ignore"), ["store_id"])])`).
    pub fn encodes_column(&self, estimator: ValueId, name: &str) -> bool {
        let mut within = self.members_within(estimator);
        within.push(estimator);
        self.routed_columns
            .iter()
            .filter(|(transformer, _, columns)| {
                within.contains(transformer) && columns.iter().any(|c| c == name)
            })
            .any(|(_, step, _)| {
                let mut steps = self.members_within(*step);
                steps.push(*step);
                steps.iter().any(|&s| {
                    self.estimator(s)
                        .is_some_and(|e| crate::ml::is_category_encoder(&e.class))
                })
            })
    }

    /// When event `index` was replayed from a function body at a call: the call's span and
    /// the event in the body.
    pub fn replay_of(&self, index: usize) -> Option<(Span, usize)> {
        self.replayed.get(index).copied().flatten()
    }

    /// The evidence that column `name` holds dates, if any.
    pub fn temporal_evidence(&self, name: &str) -> Option<(Span, &'static str)> {
        self.temporal
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, span, what)| (*span, *what))
    }

    /// Whether column `name` holds dates: parsed or converted to dates, or used through `.dt`.
    /// Sorting or indexing by a column says nothing of what it holds (`set_index("user_id")`).
    pub fn holds_dates(&self, name: &str) -> bool {
        self.temporal.iter().any(|(n, _, what)| {
            n == name && !(what.starts_with("sorted") || what.starts_with("indexed"))
        })
    }

    /// The label columns of a `y`: the column it reads, or the raw columns it was made from.
    pub fn label_columns(&self, y: ValueId) -> Vec<String> {
        let Some(value) = self.values.get(y.index()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = Vec::new();
        if let Kind::Column { name } = &value.kind {
            names.push(name.clone());
        }
        for base in &value.bases {
            if !names.iter().any(|n| n.as_str() == &**base) {
                names.push(base.to_string());
            }
        }
        names
    }
}
