//! analyze: the per-file semantic model. One traversal of the tree ([`build`]) records what
//! each name holds and the ML-relevant events in execution order; rules only read it.
//!
//! Values live in an arena and point at the values they were derived from; a value's inputs
//! always have smaller ids, so ancestry questions walk down the arena and never loop.
//! Unknown stays unknown: a value whose origin the model cannot follow carries no facts, and
//! rules need a positive fact to fire.

mod build;

use crate::finding::Span;
use crate::ml::{Category, Rng};

pub use build::build;

/// Index of a value in [`FileModel::values`].
pub type ValueId = usize;

/// The shared value of everything the analysis cannot follow (literals without facts,
/// lambdas, missing arguments): one value for all of them, so it says nothing about identity.
pub const UNKNOWN: ValueId = 0;

/// The side of a split a value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Test,
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
    SplitPart { role: Role, split: usize },
    /// What an estimator's predict-like method returned (kept through reshapes and slices).
    Output {
        estimator: ValueId,
        method: &'static str,
    },
    /// A random number generator object (`np.random.default_rng(0)`).
    Generator { seeded: bool },
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
}

impl Estimator {
    /// The class's own name, for messages.
    pub fn short_name(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }
}

/// One abstract value.
#[derive(Debug, Clone)]
pub struct Value {
    pub kind: Kind,
    /// The values it was derived from (all with smaller ids).
    pub inputs: Vec<ValueId>,
    /// Where it was made.
    pub span: Span,
}

/// A function scope: 0 is the module (or the notebook), others are function bodies.
pub type ScopeId = usize;

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
        method: String,
        /// The source text of the x argument, for messages.
        x_text: String,
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
        method: String,
        span: Span,
        scope: ScopeId,
    },
    /// `train_test_split(a, b, ...)`: each input yields a train and a test part.
    Split {
        id: usize,
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
    },
    /// A string literal that looks like a filesystem path, in a data position (a call
    /// argument other than messages, an assignment, a default).
    PathLiteral {
        text: String,
        span: Span,
        /// The function it is passed to, when it is a call argument.
        callee: Option<String>,
    },
}

/// What a file's analysis produced.
#[derive(Debug, Default)]
pub struct FileModel {
    pub values: Vec<Value>,
    pub events: Vec<Event>,
    /// Local name → qualified name, for every import seen.
    pub imports: Vec<(String, String)>,
    /// Spans of syntax errors (ERROR and MISSING nodes) in the tree.
    pub syntax_errors: Vec<(Span, String)>,
    /// True when the analysis stopped descending somewhere (nesting too deep).
    pub truncated: bool,
}

impl FileModel {
    pub fn value(&self, id: ValueId) -> &Value {
        &self.values[id]
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
            if current >= self.values.len() || !seen.insert(current) {
                continue;
            }
            if target(current) {
                return true;
            }
            stack.extend(self.values[current].inputs.iter().copied());
        }
        false
    }

    /// True when `id` was derived from one side of a split.
    pub fn derives_from_split(&self, id: ValueId) -> bool {
        self.derives_from(id, |v| {
            matches!(self.values[v].kind, Kind::SplitPart { .. })
        })
    }

    /// The split parts `id` derives from, with their roles.
    pub fn split_parts_of(&self, id: ValueId) -> Vec<(ValueId, Role, usize)> {
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
