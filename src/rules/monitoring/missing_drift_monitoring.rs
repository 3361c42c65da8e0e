use super::helpers::{self, Drift};
use crate::finding::Severity;
use crate::project::index::{FileId, ProjectIndex};
use crate::project::summary::Place;
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "MON001",
    name: "missing-drift-monitoring",
    family: "monitoring",
    severity: Warning,
    also: [Info],
    scope: Project,
    check: Check::Project(check),
    // The info branch (logs exist, an offline check, a manifest entry, a deployment only)
    // has not yet met the bar on real code (docs/precision.md).
    preview_at: [Info],
}

/// What was looked for, named in every message.
const LOOKED_FOR: &str = "no drift library or managed monitor (evidently, alibi-detect, \
nannyml, whylogs, deepchecks, river.drift, TFDV, SageMaker Model Monitor, ...), no two-sample \
test or PSI on data (ks_2samp, wasserstein_distance, psi()), nothing declared in \
[tool.mlready.monitoring]";

const HELP: &str = "Log each request's features and prediction and run a scheduled drift \
check against the training data (e.g. evidently's DataDriftPreset, or ks_2samp/PSI per \
feature); if monitoring happens outside this repository, declare it: \
[tool.mlready.monitoring] external = \"...\"";

/// Where the project puts a model to use: the first serving entry point, else the first
/// batch job, else the first deployment call; the others are related places.
struct Use {
    file: FileId,
    place: Place,
    what: String,
    related: Vec<(FileId, Place, String)>,
    /// Only a promotion or deployment call (the model may be served by a platform), or only
    /// functions named like handlers in modules named like serving ones: weak evidence.
    weak: bool,
}

/// One finding per project that serves, batch-scores or deploys a model: the severity says
/// what drift capability the project has (none; logs only; an offline check in a notebook or
/// training file; a library named only in a manifest).
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    if index.facts.monitoring.external.is_some() {
        return;
    }
    let Some(used) = model_use(index) else {
        return;
    };
    let evidence = helpers::drift_evidence(index);
    if evidence.iter().any(|d| d.online) {
        return;
    }
    let (severity, message, mut related) = if !evidence.is_empty() {
        offline(index, &used, &evidence)
    } else if !index.manifest_drift.is_empty() {
        let (manifest, dist) = &index.manifest_drift[0];
        let message = format!(
            "{} and `{dist}` is a dependency in {manifest}, but no code of the project uses \
             it: nothing computes drift on the model's inputs or predictions",
            used.what
        );
        (Severity::Info, message, Vec::new())
    } else if let Some(logged) = logged(index) {
        let message = format!(
            "{}; logs exist ({}), but nothing computes drift on them ({LOOKED_FOR}); if that \
             happens outside this repository, set [tool.mlready.monitoring] external",
            used.what, logged.2
        );
        (Severity::Info, message, vec![logged])
    } else {
        let severity = if used.weak {
            Severity::Info
        } else {
            Severity::Warning
        };
        let message = format!(
            "{} and nothing watches its inputs or predictions for drift: {LOOKED_FOR}, and no \
             entry point logs its inputs or predictions",
            used.what
        );
        (severity, message, Vec::new())
    };
    related.splice(0..0, used.related.iter().cloned());
    let finding = sink
        .report(&RULE, used.file, used.place, message)
        .help(HELP)
        .severity(severity);

    for (file, place, message) in related {
        finding.related(file, place, message);
    }
}

fn model_use(index: &ProjectIndex) -> Option<Use> {
    let entries = helpers::served(index);
    let jobs = helpers::batch_jobs(index);
    let deployments = helpers::deployments(index);
    let mut places: Vec<(FileId, Place, String)> = Vec::new();
    for entry in &entries {
        places.push((
            entry.file,
            entry.entry.place,
            format!(
                "`{}` ({}) serves a model",
                entry.entry.name, entry.entry.framework
            ),
        ));
    }
    for (file, place) in &jobs {
        places.push((
            *file,
            *place,
            format!("the batch job `{}` scores a model", index.path(*file)),
        ));
    }
    for (file, deployment) in &deployments {
        places.push((
            *file,
            deployment.place,
            format!("`{}` promotes or deploys a model", deployment.function),
        ));
    }
    let mut places = places.into_iter();
    let (file, place, what) = places.next()?;
    Some(Use {
        file,
        place,
        what,
        related: places.collect(),
        weak: jobs.is_empty() && entries.iter().all(|e| helpers::by_name_only(*e)),
    })
}

/// Drift code exists, but only where it does not run with the model: a notebook or a
/// training file.
fn offline(
    index: &ProjectIndex,
    used: &Use,
    evidence: &[Drift],
) -> (Severity, String, Vec<(FileId, Place, String)>) {
    let first = &evidence[0];
    let kind = if index.files[first.file].notebook {
        "a notebook"
    } else {
        "a training file"
    };
    let message = format!(
        "{}, and the only drift check ({} in {kind}, `{}`) is not on a schedule or serving \
         path: it compares data once, offline",
        used.what,
        first.what,
        index.path(first.file)
    );
    let related = evidence
        .iter()
        .filter_map(|d| {
            d.place
                .map(|p| (d.file, p, format!("offline drift check {}", d.what)))
        })
        .collect();
    (Severity::Info, message, related)
}

/// A place where inputs or predictions are logged: a serving entry point that logs, or a
/// batch job, which writes its predictions.
fn logged(index: &ProjectIndex) -> Option<(FileId, Place, String)> {
    for entry in helpers::served(index) {
        if let Some(found) = helpers::logging(index, entry) {
            let message = format!("`{}`: {}", entry.entry.name, found.2);
            return Some((found.0, found.1, message));
        }
    }
    helpers::batch_jobs(index).first().map(|(file, place)| {
        let message = format!(
            "the batch job `{}` writes its predictions",
            index.path(*file)
        );
        (*file, *place, message)
    })
}
