//! Library misuse (model/misuse.rs): which values are pandas objects and which are
//! probabilities, and the shapes of calls, comparisons and assignments the API rules report.
//! Hooked into comparisons, subscripts, method and qualified calls, module calls, targets of
//! assignments and expression statements.

use super::{Args, Builder, span};
use crate::model::misuse::{
    Activation, ChainedAssignment, Discarded, ForwardCall, ImplicitMerge, NanComparison, Pandas,
    Probability, SoftmaxLoss, UnclippedLog,
};
use crate::model::{Kind, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

/// The builder's state: the call an expression statement consists of, while it is read.
#[derive(Default)]
pub(super) struct State {
    /// The call's node id, and whether the statement is at the module's top level.
    statement: Option<(usize, bool)>,
    /// A merge without keys, recorded once its output is made.
    merge: Option<crate::finding::Span>,
    /// The classes and functions being read, innermost last: (node id, is a class, name).
    definitions: Vec<(usize, bool, String)>,
    /// The returns of each class's `forward` that are softmax outputs, and the others.
    forward_returns: std::collections::HashMap<String, (usize, usize)>,
}

/// What a call's result is, decided before the call is made.
pub(super) enum Mark {
    Pandas(Pandas),
    Probability(Probability),
    /// A model whose output is a softmax.
    SoftmaxModule,
}

/// pandas methods that return a new object of the receiver's type, not a view or a scalar.
fn keeps_pandas(method: &str) -> bool {
    returns_new(method)
        || matches!(
            method,
            "copy"
                | "head"
                | "tail"
                | "sample"
                | "shift"
                | "diff"
                | "explode"
                | "nlargest"
                | "nsmallest"
        )
}

/// pandas methods whose result is a new object, the receiver left as it was (unless
/// `inplace=True`): a statement that only calls one does nothing.
fn returns_new(method: &str) -> bool {
    matches!(
        method,
        "dropna"
            | "fillna"
            | "drop"
            | "rename"
            | "replace"
            | "sort_values"
            | "sort_index"
            | "reset_index"
            | "set_index"
            | "astype"
            | "drop_duplicates"
            | "ffill"
            | "bfill"
            | "interpolate"
            | "clip"
            | "round"
            | "abs"
            | "where"
            | "mask"
            | "assign"
            | "reindex"
            | "rename_axis"
            | "add_prefix"
            | "add_suffix"
            | "convert_dtypes"
            | "infer_objects"
            | "set_axis"
            | "droplevel"
            | "query"
            | "merge"
            | "join"
    )
}

/// pandas functions that return a data frame (or a series, for `Series`).
fn pandas_source(qualified: &str, args: &Args) -> Option<Pandas> {
    let name = qualified.strip_prefix("pandas.")?;
    // A reader given `chunksize`/`iterator` returns an iterator of frames; `sheet_name` may
    // ask for a dict of them.
    let lazy = ["chunksize", "iterator", "sheet_name"]
        .iter()
        .any(|k| args.keyword(k).is_some());
    match name {
        "Series" => Some(Pandas::Series),
        "DataFrame" | "concat" | "merge" | "get_dummies" | "crosstab" | "pivot_table"
        | "json_normalize" => Some(Pandas::Frame),
        "read_csv" | "read_table" | "read_parquet" | "read_feather" | "read_json"
        | "read_excel" | "read_sql" | "read_sql_query" | "read_sql_table" | "read_stata"
        | "read_orc" | "read_fwf" | "read_xml" | "read_spss" | "read_gbq"
            if !lazy && !args.splat =>
        {
            Some(Pandas::Frame)
        }
        _ => None,
    }
}

/// What an activation function computes.
fn activation_of(qualified: &str) -> Option<Activation> {
    match qualified {
        "torch.softmax"
        | "torch.nn.functional.softmax"
        | "torch.special.softmax"
        | "tensorflow.nn.softmax"
        | "tensorflow.math.softmax"
        | "tensorflow.keras.activations.softmax"
        | "keras.activations.softmax"
        | "scipy.special.softmax"
        | "jax.nn.softmax" => Some(Activation::Softmax),
        "torch.sigmoid"
        | "torch.nn.functional.sigmoid"
        | "torch.special.expit"
        | "tensorflow.nn.sigmoid"
        | "tensorflow.math.sigmoid"
        | "tensorflow.sigmoid"
        | "tensorflow.keras.activations.sigmoid"
        | "keras.activations.sigmoid"
        | "scipy.special.expit"
        | "jax.nn.sigmoid" => Some(Activation::Sigmoid),
        _ => None,
    }
}

fn is_log(qualified: &str) -> bool {
    matches!(
        qualified,
        "numpy.log"
            | "numpy.log2"
            | "numpy.log10"
            | "torch.log"
            | "torch.log2"
            | "torch.log10"
            | "tensorflow.math.log"
            | "tensorflow.log"
            | "math.log"
            | "math.log2"
            | "math.log10"
            | "jax.numpy.log"
    )
}

/// Methods of a tensor or array that keep its values (a probability stays one).
fn keeps_probability(method: &str) -> bool {
    crate::ml::keeps_values(method)
        || matches!(
            method,
            "view" | "float" | "double" | "to" | "cuda" | "squeeze" | "unsqueeze" | "contiguous"
        )
}

impl Builder<'_> {
    fn recording(&self) -> bool {
        !self.replaying && !self.reading_foreign()
    }

    /// An expression statement's call (`df.dropna()`): remembered while it is read.
    pub(super) fn misuse_statement(&mut self, child: Node) {
        self.misuse.statement = (child.kind_name() == "call")
            .then(|| (child.id(), self.depth == 1 && self.scopes.len() == 1));
    }

    pub(super) fn misuse_statement_done(&mut self) {
        self.misuse.statement = None;
    }

    /// Whether `node` is the call an expression statement consists of: its result is thrown
    /// away. Asked once per call.
    fn discarded_call(&mut self, node: Node) -> Option<bool> {
        match self.misuse.statement {
            Some((id, top_level)) if id == node.id() => {
                self.misuse.statement = None;
                Some(top_level)
            }
            _ => None,
        }
    }

    /// `left OP right` for each operator pair: NaN compared with `==` / `!=`.
    pub(super) fn misuse_comparison(
        &mut self,
        operands: &[ValueId],
        nodes: &[Node],
        operators: &[String],
        node: Node,
    ) {
        if !self.recording() || operands.len() != operators.len() + 1 {
            return;
        }
        for (i, op) in operators.iter().enumerate() {
            if !matches!(op.as_str(), "==" | "!=") {
                continue;
            }
            let pair = [(operands[i], nodes[i]), (operands[i + 1], nodes[i + 1])];
            // `x == x` / `x != x` is the NaN test itself (NaN is the only value not equal to
            // itself): an expression compared with itself is never a comparison with NaN.
            if pair[0].0 == pair[1].0
                || same_expression(self.text(nodes[i]), self.text(nodes[i + 1]))
            {
                continue;
            }
            for (this, other) in [(pair[0], pair[1]), (pair[1], pair[0])] {
                if self.is_nan_marker(this, other.0) {
                    self.model.misuse.nan_comparisons.push(NanComparison {
                        span: span(node),
                        op: op.clone(),
                        marker: span(this.1),
                        other: span(other.1),
                    });
                    break;
                }
            }
        }
    }

    /// `np.nan`, `math.nan`, `float("nan")`, `pd.NA`, `pd.NaT`; `None` against a known pandas
    /// object (which compares element-wise and is never equal).
    ///
    /// The marker must be written at the comparison: `np.nan`, `float("nan")`, `None`, or a
    /// name imported as the marker (`from numpy import nan`). A variable that holds one
    /// (`corr = np.nan` as a default or a fallback) is a value that another path replaces, so
    /// comparing with the variable is not comparing with the marker.
    fn is_nan_marker(&self, (id, node): (ValueId, Node), other: ValueId) -> bool {
        if node.kind_name() == "identifier" {
            let name = self.text(node);
            let imported = match self.kind(id) {
                Kind::Import(qualified) => self
                    .model
                    .imports
                    .iter()
                    .any(|(local, q)| local == name && q == qualified),
                _ => false,
            };
            if !imported {
                return false;
            }
        }
        match self.kind(id) {
            Kind::Import(qualified) => matches!(
                qualified.as_str(),
                "numpy.nan" | "numpy.NaN" | "numpy.NAN" | "math.nan" | "pandas.NA" | "pandas.NaT"
            ),
            Kind::Call { function } if function == "float" => {
                let inputs = &self.model.values[id].inputs;
                inputs.len() == 1
                    && matches!(self.kind(inputs[0]), Kind::Str(s)
                        if matches!(s.trim().to_ascii_lowercase().as_str(), "nan" | "+nan" | "-nan"))
            }
            Kind::NoneLiteral => self.model.pandas(other).is_some(),
            _ => false,
        }
    }

    /// The target of an assignment: a chained indexing of a known pandas object
    /// (`df[a][b] = v`, `df.loc[i][c] = v`, `df[c].iloc[i] = v`). Returns the frame's name and
    /// kind when the target changes a known pandas object in place, so the new value stays one.
    pub(super) fn misuse_target(&mut self, target: Node) -> Option<(&str, Pandas)> {
        if target.kind_name() != "subscript" {
            return None;
        }
        // Indexing steps down to the name: a subscript, with the `.loc`/`.iloc`/`.at`/`.iat`
        // it indexes through.
        let mut steps = 0;
        let mut node = target;
        loop {
            match node.kind_name() {
                "subscript" => {
                    steps += 1;
                    node = node.field("value")?;
                    if node.kind_name() == "attribute"
                        && node
                            .field("attribute")
                            .is_some_and(|a| matches!(self.text(a), "loc" | "iloc" | "at" | "iat"))
                    {
                        node = node.field("object")?;
                    }
                }
                "identifier" => break,
                _ => return None,
            }
        }
        let name = self.text(node);
        let old = self.scopes.iter().rev().find_map(|s| s.names.get(name))?;
        let pandas = self.model.pandas(*old)?;
        if steps >= 2 && self.recording() {
            self.model
                .misuse
                .chained_assignments
                .push(ChainedAssignment {
                    span: span(target),
                    frame: name.to_string(),
                });
        }
        (pandas == Pandas::Frame).then_some((name, pandas))
    }

    /// After a target was assigned: a known frame changed in place is still one.
    pub(super) fn misuse_target_done(&mut self, kept: Option<(&str, Pandas)>) {
        if let Some((name, pandas)) = kept
            && let Some(&now) = self.scopes.iter().rev().find_map(|s| s.names.get(name))
            && now != UNKNOWN
        {
            self.model.misuse.pandas.entry(now).or_insert(pandas);
        }
    }

    /// A slice of probabilities (`proba[:, 1]`) is probabilities; rows or columns of a known
    /// frame (`df[FEATURES]`, `df[df.y > 0]`, `df.loc[mask]`) are a frame.
    pub(super) fn misuse_subscript(&mut self, result: ValueId) {
        let value = &self.model.values[result];
        // A row filter is a split part until its complement is seen (or never is).
        if result == UNKNOWN || !matches!(value.kind, Kind::Unknown | Kind::SplitPart { .. }) {
            return;
        }
        let Some(&base) = value.inputs.first() else {
            return;
        };
        if let Some(&probability) = self.model.misuse.probabilities.get(&base)
            && matches!(value.kind, Kind::Unknown)
        {
            self.model.misuse.probabilities.insert(result, probability);
            return;
        }
        let frame = match self.kind(base) {
            Kind::Indexer { frame } => *frame,
            _ => base,
        };
        if value.columns.is_some() && self.model.pandas(frame) == Some(Pandas::Frame) {
            self.model.misuse.pandas.insert(result, Pandas::Frame);
        }
    }

    /// A method call, before it is made: a result thrown away, `forward` called directly,
    /// the log of a probability, a merge without keys; and what its result will be.
    pub(super) fn misuse_method(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> Option<Mark> {
        let discarded = self.discarded_call(node);
        let object = node.field("function").and_then(|f| f.field("object"));
        let written = object.map_or(crate::finding::Span::default(), span);
        let pandas = self.model.pandas(receiver);
        let in_place = args
            .keyword("inplace")
            .is_some_and(|(_, n)| self.text(n) != "False");
        if self.recording() {
            if let (Some(top_level), Some(_)) = (discarded, pandas)
                && returns_new(method)
                && !in_place
                && !args.splat
            {
                self.model.misuse.discarded.push(Discarded {
                    span: span(node),
                    method: method.to_string(),
                    receiver: written,
                    top_level,
                });
            }
            if method == "forward"
                && let Some(module) = self.model.torch_module(receiver)
            {
                let class = module.class.to_string();
                self.model.misuse.forward_calls.push(ForwardCall {
                    span: span(node),
                    name: written,
                    class,
                });
            }
            if method == "merge" && pandas == Some(Pandas::Frame) && !self.merge_names_keys(args, 1)
            {
                // Recorded with its output, once the call is made.
                self.misuse.merge = Some(span(node));
            }
            if matches!(method, "log" | "log2" | "log10")
                && args.positional.is_empty()
                && let Some(source) = self.model.probability(receiver)
            {
                self.model.misuse.unclipped_logs.push(UnclippedLog {
                    span: span(node),
                    function: format!(".{method}()"),
                    source,
                });
            }
        }
        if let Some(pandas) = pandas
            && keeps_pandas(method)
        {
            let kind = if matches!(method, "merge" | "join" | "reset_index") {
                Pandas::Frame
            } else {
                pandas
            };
            return Some(Mark::Pandas(kind));
        }
        if matches!(method, "softmax" | "sigmoid") && object.is_some() {
            let activation = if method == "softmax" {
                Activation::Softmax
            } else {
                Activation::Sigmoid
            };
            return Some(Mark::Probability(Probability {
                activation,
                span: span(node),
            }));
        }
        if keeps_probability(method)
            && let Some(probability) = self.model.misuse.probabilities.get(&receiver)
        {
            return Some(Mark::Probability(*probability));
        }
        None
    }

    /// Whether a merge call names its keys: `on`, `left_on`/`right_on`, `left_index`/
    /// `right_index`, or positional arguments past the frames (which may be them); a cross
    /// join needs none.
    fn merge_names_keys(&self, args: &Args, frames: usize) -> bool {
        // A cross join pairs every row with every row: it has no keys to name.
        let cross = args
            .keyword("how")
            .is_some_and(|(v, _)| matches!(self.kind(v), Kind::Str(how) if how == "cross"));
        cross
            || args.splat
            || args.positional.len() > frames
            || ["on", "left_on", "right_on", "left_index", "right_index"]
                .iter()
                .any(|k| args.keyword(k).is_some())
    }

    /// A call of a qualified name, before it is made.
    pub(super) fn misuse_qualified(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<Mark> {
        let discarded = self.discarded_call(node);
        let first = args.get(0, &["input", "x", "a"]);
        if self.recording() {
            if qualified == "numpy.clip"
                && let Some(top_level) = discarded
                && args.keyword("out").is_none()
                && args.positional.len() <= 3
                && !args.splat
                && let Some((_, first_node)) = first
            {
                self.model.misuse.discarded.push(Discarded {
                    span: span(node),
                    method: "np.clip".to_string(),
                    receiver: span(first_node),
                    top_level,
                });
            }
            if is_log(qualified)
                && let Some((value, _)) = first
                && let Some(source) = self.model.probability(value)
            {
                let function = node
                    .field("function")
                    .map_or(qualified, |f| self.text(f))
                    .to_string();
                self.model.misuse.unclipped_logs.push(UnclippedLog {
                    span: span(node),
                    function,
                    source,
                });
            }
            if qualified == "torch.nn.functional.cross_entropy"
                && let Some((value, _)) = first
            {
                self.softmax_loss(value, node);
            }
            if qualified == "pandas.merge" && !self.merge_names_keys(args, 2) {
                self.misuse.merge = Some(span(node));
            }
        }
        if let Some(activation) = activation_of(qualified) {
            return Some(Mark::Probability(Probability {
                activation,
                span: span(node),
            }));
        }
        // `nn.Sequential(..., nn.Softmax(dim=1))`: a model whose output is a softmax.
        if qualified == "torch.nn.Sequential"
            && let Some(&(last, _)) = args.positional.last()
            && (self.model.misuse.softmax_modules.contains(&last)
                || self
                    .model
                    .torch_module(last)
                    .is_some_and(|m| m.class == "Softmax"))
        {
            return Some(Mark::SoftmaxModule);
        }
        pandas_source(qualified, args).map(Mark::Pandas)
    }

    /// Entering a class or a function: kept on a stack, so a `return` knows whether it is in
    /// the `forward` method of a class.
    pub(super) fn misuse_enter(&mut self, node: Node) {
        let kind = node.kind_name();
        if matches!(kind, "class_definition" | "function_definition") {
            let name = node.field("name").map_or("", |n| self.text(n)).to_string();
            self.misuse
                .definitions
                .push((node.id(), kind == "class_definition", name));
        }
    }

    pub(super) fn misuse_exit(&mut self, node: Node) {
        if self
            .misuse
            .definitions
            .last()
            .is_some_and(|(id, _, _)| *id == node.id())
        {
            self.misuse.definitions.pop();
        }
    }

    /// A `return` in a class's `forward`: whether the class's output is a softmax (every
    /// return of its `forward` is one).
    pub(super) fn misuse_return(&mut self, value: ValueId) {
        let [.., (_, true, class), (_, false, method)] = self.misuse.definitions.as_slice() else {
            return;
        };
        if method != "forward" || self.replaying || self.reading_foreign() {
            return;
        }
        let softmax = self
            .model
            .misuse
            .probabilities
            .get(&value)
            .is_some_and(|p| p.activation == Activation::Softmax);
        let class = class.clone();
        let entry = self.misuse.forward_returns.entry(class).or_insert((0, 0));
        if softmax {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }

    /// A class of the file whose `forward` always returns a softmax.
    fn softmax_class(&self, class: &str) -> bool {
        self.misuse
            .forward_returns
            .get(class)
            .is_some_and(|&(softmax, other)| softmax > 0 && other == 0)
    }

    /// A softmax output given to a cross-entropy loss.
    fn softmax_loss(&mut self, input: ValueId, node: Node) {
        if let Some(probability) = self.model.misuse.probabilities.get(&input)
            && probability.activation == Activation::Softmax
        {
            let loss = node
                .field("function")
                .map_or("", |f| self.text(f))
                .to_string();
            self.model.misuse.softmax_losses.push(SoftmaxLoss {
                span: span(node),
                loss,
                softmax: probability.span,
            });
        }
    }

    /// A call of a PyTorch module (`criterion(out, y)`, `softmax(x)`, `model(x)`).
    pub(super) fn misuse_module_call(
        &mut self,
        module: ValueId,
        args: &Args,
        output: ValueId,
        node: Node,
    ) {
        let class = match self.model.torch_module(module) {
            Some(info) => info.class.to_string(),
            None => return,
        };
        if class == "CrossEntropyLoss"
            && self.recording()
            && let Some((input, _)) = args.get(0, &["input"])
        {
            self.softmax_loss(input, node);
        }
        let activation = if class == "Softmax"
            || self.model.misuse.softmax_modules.contains(&module)
            || self.softmax_class(&class)
        {
            Activation::Softmax
        } else if class == "Sigmoid" {
            Activation::Sigmoid
        } else {
            return;
        };
        self.misuse_mark(
            Some(Mark::Probability(Probability {
                activation,
                span: span(node),
            })),
            output,
        );
    }

    /// Gives a call's result what was decided before the call.
    pub(super) fn misuse_mark(&mut self, mark: Option<Mark>, result: ValueId) {
        if let Some(at) = self.misuse.merge.take()
            && result != UNKNOWN
        {
            self.model.misuse.implicit_merges.push(ImplicitMerge {
                span: at,
                output: result,
            });
        }
        if result == UNKNOWN {
            return;
        }
        match mark {
            Some(Mark::Pandas(pandas)) => {
                self.model.misuse.pandas.insert(result, pandas);
            }
            Some(Mark::Probability(probability)) => {
                self.model.misuse.probabilities.insert(result, probability);
            }
            Some(Mark::SoftmaxModule) => {
                self.model.misuse.softmax_modules.insert(result);
            }
            None => {}
        }
    }
}

/// Two operands written alike, whitespace aside (`a[i] == a[ i ]`).
fn same_expression(left: &str, right: &str) -> bool {
    let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    squeeze(left) == squeeze(right)
}

#[cfg(test)]
mod tests {
    use crate::model::misuse::{Activation, Pandas};
    use crate::model::{FileModel, ValueId};
    use crate::testutil::model_of;

    /// The value a statement `name = ...` bound last, found by the span's text.
    fn bound(model: &FileModel, source: &str, expression: &str) -> ValueId {
        let start = source.rfind(expression).expect("expression in source");
        model
            .value_ids()
            .rev()
            .find(|&v| {
                let s = model.value(v).span;
                s.start == start && s.end == start + expression.len()
            })
            .expect("a value for the expression")
    }

    #[test]
    fn a_value_compared_with_itself_is_the_nan_test() {
        let source = "import numpy as np\nfrom numpy import nan\nc = np.nan\n\
            a = c == c\nb = x[i] != x[ i ]\nd = y == c\ne = y == nan\nf = y != np.nan\n";
        let model = model_of(source);
        assert_eq!(model.misuse.nan_comparisons.len(), 2);
    }

    #[test]
    fn pandas_objects_are_known_by_construction_only() {
        let source = "import pandas as pd\nimport numpy as np\n\
            df = pd.read_csv('a.csv')\nclean = df.dropna()\ncol = clean['a']\n\
            arr = df.values\nnp_arr = np.asarray(df)\nchunks = pd.read_csv('a.csv', chunksize=10)\n\
            sheets = pd.read_excel('a.xlsx', sheet_name=None)\ns = pd.Series([1])\n\
            sub = df[['a', 'b']]\nrows = df[df['a'] > 0]\nloc = df.loc[df['a'] > 1]\nfirst = arr[0]\n";
        let model = model_of(source);
        let pandas = |e| model.pandas(bound(&model, source, e));
        assert_eq!(pandas("pd.read_csv('a.csv')"), Some(Pandas::Frame));
        assert_eq!(pandas("df.dropna()"), Some(Pandas::Frame));
        assert_eq!(pandas("clean['a']"), Some(Pandas::Series));
        assert_eq!(pandas("pd.Series([1])"), Some(Pandas::Series));
        assert_eq!(pandas("df[['a', 'b']]"), Some(Pandas::Frame));
        assert_eq!(pandas("df[df['a'] > 0]"), Some(Pandas::Frame));
        assert_eq!(pandas("df.loc[df['a'] > 1]"), Some(Pandas::Frame));
        assert_eq!(pandas("arr[0]"), None);
        assert_eq!(pandas("df.values"), None);
        assert_eq!(pandas("np.asarray(df)"), None);
        assert_eq!(pandas("pd.read_csv('a.csv', chunksize=10)"), None);
        assert_eq!(pandas("pd.read_excel('a.xlsx', sheet_name=None)"), None);
    }

    #[test]
    fn a_frame_changed_in_place_stays_a_frame() {
        let source = "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf['b'] = 1\n\
            df.loc[df['b'] > 0, 'c'] = 2\ndf['c'][0] = 3\n";
        let model = model_of(source);
        assert_eq!(model.misuse.chained_assignments.len(), 1);
        assert_eq!(model.misuse.chained_assignments[0].frame, "df");
    }

    #[test]
    fn probabilities_follow_slices_and_value_keeping_methods_not_arithmetic() {
        let source = "import torch\nimport numpy as np\n\
            p = torch.softmax(z, dim=1)\nq = p[:, 1].detach().cpu()\nr = p + 1e-9\n\
            a = np.log(q)\nb = np.log(r)\nc = torch.log(torch.sigmoid(z))\n";
        let model = model_of(source);
        let activations: Vec<Activation> = model
            .misuse
            .unclipped_logs
            .iter()
            .map(|l| l.source.activation)
            .collect();
        assert_eq!(activations, [Activation::Softmax, Activation::Sigmoid]);
    }

    #[test]
    fn merges_name_keys_by_keyword_or_position() {
        let source = "import pandas as pd\na = pd.read_csv('a.csv')\nb = pd.read_csv('b.csv')\n\
            m1 = a.merge(b)\nm2 = a.merge(b, 'left', 'id')\nm3 = pd.merge(a, b, how='inner')\n\
            m4 = pd.merge(a, b, left_index=True, right_index=True)\nm5 = a.join(b)\n\
            m6 = a.merge(b, how='cross')\n";
        let model = model_of(source);
        assert_eq!(model.misuse.implicit_merges.len(), 2);
    }

    #[test]
    fn only_a_statement_of_its_own_discards_a_result() {
        let source = "import pandas as pd\nimport numpy as np\ndf = pd.read_csv('a.csv')\n\
            df.fillna(0)\nx = df.fillna(0)\nprint(df.fillna(0))\ndf.fillna(0, inplace=True)\n\
            np.clip(v, 0, 1)\nnp.clip(v, 0, 1, v)\nf(df.dropna())\n";
        let model = model_of(source);
        let methods: Vec<&str> = model
            .misuse
            .discarded
            .iter()
            .map(|d| d.method.as_str())
            .collect();
        assert_eq!(methods, ["fillna", "np.clip"]);
    }
}
