use crate::ml::Category;
use crate::model::{Event, FileModel, IoOp, Kind, ValueId, records_metadata_by_name};
use crate::rule::{Check, Context, Sink};
use std::collections::HashMap;

crate::rule::rule! {
    code: "REPRO005",
    name: "model-artifact-without-metadata",
    family: "repro",
    severity: Warning,
    scope: File,
    check: Check::File(check),
    preview: true,
}

/// Saves of a model trained in the file when the file records nothing about the run: no
/// tracker call (MLflow, W&B, ...), no sidecar JSON/YAML, no function named for writing
/// metadata. A save in a loop is a checkpoint; a dict saved with the model carries its own
/// metadata; `save_pretrained` writes its configuration next to the weights.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    // Tests save models to check persistence, not to release them.
    if ctx.file.is_test_module() {
        return;
    }
    if !model.repro.metadata.is_empty()
        || model
            .functions
            .iter()
            .any(|(name, _)| records_metadata_by_name(name))
    {
        return;
    }
    let trained = trained_models(model);
    if trained.is_empty() {
        return;
    }
    for io in &model.io {
        if io.op != IoOp::Save
            || model.repro.looped_saves.contains(&io.span)
            || io.function.ends_with("save_pretrained")
            || is_checkpoint_path(io.path.as_deref())
            || carries_metadata(model, io.value)
        {
            continue;
        }
        let mut found = None;
        model.derives_from(io.value, |v| {
            if found.is_none() {
                found = trained.get(&v).cloned();
            }
            found.is_some()
        });
        let Some(name) = found else {
            continue;
        };
        sink.report(
            &RULE,
            io.span,
            format!(
                "`{}` saves the trained {name} with no record of how it was made: this file \
                 logs no parameters, metrics, data version or library versions with it",
                ctx.snippet(io.span)
            ),
        )
        .help(
            "log the run with the model (`mlflow.log_params`/`log_metrics` and \
             `mlflow.<flavor>.log_model`), write a sidecar JSON next to the artifact (library \
             versions, git SHA, data snapshot, metrics), or save `{\"model\": model, \"meta\": \
             meta}`",
        );
    }
}

/// The models trained in the file, with a name for messages: estimators fitted as models,
/// and PyTorch modules when the file runs optimizer steps.
fn trained_models(model: &FileModel) -> HashMap<ValueId, String> {
    let mut trained = HashMap::new();
    for fit in model.model_fits() {
        if fit.cross_val() {
            continue;
        }
        if let Some(estimator) = model.estimator(fit.estimator)
            && matches!(estimator.category, Category::Model | Category::Composite)
        {
            trained.insert(fit.estimator, format!("`{}`", estimator.short_name()));
        }
    }
    let steps = model
        .events
        .iter()
        .any(|e| matches!(e, Event::OptimizerStep { .. }));
    if steps {
        for (id, value) in model.values_with_ids() {
            if let Kind::TorchModule(module) = &value.kind {
                trained.insert(id, format!("`{}` network", module.class));
            }
        }
    }
    trained
}

/// `torch.save(state, "checkpoints/last.ckpt")`: a checkpoint to resume from, not a release.
fn is_checkpoint_path(path: Option<&str>) -> bool {
    path.is_some_and(|p| {
        let lower = p.to_ascii_lowercase();
        lower.contains("checkpoint") || lower.contains("ckpt")
    })
}

/// A dict saved with the model (`{"model": m, "features": cols}`) carries its metadata.
fn carries_metadata(model: &FileModel, value: ValueId) -> bool {
    matches!(&model.value(value).kind, Kind::Dict(entries) if entries.len() >= 2)
}
