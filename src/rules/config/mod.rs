//! Configuration debt: settings written into the code instead of a validated configuration.

crate::rule::rules![hyperparameters_implicit, config_by_code_edit];
