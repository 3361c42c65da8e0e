//! The estimator methods the model records, as enums: rules match on these, and the method's
//! Python name (`as_str`) is made only for messages and for finding the call in the source.

use serde::{Deserialize, Serialize};

/// How an estimator was fitted (the method of a Fit event). Serialized by its Python name, in
/// the project summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitMethod {
    /// `est.fit(X, y)`.
    Fit,
    /// `est.partial_fit(X, y)`.
    PartialFit,
    /// `layer.adapt(data)` (Keras preprocessing layers).
    Adapt,
    /// `tokenizer.fit_on_texts(texts)` (Keras).
    FitOnTexts,
    /// `est.fit_transform(X)`: also a Transform of the same data.
    FitTransform,
    /// `sampler.fit_resample(X, y)` (imbalanced-learn).
    FitResample,
    /// `sampler.fit_sample(X, y)` (older imbalanced-learn).
    FitSample,
    /// `est.fit_predict(X)`: also predictions on the same data.
    FitPredict,
    /// A library's training function (`lightgbm.train`, `xgboost.train`).
    Train,
}

impl FitMethod {
    /// The fit method called `name`, if it is one the builder records.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "fit" => Self::Fit,
            "partial_fit" => Self::PartialFit,
            "adapt" => Self::Adapt,
            "fit_on_texts" => Self::FitOnTexts,
            "fit_transform" => Self::FitTransform,
            "fit_resample" => Self::FitResample,
            "fit_sample" => Self::FitSample,
            "fit_predict" => Self::FitPredict,
            "train" => Self::Train,
            _ => return None,
        })
    }

    /// The method's Python name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fit => "fit",
            Self::PartialFit => "partial_fit",
            Self::Adapt => "adapt",
            Self::FitOnTexts => "fit_on_texts",
            Self::FitTransform => "fit_transform",
            Self::FitResample => "fit_resample",
            Self::FitSample => "fit_sample",
            Self::FitPredict => "fit_predict",
            Self::Train => "train",
        }
    }

    /// `fit_resample` or `fit_sample`: the output is the resampled `(X, y)`.
    pub fn resamples(self) -> bool {
        matches!(self, Self::FitResample | Self::FitSample)
    }
}

/// How a model's output was produced: the method of a Predict event, or of an Output value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredictMethod {
    Predict,
    PredictProba,
    PredictLogProba,
    DecisionFunction,
    ScoreSamples,
    FitPredict,
    PredictOnBatch,
    /// `forest.apply(X)`: the leaf of each row.
    Apply,
    Kneighbors,
    /// `encoder.encode(texts)` (a loaded model).
    Encode,
    /// `model.embed(...)`, `embed_documents`, `embed_query` (a loaded model).
    Embed,
    EmbedDocuments,
    EmbedQuery,
    /// `model.score(X, y)`: one number comparing predictions with the truth.
    Score,
    /// `model.evaluate(X, y)` (Keras): like `score`.
    Evaluate,
    /// A loaded model called as a function (`encoder(batch)`).
    Call,
    /// `cross_val_predict(model, X, y)`: out-of-fold predictions.
    CrossValPredict,
    /// `kmeans.labels_`: the clusters of the rows it was fitted on.
    Labels,
}

impl PredictMethod {
    /// The output method called `name`, if it is one the builder records.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "predict" => Self::Predict,
            "predict_proba" => Self::PredictProba,
            "predict_log_proba" => Self::PredictLogProba,
            "decision_function" => Self::DecisionFunction,
            "score_samples" => Self::ScoreSamples,
            "fit_predict" => Self::FitPredict,
            "predict_on_batch" => Self::PredictOnBatch,
            "apply" => Self::Apply,
            "kneighbors" => Self::Kneighbors,
            "encode" => Self::Encode,
            "embed" => Self::Embed,
            "embed_documents" => Self::EmbedDocuments,
            "embed_query" => Self::EmbedQuery,
            "score" => Self::Score,
            "evaluate" => Self::Evaluate,
            "__call__" => Self::Call,
            "cross_val_predict" => Self::CrossValPredict,
            "labels_" => Self::Labels,
            _ => return None,
        })
    }

    /// The method's Python name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Predict => "predict",
            Self::PredictProba => "predict_proba",
            Self::PredictLogProba => "predict_log_proba",
            Self::DecisionFunction => "decision_function",
            Self::ScoreSamples => "score_samples",
            Self::FitPredict => "fit_predict",
            Self::PredictOnBatch => "predict_on_batch",
            Self::Apply => "apply",
            Self::Kneighbors => "kneighbors",
            Self::Encode => "encode",
            Self::Embed => "embed",
            Self::EmbedDocuments => "embed_documents",
            Self::EmbedQuery => "embed_query",
            Self::Score => "score",
            Self::Evaluate => "evaluate",
            Self::Call => "__call__",
            Self::CrossValPredict => "cross_val_predict",
            Self::Labels => "labels_",
        }
    }

    /// `score` or `evaluate`: the model scored against the truth, not predictions.
    pub fn is_scoring(self) -> bool {
        matches!(self, Self::Score | Self::Evaluate)
    }

    /// The kind of output value the method makes: one of the predict family, as far as the
    /// rules tell them apart (embeddings and plain predictions are both `Predict`).
    pub fn output(self) -> Self {
        match self {
            Self::PredictProba
            | Self::DecisionFunction
            | Self::PredictLogProba
            | Self::ScoreSamples
            | Self::FitPredict
            | Self::PredictOnBatch
            | Self::Apply
            | Self::Kneighbors
            | Self::Encode => self,
            _ => Self::Predict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FitMethod, PredictMethod};

    #[test]
    fn names_round_trip() {
        for name in [
            "fit",
            "partial_fit",
            "adapt",
            "fit_on_texts",
            "fit_transform",
            "fit_resample",
            "fit_sample",
            "fit_predict",
            "train",
        ] {
            assert_eq!(
                FitMethod::from_name(name).map(FitMethod::as_str),
                Some(name)
            );
        }
        for name in [
            "predict",
            "predict_proba",
            "predict_log_proba",
            "decision_function",
            "score_samples",
            "fit_predict",
            "predict_on_batch",
            "apply",
            "kneighbors",
            "encode",
            "embed",
            "embed_documents",
            "embed_query",
            "score",
            "evaluate",
            "__call__",
            "cross_val_predict",
            "labels_",
        ] {
            assert_eq!(
                PredictMethod::from_name(name).map(PredictMethod::as_str),
                Some(name)
            );
        }
    }
}
