//! Estimators: made from a class of the knowledge tables, a pipeline function or a model
//! loader; what their methods do (fit, transform, predict and score events); composites and
//! their members; loaded models called on data.

use super::{Args, Builder, span};
use crate::ml::{self, Category};
use crate::model::{
    Estimator, Event, FitMethod, Kind, Load, PredictMethod, UNKNOWN, ValueId, rows,
};
use tree_sitter::Node;

impl Builder<'_> {
    /// A call of an estimator class from the knowledge tables, of a pipeline function
    /// (`make_pipeline`) or of a model loader: the estimator it makes. None for other functions.
    pub(super) fn estimator_call(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        if let Some(info) = ml::class_info(qualified) {
            let seeded = self.seeded(info.randomness, args);
            let stateful_steps = (info.category == Category::Composite)
                .then(|| self.stateful_steps(args))
                .flatten();
            let category =
                ml::category_with(qualified, info.category, |k| args.keyword(k).is_some());
            let estimator = Estimator {
                class: qualified.to_string(),
                category,
                seeded,
                stateful_steps,
                shuffled: args
                    .keyword("shuffle")
                    .is_some_and(|(_, n)| self.text(n) == "True"),
            };
            // Made from the hyperparameters spread into it (`Model(**study.best_params)`), so
            // what was chosen reaches the model built from it; its other arguments are
            // settings, not inputs.
            let value = self.new_value(Kind::Estimator(estimator), args.spread.clone(), span(node));
            self.note_estimator(qualified, args, value);
            self.note_bare_estimator(qualified, args, value);
            if info.category == Category::Composite {
                self.record_column_selection(qualified, args, value);
                self.record_members(args, value);
                self.note_seeding_grid(args, value);
            }
            if seeded == Some(false) {
                self.note_unseeded(qualified.to_string(), value, node);
            }
            return Some(value);
        }
        if is_pipeline_function(qualified) {
            let estimator = Estimator {
                class: qualified.to_string(),
                category: Category::Composite,
                seeded: None,
                stateful_steps: self.stateful_steps(args),
                shuffled: false,
            };
            let value = self.new_value(Kind::Estimator(estimator), Vec::new(), span(node));
            self.record_column_selection(qualified, args, value);
            self.record_members(args, value);
            return Some(value);
        }
        if ml::is_model_loader(qualified) {
            let estimator = Estimator {
                class: qualified.to_string(),
                category: Category::Loaded,
                seeded: None,
                stateful_steps: None,
                shuffled: false,
            };
            let value = self.new_value(Kind::Estimator(estimator), args.all_values(), span(node));
            self.record_load(qualified, value, args, node);
            return Some(value);
        }
        None
    }

    /// A method of an estimator: fits, transforms, predictions and scores record their events;
    /// a splitter's `split` makes folds.
    pub(super) fn estimator_method(
        &mut self,
        receiver: ValueId,
        estimator: Estimator,
        method: &str,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let fit = self.fit_inputs(args);
        let (x, y) = (fit.x, fit.y);
        if fit.reconstructs && !self.model.autoencoders.contains(&receiver) {
            self.model.autoencoders.push(receiver);
        }
        let loaded = estimator.category == Category::Loaded;
        // The names the knowledge tables call predictions (for a loaded model, also its
        // output methods such as `encode`).
        let predicts = (ml::is_predict_method(method)
            || (loaded && ml::is_loaded_model_output_method(method)))
        .then(|| PredictMethod::from_name(method))
        .flatten();
        match method {
            "fit" => self.fit(receiver, &estimator, FitMethod::Fit, fit, node),
            "partial_fit" => self.fit(receiver, &estimator, FitMethod::PartialFit, fit, node),
            "adapt" => self.fit(receiver, &estimator, FitMethod::Adapt, fit, node),
            "fit_on_texts" => self.fit(receiver, &estimator, FitMethod::FitOnTexts, fit, node),
            "fit_transform" => {
                self.fit_and_apply(receiver, &estimator, FitMethod::FitTransform, fit, node)
            }
            "fit_resample" => {
                self.fit_and_apply(receiver, &estimator, FitMethod::FitResample, fit, node)
            }
            "fit_predict" => {
                self.fit_and_apply(receiver, &estimator, FitMethod::FitPredict, fit, node)
            }
            "fit_sample" => {
                self.fit_and_apply(receiver, &estimator, FitMethod::FitSample, fit, node)
            }
            "transform" | "inverse_transform" => self.transform(receiver, x, node),
            "score" => self.score(receiver, PredictMethod::Score, args, x, y, node),
            "evaluate" => self.score(receiver, PredictMethod::Evaluate, args, x, y, node),
            "set_params" => self.set_params(receiver, args),
            "split" if estimator.category == Category::Splitter => {
                self.folds(&estimator, args, node)
            }
            _ => match predicts {
                Some(method) => self.predict(receiver, &estimator, method, x, node),
                // `model.to(device)`, `model.eval()`: the same loaded model.
                None if loaded && ml::returns_same_module(method) => receiver,
                None => {
                    let mut inputs = args.all_values();
                    inputs.insert(0, receiver);
                    self.derived(inputs, node)
                }
            },
        }
    }

    /// The data a fit reads: `X` and `y` (none when `y` is `X` itself, the same value or the
    /// same expression written twice: an autoencoder learns to reproduce its input, with no
    /// label), the text of `X`, and the keywords.
    fn fit_inputs(&self, args: &Args) -> FitInputs {
        let x = args.get(0, &["X", "x"]);
        let y = args.get(1, &["y", "Y"]);
        let x_text = x.map_or(String::new(), |(_, n)| self.text(n).to_string());
        let x = x.map(|(v, _)| v);
        let folded = |text: &str| text.split_whitespace().collect::<String>();
        let reconstructs = y.is_some_and(|(v, node)| {
            v != UNKNOWN
                && (Some(v) == x
                    || (!x_text.is_empty() && folded(self.text(node)) == folded(&x_text)))
        });
        let y = y.filter(|_| !reconstructs).map(|(v, _)| v);
        let keywords: Vec<(String, ValueId)> = args
            .keywords
            .iter()
            .map(|(k, v, _)| (k.clone(), *v))
            .collect();
        FitInputs {
            x,
            y,
            x_text,
            keywords,
            reconstructs,
        }
    }

    /// `fit`, `partial_fit`, `adapt`, `fit_on_texts`: a Fit event. scikit-learn's fit returns
    /// the estimator; Keras returns a History.
    fn fit(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        method: FitMethod,
        fit: FitInputs,
        node: Node,
    ) -> ValueId {
        self.push_fit(receiver, method, fit, None, node);
        if estimator.class.starts_with("sklearn")
            || estimator.class.starts_with("imblearn")
            || estimator.class.starts_with("xgboost")
            || estimator.class.starts_with("lightgbm")
            || estimator.class.starts_with("catboost")
            || estimator.class.starts_with("category_encoders")
        {
            receiver
        } else {
            self.derived(Vec::new(), node)
        }
    }

    /// Records the Fit event of `receiver` on the inputs `fit` read; its index.
    fn push_fit(
        &mut self,
        receiver: ValueId,
        method: FitMethod,
        fit: FitInputs,
        output: Option<ValueId>,
        node: Node,
    ) -> usize {
        let scope = self.scope();
        self.push_event(Event::Fit {
            estimator: receiver,
            x: fit.x,
            y: fit.y,
            output,
            method,
            x_text: fit.x_text,
            keywords: fit.keywords,
            span: span(node),
            scope,
        })
    }

    /// `fit_transform`, `fit_resample`, `fit_predict`: a Fit event whose output is the
    /// transformed data (also a Transform event), the resampled pair, or predictions.
    fn fit_and_apply(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        method: FitMethod,
        fit: FitInputs,
        node: Node,
    ) -> ValueId {
        let scope = self.scope();
        let input = fit.x.unwrap_or(UNKNOWN);
        let output = match method {
            FitMethod::FitResample | FitMethod::FitSample => {
                self.resampled(receiver, estimator, input, fit.y, node)
            }
            FitMethod::FitPredict => self.new_value(
                Kind::Output {
                    estimator: receiver,
                    method: PredictMethod::FitPredict,
                },
                vec![input, receiver],
                span(node),
            ),
            _ => self.derived(vec![input, receiver], node),
        };
        let event = self.push_fit(receiver, method, fit, Some(output), node);
        if method == FitMethod::FitTransform {
            self.model.events.push(Event::Transform {
                estimator: receiver,
                input,
                output,
                span: span(node),
                scope,
            });
        }
        if method == FitMethod::FitPredict {
            self.model_output_fact(receiver, estimator, output, input, event, node);
        }
        output
    }

    /// The `(X, y)` pair a resampler returns: the input's columns; repeated rows when the
    /// resampler over-samples (it copies rows or interpolates new ones from them;
    /// under-samplers only remove rows).
    fn resampled(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        input: ValueId,
        y: Option<ValueId>,
        node: Node,
    ) -> ValueId {
        let xr = self.derived(vec![input, receiver], node);
        let yr = self.derived(vec![y.unwrap_or(UNKNOWN), receiver], node);
        let duplicates = ml::duplicates_rows(&estimator.class);
        for part in [xr, yr] {
            let columns = self.model.values[input].columns.clone();
            let value = &mut self.model.values[part];
            if duplicates {
                value.rows |= rows::RESAMPLED;
            }
            value.columns = columns;
        }
        self.new_value(Kind::Tuple(vec![xr, yr]), vec![xr, yr], span(node))
    }

    /// `transform`, `inverse_transform`: a Transform event.
    fn transform(&mut self, receiver: ValueId, x: Option<ValueId>, node: Node) -> ValueId {
        let scope = self.scope();
        let input = x.unwrap_or(UNKNOWN);
        let output = self.derived(vec![input, receiver], node);
        self.model.events.push(Event::Transform {
            estimator: receiver,
            input,
            output,
            span: span(node),
            scope,
        });
        output
    }

    /// `score`, `evaluate`: a Predict event with the truth; the score is one number, not
    /// predictions.
    fn score(
        &mut self,
        receiver: ValueId,
        method: PredictMethod,
        args: &Args,
        x: Option<ValueId>,
        y: Option<ValueId>,
        node: Node,
    ) -> ValueId {
        let scope = self.scope();
        let output = self.derived(args.all_values(), node);
        self.forget_predictions(output);
        self.model.events.push(Event::Predict {
            estimator: receiver,
            input: x.unwrap_or(UNKNOWN),
            truth: y,
            output,
            method,
            span: span(node),
            scope,
        });
        output
    }

    /// `set_params(random_state=...)` seeds the estimator.
    fn set_params(&mut self, receiver: ValueId, args: &Args) -> ValueId {
        self.note_params_set(receiver);
        if args.keyword("random_state").is_some() || args.splat {
            let value = &mut self.model.values[receiver].kind;
            if let Kind::Estimator(est) = value {
                est.seeded = est.seeded.map(|_| true);
            }
        }
        receiver
    }

    /// `predict`, `predict_proba`, ... (and the output methods of a loaded model): model
    /// output and a Predict event.
    fn predict(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        method: PredictMethod,
        x: Option<ValueId>,
        node: Node,
    ) -> ValueId {
        let scope = self.scope();
        let input = x.unwrap_or(UNKNOWN);
        let output = self.new_value(
            Kind::Output {
                estimator: receiver,
                method: method.output(),
            },
            vec![input, receiver],
            span(node),
        );
        let event = self.push_event(Event::Predict {
            estimator: receiver,
            input,
            truth: None,
            output,
            method,
            span: span(node),
            scope,
        });
        self.model_output_fact(receiver, estimator, output, input, event, node);
        output
    }

    /// The category of the stateful transformers among a composite's steps (its arguments,
    /// the step lists and tuples in them, the steps of nested composites): the one that
    /// learns the most, supervised over statistics over the set of values seen.
    pub(super) fn stateful_steps(&self, args: &Args) -> Option<Category> {
        let rank = |c: Category| match c {
            Category::SupervisedTransformer => 2,
            Category::Transformer => 1,
            _ => 0,
        };
        let mut found: Option<Category> = None;
        let mut stack = args.all_values();
        // Tuples only hold older values, so this ends; the budget bounds shared sub-lists.
        let mut budget = 1000;
        while let Some(id) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let category = match self.kind(id) {
                Kind::Tuple(elements) => {
                    stack.extend(elements.iter().copied());
                    continue;
                }
                Kind::Estimator(step) if step.category.is_stateful_transformer() => step.category,
                Kind::Estimator(step) => match step.stateful_steps {
                    Some(category) => category,
                    None => continue,
                },
                _ => continue,
            };
            if category == Category::SupervisedTransformer {
                return Some(category);
            }
            if found.is_none_or(|f| rank(category) > rank(f)) {
                found = Some(category);
            }
        }
        found
    }

    /// Records the estimators among a composite's arguments, through lists and tuples of
    /// steps (`Pipeline([("scale", s), ("model", m)])`, `VotingClassifier(estimators=[...])`).
    pub(super) fn record_members(&mut self, args: &Args, composite: ValueId) {
        let mut members = Vec::new();
        let mut stack = args.all_values();
        stack.reverse();
        let mut budget = 1000;
        while let Some(id) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            match self.kind(id) {
                Kind::Tuple(elements) => stack.extend(elements.iter().rev().copied()),
                Kind::Estimator(_) => members.push(id),
                _ => {}
            }
        }
        if !members.is_empty() {
            self.model.composite_members.push((composite, members));
        }
    }

    /// Records a model load with the reference it was loaded from (for CHAIN002).
    pub(super) fn record_load(&mut self, qualified: &str, value: ValueId, args: &Args, node: Node) {
        let reference = if qualified.ends_with("transformers.pipeline") {
            args.keyword("model")
        } else {
            args.get(
                0,
                &[
                    "model_uri",
                    "pretrained_model_name_or_path",
                    "model_name_or_path",
                    "filepath",
                    "path",
                    "handle",
                    "f",
                    "filename",
                    "path_or_bytes",
                ],
            )
        };
        let text_node = reference
            .map(|(_, n)| n)
            .or_else(|| args.get(0, &["task"]).map(|(_, n)| n));
        let text = text_node.map_or(String::new(), |n| self.text(n).to_string());
        self.note_load(qualified, value, reference.map(|(_, n)| n), node);
        self.model.chain.loads.push(Load {
            value,
            function: qualified.to_string(),
            reference: reference.map(|(v, _)| v),
            text,
            revision: args.keyword("revision").map(|(v, _)| v),
            span: span(node),
        });
    }

    /// A call of a loaded model (`encoder(batch)`): its output, as a `__call__` prediction.
    pub(super) fn loaded_call(
        &mut self,
        receiver: ValueId,
        estimator: &Estimator,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let input = args
            .positional
            .first()
            .map(|(v, _)| *v)
            .or_else(|| args.keywords.first().map(|(_, v, _)| *v))
            .unwrap_or(UNKNOWN);
        let output = self.new_value(
            Kind::Output {
                estimator: receiver,
                method: PredictMethod::Call,
            },
            args.all_values(),
            span(node),
        );
        let scope = self.scope();
        let event = self.push_event(Event::Predict {
            estimator: receiver,
            input,
            truth: None,
            output,
            method: PredictMethod::Call,
            span: span(node),
            scope,
        });
        self.model_output_fact(receiver, estimator, output, input, event, node);
        output
    }
}

pub(super) fn is_pipeline_function(qualified: &str) -> bool {
    qualified.ends_with(".make_pipeline")
        || qualified.ends_with(".make_column_transformer")
        || qualified.ends_with(".make_union")
}

/// What a fit reads from its arguments.
struct FitInputs {
    x: Option<ValueId>,
    y: Option<ValueId>,
    x_text: String,
    keywords: Vec<(String, ValueId)>,
    /// The target given is the input itself: the model learns to reconstruct it.
    reconstructs: bool,
}

impl Builder<'_> {
    /// A hyperparameter search whose grid sets the seed (`{"random_state": [0]}`,
    /// `{"model__random_state": [0]}`) or puts seeded estimators in place of a step
    /// (`{"clf": [RandomForestClassifier(random_state=19), LogisticRegression()]}`): the
    /// estimators it wraps are seeded by it ([`crate::model::FileModel::seeded_by_search`]).
    fn note_seeding_grid(&mut self, args: &Args, search: ValueId) {
        let Some(grid) = args
            .get(1, &["param_grid", "param_distributions", "search_spaces"])
            .map(|(v, _)| v)
        else {
            return;
        };
        let grids = match self.kind(grid).clone() {
            Kind::Tuple(elements) => elements,
            _ => vec![grid],
        };
        let seeds = grids.iter().any(|&g| match self.kind(g) {
            Kind::Dict(entries) => entries.iter().any(|(key, value)| {
                key == "random_state"
                    || key.ends_with("__random_state")
                    || matches!(self.kind(*value), Kind::Tuple(options)
                        if options.iter().any(|&o| matches!(self.kind(o), Kind::Estimator(_))))
            }),
            _ => false,
        });
        if seeds {
            self.model.seeding_searches.push(search);
        }
    }
}
