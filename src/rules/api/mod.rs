//! Library misuse: ML library calls that run but silently compute the wrong thing.

crate::rule::rules![
    missing_eval_mode,
    missing_zero_grad,
    forward_called_directly,
    memory_not_freed,
    nan_equality,
    chained_indexing_assignment,
    inplace_result_discarded,
    merge_parameters_implicit,
    scale_sensitive_model_unscaled,
    threshold_only_validation,
    log_of_unclipped_probability,
    softmax_before_crossentropy,
];
