//! Facts for API014 (scale-sensitive-model-unscaled): which values are provably raw tabular
//! data, as read from a file. A value is raw when it is what `pd.read_csv` (and the other
//! tabular readers) returned, or was made from a raw value only by operations that keep the
//! values as they are: selecting columns or rows (`df[["a", "b"]]`, `df.loc[...]`,
//! `df.iloc[...]`, a mask, the parts of a split), dropping columns or rows, filling gaps,
//! converting (`values`, `to_numpy()`, `astype`). Any other operation (arithmetic, an
//! estimator, an unknown call) makes a value that is not raw, so the rule stays silent.

use super::Builder;
use crate::model::{Kind, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

/// pandas readers of tabular files.
const READERS: &[&str] = &[
    "pandas.read_csv",
    "pandas.read_table",
    "pandas.read_parquet",
    "pandas.read_excel",
    "pandas.read_feather",
];

/// Methods of frames and arrays that keep the values they return.
const KEEPING: &[&str] = &[
    "drop",
    "dropna",
    "fillna",
    "copy",
    "to_numpy",
    "astype",
    "reset_index",
    "drop_duplicates",
    "select_dtypes",
    "head",
    "tail",
];

impl Builder<'_> {
    /// `pd.read_csv(...)` and the other tabular readers.
    pub(super) fn note_raw_read(&mut self, qualified: &str, result: ValueId) {
        if result != UNKNOWN && READERS.contains(&qualified) {
            self.model.raw_data.raw.insert(result);
        }
    }

    /// A method of a raw value that keeps its values.
    pub(super) fn note_raw_method(&mut self, receiver: ValueId, method: &str, result: ValueId) {
        if result != UNKNOWN
            && result != receiver
            && KEEPING.contains(&method)
            && self.model.is_raw_data(receiver)
        {
            self.model.raw_data.raw.insert(result);
        }
    }

    /// `df.loc`, `df.iloc`, `df.values` of a raw frame.
    pub(super) fn note_raw_attribute(&mut self, node: Node, result: ValueId) {
        let Some(attribute) = node.field("attribute") else {
            return;
        };
        if !matches!(self.text(attribute), "loc" | "iloc" | "values") {
            return;
        }
        let base = self.model.values[result].inputs.first().copied();
        if let Some(base) = base
            && base != result
            && self.model.is_raw_data(base)
        {
            self.model.raw_data.raw.insert(result);
        }
    }

    /// `df["a"]`, `df[["a", "b"]]`, `df[mask]`, `X[train_idx]`, `X[:, 1:]`, and any subscript
    /// of `df.loc` / `df.iloc` of a raw frame.
    pub(super) fn note_raw_subscript(&mut self, node: Node, result: ValueId) {
        if result == UNKNOWN {
            return;
        }
        let Some(&base) = self.model.values[result].inputs.first() else {
            return;
        };
        if base == result || !self.model.is_raw_data(base) {
            return;
        }
        let indexer = matches!(self.kind(base), Kind::Indexer { .. });
        let mut cursor = node.walk();
        let subscripts: Vec<Node> = node
            .children_by_field_name("subscript", &mut cursor)
            .collect();
        let inputs = &self.model.values[result].inputs;
        let keeps = indexer
            || subscripts.iter().enumerate().all(|(i, sub)| {
                let value = inputs.get(i + 1).copied().unwrap_or(UNKNOWN);
                self.selects(*sub, value)
            });
        if keeps && !subscripts.is_empty() {
            self.model.raw_data.raw.insert(result);
        }
    }

    /// `name[...] = v`, `name.loc[...] = v`, `name.attr = v`: the value `name` held is
    /// changed in place.
    pub(super) fn note_raw_mutated(&mut self, name: Node) {
        if name.kind_name() != "identifier" {
            return;
        }
        let text = self.text(name);
        let bound = self.scopes.iter().rev().find_map(|s| s.names.get(text));
        if let Some(&value) = bound {
            self.model.raw_data.mutated.insert(value);
        }
    }

    /// An index that selects columns or rows: a column name, a list of names, a slice, a
    /// row mask, the indices of a fold.
    fn selects(&self, sub: Node, value: ValueId) -> bool {
        match sub.kind_name() {
            // `df[df.a > 0]`: a comparison is a row mask.
            "string" | "slice" | "comparison_operator" => true,
            "list" => {
                let mut cursor = sub.walk();
                sub.named_children(&mut cursor)
                    .all(|item| item.kind_name() == "string")
            }
            _ => matches!(
                self.kind(value),
                Kind::Mask { .. } | Kind::Condition | Kind::FoldIndex { .. }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Event;
    use crate::testutil::model_of as model;

    /// Whether the X of each Fit event is raw, in order.
    fn raw_fits(source: &str) -> Vec<bool> {
        let m = model(source);
        m.events
            .iter()
            .filter_map(|e| match e {
                Event::Fit { x: Some(x), .. } => Some(m.is_raw_data(*x)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn selection_keeps_and_anything_else_ends_rawness() {
        let source = "import pandas as pd\nfrom sklearn.svm import SVC\nfrom sklearn.model_selection \
                      import train_test_split\ndf = pd.read_csv('a.csv')\nX = df[['a', 'b']].fillna(0)\n\
                      a, b = train_test_split(X)\nSVC().fit(a.values, y)\nSVC().fit(df.iloc[:, 1:], y)\n\
                      SVC().fit(X / 2, y)\nSVC().fit(X.apply(f), y)\nSVC().fit(df[df.a > 0], y)\n\
                      SVC().fit(df[cols], y)\n";
        assert_eq!(
            raw_fits(source),
            vec![true, true, false, false, true, false]
        );
    }

    #[test]
    fn assigning_into_a_value_ends_its_rawness() {
        let source = "import pandas as pd\nfrom sklearn.svm import SVC\ndf = pd.read_csv('a.csv')\n\
                      X = df.drop(columns='y')\nY = X\nX['a'] = X['a'] / 10\nSVC().fit(Y, y)\n";
        assert_eq!(raw_fits(source), vec![false]);
    }
}
