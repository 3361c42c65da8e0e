use crate::finding::Span;
use crate::ml::{self, Category, Rng};
use crate::model::{Estimator, Event, FileModel, Kind, ValueId};
use crate::rule::{Check, Context, Sink};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use tree_sitter::Node;

crate::rule::rule! {
    code: "REPRO001",
    name: "unseeded-randomness",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's unseeded calls (estimators and splitters whose class draws from
/// `random_state`, splits, generators built without a seed) and draws from global generators,
/// and keeps those that no seeding call covers. Estimators draw when fitted, so a global seed
/// before their first fit covers them; the tree is read only to see what wraps an estimator
/// and where `set_params` seeds values the model cannot follow.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let seeds = Seeds::of(model);
    // Read the tree for `set_params` only in files that build an unseeded estimator.
    let set_params = OnceCell::new();
    let mut draws: BTreeMap<Rng, (usize, &Event)> = BTreeMap::new();
    for (index, event) in model.events.iter().enumerate() {
        match event {
            Event::UnseededCall {
                function,
                span,
                value,
                ..
            } => {
                let call = Unseeded {
                    index,
                    function,
                    span: *span,
                    value: *value,
                };
                unseeded_call(ctx, &seeds, &set_params, &call, sink);
            }
            Event::Draw { rng, span, .. }
                if !seeds.cover(model, index, *rng) && !draws_from_own_generator(ctx, *span) =>
            {
                draws.entry(*rng).or_insert((0, event)).0 += 1;
            }
            _ => {}
        }
    }
    // Draws from a global generator: one finding per generator, at the first draw.
    for (rng, (count, event)) in draws {
        let Event::Draw { function, span, .. } = event else {
            continue;
        };
        let short = shorten(function);
        let when = if seeds.anywhere.contains_key(&rng) {
            "is seeded only after this draw"
        } else {
            "is never seeded here"
        };
        let more = match count {
            1 => String::new(),
            n => format!(" ({n} draws in this file)"),
        };
        sink.report(
            &RULE,
            *span,
            format!("`{short}` draws from {}, which {when}{more}", rng.label()),
        )
        .help(format!(
            "call `{}` once before the first draw, or draw from a seeded generator",
            rng.fix()
        ));
    }
}

/// One `UnseededCall` event of the model.
struct Unseeded<'m> {
    index: usize,
    function: &'m str,
    span: Span,
    value: ValueId,
}

/// Reports an unseeded generator, split or estimator unless something seeds it.
fn unseeded_call(
    ctx: &Context,
    seeds: &Seeds,
    set_params: &OnceCell<SetParams>,
    call: &Unseeded,
    sink: &mut Sink,
) {
    let model = ctx.model;
    let name = call.function.rsplit('.').next().unwrap_or(call.function);
    match &model.value(call.value).kind {
        Kind::Generator { .. } => {
            // `default_rng()` and `RandomState()` take OS entropy: no global seed reaches them.
            sink.report(
                &RULE,
                call.span,
                format!("`{name}()` is built without a seed: every run draws different numbers"),
            )
            .help(format!("pass a seed: `{name}(SEED)`"));
            return;
        }
        Kind::Estimator(estimator) if estimator_seeded(ctx, seeds, set_params, call, estimator) => {
            return;
        }
        Kind::Estimator(_) => {}
        // A split draws when it is called.
        _ if seeds.cover(model, call.index, Rng::Numpy) || shuffle_unknown(ctx, call.span) => {
            return;
        }
        _ => {}
    }
    sink.report(
        &RULE,
        call.span,
        format!(
            "`{name}` runs without `random_state`: each run gives a different result, so runs \
             cannot be compared or reproduced"
        ),
    )
    .help("pass `random_state=SEED`, with SEED a constant shared by the project");
}

/// True when something the analysis sees seeds the estimator: `set_params(random_state=...)`
/// on it, a `set_params` on values the model cannot follow (splitters have none), the
/// ensemble that wraps it (or that ensemble is reported instead), or a global seed before it
/// draws.
fn estimator_seeded(
    ctx: &Context,
    seeds: &Seeds,
    set_params: &OnceCell<SetParams>,
    call: &Unseeded,
    estimator: &Estimator,
) -> bool {
    if estimator.seeded != Some(false) {
        return true;
    }
    let splitter = estimator.category == Category::Splitter;
    if !splitter
        && set_params
            .get_or_init(|| SetParams::scan(ctx))
            .hides_estimators
    {
        return true;
    }
    wrapper_seeds(ctx, call.span) || seeds.cover_estimator(ctx.model, call.index, call.value)
}

/// Where the file seeds each global generator.
#[derive(Default)]
struct Seeds {
    /// Index of the first module-level seeding event, per generator.
    first_at_module: BTreeMap<Rng, usize>,
    /// Generators seeded anywhere (module level or inside a function).
    anywhere: BTreeMap<Rng, bool>,
}

impl Seeds {
    fn of(model: &FileModel) -> Seeds {
        let mut seeds = Seeds::default();
        for (index, event) in model.events.iter().enumerate() {
            let Event::Seed { rngs, scope, .. } = event else {
                continue;
            };
            for rng in rngs.iter() {
                seeds.anywhere.insert(*rng, true);
                if *scope == 0 {
                    seeds.first_at_module.entry(*rng).or_insert(index);
                } else {
                    // A seed inside a function may run before anything: count it as first.
                    seeds.first_at_module.insert(*rng, 0);
                }
            }
        }
        seeds
    }

    /// True when a seeding call covers `rng` for the event at `index`: a seed earlier at
    /// module level or inside any function, or any seed at all when the event is inside a
    /// function (which may run after it).
    fn cover(&self, model: &FileModel, index: usize, rng: Rng) -> bool {
        if event_scope(&model.events[index]) != 0 {
            return self.anywhere.contains_key(&rng);
        }
        self.first_at_module
            .get(&rng)
            .is_some_and(|&first| first < index)
    }

    /// True when a global numpy seed covers the estimator built by the event at `index`.
    /// scikit-learn estimators left at `random_state=None` draw from numpy's global generator
    /// when they are fitted, not when they are built: a seed before the first fit covers them,
    /// and so does any seed when the model sees no fit (the estimator is used out of sight).
    fn cover_estimator(&self, model: &FileModel, index: usize, value: ValueId) -> bool {
        if self.cover(model, index, Rng::Numpy) {
            return true;
        }
        let first_fit = model
            .events
            .iter()
            .enumerate()
            .skip(index)
            .find(|(_, e)| matches!(e, Event::Fit { estimator, .. } if *estimator == value));
        match first_fit {
            Some((fit, _)) => self.cover(model, fit, Rng::Numpy),
            None => self.anywhere.contains_key(&Rng::Numpy),
        }
    }
}

fn event_scope(event: &Event) -> usize {
    match event {
        Event::Draw { scope, .. } | Event::UnseededCall { scope, .. } => *scope,
        Event::Fit { scope, .. } => *scope,
        _ => 0,
    }
}

/// What the file's `set_params` calls say about seeds.
struct SetParams {
    /// A `set_params` seeds something the model cannot follow (a function parameter, a loop
    /// variable, a nested `step__random_state`, a `**` splat), so any estimator of the file
    /// may be seeded there. Splitters have no `set_params`.
    hides_estimators: bool,
}

impl SetParams {
    fn scan(ctx: &Context) -> SetParams {
        let mut hides_estimators = false;
        let mut stack = vec![ctx.tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "call" && set_params_hides_seed(ctx, node) {
                hides_estimators = true;
                break;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        SetParams { hides_estimators }
    }
}

/// True for `x.set_params(...)` that sets a random state the model cannot attach to one
/// estimator. The one case the model follows itself is `name.set_params(random_state=...)`
/// run once at module level.
fn set_params_hides_seed(ctx: &Context, call: Node) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    let Some(method) = function.child_by_field_name("attribute") else {
        return false;
    };
    if function.kind() != "attribute" || text(ctx, method) != "set_params" {
        return false;
    }
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut own = false;
    let mut hidden = false;
    let mut cursor = arguments.walk();
    for argument in arguments.named_children(&mut cursor) {
        match argument.kind() {
            "dictionary_splat" => hidden = true,
            "keyword_argument" => {
                let name = argument
                    .child_by_field_name("name")
                    .map_or("", |n| text(ctx, n));
                if name == "random_state" {
                    own = true;
                } else if name.ends_with("__random_state") {
                    hidden = true;
                }
            }
            _ => {}
        }
    }
    if hidden {
        return true;
    }
    if !own {
        return false;
    }
    let plain_receiver = function
        .child_by_field_name("object")
        .is_some_and(|o| o.kind() == "identifier");
    !plain_receiver || runs_repeatedly_or_later(call)
}

/// True when `node` sits in a function, a loop or a comprehension.
fn runs_repeatedly_or_later(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(parent) = current {
        if matches!(
            parent.kind(),
            "function_definition"
                | "lambda"
                | "for_statement"
                | "while_statement"
                | "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression"
        ) {
            return true;
        }
        current = parent.parent();
    }
    false
}

/// True when the estimator built at `span` is an argument of something that seeds it or is
/// reported in its place: an ensemble that seeds its sub-estimators (through pipelines and
/// other composites in between), or a call the model does not know that is given a seed
/// (`Wrapper(RandomForestClassifier(), random_state=0)`), which may pass it on.
fn wrapper_seeds(ctx: &Context, span: Span) -> bool {
    let root = ctx.tree.root_node();
    let Some(mut node) = root.descendant_for_byte_range(span.start, span.end) else {
        return false;
    };
    while let Some(outer) = enclosing_call(node) {
        let Some(estimator) = estimator_at(ctx.model, outer) else {
            // A call the model does not know: it may pass its seed on, or not.
            return call_given_seed(ctx, outer);
        };
        if ml::seeds_sub_estimators(&estimator.class) {
            // Seeded, or itself reported as unseeded, or hidden behind `**`: in each case
            // nothing more to say about what it wraps. AdaBoost is not random on its own, so
            // the model leaves its seed unknown; read it from the call.
            return estimator.seeded.is_some() || call_given_seed(ctx, outer);
        }
        if estimator.category != Category::Composite {
            return false;
        }
        node = outer;
    }
    false
}

/// The call whose arguments hold `node`, directly or inside list, tuple and dict literals.
fn enclosing_call(node: Node) -> Option<Node> {
    let mut current = node.parent()?;
    loop {
        match current.kind() {
            "argument_list" => {
                return current.parent().filter(|p| p.kind() == "call");
            }
            "keyword_argument"
            | "list"
            | "tuple"
            | "dictionary"
            | "pair"
            | "parenthesized_expression"
            | "expression_list" => current = current.parent()?,
            _ => return None,
        }
    }
}

/// The estimator the model built from the call `node`, if any.
fn estimator_at<'m>(model: &'m FileModel, node: Node) -> Option<&'m Estimator> {
    let span = Span::new(node.start_byte(), node.end_byte());
    model.values.iter().find_map(|value| match &value.kind {
        Kind::Estimator(estimator) if value.span == span => Some(estimator),
        _ => None,
    })
}

/// True when the call is given a seed (`random_state=`, `random_seed=` or `seed=` other than
/// `None`), or keyword arguments hidden in a `**` splat.
fn call_given_seed(ctx: &Context, call: Node) -> bool {
    call_given(ctx, call, &["random_state", "random_seed", "seed"])
}

/// True when the call passes one of the keywords `names` with a value other than `None`, or
/// hides keyword arguments in a `**` splat.
fn call_given(ctx: &Context, call: Node, names: &[&str]) -> bool {
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .any(|argument| match argument.kind() {
            "dictionary_splat" => true,
            "keyword_argument" => {
                let name = argument
                    .child_by_field_name("name")
                    .map_or("", |n| text(ctx, n));
                let value = argument.child_by_field_name("value");
                names.contains(&name) && value.is_some_and(|v| v.kind() != "none")
            }
            _ => false,
        })
}

/// The call node the model recorded at `span`.
fn call_at<'t>(ctx: &Context<'t>, span: Span) -> Option<Node<'t>> {
    ctx.tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end)
        .filter(|node| node.kind() == "call")
}

/// True when the draw at `span` uses a generator or seed of its own (`torch.randn(3,
/// generator=g)`, `tf.random.normal(shape, seed=1)`), not the global one.
fn draws_from_own_generator(ctx: &Context, span: Span) -> bool {
    call_at(ctx, span).is_some_and(|call| call_given(ctx, call, &["generator", "seed"]))
}

/// True when the split at `span` says whether it shuffles with something other than a
/// literal (`shuffle=SHUFFLE`): the analysis cannot tell.
fn shuffle_unknown(ctx: &Context, span: Span) -> bool {
    let Some(call) = call_at(ctx, span) else {
        return false;
    };
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut cursor = arguments.walk();
    arguments.named_children(&mut cursor).any(|argument| {
        argument.kind() == "keyword_argument"
            && argument
                .child_by_field_name("name")
                .is_some_and(|n| text(ctx, n) == "shuffle")
            && argument
                .child_by_field_name("value")
                .is_some_and(|v| v.kind() != "true")
    })
}

fn text<'a>(ctx: &'a Context, node: Node) -> &'a str {
    ctx.file.text.get(node.byte_range()).unwrap_or("")
}

fn shorten(function: &str) -> String {
    if function.starts_with("torch") && function.ends_with(".DataLoader") {
        return "DataLoader(shuffle=True)".to_string();
    }
    function
        .replacen("numpy.", "np.", 1)
        .replacen("tensorflow.", "tf.", 1)
}
