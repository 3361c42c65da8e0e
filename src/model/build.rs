//! The one traversal that builds a [`FileModel`]: statements in execution order (a notebook's
//! cells as saved), names bound per scope, calls resolved through imports and looked up in
//! the knowledge tables of [`crate::ml`].
//!
//! This file is the interpreter core: scopes, statements, expressions, binding, calls and
//! their dispatch. What a library call means lives in the submodules, one `impl Builder`
//! each: estimators and their methods, splits, model outputs, seeds, data frames, PyTorch,
//! artifacts, path literals, choices; function summaries and their replay in `summary`.

mod apiflow;
mod artifacts;
mod choices;
mod dead;
mod estimators;
mod foreign;
mod frames;
mod joins;
mod misuse;
mod names;
mod outputs;
mod paths;
mod repro;
mod security;
pub(crate) use repro::records_metadata_by_name;
mod retention;
mod scaling;
mod seeds;
mod selection;
mod splits;
mod summary;
mod syntax;
mod torch;

use super::{
    Event, Fact, FactId, FileModel, Kind, PredictMethod, Rows, ScopeId, SplitId, ThinVec, UNKNOWN,
    Value, ValueId,
};
use crate::finding::Span;
use crate::ml::{self, Category};
use crate::source::SourceFile;
use crate::source::python::Syntax;
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::{Node, Tree};

/// At most this many facts and base columns ride on one value: enough to name the problem,
/// and it keeps the propagation linear.
const MAX_FACTS: usize = 8;
const MAX_BASES: usize = 16;

/// How deep expressions and statements may nest before the walk stops descending. Deeper
/// code is still parsed; it is just not analysed (and the model says so).
const MAX_DEPTH: usize = 200;

/// Builds the model of one parsed file.
pub fn build(file: &SourceFile, tree: &Tree) -> FileModel {
    // The other modules of the project whose functions the file calls, held while it is built.
    let modules = foreign::slots();
    // A build that panicked while reading another module's body (caught by the engine) must
    // not leave its call's span to the next file built on this thread.
    foreign::AT.with(|at| at.set(None));
    let mut builder = Builder {
        text: &file.text,
        home: &file.text,
        foreign: foreign::Foreign::new(&modules),
        root: tree.root_node(),
        path: &file.path,
        home_path: &file.path,
        model: FileModel::default(),
        scopes: vec![Scope::default()],
        scope_ids: vec![ScopeId::MODULE],
        next_scope: ScopeId::new(1),
        star_imports: Vec::new(),
        depth: 0,
        summaries: Vec::new(),
        functions: Vec::new(),
        slices: HashMap::new(),
        arg_log: Vec::new(),
        replaying: false,
        tentative: HashMap::new(),
        dataset_labels: HashMap::new(),
        rankings: HashMap::new(),
        entry_base: None,
        torch: torch::State::default(),
        folded: HashMap::new(),
        records: HashMap::new(),
        indexed: std::collections::HashSet::new(),
        categorical_values: std::collections::HashSet::new(),
        loop_names: HashMap::new(),
        misuse: misuse::State::default(),
    };
    // Value 0 is the shared "nothing known" value.
    builder.new_value(Kind::Unknown, Vec::new(), Span::default());
    let root = tree.root_node();
    builder.model.syntax_errors = syntax_errors(root, &file.text);
    builder.block(root);
    dead::finish(&mut builder.model, file, root);
    builder.model.syntax_errors.sort_by_key(|(s, _)| s.start);
    builder.model.names = names::collect(file, root);
    builder
        .model
        .replayed
        .resize(builder.model.events.len(), None);
    // Filters that never met their complement are not split parts.
    for parts in std::mem::take(&mut builder.tentative).into_values() {
        for part in parts {
            builder.model.values[part].kind = Kind::Unknown;
        }
    }
    // The arena grew by doubling: up to half of it is spare, and it lives through the rules.
    builder.model.values.shrink_to_fit();
    builder.model
}

#[derive(Default)]
struct Scope {
    names: HashMap<String, ValueId>,
}

struct Builder<'a> {
    /// The text being read: the file's, or another module's while its function is read at a
    /// call (build/foreign.rs).
    text: &'a str,
    /// The file's text, which spans and the tree's nodes point into.
    home: &'a str,
    /// Functions and classes of the project's other modules.
    foreign: foreign::Foreign<'a>,
    /// The tree's root, to answer questions about the syntax around an event (build/syntax.rs).
    root: Node<'a>,
    /// The file's path, to find the modules it imports constants from (the other module's
    /// while its code is read).
    path: &'a std::path::Path,
    /// The file's own path.
    home_path: &'a std::path::Path,
    model: FileModel,
    scopes: Vec<Scope>,
    scope_ids: Vec<ScopeId>,
    next_scope: ScopeId,
    star_imports: Vec<String>,
    depth: usize,
    /// Summaries of the functions defined in the file, by `Kind::Function` id.
    summaries: Vec<Option<summary::Summary>>,
    /// The functions whose bodies are being read (innermost last), with their returns.
    functions: Vec<summary::Open>,
    /// Complementary slices and masks seen so far, by (base, cut-off text): their split id.
    slices: HashMap<(ValueId, String), SplitId>,
    /// The values of each argument list read, by the list's node id, while its call is made.
    arg_log: Vec<(usize, Vec<ValueId>)>,
    /// Replaying a summary: events are repeats, not new facts of the body.
    replaying: bool,
    /// Parts of slices and masks whose complement has not been seen yet, by split.
    tentative: HashMap<SplitId, Vec<ValueId>>,
    /// Rankings kept in a value, not yet a choice: by the ranking value (build/choices.rs).
    rankings: HashMap<ValueId, super::Choice>,
    /// The ranking-like base of the subscript being read, when it takes entry 0 or -1.
    entry_base: Option<ValueId>,
    /// The label of a boosting library's dataset (`xgb.DMatrix(X, label=y)`), by dataset.
    dataset_labels: HashMap<ValueId, ValueId>,
    /// PyTorch modules, modes and training steps (build/torch.rs).
    torch: torch::State,
    /// Values that stand for a path folded from constants (`BASE / "m.pkl"`, `open(P)`).
    folded: HashMap<ValueId, String>,
    /// The records of lists built by `append` (`folds.append((X_tr, X_va))`), by list value.
    records: HashMap<ValueId, Vec<ValueId>>,
    /// Frames whose index holds keys rather than row positions (`set_index`, `pivot_table`,
    /// `value_counts`): `reset_index()` puts the keys back, not an `index` column.
    indexed: std::collections::HashSet<ValueId>,
    /// Values made by `astype("category")`: a column assigned one is declared a category.
    categorical_values: std::collections::HashSet<ValueId>,
    /// Loop variables over a literal list of names, with the names.
    loop_names: HashMap<ValueId, Vec<String>>,
    /// Library misuse facts being gathered (build/misuse.rs).
    misuse: misuse::State,
}

/// A call's arguments, evaluated.
#[derive(Clone)]
struct Args<'t> {
    positional: Vec<(ValueId, Node<'t>)>,
    keywords: Vec<(String, ValueId, Node<'t>)>,
    /// `*args` or `**kwargs` present: any argument may be hidden there.
    splat: bool,
    /// The dictionaries spread as keywords (`Model(**study.best_params)`): the call depends on
    /// them, though which keyword each value lands in is unknown.
    spread: Vec<ValueId>,
}

impl<'t> Args<'t> {
    fn keyword(&self, name: &str) -> Option<(ValueId, Node<'t>)> {
        self.keywords
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|&(_, v, n)| (v, n))
    }

    fn all_values(&self) -> Vec<ValueId> {
        self.positional
            .iter()
            .map(|(v, _)| *v)
            .chain(self.keywords.iter().map(|(_, v, _)| *v))
            .chain(self.spread.iter().copied())
            .collect()
    }

    /// The argument at `index`, or else the keyword `name`.
    fn get(&self, index: usize, names: &[&str]) -> Option<(ValueId, Node<'t>)> {
        self.positional
            .get(index)
            .copied()
            .or_else(|| names.iter().find_map(|n| self.keyword(n)))
    }
}

impl<'a> Builder<'a> {
    /// A new value derived from `inputs`: it holds their rows and carries their facts and
    /// base columns (callers override these where an operation changes them).
    fn new_value(&mut self, kind: Kind, inputs: Vec<ValueId>, span: Span) -> ValueId {
        let inputs: ThinVec<ValueId> = inputs.into_iter().filter(|&i| i != UNKNOWN).collect();
        let mut rows: Rows = 0;
        let mut facts: ThinVec<FactId> = ThinVec::new();
        let mut bases: ThinVec<Rc<str>> = ThinVec::new();
        for &input in &inputs {
            let value = &self.model.values[input];
            // Estimators, functions and modules are not data: what they were fitted on does
            // not flow into what they are called with.
            if matches!(
                value.kind,
                Kind::Estimator(_)
                    | Kind::Import(_)
                    | Kind::Function(_)
                    | Kind::Definition(_)
                    | Kind::Instance { .. }
            ) {
                continue;
            }
            rows |= value.rows;
            merge_facts(&mut facts, &value.facts);
            merge_bases(&mut bases, &value.bases);
        }
        self.model.values.push(Value {
            kind,
            inputs,
            span,
            rows,
            facts,
            bases,
            columns: None,
        });
        ValueId::new(self.model.values.len() - 1)
    }

    /// Records a fact and puts it on `value`.
    fn add_fact(&mut self, value: ValueId, fact: Fact) -> FactId {
        let id = FactId::new(self.model.facts.len());
        self.model.facts.push(fact);
        if value != UNKNOWN {
            merge_facts(&mut self.model.values[value].facts, &[id]);
        }
        id
    }

    fn push_event(&mut self, event: Event) -> usize {
        self.model.events.push(event);
        self.model.events.len() - 1
    }

    fn derived(&mut self, inputs: Vec<ValueId>, node: Node) -> ValueId {
        self.new_value(Kind::Unknown, inputs, span(node))
    }

    fn scope(&self) -> ScopeId {
        *self
            .scope_ids
            .last()
            .expect("the module scope is never popped")
    }

    fn text(&self, node: Node) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn kind(&self, id: ValueId) -> &Kind {
        &self.model.values[id].kind
    }

    fn bind(&mut self, name: &str, value: ValueId) {
        self.note_binding(name);
        self.note_name(name, value);
        self.note_clock_default(name, value);
        self.scopes
            .last_mut()
            .expect("the module scope is never popped")
            .names
            .insert(name.to_string(), value);
    }

    fn lookup(&mut self, name: &str, node: Node) -> ValueId {
        if let Some(id) = self.scopes.iter().rev().find_map(|s| s.names.get(name)) {
            return *id;
        }
        // An unbound name: a builtin, a star import, or something defined out of sight
        // (another cell's `%run`). Bind it once at module level so every use is one value.
        let qualified = self
            .star_imports
            .iter()
            .map(|module| format!("{module}.{name}"))
            .find(|q| ml::class_info(q).is_some() || ml::is_train_test_split(q))
            .unwrap_or_else(|| name.to_string());
        let id = self.new_value(Kind::Import(qualified), Vec::new(), span(node));
        self.scopes[0].names.insert(name.to_string(), id);
        id
    }

    // ----- statements -----

    /// Whether a module-level statement may change state: anything but imports, `pass`, and
    /// expression statements that only show something (a bare name, `df.head()`, `print(x)`,
    /// `plt.show()`, `sns.heatmap(corr)`).
    fn changes_state(&self, node: Node) -> bool {
        match node.kind_name() {
            "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "pass_statement"
            | "comment" => false,
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                children.iter().any(|&child| !self.only_shows(child))
            }
            _ => true,
        }
    }

    /// An expression statement of calls that only change settings (`plt.style.use(...)`,
    /// `warnings.filterwarnings("ignore")`): it neither changes nor shows the state.
    fn only_sets(&self, node: Node) -> bool {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        !children.is_empty()
            && children.iter().all(|&child| {
                child.kind_name() == "call"
                    && child.field("function").is_some_and(|f| {
                        let text = self.text(f);
                        let (receiver, name) = text.rsplit_once('.').unwrap_or(("", text));
                        ml::is_setting_call(receiver, name)
                    })
            })
    }

    /// An expression whose evaluation only shows a value.
    fn only_shows(&self, node: Node) -> bool {
        match node.kind_name() {
            "identifier" | "attribute" | "string" | "integer" | "float" | "true" | "false"
            | "none" | "comment" => true,
            "subscript" => node.field("value").is_some_and(|v| self.only_shows(v)),
            "call" => {
                let Some(function) = node.field("function") else {
                    return false;
                };
                let text = self.text(function);
                let (receiver, name) = text.rsplit_once('.').unwrap_or(("", text));
                ml::is_display_call(receiver, name)
            }
            _ => false,
        }
    }

    fn block(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            // Past the file's time or memory budget the build stops; the engine reports the
            // file as not analysed and drops the partial model.
            if crate::limits::exceeded() {
                return;
            }
            self.stmt(child);
        }
    }

    fn stmt(&mut self, node: Node) {
        if node.is_missing() {
            return;
        }
        if self.depth >= MAX_DEPTH {
            self.model.truncated = true;
            return;
        }
        self.depth += 1;
        if self.depth == 1 && self.scopes.len() == 1 {
            if self.changes_state(node) {
                self.model.state_changes.push(span(node));
            } else if node.kind_name() == "expression_statement" && !self.only_sets(node) {
                self.model.displays.push(span(node));
            }
        }
        self.note_statement(node);
        self.torch_enter(node);
        self.misuse_enter(node);
        self.note_loop(node);
        match node.kind_name() {
            // Recovery: tree-sitter may wrap the rest of a file in one ERROR node after a
            // missing colon; the well-formed statements inside it are still worth reading.
            "ERROR" => self.block(node),
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.misuse_statement(child);
                    let value = self.expr_or_assignment(child);
                    self.misuse_statement_done();
                    if matches!(child.kind_name(), "identifier" | "subscript" | "attribute")
                        && value != UNKNOWN
                    {
                        self.model.choices.displayed.insert(value);
                    }
                }
            }
            "import_statement" => self.import(node),
            "import_from_statement" => self.import_from(node),
            "function_definition" => self.function(node),
            "class_definition" => {
                let name = node
                    .field("name")
                    .map_or(String::new(), |n| self.text(n).to_string());
                self.model.chain.classes.push((name, span(node)));
                if let Some(body) = node.field("body") {
                    self.in_new_scope(|b| b.block(body));
                }
                if let Some(name) = node.field("name") {
                    let id = self.derived(Vec::new(), node);
                    self.bind(self.text(name), id);
                }
            }
            "decorated_definition" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind_name() == "decorator" {
                        self.children_exprs(child);
                    } else {
                        self.stmt(child);
                    }
                }
            }
            "for_statement" => {
                let iterable = node.field("right").map_or(UNKNOWN, |r| self.expr(r));
                let right = node.field("right");
                if let Some(left) = node.field("left")
                    && !self.fold_target(left, iterable)
                    && !self.models_target(left, right, iterable)
                    && !self.records_target(left, right, iterable)
                {
                    let item = self.derived(vec![iterable], left);
                    // `for c in ["store_id", "item_id"]:`: the names the variable runs over.
                    if left.kind_name() == "identifier"
                        && let Some(names) = self.names_of(iterable)
                    {
                        self.loop_names.insert(item, names);
                    }
                    self.bind_target(left, item);
                }
                self.blocks_of(node);
            }
            "return_statement" => {
                let values = self.children_exprs(node);
                let value = match values.as_slice() {
                    [one] => *one,
                    _ => UNKNOWN,
                };
                self.misuse_return(value);
                self.function_return(value);
            }
            "delete_statement" => self.delete(node),
            "with_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind_name() == "with_clause" {
                        self.with_clause(child);
                    } else {
                        self.stmt(child);
                    }
                }
            }
            "block" => self.block(node),
            // tree-sitter-python still accepts these Python 2 statements; Python 3 does not.
            "print_statement" | "exec_statement" => {
                let keyword = if node.kind_name() == "print_statement" {
                    "print"
                } else {
                    "exec"
                };
                if !self.reading_foreign() {
                    self.model.syntax_errors.push((
                        span(node),
                        format!("Python 2 `{keyword}` statement; Python 3 needs `{keyword}(...)`"),
                    ));
                }
                self.children_exprs(node);
            }
            "if_statement" => {
                let events_before = self.model.events.len();
                self.blocks_of(node);
                self.if_selection(node, events_before);
            }
            "while_statement"
            | "try_statement"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "finally_clause"
            | "except_group_clause"
            | "match_statement"
            | "case_clause" => self.blocks_of(node),
            _ => {
                self.children_exprs(node);
            }
        }
        self.misuse_exit(node);
        self.torch_exit(node);
        self.depth -= 1;
    }

    /// Visits a compound statement's parts in source order: conditions as expressions,
    /// bodies and clauses as statements.
    fn blocks_of(&mut self, node: Node) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind_name() {
                "block"
                | "elif_clause"
                | "else_clause"
                | "except_clause"
                | "finally_clause"
                | "except_group_clause"
                | "case_clause" => self.stmt(child),
                _ if node.kind_name() == "for_statement"
                    && (Some(child) == node.field("left")
                        || Some(child) == node.field("right")) => {}
                "as_pattern" => {
                    // `except E as err`
                    self.expr(child);
                }
                _ => {
                    self.expr(child);
                }
            }
        }
    }

    fn with_clause(&mut self, node: Node) {
        let mut cursor = node.walk();
        let items: Vec<Node> = node.named_children(&mut cursor).collect();
        for item in items {
            let Some(value) = item.field("value") else {
                continue;
            };
            if value.kind_name() == "as_pattern" {
                let mut inner = value.walk();
                let parts: Vec<Node> = value.named_children(&mut inner).collect();
                let bound = parts.first().map_or(UNKNOWN, |e| self.expr(*e));
                if let Some(target) = value.field("alias") {
                    let target = target.named_child(0).unwrap_or(target);
                    let id = self.derived(vec![bound], target);
                    self.bind_target(target, id);
                }
            } else {
                self.expr(value);
            }
        }
    }

    fn children_exprs(&mut self, node: Node) -> Vec<ValueId> {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        children
            .into_iter()
            .filter(|c| c.kind_name() != "comment")
            .map(|c| {
                if c.kind_name() == "block" {
                    self.block(c);
                    UNKNOWN
                } else {
                    self.expr_or_assignment(c)
                }
            })
            .collect()
    }

    fn in_new_scope(&mut self, body: impl FnOnce(&mut Self)) {
        let id = self.next_scope;
        self.next_scope = ScopeId::new(id.index() + 1);
        self.scopes.push(Scope::default());
        self.scope_ids.push(id);
        body(self);
        self.scopes.pop();
        self.scope_ids.pop();
    }

    fn function(&mut self, node: Node) {
        let mut params = Vec::new();
        if let Some(parameters) = node.field("parameters") {
            let mut cursor = parameters.walk();
            let list: Vec<Node> = parameters.named_children(&mut cursor).collect();
            for param in list {
                if let Some(default) = param.field("value") {
                    self.expr(default);
                    self.path_literal(default, None, None);
                    self.note_secret_default(param, default);
                }
                let name = crate::source::python::parameter_name(param);
                if let Some(name) = name {
                    self.note_upload_param(param, params.len(), node);
                    params.push(self.text(name).to_string());
                }
            }
        }
        let id = self.summaries.len();
        self.summaries.push(None);
        let name = node
            .field("name")
            .map_or(String::new(), |n| self.text(n).to_string());
        self.model.functions.push((name.clone(), span(node)));
        if !name.is_empty() {
            let value = self.new_value(Kind::Function(id), Vec::new(), span(node));
            self.bind(&name, value);
        }
        let Some(body) = node.field("body") else {
            return;
        };
        self.function_body(id, &params, body, node);
    }

    fn import(&mut self, node: Node) {
        let mut cursor = node.walk();
        let names: Vec<Node> = node.named_children(&mut cursor).collect();
        for name in names {
            match name.kind_name() {
                "dotted_name" => {
                    let full = self.text(name).to_string();
                    let first = full.split('.').next().unwrap_or(&full).to_string();
                    self.bind_import(&first, first.clone(), name);
                }
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (name.field("name"), name.field("alias"))
                    else {
                        continue;
                    };
                    let qualified = self.text(module).to_string();
                    self.bind_import(self.text(alias), qualified, name);
                }
                _ => {}
            }
        }
    }

    fn import_from(&mut self, node: Node) {
        let Some(module) = node.field("module_name") else {
            return;
        };
        let module_text = self.text(module).to_string();
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            if child == module {
                continue;
            }
            match child.kind_name() {
                "dotted_name" => {
                    let name = self.text(child).to_string();
                    self.bind_import(&name, qualify(&module_text, &name), child);
                }
                "aliased_import" => {
                    let (Some(name), Some(alias)) = (child.field("name"), child.field("alias"))
                    else {
                        continue;
                    };
                    let qualified = qualify(&module_text, self.text(name));
                    self.bind_import(self.text(alias), qualified, child);
                }
                "wildcard_import" => self.star_imports.push(module_text.clone()),
                _ => {}
            }
        }
    }

    fn bind_import(&mut self, local: &str, qualified: String, node: Node) {
        if !self.reading_foreign() {
            self.model
                .imports
                .push((local.to_string(), qualified.clone()));
        }
        // `from features import FEATURES`: a constant list of a module of the project.
        let constant = qualified.rsplit('.').next().is_some_and(|n| {
            n.chars().any(|c| c.is_ascii_uppercase()) && !n.chars().any(|c| c.is_ascii_lowercase())
        });
        if constant
            && qualified.contains('.')
            && let Some(names) = super::constants::imported_list(self.path, &qualified)
        {
            let elements: Vec<ValueId> = names
                .into_iter()
                .map(|n| self.new_value(Kind::Str(n), Vec::new(), span(node)))
                .collect();
            let id = self.new_value(Kind::Tuple(elements.clone()), elements, span(node));
            self.bind(local, id);
            return;
        }
        let id = self.new_value(Kind::Import(qualified), Vec::new(), span(node));
        self.bind(local, id);
    }

    // ----- assignments -----

    fn expr_or_assignment(&mut self, node: Node) -> ValueId {
        match node.kind_name() {
            "assignment" => self.assignment(node),
            "augmented_assignment" => {
                let right = node.field("right").map_or(UNKNOWN, |r| self.expr(r));
                if let Some(left) = node.field("left") {
                    if let (Some(operator), Some(added)) =
                        (node.field("operator"), node.field("right"))
                    {
                        let operator = self.text(operator).to_string();
                        self.note_accumulation(left, &operator, added, right, node);
                    }
                    let old = self.expr(left);
                    let id = self.derived(vec![old, right], node);
                    self.bind_target(left, id);
                }
                UNKNOWN
            }
            _ => self.expr(node),
        }
    }

    fn assignment(&mut self, node: Node) -> ValueId {
        let Some(right) = node.field("right") else {
            return UNKNOWN; // `x: int` declares, binds nothing
        };
        let value = self.expr_or_assignment(right);
        self.repro_assignment(node);
        self.path_literals_in(right);
        self.note_secret_assignment(node);
        self.note_folded(right, value);
        if let Some(left) = node.field("left") {
            self.bind_target(left, value);
        }
        value
    }

    fn bind_target(&mut self, target: Node, value: ValueId) {
        let kept = self.misuse_target(target).map(|(n, p)| (n.to_string(), p));
        self.bind_target_inner(target, value);
        self.misuse_target_done(kept.as_ref().map(|(n, p)| (n.as_str(), *p)));
    }

    fn bind_target_inner(&mut self, target: Node, value: ValueId) {
        match target.kind_name() {
            "identifier" => {
                self.note_model_binding(target, value);
                self.bind(self.text(target), value);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "expression_list" => {
                let mut cursor = target.walk();
                let parts: Vec<Node> = target
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                let elements = match self.kind(value) {
                    Kind::Tuple(elements) => Some(elements.clone()),
                    _ => None,
                };
                let starred = parts
                    .iter()
                    .any(|p| matches!(p.kind_name(), "list_splat_pattern" | "list_splat"));
                match elements {
                    Some(elements) if elements.len() == parts.len() && !starred => {
                        for (part, element) in parts.into_iter().zip(elements) {
                            self.bind_target(part, element);
                        }
                    }
                    _ => {
                        for part in parts {
                            let id = self.derived(vec![value], part);
                            self.bind_target(part, id);
                        }
                    }
                }
            }
            "list_splat_pattern" | "list_splat" | "parenthesized_expression" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind_target(inner, value);
                }
            }
            "subscript" | "attribute" => {
                // `df["a"] = v`, `df.loc[m, "a"] = v`, `obj.x = v`: the base object now also
                // derives from `v`. Estimators keep their identity (`model.n_jobs = 4`).
                let mut base = target;
                let mut indexes = Vec::new();
                while let Some(inner) = base.field("value").or_else(|| base.field("object")) {
                    if base.kind_name() == "subscript" {
                        let mut cursor = base.walk();
                        let subs: Vec<Node> = base
                            .children_by_field_name("subscript", &mut cursor)
                            .collect();
                        indexes.extend(subs);
                    }
                    base = inner;
                    if !matches!(base.kind_name(), "subscript" | "attribute") {
                        break;
                    }
                }
                self.note_raw_mutated(base);
                let column_target = target.kind_name() == "subscript"
                    && target.field("value").is_some_and(|v| {
                        v.kind_name() == "identifier"
                            || (v.kind_name() == "attribute"
                                && v.field("object")
                                    .is_some_and(|o| o.kind_name() == "identifier")
                                && v.field("attribute").is_some_and(|a| self.text(a) == "loc"))
                    });
                let index_count = indexes.len();
                let rows_text_all = indexes.first().map_or("", |n| self.text(*n));
                let rows_text = (index_count > 1)
                    .then(|| indexes.first().map(|n| self.text(*n)))
                    .flatten()
                    .unwrap_or("");
                let mut index_values = Vec::new();
                for index in indexes {
                    index_values.push(self.expr(index));
                }
                if base.kind_name() != "identifier" {
                    self.expr(base);
                    return;
                }
                let name = self.text(base);
                let name_text = name;
                let old = self.lookup(name, base);
                // `self.model = joblib.load(path)` in a method of a project class.
                if matches!(self.kind(old), Kind::Instance { .. })
                    && target.kind_name() == "attribute"
                    && target.field("object") == Some(base)
                    && let Some(attr) = target.field("attribute")
                {
                    let attr = self.text(attr);
                    self.set_instance_attribute(old, attr, value);
                    return;
                }
                if matches!(
                    self.kind(old),
                    Kind::Estimator(_) | Kind::Import(_) | Kind::Function(_)
                ) {
                    return;
                }
                if self.torch_attribute_assigned(old, value) {
                    return;
                }
                // `df["c"] = v`, `df[["a", "b"]] = v`, `df.loc[rows, "c"] = v`: columns.
                if column_target
                    && let Some(&last) = index_values.last()
                    && let Some(names) = self.names_of(last)
                    && (index_count == 1
                        || target
                            .field("value")
                            .is_some_and(|v| v.kind_name() == "attribute"))
                {
                    let rest: Vec<ValueId> = index_values[..index_count - 1].to_vec();
                    let fill = self.fills_missing(&rest, rows_text, &names)
                        || (rest.is_empty()
                            && names.len() == 1
                            && self.missing_rows_of(old, &names[0]));
                    if self.categorical_values.contains(&value) {
                        self.note_categorical(names.clone());
                    }
                    let id = self.assign_columns(old, &names, value, rest, target);
                    if fill {
                        self.keep_meaning(id, old, &names[0]);
                    }
                    self.bind(name, id);
                    return;
                }
                // `df[col + "_freq"] = v`, `df[f"{c}_n"] = v`: a column whose name the code
                // computes. It is kept under the text of its name, so what `v` carries stays on
                // that column instead of being lost or landing on every other column.
                if column_target
                    && index_count == 1
                    && let Some(index) = computed_column_name(target)
                    && (self.model.values[old].columns.is_some()
                        || matches!(self.kind(old), Kind::Param { .. }))
                    && !matches!(
                        self.kind(index_values[0]),
                        Kind::Mask { .. } | Kind::FoldIndex { .. } | Kind::Number(_)
                    )
                {
                    let name = self
                        .text(index)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    // `for c in CATS: df[c] = df[c].astype("category")`.
                    if self.categorical_values.contains(&value)
                        && let Some(names) = self.loop_names.get(&index_values[0]).cloned()
                    {
                        self.note_categorical(names);
                    }
                    let id = self.assign_columns(old, &[name], value, index_values, target);
                    self.bind(name_text, id);
                    return;
                }
                // `s[s.isna()] = model.predict(X)`: a series' gaps filled (model-based
                // imputation); it keeps its meaning.
                let series_fill = index_count == 1
                    && self.model.values[old].columns.is_none()
                    && self.series_name(old).is_some_and(|name| {
                        self.fills_missing(&index_values, rows_text_all, &[name])
                    });
                let mut inputs = vec![old, value];
                inputs.extend(index_values);
                let id = self.derived(inputs, target);
                // `X[mask, 2] = v`: the index chooses where `v` goes; the values are `v`'s
                // and the old ones, so only their lineage carries over.
                let mut facts = self.model.values[old].facts.clone();
                merge_facts(&mut facts, &self.model.values[value].facts);
                self.model.values[id].facts = facts;
                if series_fill {
                    self.forget_predictions_beyond(id, old);
                }
                self.keep_columns(id, old);
                let rows = self.model.values[old].rows;
                self.model.values[id].rows = rows;
                self.bind(name, id);
            }
            _ => {}
        }
    }

    // ----- expressions -----

    fn expr(&mut self, node: Node) -> ValueId {
        if node.is_error() || node.is_missing() {
            return UNKNOWN;
        }
        if self.depth >= MAX_DEPTH {
            self.model.truncated = true;
            return UNKNOWN;
        }
        self.depth += 1;
        let value = self.expr_inner(node);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, node: Node) -> ValueId {
        match node.kind_name() {
            "identifier" => self.lookup(self.text(node), node),
            "attribute" => {
                let value = self.attribute(node);
                self.note_raw_attribute(node, value);
                value
            }
            "call" => self.call(node),
            "subscript" => {
                let value = self.subscript(node);
                self.note_raw_subscript(node, value);
                value
            }
            "integer" | "float" => {
                let text = self.text(node).replace('_', "");
                let number = text.parse::<f64>().ok();
                match number {
                    Some(n) => self.new_value(Kind::Number(n), Vec::new(), span(node)),
                    None => UNKNOWN,
                }
            }
            "unary_operator" => {
                let operand = node.field("argument");
                let inner = operand.map_or(UNKNOWN, |o| self.expr(o));
                let negative = self.text(node).trim_start().starts_with('-');
                let inverted = self.text(node).trim_start().starts_with('~');
                match (self.kind(inner).clone(), negative) {
                    (Kind::Number(n), true) => {
                        self.new_value(Kind::Number(-n), Vec::new(), span(node))
                    }
                    (
                        Kind::Mask {
                            column,
                            bound,
                            upper,
                        },
                        _,
                    ) if inverted => self.new_value(
                        Kind::Mask {
                            column,
                            bound,
                            upper: !upper,
                        },
                        vec![inner],
                        span(node),
                    ),
                    (Kind::Condition, _) if inverted => {
                        self.new_value(Kind::Condition, vec![inner], span(node))
                    }
                    _ => self.derived(vec![inner], node),
                }
            }
            "string" | "concatenated_string" => {
                self.children_exprs(node); // f-string interpolations may call things
                match string_value(self.text(node)) {
                    Some(s) => self.new_value(Kind::Str(s), Vec::new(), span(node)),
                    None => UNKNOWN,
                }
            }
            "none" => self.new_value(Kind::NoneLiteral, Vec::new(), span(node)),
            "true" | "false" | "ellipsis" | "comment" => UNKNOWN,
            "tuple" | "list" | "expression_list" | "pattern_list" => {
                let elements = self.children_exprs(node);
                self.new_value(Kind::Tuple(elements.clone()), elements, span(node))
            }
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => self.expr_or_assignment(inner),
                None => UNKNOWN,
            },
            "comparison_operator" => self.comparison(node),
            "named_expression" => {
                let value = node.field("value").map_or(UNKNOWN, |v| self.expr(v));
                if let Some(name) = node.field("name") {
                    self.bind(self.text(name), value);
                }
                value
            }
            "lambda" => UNKNOWN,
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut inputs = Vec::new();
                self.in_comprehension(node, &mut inputs);
                self.derived(inputs, node)
            }
            "keyword_argument" => node.field("value").map_or(UNKNOWN, |v| self.expr(v)),
            "dictionary" => self.dictionary(node),
            "binary_operator" => {
                let left = node.field("left").map_or(UNKNOWN, |n| self.expr(n));
                let right = node.field("right").map_or(UNKNOWN, |n| self.expr(n));
                let plus = node.field("operator").is_some_and(|o| self.text(o) == "+");
                // `FEATURES + ["extra"]`: a longer feature list.
                if plus
                    && let (Kind::Tuple(a), Kind::Tuple(b)) =
                        (self.kind(left).clone(), self.kind(right).clone())
                {
                    let elements: Vec<ValueId> = a.into_iter().chain(b).collect();
                    return self.new_value(Kind::Tuple(elements.clone()), elements, span(node));
                }
                // `m1 & m2`, `m1 | m2`: still a condition over rows.
                let logical = node
                    .field("operator")
                    .is_some_and(|o| matches!(self.text(o), "&" | "|" | "^"));
                if logical && self.is_mask_like(left) && self.is_mask_like(right) {
                    return self.new_value(Kind::Condition, vec![left, right], span(node));
                }
                self.derived(vec![left, right], node)
            }
            _ => {
                let inputs = self.children_exprs(node);
                self.derived(inputs, node)
            }
        }
    }

    /// `{"a": x, **rest}`: a dict whose string keys are known.
    fn dictionary(&mut self, node: Node) -> ValueId {
        self.note_secret_dict(node);
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        let mut entries = Vec::new();
        let mut inputs = Vec::new();
        for child in children {
            if child.kind_name() == "pair" {
                let key = child.field("key");
                let value = child.field("value").map_or(UNKNOWN, |v| self.expr(v));
                if let Some(key) = key {
                    self.expr(key);
                    if let Some(name) = string_value(self.text(key))
                        && matches!(key.kind_name(), "string")
                    {
                        entries.push((name, value));
                    }
                }
                inputs.push(value);
            } else if child.kind_name() != "comment" {
                inputs.push(self.expr(child));
            }
        }
        self.new_value(Kind::Dict(entries), inputs, span(node))
    }

    /// Comprehensions run in their own scope: their loop variables don't leak out.
    fn in_comprehension(&mut self, node: Node, inputs: &mut Vec<ValueId>) {
        self.scopes.push(Scope::default());
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        // The `for ... in` clauses bind first, then the body reads them.
        for child in children.iter().filter(|c| c.kind_name() == "for_in_clause") {
            let iterable = child.field("right").map_or(UNKNOWN, |r| self.expr(r));
            inputs.push(iterable);
            if let Some(left) = child.field("left") {
                let item = self.derived(vec![iterable], left);
                self.bind_target(left, item);
            }
        }
        for child in children.iter().filter(|c| c.kind_name() != "for_in_clause") {
            let value = self.expr(*child);
            inputs.push(value);
        }
        self.scopes.pop();
    }

    fn attribute(&mut self, node: Node) -> ValueId {
        let (Some(object), Some(attr)) = (node.field("object"), node.field("attribute")) else {
            return UNKNOWN;
        };
        let base = self.expr(object);
        let attr = self.text(attr);
        match self.kind(base).clone() {
            Kind::Import(qualified) => self.new_value(
                Kind::Import(format!("{qualified}.{attr}")),
                Vec::new(),
                span(node),
            ),
            Kind::Output { estimator, method } if ml::keeps_values(attr) => {
                self.new_value(Kind::Output { estimator, method }, vec![base], span(node))
            }
            // `clusterer.labels_`: the clusters it assigned to the rows it was fitted on.
            Kind::Estimator(estimator) if attr == "labels_" => {
                let id = self.new_value(
                    Kind::Output {
                        estimator: base,
                        method: PredictMethod::Labels,
                    },
                    Vec::new(),
                    span(node),
                );
                let fit = self.model.events.iter().rposition(
                    |e| matches!(e, Event::Fit { estimator: fitted, .. } if *fitted == base),
                );
                if let Some(fit) = fit
                    && let Event::Fit { x: Some(x), .. } = self.model.events[fit]
                {
                    self.model_output_fact(base, &estimator, id, x, fit, node);
                    self.model.values[id].rows = self.model.values[x].rows;
                }
                id
            }
            // `est.coef_`, `est.classes_`: an estimator's learned attributes are not data.
            Kind::Estimator(_) => self.derived(Vec::new(), node),
            Kind::Instance { .. } => match self.instance_attribute(base, attr) {
                Some(value) => value,
                None => self.derived(vec![base], node),
            },
            Kind::Definition(_) => self.derived(Vec::new(), node),
            Kind::GroupBy { .. } | Kind::Function(_) => self.derived(vec![base], node),
            // `results[best]["model"].feature_importances_`: a fitted model's learned
            // attribute (scikit-learn's trailing underscore), not data derived from whatever
            // held the model.
            _ if attr.ends_with('_')
                && !attr.starts_with('_')
                && self.model.values[base].columns.is_none() =>
            {
                self.derived(Vec::new(), node)
            }
            _ => {
                match attr {
                    "loc" | "iloc" => {
                        let id =
                            self.new_value(Kind::Indexer { frame: base }, vec![base], span(node));
                        return id;
                    }
                    "dt" => {
                        if let Kind::Column { name } = self.kind(base).clone() {
                            self.temporal_use(&name, "used as a date", node);
                        }
                    }
                    "values" | "T" | "array" => {
                        let id = self.derived(vec![base], node);
                        self.keep_columns(id, base);
                        return id;
                    }
                    _ => {}
                }
                // `df.price`: a column, when `df` is a frame and `price` is not one of its
                // attributes.
                let frame = self.model.values[base].columns.clone();
                if let Some(columns) = frame
                    && !ml::is_frame_attribute(attr)
                    && (columns.open || columns.known.iter().any(|c| c.name == attr))
                {
                    return self.column_read(base, attr, node);
                }
                let id = self.derived(vec![base], node);
                if matches!(
                    attr,
                    "index" | "columns" | "shape" | "dtypes" | "ndim" | "size"
                ) {
                    self.forget_values(id);
                }
                if attr == "columns" {
                    self.model.chain.column_lists.insert(id, base);
                }
                id
            }
        }
    }

    fn subscript(&mut self, node: Node) -> ValueId {
        let saved = self.entry_base.take();
        let result = self.subscript_inner(node);
        self.misuse_subscript(result);
        // `ranking[0]`: the entry taken from a ranking is its choice.
        if let Some(base) = self.entry_base.take() {
            self.ranking_entry(base, result);
        }
        self.entry_base = saved;
        result
    }

    fn subscript_inner(&mut self, node: Node) -> ValueId {
        let Some(value) = node.field("value") else {
            return UNKNOWN;
        };
        let base = self.expr(value);
        let mut cursor = node.walk();
        let sub_nodes: Vec<Node> = node
            .children_by_field_name("subscript", &mut cursor)
            .collect();
        let mut subs = Vec::new();
        for sub in &sub_nodes {
            subs.push((self.expr(*sub), *sub));
        }
        let mut inputs = vec![base];
        inputs.extend(subs.iter().map(|(v, _)| *v));
        if let [(_, index)] = subs.as_slice()
            && !self.rankings.is_empty()
            && matches!(self.text(*index).replace(' ', "").as_str(), "0" | "-1")
        {
            self.entry_base = Some(base);
        }
        match self.kind(base).clone() {
            Kind::Tuple(elements) if subs.len() == 1 && sub_nodes[0].kind_name() == "integer" => {
                let index = self.text(sub_nodes[0]).parse::<usize>().ok();
                return match index.and_then(|i| elements.get(i)) {
                    Some(element) => *element,
                    None => self.derived(inputs, node),
                };
            }
            Kind::Dict(entries) if subs.len() == 1 => {
                if let Kind::Str(key) = self.kind(subs[0].0)
                    && let Some(&(_, entry)) = entries.iter().find(|(k, _)| k == key)
                {
                    return entry;
                }
                return self.derived(inputs, node);
            }
            Kind::Output { estimator, method } => {
                return self.new_value(Kind::Output { estimator, method }, inputs, span(node));
            }
            // `bundle["model"]` of `bundle = joblib.load(...)`: an object saved in a dict is
            // read back by its key, and is as loaded as the dict.
            Kind::Estimator(estimator)
                if estimator.category == Category::Loaded
                    && subs.len() == 1
                    && matches!(self.kind(subs[0].0), Kind::Str(_)) =>
            {
                return self.new_value(Kind::Estimator(estimator), inputs, span(node));
            }
            Kind::Estimator(_) | Kind::Import(_) | Kind::Function(_) => {
                return self.derived(inputs, node);
            }
            Kind::GroupBy { frame, keys } => {
                // `df.groupby(k)["c"]`: the groupby with that column selected.
                let selected = match subs.as_slice() {
                    [(v, _)] => self.names_of(*v),
                    _ => None,
                };
                let id = self.new_value(Kind::GroupBy { frame, keys }, vec![base], span(node));
                if let Some(names) = selected {
                    let columns = self.select_columns(base, &names, node);
                    let columns = self.model.values[columns].columns.clone();
                    if let Some(columns) = columns {
                        self.set_columns(id, columns);
                    }
                }
                return id;
            }
            _ => {}
        }
        // `df.loc[...]` / `df.iloc[...]`: rows (and maybe columns) of the frame.
        let (frame, indexer) = match self.kind(base) {
            Kind::Indexer { frame } => (*frame, true),
            _ => (base, false),
        };
        if let Some(part) = self.row_subscript(frame, &subs, node) {
            // `df.loc[mask, "c"]` / `df.iloc[tr, 0]`: a column of the part.
            if let [_, (column, _)] = subs.as_slice()
                && let Some(names) = self.names_of(*column)
            {
                return match names.as_slice() {
                    [one] => self.column_read(part, one, node),
                    _ => self.select_columns(part, &names, node),
                };
            }
            return part;
        }
        // `df["c"]`, `df[["a", "b"]]`, `df[FEATURES]`, `df.loc[:, ["a", "b"]]`.
        let column_index = match (indexer, subs.as_slice()) {
            (false, [(v, n)]) => Some((*v, *n)),
            (true, [(_, rows), (v, n)])
                if rows.kind_name() == "slice" && self.text(*rows) == ":" =>
            {
                Some((*v, *n))
            }
            _ => None,
        };
        if let Some((index, index_node)) = column_index {
            match self.kind(index).clone() {
                Kind::Str(name) => return self.column_read(frame, &name, node),
                Kind::Tuple(_) if index_node.kind_name() != "tuple" => {
                    if let Some(names) = self.names_of(index) {
                        return self.select_columns(frame, &names, node);
                    }
                }
                // A boolean mask or filter: the same columns, fewer rows. (In the column
                // position of `.loc[:, mask]` it picks columns: which ones is unknown.)
                Kind::Unknown | Kind::Column { .. } | Kind::Condition
                    if !indexer
                        && (matches!(
                            index_node.kind_name(),
                            "comparison_operator" | "boolean_operator" | "unary_operator"
                        ) || self.is_mask_like(index)) =>
                {
                    let id = self.derived(inputs, node);
                    self.keep_columns(id, frame);
                    self.model.values[id].rows = self.model.values[frame].rows;
                    self.rows_chosen(id, frame, index);
                    return id;
                }
                _ => {}
            }
        }
        if indexer {
            // Rows chosen by position or label, columns unknown unless all are kept.
            let id = self.derived(inputs, node);
            if subs.len() == 1 {
                self.keep_columns(id, frame);
                self.model.values[id].rows = self.model.values[frame].rows;
            }
            let chosen = subs.first().map_or(UNKNOWN, |(v, _)| *v);
            self.rows_chosen(id, frame, chosen);
            return id;
        }
        let id = self.derived(inputs, node);
        // `X[idx]`, `X[mask]`, `X[0]`: rows picked; `X[:, 0]` keeps them, and so does
        // `df[cols]` on a frame with names computed from its columns (no rows of their own).
        let names_of_frame = |b: &Self, chosen: ValueId| {
            b.model.values[frame].columns.is_some() && b.model.values[chosen].rows == 0
        };
        if let Some(&(chosen, first)) = subs.first()
            && !(first.kind_name() == "slice" && self.text(first) == ":")
        {
            if !names_of_frame(self, chosen) {
                self.rows_chosen(id, frame, chosen);
            } else if let Some((listed, added)) = self.listed_from(chosen)
                && self.columns_of(listed).root == self.columns_of(frame).root
            {
                // `df[cols]` with `cols` computed from `listed.columns` (plus names spelled
                // out, `cols + ["score"]`): the facts of the columns that frame had then and of
                // those names, not of every column assigned to `df` since. Which columns the
                // condition kept is unknown, so the result has no column list.
                let then = self.columns_of(listed);
                let now = self.columns_of(frame);
                let mut facts = then.base_facts.clone();
                merge_facts(&mut facts, &then.joined_facts);
                for column in &then.known {
                    merge_facts(&mut facts, &column.facts);
                }
                for column in now.known.iter().filter(|c| added.contains(&c.name)) {
                    merge_facts(&mut facts, &column.facts);
                }
                self.model.values[id].facts = facts;
            }
        }
        id
    }

    /// The frame whose `.columns` a list of names was computed from
    /// (`[c for c in df.columns if ...]`, `df.columns.drop("y")`), a few steps up.
    /// Also the names spelled out next to them (`cols + ["score"]`); literals deeper down are
    /// conditions (`[c for c in df.columns if c != "y"]`), not names added.
    fn listed_from(&self, names: ValueId) -> Option<(ValueId, Vec<String>)> {
        let mut current = vec![names];
        let mut found = None;
        let mut added = Vec::new();
        for depth in 0..4 {
            let mut next = Vec::new();
            for v in current {
                if let Some(&frame) = self.model.chain.column_lists.get(&v) {
                    found.get_or_insert(frame);
                    continue;
                }
                if let Kind::Tuple(_) | Kind::Str(_) = self.kind(v) {
                    if depth == 1
                        && let Some(literal) = self.names_of(v)
                    {
                        added.extend(literal);
                    }
                    continue;
                }
                next.extend(self.model.values[v].inputs.iter().copied());
            }
            current = next;
        }
        found.map(|frame| (frame, added))
    }

    /// `id` holds rows of `frame` picked by `chosen` (a mask or an index): recorded for the
    /// row anchors of the chained-model rules. It carries the frame's facts, not the mask's:
    /// rows picked by comparing predictions with the label are not predictions.
    fn rows_chosen(&mut self, id: ValueId, frame: ValueId, chosen: ValueId) {
        self.model.chain.row_changes.insert(id, chosen);
        let (mut facts, bases) = {
            let frame = &self.model.values[frame];
            (frame.facts.clone(), frame.bases.clone())
        };
        if let Some(columns) = self.model.values[id].columns.clone() {
            facts = columns.base_facts.clone();
            merge_facts(&mut facts, &columns.joined_facts);
            for column in &columns.known {
                merge_facts(&mut facts, &column.facts);
            }
        }
        let value = &mut self.model.values[id];
        value.facts = facts;
        value.bases = bases;
    }

    /// A value built by comparing data (a boolean mask), through `&`, `|` and `~`.
    fn is_mask_like(&self, id: ValueId) -> bool {
        matches!(self.kind(id), Kind::Mask { .. } | Kind::Condition)
    }

    /// `del df["c"]`: the frame without that column.
    fn delete(&mut self, node: Node) {
        let mut cursor = node.walk();
        let targets: Vec<Node> = node.named_children(&mut cursor).collect();
        for target in targets {
            if target.kind_name() != "subscript" {
                continue;
            }
            let (Some(base), Some(index)) = (target.field("value"), target.field("subscript"))
            else {
                continue;
            };
            if base.kind_name() != "identifier" {
                continue;
            }
            let index = self.expr(index);
            let Some(names) = self.names_of(index) else {
                continue;
            };
            let name = self.text(base);
            let old = self.lookup(name, base);
            let mut columns = (*self.columns_of(old)).clone();
            columns.known.retain(|c| !names.contains(&c.name));
            columns.dropped.extend(names);
            let id = self.new_value(Kind::Unknown, vec![old], span(target));
            let rows = self.model.values[old].rows;
            self.set_columns(id, std::rc::Rc::new(columns));
            self.model.values[id].rows = rows;
            self.bind(name, id);
        }
    }

    fn comparison(&mut self, node: Node) -> ValueId {
        let mut operands = Vec::new();
        let mut operand_nodes = Vec::new();
        let mut operators = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        for child in children {
            if child.is_named() && child.kind_name() != "comment" {
                operands.push(self.expr(child));
                operand_nodes.push(child);
            } else if !child.is_named() {
                operators.push(self.text(child).to_string());
            }
        }
        self.misuse_comparison(&operands, &operand_nodes, &operators, node);
        // Whether it sits in an `assert` is asked of ordering comparisons only, once: the
        // answer climbs the tree, and a node's parent costs a descent from the root.
        let ordering = |op: &str| matches!(op, "<" | "<=" | ">" | ">=");
        let in_assert = operators.iter().any(|op| ordering(op)) && self.in_assert(span(node));
        if let ([left, _], [op]) = (operands.as_slice(), operators.as_slice())
            && let Some(mask) = self.mask(*left, op, operand_nodes[1])
        {
            let id = self.new_value(mask, operands.clone(), span(node));
            self.model.events.push(Event::Compare {
                left: operands[0],
                right: operands[1],
                op: op.clone(),
                in_assert,
                constants: self.constant_names(op, operands[0], operands[1]),
                span: span(node),
                scope: self.scope(),
            });
            return id;
        }
        let boolean = operators
            .iter()
            .all(|op| matches!(op.as_str(), "<" | "<=" | ">" | ">=" | "==" | "!=" | "<>"));
        for (pair, op) in operands.windows(2).zip(operators) {
            self.model.events.push(Event::Compare {
                left: pair[0],
                right: pair[1],
                in_assert: in_assert && ordering(&op),
                constants: self.constant_names(&op, pair[0], pair[1]),
                op,
                span: span(node),
                scope: self.scope(),
            });
        }
        if boolean {
            return self.new_value(Kind::Condition, operands, span(node));
        }
        self.derived(operands, node)
    }

    fn arguments<'t>(&mut self, node: Option<Node<'t>>, callee: Option<&str>) -> Args<'t> {
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
            splat: false,
            spread: Vec::new(),
        };
        let Some(node) = node else { return args };
        self.arg_log.push((node.id(), Vec::new()));
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        // tree-sitter-python accepts `f(a=1, b)`; Python does not compile it.
        let mut after_keyword = false;
        for child in children {
            match child.kind_name() {
                "keyword_argument" | "dictionary_splat" => after_keyword = true,
                "list_splat" => {}
                // Comments and `\` line continuations are extras, not arguments.
                _ if child.is_extra() => {}
                _ if after_keyword => self.positional_after_keyword(child),
                _ => {}
            }
            match child.kind_name() {
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (child.field("name"), child.field("value"))
                    else {
                        continue;
                    };
                    let id = self.expr(value);
                    let name = self.text(name);
                    if !paths::is_message_keyword(name) {
                        self.path_literals_in_arg(value, callee);
                    }
                    if ml::declares_categories(name) {
                        self.declare_categorical(id);
                    }
                    args.keywords.push((name.to_string(), id, value));
                }
                "list_splat" | "dictionary_splat" => {
                    let inner = child
                        .named_child(0)
                        .filter(|_| child.kind_name() == "dictionary_splat");
                    match inner {
                        Some(inner) => {
                            let spread = self.expr(inner);
                            if spread != UNKNOWN {
                                args.spread.push(spread);
                            }
                        }
                        None => {
                            self.expr(child);
                        }
                    }
                    args.splat = true;
                }
                "comment" => {}
                _ => {
                    let id = self.expr(child);
                    self.path_literals_in_arg(child, callee);
                    args.positional.push((id, child));
                }
            }
        }
        if let Some(entry) = self
            .arg_log
            .iter_mut()
            .rev()
            .find(|(id, _)| *id == node.id())
        {
            entry.1 = args.all_values();
        }
        if let Some(call) = node.parent() {
            self.note_security_args(callee, &args, call);
        }
        args
    }

    /// `f(a=1, b)`: a syntax error Python reports and tree-sitter-python does not.
    fn positional_after_keyword(&mut self, argument: Node) {
        let at = span(argument);
        if self.reading_foreign() || self.model.syntax_errors.iter().any(|(s, _)| *s == at) {
            return;
        }
        self.model.syntax_errors.push((
            at,
            "positional argument follows keyword argument".to_string(),
        ));
    }

    /// A call, and a metric written by the user (`compute_mcrmse(y_va, preds)`,
    /// `normalized_gini(y_test, p)`): a function of the file or of the project, named as a
    /// metric, given predictions, is recorded as a Metric event like scikit-learn's.
    fn call(&mut self, node: Node) -> ValueId {
        let mark = self.arg_log.len();
        let result = self.call_value(node);
        let list = node.field("arguments").map(|a| a.id());
        let args = self.arg_log[mark..]
            .iter()
            .find(|(id, _)| Some(*id) == list)
            .map(|(_, values)| values.clone());
        self.arg_log.truncate(mark);
        if let (Some(args), Some(function)) = (args, node.field("function")) {
            self.user_metric(function, args, result, node);
        }
        result
    }

    fn call_value(&mut self, node: Node) -> ValueId {
        self.note_set_params(node);
        let Some(function) = node.field("function") else {
            return UNKNOWN;
        };
        self.note_session_reset(function, node);
        let arguments = node.field("arguments");
        // A method call on a value (`scaler.fit(X)`) or a call of a qualified name
        // (`pd.read_csv(...)`, `StandardScaler()`).
        if function.kind_name() == "attribute" {
            let (Some(object), Some(attr)) =
                (function.field("object"), function.field("attribute"))
            else {
                return UNKNOWN;
            };
            let mut receiver = self.expr(object);
            let method = self.text(attr);
            // A name another module of the project binds at its top level (`from
            // service.model import predictor`): the value importing that module made.
            if let Kind::Import(qualified) = self.kind(receiver).clone()
                && let Some(value) = self.foreign_value(&qualified, node)
            {
                receiver = value;
            }
            if let Kind::Import(qualified) = self.kind(receiver).clone() {
                let qualified = format!("{qualified}.{method}");
                let args = self.arguments(arguments, Some(&qualified));
                // A model imported from another file of the project (`from models import
                // net`) still resets its gradients with `net.zero_grad()`.
                if method == "zero_grad" {
                    self.torch_method_call(receiver, method, &args, node);
                }
                if let Some(value) = self.foreign_call(&qualified, &args, node) {
                    return value;
                }
                return self.call_qualified(&qualified, args, node);
            }
            // A method of an instance of a project class (`PredictPipeline().predict(df)`).
            if let Kind::Instance { class } = *self.kind(receiver) {
                let args = self.arguments(arguments, Some(method));
                if let Some(value) = self.instance_call(class, receiver, method, &args, node) {
                    return value;
                }
                let mut inputs = args.all_values();
                inputs.push(receiver);
                return self.derived(inputs, node);
            }
            let callee = (!is_string_method(method)).then_some(method);
            let args = self.arguments(arguments, callee.or(Some("<str>")));
            if let Some(popped) = self.pop_column(object, receiver, method, &args, node) {
                return popped;
            }
            let in_place = self.in_place(object, &args);
            let grows = matches!(method, "append" | "extend" | "insert" | "appendleft")
                && object.kind_name() == "identifier"
                && matches!(self.kind(receiver), Kind::Unknown | Kind::Tuple(_));
            let added = args.all_values();
            if method == "append"
                && let [(value, argument)] = args.positional[..]
            {
                self.note_accumulation(object, method, argument, value, node);
            }
            let spark = self
                .spark_session_method(receiver, method)
                .then(|| args.clone());
            let mark = self.misuse_method(receiver, method, &args, node);
            let result = self.method_call(receiver, method, args, node);
            self.misuse_mark(mark, result);
            self.note_raw_method(receiver, method, result);
            if let Some(args) = spark {
                self.record_warehouse_read(&format!("spark.{method}"), &args, result, node);
            }
            if let Some(name) = in_place
                && self.model.values[result].columns.is_some()
            {
                self.bind(name, result);
            }
            // `embeddings.append(vector)`: the list now also holds what was added.
            if grows {
                let mut inputs = vec![receiver];
                inputs.extend(added.iter().copied());
                let grown = self.derived(inputs, object);
                if method == "append" {
                    self.grown_records(receiver, &added, grown);
                }
                self.bind(self.text(object), grown);
            }
            return result;
        }
        let callee_value = self.expr(function);
        if let Kind::Import(qualified) = self.kind(callee_value).clone() {
            let args = self.arguments(arguments, Some(&qualified));
            if let Some(value) = self.foreign_call(&qualified, &args, node) {
                return value;
            }
            return self.call_qualified(&qualified, args, node);
        }
        // A function or class of another module, called from code of that module.
        if let Kind::Definition(def) = *self.kind(callee_value) {
            let callee_text = (function.kind_name() == "identifier").then(|| self.text(function));
            let args = self.arguments(arguments, callee_text);
            if let Some(value) = self.definition_call(def, &args, node) {
                return value;
            }
            return self.derived(args.all_values(), node);
        }
        let callee_text = (function.kind_name() == "identifier").then(|| self.text(function));
        let args = self.arguments(arguments, callee_text);
        // `encoder(batch)`, `pipe(texts)`, `hub_layer(x)`: a loaded model's forward pass
        // (for a loaded torch module, also a module call for the PyTorch rules).
        if let Kind::Estimator(estimator) = self.kind(callee_value).clone()
            && estimator.category == Category::Loaded
        {
            let output = self.loaded_call(callee_value, &estimator, &args, node);
            self.torch_record_call(callee_value, output, node);
            return output;
        }
        // PyTorch: a module's forward pass, a module class of the file, and the torch effects
        // of a function of the file (which it replays and then leaves to the summary).
        if let Some(value) = self.torch_call(callee_value, &args, node) {
            self.misuse_module_call(callee_value, &args, value, node);
            return value;
        }
        if let Kind::Function(id) = *self.kind(callee_value) {
            return self.apply_summary(id, &args, node);
        }
        let mut inputs = args.all_values();
        inputs.push(callee_value);
        self.derived(inputs, node)
    }

    /// Sizes and labels of data (`len(df)`, `df.index`, `df.shape`) keep their ancestry but
    /// carry none of its facts, base columns or rows.
    fn forget_values(&mut self, id: ValueId) {
        if id != UNKNOWN {
            let value = &mut self.model.values[id];
            value.facts.clear();
            value.bases.clear();
            value.rows = 0;
        }
    }

    fn call_qualified(&mut self, qualified: &str, args: Args, node: Node) -> ValueId {
        self.repro_call(qualified, &args, node);
        let io = self.note_io_call(qualified, &args);
        let paths = (!self.replaying && artifacts::opens_file(qualified)).then(|| args.clone());
        let first = args
            .positional
            .first()
            .and_then(|&(v, _)| match self.kind(v) {
                Kind::Str(s) => Some(s.clone()),
                _ => None,
            });
        let clock = ml::reads_wall_clock(qualified, first.as_deref());
        let warehouse = ml::is_warehouse_read(qualified).then(|| args.clone());
        let positional: Vec<ValueId> = args.positional.iter().map(|&(v, _)| v).collect();
        let keywords: Vec<ValueId> = args.keywords.iter().map(|&(_, v, _)| v).collect();
        let mark = self.misuse_qualified(qualified, &args, node);
        let result = self.call_qualified_value(qualified, args, node);
        self.misuse_mark(mark, result);
        self.note_raw_read(qualified, result);
        if clock {
            self.wall_clock_fact(result, node);
        } else {
            self.clock_as_parameter(qualified, &positional, &keywords, result);
        }
        if let Some(args) = warehouse {
            self.record_warehouse_read(qualified, &args, result, node);
        }
        if let Some(io) = io {
            self.finish_io_call(io, result, node);
        }
        if let Some(args) = paths {
            self.note_path_call(qualified, &args, result);
        }
        result
    }

    fn call_qualified_value(&mut self, qualified: &str, args: Args, node: Node) -> ValueId {
        if let Some(value) = self.torch_call_qualified(qualified, &args, node) {
            return value;
        }
        if let Some(value) = self.randomness_call(qualified, &args, node) {
            return value;
        }
        if ml::is_train_test_split(qualified) {
            return self.train_test_split(qualified, &args, node);
        }
        if let Some(value) = self.data_function(qualified, &args, node) {
            return value;
        }
        if let Some(value) = self.estimator_call(qualified, &args, node) {
            return value;
        }
        if let Some(booster) = self.native_training(qualified, &args, node) {
            return booster;
        }
        let id = self.new_value(
            Kind::Call {
                function: qualified.to_string(),
            },
            args.all_values(),
            span(node),
        );
        self.note_call(qualified, &args, id, node);
        // `len(df)`: a size, not the values of the frame.
        if qualified == "len" {
            self.forget_values(id);
        }
        // `np.where(s.isna(), model.predict(X), s)`: the gaps of `s` filled by a model.
        if qualified == "numpy.where"
            && let [(mask, mask_node), _, (kept, _)] = args.positional.as_slice()
            && let Some(name) = self.series_name(*kept)
            && self.fills_missing(&[*mask], self.text(*mask_node), &[name])
        {
            self.forget_predictions_beyond(id, *kept);
        }
        // `np.mean((pred - y) ** 2)`: one number over all rows, a hand-rolled metric.
        if is_scalar_reduction(qualified)
            && args.keyword("axis").is_none()
            && args.positional.len() == 1
        {
            self.forget_predictions(id);
        }
        // Functions that keep the rows and columns of their first argument.
        if matches!(
            qualified,
            "numpy.log1p"
                | "numpy.log"
                | "numpy.sqrt"
                | "numpy.abs"
                | "numpy.asarray"
                | "numpy.array"
                | "pandas.get_dummies"
                | "numpy.nan_to_num"
                | "numpy.exp"
        ) && let Some((first, _)) = args.positional.first()
        {
            self.keep_columns(id, *first);
        }
        id
    }

    /// `datetime.now()` and the like: the value is the time the code runs, and so is every
    /// value computed from it (`now - df["dob"]`).
    fn wall_clock_fact(&mut self, id: ValueId, node: Node) {
        if id == UNKNOWN {
            return;
        }
        let fact = Fact {
            tag: super::Tag::WallClock,
            span: span(node),
            text: short_text(self.text(node)),
            source: id,
            event: None,
            rows: 0,
            column: None,
            keys: Vec::new(),
            scope: self.scope(),
        };
        self.add_fact(id, fact);
    }

    /// The clock given to a call as a parameter is not in what the call returns: rows read
    /// up to today (`read_sql(q, con, params={"end": now})`, `yf.download(t, end=today)`)
    /// hold values of their own. Data read from a source drops the clock; any other call
    /// drops what only its keyword arguments carried (`start=`, `end=`, `as_of=`), and keeps
    /// what its positional arguments carried (`pd.to_datetime(now)`, `np.abs(now - t)`).
    fn clock_as_parameter(
        &mut self,
        qualified: &str,
        positional: &[ValueId],
        keywords: &[ValueId],
        result: ValueId,
    ) {
        if result == UNKNOWN || positional.contains(&result) || keywords.contains(&result) {
            return;
        }
        let clock_facts = |b: &Self, values: &[ValueId]| -> Vec<FactId> {
            let mut out = Vec::new();
            for &v in values {
                for &f in &b.model.values[v].facts {
                    if b.model.facts[f].tag == super::Tag::WallClock && !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
            out
        };
        let read = ml::is_data_source(qualified) && !qualified.ends_with(".DataFrame");
        let dropped: Vec<FactId> = if read {
            let mut all = clock_facts(self, positional);
            all.extend(clock_facts(self, keywords));
            all
        } else {
            let kept = clock_facts(self, positional);
            clock_facts(self, keywords)
                .into_iter()
                .filter(|f| !kept.contains(f))
                .collect()
        };
        if dropped.is_empty() {
            return;
        }
        let value = &mut self.model.values[result];
        value.facts.retain(|f| !dropped.contains(f));
        if let Some(columns) = value.columns.as_mut() {
            let columns = Rc::make_mut(columns);
            columns.base_facts.retain(|f| !dropped.contains(f));
            columns.joined_facts.retain(|f| !dropped.contains(f));
            for column in &mut columns.known {
                if column.facts.iter().any(|f| dropped.contains(f)) {
                    Rc::make_mut(column).facts.retain(|f| !dropped.contains(f));
                }
            }
        }
    }

    /// Columns declared to be categories by a keyword (`categorical_feature=["store_id"]`).
    fn declare_categorical(&mut self, names: ValueId) {
        let names = match self.kind(names) {
            Kind::Column { name } => Some(vec![name.clone()]),
            _ => self.names_of(names),
        };
        self.note_categorical(names.unwrap_or_default());
    }

    fn is_none(&self, id: ValueId) -> bool {
        matches!(self.kind(id), Kind::NoneLiteral)
    }

    /// A method call, dispatched on what the receiver is: an estimator, a model's output
    /// (which keeps being one through `ravel`, `flatten`, ...), or data and anything else.
    fn method_call(&mut self, receiver: ValueId, method: &str, args: Args, node: Node) -> ValueId {
        self.note_save_method(receiver, method, &args, node);
        self.repro_method(receiver, method, &args, node);
        if let Some(value) = self.torch_method_call(receiver, method, &args, node) {
            return value;
        }
        match self.kind(receiver).clone() {
            Kind::Estimator(estimator) => {
                self.estimator_method(receiver, estimator, method, &args, node)
            }
            Kind::Output {
                estimator,
                method: m,
            } if ml::keeps_values(method) => {
                let output = Kind::Output {
                    estimator,
                    method: m,
                };
                self.new_value(output, vec![receiver], span(node))
            }
            _ => self.value_method(receiver, method, &args, node),
        }
    }

    /// A method of data or of anything that is not an estimator: what it does to the data, and
    /// the choices it makes (build/choices.rs).
    fn value_method(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> ValueId {
        let value = self.data_method(receiver, method, args, node);
        // `((pred - y) ** 2).mean()`: one number over all rows, a hand-rolled metric.
        if matches!(method, "mean" | "sum" | "median" | "std" | "var")
            && args.positional.is_empty()
            && args.keywords.is_empty()
            && !args.splat
        {
            self.forget_predictions(value);
        }
        self.method_choices(receiver, method, args, value, node);
        value
    }
}

/// `name` imported from `module`: `pkg.mod.name`, and `.name` (not `..name`) for `from .
/// import name`.
fn qualify(module: &str, name: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{name}")
    } else {
        format!("{module}.{name}")
    }
}

/// NumPy functions that reduce an array to one number when given no axis.
fn is_scalar_reduction(qualified: &str) -> bool {
    matches!(
        qualified,
        "numpy.mean"
            | "numpy.sum"
            | "numpy.average"
            | "numpy.median"
            | "numpy.std"
            | "numpy.var"
            | "numpy.nanmean"
            | "numpy.nansum"
            | "numpy.count_nonzero"
    )
}

/// At most 80 characters of an operation's source text, on one line.
fn short_text(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 80 {
        return line;
    }
    let cut: String = line.chars().take(77).collect();
    format!("{cut}...")
}

/// String methods: their arguments are patterns and fragments, not paths to open.
fn is_string_method(method: &str) -> bool {
    matches!(
        method,
        "startswith"
            | "endswith"
            | "replace"
            | "split"
            | "rsplit"
            | "strip"
            | "lstrip"
            | "rstrip"
            | "removeprefix"
            | "removesuffix"
            | "find"
            | "rfind"
            | "index"
            | "count"
            | "join"
            | "format"
            | "match"
            | "search"
            | "sub"
            | "fullmatch"
            | "partition"
            | "contains"
    )
}

/// The content of a string literal's source text, without prefix and quotes (escapes kept).
fn string_value(source: &str) -> Option<String> {
    let body = source.trim_start_matches(|c: char| "rRbBuUfF".contains(c));
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = body
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return Some(inner.to_string());
        }
    }
    None
}

fn span(node: Node) -> Span {
    // Code of another module read at a call is placed at the call.
    foreign::AT
        .with(std::cell::Cell::get)
        .unwrap_or_else(|| Span::new(node.start_byte(), node.end_byte()))
}

/// Adds the fact ids of `more` to the sorted set `into`, capped.
fn merge_facts(into: &mut ThinVec<FactId>, more: &[FactId]) {
    for &fact in more {
        if into.len() >= MAX_FACTS {
            return;
        }
        if let Err(at) = into.binary_search(&fact) {
            into.insert(at, fact);
        }
    }
}

/// Adds the base column names of `more` to `into`, capped.
fn merge_bases(into: &mut ThinVec<Rc<str>>, more: &[Rc<str>]) {
    for base in more {
        if into.len() >= MAX_BASES {
            return;
        }
        if !into.contains(base) {
            into.push(base.clone());
        }
    }
}

/// The ERROR and MISSING nodes of a tree, iteratively (deep nesting must not overflow).
fn syntax_errors(root: Node, text: &str) -> Vec<(Span, String)> {
    let mut errors = Vec::new();
    if !root.has_error() {
        return errors;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if errors.len() >= 20 {
            break;
        }
        if node.is_missing() {
            errors.push((span(node), format!("missing `{}`", node.kind_name())));
            continue;
        }
        if node.is_error() {
            let snippet: String = text
                .get(node.byte_range())
                .unwrap_or("")
                .split('\n')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(30)
                .collect();
            let message = if snippet.is_empty() {
                "invalid syntax".to_string()
            } else {
                format!("invalid syntax near `{snippet}`")
            };
            errors.push((span(node), message));
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node
            .children(&mut cursor)
            .filter(|c| c.has_error() || c.is_missing())
            .collect();
        stack.extend(children.into_iter().rev());
    }
    if errors.is_empty() {
        // The tree holds an error no visible node shows: a hidden token the parser made up,
        // such as the newline between two expressions written side by side (`[a-z]96`).
        errors.push(hidden_error(root, text));
    }
    errors.sort_by_key(|(s, _)| s.start);
    errors
}

/// Where an error without a visible node is: in the deepest node that has one, the first
/// statement that starts on the line where the one before it ends, with no `;` between them;
/// or that node's start.
fn hidden_error(root: Node, text: &str) -> (Span, String) {
    let mut node = root;
    let mut depth = 0;
    while depth < 256 {
        let mut cursor = node.walk();
        let Some(child) = node.children(&mut cursor).find(|c| c.has_error()) else {
            break;
        };
        node = child;
        depth += 1;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node
        .named_children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect();
    for pair in children.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let between = text
            .get(before.end_byte()..after.start_byte())
            .unwrap_or("");
        if before.end_position().row == after.start_position().row && !between.contains(';') {
            return (
                span(after),
                "two statements on one line without a newline or `;` between them".to_string(),
            );
        }
    }
    (span(node), "invalid syntax".to_string())
}

/// The index of `df[<index>] = v` when it computes a column name: a string expression
/// (`col + "_freq"`, an f-string, `"{}_n".format(c)`) or a name bound to one.
fn computed_column_name(target: Node) -> Option<Node> {
    let mut cursor = target.walk();
    let index = target
        .children_by_field_name("subscript", &mut cursor)
        .next()?;
    matches!(
        index.kind_name(),
        "identifier" | "binary_operator" | "string" | "concatenated_string" | "call"
    )
    .then_some(index)
}
