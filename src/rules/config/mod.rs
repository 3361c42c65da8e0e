//! Configuration debt: settings written into the code instead of a validated configuration.

crate::rule::rules![
    hyperparameters_implicit,
    duplicated_config_literal,
    config_by_code_edit
];
