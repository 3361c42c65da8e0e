//! The one traversal that builds a [`FileModel`]: statements in execution order (a notebook's
//! cells as saved), names bound per scope, calls resolved through imports and looked up in
//! the knowledge tables of [`crate::ml`].

use super::{Estimator, Event, FileModel, Kind, Role, ScopeId, UNKNOWN, Value, ValueId};
use crate::finding::Span;
use crate::ml::{self, Category, Randomness};
use crate::source::SourceFile;
use std::collections::HashMap;
use tree_sitter::{Node, Tree};

mod torch;

/// How deep expressions and statements may nest before the walk stops descending. Deeper
/// code is still parsed; it is just not analysed (and the model says so).
const MAX_DEPTH: usize = 200;

/// Builds the model of one parsed file.
pub fn build(file: &SourceFile, tree: &Tree) -> FileModel {
    let mut builder = Builder {
        text: &file.text,
        model: FileModel::default(),
        scopes: vec![Scope::default()],
        scope_ids: vec![0],
        next_scope: 1,
        star_imports: Vec::new(),
        depth: 0,
        next_split: 0,
        torch: torch::State::default(),
    };
    // Value 0 is the shared "nothing known" value.
    builder.new_value(Kind::Unknown, Vec::new(), Span::default());
    let root = tree.root_node();
    builder.model.syntax_errors = syntax_errors(root, &file.text);
    builder.block(root);
    builder.model.syntax_errors.sort_by_key(|(s, _)| s.start);
    builder.model
}

#[derive(Default)]
struct Scope {
    names: HashMap<String, ValueId>,
}

struct Builder<'a> {
    text: &'a str,
    model: FileModel,
    scopes: Vec<Scope>,
    scope_ids: Vec<ScopeId>,
    next_scope: ScopeId,
    star_imports: Vec<String>,
    depth: usize,
    next_split: usize,
    /// PyTorch modules, modes and training steps (build/torch.rs).
    torch: torch::State,
}

/// A call's arguments, evaluated.
struct Args<'t> {
    positional: Vec<(ValueId, Node<'t>)>,
    keywords: Vec<(String, ValueId, Node<'t>)>,
    /// `*args` or `**kwargs` present: any argument may be hidden there.
    splat: bool,
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
    fn new_value(&mut self, kind: Kind, inputs: Vec<ValueId>, span: Span) -> ValueId {
        let inputs = inputs.into_iter().filter(|&i| i != UNKNOWN).collect();
        self.model.values.push(Value { kind, inputs, span });
        self.model.values.len() - 1
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

    fn block(&mut self, node: Node) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
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
        self.torch_enter(node);
        match node.kind() {
            // Recovery: tree-sitter may wrap the rest of a file in one ERROR node after a
            // missing colon; the well-formed statements inside it are still worth reading.
            "ERROR" => self.block(node),
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.expr_or_assignment(child);
                }
            }
            "import_statement" => self.import(node),
            "import_from_statement" => self.import_from(node),
            "function_definition" => self.function(node),
            "class_definition" => {
                if let Some(body) = node.child_by_field_name("body") {
                    self.in_new_scope(|b| b.block(body));
                }
                if let Some(name) = node.child_by_field_name("name") {
                    let id = self.derived(Vec::new(), node);
                    self.bind(self.text(name), id);
                }
            }
            "decorated_definition" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "decorator" {
                        self.children_exprs(child);
                    } else {
                        self.stmt(child);
                    }
                }
            }
            "for_statement" => {
                let iterable = node
                    .child_by_field_name("right")
                    .map_or(UNKNOWN, |r| self.expr(r));
                if let Some(left) = node.child_by_field_name("left") {
                    let item = self.derived(vec![iterable], left);
                    self.bind_target(left, item);
                }
                self.blocks_of(node);
            }
            "with_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "with_clause" {
                        self.with_clause(child);
                    } else {
                        self.stmt(child);
                    }
                }
            }
            "block" => self.block(node),
            // tree-sitter-python still accepts these Python 2 statements; Python 3 does not.
            "print_statement" | "exec_statement" => {
                let keyword = if node.kind() == "print_statement" {
                    "print"
                } else {
                    "exec"
                };
                self.model.syntax_errors.push((
                    span(node),
                    format!("Python 2 `{keyword}` statement; Python 3 needs `{keyword}(...)`"),
                ));
                self.children_exprs(node);
            }
            "if_statement"
            | "while_statement"
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
        self.torch_exit(node);
        self.depth -= 1;
    }

    /// Visits a compound statement's parts in source order: conditions as expressions,
    /// bodies and clauses as statements.
    fn blocks_of(&mut self, node: Node) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "block"
                | "elif_clause"
                | "else_clause"
                | "except_clause"
                | "finally_clause"
                | "except_group_clause"
                | "case_clause" => self.stmt(child),
                _ if child.parent().is_some_and(|p| p.kind() == "for_statement")
                    && (Some(child) == node.child_by_field_name("left")
                        || Some(child) == node.child_by_field_name("right")) => {}
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
            let Some(value) = item.child_by_field_name("value") else {
                continue;
            };
            if value.kind() == "as_pattern" {
                let mut inner = value.walk();
                let parts: Vec<Node> = value.named_children(&mut inner).collect();
                let bound = parts.first().map_or(UNKNOWN, |e| self.expr(*e));
                if let Some(target) = value.child_by_field_name("alias") {
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
            .filter(|c| c.kind() != "comment")
            .map(|c| {
                if c.kind() == "block" {
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
        self.next_scope += 1;
        self.scopes.push(Scope::default());
        self.scope_ids.push(id);
        body(self);
        self.scopes.pop();
        self.scope_ids.pop();
    }

    fn function(&mut self, node: Node) {
        let mut params = Vec::new();
        if let Some(parameters) = node.child_by_field_name("parameters") {
            let mut cursor = parameters.walk();
            let list: Vec<Node> = parameters.named_children(&mut cursor).collect();
            for param in list {
                if let Some(default) = param.child_by_field_name("value") {
                    self.expr(default);
                    self.path_literal(default, None, None);
                }
                let name = param
                    .child_by_field_name("name")
                    .or_else(|| (param.kind() == "identifier").then_some(param))
                    .or_else(|| param.named_child(0).filter(|n| n.kind() == "identifier"));
                if let Some(name) = name {
                    params.push(self.text(name).to_string());
                }
            }
        }
        if let Some(name) = node.child_by_field_name("name") {
            let id = self.derived(Vec::new(), node);
            self.bind(self.text(name), id);
        }
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        self.in_new_scope(|b| {
            for param in &params {
                let id = b.new_value(Kind::Unknown, Vec::new(), span(node));
                b.bind(param, id);
            }
            b.block(body);
        });
    }

    fn import(&mut self, node: Node) {
        let mut cursor = node.walk();
        let names: Vec<Node> = node.named_children(&mut cursor).collect();
        for name in names {
            match name.kind() {
                "dotted_name" => {
                    let full = self.text(name).to_string();
                    let first = full.split('.').next().unwrap_or(&full).to_string();
                    self.bind_import(&first, first.clone(), name);
                }
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
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
        let Some(module) = node.child_by_field_name("module_name") else {
            return;
        };
        let module_text = self.text(module).to_string();
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            if child == module {
                continue;
            }
            match child.kind() {
                "dotted_name" => {
                    let name = self.text(child).to_string();
                    self.bind_import(&name, format!("{module_text}.{name}"), child);
                }
                "aliased_import" => {
                    let (Some(name), Some(alias)) = (
                        child.child_by_field_name("name"),
                        child.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    let qualified = format!("{module_text}.{}", self.text(name));
                    self.bind_import(self.text(alias), qualified, child);
                }
                "wildcard_import" => self.star_imports.push(module_text.clone()),
                _ => {}
            }
        }
    }

    fn bind_import(&mut self, local: &str, qualified: String, node: Node) {
        self.model
            .imports
            .push((local.to_string(), qualified.clone()));
        let id = self.new_value(Kind::Import(qualified), Vec::new(), span(node));
        self.bind(local, id);
    }

    // ----- assignments -----

    fn expr_or_assignment(&mut self, node: Node) -> ValueId {
        match node.kind() {
            "assignment" => self.assignment(node),
            "augmented_assignment" => {
                let right = node
                    .child_by_field_name("right")
                    .map_or(UNKNOWN, |r| self.expr(r));
                if let Some(left) = node.child_by_field_name("left") {
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
        let Some(right) = node.child_by_field_name("right") else {
            return UNKNOWN; // `x: int` declares, binds nothing
        };
        let value = self.expr_or_assignment(right);
        self.path_literals_in(right);
        if let Some(left) = node.child_by_field_name("left") {
            self.bind_target(left, value);
        }
        value
    }

    fn bind_target(&mut self, target: Node, value: ValueId) {
        match target.kind() {
            "identifier" => self.bind(self.text(target), value),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "expression_list" => {
                let mut cursor = target.walk();
                let parts: Vec<Node> = target
                    .named_children(&mut cursor)
                    .filter(|n| n.kind() != "comment")
                    .collect();
                let elements = match self.kind(value) {
                    Kind::Tuple(elements) => Some(elements.clone()),
                    _ => None,
                };
                let starred = parts
                    .iter()
                    .any(|p| matches!(p.kind(), "list_splat_pattern" | "list_splat"));
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
                while let Some(inner) = base
                    .child_by_field_name("value")
                    .or_else(|| base.child_by_field_name("object"))
                {
                    if base.kind() == "subscript" {
                        let mut cursor = base.walk();
                        let subs: Vec<Node> = base
                            .children_by_field_name("subscript", &mut cursor)
                            .collect();
                        indexes.extend(subs);
                    }
                    base = inner;
                    if !matches!(base.kind(), "subscript" | "attribute") {
                        break;
                    }
                }
                let mut inputs = vec![value];
                for index in indexes {
                    inputs.push(self.expr(index));
                }
                if base.kind() != "identifier" {
                    self.expr(base);
                    return;
                }
                let name = self.text(base);
                let old = self.lookup(name, base);
                if self.torch_attribute_assigned(old, value) {
                    return;
                }
                if matches!(self.kind(old), Kind::Estimator(_) | Kind::Import(_)) {
                    return;
                }
                inputs.insert(0, old);
                let id = self.derived(inputs, target);
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
        match node.kind() {
            "identifier" => self.lookup(self.text(node), node),
            "attribute" => self.attribute(node),
            "call" => self.call(node),
            "subscript" => self.subscript(node),
            "integer" | "float" => {
                let text = self.text(node).replace('_', "");
                let number = text.parse::<f64>().ok();
                match number {
                    Some(n) => self.new_value(Kind::Number(n), Vec::new(), span(node)),
                    None => UNKNOWN,
                }
            }
            "unary_operator" => {
                let operand = node.child_by_field_name("argument");
                let inner = operand.map_or(UNKNOWN, |o| self.expr(o));
                let negative = self.text(node).trim_start().starts_with('-');
                match (self.kind(inner), negative) {
                    (Kind::Number(n), true) => {
                        let n = -*n;
                        self.new_value(Kind::Number(n), Vec::new(), span(node))
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
                let value = node
                    .child_by_field_name("value")
                    .map_or(UNKNOWN, |v| self.expr(v));
                if let Some(name) = node.child_by_field_name("name") {
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
            "keyword_argument" => node
                .child_by_field_name("value")
                .map_or(UNKNOWN, |v| self.expr(v)),
            _ => {
                let inputs = self.children_exprs(node);
                self.derived(inputs, node)
            }
        }
    }

    /// Comprehensions run in their own scope: their loop variables don't leak out.
    fn in_comprehension(&mut self, node: Node, inputs: &mut Vec<ValueId>) {
        self.scopes.push(Scope::default());
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        // The `for ... in` clauses bind first, then the body reads them.
        for child in children.iter().filter(|c| c.kind() == "for_in_clause") {
            let iterable = child
                .child_by_field_name("right")
                .map_or(UNKNOWN, |r| self.expr(r));
            inputs.push(iterable);
            if let Some(left) = child.child_by_field_name("left") {
                let item = self.derived(vec![iterable], left);
                self.bind_target(left, item);
            }
        }
        for child in children.iter().filter(|c| c.kind() != "for_in_clause") {
            let value = self.expr(*child);
            inputs.push(value);
        }
        self.scopes.pop();
    }

    fn attribute(&mut self, node: Node) -> ValueId {
        let (Some(object), Some(attr)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("attribute"),
        ) else {
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
            // `est.coef_`, `est.classes_`: an estimator's learned attributes are not data.
            Kind::Estimator(_) => self.derived(Vec::new(), node),
            _ => self.derived(vec![base], node),
        }
    }

    fn subscript(&mut self, node: Node) -> ValueId {
        let Some(value) = node.child_by_field_name("value") else {
            return UNKNOWN;
        };
        let base = self.expr(value);
        let mut cursor = node.walk();
        let subs: Vec<Node> = node
            .children_by_field_name("subscript", &mut cursor)
            .collect();
        let mut inputs = vec![base];
        for sub in &subs {
            inputs.push(self.expr(*sub));
        }
        match self.kind(base).clone() {
            Kind::Tuple(elements) if subs.len() == 1 && subs[0].kind() == "integer" => {
                let index = self.text(subs[0]).parse::<usize>().ok();
                match index.and_then(|i| elements.get(i)) {
                    Some(element) => *element,
                    None => self.derived(inputs, node),
                }
            }
            Kind::Output { estimator, method } => {
                self.new_value(Kind::Output { estimator, method }, inputs, span(node))
            }
            _ => self.derived(inputs, node),
        }
    }

    fn comparison(&mut self, node: Node) -> ValueId {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        for child in children {
            if child.is_named() && child.kind() != "comment" {
                operands.push(self.expr(child));
            } else if !child.is_named() {
                operators.push(self.text(child).to_string());
            }
        }
        for (pair, op) in operands.windows(2).zip(operators) {
            self.model.events.push(Event::Compare {
                left: pair[0],
                right: pair[1],
                op,
                span: span(node),
                scope: self.scope(),
            });
        }
        self.derived(operands, node)
    }

    fn arguments<'t>(&mut self, node: Option<Node<'t>>, callee: Option<&str>) -> Args<'t> {
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
            splat: false,
        };
        let Some(node) = node else { return args };
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (
                        child.child_by_field_name("name"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let id = self.expr(value);
                    let name = self.text(name);
                    if !is_message_keyword(name) {
                        self.path_literals_in_arg(value, callee);
                    }
                    args.keywords.push((name.to_string(), id, value));
                }
                "list_splat" | "dictionary_splat" => {
                    self.expr(child);
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
        args
    }

    fn call(&mut self, node: Node) -> ValueId {
        let Some(function) = node.child_by_field_name("function") else {
            return UNKNOWN;
        };
        let arguments = node.child_by_field_name("arguments");
        // A method call on a value (`scaler.fit(X)`) or a call of a qualified name
        // (`pd.read_csv(...)`, `StandardScaler()`).
        if function.kind() == "attribute" {
            let (Some(object), Some(attr)) = (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            ) else {
                return UNKNOWN;
            };
            let receiver = self.expr(object);
            let method = self.text(attr);
            if let Kind::Import(qualified) = self.kind(receiver).clone() {
                let qualified = format!("{qualified}.{method}");
                let args = self.arguments(arguments, Some(&qualified));
                return self.call_qualified(&qualified, args, node);
            }
            let callee = (!is_string_method(method)).then_some(method);
            let args = self.arguments(arguments, callee.or(Some("<str>")));
            return self.method_call(receiver, method, args, node);
        }
        let callee_value = self.expr(function);
        if let Kind::Import(qualified) = self.kind(callee_value).clone() {
            let args = self.arguments(arguments, Some(&qualified));
            return self.call_qualified(&qualified, args, node);
        }
        let callee_text = (function.kind() == "identifier").then(|| self.text(function));
        let args = self.arguments(arguments, callee_text);
        if let Some(value) = self.torch_call(callee_value, &args, node) {
            return value;
        }
        let mut inputs = args.all_values();
        inputs.push(callee_value);
        self.derived(inputs, node)
    }

    fn call_qualified(&mut self, qualified: &str, args: Args, node: Node) -> ValueId {
        if let Some(value) = self.torch_call_qualified(qualified, &args, node) {
            return value;
        }
        let scope = self.scope();
        let rngs = ml::seeds(qualified);
        if !rngs.is_empty() {
            self.model.events.push(Event::Seed {
                rngs,
                span: span(node),
                scope,
            });
            return UNKNOWN;
        }
        if let Some(rng) = ml::draws_from(qualified) {
            self.model.events.push(Event::Draw {
                rng,
                function: qualified.to_string(),
                span: span(node),
                scope,
            });
        }
        if ml::is_generator_constructor(qualified) {
            let seed = args.get(0, &["seed"]).map(|(v, _)| v);
            let seeded = args.splat || seed.is_some_and(|v| !self.is_none(v));
            if !seeded {
                let value = self.new_value(Kind::Generator { seeded }, Vec::new(), span(node));
                self.model.events.push(Event::UnseededCall {
                    function: qualified.to_string(),
                    span: span(node),
                    scope,
                    value,
                });
                return value;
            }
            return self.new_value(Kind::Generator { seeded }, Vec::new(), span(node));
        }
        if qualified.ends_with("utils.data.DataLoader") && qualified.starts_with("torch") {
            let shuffled = args
                .keyword("shuffle")
                .is_some_and(|(_, n)| self.text(n) == "True");
            if shuffled && args.keyword("generator").is_none() && !args.splat {
                self.model.events.push(Event::Draw {
                    rng: ml::Rng::Torch,
                    function: qualified.to_string(),
                    span: span(node),
                    scope,
                });
            }
        }
        if ml::is_train_test_split(qualified) {
            return self.train_test_split(qualified, &args, node);
        }
        if let Some(info) = ml::class_info(qualified) {
            let seeded = self.seeded(info.randomness, &args);
            let stateful_steps = (info.category == Category::Composite)
                .then(|| self.stateful_steps(&args))
                .flatten();
            let estimator = Estimator {
                class: qualified.to_string(),
                category: info.category,
                seeded,
                stateful_steps,
            };
            let value = self.new_value(Kind::Estimator(estimator), Vec::new(), span(node));
            if seeded == Some(false) {
                self.model.events.push(Event::UnseededCall {
                    function: qualified.to_string(),
                    span: span(node),
                    scope,
                    value,
                });
            }
            return value;
        }
        if is_pipeline_function(qualified) {
            let estimator = Estimator {
                class: qualified.to_string(),
                category: Category::Composite,
                seeded: None,
                stateful_steps: self.stateful_steps(&args),
            };
            return self.new_value(Kind::Estimator(estimator), Vec::new(), span(node));
        }
        if ml::is_model_loader(qualified) {
            let estimator = Estimator {
                class: qualified.to_string(),
                category: Category::Loaded,
                seeded: None,
                stateful_steps: None,
            };
            return self.new_value(Kind::Estimator(estimator), args.all_values(), span(node));
        }
        self.derived(args.all_values(), node)
    }

    /// The category of the stateful transformers among a composite's steps (its arguments,
    /// the step lists and tuples in them, the steps of nested composites): the one that
    /// learns the most, supervised over statistics over the set of values seen.
    fn stateful_steps(&self, args: &Args) -> Option<Category> {
        let rank = |c: Category| match c {
            Category::SupervisedTransformer => 2,
            Category::Transformer => 1,
            _ => 0,
        };
        let mut found: Option<Category> = None;
        let mut stack = args.all_values();
        // Tuples only hold older values, so this ends; the budget bounds shared sub-lists.
        let mut budget = 1000;
        while let Some(id) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let category = match self.kind(id) {
                Kind::Tuple(elements) => {
                    stack.extend(elements.iter().copied());
                    continue;
                }
                Kind::Estimator(step) if step.category.is_stateful_transformer() => step.category,
                Kind::Estimator(step) => match step.stateful_steps {
                    Some(category) => category,
                    None => continue,
                },
                _ => continue,
            };
            if category == Category::SupervisedTransformer {
                return Some(category);
            }
            if found.is_none_or(|f| rank(category) > rank(f)) {
                found = Some(category);
            }
        }
        found
    }

    /// Whether an estimator is seeded, from its class's randomness and its arguments.
    fn seeded(&self, randomness: Randomness, args: &Args) -> Option<bool> {
        if args.splat {
            return None;
        }
        let given = args
            .keyword("random_state")
            .is_some_and(|(v, _)| !self.is_none(v));
        // k-means started from given centres (`init=pca.components_`) draws nothing.
        if let Some((_, init)) = args.keyword("init")
            && !matches!(init.kind(), "string" | "concatenated_string")
        {
            return None;
        }
        match randomness {
            Randomness::None => None,
            Randomness::RandomState => Some(given),
            Randomness::WhenShuffled => {
                let shuffled = args
                    .keyword("shuffle")
                    .is_some_and(|(_, n)| self.text(n) == "True");
                shuffled.then_some(given)
            }
        }
    }

    fn is_none(&self, id: ValueId) -> bool {
        matches!(self.kind(id), Kind::NoneLiteral)
    }

    fn train_test_split(&mut self, qualified: &str, args: &Args, node: Node) -> ValueId {
        let scope = self.scope();
        let id = self.next_split;
        self.next_split += 1;
        let not_shuffled = args
            .keyword("shuffle")
            .is_some_and(|(_, n)| self.text(n) == "False");
        let seeded = args.splat
            || not_shuffled
            || args
                .keyword("random_state")
                .is_some_and(|(v, _)| !self.is_none(v));
        let mut outputs = Vec::new();
        let inputs: Vec<ValueId> = args.positional.iter().map(|(v, _)| *v).collect();
        for &input in &inputs {
            for role in [Role::Train, Role::Test] {
                outputs.push(self.new_value(
                    Kind::SplitPart { role, split: id },
                    vec![input],
                    span(node),
                ));
            }
        }
        let result = self.new_value(Kind::Tuple(outputs.clone()), outputs.clone(), span(node));
        self.model.events.push(Event::Split {
            id,
            inputs,
            outputs,
            function: qualified.to_string(),
            span: span(node),
            scope,
        });
        if !seeded {
            self.model.events.push(Event::UnseededCall {
                function: qualified.to_string(),
                span: span(node),
                scope,
                value: result,
            });
        }
        result
    }

    fn method_call(&mut self, receiver: ValueId, method: &str, args: Args, node: Node) -> ValueId {
        if let Some(value) = self.torch_method_call(receiver, method, &args, node) {
            return value;
        }
        let scope = self.scope();
        let kind = self.kind(receiver).clone();
        let Kind::Estimator(estimator) = kind else {
            if let Kind::Output {
                estimator,
                method: m,
            } = kind
                && ml::keeps_values(method)
            {
                return self.new_value(
                    Kind::Output {
                        estimator,
                        method: m,
                    },
                    vec![receiver],
                    span(node),
                );
            }
            let mut inputs = args.all_values();
            inputs.insert(0, receiver);
            return self.derived(inputs, node);
        };
        let x = args.get(0, &["X", "x"]);
        let y = args.get(1, &["y", "Y"]);
        let x_text = x.map_or(String::new(), |(_, n)| self.text(n).to_string());
        let x = x.map(|(v, _)| v);
        let y = y.map(|(v, _)| v);
        match method {
            "fit" | "adapt" | "partial_fit" => {
                self.model.events.push(Event::Fit {
                    estimator: receiver,
                    x,
                    y,
                    output: None,
                    method: method.to_string(),
                    x_text,
                    span: span(node),
                    scope,
                });
                // scikit-learn's fit returns the estimator; Keras returns a History.
                if estimator.class.starts_with("sklearn") || estimator.class.starts_with("imblearn")
                {
                    receiver
                } else {
                    self.derived(Vec::new(), node)
                }
            }
            "fit_transform" | "fit_resample" | "fit_predict" => {
                let input = x.unwrap_or(UNKNOWN);
                let output = match method {
                    "fit_resample" => {
                        let xr = self.derived(vec![input, receiver], node);
                        let yr = self.derived(vec![y.unwrap_or(UNKNOWN), receiver], node);
                        self.new_value(Kind::Tuple(vec![xr, yr]), vec![xr, yr], span(node))
                    }
                    "fit_predict" => self.new_value(
                        Kind::Output {
                            estimator: receiver,
                            method: "fit_predict",
                        },
                        vec![input, receiver],
                        span(node),
                    ),
                    _ => self.derived(vec![input, receiver], node),
                };
                self.model.events.push(Event::Fit {
                    estimator: receiver,
                    x,
                    y,
                    output: Some(output),
                    method: method.to_string(),
                    x_text,
                    span: span(node),
                    scope,
                });
                if method == "fit_transform" {
                    self.model.events.push(Event::Transform {
                        estimator: receiver,
                        input,
                        output,
                        span: span(node),
                        scope,
                    });
                }
                output
            }
            "transform" | "inverse_transform" => {
                let input = x.unwrap_or(UNKNOWN);
                let output = self.derived(vec![input, receiver], node);
                self.model.events.push(Event::Transform {
                    estimator: receiver,
                    input,
                    output,
                    span: span(node),
                    scope,
                });
                output
            }
            "score" | "evaluate" => {
                self.model.events.push(Event::Predict {
                    estimator: receiver,
                    input: x.unwrap_or(UNKNOWN),
                    method: method.to_string(),
                    span: span(node),
                    scope,
                });
                self.derived(args.all_values(), node)
            }
            "set_params" => {
                if args.keyword("random_state").is_some() || args.splat {
                    let value = &mut self.model.values[receiver].kind;
                    if let Kind::Estimator(est) = value {
                        est.seeded = est.seeded.map(|_| true);
                    }
                }
                receiver
            }
            _ if ml::is_predict_method(method) => {
                let input = x.unwrap_or(UNKNOWN);
                self.model.events.push(Event::Predict {
                    estimator: receiver,
                    input,
                    method: method.to_string(),
                    span: span(node),
                    scope,
                });
                let method = predict_method_name(method);
                self.new_value(
                    Kind::Output {
                        estimator: receiver,
                        method,
                    },
                    vec![input, receiver],
                    span(node),
                )
            }
            _ => {
                let mut inputs = args.all_values();
                inputs.insert(0, receiver);
                self.derived(inputs, node)
            }
        }
    }

    // ----- path literals -----

    /// Records the string literals of an assignment's right-hand side (also inside list,
    /// tuple and dict literals) that look like paths.
    fn path_literals_in(&mut self, node: Node) {
        match node.kind() {
            "string" | "concatenated_string" => self.path_literal(node, None, None),
            "list"
            | "tuple"
            | "set"
            | "expression_list"
            | "dictionary"
            | "pair"
            | "parenthesized_expression" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.path_literals_in(child);
                }
            }
            _ => {}
        }
    }

    fn path_literals_in_arg(&mut self, node: Node, callee: Option<&str>) {
        let Some(callee) = callee else { return };
        if is_message_function(callee) {
            return;
        }
        if matches!(node.kind(), "string" | "concatenated_string") {
            self.path_literal(node, Some(callee), None);
        } else if matches!(node.kind(), "list" | "tuple") {
            self.path_literals_in(node);
        }
    }

    fn path_literal(&mut self, node: Node, callee: Option<&str>, _keyword: Option<&str>) {
        if !matches!(node.kind(), "string" | "concatenated_string") {
            return;
        }
        let Some(text) = string_value(self.text(node)) else {
            return;
        };
        let looks_like_path =
            text.starts_with('/') || text.starts_with('~') || text.as_bytes().get(1) == Some(&b':');
        if !looks_like_path || text.len() > 1000 || text.contains('\n') {
            return;
        }
        self.model.events.push(Event::PathLiteral {
            text,
            span: span(node),
            callee: callee.map(str::to_string),
        });
    }
}

fn predict_method_name(method: &str) -> &'static str {
    match method {
        "predict_proba" => "predict_proba",
        "decision_function" => "decision_function",
        "predict_log_proba" => "predict_log_proba",
        "score_samples" => "score_samples",
        "fit_predict" => "fit_predict",
        "predict_on_batch" => "predict_on_batch",
        _ => "predict",
    }
}

fn is_pipeline_function(qualified: &str) -> bool {
    qualified.ends_with(".make_pipeline")
        || qualified.ends_with(".make_column_transformer")
        || qualified.ends_with(".make_union")
}

/// Functions whose string arguments are messages, not paths.
fn is_message_function(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        last,
        "print"
            | "<str>"
            | "info"
            | "debug"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "log"
            | "write"
            | "echo"
            | "display"
            | "Markdown"
            | "HTML"
            | "title"
            | "set_title"
            | "suptitle"
            | "xlabel"
            | "ylabel"
            | "set_xlabel"
            | "set_ylabel"
            | "text"
            | "annotate"
            | "legend"
            | "format"
    ) || callee.ends_with("Error")
        || callee.ends_with("Exception")
        || callee.ends_with("Warning")
}

fn is_message_keyword(name: &str) -> bool {
    matches!(
        name,
        "help" | "msg" | "message" | "description" | "title" | "label" | "text" | "doc"
    )
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
    Span::new(node.start_byte(), node.end_byte())
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
            errors.push((span(node), format!("missing `{}`", node.kind())));
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
    errors.sort_by_key(|(s, _)| s.start);
    errors
}
