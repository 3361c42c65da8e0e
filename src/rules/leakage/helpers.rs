//! What the leakage rules share: the label of a fit, followed back to the frame columns it was
//! taken from.

use crate::ml::Category;
use crate::model::{FileModel, Kind, Learned, ModelFit, Tag, UNKNOWN, ValueId};
use std::collections::HashSet;

/// How far a walk down a value's ancestry goes before giving up (a label is a few steps
/// from the column it reads).
const ANCESTRY_LIMIT: usize = 256;

/// A column the label is, or a raw column it is a same-row function of.
#[derive(Debug, Clone)]
pub struct Label {
    pub name: String,
    /// The read of the column (`df["churned"]`), for messages.
    pub read: ValueId,
    /// Where the frame's unnamed columns come from, to tell whether an open frame holds it.
    pub root: Option<ValueId>,
    /// True for the column the label reads; false for the one raw column it was computed
    /// from (`is_high_value` made from `revenue_next_90d`).
    pub direct: bool,
}

impl Label {
    /// Whether a statistic of column `column` computed on the rows of `source` is one of this
    /// label: the same column, read from the same table. The same name read from another
    /// entity's rows (`items["price"]` beside the label `sales["price"]`) is not the label;
    /// when either table is unknown, the name decides.
    pub fn is_column_of(&self, model: &FileModel, column: &str, source: ValueId) -> bool {
        column == self.name
            && match (self.root, frame_root(model, source)) {
                (Some(label), Some(other)) => label == other,
                _ => true,
            }
    }
}

/// The labels of a `y`: the column it reads (through split parts and array conversions),
/// and, when it is a same-row function of exactly one raw column (a threshold, an encoding,
/// a log), that column too. Empty when unknown.
pub fn labels(model: &FileModel, y: ValueId) -> Vec<Label> {
    let mut out: Vec<Label> = Vec::new();
    if y == UNKNOWN {
        return out;
    }
    let mut current = y;
    loop {
        let value = model.value(current);
        match &value.kind {
            Kind::Column { name } => {
                out.push(Label {
                    name: name.clone(),
                    read: current,
                    root: frame_root(model, current),
                    direct: true,
                });
                break;
            }
            // Through split parts and same-row conversions (`.values`, `astype`): the input
            // has the same raw columns and facts. A shift clears them and stops here.
            Kind::SplitPart { .. } | Kind::Unknown
                if value.inputs.len() == 1
                    && value.bases == model.value(value.inputs[0]).bases
                    && value.facts == model.value(value.inputs[0]).facts =>
            {
                current = value.inputs[0];
            }
            _ => break,
        }
    }
    let value = model.value(y);
    let same_row = !value.facts.iter().any(|&f| {
        matches!(
            model.fact(f).tag,
            Tag::Future | Tag::Lag | Tag::Agg | Tag::ModelOut | Tag::LoadedOut
        )
    });
    if let [base] = value.bases.as_slice()
        && same_row
        && !out.iter().any(|l| l.name.as_str() == &**base)
        && let Some(read) = column_read_in_ancestry(model, y, base)
    {
        out.push(Label {
            name: base.to_string(),
            read,
            root: frame_root(model, read),
            direct: out.is_empty(),
        });
    }
    out
}

/// Where the unnamed columns of the frame a value was taken from come from: the frame's
/// root, or a function parameter used as a frame (its columns are whatever the caller passes).
/// Follows column reads, split parts and same-row conversions; None when unknown.
pub fn frame_root(model: &FileModel, id: ValueId) -> Option<ValueId> {
    let mut current = id;
    for _ in 0..ANCESTRY_LIMIT {
        if let Some(columns) = model.columns(current) {
            return Some(columns.root);
        }
        let value = model.value(current);
        match &value.kind {
            Kind::Param { .. } => return Some(current),
            // A column read replayed from a function body also lists the body's read first:
            // take the first input that leads to a frame.
            Kind::Column { .. } => {
                return value
                    .inputs
                    .iter()
                    .find_map(|&input| frame_root(model, input));
            }
            Kind::SplitPart { .. } | Kind::Unknown if value.inputs.len() == 1 => {
                current = value.inputs[0];
            }
            _ => return None,
        }
    }
    None
}

/// A read of column `name` among the values `id` derives from.
fn column_read_in_ancestry(model: &FileModel, id: ValueId, name: &str) -> Option<ValueId> {
    let mut seen = HashSet::new();
    let mut stack = vec![id];
    while let Some(current) = stack.pop() {
        if current == UNKNOWN || !seen.insert(current) || seen.len() > ANCESTRY_LIMIT {
            continue;
        }
        let value = model.value(current);
        match &value.kind {
            Kind::Column { name: read } if read == name => return Some(current),
            Kind::Estimator(_) | Kind::Import(_) | Kind::Function(_) => continue,
            _ => stack.extend(value.inputs.iter().copied()),
        }
    }
    None
}

/// A model fitted with a label: a `fit` of a model or composite, or a cross-validation.
pub type SupervisedFit<'m> = ModelFit<'m>;

/// The model fits the leakage rules read: `fit` of a model or composite, or a
/// cross-validation, given a label.
pub fn supervised_fits(model: &FileModel) -> Vec<SupervisedFit<'_>> {
    model
        .model_fits()
        .into_iter()
        .filter(|f| f.labelled)
        .filter(|f| matches!(f.category, Category::Model | Category::Composite))
        .filter(|f| matches!(f.learned, Learned::Fit | Learned::CrossVal { .. }))
        .collect()
}
