//! Library misuse: ML library calls that run but silently compute the wrong thing.

crate::rule::rules![
    missing_eval_mode,
    missing_zero_grad,
    forward_called_directly,
    nan_equality,
    chained_indexing_assignment,
    inplace_result_discarded,
    merge_parameters_implicit,
    threshold_only_validation,
    log_of_unclipped_probability,
    softmax_before_crossentropy,
];
