use crate::ml::Rng;
use crate::model::{Event, FileModel, Kind};
use crate::rule::{Check, Context, Sink};
use std::collections::BTreeMap;

crate::rule::rule! {
    code: "REPRO001",
    name: "unseeded-randomness",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's unseeded calls (estimators and splitters whose class draws from
/// `random_state`, generators built without a seed) and draws from global generators, and
/// keeps those that no seeding call covers.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let seeds = Seeds::of(model);
    let mut draws: BTreeMap<Rng, (usize, &Event)> = BTreeMap::new();
    for (index, event) in model.events.iter().enumerate() {
        match event {
            Event::UnseededCall {
                function,
                span,
                value,
                ..
            } => {
                let name = function.rsplit('.').next().unwrap_or(function);
                if function.starts_with("numpy.random.") {
                    sink.report(
                        &RULE,
                        *span,
                        format!(
                            "`{name}()` is built without a seed: every run draws different numbers"
                        ),
                    )
                    .help(format!("pass a seed: `{name}(SEED)`"));
                    continue;
                }
                // scikit-learn estimators without `random_state` draw from numpy's global
                // generator, so a global seed set earlier makes them reproducible.
                let still_unseeded = match &model.value(*value).kind {
                    Kind::Estimator(estimator) => estimator.seeded == Some(false),
                    _ => true,
                };
                if !still_unseeded || seeds.cover(model, index, Rng::Numpy) {
                    continue;
                }
                sink.report(
                    &RULE,
                    *span,
                    format!(
                        "`{name}` runs without `random_state`: each run gives a different \
                         result, so runs cannot be compared or reproduced"
                    ),
                )
                .help("pass `random_state=SEED`, with SEED a constant shared by the project");
            }
            Event::Draw { rng, .. } if !seeds.cover(model, index, *rng) => {
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
        let more = match count {
            1 => String::new(),
            n => format!(" ({n} draws in this file)"),
        };
        sink.report(
            &RULE,
            *span,
            format!(
                "`{short}` draws from {}'s global random generator, which is never seeded here{more}",
                rng.label()
            ),
        )
        .help(format!(
            "call `{}` once before the first draw, or draw from a seeded generator",
            rng.fix()
        ));
    }
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
        let event_scope = match &model.events[index] {
            Event::Draw { scope, .. } | Event::UnseededCall { scope, .. } => *scope,
            _ => 0,
        };
        if event_scope != 0 {
            return self.anywhere.contains_key(&rng);
        }
        self.first_at_module
            .get(&rng)
            .is_some_and(|&first| first < index)
    }
}

fn shorten(function: &str) -> String {
    function
        .replacen("numpy.", "np.", 1)
        .replacen("tensorflow.", "tf.", 1)
}
