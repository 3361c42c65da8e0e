//! Dead experimental code paths and the prototype smell.

crate::rule::rules![
    constant_false_branch,
    commented_out_ml_code,
    unused_trained_model,
    prototype_in_production_path
];
