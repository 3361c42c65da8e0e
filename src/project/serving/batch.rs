//! Batch scoring: a job that predicts with a loaded model and writes the results, and the
//! transformers it refits on the rows it scores.

use super::is_identifier;
use crate::ml::Category;
use crate::model::{Event, FitMethod, IoOp, Kind, ValueId};
use crate::project::extract::Extractor;
use crate::project::summary::Place;
use crate::source::python::Syntax;
use std::collections::HashSet;
use tree_sitter::Node;

impl<'a> Extractor<'a> {
    /// A file that loads models, predicts and writes only competition submissions
    /// (`submission.csv`) scores a leaderboard, not production traffic: no batch job.
    pub(in crate::project) fn scoring(&mut self) {
        if self.summary.test
            || !self.summary.trainings.is_empty()
            || !self.summary.entries.is_empty()
            || self.summary.writes.is_empty()
            || self.trains_here()
            || self
                .summary
                .writes
                .iter()
                .all(|w| w.path.as_deref().is_some_and(is_submission_file))
        {
            return;
        }
        // Predictions that reach a metric evaluate the model; only the others score (S5).
        let evaluated = self.model.reaches_metric();
        let checkpoints = self.own_checkpoints();
        let mut places = Vec::new();
        for event in &self.model.events {
            if let Event::Predict {
                estimator,
                span,
                output,
                ..
            } = event
                && matches!(&self.model.values[*estimator].kind, Kind::Estimator(e) if e.category == Category::Loaded)
                && !evaluated.get(output.index()).copied().unwrap_or(false)
                && !checkpoints.contains(estimator)
            {
                places.push(self.place(*span));
            }
        }
        places.dedup_by_key(|p| p.span.start);
        if !places.is_empty() {
            self.summary.scoring_fits = self.fits_on_scored_data();
        }
        self.summary.scoring = places;
    }

    /// Whether the file trains something the model does not know as a training: a
    /// PyTorch loop (`loss.backward()`, `optimizer.step()`), or an object it cannot follow
    /// fitted with a label (`net.fit(X, y, epochs=10)` of a network a helper builds). Such
    /// a file is training code even when it also predicts with a loaded model.
    fn trains_here(&self) -> bool {
        if self
            .model
            .events
            .iter()
            .any(|e| matches!(e, Event::Backward { .. } | Event::OptimizerStep { .. }))
        {
            return true;
        }
        let fits: HashSet<usize> = self
            .model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Fit { span, .. } => Some(span.start),
                _ => None,
            })
            .collect();
        self.nodes().iter().any(|node| {
            if node.kind_name() != "call" || fits.contains(&node.start_byte()) {
                return false;
            }
            let Some(function) = node.field("function") else {
                return false;
            };
            if function.kind_name() != "attribute"
                || !function
                    .field("attribute")
                    .is_some_and(|a| matches!(self.text(a), "fit" | "fit_generator"))
            {
                return false;
            }
            let Some(arguments) = node.field("arguments") else {
                return false;
            };
            let mut cursor = arguments.walk();
            let args: Vec<Node> = arguments.named_children(&mut cursor).collect();
            let positional = args
                .iter()
                .filter(|a| a.kind_name() != "keyword_argument")
                .count();
            let labelled = args.iter().any(|a| {
                a.kind_name() == "keyword_argument"
                    && a.field("name").is_some_and(|n| {
                        matches!(
                            self.text(n),
                            "y" | "epochs" | "validation_data" | "callbacks"
                        )
                    })
            });
            positional >= 2 || labelled
        })
    }

    /// Models the file loads from an artifact it also saves: a training script or notebook
    /// reloading its own checkpoint (to evaluate it, or to continue training), not a job
    /// that scores a model trained elsewhere.
    fn own_checkpoints(&self) -> HashSet<ValueId> {
        let saved: Vec<&str> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Save)
            .filter_map(|io| io.path.as_deref())
            .collect();
        self.model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Load)
            .filter(|io| {
                io.path.as_deref().is_some_and(|p| {
                    saved
                        .iter()
                        .any(|s| crate::project::index::paths_match(s, p))
                })
            })
            .map(|io| io.value)
            .collect()
    }

    /// Whether a fit learns from training data rather than from the rows a job scores: a
    /// label is given to it, or its data is a split's training or validation part, a
    /// variable named for training data (`X_train`, `train_df[cols]`), or was read from a
    /// file named as training data (`train.csv`, `training_table.parquet`).
    pub(super) fn fits_training_data(&self, x: ValueId, y: Option<ValueId>, x_text: &str) -> bool {
        use crate::model::rows;
        if y.is_some() {
            return true;
        }
        let variable = x_text
            .split(['[', '(', '.'])
            .next()
            .unwrap_or(x_text)
            .trim();
        if is_identifier(variable) && names_training_data(variable) {
            return true;
        }
        let parts = self.model.rows(x) & rows::PARTS;
        if parts != 0 && parts & (rows::FULL | rows::TEST) == 0 {
            return true;
        }
        let training_reads: HashSet<ValueId> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Read)
            .filter(|io| io.path.as_deref().is_some_and(names_training_data))
            .map(|io| io.value)
            .collect();
        !training_reads.is_empty() && self.model.derives_from(x, |v| training_reads.contains(&v))
    }

    /// Transformers fitted on data that a loaded model then predicts on: the job refits
    /// its preprocessing on each batch it scores. A fit on training data is not one (the
    /// job may also score the rows it learned from).
    fn fits_on_scored_data(&self) -> Vec<(FitMethod, String, Place)> {
        let predicted: Vec<crate::model::ValueId> = self
            .model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Predict {
                    estimator, input, ..
                } if matches!(&self.model.values[*estimator].kind, Kind::Estimator(e) if e.category == Category::Loaded) => {
                    Some(*input)
                }
                _ => None,
            })
            .collect();
        let mut out: Vec<(FitMethod, String, Place)> = Vec::new();
        for event in &self.model.events {
            let Event::Fit {
                estimator,
                x: Some(x),
                y,
                method,
                span,
                x_text,
                ..
            } = event
            else {
                continue;
            };
            let Some(est) = self.model.estimator(*estimator) else {
                continue;
            };
            if self.fits_training_data(*x, *y, x_text) {
                continue;
            }
            let stateful = est.category.is_stateful_transformer()
                || est.category == Category::Composite && est.stateful_steps.is_some();
            if !stateful {
                continue;
            }
            if !matches!(
                method,
                FitMethod::Fit | FitMethod::FitTransform | FitMethod::PartialFit
            ) {
                continue;
            }
            if predicted.iter().any(|&p| self.data_derives(p, *x)) {
                let place = self.place(*span);
                if !out.iter().any(|(_, _, p)| p.span == place.span) {
                    out.push((*method, est.short_name().to_string(), place));
                }
            }
        }
        out
    }

    /// Whether `id` was computed from the data `from`, not counting what reaches it through
    /// an estimator (a transformer fitted on other data and applied to `id`).
    fn data_derives(&self, id: crate::model::ValueId, from: crate::model::ValueId) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if current.index() >= self.model.values.len() || !seen.insert(current) {
                continue;
            }
            if current == from {
                return true;
            }
            if matches!(self.model.values[current].kind, Kind::Estimator(_)) {
                continue;
            }
            stack.extend(self.model.values[current].inputs.iter().copied());
        }
        false
    }
}

/// Whether a data path's file name says it holds training data: a word `train`, `training`,
/// `trainset` or `labelled` in it (`data/train.csv`, `training_table.parquet`), not a word that
/// merely contains those letters (`trainee.csv`).
fn names_training_data(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "train" | "training" | "trainset" | "traindata" | "labelled" | "labeled"
            )
        })
}

/// A competition submission file (`submission.csv`, `sub_lgbm.csv`, `sample_submission.csv`).
fn is_submission_file(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    name.contains("submission") || name.starts_with("sub_") || name.starts_with("sub.")
}

#[cfg(test)]
mod tests {
    use super::super::testing::summary_of;

    #[test]
    fn training_data_is_named_by_words_of_the_file_name() {
        use super::names_training_data;
        assert!(names_training_data("data/train.csv"));
        assert!(names_training_data("../input/training_table.parquet"));
        assert!(names_training_data("X-train.npy"));
        assert!(names_training_data("X_train"));
        assert!(names_training_data("train_df"));
        assert!(!names_training_data("X_batch"));
        assert!(!names_training_data("data/trainee_hours.csv"));
        assert!(!names_training_data("data/tonight.parquet"));
        assert!(!names_training_data("data/unlabelled.csv"));
    }

    #[test]
    fn a_competition_submission_is_not_a_scoring_job() {
        let job = "import joblib\nimport pandas as pd\n\
                   rows = pd.read_csv('test.csv')\n\
                   models = [joblib.load(f'fold{i}.pkl') for i in range(5)]\n\
                   model = joblib.load('fold0.pkl')\n\
                   rows['target'] = model.predict(rows[['a']])\n";
        let submission = format!("{job}rows[['id', 'target']].to_csv('submission.csv')\n");
        assert!(summary_of("predict.py", &submission).scoring.is_empty());
        let named = format!("{job}rows.to_csv(f'output/sub_{{42}}.csv')\n");
        assert!(summary_of("predict.py", &named).scoring.is_empty());
        let scores = format!("{job}rows.to_csv('scores/today.csv')\n");
        assert!(!summary_of("predict.py", &scores).scoring.is_empty());
        assert!(super::is_submission_file("../output/sample_submission.csv"));
        assert!(!super::is_submission_file("data/subscribers.csv"));
    }

    #[test]
    fn a_file_that_reloads_its_own_checkpoint_is_not_a_scoring_job() {
        let code = "import joblib\nimport pandas as pd\n\
                    rows = pd.read_parquet('h.parquet')\n\
                    model = joblib.load('ckpt/m.joblib')\n\
                    rows['p'] = model.predict(rows[['a']])\nrows.to_csv('out.csv')\n";
        assert!(!summary_of("job.py", code).scoring.is_empty());
        let resumed = format!("{code}joblib.dump(model, 'ckpt/m.joblib')\n");
        assert!(summary_of("job.py", &resumed).scoring.is_empty());
    }
}
