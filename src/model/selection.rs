//! Questions about the columns a composite estimator lets through to its model.

use super::{FileModel, ValueId};

/// What a fitted estimator sees of the columns of its `X`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection<'m> {
    /// Every column.
    All,
    /// Only these (a column transformer that drops the remainder).
    Only(&'m [String]),
    /// Some columns, which ones is unknown.
    Unknown,
}

impl FileModel {
    /// The columns `estimator` passes to its model.
    pub fn column_selection(&self, estimator: ValueId) -> Selection<'_> {
        match self.column_selections.iter().find(|(e, _)| *e == estimator) {
            None => Selection::All,
            Some((_, Some(names))) => Selection::Only(names),
            Some((_, None)) => Selection::Unknown,
        }
    }
}
