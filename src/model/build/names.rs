//! Module-scope names of a notebook, in the order a Restart & Run All would meet them: where
//! each name is bound, read (when the read runs at once: module level, class bodies,
//! decorators, default arguments, comprehensions) and deleted, and where the analysis can no
//! longer tell which names exist (star imports, `exec`, `globals()`, `%run`, ...). NB002 reads
//! it.
//!
//! A pass of its own over the tree rather than hooks in the interpreter: the interpreter
//! follows values and skips expressions that mean nothing to ML, while a def-use view must
//! see every identifier or it reports a name as missing that was simply not visited.
//! Reads inside function bodies and lambdas are deferred (they run when called, in an order
//! the code does not show) and are not recorded; a function body is only searched for
//! `global` statements and opaque calls.

use super::span;
use crate::finding::Span;
use crate::model::{ModuleNames, NameEvent};
use crate::source::SourceFile;
use crate::source::python::{self, Syntax};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Deeper nesting is not followed (the tree is depth-limited already; this bounds the
/// recursion of this pass on its own). Past it, the file is marked incomplete.
const MAX_DEPTH: usize = 200;

/// Calls and names that can create module names the code does not spell out.
const OPAQUE_NAMES: &[&str] = &[
    "eval",
    "exec",
    "execfile",
    "globals",
    "locals",
    "vars",
    "get_ipython",
    "__builtins__",
    "__import__",
];

/// Line magics that define names the line does not show (`%run script.py`, `%store -r`
/// restoring everything, `%load` replacing the cell, `%pylab` star-importing numpy).
const OPAQUE_MAGICS: &[&str] = &[
    "run", "load", "loadpy", "pylab", "store", "macro", "recall", "rerun", "paste", "cpaste",
    "autocall", "edit",
];

/// The names of a notebook's module scope, or nothing for a script.
pub(super) fn collect(file: &SourceFile, root: Node) -> ModuleNames {
    let Some(notebook) = &file.notebook else {
        return ModuleNames::default();
    };
    let mut walker = Walker {
        text: &file.text,
        out: ModuleNames::default(),
        index: HashMap::new(),
        class_locals: Vec::new(),
        comprehension_locals: Vec::new(),
        in_guarded_try: 0,
        conditional: 0,
        depth: 0,
        pending: Vec::new(),
    };
    walker.pending = masked_events(file, notebook, &mut walker);
    walker.pending.reverse();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        walker.flush_before(statement.start_byte());
        if statement.kind_name() != "comment" {
            let import = matches!(
                statement.kind_name(),
                "import_statement" | "import_from_statement" | "future_import_statement"
            );
            walker.out.statements.push((span(statement), import));
        }
        walker.statement(statement);
    }
    walker.flush_before(usize::MAX);
    walker.out
}

/// Bindings and opaque points of the IPython lines the loader masked, and of the cells it did
/// not analyse, at their offsets: every identifier-like word of such a line or cell counts as
/// bound (`x = !ls`, `%store -r model`, `%%capture out`, `%%R -o frame`), which can only
/// make the analysis say less.
fn masked_events(
    file: &SourceFile,
    notebook: &crate::source::NotebookInfo,
    walker: &mut Walker,
) -> Vec<(usize, NameEvent)> {
    let raw = file.raw_text();
    let mut events = Vec::new();
    for cell in &notebook.cells {
        let end = (cell.offset + cell.len).min(raw.len());
        let (Some(raw_cell), Some(text_cell)) =
            (raw.get(cell.offset..end), file.text.get(cell.offset..end))
        else {
            continue;
        };
        let mut at = cell.offset;
        for (raw_line, text_line) in raw_cell
            .split_inclusive('\n')
            .zip(text_cell.split_inclusive('\n'))
        {
            let line_at = at;
            at += raw_line.len();
            if cell.analyzed && raw_line == text_line {
                continue;
            }
            let trimmed = raw_line.trim_start();
            let magic = trimmed
                .trim_start_matches('%')
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            let line_span = Span::new(line_at, line_at + raw_line.trim_end().len());
            if trimmed.starts_with('%') && OPAQUE_MAGICS.contains(&magic) {
                events.push((line_at, NameEvent::Opaque(line_span)));
            }
            for word in identifier_words(raw_line) {
                let name = walker.intern(word);
                events.push((line_at, NameEvent::Bind(name, line_span)));
            }
        }
    }
    events
}

/// The identifier-shaped words of a line of text.
fn identifier_words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
        })
}

struct Walker<'a> {
    text: &'a str,
    out: ModuleNames,
    index: HashMap<String, u32>,
    /// The names bound so far in each class body being read (innermost last).
    class_locals: Vec<HashSet<u32>>,
    /// The variables of each comprehension being read.
    comprehension_locals: Vec<HashSet<u32>>,
    /// Inside the body of a `try` that has handlers: a missing name there may be the point
    /// (`try: x except NameError: x = 1`), so reads are not recorded.
    in_guarded_try: usize,
    /// Inside an `if`, loop, `try` or `match`: a `del` there may not run.
    conditional: usize,
    depth: usize,
    /// Masked-line events not yet placed, last first.
    pending: Vec<(usize, NameEvent)>,
}

impl Walker<'_> {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.out.names.len()).unwrap_or(u32::MAX);
        self.out.names.push(name.to_string());
        self.index.insert(name.to_string(), id);
        id
    }

    fn flush_before(&mut self, offset: usize) {
        while self.pending.last().is_some_and(|(at, _)| *at < offset) {
            if let Some((_, event)) = self.pending.pop() {
                self.out.events.push(event);
            }
        }
    }

    fn name_of(&mut self, node: Node) -> u32 {
        let text = self.text.get(node.byte_range()).unwrap_or("");
        self.intern(text)
    }

    fn bind(&mut self, node: Node) {
        let name = self.name_of(node);
        if let Some(locals) = self.class_locals.last_mut() {
            locals.insert(name);
            return;
        }
        self.out.events.push(NameEvent::Bind(name, span(node)));
    }

    fn read(&mut self, node: Node) {
        let name = self.name_of(node);
        let text = &self.out.names[name as usize];
        if OPAQUE_NAMES.contains(&text.as_str()) || (text == "dir" && called_bare(node)) {
            self.out.events.push(NameEvent::Opaque(span(node)));
            return;
        }
        let local = self.comprehension_locals.iter().any(|l| l.contains(&name))
            || self.class_locals.last().is_some_and(|l| l.contains(&name));
        if local || self.in_guarded_try > 0 {
            return;
        }
        self.out.events.push(NameEvent::Read(name, span(node)));
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.out.incomplete = true;
            return false;
        }
        self.depth += 1;
        true
    }

    fn children(&mut self, node: Node, visit: fn(&mut Self, Node)) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            visit(self, child);
        }
    }

    /// A statement (or a block or clause holding statements), in execution order.
    fn statement(&mut self, node: Node) {
        self.flush_before(node.start_byte());
        if !self.enter() {
            return;
        }
        match node.kind_name() {
            "comment" => {}
            "block" | "else_clause" | "finally_clause" => self.children(node, Self::statement),
            "expression_statement" => self.children(node, Self::expr),
            "import_statement" => self.import(node, false),
            "import_from_statement" => self.import(node, true),
            "future_import_statement" => self.imported(node),
            "function_definition" => self.function(node),
            "class_definition" => self.class(node),
            "decorated_definition" => {
                let (decorators, definition) = python::split_decorated(node);
                for decorator in &decorators {
                    self.children(*decorator, Self::expr);
                }
                if let Some(definition) = definition {
                    match definition.kind_name() {
                        "class_definition" => self.class(definition),
                        _ => self.function(definition),
                    }
                }
            }
            "if_statement" | "elif_clause" | "while_statement" => {
                if let Some(condition) = node.field("condition") {
                    self.expr(condition);
                }
                self.conditional += 1;
                let mut cursor = node.walk();
                let parts: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|c| Some(*c) != node.field("condition"))
                    .collect();
                for part in parts {
                    self.statement(part);
                }
                self.conditional -= 1;
            }
            "for_statement" => {
                if let Some(right) = node.field("right") {
                    self.expr(right);
                }
                self.conditional += 1;
                if let Some(left) = node.field("left") {
                    self.target(left);
                }
                for field in ["body", "alternative"] {
                    if let Some(part) = node.field(field) {
                        self.statement(part);
                    }
                }
                self.conditional -= 1;
            }
            "try_statement" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                let guarded = parts
                    .iter()
                    .any(|p| matches!(p.kind_name(), "except_clause" | "except_group_clause"));
                self.conditional += 1;
                for part in parts {
                    let body = part.kind_name() == "block";
                    if body && guarded {
                        self.in_guarded_try += 1;
                    }
                    self.statement(part);
                    if body && guarded {
                        self.in_guarded_try -= 1;
                    }
                }
                self.conditional -= 1;
            }
            "except_clause" | "except_group_clause" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                for part in parts {
                    match part.kind_name() {
                        "block" => self.statement(part),
                        "as_pattern" => self.as_pattern(part),
                        _ if Some(part) == node.field("alias") => self.target(part),
                        _ => self.expr(part),
                    }
                }
            }
            "with_statement" => self.children(node, Self::statement),
            "with_clause" => self.children(node, Self::statement),
            "with_item" => {
                if let Some(value) = node.field("value") {
                    self.expr(value);
                }
            }
            "match_statement" => {
                if let Some(subject) = node.field("subject") {
                    self.expr(subject);
                }
                self.conditional += 1;
                let mut cursor = node.walk();
                let parts: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|c| Some(*c) != node.field("subject"))
                    .collect();
                for part in parts {
                    self.statement(part);
                }
                self.conditional -= 1;
            }
            "case_clause" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                for part in parts {
                    match part.kind_name() {
                        "case_pattern" => self.pattern_captures(part),
                        "if_clause" => self.children(part, Self::expr),
                        _ => self.statement(part),
                    }
                }
            }
            "delete_statement" => self.delete(node),
            "global_statement" | "nonlocal_statement" | "pass_statement" | "break_statement"
            | "continue_statement" => {}
            "exec_statement" => self.out.events.push(NameEvent::Opaque(span(node))),
            "type_alias_statement" => {
                if let Some(name) = node.field("left").and_then(|l| first_identifier(l)) {
                    self.bind(name);
                }
            }
            // Assignments, print statements, returns, raises, asserts: expressions.
            _ => self.expr(node),
        }
        self.depth -= 1;
    }

    /// An expression evaluated now: its identifiers are reads, in evaluation order.
    fn expr(&mut self, node: Node) {
        if !self.enter() {
            return;
        }
        match node.kind_name() {
            "identifier" => self.read(node),
            "comment" | "string_content" | "escape_sequence" | "type" => {}
            "attribute" => {
                if let Some(object) = node.field("object") {
                    self.expr(object);
                }
            }
            "keyword_argument" => {
                if let Some(value) = node.field("value") {
                    self.expr(value);
                }
            }
            "lambda" => {
                if let Some(parameters) = node.field("parameters") {
                    self.defaults(parameters);
                }
            }
            "assignment" => {
                if let Some(right) = node.field("right") {
                    self.expr(right);
                }
                if let Some(left) = node.field("left") {
                    // `x: int` alone binds nothing.
                    if node.field("right").is_some() {
                        self.target(left);
                    }
                }
            }
            "augmented_assignment" => {
                if let Some(left) = node.field("left") {
                    self.expr(left);
                }
                if let Some(right) = node.field("right") {
                    self.expr(right);
                }
                if let Some(left) = node.field("left") {
                    self.target(left);
                }
            }
            "named_expression" => {
                if let Some(value) = node.field("value") {
                    self.expr(value);
                }
                if let Some(name) = node.field("name") {
                    self.bind_outside_comprehension(name);
                }
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => self.comprehension(node),
            "with_item" | "with_clause" | "as_pattern" => self.as_pattern(node),
            _ => self.children(node, Self::expr),
        }
        self.depth -= 1;
    }

    /// `e as name` in `with`, `except` and older grammars: the expression, then the binding.
    fn as_pattern(&mut self, node: Node) {
        if node.kind_name() != "as_pattern" {
            self.children(node, Self::expr);
            return;
        }
        let alias = node.field("alias");
        let mut cursor = node.walk();
        let parts: Vec<Node> = node.named_children(&mut cursor).collect();
        for part in parts {
            if Some(part) == alias {
                self.target(part);
            } else {
                self.expr(part);
            }
        }
    }

    /// A walrus binds in the enclosing scope, even from inside a comprehension.
    fn bind_outside_comprehension(&mut self, name: Node) {
        let saved = std::mem::take(&mut self.comprehension_locals);
        self.bind(name);
        self.comprehension_locals = saved;
    }

    /// An assignment target: names are bound; the objects of `a.b = ...` and `a[i] = ...` are
    /// read.
    fn target(&mut self, node: Node) {
        if !self.enter() {
            return;
        }
        match node.kind_name() {
            "identifier" => self.bind(node),
            "attribute" | "subscript" => self.expr(node),
            "as_pattern_target"
            | "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "expression_list"
            | "tuple"
            | "list"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "list_splat" => self.children(node, Self::target),
            "comment" => {}
            _ => self.expr(node),
        }
        self.depth -= 1;
    }

    /// `case Point(x=px, y=0) | [px, *rest] as whole:` binds every capture; value patterns
    /// (`Color.RED`) are not read, which can only make the analysis say less.
    fn pattern_captures(&mut self, node: Node) {
        if !self.enter() {
            return;
        }
        match node.kind_name() {
            "identifier" => self.bind(node),
            "class_pattern" => {
                // The class name is a read, its keyword names are not names.
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                for part in parts.into_iter().skip(1) {
                    self.pattern_captures(part);
                }
            }
            "keyword_pattern" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                for part in parts.into_iter().skip(1) {
                    self.pattern_captures(part);
                }
            }
            _ => self.children(node, Self::pattern_captures),
        }
        self.depth -= 1;
    }

    fn comprehension(&mut self, node: Node) {
        let mut cursor = node.walk();
        let parts: Vec<Node> = node.named_children(&mut cursor).collect();
        // The first iterable runs in the enclosing scope, before any variable exists.
        let mut locals = HashSet::new();
        let mut first = true;
        let mut order = Vec::new();
        for part in &parts {
            if part.kind_name() == "for_in_clause" {
                if let Some(right) = part.field("right") {
                    if first {
                        self.expr(right);
                    } else {
                        order.push(right);
                    }
                }
                first = false;
                if let Some(left) = part.field("left") {
                    self.collect_names(left, &mut locals);
                }
            } else {
                order.push(*part);
            }
        }
        if node.kind_name() == "list_comprehension" {
            self.out.maybe_defined.extend(locals.iter().copied());
        }
        self.comprehension_locals.push(locals);
        for part in order {
            self.expr(part);
        }
        self.comprehension_locals.pop();
    }

    fn collect_names(&mut self, node: Node, into: &mut HashSet<u32>) {
        if node.kind_name() == "identifier" {
            into.insert(self.name_of(node));
            return;
        }
        if !self.enter() {
            return;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            if !matches!(child.kind_name(), "attribute" | "subscript") {
                self.collect_names(child, into);
            }
        }
        self.depth -= 1;
    }

    fn import(&mut self, node: Node, from: bool) {
        self.imported(node);
        let module = node.field("module_name");
        let mut cursor = node.walk();
        let names: Vec<Node> = node.named_children(&mut cursor).collect();
        for name in names {
            if Some(name) == module {
                continue;
            }
            match name.kind_name() {
                "dotted_name" if from => {
                    if let Some(last) = last_identifier(name) {
                        self.bind(last);
                    }
                }
                "dotted_name" => {
                    if let Some(first) = first_identifier(name) {
                        self.bind(first);
                    }
                }
                "aliased_import" => {
                    if let Some(alias) = name.field("alias") {
                        self.bind(alias);
                    }
                }
                "wildcard_import" => self.out.events.push(NameEvent::Opaque(span(name))),
                _ => {}
            }
        }
    }

    fn imported(&mut self, node: Node) {
        if self.class_locals.is_empty() {
            self.out.imports.push(span(node));
        }
    }

    /// `def`: decorators (read by the caller), default values and then the name; the body
    /// runs later and is only searched for `global` names and opaque calls.
    fn function(&mut self, node: Node) {
        if let Some(parameters) = node.field("parameters") {
            self.defaults(parameters);
        }
        if let Some(name) = node.field("name") {
            self.bind(name);
        }
        if let Some(body) = node.field("body") {
            self.deferred(body);
        }
    }

    fn defaults(&mut self, parameters: Node) {
        let mut cursor = parameters.walk();
        let parameters: Vec<Node> = parameters.named_children(&mut cursor).collect();
        for parameter in parameters {
            if let Some(value) = parameter.field("value") {
                self.expr(value);
            }
        }
    }

    /// `class`: bases, then the body (run now, in a scope of its own), then the name.
    fn class(&mut self, node: Node) {
        if let Some(bases) = node.field("superclasses") {
            self.expr(bases);
        }
        if let Some(body) = node.field("body") {
            self.class_locals.push(HashSet::new());
            self.statement(body);
            self.class_locals.pop();
        }
        if let Some(name) = node.field("name") {
            self.bind(name);
        }
    }

    /// A body that runs later: `global x` makes `x` a module name whenever it is called,
    /// and `globals()`, `exec` and the like make every name unknown from the definition on.
    fn deferred(&mut self, body: Node) {
        let mut cursor = body.walk();
        let mut opaque = None;
        'walk: loop {
            let node = cursor.node();
            match node.kind_name() {
                "global_statement" => {
                    let mut inner = node.walk();
                    let names: Vec<Node> = node.named_children(&mut inner).collect();
                    for name in names {
                        let id = self.name_of(name);
                        self.out.maybe_defined.push(id);
                    }
                }
                "identifier" => {
                    let text = self.text.get(node.byte_range()).unwrap_or("");
                    if OPAQUE_NAMES.contains(&text) {
                        opaque.get_or_insert(span(node));
                    }
                }
                "exec_statement" => {
                    opaque.get_or_insert(span(node));
                }
                _ => {}
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == body {
                    break 'walk;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        if let Some(at) = opaque {
            self.out.events.push(NameEvent::Opaque(at));
        }
    }

    /// `del x` unbinds `x` when it surely runs (not inside a branch or loop); `del x[0]` and
    /// `del x.a` read `x`.
    fn delete(&mut self, node: Node) {
        let mut cursor = node.walk();
        let targets: Vec<Node> = node.named_children(&mut cursor).collect();
        for target in targets {
            let list = matches!(
                target.kind_name(),
                "expression_list" | "tuple" | "list" | "parenthesized_expression"
            );
            let items: Vec<Node> = if list {
                let mut inner = target.walk();
                target.named_children(&mut inner).collect()
            } else {
                vec![target]
            };
            for item in items {
                if item.kind_name() == "identifier" {
                    let name = self.name_of(item);
                    if self.conditional == 0 && self.class_locals.is_empty() {
                        self.out.events.push(NameEvent::Delete(name, span(item)));
                    }
                } else {
                    self.expr(item);
                }
            }
        }
    }
}

/// Whether `node` (the name `dir`) is called with no arguments: `dir()` lists the module's
/// names, the usual way to test whether one exists.
fn called_bare(node: Node) -> bool {
    node.parent().is_some_and(|call| {
        call.kind_name() == "call"
            && call.field("function") == Some(node)
            && call
                .field("arguments")
                .is_none_or(|a| a.named_child_count() == 0)
    })
}

fn first_identifier(node: Node) -> Option<Node> {
    if node.kind_name() == "identifier" {
        return Some(node);
    }
    node.named_child(0).and_then(first_identifier)
}

fn last_identifier(node: Node) -> Option<Node> {
    if node.kind_name() == "identifier" {
        return Some(node);
    }
    let count = node.named_child_count();
    node.named_child(u32::try_from(count.checked_sub(1)?).ok()?)
        .filter(|c| c.kind_name() == "identifier")
}

#[cfg(test)]
mod tests {
    use crate::model::{ModuleNames, NameEvent};

    /// The names of a notebook whose code cells are `cells`.
    fn names(cells: &[&str]) -> ModuleNames {
        let json = crate::testutil::notebook_json(cells);
        let file =
            crate::source::notebook::load("n.ipynb".into(), "n.ipynb".into(), json.as_bytes())
                .expect("a notebook");
        let tree = crate::source::python::parse(&file.text).expect("a tree");
        crate::model::build(&file, &tree).names
    }

    /// The events as `+x` (bind), `x` (read), `-x` (delete) and `*` (opaque).
    fn events(cells: &[&str]) -> Vec<String> {
        let names = names(cells);
        names
            .events
            .iter()
            .map(|e| match *e {
                NameEvent::Bind(n, _) => format!("+{}", names.name(n)),
                NameEvent::Read(n, _) => names.name(n).to_string(),
                NameEvent::Delete(n, _) => format!("-{}", names.name(n)),
                NameEvent::Opaque(_) => "*".to_string(),
            })
            .collect()
    }

    #[test]
    fn reads_come_before_the_binding_of_their_statement() {
        assert_eq!(events(&["x = x + 1"]), ["x", "+x"]);
        assert_eq!(events(&["n += 1"]), ["n", "+n"]);
        assert_eq!(events(&["a, *b = c"]), ["c", "+a", "+b"]);
        assert_eq!(events(&["d[k] = v"]), ["v", "d", "k"]);
        assert_eq!(events(&["if (m := f()): pass"]), ["f", "+m"]);
    }

    #[test]
    fn deferred_and_local_names_are_not_reads() {
        assert_eq!(
            events(&["def f(a=dflt):\n    return later\n"]),
            ["dflt", "+f"]
        );
        assert_eq!(events(&["g = lambda: later"]), ["+g"]);
        assert_eq!(events(&["s = [x * y for x in xs]"]), ["xs", "y", "+s"]);
        assert_eq!(
            events(&["class C(Base):\n    k = 1\n    j = k + z\n"]),
            ["Base", "z", "+C"]
        );
        assert_eq!(events(&["f(key=v).attr"]), ["f", "v"]);
    }

    #[test]
    fn imports_bind_their_local_names() {
        assert_eq!(
            events(&["import a.b.c, d as e\nfrom m import n, o as p"]),
            ["+a", "+e", "+n", "+p"]
        );
        assert_eq!(events(&["from m import *"]), ["*"]);
    }

    #[test]
    fn guarded_reads_and_conditional_deletions_are_not_recorded() {
        assert_eq!(
            events(&["try:\n    x\nexcept NameError as e:\n    x = 1\n"]),
            ["NameError", "+e", "+x"]
        );
        assert_eq!(events(&["if c:\n    del x\ndel y"]), ["c", "-y"]);
    }

    #[test]
    fn opaque_code_and_masked_lines() {
        assert_eq!(events(&["globals()['x'] = 1"]), ["*"]);
        assert_eq!(
            events(&["def f():\n    global g\n    exec(s)\n"]),
            ["+f", "*"]
        );
        assert_eq!(names(&["def f():\n    global g\n"]).maybe_defined.len(), 1);
        assert_eq!(
            events(&["%run helpers.py"]),
            ["*", "+run", "+helpers", "+py"]
        );
        assert_eq!(events(&["files = !ls data"]), ["+files", "+ls", "+data"]);
        assert_eq!(
            events(&["%%capture out\nprint(1)"]),
            ["+capture", "+out", "print"]
        );
    }

    #[test]
    fn statements_and_imports_are_listed() {
        let names = names(&["import a\nx = 1\n# note", "def f():\n    import b\n"]);
        let kinds: Vec<bool> = names.statements.iter().map(|(_, import)| *import).collect();
        assert_eq!(kinds, [true, false, false]);
        assert_eq!(names.imports.len(), 1);
    }
}
