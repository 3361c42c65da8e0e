use crate::project::index::{FileId, ProjectIndex};
use crate::rule::{Check, ProjectSink};
use std::collections::BTreeSet;

crate::rule::rule! {
    code: "CFG002",
    name: "duplicated-config-literal",
    family: "config",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
    preview: true,
}

/// Parts of a constant's name that mark a runtime knob, which training and serving set each
/// for itself (a batch size, a device, a path, a port), not a setting they must share.
const RUNTIME_KNOBS: &[&str] = &[
    "BATCH", "WORKER", "DEVICE", "GPU", "CUDA", "VERBOSE", "DEBUG", "LOG", "PORT", "HOST", "URL",
    "TIMEOUT", "EPOCH", "SEED", "RANDOM", "JOBS", "THREAD", "DIR", "PATH", "FILE", "OUTPUT",
    "VERSION", "NAME", "ENV", "BUCKET", "TOKEN", "KEY", "RETRIES", "CACHE",
];

/// Whether a word of the name (split at `_`) is a runtime knob, singular or plural.
fn is_runtime_knob(name: &str) -> bool {
    name.split('_').any(|word| {
        RUNTIME_KNOBS
            .iter()
            .any(|knob| word == *knob || word.strip_suffix('S') == Some(knob))
    })
}

/// Reads the project's artifact edges: a module that saves a model or object and a module
/// that loads it (a serving handler, a scoring job, the next training step), both defining
/// the same upper-case module constant as a literal (a threshold, a rate, a rename map, a list
/// of three or more numbers) with different values. Lists of strings are SKEW011's (feature
/// lists), and runtime knobs (batch size, device, paths, ports, seeds) are left out. One
/// finding per consumer module and name, at the consumer's constant.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    let mut reported: BTreeSet<(FileId, String)> = BTreeSet::new();
    for (producer, summary) in index.files.iter().enumerate() {
        if summary.test || summary.config_constants.is_empty() {
            continue;
        }
        let mut consumers: Vec<FileId> = (0..summary.saves.len())
            .flat_map(|save| index.loaders_of(producer, save))
            .map(|(file, _)| file)
            .filter(|&file| file != producer && !index.files[file].test)
            .collect();
        consumers.sort_unstable();
        consumers.dedup();
        for consumer in consumers {
            let theirs = &index.files[consumer];
            for (name, value, place) in &summary.config_constants {
                if is_runtime_knob(name) {
                    continue;
                }
                let Some((_, other, other_place)) = theirs
                    .config_constants
                    .iter()
                    .find(|(n, v, _)| n == name && v != value)
                else {
                    continue;
                };
                if !reported.insert((consumer, name.clone())) {
                    continue;
                }
                sink.report(
                    &RULE,
                    consumer,
                    *other_place,
                    format!(
                        "`{name}` is `{other}` here but `{value}` in `{}`, which writes the \
                         artifact this module loads: the same setting, written twice, has \
                         drifted apart",
                        index.path(producer)
                    ),
                )
                .help(format!(
                    "define `{name}` once (a config module or file both read, or saved with the \
                     artifact) and import it in both modules"
                ))
                .related(producer, *place, format!("`{name} = {value}` here"));
            }
        }
    }
}
