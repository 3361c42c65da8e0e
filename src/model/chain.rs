//! What the chained-model rules (CHAIN001-003) need beyond values and facts: which values hold
//! other rows than the value they were made from, the classes of the file, the models loaded
//! from an artifact with the reference they were loaded from, and the row anchors that answer
//! "did this model predict the rows it was fitted on?".

use super::{FileModel, Kind, Role, SplitId, UNKNOWN, ValueId, rows};
use crate::finding::Span;
use std::collections::HashMap;

/// Recorded by the traversal for the chained-model rules.
#[derive(Debug, Default)]
pub struct ChainFacts {
    /// Values whose rows are not those of the value they were made from: `df[mask]`,
    /// `df.loc[rows]`, `X[idx]`, `dropna()`, `head()`. Value → the mask or index that chose
    /// the rows (UNKNOWN when none).
    pub row_changes: HashMap<ValueId, ValueId>,
    /// `df.columns` values: value → the frame whose names they are.
    pub column_lists: HashMap<ValueId, ValueId>,
    /// Class definitions: name and span.
    pub classes: Vec<(String, Span)>,
    /// Models loaded from an artifact, a registry or a hub.
    pub loads: Vec<Load>,
}

/// A model loaded with a known loader.
#[derive(Debug, Clone)]
pub struct Load {
    /// The loaded model (an estimator of category `Loaded`).
    pub value: ValueId,
    /// `joblib.load`, `mlflow.pyfunc.load_model`, `transformers.AutoModel.from_pretrained`.
    pub function: String,
    /// The path, URI or hub name it was loaded from, when given.
    pub reference: Option<ValueId>,
    /// The source text of that argument (for `transformers.pipeline` without a model: the
    /// task).
    pub text: String,
    /// The `revision=` argument.
    pub revision: Option<ValueId>,
    pub span: Span,
}

/// Where the rows of a value come from: a node of a small tree whose parents hold more rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Rows of their own: a data source, a parameter, a value not followed further.
    Leaf(ValueId),
    /// One side of a split (every value of that side: `X_tr` and `y_tr` alike).
    Part { split: SplitId, held_out: bool },
    /// Rows chosen from the parent's (a mask, a positional pick, `dropna`).
    Filter(ValueId),
    /// Rows from several anchors (stacked, concatenated, merged).
    Mixed(ValueId),
}

/// The row anchor of every value, computed in one forward pass over the arena.
pub struct RowAnchors {
    of: Vec<Option<u32>>,
    /// Each node with its parent.
    nodes: Vec<(Anchor, Option<u32>)>,
}

/// Chains of parents are short; this bounds them in a pathological file.
const MAX_CHAIN: usize = 32;

impl FileModel {
    /// The row anchors of all values: one pass, linear in the arena.
    pub fn row_anchors(&self) -> RowAnchors {
        let mut of: Vec<Option<u32>> = vec![None; self.values.len()];
        let mut nodes: Vec<(Anchor, Option<u32>)> = Vec::new();
        let mut parts: HashMap<(SplitId, bool), u32> = HashMap::new();
        let push = |nodes: &mut Vec<(Anchor, Option<u32>)>, anchor, parent| {
            nodes.push((anchor, parent));
            Some((nodes.len() - 1) as u32)
        };
        for id in self.value_ids().skip(1) {
            let value = &self.values[id];
            let first = value
                .inputs
                .iter()
                .find_map(|&i| of.get(i.index()).copied().flatten());
            of[id.index()] = match &value.kind {
                Kind::Estimator(_)
                | Kind::Import(_)
                | Kind::Function(_)
                | Kind::Str(_)
                | Kind::Number(_)
                | Kind::NoneLiteral
                | Kind::Generator { .. } => None,
                Kind::SplitPart { role, split } => {
                    let held_out = *role != Role::Train;
                    match parts.get(&(*split, held_out)) {
                        Some(&node) => Some(node),
                        None => {
                            let anchor = Anchor::Part {
                                split: *split,
                                held_out,
                            };
                            let node = push(&mut nodes, anchor, first);
                            if let Some(node) = node {
                                parts.insert((*split, held_out), node);
                            }
                            node
                        }
                    }
                }
                _ if self.chain.row_changes.contains_key(&id) => {
                    push(&mut nodes, Anchor::Filter(id), first)
                }
                Kind::Param { .. } => push(&mut nodes, Anchor::Leaf(id), None),
                _ => {
                    let mut distinct: Vec<u32> = Vec::new();
                    for &input in &value.inputs {
                        if let Some(node) = of.get(input.index()).copied().flatten()
                            && !distinct.contains(&node)
                        {
                            distinct.push(node);
                        }
                    }
                    match distinct.as_slice() {
                        [] if value.rows != 0 => push(&mut nodes, Anchor::Leaf(id), None),
                        [] => None,
                        [one] => Some(*one),
                        _ => push(&mut nodes, Anchor::Mixed(id), None),
                    }
                }
            };
        }
        RowAnchors { of, nodes }
    }

    /// The text of a loaded model's reference when the code spells it: a string, a constant,
    /// `os.path.join` of strings, the path of the file handle given to `pickle.load`.
    pub fn reference_string(&self, id: ValueId) -> Option<String> {
        self.reference_string_at(id, 0)
    }

    fn reference_string_at(&self, id: ValueId, depth: usize) -> Option<String> {
        if id == UNKNOWN || depth > 3 {
            return None;
        }
        let value = self.values.get(id.index())?;
        match &value.kind {
            Kind::Str(text) if !text.contains('{') => Some(text.clone()),
            Kind::Call { function } if function.ends_with("path.join") => {
                let parts: Option<Vec<String>> = value
                    .inputs
                    .iter()
                    .map(|&i| self.reference_string_at(i, depth + 1))
                    .collect();
                parts.map(|p| p.join("/"))
            }
            // `open(path, "rb")`, `Path(path)`, a `with open(...) as fh` handle: the one
            // string (other than a file mode) it was made from.
            Kind::Unknown | Kind::Call { .. } => {
                let strings: Vec<String> = value
                    .inputs
                    .iter()
                    .filter_map(|&i| self.reference_string_at(i, depth + 1))
                    .filter(|s| !is_file_mode(s))
                    .collect();
                match strings.as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl RowAnchors {
    /// The anchor node of a value, if it holds data rows.
    pub fn of(&self, id: ValueId) -> Option<u32> {
        self.of.get(id.index()).copied().flatten()
    }

    pub fn anchor(&self, node: u32) -> Anchor {
        self.nodes[node as usize].0
    }

    /// The node and its parents, nearest first.
    pub fn chain(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(node), |&n| self.nodes[n as usize].1).take(MAX_CHAIN)
    }

    /// Whether two anchors share rows: Some(true) when one holds (some of) the other's rows,
    /// Some(false) when they are the two sides of one split or two different data sources,
    /// None when the analysis cannot tell.
    pub fn overlap(&self, model: &FileModel, a: u32, b: u32) -> Option<bool> {
        if self.chain(a).any(|n| n == b) || self.chain(b).any(|n| n == a) {
            return Some(true);
        }
        for x in self.chain(a) {
            for y in self.chain(b) {
                if let (
                    Anchor::Part {
                        split: s1,
                        held_out: h1,
                    },
                    Anchor::Part {
                        split: s2,
                        held_out: h2,
                    },
                ) = (self.anchor(x), self.anchor(y))
                    && s1 == s2
                    && h1 != h2
                {
                    return Some(false);
                }
            }
        }
        let root = |n: u32| self.chain(n).last().map(|r| self.anchor(r));
        match (root(a), root(b)) {
            // Two filters of one frame: which rows each keeps is unknown.
            (Some(Anchor::Leaf(x)), Some(Anchor::Leaf(y)))
                if x != y && is_source(model, x) && is_source(model, y) =>
            {
                Some(same_source(model, x, y))
            }
            _ => None,
        }
    }

    /// Whether `predicted` is the held-out side of a cross-validation fold whose training
    /// side is `fitted`: out-of-fold predictions.
    pub fn out_of_fold(&self, model: &FileModel, fitted: u32, predicted: u32) -> bool {
        self.chain(predicted).any(|p| {
            let Anchor::Part {
                split,
                held_out: true,
            } = self.anchor(p)
            else {
                return false;
            };
            model.splits.get(split.index()).is_some_and(|s| s.folds)
                && self.chain(fitted).any(|f| {
                    self.anchor(f)
                        == Anchor::Part {
                            split,
                            held_out: false,
                        }
                })
        })
    }
}

fn is_file_mode(text: &str) -> bool {
    !text.is_empty() && text.len() <= 3 && text.chars().all(|c| "rwab+tx".contains(c))
}

/// A value read from a data source (a file, a dataset loader).
fn is_source(model: &FileModel, id: ValueId) -> bool {
    model.rows(id) & rows::FULL != 0
}

/// Two data sources read from the same literal path hold the same rows.
fn same_source(model: &FileModel, a: ValueId, b: ValueId) -> bool {
    let path = |v: ValueId| {
        let first = *model.values.get(v.index())?.inputs.first()?;
        match &model.values.get(first.index())?.kind {
            Kind::Str(text) => Some(text.clone()),
            _ => None,
        }
    };
    matches!((path(a), path(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use crate::model::{Event, FileModel};

    use crate::testutil::model_of as model;

    /// (x of the first fit, input of the first predict).
    fn fit_and_predict(m: &FileModel) -> (crate::model::ValueId, crate::model::ValueId) {
        let x = m
            .events
            .iter()
            .find_map(|e| match e {
                Event::Fit { x: Some(x), .. } => Some(*x),
                _ => None,
            })
            .expect("a fit");
        let input = m
            .events
            .iter()
            .find_map(|e| match e {
                Event::Predict { input, .. } => Some(*input),
                _ => None,
            })
            .expect("a predict");
        (x, input)
    }

    const HEAD: &str = "import pandas as pd\nfrom sklearn.model_selection import train_test_split, KFold\nfrom sklearn.linear_model import LogisticRegression\ndf = pd.read_csv('a.csv')\n";

    fn overlap(code: &str) -> Option<bool> {
        let m = model(&format!("{HEAD}{code}"));
        let anchors = m.row_anchors();
        let (x, input) = fit_and_predict(&m);
        anchors.overlap(&m, anchors.of(x)?, anchors.of(input)?)
    }

    #[test]
    fn column_selections_keep_the_rows() {
        assert_eq!(
            overlap(
                "m = LogisticRegression().fit(df[['a']], df['y'])\nm.predict(df[['a', 'b']].values)\n"
            ),
            Some(true)
        );
    }

    #[test]
    fn the_two_sides_of_a_split_are_disjoint() {
        assert_eq!(
            overlap(
                "X_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'], random_state=0)\nm = LogisticRegression().fit(X_tr, y_tr)\nm.predict(X_te)\n"
            ),
            Some(false)
        );
        // The full frame holds the training rows.
        assert_eq!(
            overlap(
                "X_tr, X_te, y_tr, y_te = train_test_split(df[['a']], df['y'], random_state=0)\nm = LogisticRegression().fit(X_tr, y_tr)\nm.predict(df[['a']])\n"
            ),
            Some(true)
        );
    }

    #[test]
    fn filters_and_other_files_are_other_rows() {
        // `notna()` / `isna()` of one column are complementary masks: the two sides of a split.
        assert_eq!(
            overlap(
                "known = df[df['age'].notna()]\nunknown = df[df['age'].isna()]\nm = LogisticRegression().fit(known[['a']], known['age'])\nm.predict(unknown[['a']])\n"
            ),
            Some(false)
        );
        assert_eq!(
            overlap(
                "new = pd.read_csv('b.csv')\nm = LogisticRegression().fit(df[['a']], df['y'])\nm.predict(new[['a']])\n"
            ),
            Some(false)
        );
    }

    #[test]
    fn fold_loops_predict_out_of_fold() {
        let m = model(&format!(
            "{HEAD}X = df[['a']]\ny = df['y']\nfor tr, va in KFold(5).split(X):\n    m = LogisticRegression().fit(X.iloc[tr], y.iloc[tr])\n    oof = m.predict(X.iloc[va])\n"
        ));
        let anchors = m.row_anchors();
        let (x, input) = fit_and_predict(&m);
        let (x, input) = (anchors.of(x).unwrap(), anchors.of(input).unwrap());
        assert!(anchors.out_of_fold(&m, x, input));
        assert_eq!(anchors.overlap(&m, x, input), Some(false));
    }
}
