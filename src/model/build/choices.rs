//! The builder's side of [`crate::model::Choices`]: names bound to values, selection
//! constructs, early-stopping configurations, native boosting `train` calls, list mutation,
//! and rows duplicated by stacking a frame with part of itself.

use super::{Args, Builder, span};
use crate::ml::Category;
use crate::model::{Choice, Estimator, Event, FitMethod, Kind, ThinVec, UNKNOWN, ValueId, rows};
use crate::source::python::Syntax;
use tree_sitter::Node;

impl Builder<'_> {
    /// Remembers that `name` is bound to `value` (data, estimators, callbacks; not modules or
    /// functions).
    pub(super) fn note_name(&mut self, name: &str, value: ValueId) {
        if value == UNKNOWN || matches!(self.kind(value), Kind::Import(_) | Kind::Function(_)) {
            return;
        }
        self.model.choices.name(value, name);
    }

    /// After an `if` statement has been read: a best-so-far comparison inside a loop (`if auc >
    /// best_auc: best_auc = auc; best = m`) is a selection over the candidate it compares. The
    /// names its branch rebinds now also derive from that candidate: what is kept depends on it.
    pub(super) fn if_selection(&mut self, node: Node, events_before: usize) {
        let Some(condition) = node.field("condition").map(unparenthesize) else {
            return;
        };
        let Some(body) = node.field("consequence") else {
            return;
        };
        if condition.kind_name() != "comparison_operator" || !in_loop(node) {
            return;
        }
        let mut cursor = condition.walk();
        let children: Vec<Node> = condition.children(&mut cursor).collect();
        let operands: Vec<Node> = children
            .iter()
            .copied()
            .filter(|c| c.is_named() && c.kind_name() != "comment")
            .collect();
        let operators: Vec<&str> = children
            .iter()
            .filter(|c| !c.is_named())
            .map(|c| self.text(*c))
            .collect();
        if operands.len() != 2 || !matches!(operators.as_slice(), [">" | "<" | ">=" | "<="]) {
            return;
        }
        let assigned = self.assigned_names(body);
        let kept: Vec<bool> = operands
            .iter()
            .map(|o| assigned.iter().any(|a| a == self.text(*o)))
            .collect();
        let candidate_index = match kept.as_slice() {
            [false, true] => 0,
            [true, false] => 1,
            _ => return,
        };
        let condition_span = span(condition);
        let compared = self.model.events[events_before..]
            .iter()
            .find_map(|e| match e {
                Event::Compare {
                    left, right, span, ..
                } if *span == condition_span => Some([*left, *right]),
                _ => None,
            });
        let Some(compared) = compared else {
            return;
        };
        let candidate = compared[candidate_index];
        let mut chosen = Vec::new();
        let mut models = Vec::new();
        for name in assigned.iter().filter(|n| !n.contains('.')) {
            let Some(current) = self.scopes.iter().rev().find_map(|s| s.names.get(name)) else {
                continue;
            };
            let current = *current;
            if matches!(self.kind(current), Kind::Estimator(_)) {
                // `best_model = m`: the winner keeps its identity (and its fits).
                models.push(current);
                continue;
            }
            if matches!(self.kind(current), Kind::Import(_) | Kind::Function(_)) {
                continue;
            }
            let id = self.new_value(Kind::Unknown, vec![current, candidate], span(node));
            self.keep_columns(id, current);
            self.bind(name, id);
            chosen.push(id);
        }
        let scope = self.scope();
        self.model.choices.selections.push(Choice {
            how: "a best-so-far comparison".to_string(),
            over: vec![candidate],
            chosen,
            models,
            after: self.model.events.len(),
            picks_key: false,
            span: condition_span,
            scope,
        });
    }

    /// The names (and attribute targets such as `self.best`) the statements of a block assign.
    fn assigned_names(&self, block: Node) -> Vec<String> {
        let mut names = Vec::new();
        let mut cursor = block.walk();
        for statement in block.named_children(&mut cursor) {
            if statement.kind_name() != "expression_statement" {
                continue;
            }
            let mut inner = statement.walk();
            for child in statement.named_children(&mut inner) {
                if !matches!(child.kind_name(), "assignment" | "augmented_assignment") {
                    continue;
                }
                if let Some(left) = child.field("left") {
                    self.target_names(left, &mut names);
                }
            }
        }
        names
    }

    fn target_names(&self, target: Node, names: &mut Vec<String>) {
        match target.kind_name() {
            "identifier" | "attribute" => names.push(self.text(target).to_string()),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "expression_list"
            | "parenthesized_expression" => {
                let mut cursor = target.walk();
                for part in target.named_children(&mut cursor) {
                    self.target_names(part, names);
                }
            }
            _ => {}
        }
    }

    /// Calls of qualified functions that choose (`np.argmax`, `max(d, key=d.get)`, `sorted`,
    /// `hyperopt.fmin`), configure early stopping (Keras, LightGBM and XGBoost callbacks), or
    /// stack a frame with part of itself (`np.vstack([X, X[y == 1]])`). `result` is the value
    /// the call made.
    pub(super) fn note_call(&mut self, qualified: &str, args: &Args, result: ValueId, node: Node) {
        let first = args.positional.first().map(|(v, _)| *v);
        let how = match qualified {
            "max" | "min" if args.keyword("key").is_some() => {
                Some(format!("`{qualified}(..., key=...)`"))
            }
            "sorted" if self.only_shown(node, qualified, args) => None,
            "sorted" => Some("`sorted`".to_string()),
            "numpy.argmax" | "numpy.argmin" | "numpy.nanargmax" | "numpy.nanargmin"
            | "numpy.argsort" => Some(format!("`np.{}`", last_segment(qualified))),
            _ => None,
        };
        if let (Some(how), Some(over)) = (how, first) {
            if matches!(qualified, "sorted" | "numpy.argsort") {
                self.pending_ranking(how, vec![over], result, node);
            } else {
                self.push_selection(how, vec![over], vec![result], node);
            }
            return;
        }
        if matches!(
            qualified,
            "hyperopt.fmin"
                | "skopt.gp_minimize"
                | "skopt.forest_minimize"
                | "skopt.gbrt_minimize"
                | "skopt.dummy_minimize"
        ) && let Some((function, _)) = args.get(0, &["fn", "func"])
        {
            self.optimiser(function, last_segment(qualified), result, node);
            return;
        }
        // `np.vstack((a.T, b.T)).T` stacks columns, not rows. (Asked after the name matched:
        // a node's parent costs a descent from the root.)
        let transposed = |b: &Self| {
            node.parent().is_some_and(|parent| {
                parent.kind_name() == "attribute"
                    && parent.field("attribute").is_some_and(|a| b.text(a) == "T")
            })
        };
        if matches!(
            qualified,
            "numpy.vstack" | "numpy.row_stack" | "numpy.concatenate"
        ) && !transposed(self)
            && args
                .get(1, &["axis"])
                .is_none_or(|(v, _)| matches!(self.kind(v), Kind::Number(n) if *n == 0.0))
            && let Some(Kind::Tuple(parts)) = first.map(|f| self.kind(f).clone())
        {
            if parts.len() > 1 {
                self.model.row_concats.push(result);
            }
            self.mark_duplicated(result, &parts);
            return;
        }
        if qualified == "lightgbm.Dataset" && args.keyword("reference").is_some() {
            // `reference=train_set` shares the training set's bins; its rows stay out.
            let reference = args.keyword("reference").map(|(r, _)| r);
            let inputs: ThinVec<ValueId> = args
                .all_values()
                .into_iter()
                .filter(|&v| v != UNKNOWN && Some(v) != reference)
                .collect();
            let rows = inputs
                .iter()
                .fold(0, |acc, &v| acc | self.model.values[v].rows);
            // The arguments were read before the call's value was made: still older than it.
            debug_assert!(inputs.iter().all(|&i| i < result));
            let value = &mut self.model.values[result];
            value.rows = rows;
            value.inputs = inputs;
            return;
        }
        if self.selects_on_validation(qualified, args) {
            self.model.choices.stops_early.insert(result);
        }
    }

    /// Whether a callback picks an epoch, checkpoint or learning rate by a validation score.
    fn selects_on_validation(&self, qualified: &str, args: &Args) -> bool {
        let keras = (qualified.starts_with("keras.") || qualified.starts_with("tensorflow."))
            && qualified.contains(".callbacks.");
        let name = last_segment(qualified);
        // Keras callbacks watch `val_loss` unless told otherwise.
        let watches_validation = || match args.keyword("monitor") {
            None => true,
            Some((value, _)) => matches!(self.kind(value), Kind::Str(s) if s.starts_with("val_")),
        };
        match name {
            "EarlyStopping" | "ReduceLROnPlateau" if keras => watches_validation(),
            "ModelCheckpoint" if keras => {
                args.keyword("save_best_only")
                    .is_some_and(|(_, n)| self.text(n) == "True")
                    && watches_validation()
            }
            "early_stopping" => qualified == "lightgbm.early_stopping",
            "EarlyStopping" => qualified == "xgboost.callback.EarlyStopping",
            _ => false,
        }
    }

    /// A boosting estimator built to stop early or keep its best iteration on `eval_set`.
    pub(super) fn note_estimator(&mut self, qualified: &str, args: &Args, value: ValueId) {
        let package = qualified.split('.').next().unwrap_or("");
        if !matches!(package, "xgboost" | "lightgbm" | "catboost") {
            return;
        }
        let given = |name: &str| {
            args.keyword(name).is_some_and(|(v, n)| {
                !matches!(self.kind(v), Kind::NoneLiteral) && self.text(n) != "False"
            })
        };
        if given("early_stopping_rounds")
            || given("early_stopping_round")
            || given("use_best_model")
        {
            self.model.choices.stops_early.insert(value);
        }
        if args
            .keyword("use_best_model")
            .is_some_and(|(_, n)| self.text(n) == "False")
        {
            self.model.choices.keeps_last.insert(value);
        }
    }

    /// `xgb.train(params, dtrain, evals=..., early_stopping_rounds=...)` and
    /// `lgb.train(params, train_set, valid_sets=..., callbacks=...)`: a model fitted on its
    /// training set, with its validation sets as keywords. Returns the booster.
    pub(super) fn native_training(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let (train, validation) = match qualified {
            "xgboost.train" => ("dtrain", "evals"),
            "lightgbm.train" => ("train_set", "valid_sets"),
            _ => return None,
        };
        let x = args.get(1, &[train]);
        let mut keywords: Vec<(String, ValueId)> = args
            .keywords
            .iter()
            .map(|(k, v, _)| (k.clone(), *v))
            .collect();
        if let Some(&(value, _)) = args.positional.get(3) {
            keywords.push((validation.to_string(), value));
        }
        let estimator = Estimator {
            class: qualified.to_string(),
            category: Category::Model,
            seeded: None,
            stateful_steps: None,
            shuffled: false,
        };
        let booster = self.new_value(Kind::Estimator(estimator), Vec::new(), span(node));
        let scope = self.scope();
        self.push_event(Event::Fit {
            estimator: booster,
            x: x.map(|(v, _)| v),
            y: x.and_then(|(v, _)| self.dataset_labels.get(&v).copied()),
            output: None,
            method: FitMethod::Train,
            x_text: x.map_or(String::new(), |(_, n)| self.text(n).to_string()),
            keywords,
            span: span(node),
            scope,
        });
        Some(booster)
    }

    /// A method called on something that is not an estimator, after the model has read it
    /// (`value` is what it returned): `scores.append(s)` rebinds `scores` to a list that holds
    /// `s`; `idxmax`, `sort_values`, `nlargest`, ... choose; `study.optimize(objective)`
    /// chooses by what `objective` returns.
    pub(super) fn method_choices(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        value: ValueId,
        node: Node,
    ) {
        match method {
            "append" | "extend" | "insert" | "add" | "update" | "appendleft" => {
                self.mutated(receiver, method, args, value, node);
            }
            "sort_values" | "argsort" | "sort" if self.only_shown(node, method, args) => {}
            // `board.head(1)`: the top entry of a ranking.
            "head" | "nlargest" | "nsmallest"
                if !self.rankings.is_empty()
                    && args
                        .positional
                        .first()
                        .is_some_and(|(_, n)| self.text(*n) == "1") =>
            {
                self.ranking_entry(receiver, value);
            }
            // A ranking kept in a variable chooses only once one entry is taken from it.
            "sort_values" | "argsort" if args.keyword("inplace").is_none() => {
                self.pending_ranking(format!("`{method}`"), vec![receiver], value, node);
            }
            "idxmax" | "idxmin" | "sort_values" | "nlargest" | "nsmallest" | "argmax"
            | "argmin" | "argsort" | "sort" => {
                self.push_selection(format!("`{method}`"), vec![receiver], vec![value], node);
            }
            "optimize" => {
                if let Some((function, _)) = args.get(0, &["func"]) {
                    self.optimiser(function, "optimize", receiver, node);
                }
            }
            _ => {}
        }
    }

    /// `name.append(x)`: `name` now holds `x` too. A list of column names stays one.
    fn mutated(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        value: ValueId,
        node: Node,
    ) {
        let object = node.field("function").and_then(|f| f.field("object"));
        let Some(object) = object.filter(|o| o.kind_name() == "identifier") else {
            return;
        };
        // Only a call whose result is dropped changes its receiver in place: `full =
        // train.append(test)` (old pandas) leaves `train` as it was.
        if node
            .parent()
            .is_none_or(|p| p.kind_name() != "expression_statement")
        {
            return;
        }
        let name = self.text(object);
        let added: Vec<ValueId> = match (method, args.positional.as_slice()) {
            ("append", [(one, _)]) => vec![*one],
            ("extend", [(many, _)]) => match self.kind(*many) {
                Kind::Tuple(elements) => elements.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let strings =
            !added.is_empty() && added.iter().all(|&a| matches!(self.kind(a), Kind::Str(_)));
        if let (Kind::Tuple(elements), true) = (self.kind(receiver).clone(), strings) {
            let elements: Vec<ValueId> = elements.into_iter().chain(added).collect();
            let list = self.new_value(Kind::Tuple(elements.clone()), elements, span(node));
            self.bind(name, list);
            return;
        }
        if matches!(
            self.kind(receiver),
            Kind::Estimator(_) | Kind::Import(_) | Kind::Function(_)
        ) {
            return;
        }
        self.keep_columns(value, receiver);
        self.bind(name, value);
    }

    /// `folds.append(record)` made `grown` from the list `receiver`: the records of `grown` are
    /// those of `receiver` and the one appended.
    pub(super) fn grown_records(&mut self, receiver: ValueId, added: &[ValueId], grown: ValueId) {
        let [one] = added else {
            return;
        };
        let mut records = match self.kind(receiver) {
            Kind::Tuple(elements) => elements.clone(),
            _ => match self.records.get(&receiver) {
                Some(records) => records.clone(),
                None => return,
            },
        };
        records.push(*one);
        self.records.insert(grown, records);
    }

    /// `for name, X_tr, X_va, y_tr, y_va in folds:` over a list of records (a literal, or a
    /// list built by `append`), `for key, value in d.items()`, `for i, (a, b) in
    /// enumerate(pairs)`, `for a, b in zip(As, Bs)`: each name is bound to the element at its
    /// position of every record, not to everything the list holds. False when the iterable is
    /// not such a collection or the target is a single name.
    pub(super) fn records_target(
        &mut self,
        target: Node,
        right: Option<Node>,
        iterable: ValueId,
    ) -> bool {
        if !matches!(
            target.kind_name(),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "parenthesized_expression"
        ) {
            return false;
        }
        let method = right
            .and_then(|r| r.field("function"))
            .filter(|f| f.kind_name() == "attribute")
            .and_then(|f| f.field("attribute"))
            .map(|a| self.text(a));
        let element = match method {
            Some("items") => {
                let receiver = self.model.values[iterable].inputs.first().copied();
                match receiver.map(|r| self.kind(r).clone()) {
                    Some(Kind::Dict(entries)) if !entries.is_empty() => {
                        let values: Vec<ValueId> = entries.iter().map(|(_, v)| *v).collect();
                        let key = self.derived(Vec::new(), target);
                        let value = self.position_value(&values, target);
                        Some(self.new_value(
                            Kind::Tuple(vec![key, value]),
                            Vec::new(),
                            span(target),
                        ))
                    }
                    _ => None,
                }
            }
            Some(_) => None,
            None => self.element_of(iterable, target, 0),
        };
        let Some(element) = element else {
            return false;
        };
        self.bind_target(target, element);
        true
    }

    /// One element of an iterable whose records are known, standing for all of them: at each
    /// position, the records' elements at that position ([`Self::position_value`]).
    fn element_of(&mut self, iterable: ValueId, at: Node, depth: usize) -> Option<ValueId> {
        if depth > 2 || iterable == UNKNOWN {
            return None;
        }
        let records = match self.kind(iterable).clone() {
            Kind::Tuple(elements) if !elements.is_empty() => elements,
            Kind::Call { function } if function == "enumerate" || function == "zip" => {
                let inputs = self.model.values[iterable].inputs.clone();
                let mut parts = Vec::new();
                if function == "enumerate" {
                    let [inner] = inputs.as_slice() else {
                        return None;
                    };
                    parts.push(self.derived(Vec::new(), at));
                    parts.push(self.element_of(*inner, at, depth + 1)?);
                } else {
                    if inputs.len() < 2 {
                        return None;
                    }
                    for input in inputs {
                        let part = match self.element_of(input, at, depth + 1) {
                            Some(part) => part,
                            None => self.derived(vec![input], at),
                        };
                        parts.push(part);
                    }
                }
                return Some(self.new_value(Kind::Tuple(parts), Vec::new(), span(at)));
            }
            _ => self.records.get(&iterable).cloned()?,
        };
        Some(self.position_value(&records, at))
    }

    /// What the values at one position of several records have in common: the value itself
    /// when they are all one; a tuple of the positions when they are all tuples of one
    /// length; else a value derived from each of them (their rows and lineage, joined).
    fn position_value(&mut self, values: &[ValueId], at: Node) -> ValueId {
        let first = values[0];
        if values.iter().all(|&v| v == first) {
            return first;
        }
        let tuples: Option<Vec<Vec<ValueId>>> = values
            .iter()
            .map(|&v| match self.kind(v) {
                Kind::Tuple(elements) => Some(elements.clone()),
                _ => None,
            })
            .collect();
        if let Some(tuples) = tuples
            && let Some(len) = tuples.first().map(Vec::len)
            && len > 0
            && tuples.iter().all(|t| t.len() == len)
        {
            let parts: Vec<ValueId> = (0..len)
                .map(|i| {
                    let column: Vec<ValueId> = tuples.iter().map(|t| t[i]).collect();
                    self.position_value(&column, at)
                })
                .collect();
            return self.new_value(Kind::Tuple(parts), Vec::new(), span(at));
        }
        self.derived(values.to_vec(), at)
    }

    /// An optimiser that maximises or minimises what a function defined in the file returns.
    /// What it chose lives in `keeps`: the study (`study.optimize(...)`, read back through
    /// `study.best_params` and `study.best_value`) or the result (`best = fmin(...)`).
    fn optimiser(&mut self, function: ValueId, name: &str, keeps: ValueId, node: Node) {
        let Kind::Function(id) = *self.kind(function) else {
            return;
        };
        if let Some(&(_, span)) = self.model.functions.get(id) {
            self.model.choices.objectives.push(span);
        }
        let returns = self.function_returns(id);
        if !returns.is_empty() {
            let chosen = if keeps == UNKNOWN {
                Vec::new()
            } else {
                vec![keeps]
            };
            self.push_selection(format!("`{name}`"), returns, chosen, node);
        }
    }

    /// Whether a sort's result is only shown (`print(board.sort_values("acc"))`, a notebook
    /// cell's `board.sort_values("acc")`, optionally through `.head()`, `.round()`, ...): a
    /// ranking put in front of the reader is a report, not a choice made by the code. An
    /// in-place sort (`scores.sort()`, `inplace=True`) keeps its result and stays a choice.
    fn only_shown(&self, call: Node, method: &str, args: &Args) -> bool {
        if method == "sort" || args.keyword("inplace").is_some() {
            return false;
        }
        let mut node = call;
        // Through display-only methods chained on the sorted value.
        while let Some(attribute) = node.parent().filter(|p| p.kind_name() == "attribute") {
            let Some(outer) = attribute.parent().filter(|p| p.kind_name() == "call") else {
                return false;
            };
            let name = attribute.field("attribute").map_or("", |a| self.text(a));
            if !matches!(
                name,
                "head" | "tail" | "round" | "reset_index" | "to_string" | "to_markdown"
            ) {
                return false;
            }
            node = outer;
        }
        let Some(parent) = node.parent() else {
            return false;
        };
        match parent.kind_name() {
            "expression_statement" => true,
            "argument_list" => parent
                .parent()
                .filter(|c| c.kind_name() == "call")
                .and_then(|c| c.field("function"))
                .is_some_and(|f| matches!(self.text(f), "print" | "display")),
            _ => false,
        }
    }

    /// A ranking (`sorted(...)`, `scores.argsort()`, `board.sort_values("acc")`) kept in a
    /// value: it becomes a choice when one entry is taken from it ([`Self::ranking_entry`]).
    /// Iterated, printed or sliced for plots, it is a report.
    fn pending_ranking(&mut self, how: String, over: Vec<ValueId>, result: ValueId, node: Node) {
        if self.replaying || result == UNKNOWN {
            return;
        }
        let scope = self.scope();
        self.rankings.insert(
            result,
            Choice {
                how,
                over,
                chosen: Vec::new(),
                models: Vec::new(),
                after: 0,
                picks_key: false,
                span: span(node),
                scope,
            },
        );
    }

    /// `ranking[0]`, `order[-1]`, `board.iloc[0]`, `board.index[0]`, `idx[::-1][0]`: one entry
    /// taken from a ranking, the winner it chose.
    pub(super) fn ranking_entry(&mut self, base: ValueId, result: ValueId) {
        // Through the indexer, an attribute or a reversal of the ranking.
        let mut current = base;
        for _ in 0..4 {
            if let Some(mut choice) = self.rankings.remove(&current) {
                choice.chosen = vec![result];
                choice.after = self.model.events.len();
                self.model.choices.selections.push(choice);
                return;
            }
            let value = &self.model.values[current];
            current = match value.kind {
                Kind::Indexer { frame } => frame,
                _ if value.inputs.len() == 1 => value.inputs[0],
                _ => return,
            };
        }
    }

    fn push_selection(
        &mut self,
        how: String,
        over: Vec<ValueId>,
        chosen: Vec<ValueId>,
        node: Node,
    ) {
        if self.replaying {
            return;
        }
        let scope = self.scope();
        let picks_key = how.contains("key=")
            || matches!(
                how.trim_matches('`').trim_start_matches("np."),
                "argmax" | "argmin" | "nanargmax" | "nanargmin" | "idxmax" | "idxmin"
            );
        self.model.choices.selections.push(Choice {
            how,
            over,
            chosen,
            models: Vec::new(),
            after: self.model.events.len(),
            picks_key,
            span: span(node),
            scope,
        });
    }

    /// Rows stacked with a copy or a row subset of themselves (`pd.concat([df, df[df.y == 1]])`,
    /// `np.vstack([X, X + noise])`): the result holds some rows twice.
    pub(super) fn mark_duplicated(&mut self, result: ValueId, parts: &[ValueId]) {
        if result == UNKNOWN || parts.len() < 2 {
            return;
        }
        let copies = |a: ValueId, b: ValueId, values: &[crate::model::Value]| {
            a == b || values[b].inputs.first() == Some(&a)
        };
        let values = &self.model.values;
        let duplicated = parts.iter().enumerate().any(|(i, &a)| {
            a != UNKNOWN
                && parts
                    .iter()
                    .enumerate()
                    .any(|(j, &b)| i != j && b != UNKNOWN && copies(a, b, values))
        });
        if duplicated {
            self.model.values[result].rows |= rows::RESAMPLED;
        }
    }
}

/// Whether a statement sits in the body of a loop of its own function.
fn in_loop(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(parent) = current {
        match parent.kind_name() {
            "for_statement" | "while_statement" => return true,
            "function_definition" | "class_definition" | "lambda" => return false,
            _ => current = parent.parent(),
        }
    }
    false
}

fn unparenthesize(node: Node) -> Node {
    let mut node = node;
    while node.kind_name() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn last_segment(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}
