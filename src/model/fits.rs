//! What a model learning from labelled rows is: one definition of a supervised fit that every
//! rule family reads, narrowing it to the fits it is about.

use super::{Event, FileModel, FitMethod, UNKNOWN, ValueId};
use crate::finding::Span;
use crate::ml::Category;

/// How a model learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    /// `model.fit(X, y)`.
    Fit,
    /// `model.partial_fit(X, y)`.
    PartialFit,
    /// `model.fit_predict(X, y)`.
    FitPredict,
    /// A library's training function (`lightgbm.train`, `xgboost.train`).
    Train,
    /// A cross-validation call (`cross_val_score`, `cross_validate`, ...), which fits and
    /// evaluates on folds of the same rows; `predicts` for `cross_val_predict`.
    CrossVal { predicts: bool },
}

/// A model (a predictive model, a composite such as a pipeline or a search, or a loaded model
/// refitted) learning from features, with the label it was given.
#[derive(Debug, Clone, Copy)]
pub struct ModelFit<'m> {
    /// The Fit or CrossVal event.
    pub event: usize,
    pub estimator: ValueId,
    pub category: Category,
    pub x: ValueId,
    /// The label; `UNKNOWN` when none was given or it cannot be followed.
    pub y: ValueId,
    /// A label argument was given (it may still be unknown).
    pub labelled: bool,
    /// The features as written, when known.
    pub x_text: Option<&'m str>,
    pub span: Span,
    pub learned: Learned,
}

impl Learned {
    /// How a model learns through a Fit event's method; None for the methods that only
    /// transform or resample (`fit_transform`, `adapt`, `fit_resample`, ...).
    pub fn from_fit(method: FitMethod) -> Option<Self> {
        match method {
            FitMethod::Fit => Some(Self::Fit),
            FitMethod::PartialFit => Some(Self::PartialFit),
            FitMethod::FitPredict => Some(Self::FitPredict),
            FitMethod::Train => Some(Self::Train),
            FitMethod::Adapt
            | FitMethod::FitOnTexts
            | FitMethod::FitTransform
            | FitMethod::FitResample
            | FitMethod::FitSample => None,
        }
    }
}

impl ModelFit<'_> {
    /// A cross-validation: fitted and evaluated on folds of `x`.
    pub fn cross_val(&self) -> bool {
        matches!(self.learned, Learned::CrossVal { .. })
    }
}

impl FileModel {
    /// Every fit of a model on features, in event order: `fit`, `partial_fit`, `fit_predict`
    /// and a library's `train` of a model, a composite or a loaded model, and
    /// cross-validation calls. Transformer fits are not model fits. Rule families narrow this
    /// one list (a label given, which ways of learning, which categories) instead of
    /// defining their own.
    pub fn model_fits(&self) -> Vec<ModelFit<'_>> {
        let mut fits = Vec::new();
        for (index, event) in self.events.iter().enumerate() {
            let fit = match event {
                Event::Fit {
                    estimator,
                    x: Some(x),
                    y,
                    method,
                    x_text,
                    span,
                    ..
                } => {
                    let Some(learned) = Learned::from_fit(*method) else {
                        continue;
                    };
                    let Some(category) = self.estimator(*estimator).map(|e| e.category) else {
                        continue;
                    };
                    if !matches!(
                        category,
                        Category::Model | Category::Composite | Category::Loaded
                    ) {
                        continue;
                    }
                    ModelFit {
                        event: index,
                        estimator: *estimator,
                        category,
                        x: *x,
                        y: y.unwrap_or(UNKNOWN),
                        labelled: y.is_some(),
                        x_text: Some(x_text.as_str()),
                        span: *span,
                        learned,
                    }
                }
                Event::CrossVal {
                    estimator,
                    x: Some(x),
                    y,
                    function,
                    x_text,
                    span,
                    ..
                } => {
                    let Some(category) = self.estimator(*estimator).map(|e| e.category) else {
                        continue;
                    };
                    ModelFit {
                        event: index,
                        estimator: *estimator,
                        category,
                        x: *x,
                        y: y.unwrap_or(UNKNOWN),
                        labelled: y.is_some(),
                        x_text: x_text.as_deref(),
                        span: *span,
                        learned: Learned::CrossVal {
                            predicts: function.ends_with("cross_val_predict"),
                        },
                    }
                }
                _ => continue,
            };
            fits.push(fit);
        }
        fits
    }
}
