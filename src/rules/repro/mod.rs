//! Reproducibility debt: training that gives a different model on every run or only runs on
//! one person's machine.

crate::rule::rules![
    unseeded_randomness,
    absolute_local_path,
    nondeterministic_gpu_training,
    model_artifact_without_metadata,
    unpinned_ml_dependencies,
    unversioned_training_data,
];
