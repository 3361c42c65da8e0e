use crate::finding::Span;
use crate::ml::{self, Category, Rng};
use crate::model::{Estimator, Event, FileModel, Kind, ScopeId, ValueId, Wrapper};
use crate::rule::{Check, Context, Sink};
use std::collections::BTreeMap;

crate::rule::rule! {
    code: "REPRO001",
    name: "unseeded-randomness",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Reads the model's unseeded calls (estimators and splitters whose class draws from
/// `random_state`, splits, generators built without a seed) and draws from global generators,
/// and keeps those that no seeding call covers. Estimators draw when fitted, so a global seed
/// before their first fit covers them. The model also says what wraps an estimator and
/// whether a `set_params` seeds values it cannot follow.
fn check(ctx: &Context, sink: &mut Sink) {
    // Tests draw to exercise code, not to train a model anyone reproduces.
    if ctx.file.is_test_module() {
        return;
    }
    let model = ctx.model;
    let seeds = Seeds::of(model);
    let mut draws: BTreeMap<Rng, (usize, &Event)> = BTreeMap::new();
    for (index, event) in model.events.iter().enumerate() {
        match event {
            Event::UnseededCall {
                function,
                span,
                value,
                wrappers,
                shuffle_unknown,
                ..
            } => {
                let call = Unseeded {
                    index,
                    function,
                    span: *span,
                    value: *value,
                    wrappers,
                    shuffle_unknown: *shuffle_unknown,
                };
                unseeded_call(ctx, &seeds, &call, sink);
            }
            Event::Draw {
                rng, own_generator, ..
            } if !seeds.cover(model, index, *rng) && !own_generator => {
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
    /// The calls whose arguments hold this one, innermost first.
    wrappers: &'m [Wrapper],
    /// It says whether it shuffles with something other than a literal `True`.
    shuffle_unknown: bool,
}

/// Reports an unseeded generator, split or estimator unless something seeds it.
fn unseeded_call(ctx: &Context, seeds: &Seeds, call: &Unseeded, sink: &mut Sink) {
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
        Kind::Estimator(estimator)
            if estimator_seeded(model, seeds, call, estimator)
                || model.seeded_by_search(call.value) =>
        {
            return;
        }
        Kind::Estimator(_) => {}
        // A split draws when it is called; whether it shuffles may be unknown
        // (`shuffle=SHUFFLE`).
        _ if seeds.cover(model, call.index, Rng::Numpy) || call.shuffle_unknown => {
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
    model: &FileModel,
    seeds: &Seeds,
    call: &Unseeded,
    estimator: &Estimator,
) -> bool {
    if estimator.seeded != Some(false) {
        return true;
    }
    // Splitters have no `set_params`.
    let splitter = estimator.category == Category::Splitter;
    if !splitter && model.set_params_hides_seed {
        return true;
    }
    wrapper_seeds(model, call.wrappers) || seeds.cover_estimator(model, call.index, call.value)
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
                if *scope == ScopeId::MODULE {
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
        if event_scope(&model.events[index]) != ScopeId::MODULE {
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

fn event_scope(event: &Event) -> ScopeId {
    match event {
        Event::Draw { scope, .. } | Event::UnseededCall { scope, .. } => *scope,
        Event::Fit { scope, .. } => *scope,
        _ => ScopeId::MODULE,
    }
}

/// True when the estimator is an argument of something that seeds it or is reported in its
/// place: an ensemble that seeds its sub-estimators (through pipelines and other composites in
/// between), or a call the model does not know that is given a seed
/// (`Wrapper(RandomForestClassifier(), random_state=0)`), which may pass it on.
fn wrapper_seeds(model: &FileModel, wrappers: &[Wrapper]) -> bool {
    for outer in wrappers {
        let Some(estimator) = model.estimator_built_at(outer.span) else {
            // A call the model does not know: it may pass its seed on, or not.
            return outer.given_seed;
        };
        if ml::seeds_sub_estimators(&estimator.class) {
            // Seeded, or itself reported as unseeded, or hidden behind `**`: in each case
            // nothing more to say about what it wraps. AdaBoost is not random on its own, so
            // the model leaves its seed unknown; read it from the call.
            return estimator.seeded.is_some() || outer.given_seed;
        }
        if estimator.category != Category::Composite {
            return false;
        }
    }
    false
}

fn shorten(function: &str) -> String {
    if function.starts_with("torch") && function.ends_with(".DataLoader") {
        return "DataLoader(shuffle=True)".to_string();
    }
    function
        .replacen("numpy.", "np.", 1)
        .replacen("tensorflow.", "tf.", 1)
}
