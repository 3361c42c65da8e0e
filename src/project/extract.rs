//! Builds a file's [`FileSummary`] from its model and tree: one walk over the tree for what
//! the model does not record (decorators, classes, imports with their places, logging calls),
//! and reads of the model for trainings, artifacts and predictions.

use super::hints::Words;
use super::summary::*;
use crate::finding::Span;
use crate::ml::Category;
use crate::ml::monitoring::{DEPLOY_FUNCTIONS, DEPLOY_METHODS, DRIFT_LIBRARIES, DRIFT_STATISTICS};
use crate::ml::serving::OPAQUE_SOURCES;
use crate::model::{Event, FileModel, IoOp, Kind, Tag, ValueId};
use crate::source::SourceFile;
use crate::source::python::Syntax;
use std::collections::{HashMap, HashSet};
use thin_vec::ThinVec;
use tree_sitter::{Node, Tree};

/// Where each name is used other than by fitting and applying it, and where it is bound
/// (byte offsets, in order): see [`Extractor::escapes`].
type Escapes<'a> = (HashMap<&'a str, Vec<usize>>, HashMap<&'a str, Vec<usize>>);

/// See [`Extractor::sources`]. One word per value and set (most are empty): on a large file
/// these tables are as long as the value arena.
pub(super) struct Sources {
    pub(super) reads: Vec<Option<ThinVec<u32>>>,
    pub(super) fed: Vec<Option<ThinVec<u32>>>,
}

/// How many reads or transforms one value may derive from before the set is unknown.
const SOURCES_CAP: usize = 32;

/// How many values a walk of one training's ancestry may visit before it gives up (a very
/// long script where everything derives from everything): unknown then stays unknown.
const ANCESTRY_BUDGET: usize = 20_000;

/// Walks stop this deep: summaries only need the top levels of real code.
const MAX_DEPTH: usize = 200;

/// Words that show a file may run a notebook.
const RUNNER_HINTS: &[&str] = &["papermill", "nbconvert", "jupyter", "nbclient"];

/// The words of [`TEXT_WORDS`] that `serving/logging.rs` looks for (log sinks, middleware).
const SERVING_WORDS: &[&str] = &[
    "print(",
    ".to_csv(",
    ".to_parquet(",
    ".to_sql(",
    "middleware",
    "Middleware",
    "_request",
    "wsgi_app",
];

/// Words that show a file calls a drift statistic, a model registry or deployment, or a
/// data service the analysis cannot see.
const CALL_WORDS: &[&str] = &[
    "ks_2samp",
    "anderson_ksamp",
    "chisquare",
    "chi2_contingency",
    "wasserstein_distance",
    "energy_distance",
    "epps_singleton",
    "cramervonmises",
    "jensenshannon",
    "register_model",
    "build_docker",
    "get_deploy_client",
    "transition_model_version_stage",
    "set_registered_model_alias",
    "create_endpoint",
    "deploy(",
    "read_sql",
    "read_gbq",
    "requests.",
    "httpx.",
    "get_online_features",
    "get_dummies",
];

/// Every word the summary looks for in a file's text, searched in one pass.
pub(super) static TEXT_WORDS: Words = Words::new(&[CALL_WORDS, RUNNER_HINTS, SERVING_WORDS]);

/// What the run asks of the summaries beyond what every file yields.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The configuration declares serving entry points: also describe every top-level
    /// function that predicts (`FileSummary::candidates`), for the declarations to pick from.
    pub declared_entries: bool,
}

pub fn extract<'a>(
    file: &'a SourceFile,
    tree: &'a Tree,
    model: &'a FileModel,
    options: Options,
) -> FileSummary {
    let mut x = Extractor::new(file, tree, model, options);
    x.walk_top(tree.root_node());
    x.artifacts();
    x.trainings();
    x.link_saves();
    x.entries(tree.root_node());
    x.middleware(tree.root_node());
    x.http_functions();
    x.scoring();
    x.summary
}

pub(super) struct Extractor<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) model: &'a FileModel,
    pub(super) imports: HashMap<String, String>,
    pub(super) summary: FileSummary,
    /// Top-level functions by name (for the one level of calls a handler makes).
    pub(super) functions: HashMap<String, Node<'a>>,
    /// Every call, dict and subscript of the file in document order (see `nodes_in`).
    nodes: std::cell::OnceCell<Vec<Node<'a>>>,
    /// Describe every predicting top-level function too (see [`Options`]).
    pub(super) declared_entries: bool,
    /// See [`Extractor::saved_ancestry`], [`Extractor::transform_inputs`] and
    /// [`Extractor::escaping_names`].
    saved_ancestry: std::cell::OnceCell<Vec<HashSet<ValueId>>>,
    transform_inputs: std::cell::OnceCell<HashMap<ValueId, ValueId>>,
    stateful_transforms: std::cell::OnceCell<Vec<(ValueId, ValueId, Span)>>,
    sources: std::cell::OnceCell<Sources>,
    escaping: std::cell::OnceCell<Escapes<'a>>,
    /// The names holding a handler's request or prediction, while its bodies are scanned.
    pub(super) data_names: std::cell::RefCell<Vec<String>>,
    /// Which of [`TEXT_WORDS`] the file's text contains.
    pub(super) text_words: u64,
    /// The file names a notebook runner (papermill, nbconvert, jupyter, nbclient) somewhere.
    runs_notebooks: bool,
    /// The estimator value of each training, with its index.
    training_values: Vec<(ValueId, usize)>,
    root: Node<'a>,
}

impl<'a> Extractor<'a> {
    /// An extractor of the file's summary, nothing read yet.
    pub(super) fn new(
        file: &'a SourceFile,
        tree: &'a Tree,
        model: &'a FileModel,
        options: Options,
    ) -> Self {
        Extractor {
            file,
            model,
            imports: model.imports.iter().cloned().collect(),
            summary: FileSummary {
                path: file.display.clone(),
                notebook: file.is_notebook(),
                test: file.is_test_module(),
                imports: model.imports.clone(),
                ..FileSummary::default()
            },
            functions: HashMap::new(),
            nodes: std::cell::OnceCell::new(),
            declared_entries: options.declared_entries,
            runs_notebooks: false,
            text_words: 0,
            data_names: std::cell::RefCell::new(Vec::new()),
            saved_ancestry: std::cell::OnceCell::new(),
            transform_inputs: std::cell::OnceCell::new(),
            stateful_transforms: std::cell::OnceCell::new(),
            sources: std::cell::OnceCell::new(),
            escaping: std::cell::OnceCell::new(),
            training_values: Vec::new(),
            root: tree.root_node(),
        }
    }

    pub(super) fn place(&self, span: Span) -> Place {
        Place {
            span,
            start: self.file.locate(span.start),
        }
    }

    pub(super) fn node_place(&self, node: Node) -> Place {
        self.place(Span::new(node.start_byte(), node.end_byte()))
    }

    pub(super) fn text(&self, node: Node) -> &'a str {
        self.file.text.get(node.byte_range()).unwrap_or("")
    }

    /// The qualified name of a dotted name as written (`pd.read_csv` → `pandas.read_csv`).
    pub(super) fn qualify(&self, text: &str) -> String {
        let (head, rest) = match text.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (text, None),
        };
        let base = self.imports.get(head).map_or(head, String::as_str);
        match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base.to_string(),
        }
    }

    // ----- one walk over the tree -----

    /// What the file declares at its top level (functions, request schemas, feature lists,
    /// imports), what its model says it produces, and the calls worth reading: only files
    /// that name one of the functions looked for are walked whole.
    fn walk_top(&mut self, root: Node<'a>) {
        let mut cursor = root.walk();
        let top: Vec<Node<'a>> = root.named_children(&mut cursor).collect();
        for node in top {
            let definition = match node.kind_name() {
                "decorated_definition" => node.field("definition"),
                _ => Some(node),
            };
            let Some(definition) = definition else {
                continue;
            };
            match definition.kind_name() {
                "function_definition" => {
                    if let Some(name) = definition.field("name") {
                        self.functions
                            .insert(self.text(name).to_string(), definition);
                        self.statistic_function(definition, self.text(name));
                    }
                }
                "class_definition" => {
                    let decorated = (node.kind_name() == "decorated_definition").then_some(node);
                    self.schema(definition, decorated)
                }
                "import_statement" | "import_from_statement" => self.import_evidence(definition),
                "expression_statement" => {
                    if let Some(assignment) = definition
                        .named_child(0)
                        .filter(|a| a.kind_name() == "assignment")
                    {
                        self.assignment(assignment, true);
                    }
                }
                _ => {}
            }
        }
        self.nested_imports();
        self.produced_by_model();
        // One pass over the text says which calls are worth reading the tree for.
        let found = TEXT_WORDS.found(&self.file.text);
        self.text_words = found;
        self.runs_notebooks = self.text_has(RUNNER_HINTS);
        if self.runs_notebooks || self.text_has(CALL_WORDS) {
            let calls: Vec<Node<'a>> = self
                .nodes()
                .iter()
                .copied()
                .filter(|n| n.kind_name() == "call")
                .collect();
            for call in calls {
                self.call(call);
            }
        }
        self.finish_walk();
    }

    /// Drift libraries imported inside functions (`def check(): from evidently import ...`),
    /// placed at their first mention.
    fn nested_imports(&mut self) {
        for (_, qualified) in &self.model.imports {
            let Some(library) = DRIFT_LIBRARIES.iter().find(|l| {
                qualified
                    .strip_prefix(**l)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }) else {
                continue;
            };
            if self.summary.monitoring.iter().any(|e| e.what == *library) {
                continue;
            }
            let top = library.split('.').next().unwrap_or(library);
            let at = self.file.text.find(top).unwrap_or(0);
            let place = self.place(Span::new(at, at + top.len()));
            self.summary.monitoring.push(Evidence {
                kind: EvidenceKind::Library,
                what: (*library).to_string(),
                place,
            });
        }
    }

    /// Columns the file's code assigns (`df["x"] = ...`, `assign(x=...)`), as the model
    /// recorded them on its frames.
    fn produced_by_model(&mut self) {
        // Frames share their column lists (`Rc`) from value to value: skip a list just seen.
        let mut last: *const crate::model::Columns = std::ptr::null();
        let mut assignments: HashSet<(usize, String)> = HashSet::new();
        for value in &self.model.values {
            let Some(columns) = &value.columns else {
                continue;
            };
            let ptr = std::rc::Rc::as_ptr(columns);
            if ptr == last {
                continue;
            }
            last = ptr;
            for column in &columns.known {
                if column.span.is_some() && !self.summary.produced_columns.contains(&column.name) {
                    self.summary.produced_columns.push(column.name.clone());
                }
                // A column is shared by every later version of its frame: read each
                // assignment once.
                if let Some(span) = column.span
                    && assignments.insert((span.start, column.name.clone()))
                    && let Some(produced) =
                        self.produced_expression(&column.name, span, column.value)
                {
                    self.summary.produced_expressions.push(produced);
                }
            }
        }
    }

    /// `df["age"] = <expression>` as the model recorded it: the expression normalized and
    /// the imported names it uses. None when the assignment is not in this file's text as a
    /// subscript assignment of the column (a column a helper of another module assigns).
    fn produced_expression(
        &self,
        name: &str,
        target: Span,
        value: ValueId,
    ) -> Option<ProducedColumn> {
        let left = self.file.text.get(target.start..target.end)?;
        let (frame, key) = left.trim().split_once('[')?;
        let frame = frame.trim();
        let key = key.trim().strip_suffix(']')?.trim();
        if !is_plain_name(frame) || string_literal(key).as_deref() != Some(name) {
            return None;
        }
        let value = self.model.values.get(value.index())?;
        // `target = value`, nothing else between them (not `+=`, not a chained assignment).
        let between = self.file.text.get(target.end..value.span.start)?;
        if between.trim() != "=" || value.span.start >= value.span.end {
            return None;
        }
        let text = self.file.text.get(value.span.start..value.span.end)?;
        let span = Span::new(target.start, value.span.end);
        let mut imported: Vec<String> = Vec::new();
        for word in words(text) {
            let head = word.split('.').next().unwrap_or(word);
            if self.imports.contains_key(head) {
                let qualified = self.qualify(word);
                if !imported.contains(&qualified) {
                    imported.push(qualified);
                }
            }
        }
        Some(ProducedColumn {
            name: name.to_string(),
            expression: normalize_expression(text, frame),
            imported,
            place: self.place(span),
        })
    }

    /// The calls in `node`'s subtree, from a walk of that subtree only (for bodies read
    /// without the whole file's index).
    pub(super) fn calls_under(&self, node: Node<'a>) -> Vec<Node<'a>> {
        if let Some(nodes) = self.nodes.get() {
            let (start, end) = (node.start_byte(), node.end_byte());
            let from = nodes.partition_point(|n| n.start_byte() < start);
            let to = nodes.partition_point(|n| n.start_byte() < end);
            return nodes[from..to.max(from)]
                .iter()
                .copied()
                .filter(|n| n.kind_name() == "call")
                .collect();
        }
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let mut depth = 0usize;
        loop {
            let current = cursor.node();
            if current.kind_name() == "call" {
                out.push(current);
            }
            if depth < MAX_DEPTH && cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                if depth == 0 {
                    return out;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                cursor.goto_parent();
                depth -= 1;
            }
        }
    }

    /// Every call, dict and subscript of the file in document order, walked once when first
    /// needed (most files never need it).
    pub(super) fn nodes(&self) -> &[Node<'a>] {
        self.nodes.get_or_init(|| {
            let mut out = Vec::new();
            let mut cursor = self.root.walk();
            let mut depth = 0usize;
            loop {
                let node = cursor.node();
                if matches!(node.kind_name(), "call" | "dictionary" | "subscript") {
                    out.push(node);
                }
                if depth < MAX_DEPTH && cursor.goto_first_child() {
                    depth += 1;
                    continue;
                }
                loop {
                    if cursor.goto_next_sibling() {
                        break;
                    }
                    if !cursor.goto_parent() {
                        return out;
                    }
                    depth -= 1;
                }
            }
        })
    }

    /// Whether the file's text contains one of `words` (each one of [`TEXT_WORDS`]).
    pub(super) fn text_has(&self, words: &[&str]) -> bool {
        words
            .iter()
            .any(|w| self.text_words & TEXT_WORDS.bit(w) != 0)
    }

    /// The calls, dicts and subscripts inside `node`, in document order (from the index the
    /// walk built, so handlers and helpers are not walked again).
    pub(super) fn nodes_in(&self, node: Node) -> &[Node<'a>] {
        let (start, end) = (node.start_byte(), node.end_byte());
        let nodes = self.nodes();
        let from = nodes.partition_point(|n| n.start_byte() < start);
        let to = nodes.partition_point(|n| n.start_byte() < end);
        &nodes[from..to.max(from)]
    }

    fn finish_walk(&mut self) {
        let mut seen = HashSet::new();
        self.summary
            .produced_columns
            .retain(|c| seen.insert(c.clone()));
        self.summary.produced_columns.sort();
    }

    fn import_evidence(&mut self, node: Node) {
        let text = self.text(node);
        let module = if node.kind_name() == "import_from_statement" {
            node.field("module_name").map(|n| self.text(n).to_string())
        } else {
            None
        };
        let mut names: Vec<String> = Vec::new();
        if let Some(module) = module {
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let inner = name.field("name").unwrap_or(name);
                names.push(format!("{module}.{}", self.text(inner)));
            }
            names.push(module);
        } else {
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let inner = name.field("name").unwrap_or(name);
                names.push(self.text(inner).to_string());
            }
        }
        self.prototype_import(node, &names);
        for name in &names {
            if let Some(distribution) = crate::ml::model_library(name)
                && !self
                    .summary
                    .ml_imports
                    .iter()
                    .any(|(d, _)| d == distribution)
            {
                let place = self.node_place(node);
                self.summary
                    .ml_imports
                    .push((distribution.to_string(), place));
            }
        }
        for name in names {
            if let Some(library) = DRIFT_LIBRARIES.iter().find(|l| {
                name.strip_prefix(**l)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            }) {
                if !self.summary.monitoring.iter().any(|e| e.what == *library) {
                    let place = self.node_place(node);
                    self.summary.monitoring.push(Evidence {
                        kind: EvidenceKind::Library,
                        what: (*library).to_string(),
                        place,
                    });
                }
                break;
            }
        }
        let _ = text;
    }

    fn call(&mut self, node: Node) {
        let Some(function) = node.field("function") else {
            return;
        };
        let callee = self.text(function);
        if callee.len() > 120 {
            return;
        }
        let last = callee.rsplit('.').next().unwrap_or(callee);
        // `pd.get_dummies(df, columns=["color"])`: encoded columns.
        if last == "get_dummies" {
            self.dummies(node);
            return;
        }
        // `df.assign(tenure_days=...)`: produced columns.
        if last == "assign" && function.kind_name() == "attribute" {
            self.assigned_columns(node);
            return;
        }
        // Most calls are none of the functions looked for here: decide by the last name
        // before building the qualified one.
        let interesting = |table: &[&str]| table.iter().any(|q| q.rsplit('.').next() == Some(last));
        let runs_notebooks = self.runs_notebooks
            && (last == "execute_notebook"
                || matches!(
                    last,
                    "run" | "call" | "Popen" | "system" | "check_call" | "check_output"
                ));
        if !(interesting(DRIFT_STATISTICS)
            || interesting(DEPLOY_FUNCTIONS)
            || DEPLOY_METHODS.contains(&last)
            || interesting(OPAQUE_SOURCES)
            || last == "get_online_features"
            || runs_notebooks)
        {
            return;
        }
        let qualified = self.qualify(callee);
        if DRIFT_STATISTICS.contains(&qualified.as_str()) {
            let place = self.node_place(node);
            self.summary.monitoring.push(Evidence {
                kind: EvidenceKind::Statistic,
                what: qualified.clone(),
                place,
            });
        }
        if DEPLOY_FUNCTIONS.contains(&qualified.as_str())
            || (function.kind_name() == "attribute"
                && function
                    .field("attribute")
                    .is_some_and(|a| DEPLOY_METHODS.contains(&self.text(a)))
                && (qualified.starts_with("mlflow")
                    || qualified.starts_with("sagemaker")
                    || self.uses_module(&[
                        "mlflow",
                        "sagemaker",
                        "azureml",
                        "azure.ai.ml",
                        "google.cloud.aiplatform",
                    ])))
        {
            let place = self.node_place(node);
            self.summary.deployments.push(Deployment {
                function: qualified.clone(),
                place,
            });
        }
        if runs_notebooks {
            self.executed_notebooks(node, &qualified);
        }
        if OPAQUE_SOURCES.contains(&qualified.as_str()) || callee.ends_with("get_online_features") {
            self.summary.opaque_sources = true;
        }
    }

    /// The columns `pd.get_dummies` encodes: its `columns=` list (literal or a list constant
    /// of the file), else the columns selected in its data argument (`df[["a", "b"]]`); with
    /// the `prefix=` that names their dummy columns (a string, a list in the same order, or
    /// a dict from column to prefix).
    fn dummies(&mut self, node: Node) {
        let Some(arguments) = node.field("arguments") else {
            return;
        };
        let mut cursor = arguments.walk();
        let args: Vec<Node> = arguments.named_children(&mut cursor).collect();
        let keyword = |name: &str| {
            args.iter()
                .filter(|a| a.kind_name() == "keyword_argument")
                .find(|a| a.field("name").is_some_and(|n| self.text(n) == name))
                .and_then(|a| a.field("value"))
        };
        let mut columns = keyword("columns")
            .map(|v| self.strings_of(v))
            .unwrap_or_default();
        if columns.is_empty()
            && let Some(data) = args.iter().find(|a| a.kind_name() != "keyword_argument")
            && data.kind_name() == "subscript"
            && let Some(selection) = data.field("subscript")
        {
            columns = self.strings_of(selection);
        }
        let mut pairs: Vec<(String, String)> =
            columns.iter().map(|c| (c.clone(), c.clone())).collect();
        // `pd.get_dummies(df)`: every text column of the frame, whichever they are.
        if columns.is_empty() && keyword("prefix").is_none() {
            pairs.push(("*".into(), "*".into()));
        }
        if let Some(prefix) = keyword("prefix") {
            match prefix.kind_name() {
                "dictionary" => {
                    let mut cursor = prefix.walk();
                    pairs = prefix
                        .named_children(&mut cursor)
                        .filter_map(|pair| {
                            let key = string_literal(self.text(pair.field("key")?))?;
                            let value = string_literal(self.text(pair.field("value")?))?;
                            Some((value, key))
                        })
                        .collect();
                }
                "string" if columns.len() == 1 => {
                    if let Some(p) = string_literal(self.text(prefix)) {
                        pairs = vec![(p, columns[0].clone())];
                    }
                }
                _ => {
                    let prefixes = self.strings_of(prefix);
                    if prefixes.len() == columns.len() {
                        pairs = prefixes.into_iter().zip(columns).collect();
                    }
                }
            }
        }
        for pair in pairs {
            if !self.summary.encoded_columns.contains(&pair) {
                self.summary.encoded_columns.push(pair);
            }
        }
    }

    /// The strings a list, tuple, dict (its values) or list constant of the file holds.
    fn strings_of(&self, node: Node) -> Vec<String> {
        match node.kind_name() {
            "string" => string_literal(self.text(node)).into_iter().collect(),
            "list" | "tuple" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .filter_map(|n| string_literal(self.text(n)))
                    .collect()
            }
            "dictionary" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .filter_map(|pair| pair.field("value"))
                    .filter_map(|n| string_literal(self.text(n)))
                    .collect()
            }
            "identifier" => {
                let name = self.text(node);
                self.summary
                    .feature_lists
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, list)| list.clone())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// The keyword names of `df.assign(tenure_days=...)`: columns the file produces.
    fn assigned_columns(&mut self, node: Node) {
        if let Some(arguments) = node.field("arguments") {
            let mut cursor = arguments.walk();
            for arg in arguments.named_children(&mut cursor) {
                if arg.kind_name() == "keyword_argument"
                    && let Some(name) = arg.field("name")
                {
                    self.summary
                        .produced_columns
                        .push(self.text(name).to_string());
                }
            }
        }
    }

    /// `papermill.execute_notebook("notebooks/train.ipynb", ...)`, or a subprocess running
    /// papermill, `jupyter nbconvert --execute` or `jupyter execute`: the `.ipynb` names in
    /// the call's string literals.
    fn executed_notebooks(&mut self, node: Node, qualified: &str) {
        let text = self.text(node);
        let runs = qualified.starts_with("papermill.")
            || qualified.ends_with("execute_notebook")
            || ["papermill", "nbconvert", "jupyter execute", "nbclient"]
                .iter()
                .any(|w| text.contains(w));
        if !runs {
            return;
        }
        let place = self.node_place(node);
        self.summary.prototype_uses.push((shortened(text), place));
        if !text.contains(".ipynb") {
            // `pm.execute_notebook(NOTEBOOK, ...)`: some notebook, the analysis cannot say
            // which.
            if qualified.ends_with("execute_notebook")
                && !self.summary.executed_notebooks.iter().any(|n| n == "*")
            {
                self.summary.executed_notebooks.push("*".to_string());
            }
            return;
        }
        for token in text.split(['"', '\'', ' ', ',', '(', ')', '[', ']']) {
            if token.ends_with(".ipynb")
                && !self.summary.executed_notebooks.iter().any(|n| n == token)
            {
                self.summary.executed_notebooks.push(token.to_string());
            }
        }
    }

    /// `THRESHOLD = 0.35`, `MODEL_PATH = "models/m.pkl"`, `RENAME = {"a": "b"}` at module
    /// level: a setting other modules may also write (CFG002).
    fn config_constant(&mut self, node: Node, left: Node) {
        let name = self.text(left);
        let upper = name.chars().any(|c| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if left.kind_name() != "identifier" || !upper {
            return;
        }
        let Some(right) = node.field("right") else {
            return;
        };
        let Some(value) = setting_value(right, self.file.text.as_str()) else {
            return;
        };
        let place = self.node_place(node);
        self.summary
            .config_constants
            .push((name.to_string(), value, place));
    }

    /// An import of a prototype folder or module, or of a notebook importer (DEAD005).
    fn prototype_import(&mut self, node: Node, names: &[String]) {
        let prototype = names.iter().any(|name| {
            name.split('.').any(|part| {
                matches!(
                    part,
                    "notebooks"
                        | "sandbox"
                        | "scratch"
                        | "experiments"
                        | "import_ipynb"
                        | "nbimporter"
                ) || part.starts_with("prototype")
            })
        });
        if prototype {
            let place = self.node_place(node);
            let text = shortened(self.text(node));
            self.summary.prototype_uses.push((text, place));
        }
    }

    pub(super) fn uses_module(&self, modules: &[&str]) -> bool {
        self.imports.values().any(|q| {
            modules.iter().any(|m| {
                q.strip_prefix(m)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
        })
    }

    fn assignment(&mut self, node: Node, top_level: bool) {
        let Some(left) = node.field("left") else {
            return;
        };
        if top_level {
            self.config_constant(node, left);
        }
        // `df["x"] = ...`: a produced column.
        if left.kind_name() == "subscript"
            && let Some(key) = left.field("subscript")
            && let Some(name) = string_literal(self.text(key))
        {
            self.summary.produced_columns.push(name);
        }
        // `FEATURES = ["a", "b"]` at module level: an exported feature list.
        if top_level
            && left.kind_name() == "identifier"
            && let Some(right) = node.field("right")
            && matches!(right.kind_name(), "list" | "tuple")
        {
            let name = self.text(left);
            if name.chars().any(|c| c.is_ascii_uppercase())
                && !name.chars().any(|c| c.is_ascii_lowercase())
            {
                let mut items = Vec::new();
                let mut cursor = right.walk();
                for item in right.named_children(&mut cursor) {
                    match string_literal(self.text(item)) {
                        Some(s) => items.push(s),
                        None if item.kind_name() == "comment" => {}
                        None => return,
                    }
                }
                if !items.is_empty() {
                    self.summary.feature_lists.push((name.to_string(), items));
                    let place = self.node_place(node);
                    self.summary.feature_list_places.push(place);
                }
            }
        }
    }

    /// A class that describes a request: pydantic, dataclass, TypedDict, NamedTuple,
    /// marshmallow.
    fn schema(&mut self, node: Node, decorated: Option<Node>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let bases: Vec<String> = node
            .field("superclasses")
            .map(|s| {
                let mut cursor = s.walk();
                s.named_children(&mut cursor)
                    .map(|b| self.qualify(self.text(b)))
                    .collect()
            })
            .unwrap_or_default();
        // The decorators are the text between the decorated definition's start and the
        // class keyword.
        let decorated_dataclass = decorated.is_some_and(|d| {
            let decorators = self
                .file
                .text
                .get(d.start_byte()..node.start_byte())
                .unwrap_or("");
            decorators.contains("@dataclass")
                || decorators.contains("@dataclasses.dataclass")
                || decorators.contains("@pydantic.dataclasses")
        });
        let is_schema = decorated_dataclass
            || bases.iter().any(|b| {
                b.ends_with("BaseModel")
                    || b.ends_with("TypedDict")
                    || b.ends_with("NamedTuple")
                    || b.starts_with("marshmallow")
                    || b.ends_with("Schema")
                    || b == "BaseSettings"
            });
        if !is_schema {
            return;
        }
        let mut fields = Vec::new();
        let mut vector = false;
        if let Some(body) = node.field("body") {
            let mut cursor = body.walk();
            for statement in body.named_children(&mut cursor) {
                let Some(assignment) = statement.named_child(0) else {
                    continue;
                };
                if assignment.kind_name() != "assignment" {
                    continue;
                }
                if let Some(left) = assignment.field("left")
                    && left.kind_name() == "identifier"
                {
                    let field = self.text(left);
                    if !field.starts_with('_') && field != "model_config" && field != "Config" {
                        fields.push(field.to_string());
                        // `features: List[float]`: the request carries a vector, and the
                        // field's name is not a feature name.
                        let annotation = assignment.field("type").map_or("", |t| self.text(t));
                        if is_sequence_annotation(annotation) {
                            vector = true;
                        }
                    }
                }
            }
        }
        self.summary.schemas.push(Schema {
            vector,
            name: self.text(name).to_string(),
            fields,
        });
    }

    /// `def psi(expected, actual)` that bins data: a hand-rolled drift statistic.
    fn statistic_function(&mut self, node: Node, name: &str) {
        let lower = name.to_ascii_lowercase();
        let named = [
            "psi",
            "population_stability",
            "drift",
            "kl_div",
            "js_div",
            "hellinger",
            "jensen_shannon",
        ]
        .iter()
        .any(|k| {
            lower == *k
                || lower.contains(k) && (lower.starts_with(k) || lower.contains(&format!("_{k}")))
        });
        if !named {
            return;
        }
        let body = self.text(node);
        let bins = [
            "histogram",
            "pd.cut",
            "qcut",
            "percentile",
            "quantile",
            "value_counts",
            "bins",
        ]
        .iter()
        .any(|b| body.contains(b));
        let compares = [
            "log(",
            "log1p",
            "ks_2samp",
            "wasserstein",
            "entropy",
            "sqrt",
            "abs(",
        ]
        .iter()
        .any(|b| body.contains(b));
        if bins && compares {
            let place = node
                .field("name")
                .map_or_else(|| self.node_place(node), |n| self.node_place(n));
            self.summary.monitoring.push(Evidence {
                kind: EvidenceKind::Statistic,
                what: format!("{name}()"),
                place,
            });
        }
    }

    // ----- from the model -----

    /// The model inside a composite or a search: the last model among the values a
    /// `Pipeline` or `GridSearchCV` was built from (`LogisticRegression` in
    /// `Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])`). None for
    /// a plain model, and when no model is seen among them.
    fn inner_model(&self, estimator: ValueId) -> Option<String> {
        if self.model.estimator(estimator)?.category != Category::Composite {
            return None;
        }
        self.model
            .composite_models(estimator)?
            .into_iter()
            .filter_map(|model| {
                let inner = self.model.estimator(model)?;
                let name = inner.short_name();
                (!name.is_empty()).then(|| (self.model.values[model].span.start, name))
            })
            .max_by_key(|&(start, _)| start)
            .map(|(_, name)| name.to_string())
    }

    fn artifacts(&mut self) {
        self.summary.read_at = self
            .model
            .read_at
            .iter()
            .map(|(span, called)| (self.place(*span), called.clone()))
            .collect();
        for io in &self.model.io {
            let place = self.place(io.span);
            match io.op {
                IoOp::Save => {
                    let saved = self.saved_kind(io.value);
                    let unfitted = self.unfitted(io.value, io.span);
                    self.summary.saves.push(Save {
                        path: io.path.clone(),
                        function: io.function.clone(),
                        place,
                        saved,
                        training: None,
                        trainings: Vec::new(),
                        unfitted,
                        scope: io.scope.index() as u32,
                        opaque: matches!(
                            self.model.values[io.value].kind,
                            Kind::Unknown | Kind::Call { .. } | Kind::Param { .. }
                        ),
                    });
                }
                IoOp::Load => self.summary.loads.push(ArtifactUse {
                    path: io.path.clone(),
                    function: io.function.clone(),
                    place,
                    applied_to: Vec::new(),
                }),
                IoOp::Read => self.summary.reads.push(ArtifactUse {
                    path: io.path.clone(),
                    function: io.function.clone(),
                    place,
                    applied_to: Vec::new(),
                }),
                IoOp::Write => {
                    let (predictions, model, predicted_at) = self.predictions_in(io.value);
                    self.summary.writes.push(DataWrite {
                        path: io.path.clone(),
                        function: io.function.clone(),
                        place,
                        predictions,
                        model,
                        predicted_at,
                    });
                }
            }
        }
        self.loads_applied();
    }

    /// Which loaded models each loaded object is applied before (see
    /// [`ArtifactUse::applied_to`]): the loads whose value reaches the input of a prediction
    /// of another loaded model.
    fn loads_applied(&mut self) {
        let loads = self.io_values(IoOp::Load);
        if loads.len() < 2 {
            return;
        }
        for event in &self.model.events {
            let Event::Predict {
                estimator, input, ..
            } = event
            else {
                continue;
            };
            let Some(&(m, _)) = loads.iter().find(|(_, v)| {
                *v == *estimator || self.model.derives_from(*estimator, |x| x == *v)
            }) else {
                continue;
            };
            for &(l, value) in &loads {
                if l != m
                    && self.model.derives_from(*input, |x| x == value)
                    && !self.summary.loads[l].applied_to.contains(&m)
                {
                    self.summary.loads[l].applied_to.push(m);
                }
            }
        }
    }

    /// What a saved value is: a model, a fitted transformer, or something else. A model's
    /// weights (`model.state_dict()`, `model.get_weights()`, `model.get_booster()`) are the
    /// model.
    fn saved_kind(&self, value: ValueId) -> Saved {
        let of = |id: ValueId| match &self.model.values[id].kind {
            Kind::Estimator(e) if e.category.is_stateful_transformer() => Saved::Transformer,
            Kind::Estimator(e) if matches!(e.category, Category::Model | Category::Composite) => {
                Saved::Model
            }
            Kind::TorchModule(_) => Saved::Model,
            _ => Saved::Other,
        };
        let direct = of(value);
        if direct != Saved::Other || value == crate::model::UNKNOWN {
            return direct;
        }
        let made = self.model.values[value].span;
        let text = self.file.text.get(made.start..made.end).unwrap_or("");
        let weights = [".state_dict()", ".get_weights()", ".get_booster()"]
            .iter()
            .any(|m| text.trim_end().ends_with(m));
        if weights
            && self.model.values[value]
                .inputs
                .iter()
                .any(|&i| of(i) == Saved::Model)
        {
            return Saved::Model;
        }
        Saved::Other
    }

    /// The saved `value` when it is a model the file makes and never fits: no fit of it,
    /// not a member of a composite (a Pipeline fits its steps), and its name, while it holds
    /// this object, used only by fitting-free calls, by searches and cross-validation (which
    /// fit clones of it) and by the save itself. Anything else it is handed to may fit it.
    fn unfitted(&self, value: ValueId, save: Span) -> Option<Unfitted> {
        let estimator = self.model.estimator(value)?;
        if estimator.category != Category::Model || value == crate::model::UNKNOWN {
            return None;
        }
        let fitted = self.model.events.iter().any(|e| {
            matches!(e, Event::Fit { estimator, .. } | Event::CrossVal { estimator, .. }
                if *estimator == value)
        });
        let member = self
            .model
            .composite_members
            .iter()
            .any(|(composite, members)| {
                members.contains(&value)
                    && !self
                        .model
                        .estimator(*composite)
                        .is_some_and(|c| c.class.ends_with("SearchCV"))
            });
        if fitted || member {
            return None;
        }
        let made = self.model.values[value].span;
        // Made in a helper of another module, or somewhere the text does not show.
        if self.model.read_at.iter().any(|(at, _)| *at == made) {
            return None;
        }
        let name = self
            .file
            .text
            .get(save.start..save.end)
            .and_then(|t| t.split_once('('))
            .and_then(|(_, args)| args.split([',', ')']).next())
            .map(str::trim)
            .filter(|n| is_identifier(n))?;
        // Calls that fit clones of what they are given, not the object itself.
        let cloning: Vec<Span> = self
            .model
            .values
            .iter()
            .filter(|v| matches!(&v.kind, Kind::Estimator(e) if e.class.ends_with("SearchCV")))
            .map(|v| v.span)
            .collect();
        let within = |at: usize, span: &Span| span.start <= at && at < span.end;
        let handed_on = self
            .uses_while_bound(name, made.start)
            .into_iter()
            .any(|at| !within(at, &save) && !cloning.iter().any(|s| within(at, s)));
        if handed_on {
            return None;
        }
        Some(Unfitted {
            class: estimator.short_name().to_string(),
            name: name.to_string(),
            made: self.place(made),
        })
    }

    /// The columns of `value` that hold a model's predictions (`*` for the value itself).
    fn predictions_in(&self, value: ValueId) -> (Vec<String>, Option<String>, Option<Place>) {
        let mut names = Vec::new();
        let mut model = None;
        let mut at = None;
        for lineage in self.model.lineage(value) {
            if !matches!(lineage.fact.tag, Tag::ModelOut | Tag::LoadedOut) {
                continue;
            }
            let name = lineage.column.map_or("*".to_string(), |c| c.name.clone());
            if !names.contains(&name) {
                names.push(name);
            }
            if model.is_none() {
                model = self
                    .model
                    .estimator(lineage.fact.source)
                    .map(|e| e.short_name().to_string());
                at = Some(self.place(lineage.fact.span));
            }
        }
        if let Kind::Output { estimator, .. } = self.model.values[value].kind {
            names = vec!["*".into()];
            model = self
                .model
                .estimator(estimator)
                .map(|e| e.short_name().to_string());
            at = Some(self.place(self.model.values[value].span));
        }
        (names, model, at)
    }

    /// The calls of one kind of [`FileModel::io`] (saves, loads, ...), each with its index
    /// among that kind and its value.
    pub(super) fn io_values(&self, op: IoOp) -> Vec<(usize, ValueId)> {
        self.model
            .io
            .iter()
            .filter(|io| io.op == op)
            .enumerate()
            .map(|(i, io)| (i, io.value))
            .collect()
    }

    fn trainings(&mut self) {
        let load_values = self.io_values(IoOp::Load);
        let mut by_span: HashMap<Span, usize> = HashMap::new();
        for event in &self.model.events {
            let Event::Fit {
                estimator,
                x: Some(x),
                span,
                x_text,
                scope,
                ..
            } = event
            else {
                continue;
            };
            let Some(est) = self.model.estimator(*estimator) else {
                continue;
            };
            // A one-hot encoder's input columns are what its output columns encode.
            if est.short_name().ends_with("OneHotEncoder") || est.short_name() == "LabelBinarizer" {
                if let Some(columns) = self.model.columns(*x) {
                    for column in &columns.known {
                        let pair = (column.name.clone(), column.name.clone());
                        if !self.summary.encoded_columns.contains(&pair) {
                            self.summary.encoded_columns.push(pair);
                        }
                    }
                }
                continue;
            }
            let is_model = match est.category {
                Category::Model => true,
                Category::Composite => {
                    !est.class.ends_with("ColumnTransformer")
                        && !est.class.ends_with("make_column_transformer")
                        && !est.class.ends_with("FeatureUnion")
                        && !est.class.ends_with("make_union")
                }
                _ => false,
            };
            if !is_model {
                continue;
            }
            let columns = self.model.columns(self.before_transforms(*x));
            let known: Vec<TrainColumn> = columns
                .map(|c| {
                    c.known
                        .iter()
                        .map(|col| TrainColumn {
                            name: col.name.clone(),
                            how: (col.value != crate::model::UNKNOWN)
                                .then(|| self.snippet(self.model.values[col.value].span)),
                            place: col.span.map(|s| self.place(s)),
                            model_output: col.facts.iter().any(|&f| {
                                matches!(self.model.fact(f).tag, Tag::ModelOut | Tag::LoadedOut)
                            }),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let open = columns.is_none_or(|c| c.open);
            let dropped = columns.map(|c| c.dropped.clone()).unwrap_or_default();
            let reads: Vec<usize> = self.sources().reads[x.index()]
                .as_ref()
                .map(|set| set.iter().map(|&r| r as usize).collect())
                .unwrap_or_default();
            let mut loaded_outputs = Vec::new();
            for lineage in self.model.facts_tagged(*x, Tag::LoadedOut) {
                if let Some((i, _)) = load_values.iter().find(|(_, v)| *v == lineage.fact.source)
                    && !loaded_outputs.contains(i)
                {
                    loaded_outputs.push(*i);
                }
            }
            let unsaved_preprocessors = self.unsaved_preprocessors(*x);
            let training = Training {
                model: est.short_name().to_string(),
                inner: self.inner_model(*estimator),
                scope: scope.index() as u32,
                unsupervised: crate::ml::is_unsupervised_model(&est.class),
                place: self.place(*span),
                x_text: x_text.clone(),
                columns: known,
                open,
                dropped,
                reads,
                unsaved_preprocessors,
                loaded_outputs,
            };
            // A fit in a function is seen in the body and again at each call: keep the one
            // that knows the most columns.
            match by_span.get(span) {
                Some(&i) => {
                    if self.summary.trainings[i].columns.len() < training.columns.len() {
                        self.summary.trainings[i] = training;
                    }
                }
                None => {
                    by_span.insert(*span, self.summary.trainings.len());
                    self.summary.trainings.push(training);
                }
            }
            self.training_values.push((*estimator, by_span[span]));
        }
    }

    /// The matrix a model's X was transformed from, when X is a transformer's output with no
    /// columns of its own (`clf.fit(scaler.transform(X), y)` was fitted on the columns of X).
    fn before_transforms(&self, x: ValueId) -> ValueId {
        let mut current = x;
        for _ in 0..8 {
            if self.model.columns(current).is_some() {
                return current;
            }
            let transformed = self.transform_inputs().get(&current).copied();
            // A transformer's output, or a side of a split of one (`X_train` of
            // `train_test_split(scaler.fit_transform(X), y)`), holds the columns of its input.
            let input = transformed.or_else(|| {
                let value = &self.model.values[current];
                match (&value.kind, value.inputs.as_slice()) {
                    (Kind::SplitPart { .. }, [single]) => Some(*single),
                    _ => None,
                }
            });
            match input {
                Some(input) if input != crate::model::UNKNOWN => current = input,
                _ => return x,
            }
        }
        x
    }

    /// The input of each transform's output (computed once).
    fn transform_inputs(&self) -> &HashMap<ValueId, ValueId> {
        self.transform_inputs.get_or_init(|| {
            let mut map = HashMap::new();
            for event in &self.model.events {
                if let Event::Transform { input, output, .. } = event {
                    map.entry(*output).or_insert(*input);
                }
            }
            map
        })
    }

    /// Stateful transformers fitted in the file whose transform output reaches `x`, and that
    /// are not saved anywhere in the file. The object is followed, not its name: a name
    /// rebound to another transformer before a save ships that other one.
    fn unsaved_preprocessors(&self, x: ValueId) -> Vec<Preprocessor> {
        let Some(fed) = self.sources().fed[x.index()].as_ref() else {
            return Vec::new();
        };
        let mut out: Vec<Preprocessor> = Vec::new();
        let mut seen = HashSet::new();
        for &index in fed {
            let (estimator, _, transform_span) = &self.stateful_transforms()[index as usize];
            let Some(est) = self.model.estimator(*estimator) else {
                continue;
            };
            if !seen.insert(*estimator) {
                continue;
            }
            let shipped = self.saved_ancestry().iter().any(|a| a.contains(estimator));
            if shipped {
                continue;
            }
            let Some((mut name, span)) = self.fit_site(*estimator) else {
                continue;
            };
            // Fitted inside a helper of another module (the fit is placed at the call): the
            // helper's body is not this file's text, and what it does with the transformer
            // besides saving it (which the save at the call would show) is unknown here only
            // if it hands it back, which the saved ancestry above would then show too.
            if self.model.read_at.iter().any(|(at, _)| *at == span) {
                out.push(Preprocessor {
                    class: est.short_name().to_string(),
                    name: String::new(),
                    place: self.place(span),
                    rebound_save: None,
                });
                continue;
            }
            // Held by an attribute or a container (`self.scaler`, `encoders[col]`), or
            // passed on, returned, or its learned statistics read (`scaler.mean_` written to
            // a JSON file) while the name holds this object: it may well be shipped some way
            // the analysis cannot follow.
            if !name.contains('(') && (!is_identifier(&name) || self.escapes(&name, span.start)) {
                continue;
            }
            // `StandardScaler().fit(X)`: name it by the variable it is used through.
            if name.contains('(')
                && let Some(text) = self.file.text.get(transform_span.start..transform_span.end)
                && let Some((receiver, _)) = text.split_once(".transform")
                && !receiver.contains('(')
            {
                name = receiver.trim().to_string();
            }
            let rebound_save = self.rebound_save(&name, &est.class, *estimator);
            out.push(Preprocessor {
                class: est.short_name().to_string(),
                name,
                place: self.place(span),
                rebound_save,
            });
        }
        out
    }

    /// A save of another transformer of class `class` fitted through the same name `name`
    /// as `estimator`: the name was rebound before it was saved.
    fn rebound_save(&self, name: &str, class: &str, estimator: ValueId) -> Option<Place> {
        if !is_identifier(name) {
            return None;
        }
        self.model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Save)
            .find(|io| {
                let other = io.value;
                // The object as the save names it (`joblib.dump(scaler, ...)`).
                let written = self
                    .file
                    .text
                    .get(io.span.start..io.span.end)
                    .and_then(|t| t.split_once('('))
                    .and_then(|(_, args)| args.split([',', ')']).next())
                    .map(str::trim);
                other != estimator
                    && self
                        .model
                        .estimator(other)
                        .is_some_and(|e| e.class == class)
                    && written == Some(name)
            })
            .map(|io| self.place(io.span))
    }

    /// Whether the object bound to `name` at `at` is used other than by fitting and applying
    /// it: passed to a call, put in a container, returned, bound to another name, or its
    /// learned attributes read, between the binding that holds it at `at` and the next one.
    fn escapes(&self, name: &str, at: usize) -> bool {
        !self.uses_while_bound(name, at).is_empty()
    }

    /// Where `name` is used other than by fitting and applying it, between the binding that
    /// holds it at `at` and the next one.
    fn uses_while_bound(&self, name: &str, at: usize) -> Vec<usize> {
        let (uses, bindings) = self.escaping_names();
        let Some(uses) = uses.get(name) else {
            return Vec::new();
        };
        let binds = bindings.get(name).map(Vec::as_slice).unwrap_or_default();
        let from = binds.iter().rev().find(|&&b| b <= at).copied().unwrap_or(0);
        let to = binds
            .iter()
            .find(|&&b| b > at)
            .copied()
            .unwrap_or(usize::MAX);
        uses.iter()
            .copied()
            .filter(|&u| from <= u && u < to)
            .collect()
    }

    /// Every name used in the file other than by fitting and applying it (see
    /// [`Self::escapes`]): one walk with one cursor, which knows each node's field.
    fn escaping_names(&self) -> &Escapes<'a> {
        const APPLY: &[&str] = &[
            "fit",
            "transform",
            "fit_transform",
            "partial_fit",
            "inverse_transform",
            "adapt",
            "fit_on_texts",
            "texts_to_sequences",
            "texts_to_matrix",
            "get_feature_names_out",
            "get_feature_names",
            "set_output",
            "set_params",
            "get_params",
        ];
        self.escaping.get_or_init(|| {
            let mut out: HashMap<&'a str, Vec<usize>> = HashMap::new();
            let mut bound: HashMap<&'a str, Vec<usize>> = HashMap::new();
            let mut cursor = self.root.walk();
            // The kind of each ancestor of the current node, and the attribute name of an
            // `attribute` parent.
            let mut parents: Vec<(&str, Option<&'a str>)> = Vec::new();
            // The start of each enclosing function definition, innermost last.
            let mut functions: Vec<usize> = Vec::new();
            loop {
                let node = cursor.node();
                if node.kind_name() == "identifier" {
                    let field = cursor.field_name();
                    let binds = match parents.last() {
                        Some(("assignment" | "augmented_assignment", _)) => field == Some("left"),
                        Some(("pattern_list" | "tuple_pattern" | "list_pattern", _)) => true,
                        _ => false,
                    };
                    if binds && !functions.iter().any(|&f| f > 0) {
                        bound
                            .entry(self.text(node))
                            .or_default()
                            .push(node.start_byte());
                    }
                    let used = match parents.last() {
                        Some(("attribute", attribute)) if field == Some("object") => {
                            attribute.is_none_or(|a| !APPLY.contains(&a))
                        }
                        Some(("attribute", _)) => false,
                        Some(("assignment" | "augmented_assignment", _))
                            if field == Some("left") =>
                        {
                            false
                        }
                        Some(("pattern_list" | "tuple_pattern" | "list_pattern", _)) => false,
                        Some(("keyword_argument", _)) if field == Some("name") => false,
                        Some(("global_statement" | "nonlocal_statement" | "del_statement", _)) => {
                            false
                        }
                        None => false,
                        _ => true,
                    };
                    if used {
                        out.entry(self.text(node))
                            .or_default()
                            .push(node.start_byte());
                    }
                }
                if parents.len() < MAX_DEPTH && cursor.goto_first_child() {
                    let attribute = (node.kind_name() == "attribute")
                        .then(|| node.field("attribute").map(|a| self.text(a)))
                        .flatten();
                    parents.push((node.kind_name(), attribute));
                    functions.push(if node.kind_name() == "function_definition" {
                        node.start_byte().max(1)
                    } else {
                        0
                    });
                    continue;
                }
                loop {
                    if cursor.goto_next_sibling() {
                        break;
                    }
                    if !cursor.goto_parent() {
                        return (out, bound);
                    }
                    parents.pop();
                    functions.pop();
                }
            }
        })
    }

    /// For every value, which reads (indexes into the file's reads) and which stateful
    /// transforms (indexes into [`Self::stateful_transforms`], only through values that carry
    /// data, not predictions) it derives from: one forward pass over the arena, whose inputs
    /// always come first. A set that grows past [`SOURCES_CAP`] becomes unknown (None).
    pub(super) fn sources(&self) -> &Sources {
        self.sources.get_or_init(|| {
            let n = self.model.values.len();
            let mut reads: Vec<Option<ThinVec<u32>>> = vec![Some(ThinVec::new()); n];
            let mut fed: Vec<Option<ThinVec<u32>>> = vec![Some(ThinVec::new()); n];
            let read_of: HashMap<ValueId, u32> = self
                .io_values(IoOp::Read)
                .into_iter()
                .map(|(i, v)| (v, i as u32))
                .collect();
            let transform_of: HashMap<ValueId, u32> = self
                .stateful_transforms()
                .iter()
                .enumerate()
                .map(|(i, (_, output, _))| (*output, i as u32))
                .collect();
            let merge = |into: &mut Option<ThinVec<u32>>, from: &Option<ThinVec<u32>>| match (
                into.as_mut(),
                from,
            ) {
                (Some(set), Some(more)) => {
                    for item in more {
                        if let Err(at) = set.binary_search(item) {
                            set.insert(at, *item);
                        }
                    }
                    if set.len() > SOURCES_CAP {
                        *into = None;
                    }
                }
                (Some(_), None) => *into = None,
                (None, _) => {}
            };
            for id in self.model.value_ids() {
                let value = &self.model.values[id];
                // Predictions, fold indices, sizes and row conditions carry no values of
                // what they were computed from.
                let passes = match &value.kind {
                    Kind::Output { .. }
                    | Kind::FoldIndex { .. }
                    | Kind::Folds { .. }
                    | Kind::Condition
                    | Kind::Mask { .. } => false,
                    Kind::Call { function } => function != "len",
                    // `model.predict(X)` of a model passed in as a parameter: predictions
                    // all the same, whichever model it is.
                    Kind::Unknown => !self.is_prediction_call(value.span),
                    _ => true,
                };
                let mut own_reads = Some(
                    read_of
                        .get(&id)
                        .map_or_else(ThinVec::new, |r| thin_vec::thin_vec![*r]),
                );
                let mut own_fed = Some(
                    transform_of
                        .get(&id)
                        .map_or_else(ThinVec::new, |t| thin_vec::thin_vec![*t]),
                );
                for &input in &value.inputs {
                    if input >= id {
                        continue;
                    }
                    merge(&mut own_reads, &reads[input.index()]);
                    if passes {
                        merge(&mut own_fed, &fed[input.index()]);
                    }
                }
                reads[id.index()] = own_reads;
                fed[id.index()] = own_fed;
            }
            Sources { reads, fed }
        })
    }

    /// Whether the text at `span` is a call of a prediction method (`m.predict(X)`,
    /// `models[k].predict_proba(X)`), whatever it is called on.
    fn is_prediction_call(&self, span: Span) -> bool {
        let Some(text) = self.file.text.get(span.start..span.end) else {
            return false;
        };
        let text = text.trim_end();
        if !text.ends_with(')') {
            return false;
        }
        // The opening parenthesis of the last call.
        let mut depth = 0usize;
        let mut open = None;
        for (at, c) in text.char_indices().rev() {
            match c {
                ')' | ']' => depth += 1,
                '(' | '[' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        open = Some(at);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(open) = open else {
            return false;
        };
        let callee = &text[..open];
        let Some((_, method)) = callee.rsplit_once('.') else {
            return false;
        };
        // Not `apply`, which is also a frame's.
        crate::ml::PREDICT_METHODS.contains(&method.trim())
    }

    /// Every value `id` was derived from (itself included): one walk down the arena, so
    /// that a training's questions about its ancestry are set lookups.
    /// Past [`ANCESTRY_BUDGET`] values the walk stops and the ancestry is unknown (None):
    /// questions about it then get no answer, and rules stay silent.
    fn ancestors(&self, id: ValueId) -> Option<HashSet<ValueId>> {
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(current) = stack.pop() {
            if current.index() >= self.model.values.len() || !seen.insert(current) {
                continue;
            }
            if seen.len() > ANCESTRY_BUDGET {
                return None;
            }
            stack.extend(self.model.values[current].inputs.iter().copied());
        }
        Some(seen)
    }

    /// What each save's object was derived from, by save (computed once; empty when
    /// unknown).
    fn saved_ancestry(&self) -> &[HashSet<ValueId>] {
        self.saved_ancestry.get_or_init(|| {
            self.model
                .io
                .iter()
                .filter(|io| io.op == IoOp::Save)
                .map(|io| self.ancestors(io.value).unwrap_or_default())
                .collect()
        })
    }

    /// The transforms of stateful transformers, in order: (transformer, output, site).
    pub(super) fn stateful_transforms(&self) -> &[(ValueId, ValueId, Span)] {
        self.stateful_transforms.get_or_init(|| {
            self.model
                .events
                .iter()
                .filter_map(|e| match e {
                    Event::Transform {
                        estimator,
                        output,
                        span,
                        ..
                    } if self
                        .model
                        .estimator(*estimator)
                        .is_some_and(|est| est.category.is_stateful_transformer()) =>
                    {
                        Some((*estimator, *output, *span))
                    }
                    _ => None,
                })
                .collect()
        })
    }

    /// The variable a transformer was fitted through, and where.
    pub(super) fn fit_site(&self, estimator: ValueId) -> Option<(String, Span)> {
        self.model.events.iter().find_map(|e| match e {
            Event::Fit {
                estimator: est,
                span,
                method,
                ..
            } if *est == estimator => {
                let text = self.file.text.get(span.start..span.end)?;
                let name = text.split(&format!(".{}", method.as_str())).next()?.trim();
                Some((name.to_string(), *span))
            }
            _ => None,
        })
    }

    fn link_saves(&mut self) {
        let saves: Vec<ValueId> = self
            .model
            .io
            .iter()
            .filter(|io| io.op == IoOp::Save)
            .map(|io| io.value)
            .collect();
        for (index, value) in saves.into_iter().enumerate() {
            let ancestry = &self.saved_ancestry()[index];
            let training = self
                .training_values
                .iter()
                .rev()
                .find(|(est, _)| *est == value)
                .or_else(|| {
                    self.training_values
                        .iter()
                        .rev()
                        .find(|(est, _)| ancestry.contains(est))
                })
                .map(|(_, t)| *t);
            if let Some(training) = training {
                let mut all = vec![training];
                for &(est, t) in &self.training_values {
                    if !all.contains(&t) && ancestry.contains(&est) {
                        all.push(t);
                    }
                }
                let save = &mut self.summary.saves[index];
                save.training = Some(training);
                save.trainings = all;
                save.saved = Saved::Model;
            }
        }
    }

    fn snippet(&self, span: Span) -> String {
        let text = self.file.raw_text().get(span.start..span.end).unwrap_or("");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 60 {
            let short: String = flat.chars().take(57).collect();
            format!("{short}...")
        } else {
            flat
        }
    }
}

/// A plain Python name (`scaler`), not an attribute, subscript or call.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `list`, `List[float]`, `Sequence[...]`, `conlist(...)`, `np.ndarray`, `Tuple[...]`: a
/// field that holds many values.
fn is_sequence_annotation(annotation: &str) -> bool {
    let head = annotation
        .trim()
        .split(['[', '('])
        .next()
        .unwrap_or("")
        .rsplit('.')
        .next()
        .unwrap_or("");
    matches!(
        head.to_ascii_lowercase().as_str(),
        "list" | "sequence" | "tuple" | "conlist" | "ndarray" | "array" | "iterable"
    )
}

/// The content of a plain string literal (`"a"`, `'a'`), not an f-string.
pub fn string_literal(text: &str) -> Option<String> {
    let text = text.trim();
    let body = text.strip_prefix(['r', 'u', 'R', 'U']).unwrap_or(text);
    for quote in ["\"", "'"] {
        if let Some(inner) = body.strip_prefix(quote).and_then(|r| r.strip_suffix(quote))
            && !inner.contains(quote)
            && !inner.is_empty()
        {
            return Some(inner.to_string());
        }
    }
    None
}

/// Whether `text` is one Python name (`df`).
fn is_plain_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The dotted names of an expression's text (`pd.Timestamp`, `df`), string literals left out.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let part = c.is_ascii_alphanumeric() || c == '_' || (c == '.' && start.is_some());
        match (part, start) {
            (true, None) if !c.is_ascii_digit() => start = Some(at),
            (false, Some(from)) => {
                out.push(text[from..at].trim_end_matches('.'));
                start = None;
            }
            _ => {}
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
    }
    if let Some(from) = start {
        out.push(text[from..].trim_end_matches('.'));
    }
    out
}

/// An expression's text without whitespace, with one kind of quotes, and with the frame it is
/// assigned to written `_`: the same computation written on `df` and on `data` compares equal.
fn normalize_expression(text: &str, frame: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word == frame {
            out.push('_');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            // A name after a dot is an attribute, never the frame.
            if word.is_empty() && previous == Some('.') {
                word.push('\u{0}');
            }
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            match c {
                '\'' => out.push('"'),
                c if c.is_whitespace() => {}
                c => out.push(c),
            }
        }
        if !c.is_whitespace() {
            previous = Some(c);
        }
    }
    flush(&mut word, &mut out);
    out.replace('\u{0}', "")
}

/// A literal setting, normalised so that equal values compare equal (`1e-3` and `0.001`,
/// spacing in dicts): numbers as parsed, strings unquoted, containers without whitespace.
/// None for anything else, and for lists of strings or of fewer than three items.
fn setting_value(node: Node, text: &str) -> Option<String> {
    let source = text.get(node.byte_range())?;
    match node.kind_name() {
        "integer" | "float" => {
            let number: f64 = source.replace('_', "").parse().ok()?;
            Some(format!("{number}"))
        }
        "unary_operator" => {
            let argument = node.field("argument")?;
            let inner = setting_value(argument, text)?;
            matches!(argument.kind_name(), "integer" | "float").then(|| format!("-{inner}"))
        }
        "true" | "false" => Some(source.to_string()),
        "string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|n| n.kind_name() == "interpolation")
            {
                return None;
            }
            Some(string_literal(source)?)
        }
        "dictionary" => {
            let mut cursor = node.walk();
            let pairs: Vec<Node> = node.named_children(&mut cursor).collect();
            let mut out = Vec::new();
            for pair in pairs {
                if pair.kind_name() == "comment" {
                    continue;
                }
                let key = setting_value(pair.field("key")?, text)?;
                let value = setting_value(pair.field("value")?, text)?;
                out.push(format!("{key}:{value}"));
            }
            (!out.is_empty()).then(|| format!("{{{}}}", out.join(",")))
        }
        "list" | "tuple" => {
            let mut cursor = node.walk();
            let items: Vec<Node> = node
                .named_children(&mut cursor)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            if items.len() < 3 || items.iter().all(|n| n.kind_name() == "string") {
                return None;
            }
            let values: Option<Vec<String>> =
                items.iter().map(|n| setting_value(*n, text)).collect();
            Some(format!("[{}]", values?.join(",")))
        }
        _ => None,
    }
}

/// Source text on one line, at most 60 characters, for messages.
fn shortened(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 60 {
        format!("{}…", flat.chars().take(59).collect::<String>())
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_summary_is_plain_data_that_round_trips_through_serde() {
        let code = "import joblib\nimport pandas as pd\nfrom fastapi import FastAPI\n\
                    from sklearn.linear_model import LogisticRegression\napp = FastAPI()\n\
                    df = pd.read_csv('data/x.csv')\n\
                    clf = LogisticRegression(random_state=0).fit(df[['a', 'b']], df['y'])\n\
                    joblib.dump(clf, 'models/m.joblib')\nmodel = joblib.load('models/m.joblib')\n\
                    @app.post('/p')\ndef predict(a: float, b: float):\n    return model.predict([[a, b]])[0]\n";
        let file = crate::source::SourceFile::python("t.py".into(), "t.py".into(), code.into());
        let tree = crate::source::python::parse(&file.text).expect("the parser starts");
        let model = crate::model::build(&file, &tree);
        let summary = extract(&file, &tree, &model, super::Options::default());
        assert_eq!(summary.trainings.len(), 1);
        assert_eq!(summary.saves.len(), 1);
        assert_eq!(summary.entries.len(), 1);
        let json = serde_json::to_string(&summary).expect("serializes");
        let back: FileSummary = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(serde_json::to_string(&back).expect("serializes"), json);
    }

    use super::*;

    fn summary(code: &str) -> FileSummary {
        let file = SourceFile::python("t.py".into(), "t.py".into(), code.to_string());
        let tree = crate::source::python::parse(&file.text).expect("parses");
        let model = crate::model::build(&file, &tree);
        extract(&file, &tree, &model, super::Options::default())
    }

    #[test]
    fn a_composite_or_search_names_the_model_inside_it() {
        let summary = summary(
            "import pandas as pd\nfrom sklearn.pipeline import Pipeline, make_pipeline\n\
             from sklearn.preprocessing import StandardScaler\n\
             from sklearn.linear_model import LogisticRegression as LR\n\
             from sklearn.ensemble import RandomForestClassifier\n\
             from sklearn.model_selection import GridSearchCV\n\
             df = pd.read_csv('d.csv')\nX, y = df[['a']], df['y']\n\
             Pipeline([('s', StandardScaler()), ('m', LR())]).fit(X, y)\n\
             rf = RandomForestClassifier(random_state=0)\n\
             GridSearchCV(make_pipeline(StandardScaler(), rf), {}).fit(X, y)\n\
             LR().fit(X, y)\n",
        );
        let inner: Vec<(&str, Option<&str>)> = summary
            .trainings
            .iter()
            .map(|t| (t.model.as_str(), t.inner.as_deref()))
            .collect();
        assert_eq!(
            inner,
            [
                ("Pipeline", Some("LogisticRegression")),
                ("GridSearchCV", Some("RandomForestClassifier")),
                ("LogisticRegression", None),
            ]
        );
    }

    #[test]
    fn assigned_columns_keep_their_expression_without_the_frame_name() {
        let found = summary(
            "import pandas as pd\nfrom features import age_of\ndef f(frame):\n    frame['ratio'] = frame[ 'a' ] /  frame[\"b\"]\n    frame['age'] = age_of(frame['dob'])\n    frame['c'] += 1\n    return frame\ndf = pd.read_csv('a.csv')\ndf['ratio'] = df['a'] / df['b']\n",
        );
        let shown: Vec<(&str, &str, &[String])> = found
            .produced_expressions
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.expression.as_str(),
                    p.imported.as_slice(),
                )
            })
            .collect();
        let none: &[String] = &[];
        assert_eq!(
            shown,
            [
                ("ratio", "_[\"a\"]/_[\"b\"]", none),
                (
                    "age",
                    "age_of(_[\"dob\"])",
                    &["features.age_of".to_string()][..]
                ),
                ("ratio", "_[\"a\"]/_[\"b\"]", none),
            ],
            "each assignment is kept, normalized alike; `+=` is no assignment of a value"
        );
    }

    const HEAD: &str = "import joblib\nimport pickle\nimport torch\nimport pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression\ndf = pd.read_csv('a.csv')\n";

    #[test]
    fn saves_fold_the_file_they_open_and_weights_are_the_model() {
        let s = summary(
            "import pickle\nimport torch\nimport torch.nn as nn\nnet = nn.Linear(3, 1)\ntorch.save(net.state_dict(), 'models/net.pt')\npickle.dump(net, open('models/net.pkl', 'wb'))\nwith open('models/net2.pkl', 'wb') as f:\n    pickle.dump(net, f)\n",
        );
        let saves: Vec<(Option<&str>, Saved)> = s
            .saves
            .iter()
            .map(|s| (s.path.as_deref(), s.saved))
            .collect();
        assert_eq!(
            saves,
            [
                (Some("models/net.pt"), Saved::Model),
                (Some("models/net.pkl"), Saved::Model),
                (Some("models/net2.pkl"), Saved::Model),
            ]
        );
    }

    #[test]
    fn a_scaler_is_unsaved_only_when_nothing_can_ship_it() {
        let unsaved = |tail: &str| -> Vec<String> {
            let s = summary(&format!(
                "{HEAD}scaler = StandardScaler()\nX = scaler.fit_transform(df[['a', 'b']])\nclf = LogisticRegression().fit(X, df['y'])\njoblib.dump(clf, 'm.joblib')\n{tail}"
            ));
            s.trainings[0]
                .unsaved_preprocessors
                .iter()
                .map(|p| p.name.clone())
                .collect()
        };
        assert_eq!(unsaved(""), ["scaler"]);
        // Saved under another name, in a dict, its statistics exported, passed on.
        assert!(unsaved("joblib.dump(scaler, 's.joblib')\n").is_empty());
        assert!(unsaved("joblib.dump({'m': clf, 's': scaler}, 'b.joblib')\n").is_empty());
        assert!(
            unsaved(
                "import json\njson.dump({'mean': scaler.mean_.tolist()}, open('s.json', 'w'))\n"
            )
            .is_empty()
        );
        assert!(unsaved("artifacts = {}\nartifacts['scaler'] = scaler\n").is_empty());
    }

    #[test]
    fn a_scaler_name_rebound_before_its_save_ships_the_wrong_scaler() {
        let s = summary(&format!(
            "{HEAD}scaler = StandardScaler()\nX = scaler.fit_transform(df[['a', 'b']])\n\
             clf = LogisticRegression().fit(X, df['y'])\n\
             scaler = StandardScaler()\nscaler.fit([[0.0, 1.0]])\n\
             joblib.dump(scaler, 's.joblib')\njoblib.dump(clf, 'm.joblib')\n"
        ));
        let unsaved = &s.trainings[0].unsaved_preprocessors;
        assert_eq!(unsaved.len(), 1);
        assert_eq!(unsaved[0].name, "scaler");
        assert_eq!(
            unsaved[0].rebound_save.map(|p| p.start.line),
            Some(13),
            "{unsaved:?}"
        );
        // Saved while the name still holds it: shipped.
        let shipped = summary(&format!(
            "{HEAD}scaler = StandardScaler()\nX = scaler.fit_transform(df[['a', 'b']])\n\
             clf = LogisticRegression().fit(X, df['y'])\njoblib.dump(scaler, 's.joblib')\n\
             scaler = StandardScaler()\nscaler.fit([[0.0, 1.0]])\njoblib.dump(clf, 'm.joblib')\n"
        ));
        assert!(shipped.trainings[0].unsaved_preprocessors.is_empty());
    }

    #[test]
    fn a_model_saved_unfitted_is_one_nothing_may_have_fitted() {
        let unfitted = |body: &str| -> Option<String> {
            let s = summary(&format!(
                "{HEAD}from sklearn.model_selection import GridSearchCV\n\
                 from sklearn.pipeline import make_pipeline\n{body}joblib.dump(model, 'm.joblib')\n"
            ));
            s.saves.last()?.unfitted.as_ref().map(|u| u.class.clone())
        };
        let searched = "model = LogisticRegression()\n\
                        search = GridSearchCV(model, {'C': [1.0]}).fit(df[['a']], df['y'])\n";
        assert_eq!(unfitted(searched).as_deref(), Some("LogisticRegression"));
        assert_eq!(
            unfitted("model = LogisticRegression()\n").as_deref(),
            Some("LogisticRegression")
        );
        assert_eq!(
            unfitted("model = LogisticRegression()\nmodel.fit(df[['a']], df['y'])\n"),
            None
        );
        assert_eq!(
            unfitted(
                "model = LogisticRegression()\npipe = make_pipeline(StandardScaler(), model).fit(df[['a']], df['y'])\n"
            ),
            None
        );
        assert_eq!(
            unfitted("model = LogisticRegression()\ntrain_somehow(model)\n"),
            None
        );
        assert_eq!(unfitted("model = joblib.load('old.joblib')\n"), None);
    }

    #[test]
    fn predictions_of_models_the_analysis_cannot_name_carry_no_preprocessing() {
        let s = summary(&format!(
            "{HEAD}sc = StandardScaler()\nX = sc.fit_transform(df[['a', 'b']])\n\
             stack = pd.DataFrame()\nfor name, m in base_models.items():\n    \
             stack[name] = m.predict(X)\n\
             meta = LogisticRegression().fit(stack, df['z'])\njoblib.dump(meta, 'meta.joblib')\n"
        ));
        let meta = s.trainings.iter().find(|t| t.model == "LogisticRegression");
        assert!(
            meta.is_some_and(|t| t.unsaved_preprocessors.is_empty()),
            "{meta:?}"
        );
    }

    #[test]
    fn scalers_behind_other_models_predictions_belong_to_those_models() {
        let s = summary(&format!(
            "{HEAD}import numpy as np\nfrom sklearn.linear_model import Ridge\nsc = StandardScaler()\nX = sc.fit_transform(df[['a', 'b']])\nbase = Ridge().fit(X, df['y'])\nmeta = LogisticRegression().fit(np.column_stack([base.predict(X)]), df['z'])\njoblib.dump(meta, 'meta.joblib')\n"
        ));
        let meta = s.trainings.iter().find(|t| t.model == "LogisticRegression");
        assert!(meta.is_some_and(|t| t.unsaved_preprocessors.is_empty()));
    }

    #[test]
    fn one_hot_encoded_columns_are_named_with_their_dummy_prefix() {
        let pair = |p: &str, c: &str| (p.to_string(), c.to_string());
        let code = "import pandas as pd\nfrom sklearn.preprocessing import OneHotEncoder\n\
                    CATS = ['plan', 'city']\ndf = pd.read_csv('d.csv')\n\
                    a = pd.get_dummies(df, columns=CATS)\n\
                    b = pd.get_dummies(df, columns=['region'], prefix='reg')\n\
                    c = pd.get_dummies(df, prefix={'os': 'o'})\n\
                    d = pd.get_dummies(df[['tier']])\n\
                    enc = OneHotEncoder().fit(df[['color']])\n\
                    e = pd.get_dummies(df)\n";
        assert_eq!(
            summary(code).encoded_columns,
            [
                pair("plan", "plan"),
                pair("city", "city"),
                pair("reg", "region"),
                pair("o", "os"),
                pair("tier", "tier"),
                pair("*", "*"),
                pair("color", "color"),
            ]
        );
    }

    #[test]
    fn papermill_runs_name_their_notebooks() {
        let s = summary(
            "import papermill as pm\nimport subprocess\npm.execute_notebook('nb/train.ipynb', 'out.ipynb')\nsubprocess.run(['jupyter', 'nbconvert', '--execute', 'nb/score.ipynb'])\n",
        );
        // The output notebook is named too: it is the run's product, not hand-run code.
        let mut named = s.executed_notebooks.clone();
        named.sort();
        assert_eq!(named, ["nb/score.ipynb", "nb/train.ipynb", "out.ipynb"]);
    }
}
