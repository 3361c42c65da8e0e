//! Functions and classes imported from other modules of the project (`from src.utils import
//! load_object`, `utils.evaluate_models(...)`, `PredictPipeline().predict(df)`). Their
//! bodies are read at each call, with the call's arguments bound to their parameters, as if
//! the body were written at the call: what they fit, predict, evaluate, save, load, write and
//! read happens at the call site, for every rule. Everything the body makes is placed at the
//! call (the outermost one, when helpers call helpers), since the file's spans cannot point
//! into another file.
//!
//! The imported module's top level is read once per file, in part: its imports, the functions
//! and classes it defines, and assignments of constants, paths and loaded models. Its scripts
//! (fits, plots, a `__main__` block) are not run: importing a module does not train its model.
//!
//! Bounded: three calls deep, no definition inside itself, bodies of ML-relevant functions
//! only, and a budget of values per file; past any bound the call is a call the analysis
//! cannot see into, as before.

use super::{Args, Builder, Scope, span, summary};
use crate::finding::Span;
use crate::model::modules::{self, Module};
use crate::model::{Kind, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use std::cell::{Cell, OnceCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tree_sitter::Node;

/// Calls of project functions inside project functions followed, counting the first.
const MAX_DEPTH: usize = 3;
/// Values made by reading imported bodies, per file; past it calls are not followed.
const MAX_VALUES: usize = 5_000;
/// Definitions longer than this are not read.
const MAX_DEFINITION_BYTES: usize = 16 << 10;
/// Modules one file reads functions from.
const MAX_MODULES: usize = 32;

/// Places for the modules a file's build holds (see [`Foreign::hold`]).
pub(super) fn slots() -> Vec<OnceCell<Arc<Module>>> {
    (0..MAX_MODULES).map(|_| OnceCell::new()).collect()
}

thread_local! {
    /// While an imported body is read: the span of the outermost call, which every value,
    /// event and fact made there takes (see `span`).
    pub(super) static AT: Cell<Option<Span>> = const { Cell::new(None) };
}

/// A function or class of another module.
struct Def<'a> {
    module: &'a Module,
    node: Node<'a>,
}

/// What the builder knows of the project's other modules.
pub(super) struct Foreign<'a> {
    /// The modules held, in the order first called (a slot each).
    slots: &'a [OnceCell<Arc<Module>>],
    held: HashMap<PathBuf, &'a Module>,
    defs: Vec<Def<'a>>,
    /// Definition ids by (module, start byte).
    ids: HashMap<(usize, usize), usize>,
    /// Top-level names of the modules read, by module.
    scopes: HashMap<usize, HashMap<String, ValueId>>,
    /// Definitions whose bodies are being read, outermost first.
    stack: Vec<usize>,
    /// Modules whose top level is being read.
    reading: Vec<usize>,
    /// Values made while reading imported code.
    made: usize,
    /// Attributes set on instances (`self.model = load(...)` in `__init__`), by instance.
    attrs: HashMap<ValueId, Vec<(String, ValueId)>>,
    /// Modules looked up so far, by the reading module's path (its address) and the module as
    /// written: a file calling `utils.f` ten thousand times looks `utils` up once.
    looked_up: HashMap<usize, HashMap<String, Option<Arc<modules::Source>>>>,
}

impl<'a> Foreign<'a> {
    pub(super) fn new(slots: &'a [OnceCell<Arc<Module>>]) -> Foreign<'a> {
        Foreign {
            slots,
            held: HashMap::new(),
            defs: Vec::new(),
            ids: HashMap::new(),
            scopes: HashMap::new(),
            stack: Vec::new(),
            reading: Vec::new(),
            made: 0,
            attrs: HashMap::new(),
            looked_up: HashMap::new(),
        }
    }

    /// The module, held for the rest of the build; None past [`MAX_MODULES`].
    fn hold(&mut self, module: Arc<Module>) -> Option<&'a Module> {
        if let Some(&held) = self.held.get(&module.path) {
            return Some(held);
        }
        let slot = self.slots.get(self.held.len())?;
        let path = module.path.clone();
        let held: &'a Module = slot.get_or_init(|| module);
        self.held.insert(path, held);
        Some(held)
    }
}

fn module_key(module: &Module) -> usize {
    std::ptr::from_ref(module) as usize
}

impl<'a> Builder<'a> {
    /// True while code of another module is read.
    pub(super) fn reading_foreign(&self) -> bool {
        !std::ptr::eq(self.text, self.home)
    }

    /// A call of `qualified` (`src.utils.load_object`) when it names a function or class of
    /// another module of the project: the body read at this call.
    pub(super) fn foreign_call(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let (source, name) = self.project_source(qualified)?;
        // Decided from the text before the module is parsed: most calls of a library's own
        // helpers are not worth reading.
        let text = source.definition_text(name)?;
        let worth = match text.strip_prefix("class ") {
            // Classes that extend another class behave as that class says (see
            // `definition_call`); a plain class is read when its text does ML work.
            Some(rest) => {
                let header = rest.split(':').next().unwrap_or("");
                let bases = header
                    .split_once('(')
                    .map_or("", |(_, b)| b.trim_end().trim_end_matches(')').trim());
                (bases.is_empty() || bases == "object")
                    && [IO_WORDS, ML_WORDS, DATA_WORDS]
                        .iter()
                        .any(|words| words.iter().any(|w| text.contains(w)))
            }
            None => self.worth_reading(name, text, None, args),
        };
        if !worth {
            return None;
        }
        let module = self.foreign.hold(modules::parse(&source)?)?;
        let def = self.definition_id(module, module.definition(name)?);
        self.definition_call(def, args, node)
    }

    /// The value a module of the project binds to `qualified`'s last name at its top level
    /// (`service.model.predictor`), read as importing it would; None for its functions and
    /// classes, and for names it does not bind.
    pub(super) fn foreign_value(&mut self, qualified: &str, node: Node) -> Option<ValueId> {
        let (source, name) = self.project_source(qualified)?;
        if !source.assigns(name) {
            return None;
        }
        let module = self.foreign.hold(modules::parse(&source)?)?;
        let outer = AT.with(Cell::get);
        if outer.is_none() {
            AT.with(|at| at.set(Some(span(node))));
        }
        let names = self.module_scope(module);
        AT.with(|at| at.set(outer));
        let value = *names?.get(name)?;
        (!matches!(
            self.kind(value),
            Kind::Import(_) | Kind::Definition(_) | Kind::Unknown
        ))
        .then_some(value)
    }

    /// The module of the project `qualified` (`src.utils.load_object`) names a member of, and
    /// that member's name; None for libraries and for the file itself.
    fn project_source<'q>(
        &mut self,
        qualified: &'q str,
    ) -> Option<(Arc<modules::Source>, &'q str)> {
        let (module, name) = qualified.rsplit_once('.')?;
        if module.is_empty() || module.ends_with('.') {
            return None;
        }
        let reader = self.path.as_os_str().as_encoded_bytes().as_ptr() as usize;
        if let Some(known) = self
            .foreign
            .looked_up
            .get(&reader)
            .and_then(|m| m.get(module))
        {
            return known.clone().map(|source| (source, name));
        }
        let source = modules::source(self.path, module)
            .filter(|source| source.path != crate::model::constants::key(self.path));
        self.foreign
            .looked_up
            .entry(reader)
            .or_default()
            .insert(module.to_string(), source.clone());
        source.map(|source| (source, name))
    }

    /// Definition `def`: its module and its node.
    fn definition(&self, def: usize) -> Option<(&'a Module, Node<'a>)> {
        self.foreign.defs.get(def).map(|d| (d.module, d.node))
    }

    fn definition_id(&mut self, module: &'a Module, node: Node<'a>) -> usize {
        let key = (module_key(module), node.start_byte());
        if let Some(&id) = self.foreign.ids.get(&key) {
            return id;
        }
        self.foreign.defs.push(Def { module, node });
        let id = self.foreign.defs.len() - 1;
        self.foreign.ids.insert(key, id);
        id
    }

    /// A call of definition `def`: a function's body read on the arguments, or a new
    /// instance of a class with its `__init__` read.
    pub(super) fn definition_call(
        &mut self,
        def: usize,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let (module, definition) = self.definition(def)?;
        if definition.kind_name() != "class_definition" {
            return self.inline(def, None, args, node);
        }
        // Classes that extend a library class (`nn.Module`, `BaseModel`, `Exception`) behave as
        // that library says, which reading their methods would not show.
        if definition
            .field("superclasses")
            .is_some_and(|bases| bases.named_child_count() > 0)
        {
            return None;
        }
        let instance = self.new_value(Kind::Instance { class: def }, Vec::new(), span(node));
        match self.method_of(module, definition, "__init__") {
            Some(init) => {
                self.inline(init, Some(instance), args, node);
            }
            None => self.dataclass_fields(module, definition, instance, args),
        }
        Some(instance)
    }

    /// A method call on an instance of a project class.
    pub(super) fn instance_call(
        &mut self,
        class: usize,
        instance: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let (module, definition) = self.definition(class)?;
        let id = self.method_of(module, definition, method)?;
        self.inline(id, Some(instance), args, node)
    }

    /// `instance.attr`, when a method set it.
    pub(super) fn instance_attribute(&self, instance: ValueId, attr: &str) -> Option<ValueId> {
        self.foreign
            .attrs
            .get(&instance)?
            .iter()
            .rev()
            .find(|(name, _)| name == attr)
            .map(|&(_, value)| value)
    }

    /// `instance.attr = value`.
    pub(super) fn set_instance_attribute(&mut self, instance: ValueId, attr: &str, value: ValueId) {
        self.foreign
            .attrs
            .entry(instance)
            .or_default()
            .push((attr.to_string(), value));
    }

    fn method_of(&mut self, module: &'a Module, class: Node<'a>, name: &str) -> Option<usize> {
        let body = class.field("body")?;
        let mut cursor = body.walk();
        let method = body
            .named_children(&mut cursor)
            .filter_map(modules::definition_of)
            .find(|def| {
                def.kind_name() == "function_definition"
                    && def
                        .field("name")
                        .and_then(|n| module.text.get(n.byte_range()))
                        .is_some_and(|n| n == name)
            })?;
        Some(self.definition_id(module, method))
    }

    /// A class without `__init__` whose body declares fields (`gender: str`, a dataclass):
    /// the call's arguments are its attributes, by field.
    fn dataclass_fields(
        &mut self,
        module: &'a Module,
        class: Node<'a>,
        instance: ValueId,
        args: &Args,
    ) {
        let Some(body) = class.field("body") else {
            return;
        };
        let mut fields = Vec::new();
        let mut cursor = body.walk();
        for statement in body.named_children(&mut cursor) {
            let Some(assignment) = statement.named_child(0).filter(|n| {
                statement.kind_name() == "expression_statement" && n.kind_name() == "assignment"
            }) else {
                continue;
            };
            if assignment.field("type").is_none() {
                continue;
            }
            if let Some(name) = assignment
                .field("left")
                .filter(|l| l.kind_name() == "identifier")
                .and_then(|l| module.text.get(l.byte_range()))
            {
                fields.push(name.to_string());
            }
        }
        for (field, (value, _)) in fields.iter().zip(&args.positional) {
            self.set_instance_attribute(instance, field, *value);
        }
        for (name, value, _) in &args.keywords {
            if fields.contains(name) {
                self.set_instance_attribute(instance, name, *value);
            }
        }
    }

    /// Reads the body of function `def` at the call `node`, with `receiver` as its `self`.
    fn inline(
        &mut self,
        def: usize,
        receiver: Option<ValueId>,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let (module, definition) = self.definition(def)?;
        if self.foreign.stack.len() >= MAX_DEPTH
            || self.foreign.stack.contains(&def)
            || self.foreign.made >= MAX_VALUES
            || definition.byte_range().len() > MAX_DEFINITION_BYTES
            || args.splat
        {
            return None;
        }
        let body = definition.field("body")?;
        let name = definition
            .field("name")
            .and_then(|n| module.text.get(n.byte_range()))
            .unwrap_or("");
        let text = module.text.get(definition.byte_range()).unwrap_or("");
        let worth = self.worth_reading(name, text, receiver, args);
        if !worth {
            return None;
        }
        // A path given as an argument (`load_object(file_path=os.path.join("artifacts",
        // "model.pkl"))`) folds inside the body through the parameter.
        for (value, node) in args
            .positional
            .iter()
            .map(|(v, n)| (*v, *n))
            .chain(args.keywords.iter().map(|(_, v, n)| (*v, *n)))
        {
            if value != UNKNOWN
                && !matches!(self.kind(value), Kind::Str(_))
                && !self.folded.contains_key(&value)
                && let Some(path) = self.fold_path(node, 0)
                && path != "*"
            {
                self.folded.insert(value, path);
            }
        }
        let outer = AT.with(Cell::get);
        if outer.is_none() {
            AT.with(|at| at.set(Some(span(node))));
        }
        let first = self.model.values.len();
        let names = self.module_scope(module);
        let result = names.map(|names| {
            self.in_module(module, vec![Scope { names }, Scope::default()], |b| {
                b.foreign.stack.push(def);
                b.bind_parameters(definition, receiver, args);
                let scope = b.scope();
                b.functions.push(summary::Open {
                    returns: Vec::new(),
                    params: Vec::new(),
                    scope,
                    clock_defaults: Vec::new(),
                });
                b.block(body);
                let returns = b.functions.pop().map(|o| o.returns).unwrap_or_default();
                b.foreign.stack.pop();
                returns
            })
        });
        self.foreign.made += self.model.values.len() - first;
        AT.with(|at| at.set(outer));
        let returns = result?;
        if outer.is_none() {
            let called = self.describe_definition(def);
            self.model.read_at.push((span(node), called));
        }
        Some(match returns.as_slice() {
            [] => UNKNOWN,
            [one] => *one,
            many => self.new_value(Kind::Unknown, many.to_vec(), span(node)),
        })
    }

    /// Whether the body of `name` (its text) is worth reading at a call. Library code calls its
    /// helpers on its own parameters everywhere, where reading them tells nothing: a body is
    /// read when the call hands it something the model knows (data, a model, a path), when
    /// it is a method of a project object, or when it moves models or data itself (a loader
    /// called with nothing).
    fn worth_reading(
        &self,
        name: &str,
        text: &str,
        receiver: Option<ValueId>,
        args: &Args,
    ) -> bool {
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        let known = || args.all_values().into_iter().any(|v| self.is_known_data(v));
        name == "__init__"
            || has(IO_WORDS)
            || receiver.is_some() && (has(ML_WORDS) || has(DATA_WORDS))
            || (has(ML_WORDS) || has(DATA_WORDS)) && known()
    }

    /// A value the model knows something about as data: rows, columns, facts, or a model.
    fn is_known_data(&self, id: ValueId) -> bool {
        if self.folded.contains_key(&id) {
            return true;
        }
        let value = &self.model.values[id];
        value.rows != 0
            || value.columns.is_some()
            || !value.facts.is_empty()
            || matches!(
                value.kind,
                Kind::Estimator(_)
                    | Kind::Output { .. }
                    | Kind::SplitPart { .. }
                    | Kind::Instance { .. }
            )
    }

    /// `` `Class.method` in `src/pipeline.py` ``, the module named from the file's folder.
    fn describe_definition(&self, def: usize) -> String {
        let Some((module, node)) = self.definition(def) else {
            return String::new();
        };
        let name_of = |n: Node| {
            n.field("name")
                .and_then(|name| module.text.get(name.byte_range()))
                .unwrap_or("")
                .to_string()
        };
        let mut name = name_of(node);
        let class = std::iter::successors(node.parent(), |p| p.parent())
            .find(|p| p.kind_name() == "class_definition");
        if let Some(class) = class {
            name = format!("{}.{name}", name_of(class));
        }
        let home = crate::model::constants::key(self.home_path);
        let folder = home.parent().unwrap_or(&home);
        format!("`{name}` in `{}`", relative(&module.path, folder))
    }

    /// Binds the parameters of `definition` to the call's arguments (`self` to the receiver),
    /// the others to their defaults.
    fn bind_parameters(&mut self, definition: Node<'a>, receiver: Option<ValueId>, args: &Args) {
        let Some(parameters) = definition.field("parameters") else {
            return;
        };
        let mut cursor = parameters.walk();
        let list: Vec<Node> = parameters.named_children(&mut cursor).collect();
        let mut positional = args.positional.iter().map(|(v, _)| *v);
        let mut first = true;
        for param in list {
            let splat = matches!(
                param.kind_name(),
                "list_splat_pattern" | "dictionary_splat_pattern"
            );
            let Some(name) = crate::source::python::parameter_name(param).map(|n| self.text(n))
            else {
                continue;
            };
            let value = if first && receiver.is_some() {
                receiver.unwrap_or(UNKNOWN)
            } else if splat {
                UNKNOWN
            } else if let Some((_, value, _)) = args.keywords.iter().find(|(k, _, _)| k == name) {
                *value
            } else if let Some(value) = positional.next() {
                value
            } else {
                param.field("value").map_or(UNKNOWN, |d| self.expr(d))
            };
            first = false;
            self.bind(name, value);
        }
    }

    /// Runs `read` with another module's text, path and scopes, and puts the file's back.
    fn in_module<T>(
        &mut self,
        module: &'a Module,
        scopes: Vec<Scope>,
        read: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let text = std::mem::replace(&mut self.text, &module.text);
        let path = std::mem::replace(&mut self.path, &module.path);
        let scopes = std::mem::replace(&mut self.scopes, scopes);
        let star_imports = std::mem::take(&mut self.star_imports);
        let result = read(self);
        self.text = text;
        self.path = path;
        self.scopes = scopes;
        self.star_imports = star_imports;
        result
    }

    /// The names `module` defines at its top level, read once per file.
    fn module_scope(&mut self, module: &'a Module) -> Option<HashMap<String, ValueId>> {
        let key = module_key(module);
        if let Some(names) = self.foreign.scopes.get(&key) {
            return Some(names.clone());
        }
        // A class of the module instantiated by its own top level (`predictor =
        // Predictor()`): its methods see the names bound so far.
        if self.foreign.reading.last() == Some(&key) {
            return self.scopes.first().map(|scope| scope.names.clone());
        }
        if self.foreign.reading.contains(&key) {
            return None;
        }
        self.foreign.reading.push(key);
        let root = module.tree.root_node();
        let names = self.in_module(module, vec![Scope::default()], |b| {
            let mut cursor = root.walk();
            let statements: Vec<Node> = root.named_children(&mut cursor).collect();
            for statement in statements {
                if let Some(def) = modules::definition_of(statement) {
                    if let Some(name) = def.field("name").map(|n| b.text(n)) {
                        let id = b.definition_id(module, def);
                        let value = b.new_value(Kind::Definition(id), Vec::new(), span(def));
                        b.bind(name, value);
                    }
                    continue;
                }
                match statement.kind_name() {
                    "import_statement" => b.import(statement),
                    "import_from_statement" => b.import_from(statement),
                    "expression_statement" => {
                        if let Some(assignment) = statement
                            .named_child(0)
                            .filter(|n| n.kind_name() == "assignment")
                            && assignment.field("right").is_some_and(|r| b.is_setup(r))
                        {
                            b.expr_or_assignment(assignment);
                        }
                    }
                    _ => {}
                }
            }
            b.scopes.pop().map(|s| s.names).unwrap_or_default()
        });
        self.foreign.reading.retain(|&k| k != key);
        self.foreign.scopes.insert(key, names.clone());
        Some(names)
    }

    /// A module-level value that importing the module computes without doing the module's
    /// work: constants, paths, and models or objects loaded from artifacts.
    fn is_setup(&self, node: Node) -> bool {
        match node.kind_name() {
            "string"
            | "concatenated_string"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "identifier"
            | "attribute"
            | "list"
            | "tuple"
            | "dictionary"
            | "pair"
            | "binary_operator"
            | "parenthesized_expression"
            | "expression_list"
            | "keyword_argument"
            | "argument_list"
            | "unary_operator"
            | "subscript" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                children.into_iter().all(|child| self.is_setup(child))
            }
            "string_start" | "string_content" | "string_end" | "escape_sequence" | "comment" => {
                true
            }
            "call" => {
                let Some(function) = node.field("function") else {
                    return false;
                };
                // `predictor = Predictor()`: an instance of a class the module defines above,
                // whose `__init__` is read (it often loads the model).
                let class = function.kind_name() == "identifier"
                    && self
                        .scopes
                        .last()
                        .and_then(|scope| scope.names.get(self.text(function)))
                        .is_some_and(|&value| matches!(self.kind(value), Kind::Definition(_)));
                let name = self.text(function).rsplit('.').next().unwrap_or("");
                class
                    || matches!(
                        name,
                        "join"
                            | "joinpath"
                            | "Path"
                            | "PurePath"
                            | "dirname"
                            | "abspath"
                            | "realpath"
                            | "basename"
                            | "expanduser"
                            | "resolve"
                            | "getenv"
                            | "get"
                            | "open"
                            | "load"
                            | "load_model"
                            | "load_learner"
                            | "from_pretrained"
                            | "str"
                            | "int"
                            | "float"
                    ) && node.field("arguments").is_none_or(|a| self.is_setup(a))
            }
            _ => false,
        }
    }
}

/// `path` as written from `folder` (`src/utils.py`, `../src/utils.py`), both absolute: what a
/// message names must not depend on where mlready runs.
fn relative(path: &std::path::Path, folder: &std::path::Path) -> String {
    let path: Vec<_> = path.components().collect();
    let folder: Vec<_> = folder.components().collect();
    let common = path.iter().zip(&folder).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); folder.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Words of a body that loads, saves, reads or writes models or data.
const IO_WORDS: &[&str] = &[
    "load",
    "dump",
    "save",
    "read_",
    "to_csv",
    "to_parquet",
    "to_pickle",
    "to_json",
    "log_model",
];

/// Words of a body that trains, predicts or scores.
const ML_WORDS: &[&str] = &["fit", "predict", "split", "score", "metric", "evaluate"];

/// Words of a body that builds columns or frames: read only when a call passes it data the
/// model knows something about (library code calls helpers like these on its parameters
/// everywhere, and reading them there would cost without telling anything).
const DATA_WORDS: &[&str] = &[
    "transform",
    "DataFrame",
    "concat",
    "merge",
    "drop",
    "assign",
    "groupby",
    "shift",
    "[",
];

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn a_module_is_named_from_the_folder_of_the_file_that_calls_it() {
        let from = Path::new("/p/notebooks");
        assert_eq!(
            relative(Path::new("/p/notebooks/utils.py"), from),
            "utils.py"
        );
        assert_eq!(
            relative(Path::new("/p/src/utils.py"), from),
            "../src/utils.py"
        );
        assert_eq!(relative(Path::new("/q/lib.py"), from), "../../q/lib.py");
    }
}
