use crate::project::summary::Recognised;
use super::helpers;
use crate::project::index::ProjectIndex;
use crate::rule::{Check, ProjectSink};

crate::rule::rule! {
    code: "MON002",
    name: "predictions-not-logged",
    family: "monitoring",
    severity: Warning,
    scope: Project,
    check: Check::Project(check),
}

/// Each serving entry point (not batch jobs, not notebooks, not functions recognised only by
/// their module's name) whose inputs and predictions
/// reach no log or metrics sink: not in the handler or the functions it calls, not through a
/// project helper that logs, not through middleware or request hooks on the app.
fn check(index: &ProjectIndex, sink: &mut ProjectSink) {
    for entry in helpers::served(index) {
        // `predict` in `predict.py` may be a research script's helper: MON001 still counts
        // it, at info, but a missing log there is not worth a warning per function.
        // A SageMaker `model_fn` alone leaves requests to the container's own handlers:
        // there is no code of the project to log them in.
        if helpers::by_name_only(entry)
            || entry.entry.recognised == Recognised::LoaderOnly
            || helpers::logging(index, entry).is_some()
        {
            continue;
        }
        let handler = &entry.entry;
        let finding = sink
            .report(
                &RULE,
                entry.file,
                handler.place,
                format!(
                    "`{}` ({}) serves predictions, but neither its inputs nor its predictions \
                     reach a log or metrics sink",
                    handler.name, handler.framework
                ),
            )
            .help(
                "Log the features and the prediction with the model version \
                 (`logger.info(..., extra={...})`, a Prometheus histogram, a queue or table), \
                 so drift and skew can be measured on what the model really saw",
            );
        if let Some(first) = handler.predicts.first() {
            finding.related(entry.file, *first, "predicts here");
        }
    }
}
