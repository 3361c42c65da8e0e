//! What the drift-monitoring rules share: where the project serves, scores or deploys a
//! model, whether an entry point's inputs or predictions reach a log, and what drift
//! capability the project has.

use crate::project::index::{EntryRef, FileId, ProjectIndex};
use crate::project::summary::Recognised;
use crate::project::summary::{Deployment, Place};

/// A serving entry point, outside notebooks (a notebook is not a service).
pub(super) fn served<'a>(index: &ProjectIndex<'a>) -> Vec<EntryRef<'a>> {
    index
        .entries()
        .into_iter()
        .filter(|e| !index.files[e.file].notebook)
        .collect()
}

/// An entry point recognised only by its name in a module named like a serving one
/// (`predict` in `predict.py`): often a research script's helper, so it weighs less.
pub(super) fn by_name_only(entry: EntryRef) -> bool {
    entry.entry.recognised == Recognised::Convention
}

/// Batch scoring jobs outside notebooks: (file, where it predicts).
pub(super) fn batch_jobs(index: &ProjectIndex) -> Vec<(FileId, Place)> {
    index
        .scoring()
        .into_iter()
        .filter(|(file, _)| !index.files[*file].notebook)
        .collect()
}

/// Promotion or deployment calls in scripts (not tests, not notebooks).
pub(super) fn deployments<'a>(index: &ProjectIndex<'a>) -> Vec<(FileId, &'a Deployment)> {
    let mut out = Vec::new();
    for (id, file) in index.files.iter().enumerate() {
        if file.test || file.notebook {
            continue;
        }
        out.extend(file.deployments.iter().map(|d| (id, d)));
    }
    out
}

/// How an entry point's inputs or predictions reach a log or metrics sink, if they do: in
/// the handler (or a function of its file it calls), through a helper of another project
/// module it calls, or through middleware or request hooks registered on the app (in the
/// handler's file, or in a file that imports it).
pub(super) fn logging(index: &ProjectIndex, entry: EntryRef) -> Option<(FileId, Place, String)> {
    if entry.entry.logged {
        return Some((entry.file, entry.entry.place, "the handler logs".into()));
    }
    for call in &entry.entry.shared_calls {
        if let Some(module) = index.module_file(call)
            && logs_in(index, module, call)
        {
            let message = format!("calls `{call}`, which logs");
            return Some((entry.file, entry.entry.place, message));
        }
    }
    // The handler's file and the files that import it, in file order.
    let importers = index.importers(entry.file);
    let at = importers.partition_point(|&id| id < entry.file);
    let own = (importers.get(at) != Some(&entry.file)).then_some(entry.file);
    let files = importers[..at]
        .iter()
        .copied()
        .chain(own)
        .chain(importers[at..].iter().copied());
    for id in files {
        let file = index.files[id];
        for middleware in &file.middleware {
            let resolved = index
                .module_file(&middleware.name)
                .is_some_and(|module| module != id && logs_in(index, module, &middleware.name));
            if middleware.logs || resolved {
                let message = format!("middleware `{}` logs requests", middleware.name);
                return Some((id, middleware.place, message));
            }
        }
    }
    None
}

/// Whether `qualified` names a function or class of `module` whose body logs.
fn logs_in(index: &ProjectIndex, module: FileId, qualified: &str) -> bool {
    let name = qualified.rsplit('.').next().unwrap_or(qualified);
    index.files[module]
        .logging_functions
        .iter()
        .any(|f| f == name)
}

/// A piece of drift-monitoring evidence: the file, what, where (when known), and whether it
/// runs where the model serves or on a schedule (not in a notebook or a training file).
pub(super) struct Drift {
    pub file: FileId,
    pub what: String,
    pub place: Option<Place>,
    pub online: bool,
}

/// The project's drift capability: libraries, statistics and declared functions, outside
/// tests.
pub(super) fn drift_evidence(index: &ProjectIndex) -> Vec<Drift> {
    let mut out = Vec::new();
    let declared = &index.facts.monitoring.functions;
    for (id, file) in index.files.iter().enumerate() {
        if file.test {
            continue;
        }
        let online = !file.notebook && file.trainings.is_empty();
        for evidence in &file.monitoring {
            out.push(Drift {
                file: id,
                what: format!("`{}`", evidence.what),
                place: Some(evidence.place),
                online,
            });
        }
        // `[tool.mlready.monitoring] functions = ["ourlib.drift"]`: a file that imports one.
        for function in declared {
            let imported = file.imports.iter().any(|(local, q)| {
                q == function
                    || q.starts_with(&format!("{function}."))
                    || q.ends_with(&format!(".{function}"))
                    || local == function
            });
            if imported {
                out.push(Drift {
                    file: id,
                    what: format!("`{function}` (declared)"),
                    place: None,
                    online,
                });
            }
        }
    }
    // A declared module that is a file of the project.
    for function in declared {
        if let Some(module) = index.module_file(function)
            && !index.files[module].test
        {
            let file = index.files[module];
            out.push(Drift {
                file: module,
                what: format!("`{function}` (declared)"),
                place: None,
                online: !file.notebook && file.trainings.is_empty(),
            });
        }
    }
    out
}
