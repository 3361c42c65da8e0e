use crate::finding::Span;
use crate::model::{Event, FileModel};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "REPRO002",
    name: "nondeterministic-gpu-training",
    family: "repro",
    severity: Info,
    scope: File,
    check: Check::File(check),
}

/// A file that trains a network on a GPU (PyTorch steps or a Lightning trainer with CUDA;
/// Keras/TensorFlow fits with a GPU device named) and never asks for deterministic kernels.
/// One finding per file, at the first GPU placement.
fn check(ctx: &Context, sink: &mut Sink) {
    let model = ctx.model;
    let repro = &model.repro;
    if !repro.deterministic.is_empty() || ctx.file.is_test_module() {
        return;
    }
    let torch = torch_training(model).filter(|_| !repro.gpu.is_empty());
    let tf = tf_training(model).filter(|_| !repro.tf_gpu.is_empty());
    let (gpu, training, help) = match (torch, tf) {
        (Some(training), _) => (
            repro.gpu[0],
            training,
            "call `torch.use_deterministic_algorithms(True)` (and set \
             `torch.backends.cudnn.benchmark = False`) in the training entry point, or \
             `Trainer(deterministic=True)` with Lightning; if the run-to-run variation is \
             accepted for speed, suppress this finding with a comment saying so",
        ),
        (None, Some(training)) => (
            repro.tf_gpu[0],
            training,
            "call `tf.config.experimental.enable_op_determinism()` before building the model; \
             if the run-to-run variation is accepted for speed, suppress this finding with a \
             comment saying so",
        ),
        (None, None) => return,
    };
    let benchmark = repro
        .benchmark
        .first()
        .map(|b| format!(" and enables `cudnn.benchmark` ({})", ctx.describe(*b)))
        .unwrap_or_default();
    sink.report(
        &RULE,
        gpu,
        format!(
            "training runs on a GPU (`{}`, trained at {}){benchmark} without deterministic \
             algorithms: two runs with the same seed give different models",
            ctx.snippet(gpu),
            ctx.describe(training),
        ),
    )
    .help(help)
    .related(training, "the training step");
}

/// Where a PyTorch training step is: an optimizer step or a backward pass inside a loop, or
/// a Lightning trainer built.
fn torch_training(model: &FileModel) -> Option<Span> {
    let step = model.events.iter().find_map(|event| match event {
        Event::OptimizerStep { span, block, .. } | Event::Backward { span, block, .. }
            if !model.loops_around(*block).is_empty() =>
        {
            Some(*span)
        }
        _ => None,
    });
    step.or_else(|| model.repro.trainers.first().copied())
}

/// Where a Keras/TensorFlow model is fitted.
fn tf_training(model: &FileModel) -> Option<Span> {
    model.model_fits().into_iter().find_map(|fit| {
        let class = &model.estimator(fit.estimator)?.class;
        (class.starts_with("keras.") || class.starts_with("tensorflow.")).then_some(fit.span)
    })
}
