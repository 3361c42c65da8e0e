use crate::finding::Span;
use crate::model::{BlockId, Event, FileModel, Inference, Kind, Mode, ScopeId, Site, ValueId};
use crate::rule::{Check, Context, Sink};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "API001",
    name: "missing-eval-mode",
    family: "api",
    severity: Error,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's PyTorch events. A module call in an inference context (under
/// `torch.no_grad()`, in a function named for evaluation or prediction, after its weights
/// were loaded in a file that trains nothing) fires when no `.eval()` comes before it in its
/// scope; a training step fires when the module it trains was switched to evaluation mode in
/// its loop (or before it) and nothing switches it back. Modules whose layers are all known
/// to behave the same in both modes are left alone, and so is anything the analysis cannot
/// tell is a module.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let mut calls = false;
    let mut backwards = false;
    for event in &model.events {
        match event {
            Event::ModuleCall { .. } => calls = true,
            Event::Backward { .. } => backwards = true,
            _ => {}
        }
    }
    if !calls && !backwards {
        return;
    }
    let switches = Switches::of(model);
    if calls {
        inference_without_eval(ctx, &switches, backwards, sink);
    }
    if backwards {
        training_in_eval_mode(ctx, &switches, sink);
    }
}

fn inference_without_eval(ctx: &Context, switches: &Switches, trains: bool, sink: &mut Sink) {
    let model = ctx.model;
    let test_file = ctx.file.is_test_module();
    let mut reported = HashSet::new();
    for (index, event) in model.events.iter().enumerate() {
        let Event::ModuleCall {
            module,
            output,
            name,
            inference: Some(inference),
            local,
            span,
            scope,
            site,
            ..
        } = event
        else {
            continue;
        };
        let Some(info) = model.torch_module(*module) else {
            continue;
        };
        // The same output in both modes: switching changes nothing.
        if info.mode_dependent == Some(false) {
            continue;
        }
        // A generator sampled from random noise (`netG(fixed_noise)` to watch a GAN learn):
        // no data, no score, and batch norm in training mode is how GANs are sampled.
        if sampled_from_noise(ctx, *module, *output) {
            continue;
        }
        match inference {
            // Loading weights to go on training (fine-tuning, resuming) is not inference.
            Inference::Loaded { .. } if trains => continue,
            // Unit tests named `test_*` check shapes and wiring, not predictions.
            Inference::Function { .. } if test_file => continue,
            // A function named `evaluate` that also trains the module (a tuning objective)
            // is not only inference.
            Inference::Function { .. } if switches.trained_in(*module, *scope) => continue,
            _ => {}
        }
        if reported.contains(span) {
            continue;
        }
        let train_switch = match switches.before(index, *module, *scope) {
            Before::EvalOrUnknown => continue,
            // An explicit `.train()` just before inference with no training in between is
            // deliberate (Monte Carlo dropout); after training steps it is the epoch's switch.
            Before::Train { at, trained } => {
                if !trained {
                    continue;
                }
                Some(at)
            }
            Before::Nothing => {
                // A module of an enclosing scope: its mode depends on where the function is
                // called. The calls replay this one; with no call in the file, stay silent
                // if anything in the file may switch the module to evaluation.
                if !local
                    && (switches.replayed_later(index, *span) || switches.ever_eval(*module))
                {
                    continue;
                }
                None
            }
        };
        reported.insert(*span);
        let class = if info.loaded {
            format!("loaded with `{}`", info.class)
        } else {
            info.class.to_string()
        };
        let context = match inference {
            Inference::NoGrad { manager, .. } => format!("under `{manager}`"),
            Inference::Function { name, .. } => format!("in `{name}`"),
            Inference::Loaded { span } => {
                format!("after its weights are loaded ({})", ctx.describe(*span))
            }
        };
        let layers = match info.mode_dependent {
            Some(true) => "its dropout and batch-norm layers still behave as in training",
            _ => "any dropout or batch-norm layers in it still behave as in training",
        };
        let message = match train_switch {
            Some(at) => format!(
                "`{name}` ({class}) is called {context} after `{name}.train()` ({}) without \
                 `{name}.eval()`: {layers}",
                ctx.describe(at)
            ),
            None => format!("`{name}` ({class}) is called {context} without `{name}.eval()`: {layers}"),
        };
        let finding = sink.report(&RULE, *span, message).help(format!(
            "call `{name}.eval()` before inference and `{name}.train()` before the next \
             training step"
        ));
        if let Some(site) = site {
            finding.related(
                site.span,
                format!("`{}` is passed here in training mode", site.name),
            );
        }
        if let Some(at) = train_switch {
            finding.related(at, "switched to training mode here");
        }
        let made = model.value(*module).span;
        if made != Span::default() && made != *span {
            finding.related(made, if info.loaded { "loaded here" } else { "created here" });
        }
    }
}

fn training_in_eval_mode(ctx: &Context, switches: &Switches, sink: &mut Sink) {
    let model = ctx.model;
    let optimizers: Vec<ValueId> = model
        .value_ids()
        .filter(|&v| matches!(model.value(v).kind, Kind::Optimizer { .. }))
        .collect();
    if optimizers.is_empty() {
        return;
    }
    let mut reported = HashSet::new();
    for (index, event) in model.events.iter().enumerate() {
        let Event::Backward {
            loss,
            span,
            scope,
            block,
            site,
        } = event
        else {
            continue;
        };
        // The modules this loss trains: computed from them, and updated by an optimizer
        // (a frozen feature extractor in evaluation mode is not trained).
        let mut trained = Vec::new();
        model.derives_from(*loss, |v| {
            if model
                .torch_module(v)
                .is_some_and(|m| m.mode_dependent != Some(false))
            {
                trained.push(v);
            }
            false
        });
        trained.retain(|&m| optimizers.iter().any(|&o| model.derives_from(o, |v| v == m)));
        for module in trained {
            let Some((eval, in_loop)) = switches.eval_left_on(index, module, *scope, *block)
            else {
                continue;
            };
            if !reported.insert((module, eval.span)) {
                continue;
            }
            let Some(info) = model.torch_module(module) else {
                continue;
            };
            // Named as the loop sees it: the argument of the helper that switched it.
            let name = eval.site.as_ref().map_or(eval.name, |s| s.name.as_str());
            let eval_at = eval.site.as_ref().map_or(eval.span, |s| s.span);
            let after = if in_loop {
                format!(
                    "`{name}.eval()` ({}) switches it inside the loop and no `{name}.train()` in \
                     the loop switches it back",
                    ctx.describe(eval_at)
                )
            } else {
                format!(
                    "`{name}.eval()` ({}) switched it and no `{name}.train()` follows",
                    ctx.describe(eval_at)
                )
            };
            let layers = match info.mode_dependent {
                Some(true) => "its dropout and batch-norm layers are",
                _ => "any dropout or batch-norm layers in it are",
            };
            let message = format!(
                "`{name}` ({}) is trained here in evaluation mode: {after}, so {layers} off while \
                 it learns",
                info.class
            );
            sink.report(&RULE, site.as_ref().map_or(*span, |s| s.span), message)
                .help(format!(
                    "call `{name}.train()` at the top of each epoch, before the training steps"
                ))
                .related(eval_at, "switched to evaluation mode here");
        }
    }
}

/// Whether every input of a module call (besides the module) is a tensor of random noise
/// made by `torch.randn`, `torch.rand`, `torch.normal`, ... (directly, or a name bound to one,
/// moved with `.to(device)`).
fn sampled_from_noise(ctx: &Context, module: ValueId, output: ValueId) -> bool {
    let model = ctx.model;
    let inputs: Vec<ValueId> = model
        .value(output)
        .inputs
        .iter()
        .copied()
        .filter(|&v| v != module)
        .collect();
    !inputs.is_empty()
        && inputs.iter().all(|&v| {
            let span = model.value(v).span;
            let text = ctx.file.text.get(span.start..span.end).unwrap_or("");
            let callee = text.split('(').next().unwrap_or("").trim();
            let function = callee.rsplit('.').next().unwrap_or(callee);
            text.contains('(')
                && matches!(
                    function,
                    "randn" | "rand" | "randn_like" | "rand_like" | "normal"
                )
                && callee.split('.').count() <= 2
        })
}


/// One mode switch of the file.
struct Switch<'m> {
    index: usize,
    module: ValueId,
    mode: Mode,
    name: &'m str,
    span: Span,
    scope: ScopeId,
    block: BlockId,
    site: Option<&'m Site>,
}

/// What the last switch of a module before a call says.
enum Before {
    /// Nothing switched it in this scope.
    Nothing,
    /// Switched to evaluation, or maybe switched (by something the analysis cannot see).
    EvalOrUnknown,
    /// Switched to training at `at`; `trained` when a training step of the module follows.
    Train { at: Span, trained: bool },
}

/// How a switched module is related to the module asked about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Relation {
    Same,
    /// One contains the other (a wrapper, a container, a submodule): a switch of one may or
    /// may not reach the other's layers.
    Related,
    None,
}

struct Switches<'m> {
    model: &'m FileModel,
    switches: Vec<Switch<'m>>,
    relations: RefCell<HashMap<(ValueId, ValueId), Relation>>,
}

impl<'m> Switches<'m> {
    fn of(model: &'m FileModel) -> Switches<'m> {
        let switches = model
            .events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| match event {
                Event::ModuleMode {
                    module,
                    mode,
                    name,
                    span,
                    scope,
                    block,
                    site,
                } => Some(Switch {
                    index,
                    module: *module,
                    mode: *mode,
                    name,
                    span: *span,
                    scope: *scope,
                    block: *block,
                    site: site.as_ref(),
                }),
                _ => None,
            })
            .collect();
        Switches {
            model,
            switches,
            relations: RefCell::new(HashMap::new()),
        }
    }

    fn relation(&self, switched: ValueId, module: ValueId) -> Relation {
        if switched == module {
            return Relation::Same;
        }
        *self
            .relations
            .borrow_mut()
            .entry((switched, module))
            .or_insert_with(|| {
                let model = self.model;
                let related = model.derives_from(switched, |v| v == module)
                    || model.derives_from(module, |v| v == switched);
                if related {
                    Relation::Related
                } else {
                    Relation::None
                }
            })
    }

    /// The last switch of `module` (or a module related to it) before event `index`, in
    /// `scope`.
    fn before(&self, index: usize, module: ValueId, scope: ScopeId) -> Before {
        let last = self
            .switches
            .iter()
            .rev()
            .filter(|s| s.index < index && s.scope == scope)
            .find_map(|s| match self.relation(s.module, module) {
                Relation::None => None,
                relation => Some((s, relation)),
            });
        match last {
            None => Before::Nothing,
            Some((switch, Relation::Same)) if switch.mode == Mode::Train => Before::Train {
                at: switch.site.map_or(switch.span, |s| s.span),
                trained: self.trained_between(switch.index, index, module, scope),
            },
            Some(_) => Before::EvalOrUnknown,
        }
    }

    /// A training step of `module` between two events, in `scope`.
    fn trained_between(&self, from: usize, to: usize, module: ValueId, scope: ScopeId) -> bool {
        self.model.events[from..to].iter().any(|event| {
            matches!(event, Event::Backward { loss, scope: s, .. }
                if *s == scope && self.model.derives_from(*loss, |v| v == module))
        })
    }

    /// A training step of `module` anywhere in `scope`.
    fn trained_in(&self, module: ValueId, scope: ScopeId) -> bool {
        self.trained_between(0, self.model.events.len(), module, scope)
    }

    /// The call at `span` is replayed by a later call of its function.
    fn replayed_later(&self, index: usize, span: Span) -> bool {
        self.model.events[index + 1..].iter().any(|event| {
            matches!(event, Event::ModuleCall { span: s, site: Some(_), .. } if *s == span)
        })
    }

    /// Anything in the file may switch `module` to evaluation mode.
    fn ever_eval(&self, module: ValueId) -> bool {
        self.switches
            .iter()
            .any(|s| match self.relation(s.module, module) {
                Relation::Same => s.mode != Mode::Train,
                Relation::Related => true,
                Relation::None => false,
            })
    }

    /// The `.eval()` that leaves `module` in evaluation mode at the training step `index`:
    /// one in a loop around the step with no switch back in that loop, or the last switch
    /// before the step in its scope when it covers the step. Also says which of the two.
    fn eval_left_on(
        &self,
        index: usize,
        module: ValueId,
        scope: ScopeId,
        block: BlockId,
    ) -> Option<(&Switch<'m>, bool)> {
        let model = self.model;
        for lp in model.loops_around(block) {
            let mut eval = None;
            for switch in &self.switches {
                if switch.scope != scope || !model.block_within(switch.block, lp) {
                    continue;
                }
                match self.relation(switch.module, module) {
                    Relation::None => {}
                    Relation::Same if switch.mode == Mode::Eval => {
                        eval.get_or_insert(switch);
                    }
                    _ => return None,
                }
            }
            if let Some(eval) = eval {
                return Some((eval, true));
            }
        }
        let last = self
            .switches
            .iter()
            .rev()
            .filter(|s| s.index < index && s.scope == scope)
            .find(|s| self.relation(s.module, module) != Relation::None)?;
        (self.relation(last.module, module) == Relation::Same
            && last.mode == Mode::Eval
            && model.block_within(block, last.block))
        .then_some((last, false))
    }
}
