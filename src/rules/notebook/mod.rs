//! Notebook hygiene: notebooks that will not give the same result when re-run from the top.

crate::rule::rules![
    non_linear_execution,
    hidden_state_cell_dependency,
    committed_error_or_stale_output,
    imports_scattered,
    unpinned_install_in_notebook,
    model_trained_only_in_notebook
];
