//! analyze: the per-file semantic model. One traversal of the tree ([`build`]) records what
//! each name holds and the ML-relevant events in execution order; rules only read it.
//!
//! Values live in an arena and point at the values they were derived from; a value's inputs
//! always have smaller ids, so ancestry questions walk down the arena and never loop.
//! Unknown stays unknown: a value whose origin the model cannot follow carries no facts, and
//! rules need a positive fact to fire.

mod build;
mod chain;
mod choices;
pub mod constants;
pub mod dead;
mod fits;
mod held_out;
mod methods;
pub mod misuse;
pub mod modules;
mod query;
pub mod security;
mod selection;

use crate::finding::Span;
use crate::ml::{Category, Rng};
use std::rc::Rc;
/// One word wide and allocation-free when empty: the value arena holds one [`Value`] per
/// expression of the file, most with few inputs and no facts or bases, and on a large file
/// it is, after the syntax tree, the biggest thing in memory.
pub use thin_vec::ThinVec;

pub use build::build;
pub(crate) use build::records_metadata_by_name;
pub use chain::{Anchor, ChainFacts, Load, RowAnchors};
pub use choices::{Choice, Choices};
pub use fits::{Learned, ModelFit};
pub use held_out::{HeldOutUse, StatisticFit};
pub use methods::{FitMethod, PredictMethod};
pub use query::Lineage;
pub use selection::Selection;

/// Defines an id: a `u32` index into one of [`FileModel`]'s tables, a type of its own so ids of
/// different things cannot be mixed up. Given the table's element type, `[T]` and `Vec<T>` are
/// indexed by it; side tables (one entry per value, per split) take `id.index()`.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident $(, $item:ty)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            /// The id of position `index`.
            pub fn new(index: usize) -> Self {
                Self(u32::try_from(index).expect(concat!(stringify!($name), " out of range")))
            }

            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        $(
            impl std::ops::Index<$name> for [$item] {
                type Output = $item;
                fn index(&self, id: $name) -> &$item {
                    &self[id.index()]
                }
            }

            impl std::ops::IndexMut<$name> for [$item] {
                fn index_mut(&mut self, id: $name) -> &mut $item {
                    &mut self[id.index()]
                }
            }

            impl std::ops::Index<$name> for Vec<$item> {
                type Output = $item;
                fn index(&self, id: $name) -> &$item {
                    &self[id.index()]
                }
            }

            impl std::ops::IndexMut<$name> for Vec<$item> {
                fn index_mut(&mut self, id: $name) -> &mut $item {
                    &mut self[id.index()]
                }
            }
        )?
    };
}

id!(
    /// Index of a value in [`FileModel::values`].
    ValueId,
    Value
);

/// The shared value of everything the analysis cannot follow (literals without facts,
/// lambdas, missing arguments): one value for all of them, so it says nothing about identity.
pub const UNKNOWN: ValueId = ValueId(0);

/// The side of a split a value holds. A second split of a training part gives a training and
/// a validation part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Valid,
    Test,
}

impl Role {
    pub fn rows(self) -> Rows {
        match self {
            Role::Train => rows::TRAIN,
            Role::Valid => rows::VALID,
            Role::Test => rows::TEST,
        }
    }
}

/// Which rows a data value holds, as a bit set: the partition roles of SEMANTICS.md plus
/// row-level facts. 0 means unknown. A value derived from several inputs holds the union
/// (`TRAIN | TEST` is rows from both sides of a split).
pub type Rows = u8;

pub mod rows {
    use super::Rows;
    /// Read from a source (a file, a dataset loader) and not split yet.
    pub const FULL: Rows = 1;
    pub const TRAIN: Rows = 2;
    pub const VALID: Rows = 4;
    pub const TEST: Rows = 8;
    /// Rows were resampled or duplicated (SMOTE, `resample(replace=True)`, `sample(replace=True)`).
    pub const RESAMPLED: Rows = 16;
    /// The partition bits.
    pub const PARTS: Rows = FULL | TRAIN | VALID | TEST;
}

/// What a [`Fact`] says about the values that carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Uses later rows: `shift(-k)`, `bfill`, `rolling(center=True)`, `diff(-k)`.
    Future,
    /// Uses earlier rows only: `shift(k)`, `diff()`, `rolling(w)`, `expanding()`, `cumsum()`.
    Lag,
    /// A statistic over rows: `groupby(k)[c].transform("mean")`, `value_counts()`, `rank()`,
    /// `qcut`, `x.mean()`; `Fact::rows` says which rows it saw.
    Agg,
    /// Predictions of an estimator fitted in this file (`Fact::source` is the estimator,
    /// `Fact::event` its Predict event).
    ModelOut,
    /// Predictions of a model loaded from an artifact (`Fact::source` is the loaded model).
    LoadedOut,
    /// The time at which the code runs (`datetime.now()`, `pd.Timestamp.today()`,
    /// `time.time()`, `np.datetime64("now")`): the training day when it is computed in
    /// training, the request time when it is computed in serving. `Fact::source` is the
    /// call's value.
    WallClock,
}

id!(
    /// Index of a fact in [`FileModel::facts`].
    FactId,
    Fact
);

/// A provenance fact recorded where it arises and carried by every value derived from it.
#[derive(Debug, Clone)]
pub struct Fact {
    pub tag: Tag,
    /// The operation's site.
    pub span: Span,
    /// Short source text of the operation (`shift(-1)`, `groupby("user_id")["spend"].transform("mean")`).
    pub text: String,
    /// The estimator (ModelOut, LoadedOut) or the data the statistic ran on (Agg, Future, Lag).
    pub source: ValueId,
    /// The Predict event (ModelOut, LoadedOut).
    pub event: Option<usize>,
    /// The rows of the data the operation ran on.
    pub rows: Rows,
    /// The column aggregated or shifted, when known.
    pub column: Option<String>,
    /// The group-by keys, for Agg and Future/Lag inside a groupby.
    pub keys: Vec<String>,
    pub scope: ScopeId,
}

/// One named column of a data frame, with its lineage.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// Facts of the values it was computed from.
    pub facts: ThinVec<FactId>,
    /// The raw columns (of the frame's source) it was computed from, not through a shift.
    pub bases: ThinVec<Rc<str>>,
    /// Where it was assigned; None for a column of the source, only named by code.
    pub span: Option<Span>,
    /// The value assigned to it (UNKNOWN for a source column).
    pub value: ValueId,
}

/// The columns of a data frame (or of an array made from one): those the code named, and
/// whether others may be there (a frame read from a file has open columns).
#[derive(Debug, Clone)]
pub struct Columns {
    /// The value where the unnamed columns come from (the `read_csv` result).
    pub root: ValueId,
    /// More columns than `known` may be present.
    pub open: bool,
    pub known: Vec<Rc<Column>>,
    /// Names dropped from an open frame: certainly absent.
    pub dropped: Vec<String>,
    /// Facts of the unnamed columns.
    pub base_facts: ThinVec<FactId>,
    /// Facts of unnamed columns another frame brought in (a merge, a join, a concat along
    /// columns). The frame as a whole carries them, but a column read by a name the analysis
    /// cannot place among the other frame's columns does not: `df.merge(scores)[["a", "b"]]`
    /// holds `df`'s columns `a` and `b`, not the scores.
    pub joined_facts: ThinVec<FactId>,
}

/// How a split divides rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitKind {
    /// `train_test_split`, a splitter's `split` method (cross-validation folds).
    Function,
    /// `df.sample(frac=...)` and `df.drop(sample.index)`.
    Sample,
    /// Complementary slices `X[:n]` / `X[n:]`: ordered, never shuffled.
    Slice,
    /// Complementary masks on one column against one cut-off (`df[df.date < cutoff]`).
    Mask,
}

id!(
    /// Index of a split in [`FileModel::splits`].
    SplitId,
    Split
);

/// One split of data into parts.
#[derive(Debug, Clone)]
pub struct Split {
    /// `sklearn.model_selection.train_test_split`, `sklearn.model_selection.KFold.split`, ...
    pub function: String,
    pub kind: SplitKind,
    /// Rows are shuffled before splitting (train_test_split's default, KFold(shuffle=True),
    /// ShuffleSplit, sample); false for ordered splits (shuffle=False, TimeSeriesSplit, slices,
    /// masks).
    pub shuffled: bool,
    /// Folds of a cross-validation splitter iterated by index (`for tr, te in kf.split(X)`).
    pub folds: bool,
    /// Groups are kept together (GroupKFold, GroupShuffleSplit, `groups=`).
    pub grouped: bool,
    pub inputs: Vec<ValueId>,
    /// The column of a mask split (`date` in `df[df["date"] < cutoff]`).
    pub column: Option<String>,
    /// A training part and a held-out part were both seen.
    pub has_train: bool,
    pub has_test: bool,
    pub span: Span,
    pub scope: ScopeId,
    /// Its Split event.
    pub event: usize,
    /// The source text of the data argument of the call at `span` (the first, or `X=`), for
    /// messages.
    pub data_text: Option<String>,
    /// The source text of the call's `random_state=` argument, when one other than `None` is
    /// given: two calls on the same data with the same seed cut the same rows.
    pub seed: Option<String>,
}

/// What the model knows a value is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Nothing known beyond what it derives from.
    Unknown,
    /// A module or a name imported from one, by qualified name.
    Import(String),
    /// A number literal, with its text.
    Number(f64),
    /// A string literal.
    Str(String),
    /// `None`.
    NoneLiteral,
    /// A tuple or list literal, or a call result known to be one; elements in order.
    Tuple(Vec<ValueId>),
    /// An estimator object.
    Estimator(Estimator),
    /// One side of a split.
    SplitPart { role: Role, split: SplitId },
    /// What an estimator's predict-like method returned (kept through reshapes and slices).
    Output {
        estimator: ValueId,
        method: PredictMethod,
    },
    /// A random number generator object (`np.random.default_rng(0)`).
    Generator { seeded: bool },
    /// A column read from a frame (`df["price"]`, `df.price`).
    Column { name: String },
    /// `df.groupby(keys)`, possibly with columns selected (`[...]["spend"]`).
    GroupBy { frame: ValueId, keys: Vec<String> },
    /// `s.rolling(w)`, `s.expanding()`, `s.ewm(...)`: a window; `center` looks ahead.
    Window { center: bool },
    /// `df.loc` / `df.iloc`.
    Indexer { frame: ValueId },
    /// The folds of a splitter (`kf.split(X)`), iterated as (train, test) index pairs.
    Folds { split: SplitId },
    /// The train or test indices of one fold.
    FoldIndex { role: Role, split: SplitId },
    /// A row mask `col OP bound` (`df["date"] < cutoff`); `upper` when it keeps rows below.
    Mask {
        column: Box<str>,
        bound: Box<str>,
        upper: bool,
    },
    /// A boolean condition over rows that is not a cut on one column (`cumcount() >= 20`,
    /// `df["a"].isin(xs)`, `m1 & m2`): used as a subscript, it keeps rows and brings none of
    /// its own facts into the frame.
    Condition,
    /// A dict literal with string keys.
    Dict(Vec<(String, ValueId)>),
    /// The result of calling a known qualified function that has no more specific kind
    /// (`keras.callbacks.EarlyStopping(...)`, `pandas.read_csv(...)`).
    Call { function: String },
    /// A parameter of a function defined in the file, while its body is read.
    Param { index: usize },
    /// A function defined in the file, with its summary.
    Function(usize),
    /// A PyTorch module (an `nn.Module` instance); its inputs are the modules and values it
    /// was built from.
    TorchModule(TorchModule),
    /// A PyTorch optimizer (`torch.optim.Adam(model.parameters())`); its inputs are its
    /// arguments, so it derives from the modules whose parameters it updates.
    Optimizer { class: String },
    /// A function or class defined in another module of the project, read at each call
    /// (build/foreign.rs); the number only means something while the file is built.
    Definition(usize),
    /// An object made by calling a class of another module of the project; its attributes
    /// are the values its methods set on `self`.
    Instance { class: usize },
}

/// A PyTorch module: a `torch.nn` layer or container, a torchvision model, a model from
/// `torch.hub.load`, or an instance of a class of this file that inherits from `nn.Module`.
#[derive(Debug, Clone, PartialEq)]
pub struct TorchModule {
    /// The class as named in messages: `Net`, `resnet18`, `Sequential`.
    pub class: String,
    /// Whether it holds layers that behave differently in training and in evaluation
    /// (dropout, batch norm): `Some(false)` only when every layer of it is known.
    pub mode_dependent: Option<bool>,
}

/// What the model knows of a value that is a PyTorch module, whatever its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModuleInfo<'a> {
    pub class: &'a str,
    pub mode_dependent: Option<bool>,
    /// Read back whole from disk (`torch.load`).
    pub loaded: bool,
}

/// An estimator: its class and what we know of its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimator {
    /// Qualified class name (`sklearn.preprocessing.StandardScaler`), or the loader's name.
    pub class: String,
    pub category: Category,
    /// `Some(false)` when its class draws from `random_state` and none was given.
    pub seeded: Option<bool>,
    /// For a composite (Pipeline, ColumnTransformer, ...): the category of the stateful
    /// transformers among its steps, `SupervisedTransformer` when one of them learns from y.
    /// None when no step is known to learn from the rows, and for other estimators.
    pub stateful_steps: Option<Category>,
    /// Constructed with `shuffle=True` (a KFold that shuffles).
    pub shuffled: bool,
}

impl Estimator {
    /// What fitting it with `method` learns from the rows, when that is more than the set of
    /// values present: the class's category for a transformer; for a composite fitted as a
    /// transformer, the category of its stateful steps. None for everything else.
    pub fn learned_category(&self, method: FitMethod) -> Option<Category> {
        let as_transformer = matches!(method, FitMethod::Fit | FitMethod::FitTransform);
        let category = match self.category {
            Category::Composite if as_transformer => self.stateful_steps?,
            category => category,
        };
        category.learns_row_statistics().then_some(category)
    }

    /// The class's own name, for messages. A booster trained by a library's `train`
    /// function keeps the library's name (`lightgbm.train`, not `train`).
    pub fn short_name(&self) -> &str {
        let last = self.class.rsplit('.').next().unwrap_or(&self.class);
        if last == "train"
            && let Some((head, _)) = self.class.rsplit_once('.')
        {
            let start = head.rfind('.').map_or(0, |i| i + 1);
            return &self.class[start..];
        }
        last
    }
}

/// One abstract value.
#[derive(Debug, Clone)]
pub struct Value {
    pub kind: Kind,
    /// The values it was derived from (all with smaller ids).
    pub inputs: ThinVec<ValueId>,
    /// Where it was made.
    pub span: Span,
    /// Which rows it holds (0: unknown).
    pub rows: Rows,
    /// Provenance facts it carries, sorted, capped.
    pub facts: ThinVec<FactId>,
    /// The raw columns it was computed from (not through a shift), capped.
    pub bases: ThinVec<Rc<str>>,
    /// Its columns, when it is (or was made from) a data frame.
    pub columns: Option<Rc<Columns>>,
}

id!(
    /// A function scope: [`ScopeId::MODULE`] is the module (or the notebook), others are
    /// function bodies, numbered in the order they are entered.
    ScopeId
);

impl ScopeId {
    /// The module (or the notebook).
    pub const MODULE: ScopeId = ScopeId(0);
}

/// A call whose arguments hold another call, directly or inside list, tuple and dict literals
/// (`BaggingClassifier(DecisionTreeClassifier(), random_state=0)`).
#[derive(Debug, Clone)]
pub struct Wrapper {
    pub span: Span,
    /// Given `random_state=`, `random_seed=` or `seed=` other than `None`, or a `**` splat.
    pub given_seed: bool,
}

/// Adds `more` to the small sorted set `into` (the splits or events a value derives from),
/// capped at eight so a pathological file stays linear.
pub fn merge_capped<I: Ord + Copy>(into: &mut Vec<I>, more: &[I]) {
    for &id in more {
        if into.len() >= 8 {
            return;
        }
        if let Err(at) = into.binary_search(&id) {
            into.insert(at, id);
        }
    }
}

/// An ML-relevant thing that happened, in execution order.
#[derive(Debug, Clone)]
pub enum Event {
    /// `est.fit(x, y)`, `est.fit_transform(x)`, `est.fit_resample(x, y)`.
    Fit {
        estimator: ValueId,
        x: Option<ValueId>,
        y: Option<ValueId>,
        /// What `fit_transform`/`fit_predict`/`fit_resample` returned.
        output: Option<ValueId>,
        method: FitMethod,
        /// The source text of the x argument, for messages.
        x_text: String,
        /// The keyword arguments (`eval_set=`, `validation_data=`, `callbacks=`, ...).
        keywords: Vec<(String, ValueId)>,
        span: Span,
        scope: ScopeId,
    },
    /// `est.transform(input)` (also the transform half of `fit_transform`).
    Transform {
        estimator: ValueId,
        input: ValueId,
        output: ValueId,
        span: Span,
        scope: ScopeId,
    },
    /// `est.predict(input)`, `est.score(input, y)`, `est.predict_proba(input)`, ...
    Predict {
        estimator: ValueId,
        input: ValueId,
        /// The y of `score(X, y)` / `evaluate(X, y)`.
        truth: Option<ValueId>,
        /// What it returned.
        output: ValueId,
        method: PredictMethod,
        span: Span,
        scope: ScopeId,
    },
    /// A metric computed from values: `sklearn.metrics.*(y_true, y_pred)`.
    Metric {
        function: String,
        args: Vec<ValueId>,
        /// What it returned (the score, the curve).
        output: ValueId,
        span: Span,
        scope: ScopeId,
    },
    /// `cross_val_score(est, X, y)`, `cross_validate`, `cross_val_predict`,
    /// `permutation_test_score`, `learning_curve`, `validation_curve`.
    CrossVal {
        function: String,
        estimator: ValueId,
        x: Option<ValueId>,
        y: Option<ValueId>,
        output: ValueId,
        /// The source text of the X argument (the second, or `X=`), for messages.
        x_text: Option<String>,
        span: Span,
        scope: ScopeId,
    },
    /// Data written to a file: `df.to_csv(path)`, `np.save(path, a)`.
    Write {
        value: ValueId,
        path: ValueId,
        method: String,
        span: Span,
        scope: ScopeId,
    },
    /// `train_test_split(a, b, ...)`: each input yields a train and a test part.
    Split {
        id: SplitId,
        inputs: Vec<ValueId>,
        outputs: Vec<ValueId>,
        function: String,
        span: Span,
        scope: ScopeId,
    },
    /// A comparison `left OP right` (one event per operator pair).
    Compare {
        left: ValueId,
        right: ValueId,
        op: String,
        /// An ordering comparison (`<`, `<=`, `>`, `>=`) that sits in an `assert`; false for
        /// other operators.
        in_assert: bool,
        /// For an ordering comparison, the names its number operands are assigned to, when
        /// each is the right side of a simple assignment to a name (`THRESH = 0.35`); None
        /// for other operands and operators.
        constants: [Option<String>; 2],
        span: Span,
        scope: ScopeId,
    },
    /// A call that seeds global random number generators.
    Seed {
        rngs: &'static [Rng],
        span: Span,
        scope: ScopeId,
    },
    /// A call that draws from a global random number generator.
    Draw {
        rng: Rng,
        function: String,
        /// The call is given a generator or seed of its own (`generator=g`, `seed=1`), so it
        /// does not draw from the global one.
        own_generator: bool,
        span: Span,
        scope: ScopeId,
    },
    /// A call with a `random_state`-like argument that is absent or None: which call, and
    /// whether its randomness is only when shuffling.
    UnseededCall {
        function: String,
        span: Span,
        scope: ScopeId,
        value: ValueId,
        /// The calls whose arguments hold this one, innermost first.
        wrappers: Vec<Wrapper>,
        /// It says whether it shuffles with something other than a literal `True`.
        shuffle_unknown: bool,
    },
    /// A string literal that looks like a filesystem path, in a data position (a call
    /// argument other than messages, an assignment, a default).
    PathLiteral {
        text: String,
        span: Span,
        /// The function it is passed to, when it is a call argument.
        callee: Option<String>,
        /// It is an argument of a decorator's call (`@app.get("/home/<user>")`).
        in_decorator: bool,
    },
    // ----- PyTorch (built by build/torch.rs) -----
    //
    // `site` is set on events replayed at the call of a function of this file: the event
    // happened inside the function (at `span`), on the argument or module the call passes.
    // `name` is always as written at `span`.
    /// `model.eval()`, `model.train()`, `model.train(False)`; `Mode::Unknown` when something
    /// the analysis cannot follow may switch the module (it is passed to an unknown function,
    /// one of its submodules is switched, `model.apply(fn)`).
    ModuleMode {
        module: ValueId,
        mode: Mode,
        /// The module as written at the switch (`model`).
        name: String,
        span: Span,
        scope: ScopeId,
        block: BlockId,
        site: Option<Site>,
    },
    /// `model(x)` or `model.forward(x)`.
    ModuleCall {
        module: ValueId,
        output: ValueId,
        /// The module as written at the call.
        name: String,
        /// Why this call is inference, if it is.
        inference: Option<Inference>,
        /// The module was made in the scope of the call (or the call is at module level), so
        /// its mode on entry is known; false for a module of an enclosing scope used inside a
        /// function, whose mode depends on where the function is called.
        local: bool,
        span: Span,
        scope: ScopeId,
        block: BlockId,
        site: Option<Site>,
    },
    /// `loss.backward()`, `scaler.scale(loss).backward()`, `torch.autograd.backward(loss)`.
    Backward {
        loss: ValueId,
        span: Span,
        scope: ScopeId,
        block: BlockId,
        site: Option<Site>,
    },
    /// `optimizer.step()` (also `scaler.step(optimizer)`). `receiver` is the value the step
    /// was called on; `optimizer` is the optimizer it is known to be (the argument passed for a
    /// function parameter), or `receiver` when unknown.
    OptimizerStep {
        optimizer: ValueId,
        receiver: ValueId,
        /// The optimizer as written at the step.
        name: String,
        span: Span,
        scope: ScopeId,
        block: BlockId,
        site: Option<Site>,
    },
    /// `optimizer.zero_grad()`, `model.zero_grad()`, `p.grad = None`, `p.grad.zero_()`.
    /// Not `certain` when `target` is passed to a function the analysis cannot see, which may
    /// reset its gradients.
    GradReset {
        target: ValueId,
        certain: bool,
        span: Span,
        scope: ScopeId,
        block: BlockId,
        site: Option<Site>,
    },
}

/// The call of a function of this file that an event inside it is replayed at.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub span: Span,
    /// The module (or optimizer) the event acts on, as the call passes it (`clf` in
    /// `evaluate(clf, loader)`).
    pub name: String,
}

/// A module's mode, as a switch sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Train,
    Eval,
    /// May have changed; to what, the analysis cannot tell.
    Unknown,
}

/// Why a module call is inference.
#[derive(Debug, Clone, PartialEq)]
pub enum Inference {
    /// Inside `with torch.no_grad():` (`inference_mode`, `set_grad_enabled(False)`) or a
    /// function decorated with one: the manager as written, and the `with` or decorator.
    NoGrad { manager: String, span: Span },
    /// In a function whose name says it evaluates or predicts (`evaluate`, `predict_batch`).
    Function { name: String, span: Span },
    /// The module's weights were loaded (`load_state_dict`, `torch.load`) at `span`.
    Loaded { span: Span },
}

id!(
    /// Index of a block in [`FileModel::blocks`].
    BlockId,
    Block
);

impl BlockId {
    /// The module's block.
    pub const MODULE: BlockId = BlockId(0);
}

/// What kind of statement block a [`Block`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// The module (block 0) or a function body.
    Body,
    /// The body of a `for` or `while` loop.
    Loop,
    /// A branch: the body of an `if`, `elif`, `else`, `except` or `case`.
    Branch,
}

/// A block of statements that events happen in; blocks nest.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    pub parent: Option<BlockId>,
    pub span: Span,
}

/// What an artifact or data call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoOp {
    /// A model (or any object) saved: `joblib.dump`, `torch.save`, `model.save`,
    /// `mlflow.sklearn.log_model`.
    Save,
    /// A model loaded: `joblib.load`, `mlflow.pyfunc.load_model`, `keras.models.load_model`.
    Load,
    /// Data written: `df.to_csv`, `np.save`.
    Write,
    /// Data read: `pd.read_csv`, `np.load`.
    Read,
}

/// One artifact or data call, with its path folded from constants where it can be.
#[derive(Debug, Clone)]
pub struct Io {
    pub op: IoOp,
    /// The function or method (`joblib.dump`, `to_parquet`, `<model>.save`).
    pub function: String,
    /// What was saved or written; what was loaded or read.
    pub value: ValueId,
    /// The path, `*` standing for the parts that cannot be known (`*/models/churn.pkl`);
    /// MLflow references as `models:/NAME` or `runs:/*/ARTIFACT`. None when unknown.
    pub path: Option<String>,
    /// The call's source text (shortened).
    pub text: String,
    pub span: Span,
    pub scope: ScopeId,
}

/// One join of two frames: `left.merge(right, on=...)`, `pd.merge(left, right, ...)`,
/// `left.join(right, on=...)`, `pd.merge_asof(...)`.
#[derive(Debug, Clone)]
pub struct Join {
    pub left: ValueId,
    pub right: ValueId,
    /// The joined frame.
    pub output: ValueId,
    /// The key columns named by `on`, `left_on`, `right_on` and `by`; None when they cannot
    /// be read (a variable the analysis cannot follow, the index, the common columns).
    pub keys: Option<Vec<String>>,
    /// `merge_asof` / `merge_ordered`: each row matched with the latest row before it.
    pub as_of: bool,
    pub span: Span,
    pub scope: ScopeId,
}

/// A frame read from a database or warehouse by a query (`pd.read_sql`, `pd.read_gbq`,
/// `spark.sql`, `pd.read_sql_table`).
#[derive(Debug, Clone)]
pub struct WarehouseRead {
    /// What the read returned.
    pub value: ValueId,
    /// The function (`pandas.read_sql`, `spark.sql`).
    pub function: String,
    /// The query, when it is a string literal (or a name bound to one).
    pub query: Option<String>,
    /// It reads a whole table as it is now: `read_sql_table`, or `SELECT * FROM table`.
    pub whole_table: bool,
    /// The columns the query names, when it lists them (`SELECT a, b AS c FROM t`).
    pub columns: Option<Vec<String>>,
    pub span: Span,
}

/// The `average=` option of a metric call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Averaging {
    /// Not given: `"binary"` for `f1_score`, `precision_score`, `recall_score`.
    Default,
    /// `average="binary"`.
    Binary,
    /// Another literal (`"macro"`, `"weighted"`, `None`).
    Other,
    /// A value the analysis cannot read, or a `**` splat.
    Unknown,
}

/// How one Metric event averages over classes.
#[derive(Debug, Clone, Copy)]
pub struct MetricAverage {
    pub event: usize,
    pub averaging: Averaging,
}

/// A notebook's module-scope names, in the order Restart & Run All meets them
/// (build/names.rs): what NB002 and NB004 read.
#[derive(Debug, Default, Clone)]
pub struct ModuleNames {
    /// The names, interned: events hold their index.
    pub names: Vec<String>,
    /// Bindings, reads that run at once, sure deletions and opaque points, in order.
    pub events: Vec<NameEvent>,
    /// Names that may exist at any point: those a function declares `global` (module names
    /// once it is called) and list-comprehension variables (Python 2 leaks them).
    pub maybe_defined: Vec<u32>,
    /// Import statements outside function and class bodies, in order.
    pub imports: Vec<Span>,
    /// The top-level statements (comments aside), and whether each is an import.
    pub statements: Vec<(Span, bool)>,
    /// The pass stopped descending somewhere (nesting too deep): names may be missing.
    pub incomplete: bool,
}

/// One step of [`ModuleNames::events`]; the `u32` is an index into [`ModuleNames::names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameEvent {
    Bind(u32, Span),
    /// A read that runs when its statement does (not one in a function body or lambda), and
    /// is not guarded by a `try` with handlers.
    Read(u32, Span),
    /// `del x` that surely runs (not in a branch or loop).
    Delete(u32, Span),
    /// From here on, any name may exist: `from m import *`, `exec`, `globals()`, `%run`.
    Opaque(Span),
}

impl ModuleNames {
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }
}

/// What the reproducibility rules read (build/repro.rs): sites in source order.
#[derive(Debug, Default)]
pub struct ReproFacts {
    /// Work put on a CUDA device: `.cuda()`, `.to("cuda")`, `torch.device("cuda" ...)`,
    /// `Trainer(accelerator="gpu")`.
    pub gpu: Vec<Span>,
    /// TensorFlow put on a GPU: `tf.device("/GPU:0")`, `set_memory_growth`.
    pub tf_gpu: Vec<Span>,
    /// Deterministic kernels requested: `torch.use_deterministic_algorithms(True)`,
    /// `cudnn.deterministic = True`, `Trainer(deterministic=True)`,
    /// `tf.config.experimental.enable_op_determinism()`, a call named for it.
    pub deterministic: Vec<Span>,
    /// `cudnn.benchmark = True`: picks kernels by timing, whatever `deterministic` says.
    pub benchmark: Vec<Span>,
    /// Lightning trainers built.
    pub trainers: Vec<Span>,
    /// The run's parameters, metrics or metadata recorded: a tracker's call (MLflow, W&B,
    /// ...), a sidecar JSON/YAML written, a function named for it (`save_metadata`).
    pub metadata: Vec<Span>,
    /// Model saves inside a loop of their function body (checkpoints).
    pub looped_saves: Vec<Span>,
    /// The version of the data recorded or pinned: `mlflow.log_input`, a `log_param` whose
    /// key names the data, `dvc.api` reads, Delta's `versionAsOf`, a hash of the data
    /// (`hashlib`), a W&B artifact used.
    pub data_versions: Vec<Span>,
}

/// A value added to a running total or a list in a file that imports PyTorch:
/// `total += loss`, `total += loss * n`, `losses.append(loss)` (API004).
#[derive(Debug, Clone)]
pub struct Accumulation {
    /// The total or the list, as written.
    pub target: String,
    /// `target.append(...)` rather than `target += ...`.
    pub append: bool,
    /// What is added: the value itself, or, when `scaled`, the product or quotient of it.
    pub value: ValueId,
    /// The added expression multiplies or divides a name (`loss * x.size(0)`): `value` is
    /// derived from the operands.
    pub scaled: bool,
    /// The added expression, shortened.
    pub text: String,
    pub span: Span,
    pub scope: ScopeId,
    pub block: BlockId,
}

/// The facts API004 (memory-not-freed) reads.
#[derive(Debug, Default)]
pub struct MemoryFacts {
    /// Values added to running totals and lists, in files that import PyTorch.
    pub accumulations: Vec<Accumulation>,
    /// The spans of `for` and `while` statements, in order.
    pub loops: Vec<Span>,
    /// Calls that clear Keras' global state (`clear_session`, `reset_default_graph`), with
    /// the scope they are in.
    pub session_resets: Vec<(Span, ScopeId)>,
}

/// Raw tabular data (build/scaling.rs).
#[derive(Debug, Default)]
pub struct RawData {
    /// Values read from a tabular file, or made from one by operations that keep values.
    pub raw: std::collections::HashSet<ValueId>,
    /// Values changed in place (`X[cols] = ...`, `X.loc[...] = ...`, `X.attr = ...`) while
    /// bound to a name: whatever they held before, they may hold anything now.
    pub mutated: std::collections::HashSet<ValueId>,
}

/// What a file's analysis produced.
#[derive(Debug, Default)]
pub struct FileModel {
    pub values: Vec<Value>,
    pub events: Vec<Event>,
    /// For each event, when it was replayed from the body of a function defined in the file
    /// at a call of that function: (the call's span, the event in the body it repeats).
    pub replayed: Vec<Option<(Span, usize)>>,
    pub facts: Vec<Fact>,
    /// Splits by id (the `split` of Split events and parts).
    pub splits: Vec<Split>,
    /// Composite estimators that pass only some columns to their model (a column transformer
    /// that drops the remainder, or a pipeline that starts with one): the names, or None when
    /// they cannot be read. An estimator not listed passes every column.
    pub column_selections: Vec<(ValueId, Option<Vec<String>>)>,
    /// Module-level statements that may change the program's state (bind or change a name,
    /// fit, write): everything but imports, bare names and display calls (`df.head()`,
    /// `print(x)`, `plt.show()`). In order.
    pub state_changes: Vec<Span>,
    /// Module-level statements that only show something (a bare name, `df.head()`,
    /// `plt.show()`): their output depends on the state, they change none. In order. A
    /// notebook cell with neither these nor state changes (imports, shell commands) re-runs
    /// harmlessly.
    pub displays: Vec<Span>,
    /// The estimators a composite was built from (pipeline steps, a search's estimator, an
    /// ensemble's members), by the composite, in argument order.
    pub composite_members: Vec<(ValueId, Vec<ValueId>)>,
    /// Hyperparameter searches whose grid sets the seed of what they wrap.
    pub seeding_searches: Vec<ValueId>,
    /// Models fitted with their input as their target (`autoencoder.fit(X, X)`).
    pub autoencoders: Vec<ValueId>,
    /// Values made by gluing the rows of two or more frames or arrays together
    /// (`pd.concat([train, test])`, `np.vstack((X, X_test))`).
    pub row_concats: Vec<ValueId>,
    /// The `cv=` argument of cross-validation calls: (the CrossVal event, the value given).
    pub cross_val_cv: Vec<(usize, ValueId)>,
    /// Columns known to hold dates or times: (column, where the evidence is, what it is).
    pub temporal: Vec<(String, Span, &'static str)>,
    /// Columns the code declares to be categories: `astype("category")`, LightGBM's
    /// `categorical_feature=`, CatBoost's `cat_features=`.
    pub categorical: Vec<String>,
    /// Functions defined in the file: name and definition span, by the id in `Kind::Function`.
    pub functions: Vec<(String, Span)>,
    /// Local name → qualified name, for every import seen.
    pub imports: Vec<(String, String)>,
    /// Spans of syntax errors (ERROR and MISSING nodes) in the tree.
    pub syntax_errors: Vec<(Span, String)>,
    /// True when the analysis stopped descending somewhere (nesting too deep).
    pub truncated: bool,
    /// A `set_params` call seeds something the model cannot follow (a function parameter, a
    /// loop variable, a nested `step__random_state`, a `**` splat), so any estimator of the
    /// file may be seeded there.
    pub set_params_hides_seed: bool,
    /// Row changes, classes and model loads, for the chained-model rules ([`chain`]).
    pub chain: ChainFacts,
    /// The blocks PyTorch events happen in (`block` of those events); block 0 is the module.
    pub blocks: Vec<Block>,
    /// Names, selection constructs and early-stopping configurations.
    pub choices: Choices,
    /// Models saved and loaded, data written and read, in order.
    pub io: Vec<Io>,
    /// Calls whose function or method, defined in another module of the project, was read
    /// at the call (build/foreign.rs): the call's span, which everything made there takes,
    /// and what was called (`` `PredictPipeline.predict` in `src/pipeline/predict.py` ``).
    pub read_at: Vec<(Span, String)>,
    /// Joins of frames, in order.
    pub joins: Vec<Join>,
    /// Frames read from a database or warehouse, in order.
    pub warehouse_reads: Vec<WarehouseRead>,
    /// The columns a column transformer routes to each of its transformers: (the column
    /// transformer, the transformer, the columns).
    pub routed_columns: Vec<(ValueId, ValueId, Vec<String>)>,
    /// Secret-like literals, unsafe deserialisation and remote-code opt-ins (SEC rules).
    pub security: security::SecurityFacts,
    /// pandas objects, probabilities and the call shapes of the library misuse rules.
    pub misuse: misuse::Misuse,
    /// How each threshold metric call averages over classes (API015), by Metric event.
    pub metric_averages: Vec<MetricAverage>,
    /// Names bound to a model or a composite, with the value and the identifier's span, in
    /// order (DEAD003).
    pub model_bindings: Vec<(String, ValueId, Span)>,
    /// A notebook's module-scope names in execution order (empty for scripts).
    pub names: ModuleNames,
    /// GPU placement, determinism switches, run tracking and checkpoints (build/repro.rs).
    pub repro: ReproFacts,
    /// What API004 reads: accumulations of values, loops, resets of Keras' state.
    pub memory: MemoryFacts,
    /// Values that are raw tabular data read from a file (API014; build/scaling.rs); see
    /// [`FileModel::is_raw_data`].
    pub raw_data: RawData,
    /// [`FileModel::reaches_metric`], computed on first use.
    pub(crate) metric_reach: std::cell::OnceCell<Vec<bool>>,
    /// What [`FileModel::held_out_use`] needs, computed on first use.
    pub(crate) held_out: std::cell::OnceCell<held_out::HeldOutFacts>,
    /// [`FileModel::statistic_fits`] (event and held-out use), computed on first use.
    pub(crate) statistic_fits: std::cell::OnceCell<Vec<(usize, HeldOutUse)>>,
    /// For each value, whether it holds rows glued from several frames, computed on first use.
    pub(crate) glued: std::cell::OnceCell<Vec<bool>>,
    /// The estimators by the span of the call that built them, computed on first use.
    pub(crate) estimators_by_span: std::cell::OnceCell<std::collections::HashMap<Span, ValueId>>,
    /// Constant guards, toggles, comments and bare constructors, for the configuration-debt
    /// and dead-code rules.
    pub dead: dead::DeadFacts,
}

impl FileModel {
    pub fn value(&self, id: ValueId) -> &Value {
        &self.values[id]
    }

    /// The ids of the values, in arena order.
    pub fn value_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = ValueId> + ExactSizeIterator + use<> {
        (0..self.values.len()).map(ValueId::new)
    }

    /// The values with their ids, in arena order.
    pub fn values_with_ids(&self) -> impl Iterator<Item = (ValueId, &Value)> {
        self.value_ids().zip(&self.values)
    }

    /// The estimator a value is, if it is one.
    pub fn estimator(&self, id: ValueId) -> Option<&Estimator> {
        match &self.values[id].kind {
            Kind::Estimator(estimator) => Some(estimator),
            _ => None,
        }
    }

    /// True when `id` is, or was derived from, a value for which `target` holds.
    /// Walks the arena downwards with a visited set: linear in the values below `id`.
    pub fn derives_from(&self, id: ValueId, mut target: impl FnMut(ValueId) -> bool) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if current.index() >= self.values.len() || !seen.insert(current) {
                continue;
            }
            if target(current) {
                return true;
            }
            stack.extend(self.values[current].inputs.iter().copied());
        }
        false
    }

    /// True when `id` is raw tabular data as read from a file (build/scaling.rs), or one part
    /// of a split of such data.
    pub fn is_raw_data(&self, id: ValueId) -> bool {
        let RawData { raw, mutated } = &self.raw_data;
        if mutated.contains(&id) {
            return false;
        }
        if raw.contains(&id) {
            return true;
        }
        let Some(value) = self.values.get(id.index()) else {
            return false;
        };
        matches!(value.kind, Kind::SplitPart { .. })
            && !value.inputs.is_empty()
            && value
                .inputs
                .iter()
                .all(|input| raw.contains(input) && !mutated.contains(input))
    }

    /// The PyTorch module a value is, if it is one: a [`Kind::TorchModule`], or a model read
    /// back by `torch.load` (which is a module when it is called).
    pub fn torch_module(&self, id: ValueId) -> Option<ModuleInfo<'_>> {
        match &self.values.get(id.index())?.kind {
            Kind::TorchModule(module) => Some(ModuleInfo {
                class: &module.class,
                mode_dependent: module.mode_dependent,
                loaded: false,
            }),
            Kind::Estimator(estimator) if crate::ml::is_torch_model_loader(&estimator.class) => {
                Some(ModuleInfo {
                    class: &estimator.class,
                    mode_dependent: None,
                    loaded: true,
                })
            }
            _ => None,
        }
    }

    /// True when block `inner` is `outer` or nested in it, in the same function body.
    pub fn block_within(&self, inner: BlockId, outer: BlockId) -> bool {
        let mut current = Some(inner);
        while let Some(block) = current {
            if block == outer {
                return true;
            }
            let Some(info) = self.blocks.get(block.index()) else {
                return false;
            };
            if info.kind == BlockKind::Body {
                return false;
            }
            current = info.parent;
        }
        false
    }

    /// The loops around a block in its function body, innermost first.
    pub fn loops_around(&self, block: BlockId) -> Vec<BlockId> {
        let mut loops = Vec::new();
        let mut current = Some(block);
        while let Some(id) = current {
            let Some(info) = self.blocks.get(id.index()) else {
                break;
            };
            match info.kind {
                BlockKind::Body => break,
                BlockKind::Loop => loops.push(id),
                BlockKind::Branch => {}
            }
            current = info.parent;
        }
        loops
    }

    /// True when `id` was derived from one side of a split.
    pub fn derives_from_split(&self, id: ValueId) -> bool {
        self.derives_from(id, |v| {
            matches!(self.values[v].kind, Kind::SplitPart { .. })
        })
    }

    pub fn fact(&self, id: FactId) -> &Fact {
        &self.facts[id]
    }

    /// The split parts `id` derives from, with their roles.
    pub fn split_parts_of(&self, id: ValueId) -> Vec<(ValueId, Role, SplitId)> {
        let mut parts = Vec::new();
        self.derives_from(id, |v| {
            if let Kind::SplitPart { role, split } = self.values[v].kind {
                parts.push((v, role, split));
            }
            false
        });
        parts
    }
}

#[cfg(test)]
mod frame_tests;
#[cfg(test)]
mod tests;
