//! What the code chooses, and with which data: the names values are bound to, selection
//! constructs (`np.argmax(scores)`, `max(d, key=d.get)`, a best-so-far comparison in a loop,
//! sorting a leaderboard, an optimiser maximising a function's result), and configurations
//! that pick an iteration or a checkpoint by the score on the data they are given (early
//! stopping, `save_best_only`). Recorded by the builder; read by the leakage rules that ask
//! whether a test set was used to choose.

use super::{FileModel, ScopeId, ValueId};
use crate::finding::Span;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// At most this many names are kept per value (aliases beyond that add nothing).
const MAX_NAMES: usize = 4;

/// What the builder recorded about choices in one file.
#[derive(Debug, Default)]
pub struct Choices {
    /// Names bound to each value, in binding order.
    names: HashMap<ValueId, Vec<Rc<str>>>,
    pub selections: Vec<Selection>,
    /// Callbacks and estimators that pick the iteration, epoch or checkpoint with the best
    /// score on their validation data: `EarlyStopping()` (watching `val_*`),
    /// `ModelCheckpoint(save_best_only=True)`, `ReduceLROnPlateau()`, `lgb.early_stopping()`,
    /// `XGBClassifier(early_stopping_rounds=...)`, `CatBoostClassifier(use_best_model=True)`.
    pub stops_early: HashSet<ValueId>,
    /// Estimators told not to (`CatBoostClassifier(use_best_model=False)`).
    pub keeps_last: HashSet<ValueId>,
}

/// One selection construct: the values it chooses among and what it chose.
#[derive(Debug, Clone)]
pub struct Selection {
    /// How it chooses, for messages: "`np.argmax`", "a best-so-far comparison", ...
    pub how: String,
    /// The values compared (a list of scores, the candidate score of a comparison).
    pub over: Vec<ValueId>,
    /// What it chose: the result of `argmax`, the names rebound in a best-so-far branch.
    pub chosen: Vec<ValueId>,
    pub span: Span,
    pub scope: ScopeId,
}

impl Choices {
    pub(crate) fn name(&mut self, value: ValueId, name: &str) {
        let names = self.names.entry(value).or_default();
        if names.len() < MAX_NAMES && !names.iter().any(|n| &**n == name) {
            names.push(Rc::from(name));
        }
    }
}

impl FileModel {
    /// The names a value was bound to (`X_test`, `dtest`), first binding first.
    pub fn names_of(&self, value: ValueId) -> &[Rc<str>] {
        self.choices.names.get(&value).map_or(&[], Vec::as_slice)
    }
}
