//! Library misuse: ML library calls that run but silently compute the wrong thing.

crate::rule::rules![
    missing_eval_mode,
    memory_not_freed,
    missing_zero_grad,
    scale_sensitive_model_unscaled,
    threshold_only_validation,
];
