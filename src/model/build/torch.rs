//! PyTorch facts for the API rules, built during the one traversal: which values are modules
//! (and whether they hold dropout or batch norm) and optimizers; mode switches, module calls
//! in inference contexts, backward passes, optimizer steps and gradient resets, each in the
//! block (loop, branch, function body) it happens in.
//!
//! Functions of the file are summarised while their bodies are read: what they do to their
//! parameters and to modules of enclosing scopes (switch them, call them, train them, reset
//! gradients). A call of the function replays those effects on its arguments, so that
//! `evaluate(model)` counts as `model.eval()` when `evaluate` calls `.eval()` on its
//! parameter. Summaries hold replayed effects too, so a chain of helpers composes; a function
//! is not summarised before its body has been read (recursion sees no summary).

use super::{Args, Builder, span};
use crate::finding::Span;
use crate::ml::{self, ModeDependence, TorchClass};
use crate::model::{
    Block, BlockId, BlockKind, Event, Inference, Kind, Mode, Site, TorchModule, UNKNOWN, ValueId,
};
use crate::source::python::Syntax;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Effects kept per function summary; a longer body is summarised by its first effects.
const MAX_EFFECTS: usize = 256;
/// Values visited when looking for the modules a value was reached through.
const ANCESTRY_BUDGET: usize = 256;
/// Effects replayed per file; past it, calls of helpers count as calls the analysis cannot
/// see (which only ever silences the rules), so a file of many calls stays linear.
const REPLAY_BUDGET: usize = 20_000;

/// The builder's PyTorch state.
#[derive(Default)]
pub(super) struct State {
    /// Open blocks, innermost last: the node that opened it and the block.
    blocks: Vec<(usize, BlockId)>,
    /// Open `with torch.no_grad():` statements, innermost last.
    no_grad: Vec<NoGrad>,
    /// Open function definitions, innermost last.
    functions: Vec<Frame>,
    /// Open class definitions, innermost last.
    classes: Vec<ClassFrame>,
    /// Classes of this file that inherit from `nn.Module`, by the value of their name.
    module_classes: HashMap<ValueId, ModuleClass>,
    /// Functions of this file, by the value of their name.
    summaries: HashMap<ValueId, Summary>,
    /// Modules whose weights were loaded, and where.
    loaded: HashMap<ValueId, Span>,
    /// The module classes of [`State::module_classes`] that are `LightningModule`s.
    lightning: HashSet<ValueId>,
    /// The file imports PyTorch (or Lightning): until then nothing here is recorded.
    active: bool,
    /// How many of the model's imports were looked at for that.
    imports_seen: usize,
    /// Effects replayed so far (see [`REPLAY_BUDGET`]).
    replayed: usize,
}

struct NoGrad {
    node: usize,
    /// How many functions were open: a `with` applies to its own function body only.
    depth: usize,
    inference: Inference,
}

struct Frame {
    node: usize,
    /// The block of the function body.
    block: BlockId,
    /// `scopes.len()` inside the body, to know when the parameters are bound.
    scope_depth: usize,
    params: Vec<Param>,
    /// The values of the parameters, read at the first statement of the body.
    values: Option<Vec<ValueId>>,
    /// Values from this one on were made while the function body was read.
    first_value: ValueId,
    /// The decorator or name that makes the body inference.
    inference: Option<Inference>,
    /// A `LightningModule` hook the trainer runs in evaluation mode.
    exempt: bool,
    effects: Vec<Effect>,
    layers: Layers,
}

#[derive(Clone)]
struct Param {
    name: String,
    /// Can be passed by position.
    positional: bool,
}

struct ClassFrame {
    node: usize,
    /// `scopes.len()` inside the class body.
    scope_depth: usize,
    is_module: bool,
    lightning: bool,
    /// What the base classes of this file or of `torch.nn` bring.
    base_layers: Option<bool>,
    layers: Layers,
}

struct ModuleClass {
    name: String,
    mode_dependent: Option<bool>,
}

/// What the layers a class or function builds are known to be.
#[derive(Default, Clone, Copy)]
struct Layers {
    dependent: bool,
    /// Something was built or called that the analysis cannot see into.
    opaque: bool,
}

impl Layers {
    fn mark(&mut self, mode_dependent: Option<bool>) {
        match mode_dependent {
            Some(true) => self.dependent = true,
            None => self.opaque = true,
            Some(false) => {}
        }
    }

    fn result(self) -> Option<bool> {
        if self.dependent {
            Some(true)
        } else if self.opaque {
            None
        } else {
            Some(false)
        }
    }
}

#[derive(Clone)]
struct Summary {
    params: Vec<Param>,
    effects: Vec<Effect>,
    layers: Option<bool>,
}

/// What an effect inside a function acts on.
#[derive(Clone, Copy)]
enum Target {
    Param(usize),
    /// A module of an enclosing scope.
    Captured(ValueId),
}

#[derive(Clone)]
enum Effect {
    Mode {
        target: Target,
        mode: Mode,
        name: String,
        span: Span,
    },
    Call {
        target: Target,
        name: String,
        inference: Option<Inference>,
        span: Span,
    },
    /// A backward pass of a loss computed from these.
    Backward {
        targets: Vec<Target>,
        span: Span,
    },
    Reset {
        span: Span,
    },
    /// The parameter is passed to a function the analysis cannot see.
    MaybeReset {
        param: usize,
        span: Span,
    },
    /// `param.step()`: the step `events` (this function's and its helpers') are of the
    /// optimizer passed for the parameter.
    Step {
        param: usize,
        events: Vec<usize>,
        name: String,
        span: Span,
    },
    /// A step of an optimizer made outside the function.
    CapturedStep {
        optimizer: ValueId,
        name: String,
        span: Span,
    },
}

/// Whether one of two mode dependences is known to hold, is unknown, or is known not to.
fn combine(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

impl Builder<'_> {
    // ----- hooks (called from build.rs) -----

    /// Before a statement: opens blocks, `with torch.no_grad()`, functions and classes; sees
    /// statement-level gradient resets.
    pub(super) fn torch_enter(&mut self, node: Node) {
        if !self.torch_active() {
            return;
        }
        self.torch_capture_params();
        match node.kind_name() {
            "block" => {
                if let Some(kind) = block_kind(node) {
                    self.torch_push_block(node, kind);
                }
            }
            "with_statement" => self.torch_enter_with(node),
            "function_definition" => self.torch_enter_function(node),
            "class_definition" => self.torch_enter_class(node),
            "expression_statement" | "return_statement" => self.torch_simple_statement(node),
            "if_statement" | "elif_clause" | "while_statement" => {
                if let Some(condition) = node.field("condition") {
                    self.torch_training_flag(condition);
                }
            }
            _ => {}
        }
    }

    /// After a statement: closes what [`Self::torch_enter`] opened.
    pub(super) fn torch_exit(&mut self, node: Node) {
        match node.kind_name() {
            "block" => self.torch_pop_block(node),
            "with_statement"
                if self
                    .torch
                    .no_grad
                    .last()
                    .is_some_and(|n| n.node == node.id()) =>
            {
                self.torch.no_grad.pop();
            }
            "function_definition" => self.torch_exit_function(node),
            "class_definition" => self.torch_exit_class(node),
            _ => {}
        }
    }

    /// A call of a value (not of an imported name): a module's forward pass, a module class
    /// of this file, or a function of this file whose summary is replayed.
    pub(super) fn torch_call(
        &mut self,
        callee: ValueId,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        if !self.torch_active() {
            return None;
        }
        let function = node.field("function");
        let name = function.map_or("", |f| self.text(f)).to_string();
        if self.model.torch_module(callee).is_some()
            || matches!(self.torch_target(callee), Some(Target::Param(_)))
        {
            let mut inputs = args.all_values();
            inputs.push(callee);
            let output = self.derived(inputs, node);
            self.torch_module_call(callee, output, &name, None, span(node), None);
            return Some(output);
        }
        if let Some(class) = self.torch.module_classes.get(&callee) {
            let mut mode_dependent = class.mode_dependent;
            let class_name = class.name.clone();
            for value in args.all_values() {
                if let Some(module) = self.model.torch_module(value) {
                    mode_dependent = combine(mode_dependent, module.mode_dependent);
                }
            }
            self.torch_mark(mode_dependent);
            let module = TorchModule {
                class: class_name,
                mode_dependent,
            };
            return Some(self.new_value(Kind::TorchModule(module), args.all_values(), span(node)));
        }
        if let Some(layers) = self.torch_replay(callee, args, node) {
            self.torch_mark(layers);
            return None;
        }
        self.torch_mark(None);
        self.torch_escape(args, node);
        None
    }

    /// A forward pass whose output another part of the model already made (a loaded model
    /// called on data): recorded as a module call.
    pub(super) fn torch_record_call(&mut self, callee: ValueId, output: ValueId, node: Node) {
        if !self.torch_active() || self.model.torch_module(callee).is_none() {
            return;
        }
        let name = node
            .field("function")
            .map_or("", |f| self.text(f))
            .to_string();
        self.torch_module_call(callee, output, &name, None, span(node), None);
    }

    /// A call of an imported name: `torch.nn` layers and containers, torchvision models,
    /// optimizers, `torch.hub.load`; any other call may hide a module from the analysis.
    pub(super) fn torch_call_qualified(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        if !self.torch_active() {
            return None;
        }
        let short = qualified
            .rsplit('.')
            .next()
            .unwrap_or(qualified)
            .to_string();
        if let Some(class) = ml::torch_class(qualified) {
            let first = args.positional.first().map(|(v, _)| *v);
            let mode_dependent = match class {
                TorchClass::Wrapper => {
                    if let Some(first) = first.filter(|&v| self.model.torch_module(v).is_some()) {
                        return Some(first);
                    }
                    None
                }
                TorchClass::Container => self.torch_container(args),
                TorchClass::Layer(dependence) => self.torch_layer(dependence, args),
                TorchClass::Model(mode_dependent) => mode_dependent,
            };
            self.torch_mark(mode_dependent);
            let module = TorchModule {
                class: short,
                mode_dependent,
            };
            return Some(self.new_value(Kind::TorchModule(module), args.all_values(), span(node)));
        }
        if ml::is_torch_module_wrapper(qualified)
            && let Some(&(first, _)) = args.positional.first()
            && self.model.torch_module(first).is_some()
        {
            return Some(first);
        }
        if qualified == "torch.hub.load" {
            self.torch_mark(None);
            let module = TorchModule {
                class: qualified.to_string(),
                mode_dependent: None,
            };
            let value = self.new_value(Kind::TorchModule(module), args.all_values(), span(node));
            self.torch.loaded.insert(value, span(node));
            return Some(value);
        }
        if ml::is_torch_optimizer(qualified) {
            let kind = Kind::Optimizer { class: short };
            let value = self.new_value(kind, args.all_values(), span(node));
            self.note_optimizer(qualified, args, value);
            return Some(value);
        }
        if qualified == "torch.autograd.backward"
            && let Some(&(loss, _)) = args.positional.first()
        {
            self.torch_backward(loss, span(node), None);
        }
        if ml::is_mode_dependent_function(qualified) {
            self.torch_mark(Some(true));
        } else if !ml::builds_no_layers(qualified) {
            self.torch_mark(None);
        }
        if !ml::leaves_module_alone(qualified) {
            self.torch_escape(args, node);
        }
        None
    }

    /// A method call: mode switches, `forward`, `backward`, `step`, `zero_grad`,
    /// `load_state_dict`, and the methods that return the module itself (`to`, `cuda`).
    pub(super) fn torch_method_call(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        if !self.torch_active() {
            return None;
        }
        let module = self.model.torch_module(receiver).is_some();
        let param = matches!(self.torch_target(receiver), Some(Target::Param(_)));
        let object = node.field("function").and_then(|f| f.field("object"));
        let name = object.map_or("", |o| self.text(o)).to_string();
        let at = span(node);
        match method {
            "eval" | "train" if module || param => {
                let mode = if method == "eval" {
                    Mode::Eval
                } else {
                    self.torch_train_argument(args)
                };
                self.torch_mode(receiver, mode, &name, at, None);
                return Some(receiver);
            }
            // A submodule (`model.encoder.eval()`) or a module reached through a container
            // (`for m in models: m.eval()`): the modules it came from may have changed.
            "eval" | "train" => {
                for source in self.torch_sources(receiver) {
                    self.torch_mode(source, Mode::Unknown, &name, at, None);
                }
                return None;
            }
            "forward" if module || param => {
                let mut inputs = args.all_values();
                inputs.push(receiver);
                let output = self.derived(inputs, node);
                self.torch_module_call(receiver, output, &name, None, at, None);
                return Some(output);
            }
            // They return the module itself (a parameter too: `model = model.to(device)` in a
            // helper still names the argument).
            "to" | "cuda" | "cpu" | "half" | "float" | "double" | "bfloat16" | "requires_grad_"
            | "share_memory" | "type"
                if module || param =>
            {
                return Some(receiver);
            }
            "apply" | "modules" | "children" | "named_modules" | "named_children"
                if module || param =>
            {
                self.torch_mode(receiver, Mode::Unknown, &name, at, None);
                return None;
            }
            "load_state_dict" if module => {
                self.torch.loaded.insert(receiver, at);
                return None;
            }
            "zero_grad" => {
                self.torch_reset(receiver, true, at, None);
                return None;
            }
            "zero_" if name.ends_with(".grad") || name.ends_with(".grad.data") => {
                self.torch_reset(UNKNOWN, true, at, None);
                return None;
            }
            "backward" => {
                self.torch_backward(receiver, at, None);
                return None;
            }
            "step" => {
                self.torch_step(receiver, &name, args, at);
                return None;
            }
            _ => {}
        }
        if !module && !ml::keeps_gradients(method) {
            self.torch_escape(args, node);
        }
        None
    }

    /// `model.fc = nn.Linear(...)`, `model[0] = layer`, `opt.param_groups = ...`: a module or
    /// an optimizer keeps its identity; a module's layers now include the module assigned.
    pub(super) fn torch_attribute_assigned(&mut self, object: ValueId, value: ValueId) -> bool {
        if matches!(self.kind(object), Kind::Optimizer { .. }) {
            return true;
        }
        let Kind::TorchModule(module) = self.kind(object) else {
            return false;
        };
        // Only a module assigned is a layer (`nn.Module.__setattr__` registers modules);
        // numbers, names and settings are not.
        let assigned = self
            .model
            .torch_module(value)
            .map_or(Some(false), |m| m.mode_dependent);
        let mode_dependent = combine(module.mode_dependent, assigned);
        if let Kind::TorchModule(module) = &mut self.model.values[object].kind {
            module.mode_dependent = mode_dependent;
        }
        true
    }

    /// Whether the file has imported PyTorch or Lightning so far. Files that never do record
    /// nothing, and pay one check per statement and call.
    pub(super) fn torch_active(&mut self) -> bool {
        if !self.torch.active && self.torch.imports_seen < self.model.imports.len() {
            let new = &self.model.imports[self.torch.imports_seen..];
            self.torch.active = new.iter().any(|(_, qualified)| {
                let package = qualified.split('.').next().unwrap_or("");
                matches!(
                    package,
                    "torch" | "torchvision" | "pytorch_lightning" | "lightning"
                )
            });
            self.torch.imports_seen = self.model.imports.len();
        }
        self.torch.active
    }

    // ----- blocks, `with`, functions, classes -----

    /// The innermost open block (block 0, the module, is made on first use).
    pub(super) fn torch_block(&mut self) -> BlockId {
        if self.model.blocks.is_empty() {
            self.model.blocks.push(Block {
                kind: BlockKind::Body,
                parent: None,
                span: Span::new(0, self.text.len()),
            });
        }
        self.torch
            .blocks
            .last()
            .map_or(BlockId::MODULE, |&(_, block)| block)
    }

    fn torch_push_block(&mut self, node: Node, kind: BlockKind) {
        let parent = self.torch_block();
        self.model.blocks.push(Block {
            kind,
            parent: Some(parent),
            span: span(node),
        });
        let id = BlockId::new(self.model.blocks.len() - 1);
        self.torch.blocks.push((node.id(), id));
    }

    fn torch_pop_block(&mut self, node: Node) {
        if self
            .torch
            .blocks
            .last()
            .is_some_and(|&(opened, _)| opened == node.id())
        {
            self.torch.blocks.pop();
        }
    }

    fn torch_enter_with(&mut self, node: Node) {
        let mut cursor = node.walk();
        let clauses: Vec<Node> = node
            .named_children(&mut cursor)
            .filter(|c| c.kind_name() == "with_clause")
            .collect();
        for clause in clauses {
            let mut inner = clause.walk();
            let items: Vec<Node> = clause.named_children(&mut inner).collect();
            for item in items {
                let Some(mut value) = item.field("value") else {
                    continue;
                };
                if value.kind_name() == "as_pattern"
                    && let Some(first) = value.named_child(0)
                {
                    value = first;
                }
                if self.torch_disables_grad(value) {
                    let inference = Inference::NoGrad {
                        manager: self.text(value).to_string(),
                        span: span(value),
                    };
                    self.torch.no_grad.push(NoGrad {
                        node: node.id(),
                        depth: self.torch.functions.len(),
                        inference,
                    });
                    return;
                }
            }
        }
    }

    /// `torch.no_grad()`, `torch.inference_mode()`, `torch.set_grad_enabled(False)`, and the
    /// bare decorator forms.
    fn torch_disables_grad(&self, expression: Node) -> bool {
        let (function, arguments) = if expression.kind_name() == "call" {
            (expression.field("function"), expression.field("arguments"))
        } else {
            (Some(expression), None)
        };
        let Some(qualified) = function.and_then(|f| self.torch_resolve(f)) else {
            return false;
        };
        if ml::is_no_grad_context(&qualified) {
            return true;
        }
        ml::is_grad_switch(&qualified)
            && arguments
                .and_then(|a| a.named_child(0))
                .is_some_and(|flag| self.text(flag) == "False")
    }

    fn torch_enter_function(&mut self, node: Node) {
        let name_node = node.field("name");
        let name = name_node.map_or("", |n| self.text(n)).to_string();
        let params = self.torch_params(node);
        let decorator = node
            .parent()
            .filter(|p| p.kind_name() == "decorated_definition")
            .and_then(|definition| {
                let (decorators, _) = crate::source::python::split_decorated(definition);
                decorators.into_iter().find_map(|decorator| {
                    let expression = decorator.named_child(0)?;
                    self.torch_disables_grad(expression)
                        .then(|| Inference::NoGrad {
                            manager: self.text(expression).to_string(),
                            span: span(decorator),
                        })
                })
            });
        // A method of a LightningModule: the class body is the innermost scope.
        let exempt = self.torch.classes.last().is_some_and(|class| {
            class.lightning
                && class.scope_depth == self.scopes.len()
                && ml::is_lightning_inference_hook(&name)
        });
        let inference = decorator.or_else(|| {
            ml::is_inference_function_name(&name).then(|| Inference::Function {
                name: name.clone(),
                span: name_node.map_or(span(node), span),
            })
        });
        self.torch_push_block(node, BlockKind::Body);
        let block = self.torch_block();
        self.torch.functions.push(Frame {
            node: node.id(),
            block,
            scope_depth: self.scopes.len() + 1,
            params,
            values: None,
            first_value: ValueId::new(self.model.values.len()),
            inference,
            exempt,
            effects: Vec::new(),
            layers: Layers::default(),
        });
    }

    fn torch_params(&self, node: Node) -> Vec<Param> {
        let mut params = Vec::new();
        let Some(parameters) = node.field("parameters") else {
            return params;
        };
        let mut positional = true;
        let mut cursor = parameters.walk();
        let list: Vec<Node> = parameters.named_children(&mut cursor).collect();
        for param in list {
            match param.kind_name() {
                "list_splat_pattern" | "keyword_separator" => {
                    positional = false;
                    continue;
                }
                "dictionary_splat_pattern" | "positional_separator" | "comment" => continue,
                _ => {}
            }
            let name = crate::source::python::parameter_name(param);
            if let Some(name) = name {
                params.push(Param {
                    name: self.text(name).to_string(),
                    positional,
                });
            }
        }
        params
    }

    /// At the first statement of a function body: the values its parameters are bound to.
    fn torch_capture_params(&mut self) {
        let depth = self.scopes.len();
        let Some(frame) = self.torch.functions.last() else {
            return;
        };
        if frame.values.is_some() || frame.scope_depth != depth {
            return;
        }
        let scope = self.scopes.last().map(|s| &s.names);
        let values = frame
            .params
            .iter()
            .map(|p| {
                scope
                    .and_then(|names| names.get(&p.name))
                    .copied()
                    .unwrap_or(UNKNOWN)
            })
            .collect();
        if let Some(frame) = self.torch.functions.last_mut() {
            frame.values = Some(values);
        }
    }

    fn torch_exit_function(&mut self, node: Node) {
        if self
            .torch
            .functions
            .last()
            .is_none_or(|f| f.node != node.id())
        {
            return;
        }
        let Some(frame) = self.torch.functions.pop() else {
            return;
        };
        self.torch_pop_block(node);
        let Some(name) = node.field("name") else {
            return;
        };
        let value = self
            .scopes
            .last()
            .and_then(|s| s.names.get(self.text(name)))
            .copied();
        if let Some(value) = value {
            self.torch.summaries.insert(
                value,
                Summary {
                    params: frame.params,
                    effects: frame.effects,
                    layers: frame.layers.result(),
                },
            );
        }
    }

    fn torch_enter_class(&mut self, node: Node) {
        let mut frame = ClassFrame {
            node: node.id(),
            scope_depth: self.scopes.len() + 1,
            is_module: false,
            lightning: false,
            base_layers: Some(false),
            layers: Layers::default(),
        };
        if let Some(bases) = node.field("superclasses") {
            let mut cursor = bases.walk();
            let bases: Vec<Node> = bases.named_children(&mut cursor).collect();
            for base in bases {
                if let Some(qualified) = self.torch_resolve(base) {
                    if ml::is_torch_module_base(&qualified) {
                        frame.is_module = true;
                        frame.lightning |= ml::is_lightning_module(&qualified);
                        if qualified.starts_with("torch.nn") {
                            continue;
                        }
                    }
                    if let Some(class) = ml::torch_class(&qualified) {
                        frame.is_module = true;
                        let brings = match class {
                            TorchClass::Layer(ModeDependence::Always) => Some(true),
                            TorchClass::Layer(ModeDependence::Never) => Some(false),
                            TorchClass::Model(mode_dependent) => mode_dependent,
                            _ => None,
                        };
                        frame.base_layers = combine(frame.base_layers, brings);
                    }
                } else if base.kind_name() == "identifier"
                    && let Some(value) = self.torch_bound(base)
                    && let Some(class) = self.torch.module_classes.get(&value)
                {
                    frame.is_module = true;
                    frame.base_layers = combine(frame.base_layers, class.mode_dependent);
                    frame.lightning |= self.torch.lightning.contains(&value);
                }
            }
        }
        self.torch.classes.push(frame);
    }

    fn torch_exit_class(&mut self, node: Node) {
        if self
            .torch
            .classes
            .last()
            .is_none_or(|c| c.node != node.id())
        {
            return;
        }
        let Some(frame) = self.torch.classes.pop() else {
            return;
        };
        if !frame.is_module {
            return;
        }
        let Some(name) = node.field("name") else {
            return;
        };
        let name = self.text(name);
        let Some(value) = self.scopes.last().and_then(|s| s.names.get(name)).copied() else {
            return;
        };
        if frame.lightning {
            self.torch.lightning.insert(value);
        }
        self.torch.module_classes.insert(
            value,
            ModuleClass {
                name: name.to_string(),
                mode_dependent: combine(frame.base_layers, frame.layers.result()),
            },
        );
    }

    /// `p.grad = None` resets a gradient; `module.training = flag` may switch a module; a
    /// module class that reads `self.training` behaves differently in the two modes.
    fn torch_simple_statement(&mut self, node: Node) {
        if node.kind_name() == "expression_statement" {
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            for child in children {
                if child.kind_name() != "assignment" {
                    continue;
                }
                let Some(left) = child.field("left").filter(|l| l.kind_name() == "attribute")
                else {
                    continue;
                };
                let attribute = left.field("attribute");
                match attribute.map(|a| self.text(a)) {
                    Some("grad") => self.torch_reset(UNKNOWN, true, span(child), None),
                    Some("training") => {
                        let object = left.field("object");
                        if let Some(object) = object.filter(|o| o.kind_name() == "identifier")
                            && let Some(value) = self.torch_bound(object)
                        {
                            let name = self.text(object).to_string();
                            self.torch_mode(value, Mode::Unknown, &name, span(child), None);
                        }
                    }
                    _ => {}
                }
            }
        }
        self.torch_training_flag(node);
    }

    /// A definition that reads `.training` behaves differently in the two modes.
    fn torch_training_flag(&mut self, node: Node) {
        if !self.torch.classes.is_empty() && self.text(node).contains(".training") {
            self.torch_mark(Some(true));
        }
    }

    // ----- values -----

    /// The qualified name an identifier or attribute chain resolves to through imports,
    /// without binding anything.
    fn torch_resolve(&self, node: Node) -> Option<String> {
        // Walk down the chain iteratively: `a.b.c` is attribute(attribute(a, b), c).
        let mut attributes = Vec::new();
        let mut current = node;
        while current.kind_name() == "attribute" {
            if attributes.len() > 32 {
                return None;
            }
            attributes.push(self.text(current.field("attribute")?));
            current = current.field("object")?;
        }
        if current.kind_name() != "identifier" {
            return None;
        }
        let Kind::Import(qualified) = self.kind(self.torch_bound(current)?) else {
            return None;
        };
        let mut qualified = qualified.clone();
        for attribute in attributes.iter().rev() {
            qualified.push('.');
            qualified.push_str(attribute);
        }
        Some(qualified)
    }

    /// The value a name is bound to, without binding anything.
    fn torch_bound(&self, identifier: Node) -> Option<ValueId> {
        let name = self.text(identifier);
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.names.get(name))
            .copied()
    }

    /// What an effect on `value` inside the current function acts on: a parameter, or a
    /// module made outside the function.
    fn torch_target(&self, value: ValueId) -> Option<Target> {
        let frame = self.torch.functions.last()?;
        if value == UNKNOWN {
            return None;
        }
        if let Some(index) = frame
            .values
            .as_ref()
            .and_then(|values| values.iter().position(|&v| v == value))
        {
            return Some(Target::Param(index));
        }
        (value < frame.first_value && self.model.torch_module(value).is_some())
            .then_some(Target::Captured(value))
    }

    fn torch_effect(&mut self, effect: Effect) {
        if let Some(frame) = self.torch.functions.last_mut()
            && frame.effects.len() < MAX_EFFECTS
        {
            frame.effects.push(effect);
        }
    }

    /// Marks the open classes and functions as building layers of this mode dependence.
    fn torch_mark(&mut self, mode_dependent: Option<bool>) {
        for frame in &mut self.torch.functions {
            frame.layers.mark(mode_dependent);
        }
        for class in &mut self.torch.classes {
            class.layers.mark(mode_dependent);
        }
    }

    /// The inference context of the code being read, if any.
    pub(super) fn torch_inference(&self) -> Option<Inference> {
        let frame = self.torch.functions.last();
        if frame.is_some_and(|f| f.exempt) {
            return None;
        }
        let depth = self.torch.functions.len();
        if let Some(no_grad) = self.torch.no_grad.iter().rev().find(|n| n.depth == depth) {
            return Some(no_grad.inference.clone());
        }
        frame.and_then(|f| f.inference.clone())
    }

    /// The modules (and parameters) a value was reached through, by its ancestry.
    fn torch_sources(&self, value: ValueId) -> Vec<ValueId> {
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![value];
        let mut budget = ANCESTRY_BUDGET;
        while let Some(current) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            if current == UNKNOWN || !seen.insert(current) {
                continue;
            }
            if self.model.torch_module(current).is_some()
                || matches!(self.torch_target(current), Some(Target::Param(_)))
            {
                found.push(current);
                continue;
            }
            stack.extend(self.model.values[current].inputs.iter().copied());
        }
        found
    }

    /// `model.train()`, `model.train(True)`, `model.train(False)`, `model.train(mode=flag)`.
    fn torch_train_argument(&self, args: &Args) -> Mode {
        if args.splat {
            return Mode::Unknown;
        }
        match args.get(0, &["mode"]) {
            None => Mode::Train,
            Some((_, node)) => match self.text(node) {
                "True" => Mode::Train,
                "False" => Mode::Eval,
                _ => Mode::Unknown,
            },
        }
    }

    fn torch_layer(&self, dependence: ModeDependence, args: &Args) -> Option<bool> {
        match dependence {
            ModeDependence::Always => Some(true),
            ModeDependence::Never => Some(false),
            ModeDependence::Keyword { name, default } => match args.keyword(name) {
                None if args.splat => None,
                None => Some(default),
                Some((value, node)) => match self.kind(value) {
                    Kind::Number(number) => Some(*number != 0.0),
                    _ => match self.text(node) {
                        "True" => Some(true),
                        "False" => Some(false),
                        _ => None,
                    },
                },
            },
        }
    }

    /// A container holds the modules found in its arguments (lists, comprehensions,
    /// `OrderedDict`s of them); with none found, or a `*` splat, its layers are unknown.
    fn torch_container(&self, args: &Args) -> Option<bool> {
        if args.splat {
            return None;
        }
        let mut result = Some(false);
        let mut found = false;
        let mut seen = HashSet::new();
        let mut stack = args.all_values();
        let mut budget = ANCESTRY_BUDGET;
        while let Some(value) = stack.pop() {
            if budget == 0 {
                return None;
            }
            budget -= 1;
            if value == UNKNOWN || !seen.insert(value) {
                continue;
            }
            if let Some(module) = self.model.torch_module(value) {
                found = true;
                result = combine(result, module.mode_dependent);
                continue;
            }
            match self.kind(value) {
                Kind::Tuple(elements) => stack.extend(elements.iter().copied()),
                Kind::Unknown => stack.extend(self.model.values[value].inputs.iter().copied()),
                _ => {}
            }
        }
        if found { result } else { None }
    }

    // ----- events -----

    fn torch_mode(
        &mut self,
        module: ValueId,
        mode: Mode,
        name: &str,
        at: Span,
        site: Option<Site>,
    ) {
        if self.model.torch_module(module).is_some() {
            let block = self.torch_block();
            self.model.events.push(Event::ModuleMode {
                module,
                mode,
                name: name.to_string(),
                span: at,
                scope: self.scope(),
                block,
                site,
            });
        }
        if let Some(target) = self.torch_target(module) {
            // A switch in a branch or loop of the function may not happen on every call.
            let block = self.torch_block();
            let unconditional = self
                .torch
                .functions
                .last()
                .is_some_and(|f| f.block == block);
            self.torch_effect(Effect::Mode {
                target,
                mode: if unconditional { mode } else { Mode::Unknown },
                name: name.to_string(),
                span: at,
            });
        }
    }

    fn torch_module_call(
        &mut self,
        module: ValueId,
        output: ValueId,
        name: &str,
        inference: Option<Inference>,
        at: Span,
        site: Option<Site>,
    ) {
        let own = inference.or_else(|| self.torch_inference());
        if let Some(info) = self.model.torch_module(module) {
            let loaded = self
                .torch
                .loaded
                .get(&module)
                .copied()
                .or_else(|| info.loaded.then(|| self.model.values[module].span))
                .map(|span| Inference::Loaded { span });
            let local = self
                .torch
                .functions
                .last()
                .is_none_or(|f| module >= f.first_value);
            let block = self.torch_block();
            self.model.events.push(Event::ModuleCall {
                module,
                output,
                name: name.to_string(),
                inference: own.clone().or(loaded),
                local,
                span: at,
                scope: self.scope(),
                block,
                site,
            });
        }
        if let Some(target) = self.torch_target(module) {
            self.torch_effect(Effect::Call {
                target,
                name: name.to_string(),
                inference: own,
                span: at,
            });
        }
    }

    fn torch_backward(&mut self, loss: ValueId, at: Span, site: Option<Site>) {
        let block = self.torch_block();
        self.model.events.push(Event::Backward {
            loss,
            span: at,
            scope: self.scope(),
            block,
            site,
        });
        if self.torch.functions.is_empty() {
            return;
        }
        // Inside a function: the parameters and outer modules the loss was computed from.
        let mut targets = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![loss];
        let mut budget = ANCESTRY_BUDGET * 4;
        while let Some(value) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            if value == UNKNOWN || !seen.insert(value) {
                continue;
            }
            if let Some(target) = self.torch_target(value) {
                targets.push(target);
            }
            stack.extend(self.model.values[value].inputs.iter().copied());
        }
        if !targets.is_empty() {
            self.torch_effect(Effect::Backward { targets, span: at });
        }
    }

    fn torch_step(&mut self, receiver: ValueId, name: &str, args: &Args, at: Span) {
        let stepped = |b: &Self, v: ValueId| {
            matches!(b.kind(v), Kind::Optimizer { .. })
                || matches!(b.torch_target(v), Some(Target::Param(_)))
        };
        // `optimizer.step()`, or `scaler.step(optimizer)` of a gradient scaler.
        if stepped(self, receiver) {
            self.torch_record_step(receiver, name, at, None, Vec::new());
        } else if let Some(&(value, argument)) = args.positional.first()
            && stepped(self, value)
        {
            let name = self.text(argument).to_string();
            self.torch_record_step(value, &name, at, None, Vec::new());
        }
    }

    /// A step of `optimizer` (an optimizer, or a parameter that a call may bind to one).
    /// `earlier` are the step events inside helpers that this one replays: they are of the
    /// same optimizer, known once a call passes one for the parameter.
    fn torch_record_step(
        &mut self,
        optimizer: ValueId,
        name: &str,
        at: Span,
        site: Option<Site>,
        mut earlier: Vec<usize>,
    ) {
        let known = matches!(self.kind(optimizer), Kind::Optimizer { .. });
        let param = match self.torch_target(optimizer) {
            Some(Target::Param(param)) => Some(param),
            _ => None,
        };
        if !known && param.is_none() {
            return;
        }
        let block = self.torch_block();
        self.model.events.push(Event::OptimizerStep {
            optimizer,
            receiver: optimizer,
            name: name.to_string(),
            span: at,
            scope: self.scope(),
            block,
            site,
        });
        earlier.push(self.model.events.len() - 1);
        if known {
            for &event in &earlier {
                if let Some(Event::OptimizerStep { optimizer: o, .. }) =
                    self.model.events.get_mut(event)
                {
                    *o = optimizer;
                }
            }
            let captured = self
                .torch
                .functions
                .last()
                .is_some_and(|f| optimizer < f.first_value);
            if captured {
                self.torch_effect(Effect::CapturedStep {
                    optimizer,
                    name: name.to_string(),
                    span: at,
                });
            }
        } else if let Some(param) = param {
            self.torch_effect(Effect::Step {
                param,
                events: earlier,
                name: name.to_string(),
                span: at,
            });
        }
    }

    fn torch_reset(&mut self, target: ValueId, certain: bool, at: Span, site: Option<Site>) {
        let block = self.torch_block();
        self.model.events.push(Event::GradReset {
            target,
            certain,
            span: at,
            scope: self.scope(),
            block,
            site,
        });
        if certain {
            self.torch_effect(Effect::Reset { span: at });
        } else if let Some(Target::Param(param)) = self.torch_target(target) {
            self.torch_effect(Effect::MaybeReset { param, span: at });
        }
    }

    /// Modules, optimizers and parameters passed to a function the analysis cannot see: it
    /// may switch the module's mode or reset the optimizer's gradients.
    fn torch_escape(&mut self, args: &Args, node: Node) {
        let at = span(node);
        let passed: Vec<(ValueId, String)> = args
            .positional
            .iter()
            .map(|&(v, n)| (v, n))
            .chain(args.keywords.iter().map(|&(_, v, n)| (v, n)))
            .map(|(v, n)| (v, self.text(n).to_string()))
            .collect();
        for (value, name) in passed {
            let param = matches!(self.torch_target(value), Some(Target::Param(_)));
            if param || self.model.torch_module(value).is_some() {
                self.torch_mode(value, Mode::Unknown, &name, at, None);
            }
            if param || matches!(self.kind(value), Kind::Optimizer { .. }) {
                self.torch_reset(value, false, at, None);
            }
        }
    }

    /// Replays the summary of a function of this file at its call; returns what the function
    /// builds, or None when `callee` is not a summarised function.
    fn torch_replay(&mut self, callee: ValueId, args: &Args, node: Node) -> Option<Option<bool>> {
        let summary = self.torch.summaries.get(&callee)?;
        if args.splat || self.torch.replayed + summary.effects.len() > REPLAY_BUDGET {
            return None;
        }
        self.torch.replayed += summary.effects.len();
        let summary = summary.clone();
        // The argument passed for each parameter, and its text.
        let mut bound: Vec<Option<(ValueId, String)>> = vec![None; summary.params.len()];
        let mut positional = summary
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.positional)
            .map(|(i, _)| i);
        for &(value, argument) in &args.positional {
            if let Some(index) = positional.next() {
                bound[index] = Some((value, self.text(argument).to_string()));
            }
        }
        for (name, value, argument) in &args.keywords {
            if let Some(index) = summary.params.iter().position(|p| &p.name == name) {
                bound[index] = Some((*value, self.text(*argument).to_string()));
            }
        }
        let resolve = |target: Target, name: &str| match target {
            Target::Param(index) => bound.get(index).cloned().flatten(),
            Target::Captured(value) => Some((value, name.to_string())),
        };
        let at_call = span(node);
        let site = |name: String| {
            Some(Site {
                span: at_call,
                name,
            })
        };
        for effect in &summary.effects {
            match effect {
                Effect::Mode {
                    target,
                    mode,
                    name,
                    span: at,
                } => {
                    if let Some((module, outer)) = resolve(*target, name) {
                        self.torch_mode(module, *mode, name, *at, site(outer));
                    }
                }
                Effect::Call {
                    target,
                    name,
                    inference,
                    span: at,
                } => {
                    if let Some((module, outer)) = resolve(*target, name) {
                        let inference = inference.clone();
                        self.torch_module_call(module, UNKNOWN, name, inference, *at, site(outer));
                    }
                }
                Effect::Backward { targets, span: at } => {
                    let resolved: Vec<(ValueId, String)> =
                        targets.iter().filter_map(|t| resolve(*t, "")).collect();
                    let Some((_, outer)) = resolved.first().cloned() else {
                        continue;
                    };
                    let inputs = resolved.into_iter().map(|(v, _)| v).collect();
                    let loss = self.derived(inputs, node);
                    self.torch_backward(loss, *at, site(outer));
                }
                Effect::Reset { span: at } => {
                    self.torch_reset(UNKNOWN, true, *at, site(String::new()));
                }
                Effect::MaybeReset { param, span: at } => {
                    if let Some((value, outer)) = resolve(Target::Param(*param), "") {
                        self.torch_reset(value, false, *at, site(outer));
                    }
                }
                Effect::Step {
                    param,
                    events,
                    name,
                    span: at,
                } => {
                    if let Some((value, outer)) = resolve(Target::Param(*param), "") {
                        self.torch_record_step(value, name, *at, site(outer), events.clone());
                    }
                }
                Effect::CapturedStep {
                    optimizer,
                    name,
                    span: at,
                } => {
                    self.torch_record_step(*optimizer, name, *at, site(name.clone()), Vec::new());
                }
            }
        }
        Some(summary.layers)
    }
}

/// The kind of block a `block` node opens, by its parent statement.
fn block_kind(block: Node) -> Option<BlockKind> {
    let parent = block.parent()?;
    match parent.kind_name() {
        "for_statement" | "while_statement" if parent.field("body") == Some(block) => {
            Some(BlockKind::Loop)
        }
        "if_statement"
        | "elif_clause"
        | "else_clause"
        | "except_clause"
        | "except_group_clause"
        | "case_clause" => Some(BlockKind::Branch),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Event, FileModel, Kind, Mode};

    use crate::testutil::model_of;

    /// Every module value: its class as in messages and its mode dependence, in order.
    fn modules(model: &FileModel) -> Vec<(String, Option<bool>)> {
        model
            .values
            .iter()
            .filter_map(|v| match &v.kind {
                Kind::TorchModule(m) => Some((m.class.clone(), m.mode_dependent)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn mode_dependence_of_classes_and_layers() {
        let model = model_of(
            "import torch\nfrom torch import nn\n\
             class Plain(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n\
             class Dropping(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.d = nn.Dropout(0.1)\n\
             class Branching(nn.Module):\n    def forward(self, x):\n        if self.training:\n            return x\n        return x\n\
             class Opaque(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.b = make_block()\n\
             class Child(Plain):\n    pass\n\
             a, b, c, d, e = Plain(), Dropping(), Branching(), Opaque(), Child()\n\
             lstm = nn.LSTM(2, 2, dropout=0.5)\nquiet = nn.LSTM(2, 2)\nseq = nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1))\n",
        );
        let found = modules(&model);
        let of = |class: &str| {
            found
                .iter()
                .rev()
                .find(|(c, _)| c == class)
                .map(|(_, d)| *d)
                .unwrap_or_else(|| panic!("no {class} in {found:?}"))
        };
        assert_eq!(of("Plain"), Some(false));
        assert_eq!(of("Dropping"), Some(true));
        assert_eq!(of("Branching"), Some(true));
        assert_eq!(of("Opaque"), None);
        assert_eq!(of("Child"), Some(false));
        assert_eq!(of("Sequential"), Some(true));
        let lstms: Vec<_> = found.iter().filter(|(c, _)| c == "LSTM").collect();
        assert_eq!(lstms.len(), 2);
        assert_eq!(lstms[0].1, Some(true));
        assert_eq!(lstms[1].1, Some(false));
    }

    #[test]
    fn a_helper_switch_is_replayed_at_its_call() {
        let model = model_of(
            "import torch\nimport torchvision\n\
             def prepare(m):\n    m.eval()\n\
             def maybe(m, flag):\n    if flag:\n        m.eval()\n\
             net = torchvision.models.resnet18()\nprepare(net)\nmaybe(net, True)\n",
        );
        let modes: Vec<(Mode, bool)> = model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::ModuleMode { mode, site, .. } => Some((*mode, site.is_some())),
                _ => None,
            })
            .collect();
        // The switch in a branch of `maybe` may not happen: unknown.
        assert_eq!(modes, vec![(Mode::Eval, true), (Mode::Unknown, true)]);
    }

    #[test]
    fn a_parameter_step_becomes_the_optimizer_passed() {
        let model = model_of(
            "import torch\n\
             def fit(opt, scheduler):\n    for b in data:\n        b.backward()\n        opt.step()\n        scheduler.step()\n\
             sgd = torch.optim.SGD(params, lr=0.1)\n\
             fit(sgd, torch.optim.lr_scheduler.StepLR(sgd, 1))\n",
        );
        let steps: Vec<bool> = model
            .events
            .iter()
            .filter_map(|e| match e {
                Event::OptimizerStep { optimizer, .. } => Some(matches!(
                    model.value(*optimizer).kind,
                    Kind::Optimizer { .. }
                )),
                _ => None,
            })
            .collect();
        // The two steps in the body (the optimizer's, the scheduler's), then the step replayed
        // at the call; the scheduler passed is no optimizer and is not replayed.
        assert_eq!(steps, vec![true, false, true]);
    }

    #[test]
    fn files_without_torch_record_nothing() {
        let model = model_of(
            "def evaluate(model, x):\n    model.eval()\n    return model(x)\nevaluate(m, 1)\n",
        );
        assert!(model.blocks.is_empty());
        assert!(!model.events.iter().any(|e| matches!(
            e,
            Event::ModuleMode { .. } | Event::GradReset { .. } | Event::ModuleCall { .. }
        )));
    }
}
