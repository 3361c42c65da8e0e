//! Library misuse facts (build/misuse.rs): which values are known pandas objects and which
//! hold probabilities, and the call shapes the API rules report (a module's `forward` called
//! directly, NaN compared with `==`, chained indexing assigned to, a new frame thrown away,
//! a merge on implicit keys, the log of a probability, softmax fed to a cross-entropy loss).

use super::{FileModel, Kind, ValueId};
use crate::finding::Span;
use std::collections::{HashMap, HashSet};

/// A pandas object the model knows a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pandas {
    Frame,
    Series,
}

/// What made a value a probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `softmax` (function, method or `nn.Softmax`, or a model ending in one).
    Softmax,
    /// `sigmoid` / `expit`.
    Sigmoid,
    /// An estimator's `predict_proba`.
    PredictProba,
}

impl Activation {
    pub fn as_str(self) -> &'static str {
        match self {
            Activation::Softmax => "softmax",
            Activation::Sigmoid => "sigmoid",
            Activation::PredictProba => "predict_proba",
        }
    }
}

/// A value that holds probabilities, and where they were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probability {
    pub activation: Activation,
    pub span: Span,
}

/// `module.forward(x)` on a known `nn.Module`.
#[derive(Debug, Clone)]
pub struct ForwardCall {
    pub span: Span,
    /// The module as written (`model`).
    pub name: Span,
    pub class: String,
}

/// `x == np.nan` and the like: a comparison that is always false (or always true for `!=`).
#[derive(Debug, Clone)]
pub struct NanComparison {
    pub span: Span,
    pub op: String,
    /// The missing-value marker (`np.nan`, `float("nan")`, `None`).
    pub marker: Span,
    /// The other operand.
    pub other: Span,
}

/// An assignment through two indexing steps on a known pandas object (`df[a][b] = v`).
#[derive(Debug, Clone)]
pub struct ChainedAssignment {
    pub span: Span,
    /// The frame as written (`df`).
    pub frame: String,
}

/// An expression statement whose call returns a new object that nothing keeps.
#[derive(Debug, Clone)]
pub struct Discarded {
    /// The call.
    pub span: Span,
    /// `dropna`, or `np.clip` for a function.
    pub method: String,
    /// The receiver (`df`), or the first argument of a function.
    pub receiver: Span,
    /// The statement is at the top level of the module (a notebook shows its value when it
    /// ends a cell).
    pub top_level: bool,
}

/// `pd.merge(a, b)` / `a.merge(b)` without join keys.
#[derive(Debug, Clone)]
pub struct ImplicitMerge {
    pub span: Span,
    pub output: ValueId,
}

/// `np.log(p)` where `p` is a probability straight from softmax, sigmoid or predict_proba.
#[derive(Debug, Clone)]
pub struct UnclippedLog {
    pub span: Span,
    /// The log function as written (`np.log`, `torch.log`, `.log()`).
    pub function: String,
    pub source: Probability,
}

/// A softmax output given to a loss that applies log-softmax itself.
#[derive(Debug, Clone)]
pub struct SoftmaxLoss {
    pub span: Span,
    /// The loss as written (`criterion`, `F.cross_entropy`).
    pub loss: String,
    /// Where the softmax was applied.
    pub softmax: Span,
}

/// What the API misuse rules read.
#[derive(Debug, Default)]
pub struct Misuse {
    /// Values known to be pandas objects (a column read from a known frame is a series too:
    /// see [`FileModel::pandas`]).
    pub pandas: HashMap<ValueId, Pandas>,
    pub probabilities: HashMap<ValueId, Probability>,
    /// Modules whose output is a softmax (`nn.Sequential(..., nn.Softmax(dim=1))`).
    pub softmax_modules: HashSet<ValueId>,
    pub forward_calls: Vec<ForwardCall>,
    pub nan_comparisons: Vec<NanComparison>,
    pub chained_assignments: Vec<ChainedAssignment>,
    pub discarded: Vec<Discarded>,
    pub implicit_merges: Vec<ImplicitMerge>,
    pub unclipped_logs: Vec<UnclippedLog>,
    pub softmax_losses: Vec<SoftmaxLoss>,
}

impl FileModel {
    /// The pandas object `id` is known to be: recorded, or a column read from a known frame.
    pub fn pandas(&self, id: ValueId) -> Option<Pandas> {
        if let Some(&known) = self.misuse.pandas.get(&id) {
            return Some(known);
        }
        let value = self.values.get(id.index())?;
        match value.kind {
            Kind::Column { .. } => {
                let frame = *value.inputs.first()?;
                (self.misuse.pandas.get(&frame) == Some(&Pandas::Frame)).then_some(Pandas::Series)
            }
            _ => None,
        }
    }

    /// The probabilities `id` holds, if it is one (a softmax, a sigmoid, a `predict_proba`
    /// output or a slice of one).
    pub fn probability(&self, id: ValueId) -> Option<Probability> {
        if let Some(&known) = self.misuse.probabilities.get(&id) {
            return Some(known);
        }
        match self.values.get(id.index())?.kind {
            Kind::Output {
                method: super::PredictMethod::PredictProba,
                ..
            } => Some(Probability {
                activation: Activation::PredictProba,
                span: self.values[id].span,
            }),
            _ => None,
        }
    }
}
